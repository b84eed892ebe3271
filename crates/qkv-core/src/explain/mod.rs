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

use crate::i18n::Lang;
use crate::model::Transformer;
use crate::model::config::Positional;
use crate::model::embedding::{pe_angle, pe_value};
use crate::model::norm::mean_var;
use crate::render::fmt_value;
use crate::trace::{Address, Cell, Step, StepKind, StepName, Trace, TraceError};

mod attention;
mod embedding;
mod output;
mod sublayer;

use attention::{attn_out, concat, head_out, masked, projection, scaled, scores, softmax};
use embedding::{embedding_sum, positional, token_embedding};
use output::logits;
use sublayer::{ffn_linear, ffn_relu, layer_norm, residual_sum};

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
    explain_in(model, trace, address, opts, Lang::En)
}

/// [`explain`] in `lang`: the same numbers and formulas, the sentences in that language.
pub fn explain_in(
    model: Option<&Transformer>,
    trace: &Trace,
    address: &Address,
    opts: &ExplainOptions,
    lang: Lang,
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
        lang,
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
        body.lines.push(match ctx.lang {
            Lang::En => format!(
                "note: these operands give {}, but the trace holds {}: the model or the input changed after this trace was computed; rerun it",
                ctx.num(r),
                ctx.num(value)
            ),
            Lang::Ko => format!(
                "주의: 이 피연산자들로 계산한 값은 {}, 트레이스의 값은 {}입니다. 이 트레이스를 계산한 뒤 모델이나 입력이 바뀌었으니 다시 실행하세요",
                ctx.num(r),
                ctx.num(value)
            ),
        });
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
    /// The language of the prose (the numbers and formulas are the same in both).
    lang: Lang,
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
    fn count_note(&self, n: usize, hidden: usize) -> String {
        match (hidden, self.lang) {
            (0, _) => String::new(),
            (_, Lang::En) => format!("  ({n} terms, {hidden} not shown)"),
            (_, Lang::Ko) => format!("  (항 {n}개, {hidden}개 생략)"),
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
            self.count_note(terms.len(), hidden)
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
            match self.lang {
                Lang::En => format!("[{joined}]  ({} values)", values.len()),
                Lang::Ko => format!("[{joined}]  (값 {}개)", values.len()),
            }
        } else {
            format!("[{joined}]")
        }
    }
}

/// `enc.0.attn.scores` → `scores` (a name that is not canonical, whole).
fn short_name(name: &str) -> &str {
    // A parsed name prints back as `name`, and its short part is the name's last part.
    match StepName::parse(name) {
        Some(n) => &name[name.len() - n.short().len()..],
        None => name,
    }
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
