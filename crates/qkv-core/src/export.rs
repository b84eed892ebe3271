//! Writes a trace and the weights that produced it as `.npz` (numpy) or `.json`, under the
//! canonical names, so that an independent implementation can redo the computation.
//!
//! Layout (docs/reference/export.md): per-head steps are `heads × rows × cols` arrays, every other
//! step and matrix weight is `rows × cols`, biases and LayerNorm parameters are vectors,
//! `embed.E` is the session vocabulary's table (`vocab × d_model`, rows in `meta.vocab`
//! order). `meta` holds the configuration, the tokens and per-step labels, formulas and
//! inputs as JSON (in the npz, as a uint8 array of UTF-8 bytes).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ndarray::Array1;
use ndarray_npy::NpzWriter;
use serde_json::{Value, json};
use thiserror::Error;

use crate::learn::Gradients;
use crate::model::weights::EMBEDDING;
use crate::model::{Config, Param, Transformer};
use crate::trace::{Step, Tensor, Trace};

/// Version tag of the export layout.
pub const FORMAT: &str = "qkv-export-1";

/// Why an export failed.
#[derive(Debug, Error)]
pub enum ExportError {
    /// The extension names no format.
    #[error("cannot tell the export format of {path}: use a file name ending in .npz or .json")]
    UnknownFormat {
        /// The path given.
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
    /// npz writer error.
    #[error("cannot write {path}: {message}")]
    Npz {
        /// The path.
        path: PathBuf,
        /// The cause.
        message: String,
    },
    /// The destination may not be written ([`crate::atomic::check_destination`]).
    #[error(transparent)]
    Destination(#[from] crate::atomic::Refusal),
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// numpy `.npz` (uncompressed), one array per name.
    Npz,
    /// One JSON document with nested arrays; −∞ is the string `"-inf"`.
    Json,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Npz => "numpy .npz",
            Format::Json => "JSON",
        })
    }
}

impl Format {
    /// The format a path's extension names.
    pub fn from_path(path: &Path) -> Result<Format, ExportError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("npz") => Ok(Format::Npz),
            Some("json") => Ok(Format::Json),
            _ => Err(ExportError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}
/// The model's configuration as it is written to disk: `meta.config` of an export and the
/// `qkv.config` metadata of a checkpoint. One type for both ways: [`ConfigOnDisk::of`]
/// writes it, [`ConfigOnDisk::into_config`] reads it back. `d_k` is written for readers and
/// ignored when read (it follows from `d_model` and `heads`); a file without `dec_mask`
/// (written before the decoder's mask could be switched off) reads as `causal`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfigOnDisk {
    /// `encoder`, `decoder` or `encoder-decoder`.
    pub arch: String,
    /// Width of token vectors.
    pub d_model: usize,
    /// Number of heads.
    pub heads: usize,
    /// d_model / heads (written, not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_k: Option<usize>,
    /// FFN width.
    pub d_ff: usize,
    /// Layers of each stack (0 for a stack the architecture does not have).
    pub layers: LayersOnDisk,
    /// `post` or `pre`.
    pub norm: String,
    /// `sinusoidal` or `none`.
    pub positional: String,
    /// Scores divided by √d_k.
    pub scale: bool,
    /// Embeddings multiplied by √d_model.
    pub embed_scale: bool,
    /// Mask of the encoder's (or a decoder-only model's) self-attention.
    pub mask: String,
    /// Mask of an encoder-decoder's decoder self-attention.
    #[serde(default = "causal")]
    pub dec_mask: String,
    /// LayerNorm's epsilon (the shortest decimal of the f32).
    pub eps: f64,
    /// Seed of the initial weights.
    pub seed: u64,
    /// Longest sentence in tokens.
    pub max_tokens: usize,
    /// `whitespace` or `char`.
    pub tokenizer: String,
}

/// [`ConfigOnDisk::layers`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayersOnDisk {
    /// Encoder layers.
    pub encoder: usize,
    /// Decoder layers.
    pub decoder: usize,
}

fn causal() -> String {
    crate::model::MaskKind::Causal.as_str().to_string()
}

impl ConfigOnDisk {
    /// The on-disk form of `c`.
    pub fn of(c: &Config) -> ConfigOnDisk {
        ConfigOnDisk {
            arch: c.arch.as_str().into(),
            d_model: c.d_model,
            heads: c.heads,
            d_k: Some(c.d_k()),
            d_ff: c.d_ff,
            layers: LayersOnDisk {
                encoder: if c.has_encoder() { c.layers.encoder } else { 0 },
                decoder: if c.has_decoder() { c.layers.decoder } else { 0 },
            },
            norm: c.norm.as_str().into(),
            positional: c.positional.as_str().into(),
            scale: c.scale,
            embed_scale: c.embed_scale,
            mask: c.mask.as_str().into(),
            dec_mask: c.dec_mask.as_str().into(),
            // The shortest decimal that reads back as the same f32 (1e-5, not 9.99999e-6).
            eps: c.eps.to_string().parse::<f64>().unwrap_or(f64::from(c.eps)),
            seed: c.seed,
            max_tokens: c.max_tokens,
            tokenizer: c.tokenizer.as_str().into(),
        }
    }

