//! The home's state file (`server.json`): what we know about the running server.
//!
//! Written atomically with mode 0600 (it holds the token). Reading never fails hard: a missing
//! file is "no server", and anything we cannot trust (empty, truncated, not JSON, a schema we do
//! not know, a symlink) is reported as `Invalid(reason)` so `status` can show the reason and
//! `start` can treat it as "no server" and replace it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::errors::{CoreError, Result};
use crate::fsutil;
use crate::home::Home;

/// The schema version this code writes and reads.
pub const SCHEMA: u64 = 1;

/// A sane state file is a few hundred bytes plus the conf; refuse to slurp anything huge.
const MAX_STATE_BYTES: u64 = 1 << 20;

/// Where a recorded server is in its life. The state is written as soon as the process exists
/// (`Starting`), so a kernel killed mid-launch leaves a record the next start can adopt or clean
/// up instead of an orphan JVM nobody knows about. A stop marks it `Stopping` before the first
/// signal, so a reader that sees the process gone before its record is removed knows it was
/// stopped, not lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Starting,
    Ready,
    Stopping,
}

/// Files written before the phase existed only ever recorded ready servers.
fn ready() -> Phase {
    Phase::Ready
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerState {
    pub schema: u64,
    pub pid: i32,
    /// Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22): tells our
    /// server from an unrelated process that got the same pid later.
    pub pid_start_time: u64,
    pub port: u16,
    pub ui_port: u16,
    pub token: String,
    /// The key that signs requests to the Spark UI (see `uiauth.rs`); `None` for a server
    /// recorded before the UI was locked.
    #[serde(default)]
    pub ui_key: Option<String>,
    pub master: String,
    pub spark_home: String,
    pub spark_version: String,
    pub java: String,
    /// The `JAVA_VERSION` of the java's installation (`25.0.3`); `None` when unknown or
    /// recorded before.
    #[serde(default)]
    pub java_version: Option<String>,
    /// Why the server runs on this java: "java_home", "profile", "newest" or "path" (see
    /// `installation::Found`); `None` for a server recorded before.
    #[serde(default)]
    pub java_choice: Option<String>,
    pub python: String,
    /// The user conf the server was launched with (without the keys the core enforces).
    pub conf: BTreeMap<String, String>,
    pub log_path: String,
    /// Unix seconds.
    pub started_at: f64,
    #[serde(default = "ready")]
    pub phase: Phase,
    /// Seconds without attached kernels or running jobs after which the watchdog stops the
    /// server; `None`: never.
    #[serde(default)]
    pub idle_timeout: Option<f64>,
    /// The start-up archive the JVM maps (see `archive.rs`), checked once it was ready.
    #[serde(default)]
    pub class_archive: Option<String>,
    /// Who launched it, in words ("notebook analysis.ipynb", "the terminal"), so that a notebook
    /// whose server was replaced can say by whom; `None` when not told.
    #[serde(default)]
    pub launched_by: Option<String>,
    /// How it was launched: "spark-submit", or "direct" (the `java` command a spark-submit
    /// launch computed before, see `launch_command.rs`); `None` for a server recorded before.
    #[serde(default)]
    pub launch_path: Option<String>,
}

// Hand-written so that the token never ends up in a log line or a panic message.
impl fmt::Debug for ServerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerState")
            .field("pid", &self.pid)
            .field("pid_start_time", &self.pid_start_time)
            .field("port", &self.port)
            .field("ui_port", &self.ui_port)
            .field("token", &"***")
            .field("ui_key", &self.ui_key.as_ref().map(|_| "***"))
            .field("master", &self.master)
            .field("spark_version", &self.spark_version)
            .field("phase", &self.phase)
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

// Read once per lifecycle call and matched at once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
pub enum ReadState {
    Missing,
    Valid(ServerState),
    /// Why the file was ignored, in words for the user.
    Invalid(String),
}

pub fn read(home: &Home) -> ReadState {
    let path = home.state();
    let bytes = match fsutil::read_private(&path, MAX_STATE_BYTES) {
        Ok(None) => return ReadState::Missing,
        Ok(Some(b)) => b,
        Err(e) if fsutil::is_symlink_error(&e) => {
            return ReadState::Invalid(format!(
                "{} is a symlink; sparkconnect only trusts a regular file it wrote itself",
                path.display()
            ))
        }
        Err(e) => {
            return ReadState::Invalid(format!("{} cannot be read: {e}", path.display()));
        }
    };
    parse(&bytes, &path)
}

fn parse(bytes: &[u8], path: &Path) -> ReadState {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return ReadState::Invalid(format!("{} is empty", path.display()));
    }
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return ReadState::Invalid(format!(
                "{} is not valid JSON (truncated or corrupt: {e})",
                path.display()
            ))
        }
    };
    match value.get("schema").and_then(serde_json::Value::as_u64) {
        Some(SCHEMA) => {}
        Some(other) => {
            return ReadState::Invalid(format!(
                "{} has schema version {other}, which this version of sparkconnect does not \
                 know (it reads version {SCHEMA}); it was probably written by a different \
                 sparkconnect version",
                path.display()
            ))
        }
        None => {
            return ReadState::Invalid(format!(
                "{} has no schema version; it was not written by sparkconnect",
                path.display()
            ))
        }
    }
    match serde_json::from_value::<ServerState>(value) {
        Ok(state) if state.pid > 1 && state.port != 0 => ReadState::Valid(state),
        Ok(_) => ReadState::Invalid(format!(
            "{} records an impossible pid or port",
            path.display()
        )),
        Err(e) => ReadState::Invalid(format!(
            "{} is missing fields or has wrong types ({e})",
            path.display()
        )),
    }
}

