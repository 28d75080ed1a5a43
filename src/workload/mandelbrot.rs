//! `mandelbrot`: one band of rows of an image per task. Rows through the
//! set cost up to [`MAX_ITERATIONS`] per pixel, rows outside it a few, so
//! tasks are deliberately uneven: the case where a queue beats static chunks.
//! The window is placed off-centre, with the set in its first rows, so the
//! imbalance shows for every worker count (a centred window is symmetric,
//! and two static halves would cost the same).

use super::Checkpoint;

/// Iterations after which a point counts as inside the set.
pub const MAX_ITERATIONS: u32 = 500;

/// Sum of escape iterations over the rows of band `index` of `tasks` bands
/// of a `size`×`size` image of the region [-2, 1] × [-0.6, 2.4].
pub fn band_iterations<C: Checkpoint>(
    size: u64,
    index: u32,
    tasks: u32,
    checkpoint: &mut C,
) -> u64 {
    let tasks = u64::from(tasks.max(1));
    let first = u64::from(index) * size / tasks;
    let last = (u64::from(index) + 1) * size / tasks;
    let scale = 3.0 / size as f64;
    let mut total = 0u64;
    for row in first..last {
        let cy = -0.6 + row as f64 * scale;
        for col in 0..size {
            let cx = -2.0 + col as f64 * scale;
            total += u64::from(escape_iterations(cx, cy));
        }
        checkpoint.tick();
        if checkpoint.stopped() {
            break;
        }
    }
    total
}

fn escape_iterations(cx: f64, cy: f64) -> u32 {
    let (mut x, mut y) = (0.0_f64, 0.0_f64);
    let mut i = 0;
    while i < MAX_ITERATIONS {
        let x2 = x * x;
        let y2 = y * y;
        if x2 + y2 > 4.0 {
            break;
        }
        y = 2.0 * x * y + cy;
        x = x2 - y2 + cx;
        i += 1;
    }
    i
}
