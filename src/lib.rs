//! `sparkconnect._core`: the Rust core behind the sparkconnect IPython extension.
//!
//! This file is the only one that knows about Python. It converts arguments, runs blocking work
//! with the GIL released (checking for Ctrl-C between polls), and turns `CoreError` into the
//! Python exception classes declared in `python/sparkconnect/_core.pyi`, in one place.

mod archive;
mod conf;
mod errors;
mod fsutil;
mod home;
mod idle;
mod launch;
mod leases;
mod lock;
mod logread;
mod logs;
mod process;
mod readiness;
mod server;
mod state;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::errors::{CheckInterrupt, CoreError};
use crate::server::{StartParams, StatusReport};
use crate::state::{Phase, ServerState};

create_exception!(
    sparkconnect._core,
    SparkConnectError,
    PyException,
    "Base class of every error the core raises. The message is one paragraph a user can act on."
);
create_exception!(
    sparkconnect._core,
    HomeError,
    SparkConnectError,
    "The per-user home cannot be used: owned by someone else, group/other-writable, not a \
     directory, or not creatable."
);
create_exception!(
    sparkconnect._core,
    StartError,
    SparkConnectError,
    "The server could not be started: Java or SPARK_HOME missing, the port is taken, or the \
     process exited / did not open its port in time."
);

const CONF_ERROR_DOC: &str = "A conf item is malformed (not `key=value`, empty key or value, \
                              whitespace in the key, control characters), or a port number is \
                              out of range.";

/// `ConfError(SparkConnectError, ValueError)`: `create_exception!` takes a single base, so the
/// class is built by calling `type(name, bases, dict)`, once per interpreter.
fn conf_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.get_or_try_init(py, || {
        let bases = PyTuple::new(
            py,
            [
                py.get_type::<SparkConnectError>(),
                py.get_type::<PyValueError>(),
            ],
        )?;
        let dict = PyDict::new(py);
        dict.set_item("__module__", "sparkconnect._core")?;
        dict.set_item("__doc__", CONF_ERROR_DOC)?;
        let ty = py
            .get_type::<PyType>()
            .call1(("ConfError", bases, dict))?
            .cast_into::<PyType>()?;
        Ok(ty.unbind())
    })
    .map(|ty| ty.bind(py))
}

/// Converts a core error into its Python exception. `pending` is the exception Python's signal
/// handler raised when a wait was interrupted (normally KeyboardInterrupt).
fn to_pyerr(py: Python<'_>, err: CoreError, pending: Option<PyErr>) -> PyErr {
    let message = err.to_string();
    match err {
        CoreError::Interrupted => {
            pending.unwrap_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))
        }
        CoreError::Home(_) => HomeError::new_err(message),
        CoreError::Start(_) => StartError::new_err(message),
        CoreError::Conf(_) => match conf_error_type(py) {
            Ok(ty) => PyErr::from_type(ty.clone(), message),
            Err(e) => e,
        },
        CoreError::Server(_) | CoreError::Io { .. } => SparkConnectError::new_err(message),
    }
}

/// Runs `work` with the GIL released. Its `CheckInterrupt` briefly re-attaches to run Python's
/// signal handlers, so Ctrl-C (or a Jupyter interrupt) stops a long wait.
fn blocking<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce(CheckInterrupt) -> errors::Result<T>,
{
    let (result, pending) = py.detach(|| {
        let pending: RefCell<Option<PyErr>> = RefCell::new(None);
        let check = || {
            Python::attach(|py| py.check_signals()).map_err(|e| {
                pending.borrow_mut().replace(e);
                CoreError::Interrupted
            })
        };
        let result = work(&check);
        (result, pending.into_inner())
    });
    result.map_err(|e| to_pyerr(py, e, pending))
}

/// Plain conversion for calls that do not wait.
fn core<T>(py: Python<'_>, result: errors::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_pyerr(py, e, None))
}

fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        PyValueError::new_err(format!(
            "{name} must be a finite number of seconds >= 0, got {value}"
        ))
    })
}

/// `None` or 0: no idle shutdown.
fn idle_arg(value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(0.0) => Ok(None),
        Some(v) if v.is_finite() && v > 0.0 => Ok(Some(Duration::from_secs_f64(v))),
        Some(v) => Err(PyValueError::new_err(format!(
            "idle_timeout must be a positive number of seconds (or None / 0 for never), got {v}"
        ))),
    }
}

