//! Building the trace of a `kind: attention` hand-check: one query against its keys, by hand.

use super::*;

/// Names of the steps of an attention hand-check, in order.
pub const ATTENTION_STEPS: [&str; 8] = [
    "q", "k", "v", "scores", "scaled", "masked", "weights", "output",
];

pub(super) fn labels(prefix: &str, n: usize) -> Labels {
    Arc::new((0..n).map(|i| format!("{prefix}{i}")).collect())
}

/// The hand-check's q, k and v (when given), when they (and the expected matrices) fit
/// together.
///
/// # Shapes
/// Returns q: n × d_k, k: m × d_k, v: m × d_v.
type HandInputs = (Array2<f32>, Array2<f32>, Option<Array2<f32>>);

#[expect(
    clippy::too_many_lines,
    reason = "each input checked in turn so that every problem of a file is reported at once."
)]
fn hand_inputs(a: &AttentionScenario) -> Result<HandInputs, Vec<ScenarioProblem>> {
    let mut problems = Vec::new();
    let mut arr = |name: &str, rows: &[Vec<f64>]| -> Option<Array2<f32>> {
        let path = FieldPath::key(name);
        if let Err(e) = number_rule(rows.iter().flatten().copied()) {
            problems.push(ScenarioProblem::new(path, e));
            return None;
        }
        let (n, w) = (rows.len(), rows.iter().map(Vec::len).max().unwrap_or(0));
        if n > crate::limits::MAX_ATTENTION_ROWS || w > crate::limits::MAX_ATTENTION_WIDTH {
            problems.push(ScenarioProblem::new(
                path,
                format!(
                    "is {n} × {w}: a hand-check allows at most {} rows and {} columns",
                    crate::limits::MAX_ATTENTION_ROWS,
                    crate::limits::MAX_ATTENTION_WIDTH
                ),
            ));
            return None;
        }
        match to_array(rows) {
            Ok(x) => Some(x),
            Err(e) => {
                problems.push(ScenarioProblem::new(path, format!("matrix {e}")));
                None
            }
        }
    };
    let (q, k) = (arr("q", &a.q), arr("k", &a.k));
    let v = a.v.as_ref().map(|v| arr("v", v));
    let (Some(q), Some(k), Some(v)) = (q, k, v.map_or(Some(None), |v| v.map(Some))) else {
        return Err(problems);
    };
    if q.ncols() != k.ncols() {
        problems.push(ScenarioProblem::new(
            FieldPath::key("k"),
            format!(
                "keys have {} columns but queries have {}: q and k need the same width d_k",
                k.ncols(),
                q.ncols()
            ),
        ));
    }
    if let Some(v) = &v
        && v.nrows() != k.nrows()
    {
        problems.push(ScenarioProblem::new(
            FieldPath::key("v"),
            format!(
                "v has {} rows but k has {}: one value per key",
                v.nrows(),
                k.nrows()
            ),
        ));
    }
    let (n, m, dv) = (q.nrows(), k.nrows(), v.as_ref().map(Array2::ncols));
    if let Some(exp) = &a.expect {
        if let Some(t) = exp.tolerance
            && !(t.is_finite() && t >= 0.0)
        {
            problems.push(ScenarioProblem::new(
                FieldPath::key("expect").then("tolerance"),
                format!("= {t}: expected a finite number ≥ 0, such as 1e-3"),
            ));
        }
        for (name, rows) in exp.matrices() {
            let path = FieldPath::key("expect").then(name);
            let want = match (name, dv) {
                ("output", Some(dv)) => (n, dv),
                ("output", None) => {
                    problems.push(ScenarioProblem::new(
                        path,
                        "expects the output (weights · v), but no v is given: add v, one row per key",
                    ));
                    continue;
                }
                _ => (n, m),
            };
            if rows.iter().flatten().any(|x| x.is_nan()) {
                problems.push(ScenarioProblem::new(
                    path,
                    "has NaN: an expected value must be a number (NaN equals nothing, so the check could never pass)",
                ));
                continue;
            }
            match to_array(rows) {
                Err(e) => problems.push(ScenarioProblem::new(path, format!("matrix {e}"))),
                Ok(x) if x.dim() != want => problems.push(ScenarioProblem::new(
                    path,
                    format!(
                        "is {} × {} but {name} is {} × {} here",
                        x.nrows(),
                        x.ncols(),
                        want.0,
                        want.1
                    ),
                )),
                Ok(_) => {}
            }
        }
    }
    if problems.is_empty() {
        Ok((q, k, v))
    } else {
        Err(problems)
    }
}

