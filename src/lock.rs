//! The lifecycle lock: the home's `server.lock`, an exclusive `flock`.
//!
//! Every start, stop and restart runs under it, so two notebooks starting at once end up with one
//! server. `flock` belongs to the open file description, so the kernel drops it when the holder
//! dies: a crashed notebook never leaves a stale lock behind. Rust opens files close-on-exec, so
//! the server we launch while holding the lock does not inherit it.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::errors::{CheckInterrupt, CoreError, Result};
use crate::fsutil;
use crate::home::Home;

/// How often a blocked caller retries; short, because the holder usually finishes in
/// milliseconds (an attach) and we do not want to add latency.
const POLL: Duration = Duration::from_millis(20);

/// Holds the lock until dropped.
#[derive(Debug)]
pub struct LockGuard {
    _lock: Flock<File>,
}

fn open(path: &Path) -> Result<File> {
    fsutil::private_file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| CoreError::io_at("open the lock file", path, e))
}

/// One non-blocking attempt. `Ok(None)` when another open file holds the lock.
pub fn try_acquire(home: &Home) -> Result<Option<LockGuard>> {
    try_acquire_file(&home.lock())
}

/// `try_acquire` on any lock file (the class-archive builder has one per archive).
pub fn try_acquire_file(path: &Path) -> Result<Option<LockGuard>> {
    match Flock::lock(open(path)?, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(Some(LockGuard { _lock: lock })),
        Err((_, Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, errno)) => Err(CoreError::io_at("lock", path, std::io::Error::from(errno))),
    }
}

/// Waits for the lock, polling so that `check_interrupt` (Ctrl-C) runs between attempts.
pub fn acquire(home: &Home, check_interrupt: CheckInterrupt) -> Result<LockGuard> {
    let began = Instant::now();
    let mut told = false;
    loop {
        // Reopen on each try: cheap, and it survives the lock file being removed meanwhile.
        if let Some(guard) = try_acquire(home)? {
            if told {
                tracing::debug!(
                    waited_ms = began.elapsed().as_millis() as u64,
                    "acquired the sparkconnect lock"
                );
            }
            return Ok(guard);
        }
        if !told && began.elapsed() > Duration::from_secs(1) {
            told = true;
            tracing::info!(
                "waiting for another notebook to finish starting or stopping the server"
            );
        }
        check_interrupt()?;
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::no_interrupt;
    use std::cell::Cell;

    #[test]
    fn exclusive_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let first = acquire(&home, &no_interrupt).unwrap();
        // A second open file description in the same process does not get it.
        assert!(try_acquire(&home).unwrap().is_none());
        drop(first);
        assert!(try_acquire(&home).unwrap().is_some());
    }

    #[test]
    fn blocked_acquire_runs_check_interrupt() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let _held = acquire(&home, &no_interrupt).unwrap();
        let calls = Cell::new(0);
        let check = || {
            calls.set(calls.get() + 1);
            if calls.get() >= 3 {
                Err(CoreError::Interrupted)
            } else {
                Ok(())
            }
        };
        assert!(matches!(
            acquire(&home, &check),
            Err(CoreError::Interrupted)
        ));
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn waiter_gets_it_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let held = acquire(&home, &no_interrupt).unwrap();
        let waiter = std::thread::spawn(move || acquire(&home, &no_interrupt).map(|_| ()));
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
        waiter.join().unwrap().unwrap();
    }
}
