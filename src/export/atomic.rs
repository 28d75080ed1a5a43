//! Writing files so that nothing is lost and nothing else is broken.
//!
//! A destination is resolved first: symbolic links are followed to their
//! target (the link stays a link), and anything there that is not a
//! regular file — a folder, a device, a FIFO, a socket — is refused before
//! anything is written, so `--export-json /dev/null` never replaces a
//! device. A link in a shared sticky folder (`/tmp`) is followed only when
//! its owner is the writer or the folder's owner, as the kernel's
//! `protected_symlinks` would decide: corescope resolves links itself, so
//! that setting never applies to it. Inside a report folder that exists
//! already, no link is followed at all: its files and `runs/` folders are
//! corescope's own, and a link among them could only lead outside. The
//! bytes go to a temporary file in the target's folder, which then
//! replaces the target in one rename, both by descriptor in the folder
//! held open (`held_folder.rs`): a failed or interrupted export never
//! leaves half a file, and a folder swapped for a link meanwhile never
//! sends it elsewhere. A replaced file keeps its permissions (and,
//! where allowed, its owner); a new file gets the umask's.
//!
//! Every temporary file or folder is named `.corescope-tmp-PID-…`, so one
//! left behind by a killed process (which runs no clean-up) is recognised
//! and swept by [`sweep_stale`] the next time corescope writes there.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::ExportError;
#[cfg(unix)]
use super::held_folder::HeldFolder;

/// How every temporary file and folder corescope makes begins.
pub const TEMP_PREFIX: &str = ".corescope-tmp-";

/// Symbolic links followed at most, like the kernel's own limit.
const MAX_LINKS: usize = 40;

/// The prefix of this process's temporary files: `.corescope-tmp-PID-`.
pub fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

pub(super) fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What `path` names once symbolic links are followed: the last link's
/// target, even when that does not exist yet (it will be created). A link
/// another user planted in a shared sticky folder is refused
/// ([`may_follow`]).
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                may_follow(&current, &meta)?;
                let target = fs::read_link(&current)
                    .map_err(|e| format!("cannot read the link {}: {e}", current.display()))?;
                current = if target.is_absolute() {
                    target
                } else {
                    folder_of(&current).join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(format!("more than {MAX_LINKS} symbolic links"))
}

/// Whether the link at `link` may be followed: anywhere but in a sticky
/// folder that others may write to, always; there, only a link owned by
/// the writer or by the folder's owner (the kernel's `protected_symlinks`
/// rule). Otherwise another user could point an export of root's at a
/// file only root may write.
#[cfg(unix)]
fn may_follow(link: &Path, link_meta: &fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    const STICKY: u32 = 0o1000;
    const OTHERS_WRITE: u32 = 0o002;
    let folder = folder_of(link);
    let Ok(dir) = fs::metadata(&folder) else {
        return Ok(());
    };
    let shared = dir.mode() & STICKY != 0 && dir.mode() & OTHERS_WRITE != 0;
    let writer = rustix::process::geteuid().as_raw();
    if !shared || link_meta.uid() == writer || link_meta.uid() == dir.uid() {
        return Ok(());
    }
    Err(format!(
        "{} is a symbolic link that another user (uid {}) owns in the shared folder {}; \
         corescope does not follow it",
        link.display(),
        link_meta.uid(),
        folder.display()
    ))
}