/// The eight steps of a hand-check, with q0…, k0… and d0… labels; six without `v` (no `v`,
/// no `output`).
///
/// # Shapes
/// `q`: n × d_k, `k`: m × d_k, `v`: m × d_v; `r` as [`scaled_dot_product`] gives it.
#[expect(
    clippy::too_many_lines,
    reason = "the eight steps of the hand-check recorded in pipeline order."
)]
fn hand_steps(
    q: Array2<f32>,
    k: Array2<f32>,
    v: Option<Array2<f32>>,
    r: crate::model::attention::AttentionSteps,
    causal: bool,
    scale: bool,
) -> (Vec<Step>, Labels, Labels) {
    let (n, m) = (q.nrows(), k.nrows());
    let (ql, kl) = (labels("q", n), labels("k", m));
    let d_k = q.ncols();
    let mut steps = Vec::new();
    let mut push = |name: &str,
                    kind,
                    t: Array2<f32>,
                    rows: &Labels,
                    cols: Labels,
                    f: String,
                    inputs: &[&str]| {
        steps.push(
            Step::build(name, kind, Tensor::Matrix(t))
                .rows(rows.clone())
                .cols(cols)
                .formula(f)
                .inputs(
                    inputs
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect(),
                )
                .finish(),
        );
    };
    push(
        "q",
        StepKind::Query,
        q,
        &ql,
        labels("d", d_k),
        "q: queries given in the scenario".into(),
        &[],
    );
    push(
        "k",
        StepKind::Key,
        k,
        &kl,
        labels("d", d_k),
        "k: keys given in the scenario".into(),
        &[],
    );
    let dv = v.as_ref().map(Array2::ncols);
    if let Some(v) = v {
        let dv = v.ncols();
        push(
            "v",
            StepKind::Value,
            v,
            &kl,
            labels("d", dv),
            "v: values given in the scenario".into(),
            &[],
        );
    }
    push(
        "scores",
        StepKind::Scores,
        r.scores,
        &ql,
        kl.clone(),
        "scores = q · kᵀ".into(),
        &["q", "k"],
    );
    let scaled_f = if scale {
        format!(
            "scaled = scores / √d_k = scores / √{d_k} = scores / {:.4}",
            (d_k as f32).sqrt()
        )
    } else {
        "scaled = scores (scaling off)".into()
    };
    push(
        "scaled",
        StepKind::Scaled,
        r.scaled,
        &ql,
        kl.clone(),
        scaled_f,
        &["scores"],
    );
    let masked_f = if causal {
        "masked = scaled + M, M[i][j] = −∞ where j > i (causal), else 0".into()
    } else {
        "masked = scaled (no mask)".into()
    };
    push(
        "masked",
        StepKind::Masked,
        r.masked,
        &ql,
        kl.clone(),
        masked_f,
        &["scaled"],
    );
    push(
        "weights",
        StepKind::Weights,
        r.weights,
        &ql,
        kl.clone(),
        "weights[i][j] = e^(masked[i][j] − max_i) / Σ_k e^(masked[i][k] − max_i)".into(),
        &["masked"],
    );
    if let Some(dv) = dv {
        push(
            "output",
            StepKind::HeadOut,
            r.output,
            &ql,
            labels("d", dv),
            "output = weights · v".into(),
            &["weights", "v"],
        );
    }
    (steps, ql, kl)
}

/// Runs an attention hand-check and records `q k v scores scaled masked weights output`
/// (without `v`: `q k scores scaled masked weights`, the article's example of q and k alone).
pub fn build_attention(a: &AttentionScenario) -> Result<Trace, Vec<ScenarioProblem>> {
    check_version(a.version)?;
    let (q, k, v) = hand_inputs(a)?;
    let causal = a.mask.map(|w| w.0) == Some(MaskKind::Causal);
    let scale = a.scale.unwrap_or(true);
    // Without v the weighted sum is not recorded: one column of zeros stands in for it.
    let no_v = Array2::<f32>::zeros((k.nrows(), 1));
    let r = scaled_dot_product(
        q.view(),
        k.view(),
        v.as_ref().map_or(no_v.view(), |v| v.view()),
        if causal { Mask::Causal } else { Mask::None },
        scale,
    );
    if r.scores.iter().any(|x| !x.is_finite()) {
        return Err(vec![ScenarioProblem::new(
            FieldPath::key("q"),
            "the dot products q·k overflow f32 (a score reaches ±∞): use smaller numbers",
        )]);
    }
    let (steps, ql, kl) = hand_steps(q, k, v, r, causal, scale);
    let trace = Trace::new(
        steps,
        TraceTokens {
            source: ql,
            target: None,
            vocab: kl,
        },
    );
    let mut tour = check_tour(&a.steps, &trace);
    tour.extend(check_practice(&a.practice, &trace));
    if tour.is_empty() {
        Ok(trace)
    } else {
        Err(tour)
    }
}
