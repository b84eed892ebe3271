//! How explanations print numbers: operands, results, the = or ≈ between them.

use super::*;

pub use crate::number::{fmt_number, fmt_operand};

/// True when a recomputed value matches the trace's (relative 1e-3; equal infinities and
/// two NaN match).
pub(super) fn agrees(a: f32, b: f32) -> bool {
    if a == b || (a.is_nan() && b.is_nan()) {
        return true;
    }
    (a - b).abs() <= 1e-3 * a.abs().max(b.abs()).max(1.0)
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
