//! Conversions between Python and the core: the exception classes and the one place a
//! `CoreError` becomes one of them, blocking work with the GIL released, and argument checks.

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{
    PyConnectionRefusedError, PyException, PyKeyboardInterrupt, PyOSError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::conf;
use crate::errors::{self, CheckInterrupt, CoreError};
use crate::spark_ui::UiError;

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
pub fn conf_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
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
        CoreError::Start(cause, _) => {
            let err = StartError::new_err(message);
            // The front end turns the cause into what to type next (render/start_failure.py).
            match err.value(py).setattr("cause", cause.name()) {
                Ok(()) => err,
                Err(e) => e,
            }
        }
        CoreError::Conf(_) => match conf_error_type(py) {
            Ok(ty) => PyErr::from_type(ty.clone(), message),
            Err(e) => e,
        },
        CoreError::Server(_) | CoreError::Io { .. } => SparkConnectError::new_err(message),
    }
}

/// Runs `work` with the GIL released. Its `CheckInterrupt` briefly re-attaches to run Python's
/// signal handlers, so Ctrl-C (or a Jupyter interrupt) stops a long wait.
pub fn blocking<T, F>(py: Python<'_>, work: F) -> PyResult<T>
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

/// Runs `work`, which does not wait for anything, with the GIL released (it reads files).
pub fn without_gil<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> errors::Result<T>,
{
    core(py, py.detach(work))
}

/// Plain conversion for calls that do not wait.
pub fn core<T>(py: Python<'_>, result: errors::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_pyerr(py, e, None))
}

/// Why the Spark UI gave nothing (`spark_ui.rs`), as Python's own errors for a request that
/// failed: ConnectionRefusedError when nothing listens (the UI is off), OSError otherwise (no
/// answer in time, a refusal, a key that cannot sign), so that one `except OSError` covers all.
pub fn ui_error(err: UiError) -> PyErr {
    let message = err.to_string();
    match err {
        UiError::Off => PyConnectionRefusedError::new_err(message),
        UiError::NoAnswer(_) | UiError::Status(_) | UiError::BadKey => PyOSError::new_err(message),
    }
}

pub fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        PyValueError::new_err(format!(
            "{name} must be a finite number of seconds >= 0, got {value}"
        ))
    })
}

/// `None` or 0: no idle shutdown.
pub fn idle_arg(value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(0.0) => Ok(None),
        Some(v) if v.is_finite() && v > 0.0 => Ok(Some(Duration::from_secs_f64(v))),
        Some(v) => Err(PyValueError::new_err(format!(
            "idle_timeout must be a positive number of seconds (or None / 0 for never), got {v}"
        ))),
    }
}

pub fn pid_arg(value: i64) -> PyResult<i32> {
    i32::try_from(value).ok().filter(|p| *p > 0).ok_or_else(|| {
        PyValueError::new_err(format!("lease_pid must be a process id, got {value}"))
    })
}

pub fn port_arg(py: Python<'_>, port: Option<i64>) -> PyResult<Option<u16>> {
    port.map(|p| core(py, conf::check_port("port", p)))
        .transpose()
}

/// This interpreter (`sys.executable`), which runs the detached helpers; `fallback` when Python
/// does not know it (an embedded interpreter).
pub fn own_python(py: Python<'_>, fallback: &str) -> PyResult<String> {
    let exe: String = py.import("sys")?.getattr("executable")?.extract()?;
    Ok(if exe.is_empty() {
        fallback.to_owned()
    } else {
        exe
    })
}

pub fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
