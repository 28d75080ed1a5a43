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
//!   `/dev/shm`, for the ranks' shared-memory segments. Every rank maps
//!   every segment of its host while MPI starts (Open MPI attaches the
//!   local peers in `MPI_Init`), then reports to the coordinating rank,
//!   which says `Ready` only once all have: the job's owner then removes
//!   the folder ([`JobFolders::mapped`]). The mappings stay; the names
//!   are gone, so a rank, `mpirun` or corescope killed later leaves
//!   nothing in `/dev/shm`.
//! - `OMPI_MCA_orte_tmpdir_base`: the job's own folder under the temporary
//!   folder for Open MPI's session folder (`ompi.HOST.UID`: its PMIx store,
//!   contact file and topology), which a killed `mpirun` leaves behind.
//!   It goes when the job's owner drops it, after `mpirun` is reaped.
//!   (Not `orte_local_tmpdir_base`, which would spare a hostfile's other
//!   hosts the path: the ranks get the session folder as
//!   `orte_tmpdir_base` and refuse to start with both set.) A daemon on
//!   another host makes the same path there; it removes its session
//!   folder inside on a normal end and leaves the empty base.
//!
//! A watchdog (`sh` waiting on a pipe only corescope holds) ends the job
//! and removes both folders should corescope itself be killed first (also
//! before the ranks are ready); the next run sweeps what a watchdog could
//! not (both are named like corescope's temporary files).
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
/// Where Open MPI puts its session folder.
const SESSION_VAR: &str = "OMPI_MCA_orte_tmpdir_base";
/// The memory file system the segment folder lives on.
const SHM_ROOT: &str = "/dev/shm";

/// One job's folders: its shared-memory segments' under `/dev/shm`
/// (removed once every rank has mapped them) and Open MPI's session
/// folder's base under the temporary folder, both removed (with whatever
/// the job left in them) when dropped: the job's owner keeps this until
/// the job is gone. A folder is absent where the user chose one (its
/// `OMPI_MCA_*` variable) or, for segments, where `/dev/shm` is missing.
#[derive(Debug, Default)]
pub struct JobFolders {
    segments: Option<PathBuf>,
    session: Option<PathBuf>,
    /// Started by [`JobFolders::watch`]; killed before the folders go.
    watchdog: Option<std::process::Child>,
}

/// The watchdog: waits for end of file on a pipe only corescope writes to,
/// which comes only when corescope is gone (a normal end kills the watchdog
/// first); then kills the job's group (`$1`) and removes the job's folders
/// (the other arguments). No `--` before the group: dash's `kill` takes it
/// for a pid and kills nothing.
const WATCHDOG: &str =
    "read line; kill -KILL \"-$1\" 2>/dev/null; shift; sleep 1; rm -rf -- \"$@\"";

impl JobFolders {
    /// New folders under `/dev/shm` and the temporary folder, named like
    /// corescope's temporary files so those of a killed corescope are
    /// swept by the next.
    pub fn create() -> JobFolders {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root = Path::new(SHM_ROOT);
        let segments = (std::env::var_os(BACKING_VAR).is_none() && root.is_dir())
            .then(|| own_folder(root, &format!("mpi-{n}")))
            .flatten();
        let session = std::env::var_os(SESSION_VAR)
            .is_none()
            .then(|| own_folder(&std::env::temp_dir(), &format!("ompi-{n}")))
            .flatten();
        JobFolders {
            segments,
            session,
            watchdog: None,
        }
    }

    /// The segments' folder, until every rank has mapped them.
    pub fn segments(&self) -> Option<&Path> {
        self.segments.as_deref()
    }

    /// The base of Open MPI's session folder.
    pub fn session(&self) -> Option<&Path> {
        self.session.as_deref()
    }

    /// Every rank has mapped every segment of its host (the coordinator
    /// said `Ready`): their names go now; the memory stays mapped until
    /// the ranks end. No rank creates a segment after start-up.
    pub fn mapped(&mut self) {
        if let Some(path) = self.segments.take() {
            let _ = std::fs::remove_dir_all(path);
        }
    }

