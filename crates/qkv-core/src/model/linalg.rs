//! The matrix products of the model, in one place so that the backend can be chosen here.
//!
//! The tensors stay `ndarray` arrays; the products go through [`faer`] on zero-copy views of
//! the ndarray data ([`MatView`]: a slice, a shape and a row stride, so that one head's
//! columns of an n × d_model matrix are a view, not a copy). Small products run on the
//! calling thread; products of at least [`PARALLEL_MIN_FLOP`] multiply-adds, or by a weight
//! matrix of at least [`PARALLEL_MIN_WEIGHTS`] values, give each core one block of columns
//! (or of rows), each a sequential faer product. Why faer, and the
//! threshold: docs/performance.md ("Matrix-product backend"), measured with `qkv bench`.
//!
//! Every product is deterministic: the same operands give the same bits on every call,
//! whatever the number of threads, and a block of columns or rows gets the bits it has in
//! the whole product (tests); the trace relies on it to recompute attention scores on
//! demand (see [`crate::trace::Step::matrix`]).

use std::num::NonZeroUsize;
use std::sync::OnceLock;

use faer::{Accum, Par};
use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

/// Products with at least this many multiply-adds (n·k·m) run on all cores. Measured with
/// `qkv bench` (2 cores): below about 192 × 192 × 192 faer's parallel product is slower
/// than its sequential one, from 256 × 256 × 256 on it is faster.
pub const PARALLEL_MIN_FLOP: usize = 256 * 256 * 256;

/// Products whose right operand (a weight matrix) has at least this many values (1 MiB)
/// run on all cores whatever their number of rows: with few rows, reading the weights
/// from memory is most of the work, and each core then reads half of them. Splitting the
/// smaller weights of `small` (64 KiB) makes a pass slower, hence the bound (measurements in
/// docs/performance.md).
pub const PARALLEL_MIN_WEIGHTS: usize = 1 << 18;

/// Parallel products split the columns when each thread gets at least this many.
pub const MIN_COLS_PER_THREAD: usize = 64;

/// Parallel products too narrow to split the columns split the rows when each thread gets
/// at least this many.
pub const MIN_ROWS_PER_THREAD: usize = 32;

/// Attention blocks with at least this many multiply-adds (2·h·n·m·d_k: the scores and the
/// weighted sums of all heads) run their heads in parallel, one head per task. Coarser than
/// a parallel product, so worth it at smaller sizes.
pub const PARALLEL_HEADS_MIN_FLOP: usize = 1 << 21;

/// A matrix library that can multiply f32 matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `ndarray`'s own `dot` (the `matrixmultiply` crate).
    Ndarray,
    /// `faer` on the calling thread only.
    FaerSequential,
    /// `faer` on all cores (rayon).
    FaerParallel,
    /// `faer` sequential on each of one block of rows per core.
    RowSplit,
    /// `faer` sequential on each of one block of columns per core.
    ColSplit,
    /// What the model uses: sequential faer for products of fewer than
    /// [`PARALLEL_MIN_FLOP`] multiply-adds whose right operand has fewer than
    /// [`PARALLEL_MIN_WEIGHTS`] values; other products give one block of columns per core ([`Backend::ColSplit`]) when there are at least
    /// [`MIN_COLS_PER_THREAD`] columns per core, else one block of rows per core
    /// ([`Backend::RowSplit`]) when there are at least [`MIN_ROWS_PER_THREAD`] rows per
    /// core, else sequential. Each way gives the bits of the sequential product.
    Model,
}

impl Backend {
    /// Every backend compiled in, for the bench.
    pub const ALL: [Backend; 6] = [
        Backend::Ndarray,
        Backend::FaerSequential,
        Backend::FaerParallel,
        Backend::RowSplit,
        Backend::ColSplit,
        Backend::Model,
    ];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Ndarray => "ndarray dot (matrixmultiply)",
            Backend::FaerSequential => "faer, 1 thread",
            Backend::FaerParallel => "faer, parallel (its own split)",
            Backend::RowSplit => "faer, 1 thread per row block",
            Backend::ColSplit => "faer, 1 thread per column block",
            Backend::Model => "model (faer, split above threshold)",
        }
    }
}

/// Number of threads the parallel products use (the machine's available parallelism).
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(NonZeroUsize::get)
            .unwrap_or(1)
    })
}

