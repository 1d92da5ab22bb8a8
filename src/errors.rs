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
    /// The server could not be started (StartError); the cause lets the front end say what to
    /// type next, where the message says what happened.
    Start(Cause, String),
    /// The server could not be stopped, or another lifecycle step failed (SparkConnectError).
    Server(String),
    /// The wait was interrupted by a signal (Ctrl-C): the pending Python exception is raised.
    Interrupted,
    /// A file-system or OS call failed; `context` says what we were doing.
    Io { context: String, source: io::Error },
}

pub type Result<T> = std::result::Result<T, CoreError>;

/// Why a start failed. Python reads it as `StartError.cause` (`Cause::name`) and turns it into the
/// next step in the caller's own commands (`%spark ...` or `sparkconnect ...`), naming the conf
/// key or port at fault; the message itself says what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// Refused before anything ran (Java, Spark or a helper missing or too old); the message
    /// says how to fix it.
    Environment,
    /// A port the server needs is taken by another process.
    PortInUse,
    /// spark.master is not a master URL the server understands.
    BadMaster,
    /// The server's Java could not run it (too old, or missing).
    Java,
    /// The Spark installation lacks the Spark Connect server.
    NoConnect,
    /// The server exited during start-up for another reason (a conf it rejects, usually).
    Exited,
    /// It did not open its port within the timeout.
    Timeout,
    /// A recorded server is stopped (SIGSTOP) or hung, so it cannot be attached to.
    NotAnswering,
}

impl Cause {
    pub fn name(self) -> &'static str {
        match self {
            Cause::Environment => "environment",
            Cause::PortInUse => "port-in-use",
            Cause::BadMaster => "bad-master",
            Cause::Java => "java",
            Cause::NoConnect => "no-connect",
            Cause::Exited => "exited",
            Cause::Timeout => "timeout",
            Cause::NotAnswering => "not-answering",
        }
    }
}

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
            | CoreError::Start(_, msg)
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
