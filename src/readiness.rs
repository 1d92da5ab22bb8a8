//! Waiting for a launched server to accept connections.
//!
//! This wait is most of what a user feels when starting a server, so we poll at a fine grain
//! (20 ms). If the process exits first we fail at once, quoting its log with a hint; on a
//! timeout or an interrupt we stop it, so a failed start never leaves a server running.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use crate::errors::{Cause, CheckInterrupt, CoreError, Result};
use crate::launch::Launched;
use crate::state::ServerState;
use crate::{logs, process};

const POLL: Duration = Duration::from_millis(20);
/// Grace given to a server we stop because its start failed.
const FAILED_START_GRACE: Duration = Duration::from_secs(3);
/// Lines of the log quoted in an error; the hint looks further back.
const QUOTED_LINES: usize = 20;
const SCANNED_LINES: usize = 400;

/// What a TCP connect to 127.0.0.1:port found.
#[derive(Debug, PartialEq, Eq)]
pub enum Probe {
    Accepts,
    /// Nothing listens (connection refused).
    Refused,
    /// No answer in time (an overloaded listener drops SYNs rather than refusing).
    NoAnswer,
}

fn probe_port(port: u16, timeout: Duration) -> Probe {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match TcpStream::connect_timeout(&addr, timeout) {
        Ok(_) => Probe::Accepts,
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Probe::Refused,
        Err(_) => Probe::NoAnswer,
    }
}

/// The client connection preface of HTTP/2 (RFC 9113 §3.4) followed by an empty SETTINGS frame.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";
const H2_FRAME_SETTINGS: u8 = 0x4;

/// A protocol-level probe, bounded by `timeout`: does the server's gRPC (HTTP/2) stack answer?
///
/// A TCP connect is not enough: the kernel completes the handshake for a listening socket even
/// when the process behind it is stopped (SIGSTOP) or hung, and a client would then wait
/// forever. An HTTP/2 server must answer the client preface with its own SETTINGS frame, which
/// only a running server loop does. No gRPC call is made, so no token is needed.
pub fn probe_protocol(port: u16, timeout: Duration) -> Probe {
    let began = Instant::now();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Probe::Refused,
        Err(_) => return Probe::NoAnswer,
    };
    let left = timeout
        .saturating_sub(began.elapsed())
        .max(Duration::from_millis(1));
    if stream.set_write_timeout(Some(left)).is_err()
        || stream.set_read_timeout(Some(left)).is_err()
        || stream.write_all(H2_PREFACE).is_err()
    {
        return Probe::NoAnswer;
    }
    let mut header = [0u8; 9];
    match stream.read_exact(&mut header) {
        Ok(()) if header[3] == H2_FRAME_SETTINGS => Probe::Accepts,
        _ => Probe::NoAnswer,
    }
}

/// Why a recorded server does not answer, in words for the user (a stopped process or a hang).
pub fn not_answering(server: &ServerState, waited: Duration) -> String {
    let pid = server.pid;
    if process::is_stopped(pid, server.pid_start_time) {
        format!(
            "The Spark Connect server (pid {pid}, port {}) is stopped (SIGSTOP or a debugger), so \
             it answers nothing. `kill -CONT {pid}` resumes it; a restart replaces it (for every \
             attached notebook).",
            server.port
        )
    } else {
        format!(
            "The Spark Connect server (pid {pid}, port {}) accepts connections but did not \
             answer within {:.0} s: it is hung or badly overloaded. Its log may say why; a \
             restart replaces it (for every attached notebook).",
            server.port,
            waited.as_secs_f64()
        )
    }
}

/// Waits for a server that another process launched and then lost (it was killed mid-start)
/// to accept connections. We are not its parent, so we watch /proc instead of waitpid.
/// `Ok(true)`: ready; `Ok(false)`: it died first. On a timeout the caller stops it.
pub fn wait_adopted(
    server: &ServerState,
    timeout: Duration,
    check_interrupt: CheckInterrupt,
) -> Result<bool> {
    let began = Instant::now();
    loop {
        if !process::is_alive(server.pid, server.pid_start_time) {
            return Ok(false);
        }
        if probe_port(server.port, Duration::from_millis(200)) == Probe::Accepts {
            tracing::info!(
                pid = server.pid,
                port = server.port,
                waited_ms = began.elapsed().as_millis() as u64,
                "adopted a server whose launcher died mid-start"
            );
            return Ok(true);
        }
        if began.elapsed() >= timeout {
            let stopped = if process::is_stopped(server.pid, server.pid_start_time) {
                " Its process is stopped (SIGSTOP or a debugger)."
            } else {
                ""
            };
            return Err(CoreError::Start(
                Cause::Timeout,
                format!(
                    "A Spark Connect server that another notebook began to start (pid {}) did not \
                 open port {} within {:.0} s, so it was stopped.{stopped} {}",
                    server.pid,
                    server.port,
                    timeout.as_secs_f64(),
                    quote_log(Path::new(&server.log_path))
                ),
            ));
        }
        check_interrupt()?;
        std::thread::sleep(POLL);
    }
}

