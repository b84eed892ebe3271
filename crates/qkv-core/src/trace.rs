//! The trace: every intermediate of one forward pass, in pipeline order, under its canonical
//! name (see the README for the list), with labels, the formula, inputs and flags.
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

/// Things worth a warning about a step's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// (head, row) of every row whose entries are all −∞ (all-zero weights follow).
    pub masked_rows: Vec<(usize, usize)>,
    /// Number of NaN values.
    pub nan: usize,
    /// Number of +∞ values.
    pub pos_inf: usize,
    /// Number of −∞ values (expected in `masked` under a mask).
    pub neg_inf: usize,
}

impl Flags {
    fn of(tensor: &Tensor) -> Flags {
        let slice = match tensor {
            Tensor::Matrix(m) => m.as_slice(),
            Tensor::Heads(h) => h.as_slice(),
        };
        match slice {
            Some(s) => Flags::of_slice(s),
            None => Flags::count(tensor.values()),
        }
    }

    /// Counts the NaN, +∞ and −∞ in `values` (fast when they are all finite).
    ///
    /// # Shapes
    /// `values`: any number of values, in any order.
    pub fn of_slice(values: &[f32]) -> Flags {
        let mut f = Flags::default();
        f.add_slice(values);
        f
    }

    /// Adds the NaN, +∞ and −∞ in `values` to the counts (fast when they are all finite).
    ///
    /// # Shapes
    /// `values`: any number of values, in any order.
    pub fn add_slice(&mut self, values: &[f32]) {
        // A vectorised scan first: almost every tensor is all finite.
        let non_finite = values
            .chunks(1 << 12)
            .any(|c| c.iter().map(|v| u32::from(!v.is_finite())).sum::<u32>() > 0);
        if non_finite {
            self.add_values(values.iter().copied());
        }
    }

    /// Counts the NaN, +∞ and −∞ among `values`.
    pub fn count(values: impl Iterator<Item = f32>) -> Flags {
        let mut f = Flags::default();
        f.add_values(values);
        f
    }

    /// Adds the NaN, +∞ and −∞ among `values` to the counts.
    pub fn add_values(&mut self, values: impl Iterator<Item = f32>) {
        for v in values {
            if v.is_finite() {
                continue;
            }
            if v.is_nan() {
                self.nan += 1;
            } else if v > 0.0 {
                self.pos_inf += 1;
            } else {
                self.neg_inf += 1;
            }
        }
    }

    /// Adds the counts of `other` (its masked rows too).
    pub fn merge(&mut self, other: &Flags) {
        self.nan += other.nan;
        self.pos_inf += other.pos_inf;
        self.neg_inf += other.neg_inf;
        self.masked_rows.extend_from_slice(&other.masked_rows);
    }

    /// True when a NaN or +∞ appeared (−∞ alone is a mask, not a problem).
    pub fn has_problem(&self) -> bool {
        self.nan > 0 || self.pos_inf > 0
    }
}

/// A tensor kept by a trace. When the last step holding it is dropped, its memory goes back
/// to the [buffer pool](crate::buffers) for the next forward pass.
#[derive(Debug, PartialEq)]
pub struct Buffer(Tensor);

impl Buffer {
    /// Keeps `t`.
    pub fn new(t: Tensor) -> Buffer {
        Buffer(t)
    }
}

impl std::ops::Deref for Buffer {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        &self.0
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let t = std::mem::replace(&mut self.0, Tensor::Matrix(Array2::zeros((0, 0))));
        let (v, offset) = match t {
            Tensor::Matrix(m) => m.into_raw_vec_and_offset(),
            Tensor::Heads(h) => h.into_raw_vec_and_offset(),
        };
        if offset.unwrap_or(0) == 0 {
            crate::buffers::give_back(v);
        }
    }
}

/// A matrix shared, without copying, between the forward pass and one or more trace steps
/// (e.g. `attn.head_out` and `attn.concat` are the same numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedMatrix(Arc<Buffer>);

