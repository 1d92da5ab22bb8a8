//! Idle shutdown: a small watchdog process per server that stops it once nobody uses it.
//!
//! Where it lives: the watchdog is its own process (`python -m
//! sparkconnect.server.detached.watchdog`, which runs `watch` below with the GIL released),
//! launched detached right after the server is recorded as ready, and only when an idle timeout was asked for. It cannot live in a kernel
//! (kernels come and go, and the last one may be the one that died), nor in the JVM (Spark has
//! no such option); checks done only when someone calls the core would never fire when nobody
//! does. It watches exactly one server, identified by pid and start time, and exits as soon as
//! that process is gone, so a restart or a stop never leaves a watchdog behind.
//!
//! "Idle" means: no live lease (leases of dead kernels are pruned) and no running Spark job
//! (asked of the Spark UI's REST API through the core's one client of it, `spark_ui.rs`, signed
//! with the server's UI key: a refused request counts as "unknown", so a server is never stopped
//! because its UI said no). The shutdown itself happens under the
//! lifecycle lock after re-checking both, so a kernel that attaches at the last moment either
//! keeps the server (its lease is seen) or waits for the lock and then launches a fresh one.

use std::time::{Duration, Instant};

use crate::errors::{CheckInterrupt, Result};
use crate::home::Home;
use crate::spark_ui::{self, UiError};
use crate::state::{self, Phase, ReadState, ServerState};
use crate::{leases, lock, process, recorded};

/// How often the watchdog checks that its server still exists.
const TICK: Duration = Duration::from_millis(200);
/// Bounds on how often it checks for use: a fifth of the timeout, within these limits.
const MIN_CHECK: Duration = Duration::from_millis(200);
const MAX_CHECK: Duration = Duration::from_secs(5);
/// One Spark UI REST request may take this long before the answer counts as "unknown".
const UI_TIMEOUT: Duration = Duration::from_secs(2);
/// Grace given to the server when the watchdog stops it.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Why `watch` returned.
#[derive(Debug, PartialEq, Eq)]
pub enum WatchEnd {
    /// The server exited or was stopped by someone else.
    ServerGone,
    /// The watchdog stopped it after the idle timeout.
    StoppedIdle,
}

impl WatchEnd {
    /// How the watchdog reports it: "server-gone" or "stopped-idle".
    pub fn name(&self) -> &'static str {
        match self {
            WatchEnd::ServerGone => "server-gone",
            WatchEnd::StoppedIdle => "stopped-idle",
        }
    }
}

fn check_interval(timeout: Duration) -> Duration {
    (timeout / 5).clamp(MIN_CHECK, MAX_CHECK)
}

/// What the Spark UI says about running jobs.
#[derive(Debug, PartialEq, Eq)]
enum Jobs {
    Running(usize),
    /// Nothing listens on the UI port: the UI is disabled, so jobs cannot be seen.
    NoUi,
    /// Something listens but did not answer usefully in time (a busy driver): unknown.
    Unknown,
}

/// Running Spark jobs of the server's application, as its UI's REST API lists them.
fn running_jobs(ui_port: u16, key: Option<&str>) -> Jobs {
    let json = |path: &str| -> std::result::Result<serde_json::Value, Jobs> {
        let body = spark_ui::get(ui_port, key, path, UI_TIMEOUT).map_err(|e| match e {
            UiError::Off => Jobs::NoUi,
            // Refused (403), unsigned, or no answer in time: not "no jobs".
            _ => Jobs::Unknown,
        })?;
        serde_json::from_slice(&body).map_err(|_| Jobs::Unknown)
    };
    let count = || -> std::result::Result<usize, Jobs> {
        let apps = json("/api/v1/applications")?;
        let mut running = 0;
        for app in apps.as_array().ok_or(Jobs::Unknown)? {
            let id = app
                .get("id")
                .and_then(|v| v.as_str())
                .ok_or(Jobs::Unknown)?;
            let jobs = json(&format!("/api/v1/applications/{id}/jobs?status=running"))?;
            running += jobs.as_array().ok_or(Jobs::Unknown)?.len();
        }
        Ok(running)
    };
    count().map_or_else(|why| why, Jobs::Running)
}