    /// The configuration it describes (not yet validated); the error names the field and
    /// the words it accepts.
    pub fn into_config(self) -> Result<Config, String> {
        use crate::model::config::{Layers, TokenizerKind};
        use crate::model::{Arch, MaskKind, Norm, Positional};
        let e = |x: crate::model::config::ParseEnumError| x.to_string();
        Ok(Config {
            arch: self.arch.parse::<Arch>().map_err(e)?,
            d_model: self.d_model,
            heads: self.heads,
            d_ff: self.d_ff,
            layers: Layers {
                encoder: self.layers.encoder,
                decoder: self.layers.decoder,
            },
            norm: self.norm.parse::<Norm>().map_err(e)?,
            positional: self.positional.parse::<Positional>().map_err(e)?,
            scale: self.scale,
            embed_scale: self.embed_scale,
            mask: self.mask.parse::<MaskKind>().map_err(e)?,
            dec_mask: self.dec_mask.parse::<MaskKind>().map_err(e)?,
            eps: self.eps as f32,
            seed: self.seed,
            max_tokens: self.max_tokens,
            tokenizer: self.tokenizer.parse::<TokenizerKind>().map_err(e)?,
        })
    }
}

/// The configuration as JSON ([`ConfigOnDisk`]; the keys in sorted order, as serde_json
/// writes a map).
pub fn config_json(c: &Config) -> Value {
    serde_json::to_value(ConfigOnDisk::of(c)).unwrap_or(Value::Null)
}

pub(crate) fn step_meta(s: &Step) -> Value {
    let per_head = s.heads().is_some();
    // Per-head steps: one list of column labels per head.
    let cols: Value = match s.heads() {
        Some(h) => json!((0..h).map(|h| s.col_labels(Some(h))).collect::<Vec<_>>()),
        None => json!(s.col_labels(None)),
    };
    json!({
        "name": s.name(),
        "shape": s.shape(),
        "per_head": per_head,
        "rows": s.row_labels(),
        "cols": cols,
        "formula": s.formula(),
        "inputs": s.inputs(),
        "fully_masked_rows": s.flags().masked_rows,
    })
}

/// Everything but the numbers: config, tokens, vocabulary, step and weight lists.
pub fn meta(model: &Transformer, trace: &Trace) -> Value {
    let t = trace.tokens();
    let mut weights: Vec<Value> =
        vec![json!({"name": "embed.E", "shape": [t.vocab.len(), model.config().d_model]})];
    weights.extend(
        model
            .weights()
            .iter()
            .filter(|(n, _)| *n != EMBEDDING)
            .map(|(n, p)| json!({"name": n, "shape": p.shape()})),
    );
    json!({
        "format": FORMAT,
        "config": config_json(model.config()),
        "tokens": {"source": *t.source, "target": t.target.as_deref()},
        "vocab": *t.vocab,
        "steps": trace.steps().iter().map(step_meta).collect::<Vec<_>>(),
        "weights": weights,
        "embedding_overrides": model.embedding().overrides().keys().collect::<Vec<_>>(),
    })
}

/// A number for JSON: non-finite values become the strings `"-inf"`, `"inf"`, `"nan"`
/// (numpy reads them back with `np.array(x, dtype=np.float32)`).
pub fn json_number(v: f32) -> Value {
    if v.is_finite() {
        json!(v)
    } else if v.is_nan() {
        json!("nan")
    } else if v > 0.0 {
        json!("inf")
    } else {
        json!("-inf")
    }
}

pub(crate) fn nested(shape: &[usize], values: &mut dyn Iterator<Item = f32>) -> Value {
    match shape {
        [] => values.next().map(json_number).unwrap_or(Value::Null),
        [n] => Value::Array(
            (0..*n)
                .map(|_| values.next().map(json_number).unwrap_or(Value::Null))
                .collect(),
        ),
        [n, rest @ ..] => Value::Array((0..*n).map(|_| nested(rest, values)).collect()),
    }
}

