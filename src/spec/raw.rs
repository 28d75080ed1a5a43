//! The experiment as typed: [`RawExperiment`] holds each setting's text
//! (the command line's, the form's, a lesson's) keyed by its [`Setting`],
//! and reads it back as a value of the kind the setting's descriptor gives
//! ([`ValueKind`]), within its bounds, or its fallback when absent.
//!
//! Nothing here names a particular setting: a new one is held, saved,
//! loaded and checked without a change. What each value becomes is read by
//! [`super::experiment`]; the rules between settings are [`super::validate`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::settings::{Setting, ValueKind};

use super::parse::*;

/// An experiment as typed by a person: every value still text, every
/// value not given absent. Shared by the command line, the GUI form and
/// lesson presets.
///
/// Saved (lesson files) as an object of texts named by each setting's flag
/// with underscores (`"io_percent": "50"`), the fields it had when it was a
/// struct; a key that names no setting is ignored, and `null` is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "BTreeMap<String, Option<String>>",
    into = "BTreeMap<String, String>"
)]
pub struct RawExperiment {
    texts: BTreeMap<Setting, String>,
}

/// A setting's key in a saved experiment: its flag, `_` for `-`.
fn key_of(setting: Setting) -> String {
    setting.flag().trim_start_matches('-').replace('-', "_")
}

impl From<BTreeMap<String, Option<String>>> for RawExperiment {
    fn from(saved: BTreeMap<String, Option<String>>) -> Self {
        let mut raw = RawExperiment::default();
        for (key, text) in saved {
            let key = key.replace('-', "_");
            if let Some(setting) = Setting::ALL.into_iter().find(|&s| key_of(s) == key) {
                raw.set(setting, text);
            }
        }
        raw
    }
}

impl From<RawExperiment> for BTreeMap<String, String> {
    fn from(raw: RawExperiment) -> Self {
        raw.texts
            .into_iter()
            .map(|(setting, text)| (key_of(setting), text))
            .collect()
    }
}

impl RawExperiment {
    /// An experiment of these settings' texts, the others absent.
    pub fn of<T: Into<String>>(texts: impl IntoIterator<Item = (Setting, T)>) -> Self {
        texts
            .into_iter()
            .fold(RawExperiment::default(), |raw, (s, t)| raw.with(s, t))
    }

    /// This experiment with `setting`'s text replaced.
    #[must_use]
    pub fn with(mut self, setting: Setting, text: impl Into<String>) -> Self {
        self.set(setting, Some(text.into()));
        self
    }

    /// The text given for `setting`; blank counts as absent.
    pub fn get(&self, setting: Setting) -> Option<&str> {
        self.texts
            .get(&setting)
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }

    /// Sets the text for `setting` (`None`: absent); the machine's
    /// settings (interpreter, hostfile) are no experiment's and are left
    /// alone.
    pub fn set(&mut self, setting: Setting, text: Option<String>) {
        if setting.is_machine() {
            return;
        }
        match text {
            Some(text) => self.texts.insert(setting, text),
            None => self.texts.remove(&setting),
        };
    }