/// Whether anyone uses the server: an attached kernel or a running job.
fn in_use(home: &Home, server: &ServerState) -> bool {
    let (kernels, _) = leases::live_unlocked(home);
    if !kernels.is_empty() {
        tracing::debug!(attached = ?kernels, "server in use by attached kernels");
        return true;
    }
    match running_jobs(server.ui_port, server.ui_key.as_deref()) {
        Jobs::Running(0) => false,
        Jobs::Running(jobs) => {
            tracing::debug!(jobs, "server in use by running jobs");
            true
        }
        Jobs::NoUi => {
            tracing::debug!("the Spark UI is off, so running jobs cannot be seen; counting none");
            false
        }
        Jobs::Unknown => {
            // Never stop a server that may be running a job: wait for a clear answer.
            tracing::info!("the Spark UI did not say whether jobs run; counting the server busy");
            true
        }
    }
}

/// Watches the server (`pid`, `start_time`) recorded in `home` and stops it after `timeout`
/// without use. Returns when the server is gone, whoever stopped it.
pub fn watch(
    home: &Home,
    pid: i32,
    start_time: u64,
    timeout: Duration,
    check_interrupt: CheckInterrupt,
) -> Result<WatchEnd> {
    let every = check_interval(timeout);
    tracing::info!(
        pid,
        timeout_s = timeout.as_secs_f64(),
        check_every_ms = every.as_millis() as u64,
        "watching the Spark Connect server for idleness"
    );
    let ours = |rs: &ReadState| {
        matches!(rs, ReadState::Valid(s)
            if s.pid == pid && s.pid_start_time == start_time && s.phase == Phase::Ready)
    };
    let mut idle_since = Instant::now();
    let mut last_check: Option<Instant> = None;
    loop {
        if !process::is_alive(pid, start_time) {
            tracing::info!(pid, "the server is gone; the watchdog exits");
            return Ok(WatchEnd::ServerGone);
        }
        if due(last_check, every) {
            last_check = Some(Instant::now());
            let recorded = state::read(home);
            let server = match &recorded {
                ReadState::Valid(s) if ours(&recorded) => s,
                // Not (or no longer) the recorded server: a stop or restart is under way, and
                // the process will be gone in a moment.
                _ => {
                    idle_since = Instant::now();
                    check_interrupt()?;
                    std::thread::sleep(TICK);
                    continue;
                }
            };
            if in_use(home, server) {
                idle_since = Instant::now();
            } else if idle_since.elapsed() >= timeout {
                // Decide again under the lock: a kernel may be attaching right now.
                let _lock = lock::acquire(home, check_interrupt)?;
                let recorded = state::read(home);
                if let ReadState::Valid(server) = &recorded {
                    if ours(&recorded) && !in_use(home, server) {
                        tracing::info!(
                            pid,
                            idle_s = idle_since.elapsed().as_secs_f64(),
                            "no kernel attached and no job running for the idle timeout; \
                             stopping the server"
                        );
                        recorded::stop(home, server, STOP_GRACE, check_interrupt)?;
                        return Ok(WatchEnd::StoppedIdle);
                    }
                }
                idle_since = Instant::now();
            }
        }
        check_interrupt()?;
        std::thread::sleep(TICK);
    }
}

/// Launches the watchdog of a ready server with an idle timeout: `PYTHON -m
/// sparkconnect.server.detached.watchdog HOME PID START_TIME TIMEOUT`, detached in its own
/// session (it outlives the kernel), logging to the home's watchdog log. `python` is the launching kernel's
/// own interpreter, which has sparkconnect installed. A watchdog that cannot start is logged: the
/// server runs, but will not stop by itself when idle.
pub fn spawn_watchdog(home: &Home, server: &ServerState, python: &str) {
    let Some(timeout) = server.idle_timeout else {
        return;
    };
    let args = [
        home.dir().as_os_str().to_owned(),
        server.pid.to_string().into(),
        server.pid_start_time.to_string().into(),
        timeout.to_string().into(),
    ];
    match process::spawn_helper(
        python,
        "sparkconnect.server.detached.watchdog",
        args,
        &home.watchdog_log(),
        false,
    ) {
        Ok(pid) => tracing::info!(
            pid,
            server_pid = server.pid,
            timeout_s = timeout,
            "started the idle watchdog"
        ),
        Err(e) => tracing::warn!(error = %e, "the server runs without its idle watchdog"),
    }
}

