//! Reading and writing scenario files. This is the only module that uses `serde_yaml`.
//!
//! Loading reports every problem with the file, line and column, the field and what is
//! allowed. Saving writes a temporary file in the same directory and renames it over the
//! target, refuses to overwrite a file that is not the one loaded (or that changed on disk
//! since it was loaded) unless forced, and writes a stable layout: the same scenario always
//! gives the same bytes, so load → save → load → save is a fixed point.

use std::fmt;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml::Value;
use thiserror::Error;

use crate::limits::{MAX_FILE_BYTES, MAX_NESTING};

use super::schema::{AttentionScenario, ModelSpec, Scenario, ScenarioFile, VERSION};
use super::{FieldPath, PathSeg, Runnable, build_file_controlled};
use crate::model::Control;

mod locate;
mod write;

pub use locate::locate;
pub use write::{destination, same_file, save, save_text, to_yaml};

/// One problem, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field (`model.heads`, `expect[2].at`), empty for the whole document.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// The file was read but its content is not a valid scenario.
    #[error("{}", invalid_text(origin, problems))]
    Invalid {
        /// File name (or `<text>`).
        origin: String,
        /// Every problem found.
        problems: Vec<Located>,
    },
    /// The Hugging Face model directory `model.hf` names does not exist (a check of such a
    /// scenario is skipped with this note, not failed).
    #[error(
        "{origin}: {} does not exist; get the model once with `{}` (qkv never downloads anything)",
        dir.display(),
        crate::hf::how_to_get(dir)
    )]
    NoHfModel {
        /// Where it was named: `FILE: model.hf`, `--hf`.
        origin: String,
        /// The directory, relative to where qkv runs.
        dir: PathBuf,
    },
}

impl LoadError {
    /// The located problems (empty for read errors).
    pub fn problems(&self) -> &[Located] {
        match self {
            LoadError::Read { .. } | LoadError::NoHfModel { .. } => &[],
            LoadError::Invalid { problems, .. } => problems,
        }
    }
}

/// One line per problem: `origin:line:column: field: message` (the English text of an invalid
/// scenario; the Korean one puts a heading above the same lines).
pub(crate) fn invalid_text(origin: &str, problems: &[Located]) -> String {
    problems
        .iter()
        .map(|p| {
            format!(
                "{origin}:{}:{}: {}",
                p.line,
                p.column,
                super::join_field(&p.field, &p.message)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a scenario could not be saved.
#[derive(Debug, Error)]
pub enum SaveError {
    /// The target is a directory.
    #[error("{path} is a directory: give a file name, e.g. {}/my.yaml", path.display())]
    IsDirectory {
        /// The target.
        path: PathBuf,
    },
    /// The target exists and is not the file this session loaded.
    #[error(
        "{path} already exists and is not the scenario you loaded: choose another name, or overwrite it (`save! <file>` in the REPL, y in the TUI)"
    )]
    WouldOverwrite {
        /// The target.
        path: PathBuf,
    },
    /// The target is a device, FIFO, socket…: only regular files are written.
    #[error("{path} is {kind}, not a regular file: save to a .yaml file")]
    NotRegular {
        /// The target.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// The loaded file was changed by someone else since it was loaded.
    #[error(
        "{path} changed on disk since it was loaded: save under another name, or overwrite it (`save! <file>` in the REPL, y in the TUI)"
    )]
    ChangedOnDisk {
        /// The target.
        path: PathBuf,
    },
    /// File system error.
    #[error("cannot write {path}: {cause}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// Serialization error (should not happen for valid scenarios).
    #[error("cannot serialise the scenario: {0}")]
    Serialize(String),
}

/// A scenario read from disk, with what is needed to save it back safely.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The parsed file.
    pub file: ScenarioFile,
    /// Where it came from.
    pub path: PathBuf,
    /// Hash of the bytes read (to notice changes on disk before overwriting).
    pub fingerprint: u64,
    /// The model/trace built from it.
    pub runnable: Runnable,
    /// The file has YAML comments (saving over it would drop them).
    pub has_comments: bool,
}

/// What a save may overwrite.
#[derive(Debug, Clone, Default)]
pub struct SaveGuard {
    /// The file the session loaded, with the fingerprint of its bytes then.
    pub loaded: Option<(PathBuf, u64)>,
    /// Overwrite whatever is there.
    pub force: bool,
}

/// FNV-1a of the file's bytes.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    crate::model::init::fnv1a(bytes)
}

/// True when the text has YAML comments: a line starting with `#`, or ` #` after a value
/// (conservative: a ` #` inside a quoted string counts too).
pub fn has_comments(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with('#') || l.contains(" #"))
}