impl SharedMatrix {
    /// Shares `m`.
    ///
    /// # Shapes
    /// `m`: rows × cols.
    pub fn new(m: Array2<f32>) -> SharedMatrix {
        let m = if m.is_standard_layout() {
            m
        } else {
            m.as_standard_layout().into_owned()
        };
        SharedMatrix(Arc::new(Buffer(Tensor::Matrix(m))))
    }

    /// The matrix.
    pub fn array(&self) -> &Array2<f32> {
        match &**self.0 {
            Tensor::Matrix(m) => m,
            // `new` is the only constructor, so this is never reached.
            Tensor::Heads(_) => empty_matrix(),
        }
    }

    /// A view of the matrix.
    pub fn view(&self) -> ArrayView2<'_, f32> {
        self.array().view()
    }

    /// The values in row-major order (the matrix is always in standard layout).
    pub fn as_slice(&self) -> &[f32] {
        self.array().as_slice().unwrap_or(&[])
    }

    /// (rows, cols).
    pub fn dim(&self) -> (usize, usize) {
        self.array().dim()
    }

    /// True when both share one buffer.
    pub fn ptr_eq(&self, other: &SharedMatrix) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The same buffer, as the steps keep it.
    pub fn buffer(&self) -> Arc<Buffer> {
        Arc::clone(&self.0)
    }
}

fn empty_matrix() -> &'static Array2<f32> {
    static EMPTY: std::sync::OnceLock<Array2<f32>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Array2::zeros((0, 0)))
}

/// A per-head step whose numbers are computed again when asked for instead of being kept
/// (the attention scores, scaled and masked scores and weights: h × n × m each, which would
/// dominate the trace's memory at long inputs). Implementations must be deterministic: the
/// same head gives the same bits on every call, the bits the forward pass used.
pub trait DerivedHeads: Send + Sync + fmt::Debug {
    /// (heads, rows, cols).
    fn shape(&self) -> (usize, usize, usize);
    /// The matrix of `head` (< heads).
    ///
    /// # Shapes
    /// Returns rows × cols.
    fn head(&self, head: usize) -> Array2<f32>;
    /// One cell (`head` < heads, `row` < rows, `col` < cols).
    fn cell(&self, head: usize, row: usize, col: usize) -> f32 {
        self.head(head)[[row, col]]
    }
    /// The implementation, for code that knows it (e.g. to read its settings).
    fn as_any(&self) -> &dyn std::any::Any;
}

/// How a step holds its numbers.
#[derive(Debug, Clone)]
pub enum Numbers {
    /// Kept as computed (possibly shared with other steps).
    Stored(Arc<Buffer>),
    /// A per-head step kept as one rows × (heads·cols) matrix, the heads side by side (how
    /// `q`, `k`, `v`, `head_out` come out of the products); head h is columns
    /// h·cols..(h+1)·cols.
    SideBySide {
        /// rows × (heads·cols).
        whole: SharedMatrix,
        /// Number of heads.
        heads: usize,
    },
    /// `max(0, x)` of a kept matrix, computed on access (`ffn.relu` from `ffn.hidden`).
    Relu(SharedMatrix),
    /// A per-head step computed on access, with the flags counted when it was first computed.
    Derived {
        /// What computes it.
        source: Arc<dyn DerivedHeads>,
        /// NaN / ±∞ counts of every head.
        flags: Flags,
    },
}

impl From<SharedMatrix> for Numbers {
    fn from(m: SharedMatrix) -> Numbers {
        Numbers::Stored(m.0)
    }
}

impl From<Tensor> for Numbers {
    fn from(t: Tensor) -> Numbers {
        Numbers::Stored(Arc::new(Buffer(t)))
    }
}

