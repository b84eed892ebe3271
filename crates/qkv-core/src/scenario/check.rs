//! Runs a scenario's expectations against its trace: pass/fail per expectation, with the
//! expected and actual values, their difference and the tolerance.

use ndarray::{ArrayView2, CowArray, Ix2};

use super::schema::{ArgmaxSpec, AttentionScenario, Expectation, Scenario};
use crate::trace::{Address, RowStats, Step, Trace, TraceError};

/// What a check expects of every checked value (the `expected` of a non-finite failure).
const FINITE: &str = "finite numbers";

/// Default tolerance of a numeric expectation.
pub const DEFAULT_TOLERANCE: f64 = 1e-4;

/// The check fields an expectation sets.
pub fn kinds(e: &Expectation) -> Vec<&'static str> {
    let mut k = Vec::new();
    if e.value.is_some() {
        k.push("value");
    }
    if e.matrix.is_some() {
        k.push("matrix");
    }
    if e.row.is_some() {
        k.push("row");
    }
    if e.sum.is_some() {
        k.push("sum");
    }
    if e.zero_above_diagonal.is_some() {
        k.push("zero_above_diagonal");
    }
    if e.argmax.is_some() {
        k.push("argmax");
    }
    if e.shape.is_some() {
        k.push("shape");
    }
    k
}

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

fn cell_example(r: &Resolved<'_>) -> String {
    match r.head.or(r.step.heads().map(|_| 0)) {
        Some(h) => format!("{}[{h}][0][0]", r.step.name()),
        None => format!("{}[0][0]", r.step.name()),
    }
}

/// The first NaN or ±∞ among the checked cells (rows `rows`, every column) of `m`, with
/// its cell; the −∞ a mask puts in `masked` is allowed.
fn first_non_finite(
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

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// Where (the address).
    pub at: String,
    /// Which check (`value`, `matrix`, …).
    pub check: &'static str,
    /// Did it hold.
    pub passed: bool,
    /// The expected value, as text.
    pub expected: String,
    /// The actual value, as text.
    pub actual: String,
    /// Largest absolute difference, for numeric checks.
    pub diff: Option<f64>,
    /// Tolerance used, for numeric checks.
    pub tolerance: Option<f64>,
    /// Extra detail (the worst cell of a matrix, the count of failing cells, a note).
    pub detail: Option<String>,
}

impl CheckResult {
    /// One line: `PASS  at  check  expected …  actual …  |diff| …  tol …  (detail)`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{}  {}  {}  expected {}  actual {}",
            if self.passed { "PASS" } else { "FAIL" },
            self.at,
            self.check,
            self.expected,
            self.actual
        );
        if let Some(d) = self.diff {
            s.push_str(&format!("  |diff| {}", short(d)));
        }
        if let Some(t) = self.tolerance {
            s.push_str(&format!("  tol {}", short(t)));
        }
        if let Some(d) = &self.detail {
            s.push_str(&format!("  ({d})"));
        }
        s
    }
}

/// Every expectation's outcome for one scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckReport {
    /// In file order.
    pub results: Vec<CheckResult>,
}