/// Reads the bytes of a scenario file: only a regular file (a device, a FIFO or a directory
/// is refused before it is opened, so `/dev/zero` or a FIFO cannot make qkv read forever
/// or block), at most [`MAX_FILE_BYTES`].
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, LoadError> {
    let read_err = |cause| LoadError::Read {
        path: path.to_path_buf(),
        cause,
    };
    let refuse = |what: String| LoadError::Read {
        path: path.to_path_buf(),
        cause: std::io::Error::new(std::io::ErrorKind::InvalidInput, what),
    };
    let meta = fs::metadata(path).map_err(read_err)?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "it is {}, not a regular file: a scenario is a .yaml file",
            file_kind(&meta)
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "it has {} bytes: a scenario file may have at most {MAX_FILE_BYTES} ({})",
            meta.len(),
            crate::limits::mib(MAX_FILE_BYTES)
        )));
    }
    let f = fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "it grew past {MAX_FILE_BYTES} bytes while being read: a scenario file may have at most {}",
            crate::limits::mib(MAX_FILE_BYTES)
        )));
    }
    Ok(bytes)
}

/// What kind of file system object `meta` describes, for messages.
pub fn file_kind(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Reads, parses and builds the scenario at `path`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_in(path, None)
}

/// [`load`], reading a checkpoint and running the forward pass under `control` (progress, and
/// a stop when it asks): a session's load.
pub fn load_controlled(path: &Path, control: &Control) -> Result<Loaded, LoadError> {
    load_in(path, Some(control))
}

fn load_in(path: &Path, control: Option<&Control>) -> Result<Loaded, LoadError> {
    let bytes = read_bounded(path)?;
    let origin = path.display().to_string();
    let text = String::from_utf8(bytes.clone()).map_err(|e| LoadError::Invalid {
        origin: origin.clone(),
        problems: vec![Located {
            line: 1,
            column: 1,
            field: String::new(),
            message: format!("the file is not UTF-8 text ({e})"),
        }],
    })?;
    let (file, runnable) = build_text(&text, &origin, path.parent(), control)?;
    Ok(Loaded {
        file,
        path: path.to_path_buf(),
        fingerprint: fingerprint(&bytes),
        runnable,
        has_comments: has_comments(&text),
    })
}

/// Parses and builds scenario text; `origin` names it in errors.
pub fn parse_and_build(text: &str, origin: &str) -> Result<(ScenarioFile, Runnable), LoadError> {
    build_text(text, origin, None, None)
}

/// [`parse_and_build`] of a file in the directory `base` (which `model.checkpoint` is
/// relative to; `None` for built-in text).
pub fn parse_and_build_in(
    text: &str,
    origin: &str,
    base: Option<&Path>,
) -> Result<(ScenarioFile, Runnable), LoadError> {
    build_text(text, origin, base, None)
}

fn build_text(
    text: &str,
    origin: &str,
    base: Option<&Path>,
    control: Option<&Control>,
) -> Result<(ScenarioFile, Runnable), LoadError> {
    let mut file = parse(text, origin)?;
    if let ScenarioFile::Model(s) = &mut file {
        s.base_dir.0 = base.map(|b| {
            if b.as_os_str().is_empty() {
                Path::new(".").to_path_buf()
            } else {
                b.to_path_buf()
            }
        });
    }
    if let ScenarioFile::Model(s) = &file
        && let Some(dir) = crate::scenario::hf_dir(s)
        && !dir.exists()
    {
        return Err(LoadError::NoHfModel {
            origin: format!("{origin}: model.hf"),
            dir,
        });
    }
    match build_file_controlled(&file, control) {
        Ok(r) => Ok((file, r)),
        Err(problems) => Err(LoadError::Invalid {
            origin: origin.to_string(),
            problems: problems
                .into_iter()
                .map(|p| {
                    let (line, column) = locate(text, &p.path);
                    Located {
                        line,
                        column,
                        field: p.path.to_string(),
                        message: p.message,
                    }
                })
                .collect(),
        }),
    }
}

#[derive(Deserialize)]
struct Header {
    version: Option<Value>,
    kind: Option<Value>,
}

fn one(origin: &str, line: usize, column: usize, field: &str, message: String) -> LoadError {
    LoadError::Invalid {
        origin: origin.to_string(),
        problems: vec![Located {
            line,
            column,
            field: field.to_string(),
            message,
        }],
    }
}

fn from_yaml_error(origin: &str, e: &serde_yaml::Error) -> LoadError {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    // serde_yaml appends " at line L column C"; the location is reported separately.
    let msg = e
        .to_string()
        .replacen(&format!(" at line {line} column {column}"), "", 1);
    // It prefixes the field path (`model.d_model: …`) when it knows it.
    let (field, message) = match msg.split_once(": ") {
        Some((f, m)) if !f.contains(' ') && !f.is_empty() => (f.to_string(), m.to_string()),
        _ => (String::new(), msg),
    };
    let message = message.replace("expected usize", "expected a non-negative integer");
    one(origin, line, column, &field, message)
}