/// One recorded intermediate.
#[derive(Debug, Clone)]
pub struct Step {
    name: String,
    kind: StepKind,
    numbers: Numbers,
    /// A [`Step::tensor`] copy of numbers that are not kept as a tensor.
    materialised: std::sync::OnceLock<Tensor>,
    rows: Labels,
    cols: Labels,
    formula: String,
    inputs: Vec<String>,
    flags: Flags,
}

impl PartialEq for Step {
    fn eq(&self, other: &Step) -> bool {
        self.name == other.name
            && self.kind == other.kind
            && self.rows == other.rows
            && self.cols == other.cols
            && self.formula == other.formula
            && self.inputs == other.inputs
            && self.flags == other.flags
            && self.shape() == other.shape()
            && *self.to_tensor() == *other.to_tensor()
    }
}

impl Step {
    /// A step. For per-head steps of width d_k (`q`, `k`, `v`, `head_out`), `cols` may
    /// hold labels for all heads side by side (h·d_k); [`Step::col_labels`] slices them.
    pub fn new(
        name: impl Into<String>,
        kind: StepKind,
        tensor: Tensor,
        rows: Labels,
        cols: Labels,
        formula: impl Into<String>,
        inputs: Vec<String>,
    ) -> Step {
        Step::with_numbers(name, kind, tensor.into(), rows, cols, formula, inputs)
    }

    /// A step holding `numbers` in any of the [`Numbers`] forms (shared, heads side by side,
    /// derived); otherwise as [`Step::new`].
    pub fn with_numbers(
        name: impl Into<String>,
        kind: StepKind,
        numbers: Numbers,
        rows: Labels,
        cols: Labels,
        formula: impl Into<String>,
        inputs: Vec<String>,
    ) -> Step {
        let flags = match &numbers {
            Numbers::Stored(t) => Flags::of(t),
            Numbers::SideBySide { whole, .. } => Flags::of_slice(whole.as_slice()),
            Numbers::Relu(x) => {
                let mut f = Flags::of_slice(x.as_slice());
                // max(0, −∞) = 0 and max(0, NaN) = 0 (f32::max ignores NaN)
                f.neg_inf = 0;
                f.nan = 0;
                f
            }
            Numbers::Derived { flags, .. } => flags.clone(),
        };
        Step {
            name: name.into(),
            kind,
            numbers,
            materialised: std::sync::OnceLock::new(),
            rows,
            cols,
            formula: formula.into(),
            inputs,
            flags,
        }
    }

    /// Marks fully masked rows (set by the attention code).
    pub fn with_masked_rows(mut self, rows: Vec<(usize, usize)>) -> Step {
        self.flags.masked_rows = rows;
        self
    }

    /// Canonical name, e.g. `enc.0.attn.weights`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What the step computes.
    pub fn kind(&self) -> StepKind {
        self.kind
    }

    /// How the numbers are held.
    pub fn numbers(&self) -> &Numbers {
        &self.numbers
    }

    /// The kept matrix buffer, shared (not copied): the matrix of a matrix step, or the
    /// heads side by side of `q`, `k`, `v`, `head_out`; `None` for other forms.
    pub fn shared_matrix(&self) -> Option<SharedMatrix> {
        match &self.numbers {
            Numbers::Stored(t) if matches!(***t, Tensor::Matrix(_)) => {
                Some(SharedMatrix(Arc::clone(t)))
            }
            Numbers::SideBySide { whole, .. } => Some(whole.clone()),
            _ => None,
        }
    }

    /// The numbers as one tensor (h × rows × cols for per-head steps).
    ///
    /// Steps whose numbers are not kept as such a tensor (heads side by side, `relu`, the
    /// attention scores and weights, which are recomputed on access) are computed on the
    /// first call and the copy is *kept for the life of the step*: at long inputs that
    /// copy is what the trace avoids storing. Prefer [`Step::matrix`], [`Step::value`],
    /// [`Step::shape`] or [`Step::to_tensor`], which keep nothing.
    pub fn tensor(&self) -> &Tensor {
        match &self.numbers {
            Numbers::Stored(t) => t,
            _ => self.materialised.get_or_init(|| self.compute_tensor()),
        }
    }

