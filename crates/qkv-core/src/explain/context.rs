//! The context of one explanation (the step, the cell, the trace, the model) and the helpers every step kind's explanation uses.

use super::*;

/// What one kind of step contributes to an [`Explanation`].
pub(super) struct Body {
    pub(super) title: String,
    pub(super) formula: String,
    pub(super) lines: Vec<String>,
    pub(super) recomputed: Option<f32>,
}

/// The cell being explained and everything needed to find its operands.
pub(super) struct Ctx<'a> {
    pub(super) model: Option<ModelRef<'a>>,
    pub(super) trace: &'a Trace,
    pub(super) step: &'a Step,
    pub(super) cell: Cell,
    pub(super) value: f32,
    pub(super) precision: usize,
    pub(super) max_terms: usize,
    /// The language of the prose (the numbers and formulas are the same in both).
    pub(super) lang: Lang,
}

impl<'a> Ctx<'a> {
    pub(super) fn num(&self, v: f32) -> String {
        fmt_number(v, self.precision)
    }

    pub(super) fn op(&self, v: f32) -> String {
        fmt_operand(v, self.precision)
    }

    /// A number always in parentheses (for squares: `(0.5)²`, `(−0.25)²`).
    pub(super) fn op_paren(&self, v: f32) -> String {
        format!("({})", self.num(v))
    }

    /// `[h]` for a per-head cell, empty otherwise.
    pub(super) fn h(&self) -> String {
        self.cell.head.map(|h| format!("[{h}]")).unwrap_or_default()
    }

