//! Cell-by-cell explanations: for any cell of any trace step, the arithmetic that produced it
//! with the actual numbers ("why is this number what it is").
//!
//! [`explain`] looks the cell up, finds its operands through the step's
//! [`inputs`](crate::trace::Step::inputs) (other trace steps, or weights of the model under
//! their canonical names), and writes the computation stage by stage with the numbers put in,
//! e.g. for the article's first raw score (`qkv explain scenarios/dot-product.yaml
//! scores[0][0]`):
//!
//! ```text
//! scores[0][0] = 10  — raw attention score, query q0 (row 0) · key k0 (column 0)
//!   scores[i][j] = q[i] · k[j] = Σ_t q[i][t] × k[j][t]
//!   q = q[0] (q0), k = k[0] (k0): d_k = 3 terms
//!   q·k = 1×2 + 2×1 + 3×2 = 10
//! ```
//!
//! # With or without a model
//!
//! `model` is an `Option`: a `kind: attention` hand-check trace (steps `q`, `k`, `v`, `scores`,
//! `scaled`, `masked`, `weights`, `output`, plain matrices without heads) has no model. Its
//! steps are explained from the trace alone: `q`, `k` and `v` have no inputs and are "given in
//! the scenario"; the rest only need other steps. Every other kind of step needs the model's
//! weights or configuration and gives [`ExplainError::NeedsModel`] without one.
//!
//! Switches are read from the model's configuration when there is one (`scale`,
//! `positional`, `embed_scale`, `eps`). Without a model they are read from the numbers: scaling
//! is on when `scaled` differs from `scores` somewhere in the head, and a cell is masked when
//! `masked` is −∞ where `scaled` is not. Masks are always read from the numbers (a causal
//! mask is recognised when the blocked cells are exactly those with j > i), so step names
//! never need to be interpreted.
//!
//! Every explanation recomputes the cell from the operands it shows
//! ([`Explanation::recomputed`]); when that disagrees with the trace (the model was changed
//! after the forward pass) a `note:` line says so.
//!
//! # Numbers
//!
//! Numbers are printed by [`fmt_number`]: [`render::fmt_value`](crate::render::fmt_value) at
//! `precision` digits, then trailing zeros dropped (`1.0000` → `1`, so the article's example
//! reads `1×2 + 2×1 + 3×2 = 10`), with the Unicode minus sign `−` (U+2212) and `∞` for
//! infinities. Negative operands are put in parentheses: `(−0.87)×0.31`, `0.5 + (−0.25)`.
//! Sums, vectors and softmax rows longer than [`ExplainOptions::max_terms`] show their first
//! and last terms and say how many there are.

use std::fmt;

use ndarray::{ArrayView1, ArrayView2, Axis};
use thiserror::Error;

use crate::model::Transformer;
use crate::model::config::Positional;
use crate::model::embedding::{pe_angle, pe_value};
use crate::model::norm::mean_var;
use crate::render::fmt_value;
use crate::trace::{Address, Cell, Step, StepKind, Trace, TraceError};

/// The minus sign used in explanations (U+2212).
pub const MINUS: char = '−';

/// How explanations print numbers and long sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Digits after the decimal point (trailing zeros are dropped).
    pub precision: usize,
    /// Longest sum (or vector, or softmax row) shown in full; longer ones show the first
    /// ⌈max/2⌉ and the last ⌊max/2⌋ terms and the count. Values below 2 count as 2.
    pub max_terms: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            precision: 4,
            max_terms: 8,
        }
    }
}

/// The arithmetic behind one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The cell, e.g. `enc.0.attn.scores[1][0][2]`.
    pub address: String,
    /// What the step computes.
    pub kind: StepKind,
    /// The cell's value in the trace.
    pub value: f32,
    /// One line saying what the cell is, with its tokens.
    pub title: String,
    /// The formula of the cell in symbols.
    pub formula: String,
    /// The computation with the numbers put in, one stage per line.
    pub lines: Vec<String>,
    /// The value recomputed from the operands shown (`None` when the value is given, as
    /// `q`, `k`, `v` of a hand-check).
    pub recomputed: Option<f32>,
    /// Digits the numbers were printed with ([`ExplainOptions::precision`]).
    pub precision: usize,
}

impl Explanation {
    /// The explanation as text: `address = value  — title`, then the formula and the lines,
    /// indented by two spaces; ends with a newline.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} = {}  — {}\n  {}\n",
            self.address,
            fmt_number(self.value, self.precision),
            self.title,
            self.formula
        );
        for l in &self.lines {
            out.push_str("  ");
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Why a cell cannot be explained.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExplainError {
    /// Unknown step name, index out of range, too many indices.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A whole step, head or row instead of one cell.
    #[error("{address} is {what}: explain needs one cell, {needs} (e.g. {example})")]
    NotACell {
        /// The address given.
        address: String,
        /// What it names (`the whole step`, `one head`, `one row`).
        what: String,
        /// The indices a cell of this step needs: `[h][i][j]` or `[i][j]`.
        needs: String,
        /// A valid cell address of the step.
        example: String,
    },
    /// A weight name instead of a trace step.
    #[error(
        "{name} is a weight of the model, not a trace step: its values are parameters, not computed; explain a step that uses it (see its inputs)"
    )]
    NotAStep {
        /// The weight name given.
        name: String,
    },
    /// The step needs weights or configuration and no model was given.
    #[error(
        "{step} ({kind}) is computed from {needs}, which only the model holds, and none was given (a hand-check trace has no model: its q, k, v, scores, scaled, masked, weights and output need none)"
    )]
    NeedsModel {
        /// Step name.
        step: String,
        /// What the step computes.
        kind: String,
        /// What is needed from the model.
        needs: String,
    },
    /// The step lists fewer inputs than its kind needs.
    #[error(
        "{step} needs {role} as input {index}, but its inputs are [{}]",
        inputs.join(", ")
    )]
    MissingInput {
        /// Step name.
        step: String,
        /// Position in the step's inputs.
        index: usize,
        /// What the input is for.
        role: String,
        /// The inputs the step lists.
        inputs: Vec<String>,
    },
    /// An input name that is neither a step of the trace nor a weight of the model.
    #[error("{step}: input {input:?} ({role}) is not a step of the trace{}", if *needs_weight { " nor a weight of the model" } else { "" })]
    UnknownInput {
        /// Step name.
        step: String,
        /// The input name.
        input: String,
        /// What the input is for.
        role: String,
        /// True when a weight of the model was looked for too.
        needs_weight: bool,
    },
    /// Operands whose shapes do not fit the cell.
    #[error(
        "{step}: {detail}; the trace and the model do not fit together (was the model changed after the forward pass?)"
    )]
    Inconsistent {
        /// Step name.
        step: String,
        /// What does not fit.
        detail: String,
    },
}

/// Parses `text` as an address and explains that cell (see [`explain`]).
pub fn explain_str(
    model: Option<&Transformer>,
    trace: &Trace,
    text: &str,
    opts: &ExplainOptions,
) -> Result<Explanation, ExplainError> {
    explain(model, trace, &Address::parse(text)?, opts)
}