    /// The numbers as one tensor (h × rows × cols for per-head steps), borrowed when they
    /// are kept as such, computed otherwise (and not kept).
    pub fn to_tensor(&self) -> Cow<'_, Tensor> {
        match (&self.numbers, self.materialised.get()) {
            (Numbers::Stored(t), _) => Cow::Borrowed(t),
            (_, Some(t)) => Cow::Borrowed(t),
            _ => Cow::Owned(self.compute_tensor()),
        }
    }

    fn compute_tensor(&self) -> Tensor {
        match &self.numbers {
            Numbers::Stored(t) => (**t).clone(),
            Numbers::SideBySide { whole, heads } => {
                Tensor::Heads(split_heads(whole.view(), *heads))
            }
            Numbers::Relu(x) => Tensor::Matrix(x.array().mapv(relu)),
            Numbers::Derived { source, .. } => {
                let (h, r, c) = source.shape();
                let mut t = Array3::zeros((h, r, c));
                for head in 0..h {
                    t.index_axis_mut(Axis(0), head).assign(&source.head(head));
                }
                Tensor::Heads(t)
            }
        }
    }

    /// True when both steps hold the very same numbers (one buffer shared, as a rerun
    /// shares what a change did not touch), so they are equal without reading them.
    pub fn shares_numbers_with(&self, other: &Step) -> bool {
        match (&self.numbers, &other.numbers) {
            (Numbers::Stored(a), Numbers::Stored(b)) => Arc::ptr_eq(a, b),
            (Numbers::SideBySide { whole: a, .. }, Numbers::SideBySide { whole: b, .. })
            | (Numbers::Relu(a), Numbers::Relu(b)) => Arc::ptr_eq(&a.0, &b.0),
            (Numbers::Derived { source: a, .. }, Numbers::Derived { source: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }

    /// The largest absolute difference with `other`, one head at a time and without keeping
    /// copies (equal infinities count as equal, NaN as ∞); `None` when the shapes differ.
    pub fn max_abs_diff(&self, other: &Step) -> Option<f32> {
        if self.shape() != other.shape() {
            return None;
        }
        if self.shares_numbers_with(other) {
            return Some(0.0);
        }
        let heads: Vec<Option<usize>> = match self.heads() {
            Some(h) => (0..h).map(Some).collect(),
            None => vec![None],
        };
        let mut worst = 0.0f32;
        for h in heads {
            let (Ok(a), Ok(b)) = (self.matrix(h), other.matrix(h)) else {
                return None;
            };
            for (x, y) in a.iter().zip(b.iter()) {
                let d = if x == y { 0.0 } else { (x - y).abs() };
                worst = if d.is_nan() {
                    f32::INFINITY
                } else {
                    worst.max(d)
                };
            }
        }
        Some(worst)
    }

    /// The shape: `[heads, rows, cols]` for per-head steps, `[rows, cols]` otherwise.
    pub fn shape(&self) -> Vec<usize> {
        match &self.numbers {
            Numbers::Stored(t) => t.shape(),
            Numbers::SideBySide { whole, heads } => {
                let (r, c) = whole.dim();
                vec![*heads, r, c / (*heads).max(1)]
            }
            Numbers::Relu(x) => {
                let (r, c) = x.dim();
                vec![r, c]
            }
            Numbers::Derived { source, .. } => {
                let (h, r, c) = source.shape();
                vec![h, r, c]
            }
        }
    }

    /// Bytes of the numbers this step keeps (shared buffers counted in full by every step
    /// that shares them; [`Trace::stored_bytes`] counts each buffer once).
    pub fn stored_bytes(&self) -> usize {
        let kept = match &self.numbers {
            Numbers::Stored(t) => tensor_len(t),
            Numbers::SideBySide { whole, .. } => whole.array().len(),
            Numbers::Relu(_) | Numbers::Derived { .. } => 0,
        };
        let copy = self.materialised.get().map_or(0, tensor_len);
        (kept + copy) * std::mem::size_of::<f32>()
    }

    /// The formula that produced it, e.g. `scores = Q_h · K_hᵀ`.
    pub fn formula(&self) -> &str {
        &self.formula
    }
    /// Names of the steps or weights it was computed from.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }
    /// Warnings about the numbers.
    pub fn flags(&self) -> &Flags {
        &self.flags
    }
    /// Number of heads of a per-head step, `None` otherwise.
    pub fn heads(&self) -> Option<usize> {
        match self.shape().as_slice() {
            [h, _, _] => Some(*h),
            _ => None,
        }
    }
    /// Row labels (tokens).
    pub fn row_labels(&self) -> &[String] {
        &self.rows
    }

    /// The row and column labels as stored (shared, not copied): columns of every head side
    /// by side for `q`, `k`, `v`, `head_out`.
    pub fn labels(&self) -> (Labels, Labels) {
        (Arc::clone(&self.rows), Arc::clone(&self.cols))
    }

    /// (rows, cols) of one head, or of the whole matrix.
    pub fn dims(&self) -> (usize, usize) {
        match self.shape().as_slice() {
            [_, r, c] | [r, c] => (*r, *c),
            _ => (0, 0),
        }
    }

    /// Column labels of `head` (`None`: the whole width, all heads side by side).
    pub fn col_labels(&self, head: Option<usize>) -> &[String] {
        let (_, c) = self.dims();
        match (head, self.cols.len() > c) {
            (Some(h), true) => {
                let lo = (h * c).min(self.cols.len());
                let hi = (lo + c).min(self.cols.len());
                &self.cols[lo..hi]
            }
            _ => &self.cols,
        }
    }

    /// The matrix of one head (`Some(h)`), or the whole step (`None`): for `q`, `k`, `v`
    /// and `head_out` that is the heads side by side (n × h·d_k); scores-like steps need a
    /// head. Borrowed when the numbers are kept in that form, computed otherwise.
    ///
    /// # Shapes
    /// rows × cols of one head, or rows × (h·cols) for `q`/`k`/`v`/`head_out` with `None`.
    pub fn matrix(&self, head: Option<usize>) -> Result<CowArray<'_, f32, Ix2>, TraceError> {
        if let Some(t) = self.materialised.get() {
            return self.tensor_matrix(t, head);
        }
        let heads = self.heads();
        match (&self.numbers, head, heads) {
            (Numbers::Stored(t), _, _) => self.tensor_matrix(t, head),
            (_, Some(h), None) => Err(TraceError::NotPerHead {
                name: self.name.clone(),
                head: h,
            }),
            (_, Some(h), Some(n)) if h >= n => Err(TraceError::HeadOutOfRange {
                name: self.name.clone(),
                head: h,
                heads: n,
            }),
            (Numbers::Relu(x), None, _) => Ok(CowArray::from(x.array().mapv(relu))),
            (Numbers::SideBySide { whole, heads }, None, _) => {
                if self.cols.len() > whole.dim().1 / (*heads).max(1) {
                    Ok(CowArray::from(whole.view()))
                } else {
                    Err(self.needs_head())
                }
            }
            (Numbers::SideBySide { whole, heads }, Some(h), _) => {
                let c = whole.dim().1 / (*heads).max(1);
                Ok(CowArray::from(
                    whole
                        .view()
                        .slice_axis_move(Axis(1), Slice::from(h * c..(h + 1) * c)),
                ))
            }
            (Numbers::Derived { source, .. }, Some(h), _) => Ok(CowArray::from(source.head(h))),
            (Numbers::Derived { .. }, None, _) => Err(self.needs_head()),
            // Relu steps have no heads: covered by the (Some, None) arm.
            (Numbers::Relu(_), Some(h), Some(_)) => Err(TraceError::NotPerHead {
                name: self.name.clone(),
                head: h,
            }),
        }
    }

    fn needs_head(&self) -> TraceError {
        TraceError::NeedsHead {
            name: self.name.clone(),
            heads: self.heads().unwrap_or(0),
        }
    }

    fn tensor_matrix<'a>(
        &self,
        t: &'a Tensor,
        head: Option<usize>,
    ) -> Result<CowArray<'a, f32, Ix2>, TraceError> {
        match (t, head) {
            (Tensor::Matrix(m), None) => Ok(CowArray::from(m.view())),
            (Tensor::Matrix(_), Some(h)) => Err(TraceError::NotPerHead {
                name: self.name.clone(),
                head: h,
            }),
            (Tensor::Heads(t), Some(h)) => {
                let n = t.len_of(Axis(0));
                if h >= n {
                    return Err(TraceError::HeadOutOfRange {
                        name: self.name.clone(),
                        head: h,
                        heads: n,
                    });
                }
                Ok(CowArray::from(t.index_axis(Axis(0), h)))
            }
            (Tensor::Heads(t), None) => {
                if self.cols.len() > t.len_of(Axis(2)) {
                    Ok(CowArray::from(concat_heads(t)))
                } else {
                    Err(self.needs_head())
                }
            }
        }
    }

    /// The value at `indices` (`[h, i, j]` for per-head steps, `[i, j]` otherwise).
    pub fn value(&self, indices: &[usize]) -> Result<f32, TraceError> {
        let cell = self.cell(indices)?;
        let (h, i, j) = (cell.head.unwrap_or(0), cell.row, cell.col);
        if let Some(t) = self.materialised.get() {
            return Ok(tensor_value(t, h, i, j));
        }
        Ok(match &self.numbers {
            Numbers::Stored(t) => tensor_value(t, h, i, j),
            Numbers::SideBySide { whole, heads } => {
                let c = whole.dim().1 / (*heads).max(1);
                whole.array()[[i, h * c + j]]
            }
            Numbers::Relu(x) => relu(x.array()[[i, j]]),
            Numbers::Derived { source, .. } => source.cell(h, i, j),
        })
    }

    /// Checks `indices` against the shape and returns the cell they name.
    pub fn cell(&self, indices: &[usize]) -> Result<Cell, TraceError> {
        let shape = self.shape();
        if indices.len() != shape.len() {
            return Err(TraceError::WrongIndexCount {
                name: self.name.clone(),
                got: indices.len(),
                expected: shape.len(),
            });
        }
        for (axis, (i, n)) in indices.iter().zip(&shape).enumerate() {
            if i >= n {
                return Err(TraceError::IndexOutOfRange {
                    name: self.name.clone(),
                    axis: axis_name(shape.len(), axis),
                    index: *i,
                    len: *n,
                });
            }
        }
        Ok(match indices {
            [h, i, j] => Cell {
                head: Some(*h),
                row: *i,
                col: *j,
            },
            [i, j] => Cell {
                head: None,
                row: *i,
                col: *j,
            },
            _ => unreachable_cell(),
        })
    }

    /// Sum, max, argmax and entropy of one row.
    pub fn row_stats(&self, head: Option<usize>, row: usize) -> Result<RowStats, TraceError> {
        let m = self.matrix(head.or(self.heads().map(|_| 0)))?;
        if row >= m.nrows() {
            return Err(TraceError::IndexOutOfRange {
                name: self.name.clone(),
                axis: "row",
                index: row,
                len: m.nrows(),
            });
        }
        Ok(RowStats::of(m.row(row).iter().copied()))
    }
}

