//! Orchestration: start (attach or launch, or restart), stop, release and status.
//!
//! Every step that changes what runs happens under the lock, so concurrent notebooks agree on
//! one server. `status` and `release` do not take it: they only read, or touch the caller's own
//! lease file.

use std::path::PathBuf;
use std::time::Duration;

use crate::errors::{Cause, CheckInterrupt, CoreError, Result};
use crate::home::Home;
use crate::launch::{self, LaunchSpec};
use crate::readiness::{self, Probe};
use crate::state::{self, Phase, ReadState, ServerState};
use crate::{conf, idle, leases, lock, process, recorded};

/// Grace given to a server found alive but no longer listening, before relaunching.
const BROKEN_SERVER_GRACE: Duration = Duration::from_secs(10);
/// One protocol-level probe of a server we are about to attach to.
const ATTACH_PROBE: Duration = Duration::from_secs(1);
/// How long an attach keeps probing a server that is alive and accepts connections but does
/// not answer (a long GC pause, heavy load) before calling it hung.
const HUNG_AFTER: Duration = Duration::from_secs(10);

/// What a start needs: whose lease, what to launch if it launches, and whether it replaces the
/// running server.
#[derive(Debug)]
pub struct StartParams {
    pub lease_pid: i32,
    pub launch: LaunchSpec,
    /// How long a launched (or adopted) server may take to accept connections.
    pub timeout: Duration,
    /// The interpreter that runs the detached helpers (idle watchdog, archive builder): the
    /// caller's own, which has sparkconnect (`launch.python`, the server's worker interpreter,
    /// may be another environment).
    pub helper_python: String,
    /// `Some(grace)`: a restart. The running server is stopped whoever is attached (leases are
    /// kept; SIGKILL after `grace`) and a new one launched. `None`: attach to the running
    /// server, or launch one.
    pub restart: Option<Duration>,
    /// A restart goes ahead even when other processes hold leases (their sessions end with the
    /// server). Without it, such a restart is refused, saying how many would be affected.
    pub force: bool,
}

#[derive(Debug)]
pub struct StartOutcome {
    pub server: ServerState,
    pub launched: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct StopOutcome {
    pub stopped: bool,
    pub was_running: bool,
    pub remaining: Vec<i32>,
}

#[derive(Debug)]
pub struct StatusReport {
    /// Set when the recorded server process is alive (its `phase` says whether it is ready).
    pub running: Option<ServerState>,
    pub attached: Vec<i32>,
    pub problem: Option<String>,
    pub log_path: PathBuf,
}

impl StatusReport {
    /// "running", "starting" (launched, not yet accepting connections) or "stopped".
    pub fn state(&self) -> &'static str {
        match &self.running {
            None => "stopped",
            Some(s) if s.phase == Phase::Starting => "starting",
            Some(_) => "running",
        }
    }
}

/// Marks a server ready in the state and starts its idle watchdog when it has a timeout.
fn record_ready(home: &Home, server: &mut ServerState, helper_python: &str) -> Result<()> {
    server.phase = Phase::Ready;
    state::write(home, server)?;
    idle::spawn_watchdog(home, server, helper_python);
    Ok(())
}

/// Launches a server, waits until it accepts connections and records it. The state is written
/// as soon as the process exists (phase `Starting`), so if this kernel is killed mid-launch the
/// next start finds the half-started server and adopts it. On failure nothing keeps running
/// and no state file is left.
fn launch_recorded(
    home: &Home,
    params: &StartParams,
    check_interrupt: CheckInterrupt,
) -> Result<ServerState> {
    let mut launched = launch::launch(home, &params.launch)?;
    let early = if launched.state.pid_start_time == 0 {
        // Already gone: readiness reports why; there is nothing to adopt.
        Ok(())
    } else {
        state::write(home, &launched.state)
    };
    let ready =
        early.and_then(|()| readiness::wait_ready(&mut launched, params.timeout, check_interrupt));
    let recorded = ready.and_then(|()| {
        if launched.state.pid_start_time == 0 {
            launched.state.pid_start_time =
                process::start_time(launched.state.pid).ok_or_else(|| {
                    CoreError::Start(
                        Cause::Exited,
                        "The server exited right after start-up.".into(),
                    )
                })?;
        }
        launched.state.phase = Phase::Ready;
        launched.state.class_archive = launched
            .archive
            .mapped_by(launched.state.pid, &launched.state.log_path);
        state::write(home, &launched.state)
    });
    if let Err(e) = recorded {
        // wait_ready already stopped the process when it failed; this covers a failed write.
        if launched.child.try_wait().ok().flatten().is_none() {
            process::stop_child_group(&mut launched.child, Duration::from_secs(3));
        }
        launched.archive.discard();
        let _ = recorded::forget(home);
        if launched.command.is_direct() && exited_during_start(&e) {
            // The recorded command no longer starts a server (a stale or damaged entry that
            // its key did not catch): drop it, and let spark-submit compute a new one.
            tracing::warn!(error = %e, "the recorded launch command failed; launching through spark-submit");
            launched.command.forget();
            return launch_recorded(home, params, check_interrupt);
        }
        return Err(e);
    }
    launched
        .command
        .record(launched.state.pid, &launched.passed_env);
    let server = launched.state.clone();
    launch::remember_ports(home, &server);
    process::reap_in_background(launched.child);
    idle::spawn_watchdog(home, &server, &params.helper_python);
    launched
        .archive
        .start_builder(&server, &params.helper_python);
    Ok(server)
}