/// The arithmetic that produced the cell at `address` of `trace`, with the actual numbers.
///
/// `address` must name one cell: `name[h][i][j]` for per-head steps, `name[i][j]` otherwise.
/// `model` is the model that computed `trace`; it may be `None` for a hand-check trace (see
/// the module docs): then only attention steps can be explained.
pub fn explain(
    model: Option<&Transformer>,
    trace: &Trace,
    address: &Address,
    opts: &ExplainOptions,
) -> Result<Explanation, ExplainError> {
    let step = match trace.step(&address.name) {
        Ok(s) => s,
        Err(e) => {
            if let Some(m) = model
                && (address.name == "embed.E" || m.weights().get(&address.name).is_some())
            {
                return Err(ExplainError::NotAStep {
                    name: address.name.clone(),
                });
            }
            return Err(e.into());
        }
    };
    let ndim = step.shape().len();
    if address.indices.len() < ndim {
        let per_head = ndim == 3;
        let what = match (address.indices.len(), per_head) {
            (0, _) => "the whole step".to_string(),
            (1, true) => format!("one head (head {})", address.indices[0]),
            (2, true) => format!(
                "one row (head {}, row {})",
                address.indices[0], address.indices[1]
            ),
            _ => format!("one row (row {})", address.indices[0]),
        };
        let (needs, example) = if per_head {
            ("[h][i][j]", format!("{}[0][0][0]", step.name()))
        } else {
            ("[i][j]", format!("{}[0][0]", step.name()))
        };
        return Err(ExplainError::NotACell {
            address: address.to_string(),
            what,
            needs: needs.to_string(),
            example,
        });
    }
    let cell = step.cell(&address.indices)?;
    let value = step.value(&address.indices)?;
    let ctx = Ctx {
        model,
        trace,
        step,
        cell,
        value,
        precision: opts.precision,
        max_terms: opts.max_terms.max(2),
    };
    let mut body = match step.kind() {
        StepKind::TokenEmbedding => token_embedding(&ctx)?,
        StepKind::Positional => positional(&ctx)?,
        StepKind::EmbeddingSum => embedding_sum(&ctx)?,
        StepKind::Query | StepKind::Key | StepKind::Value => projection(&ctx)?,
        StepKind::Scores => scores(&ctx)?,
        StepKind::Scaled => scaled(&ctx)?,
        StepKind::Masked => masked(&ctx)?,
        StepKind::Weights | StepKind::Probs => softmax(&ctx)?,
        StepKind::HeadOut => head_out(&ctx)?,
        StepKind::Concat => concat(&ctx)?,
        StepKind::AttnOut => attn_out(&ctx)?,
        StepKind::ResidualSum => residual_sum(&ctx)?,
        StepKind::LayerNorm => layer_norm(&ctx)?,
        StepKind::FfnHidden => ffn_linear(&ctx, "W1", "b1", "hidden layer")?,
        StepKind::FfnRelu => ffn_relu(&ctx)?,
        StepKind::FfnOut => ffn_linear(&ctx, "W2", "b2", "output")?,
        StepKind::Logits => logits(&ctx)?,
    };
    if let Some(r) = body.recomputed
        && !agrees(r, value)
    {
        body.lines.push(format!(
            "note: these operands give {}, but the trace holds {}: the model or the input changed after this trace was computed; rerun it",
            ctx.num(r),
            ctx.num(value)
        ));
    }
    Ok(Explanation {
        address: address.to_string(),
        kind: step.kind(),
        value,
        title: body.title,
        formula: body.formula,
        lines: body.lines,
        recomputed: body.recomputed,
        precision: opts.precision,
    })
}

