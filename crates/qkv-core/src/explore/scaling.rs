//! The scaling explorer: why the scores are divided by √d_k.
//!
//! For q, k with independent entries of mean 0 and variance 1, `q·k = Σ_{t<d_k} q_t k_t` is
//! a sum of d_k terms of variance 1, so `Var(q·k) = d_k`: the scores spread as √d_k. Without
//! the division a softmax row of such scores saturates as d_k grows (its largest weight goes
//! to 1, its entropy to 0) and the softmax Jacobian `diag(w) − w wᵀ` goes to 0 with it: the
//! gradient vanishes. Dividing by √d_k brings the variance back to 1 for every d_k.
//!
//! Entries are uniform on [−√3, √3) (mean 0, variance 1), in f64, from SplitMix64 seeded by
//! the ChaCha8 stream of (seed, label) ([`crate::model::init::stream`]): the experiment draws
//! about 25 million numbers, and ChaCha8 compiled without optimisation (a debug build, the
//! tests) takes over a microsecond per number, SplitMix64 a few nanoseconds.

use rand::RngExt;

use super::{ExploreError, entropy, in_range};
use crate::i18n::Lang;
use crate::i18n::explore_text::ExText;
use crate::learn::backward::softmax_backward;
use crate::model::init::stream;
use crate::render::{pad_left, pad_right};

/// The head widths of the experiment: 1, 2, 4, …, 512.
pub const DIMS: [usize; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
/// The seed the explorer uses unless told otherwise.
pub const SEED: u64 = 42;
/// Samples of q·k per d_k in the variance experiment.
pub const SAMPLES: usize = 10_000;
/// Keys in one softmax row.
pub const KEYS: usize = 8;
/// Rows averaged for the max / entropy / gradient curves.
pub const ROWS: usize = 500;
/// Largest number of samples (or rows) accepted.
pub const MAX_SAMPLES: usize = 1_000_000;

/// SplitMix64 (Steele, Lea and Flood, 2014), seeded from a ChaCha8 stream.
struct SplitMix(u64);

impl SplitMix {
    fn new(seed: u64, label: &str) -> SplitMix {
        SplitMix(stream(seed, label).random::<u64>())
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform on [−√3, √3): mean 0, variance (2√3)²/12 = 1. x = (w >> 11)·2⁻⁵³ is uniform
    /// on [0, 1) (rand's standard f64 of a word w).
    fn entry(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        const SQRT3: f64 = 1.732_050_807_568_877_2;
        (2.0 * (SCALE * (self.next() >> 11) as f64) - 1.0) * SQRT3
    }
}

fn vector(rng: &mut SplitMix, d: usize) -> Vec<f64> {
    (0..d).map(|_| rng.entry()).collect()
}

/// q·k of a fresh k drawn from `rng`.
fn dot_fresh(rng: &mut SplitMix, q: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in q {
        s += x * rng.entry();
    }
    s
}

/// One line of the variance experiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceRow {
    /// Head width d_k.
    pub d_k: usize,
    /// Samples drawn.
    pub samples: usize,
    /// Mean of the samples of q·k (0 in theory).
    pub mean: f64,
    /// Measured variance of q·k (d_k in theory).
    pub variance: f64,
    /// Measured variance of q·k / √d_k (1 in theory).
    pub scaled_variance: f64,
}

/// The variance of q·k measured on `samples` seeded draws for each d_k of [`DIMS`].
pub fn variance(seed: u64, samples: usize) -> Result<Vec<VarianceRow>, ExploreError> {
    in_range("samples", samples, 2, MAX_SAMPLES)?;
    Ok(DIMS
        .iter()
        .map(|&d| {
            let mut rng = SplitMix::new(seed, &format!("explore.scaling.variance.{d}"));
            let xs: Vec<f64> = (0..samples)
                .map(|_| {
                    let mut s = 0.0;
                    for _ in 0..d {
                        s += rng.entry() * rng.entry();
                    }
                    s
                })
                .collect();
            let n = samples as f64;
            let mean = xs.iter().sum::<f64>() / n;
            // The unbiased sample variance (÷ n − 1).
            let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
            VarianceRow {
                d_k: d,
                samples,
                mean,
                variance: var,
                scaled_variance: var / d as f64,
            }
        })
        .collect())
}

/// Softmax of a row in f64 (the row max subtracted first).
pub fn softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// The Frobenius norm of the softmax Jacobian `J = diag(w) − w wᵀ`, column by column from
/// the learning engine's [`softmax_backward`] (J is symmetric, so column j is the backward
/// pass of the unit gradient e_j). Computed in f32 like the engine.
///
/// # Shapes
/// `w`: m.
pub fn jacobian_norm(w: &[f64]) -> f64 {
    let w32: Vec<f32> = w.iter().map(|x| *x as f32).collect();
    let mut sum = 0f64;
    for j in 0..w.len() {
        let mut e = vec![0f32; w.len()];
        e[j] = 1.0;
        sum += softmax_backward(&w32, &e)
            .iter()
            .map(|g| f64::from(*g) * f64::from(*g))
            .sum::<f64>();
    }
    sum.sqrt()
}

/// One softmax row, with and without the division by √d_k.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Head width.
    pub d_k: usize,
    /// q·k_j for the [`KEYS`] keys.
    pub scores: Vec<f64>,
    /// softmax(scores / √d_k).
    pub scaled: Vec<f64>,
    /// softmax(scores).
    pub unscaled: Vec<f64>,
}

