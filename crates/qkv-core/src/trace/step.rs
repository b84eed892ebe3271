//! One recorded step: its numbers, labels, formula and inputs, and every way of reading them.

use super::*;

/// One recorded intermediate.
#[derive(Debug, Clone)]
pub struct Step {
    pub(super) name: String,
    pub(super) kind: StepKind,
    pub(super) numbers: Numbers,
    /// A [`Step::tensor`] copy of numbers that are not kept as a tensor.
    pub(super) materialised: std::sync::OnceLock<Tensor>,
    pub(super) rows: Labels,
    pub(super) cols: Labels,
    pub(super) formula: String,
    pub(super) inputs: Vec<String>,
    pub(super) flags: Flags,
    pub(super) attention: Option<AttentionSettings>,
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
            && self.attention == other.attention
            && self.shape() == other.shape()
            && *self.to_tensor() == *other.to_tensor()
    }
}

/// How the attention steps `scores`, `scaled`, `masked` and `weights` of a block were
/// computed; recorded with them so that a reader (explain, the gradient, a rerun) need not
/// work it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionSettings {
    /// Number of heads.
    pub heads: usize,
    /// Divided by √d_k.
    pub scale: bool,
    /// Causal mask.
    pub causal: bool,
}

/// A [`Step`] under construction: [`Step::build`] takes what every step has (name, kind,
/// numbers), the rest is named where it is given.
///
/// ```
/// use std::sync::Arc;
/// use ndarray::array;
/// use qkv_core::trace::{Step, StepKind, Tensor};
///
/// let tokens = Arc::new(vec!["나는".to_string(), "학교에".to_string()]);
/// let step = Step::build("embed.pos", StepKind::Positional, Tensor::Matrix(array![[0.0, 1.0], [0.84, 0.54]]))
///     .rows(tokens)
///     .formula("PE[pos, 2i] = sin(pos / 10000^(2i/d_model))")
///     .finish();
/// assert_eq!(step.name(), "embed.pos");
/// assert_eq!(step.value(&[1, 0]).ok(), Some(0.84));
/// ```
#[derive(Debug)]
#[must_use = "a StepBuilder does nothing until `finish`"]
pub struct StepBuilder {
    name: String,
    kind: StepKind,
    numbers: Numbers,
    rows: Labels,
    cols: Labels,
    formula: String,
    inputs: Vec<String>,
    masked_rows: Vec<(usize, usize)>,
    attention: Option<AttentionSettings>,
}

impl StepBuilder {
    /// Row labels (tokens).
    pub fn rows(mut self, rows: Labels) -> Self {
        self.rows = rows;
        self
    }

    /// Column labels. For per-head steps of width d_k (`q`, `k`, `v`, `head_out`) they may
    /// hold labels for all heads side by side (h·d_k); [`Step::col_labels`] slices them.
    pub fn cols(mut self, cols: Labels) -> Self {
        self.cols = cols;
        self
    }

    /// The formula shown with the step.
    pub fn formula(mut self, formula: impl Into<String>) -> Self {
        self.formula = formula.into();
        self
    }

    /// The names of the steps and weights it was computed from, in the formula's order.
    pub fn inputs(mut self, inputs: Vec<String>) -> Self {
        self.inputs = inputs;
        self
    }

    /// (head, row) pairs whose every key was masked (attention weights).
    pub fn masked_rows(mut self, rows: Vec<(usize, usize)>) -> Self {
        self.masked_rows = rows;
        self
    }

    /// How the attention block computed it (its `scores` … `weights`).
    pub fn attention(mut self, settings: AttentionSettings) -> Self {
        self.attention = Some(settings);
        self
    }

    /// The step, with its NaN / ±∞ flags counted.
    pub fn finish(self) -> Step {
        let mut flags = match &self.numbers {
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
        flags.masked_rows = self.masked_rows;
        Step {
            name: self.name,
            kind: self.kind,
            numbers: self.numbers,
            materialised: std::sync::OnceLock::new(),
            rows: self.rows,
            cols: self.cols,
            formula: self.formula,
            inputs: self.inputs,
            flags,
            attention: self.attention,
        }
    }
}

impl Step {
    /// A step named `name` of `kind` holding `numbers` (a [`Tensor`] or any other
    /// [`Numbers`] form: shared, heads side by side, derived); labels, formula and inputs
    /// are set on the [`StepBuilder`].
    pub fn build(
        name: impl Into<String>,
        kind: StepKind,
        numbers: impl Into<Numbers>,
    ) -> StepBuilder {
        StepBuilder {
            name: name.into(),
            kind,
            numbers: numbers.into(),
            rows: Labels::default(),
            cols: Labels::default(),
            formula: String::new(),
            inputs: Vec::new(),
            masked_rows: Vec::new(),
            attention: None,
        }
    }

