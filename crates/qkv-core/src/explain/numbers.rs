//! How explanations print numbers: operands, results, the = or ≈ between them.

use super::*;

/// True when a recomputed value matches the trace's (relative 1e-3; equal infinities and
/// two NaN match).
pub(super) fn agrees(a: f32, b: f32) -> bool {
    if a == b || (a.is_nan() && b.is_nan()) {
        return true;
    }
    (a - b).abs() <= 1e-3 * a.abs().max(b.abs()).max(1.0)
}

/// A number as explanations print it: [`fmt_value`] at `precision` digits with trailing zeros
/// dropped (`1.2500` → `1.25`, `10.0000` → `10`), the minus sign `−` (U+2212), `∞` / `−∞`.
pub fn fmt_number(v: f32, precision: usize) -> String {
    if v == f32::INFINITY {
        return "∞".to_string();
    }
    if v == f32::NEG_INFINITY {
        return format!("{MINUS}∞");
    }
    let mut s = fmt_value(v, precision);
    if s.contains('.') {
        let kept = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(kept);
    }
    if s == "-0" {
        s = "0".to_string();
    }
    match s.strip_prefix('-') {
        Some(rest) => format!("{MINUS}{rest}"),
        None => s,
    }
}

/// LayerNorm's eps: `1e-5` in scientific notation when it would print as 0, else as a number.
pub(super) fn fmt_eps(eps: f32, precision: usize) -> String {
    if eps < 10f32.powi(-(precision.min(30) as i32)) * 10.0 {
        format!("{eps:e}")
    } else {
        fmt_number(eps, precision)
    }
}

/// The value a printed number or product stands for: `0.25`, `(−1.5)`, `2×(−0.5)`, `−∞`
/// (`None` for anything else, such as `…`).
pub(super) fn printed_value(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('×') {
        return Some(printed_value(a)? * printed_value(b)?);
    }
    let s = s
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(s);
    match s.replace(MINUS, "-").as_str() {
        "∞" => Some(f64::INFINITY),
        "-∞" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

/// `=` when `exact` (the result of the printed operands) prints as `shown` does, else `≈`:
/// every printed equation holds for the printed numbers.
pub(super) fn eq_sign(exact: f64, shown: &str, precision: usize) -> &'static str {
    if fmt_number(exact as f32, precision) == shown {
        "="
    } else {
        "≈"
    }
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
