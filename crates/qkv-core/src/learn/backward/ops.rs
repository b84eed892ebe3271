//! The pieces the backward pass is built from: gradient buffers shaped like their steps, the gradient step records, per-head views, and the backward rules of softmax and LayerNorm.

use super::*;

/// Zeros of a step's stored shape.
pub(super) fn zeros_like(step: &Step) -> Result<Grad, BackwardError> {
    let shape = step.shape();
    Ok(match shape.as_slice() {
        [r, c] => Grad::Matrix(Array2::zeros((*r, *c))),
        [h, r, c] if step.kind().side_by_side() => Grad::Matrix(Array2::zeros((*r, h * c))),
        [h, r, c] => Grad::Heads(Array3::zeros((*h, *r, *c))),
        _ => {
            return Err(BackwardError::Unsupported {
                name: step.name().to_string(),
                why: format!("shape {shape:?}"),
            });
        }
    })
}

/// The recorded `grad.<name>` step of `step`.
pub(super) fn grad_step(step: &Step, g: Grad) -> Result<Step, BackwardError> {
    let tensor = match (g, step.heads()) {
        (Grad::Matrix(m), Some(h)) => Tensor::Heads(split_heads(m.view(), h)),
        (Grad::Matrix(m), None) => Tensor::Matrix(m),
        (Grad::Heads(t), _) => Tensor::Heads(t),
    };
    let (rows, cols) = step.labels();
    Ok(
        Step::build(format!("grad.{}", step.name()), step.kind(), tensor)
            .rows(rows)
            .cols(cols)
            .formula(rule(step))
            .inputs(vec![step.name().to_string()])
            .finish(),
    )
}

/// How the gradient of a step is obtained (the formula shown with `grad.<step>`): the rule
/// of the step that reads it.
pub(super) fn rule(step: &Step) -> String {
    match step.kind() {
        StepKind::Probs => "∂probs = −q / (N · probs) on predicted rows (q: the target distribution, N: predicted rows)".into(),
        StepKind::Logits => "∂logits = (probs − q) / N on predicted rows, 0 on rows that predict nothing".into(),
        StepKind::Weights => "∂weights_h = ∂head_out_h · V_hᵀ".into(),
        StepKind::Masked => "∂masked[i][j] = w[i][j] · (∂w[i][j] − Σ_k w[i][k] · ∂w[i][k]) (softmax backward)".into(),
        StepKind::Scaled => "∂scaled = ∂masked where the mask adds 0; 0 where it adds −∞".into(),
        StepKind::Scores => "∂scores = ∂scaled / √d_k (= ∂scaled when scaling is off)".into(),
        StepKind::Query => "∂Q_h = ∂scores_h · K_h".into(),
        StepKind::Key => "∂K_h = ∂scores_hᵀ · Q_h".into(),
        StepKind::Value => "∂V_h = weights_hᵀ · ∂head_out_h".into(),
        StepKind::HeadOut => "∂head_out = ∂concat, cut into heads".into(),
        StepKind::Concat => "∂concat = ∂out · W_Oᵀ".into(),
        StepKind::AttnOut | StepKind::FfnOut => {
            "∂out = ∂sum of the residual connection (passed on unchanged)".into()
        }
        StepKind::FfnRelu => "∂relu = ∂out · W2ᵀ".into(),
        StepKind::FfnSilu => "∂silu = ∂out · W2ᵀ".into(),
        StepKind::FfnGelu | StepKind::FfnGeluTanh => "∂gelu = ∂out · W2ᵀ".into(),
        StepKind::TokenTypes => "∂types = ∂sum; each row adds into its type's row of ∂T".into(),
        StepKind::FfnHidden => "∂hidden = ∂relu where hidden > 0, else 0".into(),
        StepKind::LayerNorm | StepKind::ResidualSum | StepKind::EmbeddingSum => {
            "∂x = Σ of what each step that reads x sends back (residual sums pass it on, LayerNorm and projections transform it)".into()
        }
        StepKind::TokenEmbedding => "∂tokens = ∂sum (× √d_model with embed_scale); each row adds into its token's row of ∂E".into(),
        StepKind::Positional => "∂pos = ∂sum (the encoding is fixed: nothing learns from it)".into(),
    }
}

