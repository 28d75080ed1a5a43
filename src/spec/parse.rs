//! The parsers of each kind of setting value: counts (`1M`), byte sizes
//! (`64KiB`), payload sweeps, worker ranges, intervals, durations and
//! names of closed sets. Each error is a [`SpecError`] naming the
//! [`Setting`] and what it accepts.

use crate::limits::{
    MAX_PAYLOAD_BYTES, MAX_SWITCH_INTERVAL_US, MAX_WORKERS, MIN_SWITCH_INTERVAL_US,
};
use crate::settings::{Setting, ValueKind};
use crate::workload::{CodeTarget, Workload};

use crate::model::Model;

/// A value that failed validation: which setting, and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", .setting.flag(), .message)]
pub struct SpecError {
    pub setting: Setting,
    pub message: String,
    /// Nothing was given where something is needed (the form asks for it
    /// in its own words).
    pub missing: bool,
}

impl SpecError {
    pub fn new(setting: Setting, message: impl Into<String>) -> Self {
        SpecError {
            setting,
            message: message.into(),
            missing: false,
        }
    }

    /// Nothing was given for `setting`.
    pub fn missing(setting: Setting, message: impl Into<String>) -> Self {
        SpecError {
            missing: true,
            ..SpecError::new(setting, message)
        }
    }
}

/// What a choice setting accepts, from its descriptor's names.
fn expected(setting: Setting) -> String {
    match setting.info().kind {
        ValueKind::Choice { names, many: true } => {
            format!("one or more of {}, comma-separated", names().join(", "))
        }
        ValueKind::Choice { names, many: false } => either(&names()),
        ValueKind::Workloads => format!(
            "one or more of {}",
            names(Workload::ALL.map(Workload::name))
        ),
        _ => String::new(),
    }
}

/// `FILE.py:FUNCTION`: the file and the function a `--code` run calls
/// (whether they exist is checked by validation, then by the
/// interpreter).
pub fn parse_code(setting: Setting, text: &str) -> Result<CodeTarget, SpecError> {
    CodeTarget::parse(text).map_err(|why| SpecError::new(setting, why))
}

/// `CMD {}`: a shell command, trimmed and not empty.
pub fn parse_command(setting: Setting, text: &str) -> Result<String, SpecError> {
    crate::workload::command::parse(text).map_err(|why| SpecError::new(setting, why))
}

/// "a or b", "a, b or c".
fn either(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A comma-separated list of names of `setting`'s closed set, each kept
/// once, in the order given.
pub(super) fn parse_list<T>(setting: Setting, text: &str) -> Result<Vec<T>, SpecError>
where
    T: std::str::FromStr<Err = String> + PartialEq,
{
    let mut parsed = Vec::new();
    for part in text.split(',').map(str::trim) {
        let value: T = part.parse().map_err(|e: String| {
            SpecError::new(setting, format!("{e}; expected {}", expected(setting)))
        })?;
        if !parsed.contains(&value) {
            parsed.push(value);
        }
    }
    Ok(parsed)
}

/// One name of `setting`'s closed set, or its fallback when absent.
pub(super) fn parse_choice<T>(setting: Setting, text: Option<&str>) -> Result<T, SpecError>
where
    T: std::str::FromStr<Err = String>,
{
    let Some(text) = text.or(setting.default_text()) else {
        return Err(SpecError::missing(setting, expected(setting)));
    };
    text.parse().map_err(|e: String| {
        SpecError::new(setting, format!("{e}; expected {}", expected(setting)))
    })
}

/// A count setting's value: `text`, or its fallback when absent (`None`
/// where it has none), within the bounds its descriptor gives.
pub(super) fn parse_setting_count(
    setting: Setting,
    text: Option<&str>,
) -> Result<Option<u64>, SpecError> {
    let ValueKind::Count { min, max } = setting.info().kind else {
        return Err(SpecError::new(setting, "is not a count"));
    };
    match text.or(setting.default_text()) {
        Some(text) => parse_in_range(setting, text, min, max).map(Some),
        None => Ok(None),
    }
}

/// An interval setting's value in microseconds: `text`, or its fallback.
pub(super) fn parse_setting_interval(
    setting: Setting,
    text: Option<&str>,
) -> Result<u32, SpecError> {
    match text.or(setting.default_text()) {
        Some(text) => parse_interval_us(setting, text),
        None => Err(SpecError::missing(setting, "no interval given")),
    }
}

/// A duration setting's value: a positive time such as `30s` or `2m`;
/// absent or blank is none.
pub fn parse_duration(
    setting: Setting,
    text: Option<&str>,
) -> Result<Option<std::time::Duration>, SpecError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match humantime::parse_duration(text) {
        Ok(limit) if !limit.is_zero() => Ok(Some(limit)),
        _ => Err(SpecError::new(
            setting,
            format!("'{text}' is not a positive time such as 30s or 2m"),
        )),
    }
}

