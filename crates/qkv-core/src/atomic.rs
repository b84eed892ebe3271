//! Writing a file so that it is never lost, truncated or redirected. Every file qkv writes
//! goes through here: scenarios (`save`), exports (`qkv export`), plots and redirected
//! output (`plot`, `> file`) and checkpoints (`qkv train -o`, `checkpoint save`). Each first
//! asks [`check_destination`] (the one rule of what may be replaced, also used to check a
//! destination before a long run), then writes with [`write_atomically`].
//!
//! The guarantees (also in docs/reference/limits.md):
//! - the new content goes to a temporary file created exclusively (`O_EXCL`) with a random
//!   name in the target's directory, is synced, and is renamed over the target only when
//!   complete: a full disk or an error leaves the previous file as it was, and a link
//!   planted at a temporary name cannot redirect the write;
//! - a symbolic link is followed: the file it points to is replaced, the link stays a link;
//! - an existing file keeps its permission bits (a 0600 file stays 0600); a new one gets
//!   the usual 0666 less the umask;
//! - only a regular file is replaced: a directory, device, FIFO or socket is refused;
//! - temporary files of our naming (`.<name>.<random>.qkv-tmp`) left by a crash are removed
//!   by the next write to the same target.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Suffix of qkv's temporary files.
pub const TEMP_SUFFIX: &str = ".qkv-tmp";

/// Links followed before giving up (a loop of links).
const MAX_LINKS: usize = 40;

/// A leftover temporary file older than this is stale (a newer one may be another qkv's
/// save in progress).
const STALE_AFTER: Duration = Duration::from_mins(1);

/// The file `path` names once symbolic links are followed (the path itself when it is not
/// a link, or does not exist yet). A dangling link gives the path it points to.
pub fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = if to.is_absolute() {
                    to
                } else {
                    p.parent().unwrap_or(Path::new(".")).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("more than {MAX_LINKS} symbolic links in a row (a loop?)"),
    ))
}

/// What a writer does with an existing regular file at its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (an export written again, or the user said `--force` / `save!`).
    Replace,
    /// Refuse: the user has not asked to replace it.
    Refuse,
}

impl Existing {
    /// [`Existing::Replace`] when `force`, else [`Existing::Refuse`].
    pub fn forced(force: bool) -> Existing {
        if force {
            Existing::Replace
        } else {
            Existing::Refuse
        }
    }
}

/// Why a destination may not be written.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The destination is a directory (or ends with `/`).
    #[error("{} is a directory: give a file name inside it", path.display())]
    Directory {
        /// The destination as given.
        path: PathBuf,
    },
    /// The destination is a device, FIFO, socket…
    #[error("{} is {kind}: only a regular file is replaced", path.display())]
    NotRegular {
        /// The destination as given.
        path: PathBuf,
        /// What it is ([`crate::scenario::io::file_kind`]).
        kind: &'static str,
    },
    /// The directory the file would go into does not exist (or is not a directory).
    #[error("{}: the directory {} does not exist", path.display(), dir.display())]
    NoDirectory {
        /// The destination as given.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// A regular file is there and the writer was not asked to replace it.
    #[error("{} already exists", path.display())]
    Exists {
        /// The destination as given.
        path: PathBuf,
    },
    /// The file system refused (a link loop, no permission to create a file there).
    #[error("cannot write {}: {cause}", path.display())]
    Io {
        /// The destination as given.
        path: PathBuf,
        /// The cause.
        cause: io::Error,
    },
}

/// The directory a file at `target` is created in (`.` for a bare name).
fn directory_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks, before anything is computed or written, that `path` may be written: links are
/// followed; a directory, a device, a FIFO or a socket is refused; the directory it goes
/// into must exist; an existing regular file is refused unless `existing` says
/// [`Existing::Replace`]. Returns the file that will be written (links followed).
///
/// A long run (`qkv train -o`) calls this before its first step, so that a bad destination
/// is found before the work, not after it.
pub fn check_destination(path: &Path, existing: Existing) -> Result<PathBuf, Refusal> {
    let given = || path.to_path_buf();
    if path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(Refusal::Directory { path: given() });
    }
    let target = resolve_links(path).map_err(|cause| Refusal::Io {
        path: given(),
        cause,
    })?;
    match fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => return Err(Refusal::Directory { path: given() }),
        Ok(meta) if !meta.is_file() => {
            return Err(Refusal::NotRegular {
                path: given(),
                kind: crate::scenario::io::file_kind(&meta),
            });
        }
        Ok(_) if existing == Existing::Refuse => return Err(Refusal::Exists { path: given() }),
        _ => {}
    }
    let dir = directory_of(&target);
    if !fs::metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return Err(Refusal::NoDirectory { path: given(), dir });
    }
    Ok(target)
}

/// [`check_destination`], then a trial of creating (and removing) a temporary file in the
/// destination's directory, for a caller that is about to run for long before it writes:
/// a directory without write permission is found before the work.
pub fn check_writable(path: &Path, existing: Existing) -> Result<PathBuf, Refusal> {
    let target = check_destination(path, existing)?;
    // Made and, when dropped at once, removed: only whether it can be made matters.
    temporary_beside(&target).map_err(|cause| Refusal::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    Ok(target)
}

/// A new temporary file of our naming (`.<name>.<random>.qkv-tmp`) in `target`'s directory,
/// created exclusively with the mode a new file gets (0666 less the umask), after removing
/// stale ones left by a crash.
fn temporary_beside(target: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = directory_of(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "qkv".into());
    remove_stale(&dir, &name);
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode of a new file (the umask applies), as `File::create` would give.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(&dir)
}

/// Writes `path` through `write` (given the temporary file) with the guarantees of the
/// module: links followed, special files refused, permissions kept, atomic rename. The
/// callers ask [`check_destination`] first, with their own rule for an existing file; this
/// asks it again (an existing regular file is replaced) in case the destination changed
/// in between.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let target = check_destination(path, Existing::Replace).map_err(|r| match r {
        Refusal::Io { cause, .. } => cause,
        other => io::Error::new(io::ErrorKind::InvalidInput, other.to_string()),
    })?;
    let mut tmp = temporary_beside(&target)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = fs::metadata(&target) {
        fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// Removes `.<name>.*.qkv-tmp` (and the `.<name>.tmp-<pid>` of earlier versions) in `dir`
/// that are regular files (never through a link) older than a minute.
fn remove_stale(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let ours = n.starts_with(&prefix)
            && (n.ends_with(TEMP_SUFFIX)
                || n[prefix.len()..]
                    .strip_prefix("tmp-")
                    .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())));
        if !ours {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(e.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.is_file() && old {
            let _ = fs::remove_file(e.path());
        }
    }
}
