//! What can go wrong on the wire between corescope and a worker: a leaf of
//! `worker`, read by the codec and the framing alike.

use std::io;

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