    /// How the attention block computed this step, for `scores`, `scaled`, `masked` and
    /// `weights` of a model's block; `None` for every other step.
    pub fn attention(&self) -> Option<AttentionSettings> {
        self.attention
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

    pub(super) fn compute_tensor(&self) -> Tensor {
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

    /// The largest absolute difference with `other` (equal infinities count as equal, NaN as
    /// ∞), without keeping copies; `None` when the shapes differ. Shared numbers are 0
    /// without reading them, heads side by side are compared as one matrix, a ReLU as its
    /// input's pairs mapped, the four attention steps by their source
    /// ([`DerivedHeads::max_abs_diff`]), anything else one head at a time.
    pub fn max_abs_diff(&self, other: &Step) -> Option<f32> {
        if self.shape() != other.shape() {
            return None;
        }
        if self.shares_numbers_with(other) {
            return Some(0.0);
        }
        match (&self.numbers, &other.numbers) {
            (Numbers::Derived { source: a, .. }, Numbers::Derived { source: b, .. }) => {
                if let Some(d) = a.max_abs_diff(b.as_ref()) {
                    return Some(d);
                }
            }
            // The heads side by side: every head's cells at once (when the heads cover
            // every column, as they do whenever heads divide d_model).
            (
                Numbers::SideBySide { whole: a, heads },
                Numbers::SideBySide { whole: b, heads: h },
            ) if heads == h
                && a.dim() == b.dim()
                && a.dim().1 == heads * (a.dim().1 / (*heads).max(1)) =>
            {
                return Some(max_abs_diff(&a.view(), &b.view()));
            }
            // max(0, x) of both, formed as the pairs are compared (not written out).
            (Numbers::Relu(a), Numbers::Relu(b)) if a.dim() == b.dim() => {
                return Some(
                    faer::traits::pulp::Arch::new().dispatch(ReluDiff(a.as_slice(), b.as_slice())),
                );
            }
            _ => {}
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
            worst = worst.max(max_abs_diff(&a.view(), &b.view()));
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
            (Numbers::SideBySide { whole, .. }, None, _) => {
                if self.kind.side_by_side() {
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

    pub(super) fn needs_head(&self) -> TraceError {
        TraceError::NeedsHead {
            name: self.name.clone(),
            heads: self.heads().unwrap_or(0),
        }
    }

    pub(super) fn tensor_matrix<'a>(
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
                if self.kind.side_by_side() {
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

#[inline(always)]
pub(super) fn relu(x: f32) -> f32 {
    x.max(0.0)
}

pub(super) fn tensor_len(t: &Tensor) -> usize {
    match t {
        Tensor::Matrix(m) => m.len(),
        Tensor::Heads(h) => h.len(),
    }
}

pub(super) fn tensor_value(t: &Tensor, h: usize, i: usize, j: usize) -> f32 {
    match t {
        Tensor::Matrix(m) => m[[i, j]],
        Tensor::Heads(t) => t[[h, i, j]],
    }
}

pub(super) fn unreachable_cell() -> Cell {
    // `cell` checks the index count against a 2- or 3-dimensional shape first.
    Cell {
        head: None,
        row: 0,
        col: 0,
    }
}

pub(super) fn axis_name(ndim: usize, axis: usize) -> &'static str {
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

/// The largest `|x − y|` over the cells of two matrices of one shape, where equal values
/// (equal infinities too) differ by 0 and a NaN difference counts as ∞.
///
/// Row by row over contiguous slices ([`MaxAbsDiff`]; a diff reads every value of two
/// traces).
///
/// # Shapes
/// `a`, `b`: r × c each (cells beyond the shorter are ignored if they differ).
pub fn max_abs_diff(a: &ArrayView2<'_, f32>, b: &ArrayView2<'_, f32>) -> f32 {
    faer::traits::pulp::Arch::new().dispatch(MatrixDiff(a, b))
}

/// [`max_abs_diff`] run through [`faer::traits::pulp`]'s dispatch, compiled for the
/// processor's vector instructions (AVX2 where available; a maximum does not depend on
/// the order, so the same result).
struct MatrixDiff<'x, 'a, 'b>(&'x ArrayView2<'a, f32>, &'x ArrayView2<'b, f32>);

impl faer::traits::pulp::WithSimd for MatrixDiff<'_, '_, '_> {
    type Output = f32;
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) -> f32 {
        matrix_diff(self.0, self.1)
    }
}

/// The largest |relu(a) − relu(b)| over two slices of one length, through pulp's dispatch.
struct ReluDiff<'a>(&'a [f32], &'a [f32]);

impl faer::traits::pulp::WithSimd for ReluDiff<'_> {
    type Output = f32;
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) -> f32 {
        let mut acc = MaxAbsDiff::default();
        acc.add_mapped(self.0, self.1, relu, relu);
        acc.value()
    }
}

#[inline(always)]
fn matrix_diff(a: &ArrayView2<'_, f32>, b: &ArrayView2<'_, f32>) -> f32 {
    let mut acc = MaxAbsDiff::default();
    for (ra, rb) in a.rows().into_iter().zip(b.rows()) {
        match (ra.as_slice(), rb.as_slice()) {
            (Some(xa), Some(xb)) => acc.add(xa, xb),
            _ => {
                for (x, y) in ra.iter().zip(rb.iter()) {
                    acc.add_one(*x, *y);
                }
            }
        }
    }
    acc.value()
}

/// The largest `|x − y|` over pairs of values seen so far: equal values (equal infinities
/// too) differ by 0, a NaN difference counts as ∞. 16 lanes with the comparison written
/// without branches, so that the compiler vectorises [`MaxAbsDiff::add`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MaxAbsDiff {
    most: [f32; MAX_DIFF_LANES],
    nan: [u32; MAX_DIFF_LANES],
}

const MAX_DIFF_LANES: usize = 16;

impl MaxAbsDiff {
    #[inline(always)]
    fn one(x: f32, y: f32, m: &mut f32, n: &mut u32) {
        let d = if x == y { 0.0 } else { (x - y).abs() };
        *n |= u32::from(d.is_nan());
        *m = if d > *m { d } else { *m };
    }

    /// Takes in the pairs `(a[i], b[i])` (up to the shorter slice).
    #[inline(always)]
    pub fn add(&mut self, a: &[f32], b: &[f32]) {
        self.add_mapped(a, b, |x| x, |y| y);
    }

    /// Takes in the pairs `(fa(a[i]), fb(b[i]))` (up to the shorter slice): the pairs of
    /// two rows as another step gives them, without writing them out.
    #[inline(always)]
    pub fn add_mapped(
        &mut self,
        a: &[f32],
        b: &[f32],
        fa: impl Fn(f32) -> f32,
        fb: impl Fn(f32) -> f32,
    ) {
        let (ca, cb) = (
            a.chunks_exact(MAX_DIFF_LANES),
            b.chunks_exact(MAX_DIFF_LANES),
        );
        let (ta, tb) = (ca.remainder(), cb.remainder());
        for (pa, pb) in ca.zip(cb) {
            for l in 0..MAX_DIFF_LANES {
                Self::one(fa(pa[l]), fb(pb[l]), &mut self.most[l], &mut self.nan[l]);
            }
        }
        for (x, y) in ta.iter().zip(tb) {
            Self::one(fa(*x), fb(*y), &mut self.most[0], &mut self.nan[0]);
        }
    }

    /// Folds `other` in: the largest of both.
    pub fn merge(&mut self, other: &MaxAbsDiff) {
        for l in 0..MAX_DIFF_LANES {
            self.most[l] = self.most[l].max(other.most[l]);
            self.nan[l] |= other.nan[l];
        }
    }

    /// Takes in one pair.
    pub fn add_one(&mut self, x: f32, y: f32) {
        Self::one(x, y, &mut self.most[0], &mut self.nan[0]);
    }

    /// The largest difference (∞ when a difference was NaN; 0 when nothing was seen).
    pub fn value(&self) -> f32 {
        if self.nan.iter().any(|n| *n != 0) {
            f32::INFINITY
        } else {
            self.most.iter().copied().fold(0.0, f32::max)
        }
    }
}
