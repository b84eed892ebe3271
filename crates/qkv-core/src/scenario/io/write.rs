//! Writing a scenario as YAML (block style, short lists in flow style) and saving it
//! atomically.

use super::*;

/// The scenario as YAML text in qkv's stable layout: block maps, lists of maps as block
/// lists, lists of numbers in flow style (`[0.12, -0.87]`), matrices as one flow row per line.
pub fn to_yaml(file: &ScenarioFile) -> Result<String, SaveError> {
    let value = match file {
        ScenarioFile::Model(s) => serde_yaml::to_value(s),
        ScenarioFile::Attention(a) => serde_yaml::to_value(a),
    }
    .map_err(|e| SaveError::Serialize(e.to_string()))?;
    let mut out = String::new();
    emit_block(&value, 0, &mut out)?;
    Ok(out)
}

pub(super) fn scalar(v: &Value) -> Result<String, SaveError> {
    let s = serde_yaml::to_string(v).map_err(|e| SaveError::Serialize(e.to_string()))?;
    // Only the document's final newline: a `|+` block keeps its trailing blank lines.
    Ok(s.strip_suffix('\n').unwrap_or(&s).to_string())
}

pub(super) fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_))
}

pub(super) fn flow_list(items: &[Value]) -> Result<String, SaveError> {
    let parts: Result<Vec<String>, SaveError> = items.iter().map(scalar).collect();
    Ok(format!("[{}]", parts?.join(", ")))
}

/// Writes `key: value` lines of a map at `indent`.
pub(super) fn emit_block(v: &Value, indent: usize, out: &mut String) -> Result<(), SaveError> {
    let pad = " ".repeat(indent);
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                let key = scalar(k)?;
                out.push_str(&format!("{pad}{key}:"));
                emit_value(val, indent, out)?;
            }
        }
        other => {
            out.push_str(&pad);
            emit_value(other, indent, out)?;
        }
    }
    Ok(())
}

/// Writes the value after `key:` (same line for scalars and flow lists, else below).
pub(super) fn emit_value(v: &Value, indent: usize, out: &mut String) -> Result<(), SaveError> {
    let pad = " ".repeat(indent);
    match v {
        Value::Sequence(items) if items.is_empty() => out.push_str(" []\n"),
        Value::Sequence(items) if items.iter().all(is_scalar) => {
            out.push_str(&format!(" {}\n", flow_list(items)?));
        }
        Value::Sequence(items) => {
            out.push('\n');
            for item in items {
                match item {
                    Value::Sequence(row) if row.iter().all(is_scalar) => {
                        out.push_str(&format!("{pad}- {}\n", flow_list(row)?));
                    }
                    Value::Mapping(m) if !m.is_empty() => {
                        let mut inner = String::new();
                        emit_block(item, indent + 2, &mut inner)?;
                        // The first key goes on the dash line.
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                    }
                    other => {
                        out.push_str(&format!("{pad}-"));
                        emit_value(other, indent + 2, out)?;
                    }
                }
            }
        }
        Value::Mapping(m) if m.is_empty() => out.push_str(" {}\n"),
        Value::Mapping(_) => {
            out.push('\n');
            emit_block(v, indent + 2, out)?;
        }
        other => {
            let s = scalar(other)?;
            if s.contains('\n') {
                // A block scalar (`|-` and indented lines): re-indent under the key.
                let mut lines = s.split('\n');
                let head = lines.next().unwrap_or("|-");
                out.push_str(&format!(" {head}\n"));
                for l in lines {
                    let l = l.strip_prefix("  ").unwrap_or(l);
                    if l.is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str(&format!("{pad}  {l}\n"));
                    }
                }
            } else {
                out.push_str(&format!(" {s}\n"));
            }
        }
    }
    Ok(())
}

/// Writes `file` to `path` atomically (temporary file in the same directory, then rename),
/// under the rules of `guard`.
pub fn save(file: &ScenarioFile, path: &Path, guard: &SaveGuard) -> Result<(), SaveError> {
    let text = to_yaml(file)?;
    save_text(&text, path, guard)
}

/// Writes YAML text to `path` atomically under the rules of `guard` (and the guarantees
/// of [`crate::atomic`]: exclusive random temporary file, links followed, permissions kept,
/// special files refused).
pub fn save_text(text: &str, path: &Path, guard: &SaveGuard) -> Result<(), SaveError> {
    let io = |cause| SaveError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let (target, over_loaded) = destination(path, guard)?;
    if over_loaded && let Some((_, fp)) = &guard.loaded {
        let now = read_bounded(&target).map_err(|e| match e {
            LoadError::Read { cause, .. } => io(cause),
            other => io(std::io::Error::other(other.to_string())),
        })?;
        if fingerprint(&now) != *fp {
            return Err(SaveError::ChangedOnDisk {
                path: path.to_path_buf(),
            });
        }
    }
    crate::atomic::write_atomically(&target, |f| f.write_all(text.as_bytes())).map_err(io)
}

/// Checks that a scenario may be saved to `path` under the rules of `guard`, before
/// anything is written ([`crate::atomic::check_destination`]); returns the file to write
/// (links followed) and whether it is the file the session loaded.
pub fn destination(path: &Path, guard: &SaveGuard) -> Result<(PathBuf, bool), SaveError> {
    use crate::atomic::{Existing, Refusal};
    // The file this session loaded may be saved over (unless someone changed it since);
    // any other existing file only when forced.
    let over_loaded = !guard.force
        && crate::atomic::resolve_links(path).is_ok_and(|t| {
            t.is_file() && guard.loaded.as_ref().is_some_and(|(p, _)| same_file(p, &t))
        });
    let existing = Existing::forced(guard.force || over_loaded);
    let target = crate::atomic::check_destination(path, existing).map_err(|r| match r {
        Refusal::Directory { path } => SaveError::IsDirectory { path },
        Refusal::NotRegular { path, kind } => SaveError::NotRegular { path, kind },
        Refusal::Exists { path } => SaveError::WouldOverwrite { path },
        Refusal::NoDirectory { path, dir } => SaveError::Io {
            path,
            cause: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the directory {} does not exist", dir.display()),
            ),
        },
        Refusal::Io { path, cause } => SaveError::Io { path, cause },
    })?;
    Ok((target, over_loaded))
}

/// True when both paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