/// Blocks until the server accepts connections on its port. On failure the server is stopped
/// and reaped before the error is returned.
pub fn wait_ready(
    launched: &mut Launched,
    timeout: Duration,
    check_interrupt: CheckInterrupt,
) -> Result<()> {
    let began = Instant::now();
    let port = launched.state.port;
    let log = launched.state.log_path.clone();
    loop {
        match launched.child.try_wait() {
            Ok(Some(status)) => {
                return Err(exited_error(
                    status,
                    began.elapsed(),
                    Path::new(&log),
                    launched,
                ))
            }
            Ok(None) => {}
            Err(e) => return Err(CoreError::io("watch the server process", e)),
        }
        if probe_port(port, Duration::from_millis(200)) == Probe::Accepts {
            tracing::info!(
                pid = launched.state.pid,
                port,
                ready_ms = began.elapsed().as_millis() as u64,
                "the Spark Connect server accepts connections"
            );
            return Ok(());
        }
        if began.elapsed() >= timeout {
            let pid = launched.state.pid;
            let why = if process::is_stopped(pid, launched.state.pid_start_time) {
                format!(
                    " Its process (pid {pid}) was stopped (SIGSTOP or a debugger), so it could \
                     not finish starting."
                )
            } else {
                String::new()
            };
            process::stop_child_group(&mut launched.child, FAILED_START_GRACE);
            return Err(CoreError::Start(
                Cause::Timeout,
                format!(
                    "The Spark Connect server did not open port {port} within {:.0} s, so it was \
                 stopped.{why} {}",
                    timeout.as_secs_f64(),
                    quote_log(Path::new(&log))
                ),
            ));
        }
        if let Err(e) = check_interrupt() {
            tracing::info!("start interrupted; stopping the half-started server");
            process::stop_child_group(&mut launched.child, FAILED_START_GRACE);
            return Err(e);
        }
        std::thread::sleep(POLL);
    }
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => status.to_string(),
    }
}

fn exited_error(status: ExitStatus, after: Duration, log: &Path, launched: &Launched) -> CoreError {
    let lines = logs::last_lines(log, SCANNED_LINES).unwrap_or_default();
    let (cause, hint) = cause_from_log(&lines, launched);
    let hint = if hint.is_empty() {
        hint
    } else {
        format!(" {hint}")
    };
    CoreError::Start(
        cause,
        format!(
            "The Spark Connect server exited during start-up ({}, after {:.1} s).{hint} {}",
            describe(status),
            after.as_secs_f64(),
            format_tail(log, &lines)
        ),
    )
}

/// Picks the likely cause from the log, and says it in words (what to do is the front end's:
/// it knows which commands its user types).
fn cause_from_log(lines: &[String], launched: &Launched) -> (Cause, String) {
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    let s = &launched.state;
    if has("Address already in use") || has("BindException") {
        (
            Cause::PortInUse,
            format!(
                "A port it needs is already in use by another process (its gRPC port is {}, its \
                 Spark UI port {}).",
                s.port, s.ui_port
            ),
        )
    } else if has("Could not parse Master URL") || has("Master must") {
        (
            Cause::BadMaster,
            format!(
                "spark.master={} is not a master URL: use local[*], local[N], \
                 spark://HOST:PORT, yarn or k8s://...",
                s.master
            ),
        )
    } else if has("UnsupportedClassVersionError") {
        (
            Cause::Java,
            format!(
                "Java at {} is too old: Spark {} needs Java 17 or newer. Install it (e.g. \
                 `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME to a Java 17+ \
                 installation.",
                s.java, s.spark_version
            ),
        )
    } else if has("JAVA_HOME") || has("java: not found") || has("java: No such file") {
        (
            Cause::Java,
            "Java could not be run: install Java 17 or newer (e.g. `apt-get install \
             openjdk-17-jre-headless`) or set JAVA_HOME to a Java 17+ installation."
                .to_owned(),
        )
    } else if has("ClassNotFoundException") && has("connect") {
        (
            Cause::NoConnect,
            "This Spark installation lacks the Spark Connect server classes; install \
             `pyspark[connect]>=4` and use its SPARK_HOME."
                .to_owned(),
        )
    } else {
        (Cause::Exited, String::new())
    }
}

fn quote_log(log: &Path) -> String {
    let lines = logs::last_lines(log, QUOTED_LINES).unwrap_or_default();
    format_tail(log, &lines)
}