/// Summary numbers of one softmax row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowNumbers {
    /// Largest weight.
    pub max: f64,
    /// Entropy in nats (ln 8 = 2.079 for a uniform row of 8).
    pub entropy: f64,
    /// ‖diag(w) − w wᵀ‖_F.
    pub grad: f64,
}

impl RowNumbers {
    /// The numbers of the weights `w`.
    pub fn of(w: &[f64]) -> RowNumbers {
        RowNumbers {
            max: w.iter().copied().fold(0.0, f64::max),
            entropy: entropy(w.iter().copied()),
            grad: jacobian_norm(w),
        }
    }
}

/// One seeded row for `d_k`: a query and [`KEYS`] keys with standard normal entries.
pub fn row(seed: u64, d_k: usize) -> Result<Row, ExploreError> {
    in_range("d_k", d_k, 1, 4096)?;
    let mut rng = SplitMix::new(seed, &format!("explore.scaling.row.{d_k}"));
    let q = vector(&mut rng, d_k);
    let scores: Vec<f64> = (0..KEYS).map(|_| dot_fresh(&mut rng, &q)).collect();
    let s = (d_k as f64).sqrt();
    let scaled: Vec<f64> = scores.iter().map(|x| x / s).collect();
    Ok(Row {
        d_k,
        scaled: softmax(&scaled),
        unscaled: softmax(&scores),
        scores,
    })
}

/// The max, entropy and gradient norm of rows at one d_k, averaged over many rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Head width.
    pub d_k: usize,
    /// Rows averaged.
    pub rows: usize,
    /// Mean numbers of the unscaled rows.
    pub unscaled: RowNumbers,
    /// Mean numbers of the scaled rows.
    pub scaled: RowNumbers,
}

/// For each d_k of [`DIMS`]: the mean largest weight, entropy and Jacobian norm of `rows`
/// seeded softmax rows of [`KEYS`] keys, with and without the division.
pub fn curve(seed: u64, rows: usize) -> Result<Vec<CurvePoint>, ExploreError> {
    in_range("rows", rows, 1, MAX_SAMPLES)?;
    Ok(DIMS
        .iter()
        .map(|&d| {
            let mut rng = SplitMix::new(seed, &format!("explore.scaling.curve.{d}"));
            let s = (d as f64).sqrt();
            let mut acc = [[0f64; 3]; 2];
            for _ in 0..rows {
                let q = vector(&mut rng, d);
                let scores: Vec<f64> = (0..KEYS).map(|_| dot_fresh(&mut rng, &q)).collect();
                let scaled: Vec<f64> = scores.iter().map(|x| x / s).collect();
                for (a, w) in acc.iter_mut().zip([softmax(&scores), softmax(&scaled)]) {
                    let r = RowNumbers::of(&w);
                    a[0] += r.max;
                    a[1] += r.entropy;
                    a[2] += r.grad;
                }
            }
            let mean = |a: [f64; 3]| RowNumbers {
                max: a[0] / rows as f64,
                entropy: a[1] / rows as f64,
                grad: a[2] / rows as f64,
            };
            CurvePoint {
                d_k: d,
                rows,
                unscaled: mean(acc[0]),
                scaled: mean(acc[1]),
            }
        })
        .collect())
}

