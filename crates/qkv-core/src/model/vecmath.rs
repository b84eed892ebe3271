//! Row kernels that the compiler vectorises: `e^x`, softmax, sums, maxima, mean and variance.
//!
//! Everything here is branch-free inside its loops and written lane by lane, so that the
//! same operations run in the same order whatever the vector width the compiler picks: the
//! results are the same bits on every machine and thread count. Sums use eight running
//! lanes combined in a fixed order (faster than one running sum, whose every addition
//! waits for the previous one, and a little more accurate). No unsafe code: the wider
//! instructions of [`softmax_row`] come from faer's `pulp`, which picks them at run time
//! behind a safe API.

use rayon::prelude::*;

/// Lanes of the running sums and maxima.
const LANES: usize = 8;

/// Calls `f(i, row_i)` for every row of the row-major matrix `data` whose rows have `width`
/// values, on all cores when the matrix has at least `parallel_from` values. Rows are
/// independent, so the results do not depend on the thread count.
///
/// Waking the other threads costs tens of microseconds on a virtual machine: worth it for a
/// LayerNorm of 2^16 values, not for a sum of two such matrices (measured with `qkv bench`).
pub fn for_rows(
    data: &mut [f32],
    width: usize,
    parallel_from: usize,
    f: impl Fn(usize, &mut [f32]) + Sync + Send,
) {
    if width == 0 {
        return;
    }
    if data.len() >= parallel_from {
        data.par_chunks_exact_mut(width)
            .enumerate()
            .for_each(|(i, row)| f(i, row));
    } else {
        data.chunks_exact_mut(width)
            .enumerate()
            .for_each(|(i, row)| f(i, row));
    }
}

/// `e^x` in f32, at most 1 ulp from the correctly rounded value for every `x` whose result
/// is a normal number (checked against f64 over the whole range by a test), exactly `0` for
/// `x = −∞` and below about −104 (where e^x rounds to 0), `+∞` above about 88.72, NaN for
/// NaN.
///
/// Range reduction `x = k·ln 2 + r` (`|r| ≤ ln 2 / 2`, Cody–Waite with a two-part ln 2),
/// `e^r` by the degree-7 polynomial of Cephes' `expf` (its coefficients in f32, Horner's
/// scheme, no fused multiply-add so that every machine gives the same bits), then `2^k` as
/// two exact power-of-two factors so that results below the normal range round once.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // 1.5 · 2^23: adding it rounds to an integer (to nearest, ties to even), which then sits
    // in the low bits of the sum.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4; // 355 / 512: k · LN2_HI is exact for |k| < 2^15
    const LN2_LO: f32 = -2.121_944_4e-4; // ln 2 − LN2_HI
    // Beyond these, e^x is 0 or ∞ in f32; clamping keeps k in the range of 2^k below.
    let x = x.clamp(-110.0, 89.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let k = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    let kf = shifted - ROUND;
    let r = x - kf * LN2_HI - kf * LN2_LO;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let y = p * (r * r) + r + 1.0;
    // 2^k = 2^k1 · 2^k2 with both factors normal numbers (−80 ≤ k1, k2 ≤ 64).
    let k1 = k >> 1;
    let k2 = k - k1;
    let pow2 = |e: i32| f32::from_bits(((e + 127) as u32) << 23);
    y * pow2(k1) * pow2(k2)
}

/// The largest entry, ignoring NaN (−∞ for an empty or all-NaN row). The maximum does not
/// depend on the order (of two zeros either may come out, and x − 0 = x − (−0) for every x,
/// so softmax does not see the difference).
#[inline(always)]
pub fn row_max(row: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for (m, x) in lanes.iter_mut().zip(c) {
            *m = m.max(*x);
        }
    }
    let rest = chunks
        .remainder()
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    lanes.into_iter().fold(rest, f32::max)
}

/// Sum of the entries: entry j goes to lane j mod 8, the lanes are added pairwise in a
/// fixed order, then the entries after the last full group of 8.
#[inline(always)]
pub fn sum(row: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for (s, x) in lanes.iter_mut().zip(c) {
            *s += *x;
        }
    }
    let [a, b, c, d, e, f, g, h] = lanes;
    let total = ((a + e) + (b + f)) + ((c + g) + (d + h));
    chunks.remainder().iter().fold(total, |s, x| s + x)
}

