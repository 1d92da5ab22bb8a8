//! Which Java a server runs on when the user named none (no JAVA_HOME in the environment or the
//! profile): the newest installed Java the Spark version supports.
//!
//! Why the newest: newer JVMs start Spark faster. A cold start of the server on Java 25 (with a
//! start-up archive built for it) took 4.74 s against 5.14 s on Java 17 on the same machine.
//!
//! What each Spark supports comes from Spark's documentation: Spark 4.0 and 4.1 run on Java 17
//! and 21; Spark 4.2 adds Java 25 (SPARK-56815), where releases before 25.0.3 are deprecated
//! because of a G1 GC data-corruption report (SPARK-55852). A Java newer than this table knows is
//! never chosen by itself: Spark may not run on it.
//!
//! Candidates are the `java` on PATH and every `<dir>/*/bin/java` of the JDK directory, where
//! Debian, Ubuntu, Fedora and Adoptium packages install JDKs side by side. Versions come from each
//! installation's `release` file, so choosing runs no process.

use std::cmp::Ordering;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use crate::fsutil::is_executable;

/// Where JDK packages install side by side when `SPARKCONNECT_JDK_DIR` is unset.
const DEFAULT_JDK_DIR: &str = "/usr/lib/jvm";
/// Overrides the JDK directory (e.g. /opt/java); empty: look only at the java on PATH.
pub const JDK_DIR_VAR: &str = "SPARKCONNECT_JDK_DIR";

/// A Java version as its `release` file gives it: `25.0.3` is [25, 0, 3], `21` is [21].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version(Vec<u32>);

