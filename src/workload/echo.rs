//! `echo`: the IPC-cost workload. A payload is copied to the worker,
//! transformed, and copied back; with processes every byte crosses the pipe
//! twice, with threads and serial it never leaves memory.

use super::Checkpoint;

/// The input payload of every echo task: a fixed, cheap byte pattern.
pub fn make_payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(131) >> 3) as u8).collect()
}

/// [`make_payload`] for a length the user chose: an allocation the machine
/// refuses is an error, not an abort.
pub fn try_make_payload(len: usize) -> Result<Vec<u8>, std::collections::TryReserveError> {
    let mut payload = Vec::new();
    payload.try_reserve_exact(len)?;
    payload.extend((0..len).map(|i| (i.wrapping_mul(131) >> 3) as u8));
    Ok(payload)
}

/// Bytes transformed between two checkpoints.
const BYTES_PER_TICK: usize = 64 * 1024;

/// Applies `passes` rounds of a byte-wise transform: compute per byte.
pub fn echo_transform<C: Checkpoint>(input: &[u8], passes: u64, checkpoint: &mut C) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..passes {
        for block in out.chunks_mut(BYTES_PER_TICK) {
            for b in block {
                *b = b.rotate_left(3) ^ 0x5a;
            }
            checkpoint.tick();
        }
    }
    out
}
