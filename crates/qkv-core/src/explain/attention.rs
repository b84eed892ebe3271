//! Explanations of an attention block: Q/K/V projections, scores, scaling, the mask,
//! softmax (the weighted sum of V, concat and W_O are in `heads_out`).

use super::*;

/// True when the prose is Korean.
pub(super) fn ko(c: &Ctx<'_>) -> bool {
    c.lang == Lang::Ko
}

// Over 80 lines: the dot product of a row with a weight column written out term by term, in both languages.
pub(super) fn projection(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let short = c.short();
    let token = c.row_label(i);
    let what = match (c.step.kind(), ko(c)) {
        (StepKind::Query, false) => "query",
        (StepKind::Key, false) => "key",
        (_, false) => "value",
        (StepKind::Query, true) => "쿼리(query)",
        (StepKind::Key, true) => "키(key)",
        (_, true) => "밸류(value)",
    };
    let head_text = c.head_text();
    let title = if ko(c) {
        format!("{what}: {token} (행 {i}){head_text}, 열 {j}")
    } else {
        format!("{what} of {token} (row {i}){head_text}, column {j}")
    };
    if c.step.inputs().is_empty() {
        let row = c.row(c.step, c.cell.head, i)?;
        return Ok(Body {
            title,
            formula: if ko(c) {
                format!("{short}[i]: 주어진 값")
            } else {
                format!("{short}[i] is given")
            },
            lines: vec![
                if ko(c) {
                    format!(
                        "{short}: 시나리오에 주어진 값입니다 (손 계산 확인에는 모델도 W_{}도 없습니다). 계산하지 않습니다",
                        short.to_uppercase()
                    )
                } else {
                    format!(
                        "{short} is given in the scenario (a hand-check has no model and no W_{}): it is not computed",
                        short.to_uppercase()
                    )
                },
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
    let mut lines = vec![if ko(c) {
        format!(
            "x = {} ({token}), 값 {}개",
            row_ref(x_step, None, i),
            x.len()
        )
    } else {
        format!(
            "x = {} ({token}), {} values",
            row_ref(x_step, None, i),
            x.len()
        )
    }];
    match c.cell.head {
        Some(h) if ko(c) => lines.push(format!(
            "W = {w_name}[:, {col}]: 헤드 {h}가 쓰는 열은 h·d_k..(h+1)·d_k, 헤드 안의 열 j = {j} → h·d_k + j = {h}·{d_k} + {j} = {col}"
        )),
        Some(h) => lines.push(format!(
            "W = {w_name}[:, {col}]: head {h} uses columns h·d_k..(h+1)·d_k, so column j = {j} of the head is h·d_k + j = {h}·{d_k} + {j} = {col}"
        )),
        None => lines.push(format!("W = {w_name}[:, {col}]")),
    }
    let (more, r) = c.dot_plus_bias(&format!("x · {w_short}[:, {col}]"), &x, &wcol, 2, col)?;
    lines.extend(more);
    // A Marian projection adds a bias b_Q, b_K or b_V (the paper's has none).
    let bias = c
        .step
        .inputs()
        .get(2)
        .map(|b| format!(" + {}[h·d_k + j]", short_name(b)))
        .unwrap_or_default();
    Ok(Body {
        title,
        formula: format!(
            "{short}{}[i][j] = x[i] · {w_short}[:, h·d_k + j]{bias} = Σ_t x[i][t] × {w_short}[t][h·d_k + j]{bias}",
            if c.cell.head.is_some() { "[h]" } else { "" }
        ),
        lines,
        recomputed: Some(r),
    })
}

pub(super) fn scores(c: &Ctx<'_>) -> Result<Body, ExplainError> {
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
        .map(|h| {
            if ko(c) {
                format!("헤드 {h}, ")
            } else {
                format!("head {h}, ")
            }
        })
        .unwrap_or_default();
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let (line, r) = c.dot_line("q·k", &q, &k, c.value);
    Ok(Body {
        title: if ko(c) {
            format!(
                "어텐션 스코어(attention score) 원값, {head_text}쿼리 {qt} (행 {i}) · 키 {kt} (열 {j})"
            )
        } else {
            format!("raw attention score, {head_text}query {qt} (row {i}) · key {kt} (column {j})")
        },
        formula: format!(
            "{}{hh}[i][j] = q{hh}[i] · k{hh}[j] = Σ_t q[i][t] × k[j][t]",
            c.short()
        ),
        lines: vec![
            if ko(c) {
                format!(
                    "q = {} ({qt}), k = {} ({kt}): d_k = 항 {}개",
                    row_ref(q_step, c.cell.head, i),
                    row_ref(k_step, c.cell.head, j),
                    q.len()
                )
            } else {
                format!(
                    "q = {} ({qt}), k = {} ({kt}): d_k = {} term{}",
                    row_ref(q_step, c.cell.head, i),
                    row_ref(k_step, c.cell.head, j),
                    q.len(),
                    if q.len() == 1 { "" } else { "s" }
                )
            },
            line,
        ],
        recomputed: Some(r),
    })
}

// Over 80 lines: scaling explained with and without √d_k, in both languages.
pub(super) fn scaled(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, j) = (c.cell.row, c.cell.col);
    let s_step = c.input_step(0, "the raw scores")?;
    let s = c.at(s_step, c.cell.head, i, j)?;
    // d_k is the width of one head of the queries the scores came from.
    let q_step = s_step.inputs().first().and_then(|n| c.trace.get(n));
    let d_k = match (q_step, c.model) {
        (Some(q), _) => q.dims().1,
        (None, Some(m)) => m.d_k(),
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
        (Some(settings), _) => settings.scale,
        (None, Some(m)) => m.scale(),
        (None, None) => !c.step.formula().contains("scaling off"),
    };
    let (qt, kt) = (c.row_label(i), c.col_label(j));
    let title = if ko(c) {
        format!("스케일링(scaling)된 스코어: 쿼리 {qt} (행 {i}), 키 {kt} (열 {j})")
    } else {
        format!("scaled score of query {qt} (row {i}) and key {kt} (column {j})")
    };
    let hh = if c.cell.head.is_some() { "[h]" } else { "" };
    let s_line = format!(
        "scores = {} = {}",
        cell_ref(s_step, c.cell.head, i, j),
        c.num(s)
    );
    if !scale {
        return Ok(Body {
            title,
            formula: if ko(c) {
                format!("{}{hh}[i][j] = scores{hh}[i][j] (스케일링 끔)", c.short())
            } else {
                format!("{}{hh}[i][j] = scores{hh}[i][j] (scaling off)", c.short())
            },
            lines: vec![
                s_line,
                if ko(c) {
                    format!("스케일링 끔: scaled = scores = {}", c.num(c.value))
                } else {
                    format!("scaling off: scaled = scores = {}", c.num(c.value))
                },
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
            if ko(c) {
                format!(
                    "÷ √d_k = √{d_k} = {}  (d_k = {d_k}: {q_name}의 헤드 하나의 너비)",
                    c.num(root)
                )
            } else {
                format!(
                    "÷ √d_k = √{d_k} = {}  (d_k = {d_k}: the width of one head of {q_name})",
                    c.num(root)
                )
            },
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

// Over 80 lines: the mask cell explained for each case (open, blocked, fully blocked row, NaN), in both languages.
pub(super) fn masked(c: &Ctx<'_>) -> Result<Body, ExplainError> {
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
    if is_blocked && ko(c) {
        lines.push(match shape {
            MaskShape::Causal => format!(
                "인과 마스크: 키 토큰 {kt} (열 {j})의 위치가 쿼리 토큰 {qt} (행 {i})보다 뒤입니다, j = {j} > i = {i}. 토큰은 자기 자신과 앞선 토큰에만 주목할 수 있으므로 M[{i}][{j}] = −∞"
            ),
            _ => format!(
                "마스크가 이 칸을 막습니다: 쿼리 토큰 {qt} (행 {i})에서 키 토큰 {kt} (열 {j})에는 주목할 수 없으므로 M[{i}][{j}] = −∞"
            ),
        });
        lines.push(format!(
            "masked = scaled + M = {} + (−∞) = −∞ (큰 음수가 아니라 IEEE −∞)",
            c.op(s)
        ));
        lines.push(format!(
            "소프트맥스 가중치는 e^(−∞) = 0: {kt}의 정보가 {qt}에 전혀 섞이지 않습니다"
        ));
    } else if !is_blocked && ko(c) {
        lines.push(match shape {
            MaskShape::None => format!(
                "이 {}에는 마스킹된 칸이 없습니다: 모든 곳에서 M = 0",
                if c.cell.head.is_some() { "헤드" } else { "행렬" }
            ),
            MaskShape::Causal => format!(
                "인과 마스크: 키 토큰 {kt} (열 {j})의 위치가 쿼리 토큰 {qt} (행 {i})보다 뒤가 아닙니다, j = {j} ≤ i = {i}, 그래서 M[{i}][{j}] = 0"
            ),
            MaskShape::Custom => format!(
                "마스크가 쿼리 토큰 {qt} (행 {i})에서 키 토큰 {kt} (열 {j})에 주목하도록 허용합니다: M[{i}][{j}] = 0"
            ),
        });
        lines.push(format!(
            "masked = scaled + M = {} + 0 = {}",
            c.op(s),
            c.num(c.value)
        ));
    } else if is_blocked {
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
    let formula = match (shape, ko(c)) {
        (MaskShape::Causal, false) => format!(
            "{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = −∞ where j > i (causal), else 0"
        ),
        (_, false) => {
            format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = 0 or −∞")
        }
        (MaskShape::Causal, true) => format!(
            "{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], j > i이면 M[i][j] = −∞ (인과), 아니면 0"
        ),
        (_, true) => {
            format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = 0 또는 −∞")
        }
    };
    Ok(Body {
        title: if ko(c) {
            format!("마스킹(masking)된 스코어: 쿼리 {qt} (행 {i}), 키 {kt} (열 {j})")
        } else {
            format!("masked score of query {qt} (row {i}) and key {kt} (column {j})")
        },
        formula,
        lines,
        recomputed: Some(if is_blocked { f32::NEG_INFINITY } else { s }),
    })
}

// Over 80 lines: the softmax row explained step by step (max, shifted exponentials, sum, division), in both languages.
pub(super) fn softmax(c: &Ctx<'_>) -> Result<Body, ExplainError> {
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
    let title = match (c.step.kind(), ko(c)) {
        (StepKind::Probs, false) => {
            format!("probability of the token {ct} (column {j}) after {rt} (row {i})")
        }
        (_, false) => {
            format!("attention weight: how much {rt} (row {i}) takes from {ct} (column {j})")
        }
        (StepKind::Probs, true) => {
            format!("확률: {rt} (행 {i}) 다음 토큰이 {ct} (열 {j})일 확률")
        }
        (_, true) => {
            format!("소프트맥스(softmax) 가중치: {rt} (행 {i})의 몫 중 {ct} (열 {j})에서 오는 비율")
        }
    };
    let formula = if ko(c) {
        format!(
            "{short}{hh}[i][j] = e^(x_j − max) / Σ_k e^(x_k − max), x = {}의 행 i",
            x_step.name()
        )
    } else {
        format!(
            "{short}{hh}[i][j] = e^(x_j − max) / Σ_k e^(x_k − max), x = row i of {}",
            x_step.name()
        )
    };
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
        lines.push(if ko(c) {
            format!(
                "이 행에는 마스크가 넣지 않은 NaN이나 ±∞가 있습니다 (마스크가 아니라 넘침): e^(x_j − max) / Σ는 NaN, 그래서 {short}[{i}][{j}] = NaN"
            )
        } else {
            format!(
                "the row holds NaN or ±∞ that no mask put there (an overflow, not a mask): e^(x_j − max) / Σ is NaN, so {short}[{i}][{j}] = NaN"
            )
        });
        if let Some((at, v)) = c.trace.first_non_finite() {
            lines.push(if ko(c) {
                format!(
                    "이번 계산에서 처음 나온 유한하지 않은 값: {at} = {}",
                    c.num(v)
                )
            } else {
                format!(
                    "the first non-finite value of this pass is {at} = {}",
                    c.num(v)
                )
            });
        }
        return Ok(Body {
            title,
            formula,
            lines,
            recomputed: Some(f32::NAN),
        });
    }
    if max == f32::NEG_INFINITY {
        if ko(c) {
            lines.push(format!(
                "행의 모든 값이 −∞입니다 (전부 마스킹됨): {rt}에는 주목할 곳이 없고, e^(−∞)/Σ는 0/0이 됩니다"
            ));
            lines.push(format!(
                "qkv는 이런 행을 NaN 대신 모두 0으로 둡니다: {short}[{i}][{j}] = 0"
            ));
        } else {
            lines.push(format!(
                "every entry of the row is −∞ (fully masked): {rt} may attend to nothing, and e^(−∞)/Σ would be 0/0"
            ));
            lines.push(format!(
                "qkv sets such a row to all zeros instead of NaN: {short}[{i}][{j}] = 0"
            ));
        }
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
    let n = x.len().min(exps.len());
    let (joined, hidden) = c.elide(n, |k| exp_text(x[k], exps[k]), ", ");
    lines.push(format!(
        "e^(x_k − max): {joined}{}",
        c.count_note(n, hidden)
    ));
    let sum: f32 = exps.iter().sum();
    lines.push(c.sum_line("Σ", exps.len(), |k| c.num(exps[k]), sum));
    let ej = exps.get(j).copied().unwrap_or(0.0);
    let xj = x.get(j).copied().unwrap_or(0.0);
    if xj == f32::NEG_INFINITY {
        lines.push(format!(
            "{short}[{i}][{j}] = e^(−∞) / Σ = 0 / {} = {}  ({})",
            c.num(sum),
            c.num(c.value),
            if ko(c) {
                "마스킹됨: 정확히 0"
            } else {
                "masked: exactly 0"
            }
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
