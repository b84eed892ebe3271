//! Practice mode ("predict, then reveal"): a cell or a row of a trace step is hidden, the
//! student computes it by hand, and the answer is graded against the current trace.
//!
//! An [`Item`] names what is asked (`enc.0.attn.scores[0][1][2]`, a cell; or
//! `enc.0.attn.weights[0][1]`, a whole row), with an optional hint and a tolerance. The
//! expected numbers are always read from the trace, never stored.
//!
//! # Tolerance
//!
//! A number is right when `|answer − value| ≤ tolerance`, an *absolute* difference; the
//! default is [`DEFAULT_TOLERANCE`] = 0.01: a student working to two decimals (rounding error
//! ≤ 0.005) is right, one who is off in the second decimal is not. A relative rule would fail
//! near zero (a softmax weight of 0.0016 would have to be given to ±0.000016). A scenario can
//! set another tolerance per item.
//!
//! # Diagnosis
//!
//! For a wrong number, [`grade`] recomputes the cell with each of a small set of classic
//! mistakes (see [`mistakes`]) and, when the student's number matches one of them (within the
//! tolerance) but not the right value, names the mistake and the term that went wrong. When
//! none matches it says it could not tell which term went wrong.

use ndarray::Axis;
use thiserror::Error;

use crate::explain::{self, ExplainOptions, Explanation, ModelRef, fmt_number, fmt_operand};
use crate::i18n::Lang;
use crate::i18n::practice::PracticeMsg;
use crate::scenario::check;
use crate::trace::{Address, Step, StepKind, Trace, TraceError};

mod mistakes;

pub use mistakes::mistakes;

/// The default largest accepted absolute difference between an answer and the trace.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

/// One practice question.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// A cell (`name[h][i][j]`, `name[i][j]`) or a row (`name[h][i]`, `name[i]`).
    pub address: Address,
    /// Shown with the question.
    pub hint: Option<String>,
    /// Largest accepted absolute difference.
    pub tolerance: f64,
}

impl Item {
    /// An item with the default tolerance and no hint.
    pub fn new(address: Address) -> Item {
        Item {
            address,
            hint: None,
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

/// What an item asks for, resolved against a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Step name.
    pub step: String,
    /// Head of a per-head step.
    pub head: Option<usize>,
    /// Row.
    pub row: usize,
    /// The columns asked, in order (one for a cell, all for a row).
    pub cols: Vec<usize>,
}

impl Target {
    /// The address of column `j` of the row.
    pub fn cell(&self, j: usize) -> Address {
        let mut indices: Vec<usize> = self.head.into_iter().collect();
        indices.extend([self.row, j]);
        Address {
            name: self.step.clone(),
            indices,
        }
    }
}

/// Why a practice item cannot be asked or graded.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PracticeError {
    /// Unknown step, index out of range.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A whole step or head instead of a row or cell.
    #[error(
        "{address} is {}: practice asks for one cell or one row, e.g. {example} or {example}[0]",
        match head { Some(h) => format!("one head (head {h})"), None => "the whole step".to_string() }
    )]
    NotRowOrCell {
        /// The address.
        address: String,
        /// The head it names (`None`: the whole step).
        head: Option<usize>,
        /// A row address of the step.
        example: String,
    },
    /// The number of answers does not fit the question.
    #[error("{address} asks for {expected} number{}, but {got} {} given", if *expected == 1 { "" } else { "s" }, if *got == 1 { "was" } else { "were" })]
    WrongCount {
        /// The item's address.
        address: String,
        /// Numbers asked.
        expected: usize,
        /// Numbers given.
        got: usize,
    },
    /// A tolerance that is not a finite number ≥ 0.
    #[error("tolerance {value} is not allowed: expected a finite number ≥ 0, such as 0.01")]
    BadTolerance {
        /// The tolerance given.
        value: f64,
    },
}

/// Resolves `address` to the row and columns it asks for.
pub fn target(trace: &Trace, address: &Address) -> Result<Target, PracticeError> {
    let r = check::resolve(trace, address)?;
    let Some(row) = r.row else {
        let (head, example) = match (r.step.heads(), r.head) {
            (Some(_), Some(h)) => (Some(h), format!("{}[{h}]", r.step.name())),
            (Some(_), None) => (None, format!("{}[0]", r.step.name())),
            (None, _) => (None, r.step.name().to_string()),
        };
        return Err(PracticeError::NotRowOrCell {
            address: address.to_string(),
            head,
            example: format!("{example}[0]"),
        });
    };
    let cols = match r.col {
        Some(j) => vec![j],
        None => (0..r.step.dims().1).collect(),
    };
    Ok(Target {
        step: r.step.name().to_string(),
        head: r.head,
        row,
        cols,
    })
}

