//! The example files a lesson runs (`examples/*.py`), compiled into the
//! binary: a lesson that names `examples/NAME.py:FUNCTION` runs the copy
//! written out to corescope's cache folder
//! (`${XDG_CACHE_HOME:-~/.cache}/corescope/examples/`), so it runs the
//! same wherever corescope was started from and whether or not a checkout
//! is at hand. A copy that differs from the compiled-in text is written
//! again.

use std::path::{Path, PathBuf};

use crate::settings::Setting;
use crate::spec::RawExperiment;

/// The examples, by file name.
const EXAMPLES: [(&str, &str); 6] = [
    (
        "pure_python.py",
        include_str!("../../examples/pure_python.py"),
    ),
    ("hashing.py", include_str!("../../examples/hashing.py")),
    ("compress.py", include_str!("../../examples/compress.py")),
    (
        "json_roundtrip.py",
        include_str!("../../examples/json_roundtrip.py"),
    ),
    (
        "async_fetch.py",
        include_str!("../../examples/async_fetch.py"),
    ),
    (
        "shared_counter.py",
        include_str!("../../examples/shared_counter.py"),
    ),
];

/// The folder examples are named from in a preset.
const PREFIX: &str = "examples/";

/// Points `raw`'s `--code` at the written-out copy of the example it
/// names; leaves it as it is when it names no bundled example or the copy
/// cannot be written (validation then says the file is missing).
pub fn place(raw: &mut RawExperiment) {
    let Some(text) = raw.get(Setting::Code) else {
        return;
    };
    let Some((file, function)) = text.trim().rsplit_once(':') else {
        return;
    };
    let Some(name) = file.strip_prefix(PREFIX) else {
        return;
    };
    let Some(folder) = crate::python::cache_folder().map(|c| c.join("examples")) else {
        return;
    };
    if let Some(path) = written(&folder, name) {
        let code = format!("{}:{function}", path.display());
        raw.set(Setting::Code, Some(code));
    }
}

/// Example `name` written to `folder` (unless already there as compiled
/// in); `None` for a name that is no example, or a folder not writable.
fn written(folder: &Path, name: &str) -> Option<PathBuf> {
    let (_, source) = EXAMPLES.iter().find(|(file, _)| *file == name)?;
    let path = folder.join(name);
    if std::fs::read(&path).is_ok_and(|had| had == source.as_bytes()) {
        return Some(path);
    }
    std::fs::create_dir_all(folder).ok()?;
    // Written beside and renamed into place: a lesson started meanwhile
    // never imports half a file.
    let partial = folder.join(format!(".{name}.{}", std::process::id()));
    std::fs::write(&partial, source).ok()?;
    match std::fs::rename(&partial, &path) {
        Ok(()) => Some(path),
        Err(_) => {
            let _ = std::fs::remove_file(&partial);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_example_is_written_once_and_rewritten_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path(), "hashing.py").unwrap();
        assert_eq!(path, dir.path().join("hashing.py"));
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(source.contains("def digest(i)"));
        std::fs::write(&path, "edited").unwrap();
        written(dir.path(), "hashing.py").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), source);
        assert!(written(dir.path(), "other.py").is_none());
        // Nothing but the example is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn every_example_of_the_checkout_is_compiled_in() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".py"))
            .collect();
        files.sort();
        let mut compiled: Vec<&str> = EXAMPLES.iter().map(|(n, _)| *n).collect();
        compiled.sort();
        assert_eq!(files, compiled);
    }
}