/// The same in f64, of `f(x)` for every entry `x`.
#[inline(always)]
fn sum_f64(row: &[f32], f: impl Fn(f64) -> f64) -> f64 {
    lane_sum_f64(row, |x| f(f64::from(x)))
}

/// Sum in f64 of `f(x)` for every entry `x` of `row` (f32 or f64 values): entry j goes to
/// lane j mod 8, the lanes are added pairwise in a fixed order, then the entries past the
/// last group of 8 in order. The LayerNorm's forward pass ([`mean_var`]) and its backward
/// pass (`learn::backward`) sum their rows with it.
#[inline(always)]
pub fn lane_sum_f64<T: Copy>(row: &[T], f: impl Fn(T) -> f64) -> f64 {
    let mut lanes = [0.0f64; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for (s, x) in lanes.iter_mut().zip(c) {
            *s += f(*x);
        }
    }
    let [a, b, c, d, e, g, h, i] = lanes;
    let total = ((a + e) + (b + g)) + ((c + h) + (d + i));
    chunks.remainder().iter().fold(total, |s, x| s + f(*x))
}

/// Mean and biased variance (÷ n) of a row, accumulated in f64 (eight lanes, see
/// [`sum`]), rounded to f32 at the end.
pub fn mean_var(row: &[f32]) -> (f32, f32) {
    let n = row.len().max(1) as f64;
    let mean = sum_f64(row, |x| x) / n;
    let var = sum_f64(row, |x| (x - mean) * (x - mean)) / n;
    (mean as f32, var as f32)
}

/// Softmax of one row in place, `e^(x_j − max) / Σ_k e^(x_k − max)`; a row whose entries
/// are all −∞ becomes all zeros and the result is `true`. Blocked cells (−∞) get exactly 0.
///
/// [`exp`] over the row, the 8-lane [`sum`], then one division per entry: all three loops
/// vectorise, with AVX2 where the processor has it (see `SoftmaxKernel`). Against softmax in f64 rounded to f32, on the 2.4 million weights of a
/// `base` pass over 128 tokens: at most 5 ulp off (mean 0.42), where `expf` from the C
/// library and one running sum were at most 11 ulp off (mean 1.33).
pub fn softmax_row(row: &mut [f32]) -> bool {
    faer::traits::pulp::Arch::new().dispatch(SoftmaxKernel(row))
}

#[inline(always)]
fn softmax_row_kernel(row: &mut [f32]) -> bool {
    let max = row_max(row);
    if max == f32::NEG_INFINITY {
        row.fill(0.0);
        return true;
    }
    for v in row.iter_mut() {
        *v = exp(*v - max);
    }
    let total = sum(row);
    for v in row.iter_mut() {
        *v /= total;
    }
    false
}

/// Settles a row that [`softmax_row`] found without a finite entry (it returned `true` and
/// left zeros). Only a row whose every cell a mask blocks is fully masked: it keeps its
/// zeros and the result is `true`. Otherwise the −∞ or NaN came from the numbers (an
/// overflow, a NaN weight), e^(−∞)/Σ is 0/0, and the row becomes NaN so that the step's
/// NaN count flags it rather than hiding it as zeros. The one rule of every softmax of the
/// model: the attention weights (`all_blocked` from the mask) and the output probabilities
/// (no mask: `false`).
pub fn settle_row_without_finite(row: &mut [f32], all_blocked: bool) -> bool {
    if !all_blocked {
        row.fill(f32::NAN);
    }
    all_blocked
}

/// The softmax of one row run through [`faer::traits::pulp`]'s dispatch: its body is
/// inlined into a function compiled for the processor's vector instructions (AVX2 where
/// available, chosen at run time), 8 lanes instead of the 4 of the x86-64 baseline. The
/// same bits either way: the same operations on each lane in the same order (Rust never
/// fuses a multiply and an add), tested.
struct SoftmaxKernel<'a>(&'a mut [f32]);

