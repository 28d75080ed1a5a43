//! Starting an MPI job: the `mpirun` command line and its environment.
//!
//! corescope starts `mpirun -n RANKS --oversubscribe --bind-to none
//! [--hostfile FILE] PROGRAM ARGS…` in a process group of its own with
//! piped stdin, stdout and stderr. Open MPI puts every rank in a process
//! group of its own, so ending a job takes `platform::kill_tree` (mpirun
//! and every descendant), not one group kill.
//!
//! - `--oversubscribe`: ranks may outnumber the slots (cores, or the
//!   hostfile's), which the record then says; without it Open MPI refuses.
//! - `--bind-to none`: ranks float over the cores like `processes`'
//!   workers, so the two models compare like for like.
//! - `OMPI_ALLOW_RUN_AS_ROOT`(`_CONFIRM`): CI runs as root.
//! - `OMPI_MCA_btl_vader_single_copy_mechanism=none`: inside containers
//!   the shared-memory transport's single-copy path (CMA) is often denied.
//! - `OMPI_MCA_mpi_yield_when_idle=1`: a rank waiting for a message yields
//!   its core instead of spinning on it, so the coordinator and idle
//!   workers do not take cores from the ranks computing.
//! - `OMPI_MCA_btl_vader_backing_directory`: the job's own folder under
//!   `/dev/shm` ([`SegmentDir`]), removed with the job. Ranks killed mid-run
//!   (a cancel, a failure) cannot unlink their shared-memory segments, and
//!   `/dev/shm` would keep them until the machine restarts. A watchdog
//!   (`sh` waiting on a pipe only corescope holds) ends the job and removes
//!   the folder should corescope itself be killed first.
//!
//! Each `OMPI_MCA_*` setting already in the environment wins.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// The launcher on PATH.
pub const MPIRUN: &str = "mpirun";

/// Environment that a job gets unless the user set it already.
const DEFAULT_ENV: [(&str, &str); 4] = [
    ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
    ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
    ("OMPI_MCA_btl_vader_single_copy_mechanism", "none"),
    ("OMPI_MCA_mpi_yield_when_idle", "1"),
];

/// Where Open MPI's shared-memory transport keeps its segments.
const BACKING_VAR: &str = "OMPI_MCA_btl_vader_backing_directory";
/// The memory file system that folder lives on.
const SHM_ROOT: &str = "/dev/shm";

/// One job's folder for Open MPI's shared-memory segments, removed (with
/// whatever the ranks left in it) when dropped: the job's owner keeps it
/// until the job is gone. Empty where `/dev/shm` is missing or the user
/// chose a folder (`OMPI_MCA_btl_vader_backing_directory`).
#[derive(Debug, Default)]
pub struct SegmentDir {
    path: Option<PathBuf>,
    /// Started by [`SegmentDir::watch`]; killed before the folder goes.
    watchdog: Option<std::process::Child>,
}

/// The watchdog: waits for end of file on a pipe only corescope writes to,
/// which comes only when corescope is gone (a normal end kills the watchdog
/// first); then kills the job's group (`$1`) and removes its folder (`$2`).
const WATCHDOG: &str = "read line; kill -KILL -- \"-$1\" 2>/dev/null; sleep 1; rm -rf -- \"$2\"";