fn pid_arg(value: i64) -> PyResult<i32> {
    i32::try_from(value).ok().filter(|p| *p > 0).ok_or_else(|| {
        PyValueError::new_err(format!("lease_pid must be a process id, got {value}"))
    })
}

/// This interpreter (`sys.executable`), which runs the idle watchdog; `fallback` when Python
/// does not know it (an embedded interpreter).
fn own_python(py: Python<'_>, fallback: &str) -> PyResult<String> {
    let exe: String = py.import("sys")?.getattr("executable")?.extract()?;
    Ok(if exe.is_empty() {
        fallback.to_owned()
    } else {
        exe
    })
}

fn port_arg(py: Python<'_>, port: Option<i64>) -> PyResult<Option<u16>> {
    match port {
        None => Ok(None),
        Some(p) => u16::try_from(p)
            .ok()
            .filter(|p| *p > 0)
            .map(Some)
            .ok_or_else(|| {
                to_pyerr(
                    py,
                    CoreError::Conf(format!(
                    "Port {p} is out of range; pick a port between 1024 and 65535, or leave it \
                     out to get a free one."
                )),
                    None,
                )
            }),
    }
}

/// A Python-style literal for a string (single quotes), for the `__repr__`s below.
fn py_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn py_bool(v: bool) -> &'static str {
    if v {
        "True"
    } else {
        "False"
    }
}

fn path_str(path: &std::path::Path) -> String {
    path.to_string_lossy().into_owned()
}

/// What the state file records about a running server (read-only).
#[pyclass(module = "sparkconnect._core", name = "ServerInfo", frozen, get_all)]
pub struct PyServerInfo {
    pid: i32,
    pid_start_time: u64,
    port: u16,
    ui_port: u16,
    token: String,
    master: String,
    spark_home: String,
    spark_version: String,
    java: String,
    python: String,
    conf: BTreeMap<String, String>,
    log_path: String,
    started_at: f64,
    idle_timeout: Option<f64>,
    class_archive: Option<String>,
}

impl From<ServerState> for PyServerInfo {
    fn from(s: ServerState) -> Self {
        PyServerInfo {
            pid: s.pid,
            pid_start_time: s.pid_start_time,
            port: s.port,
            ui_port: s.ui_port,
            token: s.token,
            master: s.master,
            spark_home: s.spark_home,
            spark_version: s.spark_version,
            java: s.java,
            python: s.python,
            conf: s.conf,
            log_path: s.log_path,
            started_at: s.started_at,
            idle_timeout: s.idle_timeout,
            class_archive: s.class_archive,
        }
    }
}

#[pymethods]
impl PyServerInfo {
    /// `sc://localhost:PORT/;token=TOKEN` (the host must be literally `localhost`: pyspark
    /// switches to TLS for any other host when a token is set).
    fn connect_url(&self) -> String {
        format!("sc://localhost:{}/;token={}", self.port, self.token)
    }

    /// Whether this server's process still runs (same pid and start time, not a zombie). Reads
    /// /proc only: microseconds, never blocks, safe to call before every notebook cell.
    fn alive(&self) -> bool {
        process::is_alive(self.pid, self.pid_start_time)
    }

    /// Whether its process is stopped (SIGSTOP or a debugger) and so answers nothing.
    fn stopped(&self) -> bool {
        process::is_stopped(self.pid, self.pid_start_time)
    }

    fn __repr__(&self) -> String {
        format!(
            "ServerInfo(pid={}, port={}, ui_port={}, master={}, spark_version={}, \
             token='***')",
            self.pid,
            self.port,
            self.ui_port,
            py_repr(&self.master),
            py_repr(&self.spark_version)
        )
    }
}

#[pyclass(module = "sparkconnect._core", name = "Status", frozen, get_all)]
pub struct PyStatus {
    state: String,
    server: Option<Py<PyServerInfo>>,
    attached: Vec<i32>,
    problem: Option<String>,
    log_path: String,
}

