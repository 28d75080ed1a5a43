//! `--code FILE.py:FUNCTION`: a Python function of the user's as the
//! workload. Task i calls `FUNCTION(i)`, or `FUNCTION(x)` for the i-th `x`
//! of an `inputs()` function in the same file; only the CPython models run
//! it (the harness imports the file in every process that calls it).
//!
//! A [`CodeTarget`] names the file and the function. Runs are small `Copy`
//! values, so a run holds a [`CodeRef`]: the target interned once per
//! process (a handful per experiment, never freed), compared and written
//! to files by value.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest `--code` text taken (a path and a function name).
pub const MAX_CODE_TEXT: usize = 4096;

/// A Python file and the name of one of its functions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeTarget {
    /// The file, as given (relative paths from where corescope started).
    pub file: PathBuf,
    /// The function each task calls.
    pub function: String,
}

impl CodeTarget {
    /// `FILE:FUNCTION` as typed: split at the last colon, the function a
    /// Python identifier. Says what is wrong otherwise.
    pub fn parse(text: &str) -> Result<CodeTarget, String> {
        let text = text.trim();
        if text.len() > MAX_CODE_TEXT {
            return Err(format!("longer than {MAX_CODE_TEXT} characters"));
        }
        let Some((file, function)) = text.rsplit_once(':') else {
            return Err(format!(
                "'{text}' names no function; expected FILE.py:FUNCTION"
            ));
        };
        let function = function.trim();
        if file.trim().is_empty() {
            return Err(format!("'{text}' names no file; expected FILE.py:FUNCTION"));
        }
        if !is_identifier(function) {
            return Err(format!(
                "'{function}' is not a Python function name; expected FILE.py:FUNCTION"
            ));
        }
        Ok(CodeTarget {
            file: PathBuf::from(file.trim()),
            function: function.to_string(),
        })
    }

    /// `FILE:FUNCTION`, as typed.
    pub fn text(&self) -> String {
        format!("{}:{}", self.file.display(), self.function)
    }
}

/// A Python identifier, ASCII or not (what `str.isidentifier` accepts,
/// near enough: a letter or `_`, then letters, digits or `_`).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// A [`CodeTarget`] interned for the life of the process: `Copy`, so the
/// runs that hold it stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeRef(&'static CodeTarget);

impl CodeRef {
    /// The one interned copy of `target`.
    pub fn intern(target: CodeTarget) -> CodeRef {
        static KNOWN: OnceLock<Mutex<HashSet<&'static CodeTarget>>> = OnceLock::new();
        let known = KNOWN.get_or_init(Mutex::default);
        let mut known = match known.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(&found) = known.get(&target) {
            return CodeRef(found);
        }
        let leaked: &'static CodeTarget = Box::leak(Box::new(target));
        known.insert(leaked);
        CodeRef(leaked)
    }

    /// The file and function.
    pub fn target(self) -> &'static CodeTarget {
        self.0
    }
}

impl std::fmt::Debug for CodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for CodeRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CodeRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        CodeTarget::deserialize(deserializer).map(CodeRef::intern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_at_the_last_colon() {
        let t = CodeTarget::parse(" examples/hashing.py:digest ").unwrap();
        assert_eq!(t.file, PathBuf::from("examples/hashing.py"));
        assert_eq!(t.function, "digest");
        assert_eq!(t.text(), "examples/hashing.py:digest");
        let windows = CodeTarget::parse("C:/work/a.py:run").unwrap();
        assert_eq!(windows.file, PathBuf::from("C:/work/a.py"));
        for bad in ["a.py", "a.py:", ":f", "a.py:2f", "a.py:f-g"] {
            assert!(CodeTarget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn interned_targets_are_one_copy_and_round_trip() {
        let a = CodeRef::intern(CodeTarget::parse("x.py:f").unwrap());
        let b = CodeRef::intern(CodeTarget::parse("x.py:f").unwrap());
        assert!(std::ptr::eq(a.target(), b.target()));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"file":"x.py","function":"f"}"#);
        assert_eq!(serde_json::from_str::<CodeRef>(&json).unwrap(), a);
    }
}