/// The whole export as one JSON value: `meta` plus `arrays: {name: nested lists}`; with
/// gradients also `loss`, `loss.targets` and `grad.<name>` for every step and weight.
pub fn to_json(model: &Transformer, trace: &Trace, grads: Option<&Gradients>) -> Value {
    let mut arrays = serde_json::Map::new();
    for s in trace.steps() {
        let t = s.to_tensor();
        arrays.insert(s.name().to_string(), nested(&t.shape(), &mut t.values()));
    }
    let table = model.embedding_table(&trace.tokens().vocab);
    arrays.insert(
        "embed.E".into(),
        nested(table.shape(), &mut table.iter().copied()),
    );
    for (n, p) in model.weights().iter().filter(|(n, _)| *n != EMBEDDING) {
        arrays.insert(n.to_string(), nested(&p.shape(), &mut p.values()));
    }
    if let Some(g) = grads {
        arrays.insert("loss".into(), json!(g.loss.value));
        arrays.insert("loss.targets".into(), json!(g.loss.targets));
        for s in g.trace.steps() {
            let t = s.to_tensor();
            arrays.insert(s.name().to_string(), nested(&t.shape(), &mut t.values()));
        }
        for (n, p) in &g.weights {
            arrays.insert(n.clone(), nested(&p.shape(), &mut p.values()));
        }
    }
    let mut v = meta_with(model, trace, grads);
    if let Value::Object(o) = &mut v {
        o.insert("arrays".into(), Value::Object(arrays));
    }
    v
}

/// [`meta`], plus `loss: {label_smoothing, reduction}` when gradients are exported.
fn meta_with(model: &Transformer, trace: &Trace, grads: Option<&Gradients>) -> Value {
    let mut v = meta(model, trace);
    if let (Some(g), Value::Object(o)) = (grads, &mut v) {
        o.insert(
            "loss".into(),
            json!({"label_smoothing": g.loss.smoothing, "reduction": "mean", "ignore_index": crate::learn::IGNORE}),
        );
    }
    v
}

/// Exports predicted to be larger than this (100 MB) are written only when asked twice
/// (`qkv export --force`, `export!`).
pub const LARGE_EXPORT_BYTES: u64 = 100_000_000;

/// Numbers of every step of `trace`.
pub fn step_values(trace: &Trace) -> u64 {
    trace
        .steps()
        .iter()
        .map(|s| s.shape().iter().product::<usize>() as u64)
        .sum()
}

/// Numbers an export holds: every step, `embed.E` and every weight.
pub fn value_count(model: &Transformer, trace: &Trace) -> u64 {
    let steps = step_values(trace);
    let table = (trace.tokens().vocab.len() * model.config().d_model) as u64;
    let weights: u64 = model
        .weights()
        .iter()
        .filter(|(n, _)| *n != EMBEDDING)
        .map(|(_, p)| p.shape().iter().product::<usize>() as u64)
        .sum();
    steps + table + weights
}

/// The size of the file [`write`] would write, in bytes, within about 20%: 4 bytes a number
/// in `.npz` (plus headers and `meta`), about 20 characters a number in `.json` (an f32 printed as the
/// f64 it is, `-0.028556516766548157,`).
pub fn predicted_bytes(model: &Transformer, trace: &Trace, format: Format) -> u64 {
    let n = value_count(model, trace);
    let arrays = (trace.steps().len() + model.weights().len() + 2) as u64;
    let meta = meta(model, trace).to_string().len() as u64;
    meta + match format {
        Format::Npz => 4 * n + 256 * arrays,
        Format::Json => 20 * n + 64 * arrays,
    }
}

/// Checks that an export may be written to `path` (its format, and what
/// [`crate::atomic::check_destination`] allows: an existing regular file is replaced), so
/// that a command can refuse before it computes anything.
pub fn check_destination(path: &Path) -> Result<Format, ExportError> {
    let format = Format::from_path(path)?;
    crate::atomic::check_destination(path, crate::atomic::Existing::Replace)?;
    Ok(format)
}

/// Writes the export to `path` in the format its extension names.
pub fn write(model: &Transformer, trace: &Trace, path: &Path) -> Result<Format, ExportError> {
    write_with(model, trace, None, path)
}

/// [`write`], with the loss and every gradient when `grads` is given.
pub fn write_with(
    model: &Transformer,
    trace: &Trace,
    grads: Option<&Gradients>,
    path: &Path,
) -> Result<Format, ExportError> {
    let format = Format::from_path(path)?;
    let io = |cause| ExportError::Io {
        path: path.to_path_buf(),
        cause,
    };
    // An export is written again as often as it is asked for: an existing regular file is
    // replaced; anything else the one writer refuses is refused.
    check_destination(path)?;
    // Written to a temporary file next to `path` and renamed over it when complete: a
    // failure (a full disk) leaves the previous export as it was (see `crate::atomic`).
    let mut failure = None;
    crate::atomic::write_atomically(path, |file| {
        let r = match format {
            Format::Json => {
                let mut w = BufWriter::new(file);
                serde_json::to_writer(&mut w, &to_json(model, trace, grads))
                    .map_err(|e| io(std::io::Error::other(e)))
                    .and_then(|()| w.flush().map_err(io))
            }
            Format::Npz => write_npz(model, trace, grads, file, path),
        };
        r.map_err(|e| {
            let msg = e.to_string();
            failure = Some(e);
            std::io::Error::other(msg)
        })
    })
    .map_err(|cause| failure.take().unwrap_or_else(|| io(cause)))?;
    Ok(format)
}

