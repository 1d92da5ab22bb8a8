//! The server's start-up archive: JVM class-data sharing (CDS) for the classes Spark loads.
//!
//! A server JVM that maps an archive of those classes reaches an open port in about half the
//! time and takes less memory (see docs/benchmarks.md). An archive is valid only for
//! the Java and classpath it was made with, so every machine makes its own, once per Java and
//! Spark installation (the archive key):
//!
//! 1. A launch with no archive yet runs the server with `-XX:DumpLoadedClassList`: the JVM
//!    writes the name of every class it loads, at no measurable cost to its start.
//! 2. Once that server is ready, a detached builder (`python -m
//!    sparkconnect.server.detached.archive_builder`, at the lowest CPU priority) waits until the list stops growing (the first queries have run) or
//!    the server exits, then runs `java -Xshare:dump` on it with the server's own classpath and
//!    module options, and renames the result into place.
//! 3. Later launches pass `-XX:SharedArchiveFile`; after readiness we check in /proc that the
//!    JVM really mapped it.
//!
//! Why not `-XX:ArchiveClassesAtExit`: a JVM recording that way took twice as long to start,
//! and it writes the archive only at a clean exit, which a long-lived server rarely has.
//!
//! Anything that goes wrong only costs the speed-up: the JVM ignores an archive it cannot use
//! (`-Xshare:auto`), and a build the JVM refuses leaves `<key>.failed` so it is not retried. The
//! archives live in the user's cache (`$XDG_CACHE_HOME/sparkconnect/cds`), in a directory as
//! private as the home: a JVM maps them as code.

use std::env;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::conf::Conf;
use crate::errors::{Cause, CheckInterrupt, CoreError, Result};
use crate::java_choice::java_home_of;
use crate::state::ServerState;
use crate::{fsutil, home, lock, logs, process};

/// The conf key our JVM options join.
const KEY_JAVA_OPTIONS: &str = "spark.driver.extraJavaOptions";
/// JVM options by which a user takes class-data sharing into their own hands.
const USER_CDS_OPTIONS: &[&str] = &[
    "-Xshare",
    "SharedArchiveFile",
    "ArchiveClassesAtExit",
    "DumpLoadedClassList",
    "SharedClassListFile",
];
/// Variables that change the server's classpath (spark-class reads them), so they are part of
/// the archive key.
const CLASSPATH_ENV: &[&str] = &[
    "SPARK_CONF_DIR",
    "HADOOP_CONF_DIR",
    "YARN_CONF_DIR",
    "SPARK_DIST_CLASSPATH",
];
const KEY_EXTRA_CLASSPATH: &str = "spark.driver.extraClassPath";

/// The builder dumps once the class list has not grown for this long: the server's start-up
/// and its first queries are in it.
const QUIET: Duration = Duration::from_secs(30);
/// It dumps after this long in any case (a server that keeps loading classes).
const MAX_WAIT: Duration = Duration::from_secs(600);
/// A dump that takes longer is abandoned (it took 35 s here at normal priority).
const DUMP_TIMEOUT: Duration = Duration::from_secs(900);
const TICK: Duration = Duration::from_millis(500);

/// What a launch does about the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Map this archive.
    Use(PathBuf),
    /// Write the loaded classes to this list, for the builder.
    Record(PathBuf),
    /// Nothing: no usable cache, a JVM without CDS, the user's own CDS options, an earlier
    /// build the JVM refused, or a build in progress.
    Off,
}

/// What identifies an archive: the things that decide the server's Java and classpath.
pub struct Installation<'a> {
    pub java: &'a Path,
    pub spark_home: &'a Path,
    pub spark_version: &'a str,
    /// The user conf (its `spark.driver.extraClassPath` is on the classpath).
    pub conf: &'a Conf,
    /// The environment the server gets on top of ours (a profile's `env`).
    pub env: &'a Conf,
}

/// `$XDG_CACHE_HOME/sparkconnect/cds`, else `~/.cache/sparkconnect/cds`.
pub fn cache_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| env::var_os(name).filter(|v| !v.is_empty());
    let cache = match non_empty("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => PathBuf::from(non_empty("HOME")?).join(".cache"),
    };
    Some(cache.join("sparkconnect").join("cds"))
}

