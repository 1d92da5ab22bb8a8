//! The server's own `java` command, recorded from a spark-submit launch and run directly later.
//!
//! `bin/spark-submit` execs `bin/spark-class`, which sources `load-spark-env.sh`, runs a
//! launcher JVM (`org.apache.spark.launcher.Main`) only to print the real `java` command, then
//! execs it: a JVM start and a few bash scripts on every cold start, computing the same
//! command every time. Once a spark-submit launch is ready, its JVM's argv (`/proc/<pid>/cmdline`) and
//! the variables the scripts added or changed (`/proc/<pid>/environ` against what we passed) are
//! kept in a private file of the user's cache, one per home, with a key of everything that can
//! change that command. A later launch with the same key runs the command itself.
//!
//! Anything in doubt (no entry, an unreadable one, another key, its java gone) means
//! spark-submit, which refreshes the entry. A conf directory with a `spark-env.sh` means no
//! shortcut at all: that script may run arbitrary code on every launch.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::archive::{fingerprint, fnv1a};
use crate::conf::{Conf, KEY_BIND_PORT, KEY_UI_PORT};
use crate::java_choice::java_home_of;
use crate::{fsutil, home, uiauth};

/// The environment a launch passes to its process.
pub type Env = BTreeMap<OsString, OsString>;

/// Conf keys whose values change on every launch (the properties file is rewritten each time
/// and read by the server JVM itself; the launcher never puts these on the command line).
const PER_LAUNCH_KEYS: &[&str] = &[KEY_BIND_PORT, KEY_UI_PORT, uiauth::KEY_SECRET];

/// Inherited variables in the key. spark-class, load-spark-env.sh and the launcher read
/// SPARK_* (SPARK_CONF_DIR, SPARK_DIST_CLASSPATH, SPARK_SUBMIT_OPTS, SPARK_DRIVER_MEMORY,
/// SPARK_SCALA_VERSION, SPARK_PREPEND_CLASSES, ...), HADOOP_CONF_DIR and YARN_CONF_DIR (on the
/// classpath), JAVA_HOME and PATH (which java), and LD_LIBRARY_PATH (the launcher appends
/// spark.driver.extraLibraryPath to it). Variables the JVM reads itself (JAVA_TOOL_OPTIONS)
/// reach it the same way on both paths, so they are not in the key.
const KEY_ENV_PREFIXES: &[&str] = &["SPARK_", "HADOOP_", "YARN_"];
const KEY_ENV_NAMES: &[&str] = &["JAVA_HOME", "PATH", "LD_LIBRARY_PATH"];
/// Different on every launch (the Connect token): never in the key, never recorded.
const PER_LAUNCH_ENV: &[&str] = &["SPARK_CONNECT_AUTHENTICATE_TOKEN"];
/// Bash's own bookkeeping: differs between a script and a direct exec, and the JVM ignores it.
const SHELL_ENV: &[&str] = &["_", "SHLVL", "PWD", "OLDPWD"];

/// The scripts whose text decides the command (read whole: a few KiB each).
const SCRIPTS: &[&str] = &["spark-submit", "spark-class", "load-spark-env.sh"];
/// Larger files are not Spark's scripts or conf; such a key never matches.
const MAX_HASHED_BYTES: u64 = 1 << 20;
const MAX_ENTRY_BYTES: u64 = 4 << 20;
/// The class spark-class's launcher makes the server JVM run first.
const SUBMIT_CLASS: &str = "org.apache.spark.deploy.SparkSubmit";

/// Everything that can change the command spark-submit computes.
pub struct KeyInputs<'a> {
    pub java: &'a Path,
    pub spark_home: &'a Path,
    pub spark_version: &'a str,
    /// The conf directory spark-class uses (SPARK_CONF_DIR, else SPARK_HOME/conf).
    pub conf_dir: &'a Path,
    /// The home's properties file: its path is on the command line.
    pub properties: &'a Path,
    /// The conf written to the properties file.
    pub effective: &'a Conf,
    /// The extra environment the launch was asked for (a profile's `env`).
    pub launch_env: &'a Conf,
    /// The whole environment the launch passes to spark-submit.
    pub passed: &'a Env,
    pub work_dir: Option<&'a Path>,
}

