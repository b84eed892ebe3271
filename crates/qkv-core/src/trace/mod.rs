//! The trace: every intermediate of one forward pass, in pipeline order, under its canonical
//! name (docs/reference/trace.md lists them), with labels, the formula, inputs and flags.
//!
//! Per-head steps (`q`, `k`, `v`, `scores`, `scaled`, `masked`, `weights`, `head_out`) hold an
//! h × rows × cols tensor; every other step holds a rows × cols matrix. Addresses:
//! `name` (whole step), `name[h]` (one head of a per-head step, or one row of a matrix),
//! `name[h][i][j]` / `name[i][j]` (one cell).
//!
//! Storage ([`Numbers`]): most steps keep their tensor, shared without copying where two
//! steps hold the same numbers ([`SharedMatrix`]: `attn.concat` is `attn.head_out`'s buffer);
//! `q`, `k`, `v`, `head_out` keep one matrix with the heads side by side; the h × n × m
//! attention `scores`, `scaled`, `masked`, `weights` and the FFN's `relu` keep nothing and are
//! recomputed when read, with the same bits ([`DerivedHeads`]). [`Step::matrix`],
//! [`Step::value`], [`Step::shape`] and [`Step::to_tensor`] read every form without keeping
//! copies; [`Step::tensor`] keeps one. Kept buffers go back to [`crate::buffers`] when the
//! last step holding them is dropped. The bytes kept: [`Trace::stored_bytes`] and the formula
//! of [`crate::model::cost::trace_bytes`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use ndarray::{Array2, Array3, ArrayView2, Axis, CowArray, Ix2, Slice};
use thiserror::Error;

mod address;
mod error;
mod name;
mod step;
mod storage;

pub use address::{Address, Cell, RowStats};
pub use error::TraceError;
pub use name::{Block, NameError, Place, Side, StepName};
use step::*;
pub use step::{
    AttentionSettings, MaxAbsDiff, Step, StepBuilder, concat_heads, max_abs_diff, split_heads,
};
pub use storage::{Buffer, DerivedHeads, Flags, Numbers, SharedMatrix};

/// Shared row or column labels.
pub type Labels = Arc<Vec<String>>;

/// What a step computes; decides its formula, its explanation and its colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// Token vectors looked up from the embedding table.
    TokenEmbedding,
    /// Sinusoidal positional encoding (zeros when off).
    Positional,
    /// Token embedding (× √d_model when `embed_scale`) + positional encoding.
    EmbeddingSum,
    /// Queries `X · W_Q` split into heads.
    Query,
    /// Keys `X · W_K` split into heads.
    Key,
    /// Values `X · W_V` split into heads.
    Value,
    /// Raw scores `Q_h · K_hᵀ`.
    Scores,
    /// Scores ÷ √d_k (equal to the scores when scaling is off).
    Scaled,
    /// Scaled scores + mask (0 or −∞).
    Masked,
    /// Row-wise softmax of the masked scores.
    Weights,
    /// `weights · V_h`.
    HeadOut,
    /// The heads' outputs side by side.
    Concat,
    /// `concat · W_O`.
    AttnOut,
    /// A residual sum `x + Sublayer(…)`.
    ResidualSum,
    /// A LayerNorm output.
    LayerNorm,
    /// `x · W1 + b1`.
    FfnHidden,
    /// `max(0, hidden)`.
    FfnRelu,
    /// `hidden · σ(hidden)`: SiLU, the `swish` of a Marian model's `config.json`.
    FfnSilu,
    /// `0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³)))`: GELU's tanh approximation, GPT-2's
    /// `gelu_new`.
    FfnGeluTanh,
    /// `hidden · Φ(hidden)`: GELU, the `hidden_act` of a BERT model's `config.json`.
    FfnGelu,
    /// Token-type (segment) vectors looked up from a table: BERT's sentence A / sentence B.
    TokenTypes,
    /// `relu · W2 + b2`.
    FfnOut,
    /// `x · Eᵀ` with the tied embedding table.
    Logits,
    /// Row-wise softmax of the logits.
    Probs,
}