/// 64-bit FNV-1a: a stable, dependency-free hash for archive keys (not a security boundary:
/// the JVM validates the archive against its classpath itself).
pub fn fnv1a(parts: &[String]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Size and modification time: changes when a file is replaced (a Java or Spark upgrade).
pub fn fingerprint(path: &Path) -> String {
    match fs::metadata(path) {
        Ok(m) => {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{}:{mtime}", path.display(), m.len())
        }
        Err(_) => format!("{}:-", path.display()),
    }
}

/// `spark-<version>-<hash>`: readable in a directory listing, distinct per installation.
fn key(inst: &Installation) -> String {
    let canonical = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let java_home = java_home_of(inst.java).unwrap_or_default();
    let mut parts = vec![
        canonical(inst.java).display().to_string(),
        fingerprint(&java_home.join("lib").join("modules")),
        fingerprint(&java_home.join("lib").join("server").join("libjvm.so")),
        canonical(inst.spark_home).display().to_string(),
        fingerprint(&inst.spark_home.join("jars")),
        inst.spark_version.to_owned(),
        inst.conf
            .get(KEY_EXTRA_CLASSPATH)
            .cloned()
            .unwrap_or_default(),
    ];
    for name in CLASSPATH_ENV {
        let value = inst
            .env
            .get(*name)
            .cloned()
            .or_else(|| env::var_os(name).map(|v| v.to_string_lossy().into_owned()));
        parts.push(value.unwrap_or_default());
    }
    format!("spark-{}-{:016x}", inst.spark_version, fnv1a(&parts))
}

fn archive_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.jsa"))
}

fn failed_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.failed"))
}

fn lock_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.lock"))
}

/// `<key>.<nanos>.classlist`: one per recording server, so concurrent launches in different
/// homes never share a list.
fn class_list_path(dir: &Path, key: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    dir.join(format!("{key}.{nanos}.classlist"))
}

/// The key a class list belongs to (see `class_list_path`).
fn key_of_class_list(list: &Path) -> Option<String> {
    let name = list.file_name()?.to_str()?.strip_suffix(".classlist")?;
    Some(name.rsplit_once('.')?.0.to_owned())
}

/// Whether `java` is a HotSpot JVM with class-data sharing: it ships the default archive.
fn supports_cds(java: &Path) -> bool {
    java_home_of(java).is_some_and(|home| home.join("lib/server/classes.jsa").is_file())
}

/// Decides what a launch does about the archive kept in `dir`. Never fails: any doubt means
/// `Off`.
pub fn plan(dir: &Path, inst: &Installation) -> Plan {
    let user_options = inst.conf.get(KEY_JAVA_OPTIONS).map_or("", String::as_str);
    if USER_CDS_OPTIONS.iter().any(|o| user_options.contains(o)) || !supports_cds(inst.java) {
        return Plan::Off;
    }
    if let Err(e) = home::ensure_private_dir(dir) {
        tracing::info!(error = %e, "no start-up archive: the cache directory is not usable");
        return Plan::Off;
    }
    // spark-submit splits extraJavaOptions at spaces.
    if dir
        .to_string_lossy()
        .contains(|c: char| c.is_whitespace() || c == '"' || c == '\'')
    {
        return Plan::Off;
    }
    let key = key(inst);
    let archive = archive_path(dir, &key);
    if archive.is_file() {
        return Plan::Use(archive);
    }
    if failed_path(dir, &key).exists() {
        return Plan::Off;
    }
    match lock::try_acquire_file(&lock_path(dir, &key)) {
        Ok(Some(_free)) => Plan::Record(class_list_path(dir, &key)),
        _ => Plan::Off,
    }
}

impl Plan {
    /// The JVM option that carries the plan out.
    fn java_option(&self) -> Option<String> {
        match self {
            Plan::Use(archive) => Some(format!("-XX:SharedArchiveFile={}", archive.display())),
            Plan::Record(list) => Some(format!("-XX:DumpLoadedClassList={}", list.display())),
            Plan::Off => None,
        }
    }