    /// The settings given, with their texts.
    pub fn given(&self) -> impl Iterator<Item = (Setting, &str)> + '_ {
        self.texts
            .keys()
            .filter_map(|&s| self.get(s).map(|text| (s, text)))
    }

    /// A count setting's value, or its fallback (`None` where it has
    /// none), within its descriptor's bounds.
    pub fn count(&self, setting: Setting) -> Result<Option<u64>, SpecError> {
        parse_setting_count(setting, self.get(setting))
    }

    /// A count setting that has a fallback (so always a value), as `u32`.
    pub fn count_u32(&self, setting: Setting) -> Result<u32, SpecError> {
        let value = self.count(setting)?.unwrap_or_default();
        u32::try_from(value).map_err(|_| SpecError::new(setting, format!("{value} is too large")))
    }

    /// A choice setting's one name, or its fallback.
    pub fn choice<T>(&self, setting: Setting) -> Result<T, SpecError>
    where
        T: std::str::FromStr<Err = String>,
    {
        parse_choice(setting, self.get(setting))
    }

    /// A choice setting's names, each once, or its fallback.
    pub fn choices<T>(&self, setting: Setting) -> Result<Vec<T>, SpecError>
    where
        T: std::str::FromStr<Err = String> + PartialEq,
    {
        let text = self.get(setting).or(setting.default_text());
        parse_list(setting, text.unwrap_or_default())
    }

    /// An interval setting's value in microseconds, or its fallback.
    pub fn interval_us(&self, setting: Setting) -> Result<u32, SpecError> {
        parse_setting_interval(setting, self.get(setting))
    }

    /// A duration setting's value; absent is none.
    pub fn duration(&self, setting: Setting) -> Result<Option<Duration>, SpecError> {
        parse_duration(setting, self.get(setting))
    }

    /// Every text given parsed as its setting's kind of value, so a typo
    /// is refused even in a setting the experiment does not read.
    pub(super) fn check_every(&self) -> Result<(), SpecError> {
        for (setting, text) in self.given() {
            match setting.info().kind {
                ValueKind::Count { .. } => self.count(setting).map(drop)?,
                ValueKind::Interval { .. } => self.interval_us(setting).map(drop)?,
                ValueKind::Duration => self.duration(setting).map(drop)?,
                ValueKind::Bytes { .. } => parse_payloads(text).map(drop)?,
                ValueKind::Workers { .. } => parse_workers(text).map(drop)?,
                ValueKind::Choice { names, .. } => check_names(setting, text, &names())?,
                ValueKind::Workloads => {
                    parse_list::<crate::workload::Workload>(setting, text).map(drop)?
                }
                ValueKind::Models => parse_models(text).map(drop)?,
                ValueKind::Path => {}
                ValueKind::Code => parse_code(setting, text).map(drop)?,
                ValueKind::Command => parse_command(setting, text).map(drop)?,
            }
        }
        Ok(())
    }
}

/// Each comma-separated part of `text` one of `names`.
fn check_names(setting: Setting, text: &str, names: &[&str]) -> Result<(), SpecError> {
    for part in text.split(',').map(str::trim) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(part)) {
            return Err(SpecError::new(
                setting,
                format!("unknown value '{part}'; expected {}", names.join(", ")),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Three models on sqrt-sum, a queue, three repetitions after one
    /// warm-up: what the spec tests vary.
    pub(crate) fn raw() -> RawExperiment {
        RawExperiment::of([
            (Setting::Workload, "sqrt-sum"),
            (Setting::Models, "serial,threads,processes"),
            (Setting::Schedule, "queue"),
            (Setting::Repeats, "3"),
            (Setting::Warmup, "1"),
        ])
    }

    #[test]
    fn saved_experiments_read_by_their_old_field_names() {
        let saved = r#"{"workload": "mixed", "io_percent": "20", "workers": null,
                        "runtime-threads": "2", "python": "python9", "colour": "red"}"#;
        let raw: RawExperiment = serde_json::from_str(saved).unwrap();
        assert_eq!(
            raw,
            RawExperiment::of([
                (Setting::Workload, "mixed"),
                (Setting::IoPercent, "20"),
                (Setting::RuntimeThreads, "2"),
            ])
        );
        let json = serde_json::to_string(&raw).unwrap();
        assert_eq!(
            json,
            r#"{"io_percent":"20","runtime_threads":"2","workload":"mixed"}"#
        );
        assert_eq!(serde_json::from_str::<RawExperiment>(&json).unwrap(), raw);
    }

    #[test]
    fn blank_is_absent_and_the_machine_is_no_experiments() {
        let mut r = raw()
            .with(Setting::Size, "  ")
            .with(Setting::Python, "python9");
        assert_eq!(r.get(Setting::Size), None);
        assert_eq!(r.get(Setting::Python), None);
        assert_eq!(r.count(Setting::Repeats), Ok(Some(3)));
        r.set(Setting::Repeats, None);
        assert_eq!(r.get(Setting::Repeats), None);
    }
}