impl StepKind {
    /// True for the steps stored as h × rows × cols.
    pub fn per_head(self) -> bool {
        matches!(
            self,
            StepKind::Query
                | StepKind::Key
                | StepKind::Value
                | StepKind::Scores
                | StepKind::Scaled
                | StepKind::Masked
                | StepKind::Weights
                | StepKind::HeadOut
        )
    }

    /// True for the per-head steps of width d_k whose whole step is the heads side by side
    /// (rows × h·d_k), how `q`, `k`, `v` and `head_out` come out of the products; the other
    /// per-head steps (`scores` … `weights`) are one matrix per head and have no whole form.
    /// Decided by the kind alone, so that a one-head model reads the same way as any other.
    pub fn side_by_side(self) -> bool {
        matches!(
            self,
            StepKind::Query | StepKind::Key | StepKind::Value | StepKind::HeadOut
        )
    }

    /// True for probability-like steps (rows sum to 1), coloured sequentially.
    pub fn is_distribution(self) -> bool {
        matches!(self, StepKind::Weights | StepKind::Probs)
    }
}

/// A step's numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Tensor {
    /// rows × cols.
    Matrix(Array2<f32>),
    /// heads × rows × cols.
    Heads(Array3<f32>),
}

impl Tensor {
    /// The shape as a list (2 or 3 numbers).
    pub fn shape(&self) -> Vec<usize> {
        match self {
            Tensor::Matrix(m) => m.shape().to_vec(),
            Tensor::Heads(h) => h.shape().to_vec(),
        }
    }

    /// All values in row-major order.
    pub fn values(&self) -> Box<dyn Iterator<Item = f32> + '_> {
        match self {
            Tensor::Matrix(m) => Box::new(m.iter().copied()),
            Tensor::Heads(h) => Box::new(h.iter().copied()),
        }
    }

    /// The largest absolute difference with `other` (treating equal infinities as equal);
    /// `None` when the shapes differ.
    pub fn max_abs_diff(&self, other: &Tensor) -> Option<f32> {
        if self.shape() != other.shape() {
            return None;
        }
        Some(self.values().zip(other.values()).fold(0.0f32, |m, (a, b)| {
            let d = if a == b { 0.0 } else { (a - b).abs() };
            if d.is_nan() { f32::INFINITY } else { m.max(d) }
        }))
    }
}

/// Collects steps during a forward pass.
#[derive(Debug, Default)]
pub struct Recorder {
    steps: Vec<Step>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder::default()
    }
    /// Appends a step.
    pub fn record(&mut self, step: Step) {
        self.steps.push(step);
    }
    /// The trace of everything recorded.
    pub fn finish(self, tokens: TraceTokens) -> Trace {
        Trace::new(self.steps, tokens)
    }
}

/// The tokens a trace was computed on.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceTokens {
    /// Source side (encoder input, or decoder input of a decoder-only model).
    pub source: Labels,
    /// Target side of an encoder-decoder model.
    pub target: Option<Labels>,
    /// Session vocabulary (columns of `logits`).
    pub vocab: Labels,
}

/// Every step of one forward pass, in pipeline order.
#[derive(Debug, Clone)]
pub struct Trace {
    steps: Vec<Step>,
    index: HashMap<String, usize>,
    tokens: TraceTokens,
    origin: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// Unique per [`Trace::new`] in this process; clones keep it (see [`Trace::id`]).
    id: u64,
}

/// Equal steps and tokens (where the weights came from is not compared).
impl PartialEq for Trace {
    fn eq(&self, other: &Trace) -> bool {
        self.steps == other.steps && self.tokens == other.tokens
    }
}

