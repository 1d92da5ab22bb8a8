//! The server's default log settings: Spark's own, with the per-request and per-task chatter
//! kept out of the log, so that its last lines tell what happened.
//!
//! With Spark's defaults a Spark Connect server logs every request at INFO (`SessionHolder:
//! Session ... accessed at timestamp ...`, an `ExecuteHolder` created and removed, a response
//! stream started and finished, each failed query's error and stack again) and every task of
//! every job (the scheduler, the executor, the code generator, the block stores):
//! `%spark logs -n 20` showed mostly that. The launch gives
//! the JVM a log4j2 file of ours (`-Dlog4j2.configurationFile`, in the driver's JVM options after
//! the user's): Spark's defaults, the same line layout (the log reader relies on it), and those
//! loggers at WARN, so their warnings and errors still show.
//!
//! The user keeps the last word: a `spark.log.level` conf, log4j options of their own in
//! `spark.driver.extraJavaOptions`, or a log4j2 file in the Spark conf directory, and the
//! launch leaves logging to them.

use std::path::{Path, PathBuf};

use crate::conf::Conf;
use crate::fsutil;
use crate::home::Home;

const KEY_JAVA_OPTIONS: &str = "spark.driver.extraJavaOptions";
const KEY_LOG_LEVEL: &str = "spark.log.level";
/// The names log4j2 looks for in the classpath, where spark-submit puts the Spark conf directory.
const USER_FILES: &[&str] = &[
    "log4j2.properties",
    "log4j2.xml",
    "log4j2.yaml",
    "log4j2.yml",
    "log4j2.json",
];

/// Loggers that write a line per request or per task at INFO.
pub const QUIETED: &[&str] = &[
    // Spark Connect, per request.
    "org.apache.spark.sql.connect.service.SessionHolder",
    "org.apache.spark.sql.connect.service.SparkConnectExecutionManager",
    "org.apache.spark.sql.connect.execution.ExecuteGrpcResponseSender",
    "org.apache.spark.sql.connect.execution.ExecuteResponseObserver",
    // A query's own error, with its stack, at INFO: the notebook shows it already. Errors of
    // the server's RPCs stay (ERROR).
    "org.apache.spark.sql.connect.utils.ErrorUtils",
    // Scheduling and running tasks, per job and per task.
    "org.apache.spark.scheduler.DAGScheduler",
    "org.apache.spark.scheduler.TaskSchedulerImpl",
    "org.apache.spark.scheduler.TaskSetManager",
    "org.apache.spark.executor.Executor",
    "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator",
    "org.apache.spark.storage.memory.MemoryStore",
    "org.apache.spark.storage.BlockManagerInfo",
    "org.apache.spark.storage.ShuffleBlockFetcherIterator",
    "org.apache.spark.sql.execution.datasources.FileScanRDD",
    "org.apache.spark.sql.execution.datasources.FileSourceStrategy",
];

/// Spark's `log4j2-defaults.properties` (spark-common-utils), which a server without a log4j2
/// file of the user's runs with.
const SPARK_DEFAULTS: &str = "\
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
logger.jetty2.name = org.sparkproject.jetty.util.component.AbstractLifeCycle
logger.jetty2.level = error
logger.metastore.name = org.apache.hadoop.hive.metastore.RetryingHMSHandler
logger.metastore.level = fatal
logger.metastore2.name = org.apache.hadoop.hive.metastore.ObjectStore
logger.metastore2.level = error
logger.parquet.name = org.apache.parquet.CorruptStatistics
logger.parquet.level = error
logger.parquet2.name = parquet.CorruptStatistics
logger.parquet2.level = error
";

/// The file's text: Spark's defaults, then the quieted loggers at WARN.
pub fn properties() -> String {
    let mut text = String::from(
        "# Written by sparkconnect at each server launch: Spark's default log settings, with\n\
         # per-request and per-task INFO lines left out. To log them: set spark.log.level, or\n\
         # give log4j2 settings of your own (SPARK_CONF_DIR/log4j2.properties).\n",
    );
    text.push_str(SPARK_DEFAULTS);
    for (index, name) in QUIETED.iter().enumerate() {
        text.push_str(&format!(
            "logger.sparkconnect{index}.name = {name}\nlogger.sparkconnect{index}.level = warn\n"
        ));
    }
    text
}

