//! Writing a file so that it is never lost, truncated or redirected: scenarios (`save`) and
//! exports (`qkv export`) go through [`write_atomically`].
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

/// Why `path` (links followed) may not be replaced: it exists and is not a regular file.
pub fn not_replaceable(path: &Path) -> Option<&'static str> {
    let meta = fs::metadata(path).ok()?;
    (!meta.is_file()).then(|| crate::scenario::io::file_kind(&meta))
}

/// Writes `path` through `write` (given the temporary file) with the guarantees of the
/// module: links followed, special files refused, permissions kept, atomic rename.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let target = resolve_links(path)?;
    if let Some(kind) = not_replaceable(&target) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {kind}: only a regular file is replaced"),
        ));
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
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
    let mut tmp = builder.tempfile_in(&dir)?;
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
