//! Processes: identity, termination, spawning detached ones, waiting for children and reaping
//! them.
//!
//! A pid alone does not identify a process: after the server dies its pid can be handed to an
//! unrelated process. We pair every pid with its start time from /proc and never signal a pid
//! whose start time does not match the one we recorded.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{killpg, signal, SigHandler, Signal};
use nix::unistd::Pid;

use crate::errors::{Cause, CheckInterrupt, CoreError, Result};
use crate::fsutil;

/// Poll interval while waiting for a signalled server to exit.
const POLL: Duration = Duration::from_millis(50);
/// How long we wait after SIGKILL before giving up (a process stuck in the kernel).
const KILL_WAIT: Duration = Duration::from_secs(5);

/// The state letter and start time (field 22, clock ticks since boot) of `pid`.
fn stat(pid: i32) -> Option<(char, u64)> {
    if pid <= 0 {
        return None;
    }
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain
/// spaces and ')', so we split after the LAST ')': the rest starts with field 3 (state).
fn parse_stat(text: &str) -> Option<(char, u64)> {
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    // Field 3 was consumed; field 22 is 19 further on.
    let start = fields.nth(18)?.parse().ok()?;
    Some((state, start))
}

/// Start time of `pid` in clock ticks since boot, `None` if there is no such process.
pub fn start_time(pid: i32) -> Option<u64> {
    stat(pid).map(|(_, start)| start)
}

/// True when `pid` runs, is the process that started at `start_time`, and is not a zombie.
pub fn is_alive(pid: i32, start_time: u64) -> bool {
    matches!(stat(pid), Some((state, start)) if start == start_time && state != 'Z' && state != 'X')
}

/// True when the process recorded as (`pid`, `start_time`) is stopped: SIGSTOP / SIGTSTP ('T')
/// or held by a tracer ('t'). Such a process still has its listening socket, so the kernel
/// completes TCP handshakes for it, yet it answers nothing: only /proc tells.
pub fn is_stopped(pid: i32, start_time: u64) -> bool {
    matches!(stat(pid), Some((state, start)) if start == start_time && (state == 'T' || state == 't'))
}

/// The argv of `pid` (empty when it is gone or not ours to read).
pub fn cmdline(pid: i32) -> Vec<String> {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            raw.split(|b| *b == 0)
                .filter(|part| !part.is_empty())
                .map(|part| String::from_utf8_lossy(part).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Every live (non-zombie) process as (pid, start time).
pub fn all() -> Vec<(i32, u64)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| match stat(pid) {
            Some((state, start)) if state != 'Z' && state != 'X' => Some((pid, start)),
            _ => None,
        })
        .collect()
}

/// Signals the process group led by `pid`, but only if `pid` is still the process we recorded.
fn signal_group(pid: i32, start_time: u64, sig: Signal) -> bool {
    // pid 0 and 1 would address our own group or init: never.
    if pid <= 1 || !is_alive(pid, start_time) {
        return false;
    }
    match killpg(Pid::from_raw(pid), sig) {
        Ok(()) => true,
        Err(Errno::ESRCH) => false,
        Err(e) => {
            tracing::warn!(pid, signal = ?sig, error = %e, "could not signal the server");
            false
        }
    }
}

/// Stops the process group led by `pid`: SIGTERM, up to `grace` for it to exit, then SIGKILL.
/// Returns `Ok(false)` when the process was not running (nothing was signalled).
pub fn terminate_group(
    pid: i32,
    start_time: u64,
    grace: Duration,
    check_interrupt: CheckInterrupt,
) -> Result<bool> {
    if !signal_group(pid, start_time, Signal::SIGTERM) {
        return Ok(false);
    }
    // A stopped server (SIGSTOP) keeps SIGTERM pending until it runs again; resume it so it
    // shuts down cleanly within the grace period instead of waiting for SIGKILL.
    signal_group(pid, start_time, Signal::SIGCONT);
    tracing::debug!(
        pid,
        grace_s = grace.as_secs_f64(),
        "sent SIGTERM to the server"
    );
    let began = Instant::now();
    while is_alive(pid, start_time) {
        if began.elapsed() >= grace {
            tracing::info!(
                pid,
                "server did not exit within the grace period; sending SIGKILL"
            );
            signal_group(pid, start_time, Signal::SIGKILL);
            let killed_at = Instant::now();
            while is_alive(pid, start_time) {
                if killed_at.elapsed() >= KILL_WAIT {
                    return Err(CoreError::Server(format!(
                        "The Spark Connect server (pid {pid}) is still alive {} s after \
                         SIGKILL; it may be stuck in the kernel. Check it with `ps -o \
                         pid,stat,cmd -p {pid}`.",
                        KILL_WAIT.as_secs()
                    )));
                }
                std::thread::sleep(POLL);
            }
            break;
        }
        check_interrupt()?;
        std::thread::sleep(POLL);
    }
    tracing::debug!(
        pid,
        elapsed_ms = began.elapsed().as_millis() as u64,
        "server exited"
    );
    Ok(true)
}

/// Spawns `cmd` detached from the caller, in its own session and process group: it outlives the
/// kernel, a terminal's Ctrl-C does not reach it, and a stop can signal the whole group (a JVM
/// and its workers). `lowest_priority` runs it (and what it runs) at nice 19, for background
/// work that must not slow the notebooks down.
pub fn spawn_detached(mut cmd: Command, lowest_priority: bool) -> io::Result<Child> {
    // SAFETY: the closure runs in the forked child before exec and only makes
    // async-signal-safe calls (setsid, sigaction, setpriority).
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid().map_err(io::Error::from)?;
            // An ignored disposition survives exec; what we start must obey TERM and INT.
            for sig in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
                signal(sig, SigHandler::SigDfl).map_err(io::Error::from)?;
            }
            if lowest_priority {
                // Best effort: a failure only means the helper runs at normal priority.
                nix::libc::setpriority(nix::libc::PRIO_PROCESS, 0, 19);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Starts a helper of the core, `PYTHON -m MODULE ARGS...` (the idle watchdog, the start-up
/// archive builder), detached, its output appended to the private file `log`, and reaped in
/// the background. `python` must have sparkconnect installed. Returns the helper's pid.
pub fn spawn_helper<I, S>(
    python: &str,
    module: &str,
    args: I,
    log: &Path,
    lowest_priority: bool,
) -> Result<u32>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = fsutil::open_private_append(log)?;
    let err = out
        .try_clone()
        .map_err(|e| CoreError::io_at("open", log, e))?;
    let mut cmd = Command::new(python);
    cmd.args(["-m", module])
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let child = spawn_detached(cmd, lowest_priority).map_err(|e| {
        CoreError::Start(
            Cause::Environment,
            format!("could not run {python} -m {module}: {e}"),
        )
    })?;
    let pid = child.id();
    // Not waited for by the caller: it lives on its own. The reaper keeps it from lingering as
    // a zombie of this process once it exits.
    reap_in_background(child);
    Ok(pid)
}

/// Waits up to `timeout` for `child` to exit, polling every `poll`; `Ok(None)` when it still
/// runs.
fn wait_timeout(
    child: &mut Child,
    timeout: Duration,
    poll: Duration,
) -> io::Result<Option<ExitStatus>> {
    let began = Instant::now();
    loop {
        match child.try_wait()? {
            Some(status) => return Ok(Some(status)),
            None if began.elapsed() < timeout => std::thread::sleep(poll),
            None => return Ok(None),
        }
    }
}

/// `wait_timeout`, then kills and reaps a child that did not exit in time (`Ok(None)`).
pub fn wait_or_kill(
    child: &mut Child,
    timeout: Duration,
    poll: Duration,
) -> io::Result<Option<ExitStatus>> {
    let status = wait_timeout(child, timeout, poll)?;
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    Ok(status)
}

/// Stops the process group of a child we have not reaped yet (a failed start). Until it is
/// reaped its pid cannot be reused, so no start-time check is needed. Returns the exit status.
pub fn stop_child_group(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    let group = Pid::from_raw(child.id() as i32);
    // Signal before reaping: even if the leader already exited, the rest of its group (the
    // launcher, Python workers) still gets the signal.
    let _ = killpg(group, Signal::SIGTERM);
    let _ = killpg(group, Signal::SIGCONT);
    match wait_timeout(child, grace, POLL) {
        Ok(Some(status)) => return Some(status),
        Ok(None) => {}
        Err(_) => return None,
    }
    let _ = killpg(group, Signal::SIGKILL);
    child.wait().ok()
}

/// Reaper threads of the children this process launched and does not wait for, by pid.
static REAPERS: Mutex<BTreeMap<i32, JoinHandle<()>>> = Mutex::new(BTreeMap::new());

/// Waits for `child` on a background thread, so a server or helper that exits while this
/// kernel lives does not linger as a zombie of the kernel that launched it.
pub fn reap_in_background(mut child: Child) {
    let pid = child.id() as i32;
    let spawned = std::thread::Builder::new()
        .name("sparkconnect-reaper".into())
        .spawn(move || {
            let _ = child.wait();
        });
    match spawned {
        Ok(handle) => {
            let mut reapers = REAPERS.lock().unwrap_or_else(|e| e.into_inner());
            reapers.retain(|_, h| !h.is_finished());
            reapers.insert(pid, handle);
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not start a thread to reap a launched process")
        }
    }
}

/// After stopping a server this process launched, waits (briefly) until its reaper has
/// collected it, so that when stop returns the pid is gone, not a zombie. A server launched by
/// another process is reaped by that process or by init; there is nothing to wait for here.
pub fn wait_reaped(pid: i32, timeout: Duration) {
    let handle = REAPERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&pid);
    let Some(handle) = handle else { return };
    let began = Instant::now();
    while !handle.is_finished() {
        if began.elapsed() >= timeout {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = handle.join();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::no_interrupt;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    #[test]
    fn parses_names_with_parens_and_spaces() {
        let line = "123 (a) b (c)) S 1 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 \
                    1000 10 18446744073709551615";
        assert_eq!(parse_stat(line), Some(('S', 987654)));
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(parse_stat("1 (x) S 1 2"), None);
    }

    #[test]
    fn own_start_time_is_stable() {
        let me = std::process::id() as i32;
        let t = start_time(me).expect("own start time");
        assert_eq!(start_time(me), Some(t));
        assert!(is_alive(me, t));
        assert!(!is_alive(me, t + 1));
        assert_eq!(start_time(0), None);
        assert_eq!(start_time(-5), None);
    }

    #[test]
    fn dead_child_is_not_alive() {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        child.wait().unwrap();
        // Reaped: either gone or (on a very unlucky pid reuse) a different start time.
        assert!(start_time(pid).is_none() || !is_alive(pid, 0));
    }

    #[test]
    fn terminates_own_group_and_refuses_mismatch() {
        let mut child = Command::new("sleep");
        child.arg("30").process_group(0);
        let mut child = child.spawn().unwrap();
        let pid = child.id() as i32;
        let st = start_time(pid).unwrap();
        // A wrong start time must not signal anything.
        assert!(!terminate_group(pid, st + 1, Duration::from_secs(1), &no_interrupt).unwrap());
        assert!(child.try_wait().unwrap().is_none());
        // Reap in the background so is_alive sees it go (a zombie also counts as dead).
        let waiter = std::thread::spawn(move || child.wait().unwrap());
        assert!(terminate_group(pid, st, Duration::from_secs(5), &no_interrupt).unwrap());
        let status = waiter.join().unwrap();
        assert!(!status.success());
    }

    #[test]
    fn a_stopped_process_is_seen_and_still_terminated_gracefully() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30").process_group(0);
        let mut child = cmd.spawn().unwrap();
        let pid = child.id() as i32;
        let st = start_time(pid).unwrap();
        assert!(!is_stopped(pid, st));
        nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGSTOP).unwrap();
        let began = Instant::now();
        while !is_stopped(pid, st) && began.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(is_stopped(pid, st));
        assert!(is_alive(pid, st));
        assert!(cmdline(pid).iter().any(|a| a == "30"));
        assert!(all().contains(&(pid, st)));
        let waiter = std::thread::spawn(move || child.wait().unwrap());
        // A grace far longer than the test: only SIGTERM (after SIGCONT) can end it in time.
        assert!(terminate_group(pid, st, Duration::from_secs(60), &no_interrupt).unwrap());
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            waiter.join().unwrap().signal(),
            Some(Signal::SIGTERM as i32)
        );
    }

    #[test]
    fn escalates_to_sigkill() {
        // A shell that ignores SIGTERM.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "trap '' TERM; while :; do sleep 0.05; done"])
            .process_group(0);
        let mut child = cmd.spawn().unwrap();
        let pid = child.id() as i32;
        let st = start_time(pid).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let waiter = std::thread::spawn(move || child.wait().unwrap());
        let began = Instant::now();
        assert!(terminate_group(pid, st, Duration::from_millis(300), &no_interrupt).unwrap());
        assert!(began.elapsed() >= Duration::from_millis(300));
        waiter.join().unwrap();
    }

    #[test]
    fn stops_an_unreaped_child_group() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & wait"]).process_group(0);
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let status = stop_child_group(&mut child, Duration::from_secs(2)).unwrap();
        assert!(!status.success());
        // The group (including the backgrounded sleep) is gone.
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(live_members(child.id() as i32), 0);
    }

    #[test]
    fn wait_or_kill_kills_what_outlives_its_timeout() {
        let mut quick = Command::new("true").spawn().unwrap();
        let status = wait_or_kill(&mut quick, Duration::from_secs(5), POLL).unwrap();
        assert!(status.is_some_and(|s| s.success()));
        let mut slow = Command::new("sleep").arg("30").spawn().unwrap();
        let began = Instant::now();
        assert_eq!(
            wait_or_kill(&mut slow, Duration::from_millis(200), POLL).unwrap(),
            None
        );
        assert!(began.elapsed() < Duration::from_secs(5));
        // Killed and reaped: nothing is left to wait for.
        assert!(slow.try_wait().unwrap().is_some());
    }

    #[test]
    fn a_helper_runs_detached_with_its_output_in_a_private_log() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("helper.log");
        // A module that does not exist: the interpreter says so in the log and exits.
        let spawned = spawn_helper(
            "python3",
            "sparkconnect_no_such_helper",
            ["arg"],
            &log,
            true,
        );
        let Ok(pid) = spawned else {
            return; // no python3 here
        };
        let began = Instant::now();
        while start_time(pid as i32).is_some() && began.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(POLL);
        }
        // Reaped in the background: gone, not a zombie.
        assert!(start_time(pid as i32).is_none());
        let text = fs::read_to_string(&log).unwrap();
        assert!(text.contains("sparkconnect_no_such_helper"), "{text}");
        let mode = fs::metadata(&log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    /// Processes of process group `pgid` that are not zombies (the container's init may not
    /// reap orphans promptly, and a zombie is harmless).
    fn live_members(pgid: i32) -> usize {
        fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| {
                let text = fs::read_to_string(e.ok()?.path().join("stat")).ok()?;
                let rest = &text[text.rfind(')')? + 1..];
                let f: Vec<&str> = rest.split_ascii_whitespace().collect();
                // f[0] = state (field 3), f[2] = pgrp (field 5).
                (f.get(2)?.parse::<i32>().ok()? == pgid && f[0] != "Z").then_some(())
            })
            .count()
    }
}