impl Version {
    /// `25.0.3`, `21`, `25-ea`, `17.0.15+6`: the leading dotted numbers.
    pub fn parse(text: &str) -> Option<Version> {
        let head = text
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?;
        let parts: Option<Vec<u32>> = head.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| !p.is_empty()).map(Version)
    }

    fn major(&self) -> u32 {
        self.0[0]
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    /// Missing parts count as 0: `21` == `21.0.0`.
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.0.len().max(other.0.len());
        let at = |v: &Version, i: usize| v.0.get(i).copied().unwrap_or(0);
        (0..n)
            .map(|i| at(self, i).cmp(&at(other, i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

/// The Java installation directory of a java executable (`<home>/bin/java`), symlinks resolved
/// (Debian's /usr/bin/java points into /usr/lib/jvm/...).
pub fn java_home_of(java: &Path) -> Option<PathBuf> {
    let real = fs::canonicalize(java).ok()?;
    let bin = real.parent()?;
    (bin.file_name()? == "bin").then(|| bin.parent().map(Path::to_path_buf))?
}

/// The `JAVA_VERSION` of a Java installation's `release` file, as written (`25.0.3`).
pub fn release_version(java_home: &Path) -> Option<String> {
    let text = fs::read_to_string(java_home.join("release")).ok()?;
    let line = text.lines().find(|l| l.starts_with("JAVA_VERSION="))?;
    let value = line["JAVA_VERSION=".len()..].trim().trim_matches('"');
    (!value.is_empty()).then(|| value.to_owned())
}

/// The Java majors `spark_version` supports, each with the oldest release it accepts.
fn supported(spark_version: &str) -> Vec<(u32, Version)> {
    let mut parts = spark_version
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let spark = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let mut table = vec![(17, Version(vec![17])), (21, Version(vec![21]))];
    if spark >= (4, 2) {
        table.push((25, Version(vec![25, 0, 3])));
    }
    table
}

fn is_supported(version: &Version, table: &[(u32, Version)]) -> bool {
    table
        .iter()
        .any(|(major, min)| version.major() == *major && version >= min)
}

/// The Java a launch runs on when none was named, and its version when known.
#[derive(Debug, PartialEq)]
pub struct Choice {
    pub java: PathBuf,
    pub version: Option<String>,
    /// Chosen as the newest supported one; false: the java on PATH, as without a choice.
    pub newest: bool,
}

/// The JDK directory to look in: `SPARKCONNECT_JDK_DIR` from `profile_env` or the environment,
/// else /usr/lib/jvm; `None` when set empty.
pub fn jdk_dir(profile_env: Option<&str>) -> Option<PathBuf> {
    let value = match profile_env {
        Some(v) => v.to_owned(),
        None => match env::var_os(JDK_DIR_VAR) {
            Some(v) => v.to_string_lossy().into_owned(),
            None => DEFAULT_JDK_DIR.to_owned(),
        },
    };
    (!value.is_empty()).then(|| PathBuf::from(value))
}

struct Candidate {
    java: PathBuf,
    canonical: PathBuf,
    version: Option<String>,
    on_path: bool,
}

fn candidate(java: PathBuf, on_path: bool) -> Option<Candidate> {
    let canonical = fs::canonicalize(&java).ok()?;
    let version = java_home_of(&java).and_then(|h| release_version(&h));
    Some(Candidate {
        java,
        canonical,
        version,
        on_path,
    })
}

/// Chooses among `path_java` (the java on PATH, if any) and the JDKs in `jdk_dir`. `None` when
/// there is nothing to choose from at all.
pub fn choose(
    path_java: Option<PathBuf>,
    jdk_dir: Option<&Path>,
    spark_version: &str,
) -> Option<Choice> {
    let mut candidates: Vec<Candidate> = path_java
        .clone()
        .and_then(|j| candidate(j, true))
        .into_iter()
        .collect();
    if let Some(entries) = jdk_dir.and_then(|d| fs::read_dir(d).ok()) {
        let mut javas: Vec<PathBuf> = entries
            .filter_map(|e| Some(e.ok()?.path().join("bin").join("java")))
            .filter(|j| is_executable(j))
            .collect();
        // Directory order is arbitrary: sorted, the same JDK is always found under one name.
        javas.sort();
        for java in javas {
            let Some(mut c) = candidate(java, false) else {
                continue;
            };
            if candidates.iter().any(|o| o.canonical == c.canonical) {
                continue;
            }
            // Symlinked names (java-1.17.0-openjdk-amd64) lead to one real installation.
            c.java = c.canonical.clone();
            candidates.push(c);
        }
    }
    let table = supported(spark_version);
    let best = candidates
        .iter()
        .filter_map(|c| {
            let v = Version::parse(c.version.as_deref()?)?;
            is_supported(&v, &table).then_some((v, c))
        })
        // Newest first; of equal versions the java on PATH, as the machine's default.
        .max_by(|(a, ca), (b, cb)| a.cmp(b).then(ca.on_path.cmp(&cb.on_path)));
    let path = candidates.iter().find(|c| c.on_path);
    match (best, path) {
        // A java on PATH of unknown version (no `release` file) is kept, as before: nothing
        // tells that another one is newer.
        (_, Some(p)) if p.version.is_none() => Some(Choice {
            java: p.java.clone(),
            version: None,
            newest: false,
        }),
        (Some((_, c)), _) => Some(Choice {
            java: c.java.clone(),
            version: c.version.clone(),
            newest: true,
        }),
        (None, _) => path_java.map(|java| Choice {
            version: java_home_of(&java).and_then(|h| release_version(&h)),
            java,
            newest: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fake JDK: `<dir>/<name>/bin/java` (an executable stub) and a `release` file.
    fn jdk(dir: &Path, name: &str, version: Option<&str>) -> PathBuf {
        let home = dir.join(name);
        fs::create_dir_all(home.join("bin")).unwrap();
        let java = home.join("bin/java");
        fs::write(&java, "#!/bin/sh\nexit 0\n").unwrap();
        fs::set_permissions(&java, fs::Permissions::from_mode(0o755)).unwrap();
        if let Some(v) = version {
            fs::write(
                home.join("release"),
                format!("IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"{v}\"\nJAVA_VERSION_DATE=\"2026-01-01\"\n"),
            )
            .unwrap();
        }
        java
    }

    fn chosen(path: Option<&Path>, jdks: &Path, spark: &str) -> (PathBuf, Option<String>, bool) {
        let c = choose(path.map(Path::to_path_buf), Some(jdks), spark).unwrap();
        (c.java, c.version, c.newest)
    }

    #[test]
    fn versions_compare_by_number() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("25.0.3") > v("25.0.2"));
        assert!(v("21.0.10") > v("21.0.9"));
        assert_eq!(v("21").cmp(&v("21.0.0")), Ordering::Equal);
        assert_eq!(v("25-ea"), Version(vec![25]));
        assert_eq!(v("17.0.15+6"), Version(vec![17, 0, 15]));
        assert_eq!(Version::parse("ea"), None);
    }

    #[test]
    fn the_newest_supported_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let path_java = jdk(dir.path(), "java-17", Some("17.0.15"));
        jdk(dir.path(), "jdk-21", Some("21.0.7"));
        let j25 = jdk(dir.path(), "temurin-25", Some("25.0.3"));
        let j25_canon = fs::canonicalize(&j25).unwrap();
        assert_eq!(
            chosen(Some(&path_java), dir.path(), "4.3.0"),
            (j25_canon, Some("25.0.3".into()), true)
        );
        // Spark 4.1 does not support 25: 21 it is.
        let (java, version, _) = chosen(Some(&path_java), dir.path(), "4.1.1");
        assert_eq!(version.as_deref(), Some("21.0.7"));
        assert!(java.ends_with("jdk-21/bin/java"));
    }

    #[test]
    fn java_25_before_25_0_3_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path_java = jdk(dir.path(), "java-17", Some("17.0.15"));
        jdk(dir.path(), "jdk-25", Some("25.0.2"));
        let (java, version, newest) = chosen(Some(&path_java), dir.path(), "4.3.0");
        assert_eq!(
            (java, version.as_deref(), newest),
            (path_java, Some("17.0.15"), true)
        );
    }

    #[test]
    fn a_major_newer_than_the_table_is_not_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let path_java = jdk(dir.path(), "java-21", Some("21.0.7"));
        jdk(dir.path(), "jdk-26", Some("26.0.1"));
        let (java, _, _) = chosen(Some(&path_java), dir.path(), "4.3.0");
        assert_eq!(java, path_java);
        // Even on PATH it is not preferred over a supported one.
        let (java, version, _) = chosen(
            Some(&dir.path().join("jdk-26/bin/java")),
            dir.path(),
            "4.3.0",
        );
        assert_eq!(version.as_deref(), Some("21.0.7"));
        assert!(java.ends_with("java-21/bin/java"));
    }

    #[test]
    fn ties_prefer_the_java_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let a = jdk(dir.path(), "a-21", Some("21.0.7"));
        let b = jdk(dir.path(), "b-21", Some("21.0.7"));
        assert_eq!(chosen(Some(&b), dir.path(), "4.3.0").0, b);
        assert_eq!(chosen(Some(&a), dir.path(), "4.3.0").0, a);
    }

    #[test]
    fn symlinked_names_are_one_candidate() {
        let dir = tempfile::tempdir().unwrap();
        let real = jdk(dir.path(), "java-21-openjdk", Some("21.0.7"));
        std::os::unix::fs::symlink(
            dir.path().join("java-21-openjdk"),
            dir.path().join("a-alias"),
        )
        .unwrap();
        let (java, _, _) = chosen(None, dir.path(), "4.3.0");
        assert_eq!(java, fs::canonicalize(real).unwrap());
        // The PATH java stays as the user's PATH names it (a link into the JDK directory).
        let bin = tempfile::tempdir().unwrap();
        let link = bin.path().join("java");
        std::os::unix::fs::symlink(dir.path().join("java-21-openjdk/bin/java"), &link).unwrap();
        assert_eq!(chosen(Some(&link), dir.path(), "4.3.0").0, link);
    }

    #[test]
    fn without_a_release_file_only_the_path_java_is_usable() {
        let dir = tempfile::tempdir().unwrap();
        jdk(dir.path(), "no-release", None);
        let bin = tempfile::tempdir().unwrap();
        let path_java = jdk(bin.path(), "path-jdk", None);
        // Nothing known to be supported: the java on PATH, as before.
        assert_eq!(
            chosen(Some(&path_java), dir.path(), "4.3.0"),
            (path_java.clone(), None, false)
        );
        // Only JDKs without a release file and no java on PATH: nothing to run.
        assert_eq!(choose(None, Some(dir.path()), "4.3.0"), None);
        // A java on PATH of unknown version is kept even when a known one is there.
        jdk(dir.path(), "jdk-21", Some("21.0.7"));
        assert_eq!(chosen(Some(&path_java), dir.path(), "4.3.0").0, path_java);
        // Without a java on PATH, the JDK with a release file is found.
        assert_eq!(
            chosen(None, dir.path(), "4.3.0").1.as_deref(),
            Some("21.0.7")
        );
    }

    #[test]
    fn an_empty_jdk_dir_means_do_not_look() {
        assert_eq!(jdk_dir(Some("")), None);
        assert_eq!(jdk_dir(Some("/opt/java")), Some(PathBuf::from("/opt/java")));
        let dir = tempfile::tempdir().unwrap();
        jdk(dir.path(), "jdk-21", Some("21.0.7"));
        assert_eq!(choose(None, None, "4.3.0"), None);
    }
}