impl Trace {
    /// A trace of `steps` (in pipeline order).
    pub fn new(steps: Vec<Step>, tokens: TraceTokens) -> Trace {
        let index = steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Trace {
            steps,
            index,
            tokens,
            origin: None,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// An identity for "is this still the trace I drew": different for every trace built,
    /// the same for a clone. Says nothing about the numbers (compare traces for that).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Records where the numbers came from, for the code that produced them (the model
    /// records a [`WeightsStamp`](crate::model::weights::WeightsStamp), which
    /// [`Transformer::rerun`](crate::model::Transformer::rerun) reads back).
    pub fn with_origin(mut self, origin: Arc<dyn std::any::Any + Send + Sync>) -> Trace {
        self.origin = Some(origin);
        self
    }

    /// What [`Trace::with_origin`] recorded.
    pub fn origin(&self) -> Option<&(dyn std::any::Any + Send + Sync)> {
        self.origin.as_deref()
    }

    /// The first cell, in pipeline order, that holds NaN or ±∞ — except the −∞ a mask puts
    /// in `masked` — with its address (`enc.0.attn.scores[1][2][0]`) and value: where a
    /// non-finite number came from (an overflow of huge weights, say).
    pub fn first_non_finite(&self) -> Option<(String, f32)> {
        for s in &self.steps {
            let f = s.flags();
            let neg_inf_allowed = s.kind() == StepKind::Masked;
            if f.nan + f.pos_inf == 0 && (neg_inf_allowed || f.neg_inf == 0) {
                continue;
            }
            let heads: Vec<Option<usize>> = match s.heads() {
                Some(h) => (0..h).map(Some).collect(),
                None => vec![None],
            };
            for h in heads {
                let Ok(m) = s.matrix(h) else { continue };
                if let Some(((i, j), v)) = m.indexed_iter().find(|(_, v)| {
                    v.is_nan()
                        || **v == f32::INFINITY
                        || (!neg_inf_allowed && **v == f32::NEG_INFINITY)
                }) {
                    let at = match h {
                        Some(h) => format!("{}[{h}][{i}][{j}]", s.name()),
                        None => format!("{}[{i}][{j}]", s.name()),
                    };
                    return Some((at, *v));
                }
            }
        }
        None
    }

    /// All steps in pipeline order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The tokens.
    pub fn tokens(&self) -> &TraceTokens {
        &self.tokens
    }

    /// The step called `name`.
    pub fn get(&self, name: &str) -> Option<&Step> {
        self.index.get(name).map(|i| &self.steps[*i])
    }

    /// Position of `name` in pipeline order.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The step called `name`, or an error with suggestions.
    pub fn step(&self, name: &str) -> Result<&Step, TraceError> {
        self.get(name).ok_or_else(|| TraceError::UnknownStep {
            name: name.to_string(),
            suggestions: self.suggest(name),
        })
    }

    /// Names of every step in pipeline order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.name.as_str())
    }

    /// Up to three existing names close to `name`.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = self
            .names()
            .map(|n| (edit_distance(n, name), n))
            .filter(|(d, _)| *d <= 3.max(name.len() / 4))
            .collect();
        scored.sort_unstable();
        scored
            .into_iter()
            .take(3)
            .map(|(_, n)| n.to_string())
            .collect()
    }

    /// Bytes of the numbers the trace keeps, each shared buffer counted once. Steps
    /// recomputed on access (`relu`, attention `scores`/`scaled`/`masked`/`weights`) count
    /// nothing unless the pass kept the heads' scores and weights (a pass for a backward
    /// pass, a workbench session's trace: then once per block, the heads it still holds),
    /// copies kept by [`Step::tensor`] count in full.
    pub fn stored_bytes(&self) -> usize {
        const F32: usize = std::mem::size_of::<f32>();
        let mut seen = std::collections::HashSet::new();
        let mut bytes = 0;
        for s in &self.steps {
            let shared = match &s.numbers {
                Numbers::Stored(t) => Some((Arc::as_ptr(t) as usize, tensor_len(t) * F32)),
                Numbers::SideBySide { whole, .. } => {
                    Some((Arc::as_ptr(&whole.0) as usize, tensor_len(&whole.0) * F32))
                }
                Numbers::Derived { source, .. } => source.kept(),
                Numbers::Relu(_) => None,
            };
            if let Some((address, b)) = shared
                && seen.insert(address)
            {
                bytes += b;
            }
            bytes += s.materialised.get().map_or(0, tensor_len) * F32;
        }
        bytes
    }