fn all_threads() -> Par {
    match NonZeroUsize::new(threads()) {
        Some(n) if n.get() > 1 => Par::Rayon(n),
        _ => Par::Seq,
    }
}

/// A read-only matrix over a slice: row-major with a row stride, or (`transposed`) the
/// transpose of such a matrix. It lets one head's columns of a wider matrix be used in a
/// product without copying them.
#[derive(Debug, Clone, Copy)]
pub struct MatView<'a> {
    data: &'a [f32],
    /// Rows and columns of the stored (row-major) matrix.
    stored: (usize, usize),
    row_stride: usize,
    transposed: bool,
}

impl<'a> MatView<'a> {
    /// The `rows × cols` matrix whose row r is `data[r·row_stride .. r·row_stride + cols]`;
    /// `None` when `data` is too short or `row_stride < cols`.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize, row_stride: usize) -> Option<Self> {
        let fits = rows == 0
            || cols == 0
            || (row_stride >= cols
                && (rows - 1)
                    .checked_mul(row_stride)
                    .and_then(|x| x.checked_add(cols))
                    .is_some_and(|end| end <= data.len()));
        fits.then_some(MatView {
            data,
            stored: (rows, cols),
            row_stride,
            transposed: false,
        })
    }

    /// Columns `lo..hi` of a row-major `rows × row_stride` matrix stored in `data` (one head
    /// of a matrix whose heads sit side by side).
    pub fn columns(
        data: &'a [f32],
        rows: usize,
        row_stride: usize,
        lo: usize,
        hi: usize,
    ) -> Option<Self> {
        let rest = data.get(lo..)?;
        MatView::row_major(rest, rows, hi.checked_sub(lo)?, row_stride)
    }

    /// A view of an ndarray matrix in standard (row-major) or Fortran (column-major, e.g.
    /// `b.t()`) layout, without copying; `None` for other layouts.
    ///
    /// # Shapes
    /// `a`: rows × cols; the view has the same shape.
    pub fn of(a: &ArrayView2<'a, f32>) -> Option<Self> {
        let (r, c) = a.dim();
        let a = *a;
        if let Some(s) = a.to_slice() {
            return MatView::row_major(s, r, c, c.max(1));
        }
        let t = a.reversed_axes();
        let s = t.to_slice()?;
        Some(MatView::row_major(s, c, r, r.max(1))?.t())
    }

    /// Rows `lo..hi` (a view; `None` when out of range).
    pub fn row_range(self, lo: usize, hi: usize) -> Option<Self> {
        let (r, c) = self.dim();
        if lo > hi || hi > r {
            return None;
        }
        if self.transposed {
            // rows of the matrix are columns of the stored one
            let data = self.data.get(lo..)?;
            Some(MatView::row_major(data, c, hi - lo, self.row_stride)?.t())
        } else {
            let data = self.data.get(lo * self.row_stride..)?;
            MatView::row_major(data, hi - lo, c, self.row_stride)
        }
    }

    /// Columns `lo..hi` (a view; `None` when out of range).
    pub fn col_range(self, lo: usize, hi: usize) -> Option<Self> {
        self.t().row_range(lo, hi).map(MatView::t)
    }

    /// The transpose (no copy).
    pub fn t(self) -> Self {
        MatView {
            transposed: !self.transposed,
            ..self
        }
    }

    /// (rows, cols) of the matrix this view stands for.
    pub fn dim(&self) -> (usize, usize) {
        if self.transposed {
            (self.stored.1, self.stored.0)
        } else {
            self.stored
        }
    }

    fn faer(&self) -> faer::MatRef<'a, f32> {
        let (r, c) = self.stored;
        let m = if r == 0 || c == 0 {
            faer::MatRef::from_row_major_slice(&[], r, c)
        } else {
            faer::MatRef::from_row_major_slice_with_stride(self.data, r, c, self.row_stride)
        };
        if self.transposed { m.transpose() } else { m }
    }

    /// A copy as an ndarray matrix.
    ///
    /// # Shapes
    /// Returns `self.dim()`.
    pub fn to_array(&self) -> Array2<f32> {
        let m = self.faer();
        Array2::from_shape_fn(self.dim(), |(i, j)| m[(i, j)])
    }
}