/// True when a recomputed value matches the trace's (relative 1e-3; equal infinities and
/// two NaN match).
fn agrees(a: f32, b: f32) -> bool {
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
fn fmt_eps(eps: f32, precision: usize) -> String {
    if eps < 10f32.powi(-(precision.min(30) as i32)) * 10.0 {
        format!("{eps:e}")
    } else {
        fmt_number(eps, precision)
    }
}

/// The value a printed number or product stands for: `0.25`, `(−1.5)`, `2×(−0.5)`, `−∞`
/// (`None` for anything else, such as `…`).
fn printed_value(s: &str) -> Option<f64> {
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
fn eq_sign(exact: f64, shown: &str, precision: usize) -> &'static str {
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

/// What one kind of step contributes to an [`Explanation`].
struct Body {
    title: String,
    formula: String,
    lines: Vec<String>,
    recomputed: Option<f32>,
}

/// The cell being explained and everything needed to find its operands.
struct Ctx<'a> {
    model: Option<&'a Transformer>,
    trace: &'a Trace,
    step: &'a Step,
    cell: Cell,
    value: f32,
    precision: usize,
    max_terms: usize,
}

impl<'a> Ctx<'a> {
    fn num(&self, v: f32) -> String {
        fmt_number(v, self.precision)
    }

    fn op(&self, v: f32) -> String {
        fmt_operand(v, self.precision)
    }

    /// A number always in parentheses (for squares: `(0.5)²`, `(−0.25)²`).
    fn op_paren(&self, v: f32) -> String {
        format!("({})", self.num(v))
    }

    /// `[h]` for a per-head cell, empty otherwise.
    fn h(&self) -> String {
        self.cell.head.map(|h| format!("[{h}]")).unwrap_or_default()
    }

    /// The step's short name (`enc.0.attn.scores` → `scores`).
    fn short(&self) -> &'a str {
        short_name(self.step.name())
    }

    fn row_label(&self, i: usize) -> &'a str {
        label(self.step.row_labels(), i)
    }

    fn col_label(&self, j: usize) -> &'a str {
        label(self.step.col_labels(self.cell.head), j)
    }

    fn inconsistent(&self, detail: String) -> ExplainError {
        ExplainError::Inconsistent {
            step: self.step.name().to_string(),
            detail,
        }
    }

    fn needs_model(&self, needs: &str) -> Result<&'a Transformer, ExplainError> {
        self.model.ok_or_else(|| ExplainError::NeedsModel {
            step: self.step.name().to_string(),
            kind: kind_name(self.step.kind()).to_string(),
            needs: needs.to_string(),
        })
    }

    /// The name of input `index`.
    fn input(&self, index: usize, role: &str) -> Result<&'a str, ExplainError> {
        self.step
            .inputs()
            .get(index)
            .map(String::as_str)
            .ok_or_else(|| ExplainError::MissingInput {
                step: self.step.name().to_string(),
                index,
                role: role.to_string(),
                inputs: self.step.inputs().to_vec(),
            })
    }

    /// Input `index`, which must be a step of the trace.
    fn input_step(&self, index: usize, role: &str) -> Result<&'a Step, ExplainError> {
        let name = self.input(index, role)?;
        self.trace
            .get(name)
            .ok_or_else(|| ExplainError::UnknownInput {
                step: self.step.name().to_string(),
                input: name.to_string(),
                role: role.to_string(),
                needs_weight: false,
            })
    }

    /// Input `index`, which must be a weight matrix of the model.
    fn weight_matrix(
        &self,
        index: usize,
        role: &str,
    ) -> Result<(&'a str, ArrayView2<'a, f32>), ExplainError> {
        let name = self.input(index, role)?;
        let model = self.needs_model(&format!("the weight {name}"))?;
        let m = model
            .weights()
            .matrix(name)
            .map_err(|_| self.unknown_weight(name, role))?;
        Ok((name, m))
    }

    /// Input `index`, which must be a weight vector of the model.
    fn weight_vector(
        &self,
        index: usize,
        role: &str,
    ) -> Result<(&'a str, ArrayView1<'a, f32>), ExplainError> {
        let name = self.input(index, role)?;
        let model = self.needs_model(&format!("the weight {name}"))?;
        let v = model
            .weights()
            .vector(name)
            .map_err(|_| self.unknown_weight(name, role))?;
        Ok((name, v))
    }

    fn unknown_weight(&self, name: &str, role: &str) -> ExplainError {
        ExplainError::UnknownInput {
            step: self.step.name().to_string(),
            input: name.to_string(),
            role: role.to_string(),
            needs_weight: true,
        }
    }

    /// Row `i` of `step` (of head `head` when `step` is per-head).
    fn row(&self, step: &Step, head: Option<usize>, i: usize) -> Result<Vec<f32>, ExplainError> {
        let m = step.matrix(step.heads().and(head))?;
        if i >= m.nrows() {
            return Err(self.inconsistent(format!(
                "{} has {} rows, no row {i}",
                step.name(),
                m.nrows()
            )));
        }
        Ok(m.index_axis(Axis(0), i).to_vec())
    }

    /// Column `c` of `step` (of head `head` when `step` is per-head).
    fn col(&self, step: &Step, head: Option<usize>, c: usize) -> Result<Vec<f32>, ExplainError> {
        let m = step.matrix(step.heads().and(head))?;
        if c >= m.ncols() {
            return Err(self.inconsistent(format!(
                "{} has {} columns, no column {c}",
                step.name(),
                m.ncols()
            )));
        }
        Ok(m.index_axis(Axis(1), c).to_vec())
    }

    /// The entry `[i][j]` of `step` (of head `head` when per-head).
    fn at(
        &self,
        step: &Step,
        head: Option<usize>,
        i: usize,
        j: usize,
    ) -> Result<f32, ExplainError> {
        let row = self.row(step, head, i)?;
        row.get(j).copied().ok_or_else(|| {
            self.inconsistent(format!(
                "{} has {} columns, no column {j}",
                step.name(),
                row.len()
            ))
        })
    }

    /// Column `c` of a weight matrix, checked to have `rows` rows.
    fn weight_col(
        &self,
        name: &str,
        w: ArrayView2<'_, f32>,
        rows: usize,
        c: usize,
    ) -> Result<Vec<f32>, ExplainError> {
        if w.nrows() != rows || c >= w.ncols() {
            return Err(self.inconsistent(format!(
                "{name} is {} × {}, but the cell needs column {c} of a matrix with {rows} rows",
                w.nrows(),
                w.ncols()
            )));
        }
        Ok(w.index_axis(Axis(1), c).to_vec())
    }

    /// Entry `c` of a weight vector.
    fn weight_at(&self, name: &str, v: ArrayView1<'_, f32>, c: usize) -> Result<f32, ExplainError> {
        v.get(c).copied().ok_or_else(|| {
            self.inconsistent(format!("{name} has {} values, no entry {c}", v.len()))
        })
    }

    /// `items` joined by `sep`, the middle elided when longer than `max_terms`; also the
    /// number of items not shown.
    fn elide(&self, items: &[String], sep: &str) -> (String, usize) {
        let m = self.max_terms;
        if items.len() <= m {
            return (items.join(sep), 0);
        }
        let head = m.div_ceil(2);
        let tail = m / 2;
        let hidden = items.len() - head - tail;
        (
            format!(
                "{}{sep}…{sep}{}",
                items[..head].join(sep),
                items[items.len() - tail..].join(sep)
            ),
            hidden,
        )
    }

    /// `(n terms, k not shown)` when `hidden > 0`.
    fn count_note(n: usize, hidden: usize) -> String {
        if hidden > 0 {
            format!("  ({n} terms, {hidden} not shown)")
        } else {
            String::new()
        }
    }

    /// `label = t1 + t2 + … = result`, eliding long sums.
    fn sum_line(&self, label: &str, terms: &[String], result: f32) -> String {
        let (joined, hidden) = self.elide(terms, " + ");
        let joined = if terms.is_empty() {
            "0".to_string()
        } else {
            joined
        };
        let shown = self.num(result);
        // A sum shown whole must add up as printed; an elided one cannot be checked.
        let sign = match terms.iter().map(|t| printed_value(t)).sum::<Option<f64>>() {
            Some(exact) if hidden == 0 => eq_sign(exact, &shown, self.precision),
            _ => "=",
        };
        format!(
            "{label} = {joined} {sign} {shown}{}",
            Self::count_note(terms.len(), hidden)
        )
    }

    /// `=` or `≈` for `f(operands) = value` as printed (`f` on the printed operands).
    fn holds(&self, operands: &[f32], f: fn(&[f64]) -> f64, value: f32) -> &'static str {
        let printed: Option<Vec<f64>> = operands
            .iter()
            .map(|v| printed_value(&self.num(*v)))
            .collect();
        match printed {
            Some(p) => eq_sign(f(&p), &self.num(value), self.precision),
            None => "=",
        }
    }

    /// `=` or `≈` for `a op b = value` as printed (`op` on the printed operands).
    fn rel(&self, a: f32, b: f32, op: fn(f64, f64) -> f64, value: f32) -> &'static str {
        match (printed_value(&self.num(a)), printed_value(&self.num(b))) {
            (Some(x), Some(y)) => eq_sign(op(x, y), &self.num(value), self.precision),
            _ => "=",
        }
    }

    /// `label = a0×b0 + a1×b1 + … = result` and the sum recomputed (f64).
    fn dot_line(&self, label: &str, a: &[f32], b: &[f32], result: f32) -> (String, f32) {
        let terms: Vec<String> = a
            .iter()
            .zip(b)
            .map(|(x, y)| format!("{}×{}", self.op(*x), self.op(*y)))
            .collect();
        let sum: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        (self.sum_line(label, &terms, result), sum as f32)
    }

    /// `[v0, v1, …, vn]` with the middle elided when long, and `(n values)` then.
    fn list(&self, values: &[f32]) -> String {
        let items: Vec<String> = values.iter().map(|v| self.num(*v)).collect();
        let (joined, hidden) = self.elide(&items, ", ");
        if hidden > 0 {
            format!("[{joined}]  ({} values)", values.len())
        } else {
            format!("[{joined}]")
        }
    }
}

