//! Small file-system helpers shared by the state, conf, lease and properties writers.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::errors::{CoreError, Result};

/// Private files (state with the token, user conf that may hold secrets, logs) are 0600.
const PRIVATE_FILE_MODE: u32 = 0o600;

/// Options for opening a private file: created 0600, never through a symlink at `path`
/// (O_NOFOLLOW: someone else's symlink must not redirect our writes). Callers add the access
/// mode and creation flags.
pub fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(nix::libc::O_NOFOLLOW);
    options
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory (so the rename
/// cannot cross file systems), created 0600, fsynced, then renamed over `path`. A reader sees
/// either the old content or the new one, never a torn write, even if the kernel dies mid-way.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_mode(path, bytes, PRIVATE_FILE_MODE)
}

/// `atomic_write` with the file's permission bits `mode` (exactly, whatever the umask) instead
/// of 0600: for a file that is not private, such as a configuration file others read.
pub fn atomic_write_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> io::Result<()> {
        let mut file = private_file_options()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        if mode != PRIVATE_FILE_MODE {
            file.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // Persist the rename itself; failure here is not worth reporting (the data is written).
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(CoreError::io_at("write", path, e));
    }
    Ok(())
}

/// Reads a small regular file without following a symlink at `path`. `Ok(None)` when missing.
/// Files larger than `limit` are reported as `InvalidData` instead of being read into memory.
pub fn read_private(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut file = match OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        ));
    }
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} bytes, larger than expected", meta.len()),
        ));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    (&mut file).take(limit + 1).read_to_end(&mut buf)?;
    Ok(Some(buf))
}

/// Opens a private (0600) log file for appending, creating it, never through a symlink.
pub fn open_private_append(path: &Path) -> Result<File> {
    private_file_options()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| CoreError::io_at("open", path, e))
}

/// Removes a file, treating "already gone" as success.
pub fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CoreError::io_at("remove", path, e)),
    }
}

/// True when opening `path` failed because it is a symlink (O_NOFOLLOW gives ELOOP).
pub fn is_symlink_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(nix::libc::ELOOP)
}

/// 32 random bytes from the kernel (/dev/urandom); `what` they are for names them in an error.
pub fn random_bytes(what: &str) -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| CoreError::io(format!("read /dev/urandom for {what}"), e))?;
    Ok(bytes)
}

/// A regular file someone may execute.
pub fn is_executable(path: &Path) -> bool {
    fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_is_private_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // No temporary files left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_write_mode_sets_exactly_that_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.py");
        atomic_write_mode(&p, b"shared", 0o644).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"shared");
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o644);
        // Into a directory that is not there: an error naming the file, nothing left behind.
        let err = atomic_write(&dir.path().join("none/f"), b"x").unwrap_err();
        assert!(err.to_string().contains("none/f"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn read_private_missing_and_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        assert!(read_private(&p, 10).unwrap().is_none());
        fs::write(dir.path().join("target"), b"hi").unwrap();
        std::os::unix::fs::symlink(dir.path().join("target"), &p).unwrap();
        let err = read_private(&p, 10).unwrap_err();
        assert!(is_symlink_error(&err));
    }
}