/// `out = a · b` on the chosen backend.
///
/// # Shapes
/// `a`: n × k, `b`: k × m, `out`: n × m.
///
/// # Panics
/// When the shapes do not fit (a programming error, never user input).
pub fn product_into(backend: Backend, a: MatView<'_>, b: MatView<'_>, out: &mut [f32]) {
    let (n, k) = a.dim();
    let (k2, m) = b.dim();
    assert_eq!(k, k2, "inner dimensions of a product");
    assert_eq!(out.len(), n * m, "output of a product");
    if n == 0 || m == 0 {
        return;
    }
    if k == 0 {
        out.fill(0.0);
        return;
    }
    let par = match backend {
        Backend::Ndarray => {
            if let Ok(mut o) = ArrayViewMut2::from_shape((n, m), out) {
                ndarray::linalg::general_mat_mul(1.0, &a.to_array(), &b.to_array(), 0.0, &mut o);
            }
            return;
        }
        Backend::FaerSequential => Par::Seq,
        Backend::FaerParallel => all_threads(),
        Backend::RowSplit => return row_split(a, b, out, threads()),
        Backend::ColSplit => return col_split(a, b, out, threads()),
        Backend::Model if !splits(n, k, m) => Par::Seq,
        Backend::Model if m >= MIN_COLS_PER_THREAD * threads() => {
            return col_split(a, b, out, threads());
        }
        Backend::Model if n >= MIN_ROWS_PER_THREAD * threads() => {
            return row_split(a, b, out, threads());
        }
        Backend::Model => Par::Seq,
    };
    let dst = faer::MatMut::from_row_major_slice_mut(out, n, m);
    faer::linalg::matmul::matmul(dst, Accum::Replace, a.faer(), b.faer(), 1.0, par);
    match par {
        Par::Seq => clear_upper_state(),
        Par::Rayon(_) => {
            rayon::broadcast(|_| clear_upper_state());
        }
    }
}

/// Clears the upper halves of the vector registers (`vzeroupper`) on this thread.
///
/// faer's AVX-512 kernels return with the upper halves dirty; until they are cleared, every
/// SSE instruction of the code that follows (compiled for the baseline x86-64: softmax,
/// LayerNorm, sums, the C library's routines) runs about 3 times slower on this machine
/// class (measured: a softmax over 128 × 128 scores 3.1 ns per cell before the first faer
/// product, 9.4 after it, 3.1 after clearing). Values do not change. A no-op without AVX.
pub fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    {
        use faer::traits::pulp::core_arch::x86::Avx;
        static AVX: OnceLock<Option<Avx>> = OnceLock::new();
        if let Some(avx) = AVX.get_or_init(Avx::try_new) {
            avx._mm256_zeroupper();
        }
    }
}

/// True when the model's backend runs an n × k by k × m product on several threads.
pub fn splits(n: usize, k: usize, m: usize) -> bool {
    threads() > 1 && (n * k * m >= PARALLEL_MIN_FLOP || k * m >= PARALLEL_MIN_WEIGHTS)
}

/// `out = a · b` with the rows of `a` (and `out`) cut into `parts` blocks run in parallel,
/// each block a sequential faer product.
fn row_split(a: MatView<'_>, b: MatView<'_>, out: &mut [f32], parts: usize) {
    let (n, m) = (a.dim().0, b.dim().1);
    let chunk = n.div_ceil(parts.max(1)).max(1);
    out.par_chunks_mut(chunk * m)
        .enumerate()
        .for_each(|(i, block)| {
            let lo = i * chunk;
            #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
            let rows = a
                .row_range(lo, (lo + chunk).min(n))
                .expect("invariant: par_chunks_mut gives ⌈n / chunk⌉ blocks, each inside a's rows");
            product_into(Backend::FaerSequential, rows, b, block);
        });
}

/// A writable matrix over a slice: a row-major matrix or a block of its columns (one
/// head's columns of `concat`), the output of a product.
#[derive(Debug)]
pub struct MatViewMut<'a>(faer::MatMut<'a, f32>);

impl<'a> MatViewMut<'a> {
    /// The `rows × cols` row-major matrix in `data` cut into blocks of `width` columns (the
    /// last one narrower when `width` does not divide `cols`); `None` when `data` does not
    /// hold `rows · cols` values.
    pub fn column_blocks(
        data: &'a mut [f32],
        rows: usize,
        cols: usize,
        width: usize,
    ) -> Option<Vec<MatViewMut<'a>>> {
        if data.len() != rows.checked_mul(cols)? {
            return None;
        }
        let mut rest = faer::MatMut::from_row_major_slice_mut(data, rows, cols);
        let mut blocks = Vec::with_capacity(cols.div_ceil(width.max(1)));
        while rest.ncols() > 0 {
            let w = width.max(1).min(rest.ncols());
            let (block, r) = rest.split_at_col_mut(w);
            blocks.push(MatViewMut(block));
            rest = r;
        }
        Some(blocks)
    }

    /// (rows, cols).
    pub fn dim(&self) -> (usize, usize) {
        (self.0.nrows(), self.0.ncols())
    }
}