    /// Adds the plan's option to the driver's JVM options in `conf`, after the user's own.
    pub fn apply(&self, conf: &mut Conf) {
        if let Some(option) = self.java_option() {
            let joined = match conf.get(KEY_JAVA_OPTIONS) {
                Some(user) if !user.trim().is_empty() => format!("{user} {option}"),
                _ => option,
            };
            conf.insert(KEY_JAVA_OPTIONS.to_owned(), joined);
        }
    }

    /// Cleans up after a launch that failed: its class list will never be built from.
    pub fn discard(&self) {
        if let Plan::Record(list) = self {
            let _ = fs::remove_file(list);
        }
    }

    /// The archive the ready server `pid` really maps (None when it was asked to map none, or
    /// its JVM refused the archive: that costs the speed-up only, so it is logged).
    pub fn mapped_by(&self, pid: i32, server_log: &str) -> Option<String> {
        let Plan::Use(archive) = self else {
            return None;
        };
        if maps_file(pid, archive) {
            return Some(archive.to_string_lossy().into_owned());
        }
        tracing::warn!(
            archive = %archive.display(),
            log = %server_log,
            "the JVM did not use the start-up archive (its log says why); it starts at normal \
             speed"
        );
        None
    }

    /// Starts the builder of the archive a recorded server is listing classes for.
    pub fn start_builder(&self, server: &ServerState, helper_python: &str) {
        if let Plan::Record(list) = self {
            if let Err(e) = spawn_builder(list, server, helper_python) {
                tracing::warn!(error = %e, "no start-up archive will be built");
                let _ = fs::remove_file(list);
            }
        }
    }
}

/// Whether process `pid` has `file` mapped (/proc/<pid>/maps names mapped files).
fn maps_file(pid: i32, file: &Path) -> bool {
    let Ok(file) = fs::canonicalize(file) else {
        return false;
    };
    let wanted = file.to_string_lossy();
    fs::read_to_string(format!("/proc/{pid}/maps"))
        .is_ok_and(|maps| maps.lines().any(|line| line.ends_with(wanted.as_ref())))
}

fn build_log_path(list: &Path) -> PathBuf {
    list.with_extension("log")
}

/// `PYTHON -m sparkconnect.server.detached.archive_builder LIST PID START_TIME`, detached and at
/// nice 19.
fn spawn_builder(list: &Path, server: &ServerState, python: &str) -> Result<()> {
    let args = [
        list.as_os_str().to_owned(),
        server.pid.to_string().into(),
        server.pid_start_time.to_string().into(),
    ];
    let pid = process::spawn_helper(
        python,
        "sparkconnect.server.detached.archive_builder",
        args,
        &build_log_path(list),
        true,
    )?;
    tracing::info!(
        pid,
        list = %list.display(),
        "started the start-up archive builder"
    );
    Ok(())
}

/// The arguments of the server's `java` command that an archive must share: classpath, heap
/// size, module options, GC and pointer-compression choices. Stops at the main class.
fn dump_options(server_argv: &[String]) -> Vec<String> {
    let keeps = |arg: &str| {
        arg.starts_with("-Xmx")
            || arg.starts_with("--add-")
            || arg == "-XX:+IgnoreUnrecognizedVMOptions"
            || (arg.starts_with("-XX:")
                && (arg.ends_with("GC")
                    || arg.contains("UseCompressed")
                    || arg.contains("ObjectAlignmentInBytes")))
    };
    let mut kept = Vec::new();
    let mut args = server_argv.iter().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-cp" | "-classpath" | "--class-path" => {
                kept.push(arg.clone());
                kept.extend(args.next().cloned());
            }
            a if !a.starts_with('-') => break,
            a if keeps(a) => kept.push(arg.clone()),
            _ => {}
        }
    }
    kept
}

/// How a build ended.
#[derive(Debug, PartialEq, Eq)]
enum Built {
    /// The archive is in place.
    Archive(PathBuf),
    /// Nothing to do, or nothing to build from (another builder has the key, the archive
    /// exists already, the server or its class list was gone): says which.
    Skipped(String),
    /// `java -Xshare:dump` failed; `<key>.failed` keeps it from being retried.
    Failed(String),
}

