//! Confidence intervals by bootstrap: how sure a median over a handful of
//! repetitions is.
//!
//! A percentile bootstrap resamples the repetitions with replacement many
//! times, takes the median of each resample, and reports the middle 95 %
//! of those medians. It assumes nothing about the distribution of wall
//! times (which is skewed: a busy machine only ever slows a run down). The
//! random numbers come from a fixed seed, so the same repetitions always
//! give the same interval: a file, its report and the window agree.
//!
//! With three repetitions the interval can be no narrower than what those
//! three allow; that is the honest answer, and more repetitions narrow it.

use crate::results::Interval;

/// How many resamples each interval is drawn from.
pub const RESAMPLES: usize = 2000;

/// The confidence of every interval corescope reports.
pub const CONFIDENCE: f64 = 0.95;

/// The seed every bootstrap starts from.
const SEED: u64 = 0x636f_7265_7363_6f70;

/// A small deterministic generator (SplitMix64): good enough to pick
/// indices, and the same on every machine.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// An index below `n` (n > 0); the modulo bias is negligible for the
    /// few repetitions a run has.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The median of a resample of `samples` (with replacement), reusing
/// `scratch`.
fn resampled_median(samples: &[f64], rng: &mut SplitMix, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend((0..samples.len()).map(|_| samples[rng.below(samples.len())]));
    scratch.sort_by(f64::total_cmp);
    let mid = scratch.len() / 2;
    if scratch.len() % 2 == 0 {
        (scratch[mid - 1] + scratch[mid]) / 2.0
    } else {
        scratch[mid]
    }
}

/// The finite samples, or `None` with fewer than two (one repetition says
/// nothing about its own spread).
fn usable(samples: &[f64]) -> Option<Vec<f64>> {
    let kept: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    (kept.len() >= 2).then_some(kept)
}

/// The central [`CONFIDENCE`] share of `estimates` (sorted in place).
fn percentile_interval(estimates: &mut [f64]) -> Option<Interval> {
    if estimates.is_empty() {
        return None;
    }
    estimates.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    let last = estimates.len() - 1;
    let at = |q: f64| estimates[((q * last as f64).round() as usize).min(last)];
    let interval = Interval {
        low: at(tail),
        high: at(1.0 - tail),
    };
    (interval.low.is_finite() && interval.high.is_finite()).then_some(interval)
}

/// A 95 % confidence interval of the median of `samples`; `None` with
/// fewer than two finite samples.
pub fn median_interval(samples: &[f64]) -> Option<Interval> {
    let samples = usable(samples)?;
    let mut rng = SplitMix(SEED);
    let mut scratch = Vec::with_capacity(samples.len());
    let mut medians: Vec<f64> = (0..RESAMPLES)
        .map(|_| resampled_median(&samples, &mut rng, &mut scratch))
        .collect();
    percentile_interval(&mut medians)
}

/// A 95 % confidence interval of `scale × median(numerator) /
/// median(denominator)`, resampling both independently: a speedup's
/// interval from the serial run's walls over the run's own. `None` when
/// either has fewer than two finite samples or a resample's denominator is
/// not positive.
pub fn ratio_interval(numerator: &[f64], denominator: &[f64], scale: f64) -> Option<Interval> {
    let (top, bottom) = (usable(numerator)?, usable(denominator)?);
    let mut rng = SplitMix(SEED);
    let mut scratch = Vec::with_capacity(top.len().max(bottom.len()));
    let mut ratios = Vec::with_capacity(RESAMPLES);
    for _ in 0..RESAMPLES {
        let t = resampled_median(&top, &mut rng, &mut scratch);
        let b = resampled_median(&bottom, &mut rng, &mut scratch);
        if b <= 0.0 {
            return None;
        }
        ratios.push(scale * t / b);
    }
    percentile_interval(&mut ratios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_repetitions_give_a_point() {
        let ci = median_interval(&[2.0, 2.0, 2.0, 2.0]).unwrap();
        assert_eq!((ci.low, ci.high), (2.0, 2.0));
        let ci = ratio_interval(&[4.0, 4.0], &[2.0, 2.0], 1.0).unwrap();
        assert_eq!((ci.low, ci.high), (2.0, 2.0));
    }

    #[test]
    fn the_interval_holds_the_median_and_stays_within_the_range() {
        let walls = [1.0, 1.1, 0.9, 1.05, 3.0, 0.95, 1.02];
        let ci = median_interval(&walls).unwrap();
        assert!(ci.low <= 1.02 && 1.02 <= ci.high, "{ci:?}");
        assert!(ci.low >= 0.9 && ci.high <= 3.0, "{ci:?}");
        // The outlier does not drag the median's interval up to it.
        assert!(ci.high < 2.0, "{ci:?}");
    }

    #[test]
    fn it_is_deterministic_and_narrows_with_more_repetitions() {
        let few = [1.0, 1.2, 0.8, 1.1, 0.9];
        assert_eq!(median_interval(&few), median_interval(&few));
        let many: Vec<f64> = (0..8).flat_map(|_| few).collect();
        let (a, b) = (
            median_interval(&few).unwrap(),
            median_interval(&many).unwrap(),
        );
        assert!(b.high - b.low < a.high - a.low, "{a:?} {b:?}");
    }

    #[test]
    fn too_few_repetitions_give_no_interval() {
        assert!(median_interval(&[1.0]).is_none());
        assert!(median_interval(&[1.0, f64::NAN]).is_none());
        assert!(ratio_interval(&[1.0, 2.0], &[1.0], 1.0).is_none());
        assert!(ratio_interval(&[1.0, 2.0], &[0.0, 0.0], 1.0).is_none());
    }

    #[test]
    fn a_ratio_interval_scales_and_holds_the_ratio_of_medians() {
        let serial = [4.0, 4.2, 3.9, 4.1, 4.0];
        let run = [1.0, 1.1, 0.95, 1.0, 1.05];
        let ci = ratio_interval(&serial, &run, 2.0).unwrap();
        let point = 2.0 * 4.0 / 1.0;
        assert!(ci.low <= point && point <= ci.high, "{ci:?}");
    }
}
