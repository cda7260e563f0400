//! The audit trail's keys, kept in files outside the database.
//!
//! The **audit key** seals every audit event (HMAC-SHA256). It is found, first match wins:
//! 1. `[audit] key_file` in the configuration file;
//! 2. the environment variable `WAYMARK_AUDIT_KEY_FILE` (a path);
//! 3. for a SQLite database, `<database path>.audit-key` beside it, when that file exists
//!    (`waymark demo` makes it).
//!
//! A key named by (1) or (2) must exist and be readable: a deployment that configured a key
//! never runs without it by mistake.
//!
//! The **checkpoint signing key** (Ed25519) is `--key-file`, else `[audit] signing_key_file`,
//! else `<audit key path>.signing` beside the audit key; it is made on first use, with its
//! public key beside it (`….pub`) for auditors to keep.
//!
//! Key files hold one line of hexadecimal digits and are written readable by their owner only.

use crate::Failure;
use crate::config::Config;
use std::path::{Path, PathBuf};
use waymark_store::{AuditKey, Location, PublicKey, SigningKey, Store};

/// The environment variable that names the audit key file.
pub const KEY_FILE_ENV: &str = "WAYMARK_AUDIT_KEY_FILE";

/// Where the audit key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Config,
    Environment,
    BesideDatabase,
}

/// The audit key file to use: configured (it must exist), or beside a SQLite database (it may
/// not exist yet). `None` when neither applies (a PostgreSQL database with no key configured).
pub fn audit_key_path(config: &Config, db: &str) -> Option<(PathBuf, Source)> {
    if let Some(path) = &config.audit.key_file {
        return Some((path.clone(), Source::Config));
    }
    if let Some(path) = std::env::var_os(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(path), Source::Environment));
    }
    beside_database(db).map(|p| (p, Source::BesideDatabase))
}

/// `<database path>.audit-key` for a SQLite database.
pub fn beside_database(db: &str) -> Option<PathBuf> {
    match Location::parse(db).ok()? {
        Location::Sqlite(path) => {
            let mut name = PathBuf::from(path).into_os_string();
            name.push(".audit-key");
            Some(PathBuf::from(name))
        }
        Location::Postgres(_) => None,
    }
}

/// The audit key, if the deployment has one (see the module's order), and its file.
pub fn audit_key(config: &Config, db: &str) -> Result<Option<(AuditKey, PathBuf)>, Failure> {
    let Some((path, source)) = audit_key_path(config, db) else {
        return Ok(None);
    };
    if source == Source::BesideDatabase && !path.exists() {
        return Ok(None);
    }
    let text = read_key_file(&path, "audit key")?;
    let key = AuditKey::from_hex(&text)
        .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
    Ok(Some((key, path)))
}

/// The store, sealing the audit events it writes with the deployment's key when there is one.
pub fn attach(store: Store, config: &Config, db: &str) -> Result<Store, Failure> {
    Ok(match audit_key(config, db)? {
        Some((key, _)) => store.with_audit_key(key),
        None => store,
    })
}

/// Whether `waymark demo` would make a key beside the database: SQLite, no key configured,
/// and none there yet.
pub fn demo_key_pending(config: &Config, db: &str) -> bool {
    matches!(audit_key_path(config, db), Some((path, Source::BesideDatabase)) if !path.exists())
}

/// For `waymark demo`: make the key beside a SQLite database when no key is configured and
/// none is there yet. Returns the file made.
pub fn make_demo_key(config: &Config, db: &str) -> Result<Option<PathBuf>, Failure> {
    match audit_key_path(config, db) {
        Some((path, Source::BesideDatabase)) if !path.exists() => {
            let key = AuditKey::generate()?;
            write_new_key_file(&path, &key.to_hex())?;
            Ok(Some(path))
        }
        _ => Ok(None),
    }
}

/// Where the checkpoint signing key is (see the module's order); `None` when nothing says.
pub fn signing_key_path(config: &Config, db: &str, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = given {
        return Some(path.to_path_buf());
    }
    if let Some(path) = &config.audit.signing_key_file {
        return Some(path.clone());
    }
    audit_key_path(config, db).map(|(path, _)| {
        let mut name = path.into_os_string();
        name.push(".signing");
        PathBuf::from(name)
    })
}