fn names<const N: usize>(list: [&str; N]) -> String {
    list.join(", ")
}

pub(super) fn parse_models(text: &str) -> Result<Vec<Model>, SpecError> {
    let expected = names(Model::ALL.map(Model::name));
    let mut models = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let model: Model = part.parse().map_err(|e: String| {
            SpecError::new(
                Setting::Models,
                format!("{e}; expected one or more of {expected}"),
            )
        })?;
        if !models.contains(&model) {
            models.push(model);
        }
    }
    if models.is_empty() {
        return Err(SpecError::missing(
            Setting::Models,
            format!("no model given; expected one or more of {expected}"),
        ));
    }
    Ok(models)
}

/// Parses a worker count list: `4`, `1..8`, `1..=8` (both inclusive) or
/// `1,2,4,8`. Each count must lie in 1..=[`MAX_WORKERS`].
pub fn parse_workers(text: &str) -> Result<Vec<u32>, SpecError> {
    const FLAG: Setting = Setting::Workers;
    const ACCEPTS: &str =
        "expected a count from 1 to 1024, a range such as 1..8, or a list such as 1,2,4,8";
    let text = text.trim();
    let one = |s: &str| -> Result<u32, SpecError> {
        let value = parse_count(FLAG, s)
            .map_err(|e| SpecError::new(FLAG, format!("{}; {ACCEPTS}", e.message)))?;
        if !(1..=u64::from(MAX_WORKERS)).contains(&value) {
            return Err(SpecError::new(
                FLAG,
                format!("{value} is out of range; {ACCEPTS}"),
            ));
        }
        Ok(value as u32)
    };
    let mut counts = if let Some((from, to)) = text.split_once("..") {
        let to = to.strip_prefix('=').unwrap_or(to);
        let (from, to) = (one(from)?, one(to)?);
        if from > to {
            return Err(SpecError::new(
                FLAG,
                format!("the range {text} runs backwards; write it low to high, e.g. {to}..{from}"),
            ));
        }
        (from..=to).collect::<Vec<u32>>()
    } else {
        text.split(',').map(one).collect::<Result<Vec<u32>, _>>()?
    };
    counts.sort_unstable();
    counts.dedup();
    Ok(counts)
}

fn parse_in_range(setting: Setting, text: &str, min: u64, max: u64) -> Result<u64, SpecError> {
    let value = parse_count(setting, text)?;
    if value < min || value > max {
        return Err(SpecError::new(
            setting,
            format!("{value} is out of range; expected {min} to {max}"),
        ));
    }
    Ok(value)
}

/// Parses a non-negative count: digits with optional `_` separators and an
/// optional decimal suffix `k`, `M` or `G` (`10M` = 10,000,000).
pub fn parse_count(setting: Setting, text: &str) -> Result<u64, SpecError> {
    parse_number(text).map_err(|message| SpecError::new(setting, message))
}

/// [`parse_count`] for a value that is no experiment setting (an image
/// size, say): the error says what was wrong and what is accepted.
pub fn parse_number(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let accepts = "expected a whole number such as 1000000, 1_000_000 or 1M";
    if trimmed.starts_with('-') {
        return Err(format!("'{trimmed}' is negative; {accepts}"));
    }
    let (digits, multiplier) = match trimmed.char_indices().last() {
        Some((i, 'k' | 'K')) => (&trimmed[..i], 1_000),
        Some((i, 'M')) => (&trimmed[..i], 1_000_000),
        Some((i, 'G')) => (&trimmed[..i], 1_000_000_000),
        _ => (trimmed, 1),
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("'{trimmed}' is not a number; {accepts}"));
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(multiplier))
        .ok_or_else(|| format!("'{trimmed}' is too large"))
}

