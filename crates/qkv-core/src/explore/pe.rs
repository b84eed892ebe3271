//! The positional-encoding explorer: the PE table, the dot products PE(p)·PE(p+k), and the
//! rotation that takes PE(p) to PE(p+k), all in f64 from the model's own
//! [`pe_value_f64`]/[`pe_angle`] (the formula is not written again here).
//!
//! The model's layout puts `sin(ω_i p)` in column 2i and `cos(ω_i p)` in column 2i+1, with
//! `ω_i = 1 / 10000^(2i/d_model)`. By the angle-sum formulas
//! `sin(ω(p+k)) = cos(ωk)·sin(ωp) + sin(ωk)·cos(ωp)` and
//! `cos(ω(p+k)) = −sin(ωk)·sin(ωp) + cos(ωk)·cos(ωp)`, so the pair (2i, 2i+1) moves by
//! `M_k,i = [[cos ωk, sin ωk], [−sin ωk, cos ωk]]` — a matrix that depends on k, not on p —
//! and `PE(p)·PE(p+k) = Σ_i cos(ω_i k)` (for an even d_model), a function of k alone.

use ndarray::Array2;

use super::{ExploreError, in_range};
use crate::i18n::Lang;
use crate::i18n::explore_text::ExText;
use crate::model::embedding::{pe_angle, pe_value_f64};

/// Largest number of positions (or offsets) an explorer table holds.
pub const MAX_POSITIONS: usize = 512;
/// Largest d_model the explorer accepts.
pub const MAX_D_MODEL: usize = 1024;

/// The PE table in f64.
///
/// # Shapes
/// Returns positions × d_model.
pub fn table(positions: usize, d_model: usize) -> Result<Array2<f64>, ExploreError> {
    in_range("positions", positions, 1, MAX_POSITIONS)?;
    in_range("d_model", d_model, 1, MAX_D_MODEL)?;
    Ok(Array2::from_shape_fn((positions, d_model), |(p, c)| {
        pe_value_f64(p, c, d_model)
    }))
}

/// `PE(p)·PE(p+k)` for p in 0..positions and k in 0..offsets.
///
/// # Shapes
/// Returns positions × offsets: row p, column k.
pub fn dots(positions: usize, offsets: usize, d_model: usize) -> Result<Array2<f64>, ExploreError> {
    in_range("positions", positions, 1, MAX_POSITIONS)?;
    in_range("offsets", offsets, 1, MAX_POSITIONS)?;
    in_range("d_model", d_model, 1, MAX_D_MODEL)?;
    let t = table(positions + offsets - 1, d_model)?;
    Ok(Array2::from_shape_fn((positions, offsets), |(p, k)| {
        t.row(p).dot(&t.row(p + k))
    }))
}

/// For each offset k, the largest minus the smallest of `PE(p)·PE(p+k)` over p: 0 (up to
/// rounding) when the dot product depends on k alone.
///
/// # Shapes
/// `dots`: positions × offsets → offsets.
pub fn spread_over_p(dots: &Array2<f64>) -> Vec<f64> {
    dots.columns()
        .into_iter()
        .map(|c| {
            let (lo, hi) = c
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                    (lo.min(*x), hi.max(*x))
                });
            hi - lo
        })
        .collect()
}

/// The number of (sin, cos) pairs of a d_model: ⌊d_model / 2⌋ (an odd d_model's last
/// column is a sine without a partner).
pub fn pairs(d_model: usize) -> usize {
    d_model / 2
}

/// The frequency ω_i = 1 / 10000^(2i/d_model) of pair i (the angle at position 1).
pub fn omega(i: usize, d_model: usize) -> f64 {
    pe_angle(1, 2 * i, d_model)
}