/// A classic mistake recognised in a wrong number.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    /// What went wrong, in a few words ("forgot to divide by √d_k").
    pub what: String,
    /// The arithmetic that shows it.
    pub detail: String,
    /// The text of the term as the explanation prints it (to highlight), when there is one.
    pub term: Option<String>,
}

/// The grade of one number.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberGrade {
    /// The cell.
    pub address: Address,
    /// The student's number.
    pub answer: f64,
    /// The value in the trace.
    pub value: f32,
    /// Within the tolerance.
    pub right: bool,
    /// For a wrong number: the mistake found, `None` when it could not be told.
    pub mistake: Option<Mistake>,
}

/// The grade of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Grading {
    /// The item.
    pub item: Item,
    /// What it asked.
    pub target: Target,
    /// One grade per number, in column order.
    pub numbers: Vec<NumberGrade>,
    /// The arithmetic of the first wrong cell (of the first cell when all are right).
    pub explanation: Option<Explanation>,
}

impl Grading {
    /// Numbers right.
    pub fn right(&self) -> usize {
        self.numbers.iter().filter(|n| n.right).count()
    }
    /// Numbers asked.
    pub fn asked(&self) -> usize {
        self.numbers.len()
    }
    /// The first wrong number's mistake term (to highlight in the explanation).
    pub fn highlight(&self) -> Option<&str> {
        self.numbers
            .iter()
            .find(|n| !n.right)
            .and_then(|n| n.mistake.as_ref())
            .and_then(|m| m.term.as_deref())
    }

    /// The grading as text: one line per number, then the arithmetic.
    pub fn to_text(&self, precision: usize) -> String {
        self.to_text_in(precision, Lang::En)
    }

