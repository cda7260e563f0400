//! Replacing the output directory safely. The export is written to a temporary directory
//! beside the target and renamed into place at the end, so an interrupted export never leaves
//! half a site where the old one was. While it runs, a lock file beside the target
//! (`.site.lock-PID`) keeps a second export of the same directory from starting; the next
//! export finds what a killed one left (an unlocked lock file) and clears it, putting an
//! earlier export back if it was caught mid-swap.

use super::{ExportError, MANIFEST, io};
use std::path::{Path, PathBuf};

/// The directory asked for and what stands there now.
pub(super) struct Target {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    /// An earlier export is there and will be replaced.
    replace: bool,
    pub(super) base_path: Option<String>,
    /// Held until the export is done (or given up).
    _lock: Lock,
}

/// `.site.lock-RUN` beside the target, locked while this run exports there. A lock file that
/// can be locked belongs to a run that is gone. RUN is the process id and a random number, as
/// process ids repeat (in containers every run may be process 1).
struct Lock {
    run: String,
    path: PathBuf,
    file: std::fs::File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no other export takes a dying lock for a stale one
        // while this one's temporary directories may still be there.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

impl Target {
    pub(super) fn check(
        out: &Path,
        force: bool,
        base_path: Option<String>,
    ) -> Result<Target, ExportError> {
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| {
                ExportError::Refused(format!(
                    "{}: give the export a directory name of its own (such as site/)",
                    out.display()
                ))
            })?
            .to_string();
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if !parent.is_dir() {
            return Err(ExportError::Refused(format!(
                "{}: no such directory to write the export in",
                parent.display()
            )));
        }
        let lock = take_lock(&parent, &name, out)?;
        let replace = match std::fs::symlink_metadata(out) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io(out)(e)),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(ExportError::Refused(format!(
                    "{} is a symbolic link: give the directory it points to",
                    out.display()
                )));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(ExportError::Refused(format!(
                    "{} exists and is not a directory",
                    out.display()
                )));
            }
            Ok(_) => {
                let empty = std::fs::read_dir(out).map_err(io(out))?.next().is_none();
                if empty {
                    false
                } else if !force {
                    return Err(ExportError::Refused(format!(
                        "{} is not empty: choose a new directory, or give --force to replace an earlier export",
                        out.display()
                    )));
                } else if out.join(MANIFEST).is_file() {
                    true
                } else {
                    return Err(ExportError::Refused(format!(
                        "{} holds files that are not a Waymark export (it has no {MANIFEST}): not replacing it, even with --force",
                        out.display()
                    )));
                }
            }
        };
        Ok(Target {
            out: out.to_path_buf(),
            parent,
            name,
            replace,
            base_path,
            _lock: lock,
        })
    }

    fn beside(&self, what: &str) -> PathBuf {
        self.parent
            .join(format!(".{}.{what}-{}", self.name, self._lock.run))
    }

    /// Have `write` fill a new directory beside the target (it makes the directory), then
    /// put that in the target's place. If either fails, the new directory is removed and the
    /// target is as it was.
    pub(super) fn replace_with<T>(
        &self,
        write: impl FnOnce(&Path) -> Result<T, ExportError>,
    ) -> Result<T, ExportError> {
        let temp = self.beside("publishing");
        if temp.exists() {
            std::fs::remove_dir_all(&temp).map_err(io(&temp))?;
        }
        let written = match write(&temp) {
            Ok(written) => written,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&temp);
                return Err(e);
            }
        };
        if let Err(e) = swap_into_place(self, &temp) {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
        Ok(written)
    }
}

/// A name for this run no other run has had: the process id and a random number.
fn run_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    // Each RandomState is seeded afresh from the operating system's randomness.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{}.{:016x}", std::process::id(), hasher.finish())
}