/// The builder's work: waits for the class list of server (`pid`, `start_time`) to be complete,
/// dumps the archive and renames it into place. Returns the archive, or `None` when there was
/// nothing to do (logged, with why); a StartError when the JVM refused the dump. Removes the
/// list whatever happens, and the build log unless the build failed.
pub fn build(
    list: &Path,
    pid: i32,
    start_time: u64,
    check_interrupt: CheckInterrupt,
) -> Result<Option<PathBuf>> {
    let result = build_inner(list, pid, start_time, check_interrupt);
    let _ = fs::remove_file(list);
    // The log explains a failure (`<key>.failed` points to it); otherwise it is clutter.
    if !matches!(result, Ok(Built::Failed(_))) {
        let _ = fs::remove_file(build_log_path(list));
    }
    match result? {
        Built::Archive(archive) => Ok(Some(archive)),
        Built::Skipped(reason) => {
            tracing::info!(reason = %reason, "no start-up archive built");
            Ok(None)
        }
        Built::Failed(reason) => Err(CoreError::Start(Cause::Environment, reason)),
    }
}

fn build_inner(
    list: &Path,
    pid: i32,
    start_time: u64,
    check_interrupt: CheckInterrupt,
) -> Result<Built> {
    let (Some(dir), Some(key)) = (list.parent(), key_of_class_list(list)) else {
        return Err(CoreError::Server(format!(
            "{} is not a class list of the start-up archive cache",
            list.display()
        )));
    };
    let Some(_lock) = lock::try_acquire_file(&lock_path(dir, &key))? else {
        return Ok(Built::Skipped("another builder has it".into()));
    };
    if archive_path(dir, &key).is_file() {
        return Ok(Built::Skipped("it exists already".into()));
    }
    // Read while the server runs: its exact command, and the directory relative classpath
    // entries are resolved against.
    let argv = process::cmdline(pid);
    let cwd = fs::read_link(format!("/proc/{pid}/cwd")).ok();
    if !process::is_alive(pid, start_time) || argv.is_empty() {
        return Ok(Built::Skipped("its server was gone".into()));
    }
    wait_for_complete_list(list, pid, start_time, check_interrupt)?;
    let snapshot = dir.join(format!("{key}.classlist.snapshot"));
    let partial = dir.join(format!("{key}.jsa.partial"));
    if let Err(reason) = snapshot_lines(list, &snapshot) {
        return Ok(Built::Skipped(reason));
    }
    let outcome = dump(
        &argv,
        cwd.as_deref(),
        &snapshot,
        &partial,
        &build_log_path(list),
    );
    let _ = fs::remove_file(&snapshot);
    if outcome.is_err() {
        let _ = fs::remove_file(&partial);
    }
    match outcome {
        Ok(()) => {
            let archive = archive_path(dir, &key);
            fs::rename(&partial, &archive)
                .map_err(|e| CoreError::io_at("move into place", &archive, e))?;
            tracing::info!(archive = %archive.display(), "built the start-up archive");
            Ok(Built::Archive(archive))
        }
        Err(DumpFailure::Abandoned(reason)) => Ok(Built::Skipped(reason)),
        Err(DumpFailure::Refused(reason)) => {
            let note = format!(
                "{reason}\nDelete this file to try again; the build log is {}.\n",
                build_log_path(list).display()
            );
            fsutil::atomic_write(&failed_path(dir, &key), note.as_bytes())?;
            Ok(Built::Failed(reason))
        }
    }
}

/// Returns once the list has not grown for `QUIET`, or its server has exited, or `MAX_WAIT`.
fn wait_for_complete_list(
    list: &Path,
    pid: i32,
    start_time: u64,
    check_interrupt: CheckInterrupt,
) -> Result<()> {
    let began = Instant::now();
    let size = || fs::metadata(list).map_or(0, |m| m.len());
    let (mut last_size, mut since) = (size(), Instant::now());
    while process::is_alive(pid, start_time)
        && since.elapsed() < QUIET
        && began.elapsed() < MAX_WAIT
    {
        check_interrupt()?;
        std::thread::sleep(TICK);
        let now = size();
        if now != last_size {
            (last_size, since) = (now, Instant::now());
        }
    }
    Ok(())
}

