//! How every number is printed: the one rule the matrices, explanations, practice, the REPL,
//! the workbench and the md/csv/tex/svg exports share.
//!
//! - A value is printed at a fixed `precision` (digits after the decimal point), with the
//!   minus sign `−` (U+2212) and no `−0`.
//! - A value that is **not** zero but would round to zero at that precision keeps its
//!   significant digits in scientific notation (`1.64e−5`, not `0.0000`): only an exact 0
//!   (a masked cell's weight) prints as `0`. The article's point is that only the −∞ mask
//!   gives a weight of exactly 0; e^(−11) is small, not zero.
//! - −∞ is `−∞`, +∞ is `∞`, NaN is `NaN`.

/// The minus sign every printed number uses (U+2212).
pub const MINUS: char = '−';

/// The most digits after the decimal point a command accepts (`--precision`, `set precision`).
pub const MAX_PRECISION: usize = 12;

/// Significant digits kept by a nonzero value that would round to zero (`1.64e−5`).
pub const TINY_DIGITS: usize = 3;

/// True when `v` is not zero but would print as zero at `precision` (below half its last
/// digit: below 0.00005 at precision 4).
pub fn rounds_to_zero(v: f64, precision: usize) -> bool {
    v != 0.0 && v.is_finite() && v.abs() < 0.5 * 10f64.powi(-(precision.min(300) as i32))
}

/// `v` in scientific notation with `digits` significant digits (at least 1) and the minus
/// sign `−`: `scientific(1.6702e-5, 3)` is `1.67e−5`.
pub fn scientific(v: f64, digits: usize) -> String {
    let s = format!("{:.*e}", digits.max(1) - 1, v);
    s.replace('-', &MINUS.to_string())
}

/// A number at a fixed `precision`: `0.2500`, `−1.5000`, `1.64e−5` for a nonzero value that
/// would round to zero, `0.0000` for zero, `−∞` / `∞` / `NaN`.
pub fn fmt_value(v: f32, precision: usize) -> String {
    fmt_value_f64(f64::from(v), precision)
}

/// [`fmt_value`] for an f64 (a loss, a sum).
pub fn fmt_value_f64(v: f64, precision: usize) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == f64::NEG_INFINITY {
        format!("{MINUS}∞")
    } else if v == f64::INFINITY {
        "∞".to_string()
    } else if rounds_to_zero(v, precision) {
        scientific(v, TINY_DIGITS)
    } else {
        let s = format!("{v:.precision$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            Some(rest) => format!("{MINUS}{rest}"),
            None => s,
        }
    }
}

/// A number as explanations print it: [`fmt_value`] with trailing zeros dropped
/// (`1.2500` → `1.25`, `10.0000` → `10`, `3.00e−5` → `3e−5`).
pub fn fmt_number(v: f32, precision: usize) -> String {
    trim_zeros(fmt_value(v, precision))
}

/// A number used as an operand: as [`fmt_number`], in parentheses when negative.
pub fn fmt_operand(v: f32, precision: usize) -> String {
    let s = fmt_number(v, precision);
    if s.starts_with(MINUS) {
        format!("({s})")
    } else {
        s
    }
}

/// A gradient as explanations print it: like [`fmt_number`], but a value below 0.01 keeps
/// `precision` significant digits (`1.234e−4` at precision 4): a trained model's gradients
/// are mostly far below the values they change.
pub fn fmt_grad(v: f32, precision: usize) -> String {
    if v != 0.0 && v.is_finite() && v.abs() < 0.01 {
        return scientific(f64::from(v), precision.max(2));
    }
    fmt_number(v, precision)
}

/// A number in a column `w` wide: [`fmt_value`] when it fits, else fewer digits (fewer
/// significant digits for a tiny value, scientific notation for a huge one), `#…` when
/// nothing fits.
pub fn fmt_fit(v: f32, precision: usize, w: usize) -> String {
    let fits = |s: &String| unicode_width::UnicodeWidthStr::width(s.as_str()) <= w;
    let full = fmt_value(v, precision);
    if fits(&full) || !v.is_finite() {
        return full;
    }
    if rounds_to_zero(f64::from(v), precision) {
        for d in (1..TINY_DIGITS).rev() {
            let s = scientific(f64::from(v), d);
            if fits(&s) {
                return s;
            }
        }
    } else {
        for p in (0..precision).rev() {
            let s = fmt_value(v, p);
            if fits(&s) && !rounds_to_zero(f64::from(v), p) {
                return s;
            }
        }
        let s = scientific(f64::from(v), 1);
        if fits(&s) {
            return s;
        }
    }
    "#".repeat(w)
}

