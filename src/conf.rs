//! Spark conf: parsing `key=value` items, the pending conf store, the conf a server runs with
//! (defaults, the user's, what the core enforces) and the properties file.
//!
//! User conf goes to the server in a 0600 properties file, never on the command line, because it
//! may hold secrets (storage keys) that `ps` would show to everyone.

use std::collections::BTreeMap;
use std::path::Path;

use crate::errors::{CoreError, Result};
use crate::fsutil;
use crate::home::Home;
use crate::uiauth;

pub type Conf = BTreeMap<String, String>;

const EXAMPLE: &str = "spark.sql.shuffle.partitions=8";
const MAX_CONF_BYTES: u64 = 4 << 20;

const KEY_MASTER: &str = "spark.master";
pub const KEY_UI_PORT: &str = "spark.ui.port";
const KEY_BIND_ADDRESS: &str = "spark.connect.grpc.binding.address";
pub const KEY_BIND_PORT: &str = "spark.connect.grpc.binding.port";
const KEY_TOKEN: &str = "spark.connect.authenticate.token";
const DEFAULT_MASTER: &str = "local[*]";
/// How often the server reports a running query's progress to its client. Spark's default (2 s)
/// leaves a notebook's progress bar still for most of a short job.
const KEY_PROGRESS_INTERVAL: &str = "spark.connect.progress.reportInterval";
const DEFAULT_PROGRESS_INTERVAL: &str = "500ms";

/// The ports a user may name (`--port`, `spark.ui.port`), both ends included. Python's `--port`
/// checks the same bounds (`_core.PORTS`) and words its refusal the same way.
pub const PORTS: (u16, u16) = (1, 65535);

/// Checks a port number the user gave as `name`: "NAME must be between 1 and 65535, not N".
pub fn check_port(name: &str, value: i64) -> Result<u16> {
    u16::try_from(value)
        .ok()
        .filter(|p| (PORTS.0..=PORTS.1).contains(p))
        .ok_or_else(|| {
            CoreError::Conf(format!(
                "{name} must be between {} and {}, not {value}",
                PORTS.0, PORTS.1
            ))
        })
}

/// A port written in a conf item: "NAME must be a number, not 'TEXT'", else `check_port`.
pub fn parse_port(name: &str, text: &str) -> Result<u16> {
    let value = text
        .trim()
        .parse::<i64>()
        .map_err(|_| CoreError::Conf(format!("{name} must be a number, not '{text}'")))?;
    check_port(name, value)
}

fn refuse(item: &str, why: &str) -> CoreError {
    CoreError::Conf(format!(
        "{item:?} is not a valid conf item: {why}. Write each item as key=value, e.g. {EXAMPLE}."
    ))
}

/// Checks one key/value pair; `item` is how the user wrote it, quoted in the error.
fn check_pair(item: &str, key: &str, value: &str) -> Result<()> {
    if item.chars().any(char::is_control) {
        return Err(refuse(
            item,
            "it contains a control character (newline, tab, ...)",
        ));
    }
    if key.is_empty() {
        return Err(refuse(item, "the key is empty"));
    }
    if key.chars().any(char::is_whitespace) {
        return Err(refuse(item, "the key contains whitespace"));
    }
    if key.contains(['"', '\'']) {
        return Err(refuse(item, "the key contains quotes"));
    }
    if value.is_empty() {
        return Err(refuse(item, "the value is empty"));
    }
    Ok(())
}

/// Parses one `key=value` item, splitting at the first '=' (values may contain '=').
fn parse_item(item: &str) -> Result<(String, String)> {
    let Some((key, value)) = item.split_once('=') else {
        return Err(refuse(item, "there is no '='"));
    };
    check_pair(item, key, value)?;
    Ok((key.to_owned(), value.to_owned()))
}

/// Parses items in order; a later item overrides an earlier one with the same key.
pub fn parse_items<S: AsRef<str>>(items: &[S]) -> Result<Conf> {
    items.iter().map(|item| parse_item(item.as_ref())).collect()
}

/// Checks a conf that arrives as a mapping (from Python, or read back from disk).
pub fn validate(conf: &Conf) -> Result<()> {
    for (key, value) in conf {
        check_pair(&format!("{key}={value}"), key, value)?;
    }
    Ok(())
}