/// Whether a launch failed because its process exited before it was ready (not a timeout, an
/// interrupt or a failed write).
fn exited_during_start(e: &CoreError) -> bool {
    matches!(e, CoreError::Start(cause, _) if *cause != Cause::Timeout)
}

/// What an attach found when checking a live, ready server.
enum Health {
    Answers,
    /// Nothing listens on its port any more.
    Broken,
}

/// Checks that a live recorded server answers at the protocol level, bounded in time: a
/// stopped process is reported at once, a hung one after `HUNG_AFTER`.
fn check_answers(server: &ServerState, check_interrupt: CheckInterrupt) -> Result<Health> {
    let began = std::time::Instant::now();
    loop {
        if process::is_stopped(server.pid, server.pid_start_time) {
            return Err(CoreError::Start(
                Cause::NotAnswering,
                readiness::not_answering(server, began.elapsed()),
            ));
        }
        match readiness::probe_protocol(server.port, ATTACH_PROBE) {
            Probe::Accepts => return Ok(Health::Answers),
            Probe::Refused => return Ok(Health::Broken),
            Probe::NoAnswer if began.elapsed() >= HUNG_AFTER => {
                return Err(CoreError::Start(
                    Cause::NotAnswering,
                    readiness::not_answering(server, began.elapsed()),
                ))
            }
            Probe::NoAnswer => {
                tracing::warn!(port = server.port, "the server is slow to answer");
                check_interrupt()?;
            }
        }
    }
}

/// Refuses bad arguments before anything takes the lock or touches a process.
fn check_start(home: &Home, params: &StartParams) -> Result<()> {
    home.ensure()?;
    conf::validate(&params.launch.conf)?;
    launch::validate_env(&params.launch.env)?;
    leases::check_holder(params.lease_pid).map(drop)
}

/// Under the lock, with no usable server: clears strays, launches, and leases it to the caller.
fn launch_and_lease(
    home: &Home,
    params: &StartParams,
    check_interrupt: CheckInterrupt,
) -> Result<StartOutcome> {
    recorded::sweep_strays(home, check_interrupt)?;
    let server = launch_recorded(home, params, check_interrupt)?;
    leases::acquire(home, params.lease_pid)?;
    Ok(StartOutcome {
        server,
        launched: true,
    })
}

/// Under the lock, with a live recorded server: makes it usable and leases it to the caller,
/// or stops or forgets it (`None`) so that a new one is launched.
fn attach(
    home: &Home,
    mut server: ServerState,
    params: &StartParams,
    check_interrupt: CheckInterrupt,
) -> Result<Option<StartOutcome>> {
    let usable = if server.phase == Phase::Starting {
        // Seen under the lock, a starting server has lost its launcher (a kernel killed
        // mid-launch): finish its start instead of launching a second one.
        match readiness::wait_adopted(&server, params.timeout, check_interrupt) {
            Ok(true) => {
                record_ready(home, &mut server, &params.helper_python)?;
                true
            }
            Ok(false) => {
                tracing::info!(
                    pid = server.pid,
                    "the half-started server died; relaunching"
                );
                recorded::forget(home)?;
                false
            }
            Err(e) => {
                recorded::stop(home, &server, BROKEN_SERVER_GRACE, check_interrupt)?;
                return Err(e);
            }
        }
    } else {
        match check_answers(&server, check_interrupt)? {
            Health::Answers => true,
            Health::Broken => {
                tracing::warn!(
                    pid = server.pid,
                    port = server.port,
                    "the server process is alive but its port refuses connections; \
                     replacing it"
                );
                recorded::stop(home, &server, BROKEN_SERVER_GRACE, check_interrupt)?;
                false
            }
        }
    };
    if !usable {
        return Ok(None);
    }
    leases::acquire(home, params.lease_pid)?;
    tracing::info!(
        pid = server.pid,
        port = server.port,
        lease_pid = params.lease_pid,
        "attached to the running Spark Connect server"
    );
    Ok(Some(StartOutcome {
        server,
        launched: false,
    }))
}

