//! The worker protocol: versioned messages in length-prefixed frames.
//!
//! A frame is a little-endian `u32` body length, then the body (one message,
//! see [`super::codec`]). A length over [`MAX_FRAME_BYTES`], a stream that
//! ends inside a frame, or a body that does not decode is a
//! [`ProtocolError`]: never a panic, and never an allocation of whatever
//! size a corrupt header announces (bodies are read in bounded steps).

use std::borrow::Cow;
use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_bytes::ByteBuf;

use super::codec;
use crate::spec::MAX_PAYLOAD_BYTES;
use crate::workload::Task;

/// Bumped whenever a message changes shape; parent and worker must agree.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest frame body: the largest payload plus room for the message around it.
pub const MAX_FRAME_BYTES: u32 = MAX_PAYLOAD_BYTES as u32 + 64 * 1024;

/// Bytes of framing added to every message (the length header).
pub const FRAME_HEADER_BYTES: u64 = 4;

/// Parent → worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorker<'a> {
    /// Compute this task. The payload is borrowed when sending, so the
    /// parent copies it only into the frame.
    Task {
        task: Task,
        #[serde(borrow, with = "serde_bytes")]
        payload: Cow<'a, [u8]>,
    },
    /// Finish and exit (closing stdin does the same).
    Shutdown,
}

/// Worker → parent.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromWorker {
    /// Sent once at start: the worker is ready.
    Hello { version: u32, pid: u32, cpu_ns: u64 },
    /// A task finished: its value, its compute span on the shared monotonic
    /// clock, the worker's CPU time so far, and the echo payload.
    Done {
        index: u32,
        value: u64,
        start_ns: u64,
        end_ns: u64,
        cpu_ns: u64,
        payload: ByteBuf,
    },
}

/// What can go wrong on the wire.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("pipe i/o failed: {0}")]
    Io(#[from] io::Error),
    #[error("frame of {len} bytes is over the {max}-byte limit")]
    FrameTooLarge { len: u64, max: u32 },
    #[error("stream ended inside a frame: {got} of {expected} bytes")]
    Truncated { expected: u64, got: u64 },
    #[error("undecodable message: {0}")]
    Decode(String),
    #[error("message could not be encoded: {0}")]
    Encode(String),
    #[error("worker speaks protocol version {found}, this corescope speaks {expected}")]
    VersionMismatch { found: u32, expected: u32 },
}

/// Encodes `message` as one complete frame (header included) in a new buffer.
pub fn encode_frame<M: Serialize>(message: &M) -> Result<Vec<u8>, ProtocolError> {
    let mut frame = vec![0u8; FRAME_HEADER_BYTES as usize];
    codec::encode_into(message, &mut frame)?;
    let body_len = frame.len() as u64 - FRAME_HEADER_BYTES;
    let len = u32::try_from(body_len)
        .ok()
        .filter(|&len| len <= MAX_FRAME_BYTES)
        .ok_or(ProtocolError::FrameTooLarge {
            len: body_len,
            max: MAX_FRAME_BYTES,
        })?;
    frame[..4].copy_from_slice(&len.to_le_bytes());
    Ok(frame)
}

/// Writes one frame; returns the bytes written, header included.
pub fn write_frame<W: Write, M: Serialize>(
    writer: &mut W,
    message: &M,
) -> Result<usize, ProtocolError> {
    let frame = encode_frame(message)?;
    writer.write_all(&frame)?;
    Ok(frame.len())
}

