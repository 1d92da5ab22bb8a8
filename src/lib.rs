//! `sparkconnect._core`: the Rust core behind the sparkconnect IPython extension.
//!
//! The core owns everything that touches processes, files, sockets and time. Only this file and
//! `bindings/` know about Python: the modules below them take and return plain Rust values and
//! report failures as `errors::CoreError`.

mod archive;
mod bindings;
mod conf;
mod errors;
mod fsutil;
mod home;
mod idle;
mod installation;
mod java_choice;
mod launch;
mod launch_command;
mod leases;
mod lock;
mod log_settings;
mod logs;
mod process;
mod readiness;
mod recorded;
mod server;
mod spark_ui;
mod state;
mod uiauth;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    bindings::register(m)
}
