//! Launching the Spark Connect server process.
//!
//! One detached process in its own session (setsid), running the server class through
//! `$SPARK_HOME/bin/spark-submit`, or directly the `java` command an earlier spark-submit
//! launch computed (see `launch_command.rs`), with stdout and stderr in the home's server log. Secrets stay
//! off the command line, where `ps` shows them to every user: the token goes in the
//! environment, the user conf in a 0600 properties file.

use std::env;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::archive::{self, Installation, Plan};
use crate::conf::{self, Conf, KEY_UI_PORT};
use crate::errors::{Cause, CoreError, Result};
use crate::home::Home;
use crate::installation::{self, Found, INSTALL_HINT, SERVER_CLASS};
use crate::java_choice;
use crate::launch_command::{self, Env, KeyInputs};
use crate::log_settings;
use serde::{Deserialize, Serialize};

use crate::state::{Phase, ServerState, SCHEMA};
use crate::{fsutil, process, uiauth};

const TOKEN_ENV: &str = "SPARK_CONNECT_AUTHENTICATE_TOKEN";

/// The URL with the token a notebook exports for the scripts it runs (session/child_env.py).
const CHILD_REMOTE_ENV: &str = "SPARKCONNECT_CHILD_REMOTE";

/// Inherited variables that would turn the server itself into a Connect client or make it talk
/// to the kernel's py4j gateway, or hand it (and its Python workers) the token of the server a
/// restarting kernel was attached to.
const SCRUBBED_ENV: &[&str] = &[
    "SPARK_REMOTE",
    "SPARK_CONNECT_MODE_ENABLED",
    "SPARK_LOCAL_REMOTE",
    TOKEN_ENV,
    CHILD_REMOTE_ENV,
];
const SCRUBBED_ENV_PREFIX: &str = "PYSPARK_GATEWAY_";

/// Whether a launch removes `key` from the environment the server inherits.
fn is_scrubbed(key: &OsStr) -> bool {
    let key = key.to_string_lossy();
    SCRUBBED_ENV.contains(&key.as_ref()) || key.starts_with(SCRUBBED_ENV_PREFIX)
}

/// What to launch (the home aside).
#[derive(Debug)]
pub struct LaunchSpec {
    pub spark_home: PathBuf,
    /// The interpreter of the server's Python workers (PYSPARK_PYTHON).
    pub python: String,
    /// The user conf, already validated.
    pub conf: Conf,
    /// gRPC port; `None` picks a free one.
    pub port: Option<u16>,
    /// Extra environment for the server (a profile's `env`), already validated.
    pub env: Conf,
    /// Recorded for the watchdog (see `idle.rs`).
    pub idle_timeout: Option<Duration>,
    /// Where start-up archives are kept (see `archive.rs`); `None`: no archive.
    pub archive_cache: Option<PathBuf>,
    /// Where launch commands are kept (see `launch_command.rs`); `None`: always spark-submit.
    pub launch_cache: Option<PathBuf>,
    /// Recorded in the state (`ServerState::launched_by`).
    pub launched_by: Option<String>,
    /// The server's working directory (an existing directory); `None`: the caller's. Python
    /// passes a fixed per-user directory, so the server never works in whichever folder the
    /// launching notebook happened to be in.
    pub work_dir: Option<PathBuf>,
    /// Text written at the top of a launched server's fresh log, before the server's own lines:
    /// the output of a profile's set-up script, which ran just before and belongs to this
    /// server's story (`%spark logs` shows it; the previous log is rotated away at launch).
    pub log_preamble: Option<String>,
}

impl LaunchSpec {
    /// A launch of the Spark in `spark_home` with its defaults: no conf, extra environment or
    /// idle timeout, a free port, and start-up archives in the user's cache.
    pub fn new(spark_home: PathBuf, python: String) -> Self {
        let archive_cache = archive::cache_dir();
        LaunchSpec {
            launch_cache: archive_cache.as_deref().and_then(launch_command::cache_dir),
            spark_home,
            python,
            conf: Conf::new(),
            port: None,
            env: Conf::new(),
            idle_timeout: None,
            archive_cache,
            launched_by: None,
            work_dir: None,
            log_preamble: None,
        }
    }
}

