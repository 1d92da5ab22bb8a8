//! The Python face of the core: the functions and classes of `sparkconnect._core`, declared in
//! `python/sparkconnect/_core.pyi`.
//!
//! Together with `lib.rs` this is the only code that knows about Python. It converts arguments,
//! runs blocking work with the GIL released (checking for Ctrl-C between polls), and turns every
//! `CoreError` into one of the Python exception classes in one place (`convert.rs`). What to do
//! is decided below it, in the core.

mod classes;
mod convert;

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use self::classes::{PyLogExcerpt, PyLogLine, PyServerInfo, PyStartResult, PyStatus, PyStopResult};
use self::convert::{
    blocking, conf_error_type, core, idle_arg, own_python, path_str, pid_arg, port_arg, seconds,
    without_gil, HomeError, SparkConnectError, StartError,
};
use crate::home::Home;
use crate::launch::LaunchSpec;
use crate::logs::{self, Filter, Level};
use crate::server::{self, StartParams};
use crate::{archive, conf, errors, fsutil, idle};

/// Return the per-user home, creating it with mode 0700 if needed.
#[pyfunction]
#[pyo3(signature = (path=None))]
fn resolve_home(py: Python<'_>, path: Option<PathBuf>) -> PyResult<String> {
    let home = blocking(py, |_| Home::resolve(path.as_deref()))?;
    Ok(path_str(home.dir()))
}

/// Parse `key=value` items (the value may contain `=`). Raises ConfError naming the bad item.
#[pyfunction]
fn parse_conf(py: Python<'_>, items: Vec<String>) -> PyResult<BTreeMap<String, String>> {
    core(py, conf::parse_items(&items))
}

/// Read the state without taking the lock. Never raises for a corrupt state file.
#[pyfunction]
fn status(py: Python<'_>, home: PathBuf) -> PyResult<PyStatus> {
    let report = py.detach(|| server::status(&Home::new(home)));
    PyStatus::new(py, report)
}

/// Attach to the running server or launch one, under the lock, and register a lease for
/// `lease_pid`; with `restart`, stop the running server first (leases are kept).
#[pyfunction]
#[pyo3(signature = (
    home, *, lease_pid, spark_home, python, conf, port=None, timeout=120.0, env=None,
    idle_timeout=None, restart=false, force=false, grace=10.0, launched_by=None, work_dir=None,
    log_preamble=None
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
    restart: bool,
    force: bool,
    grace: f64,
    launched_by: Option<String>,
    work_dir: Option<PathBuf>,
    log_preamble: Option<String>,
) -> PyResult<PyStartResult> {
    let helper_python = own_python(py, &python)?;
    let params = StartParams {
        lease_pid: pid_arg(lease_pid)?,
        launch: LaunchSpec {
            conf,
            port: port_arg(py, port)?,
            env: env.unwrap_or_default(),
            idle_timeout: idle_arg(idle_timeout)?,
            launched_by,
            work_dir,
            log_preamble,
            ..LaunchSpec::new(spark_home, python)
        },
        timeout: seconds("timeout", timeout)?,
        helper_python,
        restart: restart.then(|| seconds("grace", grace)).transpose()?,
        force,
    };
    let home = Home::new(home);
    let outcome = blocking(py, |check| server::start(&home, &params, check))?;
    PyStartResult::new(py, outcome)
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
    let home = Home::new(home);
    let out = blocking(py, |check| {
        server::stop(&home, lease_pid, force, grace, check)
    })?;
    Ok(PyStopResult::from(out))
}

/// Drop the lease of `lease_pid` without stopping anything.
#[pyfunction]
#[pyo3(signature = (home, *, lease_pid))]
fn release(py: Python<'_>, home: PathBuf, lease_pid: i64) -> PyResult<()> {
    let lease_pid = pid_arg(lease_pid)?;
    core(py, server::release(&Home::new(home), lease_pid))
}

/// The pending conf: what the next start applies. Empty if never set.
#[pyfunction]
fn load_conf(py: Python<'_>, home: PathBuf) -> PyResult<BTreeMap<String, String>> {
    core(py, conf::load_pending(&Home::new(home)))
}

/// Replace the pending conf (written atomically, mode 0600).
#[pyfunction]
fn save_conf(py: Python<'_>, home: PathBuf, conf: BTreeMap<String, String>) -> PyResult<()> {
    core(py, conf::save_pending(&Home::new(home), &conf))
}