fn format_tail(log: &Path, lines: &[String]) -> String {
    let shown = &lines[lines.len().saturating_sub(QUOTED_LINES)..];
    if shown.is_empty() {
        return format!("The server log {} is empty.", log.display());
    }
    let mut out = format!("Last lines of {}:", log.display());
    for line in shown {
        out.push_str("\n    ");
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::no_interrupt;
    use crate::state;
    use std::net::TcpListener;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    fn fake_launch(dir: &Path, script: &str, port: u16) -> Launched {
        let log = dir.join("server.log");
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script])
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .process_group(0);
        let child = cmd.spawn().unwrap();
        let mut st = state::sample();
        st.pid = child.id() as i32;
        st.port = port;
        st.log_path = log.to_string_lossy().into_owned();
        Launched {
            child,
            state: st,
            archive: crate::archive::Plan::Off,
            command: crate::launch_command::Plan::Off,
            passed_env: Default::default(),
        }
    }

    fn start_error(r: Result<()>) -> (Cause, String) {
        match r {
            Err(CoreError::Start(cause, m)) => (cause, m),
            other => panic!("expected StartError, got {other:?}"),
        }
    }

    #[test]
    fn exit_first_fails_fast_with_hint_and_tail() {
        let dir = tempfile::tempdir().unwrap();
        let free = crate::launch::pick_free_port().unwrap();
        let mut l = fake_launch(
            dir.path(),
            "echo starting; echo 'java.net.BindException: Address already in use'; exit 3",
            free,
        );
        let began = Instant::now();
        let (cause, m) = start_error(wait_ready(&mut l, Duration::from_secs(30), &no_interrupt));
        assert_eq!(cause, Cause::PortInUse);
        assert!(began.elapsed() < Duration::from_secs(5));
        assert!(m.contains("exit code 3"), "{m}");
        assert!(m.contains("already in use"), "{m}");
        assert!(m.contains("    starting"), "{m}");
    }

    #[test]
    fn master_hint() {
        let dir = tempfile::tempdir().unwrap();
        let free = crate::launch::pick_free_port().unwrap();
        let mut l = fake_launch(
            dir.path(),
            "echo 'org.apache.spark.SparkException: Could not parse Master URL: nope'; exit 1",
            free,
        );
        let (cause, m) = start_error(wait_ready(&mut l, Duration::from_secs(30), &no_interrupt));
        assert_eq!(cause, Cause::BadMaster);
        assert!(m.contains("is not a master URL"), "{m}");
    }

    #[test]
    fn ready_when_port_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut l = fake_launch(dir.path(), "sleep 30", port);
        wait_ready(&mut l, Duration::from_secs(10), &no_interrupt).unwrap();
        process::stop_child_group(&mut l.child, Duration::from_secs(1));
    }

    #[test]
    fn timeout_stops_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let free = crate::launch::pick_free_port().unwrap();
        let mut l = fake_launch(dir.path(), "echo still booting; sleep 30", free);
        let (cause, m) = start_error(wait_ready(
            &mut l,
            Duration::from_millis(300),
            &no_interrupt,
        ));
        assert_eq!(cause, Cause::Timeout);
        assert!(m.contains("did not open port"), "{m}");
        assert!(m.contains("still booting"), "{m}");
        // Stopped and reaped.
        assert!(l.child.try_wait().unwrap().is_some());
    }

    #[test]
    fn interrupt_stops_the_process() {
        let dir = tempfile::tempdir().unwrap();
        let free = crate::launch::pick_free_port().unwrap();
        let mut l = fake_launch(dir.path(), "sleep 30", free);
        let interrupt = || Err(CoreError::Interrupted);
        assert!(matches!(
            wait_ready(&mut l, Duration::from_secs(30), &interrupt),
            Err(CoreError::Interrupted)
        ));
        assert!(l.child.try_wait().unwrap().is_some());
    }

    #[test]
    fn protocol_probe_needs_an_http2_answer() {
        use std::io::{Read, Write};
        // A listener nobody accepts from: TCP connects, but nothing answers.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        assert_eq!(probe_port(port, Duration::from_millis(200)), Probe::Accepts);
        assert_eq!(
            probe_protocol(port, Duration::from_millis(300)),
            Probe::NoAnswer
        );
        // A minimal HTTP/2 peer: reads the preface, answers with an empty SETTINGS frame.
        let h2 = TcpListener::bind("127.0.0.1:0").unwrap();
        let h2_port = h2.local_addr().unwrap().port();
        let peer = std::thread::spawn(move || {
            let (mut conn, _) = h2.accept().unwrap();
            let mut preface = [0u8; 33];
            conn.read_exact(&mut preface).unwrap();
            conn.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).unwrap();
            preface
        });
        assert_eq!(
            probe_protocol(h2_port, Duration::from_secs(5)),
            Probe::Accepts
        );
        assert_eq!(
            &peer.join().unwrap()[..24],
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        );
        let free = crate::launch::pick_free_port().unwrap();
        assert_eq!(
            probe_protocol(free, Duration::from_millis(200)),
            Probe::Refused
        );
    }

    #[test]
    fn probe_refused() {
        let free = crate::launch::pick_free_port().unwrap();
        assert_eq!(probe_port(free, Duration::from_millis(200)), Probe::Refused);
    }
}
