//! The one place that knows the wire encoding (bincode 2 through serde), so
//! it can be swapped without touching the protocol or the engine.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::protocol::{MAX_FRAME_BYTES, ProtocolError};

fn config() -> impl bincode::config::Config {
    // The limit stops a forged length inside a frame from allocating more
    // than a frame may hold.
    bincode::config::standard().with_limit::<{ MAX_FRAME_BYTES as usize }>()
}

/// Appends the encoding of `message` to `out`.
pub fn encode_into<M: Serialize>(message: &M, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
    bincode::serde::encode_into_std_write(message, out, config())
        .map(|_| ())
        .map_err(|e| ProtocolError::Encode(e.to_string()))
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