/// Checks environment variables a user asks the server to run with.
pub fn validate_env(env: &Conf) -> Result<()> {
    for (name, value) in env {
        let bad_name = name.is_empty()
            || name.contains('=')
            || name.chars().any(|c| c.is_control() || c.is_whitespace());
        if bad_name {
            return Err(CoreError::Conf(format!(
                "{name:?} is not a valid environment variable name: use letters, digits and \
                 underscores, e.g. HADOOP_CONF_DIR."
            )));
        }
        if value.contains('\0') {
            return Err(CoreError::Conf(format!(
                "The value of environment variable {name} contains a NUL character."
            )));
        }
    }
    Ok(())
}

/// A spawned (not yet ready) server: the child handle, the record to persist once it is up,
/// and what it does about the start-up archive.
pub struct Launched {
    pub child: Child,
    pub state: ServerState,
    pub archive: Plan,
    /// Whether it runs a recorded command, or what to record once it is ready.
    pub command: launch_command::Plan,
    /// The environment spark-submit got (or would have got): the base of what to record.
    pub passed_env: Env,
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// The ports of the last server launched from a home. A restart keeps them when they are free, so
/// that Spark UI links shown before (and a client's port) still work afterwards.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct LastPorts {
    port: Option<u16>,
    ui_port: Option<u16>,
}

/// A small, private file; unreadable or missing means "no preference".
const MAX_PORTS_BYTES: u64 = 4096;

fn last_ports(home: &Home) -> LastPorts {
    match fsutil::read_private(&home.last_ports(), MAX_PORTS_BYTES) {
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => LastPorts::default(),
    }
}

/// Records the ports of a server that became ready, for the next launch.
pub fn remember_ports(home: &Home, server: &ServerState) {
    let ports = LastPorts {
        port: Some(server.port),
        ui_port: Some(server.ui_port),
    };
    let written = serde_json::to_vec(&ports)
        .map_err(|e| CoreError::Server(e.to_string()))
        .and_then(|bytes| fsutil::atomic_write(&home.last_ports(), &bytes));
    if let Err(e) = written {
        // Only a preference is lost: the next launch picks free ports.
        tracing::warn!(error = %e, "could not record the server's ports");
    }
}

/// `previous` when it is free on 127.0.0.1 now, else a free port the kernel picks.
fn preferred_port(previous: Option<u16>) -> Result<u16> {
    match previous {
        Some(p) if p > 0 && TcpListener::bind(loopback(p)).is_ok() => Ok(p),
        _ => pick_free_port(),
    }
}