/// Adds `g` to the gradient of step `name`.
pub(super) fn accumulate(grads: &mut HashMap<String, Grad>, name: &str, g: Grad) {
    match (grads.get_mut(name), g) {
        (Some(Grad::Matrix(a)), Grad::Matrix(b)) if a.dim() == b.dim() => *a += &b,
        (Some(Grad::Heads(a)), Grad::Heads(b)) if a.dim() == b.dim() => *a += &b,
        (_, g) => {
            grads.insert(name.to_string(), g);
        }
    }
}

/// The forward values of step `name`, whole (heads side by side): a view of what the trace
/// keeps (copied only for a step it recomputes, `relu`).
pub(super) fn values<'t>(
    trace: &'t Trace,
    name: &str,
) -> Result<CowArray<'t, f32, Ix2>, BackwardError> {
    Ok(trace.step(name)?.matrix(None)?)
}

/// One head of step `name`. The attention weights and masked scores are built from what
/// the trace keeps whenever it is asked for them, and the backward pass needs each head of
/// `weights` twice: they are kept here once built, and shared rather than copied.
pub(super) fn head(
    trace: &Trace,
    cache: &mut HashMap<(String, usize), Arc<Array2<f32>>>,
    name: &str,
    h: usize,
) -> Result<Arc<Array2<f32>>, BackwardError> {
    if let Some(m) = cache.get(&(name.to_string(), h)) {
        return Ok(Arc::clone(m));
    }
    let m = Arc::new(trace.step(name)?.matrix(Some(h))?.into_owned());
    cache.insert((name.to_string(), h), Arc::clone(&m));
    Ok(m)
}

pub(super) fn input(step: &Step, i: usize) -> Result<&str, BackwardError> {
    step.inputs()
        .get(i)
        .map(String::as_str)
        .ok_or_else(|| BackwardError::Unsupported {
            name: step.name().to_string(),
            why: format!("it records no input {i}"),
        })
}

pub(super) fn matrix_of<'g>(
    g: &'g Grad,
    step: &Step,
) -> Result<ArrayView2<'g, f32>, BackwardError> {
    match g {
        Grad::Matrix(m) => Ok(m.view()),
        Grad::Heads(_) => Err(wrong_kind(step, "a whole-matrix")),
    }
}

/// The whole-matrix gradient `g`, taken over.
pub(super) fn into_matrix(g: Grad, step: &Step) -> Result<Array2<f32>, BackwardError> {
    match g {
        Grad::Matrix(m) => Ok(m),
        Grad::Heads(_) => Err(wrong_kind(step, "a whole-matrix")),
    }
}

/// The per-head gradient `g`, taken over.
pub(super) fn into_heads(g: Grad, step: &Step) -> Result<Array3<f32>, BackwardError> {
    match g {
        Grad::Heads(t) => Ok(t),
        Grad::Matrix(_) => Err(wrong_kind(step, "a per-head")),
    }
}

pub(super) fn heads_of<'g>(g: &'g Grad, step: &Step) -> Result<&'g Array3<f32>, BackwardError> {
    match g {
        Grad::Heads(t) => Ok(t),
        Grad::Matrix(_) => Err(wrong_kind(step, "a per-head")),
    }
}

/// The error of a gradient of the other kind than `step`'s rule expects (`what` gradient).
fn wrong_kind(step: &Step, what: &str) -> BackwardError {
    BackwardError::Unsupported {
        name: step.name().to_string(),
        why: format!("expected {what} gradient"),
    }
}

/// Head h's columns (h·c..(h+1)·c) of a standard-layout matrix as a product operand, read
/// in place (`None` for another layout).
///
/// # Shapes
/// `x`: rows × (heads · c) → rows × c.
pub(super) fn head_view<'a>(x: &ArrayView2<'a, f32>, h: usize, c: usize) -> Option<MatView<'a>> {
    MatView::columns(x.to_slice()?, x.nrows(), x.ncols(), h * c, (h + 1) * c)
}

/// The blocks of `c` columns of a standard-layout matrix, one per head, each written by a
/// product in place (`None` for another layout).
///
/// # Shapes
/// `x`: rows × (heads · c) → heads blocks of rows × c.
pub(super) fn head_blocks(x: &mut Array2<f32>, c: usize) -> Option<Vec<MatViewMut<'_>>> {
    let (rows, cols) = x.dim();
    MatViewMut::column_blocks(x.as_slice_mut()?, rows, cols, c)
}