/// Copies the complete lines of `list` (the JVM may be in the middle of writing one).
fn snapshot_lines(list: &Path, snapshot: &Path) -> std::result::Result<(), String> {
    let mut text = Vec::new();
    File::open(list)
        .and_then(|mut f| f.read_to_end(&mut text))
        .map_err(|e| format!("could not read the class list {}: {e}", list.display()))?;
    let complete = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    if complete == 0 {
        return Err(format!("the class list {} is empty", list.display()));
    }
    fsutil::atomic_write(snapshot, &text[..complete]).map_err(|e| e.to_string())
}

/// Why a dump did not produce an archive.
enum DumpFailure {
    /// The JVM refused: retrying the same installation would fail the same way.
    Refused(String),
    /// It could not run or finish here and now (a missing java, a machine too busy).
    Abandoned(String),
}

/// Runs `java -Xshare:dump` like the server's java, output appended to `log`.
fn dump(
    server_argv: &[String],
    cwd: Option<&Path>,
    class_list: &Path,
    archive: &Path,
    log: &Path,
) -> std::result::Result<(), DumpFailure> {
    use DumpFailure::{Abandoned, Refused};
    let mut out = fsutil::open_private_append(log).map_err(|e| Abandoned(e.to_string()))?;
    let err = out.try_clone().map_err(|e| Abandoned(e.to_string()))?;
    let mut cmd = Command::new(&server_argv[0]);
    cmd.arg("-Xshare:dump")
        .arg(format!("-XX:SharedClassListFile={}", class_list.display()))
        .arg(format!("-XX:SharedArchiveFile={}", archive.display()))
        .args(dump_options(server_argv))
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| Abandoned(e.to_string()))?)
        .stderr(err);
    if let Some(dir) = cwd.filter(|d| d.is_dir()) {
        cmd.current_dir(dir);
    }
    let _ = writeln!(out, "--- dumping the start-up archive: {cmd:?}");
    let mut child = cmd
        .spawn()
        .map_err(|e| Abandoned(format!("could not run {}: {e}", server_argv[0])))?;
    let status = match process::wait_or_kill(&mut child, DUMP_TIMEOUT, TICK) {
        Ok(Some(status)) => status,
        Ok(None) => {
            return Err(Abandoned(format!(
                "java -Xshare:dump did not finish in {} s",
                DUMP_TIMEOUT.as_secs()
            )))
        }
        Err(e) => {
            return Err(Abandoned(format!(
                "could not wait for java -Xshare:dump: {e}"
            )))
        }
    };
    if !status.success() {
        return Err(Refused(format!(
            "java -Xshare:dump failed ({status}): {}",
            last_error_line(log).unwrap_or_default()
        )));
    }
    if !archive.is_file() {
        return Err(Refused("java -Xshare:dump wrote no archive".to_owned()));
    }
    Ok(())
}

