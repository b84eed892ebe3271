//! Where an expectation points: the step, head, row and cell an address resolves to, and
//! whether the check fits that level.

use super::*;

/// What an address names inside a step.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'t> {
    /// The step.
    pub step: &'t Step,
    /// Head (per-head steps).
    pub head: Option<usize>,
    /// Row.
    pub row: Option<usize>,
    /// Column.
    pub col: Option<usize>,
}

impl Resolved<'_> {
    /// True when the address names a whole per-head step (no head given).
    pub fn is_whole_per_head(&self) -> bool {
        self.step.heads().is_some() && self.head.is_none()
    }

    /// The matrix of the named head (or the step's matrix).
    pub fn matrix(&self) -> Result<CowArray<'_, f32, Ix2>, TraceError> {
        self.step.matrix(self.head)
    }
}

/// Offsets k of [`PE_DOT`] (and positions p).
pub const PE_DOT_SIZE: usize = 64;
/// The explorer step of PE(p)·PE(p+k) ([`explorer_step`]).
pub const PE_DOT: &str = "pe.dot";
/// The prefix of the explorer steps of the rotations M_k,i ([`explorer_step`]).
pub const PE_ROT: &str = "pe.rot.";

/// The positional-encoding explorer's numbers a check can address besides the trace's
/// steps, computed (in f64, stored as f32) for the trace's d_model, the width of
/// `embed.pos`; `None` for other names, or when the trace has no `embed.pos`.
///
/// - `pe.dot`: PE(p)·PE(p+k), [`PE_DOT_SIZE`] positions p × as many offsets k
///   (`pe.dot[p][k]`);
/// - `pe.rot.{k}` (k ≤ 512): per frequency pair i (in the place of a head) the 2×2 rotation
///   M_k,i = [[cos ω_i k, sin ω_i k], [−sin ω_i k, cos ω_i k]] that takes
///   (PE(p)[2i], PE(p)[2i+1]) to (PE(p+k)[2i], PE(p+k)[2i+1]) (`pe.rot.{k}[i][r][c]`).
///
/// # Shapes
/// `pe.dot`: 64 × 64; `pe.rot.{k}`: ⌊d_model/2⌋ × 2 × 2.
pub fn explorer_step(trace: &Trace, name: &str) -> Option<Step> {
    use crate::explore::pe;
    use crate::trace::{StepKind, Tensor};
    use std::sync::Arc;
    if !name.starts_with("pe.") {
        return None;
    }
    let d = trace.get("embed.pos")?.dims().1;
    let labels = |prefix: &str, n: usize| {
        Arc::new((0..n).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>())
    };
    if name == PE_DOT {
        let m = pe::dots(PE_DOT_SIZE, PE_DOT_SIZE, d).ok()?;
        return Some(
            Step::build(
                PE_DOT,
                StepKind::Scores,
                Tensor::Matrix(m.mapv(|x| x as f32)),
            )
            .rows(labels("p", PE_DOT_SIZE))
            .cols(labels("k", PE_DOT_SIZE))
            .formula("PE(p)·PE(p+k)")
            .inputs(vec!["embed.pos".into()])
            .finish(),
        );
    }
    let k: usize = name.strip_prefix(PE_ROT)?.parse().ok()?;
    let pairs = pe::pairs(d);
    let mut t = ndarray::Array3::<f32>::zeros((pairs, 2, 2));
    for i in 0..pairs {
        let r = pe::rotation(0, k, i, d).ok()?;
        for (a, row) in r.m.iter().enumerate() {
            for (b, v) in row.iter().enumerate() {
                t[[i, a, b]] = *v as f32;
            }
        }
    }
    Some(
        Step::build(name, StepKind::Scores, Tensor::Heads(t))
            .rows(labels("r", 2))
            .cols(labels("c", 2))
            .formula("M_k,i = [[cos ω_i k, sin ω_i k], [−sin ω_i k, cos ω_i k]]")
            .inputs(vec!["embed.pos".into()])
            .finish(),
    )
}

/// Resolves an address against a trace, checking every index.
pub fn resolve<'t>(trace: &'t Trace, a: &Address) -> Result<Resolved<'t>, TraceError> {
    resolve_in(trace.step(&a.name)?, a)
}

