//! How steps hold their numbers: kept buffers (shared between steps, returned to the pool
//! when dropped), heads side by side, or recomputed on access.

use super::*;

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
    pub(super) fn of(tensor: &Tensor) -> Flags {
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
        if !faer::traits::pulp::Arch::new().dispatch(AllFinite(values)) {
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
pub struct Buffer(pub(super) Tensor);

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
pub struct SharedMatrix(pub(super) Arc<Buffer>);

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

pub(super) fn empty_matrix() -> &'static Array2<f32> {
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
    /// The values it keeps, if any, as (an address that is the same for every step sharing
    /// them, their bytes), so that a trace counts them once; `None` when it keeps nothing
    /// and recomputes every read.
    fn kept(&self) -> Option<(usize, usize)> {
        None
    }
    /// Lets go of the values it keeps (reads recompute them afterwards, with the same bits);
    /// a no-op for a source that keeps nothing.
    fn release_kept(&self) {}
    /// The largest `|self − other|` over every cell of every head (the rule of
    /// [`crate::trace::max_abs_diff`]), when this source can find it without the caller
    /// reading the heads one by one; `None` to let the caller compare the heads. Both have
    /// the same shape.
    fn max_abs_diff(&self, _other: &dyn DerivedHeads) -> Option<f32> {
        None
    }
    /// Itself, so that [`DerivedHeads::max_abs_diff`] can see whether `other` is its kind.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// True when every value is finite: a scan in chunks, compiled through
/// [`faer::traits::pulp`]'s dispatch for the processor's vector instructions (every step a
/// pass records is scanned once, on the thread that records it).
struct AllFinite<'a>(&'a [f32]);

impl faer::traits::pulp::WithSimd for AllFinite<'_> {
    type Output = bool;
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) -> bool {
        self.0
            .chunks(1 << 12)
            .all(|c| c.iter().map(|v| u32::from(!v.is_finite())).sum::<u32>() == 0)
    }
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