/// The products of a `head_out` step's backward rule, head by head: ∂W_h = G_h · V_hᵀ (each
/// head's attention weights) and ∂V_h = W_hᵀ · G_h (its columns of ∂V), where `weights(h)`
/// gives head h's weights (`name`: the step's, for the error). Each product reads the heads'
/// columns in place (G and V in standard layout, copied first only when they are not) and
/// writes straight into its place in the output, with the orientation of every operand the
/// earlier code's copies had (V_hᵀ row-major: with one row of output, faer sums a
/// column-major right operand in another order), so the bits are the same (a test).
///
/// # Shapes
/// `g`: n × (heads · c), `v`: m × (heads · c), `weights(h)`: n × m → (∂W: heads × n × m,
/// ∂V: m × (heads · c)).
pub(super) fn head_out_products(
    name: &str,
    g: ArrayView2<'_, f32>,
    v: ArrayView2<'_, f32>,
    heads: usize,
    c: usize,
    mut weights: impl FnMut(usize) -> Result<Arc<Array2<f32>>, BackwardError>,
) -> Result<(Array3<f32>, Array2<f32>), BackwardError> {
    let (n, m) = (g.nrows(), v.nrows());
    let (g, v) = (g.as_standard_layout(), v.as_standard_layout());
    let mut dw = Array3::zeros((heads, n, m));
    let mut dv = Array2::zeros(v.dim());
    let shapes = |h: usize, why: String| BackwardError::Unsupported {
        name: name.to_string(),
        why: format!("head {h}: {why}"),
    };
    let dw_all = dw
        .as_slice_mut()
        .ok_or_else(|| shapes(0, "∂W is not contiguous".into()))?;
    let dv_blocks =
        head_blocks(&mut dv, c).ok_or_else(|| shapes(0, "∂V is not contiguous".into()))?;
    for (h, dv_h) in dv_blocks.into_iter().enumerate() {
        let w_h = weights(h)?;
        let v_t = cols(&v.view(), h, c)
            .reversed_axes()
            .as_standard_layout()
            .into_owned();
        let (Some(g_h), Some(w_view), Some(v_t_view)) = (
            head_view(&g.view(), h, c),
            MatView::of(&w_h.view()).filter(|_| w_h.dim() == (n, m)),
            MatView::of(&v_t.view()),
        ) else {
            return Err(shapes(
                h,
                format!("its weights are {:?}, not {n} × {m}", w_h.dim()),
            ));
        };
        // ∂W_h: head h's n · m values of ∂W (none when n or m is 0).
        let dw_h = dw_all
            .get_mut(h * n * m..(h + 1) * n * m)
            .unwrap_or_default();
        if let Some(dw_h) = MatViewMut::column_blocks(dw_h, n, m, m).and_then(|mut b| b.pop()) {
            product_into_view(g_h, v_t_view, dw_h);
        }
        product_into_view(w_view.t(), g_h, dv_h);
    }
    Ok((dw, dv))
}

/// The products of a `scores` step's backward rule, head by head: ∂Q_h = G_h · K_h and
/// ∂K_h = G_hᵀ · Q_h, each written straight into its head's columns, the heads' columns of Q
/// and K read in place (in standard layout, copied first only when they are not; operands in
/// the orientation the earlier code's copies had: the same bits, a test).
///
/// # Shapes
/// `g`: heads × n × m, `q`: n × (heads · c), `k`: m × (heads · c) → (∂Q: n × (heads · c),
/// ∂K: m × (heads · c)).
pub(super) fn score_products(
    name: &str,
    g: &Array3<f32>,
    q: ArrayView2<'_, f32>,
    k: ArrayView2<'_, f32>,
    c: usize,
) -> Result<(Array2<f32>, Array2<f32>), BackwardError> {
    let (q, k) = (q.as_standard_layout(), k.as_standard_layout());
    let mut dq = Array2::zeros(q.dim());
    let mut dk = Array2::zeros(k.dim());
    let blocks = head_blocks(&mut dq, c).zip(head_blocks(&mut dk, c));
    let layout = |what: &str| BackwardError::Unsupported {
        name: name.to_string(),
        why: format!("{what} is not in standard layout"),
    };
    let (dq_blocks, dk_blocks) = blocks.ok_or_else(|| layout("∂Q or ∂K"))?;
    for (((h, g_h), dq_h), dk_h) in g
        .axis_iter(Axis(0))
        .enumerate()
        .zip(dq_blocks)
        .zip(dk_blocks)
    {
        let (Some(g_h), Some(k_h), Some(q_h)) = (
            MatView::of(&g_h),
            head_view(&k.view(), h, c),
            head_view(&q.view(), h, c),
        ) else {
            return Err(layout(&format!("head {h} of the gradient, Q or K")));
        };
        product_into_view(g_h, k_h, dq_h);
        product_into_view(g_h.t(), q_h, dk_h);
    }
    Ok((dq, dk))
}

