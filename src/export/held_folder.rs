//! A destination folder held open while a file is written into it: the
//! temporary file is created in it and renamed onto its final name in it
//! by descriptor (`openat`, `renameat`), and the temporary file is opened
//! without following a link (`O_NOFOLLOW`, `O_EXCL`). A folder on the way
//! that is swapped for a link while the export is written cannot send the
//! file elsewhere: the file goes to the folder that was checked.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, Mode, OFlags};

/// One folder, open.
pub(super) struct HeldFolder {
    fd: OwnedFd,
}

/// A temporary file made in a [`HeldFolder`]: removed when dropped unless
/// it was renamed onto its destination.
pub(super) struct HeldTemp<'a> {
    folder: &'a HeldFolder,
    name: Option<OsString>,
    pub file: File,
}

impl HeldFolder {
    /// Opens the folder at `path` (links on the way followed: the path was
    /// resolved and checked just before).
    pub fn open(path: &Path) -> io::Result<HeldFolder> {
        let fd = rustix::fs::open(
            path,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(HeldFolder { fd })
    }

    /// A new file named `prefix…` in the folder, created with `mode` less
    /// the umask, never through a link.
    pub fn temp(&self, prefix: &str, mode: u32) -> io::Result<HeldTemp<'_>> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let flags =
            OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::WRONLY | OFlags::CLOEXEC;
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let name = OsString::from(format!("{prefix}{n:06}"));
            match rustix::fs::openat(&self.fd, &name, flags, Mode::from_raw_mode(mode & 0o7777)) {
                Ok(fd) => {
                    return Ok(HeldTemp {
                        folder: self,
                        name: Some(name),
                        file: File::from(fd),
                    });
                }
                Err(rustix::io::Errno::EXIST) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl HeldTemp<'_> {
    /// Renames the file onto `name` in its folder: a link there is replaced,
    /// not followed.
    pub fn persist(mut self, name: &OsStr) -> io::Result<()> {
        let Some(temp) = self.name.take() else {
            return Err(io::Error::other("the temporary file is gone"));
        };
        let fd = &self.folder.fd;
        match rustix::fs::renameat(fd, &temp, fd, name) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = rustix::fs::unlinkat(fd, &temp, AtFlags::empty());
                Err(e.into())
            }
        }
    }
}

impl Drop for HeldTemp<'_> {
    fn drop(&mut self) {
        if let Some(name) = self.name.take() {
            let _ = rustix::fs::unlinkat(&self.folder.fd, &name, AtFlags::empty());
        }
    }
}