fn relu(x: f32) -> f32 {
    x.max(0.0)
}

fn tensor_len(t: &Tensor) -> usize {
    match t {
        Tensor::Matrix(m) => m.len(),
        Tensor::Heads(h) => h.len(),
    }
}

fn tensor_value(t: &Tensor, h: usize, i: usize, j: usize) -> f32 {
    match t {
        Tensor::Matrix(m) => m[[i, j]],
        Tensor::Heads(t) => t[[h, i, j]],
    }
}

fn unreachable_cell() -> Cell {
    // `cell` checks the index count against a 2- or 3-dimensional shape first.
    Cell {
        head: None,
        row: 0,
        col: 0,
    }
}

fn axis_name(ndim: usize, axis: usize) -> &'static str {
    match (ndim, axis) {
        (3, 0) => "head",
        (3, 1) | (2, 0) => "row",
        _ => "column",
    }
}

/// Heads side by side.
///
/// # Shapes
/// `t`: h × n × d_k → n × h·d_k.
pub fn concat_heads(t: &Array3<f32>) -> Array2<f32> {
    let (h, n, dk) = t.dim();
    let mut out = Array2::zeros((n, h * dk));
    for head in 0..h {
        out.slice_axis_mut(Axis(1), Slice::from(head * dk..(head + 1) * dk))
            .assign(&t.index_axis(Axis(0), head));
    }
    out
}