fn write_npz(
    model: &Transformer,
    trace: &Trace,
    grads: Option<&Gradients>,
    file: &mut File,
    path: &Path,
) -> Result<(), ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::Npz {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    // The zip writer prints "ZipWriter drop failed" when it is dropped after a write
    // error; keeping the first error and letting the rest of the archive go nowhere
    // avoids that, and the error is reported once, below.
    let mut sink = BufWriter::new(FirstError {
        inner: file,
        error: None,
    });
    let mut npz = NpzWriter::new(&mut sink);
    let added = (|| -> Result<(), ndarray_npy::WriteNpzError> {
        for s in trace.steps() {
            match &*s.to_tensor() {
                Tensor::Matrix(m) => npz.add_array(s.name(), m),
                Tensor::Heads(h) => npz.add_array(s.name(), h),
            }?;
        }
        npz.add_array("embed.E", &model.embedding_table(&trace.tokens().vocab))?;
        for (n, p) in model.weights().iter().filter(|(n, _)| *n != EMBEDDING) {
            add_param(&mut npz, n, p)?;
        }
        if let Some(g) = grads {
            npz.add_array("loss", &ndarray::arr0(g.loss.value))?;
            npz.add_array("loss.targets", &Array1::from(g.loss.targets.clone()))?;
            for s in g.trace.steps() {
                match &*s.to_tensor() {
                    Tensor::Matrix(m) => npz.add_array(s.name(), m),
                    Tensor::Heads(h) => npz.add_array(s.name(), h),
                }?;
            }
            for (n, p) in &g.weights {
                add_param(&mut npz, n, p)?;
            }
        }
        let meta_bytes = Array1::from(meta_with(model, trace, grads).to_string().into_bytes());
        npz.add_array("meta", &meta_bytes)
    })();
    let finished = npz.finish().map(|_| ());
    let _ = sink.flush();
    let io_error = sink.get_mut().error.take();
    if let Some(cause) = io_error {
        return Err(ExportError::Io {
            path: path.to_path_buf(),
            cause,
        });
    }
    added.map_err(|e| err(&e))?;
    finished.map_err(|e| err(&e))?;
    Ok(())
}

fn add_param<W: Write + std::io::Seek>(
    npz: &mut NpzWriter<W>,
    name: &str,
    p: &Param,
) -> Result<(), ndarray_npy::WriteNpzError> {
    match p {
        Param::Matrix(m) => npz.add_array(name, m),
        Param::Vector(v) => npz.add_array(name, v),
    }
}

/// A writer that keeps the first I/O error of `inner` and then accepts (and drops)
/// everything: the archive goes on to its end without another error, and the caller
/// reports the kept one (the file is a temporary one, discarded on error).
struct FirstError<W> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: Write> Write for FirstError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_none()
            && let Err(e) = self.inner.write_all(buf)
        {
            self.error = Some(e);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_none()
            && let Err(e) = self.inner.flush()
        {
            self.error = Some(e);
        }
        Ok(())
    }
}

impl<W: std::io::Seek> std::io::Seek for FirstError<W> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;
    use crate::model::{Preset, prepare};

    #[test]
    fn predicted_sizes_are_within_a_fifth_of_the_written_files() {
        let dir = tempfile::tempdir().unwrap();
        for preset in [Preset::Tiny, Preset::Small] {
            let (valid, input) = prepare(Config::preset(preset), "나는 학교에 간다", None).unwrap();
            let model = Transformer::new(valid);
            let trace = model
                .forward(&input, crate::model::Pass::default())
                .unwrap();
            for (name, format) in [("e.json", Format::Json), ("e.npz", Format::Npz)] {
                let path = dir.path().join(name);
                write(&model, &trace, &path).unwrap();
                let real = std::fs::metadata(&path).unwrap().len() as f64;
                let predicted = predicted_bytes(&model, &trace, format) as f64;
                assert!(
                    (predicted / real - 1.0).abs() < 0.2,
                    "{preset:?} {name}: predicted {predicted}, wrote {real}"
                );
            }
        }
    }
}