/// A port that is free on 127.0.0.1 right now (the kernel picks it).
pub fn pick_free_port() -> Result<u16> {
    TcpListener::bind(loopback(0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| CoreError::io("pick a free port on 127.0.0.1", e))
}

/// Refuses an explicit port that something already listens on or that we cannot bind.
fn check_port_free(port: u16) -> Result<()> {
    let taken = || {
        CoreError::Start(
            Cause::PortInUse,
            format!("Port {port} is already in use by another process."),
        )
    };
    if TcpStream::connect_timeout(&loopback(port), Duration::from_millis(200)).is_ok() {
        return Err(taken());
    }
    match TcpListener::bind(loopback(port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(taken()),
        Err(e) => Err(CoreError::Start(
            Cause::PortInUse,
            format!("Port {port} cannot be used on 127.0.0.1 ({e})."),
        )),
    }
}

/// 32 random bytes, hex-encoded.
fn random_token() -> Result<String> {
    let bytes = fsutil::random_bytes("the server token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Resolves the UI port: the user's `spark.ui.port` when set to a port, else `previous` when
/// free, else a free one (0 means "any" to Spark too).
fn ui_port(user: &Conf, previous: Option<u16>) -> Result<u16> {
    match user.get(KEY_UI_PORT) {
        Some(v) if v.trim() != "0" => conf::parse_port(KEY_UI_PORT, v),
        _ => preferred_port(previous),
    }
}

/// Keeps the previous server log and opens a fresh, private one. In append mode: the JVM then
/// writes at the end of the file, not at its own offset, so a line another process appends (a
/// user's marker, a test) is never overwritten by the server's next line.
fn open_fresh_log(home: &Home) -> Result<File> {
    let path = home.server_log();
    match fs::rename(&path, home.previous_server_log()) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(CoreError::io_at("rotate", &path, e)),
    }
    let created = |e| CoreError::io_at("create the server log", &path, e);
    let file = fsutil::private_file_options()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(created)?;
    // Append mode cannot be combined with O_TRUNC; the log was just renamed away, so this only
    // matters if something recreated it in between.
    file.set_len(0).map_err(created)?;
    Ok(file)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Spawns the server for `home`. It is not ready yet: see `readiness::wait_ready`.
pub fn launch(home: &Home, spec: &LaunchSpec) -> Result<Launched> {
    let Found {
        java,
        spark_version,
        java_version,
        java_choice,
    } = installation::check(
        &spec.spark_home,
        &spec.env,
        conf::master(&spec.conf).starts_with("local"),
    )?;
    let last = last_ports(home);
    let port = match spec.port {
        Some(p) => {
            check_port_free(p)?;
            p
        }
        None => preferred_port(last.port)?,
    };
    // The UI port must differ from the gRPC port chosen just now (both may have been free).
    let ui_port = match ui_port(&spec.conf, last.ui_port.filter(|p| *p != port))? {
        p if p == port => pick_free_port()?,
        p => p,
    };
    let (mut effective, recorded) = conf::server_conf(&spec.conf, port, ui_port);
    let archive = match &spec.archive_cache {
        Some(dir) => archive::plan(
            dir,
            &Installation {
                java: &java,
                spark_home: &spec.spark_home,
                spark_version: &spark_version,
                conf: &spec.conf,
                env: &spec.env,
            },
        ),
        None => Plan::Off,
    };
    archive.apply(&mut effective);
    log_settings::apply(
        home,
        &mut effective,
        &log_settings::conf_dir(&spec.env, &spec.spark_home),
    );
    let master = conf::master(&effective);
    let token = random_token()?;
    let ui_key = uiauth::new_key()?;
    uiauth::lock(&mut effective, &ui_key);

    let properties = home.properties();
    conf::write_properties(&properties, &effective)?;
    let log = home.server_log();
    let mut log_file = open_fresh_log(home)?;
    if let Some(preamble) = spec.log_preamble.as_deref().filter(|p| !p.is_empty()) {
        log_file
            .write_all(preamble.as_bytes())
            .map_err(|e| CoreError::io_at("write", &log, e))?;
    }
    let log_err = log_file
        .try_clone()
        .map_err(|e| CoreError::io_at("open", &log, e))?;
    let java_home = java_choice::java_home_of(&java);
    let passed_env = server_env(spec, &token, java_home.as_deref(), &master);
    // A launch that records classes for the start-up archive names a new class list each
    // time: its command is never the same twice, so it is neither run from nor recorded.
    let command = if matches!(archive, Plan::Record(_)) {
        launch_command::Plan::Off
    } else {
        launch_command::plan(
            spec.launch_cache.as_deref(),
            &KeyInputs {
                java: &java,
                spark_home: &spec.spark_home,
                spark_version: &spark_version,
                conf_dir: &log_settings::conf_dir(&spec.env, &spec.spark_home),
                properties: &properties,
                effective: &effective,
                launch_env: &spec.env,
                passed: &passed_env,
                work_dir: spec.work_dir.as_deref(),
            },
        )
    };
    let (mut cmd, program) = match &command {
        launch_command::Plan::Direct(entry, _) => {
            let mut cmd = Command::new(&entry.argv[0]);
            cmd.args(&entry.argv[1..])
                .env_clear()
                .envs(launch_command::direct_env(&passed_env, entry));
            (cmd, PathBuf::from(&entry.argv[0]))
        }
        _ => {
            let submit = spec.spark_home.join("bin").join("spark-submit");
            let mut cmd = Command::new(&submit);
            cmd.arg("--class")
                .arg(SERVER_CLASS)
                .arg("--name")
                .arg("sparkconnect")
                .arg("--properties-file")
                .arg(&properties)
                .arg("spark-internal")
                .env_clear()
                .envs(&passed_env);
            (cmd, submit)
        }
    };
    cmd.stdin(Stdio::null()).stdout(log_file).stderr(log_err);
    if let Some(dir) = &spec.work_dir {
        cmd.current_dir(dir);
    }

    let started_at = unix_now();
    let child = process::spawn_detached(cmd, false).map_err(|e| {
        let _ = fs::remove_file(&properties);
        command.forget();
        CoreError::Start(
            Cause::Environment,
            format!("Could not run {}: {e}. {INSTALL_HINT}", program.display()),
        )
    })?;
    let pid = child.id() as i32;
    // Zero if it already exited; readiness notices the exit and reports it.
    let pid_start_time = process::start_time(pid).unwrap_or(0);
    tracing::info!(
        pid,
        port,
        ui_port,
        master = %master,
        spark_version = %spark_version,
        java = %java.display(),
        direct = command.is_direct(),
        "launched the Spark Connect server"
    );
    let state = ServerState {
        schema: SCHEMA,
        pid,
        pid_start_time,
        port,
        ui_port,
        token,
        ui_key: Some(ui_key),
        master,
        spark_home: spec.spark_home.to_string_lossy().into_owned(),
        spark_version,
        java: java.to_string_lossy().into_owned(),
        java_version,
        java_choice: Some(java_choice.to_owned()),
        python: spec.python.clone(),
        conf: recorded,
        log_path: log.to_string_lossy().into_owned(),
        started_at,
        phase: Phase::Starting,
        idle_timeout: spec.idle_timeout.map(|d| d.as_secs_f64()),
        class_archive: None,
        launched_by: spec.launched_by.clone(),
        launch_path: Some(
            if command.is_direct() {
                "direct"
            } else {
                "spark-submit"
            }
            .to_owned(),
        ),
    };
    Ok(Launched {
        child,
        state,
        archive,
        command,
        passed_env,
    })
}

/// The server's environment: ours less the scrubbed variables, then the user's, then what the
/// core sets (token, interpreter, Spark and Java homes, loopback binding), which always wins.
fn server_env(spec: &LaunchSpec, token: &str, java_home: Option<&Path>, master: &str) -> Env {
    let mut env: Env = env::vars_os().filter(|(k, _)| !is_scrubbed(k)).collect();
    for (name, value) in &spec.env {
        if is_scrubbed(OsStr::new(name)) {
            tracing::warn!(name = %name, "ignoring an environment variable sparkconnect sets itself");
        } else {
            env.insert(name.into(), value.into());
        }
    }
    env.insert(TOKEN_ENV.into(), token.into());
    env.insert("PYSPARK_PYTHON".into(), spec.python.clone().into());
    env.insert("SPARK_HOME".into(), spec.spark_home.clone().into());
    if let Some(jh) = java_home {
        env.insert("JAVA_HOME".into(), jh.into());
    }
    if master.starts_with("local") {
        // Makes the UI and block manager bind loopback too, not just the gRPC port.
        env.insert("SPARK_LOCAL_IP".into(), "127.0.0.1".into());
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_port_from_user_conf() {
        let conf = Conf::from([(KEY_UI_PORT.into(), "4041".into())]);
        assert_eq!(ui_port(&conf, Some(5000)).unwrap(), 4041);
        let conf = Conf::from([(KEY_UI_PORT.into(), "abc".into())]);
        match ui_port(&conf, None) {
            Err(CoreError::Conf(m)) => assert_eq!(m, "spark.ui.port must be a number, not 'abc'"),
            other => panic!("expected ConfError, got {other:?}"),
        }
        let conf = Conf::from([(KEY_UI_PORT.into(), "70000".into())]);
        match ui_port(&conf, None) {
            Err(CoreError::Conf(m)) => {
                assert_eq!(m, "spark.ui.port must be between 1 and 65535, not 70000")
            }
            other => panic!("expected ConfError, got {other:?}"),
        }
        assert!(ui_port(&Conf::new(), None).unwrap() > 0);
    }

    #[test]
    fn the_last_ports_are_preferred_while_free() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        assert_eq!(last_ports(&home), LastPorts::default());
        let mut server = crate::state::sample();
        server.port = pick_free_port().unwrap();
        server.ui_port = pick_free_port().unwrap();
        remember_ports(&home, &server);
        let last = last_ports(&home);
        assert_eq!(last.port, Some(server.port));
        assert_eq!(preferred_port(last.port).unwrap(), server.port);
        assert_eq!(ui_port(&Conf::new(), last.ui_port).unwrap(), server.ui_port);
        // Taken by someone else meanwhile: another port.
        let taken = TcpListener::bind(loopback(server.port)).unwrap();
        assert_ne!(preferred_port(last.port).unwrap(), server.port);
        drop(taken);
        // A garbled file is no preference, not an error.
        fs::write(home.last_ports(), "{").unwrap();
        assert_eq!(last_ports(&home), LastPorts::default());
    }

    #[test]
    fn explicit_port_in_use_is_refused() {
        let listener = TcpListener::bind(loopback(0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        match check_port_free(port) {
            Err(CoreError::Start(_, m)) => assert!(m.contains("already in use"), "{m}"),
            other => panic!("expected StartError, got {other:?}"),
        }
        drop(listener);
        let free = pick_free_port().unwrap();
        check_port_free(free).unwrap();
    }

    #[test]
    fn token_is_64_hex_chars_and_random() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn log_rotation_keeps_one_previous_log() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let log = home.server_log();
        fs::write(&log, "old run\n").unwrap();
        drop(open_fresh_log(&home).unwrap());
        assert_eq!(fs::read_to_string(&log).unwrap(), "");
        assert_eq!(
            fs::read_to_string(home.previous_server_log()).unwrap(),
            "old run\n"
        );
        let mode = fs::metadata(&log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn lines_appended_by_others_survive_the_servers_next_write() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let mut server = open_fresh_log(&home).unwrap();
        server.write_all(b"server 1\n").unwrap();
        let mut other = fs::OpenOptions::new()
            .append(true)
            .open(home.server_log())
            .unwrap();
        other.write_all(b"appended\n").unwrap();
        server.write_all(b"server 2\n").unwrap();
        assert_eq!(
            fs::read_to_string(home.server_log()).unwrap(),
            "server 1\nappended\nserver 2\n"
        );
    }

    #[test]
    fn env_names_are_checked() {
        let ok = Conf::from([("HADOOP_CONF_DIR".into(), "/etc/hadoop".into())]);
        validate_env(&ok).unwrap();
        for name in ["", "A=B", "A B", "A\nB"] {
            let bad = Conf::from([(name.into(), "x".into())]);
            assert!(
                matches!(validate_env(&bad), Err(CoreError::Conf(_))),
                "{name:?}"
            );
        }
        let nul = Conf::from([("A".into(), "x\0y".into())]);
        assert!(matches!(validate_env(&nul), Err(CoreError::Conf(_))));
    }

    #[test]
    fn scrubbed_env_names() {
        assert!(is_scrubbed(OsStr::new("SPARK_REMOTE")));
        assert!(is_scrubbed(OsStr::new("PYSPARK_GATEWAY_PORT")));
        assert!(is_scrubbed(OsStr::new(TOKEN_ENV)));
        assert!(is_scrubbed(OsStr::new(CHILD_REMOTE_ENV)));
        assert!(!is_scrubbed(OsStr::new("PATH")));
    }
}
