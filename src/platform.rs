//! The few operating-system calls corescope needs beyond `std`, kept in one
//! place so that Linux-only calls (`prctl`) stay behind `cfg` and the crate
//! still builds on macOS and Windows.

/// Asks the kernel to kill this process when its parent dies.
///
/// A worker process calls this first thing, so that a parent killed with
/// SIGKILL (which runs no destructor) still leaves no orphan behind.
pub fn die_with_parent() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Signal, getppid, set_parent_process_death_signal};
        // Failing to set it only weakens a safety net; the parent still reaps
        // its workers on every normal path.
        let _ = set_parent_process_death_signal(Some(Signal::KILL));
        // The parent may have died before the call above: then we were
        // re-parented to init (or a subreaper) and must not run on.
        if getppid().is_none_or(|pid| pid.as_raw_nonzero().get() == 1) {
            std::process::exit(0);
        }
    }
}

/// Asks for a 1 MiB pipe buffer (Linux's default is 64 KiB), so a large
/// echo payload crosses in a few hand-offs instead of dozens of context
/// switches. Best effort: the kernel may cap it (`pipe-max-size`).
#[cfg(target_os = "linux")]
pub fn enlarge_pipe<Fd: std::os::fd::AsFd>(fd: Fd) {
    let _ = rustix::pipe::fcntl_setpipe_size(fd, 1 << 20);
}

/// Makes a pipe end non-blocking: reads and writes that would wait fail
/// with `WouldBlock` instead, for a loop that polls many pipes at once.
#[cfg(unix)]
pub fn set_nonblocking<Fd: std::os::fd::AsFd>(fd: Fd) -> std::io::Result<()> {
    rustix::io::ioctl_fionbio(fd, true).map_err(std::io::Error::from)
}

/// What [`poll_pipes`] watches on one pipe end, and what it found.
#[cfg(unix)]
#[derive(Debug)]
pub struct PipeWatch<'a> {
    pub fd: std::os::fd::BorrowedFd<'a>,
    /// Wait for bytes to read (or the other end closing).
    pub read: bool,
    /// Wait for room to write.
    pub write: bool,
    /// Set by the poll: the end is ready for what was asked, or broken.
    pub ready: bool,
}

/// Waits until one of `pipes` is ready or `timeout` passes (`poll(2)`);
/// returns how many are ready.
#[cfg(unix)]
pub fn poll_pipes(
    pipes: &mut [PipeWatch<'_>],
    timeout: std::time::Duration,
) -> std::io::Result<usize> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut fds: Vec<PollFd<'_>> = pipes
        .iter()
        .map(|p| {
            let mut flags = PollFlags::empty();
            flags.set(PollFlags::IN, p.read);
            flags.set(PollFlags::OUT, p.write);
            PollFd::from_borrowed_fd(p.fd, flags)
        })
        .collect();
    let timeout = Timespec {
        tv_sec: timeout.as_secs().try_into().unwrap_or(i64::MAX),
        tv_nsec: timeout.subsec_nanos().into(),
    };
    let ready = loop {
        match poll(&mut fds, Some(&timeout)) {
            Err(rustix::io::Errno::INTR) => continue,
            other => break other?,
        }
    };
    for (pipe, fd) in pipes.iter_mut().zip(&fds) {
        pipe.ready = !fd.revents().is_empty();
    }
    Ok(ready)
}

/// Pipe sizes are left as they are off Linux.
#[cfg(not(target_os = "linux"))]
pub fn enlarge_pipe<T>(_pipe: T) {}