    /// The attention blocks' kept heads: (an address per block, shared by every step and
    /// trace that shares the block, its bytes), each block once.
    fn kept_heads(&self) -> std::collections::HashMap<usize, usize> {
        self.steps
            .iter()
            .filter_map(|s| match &s.numbers {
                Numbers::Derived { source, .. } => source.kept(),
                _ => None,
            })
            .collect()
    }

    /// Bytes of the heads' scores and weights this trace keeps and `other` does not share
    /// (all of them when `other` is `None`), each block once.
    pub fn kept_heads_bytes(&self, other: Option<&Trace>) -> usize {
        let shared = other.map(Trace::kept_heads).unwrap_or_default();
        self.kept_heads()
            .into_iter()
            .filter(|(address, _)| !shared.contains_key(address))
            .map(|(_, bytes)| bytes)
            .sum()
    }

    /// Lets go of the heads' scores and weights this trace keeps in the blocks it does not
    /// share with `current` (a session's trace when it becomes the previous one: reading
    /// them recomputes them, with the same bits), so that a session holds one set of heads.
    pub fn release_heads_not_in(&self, current: &Trace) {
        self.release_heads_except(&current.kept_heads());
    }

    /// Lets go of every head's scores and weights this trace keeps (before a pass that
    /// cannot take them over, so that their memory serves it; reading them recomputes
    /// them, with the same bits).
    pub fn release_heads(&self) {
        self.release_heads_except(&Default::default());
    }

    fn release_heads_except(&self, shared: &std::collections::HashMap<usize, usize>) {
        for s in &self.steps {
            if let Numbers::Derived { source, .. } = &s.numbers
                && source.kept().is_some_and(|(a, _)| !shared.contains_key(&a))
            {
                source.release_kept();
            }
        }
    }

    /// The value at a full cell address (`name[h][i][j]` or `name[i][j]`).
    pub fn value_at(&self, address: &Address) -> Result<f32, TraceError> {
        self.step(&address.name)?.value(&address.indices)
    }
}

