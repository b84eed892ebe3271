//! Runs a scenario's expectations against its trace: pass/fail per expectation, with the
//! expected and actual values, their difference and the tolerance.

use ndarray::{ArrayView2, CowArray, Ix2};

use super::schema::{ArgmaxSpec, AttentionScenario, Expectation, Scenario};
use crate::trace::{Address, RowStats, Step, Trace, TraceError};

mod resolve;
mod values;

pub use resolve::*;
use values::*;

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
        self.line_in(crate::i18n::Lang::En)
    }

    /// The line in `lang` (`통과  at  check  기댓값 …  실제 …`); the detail stays as made.
    pub fn line_in(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::cli_lines::CliLine::Checked(CheckLine {
            passed: self.passed,
            at: self.at.clone(),
            check: self.check,
            expected: self.expected.clone(),
            actual: self.actual.clone(),
            diff: self.diff.map(short),
            tolerance: self.tolerance.map(short),
            detail: self.detail.clone(),
        })
        .text(lang)
    }
}

/// A [`CheckResult`] with its numbers written, as a line says it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckLine {
    /// Did it hold.
    pub passed: bool,
    /// Where.
    pub at: String,
    /// Which check.
    pub check: &'static str,
    /// The expected value.
    pub expected: String,
    /// The actual value.
    pub actual: String,
    /// Largest absolute difference, written.
    pub diff: Option<String>,
    /// Tolerance, written.
    pub tolerance: Option<String>,
    /// Extra detail.
    pub detail: Option<String>,
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

#[expect(
    clippy::too_many_lines,
    reason = "one arm per check kind (value, matrix, row, sum, zero_above_diagonal, argmax)."
)]
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