/// Columns h·c..(h+1)·c of `x`.
pub(super) fn cols<'a>(x: &ArrayView2<'a, f32>, h: usize, c: usize) -> ArrayView2<'a, f32> {
    (*x).slice_axis_move(Axis(1), Slice::from(h * c..(h + 1) * c))
}

/// Softmax backward of one row: `∂x_j = w_j (g_j − Σ_k w_k g_k)` for the weights `w` and
/// the gradient `g` of the weights.
///
/// # Shapes
/// `w`, `g`: m → m.
pub fn softmax_backward(w: &[f32], g: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; w.len().min(g.len())];
    softmax_backward_into(w, g, &mut out);
    out
}

/// [`softmax_backward`] written into `out` (the same operations in the same order).
///
/// # Shapes
/// `w`, `g`, `out`: m.
pub fn softmax_backward_into(w: &[f32], g: &[f32], out: &mut [f32]) {
    let dot: f32 = w.iter().zip(g).map(|(a, b)| a * b).sum();
    for ((o, wj), gj) in out.iter_mut().zip(w).zip(g) {
        *o = wj * (gj - dot);
    }
}

/// LayerNorm backward over the rows of `x` (statistics recomputed in f64).
///
/// # Shapes
/// `x`, `g`: n × d, `gamma`: d → (∂x: n × d, ∂gamma: d, ∂beta: d).
pub fn layer_norm_backward(
    x: ArrayView2<'_, f32>,
    gamma: ndarray::ArrayView1<'_, f32>,
    g: ArrayView2<'_, f32>,
    eps: f32,
) -> (Array2<f32>, Array1<f32>, Array1<f32>) {
    let (n, d) = x.dim();
    let mut dx = Array2::zeros((n, d));
    let mut dgamma = vec![0f64; d];
    let mut dbeta = vec![0f64; d];
    // One row's x − mean (then x̂), ĝ and ĝ·x̂, reused from row to row. The four sums
    // run in eight f64 lanes (`lane_sum_f64`, the forward LayerNorm's): one running sum makes
    // each addition wait for the one before. The order changes an f64 sum by about 1e-16 of
    // it, far below f32's rounding: the f32 results differ from a single running sum's only
    // where an f64 value lies that close to a boundary between two f32 values (none among
    // the 27,300 values of the test).
    let (mut xc, mut ghat, mut tmp) = (vec![0f64; d], vec![0f64; d], vec![0f64; d]);
    for ((x_row, g_row), mut dx_row) in x.rows().into_iter().zip(g.rows()).zip(dx.rows_mut()) {
        for (c, v) in xc.iter_mut().zip(x_row) {
            *c = f64::from(*v);
        }
        let mean = lane_sum_f64(&xc, |x| x) / d as f64;
        for c in xc.iter_mut() {
            *c -= mean;
        }
        let var = lane_sum_f64(&xc, |c| c * c) / d as f64;
        let inv = 1.0 / (var + f64::from(eps)).sqrt();
        // x̂ = (x − mean) · inv, in place
        let xhat = &mut xc;
        for h in xhat.iter_mut() {
            *h *= inv;
        }
        for ((gh, a), b) in ghat.iter_mut().zip(g_row).zip(gamma) {
            *gh = f64::from(*a) * f64::from(*b);
        }
        let mean_g = lane_sum_f64(&ghat, |x| x) / d as f64;
        for ((t, gh), xh) in tmp.iter_mut().zip(&ghat).zip(xhat.iter()) {
            *t = gh * xh;
        }
        let mean_gx = lane_sum_f64(&tmp, |x| x) / d as f64;
        // The row's values, and the running sums of ∂γ and ∂β: each index on its own, so
        // the loop runs on vector instructions (the same operations per value).
        for (((v, (gh, xh)), g), (dg, db)) in dx_row
            .iter_mut()
            .zip(ghat.iter().zip(xhat.iter()))
            .zip(g_row.iter())
            .zip(dgamma.iter_mut().zip(dbeta.iter_mut()))
        {
            *v = ((gh - mean_g - xh * mean_gx) * inv) as f32;
            *dg += f64::from(*g) * xh;
            *db += f64::from(*g);
        }
    }
    (
        dx,
        dgamma.into_iter().map(|v| v as f32).collect(),
        dbeta.into_iter().map(|v| v as f32).collect(),
    )
}
