//! The one place that knows the wire encoding (bincode 2 through serde), so
//! it can be swapped without touching the protocol or the engine.

use std::io::Write;

use bincode::enc::write::SizeWriter;
use bincode::error::EncodeError;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::protocol::{MAX_FRAME_BYTES, ProtocolError};

fn config() -> impl bincode::config::Config {
    // The limit stops a forged length inside a frame from allocating more
    // than a frame may hold.
    bincode::config::standard().with_limit::<{ MAX_FRAME_BYTES as usize }>()
}

fn encode_error(error: EncodeError) -> ProtocolError {
    match error {
        // The pipe broke under the encoder: an i/o failure, not a bad message.
        EncodeError::Io { inner, .. } => ProtocolError::Io(inner),
        other => ProtocolError::Encode(other.to_string()),
    }
}

/// The number of bytes `message` encodes to, found without encoding it
/// anywhere (byte strings count their length, they are not copied).
pub fn encoded_len<M: Serialize>(message: &M) -> Result<usize, ProtocolError> {
    let mut size = SizeWriter::default();
    bincode::serde::encode_into_writer(message, &mut size, config()).map_err(encode_error)?;
    Ok(size.bytes_written)
}

/// Encodes `message` straight into `out`; returns the bytes written.
///
/// Byte strings reach `out` as one `write_all` of the caller's slice, so a
/// buffered writer passes large payloads to the pipe without copying them.
pub fn encode_to<M: Serialize, W: Write>(message: &M, out: &mut W) -> Result<usize, ProtocolError> {
    bincode::serde::encode_into_std_write(message, out, config()).map_err(encode_error)
}

/// Appends the encoding of `message` to `out`.
pub fn encode_into<M: Serialize>(message: &M, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
    encode_to(message, out).map(|_| ())
}

/// Decodes an owned message that must fill `body` exactly.
pub fn decode<M: DeserializeOwned>(body: &[u8]) -> Result<M, ProtocolError> {
    let (message, used) = bincode::serde::decode_from_slice(body, config())
        .map_err(|e| ProtocolError::Decode(e.to_string()))?;
    check_used(used, body.len())?;
    Ok(message)
}

/// Decodes a message that may borrow from `body` (payloads are not copied).
pub fn decode_borrowed<'de, M: Deserialize<'de>>(body: &'de [u8]) -> Result<M, ProtocolError> {
    let (message, used) = bincode::serde::borrow_decode_from_slice(body, config())
        .map_err(|e| ProtocolError::Decode(e.to_string()))?;
    check_used(used, body.len())?;
    Ok(message)
}

fn check_used(used: usize, len: usize) -> Result<(), ProtocolError> {
    if used == len {
        Ok(())
    } else {
        Err(ProtocolError::Decode(format!(
            "{} trailing bytes after the message",
            len - used
        )))
    }
}
