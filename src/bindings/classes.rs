//! The classes the core hands to Python (read-only records), built from the core's own types.

use std::collections::BTreeMap;
use std::path::Path;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::convert::{path_str, seconds, ui_error};
use crate::logs::{self, Excerpt, Level};
use crate::process;
use crate::server::{StartOutcome, StatusReport, StopOutcome};
use crate::spark_ui;
use crate::state::ServerState;
use crate::uiauth;

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

/// What the state file records about a running server (read-only). Every field is readable
/// from Python but the UI key, which only signs (`ui_authorization`).
#[pyclass(module = "sparkconnect._core", name = "ServerInfo", frozen)]
pub struct PyServerInfo {
    #[pyo3(get)]
    pid: i32,
    #[pyo3(get)]
    pid_start_time: u64,
    #[pyo3(get)]
    port: u16,
    #[pyo3(get)]
    ui_port: u16,
    #[pyo3(get)]
    token: String,
    ui_key: Option<String>,
    #[pyo3(get)]
    master: String,
    #[pyo3(get)]
    spark_home: String,
    #[pyo3(get)]
    spark_version: String,
    #[pyo3(get)]
    java: String,
    #[pyo3(get)]
    java_version: Option<String>,
    #[pyo3(get)]
    java_choice: Option<String>,
    #[pyo3(get)]
    python: String,
    #[pyo3(get)]
    conf: BTreeMap<String, String>,
    #[pyo3(get)]
    log_path: String,
    #[pyo3(get)]
    started_at: f64,
    #[pyo3(get)]
    idle_timeout: Option<f64>,
    #[pyo3(get)]
    class_archive: Option<String>,
    #[pyo3(get)]
    launched_by: Option<String>,
    #[pyo3(get)]
    launch_path: Option<String>,
}

impl From<ServerState> for PyServerInfo {
    fn from(s: ServerState) -> Self {
        PyServerInfo {
            pid: s.pid,
            pid_start_time: s.pid_start_time,
            port: s.port,
            ui_port: s.ui_port,
            token: s.token,
            ui_key: s.ui_key,
            master: s.master,
            spark_home: s.spark_home,
            spark_version: s.spark_version,
            java: s.java,
            java_version: s.java_version,
            java_choice: s.java_choice,
            python: s.python,
            conf: s.conf,
            log_path: s.log_path,
            started_at: s.started_at,
            idle_timeout: s.idle_timeout,
            class_archive: s.class_archive,
            launched_by: s.launched_by,
            launch_path: s.launch_path,
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

    /// The `Authorization` header value for one request to this server's Spark UI (`Bearer
    /// <JWS>`, valid a few minutes); None for a server whose UI is not locked (recorded by an
    /// older version).
    fn ui_authorization(&self) -> Option<String> {
        self.ui_key.as_deref().and_then(uiauth::bearer)
    }

    /// The body of this server's Spark UI's answer to a `GET` of `path` (e.g.
    /// `/api/v1/applications`), signed with the server's UI key; connecting and each read may
    /// take `timeout` seconds. Raises ConnectionRefusedError when nothing listens (the UI is off),
    /// OSError when it did not answer in time or answered with another status than 200.
    #[pyo3(signature = (path, *, timeout))]
    fn ui_get(&self, py: Python<'_>, path: &str, timeout: f64) -> PyResult<String> {
        let timeout = seconds("timeout", timeout)?;
        if timeout.is_zero() {
            return Err(PyValueError::new_err("timeout must be more than 0 seconds"));
        }
        if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(PyValueError::new_err(format!(
                "a Spark UI path begins with / and has no spaces or control characters, not {}",
                py_repr(path)
            )));
        }
        let (port, key) = (self.ui_port, self.ui_key.as_deref());
        let body = py
            .detach(|| spark_ui::get(port, key, path, timeout))
            .map_err(ui_error)?;
        Ok(String::from_utf8_lossy(&body).into_owned())
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
    state: &'static str,
    server: Option<Py<PyServerInfo>>,
    attached: Vec<i32>,
    problem: Option<String>,
    log_path: String,
}

impl PyStatus {
    pub fn new(py: Python<'_>, report: StatusReport) -> PyResult<Self> {
        let state = report.state();
        let server = report
            .running
            .map(|s| Py::new(py, PyServerInfo::from(s)))
            .transpose()?;
        Ok(PyStatus {
            state,
            server,
            attached: report.attached,
            problem: report.problem,
            log_path: path_str(&report.log_path),
        })
    }
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
            py_repr(self.state),
            self.attached
        )
    }
}

#[pyclass(module = "sparkconnect._core", name = "StartResult", frozen, get_all)]
pub struct PyStartResult {
    server: Py<PyServerInfo>,
    launched: bool,
}

impl PyStartResult {
    pub fn new(py: Python<'_>, outcome: StartOutcome) -> PyResult<Self> {
        Ok(PyStartResult {
            server: Py::new(py, PyServerInfo::from(outcome.server))?,
            launched: outcome.launched,
        })
    }
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

impl From<StopOutcome> for PyStopResult {
    fn from(out: StopOutcome) -> Self {
        PyStopResult {
            stopped: out.stopped,
            was_running: out.was_running,
            remaining: out.remaining,
        }
    }
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
    pub(super) path: String,
    lines: Vec<Py<PyLogLine>>,
    pub(super) end: u64,
    pub(super) file_id: u64,
    pub(super) last_level: Option<&'static str>,
    scanned: u64,
    truncated: bool,
}

impl PyLogExcerpt {
    pub fn new(py: Python<'_>, path: &Path, excerpt: Excerpt) -> PyResult<Self> {
        let lines = excerpt
            .lines
            .into_iter()
            .map(|l| {
                let line = PyLogLine {
                    level: l.level.map(Level::name),
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
            last_level: excerpt.last_level.map(logs::Level::name),
            scanned: excerpt.scanned,
            truncated: excerpt.truncated,
        })
    }
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