/// `enc.0.attn.scores` → `scores`.
fn short_name(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

fn label(labels: &[String], i: usize) -> &str {
    labels.get(i).map(String::as_str).unwrap_or("?")
}

/// Words for a step kind (used in errors).
fn kind_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::TokenEmbedding => "token embedding",
        StepKind::Positional => "positional encoding",
        StepKind::EmbeddingSum => "embedding sum",
        StepKind::Query => "queries",
        StepKind::Key => "keys",
        StepKind::Value => "values",
        StepKind::Scores => "raw scores",
        StepKind::Scaled => "scaled scores",
        StepKind::Masked => "masked scores",
        StepKind::Weights => "attention weights",
        StepKind::HeadOut => "head output",
        StepKind::Concat => "concatenated heads",
        StepKind::AttnOut => "attention output",
        StepKind::ResidualSum => "residual sum",
        StepKind::LayerNorm => "LayerNorm output",
        StepKind::FfnHidden => "FFN hidden layer",
        StepKind::FfnRelu => "FFN ReLU",
        StepKind::FfnOut => "FFN output",
        StepKind::Logits => "logits",
        StepKind::Probs => "output probabilities",
    }
}

/// `name[h][i]` or `name[i]` of an input step (the head only when `step` is per-head).
fn row_ref(step: &Step, head: Option<usize>, i: usize) -> String {
    match step.heads().and(head) {
        Some(h) => format!("{}[{h}][{i}]", step.name()),
        None => format!("{}[{i}]", step.name()),
    }
}

/// `name[h][i][j]` or `name[i][j]` of an input step.
fn cell_ref(step: &Step, head: Option<usize>, i: usize, j: usize) -> String {
    format!("{}[{j}]", row_ref(step, head, i))
}

fn token_embedding(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, d) = (c.cell.row, c.cell.col);
    let token = c.row_label(i);
    let model = c.needs_model("the token embeddings")?;
    let emb = model.embedding();
    let vector = emb.vector(token);
    let v = vector.get(d).copied().ok_or_else(|| {
        c.inconsistent(format!(
            "the embedding of {token:?} has {} values, no entry {d}",
            vector.len()
        ))
    })?;
    let mut lines = vec![
        format!(
            "row {i} is the token {token}; its vector E[{token}] is its row of the embedding table ({} values)",
            vector.len()
        ),
        format!("E[{token}] = {}", c.list(vector.as_slice().unwrap_or(&[]))),
    ];
    if emb.overrides().contains_key(token) {
        lines.push(format!(
            "E[{token}] is overridden (a scenario's `embeddings:` or `set embed`), not drawn at random"
        ));
    } else {
        let a = (3.0 / emb.d_model().max(1) as f64).sqrt() as f32;
        lines.push(format!(
            "E[{token}] is drawn uniformly from ±√(3/d_model) = ±{} by the random stream of (seed {}, \"embed:{token}\"): the same token has the same vector in every sentence",
            c.num(a),
            model.config().seed
        ));
    }
    lines.push(format!(
        "{}[{i}][{d}] = E[{token}][{d}] = {}",
        c.short(),
        c.num(v)
    ));
    Ok(Body {
        title: format!("token embedding of {token} (row {i}), dimension {d}"),
        formula: format!("{}[i][c] = E[token_i][c]", c.short()),
        lines,
        recomputed: Some(v),
    })
}

fn positional(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (pos, col) = (c.cell.row, c.cell.col);
    let d = c.step.dims().1;
    let token = c.row_label(pos);
    let title = format!("positional encoding of position {pos} ({token}), dimension {col}");
    let formula = "PE[pos][2i] = sin(pos / 10000^(2i/d_model)), PE[pos][2i+1] = cos(pos / 10000^(2i/d_model))".to_string();
    let off = match c.model {
        Some(m) => m.config().positional == Positional::None,
        None => c.step.to_tensor().values().all(|v| v == 0.0),
    };
    if off {
        return Ok(Body {
            title,
            formula: format!("{}[pos][c] = 0 (positional encoding off)", c.short()),
            lines: vec![format!(
                "positional encoding off (positional: none): {}[{pos}][{col}] = 0 at every position; word order is invisible to the model",
                c.short()
            )],
            recomputed: Some(0.0),
        });
    }
    let two_i = col - col % 2;
    let denom = 10000f64.powf(two_i as f64 / d.max(1) as f64);
    let angle = pe_angle(pos, col, d.max(1));
    let (func, parity) = if col % 2 == 0 {
        ("sin", "even")
    } else {
        ("cos", "odd")
    };
    let v = pe_value(pos, col, d.max(1));
    let lines = vec![
        format!(
            "pos = {pos} (token {token}), column c = {col}: 2i = {two_i}, {parity} column → {func}; d_model = {d}"
        ),
        format!(
            "angle = pos / 10000^(2i/d_model) = {pos} / 10000^({two_i}/{d}) = {pos} / {} = {}",
            c.num(denom as f32),
            c.num(angle as f32)
        ),
        format!(
            "PE[{pos}][{col}] = {func}({}) = {}",
            c.num(angle as f32),
            c.num(v)
        ),
    ];
    Ok(Body {
        title,
        formula,
        lines,
        recomputed: Some(v),
    })
}

fn embedding_sum(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let tokens = c.input_step(0, "the token embeddings")?;
    let pos = c.input_step(1, "the positional encoding")?;
    let a = c.at(tokens, None, i, col)?;
    let b = c.at(pos, None, i, col)?;
    let d = c.step.dims().1;
    let root = (d as f32).sqrt();
    let scale = match c.model {
        Some(m) => m.config().embed_scale,
        // Without a model: whichever reading reproduces the cell.
        None => (a * root + b - c.value).abs() < (a + b - c.value).abs(),
    };
    let token = c.row_label(i);
    let (formula, line, r) = if scale {
        let r = a * root + b;
        (
            format!(
                "{}[i][c] = {}[i][c] × √d_model + {}[i][c]",
                c.short(),
                tokens.name(),
                pos.name()
            ),
            format!(
                "{} × √d_model + {} = {} × √{d} + {} = {} × {} + {} = {}",
                cell_ref(tokens, None, i, col),
                cell_ref(pos, None, i, col),
                c.op(a),
                c.op(b),
                c.op(a),
                c.num(root),
                c.op(b),
                c.num(c.value)
            ),
            r,
        )
    } else {
        let r = a + b;
        (
            format!(
                "{}[i][c] = {}[i][c] + {}[i][c]",
                c.short(),
                tokens.name(),
                pos.name()
            ),
            format!(
                "{} + {} = {} + {} = {}",
                cell_ref(tokens, None, i, col),
                cell_ref(pos, None, i, col),
                c.op(a),
                c.op(b),
                c.num(c.value)
            ),
            r,
        )
    };
    let mut lines = vec![line];
    let spread = (3.0 / d as f32).sqrt();
    if scale {
        lines.push(format!(
            "embed_scale is on: the token vector is multiplied by √d_model = √{d} = {} (paper §3.4), so random token values of ±√(3/d_model) = ±{} become ±{}, as large as the positional encoding's ±1",
            c.num(root),
            c.num(spread),
            c.num(spread * root)
        ));
    } else if c.model.is_some() {
        lines.push(format!(
            "embed_scale is off: random token values lie within ±√(3/d_model) = ±{} while the positional encoding spans ±1{}; the paper multiplies token vectors by √d_model = {} (`set model.embed_scale on`)",
            c.num(spread),
            if spread < 0.5 {
                format!(
                    ", so the position outweighs the word {}×",
                    c.num((1.0 / spread).round())
                )
            } else {
                String::new()
            },
            c.num(root)
        ));
    }
    Ok(Body {
        title: format!("token {token} (row {i}) with its position added, dimension {col}"),
        formula,
        lines,
        recomputed: Some(r),
    })
}