    /// Starts the watchdog for the job led by `job` (mpirun, a group
    /// leader): if corescope is killed, the job goes and the folders with
    /// it, without waiting for the next run to sweep them. Without `sh`
    /// the next run still sweeps them.
    pub fn watch(&mut self, job: u32) {
        let folders: Vec<&Path> = self.segments().into_iter().chain(self.session()).collect();
        if folders.is_empty() {
            return;
        }
        let mut command = Command::new("sh");
        command
            .args(["-c", WATCHDOG, "corescope-watchdog"])
            .arg(job.to_string())
            .args(folders)
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

/// A new folder `NAME` of this process in `root`, after sweeping those of
/// processes that are gone; `None` where it cannot be made.
fn own_folder(root: &Path, name: &str) -> Option<PathBuf> {
    crate::export::sweep_stale(root);
    let path = root.join(format!("{}{name}", crate::export::temp_prefix()));
    std::fs::create_dir(&path).ok().map(|()| path)
}

impl Drop for JobFolders {
    fn drop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            // Killed before its pipe closes: it never acts on a job that
            // ended normally (whose group id may be reused by now).
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        for path in [self.segments.take(), self.session.take()]
            .into_iter()
            .flatten()
        {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// Most bytes of a hostfile read to check it.
const MAX_HOSTFILE_BYTES: u64 = 1024 * 1024;

/// The `mpirun` command for `ranks` ranks of `program args…`, in a
/// process group of its own, all three standard streams piped, with its
/// shared-memory segments and session folder in `folders`.
pub fn command(
    ranks: u32,
    hostfile: Option<&Path>,
    folders: &JobFolders,
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
    if let Some(folder) = folders.segments() {
        command.env(BACKING_VAR, folder);
    }
    if let Some(folder) = folders.session() {
        command.env(SESSION_VAR, folder);
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
            &JobFolders::default(),
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

    /// What `command` tells the job in `name`.
    fn told<'c>(command: &'c Command, name: &str) -> Option<&'c OsStr> {
        command
            .get_envs()
            .find(|(n, _)| *n == name)
            .and_then(|(_, value)| value)
    }

    #[test]
    fn a_job_s_folders_go_with_it_and_the_ranks_are_told_of_them() {
        use crate::require::{Part, require};
        let here = if [BACKING_VAR, SESSION_VAR]
            .iter()
            .any(|v| std::env::var_os(v).is_some())
        {
            Err(format!(
                "{BACKING_VAR} or {SESSION_VAR} is set: the job uses those folders"
            ))
        } else if !Path::new(SHM_ROOT).is_dir() {
            Err(format!("no {SHM_ROOT}"))
        } else {
            Ok(())
        };
        if require(Part::DevShm, here).is_none() {
            return;
        }
        let folders = JobFolders::create();
        let segments = folders.segments().unwrap().to_path_buf();
        let session = folders.session().unwrap().to_path_buf();
        assert!(segments.is_dir() && session.is_dir());
        assert!(segments.starts_with(SHM_ROOT));
        assert!(session.starts_with(std::env::temp_dir()));
        std::fs::write(segments.join("vader_segment.host.1.0"), b"a segment").unwrap();
        std::fs::create_dir(session.join("ompi.host.0")).unwrap();
        let command = command(2, None, &folders, OsStr::new("x"), &[]);
        assert_eq!(told(&command, BACKING_VAR), Some(segments.as_os_str()));
        assert_eq!(told(&command, SESSION_VAR), Some(session.as_os_str()));
        drop(folders);
        assert!(!segments.exists() && !session.exists());
    }

    #[test]
    fn the_watchdog_ends_the_job_and_removes_its_folders_once_corescope_is_gone() {
        use std::os::unix::process::CommandExt;
        let mut folders = JobFolders::create();
        let made: Vec<PathBuf> = folders
            .segments()
            .into_iter()
            .chain(folders.session())
            .map(Path::to_path_buf)
            .collect();
        assert!(!made.is_empty());
        let mut job = Command::new("sleep")
            .arg("60")
            .process_group(0)
            .spawn()
            .unwrap();
        folders.watch(job.id());
        // corescope gone: the only writer of the watchdog's pipe closes it.
        drop(folders.watchdog.as_mut().unwrap().stdin.take());
        let ended = (0..1000).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            job.try_wait().unwrap().is_some()
        });
        if !ended {
            let _ = job.kill();
            let _ = job.wait();
        }
        assert!(ended, "the watchdog left the job running");
        let removed = (0..1000).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            made.iter().all(|folder| !folder.exists())
        });
        assert!(removed, "the watchdog left {made:?}");
    }

    #[test]
    fn segments_lose_their_names_once_mapped_and_the_session_folder_stays() {
        use crate::require::{Part, require};
        let here = if std::env::var_os(BACKING_VAR).is_some() {
            Err(format!(
                "{BACKING_VAR} is set: the segments go to that folder"
            ))
        } else {
            Ok(())
        };
        if require(Part::DevShm, here).is_none() {
            return;
        }
        let mut folders = JobFolders::create();
        let segments = folders.segments().unwrap().to_path_buf();
        std::fs::write(segments.join("vader_segment.host.1.0"), b"a segment").unwrap();
        folders.mapped();
        assert!(!segments.exists());
        assert_eq!(folders.segments(), None);
        if let Some(session) = folders.session().map(Path::to_path_buf) {
            assert!(session.is_dir());
            drop(folders);
            assert!(!session.exists());
        }
    }
}
