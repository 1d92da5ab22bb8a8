//! The one client of a server's Spark UI REST API (and of its pages), on loopback.
//!
//! Two kinds of callers ask the UI: the idle watchdog (`idle.rs`: does a job run?) and the
//! Python side through `ServerInfo.ui_get` (whose jobs are these, was one cancelled?). Both go
//! through `get` here, so both sign alike (the server's UI key, `uiauth.rs`, which never leaves
//! the core) and both are bounded alike in time: the UI answers from the driver JVM, and a busy
//! driver can be slow to answer, or not answer at all.
//!
//! A plain HTTP/1.0 `GET`: the UI (Jetty) then answers without chunking and closes the
//! connection, so the body is everything after the head. Nothing else of HTTP is needed.

use std::fmt;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use crate::uiauth;

/// Bound on one answer: the jobs list of a long-lived server (Spark keeps the last thousand
/// jobs) is a few megabytes at most.
const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// Why the UI gave no answer to use.
#[derive(Debug, PartialEq, Eq)]
pub enum UiError {
    /// Nothing listens on the UI port: the UI is off (spark.ui.enabled=false) or gone.
    Off,
    /// Something listens but gave no answer in time, or an answer that is not HTTP (a busy
    /// or hung driver); what happened, in words.
    NoAnswer(String),
    /// It answered with another status than 200: 403 for a request it did not accept.
    Status(u16),
    /// The recorded UI key cannot sign (not base64url): the UI would refuse the request.
    BadKey,
}

impl fmt::Display for UiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UiError::Off => write!(f, "nothing listens on the Spark UI's port"),
            UiError::NoAnswer(what) => write!(f, "the Spark UI did not answer: {what}"),
            UiError::Status(status) => write!(f, "the Spark UI answered with status {status}"),
            UiError::BadKey => write!(f, "the server's recorded Spark UI key cannot sign"),
        }
    }
}

/// The body of the UI's `200` answer to a `GET` of `path` (e.g. `/api/v1/applications`) on
/// `port`, signed with `key` (None: a server recorded before the UI was locked, whose UI wants
/// no header). Connecting, sending and each read may take `timeout`.
pub fn get(
    port: u16,
    key: Option<&str>,
    path: &str,
    timeout: Duration,
) -> Result<Vec<u8>, UiError> {
    // Whether anything listens comes first: a UI that is off is off, whatever the key.
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(stream) => stream,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Err(UiError::Off),
        Err(e) => return Err(UiError::NoAnswer(format!("connecting: {e}"))),
    };
    let authorization = match key.map(uiauth::bearer) {
        Some(Some(bearer)) => format!("Authorization: {bearer}\r\n"),
        Some(None) => return Err(UiError::BadKey),
        None => String::new(),
    };
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: localhost\r\nAccept: application/json\r\n\
         {authorization}\r\n"
    );
    let response = exchange(&mut stream, &request, timeout)
        .map_err(|e| UiError::NoAnswer(format!("asking {path}: {e}")))?;
    let no_http = || UiError::NoAnswer(format!("the answer to {path} is not HTTP"));
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(no_http)?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status: u16 = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(no_http)?;
    if status != 200 {
        return Err(UiError::Status(status));
    }
    Ok(response[split + 4..].to_vec())
}

fn exchange(stream: &mut TcpStream, request: &str, timeout: Duration) -> std::io::Result<Vec<u8>> {
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    stream.take(MAX_ANSWER_BYTES).read_to_end(&mut response)?;
    Ok(response)
}

/// A stand-in for a server's Spark UI, locked like ours, for the tests of its callers.
#[cfg(test)]
pub mod stand_in {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    pub const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    /// Whether `header` is `Bearer <JWS>` with a valid HS256 signature by `KEY` and an `exp`
    /// in the future, as Spark's JWSFilter checks it.
    pub fn signed_by_key(header: &str) -> bool {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        use hmac::{Hmac, Mac};
        let Some((input, signature)) = header
            .strip_prefix("Bearer ")
            .and_then(|jws| jws.rsplit_once('.'))
        else {
            return false;
        };
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(&URL_SAFE_NO_PAD.decode(KEY).unwrap()).unwrap();
        mac.update(input.as_bytes());
        let good = URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|sig| mac.verify_slice(&sig).is_ok());
        let claims: serde_json::Value = input
            .split_once('.')
            .and_then(|(_, c)| URL_SAFE_NO_PAD.decode(c).ok())
            .and_then(|c| serde_json::from_slice(&c).ok())
            .unwrap_or_default();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        good && claims["exp"].as_u64().is_some_and(|exp| exp > now)
    }

    /// Listens on a free loopback port and answers each request in turn from `bodies` when it
    /// carries a JWS signed with `KEY`, and 403 (as Spark's filter) otherwise. Its port.
    pub fn serve(bodies: Vec<&'static str>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for body in bodies {
                let (mut conn, _) = listener.accept().unwrap();
                let mut buf = [0u8; 4096];
                let n = conn.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let signed = request
                    .lines()
                    .filter_map(|l| l.strip_prefix("Authorization: "))
                    .any(signed_by_key);
                let reply = if signed {
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{body}")
                } else {
                    "HTTP/1.1 403 Forbidden\r\n\r\nAuthorization header is missing.".to_owned()
                };
                conn.write_all(reply.as_bytes()).unwrap();
            }
        });
        port
    }
}

#[cfg(test)]
mod tests {
    use super::stand_in::{serve, signed_by_key, KEY};
    use super::*;
    use std::net::TcpListener;
    use std::time::Instant;

    const SHORT: Duration = Duration::from_secs(2);

    #[test]
    fn a_signed_request_gets_the_body() {
        let port = serve(vec![r#"[{"id": "local-1"}]"#]);
        assert_eq!(
            get(port, Some(KEY), "/api/v1/applications", SHORT).unwrap(),
            br#"[{"id": "local-1"}]"#
        );
    }

    #[test]
    fn an_unsigned_or_wrongly_signed_request_is_refused() {
        let port = serve(vec!["[]"]);
        assert_eq!(get(port, None, "/", SHORT), Err(UiError::Status(403)));
        let other = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
        let port = serve(vec!["[]", "[]"]);
        assert_eq!(
            get(port, Some(other), "/", SHORT),
            Err(UiError::Status(403))
        );
        assert_eq!(
            get(port, Some("not base64!"), "/", SHORT),
            Err(UiError::BadKey)
        );
        assert!(signed_by_key(&uiauth::bearer(KEY).unwrap()));
        assert!(!signed_by_key(&uiauth::bearer(other).unwrap()));
    }

    #[test]
    fn no_listener_is_off_and_a_silent_one_is_no_answer_in_time() {
        let free = crate::launch::pick_free_port().unwrap();
        assert_eq!(get(free, Some(KEY), "/", SHORT), Err(UiError::Off));
        // Accepts (the backlog does) but never answers, as a hung driver.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let began = Instant::now();
        let timeout = Duration::from_millis(300);
        assert!(matches!(
            get(port, Some(KEY), "/", timeout),
            Err(UiError::NoAnswer(_))
        ));
        assert!(began.elapsed() < timeout * 4);
    }
}