/// Resolves an address against one step (the step `a` names), checking every index.
pub fn resolve_in<'t>(step: &'t Step, a: &Address) -> Result<Resolved<'t>, TraceError> {
    let (head, rest) = match (step.heads(), a.indices.as_slice()) {
        (Some(_), [h, rest @ ..]) => (Some(*h), rest),
        (_, rest) => (None, rest),
    };
    let oob = |axis, index, len| TraceError::IndexOutOfRange {
        name: a.name.clone(),
        axis,
        index,
        len,
    };
    if let (Some(h), Some(n)) = (head, step.heads())
        && h >= n
    {
        return Err(oob("head", h, n));
    }
    let (rows, cols) = step.dims();
    let (row, col) = match rest {
        [] => (None, None),
        [i] => (Some(*i), None),
        [i, j] => (Some(*i), Some(*j)),
        _ => {
            return Err(TraceError::WrongIndexCount {
                name: a.name.clone(),
                got: a.indices.len(),
                expected: if step.heads().is_some() { 3 } else { 2 },
            });
        }
    };
    if let Some(i) = row
        && i >= rows
    {
        return Err(oob("row", i, rows));
    }
    if let Some(j) = col
        && j >= cols
    {
        return Err(oob("column", j, cols));
    }
    Ok(Resolved {
        step,
        head,
        row,
        col,
    })
}

/// Why an expectation's check cannot apply at its address (a `sum` on one cell, a `value`
/// on a row, any numeric check on a whole per-head step), or why its expected numbers can
/// never match (NaN): a problem of the file, reported when it loads.
pub fn form_problem(r: &Resolved<'_>, e: &Expectation) -> Option<(&'static str, String)> {
    let check = kinds(e).first().copied()?;
    let name = r.step.name();
    if check == "shape" {
        return None;
    }
    if r.is_whole_per_head() {
        return Some((
            "at",
            format!(
                "{} has one matrix per head: add a head index, e.g. {}[0]",
                e.at, e.at
            ),
        ));
    }
    let wrong = match check {
        "value" if r.col.is_none() => Some(format!(
            "`value` needs a cell address like {}",
            cell_example(r)
        )),
        "row" | "argmax" if r.row.is_none() || r.col.is_some() => Some(format!(
            "`{check}` needs a row address, e.g. {}",
            row_example(r)
        )),
        "sum" if r.col.is_some() => Some(format!(
            "`sum` adds the cells of a row (or checks every row of a matrix): give a row address, e.g. {}, not a single cell",
            row_example(r)
        )),
        "matrix" | "zero_above_diagonal" if r.row.is_some() => Some(format!(
            "`{check}` needs a head or step address, not a row or cell: {}",
            match r.head {
                Some(h) => format!("{name}[{h}]"),
                None => name.to_string(),
            }
        )),
        _ => None,
    };
    if let Some(w) = wrong {
        return Some(("at", w));
    }
    let nan = match check {
        "value" => e.value.is_some_and(f64::is_nan),
        "sum" => e.sum.is_some_and(f64::is_nan),
        "row" => e.row.iter().flatten().any(|x| x.is_nan()),
        "matrix" => e.matrix.iter().flatten().flatten().any(|x| x.is_nan()),
        _ => false,
    };
    nan.then(|| {
        (
            check,
            "has NaN: an expected value must be a number (NaN equals nothing, so the check could never pass)".to_string(),
        )
    })
}

pub(super) fn cell_example(r: &Resolved<'_>) -> String {
    match r.head.or(r.step.heads().map(|_| 0)) {
        Some(h) => format!("{}[{h}][0][0]", r.step.name()),
        None => format!("{}[0][0]", r.step.name()),
    }
}

/// The first NaN or ±∞ among the checked cells (rows `rows`, every column) of `m`, with
/// its cell; the −∞ a mask puts in `masked` is allowed.
pub(super) fn first_non_finite(
    r: &Resolved<'_>,
    m: ArrayView2<'_, f32>,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
) -> Option<(String, f32)> {
    let neg_inf_ok = r.step.kind() == crate::trace::StepKind::Masked;
    for i in rows {
        for j in cols.clone() {
            let v = m[[i, j]];
            if v.is_nan() || v == f32::INFINITY || (v == f32::NEG_INFINITY && !neg_inf_ok) {
                return Some((cell_name(r.step.name(), r.head, i, j), v));
            }
        }
    }
    None
}

pub(super) fn row_example(r: &Resolved<'_>) -> String {
    match r.head.or(r.step.heads().map(|_| 0)) {
        Some(h) => format!("{}[{h}][0]", r.step.name()),
        None => format!("{}[0]", r.step.name()),
    }
}