impl SegmentDir {
    /// A new folder under `/dev/shm`, named like corescope's temporary
    /// files so one left by a killed corescope is swept by the next.
    pub fn create() -> SegmentDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let root = Path::new(SHM_ROOT);
        if std::env::var_os(BACKING_VAR).is_some() || !root.is_dir() {
            return SegmentDir::default();
        }
        crate::export::sweep_stale(root);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = root.join(format!("{}mpi-{n}", crate::export::temp_prefix()));
        SegmentDir {
            path: std::fs::create_dir(&path).ok().map(|()| path),
            watchdog: None,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Starts the watchdog for the job led by `job` (mpirun, a group
    /// leader): if corescope is killed, the job goes and the folder with
    /// it, without waiting for the next run to sweep it. Without `sh`
    /// the next run still sweeps it.
    pub fn watch(&mut self, job: u32) {
        let Some(path) = &self.path else {
            return;
        };
        let mut command = Command::new("sh");
        command
            .args(["-c", WATCHDOG, "corescope-watchdog"])
            .arg(job.to_string())
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            // Out of corescope's group: a terminal's Ctrl-C must not end it
            // before corescope has ended the job.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        self.watchdog = command.spawn().ok();
    }
}

impl Drop for SegmentDir {
    fn drop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            // Killed before its pipe closes: it never acts on a job that
            // ended normally (whose group id may be reused by now).
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        if let Some(path) = &self.path {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// Most bytes of a hostfile read to check it.
const MAX_HOSTFILE_BYTES: u64 = 1024 * 1024;

/// The `mpirun` command for `ranks` ranks of `program args…`, in a
/// process group of its own, all three standard streams piped, with its
/// shared-memory segments in `segments`.
pub fn command(
    ranks: u32,
    hostfile: Option<&Path>,
    segments: &SegmentDir,
    program: &OsStr,
    args: &[&OsStr],
) -> Command {
    let mut command = Command::new(MPIRUN);
    command
        .arg("-n")
        .arg(ranks.to_string())
        .args(["--oversubscribe", "--bind-to", "none"]);
    if let Some(hostfile) = hostfile {
        command.arg("--hostfile").arg(hostfile);
    }
    command
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in DEFAULT_ENV {
        if std::env::var_os(name).is_none() {
            command.env(name, value);
        }
    }
    if let Some(folder) = segments.path() {
        command.env(BACKING_VAR, folder);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // A terminal's Ctrl-C reaches corescope only; it then ends the job.
        command.process_group(0);
    }
    command
}

/// Why a hostfile cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HostfileError {
    #[error("hostfile {}: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("hostfile {} is not a file", .path.display())]
    NotAFile { path: PathBuf },
    #[error("hostfile {} is over 1 MiB", .path.display())]
    TooLarge { path: PathBuf },
    #[error("hostfile {} names no host (one per line, e.g. 'node1 slots=4')", .path.display())]
    NoHost { path: PathBuf },
}

/// Checks a hostfile before a job is started with it: readable, not huge,
/// naming at least one host.
pub fn check_hostfile(path: &Path) -> Result<(), HostfileError> {
    let unreadable = |source| HostfileError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(HostfileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > MAX_HOSTFILE_BYTES {
        return Err(HostfileError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    let names_a_host = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .any(|line| !line.is_empty());
    if names_a_host {
        Ok(())
    } else {
        Err(HostfileError::NoHost {
            path: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_asks_for_every_rank_and_the_hostfile() {
        let command = command(
            3,
            Some(Path::new("hosts.txt")),
            &SegmentDir::default(),
            OsStr::new("/bin/corescope"),
            &[OsStr::new("__mpi-rank")],
        );
        assert_eq!(command.get_program(), "mpirun");
        let args: Vec<&OsStr> = command.get_args().collect();
        assert_eq!(
            args,
            [
                "-n",
                "3",
                "--oversubscribe",
                "--bind-to",
                "none",
                "--hostfile",
                "hosts.txt",
                "/bin/corescope",
                "__mpi-rank"
            ]
        );
    }

    #[test]
    fn hostfiles_are_checked_before_a_job_starts() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("hosts");
        std::fs::write(&good, "# lab\nlocalhost slots=2\n").unwrap();
        assert!(check_hostfile(&good).is_ok());
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "# nothing\n\n").unwrap();
        assert!(
            check_hostfile(&empty)
                .unwrap_err()
                .to_string()
                .contains("names no host")
        );
        let missing = dir.path().join("missing");
        assert!(
            check_hostfile(&missing)
                .unwrap_err()
                .to_string()
                .contains("missing")
        );
        assert!(
            check_hostfile(dir.path())
                .unwrap_err()
                .to_string()
                .contains("not a file")
        );
    }

    #[test]
    fn a_job_s_segment_folder_goes_with_it_and_the_ranks_are_told_of_it() {
        use crate::require::{Part, require};
        let here = if std::env::var_os(BACKING_VAR).is_some() {
            Err(format!(
                "{BACKING_VAR} is set: the segments go to that folder"
            ))
        } else if !Path::new(SHM_ROOT).is_dir() {
            Err(format!("no {SHM_ROOT}"))
        } else {
            Ok(())
        };
        if require(Part::DevShm, here).is_none() {
            return;
        }
        let segments = SegmentDir::create();
        let folder = segments.path().unwrap().to_path_buf();
        assert!(folder.is_dir());
        std::fs::write(
            folder.join("vader_segment.host.1.0"),
            b"left by a killed rank",
        )
        .unwrap();
        let command = command(2, None, &segments, OsStr::new("x"), &[]);
        let told = command
            .get_envs()
            .find(|(name, _)| *name == BACKING_VAR)
            .and_then(|(_, value)| value);
        assert_eq!(told, Some(folder.as_os_str()));
        drop(segments);
        assert!(!folder.exists());
    }
}
