//! Leases: one file per attached kernel in the home's `leases/` directory, named by its pid and
//! holding that pid's start time.
//!
//! They answer "who still uses the server?" for `status` and `stop`. A kernel that dies without
//! releasing its lease is detected by its pid being gone or having another start time, and its
//! lease is pruned.

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use crate::errors::{CoreError, Result};
use crate::home::Home;
use crate::{fsutil, lock, process};

/// The start time of `pid`, which may hold a lease; an error naming the mistake when there is no
/// such process.
pub fn check_holder(pid: i32) -> Result<u64> {
    process::start_time(pid).ok_or_else(|| {
        CoreError::Server(format!(
            "Cannot register process {pid} as a user of the server: no such process. Pass the \
             pid of the running kernel (os.getpid())."
        ))
    })
}

/// Registers `pid` as a user of the server.
pub fn acquire(home: &Home, pid: i32) -> Result<()> {
    let start = check_holder(pid)?;
    let dir = home.leases();
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| CoreError::io_at("create", &dir, e))?;
    fsutil::atomic_write(&home.lease(pid), format!("{start}\n").as_bytes())?;
    tracing::debug!(pid, "lease registered");
    Ok(())
}

/// Drops the lease of `pid` (no error when there is none).
pub fn release(home: &Home, pid: i32) -> Result<()> {
    if pid <= 0 {
        return Ok(());
    }
    fsutil::remove_if_exists(&home.lease(pid))
}

/// Drops every lease (a forced stop).
pub fn clear(home: &Home) -> Result<()> {
    for (pid, _) in entries(home) {
        release(home, pid)?;
    }
    Ok(())
}

/// Pids of live lease holders, sorted, pruning (deleting) the leases of dead pids. Only under
/// the lock: pruning races a start that registers a lease.
pub fn live(home: &Home) -> Vec<i32> {
    collect(home, true)
}

/// `live` for a reader that does not hold the lock: it prunes when it can take the lock at
/// once, and else only skips the leases of dead pids (someone is starting or stopping). Also
/// says whether the lock was free.
pub fn live_unlocked(home: &Home) -> (Vec<i32>, bool) {
    match lock::try_acquire(home) {
        Ok(Some(_guard)) => (live(home), true),
        _ => (collect(home, false), false),
    }
}

fn collect(home: &Home, prune: bool) -> Vec<i32> {
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
fn entries(home: &Home) -> Vec<(i32, PathBuf)> {
    let read = match fs::read_dir(home.leases()) {
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
        let home = &Home::new(dir.path());
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
        fs::write(home.lease(dead), "12345\n").unwrap();
        // A live pid with a wrong start time is a reused pid: pruned too.
        fs::write(home.lease(1), format!("{}\n", u64::MAX)).unwrap();
        // Junk is ignored, not deleted.
        fs::write(home.leases().join("notes.txt"), "x").unwrap();

        // Someone else holds the lock: dead leases are skipped, not pruned.
        let held = lock::acquire(home, &crate::errors::no_interrupt).unwrap();
        assert_eq!(live_unlocked(home), (vec![me], false));
        assert!(home.lease(dead).exists());
        drop(held);
        assert_eq!(live_unlocked(home), (vec![me], true));
        assert!(!home.lease(dead).exists());
        assert!(!home.lease(1).exists());
        assert!(home.leases().join("notes.txt").exists());

        release(home, me).unwrap();
        release(home, me).unwrap();
        assert!(live(home).is_empty());
    }

    #[test]
    fn acquire_refuses_missing_pid_and_clear_drops_all() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        assert!(matches!(
            acquire(&home, i32::MAX),
            Err(CoreError::Server(_))
        ));
        acquire(&home, std::process::id() as i32).unwrap();
        clear(&home).unwrap();
        assert!(live(&home).is_empty());
    }
}