/// The linear map from PE(p) to PE(p+k) on one frequency pair, with its check.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    /// Position p.
    pub p: usize,
    /// Offset k.
    pub k: usize,
    /// Pair i: columns 2i (sin) and 2i+1 (cos).
    pub pair: usize,
    /// d_model.
    pub d_model: usize,
    /// ω_i.
    pub omega: f64,
    /// M_k,i = [[cos ωk, sin ωk], [−sin ωk, cos ωk]].
    pub m: [[f64; 2]; 2],
    /// PE(p)[2i..2i+2] = [sin ωp, cos ωp].
    pub from: [f64; 2],
    /// M · PE(p)[2i..2i+2].
    pub predicted: [f64; 2],
    /// PE(p+k)[2i..2i+2], computed directly.
    pub actual: [f64; 2],
}

impl Rotation {
    /// Largest |predicted − actual|.
    pub fn residual(&self) -> f64 {
        (self.predicted[0] - self.actual[0])
            .abs()
            .max((self.predicted[1] - self.actual[1]).abs())
    }
}

/// The rotation of pair `pair` by offset `k`, applied to PE(p).
pub fn rotation(p: usize, k: usize, pair: usize, d_model: usize) -> Result<Rotation, ExploreError> {
    in_range("d_model", d_model, 2, MAX_D_MODEL)?;
    in_range("pair", pair, 0, pairs(d_model) - 1)?;
    in_range("p", p, 0, MAX_POSITIONS)?;
    in_range("k", k, 0, MAX_POSITIONS)?;
    let w = omega(pair, d_model);
    // The angle ωk of the rotation: the model's angle at "position" k.
    let a = pe_angle(k, 2 * pair, d_model);
    let m = [[a.cos(), a.sin()], [-a.sin(), a.cos()]];
    let at = |q: usize| {
        [
            pe_value_f64(q, 2 * pair, d_model),
            pe_value_f64(q, 2 * pair + 1, d_model),
        ]
    };
    let from = at(p);
    let predicted = [
        m[0][0] * from[0] + m[0][1] * from[1],
        m[1][0] * from[0] + m[1][1] * from[1],
    ];
    Ok(Rotation {
        p,
        k,
        pair,
        d_model,
        omega: w,
        m,
        from,
        predicted,
        actual: at(p + k),
    })
}

/// Everything the PE view and `explore pe` show.
#[derive(Debug, Clone, PartialEq)]
pub struct PeReport {
    /// d_model.
    pub d_model: usize,
    /// PE table, positions × d_model.
    pub table: Array2<f64>,
    /// PE(p)·PE(p+k), positions × offsets.
    pub dots: Array2<f64>,
    /// Per offset k: max − min over p of the dot product.
    pub spread: Vec<f64>,
    /// The rotation for the chosen p, k, pair.
    pub rotation: Rotation,
}

/// The report for `positions` positions (and as many offsets), d_model, and the rotation
/// (p, k, pair).
pub fn report(
    positions: usize,
    d_model: usize,
    (p, k, pair): (usize, usize, usize),
) -> Result<PeReport, ExploreError> {
    let dots = dots(positions, positions, d_model)?;
    Ok(PeReport {
        d_model,
        table: table(positions, d_model)?,
        spread: spread_over_p(&dots),
        dots,
        rotation: rotation(p, k, pair, d_model)?,
    })
}

/// The first `rows` × `cols` of `m` as text: a header of `{col}0 {col}1 …`, then one line per
/// position `p0 p1 …`, six decimals.
///
/// # Shapes
/// `m`: at least rows × cols.
fn push_grid(s: &mut String, m: &Array2<f64>, rows: usize, cols: usize, col: char) {
    for c in 0..cols {
        s.push_str(&format!("{:>10}", format!("{col}{c}")));
    }
    s.push('\n');
    for p in 0..rows {
        s.push_str(&format!("{:>4} ", format!("p{p}")));
        for c in 0..cols {
            s.push_str(&format!("{:>10.6}", m[[p, c]]));
        }
        s.push('\n');
    }
}