fn log_filter(level: Option<&str>, grep: Option<String>) -> PyResult<Filter> {
    let min_level = level
        .map(|name| {
            Level::parse(&name.to_ascii_uppercase()).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "unknown log level {name:?}; use TRACE, DEBUG, INFO, WARN, ERROR or FATAL"
                ))
            })
        })
        .transpose()?;
    Ok(Filter {
        min_level,
        grep: grep.filter(|g| !g.is_empty()),
    })
}

/// The level a log line names when it starts an entry (a header line); None for a
/// continuation line.
#[pyfunction]
fn line_level(line: &str) -> Option<&'static str> {
    logs::header_level(line).map(Level::name)
}

/// The level of each of `lines` (consecutive lines of a log): a header's own, its entry's for
/// the lines after it.
#[pyfunction]
fn line_levels(lines: Vec<String>) -> Vec<Option<&'static str>> {
    let mut entries = logs::Entries::default();
    lines
        .iter()
        .map(|line| entries.level_of(line).map(Level::name))
        .collect()
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
    let excerpt = without_gil(py, || logs::tail(&path, n, &filter, max_scan))?;
    PyLogExcerpt::new(py, &path, excerpt)
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
    let level_at_end = after.last_level.and_then(Level::parse);
    let (end, file_id) = (after.end, after.file_id);
    let excerpt = without_gil(py, || {
        logs::read_since(&path, end, file_id, level_at_end, &filter, max_bytes)
    })?;
    PyLogExcerpt::new(py, &path, excerpt)
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
    let home = Home::new(home);
    let end = blocking(py, |check| {
        idle::watch(&home, pid, pid_start_time, timeout, check)
    })?;
    Ok(end.name())
}

/// Replace the file at `path` with `text` atomically: a temporary file beside it, written and
/// flushed to disk, then renamed over it; a reader sees the old content or the new, never part
/// of it. The file gets exactly `mode` (default 0600: private). SparkConnectError, naming the
/// file, when it cannot be written.
#[pyfunction]
#[pyo3(signature = (path, text, *, mode=0o600))]
fn atomic_write(py: Python<'_>, path: PathBuf, text: &str, mode: u32) -> PyResult<()> {
    if mode > 0o7777 {
        return Err(PyValueError::new_err(format!(
            "mode must be permission bits (at most 0o7777), got {mode:#o}"
        )));
    }
    without_gil(py, || {
        fsutil::atomic_write_mode(&path, text.as_bytes(), mode)
    })
}

/// The start-up archive builder (run by `python -m
/// sparkconnect.server.detached.archive_builder`): waits until the class list of server (`pid`, `pid_start_time`) is complete, then dumps the
/// archive. Returns the archive's path, or None when there was nothing to do (another builder
/// has the key, the server was gone); raises StartError when the dump failed.
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
    Ok(built.as_deref().map(path_str))
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

/// Fills the module `sparkconnect._core`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    install_logging(py);
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_CONF", conf::default_conf())?;
    m.add("PORTS", conf::PORTS)?;
    m.add("SparkConnectError", py.get_type::<SparkConnectError>())?;
    m.add("HomeError", py.get_type::<HomeError>())?;
    m.add("ConfError", conf_error_type(py)?)?;
    let start_error = py.get_type::<StartError>();
    // Each raised StartError sets its own `cause`; the class default is the cause of errors
    // raised from Python (a pyspark too old, say), which are refused before launching too.
    start_error.setattr("cause", errors::Cause::Environment.name())?;
    m.add("StartError", start_error)?;
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
    m.add_function(wrap_pyfunction!(stop, m)?)?;
    m.add_function(wrap_pyfunction!(release, m)?)?;
    m.add_function(wrap_pyfunction!(load_conf, m)?)?;
    m.add_function(wrap_pyfunction!(save_conf, m)?)?;
    m.add_function(wrap_pyfunction!(line_level, m)?)?;
    m.add_function(wrap_pyfunction!(line_levels, m)?)?;
    m.add_function(wrap_pyfunction!(read_log_tail, m)?)?;
    m.add_function(wrap_pyfunction!(read_log_since, m)?)?;
    m.add_function(wrap_pyfunction!(watch_idle, m)?)?;
    m.add_function(wrap_pyfunction!(build_class_archive, m)?)?;
    m.add_function(wrap_pyfunction!(atomic_write, m)?)?;
    // `PyModule::add` maintains an `__all__`; the typed boundary (the .pyi) declares none, and
    // the Python package re-exports what it wants explicitly.
    m.delattr("__all__")?;
    Ok(())
}