/// Refuses a restart (under the lock) that would end the sessions of processes other than the
/// caller, as a stop without `force` would not stop the server under them.
fn refuse_if_others_attached(home: &Home, lease_pid: i32) -> Result<()> {
    let others: Vec<i32> = leases::live(home)
        .into_iter()
        .filter(|pid| *pid != lease_pid)
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    let pids: Vec<String> = others.iter().map(i32::to_string).collect();
    let (who, theirs) = match others.len() {
        1 => ("1 other notebook is".to_owned(), "its session"),
        n => (format!("{n} other notebooks are"), "their sessions"),
    };
    Err(CoreError::Server(format!(
        "Not restarted: {who} attached to the Spark Connect server (pid {}), and a restart \
         would end {theirs}. Restart with --force to do it anyway.",
        pids.join(", ")
    )))
}

/// Attaches to the running server or launches one (a restart: stops the running one first), and
/// registers a lease for the caller.
pub fn start(
    home: &Home,
    params: &StartParams,
    check_interrupt: CheckInterrupt,
) -> Result<StartOutcome> {
    check_start(home, params)?;
    let _lock = lock::acquire(home, check_interrupt)?;
    if let Some(server) = recorded::current(home)? {
        match params.restart {
            Some(grace) => {
                if !params.force {
                    refuse_if_others_attached(home, params.lease_pid)?;
                }
                recorded::stop(home, &server, grace, check_interrupt)?
            }
            None => {
                if let Some(attached) = attach(home, server, params, check_interrupt)? {
                    return Ok(attached);
                }
            }
        }
    }
    launch_and_lease(home, params, check_interrupt)
}

/// Releases the caller's lease; stops the server when nobody else holds one, or when `force`.
pub fn stop(
    home: &Home,
    lease_pid: i32,
    force: bool,
    grace: Duration,
    check_interrupt: CheckInterrupt,
) -> Result<StopOutcome> {
    if !home.dir().exists() {
        // Never started anything here.
        return Ok(StopOutcome {
            stopped: false,
            was_running: false,
            remaining: Vec::new(),
        });
    }
    home.check()?;
    let _lock = lock::acquire(home, check_interrupt)?;
    leases::release(home, lease_pid)?;
    let server = recorded::current(home)?;
    let remaining = leases::live(home);
    let Some(server) = server else {
        if force {
            leases::clear(home)?;
            recorded::sweep_strays(home, check_interrupt)?;
        }
        return Ok(StopOutcome {
            stopped: false,
            was_running: false,
            remaining: Vec::new(),
        });
    };
    if !remaining.is_empty() && !force {
        tracing::info!(
            remaining = ?remaining,
            "other notebooks still use the server; leaving it running"
        );
        return Ok(StopOutcome {
            stopped: false,
            was_running: true,
            remaining,
        });
    }
    recorded::stop(home, &server, grace, check_interrupt)?;
    if force {
        leases::clear(home)?;
    }
    Ok(StopOutcome {
        stopped: true,
        was_running: true,
        remaining: Vec::new(),
    })
}

/// Drops the caller's lease without stopping anything.
pub fn release(home: &Home, lease_pid: i32) -> Result<()> {
    leases::release(home, lease_pid)
}