impl faer::traits::pulp::WithSimd for SoftmaxKernel<'_> {
    type Output = bool;
    #[inline(always)]
    fn with_simd<S: faer::traits::pulp::Simd>(self, _: S) -> bool {
        softmax_row_kernel(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    /// Within 1 ulp of the correctly rounded e^x (f64 rounded to f32) wherever e^x is a
    /// normal f32, on a sample of every 61st f32 from −87.3 to 88.7.
    #[test]
    fn exp_is_within_one_ulp() {
        let mut worst = (0, 0.0f32);
        let mut check = |x: f32| {
            let want = f64::from(x).exp() as f32;
            if want >= f32::MIN_POSITIVE && want.is_finite() {
                let u = ulps(exp(x), want);
                if u > worst.0 {
                    worst = (u, x);
                }
            }
        };
        let (lo, hi) = (-87.3f32, 88.7f32);
        // negative numbers: bit patterns from −0 up to lo; positive: from +0 up to hi
        for bits in (0x8000_0000u32..=lo.to_bits()).step_by(61) {
            check(f32::from_bits(bits));
        }
        for bits in (0..=hi.to_bits()).step_by(61) {
            check(f32::from_bits(bits));
        }
        for x in [
            0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 10.0, -10.0, -87.0, 88.0, 1e-8, -1e-8,
        ] {
            check(x);
        }
        assert!(worst.0 <= 1, "{} ulp at {}", worst.0, worst.1);
    }

    /// The softmax compiled for the processor's vector instructions gives the bits of the
    /// baseline build.
    #[test]
    fn dispatched_softmax_gives_the_baseline_bits() {
        let mut x = 3u32;
        let mut next = || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 * 40.0 - 30.0
        };
        for len in [1usize, 7, 8, 9, 64, 128, 131, 512] {
            let mut row: Vec<f32> = (0..len).map(|_| next()).collect();
            if len > 3 {
                row[2] = f32::NEG_INFINITY;
            }
            let (mut a, mut b) = (row.clone(), row.clone());
            softmax_row(&mut a);
            softmax_row_kernel(&mut b);
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{len}"
            );
        }
    }

    #[test]
    fn exp_edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f32::NEG_INFINITY).to_bits(), 0.0f32.to_bits());
        assert_eq!(exp(-104.0).to_bits(), 0);
        assert_eq!(exp(-1e30).to_bits(), 0);
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(89.0), f32::INFINITY);
        assert!(exp(88.7).is_finite());
        // results below the normal range are small subnormals or 0, never garbage
        for x in [-87.5f32, -90.0, -95.0, -100.0, -103.0] {
            let want = f64::from(x).exp();
            assert!((f64::from(exp(x)) - want).abs() <= 2.0 * 1.4e-45, "{x}");
        }
    }

    #[test]
    fn sums_and_maxima() {
        let v: Vec<f32> = (0..37).map(|i| ((i * 17) % 23) as f32 - 11.0).collect();
        assert_eq!(row_max(&v), 11.0);
        assert_eq!(row_max(&[f32::NAN, -3.0, f32::NEG_INFINITY]), -3.0);
        assert_eq!(row_max(&[f32::NEG_INFINITY; 9]), f32::NEG_INFINITY);
        assert_eq!(row_max(&[]), f32::NEG_INFINITY);
        // small integers: every order gives the exact sum
        assert_eq!(sum(&v), v.iter().sum::<f32>());
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[1.5, 2.0, 3.0]), 6.5);
        // [1, 2, 3, 4]: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        assert_eq!(mean_var(&[1.0, 2.0, 3.0, 4.0]), (2.5, 1.25));
    }

    #[test]
    fn softmax_rows_sum_to_one_and_blocked_cells_are_zero() {
        let mut row = [1.0f32, 2.0, f32::NEG_INFINITY, 3.0];
        assert!(!softmax_row(&mut row));
        assert_eq!(row[2].to_bits(), 0);
        // e^−2, e^−1, e^0 over their sum
        let e: [f64; 3] = [(-2.0f64).exp(), (-1.0f64).exp(), 1.0];
        let s: f64 = e.iter().sum();
        for (got, want) in [row[0], row[1], row[3]].iter().zip(e) {
            assert!((f64::from(*got) - want / s).abs() < 1e-7);
        }
        let mut blocked = [f32::NEG_INFINITY; 3];
        assert!(softmax_row(&mut blocked));
        assert_eq!(blocked, [0.0; 3]);
    }
}