/// Whether the user chose how the server logs: then the launch does not touch it.
pub fn user_chose(conf: &Conf, conf_dir: &Path) -> bool {
    conf.contains_key(KEY_LOG_LEVEL)
        || conf
            .get(KEY_JAVA_OPTIONS)
            .is_some_and(|options| options.contains("log4j"))
        || USER_FILES.iter().any(|name| conf_dir.join(name).is_file())
}

/// The Spark conf directory spark-submit puts in the classpath: `SPARK_CONF_DIR` (the
/// server's environment first, then ours), else `<SPARK_HOME>/conf`.
pub fn conf_dir(env: &Conf, spark_home: &Path) -> PathBuf {
    env.get("SPARK_CONF_DIR")
        .cloned()
        .or_else(|| std::env::var("SPARK_CONF_DIR").ok())
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| spark_home.join("conf"), PathBuf::from)
}

/// Writes the file into `home` and points the driver's JVM at it in `conf` (the effective
/// conf, not the one recorded for the user), unless the user chose their own settings. Never
/// fails a launch: a file that cannot be written only leaves Spark's defaults.
pub fn apply(home: &Home, conf: &mut Conf, conf_dir: &Path) {
    if user_chose(conf, conf_dir) {
        return;
    }
    let path = home.log_settings();
    // spark-submit splits extraJavaOptions at spaces.
    if path.to_string_lossy().contains(char::is_whitespace) {
        return;
    }
    if let Err(e) = fsutil::atomic_write(&path, properties().as_bytes()) {
        tracing::info!(error = %e, "the server logs with Spark's default settings");
        return;
    }
    let option = format!("-Dlog4j2.configurationFile={}", path.display());
    let joined = match conf.get(KEY_JAVA_OPTIONS) {
        Some(user) if !user.trim().is_empty() => format!("{user} {option}"),
        _ => option,
    };
    conf.insert(KEY_JAVA_OPTIONS.to_owned(), joined);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(items: &[(&str, &str)]) -> Conf {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_file_keeps_sparks_layout_and_quiets_each_chatty_logger() {
        let text = properties();
        assert!(text.contains("layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex"));
        assert!(text.contains("rootLogger.level = info"));
        for name in QUIETED {
            assert!(text.contains(&format!(".name = {name}\n")), "{name}");
        }
        assert_eq!(text.matches(".level = warn\n").count(), QUIETED.len() + 1);
    }

    #[test]
    fn the_launch_points_the_jvm_at_it_after_the_users_options() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let mut effective = conf(&[(KEY_JAVA_OPTIONS, "-Da=1")]);
        apply(&home, &mut effective, &dir.path().join("no-conf"));
        let expected = format!(
            "-Da=1 -Dlog4j2.configurationFile={}",
            home.log_settings().display()
        );
        assert_eq!(effective[KEY_JAVA_OPTIONS], expected);
        let written = std::fs::read_to_string(home.log_settings()).unwrap();
        assert_eq!(written, properties());
    }

    #[test]
    fn the_users_own_settings_win() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        let none = dir.path().join("no-conf");
        for chosen in [
            conf(&[(KEY_LOG_LEVEL, "INFO")]),
            conf(&[(KEY_JAVA_OPTIONS, "-Dlog4j2.configurationFile=/etc/mine.xml")]),
        ] {
            let mut effective = chosen.clone();
            apply(&home, &mut effective, &none);
            assert_eq!(effective, chosen);
        }
        let conf_dir = dir.path().join("conf");
        std::fs::create_dir(&conf_dir).unwrap();
        std::fs::write(
            conf_dir.join("log4j2.properties"),
            "rootLogger.level = debug\n",
        )
        .unwrap();
        let mut effective = Conf::new();
        apply(&home, &mut effective, &conf_dir);
        assert!(effective.is_empty());
        assert!(!home.log_settings().exists());
    }

    #[test]
    fn the_conf_dir_is_the_servers_then_ours_then_spark_homes() {
        let home = Path::new("/opt/spark");
        let env = conf(&[("SPARK_CONF_DIR", "/srv/conf")]);
        assert_eq!(conf_dir(&env, home), PathBuf::from("/srv/conf"));
        if std::env::var_os("SPARK_CONF_DIR").is_none() {
            assert_eq!(conf_dir(&Conf::new(), home), home.join("conf"));
        }
    }
}