/// What runs, who is attached, and why a state file was ignored. Never fails.
pub fn status(home: &Home) -> StatusReport {
    let log_path = home.server_log();
    let (attached, lock_free) = if home.dir().is_dir() {
        leases::live_unlocked(home)
    } else {
        (Vec::new(), false)
    };
    let (running, problem) = match state::read(home) {
        ReadState::Missing => (None, None),
        ReadState::Invalid(reason) => (None, Some(reason)),
        ReadState::Valid(s) if process::is_stopped(s.pid, s.pid_start_time) => {
            let why = readiness::not_answering(&s, Duration::ZERO);
            (Some(s), Some(why))
        }
        ReadState::Valid(s) if s.phase == Phase::Starting && lock_free => {
            // Nobody holds the lock, so nobody is launching it: its launcher died.
            let why = format!(
                "the server (pid {}) was being started by a notebook that is gone; the next \
                 `%spark start` finishes its start-up and attaches to it",
                s.pid
            );
            (Some(s), Some(why))
        }
        ReadState::Valid(s) if process::is_alive(s.pid, s.pid_start_time) => (Some(s), None),
        // Gone while a stop was under way: stopped, as asked; the stopper removes the record.
        ReadState::Valid(s) if s.phase == Phase::Stopping => (None, None),
        ReadState::Valid(s) => (
            None,
            Some(format!(
                "the server recorded in {} (pid {}, port {}) is no longer running; it exited \
                 or was killed (see its log {})",
                home.state().display(),
                s.pid,
                s.port,
                s.log_path
            )),
        ),
    };
    StatusReport {
        running,
        attached,
        problem,
        log_path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::Conf;
    use crate::errors::no_interrupt;
    use crate::installation;
    use std::path::Path;

    #[test]
    fn status_of_an_empty_home() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let report = status(&home);
        assert!(report.running.is_none());
        assert_eq!(report.state(), "stopped");
        assert!(report.problem.is_none());
        assert!(report.attached.is_empty());
        assert_eq!(report.log_path, dir.path().join("server.log"));
        let missing = status(&Home::new(dir.path().join("nope")));
        assert!(missing.running.is_none());
    }

    #[test]
    fn a_server_gone_during_its_stop_is_stopped_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let s = ServerState {
            phase: Phase::Stopping,
            ..state::sample_gone()
        };
        state::write(&home, &s).unwrap();
        let report = status(&home);
        assert!(report.running.is_none());
        assert!(report.problem.is_none(), "{:?}", report.problem);
    }

    #[test]
    fn dead_server_is_a_problem_and_stop_cleans_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        state::write(&home, &state::sample_gone()).unwrap();
        let report = status(&home);
        assert!(report.running.is_none());
        assert!(report.problem.unwrap().contains("no longer running"));

        let me = std::process::id() as i32;
        leases::acquire(&home, me).unwrap();
        let out = stop(&home, me, false, Duration::from_secs(1), &no_interrupt).unwrap();
        assert_eq!(
            out,
            StopOutcome {
                stopped: false,
                was_running: false,
                remaining: vec![]
            }
        );
        assert_eq!(state::read(&home), ReadState::Missing);
        assert!(leases::live(&home).is_empty());
    }

    #[test]
    fn invalid_state_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        std::fs::write(home.state(), "{ truncated").unwrap();
        let report = status(&home);
        assert!(report.problem.unwrap().contains("not valid JSON"));
    }

    /// A stand-in SPARK_HOME whose spark-submit listens on the gRPC port from the properties
    /// file (or fails, with `fail` as its log output), so the orchestration runs end to end in
    /// milliseconds without Spark. The script records its environment next to the properties.
    fn fake_spark_home(dir: &Path, fail: Option<&str>) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let sh = dir.join("spark");
        std::fs::create_dir_all(sh.join("bin")).unwrap();
        std::fs::create_dir_all(sh.join("jars")).unwrap();
        for jar in ["spark-connect_2.13-4.0.1.jar", "spark-core_2.13-4.0.1.jar"] {
            std::fs::write(sh.join("jars").join(jar), "").unwrap();
        }
        let body = match fail {
            Some(output) => format!("echo '{output}'\nexit 1\n"),
            // Answers each connection's HTTP/2 preface with an empty SETTINGS frame, which is
            // all the core's protocol probe asks of a server.
            None => "exec python3 -c 'import socket, sys\n\
                     s = socket.socket()\n\
                     s.bind((\"127.0.0.1\", int(sys.argv[1])))\n\
                     s.listen()\n\
                     s.settimeout(60)\n\
                     while True:\n\
                     \x20   c, _ = s.accept()\n\
                     \x20   c.recv(64)\n\
                     \x20   c.sendall(bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))\n\
                     \x20   c.close()' \"$port\"\n"
                .to_owned(),
        };
        let script = format!(
            "#!/bin/sh\n\
             while [ $# -gt 0 ]; do\n\
               [ \"$1\" = --properties-file ] && props=\"$2\"\n\
               shift\n\
             done\n\
             port=$(sed -n 's/^spark.connect.grpc.binding.port=//p' \"$props\")\n\
             env > \"$(dirname \"$props\")/fake-env\"\n\
             {body}"
        );
        let submit = sh.join("bin/spark-submit");
        std::fs::write(&submit, script).unwrap();
        std::fs::set_permissions(&submit, std::fs::Permissions::from_mode(0o755)).unwrap();
        sh
    }

    /// The fake server needs python3, and a launch needs java; skip where they are missing.
    fn can_fake() -> bool {
        installation::find_java().is_ok()
            && std::process::Command::new("python3")
                .arg("-c")
                .arg("")
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
    }

    /// A launch of the fake Spark, without a start-up archive.
    fn spec(spark_home: &Path, conf: &Conf) -> LaunchSpec {
        LaunchSpec {
            conf: conf.clone(),
            archive_cache: None,
            ..LaunchSpec::new(spark_home.to_path_buf(), "/usr/bin/python3".into())
        }
    }

    fn params(lease_pid: i32, spark_home: &Path, conf: &Conf) -> StartParams {
        StartParams {
            lease_pid,
            launch: spec(spark_home, conf),
            timeout: Duration::from_secs(20),
            helper_python: "/usr/bin/python3".into(),
            restart: None,
            force: false,
        }
    }

    #[test]
    fn start_attach_stop_with_a_fake_server() {
        if !can_fake() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("home"));
        let sh = fake_spark_home(dir.path(), None);
        let conf = Conf::from([("spark.executor.memory".into(), "1g".into())]);
        let me = std::process::id() as i32;
        let parent = nix::unistd::getppid().as_raw();
        // Stops the fake server even when an assertion fails.
        struct Cleanup<'a>(&'a Home, i32);
        impl Drop for Cleanup<'_> {
            fn drop(&mut self) {
                let _ = stop(self.0, self.1, true, Duration::from_secs(1), &no_interrupt);
            }
        }
        let _cleanup = Cleanup(&home, me);

        let first = start(&home, &params(me, &sh, &conf), &no_interrupt).unwrap();
        assert!(first.launched);
        let pid = first.server.pid;
        assert!(process::is_alive(pid, first.server.pid_start_time));
        // Its own session and process group.
        assert_eq!(
            nix::unistd::getpgid(Some(nix::unistd::Pid::from_raw(pid)))
                .unwrap()
                .as_raw(),
            pid
        );
        // The token is in the environment, never on the command line.
        let env = std::fs::read_to_string(home.dir().join("fake-env")).unwrap();
        assert!(env.contains(&format!(
            "SPARK_CONNECT_AUTHENTICATE_TOKEN={}",
            first.server.token
        )));
        assert!(env.contains("SPARK_LOCAL_IP=127.0.0.1"));
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        assert!(!String::from_utf8_lossy(&cmdline).contains(&first.server.token));
        let props = std::fs::read_to_string(home.properties()).unwrap();
        assert!(props.contains("spark.executor.memory=1g"));
        assert!(props.contains("spark.connect.grpc.binding.address=127.0.0.1"));
        assert_eq!(first.server.conf, conf);

        let second = start(&home, &params(parent, &sh, &conf), &no_interrupt).unwrap();
        assert!(!second.launched);
        assert_eq!(second.server, first.server);
        let report = status(&home);
        assert_eq!(report.running.as_ref(), Some(&first.server));
        assert_eq!(report.state(), "running");
        let mut both = vec![me, parent];
        both.sort_unstable();
        assert_eq!(report.attached, both);

        let kept = stop(&home, me, false, Duration::from_secs(5), &no_interrupt).unwrap();
        assert_eq!(kept.remaining, vec![parent]);
        assert!(!kept.stopped);

        let restart = StartParams {
            restart: Some(Duration::from_secs(5)),
            ..params(me, &sh, &conf)
        };
        // The parent still holds a lease: a restart without force would end its session.
        match start(&home, &restart, &no_interrupt) {
            Err(CoreError::Server(m)) => {
                assert!(m.contains("1 other notebook is attached"), "{m}");
                assert!(m.contains(&format!("(pid {parent})")), "{m}");
                assert!(m.contains("--force"), "{m}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(process::is_alive(pid, first.server.pid_start_time));
        let restart = StartParams {
            force: true,
            ..restart
        };
        let restarted = start(&home, &restart, &no_interrupt).unwrap();
        assert!(restarted.launched);
        assert_ne!(restarted.server.pid, pid);
        // Reaped by this process, which launched it: gone, not a zombie.
        assert!(process::start_time(pid).is_none());
        // Leases survive a restart.
        assert_eq!(status(&home).attached, both);

        let gone = stop(&home, me, true, Duration::from_secs(5), &no_interrupt).unwrap();
        assert!(gone.stopped && gone.was_running);
        assert!(!process::is_alive(
            restarted.server.pid,
            restarted.server.pid_start_time
        ));
        assert_eq!(state::read(&home), ReadState::Missing);
        assert!(!home.properties().exists());
        assert!(status(&home).attached.is_empty());
    }

    #[test]
    fn a_starting_server_whose_launcher_died_is_adopted() {
        if !can_fake() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("home"));
        home.ensure().unwrap();
        let sh = fake_spark_home(dir.path(), None);
        let conf = Conf::new();
        let me = std::process::id() as i32;
        // What a launcher leaves when killed mid-launch: a spawned server recorded as starting,
        // and no one waiting for it.
        let launched = launch::launch(&home, &spec(&sh, &conf)).unwrap();
        assert_eq!(launched.state.phase, Phase::Starting);
        state::write(&home, &launched.state).unwrap();
        assert_eq!(status(&home).state(), "starting");
        let pid = launched.state.pid;
        process::reap_in_background(launched.child);

        let adopted = start(&home, &params(me, &sh, &conf), &no_interrupt).unwrap();
        assert!(!adopted.launched);
        assert_eq!(adopted.server.pid, pid);
        assert_eq!(adopted.server.phase, Phase::Ready);
        match state::read(&home) {
            ReadState::Valid(s) => assert_eq!((s.pid, s.phase), (pid, Phase::Ready)),
            other => panic!("expected the adopted server recorded, got {other:?}"),
        }
        let gone = stop(&home, me, true, Duration::from_secs(5), &no_interrupt).unwrap();
        assert!(gone.stopped);
        process::wait_reaped(pid, Duration::from_secs(5));
        assert!(process::start_time(pid).is_none());
    }

    #[test]
    fn failed_start_leaves_nothing_behind() {
        if !can_fake() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path().join("home"));
        let sh = fake_spark_home(
            dir.path(),
            Some("java.net.BindException: Address already in use"),
        );
        let conf = Conf::new();
        let me = std::process::id() as i32;
        match start(&home, &params(me, &sh, &conf), &no_interrupt) {
            Err(CoreError::Start(cause, m)) => {
                assert_eq!(cause, Cause::PortInUse);
                assert!(m.contains("exit code 1"), "{m}");
                assert!(m.contains("already in use"), "{m}");
                assert!(m.contains("    java.net.BindException"), "{m}");
            }
            other => panic!("expected StartError, got {other:?}"),
        }
        assert_eq!(state::read(&home), ReadState::Missing);
        assert!(!home.properties().exists());
        assert!(leases::live(&home).is_empty());
    }

    #[test]
    fn stop_keeps_a_server_other_leases_use_then_stops_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = &Home::new(dir.path());
        let (_, reaper) = state::record_stand_in(home, |_| {});

        let me = std::process::id() as i32;
        // Another live process holding a lease: this test binary's parent.
        let parent = nix::unistd::getppid().as_raw();
        leases::acquire(home, me).unwrap();
        leases::acquire(home, parent).unwrap();
        assert_eq!(status(home).attached.len(), 2);

        let out = stop(home, me, false, Duration::from_secs(5), &no_interrupt).unwrap();
        assert_eq!(
            out,
            StopOutcome {
                stopped: false,
                was_running: true,
                remaining: vec![parent]
            }
        );
        assert!(status(home).running.is_some());

        let out = stop(home, me, true, Duration::from_secs(5), &no_interrupt).unwrap();
        assert!(out.stopped && out.was_running);
        reaper.join().unwrap();
        let report = status(home);
        assert!(report.running.is_none() && report.problem.is_none());
        assert!(report.attached.is_empty());
    }
}
