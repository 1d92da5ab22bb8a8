//! The server a home records, and its teardown: finding the live one, forgetting one that is
//! gone, stopping it; and stopping server processes of the home that no record names (strays).
//!
//! Both the lifecycle (`server.rs`) and the idle watchdog (`idle.rs`) stop servers, always under
//! the lock; this is the part they share.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::errors::{CheckInterrupt, Result};
use crate::home::Home;
use crate::installation::SERVER_CLASS;
use crate::state::{self, Phase, ReadState, ServerState};
use crate::{fsutil, process};

/// Grace given to a stray server (one no state records) before SIGKILL.
const STRAY_GRACE: Duration = Duration::from_secs(5);
/// How long a stop waits for this process's reaper to collect a server it launched.
const REAP_WAIT: Duration = Duration::from_secs(2);

/// Removes the state of a server that is gone, and its properties file (which may hold secrets).
pub fn forget(home: &Home) -> Result<()> {
    state::remove(home)?;
    fsutil::remove_if_exists(&home.properties())
}

/// The live server, if any. Must run under the lock: it removes a stale or invalid state file.
pub fn current(home: &Home) -> Result<Option<ServerState>> {
    match state::read(home) {
        ReadState::Missing => Ok(None),
        ReadState::Valid(s) if process::is_alive(s.pid, s.pid_start_time) => Ok(Some(s)),
        ReadState::Valid(s) => {
            tracing::info!(
                pid = s.pid,
                "the recorded server is gone; removing its state"
            );
            forget(home)?;
            Ok(None)
        }
        ReadState::Invalid(reason) => {
            tracing::warn!(reason = %reason, "ignoring and removing an invalid state file");
            forget(home)?;
            Ok(None)
        }
    }
}

/// Stops a recorded server and forgets it.
pub fn stop(
    home: &Home,
    server: &ServerState,
    grace: Duration,
    check_interrupt: CheckInterrupt,
) -> Result<()> {
    state::write(
        home,
        &ServerState {
            phase: Phase::Stopping,
            ..server.clone()
        },
    )?;
    if let Err(err) =
        process::terminate_group(server.pid, server.pid_start_time, grace, check_interrupt)
    {
        // Interrupted (or refused) while the server still runs: it is not stopping after all.
        state::write(home, server)?;
        return Err(err);
    }
    process::wait_reaped(server.pid, REAP_WAIT);
    forget(home)?;
    tracing::info!(
        pid = server.pid,
        port = server.port,
        "stopped the Spark Connect server"
    );
    Ok(())
}

/// True when `argv` is a server launch for `home`: the server class and this home's properties
/// file, which no other program passes. Homes are compared by their canonical path, so two
/// spellings of one home (a symlink) agree.
fn launches_for(argv: &[String], home: &Home, canonical_home: &Path) -> bool {
    let properties = home.properties();
    argv.iter().any(|a| a == SERVER_CLASS)
        && argv.iter().any(|a| {
            let p = Path::new(a);
            p.file_name() == properties.file_name()
                && p.parent()
                    .and_then(|d| fs::canonicalize(d).ok())
                    .is_some_and(|d| d == canonical_home)
        })
}

/// Server processes of this user launched for `home`, as (pid, start time). With no state
/// recording them they are strays: a kernel was killed between spawning a server and recording
/// it, or the state file was destroyed under a live server.
fn strays(home: &Home) -> Vec<(i32, u64)> {
    use std::os::unix::fs::MetadataExt;
    let Ok(canonical_home) = fs::canonicalize(home.dir()) else {
        return Vec::new();
    };
    let me = nix::unistd::Uid::effective().as_raw();
    process::all()
        .into_iter()
        .filter(|(pid, _)| *pid != std::process::id() as i32)
        .filter(|(pid, _)| {
            fs::metadata(format!("/proc/{pid}")).is_ok_and(|m| m.uid() == me)
                && launches_for(&process::cmdline(*pid), home, &canonical_home)
        })
        .collect()
}

/// Stops server processes of this home that no state records. Under the lock, with no live
/// recorded server, every one of them is an orphan: left running it would hold memory and ports
/// forever, next to the server about to be launched.
pub fn sweep_strays(home: &Home, check_interrupt: CheckInterrupt) -> Result<()> {
    for (pid, start_time) in strays(home) {
        tracing::warn!(
            pid,
            "stopping a Spark Connect server of this home that no state file records"
        );
        if !process::terminate_group(pid, start_time, STRAY_GRACE, check_interrupt)?
            && process::is_alive(pid, start_time)
        {
            // Not a group leader (killed before setsid): signal the process itself.
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::no_interrupt;

    #[test]
    fn strays_are_recognised_by_argv_only_for_this_home() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("home"));
        fs::create_dir(home.dir()).unwrap();
        let link = Home::new(dir.path().join("link"));
        std::os::unix::fs::symlink(home.dir(), link.dir()).unwrap();
        let canonical = fs::canonicalize(home.dir()).unwrap();
        let argv = |props: &Path| -> Vec<String> {
            vec![
                "java".into(),
                "--class".into(),
                SERVER_CLASS.into(),
                "--properties-file".into(),
                props.to_string_lossy().into_owned(),
            ]
        };
        assert!(launches_for(&argv(&home.properties()), &home, &canonical));
        assert!(launches_for(&argv(&link.properties()), &home, &canonical));
        let parent = Home::new(dir.path());
        assert!(!launches_for(
            &argv(&parent.properties()),
            &home,
            &canonical
        ));
        let mut other_class = argv(&home.properties());
        other_class[2] = "org.example.Main".into();
        assert!(!launches_for(&other_class, &home, &canonical));
        // A live process of another program is never a stray.
        assert!(strays(&home).is_empty());
    }

    #[test]
    fn current_forgets_a_server_that_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        state::write(&home, &state::sample_gone()).unwrap();
        fs::write(home.properties(), "spark.secret=x\n").unwrap();
        assert!(current(&home).unwrap().is_none());
        assert_eq!(state::read(&home), ReadState::Missing);
        assert!(!home.properties().exists());
    }

    #[test]
    fn stop_ends_the_process_and_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let (s, reaper) = state::record_stand_in(&home, |_| {});
        assert_eq!(current(&home).unwrap().as_ref(), Some(&s));
        stop(&home, &s, Duration::from_secs(5), &no_interrupt).unwrap();
        reaper.join().unwrap();
        assert!(!process::is_alive(s.pid, s.pid_start_time));
        assert_eq!(state::read(&home), ReadState::Missing);
    }

    #[test]
    fn an_interrupted_stop_leaves_the_server_recorded_as_it_was() {
        use std::os::unix::process::CommandExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        // A server that ignores SIGTERM, so the stop is still waiting when Ctrl-C comes.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "trap '' TERM; while :; do sleep 0.05; done"])
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let s = ServerState {
            pid,
            pid_start_time: process::start_time(pid).unwrap(),
            ..state::sample()
        };
        state::write(&home, &s).unwrap();
        let interrupted = || Err(crate::errors::CoreError::Interrupted);
        let stopped = stop(&home, &s, Duration::from_secs(30), &interrupted);
        let (recorded, alive) = (state::read(&home), process::is_alive(pid, s.pid_start_time));
        // Gone before asserting: a failed assertion must not leave the shell running.
        nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL)
            .unwrap();
        child.wait().unwrap();
        assert!(stopped.is_err() && alive);
        assert_eq!(recorded, ReadState::Valid(s));
    }
}