/// Take this run's lock beside the target, after refusing to start while another export of it
/// runs and clearing what one that was killed left behind.
fn take_lock(parent: &Path, name: &str, out: &Path) -> Result<Lock, ExportError> {
    let (run, staging, file) = loop {
        let run = run_token();
        // Locked under a name no other export treats as a lock, then renamed: an export never
        // sees this one's lock file before it is locked. `create_new` never follows a link.
        let staging = parent.join(format!(".{name}.locking-{run}"));
        match std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&staging)
        {
            Ok(file) => break (run, staging, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&staging)(e)),
        }
    };
    file.try_lock().map_err(|e| io(&staging)(e.into()))?;
    let path = parent.join(format!(".{name}.lock-{run}"));
    std::fs::rename(&staging, &path).map_err(io(&path))?;
    let lock = Lock { run, path, file };

    // Another run's lock that is still held stops this one; anything else a run leaves beside
    // the target belongs to one that is gone. Only what an export makes is touched: lock files
    // that are plain files, and directories (never links).
    let busy = |detail: String| {
        ExportError::Refused(format!(
            "another waymark publish is writing {} now ({detail}): wait for it to finish",
            out.display()
        ))
    };
    let prefix = format!(".{name}.");
    let mut locks = vec![];
    let mut replaced = vec![];
    let mut publishing = vec![];
    for entry in std::fs::read_dir(parent).map_err(io(parent))? {
        let entry = entry.map_err(io(parent))?;
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((what, other_run)) = rest.split_once('-') else {
            continue;
        };
        if other_run == lock.run {
            continue;
        }
        let other = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&other) else {
            continue; // gone since
        };
        match what {
            "lock" | "locking" if meta.is_file() => {
                let held = match std::fs::File::open(&other) {
                    Ok(held) => held,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    // Cannot tell whether its run is alive: better to stop than to collide.
                    Err(e) => return Err(busy(format!("{}: {e}", other.display()))),
                };
                match held.try_lock() {
                    Ok(()) => locks.push(other),
                    Err(std::fs::TryLockError::WouldBlock) => {
                        return Err(busy(format!("{} is held", other.display())));
                    }
                    Err(std::fs::TryLockError::Error(e)) => {
                        return Err(busy(format!("{}: {e}", other.display())));
                    }
                }
            }
            // Ranked by when the export in it was made (its manifest is written last).
            "replaced" if meta.is_dir() => replaced.push((
                std::fs::metadata(other.join(MANIFEST))
                    .and_then(|m| m.modified())
                    .ok(),
                other,
            )),
            "publishing" if meta.is_dir() => publishing.push(other),
            _ => {}
        }
    }
    // An earlier export moved aside goes back when a swap was cut short before the new one
    // took its place (the newest, if several were left); a copy is deleted only once the
    // target holds an export.
    replaced.sort();
    if let Some((_, newest)) = replaced.last() {
        let empty = out.is_dir() && std::fs::read_dir(out).map_err(io(out))?.next().is_none();
        if !out.exists() || empty {
            if empty {
                std::fs::remove_dir(out).map_err(io(out))?;
            }
            std::fs::rename(newest, out).map_err(io(out))?;
            replaced.pop();
        }
    }
    let exported = out.join(MANIFEST).is_file();
    let gone = |path: &Path, removed: std::io::Result<()>| match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    };
    for (_, old) in replaced.iter().filter(|_| exported) {
        gone(old, std::fs::remove_dir_all(old))?;
    }
    for half in &publishing {
        gone(half, std::fs::remove_dir_all(half))?;
    }
    for other in &locks {
        gone(other, std::fs::remove_file(other))?;
    }
    Ok(lock)
}

/// Rename the finished export into place. An earlier export is moved aside first and removed
/// only once the new one stands where it was.
fn swap_into_place(target: &Target, temp: &Path) -> Result<(), ExportError> {
    let out = &target.out;
    if !target.replace {
        if out.is_dir() {
            // Found empty: rename cannot replace a directory everywhere.
            std::fs::remove_dir(out).map_err(io(out))?;
        }
        return std::fs::rename(temp, out).map_err(io(out));
    }
    let old = target.beside("replaced");
    std::fs::rename(out, &old).map_err(io(out))?;
    if let Err(e) = std::fs::rename(temp, out) {
        let _ = std::fs::rename(&old, out);
        return Err(io(out)(e));
    }
    // The new export is in place: the old one left behind (say, a file in it held open) is
    // cleared by the next export instead of failing this one.
    if let Err(e) = std::fs::remove_dir_all(&old) {
        tracing::warn!(
            "the earlier export, moved to {}, could not be removed ({e}); the next publish clears it",
            old.display()
        );
    }
    Ok(())
}