fn projection(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let short = c.short();
    let token = c.row_label(i);
    let what = match c.step.kind() {
        StepKind::Query => "query",
        StepKind::Key => "key",
        _ => "value",
    };
    let head_text = c
        .cell
        .head
        .map(|h| format!(", head {h}"))
        .unwrap_or_default();
    let title = format!("{what} of {token} (row {i}){head_text}, column {j}");
    if c.step.inputs().is_empty() {
        let row = c.row(c.step, c.cell.head, i)?;
        return Ok(Body {
            title,
            formula: format!("{short}[i] is given"),
            lines: vec![
                format!(
                    "{short} is given in the scenario (a hand-check has no model and no W_{}): it is not computed",
                    short.to_uppercase()
                ),
                format!("{short}{}[{i}] = {}", c.h(), c.list(&row)),
                format!("{short}{}[{i}][{j}] = {}", c.h(), c.num(c.value)),
            ],
            recomputed: None,
        });
    }
    let x_step = c.input_step(0, "the projection's input")?;
    let (w_name, w) = c.weight_matrix(1, "the projection matrix")?;
    let d_k = c.step.dims().1;
    let col = c.cell.head.unwrap_or(0) * d_k + j;
    let x = c.row(x_step, None, i)?;
    let wcol = c.weight_col(w_name, w, x.len(), col)?;
    let w_short = short_name(w_name);
    let mut lines = vec![format!(
        "x = {} ({token}), {} values",
        row_ref(x_step, None, i),
        x.len()
    )];
    match c.cell.head {
        Some(h) => lines.push(format!(
            "W = {w_name}[:, {col}]: head {h} uses columns h·d_k..(h+1)·d_k, so column j = {j} of the head is h·d_k + j = {h}·{d_k} + {j} = {col}"
        )),
        None => lines.push(format!("W = {w_name}[:, {col}]")),
    }
    let (line, r) = c.dot_line(&format!("x · {w_short}[:, {col}]"), &x, &wcol, c.value);
    lines.push(line);
    Ok(Body {
        title,
        formula: format!(
            "{short}{}[i][j] = x[i] · {w_short}[:, h·d_k + j] = Σ_t x[i][t] × {w_short}[t][h·d_k + j]",
            if c.cell.head.is_some() { "[h]" } else { "" }
        ),
        lines,
        recomputed: Some(r),
    })
}

fn scores(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let q_step = c.input_step(0, "the queries")?;
    let k_step = c.input_step(1, "the keys")?;
    let q = c.row(q_step, c.cell.head, i)?;
    let k = c.row(k_step, c.cell.head, j)?;
    if q.len() != k.len() {
        return Err(c.inconsistent(format!(
            "a query has {} values but a key has {}",
            q.len(),
            k.len()
        )));
    }
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let head_text = c
        .cell
        .head
        .map(|h| format!("head {h}, "))
        .unwrap_or_default();
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let (line, r) = c.dot_line("q·k", &q, &k, c.value);
    Ok(Body {
        title: format!(
            "raw attention score, {head_text}query {qt} (row {i}) · key {kt} (column {j})"
        ),
        formula: format!(
            "{}{hh}[i][j] = q{hh}[i] · k{hh}[j] = Σ_t q[i][t] × k[j][t]",
            c.short()
        ),
        lines: vec![
            format!(
                "q = {} ({qt}), k = {} ({kt}): d_k = {} term{}",
                row_ref(q_step, c.cell.head, i),
                row_ref(k_step, c.cell.head, j),
                q.len(),
                if q.len() == 1 { "" } else { "s" }
            ),
            line,
        ],
        recomputed: Some(r),
    })
}

fn scaled(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let s_step = c.input_step(0, "the raw scores")?;
    let s = c.at(s_step, c.cell.head, i, j)?;
    // d_k is the width of one head of the queries the scores came from.
    let q_step = s_step.inputs().first().and_then(|n| c.trace.get(n));
    let d_k = match (q_step, c.model) {
        (Some(q), _) => q.dims().1,
        (None, Some(m)) => m.config().d_k(),
        (None, None) => {
            return Err(c.inconsistent(format!(
                "cannot find d_k: {} has no query input in the trace",
                s_step.name()
            )));
        }
    };
    // Read the setting, never guess it from the numbers (with d_k = 1, or scores of 0,
    // scaled equals scores either way): the step's own record, else the model, else the
    // formula the hand-check wrote.
    let scale = match (crate::model::attention::attention_settings(c.step), c.model) {
        (Some((_, scale, _)), _) => scale,
        (None, Some(m)) => m.config().scale,
        (None, None) => !c.step.formula().contains("scaling off"),
    };
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let title = format!("scaled score of query {qt} (row {i}) and key {kt} (column {j})");
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let s_line = format!(
        "scores = {} = {}",
        cell_ref(s_step, c.cell.head, i, j),
        c.num(s)
    );
    if !scale {
        return Ok(Body {
            title,
            formula: format!("{}{hh}[i][j] = scores{hh}[i][j] (scaling off)", c.short()),
            lines: vec![
                s_line,
                format!("scaling off: scaled = scores = {}", c.num(c.value)),
            ],
            recomputed: Some(s),
        });
    }
    let root = (d_k as f32).sqrt();
    let q_name = q_step.map(Step::name).unwrap_or("q");
    Ok(Body {
        title,
        formula: format!("{}{hh}[i][j] = scores{hh}[i][j] ÷ √d_k", c.short()),
        lines: vec![
            s_line,
            format!(
                "÷ √d_k = √{d_k} = {}  (d_k = {d_k}: the width of one head of {q_name})",
                c.num(root)
            ),
            // ÷ √d_k written exactly (√3, not 1.7321) so that the equation holds as printed.
            format!(
                "{} ÷ √{d_k} {} {}",
                c.op(s),
                match printed_value(&c.num(s)) {
                    Some(x) => eq_sign(x / f64::from(root), &c.num(c.value), c.precision),
                    None => "=",
                },
                c.num(c.value)
            ),
        ],
        recomputed: Some(s / root),
    })
}

/// How the cells of one head are blocked, read from the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaskShape {
    /// No cell is blocked.
    None,
    /// Exactly the cells with j > i are blocked.
    Causal,
    /// Some other set of cells.
    Custom,
}