/// The last line of `log` that reads like an error (the JVM's reason for failing), looked for
/// in its last 64 KiB or so.
fn last_error_line(log: &Path) -> Option<String> {
    let mut lines = logs::Backwards::open(log, 64 * 1024).ok()??;
    while let Some(line) = lines.next_line().ok()? {
        if line.contains("rror") || line.contains("annot") {
            return Some(line.trim().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn conf(pairs: &[(&str, &str)]) -> Conf {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn key_changes_with_what_shapes_the_classpath() {
        let dir = tempfile::tempdir().unwrap();
        let empty = BTreeMap::new();
        let inst = |conf: &Conf, env: &Conf| {
            key(&Installation {
                java: Path::new("/usr/bin/java"),
                spark_home: dir.path(),
                spark_version: "4.0.1",
                conf,
                env,
            })
        };
        let base = inst(&empty, &empty);
        assert!(base.starts_with("spark-4.0.1-"), "{base}");
        assert_eq!(base, inst(&empty, &empty));
        let extra = conf(&[(KEY_EXTRA_CLASSPATH, "/opt/x.jar")]);
        assert_ne!(base, inst(&extra, &empty));
        let hadoop = conf(&[("HADOOP_CONF_DIR", "/etc/hadoop")]);
        assert_ne!(base, inst(&empty, &hadoop));
        // Other conf keys do not matter: one archive serves every conf.
        assert_eq!(base, inst(&conf(&[("spark.sql.x", "1")]), &empty));
        fs::create_dir(dir.path().join("jars")).unwrap();
        assert_ne!(base, inst(&empty, &empty));
    }

    #[test]
    fn class_list_names_carry_the_key() {
        let dir = Path::new("/c");
        let list = class_list_path(dir, "spark-4.0.1-00ff");
        assert_eq!(
            key_of_class_list(&list).as_deref(),
            Some("spark-4.0.1-00ff")
        );
        assert_eq!(key_of_class_list(Path::new("/c/x.jsa")), None);
    }

    #[test]
    fn plan_options_join_the_users_own() {
        let mut c = conf(&[(KEY_JAVA_OPTIONS, "-XX:+UseSerialGC")]);
        Plan::Use(PathBuf::from("/c/a.jsa")).apply(&mut c);
        assert_eq!(
            c[KEY_JAVA_OPTIONS],
            "-XX:+UseSerialGC -XX:SharedArchiveFile=/c/a.jsa"
        );
        let mut c = BTreeMap::new();
        Plan::Record(PathBuf::from("/c/l.classlist")).apply(&mut c);
        assert_eq!(
            c[KEY_JAVA_OPTIONS],
            "-XX:DumpLoadedClassList=/c/l.classlist"
        );
        let mut c = BTreeMap::new();
        Plan::Off.apply(&mut c);
        assert!(c.is_empty());
    }

    #[test]
    fn dump_keeps_classpath_heap_modules_and_gc_only() {
        let argv: Vec<String> = [
            "/usr/bin/java",
            "-cp",
            "conf/:jars/*",
            "-Xmx1g",
            "-XX:DumpLoadedClassList=/c/l.classlist",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Dx=y",
            "org.apache.spark.deploy.SparkSubmit",
            "-Xmx9g",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            dump_options(&argv),
            [
                "-cp",
                "conf/:jars/*",
                "-Xmx1g",
                "-XX:+UseSerialGC",
                "-XX:+IgnoreUnrecognizedVMOptions",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
            ]
        );
    }

    #[test]
    fn snapshot_drops_a_half_written_line() {
        let dir = tempfile::tempdir().unwrap();
        let (list, snap) = (dir.path().join("l"), dir.path().join("s"));
        fs::write(&list, "java/lang/Object id: 0\njava/lang/Str").unwrap();
        snapshot_lines(&list, &snap).unwrap();
        assert_eq!(
            fs::read_to_string(&snap).unwrap(),
            "java/lang/Object id: 0\n"
        );
        fs::write(&list, "half").unwrap();
        assert!(snapshot_lines(&list, &snap).is_err());
    }

    #[test]
    fn a_users_own_cds_options_turn_the_archive_off() {
        let dir = tempfile::tempdir().unwrap();
        let c = conf(&[(KEY_JAVA_OPTIONS, "-Xshare:off")]);
        let empty = BTreeMap::new();
        let inst = Installation {
            java: Path::new("/usr/bin/java"),
            spark_home: dir.path(),
            spark_version: "4.0.1",
            conf: &c,
            env: &empty,
        };
        assert_eq!(plan(dir.path(), &inst), Plan::Off);
    }

    #[test]
    fn own_process_maps_its_executable_not_other_files() {
        let me = std::process::id() as i32;
        let exe = fs::read_link("/proc/self/exe").unwrap();
        assert!(maps_file(me, &exe));
        assert!(!maps_file(me, Path::new("/etc/hostname")));
    }

    #[test]
    fn the_dump_failure_is_the_last_error_line_of_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("build.log");
        fs::write(
            &log,
            "--- dumping\nError: first\n  Cannot use a non-empty directory: conf/  \nok\n",
        )
        .unwrap();
        assert_eq!(
            last_error_line(&log).as_deref(),
            Some("Cannot use a non-empty directory: conf/")
        );
        fs::write(&log, "all fine\n").unwrap();
        assert_eq!(last_error_line(&log), None);
        assert_eq!(last_error_line(&dir.path().join("missing")), None);
    }
}