    /// The step's short name (`enc.0.attn.scores` → `scores`).
    pub(super) fn short(&self) -> &'a str {
        short_name(self.step.name())
    }

    /// A sentence of the explanation in its language.
    pub(super) fn t(&self, m: ExplainText) -> String {
        m.text(self.lang)
    }

    /// `, head h` for a per-head cell, empty otherwise: the title's head part.
    pub(super) fn head_text(&self) -> String {
        self.cell
            .head
            .map(|h| self.t(ExplainText::HeadPart { h }))
            .unwrap_or_default()
    }

    pub(super) fn row_label(&self, i: usize) -> &'a str {
        label(self.step.row_labels(), i)
    }

    pub(super) fn col_label(&self, j: usize) -> &'a str {
        label(self.step.col_labels(self.cell.head), j)
    }

    pub(super) fn inconsistent(&self, detail: String) -> ExplainError {
        ExplainError::Inconsistent {
            step: self.step.name().to_string(),
            detail,
        }
    }

    pub(super) fn needs_model(&self, needs: &str) -> Result<ModelRef<'a>, ExplainError> {
        self.model.ok_or_else(|| ExplainError::NeedsModel {
            step: self.step.name().to_string(),
            kind: kind_name(self.step.kind()).to_string(),
            needs: needs.to_string(),
        })
    }

    /// The name of input `index`.
    pub(super) fn input(&self, index: usize, role: &str) -> Result<&'a str, ExplainError> {
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
    pub(super) fn input_step(&self, index: usize, role: &str) -> Result<&'a Step, ExplainError> {
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
    pub(super) fn weight_matrix(
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
    pub(super) fn weight_vector(
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

    pub(super) fn unknown_weight(&self, name: &str, role: &str) -> ExplainError {
        ExplainError::UnknownInput {
            step: self.step.name().to_string(),
            input: name.to_string(),
            role: role.to_string(),
            needs_weight: true,
        }
    }

    /// Row `i` of `step` (of head `head` when `step` is per-head).
    pub(super) fn row(
        &self,
        step: &Step,
        head: Option<usize>,
        i: usize,
    ) -> Result<Vec<f32>, ExplainError> {
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
    pub(super) fn col(
        &self,
        step: &Step,
        head: Option<usize>,
        c: usize,
    ) -> Result<Vec<f32>, ExplainError> {
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
    pub(super) fn at(
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
    pub(super) fn weight_col(
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
    pub(super) fn weight_at(
        &self,
        name: &str,
        v: ArrayView1<'_, f32>,
        c: usize,
    ) -> Result<f32, ExplainError> {
        v.get(c).copied().ok_or_else(|| {
            self.inconsistent(format!("{name} has {} values, no entry {c}", v.len()))
        })
    }

    /// The `n` items `item(0)`, … joined by `sep`, the middle elided when there are more
    /// than `max_terms`, and the number of items not shown. Only the items shown are
    /// formatted: a row of 512 values shows a few of them, and formatting the others was
    /// most of the explanation's time.
    pub(super) fn elide(
        &self,
        n: usize,
        item: impl Fn(usize) -> String,
        sep: &str,
    ) -> (String, usize) {
        let m = self.max_terms;
        let join = |r: std::ops::Range<usize>| r.map(&item).collect::<Vec<_>>().join(sep);
        if n <= m {
            return (join(0..n), 0);
        }
        let head = m.div_ceil(2);
        let tail = m / 2;
        (
            format!("{}{sep}…{sep}{}", join(0..head), join(n - tail..n)),
            n - head - tail,
        )
    }

    /// `(n terms, k not shown)` when `hidden > 0`.
    pub(super) fn count_note(&self, n: usize, hidden: usize) -> String {
        if hidden == 0 {
            String::new()
        } else {
            self.t(ExplainText::CountNote { n, hidden })
        }
    }

    /// `label = t1 + t2 + … = result` of the `n` terms `term(0)`, …, eliding long sums and
    /// formatting only the terms shown.
    pub(super) fn sum_line(
        &self,
        label: &str,
        n: usize,
        term: impl Fn(usize) -> String,
        result: f32,
    ) -> String {
        let shown = self.num(result);
        if n > self.max_terms {
            let (joined, hidden) = self.elide(n, term, " + ");
            // An elided sum cannot be checked as printed.
            return format!("{label} = {joined} = {shown}{}", self.count_note(n, hidden));
        }
        let terms: Vec<String> = (0..n).map(term).collect();
        // A sum shown whole must add up as printed.
        let sign = match terms.iter().map(|t| printed_value(t)).sum::<Option<f64>>() {
            Some(exact) => eq_sign(exact, &shown, self.precision),
            None => "=",
        };
        let joined = if n == 0 {
            "0".to_string()
        } else {
            terms.join(" + ")
        };
        format!("{label} = {joined} {sign} {shown}")
    }

    /// `=` or `≈` for `f(operands) = value` as printed (`f` on the printed operands).
    pub(super) fn holds(&self, operands: &[f32], f: fn(&[f64]) -> f64, value: f32) -> &'static str {
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
    pub(super) fn rel(&self, a: f32, b: f32, op: fn(f64, f64) -> f64, value: f32) -> &'static str {
        match (printed_value(&self.num(a)), printed_value(&self.num(b))) {
            (Some(x), Some(y)) => eq_sign(op(x, y), &self.num(value), self.precision),
            _ => "=",
        }
    }

    /// `label = a0×b0 + a1×b1 + … = result` and the sum recomputed (f64).
    pub(super) fn dot_line(&self, label: &str, a: &[f32], b: &[f32], result: f32) -> (String, f32) {
        let n = a.len().min(b.len());
        let term = |k: usize| format!("{}×{}", self.op(a[k]), self.op(b[k]));
        let sum: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        (self.sum_line(label, n, term, result), sum as f32)
    }

    /// `label = a0×b0 + … = result` and, when input `bias` of the step is a bias vector (a
    /// Marian projection's `b_Q`, `b_K`, `b_V`, `b_O`), `label + b[col] = dot + b = value`:
    /// the lines and the value recomputed.
    pub(super) fn dot_plus_bias(
        &self,
        label: &str,
        a: &[f32],
        b: &[f32],
        bias: usize,
        col: usize,
    ) -> Result<(Vec<String>, f32), ExplainError> {
        if self.step.inputs().len() <= bias {
            let (line, r) = self.dot_line(label, a, b, self.value);
            return Ok((vec![line], r));
        }
        let (b_name, bv) = self.weight_vector(bias, "the bias")?;
        let bv = self.weight_at(b_name, bv, col)?;
        let dot: f64 = a
            .iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        let dot = dot as f32;
        let (line, _) = self.dot_line(label, a, b, dot);
        let sym = short_name(b_name);
        let with_bias = format!(
            "{label} + {sym}[{col}] = {} + {} = {}",
            self.op(dot),
            self.op(bv),
            self.num(self.value)
        );
        Ok((vec![line, with_bias], dot + bv))
    }

    /// `[v0, v1, …, vn]` with the middle elided when long, and `(n values)` then.
    pub(super) fn list(&self, values: &[f32]) -> String {
        let (joined, hidden) = self.elide(values.len(), |k| self.num(values[k]), ", ");
        if hidden > 0 {
            self.t(ExplainText::ListCount {
                joined,
                n: values.len(),
            })
        } else {
            format!("[{joined}]")
        }
    }
}

/// `enc.0.attn.scores` → `scores` (a name that is not canonical, whole).
pub(super) fn short_name(name: &str) -> &str {
    // A parsed name prints back as `name`, and its short part is the name's last part.
    match StepName::parse(name) {
        Some(n) => &name[name.len() - n.short().len()..],
        None => name,
    }
}

pub(super) fn label(labels: &[String], i: usize) -> &str {
    labels.get(i).map(String::as_str).unwrap_or("?")
}

/// Words for a step kind (used in errors).
pub(super) fn kind_name(kind: StepKind) -> &'static str {
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
        StepKind::FfnSilu => "FFN SiLU",
        StepKind::FfnGelu => "FFN GELU",
        StepKind::FfnGeluTanh => "FFN GELU (tanh)",
        StepKind::TokenTypes => "token types",
        StepKind::FfnOut => "FFN output",
        StepKind::Logits => "logits",
        StepKind::Probs => "output probabilities",
    }
}

/// `name[h][i]` or `name[i]` of an input step (the head only when `step` is per-head).
pub(super) fn row_ref(step: &Step, head: Option<usize>, i: usize) -> String {
    match step.heads().and(head) {
        Some(h) => format!("{}[{h}][{i}]", step.name()),
        None => format!("{}[{i}]", step.name()),
    }
}

/// `name[h][i][j]` or `name[i][j]` of an input step.
pub(super) fn cell_ref(step: &Step, head: Option<usize>, i: usize, j: usize) -> String {
    format!("{}[{j}]", row_ref(step, head, i))
}