    /// [`Grading::to_text`] in `lang` (the mistakes and the arithmetic are in the language
    /// the grading was made in, see [`grade_in`]).
    pub fn to_text_in(&self, precision: usize, lang: Lang) -> String {
        let mut out = String::new();
        for n in &self.numbers {
            let graded = PracticeMsg::Graded {
                right: n.right,
                address: n.address.to_string(),
                yours: fmt_number(n.answer as f32, precision.max(4)),
                value: fmt_number(n.value, precision),
            };
            out.push_str(&format!("  {}\n", graded.text(lang)));
            if !n.right {
                match &n.mistake {
                    Some(m) => out.push_str(&format!("      {}: {}\n", m.what, m.detail)),
                    None => {
                        out.push_str(&format!("      {}\n", PracticeMsg::NoBlame {}.text(lang)));
                    }
                }
            }
        }
        let tally = PracticeMsg::Tally {
            right: self.right(),
            asked: self.asked(),
            tol: fmt_tol(self.item.tolerance),
        };
        out.push_str(&format!("  {}\n", tally.text(lang)));
        if let Some(e) = &self.explanation {
            for l in e.to_text().lines() {
                out.push_str("  │ ");
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// A tolerance as printed (`0.01`, `1e-6`): its shortest form.
pub use crate::number::fmt_shortest as fmt_tol;

/// True when `answer` is within `tol` of `value` (equal infinities match).
pub fn within(answer: f64, value: f64, tol: f64) -> bool {
    if answer == value {
        return true;
    }
    (answer - value).abs() <= tol
}

/// Grades `answers` (one per asked column) for `item` against `trace`.
pub fn grade(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    item: &Item,
    answers: &[f64],
    opts: &ExplainOptions,
) -> Result<Grading, PracticeError> {
    grade_in(model, trace, item, answers, opts, Lang::En)
}

/// [`grade`] with the mistakes and the arithmetic in `lang` (the same numbers).
pub fn grade_in(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    item: &Item,
    answers: &[f64],
    opts: &ExplainOptions,
    lang: Lang,
) -> Result<Grading, PracticeError> {
    if !(item.tolerance.is_finite() && item.tolerance >= 0.0) {
        return Err(PracticeError::BadTolerance {
            value: item.tolerance,
        });
    }
    let t = target(trace, &item.address)?;
    if answers.len() != t.cols.len() {
        return Err(PracticeError::WrongCount {
            address: item.address.to_string(),
            expected: t.cols.len(),
            got: answers.len(),
        });
    }
    let step = trace.step(&t.step)?;
    let m = step.matrix(t.head)?;
    let row: Vec<f32> = m.index_axis(Axis(0), t.row).to_vec();
    let mut numbers = Vec::new();
    for (&j, &a) in t.cols.iter().zip(answers) {
        let value = row.get(j).copied().unwrap_or(f32::NAN);
        let right = within(a, f64::from(value), item.tolerance);
        let mistake = if right {
            None
        } else {
            diagnose(
                model,
                trace,
                step,
                &t,
                j,
                a,
                item.tolerance,
                opts.precision,
                lang,
            )
        };
        numbers.push(NumberGrade {
            address: t.cell(j),
            answer: a,
            value,
            right,
            mistake,
        });
    }
    let shown = numbers
        .iter()
        .find(|n| !n.right)
        .or(numbers.first())
        .map(|n| n.address.clone());
    let explanation = shown.and_then(|a| explain::explain_with(model, trace, &a, opts, lang).ok());
    Ok(Grading {
        item: item.clone(),
        target: t,
        numbers,
        explanation,
    })
}

/// The first mistake whose value the answer matches (and the right value does not).
#[allow(clippy::too_many_arguments)]
fn diagnose(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    step: &Step,
    t: &Target,
    j: usize,
    answer: f64,
    tol: f64,
    precision: usize,
    lang: Lang,
) -> Option<Mistake> {
    let value = f64::from(step.matrix(t.head).ok()?[[t.row, j]]);
    mistakes(model, trace, step, t.head, t.row, j, precision, lang)
        .into_iter()
        .find(|(v, _)| within(answer, *v, tol) && !within(*v, value, tol))
        .map(|(_, m)| m)
}

/// What the student needs to compute the item: the operands of its step, one per line, in
/// `lang`.
#[expect(
    clippy::too_many_lines,
    reason = "the operands a question shows for each kind of step, in the order the student needs them."
)]
pub fn context(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    t: &Target,
    precision: usize,
    lang: Lang,
) -> Vec<String> {
    let Some(step) = trace.get(&t.step) else {
        return Vec::new();
    };
    let num = |v: f32| fmt_number(v, precision);
    let list = |v: &[f32]| {
        format!(
            "[{}]",
            v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
        )
    };
    let hh = t.head.map(|h| format!("[{h}]")).unwrap_or_default();
    let row_of = |s: &Step, r: usize| -> Option<Vec<f32>> {
        let m = s.matrix(s.heads().and(t.head)).ok()?;
        (r < m.nrows()).then(|| m.index_axis(Axis(0), r).to_vec())
    };
    let input = |k: usize| step.inputs().get(k).and_then(|n| trace.get(n));
    let row_label = step.row_labels().get(t.row).cloned().unwrap_or_default();
    let col_labels = step.col_labels(t.head);
    let mut out = vec![
        PracticeMsg::Formula {
            formula: step.formula().to_string(),
        }
        .text(lang),
    ];
    let rowref = |s: &Step, r: usize| {
        let h = if s.heads().is_some() {
            hh.clone()
        } else {
            String::new()
        };
        format!("{}{h}[{r}]", s.name())
    };
    match step.kind() {
        StepKind::Scores => {
            if let (Some(q), Some(k)) = (input(0), input(1)) {
                if let Some(r) = row_of(q, t.row) {
                    out.push(format!(
                        "q = {} ({row_label}) = {}",
                        rowref(q, t.row),
                        list(&r)
                    ));
                }
                for &j in &t.cols {
                    if let Some(r) = row_of(k, j) {
                        let l = col_labels.get(j).map(String::as_str).unwrap_or("");
                        out.push(format!("k = {} ({l}) = {}", rowref(k, j), list(&r)));
                    }
                }
            }
        }
        StepKind::Scaled => {
            if let Some(s) = input(0) {
                if let Some(r) = row_of(s, t.row) {
                    let (cols, values): (Vec<usize>, Vec<String>) = t
                        .cols
                        .iter()
                        .filter_map(|&j| r.get(j).map(|x| (j, num(*x))))
                        .unzip();
                    out.push(
                        PracticeMsg::ScoresColumns {
                            row: rowref(s, t.row),
                            cols,
                            values,
                        }
                        .text(lang),
                    );
                }
                if let Some(q) = s.inputs().first().and_then(|n| trace.get(n)) {
                    out.push(
                        PracticeMsg::DkWidth {
                            d_k: q.dims().1,
                            step: q.name().to_string(),
                        }
                        .text(lang),
                    );
                }
            }
        }
        StepKind::Weights | StepKind::Probs | StepKind::Masked => {
            if let Some(x) = input(0)
                && let Some(r) = row_of(x, t.row)
            {
                out.push(format!(
                    "x = {} ({row_label}) = {}",
                    rowref(x, t.row),
                    list(&r)
                ));
            }
        }
        StepKind::LayerNorm => {
            if let Some(x) = input(0)
                && let Some(r) = row_of(x, t.row)
            {
                out.push(format!(
                    "x = {} ({row_label}) = {}",
                    rowref(x, t.row),
                    list(&r)
                ));
            }
            if let Some(m) = model {
                for k in [1, 2] {
                    if let Some(n) = step.inputs().get(k)
                        && let Ok(v) = m.weights().vector(n)
                    {
                        out.push(format!("{n} = {}", list(&v.to_vec())));
                    }
                }
                out.push(format!("eps = {:e}", m.eps()));
            }
        }
        _ => {
            for k in 0..step.inputs().len() {
                match input(k) {
                    Some(s) if s.dims().0 == step.dims().0 => {
                        if let Some(r) = row_of(s, t.row) {
                            out.push(format!("{} = {}", rowref(s, t.row), list(&r)));
                        }
                    }
                    _ => out.push(
                        PracticeMsg::Uses {
                            name: step.inputs()[k].clone(),
                        }
                        .text(lang),
                    ),
                }
            }
        }
    }
    out
}

/// The question for `item`: what to compute, the operands, the hint; the last line says
/// how to answer.
pub fn question(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    item: &Item,
    precision: usize,
) -> Result<String, PracticeError> {
    question_in(model, trace, item, precision, Lang::En)
}

/// [`question`] in `lang` (the hint is the scenario's, as written).
pub fn question_in(
    model: Option<ModelRef<'_>>,
    trace: &Trace,
    item: &Item,
    precision: usize,
    lang: Lang,
) -> Result<String, PracticeError> {
    let t = target(trace, &item.address)?;
    let step = trace.step(&t.step)?;
    let row_label = step.row_labels().get(t.row).cloned().unwrap_or_default();
    let what = if t.cols.len() == 1 {
        PracticeMsg::AskCell {
            address: item.address.to_string(),
            row: t.row,
            row_label,
            col: t.cols[0],
            col_label: step
                .col_labels(t.head)
                .get(t.cols[0])
                .cloned()
                .unwrap_or_default(),
        }
    } else {
        PracticeMsg::AskRow {
            address: item.address.to_string(),
            row: t.row,
            row_label,
            n: t.cols.len(),
        }
    };
    let mut out = format!("{}\n", what.text(lang));
    for l in context(model, trace, &t, precision, lang) {
        out.push_str("  ");
        out.push_str(&l);
        out.push('\n');
    }
    if let Some(h) = &item.hint {
        out.push_str(&format!(
            "  {}\n",
            PracticeMsg::Hint { hint: h.clone() }.text(lang)
        ));
    }
    let how = PracticeMsg::HowToAnswer {
        many: t.cols.len() != 1,
        tol: fmt_tol(item.tolerance),
    };
    out.push_str(&format!("  {}\n", how.text(lang)));
    Ok(out)
}

/// A session's practice score: numbers right out of numbers asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    /// Numbers right.
    pub right: usize,
    /// Numbers asked (graded).
    pub asked: usize,
}

impl Score {
    /// Adds a grading.
    pub fn add(&mut self, g: &Grading) {
        self.right += g.right();
        self.asked += g.asked();
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.right, self.asked)
    }
}

/// A random cell of `step` (head `head`) drawn from `seed` (SplitMix64): the same seed gives
/// the same cell.
pub fn random_cell(step: &Step, head: Option<usize>, seed: u64) -> Address {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let (rows, cols) = step.dims();
    let n = (rows * cols).max(1) as u64;
    let k = (z % n) as usize;
    let mut indices: Vec<usize> = step.heads().and(head).into_iter().collect();
    indices.extend([k / cols.max(1), k % cols.max(1)]);
    Address {
        name: step.name().to_string(),
        indices,
    }
}

#[cfg(test)]
mod tests;
