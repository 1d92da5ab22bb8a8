//! Leases: one file per attached kernel, `<home>/leases/<pid>`, holding that pid's start time.
//!
//! They answer "who still uses the server?" for `status` and `stop`. A kernel that dies without
//! releasing its lease is detected by its pid being gone or having another start time, and its
//! lease is pruned.

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::errors::{CoreError, Result};
use crate::{fsutil, process};

pub fn leases_dir(home: &Path) -> PathBuf {
    home.join("leases")
}

fn lease_path(home: &Path, pid: i32) -> PathBuf {
    leases_dir(home).join(pid.to_string())
}

/// Registers `pid` as a user of the server.
pub fn acquire(home: &Path, pid: i32) -> Result<()> {
    let start = process::start_time(pid).ok_or_else(|| {
        CoreError::Server(format!(
            "Cannot register process {pid} as a user of the server: no such process. Pass the \
             pid of the running kernel (os.getpid())."
        ))
    })?;
    let dir = leases_dir(home);
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| CoreError::io_at("create", &dir, e))?;
    fsutil::atomic_write(&lease_path(home, pid), format!("{start}\n").as_bytes())?;
    tracing::debug!(pid, "lease registered");
    Ok(())
}

/// Drops the lease of `pid` (no error when there is none).
pub fn release(home: &Path, pid: i32) -> Result<()> {
    if pid <= 0 {
        return Ok(());
    }
    fsutil::remove_if_exists(&lease_path(home, pid))
}

/// Drops every lease (a forced stop).
pub fn clear(home: &Path) -> Result<()> {
    for (pid, _) in entries(home) {
        release(home, pid)?;
    }
    Ok(())
}

/// Pids of live lease holders, sorted, pruning (deleting) the leases of dead pids.
pub fn live(home: &Path) -> Vec<i32> {
    collect(home, true)
}

/// Like `live` but without deleting anything: for readers that do not hold the lock.
pub fn live_readonly(home: &Path) -> Vec<i32> {
    collect(home, false)
}

fn collect(home: &Path, prune: bool) -> Vec<i32> {
    let mut pids = Vec::new();
    for (pid, path) in entries(home) {
        let recorded = fs::read_to_string(&path)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        match recorded {
            Some(start) if process::is_alive(pid, start) => pids.push(pid),
            _ => {
                if prune {
                    tracing::debug!(pid, "pruning the lease of a process that is gone");
                    let _ = fs::remove_file(&path);
                }
            }
        }
    }
    pids.sort_unstable();
    pids
}

/// The lease files: names that are positive pids. Anything else in the directory is ignored.
fn entries(home: &Path) -> Vec<(i32, PathBuf)> {
    let read = match fs::read_dir(leases_dir(home)) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list leases");
            return Vec::new();
        }
    };
    read.filter_map(|entry| {
        let entry = entry.ok()?;
        let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
        (pid > 0).then(|| (pid, entry.path()))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn acquire_release_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        let me = std::process::id() as i32;
        assert!(live(home).is_empty());
        acquire(home, me).unwrap();
        acquire(home, me).unwrap();
        assert_eq!(live(home), vec![me]);

        // A dead process: its lease is pruned.
        let mut child = Command::new("true").spawn().unwrap();
        let dead = child.id() as i32;
        child.wait().unwrap();
        // Write the lease by hand (acquire refuses a dead pid).
        fs::write(lease_path(home, dead), "12345\n").unwrap();
        // A live pid with a wrong start time is a reused pid: pruned too.
        fs::write(lease_path(home, 1), format!("{}\n", u64::MAX)).unwrap();
        // Junk is ignored, not deleted.
        fs::write(leases_dir(home).join("notes.txt"), "x").unwrap();

        assert_eq!(live_readonly(home), vec![me]);
        assert!(lease_path(home, dead).exists());
        assert_eq!(live(home), vec![me]);
        assert!(!lease_path(home, dead).exists());
        assert!(!lease_path(home, 1).exists());
        assert!(leases_dir(home).join("notes.txt").exists());

        release(home, me).unwrap();
        release(home, me).unwrap();
        assert!(live(home).is_empty());
    }

    #[test]
    fn acquire_refuses_missing_pid_and_clear_drops_all() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            acquire(dir.path(), i32::MAX),
            Err(CoreError::Server(_))
        ));
        acquire(dir.path(), std::process::id() as i32).unwrap();
        clear(dir.path()).unwrap();
        assert!(live(dir.path()).is_empty());
    }
}
