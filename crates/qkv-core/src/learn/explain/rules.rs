//! The backward rule of each step kind, written out for one gradient cell: the chain rule with the numbers of the trace.

use super::*;

/// What every rule needs.
pub(super) struct Ctx<'a> {
    pub(super) model: &'a Transformer,
    pub(super) trace: &'a Trace,
    pub(super) grads: &'a Gradients,
    pub(super) opts: ExplainOptions,
    pub(super) lang: Lang,
}

impl Ctx<'_> {
    pub(super) fn p(&self) -> usize {
        self.opts.precision
    }

    /// `m` in the explanation's language.
    pub(super) fn t(&self, m: GradMsg) -> String {
        m.text(self.lang)
    }

    /// Forward values of a step (one head, or whole with heads side by side).
    pub(super) fn fwd(&self, name: &str, head: Option<usize>) -> Result<Array2<f32>, ExplainError> {
        Ok(self.trace.step(name)?.matrix(head)?.into_owned())
    }

    /// Gradient of a step.
    pub(super) fn grad(
        &self,
        name: &str,
        head: Option<usize>,
    ) -> Result<Array2<f32>, ExplainError> {
        Ok(self
            .grads
            .trace
            .step(&format!("grad.{name}"))?
            .matrix(head)?
            .into_owned())
    }

    pub(super) fn weight(&self, name: &str) -> Result<Array2<f32>, ExplainError> {
        if name == EMBEDDING {
            return Ok(self.model.embedding_table(&self.trace.tokens().vocab));
        }
        self.model
            .weights()
            .matrix(name)
            .map(|m| m.to_owned())
            .map_err(|_| ExplainError::UnknownInput {
                step: name.to_string(),
                input: name.to_string(),
                role: "weight".into(),
                needs_weight: true,
            })
    }

    /// `Σ_k a_k · b_k` shown term by term (elided past `max_terms`).
    pub(super) fn dot_line(&self, what: &str, a: &[f32], b: &[f32]) -> (String, f32) {
        let p = self.p();
        let terms: Vec<String> = a
            .iter()
            .zip(b)
            .map(|(x, y)| format!("{}·{}", op(*x, p), op(*y, p)))
            .collect();
        let sum: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let max = self.opts.max_terms.max(2);
        let shown = if terms.len() > max {
            let head = max.div_ceil(2);
            let tail = max / 2;
            self.t(GradMsg::Elided {
                head: terms[..head].join(" + "),
                tail: terms[terms.len() - tail..].join(" + "),
                n: terms.len(),
            })
        } else {
            terms.join(" + ")
        };
        (format!("{what} = {shown} ≈ {}", fmt_grad(sum, p)), sum)
    }

    pub(super) fn loss_probs(
        &self,
        probs: &Step,
        i: usize,
        j: usize,
    ) -> Result<Part, ExplainError> {
        let p = self.p();
        let pr = probs.value(&[i, j])?;
        let (q, n) = self.target(i, j);
        let value = if q == 0.0 { 0.0 } else { -q / (n * pr) };
        Ok(Part {
            label: self.t(GradMsg::FromLoss),
            lines: vec![
                self.target_line(i, j),
                format!(
                    "−q / (N · probs) = −{} / ({} · {}) = {}",
                    op(q, p),
                    n,
                    op(pr, p),
                    fmt_grad(value, p)
                ),
            ],
            value,
        })
    }

    pub(super) fn loss_logits(&self, i: usize, j: usize) -> Result<Part, ExplainError> {
        let p = self.p();
        let pr = self.trace.step("probs")?.value(&[i, j])?;
        let (q, n) = self.target(i, j);
        let predicted = self.grads.loss.targets.get(i).is_some_and(|t| *t >= 0);
        let value = if predicted { (pr - q) / n } else { 0.0 };
        Ok(Part {
            label: self.t(GradMsg::FromLoss),
            lines: vec![
                self.target_line(i, j),
                format!(
                    "(probs − q) / N = ({} − {}) / {} = {}",
                    op(pr, p),
                    op(q, p),
                    n,
                    fmt_grad(value, p)
                ),
            ],
            value,
        })
    }

    /// q[i][j] (the smoothed target) and N (predicted rows) as f32.
    pub(super) fn target(&self, i: usize, j: usize) -> (f32, f32) {
        let l = &self.grads.loss;
        let n = l.predicted() as f32;
        let v = self.trace.tokens().vocab.len() as f32;
        match l.targets.get(i) {
            Some(t) if *t >= 0 => {
                let eps = l.smoothing;
                let on = usize::try_from(*t).ok() == Some(j);
                (eps / v + if on { 1.0 - eps } else { 0.0 }, n)
            }
            _ => (0.0, n),
        }
    }

    pub(super) fn target_line(&self, i: usize, j: usize) -> String {
        let l = &self.grads.loss;
        let vocab = &self.trace.tokens().vocab;
        match l.targets.get(i) {
            Some(t) if *t >= 0 => {
                let word = usize::try_from(*t)
                    .ok()
                    .and_then(|t| vocab.get(t))
                    .cloned()
                    .unwrap_or_default();
                let col = vocab.get(j).cloned().unwrap_or_default();
                self.t(GradMsg::Target {
                    row: i,
                    word: format!("{word:?}"),
                    col: j,
                    token: format!("{col:?}"),
                    q: fmt_number(self.target(i, j).0, self.p()),
                    eps: l.smoothing.to_string(),
                    n: l.predicted(),
                })
            }
            _ => self.t(GradMsg::NoTarget(i)),
        }
    }

    /// The share of `consumer` (which reads `x`) in `∂x[h][i][j]`.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per step kind: each backward rule written out next to the others, as a table."
    )]
    pub(super) fn part(
        &self,
        consumer: &Step,
        x: &Step,
        head: Option<usize>,
        i: usize,
        j: usize,
    ) -> Result<Part, ExplainError> {
        let p = self.p();
        let cname = consumer.name();
        let heads = x.heads();
        // Column of x's cell in its whole (heads side by side) matrix.
        let dk = x.col_labels(head).len();
        let col = head.map_or(j, |h| h * dk + j);
        let g = |h: Option<usize>| self.grad(cname, h);
        let label = |rule: GradRule| {
            self.t(GradMsg::From {
                step: cname.to_string(),
                rule,
            })
        };
        Ok(match consumer.kind() {
            StepKind::ResidualSum => {
                let v = g(None)?[[i, j]];
                Part {
                    label: label(GradRule::ResidualSum),
                    lines: vec![format!("∂{cname}[{i}][{j}] = {}", fmt_grad(v, p))],
                    value: v,
                }
            }
            StepKind::LayerNorm => self.layer_norm_part(consumer, i, j)?,
            StepKind::FfnHidden
            | StepKind::FfnOut
            | StepKind::AttnOut
            | StepKind::Query
            | StepKind::Key
            | StepKind::Value
            | StepKind::Logits => {
                let w_name = consumer.inputs().get(1).cloned().unwrap_or_default();
                let w = self.weight(&w_name)?;
                let gm = g(None)?;
                let g_row: Vec<f32> = gm.row(i).to_vec();
                let (w_row, rule): (Vec<f32>, String) = if consumer.kind() == StepKind::Logits {
                    // logits = x · Eᵀ: ∂x[i][j] = Σ_v ∂logits[i][v] · E[v][j]
                    (
                        w.column(col).to_vec(),
                        format!("x · Eᵀ: Σ_v ∂{cname}[{i}][v] · E[v][{col}]"),
                    )
                } else {
                    (
                        w.row(col).to_vec(),
                        format!("x · W: Σ_c ∂{cname}[{i}][c] · {w_name}[{col}][c]"),
                    )
                };
                let (line, v) = self.dot_line(&format!("∂ = {rule}"), &g_row, &w_row);
                Part {
                    label: label(GradRule::WeightProduct),
                    lines: vec![line],
                    value: v,
                }
            }
            StepKind::FfnRelu => {
                let hidden = x.value(&[i, j])?;
                let gr = g(None)?[[i, j]];
                let v = if hidden > 0.0 { gr } else { 0.0 };
                Part {
                    label: label(GradRule::Relu),
                    lines: vec![if hidden > 0.0 {
                        self.t(GradMsg::ReluPasses {
                            hidden: fmt_number(hidden, p),
                            i,
                            j,
                            grad: fmt_grad(gr, p),
                        })
                    } else {
                        self.t(GradMsg::ReluBlocks {
                            hidden: fmt_number(hidden, p),
                            grad: fmt_grad(gr, p),
                        })
                    }],
                    value: v,
                }
            }
            StepKind::FfnSilu => {
                // silu'(h) = σ(h) · (1 + h · (1 − σ(h))).
                let hidden = x.value(&[i, j])?;
                let gr = g(None)?[[i, j]];
                let s = 1.0 / (1.0 + (-hidden).exp());
                let slope = s * (1.0 + hidden * (1.0 - s));
                Part {
                    label: label(GradRule::Silu),
                    lines: vec![format!(
                        "∂ = ∂silu[{i}][{j}] · σ(h)·(1 + h·(1 − σ(h))) = {} × {} = {}",
                        fmt_grad(gr, p),
                        fmt_number(slope, p),
                        fmt_grad(gr * slope, p)
                    )],
                    value: gr * slope,
                }
            }
            StepKind::FfnGelu | StepKind::FfnGeluTanh => {
                let hidden = x.value(&[i, j])?;
                let gr = g(None)?[[i, j]];
                let slope = if consumer.kind() == StepKind::FfnGelu {
                    crate::hf::config::gelu_slope(hidden)
                } else {
                    crate::hf::config::gelu_tanh_slope(hidden)
                };
                Part {
                    label: label(GradRule::Gelu),
                    lines: vec![format!(
                        "∂ = ∂gelu[{i}][{j}] · gelu'(h) = {} × {} = {}",
                        fmt_grad(gr, p),
                        fmt_number(slope, p),
                        fmt_grad(gr * slope, p)
                    )],
                    value: gr * slope,
                }
            }
            StepKind::Concat => {
                let v = g(None)?[[i, col]];
                Part {
                    label: label(GradRule::Concat),
                    lines: vec![format!("∂{cname}[{i}][{col}] = {}", fmt_grad(v, p))],
                    value: v,
                }
            }
            StepKind::HeadOut => {
                let h = head.unwrap_or(0);
                let gh = g(Some(h))?;
                if x.kind() == StepKind::Weights {
                    // head_out = w · V: ∂w[i][j] = Σ_c ∂head_out[i][c] · V[j][c]
                    let v_name = consumer.inputs().get(1).cloned().unwrap_or_default();
                    let vm = self.fwd(&v_name, Some(h))?;
                    let (line, v) = self.dot_line(
                        &format!("∂ = Σ_c ∂head_out[{h}][{i}][c] · V[{h}][{j}][c]"),
                        &gh.row(i).to_vec(),
                        &vm.row(j).to_vec(),
                    );
                    Part {
                        label: label(GradRule::WeightsV),
                        lines: vec![line],
                        value: v,
                    }
                } else {
                    // ∂V[i][j] = Σ_r w[r][i] · ∂head_out[r][j]
                    let w_name = consumer.inputs().first().cloned().unwrap_or_default();
                    let wm = self.fwd(&w_name, Some(h))?;
                    let (line, v) = self.dot_line(
                        &format!("∂ = Σ_r weights[{h}][r][{i}] · ∂head_out[{h}][r][{j}]"),
                        &wm.column(i).to_vec(),
                        &gh.column(j).to_vec(),
                    );
                    Part {
                        label: label(GradRule::WeightsV),
                        lines: vec![line],
                        value: v,
                    }
                }
            }
            StepKind::Weights => self.softmax_part(consumer, head.unwrap_or(0), i, j)?,
            StepKind::Masked => {
                let h = head.unwrap_or(0);
                let m = consumer.value(&[h, i, j])?;
                if m == f32::NEG_INFINITY {
                    Part {
                        label: label(GradRule::Mask),
                        lines: vec![self.t(GradMsg::MaskBlocks)],
                        value: 0.0,
                    }
                } else {
                    // masked = scaled + 0 here; its only reader is the softmax.
                    let weights = forward_steps(self.trace)
                        .find(|s| s.inputs().first().map(String::as_str) == Some(cname));
                    let mut inner = match weights {
                        Some(w) => self.softmax_part(w, h, i, j)?,
                        None => Part {
                            label: String::new(),
                            lines: vec![],
                            value: g(Some(h))?[[i, j]],
                        },
                    };
                    inner.lines.insert(
                        0,
                        self.t(GradMsg::MaskPasses {
                            step: cname.to_string(),
                            h,
                            i,
                            j,
                        }),
                    );
                    Part {
                        label: label(GradRule::MaskThenSoftmax),
                        lines: inner.lines,
                        value: inner.value,
                    }
                }
            }
            StepKind::Scaled => {
                let h = head.unwrap_or(0);
                let gs = g(Some(h))?[[i, j]];
                let scale = self.model.config().scale;
                let dk = self.model.config().d_k() as f32;
                let v = if scale { gs / dk.sqrt() } else { gs };
                Part {
                    label: label(GradRule::Scale),
                    lines: vec![if scale {
                        format!(
                            "∂scores = ∂scaled / √d_k = {} / √{} = {} / {} = {}",
                            op(gs, p),
                            dk,
                            op(gs, p),
                            fmt_number(dk.sqrt(), p),
                            fmt_grad(v, p)
                        )
                    } else {
                        self.t(GradMsg::ScaleOff(fmt_grad(v, p)))
                    }],
                    value: v,
                }
            }
            StepKind::Scores => {
                let h = head.unwrap_or(0);
                let gs = g(Some(h))?;
                if x.kind() == StepKind::Query {
                    let k_name = consumer.inputs().get(1).cloned().unwrap_or_default();
                    let k = self.fwd(&k_name, Some(h))?;
                    let (line, v) = self.dot_line(
                        &format!("∂ = Σ_c ∂scores[{h}][{i}][c] · K[{h}][c][{j}]"),
                        &gs.row(i).to_vec(),
                        &k.column(j).to_vec(),
                    );
                    Part {
                        label: label(GradRule::QK),
                        lines: vec![line],
                        value: v,
                    }
                } else {
                    let q_name = consumer.inputs().first().cloned().unwrap_or_default();
                    let q = self.fwd(&q_name, Some(h))?;
                    let (line, v) = self.dot_line(
                        &format!("∂ = Σ_r ∂scores[{h}][r][{i}] · Q[{h}][r][{j}]"),
                        &gs.column(i).to_vec(),
                        &q.column(j).to_vec(),
                    );
                    Part {
                        label: label(GradRule::QK),
                        lines: vec![line],
                        value: v,
                    }
                }
            }
            StepKind::EmbeddingSum => {
                let gv = g(None)?[[i, j]];
                let c = self.model.config();
                let is_tokens = consumer.inputs().first().map(String::as_str) == Some(x.name());
                let v = if is_tokens && c.embed_scale {
                    gv * (c.d_model as f32).sqrt()
                } else {
                    gv
                };
                Part {
                    label: label(GradRule::EmbeddingSum),
                    lines: vec![if is_tokens && c.embed_scale {
                        format!(
                            "sum = tokens · √d_model + pos: ∂tokens = ∂sum · √{} = {} · {} = {}",
                            c.d_model,
                            op(gv, p),
                            fmt_number((c.d_model as f32).sqrt(), p),
                            fmt_grad(v, p)
                        )
                    } else {
                        self.t(GradMsg::EmbeddingPasses {
                            step: cname.to_string(),
                            i,
                            j,
                            grad: fmt_grad(gv, p),
                        })
                    }],
                    value: v,
                }
            }
            _ => {
                let _ = heads;
                return Err(ExplainError::Inconsistent {
                    step: cname.to_string(),
                    detail: format!("a {:?} step does not read other steps", consumer.kind()),
                });
            }
        })
    }

    /// `∂masked[i][j] = w[i][j] (∂w[i][j] − Σ_k w[i][k] ∂w[i][k])` of the softmax `weights`.
    pub(super) fn softmax_part(
        &self,
        weights: &Step,
        h: usize,
        i: usize,
        j: usize,
    ) -> Result<Part, ExplainError> {
        let p = self.p();
        let w = self.fwd(weights.name(), Some(h))?;
        let gw = self.grad(weights.name(), Some(h))?;
        let w_row = w.row(i).to_vec();
        let g_row = gw.row(i).to_vec();
        let (line, dot) = self.dot_line("Σ_k w[i][k] · ∂w[i][k]", &w_row, &g_row);
        let v = w_row[j] * (g_row[j] - dot);
        Ok(Part {
            label: self.t(GradMsg::From {
                step: weights.name().to_string(),
                rule: GradRule::Softmax,
            }),
            lines: vec![
                "∂x[i][j] = w[i][j] · (∂w[i][j] − Σ_k w[i][k] · ∂w[i][k])".into(),
                line,
                format!(
                    "w[{i}][{j}] · (∂w[{i}][{j}] − Σ) = {} · ({} − {}) = {}",
                    op(w_row[j], p),
                    op(g_row[j], p),
                    op(dot, p),
                    fmt_grad(v, p)
                ),
            ],
            value: v,
        })
    }

    /// LayerNorm backward of one input cell.
    pub(super) fn layer_norm_part(
        &self,
        ln: &Step,
        i: usize,
        j: usize,
    ) -> Result<Part, ExplainError> {
        let p = self.p();
        let x_name = ln.inputs().first().cloned().unwrap_or_default();
        let gamma_name = ln.inputs().get(1).cloned().unwrap_or_default();
        let x = self.fwd(&x_name, None)?;
        let gamma =
            self.model
                .weights()
                .vector(&gamma_name)
                .map_err(|_| ExplainError::UnknownInput {
                    step: ln.name().to_string(),
                    input: gamma_name.clone(),
                    role: "gamma".into(),
                    needs_weight: true,
                })?;
        let g = self.grad(ln.name(), None)?;
        let row: Vec<f64> = x.row(i).iter().map(|v| f64::from(*v)).collect();
        let d = row.len() as f64;
        let mean = row.iter().sum::<f64>() / d;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d;
        let sigma = (var + f64::from(self.model.config().eps)).sqrt();
        let xhat: Vec<f64> = row.iter().map(|v| (v - mean) / sigma).collect();
        let ghat: Vec<f64> = g
            .row(i)
            .iter()
            .zip(gamma.iter())
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .collect();
        let mean_g = ghat.iter().sum::<f64>() / d;
        let mean_gx = ghat.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / d;
        let v = ((ghat[j] - mean_g - xhat[j] * mean_gx) / sigma) as f32;
        let f = |x: f64| op(x as f32, p);
        Ok(Part {
            label: self.t(GradMsg::From {
                step: ln.name().to_string(),
                rule: GradRule::LayerNorm,
            }),
            lines: vec![
                "∂x[j] = (ĝ[j] − mean(ĝ) − x̂[j] · mean(ĝ ⊙ x̂)) / σ, ĝ = ∂out ⊙ gamma, x̂ = (x − mean)/σ".into(),
                self.t(GradMsg::LayerNormRow {
                    i,
                    mean: f(mean),
                    sigma: f(sigma),
                    j,
                    xhat: f(xhat[j]),
                    ghat: f(ghat[j]),
                    mean_g: f(mean_g),
                    mean_gx: f(mean_gx),
                }),
                format!(
                    "({} − {} − {} · {}) / {} = {}",
                    f(ghat[j]),
                    f(mean_g),
                    f(xhat[j]),
                    f(mean_gx),
                    f(sigma),
                    fmt_grad(v, p)
                ),
            ],
            value: v,
        })
    }
}
