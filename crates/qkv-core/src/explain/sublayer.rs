//! Explanations of the sublayers around attention: the residual sum, LayerNorm and the FFN.

use super::*;

pub(super) fn residual_sum(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let a_step = c.input_step(0, "the residual stream")?;
    let b_step = c.input_step(1, "the sublayer's output")?;
    let a = c.at(a_step, None, i, col)?;
    let b = c.at(b_step, None, i, col)?;
    Ok(Body {
        title: c.t(ExplainText::ResidualTitle {
            label: c.row_label(i).into(),
            i,
            col,
        }),
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

#[expect(
    clippy::too_many_lines,
    reason = "mean, variance, normalisation and γ/β written out in turn, in both languages."
)]
pub(super) fn layer_norm(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let x_step = c.input_step(0, "the row to normalise")?;
    let (g_name, gamma) = c.weight_vector(1, "the scale gamma")?;
    let (b_name, beta) = c.weight_vector(2, "the shift beta")?;
    let eps = c.needs_model("eps")?.eps();
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
    let (xs_joined, xs_hidden) = c.elide(x.len(), |k| c.op(x[k]), " + ");
    let (dev_joined, dev_hidden) =
        c.elide(x.len(), |k| format!("{}²", c.op_paren(x[k] - mean)), " + ");
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
            c.count_note(n, xs_hidden)
        ),
        format!(
            "var = Σ (x − mean)² / {n} ({}: ÷ n) = ({dev_joined}) / {n} = {} / {n} {} {}{}",
            c.t(ExplainText::Biased {}),
            c.num(sq as f32),
            c.rel(sq as f32, n as f32, |a, b| a / b, var),
            c.num(var),
            c.count_note(n, dev_hidden)
        ),
        format!(
            "√(var + eps) = √({} + {}) {} {}",
            c.num(var),
            c.num(eps),
            match (printed_value(&c.num(var)), printed_value(&c.num(eps))) {
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
        title: c.t(ExplainText::LayerNormTitle {
            label: c.row_label(i).into(),
            i,
            col,
        }),
        formula: format!(
            "{}[i][c] = (x[i][c] − mean_i) / √(var_i + eps) × gamma[c] + beta[c], x = {}",
            c.short(),
            x_step.name()
        ),
        lines,
        recomputed: Some(r),
    })
}

pub(super) fn ffn_linear(
    c: &Ctx<'_>,
    w_sym: &str,
    b_sym: &str,
    output: bool,
) -> Result<Body, ExplainError> {
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
    if c.step.kind() == StepKind::FfnOut && x_step.kind() == StepKind::FfnRelu {
        let zeros = x.iter().filter(|v| **v == 0.0).count();
        if zeros > 0 {
            lines.insert(
                1,
                c.t(ExplainText::ReluZeros {
                    zeros,
                    n: x.len(),
                    x_sym: x_sym.into(),
                }),
            );
        }
    }
    Ok(Body {
        title: c.t(ExplainText::FfnTitle {
            output,
            label: c.row_label(i).into(),
            i,
            col,
        }),
        formula: format!(
            "{}[i][c] = {x_sym}[i] · {w_sym}[:, c] + {b_sym}[c]",
            c.short()
        ),
        lines,
        recomputed: Some(dot + b),
    })
}

pub(super) fn ffn_relu(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let h_step = c.input_step(0, "the hidden layer")?;
    let h = c.at(h_step, None, i, col)?;
    let why = c.t(ExplainText::ReluWhy { positive: h > 0.0 });
    Ok(Body {
        title: c.t(ExplainText::ReluTitle {
            label: c.row_label(i).into(),
            i,
            col,
        }),
        formula: format!("{}[i][c] = max(0, {}[i][c])", c.short(), h_step.name()),
        lines: vec![
            format!(
                "hidden = {} = {} {why}",
                cell_ref(h_step, None, i, col),
                c.num(h)
            ),
            format!("max(0, {}) = {}", c.num(h), c.num(c.value)),
        ],
        recomputed: Some(h.max(0.0)),
    })
}