#[pymethods]
impl PyStatus {
    fn __repr__(&self) -> String {
        let server = match &self.server {
            Some(s) => s.get().__repr__(),
            None => "None".to_owned(),
        };
        let problem = match &self.problem {
            Some(p) => py_repr(p),
            None => "None".to_owned(),
        };
        format!(
            "Status(state={}, server={server}, attached={:?}, problem={problem})",
            py_repr(&self.state),
            self.attached
        )
    }
}

#[pyclass(module = "sparkconnect._core", name = "StartResult", frozen, get_all)]
pub struct PyStartResult {
    server: Py<PyServerInfo>,
    launched: bool,
}

#[pymethods]
impl PyStartResult {
    fn __repr__(&self) -> String {
        format!(
            "StartResult(server={}, launched={})",
            self.server.get().__repr__(),
            py_bool(self.launched)
        )
    }
}

#[pyclass(module = "sparkconnect._core", name = "StopResult", frozen, get_all)]
pub struct PyStopResult {
    stopped: bool,
    was_running: bool,
    remaining: Vec<i32>,
}

#[pymethods]
impl PyStopResult {
    fn __repr__(&self) -> String {
        format!(
            "StopResult(stopped={}, was_running={}, remaining={:?})",
            py_bool(self.stopped),
            py_bool(self.was_running),
            self.remaining
        )
    }
}

fn start_result(py: Python<'_>, outcome: server::StartOutcome) -> PyResult<PyStartResult> {
    Ok(PyStartResult {
        server: Py::new(py, PyServerInfo::from(outcome.server))?,
        launched: outcome.launched,
    })
}

/// Return the per-user home, creating it with mode 0700 if needed.
#[pyfunction]
#[pyo3(signature = (path=None))]
fn resolve_home(py: Python<'_>, path: Option<PathBuf>) -> PyResult<String> {
    let home = blocking(py, |_| home::resolve_home(path.as_deref()))?;
    Ok(path_str(&home))
}

/// Parse `key=value` items (the value may contain `=`). Raises ConfError naming the bad item.
#[pyfunction]
fn parse_conf(py: Python<'_>, items: Vec<String>) -> PyResult<BTreeMap<String, String>> {
    core(py, conf::parse_items(&items))
}

/// Read the state without taking the lock. Never raises for a corrupt state file.
#[pyfunction]
fn status(py: Python<'_>, home: PathBuf) -> PyResult<PyStatus> {
    let report: StatusReport = py.detach(|| server::status(&home));
    let state = match &report.running {
        None => "stopped",
        Some(s) if s.phase == Phase::Starting => "starting",
        Some(_) => "running",
    };
    let server = report
        .running
        .map(|s| Py::new(py, PyServerInfo::from(s)))
        .transpose()?;
    Ok(PyStatus {
        state: state.to_owned(),
        server,
        attached: report.attached,
        problem: report.problem,
        log_path: path_str(&report.log_path),
    })
}

/// Attach to the running server or launch one, under the lock, and register a lease for
/// `lease_pid`.
#[pyfunction]
#[pyo3(signature = (
    home, *, lease_pid, spark_home, python, conf, port=None, timeout=120.0, env=None,
    idle_timeout=None
))]
#[allow(clippy::too_many_arguments)]
fn start(
    py: Python<'_>,
    home: PathBuf,
    lease_pid: i64,
    spark_home: PathBuf,
    python: String,
    conf: BTreeMap<String, String>,
    port: Option<i64>,
    timeout: f64,
    env: Option<BTreeMap<String, String>>,
    idle_timeout: Option<f64>,
) -> PyResult<PyStartResult> {
    let args = StartArgs {
        lease_pid,
        spark_home,
        python,
        conf,
        port,
        timeout,
        env,
        idle_timeout,
    };
    args.run(py, |params, check| server::start(&home, params, check))
}

/// Stop the running server (leases are kept) and launch a new one, under the lock.
#[pyfunction]
#[pyo3(signature = (
    home, *, lease_pid, spark_home, python, conf, port=None, timeout=120.0, grace=10.0, env=None,
    idle_timeout=None
))]
#[allow(clippy::too_many_arguments)]
fn restart(
    py: Python<'_>,
    home: PathBuf,
    lease_pid: i64,
    spark_home: PathBuf,
    python: String,
    conf: BTreeMap<String, String>,
    port: Option<i64>,
    timeout: f64,
    grace: f64,
    env: Option<BTreeMap<String, String>>,
    idle_timeout: Option<f64>,
) -> PyResult<PyStartResult> {
    let grace = seconds("grace", grace)?;
    let args = StartArgs {
        lease_pid,
        spark_home,
        python,
        conf,
        port,
        timeout,
        env,
        idle_timeout,
    };
    args.run(py, |params, check| {
        server::restart(&home, params, grace, check)
    })
}