/// Splits the columns of `x` into `heads` equal blocks.
///
/// # Shapes
/// `x`: n × d_model → heads × n × d_model/heads.
pub fn split_heads(x: ArrayView2<'_, f32>, heads: usize) -> Array3<f32> {
    let (n, d) = x.dim();
    let dk = d / heads.max(1);
    let mut out = Array3::zeros((heads, n, dk));
    for h in 0..heads {
        out.index_axis_mut(Axis(0), h)
            .assign(&x.slice_axis(Axis(1), Slice::from(h * dk..(h + 1) * dk)));
    }
    out
}

/// One cell of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// Head of a per-head step.
    pub head: Option<usize>,
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
}

/// Statistics of one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowStats {
    /// Sum of the finite entries.
    pub sum: f32,
    /// Entries left out of the sum because they are not finite (the −∞ of a mask).
    pub skipped: usize,
    /// Largest entry.
    pub max: f32,
    /// Column of the largest entry.
    pub argmax: usize,
    /// Shannon entropy in nats, when the row is a distribution (non-negative, sums to ≈1).
    pub entropy: Option<f32>,
}

impl RowStats {
    /// Stats of the values of one row.
    pub fn of(values: impl Iterator<Item = f32>) -> RowStats {
        let v: Vec<f32> = values.collect();
        let sum: f32 = v.iter().filter(|x| x.is_finite()).sum();
        let skipped = v.iter().filter(|x| !x.is_finite()).count();
        let (argmax, max) =
            v.iter()
                .copied()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |(bi, bm), (i, x)| {
                    if x > bm { (i, x) } else { (bi, bm) }
                });
        let is_dist = !v.is_empty() && v.iter().all(|x| *x >= 0.0) && (sum - 1.0).abs() < 1e-3;
        let entropy = is_dist.then(|| {
            -v.iter()
                .filter(|p| **p > 0.0)
                .map(|p| p * p.ln())
                .sum::<f32>()
        });
        RowStats {
            sum,
            skipped,
            max,
            argmax,
            entropy,
        }
    }
}