impl CheckReport {
    /// Number passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }
    /// Number failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

/// A compact number: `1e-4`, `0.0012`, `10`.
fn short(x: f64) -> String {
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

/// An expected number as written: shortest round-trip form, scientific when tiny or huge.
fn num(x: f64) -> String {
    if x.is_infinite() {
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

/// An actual f32 value: shortest round-trip form, scientific when tiny or huge.
fn val(x: f32) -> String {
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

/// |a − b| with equal infinities counting as 0 and NaN as ∞. An expected number that
/// rounds to the actual f32 is an exact match: qkv writes an f32 in its shortest form
/// (123456792 as 123456790), which must check against the value it came from.
fn diff(actual: f32, expected: f64) -> f64 {
    let a = f64::from(actual);
    if a == expected || (expected as f32) == actual {
        0.0
    } else {
        let d = (a - expected).abs();
        if d.is_nan() { f64::INFINITY } else { d }
    }
}

/// Compares a matrix cell by cell; returns (max diff, worst (i, j), cells over tolerance).
fn compare(
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

fn cell_name(base: &str, head: Option<usize>, i: usize, j: usize) -> String {
    match head {
        Some(h) => format!("{base}[{h}][{i}][{j}]"),
        None => format!("{base}[{i}][{j}]"),
    }
}

/// Where a compared matrix sits in its step: the head and the first row.
#[derive(Clone, Copy)]
struct Origin<'a> {
    name: &'a str,
    head: Option<usize>,
    first_row: usize,
}

fn matrix_result(
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

/// Runs one expectation (already validated by [`super::build`]).
pub fn run_expectation(trace: &Trace, e: &Expectation) -> CheckResult {
    let tol = e.tolerance.unwrap_or(DEFAULT_TOLERANCE);
    let check = kinds(e).first().copied().unwrap_or("value");
    let fail = |msg: String| CheckResult {
        at: e.at.clone(),
        check,
        passed: false,
        expected: "-".into(),
        actual: "-".into(),
        diff: None,
        tolerance: None,
        detail: Some(msg),
    };
    let addr = match Address::parse(&e.at) {
        Ok(a) => a,
        Err(err) => return fail(err.to_string()),
    };
    let derived = explorer_step(trace, &addr.name);
    let r = match derived
        .as_ref()
        .map_or_else(|| resolve(trace, &addr), |s| resolve_in(s, &addr))
    {
        Ok(r) => r,
        Err(err) => return fail(err.to_string()),
    };
    let mut res = match check {
        "shape" => shape_check(&r, e),
        _ if r.is_whole_per_head() => fail(format!(
            "{} has one matrix per head: add a head index, e.g. {}[0]",
            e.at, e.at
        )),
        _ => match numeric_check(&r, e, check, tol) {
            Ok(res) => res,
            Err(msg) => fail(msg),
        },
    };
    if !res.passed
        && res.expected == FINITE
        && let Some((at, _)) = trace.first_non_finite()
        && let Some(d) = &mut res.detail
    {
        d.push_str(&format!("; the first non-finite value of the pass is {at}"));
    }
    if res.detail.is_none() {
        res.detail.clone_from(&e.note);
    }
    res
}

fn shape_check(r: &Resolved<'_>, e: &Expectation) -> CheckResult {
    let want = e.shape.clone().unwrap_or_default();
    let got = if r.head.is_some() {
        let (a, b) = r.step.dims();
        vec![a, b]
    } else {
        r.step.shape()
    };
    let show = |v: &[usize]| {
        v.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
            .join(" × ")
    };
    CheckResult {
        at: e.at.clone(),
        check: "shape",
        passed: got == want,
        expected: show(&want),
        actual: show(&got),
        diff: None,
        tolerance: None,
        detail: None,
    }
}

fn numeric_check(
    r: &Resolved<'_>,
    e: &Expectation,
    check: &'static str,
    tol: f64,
) -> Result<CheckResult, String> {
    let m = r.matrix().map_err(|e| e.to_string())?;
    let name = r.step.name();
    // A NaN or ±∞ in a checked value fails, whatever the check: `sum` and `argmax` would
    // otherwise skip it (a NaN row summing to −0) and pass.
    let (nr, nc) = m.dim();
    let (rows, cols) = match (r.row, r.col) {
        (Some(i), Some(j)) if i < nr && j < nc => (i..i + 1, j..j + 1),
        (Some(i), None) if i < nr => (i..i + 1, 0..nc),
        _ => (0..nr, 0..nc),
    };
    if let Some((cell, v)) = first_non_finite(r, m.view(), rows, cols) {
        return Ok(CheckResult {
            at: e.at.clone(),
            check,
            passed: false,
            expected: FINITE.into(),
            actual: format!("{cell} = {}", val(v)),
            diff: None,
            tolerance: None,
            detail: Some(format!(
                "a checked value is {}: not a number qkv can check",
                val(v)
            )),
        });
    }
    let base = |expected: String, actual: String, d: Option<f64>, passed: bool| CheckResult {
        at: e.at.clone(),
        check,
        passed,
        expected,
        actual,
        diff: d,
        tolerance: d.map(|_| tol),
        detail: None,
    };
    let need_cell = || format!("`{check}` needs a cell address like {name}[..][i][j]");
    let need_row = || format!("`{check}` needs a row address, e.g. {}", row_example(r));
    Ok(match check {
        "value" => {
            let (Some(i), Some(j)) = (r.row, r.col) else {
                return Err(need_cell());
            };
            let want = e.value.unwrap_or_default();
            let got = m[[i, j]];
            let d = diff(got, want);
            base(num(want), val(got), Some(d), d <= tol)
        }
        "matrix" => {
            if r.row.is_some() {
                return Err(format!(
                    "`matrix` needs a head or step address, not a row: {}",
                    e.at
                ));
            }
            let origin = Origin {
                name,
                head: r.head,
                first_row: 0,
            };
            matrix_result(
                &e.at,
                check,
                origin,
                m.view(),
                e.matrix.as_deref().unwrap_or(&[]),
                tol,
            )
        }
        "row" => {
            let (Some(i), None) = (r.row, r.col) else {
                return Err(need_row());
            };
            let want = vec![e.row.clone().unwrap_or_default()];
            let one = m.slice_axis(ndarray::Axis(0), ndarray::Slice::from(i..i + 1));
            let origin = Origin {
                name,
                head: r.head,
                first_row: i,
            };
            matrix_result(&e.at, check, origin, one, &want, tol)
        }
        "sum" => {
            if r.col.is_some() {
                return Err(need_row());
            }
            let want = e.sum.unwrap_or_default();
            let rows: Vec<usize> = match r.row {
                Some(i) => vec![i],
                None => (0..m.nrows()).collect(),
            };
            let (mut worst, mut worst_i, mut worst_sum) = (-1.0f64, 0, 0.0f32);
            for i in &rows {
                let s = RowStats::of(m.row(*i).iter().copied()).sum;
                let d = diff(s, want);
                if d > worst {
                    (worst, worst_i, worst_sum) = (d, *i, s);
                }
            }
            let mut res = base(num(want), val(worst_sum), Some(worst), worst <= tol);
            if rows.len() > 1 {
                res.detail = Some(format!(
                    "every row of {} rows; worst row {worst_i}",
                    rows.len()
                ));
            }
            res
        }
        "zero_above_diagonal" => {
            if r.row.is_some() {
                return Err(format!(
                    "`zero_above_diagonal` needs a head or step address: {}",
                    e.at
                ));
            }
            let mut bad = Vec::new();
            for ((i, j), v) in m.indexed_iter() {
                if j > i && *v != 0.0 {
                    bad.push((i, j, *v));
                }
            }
            let want = e.zero_above_diagonal.unwrap_or(true);
            let holds = bad.is_empty();
            let mut res = base(
                if want {
                    "all 0 above the diagonal".into()
                } else {
                    "not all 0 above the diagonal".into()
                },
                if holds {
                    "all 0".into()
                } else {
                    let (i, j, v) = bad[0];
                    format!("{} = {}", cell_name(name, r.head, i, j), val(v))
                },
                None,
                holds == want,
            );
            if !holds {
                res.detail = Some(format!("{} non-zero cells above the diagonal", bad.len()));
            }
            res
        }
        "argmax" => {
            let (Some(i), None) = (r.row, r.col) else {
                return Err(need_row());
            };
            let stats = RowStats::of(m.row(i).iter().copied());
            let labels = r.step.col_labels(r.head);
            let label = labels.get(stats.argmax).cloned().unwrap_or_default();
            let (want, passed) = match &e.argmax {
                Some(ArgmaxSpec::Index(k)) => (k.to_string(), *k == stats.argmax),
                Some(ArgmaxSpec::Label(l)) => (l.clone(), *l == label),
                None => ("-".into(), false),
            };
            base(
                want,
                format!("{} ({label}, {})", stats.argmax, val(stats.max)),
                None,
                passed,
            )
        }
        _ => return Err(format!("unknown check {check}")),
    })
}

fn row_example(r: &Resolved<'_>) -> String {
    match r.head.or(r.step.heads().map(|_| 0)) {
        Some(h) => format!("{}[{h}][0]", r.step.name()),
        None => format!("{}[0]", r.step.name()),
    }
}

/// Runs every expectation of a model scenario.
pub fn check_model(trace: &Trace, s: &Scenario) -> CheckReport {
    CheckReport {
        results: s.expect.iter().map(|e| run_expectation(trace, e)).collect(),
    }
}

/// Compares an attention hand-check's expected matrices with its trace.
pub fn check_attention(trace: &Trace, a: &AttentionScenario) -> CheckReport {
    let Some(exp) = &a.expect else {
        return CheckReport::default();
    };
    let tol = exp.tolerance.unwrap_or(DEFAULT_TOLERANCE);
    let results = exp
        .matrices()
        .into_iter()
        .map(
            |(name, rows)| match trace.step(name).and_then(|s| s.matrix(None)) {
                Ok(m) => {
                    let origin = Origin {
                        name,
                        head: None,
                        first_row: 0,
                    };
                    matrix_result(name, "matrix", origin, m.view(), rows, tol)
                }
                Err(e) => CheckResult {
                    at: name.to_string(),
                    check: "matrix",
                    passed: false,
                    expected: "-".into(),
                    actual: "-".into(),
                    diff: None,
                    tolerance: None,
                    detail: Some(e.to_string()),
                },
            },
        )
        .collect();
    CheckReport { results }
}