/// Reads one frame body into `buf` and decodes it with `decode`.
///
/// `Ok(None)` means the stream ended cleanly between frames.
pub fn read_frame_with<'b, R: Read, M>(
    reader: &mut R,
    buf: &'b mut Vec<u8>,
    decode: impl FnOnce(&'b [u8]) -> Result<M, ProtocolError>,
) -> Result<Option<M>, ProtocolError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < header.len() {
        match reader.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => {
                return Err(ProtocolError::Truncated {
                    expected: FRAME_HEADER_BYTES,
                    got: got as u64,
                });
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let len = u32::from_le_bytes(header);
    if len > MAX_FRAME_BYTES {
        return Err(ProtocolError::FrameTooLarge {
            len: u64::from(len),
            max: MAX_FRAME_BYTES,
        });
    }
    buf.clear();
    // `take` + `read_to_end` grows the buffer as bytes really arrive, so a
    // lying header costs nothing until the bytes exist.
    reader.take(u64::from(len)).read_to_end(buf)?;
    if buf.len() as u64 != u64::from(len) {
        return Err(ProtocolError::Truncated {
            expected: u64::from(len),
            got: buf.len() as u64,
        });
    }
    decode(buf).map(Some)
}

/// Reads one owned message (`Ok(None)` at a clean end of stream).
pub fn read_frame<R: Read, M: DeserializeOwned>(
    reader: &mut R,
) -> Result<Option<M>, ProtocolError> {
    let mut buf = Vec::new();
    read_frame_with(reader, &mut buf, |body| codec::decode(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Workload;

    fn task_frame(payload: &[u8]) -> Vec<u8> {
        encode_frame(&ToWorker::Task {
            task: Task {
                workload: Workload::Echo,
                size: 1,
                index: 7,
                tasks: 8,
            },
            payload: Cow::Borrowed(payload),
        })
        .unwrap()
    }

    fn read_task(bytes: &[u8]) -> Result<Option<(Task, Vec<u8>)>, ProtocolError> {
        let mut reader = bytes;
        let mut buf = Vec::new();
        read_frame_with(&mut reader, &mut buf, |body| {
            codec::decode_borrowed::<ToWorker<'_>>(body).map(|m| match m {
                ToWorker::Task { task, payload } => Some((task, payload.into_owned())),
                ToWorker::Shutdown => None,
            })
        })
        .map(Option::flatten)
    }

    #[test]
    fn frames_round_trip_with_small_overhead() {
        let payload = vec![9u8; 1000];
        let frame = task_frame(&payload);
        assert!(
            frame.len() >= 1000 + 4 && frame.len() < 1000 + 32,
            "{}",
            frame.len()
        );
        let (task, back) = read_task(&frame).unwrap().unwrap();
        assert_eq!(task.index, 7);
        assert_eq!(back, payload);
    }

    #[test]
    fn clean_eof_is_none() {
        assert!(read_task(&[]).unwrap().is_none());
    }

    #[test]
    fn oversized_length_is_rejected_without_allocating() {
        let mut bytes = u32::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"xx");
        assert!(matches!(
            read_task(&bytes),
            Err(ProtocolError::FrameTooLarge { .. })
        ));
    }

    #[test]
    fn truncated_frames_are_rejected() {
        let frame = task_frame(&[1, 2, 3]);
        for cut in [2, 5, frame.len() - 1] {
            assert!(
                matches!(
                    read_task(&frame[..cut]),
                    Err(ProtocolError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn garbage_bodies_are_rejected() {
        // A plausible length and random-looking bytes.
        let mut bytes = 16u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0xff; 16]);
        assert!(matches!(read_task(&bytes), Err(ProtocolError::Decode(_))));
        // A valid message followed by junk inside the same frame.
        let mut frame = task_frame(&[1]);
        frame.push(0);
        let len = (frame.len() - 4) as u32;
        frame[..4].copy_from_slice(&len.to_le_bytes());
        assert!(matches!(read_task(&frame), Err(ProtocolError::Decode(_))));
    }

    #[test]
    fn a_forged_inner_length_does_not_allocate() {
        // Variant 0 (Task), then a task, then a payload length of ~2^60.
        let mut body = Vec::new();
        codec::encode_into(
            &Task {
                workload: Workload::Echo,
                size: 0,
                index: 0,
                tasks: 1,
            },
            &mut body,
        )
        .unwrap();
        let mut message = vec![0u8];
        message.extend_from_slice(&body);
        message.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0x10]);
        let mut frame = (message.len() as u32).to_le_bytes().to_vec();
        frame.extend_from_slice(&message);
        assert!(read_task(&frame).is_err());
    }
}