/// Everything the scaling view and `explore scaling` show.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalingReport {
    /// Seed of the draws.
    pub seed: u64,
    /// The variance experiment ([`SAMPLES`] per d_k).
    pub variance: Vec<VarianceRow>,
    /// Mean max / entropy / gradient ([`ROWS`] rows per d_k).
    pub curve: Vec<CurvePoint>,
}

/// The report for seed [`SEED`] with [`SAMPLES`] samples and [`ROWS`] rows, computed once
/// per process (it takes a while in a debug build) and shared.
pub fn standard() -> &'static ScalingReport {
    static REPORT: std::sync::OnceLock<ScalingReport> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| ScalingReport {
        seed: SEED,
        // SAMPLES, ROWS and the seed are in range: these cannot fail.
        variance: variance(SEED, SAMPLES).unwrap_or_default(),
        curve: curve(SEED, ROWS).unwrap_or_default(),
    })
}

fn row_text(label: &str, w: &[f64], lang: Lang) -> String {
    let n = RowNumbers::of(w);
    let mut s = format!("  {}", pad_right(label, 22));
    for x in w {
        s.push_str(&format!("{x:>8.4}"));
    }
    s.push_str(&format!(
        "   {} {:.4}  {} {:.4}  ‖J‖ {:.4}\n",
        ExText::Max.text(lang),
        n.max,
        ExText::Entropy.text(lang),
        n.entropy,
        n.grad
    ));
    s
}

/// The text of `explore scaling` in `lang`: the variance table, the row at `d_k`, and the
/// curves (columns padded by display width).
pub fn text(r: &ScalingReport, row: &Row, lang: Lang) -> String {
    let n = r.variance.first().map_or(0, |v| v.samples);
    let word = |t: ExText| t.text(lang);
    let mut s = format!("{}\n", word(ExText::VarianceHeader { seed: r.seed, n }));
    s.push_str(&format!(
        "  {}  {}  {}  {}  {}\n",
        pad_left("d_k", 5),
        pad_left(&word(ExText::MeasuredVar), 12),
        pad_left("Var = d_k", 9),
        pad_left(&word(ExText::MeasuredOverDk), 12),
        pad_left(&word(ExText::Mean), 8)
    ));
    for v in &r.variance {
        s.push_str(&format!(
            "  {:>5}  {:>12.3}  {:>9}  {:>12.4}  {:>8.3}\n",
            v.d_k, v.variance, v.d_k, v.scaled_variance, v.mean
        ));
    }
    s.push_str(&format!("{}\n", word(ExText::VarianceWhy)));
    let one_row = ExText::OneRow {
        keys: KEYS,
        d_k: row.d_k,
        seed: r.seed,
    };
    s.push_str(&format!("\n{}\n", word(one_row)));
    s.push_str(&format!("  {}", pad_right(&word(ExText::Scores), 22)));
    for x in &row.scores {
        s.push_str(&format!("{x:>8.2}"));
    }
    s.push('\n');
    s.push_str(&row_text(
        &format!("softmax(q·k / √{})", row.d_k),
        &row.scaled,
        lang,
    ));
    s.push_str(&row_text(&word(ExText::UnscaledRow), &row.unscaled, lang));
    let rows = r.curve.first().map_or(0, |c| c.rows);
    let curves = ExText::Curves {
        rows,
        keys: KEYS,
        ln: format!("{:.4}", (KEYS as f64).ln()),
    };
    s.push_str(&format!("\n{}\n", word(curves)));
    let (max, entropy) = (word(ExText::Max), word(ExText::Entropy));
    s.push_str(&format!(
        "  {}  {} {} {}   {} {} {}\n",
        pad_left("d_k", 5),
        pad_left(&max, 8),
        pad_left(&entropy, 8),
        pad_left("‖J‖", 8),
        pad_left(&max, 8),
        pad_left(&entropy, 8),
        pad_left("‖J‖", 8)
    ));
    s.push_str(&format!(
        "  {:>5}  {}   {}\n",
        "",
        centre(&word(ExText::Unscaled), 26),
        centre("÷ √d_k", 26)
    ));
    for c in &r.curve {
        s.push_str(&format!(
            "  {:>5}  {:>8.4} {:>8.4} {:>8.4}   {:>8.4} {:>8.4} {:>8.4}\n",
            c.d_k,
            c.unscaled.max,
            c.unscaled.entropy,
            c.unscaled.grad,
            c.scaled.max,
            c.scaled.entropy,
            c.scaled.grad
        ));
    }
    s.push_str(&format!("{}\n", word(ExText::CurvesWhy)));
    s
}