/// `out = a · b` on the calling thread (faer, sequential).
///
/// # Shapes
/// `a`: n × k, `b`: k × m, `out`: n × m.
///
/// # Panics
/// When the shapes do not fit (a programming error, never user input).
pub fn product_into_view(a: MatView<'_>, b: MatView<'_>, out: MatViewMut<'_>) {
    let (n, k) = a.dim();
    let (k2, m) = b.dim();
    assert_eq!(k, k2, "inner dimensions of a product");
    assert_eq!(out.dim(), (n, m), "output of a product");
    let mut out = out.0;
    if k == 0 {
        out.fill(0.0);
        return;
    }
    faer::linalg::matmul::matmul(out, Accum::Replace, a.faer(), b.faer(), 1.0, Par::Seq);
    clear_upper_state();
}

/// `out = a · b` with the columns of `b` (and `out`) cut into `parts` blocks (of a multiple
/// of 16 columns) run in parallel, each block a sequential faer product.
fn col_split(a: MatView<'_>, b: MatView<'_>, out: &mut [f32], parts: usize) {
    let (n, m) = (a.dim().0, b.dim().1);
    let width = m.div_ceil(parts.max(1)).next_multiple_of(16);
    #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
    let blocks = MatViewMut::column_blocks(out, n, m, width)
        .expect("invariant: the product's output buffer holds n · m values");
    blocks.into_par_iter().enumerate().for_each(|(i, block)| {
        let lo = i * width;
        #[allow(clippy::expect_used, reason = "a stated invariant, never the input's")]
        let cols = b
            .col_range(lo, lo + block.dim().1)
            .expect("invariant: the blocks cut b's m columns, so each lies inside them");
        product_into_view(a, cols, block);
    });
}

/// `a · b` on the model's backend.
///
/// # Shapes
/// `a`: n × k, `b`: k × m → n × m.
pub fn product(a: MatView<'_>, b: MatView<'_>) -> Array2<f32> {
    let (n, m) = (a.dim().0, b.dim().1);
    let mut out = crate::buffers::recycled(n * m);
    product_into(Backend::Model, a, b, &mut out);
    crate::buffers::into_matrix((n, m), out)
}

/// `a · b` on the model's backend, copying an operand only when its layout is neither
/// row- nor column-major.
///
/// # Shapes
/// `a`: n × k, `b`: k × m → n × m.
pub fn matmul(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    let (a_std, b_std);
    let av = match MatView::of(&a) {
        Some(v) => v,
        None => {
            a_std = a.as_standard_layout().into_owned();
            match MatView::of(&a_std.view()) {
                Some(v) => v,
                None => return a.dot(&b),
            }
        }
    };
    let bv = match MatView::of(&b) {
        Some(v) => v,
        None => {
            b_std = b.as_standard_layout().into_owned();
            match MatView::of(&b_std.view()) {
                Some(v) => v,
                None => return a.dot(&b),
            }
        }
    };
    product(av, bv)
}

