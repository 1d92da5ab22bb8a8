//! The per-user home: where the lock, state, leases, conf and log live, and the one place that
//! names those files (`Home`).
//!
//! The state file holds the server's token, so the home must be private to the user: we create
//! it 0700 and refuse one that someone else owns or could write into (they could plant a state
//! file pointing our client at their server, or read our token).

use std::env;
use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::unistd::{Uid, User};

use crate::errors::{CoreError, Result};

/// Environment variable that overrides the home.
const HOME_ENV: &str = "SPARKCONNECT_HOME";

/// A per-user home directory and the layout of the files in it. Making one checks nothing:
/// `resolve`, `ensure` and `check` do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Home { dir: dir.into() }
    }

    /// Resolves the home (explicit path > $SPARKCONNECT_HOME > $XDG_RUNTIME_DIR/sparkconnect >
    /// ~/.sparkconnect), creates it 0700 when missing and checks it is safe to use.
    pub fn resolve(explicit: Option<&Path>) -> Result<Home> {
        let chosen = match explicit {
            Some(p) => p.to_path_buf(),
            None => default_home()?,
        };
        let absolute = std::path::absolute(&chosen).map_err(|e| {
            CoreError::Home(format!(
                "The sparkconnect home {} cannot be resolved ({e}). Set {HOME_ENV} to an \
                 absolute path of a directory you own.",
                chosen.display()
            ))
        })?;
        let home = Home::new(absolute);
        home.ensure()?;
        Ok(home)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the home (0700) when missing, then checks it (see `ensure_private_dir`).
    pub fn ensure(&self) -> Result<()> {
        ensure_private_dir(&self.dir)
    }

    /// Checks an existing home without creating anything (see `check_private_dir`).
    pub fn check(&self) -> Result<()> {
        check_private_dir(&self.dir)
    }

    /// What the home records about the running server (`state.rs`).
    pub fn state(&self) -> PathBuf {
        self.dir.join("server.json")
    }

    /// The conf the next start applies (`conf.rs`).
    pub fn pending_conf(&self) -> PathBuf {
        self.dir.join("conf.json")
    }

    /// The lifecycle lock (`lock.rs`).
    pub fn lock(&self) -> PathBuf {
        self.dir.join("server.lock")
    }

    /// One lease file per attached process (`leases.rs`).
    pub fn leases(&self) -> PathBuf {
        self.dir.join("leases")
    }

    pub fn lease(&self, pid: i32) -> PathBuf {
        self.leases().join(pid.to_string())
    }

    /// The server's stdout and stderr.
    pub fn server_log(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// The log of the server before, kept when a launch starts a fresh one.
    pub fn previous_server_log(&self) -> PathBuf {
        self.dir.join("server.log.1")
    }

    /// The conf the server runs with, given to spark-submit (0600: it may hold secrets).
    pub fn properties(&self) -> PathBuf {
        self.dir.join("server.properties")
    }

    /// The log4j2 settings the server is launched with (`log_settings.rs`).
    pub fn log_settings(&self) -> PathBuf {
        self.dir.join("log4j2.properties")
    }

    /// The ports the last server listened on, preferred by the next launch (`launch.rs`).
    pub fn last_ports(&self) -> PathBuf {
        self.dir.join("ports.json")
    }

    /// Where the idle watchdog (`idle.rs`) writes.
    pub fn watchdog_log(&self) -> PathBuf {
        self.dir.join("watchdog.log")
    }
}

/// The home when no explicit path is given.
fn default_home() -> Result<PathBuf> {
    if let Some(p) = non_empty_env(HOME_ENV) {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = non_empty_env("XDG_RUNTIME_DIR") {
        let p = PathBuf::from(p);
        // A relative XDG_RUNTIME_DIR is invalid per the spec; fall through to ~ instead.
        if p.is_absolute() {
            return Ok(p.join("sparkconnect"));
        }
    }
    let user_home = match non_empty_env("HOME") {
        Some(h) => PathBuf::from(h),
        None => match User::from_uid(Uid::effective()) {
            Ok(Some(user)) => user.dir,
            _ => {
                return Err(CoreError::Home(format!(
                    "Cannot find a home directory for sparkconnect: HOME is not set and the \
                     user database has no entry for uid {}. Set {HOME_ENV} to a directory you \
                     own, e.g. `export {HOME_ENV}=/tmp/sparkconnect-$USER`.",
                    Uid::effective()
                )))
            }
        },
    };
    Ok(user_home.join(".sparkconnect"))
}

fn non_empty_env(name: &str) -> Option<std::ffi::OsString> {
    env::var_os(name).filter(|v| !v.is_empty())
}

/// Creates `home` (0700, parents included) if missing, then checks it: a directory (or a
/// symlink to one) owned by us and not writable by group or others. Also used for the
/// start-up archive cache, which a JVM maps as code and so must be as private.
pub fn ensure_private_dir(home: &Path) -> Result<()> {
    match fs::symlink_metadata(home) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(home)
                .map_err(|e| {
                    CoreError::Home(format!(
                        "Cannot create the sparkconnect home {} ({e}). Create it yourself with \
                         `mkdir -p -m 700 {}` or set {HOME_ENV} to a directory you can write.",
                        home.display(),
                        home.display()
                    ))
                })?;
            // The umask may have removed bits we asked for; make the mode exact.
            let _ = fs::set_permissions(home, fs::Permissions::from_mode(0o700));
            tracing::debug!(home = %home.display(), "created sparkconnect home");
        }
        Err(e) => {
            return Err(CoreError::Home(format!(
                "Cannot inspect the sparkconnect home {} ({e}). Set {HOME_ENV} to a directory \
                 you own.",
                home.display()
            )))
        }
    }
    check_private_dir(home)
}