fn masked(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let s_step = c.input_step(0, "the scaled scores")?;
    let s = c.at(s_step, c.cell.head, i, j)?;
    let sm = s_step.matrix(s_step.heads().and(c.cell.head))?;
    let mm = c.step.matrix(c.cell.head)?;
    if sm.dim() != mm.dim() {
        return Err(c.inconsistent(format!(
            "{} is {:?} but {} is {:?}",
            s_step.name(),
            sm.dim(),
            c.step.name(),
            mm.dim()
        )));
    }
    let blocked = |m: f32, s: f32| m == f32::NEG_INFINITY && s != f32::NEG_INFINITY;
    let mut any = false;
    let mut causal = true;
    for ((r, col), m) in mm.indexed_iter() {
        let b = blocked(*m, sm[[r, col]]);
        any |= b;
        causal &= b == (col > r);
    }
    let shape = match (any, causal) {
        (false, _) => MaskShape::None,
        (true, true) => MaskShape::Causal,
        (true, false) => MaskShape::Custom,
    };
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let short = c.short();
    let s_line = format!(
        "scaled = {} = {}",
        cell_ref(s_step, c.cell.head, i, j),
        c.num(s)
    );
    let mut lines = vec![s_line];
    let is_blocked = blocked(c.value, s);
    if is_blocked {
        match shape {
            MaskShape::Causal => lines.push(format!(
                "causal mask: the key token {kt} (column {j}) comes after the query token {qt} (row {i}), j = {j} > i = {i}; a token may attend only to itself and the tokens before it, so M[{i}][{j}] = −∞"
            )),
            _ => lines.push(format!(
                "the mask blocks this cell: the query token {qt} (row {i}) may not attend to the key token {kt} (column {j}), so M[{i}][{j}] = −∞"
            )),
        }
        lines.push(format!(
            "masked = scaled + M = {} + (−∞) = −∞ (the IEEE −∞, not a large negative number)",
            c.op(s)
        ));
        lines.push(format!(
            "its softmax weight will be e^(−∞) = 0: {qt} takes nothing from {kt}"
        ));
    } else {
        match shape {
            MaskShape::None => lines.push(format!(
                "no cell of this {} is masked: M = 0 everywhere",
                if c.cell.head.is_some() { "head" } else { "matrix" }
            )),
            MaskShape::Causal => lines.push(format!(
                "causal mask: the key token {kt} (column {j}) does not come after the query token {qt} (row {i}), j = {j} ≤ i = {i}, so M[{i}][{j}] = 0"
            )),
            MaskShape::Custom => lines.push(format!(
                "the mask lets the query token {qt} (row {i}) see the key token {kt} (column {j}): M[{i}][{j}] = 0"
            )),
        }
        lines.push(format!(
            "masked = scaled + M = {} + 0 = {}",
            c.op(s),
            c.num(c.value)
        ));
    }
    let formula = match shape {
        MaskShape::Causal => format!(
            "{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = −∞ where j > i (causal), else 0"
        ),
        _ => format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = 0 or −∞"),
    };
    Ok(Body {
        title: format!("masked score of query {qt} (row {i}) and key {kt} (column {j})"),
        formula,
        lines,
        recomputed: Some(if is_blocked { f32::NEG_INFINITY } else { s }),
    })
}

fn softmax(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the row to normalise")?;
    let x = c.row(x_step, c.cell.head, i)?;
    if j >= x.len() {
        return Err(c.inconsistent(format!(
            "row {i} of {} has {} entries, no column {j}",
            x_step.name(),
            x.len()
        )));
    }
    let short = c.short();
    let (rt, ct) = (c.row_label(i), c.col_label(j));
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let title = match c.step.kind() {
        StepKind::Probs => {
            format!("probability of the token {ct} (column {j}) after {rt} (row {i})")
        }
        _ => format!("attention weight: how much {rt} (row {i}) takes from {ct} (column {j})"),
    };
    let formula = format!(
        "{short}{hh}[i][j] = e^(x_j − max) / Σ_k e^(x_k − max), x = row i of {}",
        x_step.name()
    );
    let mut lines = vec![format!(
        "x = {} = {}",
        row_ref(x_step, c.cell.head, i),
        c.list(&x)
    )];
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // Fully masked: the mask put every −∞ there (the scores before it were finite), or
    // the trace flags the row. An all −∞ row from an overflow is not masked.
    let h0 = c.cell.head.unwrap_or(0);
    let flagged = c
        .step
        .flags()
        .masked_rows
        .iter()
        .any(|(h, r)| *h == h0 && *r == i);
    let from_mask = x_step.kind() == StepKind::Masked
        && x.iter().all(|v| *v == f32::NEG_INFINITY)
        && x_step
            .inputs()
            .first()
            .and_then(|n| c.trace.get(n))
            .and_then(|before| c.row(before, c.cell.head, i).ok())
            .is_some_and(|b| b.iter().all(|v| v.is_finite()));
    let masked_row = flagged || from_mask;
    if x.iter().any(|v| v.is_nan())
        || max == f32::INFINITY
        || (max == f32::NEG_INFINITY && !masked_row)
    {
        lines.push(format!(
            "the row holds NaN or ±∞ that no mask put there (an overflow, not a mask): e^(x_j − max) / Σ is NaN, so {short}[{i}][{j}] = NaN"
        ));
        if let Some((at, v)) = c.trace.first_non_finite() {
            lines.push(format!(
                "the first non-finite value of this pass is {at} = {}",
                c.num(v)
            ));
        }
        return Ok(Body {
            title,
            formula,
            lines,
            recomputed: Some(f32::NAN),
        });
    }
    if max == f32::NEG_INFINITY {
        lines.push(format!(
            "every entry of the row is −∞ (fully masked): {rt} may attend to nothing, and e^(−∞)/Σ would be 0/0"
        ));
        lines.push(format!(
            "qkv sets such a row to all zeros instead of NaN: {short}[{i}][{j}] = 0"
        ));
        return Ok(Body {
            title,
            formula,
            lines,
            recomputed: Some(0.0),
        });
    }
    lines.push(format!("max = {}", c.num(max)));
    let exps: Vec<f32> = x.iter().map(|v| (v - max).exp()).collect();
    let exp_text = |v: f32, e: f32| {
        if v == f32::NEG_INFINITY {
            format!("e^(−∞ − {}) = e^(−∞) = 0", c.op(max))
        } else {
            let y = v - max;
            format!(
                "e^({} − {}) {} e^({}) {} {}",
                c.num(v),
                c.op(max),
                c.rel(v, max, |a, b| a - b, y),
                c.num(y),
                c.rel(y, 0.0, |a, _| a.exp(), e),
                c.num(e)
            )
        }
    };
    let items: Vec<String> = x.iter().zip(&exps).map(|(v, e)| exp_text(*v, *e)).collect();
    let (joined, hidden) = c.elide(&items, ", ");
    lines.push(format!(
        "e^(x_k − max): {joined}{}",
        Ctx::count_note(items.len(), hidden)
    ));
    let sum: f32 = exps.iter().sum();
    let terms: Vec<String> = exps.iter().map(|e| c.num(*e)).collect();
    lines.push(c.sum_line("Σ", &terms, sum));
    let ej = exps.get(j).copied().unwrap_or(0.0);
    let xj = x.get(j).copied().unwrap_or(0.0);
    if xj == f32::NEG_INFINITY {
        lines.push(format!(
            "{short}[{i}][{j}] = e^(−∞) / Σ = 0 / {} = {}  (masked: exactly 0)",
            c.num(sum),
            c.num(c.value)
        ));
    } else {
        lines.push(format!(
            "{short}[{i}][{j}] = e^(x_{j} − max) / Σ = {} / {} {} {}",
            c.num(ej),
            c.num(sum),
            c.rel(ej, sum, |a, b| a / b, c.value),
            c.num(c.value)
        ));
    }
    Ok(Body {
        title,
        formula,
        lines,
        recomputed: Some(ej / sum),
    })
}