pub fn write(home: &Home, state: &ServerState) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(state)
        .map_err(|e| CoreError::Server(format!("could not serialize the server state: {e}")))?;
    bytes.push(b'\n');
    fsutil::atomic_write(&home.state(), &bytes)
}

pub fn remove(home: &Home) -> Result<()> {
    fsutil::remove_if_exists(&home.state())
}

#[cfg(test)]
pub(crate) fn sample() -> ServerState {
    ServerState {
        schema: SCHEMA,
        pid: 4242,
        pid_start_time: 123456,
        port: 15002,
        ui_port: 4040,
        token: "s3cret".into(),
        ui_key: Some("k3y".into()),
        master: "local[*]".into(),
        spark_home: "/opt/spark".into(),
        spark_version: "4.0.1".into(),
        java: "/usr/bin/java".into(),
        java_version: None,
        java_choice: None,
        python: "/usr/bin/python3".into(),
        conf: BTreeMap::from([("spark.sql.shuffle.partitions".into(), "8".into())]),
        log_path: "/tmp/server.log".into(),
        started_at: 1_700_000_000.5,
        phase: Phase::Ready,
        idle_timeout: None,
        class_archive: None,
        launched_by: None,
        launch_path: None,
    }
}

/// A sample record of a server that is gone: this test's own pid with a start time no process
/// has, so it reads as dead.
#[cfg(test)]
pub(crate) fn sample_gone() -> ServerState {
    ServerState {
        pid: std::process::id() as i32,
        pid_start_time: u64::MAX,
        ..sample()
    }
}

/// A recorded stand-in server for tests: `sleep 30` in its own process group (what stop
/// signals), with the state `adjust`ed and written to `home`. Returns the state and the thread
/// that reaps the process.
#[cfg(test)]
pub(crate) fn record_stand_in(
    home: &Home,
    adjust: impl FnOnce(&mut ServerState),
) -> (
    ServerState,
    std::thread::JoinHandle<std::process::ExitStatus>,
) {
    use std::os::unix::process::CommandExt;
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .process_group(0)
        .spawn()
        .unwrap();
    let mut s = sample();
    s.pid = child.id() as i32;
    s.pid_start_time = crate::process::start_time(s.pid).unwrap();
    adjust(&mut s);
    write(home, &s).unwrap();
    (s, std::thread::spawn(move || child.wait().unwrap()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn invalid(home: &Home) -> String {
        match read(home) {
            ReadState::Invalid(reason) => reason,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        assert_eq!(read(&home), ReadState::Missing);
        write(&home, &sample()).unwrap();
        assert_eq!(read(&home), ReadState::Valid(sample()));
        let mode = fs::metadata(home.state()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        remove(&home).unwrap();
        assert_eq!(read(&home), ReadState::Missing);
        remove(&home).unwrap();
    }

    #[test]
    fn garbage_is_invalid_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let path = home.state();
        let good = serde_json::to_string(&sample()).unwrap();

        fs::write(&path, "").unwrap();
        assert!(invalid(&home).contains("empty"));

        fs::write(&path, &good[..good.len() / 2]).unwrap();
        assert!(invalid(&home).contains("not valid JSON"));

        fs::write(&path, "hello, I am not json").unwrap();
        assert!(invalid(&home).contains("not valid JSON"));

        fs::write(&path, [0xff, 0xfe, 0x00, 0x01]).unwrap();
        invalid(&home);

        fs::write(&path, "[1, 2, 3]").unwrap();
        assert!(invalid(&home).contains("no schema"));

        let future = good.replace("\"schema\":1", "\"schema\":2");
        fs::write(&path, future).unwrap();
        assert!(invalid(&home).contains("schema version 2"));

        fs::write(&path, r#"{"schema": 1, "pid": "nope"}"#).unwrap();
        assert!(invalid(&home).contains("missing fields"));
    }

    #[test]
    fn a_file_without_phase_is_a_ready_server() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let mut value = serde_json::to_value(sample()).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("phase");
        object.remove("idle_timeout");
        fs::write(home.state(), value.to_string()).unwrap();
        assert_eq!(read(&home), ReadState::Valid(sample()));
    }

    #[test]
    fn symlink_is_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let elsewhere = dir.path().join("elsewhere.json");
        fs::write(&elsewhere, serde_json::to_string(&sample()).unwrap()).unwrap();
        std::os::unix::fs::symlink(&elsewhere, home.state()).unwrap();
        assert!(invalid(&home).contains("symlink"));
    }

    #[test]
    fn debug_masks_token() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("s3cret"));
        assert!(!text.contains("k3y"));
    }
}