/// A parsed address `name[a][b][c]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Step (or weight) name.
    pub name: String,
    /// The bracketed indices, in order.
    pub indices: Vec<usize>,
}

impl Address {
    /// Parses `enc.0.attn.scores[1][0][2]`, `embed.sum`, `enc.0.attn.weights[0]`.
    pub fn parse(text: &str) -> Result<Address, TraceError> {
        let text = text.trim();
        let bad = |reason: &str| TraceError::BadAddress {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let (name, mut rest) = match text.find('[') {
            Some(p) => (&text[..p], &text[p..]),
            None => (text, ""),
        };
        if name.is_empty() {
            return Err(bad("it has no step name before '['"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            return Err(bad(
                "a name has only letters, digits, '.' and '_' (e.g. enc.0.attn.weights)",
            ));
        }
        let mut indices = Vec::new();
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('[') else {
                return Err(bad("expected '[' after the name or after ']'"));
            };
            let Some(close) = inner.find(']') else {
                return Err(bad("a '[' is not closed by ']'"));
            };
            let num = inner[..close].trim();
            let idx: usize = num
                .parse()
                .map_err(|_| bad(&format!("index {num:?} is not a non-negative integer")))?;
            indices.push(idx);
            rest = &inner[close + 1..];
        }
        if indices.len() > 3 {
            return Err(bad("at most three indices: [head][row][column]"));
        }
        Ok(Address {
            name: name.to_string(),
            indices,
        })
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for i in &self.indices {
            write!(f, "[{i}]")?;
        }
        Ok(())
    }
}

/// A name or index that does not fit the trace.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TraceError {
    /// No step of that name.
    #[error("unknown trace step {name:?}{}", suggestion_text(suggestions))]
    UnknownStep {
        /// The name given.
        name: String,
        /// Close names that do exist.
        suggestions: Vec<String>,
    },
    /// Text that is not an address.
    #[error("bad address {text:?}: {reason}")]
    BadAddress {
        /// The text.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A head index on a step that has no heads.
    #[error("{name} is not a per-head step: drop the head index [{head}]")]
    NotPerHead {
        /// Step name.
        name: String,
        /// Head given.
        head: usize,
    },
    /// Head index too large.
    #[error("{name}: head {head} does not exist (heads {})", crate::util::indices_text(*heads))]
    HeadOutOfRange {
        /// Step name.
        name: String,
        /// Head given.
        head: usize,
        /// Number of heads.
        heads: usize,
    },
    /// A whole per-head step where one head is needed.
    #[error("{name} has one matrix per head: add a head index, {name}[0] to {name}[{}]", heads.saturating_sub(1))]
    NeedsHead {
        /// Step name.
        name: String,
        /// Number of heads.
        heads: usize,
    },
    /// Too many or too few indices for a cell.
    #[error("{name}: a cell needs {expected} indices, got {got}")]
    WrongIndexCount {
        /// Step name.
        name: String,
        /// Indices given.
        got: usize,
        /// Indices needed.
        expected: usize,
    },
    /// Index past the end of an axis.
    #[error("{name}: {axis} index {index} is out of range ({axis}s {})", crate::util::indices_text(*len))]
    IndexOutOfRange {
        /// Step name.
        name: String,
        /// Axis (head, row, column).
        axis: &'static str,
        /// Index given.
        index: usize,
        /// Axis length.
        len: usize,
    },
}

fn suggestion_text(s: &[String]) -> String {
    if s.is_empty() {
        "; `show` lists every step".to_string()
    } else {
        format!("; did you mean {}?", s.join(", "))
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
        Trace {
            steps,
            index,
            tokens,
            origin: None,
        }
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
    /// nothing, copies kept by [`Step::tensor`] count in full.
    pub fn stored_bytes(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        let mut bytes = 0;
        for s in &self.steps {
            let shared = match &s.numbers {
                Numbers::Stored(t) => Some(t),
                Numbers::SideBySide { whole, .. } => Some(&whole.0),
                Numbers::Relu(_) | Numbers::Derived { .. } => None,
            };
            if let Some(t) = shared
                && seen.insert(Arc::as_ptr(t))
            {
                bytes += tensor_len(t) * std::mem::size_of::<f32>();
            }
            bytes += s.materialised.get().map_or(0, tensor_len) * std::mem::size_of::<f32>();
        }
        bytes
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
        let step = Step::new(
            "enc.0.attn.q",
            StepKind::Query,
            Tensor::Heads(t),
            labels(&["a"]),
            labels(&["d0", "d1", "d2", "d3"]),
            "Q = X · W_Q",
            vec![],
        );
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
    }
}