fn head_out(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let w_step = c.input_step(0, "the attention weights")?;
    let v_step = c.input_step(1, "the values")?;
    let w = c.row(w_step, c.cell.head, i)?;
    let v = c.col(v_step, c.cell.head, col)?;
    if w.len() != v.len() {
        return Err(c.inconsistent(format!(
            "a weight row has {} entries but a value column has {}",
            w.len(),
            v.len()
        )));
    }
    let token = c.row_label(i);
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let head_text = c
        .cell
        .head
        .map(|h| format!(", head {h}"))
        .unwrap_or_default();
    let v_ref = match v_step.heads().and(c.cell.head) {
        Some(h) => format!("{}[{h}][:, {col}]", v_step.name()),
        None => format!("{}[:, {col}]", v_step.name()),
    };
    let (line, r) = c.dot_line(
        &format!("Σ_j weights[{i}][j] × v[j][{col}]"),
        &w,
        &v,
        c.value,
    );
    Ok(Body {
        title: format!("attention output of {token} (row {i}){head_text}, column {col}"),
        formula: format!(
            "{}{hh}[i][c] = Σ_j weights{hh}[i][j] × v{hh}[j][c]",
            c.short()
        ),
        lines: vec![
            if w.len() == 1 {
                format!(
                    "weights = {}: how much {token} takes from the one key token",
                    row_ref(w_step, c.cell.head, i)
                )
            } else {
                format!(
                    "weights = {}: how much {token} takes from each of the {} key tokens",
                    row_ref(w_step, c.cell.head, i),
                    w.len()
                )
            },
            format!("v = {v_ref}: column {col} of each key token's value"),
            line,
        ],
        recomputed: Some(r),
    })
}

fn concat(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let ho = c.input_step(0, "the heads' outputs")?;
    if ho.heads().is_none() {
        return Err(c.inconsistent(format!("{} has no heads", ho.name())));
    }
    let d_k = ho.dims().1.max(1);
    let (h, cc) = (col / d_k, col % d_k);
    let v = c.at(ho, Some(h), i, cc)?;
    Ok(Body {
        title: format!(
            "head outputs side by side: {} (row {i}), column {col} = head {h}, column {cc}",
            c.row_label(i)
        ),
        formula: format!("{}[i][c] = head_out[c ÷ d_k][i][c mod d_k]", c.short()),
        lines: vec![
            format!("d_k = {d_k}: head h = {col} ÷ {d_k} = {h}, its column {col} mod {d_k} = {cc}"),
            format!(
                "{}[{i}][{col}] = {} = {}",
                c.short(),
                cell_ref(ho, Some(h), i, cc),
                c.num(v)
            ),
        ],
        recomputed: Some(v),
    })
}

fn attn_out(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the concatenated heads")?;
    let (w_name, w) = c.weight_matrix(1, "the output projection")?;
    let x = c.row(x_step, None, i)?;
    let wcol = c.weight_col(w_name, w, x.len(), col)?;
    let w_short = short_name(w_name);
    let (line, r) = c.dot_line(
        &format!("concat[{i}] · {w_short}[:, {col}]"),
        &x,
        &wcol,
        c.value,
    );
    Ok(Body {
        title: format!(
            "attention output of {} (row {i}), column {col}",
            c.row_label(i)
        ),
        formula: format!(
            "{}[i][c] = concat[i] · {w_short}[:, c] = Σ_t concat[i][t] × {w_short}[t][c]",
            c.short()
        ),
        lines: vec![
            format!(
                "concat = {}, {w_short} = {w_name}[:, {col}]",
                row_ref(x_step, None, i)
            ),
            line,
        ],
        recomputed: Some(r),
    })
}

fn residual_sum(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let a_step = c.input_step(0, "the residual stream")?;
    let b_step = c.input_step(1, "the sublayer's output")?;
    let a = c.at(a_step, None, i, col)?;
    let b = c.at(b_step, None, i, col)?;
    Ok(Body {
        title: format!("residual sum of {} (row {i}), column {col}", c.row_label(i)),
        formula: format!(
            "{}[i][c] = {}[i][c] + {}[i][c]",
            c.short(),
            a_step.name(),
            b_step.name()
        ),
        lines: vec![format!(
            "{} + {} = {} + {} = {}",
            cell_ref(a_step, None, i, col),
            cell_ref(b_step, None, i, col),
            c.op(a),
            c.op(b),
            c.num(c.value)
        )],
        recomputed: Some(a + b),
    })
}

fn layer_norm(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the row to normalise")?;
    let (g_name, gamma) = c.weight_vector(1, "the scale gamma")?;
    let (b_name, beta) = c.weight_vector(2, "the shift beta")?;
    let eps = c.needs_model("eps")?.config().eps;
    let x = c.row(x_step, None, i)?;
    let n = x.len();
    let xc = x.get(col).copied().ok_or_else(|| {
        c.inconsistent(format!(
            "{} has {n} columns, no column {col}",
            x_step.name()
        ))
    })?;
    let g = c.weight_at(g_name, gamma, col)?;
    let b = c.weight_at(b_name, beta, col)?;
    let (mean, var) = mean_var(x.iter().copied());
    let total: f64 = x.iter().map(|v| f64::from(*v)).sum();
    let root = (var + eps).sqrt();
    let inv = 1.0 / root;
    let z = (xc - mean) * inv;
    let r = (xc - mean) * inv * g + b;
    let xs: Vec<String> = x.iter().map(|v| c.op(*v)).collect();
    let (xs_joined, xs_hidden) = c.elide(&xs, " + ");
    let devs: Vec<String> = x
        .iter()
        .map(|v| format!("{}²", c.op_paren(v - mean)))
        .collect();
    let (dev_joined, dev_hidden) = c.elide(&devs, " + ");
    let sq: f64 = x
        .iter()
        .map(|v| (f64::from(*v) - f64::from(mean)).powi(2))
        .sum();
    let lines = vec![
        format!(
            "x = {} ({}) = {}",
            row_ref(x_step, None, i),
            c.row_label(i),
            c.list(&x)
        ),
        format!(
            "mean = Σ x / {n} = ({xs_joined}) / {n} = {} / {n} {} {}{}",
            c.num(total as f32),
            c.rel(total as f32, n as f32, |a, b| a / b, mean),
            c.num(mean),
            Ctx::count_note(n, xs_hidden)
        ),
        format!(
            "var = Σ (x − mean)² / {n} (biased: ÷ n) = ({dev_joined}) / {n} = {} / {n} {} {}{}",
            c.num(sq as f32),
            c.rel(sq as f32, n as f32, |a, b| a / b, var),
            c.num(var),
            Ctx::count_note(n, dev_hidden)
        ),
        format!(
            "√(var + eps) = √({} + {}) {} {}",
            c.num(var),
            fmt_eps(eps, c.precision),
            match (
                printed_value(&c.num(var)),
                printed_value(&fmt_eps(eps, c.precision))
            ) {
                (Some(v), Some(e)) => eq_sign((v + e).sqrt(), &c.num(root), c.precision),
                _ => "=",
            },
            c.num(root)
        ),
        format!(
            "x̂ = (x[{col}] − mean) / √(var + eps) = ({} − {}) / {} {} {}",
            c.num(xc),
            c.op(mean),
            c.num(root),
            c.holds(&[xc, mean, root], |v| (v[0] - v[1]) / v[2], z),
            c.num(z)
        ),
        format!(
            "{}[{i}][{col}] = x̂ × gamma[{col}] + beta[{col}] = {} × {} + {} {} {}  ({g_name}, {b_name})",
            c.short(),
            c.op(z),
            c.op(g),
            c.op(b),
            c.holds(&[z, g, b], |v| v[0] * v[1] + v[2], c.value),
            c.num(c.value)
        ),
    ];
    Ok(Body {
        title: format!("LayerNorm of {} (row {i}), column {col}", c.row_label(i)),
        formula: format!(
            "{}[i][c] = (x[i][c] − mean_i) / √(var_i + eps) × gamma[c] + beta[c], x = {}",
            c.short(),
            x_step.name()
        ),
        lines,
        recomputed: Some(r),
    })
}