/// A number written in its shortest round-trip form (`0.01`, `1e-6`, `123.5`), scientific
/// when tiny or huge: how tolerances and the numbers a scenario checks are written (plain
/// ASCII, so they can be pasted back into a scenario).
pub fn fmt_shortest(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x < 0.0 {
            "−∞".into()
        } else {
            "∞".into()
        }
    } else if x != 0.0 && (x.abs() < 1e-4 || x.abs() >= 1e7) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `s` with the trailing zeros of its decimal part dropped (`1.2500` → `1.25`, `2.50e−5` →
/// `2.5e−5`).
fn trim_zeros(s: String) -> String {
    let (mantissa, exponent) = match s.find('e') {
        Some(k) => (&s[..k], &s[k..]),
        None => (s.as_str(), ""),
    };
    if !mantissa.contains('.') {
        return s;
    }
    let kept = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{kept}{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_values_keep_their_digits() {
        // The article's attend without scaling: scores 10, −1, 6, so weight[1] is
        // e^(−11) / (1 + e^(−11) + e^(−4)) = 1.6702e-5 / 1.01833 ≈ 1.64e-5: not zero.
        let w = (-11f64).exp() / (1.0 + (-11f64).exp() + (-4f64).exp());
        assert_eq!(fmt_value(w as f32, 4), "1.64e−5");
        assert_eq!(fmt_number(1.64e-5, 4), "1.64e−5");
        assert_eq!(fmt_number(3e-5, 4), "3e−5");
        assert_eq!(fmt_value(3e-5, 4), "3.00e−5");
        assert_eq!(fmt_number(-2.4e-7, 4), "−2.4e−7");
        // 0.00005 rounds up to 0.0001 at precision 4: not tiny.
        assert_eq!(fmt_value(0.00006, 4), "0.0001");
        // Exact zero and −0 print as zero; −∞ as −∞.
        assert_eq!(fmt_value(0.0, 4), "0.0000");
        assert_eq!(fmt_value(-0.0, 4), "0.0000");
        assert_eq!(fmt_number(0.0, 4), "0");
        assert_eq!(fmt_number(f32::NEG_INFINITY, 4), "−∞");
        assert_eq!(fmt_value_f64(2.9e-6, 4), "2.90e−6");
    }

    #[test]
    fn ordinary_values() {
        assert_eq!(fmt_number(10.0, 4), "10");
        assert_eq!(fmt_number(1.25, 4), "1.25");
        assert_eq!(fmt_number(-0.87, 4), "−0.87");
        assert_eq!(fmt_value(5.773_503, 4), "5.7735");
        assert_eq!(fmt_value(f32::NAN, 3), "NaN");
        assert_eq!(fmt_number(f32::INFINITY, 2), "∞");
        assert_eq!(fmt_number(f32::NAN, 2), "NaN");
        assert_eq!(fmt_number(3.0, 0), "3");
        assert_eq!(fmt_operand(0.31, 4), "0.31");
        assert_eq!(fmt_operand(-0.87, 4), "(−0.87)");
        assert_eq!(fmt_grad(0.000_123_4, 4), "1.234e−4");
        assert_eq!(fmt_grad(-0.5, 4), "−0.5");
        assert_eq!(fmt_grad(0.0, 4), "0");
    }

    #[test]
    fn fitting_a_column() {
        assert_eq!(fmt_fit(0.374_270_6, 4, 8), "0.3743");
        assert_eq!(fmt_fit(f32::NEG_INFINITY, 4, 8), "−∞");
        assert_eq!(fmt_fit(-1234.5678, 4, 8), "−1234.57");
        assert_eq!(fmt_fit(123_456_789.0, 4, 8), "1e8");
        // 1.64e−5 is 7 wide; in 6 columns it keeps 2 significant digits, in 4 one.
        assert_eq!(fmt_fit(1.64e-5, 4, 7), "1.64e−5");
        assert_eq!(fmt_fit(1.64e-5, 4, 6), "1.6e−5");
        assert_eq!(fmt_fit(1.64e-5, 4, 4), "2e−5");
        assert_eq!(fmt_fit(1.64e-5, 4, 3), "###");
    }
}