/// The pending conf: what the next start applies. Empty when never saved.
pub fn load_pending(home: &Home) -> Result<Conf> {
    let path = home.pending_conf();
    let bytes = match fsutil::read_private(&path, MAX_CONF_BYTES) {
        Ok(None) => return Ok(Conf::new()),
        Ok(Some(b)) => b,
        Err(e) => return Err(CoreError::io_at("read the pending conf", &path, e)),
    };
    let conf: Conf = serde_json::from_slice(&bytes).map_err(|e| {
        CoreError::Conf(format!(
            "The pending conf {} is corrupt ({e}). Delete it (`rm {}`) and set the conf again.",
            path.display(),
            path.display()
        ))
    })?;
    validate(&conf)?;
    Ok(conf)
}

/// Replaces the pending conf, atomically, mode 0600, creating the home first: a conf may be
/// set before any server ever started.
pub fn save_pending(home: &Home, conf: &Conf) -> Result<()> {
    home.ensure()?;
    validate(conf)?;
    let mut bytes = serde_json::to_vec_pretty(conf)
        .map_err(|e| CoreError::Conf(format!("could not serialize the conf: {e}")))?;
    bytes.push(b'\n');
    fsutil::atomic_write(&home.pending_conf(), &bytes)
}

/// The conf a server runs with unless the user's conf says otherwise.
pub fn default_conf() -> Conf {
    BTreeMap::from([
        (KEY_MASTER.to_owned(), DEFAULT_MASTER.to_owned()),
        (
            KEY_PROGRESS_INTERVAL.to_owned(),
            DEFAULT_PROGRESS_INTERVAL.to_owned(),
        ),
    ])
}

/// The conf the server runs with: defaults, then the user's, then what the core enforces (the
/// loopback binding and the ports it picked). Also returns the user conf as recorded in the
/// state (without the keys the core sets itself).
pub fn server_conf(user: &Conf, port: u16, ui_port: u16) -> (Conf, Conf) {
    let mut recorded = user.clone();
    for key in [
        KEY_BIND_ADDRESS,
        KEY_BIND_PORT,
        KEY_TOKEN,
        uiauth::KEY_SECRET,
    ] {
        if recorded.remove(key).is_some() {
            tracing::warn!(key, "ignoring a conf key that sparkconnect sets itself");
        }
    }
    let mut effective = default_conf();
    effective.extend(recorded.clone());
    effective.insert(KEY_BIND_ADDRESS.to_owned(), "127.0.0.1".to_owned());
    effective.insert(KEY_BIND_PORT.to_owned(), port.to_string());
    effective.insert(KEY_UI_PORT.to_owned(), ui_port.to_string());
    (effective, recorded)
}

/// The master a server runs with, from its effective conf (`server_conf`).
pub fn master(effective: &Conf) -> String {
    effective
        .get(KEY_MASTER)
        .cloned()
        .unwrap_or_else(|| DEFAULT_MASTER.to_owned())
}

/// Escapes a key for a Java properties file: separators and comment markers would otherwise
/// end the key or turn the line into a comment.
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '\\' | '=' | ':' | '#' | '!' | ' ' => {
                out.push('\\');
                out.push(c);
            }
            _ => push_common(&mut out, c),
        }
    }
    out
}

/// Escapes a value: backslashes, line breaks, and leading spaces (which `Properties.load` skips).
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut leading = true;
    for c in value.chars() {
        if leading && c == ' ' {
            out.push_str("\\ ");
            continue;
        }
        leading = false;
        match c {
            '\\' => out.push_str("\\\\"),
            _ => push_common(&mut out, c),
        }
    }
    out
}

fn push_common(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0c' => out.push_str("\\f"),
        c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push(c),
    }
}

/// Renders a properties file (UTF-8, which Spark's loader reads).
fn render_properties(conf: &Conf) -> String {
    let mut out = String::from("# Written by sparkconnect for the Spark Connect server.\n");
    for (key, value) in conf {
        out.push_str(&escape_key(key));
        out.push('=');
        out.push_str(&escape_value(value));
        out.push('\n');
    }
    out
}