fn ffn_linear(c: &Ctx<'_>, w_sym: &str, b_sym: &str, what: &str) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the FFN's input")?;
    let (w_name, w) = c.weight_matrix(1, "the FFN weight matrix")?;
    let (b_name, bias) = c.weight_vector(2, "the FFN bias")?;
    let x = c.row(x_step, None, i)?;
    let wcol = c.weight_col(w_name, w, x.len(), col)?;
    let b = c.weight_at(b_name, bias, col)?;
    let dot: f64 = x
        .iter()
        .zip(&wcol)
        .map(|(a, w)| f64::from(*a) * f64::from(*w))
        .sum();
    let dot = dot as f32;
    // The input of W2 is the ReLU; the input of W1 is whatever the FFN reads (called x).
    let x_sym = if c.step.kind() == StepKind::FfnOut {
        short_name(x_step.name())
    } else {
        "x"
    };
    let dot_label = format!("{x_sym}[{i}] · {w_sym}[:, {col}]");
    let (line, _) = c.dot_line(&dot_label, &x, &wcol, dot);
    let mut lines = vec![
        format!(
            "{x_sym} = {} ({}), {w_sym} = {w_name}[:, {col}], {b_sym} = {b_name}[{col}]",
            row_ref(x_step, None, i),
            c.row_label(i)
        ),
        line,
        format!(
            "{}[{i}][{col}] = {dot_label} + {b_sym}[{col}] = {} + {} = {}",
            c.short(),
            c.op(dot),
            c.op(b),
            c.num(c.value)
        ),
    ];
    if c.step.kind() == StepKind::FfnOut {
        let zeros = x.iter().filter(|v| **v == 0.0).count();
        if zeros > 0 {
            lines.insert(
                1,
                format!(
                    "{zeros} of the {} entries of {x_sym} are 0 (cut by the ReLU): their terms vanish",
                    x.len()
                ),
            );
        }
    }
    Ok(Body {
        title: format!("FFN {what} of {} (row {i}), column {col}", c.row_label(i)),
        formula: format!(
            "{}[i][c] = {x_sym}[i] · {w_sym}[:, c] + {b_sym}[c]",
            c.short()
        ),
        lines,
        recomputed: Some(dot + b),
    })
}

fn ffn_relu(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let h_step = c.input_step(0, "the hidden layer")?;
    let h = c.at(h_step, None, i, col)?;
    let why = if h > 0.0 {
        "positive: it passes unchanged"
    } else {
        "not positive: the ReLU cuts it to 0"
    };
    Ok(Body {
        title: format!("ReLU of {} (row {i}), column {col}", c.row_label(i)),
        formula: format!("{}[i][c] = max(0, {}[i][c])", c.short(), h_step.name()),
        lines: vec![
            format!(
                "hidden = {} = {} is {why}",
                cell_ref(h_step, None, i, col),
                c.num(h)
            ),
            format!("max(0, {}) = {}", c.num(h), c.num(c.value)),
        ],
        recomputed: Some(h.max(0.0)),
    })
}

fn logits(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the decoder's last output")?;
    let e_name = c.input(1, "the embedding table").unwrap_or("embed.E");
    let model = c.needs_model("the token embeddings (the tied output projection)")?;
    let vocab = &c.trace.tokens().vocab;
    let token = vocab.get(col).map(String::as_str).ok_or_else(|| {
        c.inconsistent(format!(
            "the vocabulary has {} tokens, no column {col}",
            vocab.len()
        ))
    })?;
    let x = c.row(x_step, None, i)?;
    let e = model.embedding().vector(token);
    if e.len() != x.len() {
        return Err(c.inconsistent(format!(
            "{} has {} columns but E[{token}] has {} values",
            x_step.name(),
            x.len(),
            e.len()
        )));
    }
    let (line, r) = c.dot_line(
        &format!("x · E[{token}]"),
        &x,
        e.as_slice().unwrap_or(&[]),
        c.value,
    );
    Ok(Body {
        title: format!(
            "score of the vocabulary token {token} (column {col}) at {} (row {i})",
            c.row_label(i)
        ),
        formula: format!(
            "{}[i][c] = x[i] · E[vocab_c] (output projection tied to the embeddings), x = {}",
            c.short(),
            x_step.name()
        ),
        lines: vec![
            format!(
                "x = {} ({}), E[{token}] = row {col} of {e_name}: the embedding of {token}",
                row_ref(x_step, None, i),
                c.row_label(i)
            ),
            line,
        ],
        recomputed: Some(r),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros_and_use_the_minus_sign() {
        assert_eq!(fmt_number(10.0, 4), "10");
        assert_eq!(fmt_number(1.25, 4), "1.25");
        assert_eq!(fmt_number(-0.87, 4), "−0.87");
        assert_eq!(fmt_number(-0.00001, 4), "0");
        assert_eq!(fmt_number(5.773_503, 4), "5.7735");
        assert_eq!(fmt_number(f32::NEG_INFINITY, 4), "−∞");
        assert_eq!(fmt_number(f32::INFINITY, 2), "∞");
        assert_eq!(fmt_number(f32::NAN, 2), "NaN");
        assert_eq!(fmt_number(3.0, 0), "3");
        assert_eq!(fmt_operand(-0.87, 4), "(−0.87)");
        assert_eq!(fmt_operand(0.31, 4), "0.31");
    }
}