/// Parses a time interval into microseconds: a number with `us` (or `µs`),
/// `ms` or `s`, e.g. `5ms`, `0.5ms`, `200us`; a bare number is milliseconds.
/// Accepts 10 µs to 1 s.
pub fn parse_interval_us(setting: Setting, text: &str) -> Result<u32, SpecError> {
    let trimmed = text.trim();
    let (min_us, max_us) = match setting.info().kind {
        ValueKind::Interval { min_us, max_us } => (min_us, max_us),
        _ => (MIN_SWITCH_INTERVAL_US, MAX_SWITCH_INTERVAL_US),
    };
    let accepts = format!(
        "expected an interval from {} to {} such as 5ms, 0.5ms or 200us",
        interval_text(min_us),
        interval_text(max_us)
    );
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let scale = match unit.trim() {
        "" | "ms" => 1_000.0,
        "us" | "µs" => 1.0,
        "s" => 1_000_000.0,
        other => {
            return Err(SpecError::new(
                setting,
                format!("unknown unit '{other}' in '{trimmed}'; {accepts}"),
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| SpecError::new(setting, format!("'{trimmed}' is not a number; {accepts}")))?;
    let us = value * scale;
    if !(f64::from(min_us)..=f64::from(max_us)).contains(&us) {
        return Err(SpecError::new(
            setting,
            format!("'{trimmed}' is out of range; {accepts}"),
        ));
    }
    Ok(us.round() as u32)
}

/// Parses echo payloads: one size (`64KiB`), a list (`1KiB,64KiB,1MiB`) or
/// a range `A..B` stepping ×4 from A up to B (`1KiB..64MiB`: 1, 4, 16 … 64
/// MiB). Each at most 64 MiB; returned ascending without duplicates.
pub fn parse_payloads(text: &str) -> Result<Vec<u64>, SpecError> {
    const FLAG: Setting = Setting::Payload;
    let one = |s: &str| -> Result<u64, SpecError> {
        let bytes = parse_bytes(FLAG, s)?;
        if bytes > MAX_PAYLOAD_BYTES {
            return Err(SpecError::new(
                FLAG,
                format!("{} is over the limit of 64MiB", s.trim()),
            ));
        }
        Ok(bytes)
    };
    let mut sizes = if let Some((from, to)) = text.split_once("..") {
        let (from, to) = (one(from)?, one(to)?);
        if from == 0 || from > to {
            return Err(SpecError::new(
                FLAG,
                format!(
                    "the range {} must run from a size above 0 up to a larger one, e.g. 1KiB..64MiB",
                    text.trim()
                ),
            ));
        }
        let mut sizes: Vec<u64> = std::iter::successors(Some(from), |&s| s.checked_mul(4))
            .take_while(|&s| s <= to)
            .collect();
        if sizes.last() != Some(&to) {
            sizes.push(to);
        }
        sizes
    } else {
        text.split(',').map(one).collect::<Result<Vec<u64>, _>>()?
    };
    sizes.sort_unstable();
    sizes.dedup();
    Ok(sizes)
}

/// Parses a byte size: a whole number with an optional unit, `B`, `KB`,
/// `MB`, `GB` (powers of 1000) or `KiB`, `MiB`, `GiB` (powers of 1024),
/// case-insensitive, e.g. `64KiB`, `1 MiB`, `512`.
pub fn parse_bytes(setting: Setting, text: &str) -> Result<u64, SpecError> {
    let trimmed = text.trim();
    let accepts =
        "expected a size in bytes such as 512, 64KiB or 1MiB (units B, KB, KiB, MB, MiB, GB, GiB)";
    if trimmed.starts_with('-') {
        return Err(SpecError::new(
            setting,
            format!("'{trimmed}' is negative; {accepts}"),
        ));
    }
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: String = number.chars().filter(|&c| c != '_').collect();
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        _ => {
            return Err(SpecError::new(
                setting,
                format!("unknown unit '{}' in '{trimmed}'; {accepts}", unit.trim()),
            ));
        }
    };
    if number.is_empty() {
        return Err(SpecError::new(
            setting,
            format!("'{trimmed}' has no number; {accepts}"),
        ));
    }
    number
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(multiplier))
        .ok_or_else(|| SpecError::new(setting, format!("'{trimmed}' is too large")))
}

/// An interval in its largest whole unit: `1s`, `5ms`, `10us`.
fn interval_text(us: u32) -> String {
    if us % 1_000_000 == 0 {
        format!("{}s", us / 1_000_000)
    } else if us % 1_000 == 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::raw::tests::raw;

    #[test]
    fn worker_lists_and_ranges() {
        assert_eq!(parse_workers("1..4").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(parse_workers("1..=3").unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_workers("8,1,2,2").unwrap(), vec![1, 2, 8]);
        assert_eq!(parse_workers("4").unwrap(), vec![4]);
        for bad in ["0", "1025", "4..1", "", "a", "-1", "1..", "1,,2"] {
            let err = parse_workers(bad).unwrap_err();
            assert_eq!(err.setting.flag(), "--workers", "{bad}");
        }
        assert!(
            parse_workers("4..1")
                .unwrap_err()
                .message
                .contains("backwards")
        );
    }

    #[test]
    fn counts_and_bytes() {
        assert_eq!(parse_count(Setting::Size, "1_000_000").unwrap(), 1_000_000);
        assert_eq!(parse_count(Setting::Size, "10M").unwrap(), 10_000_000);
        assert!(
            parse_count(Setting::Size, "-5")
                .unwrap_err()
                .message
                .contains("negative")
        );
        assert!(parse_count(Setting::Size, "12QB").is_err());
        assert_eq!(parse_bytes(Setting::Payload, "64KiB").unwrap(), 65536);
        assert_eq!(parse_bytes(Setting::Payload, "1 MiB").unwrap(), 1 << 20);
        assert_eq!(parse_bytes(Setting::Payload, "1mb").unwrap(), 1_000_000);
        assert_eq!(parse_bytes(Setting::Payload, "512").unwrap(), 512);
        let err = parse_bytes(Setting::Payload, "12QB").unwrap_err();
        assert!(err.message.contains("unknown unit 'QB'"), "{err}");
        assert!(parse_bytes(Setting::Payload, "KiB").is_err());
    }

    #[test]
    fn payload_sweeps() {
        assert_eq!(parse_payloads("64KiB").unwrap(), [65536]);
        assert_eq!(parse_payloads("1MiB,1KiB").unwrap(), [1024, 1 << 20]);
        let sweep = parse_payloads("1KiB..64MiB").unwrap();
        assert_eq!(sweep.len(), 9);
        assert_eq!((sweep[0], sweep[8]), (1024, 64 << 20));
        assert_eq!(parse_payloads("1KiB..10KiB").unwrap(), [1024, 4096, 10240]);
        for bad in ["65MiB", "4KiB..1KiB", "0..1KiB", "12QB", "1KiB.."] {
            assert!(parse_payloads(bad).is_err(), "{bad}");
        }
        let r = raw()
            .with(Setting::Workload, "echo")
            .with(Setting::Models, "serial,processes")
            .with(Setting::Workers, "2")
            .with(Setting::Payload, "1KiB,1MiB");
        let runs = r.validate(&[2]).unwrap().runs();
        let points: Vec<(u64, String)> = runs
            .iter()
            .map(|r| (r.workload.payload_bytes, r.label()))
            .collect();
        assert_eq!(points[0], (1024, "serial".to_string()));
        assert_eq!(points[3], (1 << 20, "processes ×2".to_string()));
    }

    #[test]
    fn switch_intervals() {
        assert_eq!(
            parse_interval_us(Setting::SwitchInterval, "5ms").unwrap(),
            5000
        );
        assert_eq!(
            parse_interval_us(Setting::SwitchInterval, "0.5ms").unwrap(),
            500
        );
        assert_eq!(
            parse_interval_us(Setting::SwitchInterval, "200us").unwrap(),
            200
        );
        assert_eq!(
            parse_interval_us(Setting::SwitchInterval, "2").unwrap(),
            2000
        );
        for bad in ["0ms", "5 parsecs", "-1ms", "2s", "fast"] {
            assert!(
                parse_interval_us(Setting::SwitchInterval, bad).is_err(),
                "{bad}"
            );
        }
    }
}