/// True when a check never ran or ran at least `every` ago.
fn due(last: Option<Instant>, every: Duration) -> bool {
    last.map_or(true, |at| at.elapsed() >= every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::no_interrupt;
    use crate::spark_ui::stand_in::{serve, KEY};

    #[test]
    fn check_interval_is_bounded() {
        assert_eq!(check_interval(Duration::from_secs(1)), MIN_CHECK);
        assert_eq!(
            check_interval(Duration::from_secs(10)),
            Duration::from_secs(2)
        );
        assert_eq!(check_interval(Duration::from_secs(3600)), MAX_CHECK);
    }

    #[test]
    fn counts_running_jobs_from_the_ui() {
        let port = serve(vec![
            r#"[{"id": "local-1"}]"#,
            r#"[{"jobId": 3}, {"jobId": 4}]"#,
        ]);
        assert_eq!(running_jobs(port, Some(KEY)), Jobs::Running(2));
        let port = serve(vec![r#"[{"id": "local-1"}]"#, "[]"]);
        assert_eq!(running_jobs(port, Some(KEY)), Jobs::Running(0));
        // An answer that says nothing is not "no jobs".
        let port = serve(vec!["not json"]);
        assert_eq!(running_jobs(port, Some(KEY)), Jobs::Unknown);
        // Nothing listening: the UI is off.
        let free = crate::launch::pick_free_port().unwrap();
        assert_eq!(running_jobs(free, Some(KEY)), Jobs::NoUi);
    }

    #[test]
    fn a_refused_request_is_unknown_never_idle() {
        // Unsigned, or signed with another key: the UI refuses, and the server counts as busy.
        let port = serve(vec![r#"[{"id": "local-1"}]"#]);
        assert_eq!(running_jobs(port, None), Jobs::Unknown);
        let other = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
        let port = serve(vec![r#"[{"id": "local-1"}]"#]);
        assert_eq!(running_jobs(port, Some(other)), Jobs::Unknown);
    }

    #[test]
    fn stops_an_idle_server_but_not_one_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let home = &Home::new(dir.path());
        let (s, reaper) = state::record_stand_in(home, |s| {
            // No UI listens on this port (as with spark.ui.enabled=false): jobs count as none.
            s.ui_port = crate::launch::pick_free_port().unwrap();
        });

        // While this test process holds a lease, the watchdog never stops the server; it is
        // asked to give up (interrupted) after a few checks past the timeout.
        let me = std::process::id() as i32;
        leases::acquire(home, me).unwrap();
        let checks = std::cell::Cell::new(0);
        let began = Instant::now();
        let give_up = || {
            checks.set(checks.get() + 1);
            if began.elapsed() > Duration::from_millis(1500) {
                Err(crate::errors::CoreError::Interrupted)
            } else {
                Ok(())
            }
        };
        assert!(watch(
            home,
            s.pid,
            s.pid_start_time,
            Duration::from_millis(300),
            &give_up
        )
        .is_err());
        assert!(process::is_alive(s.pid, s.pid_start_time));

        leases::release(home, me).unwrap();
        let end = watch(
            home,
            s.pid,
            s.pid_start_time,
            Duration::from_millis(300),
            &no_interrupt,
        )
        .unwrap();
        assert_eq!(end, WatchEnd::StoppedIdle);
        reaper.join().unwrap();
        assert_eq!(state::read(home), ReadState::Missing);
        // Nothing left to watch.
        assert_eq!(
            watch(
                home,
                s.pid,
                s.pid_start_time,
                Duration::from_secs(1),
                &no_interrupt
            )
            .unwrap(),
            WatchEnd::ServerGone
        );
    }
}