/// The text of `explore pe` in `lang`: ω per pair, the PE table (first `dims` columns), the
/// dot products with their spread over p, and the rotation with its residual.
pub fn text(r: &PeReport, dims: usize, lang: Lang) -> String {
    let d = r.d_model;
    let dims = dims.clamp(1, d);
    let (positions, offsets) = r.dots.dim();
    let mut s = format!("{}\n", ExText::PeHeader(d).text(lang));
    s.push_str("ω_i:");
    for i in 0..pairs(d).min(8) {
        s.push_str(&format!("  i={i} {:.6}", omega(i, d)));
    }
    if pairs(d) > 8 {
        s.push_str(&ExText::MorePairs(pairs(d)).text(lang));
    }
    if !d.is_multiple_of(2) {
        s.push_str(&ExText::Unpaired(d - 1).text(lang));
    }
    s.push('\n');
    let table = ExText::PeTable {
        last_p: positions - 1,
        last_dim: dims - 1,
        d,
    };
    s.push_str(&format!("\n{}\n     ", table.text(lang)));
    push_grid(&mut s, &r.table, positions, dims, 'd');
    let dots = ExText::DotsTable {
        last_p: positions - 1,
        last_k: offsets - 1,
    };
    s.push_str(&format!("\n{}\n     ", dots.text(lang)));
    push_grid(&mut s, &r.dots, positions, offsets, 'k');
    s.push_str(&format!("{}\n     ", ExText::SpreadLabel.text(lang)));
    for v in &r.spread {
        s.push_str(&format!("{:>10.1e}", v));
    }
    s.push('\n');
    let worst = format!("{:.1e}", r.spread.iter().copied().fold(0.0, f64::max));
    if d.is_multiple_of(2) {
        s.push_str(&ExText::OneNumberPerColumn(worst).text(lang));
    } else {
        s.push_str(&ExText::OddSpread(worst).text(lang));
    }
    s.push('\n');
    let t = &r.rotation;
    let (i, a) = (t.pair, t.omega * t.k as f64);
    let heading = ExText::Rotation {
        pair: i,
        c0: 2 * i,
        c1: 2 * i + 1,
        k: t.k,
        p: t.p,
    };
    s.push_str(&format!("\n{}\n", heading.text(lang)));
    s.push_str(&format!(
        "  ω_i = {:.6}, ω_i·k = {a:.6}\n  M = [[cos ω_i·k, sin ω_i·k], [−sin ω_i·k, cos ω_i·k]] = [[{:.6}, {:.6}], [{:.6}, {:.6}]]\n",
        t.omega, t.m[0][0], t.m[0][1], t.m[1][0], t.m[1][1]
    ));
    s.push_str(&format!(
        "  PE(p)[{}..{}]   = [{:.6}, {:.6}]\n  M · PE(p)       = [{:.6}, {:.6}]\n  PE(p+k)[{}..{}] = [{:.6}, {:.6}]   {} {:.1e}\n",
        2 * i,
        2 * i + 2,
        t.from[0],
        t.from[1],
        t.predicted[0],
        t.predicted[1],
        2 * i,
        2 * i + 2,
        t.actual[0],
        t.actual[1],
        ExText::Residual.text(lang),
        t.residual()
    ));
    s.push_str(&ExText::RotationWhy.text(lang));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::embedding::sinusoidal;

    #[test]
    fn hand_values() {
        let t = table(3, 4).unwrap();
        // PE(1,0) = sin(1/10000^0) = sin 1 = 0.8414710; PE(1,1) = cos 1 = 0.5403023
        assert!((t[[1, 0]] - 0.841_470_984_807_896_5).abs() < 1e-15);
        assert!((t[[1, 1]] - 0.540_302_305_868_139_8).abs() < 1e-15);
        // d_model 4, pair 1: ω = 1/10000^(2/4) = 0.01; PE(2,2) = sin 0.02, PE(2,3) = cos 0.02
        assert!((t[[2, 2]] - 0.02f64.sin()).abs() < 1e-15);
        assert!((t[[2, 3]] - 0.02f64.cos()).abs() < 1e-15);
        // PE(0) = [0, 1, 0, 1]
        assert_eq!(t.row(0).to_vec(), vec![0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn table_is_the_models_table() {
        let model = sinusoidal(20, 9);
        let t = table(20, 9).unwrap();
        for ((p, c), v) in model.indexed_iter() {
            assert_eq!(*v, t[[p, c]] as f32, "PE[{p}][{c}]");
        }
    }

    #[test]
    fn dot_depends_on_k_only() {
        for d in [4, 8, 16, 64] {
            let dd = dots(50, 20, d).unwrap();
            for k in 0..20 {
                // Σ_i cos(ω_i k): d/2 terms
                let want: f64 = (0..d / 2).map(|i| (omega(i, d) * k as f64).cos()).sum();
                for p in [0, 1, 7, 23, 49] {
                    assert!((dd[[p, k]] - want).abs() < 1e-9, "d {d} p {p} k {k}");
                }
            }
            assert!(spread_over_p(&dd).iter().all(|s| *s < 1e-9));
        }
        // k = 0: PE(p)·PE(p) = Σ_i (sin² + cos²) = d/2 = 4 for d_model 8.
        assert!((dots(5, 1, 8).unwrap()[[3, 0]] - 4.0).abs() < 1e-12);
    }

    #[test]
    fn odd_d_model_dot_depends_on_p() {
        // d_model 1: the only column is an unpaired sine, PE(p)·PE(p+1) = sin p · sin(p+1):
        // p 0 → 0, p 1 → sin 1 · sin 2 = 0.765: it varies with p.
        let s = spread_over_p(&dots(10, 3, 1).unwrap());
        assert!(s[1] > 0.7, "{s:?}");
    }

    #[test]
    fn rotation_reproduces_the_shifted_encoding() {
        for d in [4, 8, 64, 512] {
            for pair in [0, 1, d / 2 - 1] {
                for (p, k) in [(0, 1), (3, 5), (17, 2), (100, 37), (0, 0)] {
                    let r = rotation(p, k, pair, d).unwrap();
                    assert!(r.residual() < 1e-12, "d {d} i {pair} p {p} k {k}: {r:?}");
                    // M is a rotation: det = cos² + sin² = 1
                    let det = r.m[0][0] * r.m[1][1] - r.m[0][1] * r.m[1][0];
                    assert!((det - 1.0).abs() < 1e-15);
                }
            }
        }
        // p 0, k 1, pair 0: M = [[cos 1, sin 1], [−sin 1, cos 1]], PE(0) pair = [0, 1],
        // M·[0, 1] = [sin 1, cos 1] = PE(1) pair.
        let r = rotation(0, 1, 0, 4).unwrap();
        assert!((r.m[0][1] - 1f64.sin()).abs() < 1e-15);
        assert!((r.m[1][0] + 1f64.sin()).abs() < 1e-15);
        assert!((r.predicted[0] - 0.841_470_984_807_896_5).abs() < 1e-15);
    }

    #[test]
    fn the_other_sign_convention_does_not_reproduce_it() {
        // The transpose [[cos, −sin], [sin, cos]] would rotate the other way: its residual
        // at p 1, k 1, pair 0 is |sin 0 − sin 2| = 0.909.
        let r = rotation(1, 1, 0, 4).unwrap();
        let wrong0 = r.m[0][0] * r.from[0] + r.m[1][0] * r.from[1];
        assert!((wrong0 - r.actual[0]).abs() > 0.9);
    }

    #[test]
    fn bad_requests_say_what_is_allowed() {
        assert_eq!(
            rotation(0, 1, 4, 8).unwrap_err().to_string(),
            "pair = 4 is out of range: allowed 0 to 3"
        );
        assert!(table(0, 8).is_err());
        assert!(rotation(0, 1, 0, 1).is_err());
    }
}