#[cfg(not(unix))]
fn may_follow(_link: &Path, _link_meta: &fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// Refuses an entry of an existing report folder that is a symbolic link:
/// a report is written into the folder itself, never through a link
/// inside it.
fn not_a_link(path: &Path) -> Result<(), String> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(format!(
            "{} is a symbolic link; corescope writes a report's files only \
             inside its folder, never through a link",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// The regular file at `target` (links already followed) that a write
/// would replace, `None` where there is nothing yet, or why it must not be
/// replaced.
fn replaceable(target: &Path) -> Result<Option<fs::Metadata>, String> {
    // Not followed: `target` is already resolved, so a link here now was
    // put in its place since, and is refused.
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            Err("it became a symbolic link while corescope was writing; nothing was written".into())
        }
        Ok(meta) if meta.is_file() => Ok(Some(meta)),
        Ok(meta) => Err(format!(
            "it is {}; corescope only writes regular files",
            crate::platform::file_kind(meta.file_type())
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Checks that `path` can be created or replaced, without touching it: it
/// is a regular file or nothing yet (links followed), its folder exists and
/// is writable, and a file of its name's length can be made there. What
/// killed corescope processes left in that folder is swept on the way
/// ([`sweep_stale`]): every front end checks before it writes.
pub fn check_writable(path: &Path) -> Result<(), ExportError> {
    let unwritable = |reason: String| ExportError::Unwritable {
        path: path.display().to_string(),
        reason,
    };
    if path.as_os_str().is_empty() {
        return Err(unwritable("the path is empty".to_string()));
    }
    // `dir/new/` names a folder: Rust's Path forgets the slash, the rename
    // after the run would not.
    if path.as_os_str().as_encoded_bytes().ends_with(b"/") {
        return Err(unwritable(
            "it ends in '/', which names a folder; give a file name".to_string(),
        ));
    }
    let target = resolve(path).map_err(unwritable)?;
    replaceable(&target).map_err(unwritable)?;
    let folder = folder_of(&target);
    if !folder.is_dir() {
        return Err(unwritable(format!(
            "the folder {} does not exist",
            folder.display()
        )));
    }
    sweep_stale(&folder);
    let name_len = target.file_name().map_or(0, |n| n.len());
    // Creating (and at once deleting) a file with a name as long as the
    // destination's is the only check that answers for permissions,
    // read-only mounts, quotas and name limits alike.
    let prefix = temp_prefix();
    tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(name_len.saturating_sub(prefix.len()).max(6))
        .tempfile_in(&folder)
        .map(drop)
        .map_err(|e| {
            unwritable(format!(
                "cannot create a file with a {name_len}-byte name in {} ({e})",
                folder.display()
            ))
        })
}

/// Writes a file atomically: `fill` writes into a temporary file in the
/// target's folder, which then replaces the target (see the module docs).
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    check_writable(path)?;
    let target = resolve(path).map_err(|reason| ExportError::Unwritable {
        path: path.display().to_string(),
        reason,
    })?;
    let existing = replaceable(&target).map_err(|reason| ExportError::Unwritable {
        path: path.display().to_string(),
        reason,
    })?;
    write_into(path, &target, existing.as_ref(), fill)
}

/// Writes the file at `target` (`path` resolved and checked): into a
/// temporary file in its folder, held open ([`HeldFolder`]), renamed onto
/// its name there.
#[cfg(unix)]
fn write_into(
    path: &Path,
    target: &Path,
    existing: Option<&fs::Metadata>,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    use std::os::unix::fs::PermissionsExt;
    let io_error = |source: io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let name = target
        .file_name()
        .ok_or_else(|| io_error(io::Error::other("the path names no file")))?;
    let folder = HeldFolder::open(&folder_of(target)).map_err(io_error)?;
    // Created with the file's mode, or 0666, less the umask.
    let mode = existing.map_or(0o666, |m| m.permissions().mode());
    let mut temp = folder.temp(&temp_prefix(), mode).map_err(io_error)?;
    {
        let mut writer = io::BufWriter::new(&mut temp.file);
        fill(&mut writer)?;
        writer.flush().map_err(io_error)?;
    }
    if let Some(meta) = existing {
        keep_owner_and_mode(&temp.file, meta).map_err(io_error)?;
    }
    temp.file.sync_all().map_err(io_error)?;
    temp.persist(name).map_err(io_error)
}

#[cfg(not(unix))]
fn write_into(
    path: &Path,
    target: &Path,
    existing: Option<&fs::Metadata>,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let io_error = |source: io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix())
        .tempfile_in(folder_of(target))
        .map_err(io_error)?;
    {
        let mut writer = io::BufWriter::new(temp.as_file_mut());
        fill(&mut writer)?;
        writer.flush().map_err(io_error)?;
    }
    if let Some(meta) = existing {
        keep_owner_and_mode(temp.as_file(), meta).map_err(io_error)?;
    }
    temp.as_file().sync_all().map_err(io_error)?;
    temp.persist(target).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// Gives the replacement of an existing file that file's exact mode (the
/// umask may have narrowed it) and, where allowed, its owner.
fn keep_owner_and_mode(file: &fs::File, existing: &fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // Only root may give a file away; for anyone else the owner is
        // already the writer, so a failure here changes nothing.
        let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
        file.set_permissions(fs::Permissions::from_mode(existing.mode() & 0o7777))?;
    }
    #[cfg(not(unix))]
    file.set_permissions(existing.permissions())?;
    Ok(())
}

/// Writes a folder whole: `fill` writes into a temporary folder beside
/// `folder` and returns the files it wrote there; then the temporary folder
/// becomes `folder` in one rename, or, where `folder` exists already, each
/// file replaces its namesake in it (files of other names stay). Where
/// `fill` fails, or a destination is refused (a device, a FIFO, a folder
/// where a file goes), the temporary folder is removed and `folder` is as
/// it was. Returns the written files at their final paths.
pub fn write_folder_atomic(
    folder: &Path,
    fill: impl FnOnce(&Path) -> Result<Vec<PathBuf>, ExportError>,
) -> Result<Vec<PathBuf>, ExportError> {
    let unwritable = |reason: String| ExportError::Unwritable {
        path: folder.display().to_string(),
        reason,
    };
    let io_error = |source: io::Error| ExportError::Io {
        path: folder.display().to_string(),
        source,
    };
    if folder.as_os_str().is_empty() {
        return Err(unwritable("the path is empty".to_string()));
    }
    let target = resolve(folder).map_err(unwritable)?;
    let exists = match fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => true,
        Ok(meta) => {
            return Err(unwritable(format!(
                "it is {}, not a folder",
                crate::platform::file_kind(meta.file_type())
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_error(e)),
    };
    let parent = folder_of(&target);
    fs::create_dir_all(&parent).map_err(io_error)?;
    sweep_stale(&parent);
    let prefix = temp_prefix();
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new report folder gets the umask's mode, like any folder.
        builder.permissions(fs::Permissions::from_mode(0o777));
    }
    let staging = builder.tempdir_in(&parent).map_err(io_error)?;
    let staged = staging.path().to_path_buf();
    let written = fill(&staged)?;
    if exists {
        plan_merge(&staged, &target).map_err(unwritable)?;
        merge(&staged, &target).map_err(io_error)?;
    } else {
        fs::rename(&staged, &target).map_err(io_error)?;
        // Renamed away: nothing is left to remove.
        let _ = staging.keep();
    }
    Ok(written
        .into_iter()
        .map(|path| match path.strip_prefix(&staged) {
            Ok(inside) => folder.join(inside),
            Err(_) => path,
        })
        .collect())
}

/// Checks, before anything moves, that every file in `from` may replace
/// its namesake under `into` and every folder may merge into its namesake.
fn plan_merge(from: &Path, into: &Path) -> Result<(), String> {
    let entries = fs::read_dir(from).map_err(|e| e.to_string())?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let dest = into.join(entry.file_name());
        not_a_link(&dest)?;
        let is_dir = entry.file_type().map_err(|e| e.to_string())?.is_dir();
        match (is_dir, fs::symlink_metadata(&dest)) {
            (_, Err(e)) if e.kind() == io::ErrorKind::NotFound => {}
            (true, Ok(meta)) if meta.is_dir() => plan_merge(&entry.path(), &dest)?,
            (true, Ok(meta)) => {
                return Err(format!(
                    "{} is {}, not a folder",
                    dest.display(),
                    crate::platform::file_kind(meta.file_type())
                ));
            }
            (false, _) => {
                replaceable(&dest).map_err(|why| format!("{}: {why}", dest.display()))?;
            }
            (true, Err(e)) => return Err(format!("{}: {e}", dest.display())),
        }
    }
    Ok(())
}

/// Moves every entry of `from` into `into` ([`plan_merge`] said it may):
/// folders new there in one rename, files each replacing its namesake and
/// keeping that file's mode and owner.
fn merge(from: &Path, into: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = into.join(entry.file_name());
        // Checked again: a link put in since the plan is not followed.
        not_a_link(&dest).map_err(io::Error::other)?;
        let existing = fs::symlink_metadata(&dest).ok();
        match existing {
            Some(meta) if meta.is_dir() => merge(&entry.path(), &dest)?,
            Some(meta) if meta.is_file() => {
                let file = fs::File::open(entry.path())?;
                keep_owner_and_mode(&file, &meta)?;
                fs::rename(entry.path(), &dest)?;
            }
            _ => fs::rename(entry.path(), &dest)?,
        }
    }
    Ok(())
}

/// Removes the temporary files and folders that killed corescope processes
/// left in `folder` (named [`TEMP_PREFIX`]`PID-…` by a process that no
/// longer exists); returns how many. Best effort: what cannot be read or
/// removed stays.
pub fn sweep_stale(folder: &Path) -> usize {
    let Ok(entries) = fs::read_dir(folder) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || crate::platform::process_exists(pid) {
            continue;
        }
        let path = entry.path();
        let gone = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
        if gone.is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    fn write_text(path: &Path, text: &str) -> Result<(), ExportError> {
        write_atomic(path, |w| {
            w.write_all(text.as_bytes()).map_err(|e| ExportError::Io {
                path: String::new(),
                source: e,
            })
        })
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn umask() -> u32 {
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line.split_whitespace().nth(1).unwrap(), 8).unwrap()
    }

    #[test]
    fn a_symlink_is_followed_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_text(&link, "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        // A dangling link: its target is created.
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink("made.json", &dangling).unwrap();
        write_text(&dangling, "made").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("made.json")).unwrap(),
            "made"
        );
        assert_eq!(
            names(dir.path()),
            ["dangling.json", "link.json", "made.json", "real.json"]
        );
    }

    #[test]
    fn a_fifo_and_a_folder_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = write_text(&fifo, "x").unwrap_err().to_string();
        assert!(err.contains("FIFO"), "{err}");
        assert!(
            check_writable(dir.path())
                .unwrap_err()
                .to_string()
                .contains("folder")
        );
        assert_eq!(names(dir.path()), ["pipe"]);
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.csv");
        fs::write(&old, "a").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o640)).unwrap();
        write_text(&old, "b").unwrap();
        assert_eq!(mode(&old), 0o640);
        let new = dir.path().join("new.csv");
        write_text(&new, "c").unwrap();
        assert_eq!(mode(&new), 0o666 & !umask());
    }

    #[test]
    fn a_name_too_long_is_found_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join(format!("{}.json", "n".repeat(300)));
        let err = check_writable(&long).unwrap_err().to_string();
        assert!(err.contains("too long"), "{err}");
        // The longest name the file system takes still passes.
        assert!(check_writable(&dir.path().join("n".repeat(255))).is_ok());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn the_sweep_removes_what_dead_processes_left_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        fs::write(dir.path().join(format!("{TEMP_PREFIX}{dead}-abc")), "x").unwrap();
        fs::create_dir(dir.path().join(format!("{TEMP_PREFIX}{dead}-dir"))).unwrap();
        let mine = format!("{}mine", temp_prefix());
        fs::write(dir.path().join(&mine), "x").unwrap();
        fs::write(dir.path().join(".corescope-tmp-notapid"), "x").unwrap();
        fs::write(dir.path().join("results.json"), "x").unwrap();
        assert_eq!(sweep_stale(dir.path()), 2);
        let mut expected = vec![
            ".corescope-tmp-notapid".to_string(),
            mine,
            "results.json".into(),
        ];
        expected.sort();
        assert_eq!(names(dir.path()), expected);
    }

    #[test]
    fn a_folder_that_fails_part_way_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        let result = write_folder_atomic(&out, |staged| {
            write_text(&staged.join("chart.svg"), "<svg/>")?;
            Err(ExportError::Render {
                reason: "disk full, say".into(),
            })
        });
        assert!(result.is_err());
        assert!(names(dir.path()).is_empty());
        let written = write_folder_atomic(&out, |staged| {
            write_text(&staged.join("chart.svg"), "<svg/>")?;
            Ok(vec![staged.join("chart.svg")])
        })
        .unwrap();
        assert_eq!(written, [out.join("chart.svg")]);
        assert_eq!(names(dir.path()), ["report"]);
        assert_eq!(mode(&out), 0o777 & !umask());
    }

    #[test]
    fn an_existing_folder_keeps_its_other_files_and_refuses_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        fs::create_dir_all(out.join("runs")).unwrap();
        fs::write(out.join("results.json"), "mine").unwrap();
        fs::write(out.join("chart.svg"), "old").unwrap();
        fs::write(out.join("runs/notes.txt"), "mine").unwrap();
        let fill = |staged: &Path| {
            fs::create_dir_all(staged.join("runs/01")).unwrap();
            write_text(&staged.join("chart.svg"), "new")?;
            write_text(&staged.join("runs/01/cpu.svg"), "cpu")?;
            Ok(vec![])
        };
        write_folder_atomic(&out, fill).unwrap();
        assert_eq!(fs::read_to_string(out.join("chart.svg")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(out.join("results.json")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_to_string(out.join("runs/notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            fs::read_to_string(out.join("runs/01/cpu.svg")).unwrap(),
            "cpu"
        );
        // A FIFO where a file goes: refused before anything moves.
        fs::remove_file(out.join("chart.svg")).unwrap();
        assert!(
            Command::new("mkfifo")
                .arg(out.join("chart.svg"))
                .status()
                .unwrap()
                .success()
        );
        fs::write(out.join("runs/01/cpu.svg"), "kept").unwrap();
        let err = write_folder_atomic(&out, fill).unwrap_err().to_string();
        assert!(err.contains("FIFO"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("runs/01/cpu.svg")).unwrap(),
            "kept"
        );
        assert_eq!(names(dir.path()), ["report"]);
    }

    #[test]
    fn a_link_another_user_planted_in_a_sticky_folder_is_not_followed() {
        use crate::require::{Part, is_root, require_that};
        // Giving a link to another user takes root; CI runs as root.
        if !require_that(Part::Root, is_root(), "giving a link away needs root") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("tmp");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
        let secret = dir.path().join("secret");
        fs::write(&secret, "root only").unwrap();
        fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();
        let link = shared.join("export.json");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();

        let err = write_text(&link, "planted").unwrap_err().to_string();
        assert!(err.contains("another user (uid 65534)"), "{err}");
        assert!(check_writable(&link).is_err());
        assert_eq!(fs::read_to_string(&secret).unwrap(), "root only");
        assert_eq!(mode(&secret), 0o600);

        // The writer's own link in the same folder is followed as before.
        std::os::unix::fs::lchown(&link, Some(0), Some(0)).unwrap();
        write_text(&link, "mine").unwrap();
        assert_eq!(fs::read_to_string(&secret).unwrap(), "mine");
    }

    #[test]
    fn a_link_swapped_in_while_writing_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, "untouched").unwrap();
        let export = dir.path().join("export.json");
        fs::write(&export, "old").unwrap();
        write_atomic(&export, |w| {
            fs::remove_file(&export).unwrap();
            std::os::unix::fs::symlink(&outside, &export).unwrap();
            w.write_all(b"new").map_err(|e| ExportError::Io {
                path: String::new(),
                source: e,
            })
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "untouched");
        let meta = fs::symlink_metadata(&export).unwrap();
        assert!(meta.is_file(), "the link itself was replaced");
        assert_eq!(fs::read_to_string(&export).unwrap(), "new");
    }

    #[test]
    fn a_folder_swapped_for_a_link_while_writing_does_not_send_the_file_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let moved = dir.path().join("out.checked");
        let export = out.join("export.json");
        write_atomic(&export, |w| {
            // The folder that was checked goes aside; a link to another
            // takes its name.
            fs::rename(&out, &moved).unwrap();
            std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
            w.write_all(b"new").map_err(|e| ExportError::Io {
                path: String::new(),
                source: e,
            })
        })
        .unwrap();
        assert!(names(&elsewhere).is_empty(), "{:?}", names(&elsewhere));
        assert_eq!(names(&moved), ["export.json"]);
        assert_eq!(
            fs::read_to_string(moved.join("export.json")).unwrap(),
            "new"
        );
    }

    #[test]
    fn a_report_folder_is_never_written_through_a_link_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        fs::create_dir(&out).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("notes.md"), "mine").unwrap();
        std::os::unix::fs::symlink(elsewhere.join("notes.md"), out.join("report.md")).unwrap();
        let fill = |staged: &Path| {
            write_text(&staged.join("report.md"), "# report")?;
            fs::create_dir_all(staged.join("runs/01")).unwrap();
            write_text(&staged.join("runs/01/cpu.svg"), "<svg/>")?;
            Ok(vec![])
        };
        let err = write_folder_atomic(&out, fill).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(
            fs::read_to_string(elsewhere.join("notes.md")).unwrap(),
            "mine"
        );

        // A `runs/` link to a folder outside: refused as well.
        fs::remove_file(out.join("report.md")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("runs")).unwrap();
        let err = write_folder_atomic(&out, fill).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(names(&elsewhere), ["notes.md"]);
        assert_eq!(names(dir.path()), ["elsewhere", "report"]);
    }
}
