//! Writes a trace and the weights that produced it as `.npz` (numpy) or `.json`, under the
//! canonical names, so that an independent implementation can redo the computation.
//!
//! Layout (see the README): per-head steps are `heads × rows × cols` arrays, every other
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

/// The configuration as JSON (field names as in scenario files).
pub fn config_json(c: &Config) -> Value {
    json!({
        "arch": c.arch.as_str(),
        "d_model": c.d_model,
        "heads": c.heads,
        "d_k": c.d_k(),
        "d_ff": c.d_ff,
        "layers": {
            "encoder": if c.has_encoder() { c.layers.encoder } else { 0 },
            "decoder": if c.has_decoder() { c.layers.decoder } else { 0 },
        },
        "norm": c.norm.as_str(),
        "positional": c.positional.as_str(),
        "scale": c.scale,
        "embed_scale": c.embed_scale,
        "mask": c.mask.as_str(),
        "eps": c.eps.to_string().parse::<f64>().unwrap_or(f64::from(c.eps)),
        "seed": c.seed,
        "max_tokens": c.max_tokens,
        "tokenizer": c.tokenizer.as_str(),
    })
}

fn step_meta(s: &Step) -> Value {
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

fn nested(shape: &[usize], values: &mut dyn Iterator<Item = f32>) -> Value {
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
    let file = File::create(path).map_err(io)?;
    match format {
        Format::Json => {
            let mut w = BufWriter::new(file);
            serde_json::to_writer(&mut w, &to_json(model, trace, grads))
                .map_err(|e| io(std::io::Error::other(e)))?;
            w.flush().map_err(io)?;
        }
        Format::Npz => write_npz(model, trace, grads, BufWriter::new(file), path)?,
    }
    Ok(format)
}

fn write_npz(
    model: &Transformer,
    trace: &Trace,
    grads: Option<&Gradients>,
    w: BufWriter<File>,
    path: &Path,
) -> Result<(), ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::Npz {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut npz = NpzWriter::new(w);
    for s in trace.steps() {
        match &*s.to_tensor() {
            Tensor::Matrix(m) => npz.add_array(s.name(), m),
            Tensor::Heads(h) => npz.add_array(s.name(), h),
        }
        .map_err(|e| err(&e))?;
    }
    npz.add_array("embed.E", &model.embedding_table(&trace.tokens().vocab))
        .map_err(|e| err(&e))?;
    for (n, p) in model.weights().iter().filter(|(n, _)| *n != EMBEDDING) {
        add_param(&mut npz, n, p).map_err(|e| err(&e))?;
    }
    if let Some(g) = grads {
        npz.add_array("loss", &ndarray::arr0(g.loss.value))
            .map_err(|e| err(&e))?;
        npz.add_array("loss.targets", &Array1::from(g.loss.targets.clone()))
            .map_err(|e| err(&e))?;
        for s in g.trace.steps() {
            match &*s.to_tensor() {
                Tensor::Matrix(m) => npz.add_array(s.name(), m),
                Tensor::Heads(h) => npz.add_array(s.name(), h),
            }
            .map_err(|e| err(&e))?;
        }
        for (n, p) in &g.weights {
            add_param(&mut npz, n, p).map_err(|e| err(&e))?;
        }
    }
    let meta_bytes = Array1::from(meta_with(model, trace, grads).to_string().into_bytes());
    npz.add_array("meta", &meta_bytes).map_err(|e| err(&e))?;
    let mut inner = npz.finish().map_err(|e| err(&e))?;
    inner.flush().map_err(|e| ExportError::Io {
        path: path.to_path_buf(),
        cause: e,
    })?;
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
