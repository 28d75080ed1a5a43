//! Reading files that corescope did not just write, as untrusted input.
//!
//! A result set chosen by the user, the data folder's `results.json` and
//! `recent.json`, the window's `app.ron`: any of them may have been edited,
//! truncated, swapped for a FIFO, a device or a link to `/dev/zero`. Each is
//! read here, before anything is sized from it: only a regular file, opened
//! without blocking (a FIFO swapped in after the check still returns at
//! once), and never more than the caller's cap, however the file grows
//! while it is read. A file that cannot be used is moved aside under a name
//! that no earlier copy holds, so nothing is lost and no backup is
//! overwritten.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Copies kept aside of one file at most; past that the oldest name is
/// reported as taken rather than a new one made without end.
const MAX_ASIDE: u32 = 1000;

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is {}, not a regular file",
            crate::platform::file_kind(meta.file_type())
        ),
    )
}

fn too_large(cap: u64) -> io::Error {
    let size = if cap >= 1 << 20 {
        format!("{} MiB", cap >> 20)
    } else {
        format!("{} KiB", cap.div_ceil(1 << 10))
    };
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("it is larger than {size}"),
    )
}

/// Reads a regular file of at most `cap` bytes (links followed). The type
/// is checked before opening and again on the opened file: a FIFO, a
/// device, a socket or a folder is refused, never read from.
pub fn read_regular(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a FIFO since the check, the open still returns at once.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > cap {
        return Err(too_large(cap));
    }
    // Sized once from the file: growing by doubling would hold up to twice
    // a large file's size while it is read.
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(meta.len() as usize + 1)?;
    // The size may change while reading: the cap holds regardless.
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(cap));
    }
    Ok(bytes)
}

/// Whether `path` is there at all (a dangling link counts): what a move
/// aside must not replace.
fn taken(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Moves `path` (whatever it is: a file, a FIFO, a link) to
/// `NAME.unreadable`, or `NAME.unreadable.2`, `.3`, … where that is taken,
/// never replacing anything; returns where it went.
pub fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 1..=MAX_ASIDE {
        let aside = match n {
            1 => path.with_file_name(format!("{name}.unreadable")),
            _ => path.with_file_name(format!("{name}.unreadable.{n}")),
        };
        if taken(&aside) {
            continue;
        }
        match rename_no_replace(path, &aside) {
            Ok(()) => return Ok(aside),
            // Taken since the look: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{MAX_ASIDE} copies of {name} are kept aside already; remove some"
    )))
}

/// A rename that fails rather than replace what is at `to`.
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            // File systems without the flag: fall through to the link.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    // A hard link fails where `to` exists; then the old name goes.
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::process::Command;

    #[test]
    fn only_a_regular_file_within_the_cap_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_regular(&file, 10).unwrap(), b"0123456789");
        let err = read_regular(&file, 9).unwrap_err().to_string();
        assert!(err.contains("larger than 1 KiB"), "{err}");
        let fifo = dir.path().join("fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = read_regular(&fifo, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("FIFO"), "{err}");
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_regular(&zero, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        assert!(read_regular(dir.path(), 1 << 20).is_err());
    }

    #[test]
    fn moving_aside_never_replaces_an_earlier_copy() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("results.json");
        let mut asides = Vec::new();
        for text in ["first", "second", "third"] {
            fs::write(&file, text).unwrap();
            asides.push(move_aside(&file).unwrap());
        }
        assert!(!file.exists());
        let names: Vec<String> = asides
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "results.json.unreadable",
                "results.json.unreadable.2",
                "results.json.unreadable.3"
            ]
        );
        for (aside, text) in asides.iter().zip(["first", "second", "third"]) {
            assert_eq!(fs::read_to_string(aside).unwrap(), text);
        }
        // A FIFO is moved as it is, not read.
        assert!(
            Command::new("mkfifo")
                .arg(&file)
                .status()
                .unwrap()
                .success()
        );
        let aside = move_aside(&file).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::symlink_metadata(&aside).unwrap().file_type().is_fifo());
    }
}