/// The Python arguments `start` and `restart` share, converted once into `StartParams`.
struct StartArgs {
    lease_pid: i64,
    spark_home: PathBuf,
    python: String,
    conf: BTreeMap<String, String>,
    port: Option<i64>,
    timeout: f64,
    env: Option<BTreeMap<String, String>>,
    idle_timeout: Option<f64>,
}

impl StartArgs {
    fn run<F>(self, py: Python<'_>, work: F) -> PyResult<PyStartResult>
    where
        F: Send + FnOnce(&StartParams, CheckInterrupt) -> errors::Result<server::StartOutcome>,
    {
        let env = self.env.unwrap_or_default();
        let helper_python = own_python(py, &self.python)?;
        let archive_cache = archive::cache_dir();
        let params = StartParams {
            lease_pid: pid_arg(self.lease_pid)?,
            spark_home: &self.spark_home,
            python: &self.python,
            conf: &self.conf,
            port: port_arg(py, self.port)?,
            timeout: seconds("timeout", self.timeout)?,
            env: &env,
            idle_timeout: idle_arg(self.idle_timeout)?,
            helper_python: &helper_python,
            archive_cache: archive_cache.as_deref(),
        };
        let outcome = blocking(py, |check| work(&params, check))?;
        start_result(py, outcome)
    }
}

/// Release the lease of `lease_pid`; stop the server when no other live lease remains, or
/// when `force`.
#[pyfunction]
#[pyo3(signature = (home, *, lease_pid, force=false, grace=10.0))]
fn stop(
    py: Python<'_>,
    home: PathBuf,
    lease_pid: i64,
    force: bool,
    grace: f64,
) -> PyResult<PyStopResult> {
    let lease_pid = pid_arg(lease_pid)?;
    let grace = seconds("grace", grace)?;
    let out = blocking(py, |check| {
        server::stop(&home, lease_pid, force, grace, check)
    })?;
    Ok(PyStopResult {
        stopped: out.stopped,
        was_running: out.was_running,
        remaining: out.remaining,
    })
}

/// Drop the lease of `lease_pid` without stopping anything.
#[pyfunction]
#[pyo3(signature = (home, *, lease_pid))]
fn release(py: Python<'_>, home: PathBuf, lease_pid: i64) -> PyResult<()> {
    let lease_pid = pid_arg(lease_pid)?;
    core(py, server::release(&home, lease_pid))
}

/// The pending conf: what the next start applies. Empty if never set.
#[pyfunction]
fn load_conf(py: Python<'_>, home: PathBuf) -> PyResult<BTreeMap<String, String>> {
    core(py, conf::load_pending(&home))
}

/// Replace the pending conf (written atomically, mode 0600).
#[pyfunction]
fn save_conf(py: Python<'_>, home: PathBuf, conf: BTreeMap<String, String>) -> PyResult<()> {
    let result = home::ensure_home(&home).and_then(|()| conf::save_pending(&home, &conf));
    core(py, result)
}

/// The last `n` lines of a file, read backwards from its end. Missing file: empty list.
#[pyfunction]
fn tail_log(py: Python<'_>, path: PathBuf, n: i64) -> PyResult<Vec<String>> {
    let n = usize::try_from(n)
        .map_err(|_| PyValueError::new_err(format!("n must be >= 0, got {n}")))?;
    py.detach(|| logs::tail_log(&path, n))
        .map_err(|e| to_pyerr(py, CoreError::io_at("read the log", &path, e), None))
}

/// One line of the server log, with the level of the entry it belongs to.
#[pyclass(module = "sparkconnect._core", name = "LogLine", frozen, get_all)]
pub struct PyLogLine {
    level: Option<&'static str>,
    text: String,
}

#[pymethods]
impl PyLogLine {
    fn __repr__(&self) -> String {
        let level = self.level.map_or("None".to_owned(), py_repr);
        format!("LogLine(level={level}, text={})", py_repr(&self.text))
    }
}

/// Lines read from the server log, and where a later read continues.
#[pyclass(module = "sparkconnect._core", name = "LogExcerpt", frozen, get_all)]
pub struct PyLogExcerpt {
    path: String,
    lines: Vec<Py<PyLogLine>>,
    end: u64,
    file_id: u64,
    last_level: Option<&'static str>,
    scanned: u64,
    truncated: bool,
}

#[pymethods]
impl PyLogExcerpt {
    fn __repr__(&self) -> String {
        format!(
            "LogExcerpt(path={}, lines=<{} lines>, end={}, truncated={})",
            py_repr(&self.path),
            self.lines.len(),
            self.end,
            py_bool(self.truncated)
        )
    }
}

fn log_filter(level: Option<&str>, grep: Option<String>) -> PyResult<logread::Filter> {
    let min_level = level
        .map(|name| {
            logread::Level::parse(&name.to_ascii_uppercase()).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "unknown log level {name:?}; use TRACE, DEBUG, INFO, WARN, ERROR or FATAL"
                ))
            })
        })
        .transpose()?;
    Ok(logread::Filter {
        min_level,
        grep: grep.filter(|g| !g.is_empty()),
    })
}