/// Writes a properties file, mode 0600.
pub fn write_properties(path: &Path, conf: &Conf) -> Result<()> {
    fsutil::atomic_write(path, render_properties(conf).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_items() {
        assert_eq!(parse_item("a=b").unwrap(), ("a".into(), "b".into()));
        assert_eq!(parse_item("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(
            parse_item("spark.driver.extraJavaOptions=-Da=1 -Db=\"x y\"").unwrap(),
            (
                "spark.driver.extraJavaOptions".into(),
                "-Da=1 -Db=\"x y\"".into()
            )
        );
        let conf = parse_items(&["a=1", "b=2", "a=3"]).unwrap();
        assert_eq!(
            conf,
            Conf::from([("a".into(), "3".into()), ("b".into(), "2".into())])
        );
    }

    #[test]
    fn bad_items_name_the_item_and_the_form() {
        for (item, why) in [
            ("=x", "key is empty"),
            ("k=", "value is empty"),
            ("k", "no '='"),
            ("k v=1", "whitespace"),
            ("\"k\"=1", "quotes"),
            ("k=a\nb", "control character"),
            ("k\t=1", "control character"),
        ] {
            match parse_item(item) {
                Err(CoreError::Conf(msg)) => {
                    assert!(msg.contains(why), "{item:?}: {msg}");
                    assert!(msg.contains(&format!("{item:?}")), "{item:?}: {msg}");
                    assert!(msg.contains("key=value"), "{msg}");
                    assert!(msg.contains(EXAMPLE), "{msg}");
                }
                other => panic!("{item:?}: expected ConfError, got {other:?}"),
            }
        }
        assert!(parse_items(&["a=1", "oops"]).is_err());
    }

    #[test]
    fn properties_escaping() {
        let conf = Conf::from([
            ("a=b:c#d!e f\\g".into(), "v".into()),
            ("k".into(), "  lead\\back\nnew\rret=:#!".into()),
            ("#comment".into(), "x".into()),
            ("u".into(), "ünïcode".into()),
        ]);
        let text = render_properties(&conf);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with('#'));
        assert!(lines.contains(&"\\#comment=x"));
        assert!(lines.contains(&"a\\=b\\:c\\#d\\!e\\ f\\\\g=v"));
        assert!(lines.contains(&"k=\\ \\ lead\\\\back\\nnew\\rret=:#!"));
        assert!(lines.contains(&"u=ünïcode"));
    }

    #[test]
    fn pending_conf_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        // A home nothing has created yet: saving creates it.
        let home = Home::new(dir.path().join("home"));
        assert!(load_pending(&home).unwrap().is_empty());
        let conf = parse_items(&["spark.executor.memory=2g", "x=a=b"]).unwrap();
        save_pending(&home, &conf).unwrap();
        assert_eq!(load_pending(&home).unwrap(), conf);
        let bad = Conf::from([("k v".into(), "1".into())]);
        assert!(matches!(save_pending(&home, &bad), Err(CoreError::Conf(_))));
        std::fs::write(home.pending_conf(), "{").unwrap();
        assert!(matches!(load_pending(&home), Err(CoreError::Conf(_))));
    }

    #[test]
    fn effective_conf_enforces_loopback_and_ports() {
        let user = Conf::from([
            ("spark.master".into(), "local[2]".into()),
            (KEY_BIND_ADDRESS.into(), "0.0.0.0".into()),
            (KEY_TOKEN.into(), "mine".into()),
            (uiauth::KEY_SECRET.into(), "theirs".into()),
            ("spark.executor.memory".into(), "2g".into()),
        ]);
        let (effective, recorded) = server_conf(&user, 15002, 4040);
        assert_eq!(effective[KEY_BIND_ADDRESS], "127.0.0.1");
        assert_eq!(effective[KEY_BIND_PORT], "15002");
        assert_eq!(effective[KEY_UI_PORT], "4040");
        assert_eq!(effective[KEY_MASTER], "local[2]");
        assert!(!effective.contains_key(KEY_TOKEN));
        // The UI key is the core's own (launch.rs adds it), never the user's.
        assert!(!effective.contains_key(uiauth::KEY_SECRET));
        assert_eq!(
            recorded,
            Conf::from([
                ("spark.master".into(), "local[2]".into()),
                ("spark.executor.memory".into(), "2g".into()),
            ])
        );
        assert_eq!(effective[KEY_PROGRESS_INTERVAL], DEFAULT_PROGRESS_INTERVAL);
        let (effective, _) = server_conf(&Conf::new(), 1, 2);
        assert_eq!(effective[KEY_MASTER], DEFAULT_MASTER);
        // A user's own interval wins over the default.
        let user = Conf::from([(KEY_PROGRESS_INTERVAL.into(), "2s".into())]);
        let (effective, recorded) = server_conf(&user, 1, 2);
        assert_eq!(effective[KEY_PROGRESS_INTERVAL], "2s");
        assert_eq!(recorded, user);
    }

    #[test]
    fn properties_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("server.properties");
        write_properties(&p, &Conf::from([("a".into(), "b".into())])).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
