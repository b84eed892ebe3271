//! Reading the Hugging Face fixtures of `tests/fixtures/hf/` (built by
//! `tools/make_hf_fixtures.py`): a fixture's directory, its `expected.json`, and how far a
//! step of qkv's trace is from what `transformers` recorded. Shared by the Marian, GPT-2 and
//! BERT tests.

use std::path::{Path, PathBuf};

use qkv::trace::Trace;
use serde_json::Value;

/// The fixture directory `tests/fixtures/hf/NAME`.
pub fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hf")
        .join(name)
}

/// The `expected.json` of the fixture in `dir`.
pub fn expected(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A JSON list of ids.
pub fn ids(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| usize::try_from(x.as_u64().unwrap()).unwrap())
        .collect()
}

/// The numbers of a nested JSON list, in order.
pub fn flat(v: &Value, out: &mut Vec<f32>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| flat(x, out)),
        x => out.push(x.as_f64().unwrap() as f32),
    }
}

/// The step `name` of `trace` (all heads) and the nested list `want`, as two flat lists of
/// the same length.
fn pair(trace: &Trace, name: &str, want: &Value) -> (Vec<f32>, Vec<f32>) {
    let step = trace.step(name).unwrap();
    let got: Vec<f32> = step.to_tensor().values().collect();
    let mut w = Vec::new();
    flat(want, &mut w);
    assert_eq!(got.len(), w.len(), "{name}: {:?}", step.shape());
    (got, w)
}

/// Largest |qkv − transformers| over the step `name` and the nested list `want`.
pub fn diff(trace: &Trace, name: &str, want: &Value) -> f32 {
    let (got, w) = pair(trace, name, want);
    got.iter()
        .zip(&w)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// [`diff`] divided by max(1, the largest |value| of `want`): an absolute difference for
/// tensors of numbers up to 1, relative to the tensor's scale above.
pub fn scaled_diff(trace: &Trace, name: &str, want: &Value) -> f32 {
    let (got, w) = pair(trace, name, want);
    let scale = w.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    got.iter()
        .zip(&w)
        .map(|(a, b)| (a - b).abs() / scale)
        .fold(0.0, f32::max)
}