/// `a · bᵀ` on the model's backend.
///
/// # Shapes
/// `a`: n × k, `b`: m × k → n × m.
pub fn matmul_bt(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    matmul(a, b.t())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn products_by_hand() {
        // [1 2; 3 4] · [5 6; 7 8] = [1·5+2·7, 1·6+2·8; 3·5+4·7, 3·6+4·8] = [19 22; 43 50]
        let a = array![[1.0f32, 2.0], [3.0, 4.0]];
        let b = array![[5.0f32, 6.0], [7.0, 8.0]];
        assert_eq!(
            matmul(a.view(), b.view()),
            array![[19.0, 22.0], [43.0, 50.0]]
        );
        // a · bᵀ = [1·5+2·6, 1·7+2·8; 3·5+4·6, 3·7+4·8] = [17 23; 39 53]
        assert_eq!(
            matmul_bt(a.view(), b.view()),
            array![[17.0, 23.0], [39.0, 53.0]]
        );
    }

    #[test]
    fn head_columns_are_views() {
        // x = [[1 2 | 3 4], [5 6 | 7 8]]: head 1 is [[3 4], [7 8]].
        let x = array![[1.0f32, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]];
        let s = x.as_slice().unwrap();
        let h1 = MatView::columns(s, 2, 4, 2, 4).unwrap();
        assert_eq!(h1.to_array(), array![[3.0, 4.0], [7.0, 8.0]]);
        // h1 · h1ᵀ = [[3·3+4·4, 3·7+4·8], [7·3+8·4, 7·7+8·8]] = [[25 53], [53 113]]
        assert_eq!(product(h1, h1.t()), array![[25.0, 53.0], [53.0, 113.0]]);
        assert!(MatView::columns(s, 2, 4, 3, 5).is_none());
        assert!(MatView::row_major(s, 3, 4, 4).is_none());
    }

    /// Cutting the rows into blocks does not change a single bit: each value is the same
    /// sum in the same order.
    #[test]
    fn row_blocks_give_the_sequential_bits() {
        let mut x = 1u32;
        let mut next = || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        let a = Array2::from_shape_fn((300, 257), |_| next());
        let b = Array2::from_shape_fn((257, 190), |_| next());
        let (av, bv) = (
            MatView::of(&a.view()).unwrap(),
            MatView::of(&b.view()).unwrap(),
        );
        let mut seq = vec![0.0; 300 * 190];
        let mut split = vec![0.0; 300 * 190];
        product_into(Backend::FaerSequential, av, bv, &mut seq);
        product_into(Backend::RowSplit, av, bv, &mut split);
        assert_eq!(seq, split);
    }

    /// So does cutting the columns, or the rows, into any number of blocks, at the model's
    /// shapes and at odd ones; every value of the output is written.
    #[test]
    fn column_blocks_give_the_sequential_bits() {
        let mut x = 7u32;
        let mut next = || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for (n, k, m) in [
            (128, 512, 512),
            (128, 512, 2048),
            (128, 2048, 512),
            (8, 512, 2048),
            (300, 257, 190),
            (37, 19, 23),
            (128, 512, 34),
        ] {
            let a = Array2::from_shape_fn((n, k), |_| next());
            let b = Array2::from_shape_fn((k, m), |_| next());
            let (av, bv) = (
                MatView::of(&a.view()).unwrap(),
                MatView::of(&b.view()).unwrap(),
            );
            let bt = b.t().as_standard_layout().into_owned();
            let btv = MatView::of(&bt.view()).unwrap().t();
            for (b, t) in [(bv, ""), (btv, "ᵀ")] {
                // A product writes every value: stale values (here NaN) never show through,
                // so outputs may come from recycled buffers.
                let mut seq = vec![f32::NAN; n * m];
                product_into(Backend::FaerSequential, av, b, &mut seq);
                assert!(seq.iter().all(|x| x.is_finite()), "{n}×{k}×{m}{t}");
                for parts in 1..=5 {
                    let mut split = vec![f32::NAN; n * m];
                    col_split(av, b, &mut split, parts);
                    assert!(
                        seq.iter()
                            .zip(&split)
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{n}×{k}×{m}{t}, {parts} column blocks"
                    );
                    split.fill(f32::NAN);
                    row_split(av, b, &mut split, parts);
                    assert!(
                        seq.iter()
                            .zip(&split)
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{n}×{k}×{m}{t}, {parts} row blocks"
                    );
                }
            }
        }
    }

    #[test]
    fn every_backend_agrees() {
        let a = Array2::from_shape_fn((37, 19), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0);
        let b = Array2::from_shape_fn((19, 23), |(i, j)| ((i * 5 + j) % 13) as f32 - 6.0);
        let want = a.dot(&b); // small integers: every backend is exact
        let (av, bv) = (
            MatView::of(&a.view()).unwrap(),
            MatView::of(&b.view()).unwrap(),
        );
        for backend in Backend::ALL {
            let mut out = vec![0.0; 37 * 23];
            product_into(backend, av, bv, &mut out);
            assert_eq!(out, want.as_slice().unwrap(), "{backend:?}");
        }
        // transposed operands and a non-standard layout
        let bt = b.t().to_owned();
        assert_eq!(matmul_bt(a.view(), bt.view()), want);
        let a_f = a.t().as_standard_layout().into_owned();
        assert_eq!(matmul(a_f.t(), b.view()), want);
    }
}
