//! A descriptor table of its own for a helper thread of the measuring
//! process, so that it does not slow the measuring thread's system calls.
//!
//! Linux takes a cheap path on every system call that names a descriptor
//! (`read`, `write`, each descriptor of a `poll`) while the process's
//! descriptor table has one user: no reference is counted on the file. A
//! second thread shares the table, and every such call then pays an atomic
//! increment and decrement, blocked thread or not. That was the sampler's
//! shadow: one extra parked thread cost 2–10 % on 7 µs pipe round trips to
//! worker processes, several descriptor calls each. A thread that unshares
//! the table gives it back its single user.
//!
//! The copy the thread gets holds every descriptor the process had; they
//! are closed in it at once, so no file stays open in the process (a
//! worker's pipe its owner closed, say) because of this thread.

#![allow(unsafe_code)]

/// Gives the calling thread a descriptor table of its own, with nothing in
/// it; false where that is not done (not Linux, or the kernel refused):
/// the thread then shares the process's table as before.
///
/// Call it first thing on a thread that is handed no descriptor by other
/// threads and hands none to them: what it opens afterwards exists for it
/// alone.
pub fn own_descriptor_table() -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::thread::{UnshareFlags, unshare_unsafe};
        // SAFETY: the caller's thread holds no descriptor it got from
        // another thread and hands none over, so no thread observes a
        // descriptor from a table it does not share (the contract of
        // `unshare_unsafe`).
        if unsafe { unshare_unsafe(UnshareFlags::FILES) }.is_err() {
            return false;
        }
        for fd in inherited() {
            // SAFETY: these numbers are this thread's private copies of
            // the process's descriptors; no owner in this thread uses
            // them, and the other threads' table keeps theirs.
            unsafe { rustix::io::close(fd) };
        }
        true
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// The descriptors open in this thread's table, but for the one that
/// lists them (closed when the listing is done).
#[cfg(target_os = "linux")]
fn inherited() -> Vec<i32> {
    use std::os::fd::AsRawFd;
    let flags =
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC;
    let Ok(fd) = rustix::fs::open("/proc/thread-self/fd", flags, rustix::fs::Mode::empty()) else {
        return Vec::new();
    };
    let listing_fd = fd.as_raw_fd();
    let Ok(dir) = rustix::fs::Dir::new(fd) else {
        return Vec::new();
    };
    dir.filter_map(|entry| entry.ok()?.file_name().to_str().ok()?.parse().ok())
        .filter(|&fd: &i32| fd != listing_fd)
        .collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The link targets of `task`'s open descriptors.
    fn open_files(task: &str) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(format!("{task}/fd"))
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .collect()
    }

    #[test]
    fn a_thread_with_its_own_table_sees_no_descriptor_of_the_others() {
        let before = tempfile::tempfile().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("table-test".to_string())
            .spawn(move || {
                let own = own_descriptor_table();
                let tid = rustix::thread::gettid().as_raw_nonzero().get();
                ready_tx.send((own, tid)).unwrap();
                let _ = done_rx.recv();
            })
            .unwrap();
        let (own, tid) = ready_rx.recv().unwrap();
        assert!(own);
        let after = tempfile::tempfile().unwrap();
        let theirs = open_files(&format!("/proc/self/task/{tid}"));
        let mine = open_files("/proc/thread-self");
        for file in [&before, &after] {
            use std::os::fd::AsRawFd;
            let target = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).unwrap();
            assert!(mine.contains(&target));
            assert!(!theirs.contains(&target), "{target:?} in {theirs:?}");
        }
        drop(done_tx);
        thread.join().unwrap();
    }
}
