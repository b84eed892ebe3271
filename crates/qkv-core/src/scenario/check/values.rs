//! How checked values are compared and printed: tolerances, differences, cell names.

use super::*;

/// A compact number: `1e-4`, `0.0012`, `10`.
pub(super) fn short(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.is_infinite() || x.is_nan() {
        format!("{x}")
    } else if x.abs() < 1e-3 || x.abs() >= 1e6 {
        format!("{x:.1e}")
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// An expected number as written: [`crate::number::fmt_shortest`].
pub(super) use crate::number::fmt_shortest as num;

/// An actual f32 value: its shortest round-trip form, scientific when tiny or huge.
pub(super) fn val(x: f32) -> String {
    // Through f32's own shortest form, so 0.1f32 reads 0.1, not 0.10000000149011612.
    match format!("{x}").parse::<f64>() {
        Ok(v) if x.is_finite() => num(v),
        _ => num(f64::from(x)),
    }
}

/// |a − b| with equal infinities counting as 0 and NaN as ∞. An expected number that
/// rounds to the actual f32 is an exact match: qkv writes an f32 in its shortest form
/// (123456792 as 123456790), which must check against the value it came from.
pub(super) fn diff(actual: f32, expected: f64) -> f64 {
    let a = f64::from(actual);
    if a == expected || (expected as f32) == actual {
        0.0
    } else {
        let d = (a - expected).abs();
        if d.is_nan() { f64::INFINITY } else { d }
    }
}

/// Compares a matrix cell by cell; returns (max diff, worst (i, j), cells over tolerance).
pub(super) fn compare(
    actual: ArrayView2<'_, f32>,
    expected: &[Vec<f64>],
    tol: f64,
) -> Result<(f64, (usize, usize), usize), String> {
    let (n, m) = actual.dim();
    if expected.len() != n || expected.iter().any(|r| r.len() != m) {
        let em = expected.first().map_or(0, Vec::len);
        return Err(format!("shape {} × {em}, actual {n} × {m}", expected.len()));
    }
    let mut worst = (0.0f64, (0, 0));
    let mut over = 0;
    for (i, row) in expected.iter().enumerate() {
        for (j, e) in row.iter().enumerate() {
            let d = diff(actual[[i, j]], *e);
            if d > tol {
                over += 1;
            }
            if d > worst.0 {
                worst = (d, (i, j));
            }
        }
    }
    Ok((worst.0, worst.1, over))
}

pub(super) fn cell_name(base: &str, head: Option<usize>, i: usize, j: usize) -> String {
    match head {
        Some(h) => format!("{base}[{h}][{i}][{j}]"),
        None => format!("{base}[{i}][{j}]"),
    }
}

/// Where a compared matrix sits in its step: the head and the first row.
#[derive(Clone, Copy)]
pub(super) struct Origin<'a> {
    pub(super) name: &'a str,
    pub(super) head: Option<usize>,
    pub(super) first_row: usize,
}

pub(super) fn matrix_result(
    at: &str,
    check: &'static str,
    origin: Origin<'_>,
    actual: ArrayView2<'_, f32>,
    expected: &[Vec<f64>],
    tol: f64,
) -> CheckResult {
    match compare(actual, expected, tol) {
        Err(shape) => CheckResult {
            at: at.to_string(),
            check,
            passed: false,
            expected: shape.split(", actual").next().unwrap_or("").to_string(),
            actual: format!("{} × {}", actual.nrows(), actual.ncols()),
            diff: None,
            tolerance: Some(tol),
            detail: Some("the expected matrix has the wrong shape".into()),
        },
        Ok((d, (i, j), over)) => {
            let cell = cell_name(origin.name, origin.head, origin.first_row + i, j);
            CheckResult {
                at: at.to_string(),
                check,
                passed: over == 0,
                expected: format!("{cell} = {}", num(expected[i][j])),
                actual: val(actual[[i, j]]),
                diff: Some(d),
                tolerance: Some(tol),
                detail: Some(if over == 0 {
                    format!("{} cells, largest difference at {cell}", actual.len())
                } else {
                    format!(
                        "{over} of {} cells outside the tolerance; worst {cell}",
                        actual.len()
                    )
                }),
            }
        }
    }
}