fn log_excerpt(
    py: Python<'_>,
    path: &std::path::Path,
    read: std::io::Result<logread::Excerpt>,
) -> PyResult<PyLogExcerpt> {
    let excerpt =
        read.map_err(|e| to_pyerr(py, CoreError::io_at("read the log", path, e), None))?;
    let lines = excerpt
        .lines
        .into_iter()
        .map(|l| {
            let line = PyLogLine {
                level: l.level.map(logread::Level::name),
                text: l.text,
            };
            Py::new(py, line)
        })
        .collect::<PyResult<_>>()?;
    Ok(PyLogExcerpt {
        path: path_str(path),
        lines,
        end: excerpt.end,
        file_id: excerpt.file_id,
        last_level: excerpt.last_level.map(logread::Level::name),
        scanned: excerpt.scanned,
        truncated: excerpt.truncated,
    })
}

/// The level a log line names when it starts an entry (a header line); None for a
/// continuation line.
#[pyfunction]
fn line_level(line: &str) -> Option<&'static str> {
    logread::header_level(line).map(logread::Level::name)
}

/// The last `n` lines of the log that pass the filters, read backwards in growing chunks.
#[pyfunction]
#[pyo3(signature = (path, n, *, level=None, grep=None, max_scan=67_108_864))]
fn read_log_tail(
    py: Python<'_>,
    path: PathBuf,
    n: usize,
    level: Option<&str>,
    grep: Option<String>,
    max_scan: u64,
) -> PyResult<PyLogExcerpt> {
    let filter = log_filter(level, grep)?;
    let read = py.detach(|| logread::tail(&path, n, &filter, max_scan));
    log_excerpt(py, &path, read)
}

/// The complete lines appended to the log since `after`, that pass the filters.
#[pyfunction]
#[pyo3(signature = (after, *, level=None, grep=None, max_bytes=16_777_216))]
fn read_log_since(
    py: Python<'_>,
    after: PyRef<'_, PyLogExcerpt>,
    level: Option<&str>,
    grep: Option<String>,
    max_bytes: u64,
) -> PyResult<PyLogExcerpt> {
    let filter = log_filter(level, grep)?;
    let path = PathBuf::from(&after.path);
    let level_at_end = after.last_level.and_then(logread::Level::parse);
    let (end, file_id) = (after.end, after.file_id);
    let read =
        py.detach(|| logread::read_since(&path, end, file_id, level_at_end, &filter, max_bytes));
    log_excerpt(py, &path, read)
}

/// Run the idle watchdog of one server until that server is gone; returns "stopped-idle" when
/// it stopped the server itself, "server-gone" otherwise.
#[pyfunction]
#[pyo3(signature = (home, *, pid, pid_start_time, idle_timeout))]
fn watch_idle(
    py: Python<'_>,
    home: PathBuf,
    pid: i64,
    pid_start_time: u64,
    idle_timeout: f64,
) -> PyResult<&'static str> {
    let pid = pid_arg(pid)?;
    let timeout = idle_arg(Some(idle_timeout))?
        .ok_or_else(|| PyValueError::new_err("idle_timeout must be positive"))?;
    let end = blocking(py, |check| {
        idle::watch(&home, pid, pid_start_time, timeout, check)
    })?;
    Ok(match end {
        idle::WatchEnd::ServerGone => "server-gone",
        idle::WatchEnd::StoppedIdle => "stopped-idle",
    })
}