/// The public key file written beside a signing key.
pub fn public_key_path(signing: &Path) -> PathBuf {
    let mut name = signing.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// The checkpoint signing key, made (with its public key file) if the file does not exist.
/// Returns the key, its file, and whether it was made now.
pub fn signing_key(
    config: &Config,
    db: &str,
    given: Option<&Path>,
) -> Result<(SigningKey, PathBuf, bool), Failure> {
    let path = signing_key_path(config, db, given).ok_or_else(|| {
        Failure::Input(
            "no checkpoint signing key: give --key-file FILE or set [audit] signing_key_file in the configuration file (it is made on first use)".into(),
        )
    })?;
    if path.exists() {
        let text = read_key_file(&path, "checkpoint signing key")?;
        let key = SigningKey::from_hex(&text)
            .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?;
        return Ok((key, path, false));
    }
    let key = SigningKey::generate()?;
    write_new_key_file(&path, &key.to_hex())?;
    // Written whether or not one is there: a public key file left from an earlier key (or put
    // there by someone else) would not match the key just made.
    let public = public_key_path(&path);
    std::fs::write(&public, format!("{}\n", key.public().to_hex())).map_err(|e| {
        Failure::Input(format!(
            "cannot write the public key {}: {e}",
            public.display()
        ))
    })?;
    Ok((key, path, true))
}

/// The public key an auditor pinned: a file of 64 hexadecimal digits (a `.pub` file).
pub fn read_public_key(path: &Path) -> Result<PublicKey, Failure> {
    let text = read_limited(path, "public key")?;
    PublicKey::from_hex(&text).map_err(|e| Failure::Input(format!("{}: {e}", path.display())))
}

/// Key files are one line; anything much larger is not one.
const MAX_KEY_FILE: u64 = 4096;

fn read_limited(path: &Path, what: &str) -> Result<String, Failure> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::Input(format!("cannot read the {what} file {shown}: {e}")))?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE {
        return Err(Failure::Input(format!(
            "{shown} is not a {what} file (one line of hexadecimal digits)"
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("cannot read the {what} file {shown}: {e}")))
}

/// Read a secret key file, warning when other accounts can read it too.
fn read_key_file(path: &Path, what: &str) -> Result<String, Failure> {
    let text = read_limited(path, what)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    "the {what} file {} can be read by other accounts (mode {mode:o}); restrict it with chmod 600",
                    path.display()
                );
            }
        }
    }
    Ok(text)
}

/// Write a new key file readable by its owner only; never replaces a file.
fn write_new_key_file(path: &Path, hex: &str) -> Result<(), Failure> {
    use std::io::Write;
    let shown = path.display();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| Failure::Input(format!("cannot create the key file {shown}: {e}")))?;
    file.write_all(format!("{hex}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::Input(format!("cannot write the key file {shown}: {e}")))?;
    Ok(())
}

/// Whether a listening address (`HOST:PORT`) is on this machine only.
pub fn is_loopback(addr: &str) -> bool {
    let host = match addr.rsplit_once(':') {
        Some((host, _)) => host,
        None => addr,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_told_apart() {
        for addr in [
            "127.0.0.1:8080",
            "[::1]:80",
            "localhost:0",
            "LOCALHOST:1",
            "127.0.0.2:9",
        ] {
            assert!(is_loopback(addr), "{addr}");
        }
        for addr in [
            "0.0.0.0:8080",
            "[::]:80",
            "192.0.2.1:80",
            "example.org:80",
            ":8080",
        ] {
            assert!(!is_loopback(addr), "{addr}");
        }
    }

    #[test]
    fn the_key_beside_a_sqlite_database_is_named_after_it() {
        assert_eq!(
            beside_database("data/waymark.db"),
            Some(PathBuf::from("data/waymark.db.audit-key"))
        );
        assert_eq!(
            beside_database("sqlite:///srv/w.db"),
            Some(PathBuf::from("/srv/w.db.audit-key"))
        );
        assert_eq!(beside_database("postgres://u@h/db"), None);
    }

    #[test]
    fn a_configured_key_comes_first_and_must_exist() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("w.db").to_string_lossy().into_owned();
        let mut config = Config::default();
        config.audit.key_file = Some(dir.path().join("missing.key"));
        let Err(Failure::Input(message)) = audit_key(&config, &db) else {
            panic!("a missing configured key was ignored");
        };
        assert!(message.contains("missing.key"), "{message}");

        // Beside the database: absent is fine, then made once and read back.
        let config = Config::default();
        if std::env::var_os(KEY_FILE_ENV).is_none() {
            assert!(audit_key(&config, &db).expect("no key").is_none());
            let made = make_demo_key(&config, &db).expect("made").expect("a file");
            assert!(make_demo_key(&config, &db).expect("kept").is_none());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&made).expect("meta").permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            assert!(audit_key(&config, &db).expect("read").is_some());
        }
    }
}