/// `s` centred in `w` display columns, the odd space on the right (as `{:^w}` does).
fn centre(s: &str, w: usize) -> String {
    let gap = w.saturating_sub(crate::render::width(s));
    format!("{}{s}{}", " ".repeat(gap / 2), " ".repeat(gap - gap / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measured_variance_is_d_k() {
        // Tolerance for seed 42, N = 10 000: the sample variance of q·k has a relative
        // standard error of about √(2 + 6/d_k)/√N ≤ 0.03, so |measured/d_k − 1| < 0.1 is
        // more than three standard errors for every d_k.
        for r in variance(SEED, SAMPLES).unwrap() {
            assert!(
                (r.variance / r.d_k as f64 - 1.0).abs() < 0.1,
                "d_k {}: variance {}",
                r.d_k,
                r.variance
            );
            assert!((r.scaled_variance - 1.0).abs() < 0.1);
            assert!(r.mean.abs() < 0.1 * (r.d_k as f64).sqrt());
        }
    }

    #[test]
    fn unscaled_rows_saturate_as_d_k_grows() {
        let c = curve(SEED, ROWS).unwrap();
        let last = c[c.len() - 1];
        for w in c.windows(2) {
            let (a, b) = (w[0].unscaled, w[1].unscaled);
            assert!(
                b.max > a.max,
                "max {} → {} at d_k {}",
                a.max,
                b.max,
                w[1].d_k
            );
            assert!(b.entropy < a.entropy, "entropy at d_k {}", w[1].d_k);
        }
        // The Jacobian norm is not monotone from d_k = 1: a flat row of 8 has ‖J‖ = 0.33
        // and one split over two keys [0.5, 0.5] has 0.5, so it first rises a little as the
        // row sharpens; from d_k = 4 on (seed 42: 0.350, 0.316, 0.253, …) it only falls.
        for w in c[2..].windows(2) {
            assert!(
                w[1].unscaled.grad < w[0].unscaled.grad,
                "grad at d_k {}",
                w[1].d_k
            );
        }
        assert!(last.unscaled.grad < 0.1, "{last:?}");
        assert!(last.unscaled.max > 0.9, "{last:?}");
        // The scaled rows stay alike: entropy within 10 % of d_k = 1's for every d_k.
        for p in &c {
            assert!(
                (p.scaled.entropy / c[0].scaled.entropy - 1.0).abs() < 0.1,
                "{p:?}"
            );
        }
    }

    #[test]
    fn jacobian_norm_matches_the_formula() {
        // w = [0.5, 0.5]: J = [[0.25, −0.25], [−0.25, 0.25]], ‖J‖_F = √(4 · 0.0625) = 0.5
        assert!((jacobian_norm(&[0.5, 0.5]) - 0.5).abs() < 1e-7);
        // one-hot: J = 0
        assert_eq!(jacobian_norm(&[1.0, 0.0, 0.0]), 0.0);
        // w = [0.7, 0.2, 0.1] against diag(w) − w wᵀ written out
        let w = [0.7, 0.2, 0.1];
        let mut s = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                let d = if i == j { w[i] } else { 0.0 } - w[i] * w[j];
                s += d * d;
            }
        }
        assert!((jacobian_norm(&w) - s.sqrt()).abs() < 1e-6);
    }

    #[test]
    fn one_row_with_and_without_scaling() {
        let r = row(SEED, 64).unwrap();
        assert_eq!(r.scores.len(), KEYS);
        let sum = |w: &[f64]| w.iter().sum::<f64>();
        assert!((sum(&r.scaled) - 1.0).abs() < 1e-12);
        assert!((sum(&r.unscaled) - 1.0).abs() < 1e-12);
        // ÷ 8 is a softer row: higher entropy.
        assert!(RowNumbers::of(&r.scaled).entropy > RowNumbers::of(&r.unscaled).entropy);
        // d_k = 1: √1 = 1, the two rows are the same.
        let one = row(SEED, 1).unwrap();
        assert_eq!(one.scaled, one.unscaled);
    }

    #[test]
    fn entropy_in_nats() {
        // uniform over 8: ln 8 = 2.0794415
        assert!((entropy([0.125; 8]) - 8f64.ln()).abs() < 1e-12);
        assert_eq!(entropy([1.0, 0.0]), 0.0);
    }
}