/// Checks an existing home without creating anything.
fn check_private_dir(home: &Path) -> Result<()> {
    let link = fs::symlink_metadata(home).map_err(|e| {
        CoreError::Home(format!(
            "Cannot inspect the sparkconnect home {} ({e}). Set {HOME_ENV} to a directory you \
             own.",
            home.display()
        ))
    })?;
    let me = Uid::effective().as_raw();
    let meta = if link.file_type().is_symlink() {
        // A symlink is fine when it points to a private directory of ours; the link itself
        // lives in a parent directory someone may share, so we judge only what it points to.
        match fs::metadata(home) {
            Ok(m) if m.uid() == me => m,
            Ok(m) => {
                return Err(CoreError::Home(format!(
                    "The sparkconnect home {} is a symlink to a directory owned by uid {}, not \
                     by you (uid {me}). Remove the symlink or set {HOME_ENV} to a directory \
                     you own.",
                    home.display(),
                    m.uid()
                )))
            }
            Err(e) => {
                return Err(CoreError::Home(format!(
                    "The sparkconnect home {} is a symlink that cannot be followed ({e}). \
                     Remove it (`rm {}`) or set {HOME_ENV} to another directory.",
                    home.display(),
                    home.display()
                )))
            }
        }
    } else {
        link
    };
    if !meta.is_dir() {
        return Err(CoreError::Home(format!(
            "The sparkconnect home {} exists but is not a directory. Move it away or set \
             {HOME_ENV} to another path.",
            home.display()
        )));
    }
    if meta.uid() != me {
        return Err(CoreError::Home(format!(
            "The sparkconnect home {} is owned by uid {}, not by you (uid {me}); another user \
             could read the server token or plant a server there. Set {HOME_ENV} to a \
             directory of your own.",
            home.display(),
            meta.uid()
        )));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(CoreError::Home(format!(
            "The sparkconnect home {} is writable by group or others (mode {mode:03o}), so \
             another user could tamper with the server state. Run `chmod 700 {}` and try again.",
            home.display(),
            home.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn creates_0700_with_parents() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("a/b/home");
        let got = Home::resolve(Some(&home)).unwrap();
        assert_eq!(got.dir(), home);
        assert!(home.is_dir());
        assert_eq!(mode_of(&home), 0o700);
        // Resolving again is fine.
        Home::resolve(Some(&home)).unwrap();
    }

    #[test]
    fn refuses_group_writable() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs::create_dir(&home).unwrap();
        fs::set_permissions(&home, fs::Permissions::from_mode(0o770)).unwrap();
        match Home::resolve(Some(&home)) {
            Err(CoreError::Home(msg)) => assert!(msg.contains("chmod 700"), "{msg}"),
            other => panic!("expected HomeError, got {other:?}"),
        }
    }

    #[test]
    fn refuses_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs::write(&home, b"").unwrap();
        assert!(matches!(
            Home::resolve(Some(&home)),
            Err(CoreError::Home(_))
        ));
    }

    #[test]
    fn accepts_symlink_to_own_private_dir_and_refuses_dangling() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir(&real).unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o700)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        Home::resolve(Some(&link)).unwrap();

        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(matches!(
            Home::resolve(Some(&dangling)),
            Err(CoreError::Home(_))
        ));
    }
}