/// The start-up archive builder (run by `python -m sparkconnect.server.archive_builder`): waits until the
/// class list of server (`pid`, `pid_start_time`) is complete, then dumps the archive. Returns
/// the archive's path, or None when there was nothing to do (another builder has the key, the
/// server was gone); raises StartError when the dump failed.
#[pyfunction]
#[pyo3(signature = (class_list, *, pid, pid_start_time))]
fn build_class_archive(
    py: Python<'_>,
    class_list: PathBuf,
    pid: i64,
    pid_start_time: u64,
) -> PyResult<Option<String>> {
    let pid = pid_arg(pid)?;
    let built = blocking(py, |check| {
        archive::build(&class_list, pid, pid_start_time, check)
    })?;
    match built {
        archive::Built::Archive(path) => Ok(Some(path_str(&path))),
        archive::Built::Skipped(reason) => {
            tracing::info!(reason = %reason, "no start-up archive built");
            Ok(None)
        }
        archive::Built::Failed(reason) => Err(StartError::new_err(reason)),
    }
}

/// The java executable a launch would use. Raises StartError when there is none.
#[pyfunction]
fn find_java(py: Python<'_>) -> PyResult<String> {
    core(py, launch::find_java()).map(|p| path_str(&p))
}

/// Routes the core's `tracing` events (emitted as `log` records, since no tracing subscriber is
/// installed) to Python's `logging`, under loggers named `sparkconnect._core.<module>`, i.e.
/// children of the "sparkconnect" logger. Levels are looked up on each event, so changing the
/// Python logger's level takes effect at once.
fn install_logging(py: Python<'_>) {
    let logger = match pyo3_log::Logger::new(py, pyo3_log::Caching::Loggers) {
        Ok(l) => l,
        Err(_) => return,
    };
    // Already installed (the module was imported twice in one process): keep the first one.
    let _ = logger
        .set_prefix("sparkconnect")
        .filter(log::LevelFilter::Debug)
        .install();
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    install_logging(py);
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_CONF", launch::default_conf())?;
    m.add("SparkConnectError", py.get_type::<SparkConnectError>())?;
    m.add("HomeError", py.get_type::<HomeError>())?;
    m.add("ConfError", conf_error_type(py)?)?;
    m.add("StartError", py.get_type::<StartError>())?;
    m.add_class::<PyServerInfo>()?;
    m.add_class::<PyStatus>()?;
    m.add_class::<PyStartResult>()?;
    m.add_class::<PyStopResult>()?;
    m.add_class::<PyLogLine>()?;
    m.add_class::<PyLogExcerpt>()?;
    m.add_function(wrap_pyfunction!(resolve_home, m)?)?;
    m.add_function(wrap_pyfunction!(parse_conf, m)?)?;
    m.add_function(wrap_pyfunction!(status, m)?)?;
    m.add_function(wrap_pyfunction!(start, m)?)?;
    m.add_function(wrap_pyfunction!(restart, m)?)?;
    m.add_function(wrap_pyfunction!(stop, m)?)?;
    m.add_function(wrap_pyfunction!(release, m)?)?;
    m.add_function(wrap_pyfunction!(load_conf, m)?)?;
    m.add_function(wrap_pyfunction!(save_conf, m)?)?;
    m.add_function(wrap_pyfunction!(tail_log, m)?)?;
    m.add_function(wrap_pyfunction!(line_level, m)?)?;
    m.add_function(wrap_pyfunction!(read_log_tail, m)?)?;
    m.add_function(wrap_pyfunction!(read_log_since, m)?)?;
    m.add_function(wrap_pyfunction!(find_java, m)?)?;
    m.add_function(wrap_pyfunction!(watch_idle, m)?)?;
    m.add_function(wrap_pyfunction!(build_class_archive, m)?)?;
    // `PyModule::add` maintains an `__all__`; the typed boundary (the .pyi) declares none, and
    // the Python package re-exports what it wants explicitly.
    m.delattr("__all__")?;
    Ok(())
}