/// SiLU (Marian's `swish`, from `config.json`): `h · σ(h)`.
pub(super) fn ffn_silu(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let h_step = c.input_step(0, "the hidden layer")?;
    let h = c.at(h_step, None, i, col)?;
    let sigma = 1.0 / (1.0 + (-h).exp());
    let lines = vec![
        format!("hidden = {} = {}", cell_ref(h_step, None, i, col), c.num(h)),
        format!(
            "σ(hidden) = 1 / (1 + e^(−hidden)) = 1 / (1 + e^(−{})) = {}",
            c.op(h),
            c.num(sigma)
        ),
        format!(
            "silu = hidden × σ(hidden) = {} × {} = {}",
            c.op(h),
            c.op(sigma),
            c.num(c.value)
        ),
        c.t(ExplainText::SiluNote {}),
    ];
    Ok(Body {
        title: c.t(ExplainText::SiluTitle {
            label: c.row_label(i).into(),
            i,
            col,
        }),
        formula: format!(
            "{}[i][c] = h · σ(h) = h / (1 + e^(−h)), h = {}[i][c]",
            c.short(),
            h_step.name()
        ),
        lines,
        recomputed: Some(crate::hf::Activation::Silu.apply(h)),
    })
}

/// GELU's tanh approximation (GPT-2's `gelu_new`, from `config.json`).
pub(super) fn ffn_gelu_tanh(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    use crate::i18n::hf::Gpt2Explain;
    let (i, col) = (c.cell.row, c.cell.col);
    let h_step = c.input_step(0, "the hidden layer")?;
    let h = c.at(h_step, None, i, col)?;
    let u = (2.0 / std::f32::consts::PI).sqrt() * (h + 0.044_715 * h * h * h);
    let lines = vec![
        format!("hidden = {} = {}", cell_ref(h_step, None, i, col), c.num(h)),
        format!(
            "u = √(2/π) · (hidden + 0.044715 · hidden³) = 0.7979 × ({} + 0.044715 × {}³) = {}",
            c.op(h),
            c.op(h),
            c.num(u)
        ),
        format!(
            "gelu = 0.5 · hidden · (1 + tanh u) = 0.5 × {} × (1 + {}) = {}",
            c.op(h),
            c.num(u.tanh()),
            c.num(c.value)
        ),
        Gpt2Explain::GeluWhy.text(c.lang),
    ];
    Ok(Body {
        title: Gpt2Explain::GeluTitle {
            piece: c.row_label(i).to_string(),
            row: i,
            col,
        }
        .text(c.lang),
        formula: format!(
            "{}[i][c] = 0.5 · h · (1 + tanh(√(2/π) · (h + 0.044715 · h³))), h = {}[i][c]",
            c.short(),
            h_step.name()
        ),
        lines,
        recomputed: Some(crate::hf::config::gelu_tanh(h)),
    })
}

/// GELU (BERT's `hidden_act`): `h · Φ(h)`, Φ through erf.
pub(super) fn ffn_gelu(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    use crate::i18n::hf_steps::HfStepText;
    let (i, col) = (c.cell.row, c.cell.col);
    let h_step = c.input_step(0, "the hidden layer")?;
    let h = c.at(h_step, None, i, col)?;
    let erf = libm::erf(f64::from(h) / std::f64::consts::SQRT_2) as f32;
    let phi = 0.5 * (1.0 + erf);
    let lines = vec![
        format!("hidden = {} = {}", cell_ref(h_step, None, i, col), c.num(h)),
        format!(
            "Φ(hidden) = (1 + erf(hidden / √2)) / 2 = (1 + erf({} / 1.4142)) / 2 = (1 + {}) / 2 = {}",
            c.op(h),
            c.op(erf),
            c.num(phi)
        ),
        format!(
            "gelu = hidden × Φ(hidden) = {} × {} = {}",
            c.op(h),
            c.op(phi),
            c.num(c.value)
        ),
        HfStepText::GeluNote.text(c.lang),
    ];
    Ok(Body {
        title: HfStepText::GeluTitle {
            token: c.row_label(i).to_string(),
            row: i,
            col,
        }
        .text(c.lang),
        formula: format!(
            "{}[i][c] = h · Φ(h) = h / 2 · (1 + erf(h / √2)), h = {}[i][c]",
            c.short(),
            h_step.name()
        ),
        lines,
        recomputed: Some(crate::hf::Activation::Gelu.apply(h)),
    })
}