/// Parses scenario text (syntax, types, unknown fields, version and kind).
#[expect(
    clippy::too_many_lines,
    reason = "the loader's checks in the order a file is read (BOM, nesting, empty, a map, version, kind), each with its own message."
)]
pub fn parse(text: &str, origin: &str) -> Result<ScenarioFile, LoadError> {
    // A UTF-8 byte order mark (some Windows editors write one) is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some((line, column)) = too_deep(text, MAX_NESTING) {
        return Err(one(
            origin,
            line,
            column,
            "",
            format!(
                "lists and maps are nested more than {MAX_NESTING} levels deep here: a scenario needs at most 4 (a matrix inside a map)"
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(one(
            origin,
            1,
            1,
            "",
            "the file is empty: a scenario starts with `version: 1`".into(),
        ));
    }
    let header: Header = match serde_yaml::from_str::<Value>(text) {
        Err(e) => return Err(from_yaml_error(origin, &e)),
        Ok(Value::Null) => {
            return Err(one(
                origin,
                1,
                1,
                "",
                "the file is empty: a scenario starts with `version: 1`".into(),
            ));
        }
        Ok(Value::Mapping(_)) => {
            serde_yaml::from_str(text).map_err(|e| from_yaml_error(origin, &e))?
        }
        Ok(_) => {
            return Err(one(
                origin,
                1,
                1,
                "",
                "a scenario is a map of fields (version, title, model, input, …), not a list or a single value".into(),
            ));
        }
    };
    let at = |p: &[&str]| {
        locate(
            text,
            &FieldPath::new(p.iter().map(|k| PathSeg::Key(k.to_string())).collect()),
        )
    };
    match &header.version {
        None => {
            return Err(one(
                origin,
                1,
                1,
                "version",
                format!("version is missing: add `version: {VERSION}` as the first line"),
            ));
        }
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(VERSION)) => {}
        Some(v) => {
            let (l, c) = at(&["version"]);
            let shown = serde_yaml::to_string(v).unwrap_or_default();
            return Err(one(
                origin,
                l,
                c,
                "version",
                format!(
                    "version {} is not supported: this qkv reads version {VERSION}",
                    shown.trim()
                ),
            ));
        }
    }
    let kind = match &header.kind {
        None => "model".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => serde_yaml::to_string(v)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    // A missing field: say which fields the kind needs.
    let with_needs = |e: serde_yaml::Error, needs: &str| {
        let mut err = from_yaml_error(origin, &e);
        if let LoadError::Invalid { problems, .. } = &mut err {
            for p in problems
                .iter_mut()
                .filter(|p| p.message.starts_with("missing field"))
            {
                p.message.push_str(&format!(": {needs}"));
            }
        }
        err
    };
    match kind.as_str() {
        "model" => serde_yaml::from_str::<Scenario>(text)
            .map(ScenarioFile::Model)
            .map_err(|e| with_needs(e, "a model scenario needs `version` and `input` (with `text`); `model`, `steps` and `expect` are optional")),
        "attention" => serde_yaml::from_str::<AttentionScenario>(text)
            .map(ScenarioFile::Attention)
            .map_err(|e| with_needs(e, "a `kind: attention` hand-check needs `q`, `k` and `v` (lists of rows)")),
        other => {
            let (l, c) = at(&["kind"]);
            Err(one(
                origin,
                l,
                c,
                "kind",
                format!("unknown kind {other:?}: expected model or attention"),
            ))
        }
    }
}

/// Where (1-based line, column) the nesting of lists and maps first goes deeper than `max`:
/// flow brackets `[` `{` (outside quotes and comments) plus block indentation levels and
/// `- ` items. One pass over the text, so a file of 100 000 `[` is refused at once instead
/// of being parsed recursively.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    // Indentation of the open block levels.
    let mut blocks: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    for (no, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if flow == 0 && !(trimmed.is_empty() || trimmed.starts_with('#')) {
            let indent = line.len() - trimmed.len();
            while blocks.last().is_some_and(|&b| b >= indent) {
                blocks.pop();
            }
            blocks.push(indent);
            // `- - - x`: each dash opens a list.
            let mut rest = trimmed;
            let mut extra = 0;
            while let Some(r) = rest.strip_prefix('-')
                && (r.is_empty() || r.starts_with(' '))
            {
                extra += 1;
                rest = r.trim_start();
            }
            if blocks.len() + extra > max {
                return Some((no + 1, indent + 1));
            }
        }
        let base = blocks.len();
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, ch) in line.chars().enumerate() {
            match quote {
                Some(q) => {
                    if ch == q {
                        quote = None;
                    }
                }
                None => match ch {
                    '\'' | '"' if prev == ' ' || "[{,:".contains(prev) => quote = Some(ch),
                    '#' if prev == ' ' || prev == '\t' => break,
                    '[' | '{' => {
                        flow += 1;
                        if base + flow > max {
                            return Some((no + 1, col + 1));
                        }
                    }
                    ']' | '}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            prev = ch;
        }
    }
    None
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.line,
            self.column,
            super::join_field(&self.field, &self.message)
        )
    }
}

/// The `model:` section alone as YAML (what a saved scenario holds under `model:`).
///
/// # Errors
/// The serialiser's error (not expected for a `ModelSpec`).
pub fn model_section_yaml(spec: &ModelSpec) -> Result<String, serde_yaml::Error> {
    serde_yaml::to_string(spec)
}

/// A `model:` section read from YAML on its own.
///
/// # Errors
/// The parser's error: unknown fields, values of the wrong kind.
pub fn parse_model_section(text: &str) -> Result<ModelSpec, serde_yaml::Error> {
    serde_yaml::from_str(text)
}