/// A recorded command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub argv: Vec<String>,
    /// Variables the scripts added or changed.
    pub set: BTreeMap<String, String>,
    /// Variables the scripts removed.
    pub removed: Vec<String>,
}

/// What a launch does about the shortcut.
#[derive(Debug)]
pub enum Plan {
    /// Run this recorded command (its file, to drop if the JVM dies before it is ready).
    Direct(Entry, PathBuf),
    /// spark-submit; once ready, record its command under this key in this file.
    Record(String, PathBuf),
    /// spark-submit, nothing recorded (no cache, a spark-env.sh).
    Off,
}

/// `$XDG_CACHE_HOME/sparkconnect/launch` (beside the start-up archives: `cds_dir`'s sibling).
pub fn cache_dir(cds_dir: &Path) -> Option<PathBuf> {
    Some(cds_dir.parent()?.join("launch"))
}

/// A hash of a small file's whole text ("-" when missing or unreadable).
fn content(path: &Path) -> String {
    match fsutil::read_private(path, MAX_HASHED_BYTES) {
        Ok(Some(bytes)) => format!("{:016x}", fnv1a(&[String::from_utf8_lossy(&bytes).into()])),
        Ok(None) => "-".to_owned(),
        // Unreadable (or a symlink, which O_NOFOLLOW refuses): hash what it points to.
        Err(_) => match fs::read(path) {
            Ok(bytes) if bytes.len() as u64 <= MAX_HASHED_BYTES => {
                format!("{:016x}", fnv1a(&[String::from_utf8_lossy(&bytes).into()]))
            }
            _ => "?".to_owned(),
        },
    }
}

/// The names in a directory, sorted (a Spark upgrade renames its jars).
fn names_in(dir: &Path) -> String {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.join("/")
}

fn key_env(name: &str) -> bool {
    !PER_LAUNCH_ENV.contains(&name)
        && (KEY_ENV_NAMES.contains(&name) || KEY_ENV_PREFIXES.iter().any(|p| name.starts_with(p)))
}

/// The key of a launch: a readable Spark version and a hash of everything in `KeyInputs`.
pub fn key(inputs: &KeyInputs) -> String {
    let canonical = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let java_home = java_home_of(inputs.java).unwrap_or_default();
    let bin = inputs.spark_home.join("bin");
    let mut parts = vec![
        inputs.java.display().to_string(),
        canonical(inputs.java).display().to_string(),
        fingerprint(&java_home.join("lib").join("modules")),
        fingerprint(&java_home.join("lib").join("server").join("libjvm.so")),
        inputs.spark_home.display().to_string(),
        canonical(inputs.spark_home).display().to_string(),
        inputs.spark_version.to_owned(),
        fingerprint(&inputs.spark_home.join("jars")),
        names_in(&inputs.spark_home.join("jars")),
        inputs.conf_dir.display().to_string(),
        content(&inputs.conf_dir.join("spark-defaults.conf")),
        inputs.properties.display().to_string(),
        inputs
            .work_dir
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
    ];
    parts.extend(SCRIPTS.iter().map(|s| content(&bin.join(s))));
    for (k, v) in inputs.effective {
        if !PER_LAUNCH_KEYS.contains(&k.as_str()) {
            parts.push(format!("conf {k}={v}"));
        }
    }
    for (k, v) in inputs.launch_env {
        parts.push(format!("launch env {k}={v}"));
    }
    for (k, v) in inputs.passed {
        let name = k.to_string_lossy();
        if key_env(&name) {
            parts.push(format!("env {name}={}", v.to_string_lossy()));
        }
    }
    format!("spark-{}-{:016x}", inputs.spark_version, fnv1a(&parts))
}

