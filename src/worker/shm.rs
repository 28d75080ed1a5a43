//! The shared-memory transport (`--transport shm`): echo payloads travel
//! through memory mapped by the worker, and only a small frame crosses the
//! pipe.
//!
//! The parent makes two anonymous memory files (`memfd_create`) per worker
//! pool: the run's input payload, written once per run, before any
//! repetition's clock starts, and each worker's output region. Their sizes
//! are sealed (`F_SEAL_SHRINK | F_SEAL_GROW`), so no one can shrink a file
//! under a mapping and fault it. A worker opens them through the parent's
//! `/proc/PID/fd/N` (nothing is inherited, nothing is named in a file
//! system) and maps the input read-only and its output read-write. A task
//! then names only its payload's length; the worker copies the input into
//! its output region, transforms it in place and hashes it there. The
//! parent never maps anything: it never needs the bytes, only their hash.
//!
//! Nothing outlives its users: a memfd's memory goes when the last
//! descriptor and mapping go, so a worker killed while it holds a mapping
//! leaves nothing behind once the parent drops its pool.
//!
//! Mapping a file is `unsafe` in Rust (another process could change or
//! truncate the bytes under a reference). This module is the only place
//! corescope allows it, with the reasons below.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;

use serde::{Deserialize, Serialize};

/// How echo payloads travel between the parent and its worker processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// Copied through the pipe with every task and every reply.
    #[default]
    Pipe,
    /// Shared through memory mapped by the worker; the pipe carries only
    /// the task and its result.
    Shm,
}

impl Transport {
    pub const ALL: [Transport; 2] = [Transport::Pipe, Transport::Shm];

    /// The name used on the command line and in result files.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Pipe => "pipe",
            Transport::Shm => "shm",
        }
    }
}

impl_named!(Transport, "transport");

/// An anonymous, size-sealed memory file the parent shares with workers.
#[derive(Debug)]
pub struct SharedFile {
    file: File,
    len: usize,
}

impl SharedFile {
    /// A zero-filled memory file of `len` bytes (at least one page is not
    /// needed: memory is only used where written).
    #[cfg(target_os = "linux")]
    pub fn create(len: usize) -> io::Result<SharedFile> {
        use rustix::fs::{MemfdFlags, SealFlags, fcntl_add_seals, memfd_create};
        let fd = memfd_create(
            "corescope-shm",
            MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
        )?;
        let file = File::from(fd);
        file.set_len(len as u64)?;
        fcntl_add_seals(&file, SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL)?;
        Ok(SharedFile { file, len })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn create(_len: usize) -> io::Result<SharedFile> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the shm transport needs Linux (memfd)",
        ))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes `bytes` at the start of the file (no mapping in the parent).
    #[cfg(unix)]
    pub fn write_start(&self, bytes: &[u8]) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        if bytes.len() > self.len {
            return Err(io::Error::other("payload larger than its shared file"));
        }
        self.file.write_all_at(bytes, 0)
    }

    /// The path a child opens this file by, while this process holds it.
    #[cfg(unix)]
    pub fn path_for_children(&self) -> String {
        use std::os::fd::AsRawFd;
        format!("/proc/{}/fd/{}", std::process::id(), self.file.as_raw_fd())
    }
}

/// A worker's view of the shared files: the input read-only, its output
/// read-write.
#[derive(Debug)]
pub struct WorkerMaps {
    input: memmap2::Mmap,
    output: memmap2::MmapMut,
}

impl WorkerMaps {
    /// Opens and maps the files the parent named.
    pub fn open(input: &str, output: &str) -> io::Result<WorkerMaps> {
        let input = File::open(input)?;
        let output = File::options().read(true).write(true).open(output)?;
        // SAFETY: both are the parent's sealed memfds (see the module
        // documentation): their size cannot change, so no access through
        // these maps can fault. The input is written by the parent only
        // before it sends the tasks that read it, never while a task is in
        // flight; the output is this worker's alone (the parent never maps
        // or writes it). No other code aliases these bytes.
        let (input, output) = unsafe {
            (
                memmap2::Mmap::map(&input)?,
                memmap2::MmapMut::map_mut(&output)?,
            )
        };
        Ok(WorkerMaps { input, output })
    }

    /// The first `len` input bytes and the output region of the same size,
    /// or `None` if either file is shorter.
    pub fn payload(&mut self, len: usize) -> Option<(&[u8], &mut [u8])> {
        let input = self.input.get(..len)?;
        let output = self.output.get_mut(..len)?;
        Some((input, output))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_file_is_read_back_through_a_worker_s_maps_and_cannot_shrink() {
        let input = SharedFile::create(4096).unwrap();
        let output = SharedFile::create(4096).unwrap();
        input.write_start(b"corescope").unwrap();
        assert!(input.write_start(&[0u8; 5000]).is_err());
        assert!(input.file.set_len(10).is_err(), "shrinking is sealed");
        let mut maps =
            WorkerMaps::open(&input.path_for_children(), &output.path_for_children()).unwrap();
        let (bytes, out) = maps.payload(9).unwrap();
        assert_eq!(bytes, b"corescope");
        out.copy_from_slice(bytes);
        assert!(maps.payload(4097).is_none());
        let mut back = [0u8; 9];
        std::os::unix::fs::FileExt::read_exact_at(&output.file, &mut back, 0).unwrap();
        assert_eq!(&back, b"corescope");
    }
}
