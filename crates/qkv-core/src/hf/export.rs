//! `qkv export --hf DIR -o F.json`: a Hugging Face model's trace in the export layout (README
//! "Export layout"), its `meta` carrying the token ids actually fed to the model,
//! `meta.token_ids = {"source": [...], "target": [...]}` (target: the decoder's input,
//! starting with `<pad>`), beside the pieces. Written as JSON; `.npz` is not written for a
//! Hugging Face model yet.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::HfModel;
use crate::export::{ExportError, FORMAT, nested, step_meta};
use crate::trace::Trace;

/// The export as one JSON value: `meta` plus `arrays: {name: nested lists}` (every step and
/// every weight, `embed.E` among them).
pub fn to_json(model: &HfModel, trace: &Trace, source: &[usize], target: &[usize]) -> Value {
    let mut arrays = serde_json::Map::new();
    for s in trace.steps() {
        let t = s.to_tensor();
        arrays.insert(s.name().to_string(), nested(&t.shape(), &mut t.values()));
    }
    for (n, p) in model.weights().iter() {
        arrays.insert(n.to_string(), nested(&p.shape(), &mut p.values()));
    }
    let t = trace.tokens();
    json!({
        "format": FORMAT,
        "hf": {"dir": model.dir().display().to_string(), "config": model.config_json()},
        "tokens": {"source": *t.source, "target": t.target.as_deref()},
        "token_ids": {"source": source, "target": target},
        "vocab": *t.vocab,
        "steps": trace.steps().iter().map(step_meta).collect::<Vec<_>>(),
        "weights": model.weights().iter().map(|(n, p)| json!({"name": n, "shape": p.shape()})).collect::<Vec<_>>(),
        "arrays": Value::Object(arrays),
    })
}

/// Numbers the export holds (every step and weight): about 20 characters each in JSON.
pub fn value_count(model: &HfModel, trace: &Trace) -> u64 {
    crate::export::step_values(trace) + model.param_count() as u64
}

/// Writes [`to_json`] to `path` (through the atomic writer: a failure leaves the previous
/// file as it was).
pub fn write_json(
    model: &HfModel,
    trace: &Trace,
    source: &[usize],
    target: &[usize],
    path: &Path,
) -> Result<(), ExportError> {
    let io = |cause| ExportError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let value = to_json(model, trace, source, target);
    crate::atomic::write_atomically(path, |file| {
        let mut w = BufWriter::new(file);
        serde_json::to_writer(&mut w, &value).map_err(std::io::Error::other)?;
        w.flush()
    })
    .map_err(io)
}