/// The entry file of the home whose properties file is `properties`.
fn entry_path(dir: &Path, properties: &Path) -> PathBuf {
    let id = fnv1a(&[properties.display().to_string()]);
    dir.join(format!("{id:016x}.json"))
}

fn read_entry(path: &Path) -> Option<Entry> {
    let bytes = fsutil::read_private(path, MAX_ENTRY_BYTES).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// Whether `argv` can be run as it is: an absolute, executable java that starts SparkSubmit.
fn runnable(argv: &[String]) -> bool {
    let Some(java) = argv.first().map(Path::new) else {
        return false;
    };
    java.is_absolute()
        && fs::metadata(java).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        && argv.iter().any(|a| a == SUBMIT_CLASS)
}

/// Decides how a launch runs. Never fails: any doubt means spark-submit.
pub fn plan(dir: Option<&Path>, inputs: &KeyInputs) -> Plan {
    let Some(dir) = dir else {
        return Plan::Off;
    };
    if inputs.conf_dir.join("spark-env.sh").exists() {
        return Plan::Off;
    }
    if let Err(e) = home::ensure_private_dir(dir) {
        tracing::info!(error = %e, "no launch shortcut: the cache directory is not usable");
        return Plan::Off;
    }
    let key = key(inputs);
    let path = entry_path(dir, inputs.properties);
    match read_entry(&path) {
        Some(entry) if entry.key == key && runnable(&entry.argv) => Plan::Direct(entry, path),
        _ => Plan::Record(key, path),
    }
}

/// `/proc/<pid>/environ` as a map; `None` when unreadable or not UTF-8.
fn environ_of(pid: i32) -> Option<BTreeMap<String, String>> {
    let raw = fs::read(format!("/proc/{pid}/environ")).ok()?;
    let mut env = BTreeMap::new();
    for item in raw.split(|b| *b == 0).filter(|i| !i.is_empty()) {
        let text = std::str::from_utf8(item).ok()?;
        let (k, v) = text.split_once('=')?;
        env.insert(k.to_owned(), v.to_owned());
    }
    Some(env)
}

/// What the scripts added or changed (`set`) and removed, from what the launch `passed` to what
/// the JVM has (`actual`). `None` when the passed environment is not UTF-8 (not recorded).
pub fn env_diff(
    passed: &Env,
    actual: &BTreeMap<String, String>,
) -> Option<(BTreeMap<String, String>, Vec<String>)> {
    let mut before = BTreeMap::new();
    for (k, v) in passed {
        before.insert(k.to_str()?.to_owned(), v.to_str()?.to_owned());
    }
    let ignored = |k: &str| SHELL_ENV.contains(&k) || PER_LAUNCH_ENV.contains(&k);
    let set = actual
        .iter()
        .filter(|(k, v)| !ignored(k) && before.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = before
        .keys()
        .filter(|k| !ignored(k) && !actual.contains_key(*k))
        .cloned()
        .collect();
    Some((set, removed))
}

impl Plan {
    /// Whether this launch runs the recorded command.
    pub fn is_direct(&self) -> bool {
        matches!(self, Plan::Direct(..))
    }

    /// After a spark-submit launch became ready: records the JVM's command and what the
    /// scripts did to its environment. Failing to only costs the shortcut (logged).
    pub fn record(&self, pid: i32, passed: &Env) {
        let Plan::Record(key, path) = self else {
            return;
        };
        let argv = crate::process::cmdline(pid);
        let entry = runnable(&argv)
            .then(|| environ_of(pid))
            .flatten()
            .and_then(|actual| env_diff(passed, &actual))
            .map(|(set, removed)| Entry {
                key: key.clone(),
                argv,
                set,
                removed,
            });
        let Some(entry) = entry else {
            tracing::info!(
                pid,
                "not recording the launch command: it is not a plain java"
            );
            let _ = fs::remove_file(path);
            return;
        };
        let written = serde_json::to_vec(&entry)
            .map_err(|e| e.to_string())
            .and_then(|bytes| fsutil::atomic_write(path, &bytes).map_err(|e| e.to_string()));
        match written {
            Ok(()) => tracing::info!(file = %path.display(), "recorded the launch command"),
            Err(e) => tracing::warn!(error = %e, "could not record the launch command"),
        }
    }

    /// Drops the entry a direct launch used: its JVM died before it was ready.
    pub fn forget(&self) {
        if let Plan::Direct(_, path) = self {
            let _ = fs::remove_file(path);
        }
    }
}

/// The environment of a direct launch: the one spark-submit would get, with what the scripts
/// added, changed and removed.
pub fn direct_env(passed: &Env, entry: &Entry) -> Env {
    let mut env = passed.clone();
    for name in &entry.removed {
        env.remove(std::ffi::OsStr::from_bytes(name.as_bytes()));
    }
    for (k, v) in &entry.set {
        env.insert(k.into(), v.into());
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    struct Fixture {
        dir: tempfile::TempDir,
        effective: Conf,
        launch_env: Conf,
        passed: Env,
    }

    impl Fixture {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            for sub in ["bin", "jars", "conf"] {
                fs::create_dir(dir.path().join(sub)).unwrap();
            }
            for script in SCRIPTS {
                fs::write(dir.path().join("bin").join(script), "#!/bin/bash\n").unwrap();
            }
            fs::write(dir.path().join("jars/spark-core_2.13-4.3.0.jar"), "").unwrap();
            Fixture {
                dir,
                effective: strings(&[
                    ("spark.master", "local[*]"),
                    (KEY_BIND_PORT, "15002"),
                    (KEY_UI_PORT, "4040"),
                    (uiauth::KEY_SECRET, "s1"),
                ]),
                launch_env: Conf::new(),
                passed: env(&[("PATH", "/usr/bin"), ("HOME", "/home/u")]),
            }
        }

        /// The key inputs of this fixture; the paths are borrowed from `paths`.
        fn inputs<'a>(&'a self, paths: &'a (PathBuf, PathBuf)) -> KeyInputs<'a> {
            KeyInputs {
                java: Path::new("/usr/bin/java"),
                spark_home: self.dir.path(),
                spark_version: "4.3.0",
                conf_dir: &paths.0,
                properties: &paths.1,
                effective: &self.effective,
                launch_env: &self.launch_env,
                passed: &self.passed,
                work_dir: None,
            }
        }

        fn paths(&self) -> (PathBuf, PathBuf) {
            let home = self.dir.path();
            (home.join("conf"), home.join("server.properties"))
        }

        fn key(&self) -> String {
            key(&self.inputs(&self.paths()))
        }
    }

    #[test]
    fn per_launch_values_leave_the_key_alone() {
        let mut f = Fixture::new();
        let base = f.key();
        assert!(base.starts_with("spark-4.3.0-"), "{base}");
        f.effective.insert(KEY_BIND_PORT.into(), "15003".into());
        f.effective.insert(KEY_UI_PORT.into(), "4041".into());
        f.effective.insert(uiauth::KEY_SECRET.into(), "s2".into());
        f.passed
            .insert("SPARK_CONNECT_AUTHENTICATE_TOKEN".into(), "t".into());
        f.passed.insert("HOME".into(), "/elsewhere".into());
        assert_eq!(base, f.key());
    }

    #[test]
    fn what_shapes_the_command_changes_the_key() {
        let changed: &[fn(&mut Fixture)] = &[
            |f| {
                f.effective
                    .insert("spark.driver.memory".into(), "2g".into());
            },
            |f| {
                f.launch_env.insert("FOO".into(), "1".into());
            },
            |f| {
                f.passed.insert("SPARK_SUBMIT_OPTS".into(), "-Dx".into());
            },
            |f| {
                f.passed.insert("HADOOP_CONF_DIR".into(), "/etc/h".into());
            },
            |f| {
                f.passed.insert("PATH".into(), "/opt/bin".into());
            },
            |f| {
                f.passed.insert("JAVA_HOME".into(), "/opt/jdk".into());
            },
            |f| {
                fs::write(f.dir.path().join("bin/spark-class"), "#!/bin/sh\n").unwrap();
            },
            |f| {
                fs::write(f.dir.path().join("jars/spark-core_2.13-4.4.0.jar"), "").unwrap();
            },
            |f| {
                fs::write(f.dir.path().join("conf/spark-defaults.conf"), "a b\n").unwrap();
            },
        ];
        for (index, change) in changed.iter().enumerate() {
            let mut f = Fixture::new();
            // A new temporary directory is another SPARK_HOME: compare within one fixture.
            let before = f.key();
            change(&mut f);
            assert_ne!(before, f.key(), "change {index}");
        }
    }

    #[test]
    fn the_env_diff_keeps_what_the_scripts_did() {
        let passed = env(&[
            ("PATH", "/usr/bin"),
            ("GONE", "x"),
            ("SPARK_CONNECT_AUTHENTICATE_TOKEN", "t"),
        ]);
        let actual = strings(&[
            ("PATH", "/usr/bin"),
            ("SPARK_ENV_LOADED", "1"),
            ("LD_LIBRARY_PATH", "/opt/native"),
            ("SHLVL", "1"),
            ("_", "/usr/bin/java"),
            ("SPARK_CONNECT_AUTHENTICATE_TOKEN", "t"),
        ]);
        let (set, removed) = env_diff(&passed, &actual).unwrap();
        assert_eq!(
            set,
            strings(&[
                ("LD_LIBRARY_PATH", "/opt/native"),
                ("SPARK_ENV_LOADED", "1")
            ])
        );
        assert_eq!(removed, ["GONE"]);
        let entry = Entry {
            key: "k".into(),
            argv: vec![],
            set,
            removed,
        };
        let direct = direct_env(&passed, &entry);
        assert_eq!(
            direct,
            env(&[
                ("PATH", "/usr/bin"),
                ("SPARK_CONNECT_AUTHENTICATE_TOKEN", "t"),
                ("LD_LIBRARY_PATH", "/opt/native"),
                ("SPARK_ENV_LOADED", "1"),
            ])
        );
    }

    #[test]
    fn plan_uses_a_matching_entry_only() {
        let f = Fixture::new();
        let cache = f.dir.path().join("cache");
        let paths = f.paths();
        let inputs = f.inputs(&paths);
        let Plan::Record(key, path) = plan(Some(&cache), &inputs) else {
            panic!("no entry yet: record");
        };
        assert_eq!(
            fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let java = std::env::current_exe().unwrap().display().to_string();
        let mut entry = Entry {
            key: key.clone(),
            argv: vec![java, SUBMIT_CLASS.into()],
            set: BTreeMap::new(),
            removed: vec![],
        };
        fsutil::atomic_write(&path, &serde_json::to_vec(&entry).unwrap()).unwrap();
        assert!(plan(Some(&cache), &inputs).is_direct());
        // Another key, a java that is gone, garbage: spark-submit again.
        entry.key = "other".into();
        fsutil::atomic_write(&path, &serde_json::to_vec(&entry).unwrap()).unwrap();
        assert!(matches!(plan(Some(&cache), &inputs), Plan::Record(..)));
        entry.key = key;
        entry.argv[0] = "/nonexistent/java".into();
        fsutil::atomic_write(&path, &serde_json::to_vec(&entry).unwrap()).unwrap();
        assert!(matches!(plan(Some(&cache), &inputs), Plan::Record(..)));
        fs::write(&path, "{").unwrap();
        assert!(matches!(plan(Some(&cache), &inputs), Plan::Record(..)));
        // A spark-env.sh may do anything on each launch: no shortcut.
        fs::write(f.dir.path().join("conf/spark-env.sh"), "echo hi\n").unwrap();
        assert!(matches!(plan(Some(&cache), &inputs), Plan::Off));
        assert!(matches!(plan(None, &inputs), Plan::Off));
    }
}