pub use crate::util::edit_distance;

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn labels(v: &[&str]) -> Labels {
        Arc::new(v.iter().map(std::string::ToString::to_string).collect())
    }

    #[test]
    fn max_abs_diff_of_two_matrices() {
        // 2 × 20: the first 16 cells of a row go through the lanes, the last 4 through the
        // remainder. Row 0 differs by 0.25 at column 3 and by 1.5 at column 18 (in the
        // remainder): 1.5. Row 1 is equal, with equal infinities (∞ − ∞ would be NaN).
        let mut a = Array2::<f32>::zeros((2, 20));
        let mut b = a.clone();
        b[[0, 3]] = 0.25;
        a[[0, 18]] = -1.0;
        b[[0, 18]] = 0.5;
        a[[1, 7]] = f32::INFINITY;
        b[[1, 7]] = f32::INFINITY;
        a[[1, 19]] = f32::NEG_INFINITY;
        b[[1, 19]] = f32::NEG_INFINITY;
        assert_eq!(max_abs_diff(&a.view(), &b.view()), 1.5);
        // Columns 2..5 only (rows are not contiguous with each other): 0.25.
        let cols = |m: &Array2<f32>| m.slice_axis(Axis(1), Slice::from(2..5)).to_owned();
        assert_eq!(max_abs_diff(&cols(&a).view(), &cols(&b).view()), 0.25);
        assert_eq!(
            max_abs_diff(
                &a.slice_axis(Axis(1), Slice::from(2..5)),
                &b.slice_axis(Axis(1), Slice::from(2..5))
            ),
            0.25
        );
        // Column-major views (no row is a slice) give the same: 1.5.
        assert_eq!(max_abs_diff(&a.t().t(), &b.t().t()), 1.5);
        let (at, bt) = (a.t().to_owned(), b.t().to_owned());
        assert_eq!(max_abs_diff(&at.t(), &bt.t()), 1.5);
        // ∞ against a finite value, and a NaN anywhere, count as ∞.
        b[[1, 7]] = 3.0;
        assert_eq!(max_abs_diff(&a.view(), &b.view()), f32::INFINITY);
        b[[1, 7]] = f32::INFINITY;
        a[[0, 11]] = f32::NAN;
        assert_eq!(max_abs_diff(&a.view(), &b.view()), f32::INFINITY);
        // Equal matrices: 0.
        assert_eq!(max_abs_diff(&b.view(), &b.view()), 0.0);
    }

    #[test]
    fn parse_addresses() {
        let a = Address::parse("enc.0.attn.scores[1][0][2]").unwrap();
        assert_eq!(a.name, "enc.0.attn.scores");
        assert_eq!(a.indices, [1, 0, 2]);
        assert_eq!(a.to_string(), "enc.0.attn.scores[1][0][2]");
        assert_eq!(
            Address::parse("embed.sum").unwrap().indices,
            Vec::<usize>::new()
        );
        for bad in [
            "[0]",
            "x[",
            "x[a]",
            "x[-1]",
            "x[0]y",
            "x[0][0][0][0]",
            "a b",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn heads_split_and_concat_round_trip() {
        let x = array![[1.0f32, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]];
        let h = split_heads(x.view(), 2);
        // head 1 holds columns 2..4: [[3, 4], [7, 8]]
        assert_eq!(h.index_axis(Axis(0), 1), array![[3.0, 4.0], [7.0, 8.0]]);
        assert_eq!(concat_heads(&h), x);
    }

    #[test]
    fn step_lookup_and_errors() {
        let t = Array3::from_shape_vec((2, 1, 2), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let step = Step::build("enc.0.attn.q", StepKind::Query, Tensor::Heads(t))
            .rows(labels(&["a"]))
            .cols(labels(&["d0", "d1", "d2", "d3"]))
            .formula("Q = X · W_Q")
            .inputs(vec![])
            .finish();
        assert_eq!(step.value(&[1, 0, 1]).unwrap(), 4.0);
        assert_eq!(step.col_labels(Some(1)), ["d2", "d3"]);
        assert_eq!(
            step.matrix(None).unwrap().to_owned(),
            array![[1.0, 2.0, 3.0, 4.0]]
        );
        assert!(matches!(
            step.value(&[2, 0, 0]),
            Err(TraceError::IndexOutOfRange { axis: "head", .. })
        ));
        assert!(matches!(
            step.value(&[0, 0]),
            Err(TraceError::WrongIndexCount { .. })
        ));
        let trace = Trace::new(
            vec![step],
            TraceTokens {
                source: labels(&["a"]),
                target: None,
                vocab: labels(&["a"]),
            },
        );
        let err = trace.step("enc.0.attn.qq").unwrap_err();
        assert!(
            err.to_string().contains("did you mean enc.0.attn.q"),
            "{err}"
        );
    }

    #[test]
    fn row_stats_of_a_distribution() {
        // p = [0.5, 0.25, 0.25]: entropy = −(0.5 ln 0.5 + 2 · 0.25 ln 0.25) = 1.039721
        let s = RowStats::of([0.5f32, 0.25, 0.25].into_iter());
        assert_eq!((s.sum, s.max, s.argmax), (1.0, 0.5, 0));
        assert!((s.entropy.unwrap() - 1.039_721).abs() < 1e-5);
        assert_eq!(RowStats::of([1.0f32, -2.0].into_iter()).entropy, None);
    }

    #[test]
    fn flags_count_non_finite() {
        let t = Tensor::Matrix(array![[f32::NEG_INFINITY, f32::NAN, 1.0]]);
        let f = Flags::of(&t);
        assert_eq!((f.nan, f.neg_inf, f.pos_inf), (1, 1, 0));
        assert!(f.has_problem());
        // 10,000 values scanned in chunks of 4,096: one +∞ in the last, partial chunk, one
        // NaN in the first; all finite counts nothing.
        let mut v = vec![0.5f32; 10_000];
        assert_eq!(Flags::of_slice(&v), Flags::default());
        v[9_999] = f32::INFINITY;
        v[17] = f32::NAN;
        let f = Flags::of_slice(&v);
        assert_eq!((f.nan, f.neg_inf, f.pos_inf), (1, 0, 1));
    }
}
