//! `echo`: the IPC-cost workload. A payload is copied to the worker,
//! transformed, and copied back; with processes every byte crosses the pipe
//! twice, with threads and serial it never leaves memory.

use super::Checkpoint;

/// The pattern repeats every 2048 bytes (131 is odd, so `i·131 >> 3`
/// wraps its low 11 bits every 2048 steps): the payload is this block,
/// copied, at memory speed.
const PATTERN_PERIOD: usize = 2048;

fn pattern_block() -> [u8; PATTERN_PERIOD] {
    std::array::from_fn(|i| (i.wrapping_mul(131) >> 3) as u8)
}

/// The input payload of every echo task: a fixed, cheap byte pattern,
/// byte `i` being `(i·131 >> 3) mod 256`.
pub fn make_payload(len: usize) -> Vec<u8> {
    let mut payload = Vec::with_capacity(len);
    fill_pattern(&mut payload, len);
    payload
}

/// [`make_payload`] for a length the user chose: an allocation the machine
/// refuses is an error, not an abort.
pub fn try_make_payload(len: usize) -> Result<Vec<u8>, std::collections::TryReserveError> {
    let mut payload = Vec::new();
    payload.try_reserve_exact(len)?;
    fill_pattern(&mut payload, len);
    Ok(payload)
}

fn fill_pattern(payload: &mut Vec<u8>, len: usize) {
    let block = pattern_block();
    while payload.len() < len {
        let take = (len - payload.len()).min(PATTERN_PERIOD);
        payload.extend_from_slice(&block[..take]);
    }
}

/// Bytes transformed between two checkpoints.
const BYTES_PER_TICK: usize = 64 * 1024;

/// Applies `passes` rounds of a byte-wise transform: compute per byte.
pub fn echo_transform<C: Checkpoint>(input: &[u8], passes: u64, checkpoint: &mut C) -> Vec<u8> {
    let mut out = input.to_vec();
    transform_in_place(&mut out, passes, checkpoint);
    out
}

/// The transform of [`echo_transform`], on bytes already copied where the
/// result must go (a shared mapping, say).
pub fn transform_in_place<C: Checkpoint>(out: &mut [u8], passes: u64, checkpoint: &mut C) {
    for _ in 0..passes {
        for block in out.chunks_mut(BYTES_PER_TICK) {
            for b in block {
                *b = b.rotate_left(3) ^ 0x5a;
            }
            checkpoint.tick();
        }
        if checkpoint.stopped() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_is_its_formula_at_every_length() {
        for len in [0, 1, 2047, 2048, 2049, 10_000] {
            let payload = make_payload(len);
            assert_eq!(payload.len(), len);
            assert!(
                payload
                    .iter()
                    .enumerate()
                    .all(|(i, &b)| b == (i.wrapping_mul(131) >> 3) as u8)
            );
            assert_eq!(try_make_payload(len).unwrap(), payload);
        }
    }
}
