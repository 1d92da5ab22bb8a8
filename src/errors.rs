//! The one error type of the core.
//!
//! Every variant carries a message written for the person at the notebook: what happened and
//! what to do about it, in one paragraph. The pyo3 layer maps each variant to one Python exception
//! class, once, in `bindings/convert.rs`; nothing below that layer knows about Python.

use std::fmt;
use std::io;
use std::path::Path;

#[derive(Debug)]
pub enum CoreError {
    /// The per-user home cannot be used (HomeError).
    Home(String),
    /// A conf item or port number is malformed (ConfError).
    Conf(String),
    /// The server could not be started (StartError).
    Start(String),
    /// The server could not be stopped, or another lifecycle step failed (SparkConnectError).
    Server(String),
    /// The wait was interrupted by a signal (Ctrl-C): the pending Python exception is raised.
    Interrupted,
    /// A file-system or OS call failed; `context` says what we were doing.
    Io { context: String, source: io::Error },
}

pub type Result<T> = std::result::Result<T, CoreError>;

impl CoreError {
    /// Wraps an `io::Error` with a sentence saying what the core was doing.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        CoreError::Io {
            context: context.into(),
            source,
        }
    }

    /// Wraps an `io::Error` raised while touching `path`.
    pub fn io_at(action: &str, path: &Path, source: io::Error) -> Self {
        CoreError::io(format!("could not {action} {}", path.display()), source)
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Home(msg)
            | CoreError::Conf(msg)
            | CoreError::Start(msg)
            | CoreError::Server(msg) => f.write_str(msg),
            CoreError::Interrupted => f.write_str("interrupted"),
            CoreError::Io { context, source } => write!(
                f,
                "sparkconnect {context}: {source}. Check that the directory exists, belongs to \
                 you and has free space."
            ),
        }
    }
}

impl std::error::Error for CoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The callback every blocking wait runs between polls. The pyo3 layer makes it run Python's
/// signal handlers, so Ctrl-C in a notebook interrupts a start or stop; tests pass `no_interrupt`.
pub type CheckInterrupt<'a> = &'a dyn Fn() -> Result<()>;

/// A `CheckInterrupt` that never interrupts.
#[cfg(test)]
pub fn no_interrupt() -> Result<()> {
    Ok(())
}