/// The ids of a process's direct children, read from `/proc`.
///
/// The kernel lists children per thread that started them, so every thread
/// of the process is read. Empty where `/proc` is not available; used by
/// tests and by checks that no worker outlives its run.
pub fn child_pids(pid: u32) -> Vec<u32> {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = threads
        .flatten()
        .filter_map(|thread| std::fs::read_to_string(thread.path().join("children")).ok())
        .flat_map(|text| {
            text.split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// CPU time (user + system) of this process's children that exited and
/// were waited for, theirs included, in milliseconds: `cutime + cstime`
/// of `/proc/self/stat`. It is how the CPU of a worker that lived between
/// two samples is still counted as corescope's own. `None` where `/proc`
/// is not available.
#[cfg(target_os = "linux")]
pub fn reaped_children_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces and parentheses: fields start after
    // the last ')'. There, index 0 is field 3 (state); cutime and cstime
    // are fields 16 and 17.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    Some((ticks(13)? + ticks(14)?).saturating_mul(1000) / per_second)
}

/// Off Linux, reaped children's CPU time is not read.
#[cfg(not(target_os = "linux"))]
pub fn reaped_children_cpu_ms() -> Option<u64> {
    None
}

/// Sends SIGKILL to every process in the process group `pgid` (a child
/// started as its group's leader, and whatever it started in turn). Best
/// effort: a group already gone is not an error.
#[cfg(unix)]
pub fn kill_process_group(pgid: u32) {
    use rustix::process::{Pid, Signal, kill_process_group};
    if let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(pid, Signal::KILL);
    }
}

/// Process groups are not used off Unix; the owner kills its child alone.
#[cfg(not(unix))]
pub fn kill_process_group(_pgid: u32) {}

/// Whether child `pid` has exited, left unreaped (`waitid` with
/// `WNOWAIT`): its id, and so its process group's, stays taken until
/// its owner waits for it, so the group can still be killed by that id.
#[cfg(target_os = "linux")]
pub fn has_exited(pid: u32) -> std::io::Result<bool> {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return Ok(true);
    };
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    loop {
        match waitid(WaitId::Pid(pid), options) {
            Err(rustix::io::Errno::INTR) => continue,
            other => return Ok(other?.is_some()),
        }
    }
}

/// Whether a process with this id exists (a zombie counts: its id is
/// still taken). Off Unix, every process is assumed alive.
pub fn process_exists(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        match i32::try_from(pid).ok().and_then(Pid::from_raw) {
            // EPERM: it exists, and belongs to someone else.
            Some(pid) => !matches!(test_kill_process(pid), Err(rustix::io::Errno::SRCH)),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// A per-process limit a run can outgrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Open file descriptors (`ulimit -n`).
    OpenFiles,
    /// Processes and threads of this user (`ulimit -u`).
    Tasks,
}

/// Makes sure the soft `limit` is at least `needed`, raising it up to the
/// hard limit where it is lower; `Err(soft limit)` where it cannot be.
#[cfg(unix)]
pub fn ensure_limit(limit: Limit, needed: u64) -> Result<(), u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let resource = match limit {
        Limit::OpenFiles => Resource::Nofile,
        Limit::Tasks => Resource::Nproc,
    };
    let now = getrlimit(resource);
    let Some(soft) = now.current else {
        return Ok(());
    };
    if soft >= needed {
        return Ok(());
    }
    if now.maximum.is_none_or(|hard| hard >= needed) {
        let raised = Rlimit {
            current: Some(needed),
            maximum: now.maximum,
        };
        if setrlimit(resource, raised).is_ok() {
            return Ok(());
        }
    }
    Err(soft)
}

/// No such limits are read off Unix.
#[cfg(not(unix))]
pub fn ensure_limit(_limit: Limit, _needed: u64) -> Result<(), u64> {
    Ok(())
}

/// Every descendant of `pid` (children, their children, …), parents
/// before their children, read from `/proc`. Empty where `/proc` is not
/// available.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut next = vec![pid];
    while let Some(parent) = next.pop() {
        for child in child_pids(parent) {
            if !found.contains(&child) {
                found.push(child);
                next.push(child);
            }
        }
    }
    found
}

/// Sends SIGKILL to `pid`'s process group and to each of its descendants
/// by pid: for a launcher such as `mpirun`, which puts every process it
/// starts in a group of its own. The descendants are listed before
/// anything is killed (a killed parent's children move to another parent).
/// Best effort, like [`kill_process_group`].
#[cfg(unix)]
pub fn kill_tree(pid: u32) {
    use rustix::process::{Pid, Signal, kill_process};
    let tree = descendants(pid);
    kill_process_group(pid);
    for child in tree {
        if let Some(child) = i32::try_from(child).ok().and_then(Pid::from_raw) {
            let _ = kill_process(child, Signal::KILL);
        }
    }
}

/// Process trees are not walked off Unix; the owner kills its child alone.
#[cfg(not(unix))]
pub fn kill_tree(_pid: u32) {}

/// A file type in words, for refusing what is not a regular file: a
/// device, a FIFO, a socket or a folder.
pub fn file_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Waits up to `grace` for `child` to exit by itself, reaping it into
/// `exit_status` (left `None` if it is still running, or was reaped
/// already elsewhere).
pub fn wait_for_exit(
    child: &mut std::process::Child,
    exit_status: &mut Option<std::process::ExitStatus>,
    grace: std::time::Duration,
) {
    let deadline = std::time::Instant::now() + grace;
    while exit_status.is_none() {
        match child.try_wait() {
            Ok(Some(status)) => *exit_status = Some(status),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Ok(None) | Err(_) => return,
        }
    }
}
