//! `qkv::explain`: every kind of step is explained with numbers that reproduce the cell, checked
//! against the model's own tensors; the article's example reads as in the article; masks name
//! their tokens; long sums are elided with their count; bad addresses give clear errors.

use std::sync::Arc;

use ndarray::{Array1, Array2, Array3, array};
use proptest::prelude::*;

use qkv::explain::{
    ExplainError, ExplainOptions, Explanation, explain, explain_str, fmt_number, fmt_operand,
};
use qkv::model::attention::{Mask, scaled_dot_product};
use qkv::model::config::Preset;
use qkv::model::{Arch, Config, MaskKind, Norm, Param, Positional, Transformer, prepare};
use qkv::trace::{Address, Labels, Step, StepKind, Tensor, Trace, TraceError, TraceTokens};

const TEXT: &str = "나는 학교에 간다";

fn tiny(arch: Arch, norm: Norm) -> Config {
    let mut c = Config::preset(Preset::Tiny);
    c.arch = arch;
    c.norm = norm;
    c
}

fn run(config: Config) -> (Transformer, Trace) {
    let (valid, input) = prepare(config, TEXT, None).unwrap();
    let model = Transformer::new(valid);
    let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
    (model, trace)
}

/// The default tiny trace: encoder-decoder, post-LN, 나는 학교에 간다 → `<bos> I go to school`.
fn default_trace() -> (Transformer, Trace) {
    run(Config::preset(Preset::Tiny))
}

/// Every number at 7 digits, no eliding: the text can be parsed back.
const FULL: ExplainOptions = ExplainOptions {
    precision: 7,
    max_terms: usize::MAX,
};

fn ex(model: &Transformer, trace: &Trace, address: &str) -> Explanation {
    explain_str(Some(model), trace, address, &ExplainOptions::default())
        .unwrap_or_else(|e| panic!("{address}: {e}"))
}

fn ex_full(model: &Transformer, trace: &Trace, address: &str) -> Explanation {
    explain_str(Some(model), trace, address, &FULL).unwrap_or_else(|e| panic!("{address}: {e}"))
}

fn has(e: &Explanation, needle: &str) {
    let text = e.to_text();
    assert!(text.contains(needle), "missing {needle:?} in\n{text}");
}

fn no_note(e: &Explanation) {
    assert!(
        !e.lines.iter().any(|l| l.starts_with("note:")),
        "{}",
        e.to_text()
    );
}

/// A number as printed by explain (`−` minus, parentheses, `∞`).
fn parse_num(s: &str) -> f32 {
    let s = s
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .replace('−', "-");
    match s.as_str() {
        "-∞" => f32::NEG_INFINITY,
        "∞" => f32::INFINITY,
        _ => s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

/// The line starting with `prefix`.
fn line<'e>(e: &'e Explanation, prefix: &str) -> &'e str {
    e.lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{}", e.to_text()))
}

/// Where the last ` = ` or ` ≈ ` of `l` is, and its length in bytes.
fn last_eq(l: &str) -> (usize, usize) {
    match (l.rfind(" = "), l.rfind(" ≈ ")) {
        (Some(a), Some(b)) if b > a => (b, " ≈ ".len()),
        (Some(a), _) => (a, 3),
        (None, Some(b)) => (b, " ≈ ".len()),
        (None, None) => panic!("no equation in {l:?}"),
    }
}

/// The terms of `label = t1 + t2 + … = result` (between the first ` = ` and the last ` = `
/// or ` ≈ `).
fn terms(l: &str) -> Vec<&str> {
    let start = l.find(" = ").unwrap() + 3;
    let end = last_eq(l).0;
    l[start..end].split(" + ").collect()
}

/// The products `a×b` of a dot-product line.
fn pairs(l: &str) -> Vec<(f32, f32)> {
    terms(l)
        .iter()
        .map(|t| {
            let (a, b) = t.split_once('×').unwrap();
            (parse_num(a), parse_num(b))
        })
        .collect()
}

/// The number after the last ` = ` or ` ≈ ` (before any `  (…)` note).
fn result(l: &str) -> f32 {
    let (at, len) = last_eq(l);
    let r = &l[at + len..];
    parse_num(r.split("  ").next().unwrap())
}

/// Checks that the products listed on `l` are exactly (a[t], b[t]) and sum to `cell`.
fn check_dot(l: &str, a: &[f32], b: &[f32], cell: f32) {
    let p = pairs(l);
    assert_eq!(p.len(), a.len(), "{l}");
    for (t, ((x, y), (wa, wb))) in p.iter().zip(a.iter().zip(b)).enumerate() {
        assert!((x - wa).abs() < 1e-6, "term {t}: {x} vs {wa} in {l}");
        assert!((y - wb).abs() < 1e-6, "term {t}: {y} vs {wb} in {l}");
    }
    let sum: f32 = p.iter().map(|(x, y)| x * y).sum();
    assert!(
        (sum - cell).abs() < 1e-4,
        "Σ = {sum} but the cell is {cell}: {l}"
    );
    assert!((result(l) - cell).abs() < 1e-6, "{l}");
}

fn row(trace: &Trace, name: &str, head: Option<usize>, i: usize) -> Vec<f32> {
    trace
        .get(name)
        .unwrap()
        .matrix(head)
        .unwrap()
        .row(i)
        .to_vec()
}

fn value(trace: &Trace, address: &str) -> f32 {
    trace.value_at(&Address::parse(address).unwrap()).unwrap()
}

fn w_col(model: &Transformer, name: &str, c: usize) -> Vec<f32> {
    model.weights().matrix(name).unwrap().column(c).to_vec()
}

fn num(v: f32) -> String {
    fmt_number(v, 4)
}

fn op(v: f32) -> String {
    fmt_operand(v, 4)
}

// ---------------------------------------------------------------- embeddings

#[test]
fn token_embedding_is_the_tokens_vector_entry() {
    let (m, t) = default_trace();
    let e = ex(&m, &t, "embed.tokens[1][3]");
    let want = m.embedding().vector("학교에")[3];
    assert_eq!(e.value, want);
    assert_eq!(e.recomputed, Some(want));
    has(&e, "row 1 is the token 학교에");
    has(&e, "(seed 42, \"embed:학교에\")");
    has(&e, &format!("tokens[1][3] = E[학교에][3] = {}", num(want)));
    // d_model = 8: the range is ±√(3/8) = ±0.6123724
    has(&e, "±√(3/d_model) = ±0.6124");

    // An override (the article's 바나나 idea) is named as such.
    let mut c = Config::preset(Preset::Tiny);
    c.arch = Arch::Encoder;
    let (valid, input) = prepare(c, TEXT, None).unwrap();
    let mut model = Transformer::new(valid);
    let v = Array1::from(vec![0.12, -0.87, 0.33, 0.55, 0.0, 0.0, 0.0, 1.0]);
    model.embedding_mut().set_override("나는", v).unwrap();
    let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
    let e = ex(&model, &trace, "embed.tokens[0][1]");
    assert_eq!(e.value, -0.87);
    has(&e, "E[나는] is overridden");
    has(&e, "E[나는] = [0.12, −0.87, 0.33, 0.55, 0, 0, 0, 1]");
    has(&e, "tokens[0][1] = E[나는][1] = −0.87");
}

#[test]
fn positional_encoding_shows_the_angle() {
    let (m, t) = default_trace();
    // pos 1, column 3 (odd → cos): 2i = 2, 10000^(2/8) = 10, angle = 1/10 = 0.1,
    // cos(0.1) = 0.9950042
    let e = ex(&m, &t, "embed.pos[1][3]");
    has(
        &e,
        "pos = 1 (token 학교에), column c = 3: 2i = 2, odd column → cos; d_model = 8",
    );
    has(
        &e,
        "angle = pos / 10000^(2i/d_model) = 1 / 10000^(2/8) = 1 / 10 = 0.1",
    );
    has(&e, "PE[1][3] = cos(0.1) = 0.995");
    // pos 2, column 0 (even → sin): 10000^0 = 1, angle 2, sin 2 = 0.9092974
    let e = ex(&m, &t, "embed.pos[2][0]");
    has(&e, "2 / 10000^(0/8) = 2 / 1 = 2");
    has(&e, "PE[2][0] = sin(2) = 0.9093");
    assert!((e.value - 0.909_297_4).abs() < 1e-6);
    no_note(&e);

    let mut c = Config::preset(Preset::Tiny);
    c.positional = Positional::None;
    let (m, t) = run(c);
    let e = ex(&m, &t, "embed.pos[1][3]");
    assert_eq!(e.value, 0.0);
    has(&e, "positional encoding off");
}

#[test]
fn embedding_sum_adds_tokens_and_positions() {
    let (m, t) = default_trace();
    let (a, b) = (
        value(&t, "embed.tokens[1][3]"),
        value(&t, "embed.pos[1][3]"),
    );
    let e = ex(&m, &t, "embed.sum[1][3]");
    assert!((a + b - e.value).abs() < 1e-6);
    has(
        &e,
        &format!(
            "embed.tokens[1][3] + embed.pos[1][3] = {} + {} = {}",
            op(a),
            op(b),
            num(e.value)
        ),
    );
    // The decoder side of the encoder-decoder has its own names.
    let e = ex(&m, &t, "dec.embed.sum[2][0]");
    has(&e, "dec.embed.tokens[2][0] + dec.embed.pos[2][0]");

    let mut c = Config::preset(Preset::Tiny);
    c.embed_scale = true;
    let (m, t) = run(c);
    let (a, b) = (
        value(&t, "embed.tokens[1][3]"),
        value(&t, "embed.pos[1][3]"),
    );
    let e = ex(&m, &t, "embed.sum[1][3]");
    // √8 = 2.8284271
    assert!((a * 8f32.sqrt() + b - e.value).abs() < 1e-5);
    has(
        &e,
        &format!(
            "= {} × √8 + {} = {} × 2.8284 + {}",
            op(a),
            op(b),
            op(a),
            op(b)
        ),
    );
    has(&e, "embed_scale is on");
}

// ---------------------------------------------------------------- attention

#[test]
fn queries_keys_values_are_dot_products_with_the_weight_columns() {
    let (m, t) = default_trace();
    // d_k = 4: head 1, column 2 is column 1·4 + 2 = 6 of W.
    for (step, w) in [("q", "W_Q"), ("k", "W_K"), ("v", "W_V")] {
        let addr = format!("enc.0.attn.{step}[1][2][2]");
        let e = ex_full(&m, &t, &addr);
        check_dot(
            line(&e, &format!("x · {w}[:, 6]")),
            &row(&t, "embed.sum", None, 2),
            &w_col(&m, &format!("enc.0.attn.{w}"), 6),
            value(&t, &addr),
        );
        has(&e, "h·d_k + j = 1·4 + 2 = 6");
        has(&e, "x = embed.sum[2] (간다)");
        no_note(&e);
    }
    // Cross-attention keys come from the encoder's output.
    let e = ex_full(&m, &t, "dec.0.cross_attn.k[0][1][3]");
    check_dot(
        line(&e, "x · W_K[:, 3]"),
        &row(&t, "enc.1.add_norm2.out", None, 1),
        &w_col(&m, "dec.0.cross_attn.W_K", 3),
        value(&t, "dec.0.cross_attn.k[0][1][3]"),
    );
    // Cross-attention queries come from the decoder.
    let e = ex_full(&m, &t, "dec.1.cross_attn.q[1][4][0]");
    check_dot(
        line(&e, "x · W_Q[:, 4]"),
        &row(&t, "dec.1.add_norm1.out", None, 4),
        &w_col(&m, "dec.1.cross_attn.W_Q", 4),
        value(&t, "dec.1.cross_attn.q[1][4][0]"),
    );
    has(&e, "(school)");
}

#[test]
fn scores_are_q_dot_k_with_both_tokens() {
    let (m, t) = default_trace();
    let e = ex_full(&m, &t, "enc.0.attn.scores[1][0][2]");
    check_dot(
        line(&e, "q·k = "),
        &row(&t, "enc.0.attn.q", Some(1), 0),
        &row(&t, "enc.0.attn.k", Some(1), 2),
        value(&t, "enc.0.attn.scores[1][0][2]"),
    );
    assert!(e.title.contains("query 나는 (row 0) · key 간다 (column 2)"));
    has(
        &e,
        "q = enc.0.attn.q[1][0] (나는), k = enc.0.attn.k[1][2] (간다): d_k = 4 terms",
    );
    // Cross-attention: the query is a decoder token, the key an encoder token.
    let e = ex(&m, &t, "dec.0.cross_attn.scores[0][1][2]");
    assert!(
        e.title.contains("query I (row 1) · key 간다 (column 2)"),
        "{}",
        e.title
    );
}

#[test]
fn scaled_divides_by_root_d_k() {
    let (m, t) = default_trace();
    let s = value(&t, "enc.1.attn.scores[0][2][1]");
    let e = ex(&m, &t, "enc.1.attn.scaled[0][2][1]");
    // d_k = 4: √4 = 2
    has(
        &e,
        "÷ √d_k = √4 = 2  (d_k = 4: the width of one head of enc.1.attn.q)",
    );
    has(&e, &format!("{} ÷ √4 = {}", op(s), num(e.value)));
    assert!((s / 2.0 - e.value).abs() < 1e-6);
    no_note(&e);

    let mut c = Config::preset(Preset::Tiny);
    c.scale = false;
    let (m, t) = run(c);
    let e = ex(&m, &t, "enc.1.attn.scaled[0][2][1]");
    has(&e, "scaling off: scaled = scores = ");
    assert_eq!(Some(e.value), e.recomputed);
}

#[test]
fn masked_cells_name_both_tokens() {
    let (m, t) = run(tiny(Arch::Decoder, Norm::Post));
    // Decoder-only: the decoder reads 나는 학교에 간다. Row 0 (나는) may not see 간다 (column 2).
    let e = ex(&m, &t, "dec.0.self_attn.masked[1][0][2]");
    assert_eq!(e.value, f32::NEG_INFINITY);
    has(
        &e,
        "causal mask: the key token 간다 (column 2) comes after the query token 나는 (row 0), j = 2 > i = 0",
    );
    has(&e, "M[0][2] = −∞");
    has(&e, "= −∞ (the IEEE −∞");
    has(
        &e,
        "its softmax weight will be e^(−∞) = 0: 나는 takes nothing from 간다",
    );
    no_note(&e);
    // Below the diagonal the mask adds 0.
    let s = value(&t, "dec.0.self_attn.scaled[1][2][1]");
    let e = ex(&m, &t, "dec.0.self_attn.masked[1][2][1]");
    has(
        &e,
        "the key token 학교에 (column 1) does not come after the query token 간다 (row 2), j = 1 ≤ i = 2, so M[2][1] = 0",
    );
    has(
        &e,
        &format!("masked = scaled + M = {} + 0 = {}", op(s), num(s)),
    );
    // Without a mask (encoder self-attention by default):
    let (m, t) = default_trace();
    let e = ex(&m, &t, "enc.0.attn.masked[0][0][2]");
    has(&e, "no cell of this head is masked");
    // The encoder with `mask: causal` is recognised from the numbers too.
    let mut c = tiny(Arch::Encoder, Norm::Post);
    c.mask = MaskKind::Causal;
    let (m, t) = run(c);
    let e = ex(&m, &t, "enc.1.attn.masked[0][1][2]");
    has(
        &e,
        "causal mask: the key token 간다 (column 2) comes after the query token 학교에 (row 1)",
    );
}

/// The e-values listed on the `Σ = …` line, checked against the masked row.
fn check_softmax(e: &Explanation, x: &[f32], j: usize) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    assert!((parse_num(&line(e, "max = ")[6..]) - max).abs() < 1e-6);
    let sigma = line(e, "Σ = ");
    let es: Vec<f32> = terms(sigma).iter().map(|s| parse_num(s)).collect();
    assert_eq!(es.len(), x.len());
    for (k, (got, xk)) in es.iter().zip(x).enumerate() {
        // e^(x_k − max), exactly 0 for a masked entry
        let want = (xk - max).exp();
        assert!((got - want).abs() < 1e-6, "e_{k}: {got} vs {want}");
    }
    let sum: f32 = es.iter().sum();
    assert!((result(sigma) - sum).abs() < 1e-5);
    assert!((es[j] / sum - e.value).abs() < 1e-5);
    assert!((result(e.lines.last().unwrap()) - e.value).abs() < 1e-6);
}

#[test]
fn weights_show_the_softmax_of_the_row() {
    let (m, t) = default_trace();
    let e = ex_full(&m, &t, "enc.0.attn.weights[1][0][2]");
    check_softmax(&e, &row(&t, "enc.0.attn.masked", Some(1), 0), 2);
    has(&e, "weights[0][2] = e^(x_2 − max) / Σ = ");
    no_note(&e);

    // A causal row: the masked entries contribute e^(−∞) = 0.
    let (m, t) = run(tiny(Arch::Decoder, Norm::Post));
    let e = ex_full(&m, &t, "dec.1.self_attn.weights[0][1][2]");
    check_softmax(&e, &row(&t, "dec.1.self_attn.masked", Some(0), 1), 2);
    assert_eq!(e.value, 0.0);
    has(&e, "e^(−∞ − ");
    has(&e, "weights[1][2] = e^(−∞) / Σ = 0 / ");
    has(&e, "(masked: exactly 0)");
}

#[test]
fn head_output_is_the_weighted_sum_of_values() {
    let (m, t) = default_trace();
    let e = ex_full(&m, &t, "enc.0.attn.head_out[1][0][2]");
    let v: Vec<f32> = (0..3)
        .map(|j| value(&t, &format!("enc.0.attn.v[1][{j}][2]")))
        .collect();
    check_dot(
        line(&e, "Σ_j weights[0][j] × v[j][2]"),
        &row(&t, "enc.0.attn.weights", Some(1), 0),
        &v,
        value(&t, "enc.0.attn.head_out[1][0][2]"),
    );
    has(&e, "v = enc.0.attn.v[1][:, 2]");
}

#[test]
fn concat_names_the_head_and_column() {
    let (m, t) = default_trace();
    // d_k = 4: column 6 = head 6 ÷ 4 = 1, column 6 mod 4 = 2
    let e = ex(&m, &t, "enc.0.attn.concat[0][6]");
    has(&e, "d_k = 4: head h = 6 ÷ 4 = 1, its column 6 mod 4 = 2");
    has(&e, "concat[0][6] = enc.0.attn.head_out[1][0][2] = ");
    assert_eq!(e.value, value(&t, "enc.0.attn.head_out[1][0][2]"));
}

#[test]
fn attention_output_is_concat_times_w_o() {
    let (m, t) = default_trace();
    let e = ex_full(&m, &t, "dec.1.cross_attn.out[3][5]");
    check_dot(
        line(&e, "concat[3] · W_O[:, 5]"),
        &row(&t, "dec.1.cross_attn.concat", None, 3),
        &w_col(&m, "dec.1.cross_attn.W_O", 5),
        value(&t, "dec.1.cross_attn.out[3][5]"),
    );
}

// ---------------------------------------------------------------- residual, norm, FFN

#[test]
fn residual_sum_names_both_operands() {
    let (m, t) = default_trace();
    let (a, b) = (
        value(&t, "enc.0.add_norm1.out[2][4]"),
        value(&t, "enc.0.ffn.out[2][4]"),
    );
    let e = ex(&m, &t, "enc.0.add_norm2.sum[2][4]");
    has(
        &e,
        &format!(
            "enc.0.add_norm1.out[2][4] + enc.0.ffn.out[2][4] = {} + {} = {}",
            op(a),
            op(b),
            num(e.value)
        ),
    );
    assert!((a + b - e.value).abs() < 1e-6);
}

/// Mean, variance, the normalised value and gamma/beta of a LayerNorm cell.
fn check_layer_norm(m: &Transformer, t: &Trace, address: &str, x_name: &str, norm: &str) {
    let a = Address::parse(address).unwrap();
    let (i, c) = (a.indices[0], a.indices[1]);
    let e = ex(m, t, address);
    let x = row(t, x_name, None, i);
    let n = x.len() as f64;
    let mean = x.iter().map(|v| f64::from(*v)).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|v| (f64::from(*v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let eps = f64::from(m.config().eps);
    // As every number: 1e−5 keeps its significant digit (it is not 0 at 4 digits).
    let eps_text = num(m.config().eps);
    let root = (var + eps).sqrt();
    let z = (f64::from(x[c]) - mean) / root;
    let g = m.weights().vector(&format!("{norm}.gamma")).unwrap()[c];
    let b = m.weights().vector(&format!("{norm}.beta")).unwrap()[c];
    let out = z as f32 * g + b;
    assert!(
        (out - e.value).abs() < 1e-4,
        "{address}: {out} vs {}",
        e.value
    );
    has(&e, &format!("x = {x_name}[{i}]"));
    has(&e, &format!("= {}", num(mean as f32)));
    // `=` when the printed operands give the printed result, else `≈`.
    let sign = |exact: f32, shown: &str| if num(exact) == shown { "=" } else { "≈" };
    let p = |s: String| parse_num(&s);
    let var_line = line(&e, "var = ");
    assert!(
        var_line.ends_with(&format!(" {}", num(var as f32))),
        "{var_line}"
    );
    let rs = sign(
        (p(num(var as f32)) + p(eps_text.clone())).sqrt(),
        &num(root as f32),
    );
    has(
        &e,
        &format!(
            "√(var + eps) = √({} + {eps_text}) {rs} {}",
            num(var as f32),
            num(root as f32)
        ),
    );
    let zs = sign(
        (p(num(x[c])) - p(op(mean as f32))) / p(num(root as f32)),
        &num(z as f32),
    );
    has(
        &e,
        &format!(
            "({} − {}) / {} {zs} {}",
            num(x[c]),
            op(mean as f32),
            num(root as f32),
            num(z as f32)
        ),
    );
    let vs = sign(p(op(z as f32)) * p(op(g)) + p(op(b)), &num(e.value));
    has(
        &e,
        &format!(
            "x̂ × gamma[{c}] + beta[{c}] = {} × {} + {} {vs} {}",
            op(z as f32),
            op(g),
            op(b),
            num(e.value)
        ),
    );
    has(&e, &format!("({norm}.gamma, {norm}.beta)"));
    no_note(&e);
}

#[test]
fn layer_norm_shows_mean_variance_and_normalised_value() {
    let (mut m, _) = default_trace();
    // Non-trivial gamma and beta so that they show: gamma = 1 + c/10, beta = c/100.
    let gamma = Array1::from_iter((0..8).map(|c| 1.0 + c as f32 / 10.0));
    let beta = Array1::from_iter((0..8).map(|c| c as f32 / 100.0));
    m.weights_mut()
        .set("enc.0.norm1.gamma", Param::Vector(gamma))
        .unwrap();
    m.weights_mut()
        .set("enc.0.norm1.beta", Param::Vector(beta))
        .unwrap();
    let (_, input) = prepare(Config::preset(Preset::Tiny), TEXT, None).unwrap();
    let t = m.forward(&input, qkv::model::Pass::default()).unwrap();
    check_layer_norm(
        &m,
        &t,
        "enc.0.add_norm1.out[1][5]",
        "enc.0.add_norm1.sum",
        "enc.0.norm1",
    );
    check_layer_norm(
        &m,
        &t,
        "dec.1.add_norm3.out[4][0]",
        "dec.1.add_norm3.sum",
        "dec.1.norm3",
    );

    // Pre-LN: the norm reads the stream before the sublayer; the stacks end with final norms.
    let (m, t) = run(tiny(Arch::EncoderDecoder, Norm::Pre));
    check_layer_norm(
        &m,
        &t,
        "enc.1.add_norm1.out[0][3]",
        "enc.0.add_norm2.sum",
        "enc.1.norm1",
    );
    check_layer_norm(
        &m,
        &t,
        "enc.final_norm[2][7]",
        "enc.1.add_norm2.sum",
        "enc.final_norm",
    );
    check_layer_norm(
        &m,
        &t,
        "final_norm[1][2]",
        "dec.1.add_norm3.sum",
        "final_norm",
    );
    let (m, t) = run(tiny(Arch::Decoder, Norm::Pre));
    check_layer_norm(
        &m,
        &t,
        "final_norm[0][0]",
        "dec.1.add_norm2.sum",
        "final_norm",
    );

    // A large eps (0.25) changes the result visibly: √(var + 0.25), not √var.
    let mut c = tiny(Arch::Encoder, Norm::Post);
    c.eps = 0.25;
    let (m, t) = run(c);
    check_layer_norm(
        &m,
        &t,
        "enc.1.add_norm2.out[2][6]",
        "enc.1.add_norm2.sum",
        "enc.1.norm2",
    );
    has(&ex(&m, &t, "enc.1.add_norm2.out[2][6]"), " + 0.25) = ");
}

#[test]
fn ffn_hidden_relu_and_output() {
    let (mut m, _) = default_trace();
    // Non-zero biases so that they show: b1[c] = c/100, b2[c] = −c/10.
    let b1 = Array1::from_iter((0..32).map(|c| c as f32 / 100.0));
    let b2 = Array1::from_iter((0..8).map(|c| -(c as f32) / 10.0));
    m.weights_mut()
        .set("enc.1.ffn.b1", Param::Vector(b1))
        .unwrap();
    m.weights_mut()
        .set("enc.1.ffn.b2", Param::Vector(b2))
        .unwrap();
    let (_, input) = prepare(Config::preset(Preset::Tiny), TEXT, None).unwrap();
    let t = m.forward(&input, qkv::model::Pass::default()).unwrap();

    // hidden[1][7] = x[1] · W1[:, 7] + b1[7], b1[7] = 0.07
    let e = ex_full(&m, &t, "enc.1.ffn.hidden[1][7]");
    let x = row(&t, "enc.1.add_norm1.out", None, 1);
    let w1 = w_col(&m, "enc.1.ffn.W1", 7);
    let dot: f32 = x.iter().zip(&w1).map(|(a, b)| a * b).sum();
    check_dot(line(&e, "x[1] · W1[:, 7] = "), &x, &w1, dot);
    assert!((dot + 0.07 - e.value).abs() < 1e-5);
    has(&e, "b1 = enc.1.ffn.b1[7]");
    has(&e, " + b1[7] = ");
    has(&e, " + 0.07 = ");
    no_note(&e);

    // ReLU: one cell that passes and one that is cut.
    let hidden = t.get("enc.1.ffn.hidden").unwrap().matrix(None).unwrap();
    let pos = hidden.indexed_iter().find(|(_, v)| **v > 0.0).unwrap().0;
    let neg = hidden.indexed_iter().find(|(_, v)| **v < 0.0).unwrap().0;
    let e = ex(&m, &t, &format!("enc.1.ffn.relu[{}][{}]", pos.0, pos.1));
    has(&e, "is positive: it passes unchanged");
    assert_eq!(e.value, hidden[pos]);
    let e = ex(&m, &t, &format!("enc.1.ffn.relu[{}][{}]", neg.0, neg.1));
    has(&e, "the ReLU cuts it to 0");
    has(&e, &format!("max(0, {}) = 0", num(hidden[neg])));
    assert_eq!(e.value, 0.0);

    // out[2][3] = relu[2] · W2[:, 3] + b2[3], b2[3] = −0.3
    let e = ex_full(&m, &t, "enc.1.ffn.out[2][3]");
    let r = row(&t, "enc.1.ffn.relu", None, 2);
    let w2 = w_col(&m, "enc.1.ffn.W2", 3);
    let dot: f32 = r.iter().zip(&w2).map(|(a, b)| a * b).sum();
    check_dot(line(&e, "relu[2] · W2[:, 3] = "), &r, &w2, dot);
    assert!((dot - 0.3 - e.value).abs() < 1e-5);
    has(&e, " + (−0.3) = ");
    let zeros = r.iter().filter(|v| **v == 0.0).count();
    has(
        &e,
        &format!("{zeros} of the 32 entries of relu are 0 (cut by the ReLU)"),
    );
}

// ---------------------------------------------------------------- output

#[test]
fn logits_and_probs() {
    let (m, t) = default_trace();
    let vocab = t.tokens().vocab.clone();
    // Column 3 of the vocabulary: 나는 학교에 간다 <bos> I go to school <eos> → <bos>
    assert_eq!(vocab[3], "<bos>");
    let e = ex_full(&m, &t, "logits[2][3]");
    check_dot(
        line(&e, "x · E[<bos>]"),
        &row(&t, "dec.1.add_norm3.out", None, 2),
        &m.embedding().vector("<bos>").to_vec(),
        value(&t, "logits[2][3]"),
    );
    has(&e, "E[<bos>] = row 3 of embed.E");

    let e = ex_full(&m, &t, "probs[2][3]");
    check_softmax(&e, &row(&t, "logits", None, 2), 3);
    assert!(
        e.title
            .contains("probability of the token <bos> (column 3) after go (row 2)")
    );
    no_note(&e);
}

// ---------------------------------------------------------------- the article's example

fn labels(v: &[&str]) -> Labels {
    Arc::new(v.iter().map(std::string::ToString::to_string).collect())
}

/// A `kind: attention` hand-check trace: no model, plain matrices, q/k/v given.
fn hand_check(
    q: Array2<f32>,
    k: Array2<f32>,
    v: Array2<f32>,
    mask: Mask<'_>,
    scale: bool,
) -> Trace {
    let a = scaled_dot_product(q.view(), k.view(), v.view(), mask, scale);
    let qn: Vec<String> = (0..q.nrows()).map(|i| format!("q{i}")).collect();
    let kn: Vec<String> = (0..k.nrows()).map(|i| format!("k{i}")).collect();
    let qt: Labels = Arc::new(qn);
    let kt: Labels = Arc::new(kn);
    let dims = |n: usize| -> Labels { Arc::new((0..n).map(|i| format!("d{i}")).collect()) };
    let (dk, dv) = (q.ncols(), v.ncols());
    let s = |name: &str, kind, m: Array2<f32>, rows: &Labels, cols: Labels, inputs: &[&str]| {
        Step::build(name, kind, Tensor::Matrix(m))
            .rows(rows.clone())
            .cols(cols)
            .formula("")
            .inputs(
                inputs
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect(),
            )
            .finish()
    };
    // Like `scenario::build_attention`, the scaled step's formula records the setting
    // (explain reads it there: with d_k = 1 or zero scores the numbers cannot tell).
    let scaled_formula = if scale {
        format!("scaled = scores / √d_k = scores / √{dk}")
    } else {
        "scaled = scores (scaling off)".to_string()
    };
    let mut steps = vec![
        s("q", StepKind::Query, q, &qt, dims(dk), &[]),
        s("k", StepKind::Key, k, &kt, dims(dk), &[]),
        s("v", StepKind::Value, v, &kt, dims(dv), &[]),
        s(
            "scores",
            StepKind::Scores,
            a.scores,
            &qt,
            kt.clone(),
            &["q", "k"],
        ),
        s(
            "scaled",
            StepKind::Scaled,
            a.scaled,
            &qt,
            kt.clone(),
            &["scores"],
        ),
        s(
            "masked",
            StepKind::Masked,
            a.masked,
            &qt,
            kt.clone(),
            &["scaled"],
        ),
        s(
            "weights",
            StepKind::Weights,
            a.weights,
            &qt,
            kt.clone(),
            &["masked"],
        ),
        s(
            "output",
            StepKind::HeadOut,
            a.output,
            &qt,
            dims(dv),
            &["weights", "v"],
        ),
    ];
    steps[4] = Step::build(
        "scaled",
        StepKind::Scaled,
        Tensor::Matrix(steps[4].matrix(None).unwrap().to_owned()),
    )
    .rows(qt.clone())
    .cols(kt.clone())
    .formula(scaled_formula)
    .inputs(vec!["scores".to_string()])
    .finish();
    Trace::new(
        steps,
        TraceTokens {
            source: qt,
            target: None,
            vocab: labels(&[]),
        },
    )
}

fn article() -> Trace {
    hand_check(
        array![[1.0, 2.0, 3.0]],
        array![[2.0, 1.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 1.0]],
        array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        Mask::None,
        true,
    )
}

fn hc(trace: &Trace, address: &str) -> Explanation {
    explain_str(None, trace, address, &ExplainOptions::default())
        .unwrap_or_else(|e| panic!("{address}: {e}"))
}

#[test]
fn article_example_reads_like_the_article() {
    let t = article();
    // q, k, v are typed in, not computed.
    let e = hc(&t, "q[0][1]");
    assert_eq!(e.value, 2.0);
    assert_eq!(e.recomputed, None);
    has(&e, "q is given in the scenario");
    has(&e, "q[0] = [1, 2, 3]");

    // q·k1 = 1·2 + 2·1 + 3·2 = 10 ; q·k2 = 0 + 2 − 3 = −1 ; q·k3 = 1 + 2 + 3 = 6
    has(&hc(&t, "scores[0][0]"), "q·k = 1×2 + 2×1 + 3×2 = 10");
    has(&hc(&t, "scores[0][1]"), "q·k = 1×0 + 2×1 + 3×(−1) = −1");
    has(&hc(&t, "scores[0][2]"), "q·k = 1×1 + 2×1 + 3×1 = 6");
    has(
        &hc(&t, "scores[0][2]"),
        "q = q[0] (q0), k = k[2] (k2): d_k = 3 terms",
    );

    // ÷ √3 = 1.7320508: 10/√3 = 5.7735027, −1/√3 = −0.5773503, 6/√3 = 3.4641016
    let e = hc(&t, "scaled[0][0]");
    has(
        &e,
        "÷ √d_k = √3 = 1.7321  (d_k = 3: the width of one head of q)",
    );
    has(&e, "10 ÷ √3 = 5.7735");
    has(&hc(&t, "scaled[0][1]"), "(−1) ÷ √3 = −0.5774");
    has(&hc(&t, "scaled[0][2]"), "6 ÷ √3 = 3.4641");

    has(&hc(&t, "masked[0][1]"), "no cell of this matrix is masked");

    // softmax with the max 5.7735 subtracted: exponents 0, −6.3508530, −2.3094011;
    // e^0 = 1, e^−6.3508530 = 0.0017437, e^−2.3094011 = 0.0993279; Σ = 1.1010716;
    // weights = [0.9082061, 0.0015837, 0.0902103]
    let e = hc(&t, "weights[0][0]");
    has(&e, "x = masked[0] = [5.7735, −0.5774, 3.4641]");
    has(&e, "max = 5.7735");
    has(
        &e,
        "e^(x_k − max): e^(5.7735 − 5.7735) = e^(0) = 1, e^(−0.5774 − 5.7735) = e^(−6.3509) = 0.0017, e^(3.4641 − 5.7735) = e^(−2.3094) = 0.0993",
    );
    // 1 + 0.0017 + 0.0993 = 1.101, not 1.1011: the printed sum says ≈.
    has(&e, "Σ = 1 + 0.0017 + 0.0993 ≈ 1.1011");
    has(
        &e,
        "weights[0][0] = e^(x_0 − max) / Σ = 1 / 1.1011 = 0.9082",
    );
    has(
        &hc(&t, "weights[0][1]"),
        "weights[0][1] = e^(x_1 − max) / Σ = 0.0017 / 1.1011 ≈ 0.0016",
    );
    has(
        &hc(&t, "weights[0][2]"),
        "weights[0][2] = e^(x_2 − max) / Σ = 0.0993 / 1.1011 = 0.0902",
    );

    // output = 0.9082061·[1,0] + 0.0015837·[0,1] + 0.0902103·[1,1] = [0.9984164, 0.0917940]
    let e = hc(&t, "output[0][0]");
    has(
        &e,
        "Σ_j weights[0][j] × v[j][0] = 0.9082×1 + 0.0016×0 + 0.0902×1 = 0.9984",
    );
    has(&e, "v = v[:, 0]");
    has(
        &hc(&t, "output[0][1]"),
        "= 0.9082×0 + 0.0016×1 + 0.0902×1 = 0.0918",
    );

    let text = hc(&t, "scores[0][0]").to_text();
    assert_eq!(
        text,
        "scores[0][0] = 10  — raw attention score, query q0 (row 0) · key k0 (column 0)\n\
         \x20 scores[i][j] = q[i] · k[j] = Σ_t q[i][t] × k[j][t]\n\
         \x20 q = q[0] (q0), k = k[0] (k0): d_k = 3 terms\n\
         \x20 q·k = 1×2 + 2×1 + 3×2 = 10\n"
    );
}

#[test]
fn hand_checks_read_scaling_from_the_formula_and_masks_from_the_numbers() {
    let q = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
    // Scaling off: scaled = scores.
    let t = hand_check(q.clone(), q.clone(), q.clone(), Mask::None, false);
    has(&hc(&t, "scaled[2][1]"), "scaling off: scaled = scores = 1");
    // A causal mask: row 0 sees only itself.
    let t = hand_check(q.clone(), q.clone(), q.clone(), Mask::Causal, true);
    let e = hc(&t, "masked[0][1]");
    has(
        &e,
        "causal mask: the key token k1 (column 1) comes after the query token q0 (row 0)",
    );
    // The row softmax of row 0 is [1, 0, 0].
    assert_eq!(hc(&t, "weights[0][0]").value, 1.0);
    // Some other mask: block (2, 0) only.
    let blocked = array![
        [false, false, false],
        [false, false, false],
        [true, false, false]
    ];
    let t = hand_check(q.clone(), q.clone(), q, Mask::Custom(blocked.view()), true);
    let e = hc(&t, "masked[2][0]");
    has(
        &e,
        "the mask blocks this cell: the query token q2 (row 2) may not attend to the key token k0 (column 0)",
    );
    has(
        &hc(&t, "masked[0][2]"),
        "the mask lets the query token q0 (row 0) see the key token k2 (column 2): M[0][2] = 0",
    );
    // A fully masked row gives zeros and says why.
    let all = array![[true, true], [false, false]];
    let x = array![[1.0, 2.0], [3.0, 4.0]];
    let t = hand_check(x.clone(), x.clone(), x, Mask::Custom(all.view()), true);
    let e = hc(&t, "weights[0][1]");
    assert_eq!(e.value, 0.0);
    has(&e, "every entry of the row is −∞ (fully masked)");
    has(&e, "all zeros instead of NaN");
}

#[test]
fn without_a_model_attention_steps_work_and_others_ask_for_it() {
    let (m, t) = default_trace();
    // Scores, scaled (scaling read from the numbers), masked and weights need no model.
    for a in [
        "enc.0.attn.scores[1][0][2]",
        "enc.0.attn.scaled[1][0][2]",
        "enc.0.attn.masked[1][0][2]",
        "enc.0.attn.weights[1][0][2]",
        "enc.0.attn.head_out[1][0][2]",
        "enc.0.attn.concat[0][6]",
        "enc.0.add_norm1.sum[0][6]",
        "enc.0.ffn.relu[0][6]",
        "probs[1][2]",
    ] {
        let with = ex(&m, &t, a);
        let without = explain_str(None, &t, a, &ExplainOptions::default()).unwrap();
        assert_eq!(with, without, "{a}");
    }
    for (a, needs) in [
        ("enc.0.attn.q[0][0][0]", "the weight enc.0.attn.W_Q"),
        ("enc.0.add_norm1.out[0][0]", "the weight enc.0.norm1.gamma"),
        ("enc.0.ffn.hidden[0][0]", "the weight enc.0.ffn.W1"),
        ("embed.tokens[0][0]", "the token embeddings"),
        ("logits[0][0]", "the token embeddings"),
    ] {
        let err = explain_str(None, &t, a, &ExplainOptions::default()).unwrap_err();
        assert!(
            matches!(&err, ExplainError::NeedsModel { needs: n, .. } if n.contains(needs)),
            "{a}: {err}"
        );
        assert!(err.to_string().contains("none was given"), "{err}");
    }
}

// ---------------------------------------------------------------- long sums

#[test]
fn long_sums_show_first_and_last_terms_and_the_count() {
    // The paper's sizes: d_model 512, 8 heads → d_k = 64 (small FFN and one layer keep it quick).
    let mut c = tiny(Arch::Encoder, Norm::Post);
    c.d_model = 512;
    c.heads = 8;
    c.d_ff = 64;
    c.layers.encoder = 1;
    let (m, t) = run(c);
    let e = ex(&m, &t, "enc.0.attn.scores[3][0][2]");
    has(&e, "d_k = 64 terms");
    let l = line(&e, "q·k = ");
    assert!(l.ends_with("  (64 terms, 56 not shown)"), "{l}");
    let shown = terms(l);
    // 4 first terms, the ellipsis, 4 last terms.
    assert_eq!(shown.len(), 9, "{l}");
    assert_eq!(shown[4], "…");
    let q = row(&t, "enc.0.attn.q", Some(3), 0);
    let k = row(&t, "enc.0.attn.k", Some(3), 2);
    for (pos, idx) in [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (5, 60),
        (6, 61),
        (7, 62),
        (8, 63),
    ] {
        assert_eq!(shown[pos], format!("{}×{}", op(q[idx]), op(k[idx])), "{l}");
    }
    // The whole sum is still the cell, and nothing is elided with a large max_terms.
    let full = ex_full(&m, &t, "enc.0.attn.scores[3][0][2]");
    check_dot(line(&full, "q·k = "), &q, &k, e.value);
    assert!(!full.to_text().contains('…'));
    // A query entry is a 512-term sum; vectors are elided the same way.
    has(
        &ex(&m, &t, "enc.0.attn.q[0][1][5]"),
        "(512 terms, 504 not shown)",
    );
    has(&ex(&m, &t, "enc.0.add_norm1.out[1][0]"), "(512 values)");
    // max_terms 3: the first 2 and the last 1.
    let o = ExplainOptions {
        precision: 2,
        max_terms: 3,
    };
    let e = explain_str(Some(&m), &t, "enc.0.attn.scores[0][1][1]", &o).unwrap();
    let l = line(&e, "q·k = ");
    assert_eq!(terms(l).len(), 4, "{l}");
    assert!(l.ends_with("(64 terms, 61 not shown)"), "{l}");
}

// ---------------------------------------------------------------- errors

#[test]
fn bad_addresses_give_clear_errors() {
    let (m, t) = default_trace();
    let o = ExplainOptions::default();
    let err = |a: &str| explain_str(Some(&m), &t, a, &o).unwrap_err();

    let e = err("enc.0.attn.scores");
    assert_eq!(
        e.to_string(),
        "enc.0.attn.scores is the whole step: explain needs one cell, [h][i][j] (e.g. enc.0.attn.scores[0][0][0])"
    );
    let e = err("enc.0.attn.scores[1]");
    assert!(
        matches!(&e, ExplainError::NotACell { what, needs, .. } if what == "one head (head 1)" && needs == "[h][i][j]"),
        "{e}"
    );
    let e = err("enc.0.attn.weights[1][2]");
    assert!(
        e.to_string()
            .contains("is one row (head 1, row 2): explain needs one cell, [h][i][j]"),
        "{e}"
    );
    let e = err("embed.sum[1]");
    assert_eq!(
        e.to_string(),
        "embed.sum[1] is one row (row 1): explain needs one cell, [i][j] (e.g. embed.sum[0][0])"
    );
    assert!(matches!(
        err("embed.sum[0][0][0]"),
        ExplainError::Trace(TraceError::WrongIndexCount {
            got: 3,
            expected: 2,
            ..
        })
    ));
    let e = err("enc.0.attn.scores[2][0][0]");
    assert_eq!(
        e.to_string(),
        "enc.0.attn.scores: head index 2 is out of range (heads 0 or 1)"
    );
    let e = err("embed.sum[3][0]");
    assert_eq!(
        e.to_string(),
        "embed.sum: row index 3 is out of range (rows 0 to 2)"
    );
    let e = err("enc.0.attn.scorez[0][0][0]");
    assert!(
        e.to_string().contains("did you mean enc.0.attn.scores"),
        "{e}"
    );
    // A weight's cell is explained (where its number comes from); its head's slice is not
    // a cell.
    let w = explain_str(Some(&m), &t, "enc.0.attn.W_Q[0][0]", &o).unwrap();
    assert!(w.title.starts_with("a random number, not learned"), "{w}");
    let e = err("enc.0.attn.W_Q[0]");
    assert!(
        matches!(&e, ExplainError::NotACell { what, .. } if what == "one head's slice (head 0)"),
        "{e}"
    );
    assert!(matches!(
        err("embed.E[0][0]"),
        ExplainError::NotAStep { .. }
    ));
    assert!(matches!(
        err("x[a]"),
        ExplainError::Trace(TraceError::BadAddress { .. })
    ));
}

#[test]
fn a_model_that_does_not_fit_the_trace_is_reported() {
    let (m, t) = default_trace();
    // Another d_model: the operands do not fit.
    let mut c = Config::preset(Preset::Tiny);
    c.d_model = 16;
    let (other, _) = run(c);
    let e = explain_str(
        Some(&other),
        &t,
        "enc.0.attn.q[0][0][0]",
        &ExplainOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ExplainError::Inconsistent { .. }), "{e}");
    assert!(e.to_string().contains("enc.0.attn.W_Q is 16 × 16"), "{e}");

    // Same shapes, weights changed after the forward pass: a note says so.
    let mut changed = m.clone();
    changed
        .weights_mut()
        .set("enc.0.attn.W_Q", Param::Matrix(Array2::zeros((8, 8))))
        .unwrap();
    let e = ex(&changed, &t, "enc.0.attn.q[0][0][1]");
    assert_eq!(e.recomputed, Some(0.0));
    let note = e.lines.last().unwrap();
    assert!(
        note.starts_with("note: these operands give 0, but the trace holds")
            && note.contains("rerun it"),
        "{note}"
    );
    no_note(&ex(&m, &t, "enc.0.attn.q[0][0][1]"));
}

#[test]
fn steps_with_missing_or_unknown_inputs_are_errors_not_panics() {
    let m3 = Array3::<f32>::zeros((1, 2, 2));
    let mk = |inputs: Vec<String>| {
        Trace::new(
            vec![
                Step::build("scores", StepKind::Scores, Tensor::Heads(m3.clone()))
                    .rows(labels(&["a", "b"]))
                    .cols(labels(&["a", "b"]))
                    .formula("")
                    .inputs(inputs)
                    .finish(),
            ],
            TraceTokens {
                source: labels(&["a", "b"]),
                target: None,
                vocab: labels(&[]),
            },
        )
    };
    let o = ExplainOptions::default();
    let e = explain_str(None, &mk(vec![]), "scores[0][1][1]", &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        "scores needs the queries as input 0, but its inputs are []"
    );
    let e = explain_str(
        None,
        &mk(vec!["q".into(), "k".into()]),
        "scores[0][1][1]",
        &o,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "scores: input \"q\" (the queries) is not a step of the trace"
    );
}

// ---------------------------------------------------------------- every cell

fn all_cells(step: &Step) -> Vec<Vec<usize>> {
    let shape = step.tensor().shape();
    let mut out = vec![vec![]];
    for n in shape {
        out = out
            .into_iter()
            .flat_map(|p| {
                (0..n).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    out
}

#[test]
fn every_cell_of_every_step_is_explained_and_recomputed() {
    let mut encoder_causal = tiny(Arch::Encoder, Norm::Post);
    encoder_causal.mask = MaskKind::Causal;
    encoder_causal.embed_scale = true;
    for c in [
        Config::preset(Preset::Tiny),
        tiny(Arch::Decoder, Norm::Post),
        tiny(Arch::EncoderDecoder, Norm::Pre),
        encoder_causal,
    ] {
        let (m, t) = run(c);
        let mut seen = std::collections::HashSet::new();
        for step in t.steps() {
            seen.insert(step.kind());
            for idx in all_cells(step) {
                let a = Address {
                    name: step.name().to_string(),
                    indices: idx,
                };
                let e = explain(Some(&m), &t, &a, &ExplainOptions::default())
                    .unwrap_or_else(|err| panic!("{a}: {err}"));
                assert_eq!(e.value.to_bits(), t.value_at(&a).unwrap().to_bits(), "{a}");
                no_note(&e);
                assert!(!e.lines.is_empty() && !e.title.is_empty(), "{a}");
            }
        }
        assert_eq!(seen.len(), 20, "{seen:?}");
    }
}

fn words() -> impl Strategy<Value = String> {
    // The shared words but "a".
    crate::util::sentences(&crate::util::WORDS[..7], 1..6).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any cell of any tiny trace: explain never errors, its value is the trace's, and the
    /// operands it shows give that value.
    #[test]
    fn explain_reproduces_random_cells(
        text in words(),
        target in words(),
        arch in prop::sample::select(vec![Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder]),
        norm in prop::sample::select(vec![Norm::Post, Norm::Pre]),
        seed in 0u64..1000,
        switches in any::<(bool, bool, bool, bool)>(),
        step_ix in any::<prop::sample::Index>(),
        cell_ix in any::<(prop::sample::Index, prop::sample::Index, prop::sample::Index)>(),
        precision in 0usize..8,
        max_terms in 0usize..12,
    ) {
        let mut c = tiny(arch, norm);
        c.seed = seed;
        c.scale = switches.0;
        c.embed_scale = switches.1;
        c.positional = if switches.2 { Positional::Sinusoidal } else { Positional::None };
        c.mask = if switches.3 { MaskKind::Causal } else { MaskKind::None };
        let (valid, input) = prepare(c, &text, Some(&target)).unwrap();
        let model = Transformer::new(valid);
        let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
        let step = step_ix.get(trace.steps());
        let shape = step.tensor().shape();
        let ix = [cell_ix.0, cell_ix.1, cell_ix.2];
        let indices: Vec<usize> = shape.iter().zip(ix).map(|(n, i)| i.index(*n)).collect();
        let a = Address { name: step.name().to_string(), indices };
        let e = explain(Some(&model), &trace, &a, &ExplainOptions { precision, max_terms });
        prop_assert!(e.is_ok(), "{}: {:?}", a, e);
        let e = e.unwrap();
        let v = trace.value_at(&a).unwrap();
        prop_assert_eq!(e.value.to_bits(), v.to_bits(), "{}", a);
        if let Some(r) = e.recomputed {
            let ok = r == v || (r - v).abs() <= 1e-3 * r.abs().max(v.abs()).max(1.0);
            prop_assert!(ok, "{}: recomputed {}, trace {}", a, r, v);
        }
        let head = format!("{a} = ");
        prop_assert!(e.to_text().starts_with(&head), "{}", e.to_text());
    }
}

/// Every printed equation holds for the printed numbers: the article's `attend`, weight
/// [0][1] = e^−6.3509 / Σ = 0.0017453 / 1.1010660 = 0.0015851; at 4 digits the operands
/// print as 0.0017 and 1.1011, and 0.0017 / 1.1011 = 0.0015439, which prints 0.0015, not
/// 0.0016: the line says `≈`.
#[test]
fn printed_equations_hold_or_say_approximately() {
    let mut s = qkv::session::Session::default_scenario().unwrap();
    s.apply_line(
        "attend q=[1, 2, 3] k=[[2, 1, 2], [0, 1, -1], [1, 1, 1]] v=[[1, 0], [0, 1], [1, 1]]",
    )
    .unwrap();
    let out = s.apply_line("explain weights[0][1]").unwrap().text;
    assert!(out.contains("= 0.0017 / 1.1011 ≈ 0.0016"), "{out}");
    assert!(!out.contains("0.0017 / 1.1011 = 0.0016"), "{out}");
    let out = s.apply_line("explain weights[0][0]").unwrap().text;
    // 1 / 1.1011 = 0.90818 → 0.9082: exact as printed.
    assert!(out.contains("= 1 / 1.1011 = 0.9082"), "{out}");
    // Σ = 1 + 0.0017 + 0.0993 = 1.101 prints 1.101, not 1.1011: ≈.
    assert!(out.contains("Σ = 1 + 0.0017 + 0.0993 ≈ 1.1011"), "{out}");
}

/// Without embedding scaling, random token values (±√(3/d_model)) are small next to the
/// positional encoding (±1): at d_model 64, √(3/64) = 0.2165, so the position outweighs the
/// word 1 / 0.2165 ≈ 5 times; the explanation says so and names the paper's × √d_model.
#[test]
fn the_embedding_sum_says_when_the_position_drowns_the_word() {
    let (m, t) = run(Config::preset(Preset::Small));
    let e = ex(&m, &t, "embed.sum[0][0]");
    has(&e, "±√(3/d_model) = ±0.2165");
    has(&e, "the position outweighs the word 5×");
    has(&e, "√d_model = 8");
    let mut on = Config::preset(Preset::Small);
    on.embed_scale = true;
    let (m, t) = run(on);
    has(&ex(&m, &t, "embed.sum[0][0]"), "embed_scale is on");
}

/// The example in `explain`'s module documentation is what `qkv explain` prints for the
/// command the documentation names, line for line.
#[test]
fn the_module_documentation_shows_real_output() {
    let source = std::fs::read_to_string("crates/qkv-core/src/explain/mod.rs").unwrap();
    let doc: Vec<&str> = source
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = doc.iter().position(|l| *l == "```text").unwrap() + 1;
    let end = start + doc[start..].iter().position(|l| *l == "```").unwrap();
    let example = doc[start..end].join("\n");
    let command = doc[..start].join(" ");
    assert!(
        command.contains("`qkv explain scenarios/dot-product.yaml scores[0][0]`"),
        "{command}"
    );
    let o = crate::util::qkv(&["explain", "scenarios/dot-product.yaml", "scores[0][0]"]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    assert_eq!(crate::util::stdout(&o).trim_end(), example);
}

/// A trained model's token rows and tied output projection come from its learned table
/// `embed.E`, not from the seeded vectors of an untrained one: every cell of `embed.tokens`,
/// `dec.embed.tokens` and `logits` of the built-in trained scenario is recomputed to the
/// trace's bits, with no "these operands give …" note.
#[test]
fn a_trained_models_embeddings_and_logits_are_explained_from_its_table() {
    let s = qkv::session::Session::default_scenario().unwrap();
    let (m, t) = (s.model().unwrap(), s.trace());
    for name in ["embed.tokens", "dec.embed.tokens", "logits"] {
        let step = t.get(name).unwrap();
        for idx in all_cells(step) {
            let a = Address {
                name: name.to_string(),
                indices: idx,
            };
            let e = explain(Some(m), t, &a, &ExplainOptions::default())
                .unwrap_or_else(|err| panic!("{a}: {err}"));
            assert_eq!(e.value.to_bits(), t.value_at(&a).unwrap().to_bits(), "{a}");
            no_note(&e);
        }
    }
    let e = ex(m, t, "embed.tokens[1][2]");
    has(&e, "row of the trained model's embedding table embed.E");
}

/// Only the −∞ mask gives a weight of exactly 0. The article's `attend` without scaling has
/// scores 10, −1, 6, so weight[0][1] = e^(−11) / (1 + e^(−11) + e^(−4)) = 1.6702e-5 /
/// 1.01833 = 1.64e-5: small, not zero. Every number of the explanation that is not zero
/// keeps its significant digits; none reads `= 0`.
#[test]
fn a_tiny_weight_is_not_printed_as_zero() {
    let mut s = qkv::session::Session::default_scenario().unwrap();
    s.apply_line(
        "attend q=[1, 2, 3] k=[[2, 1, 2], [0, 1, -1], [1, 1, 1]] v=[[1, 0], [0, 1], [1, 1]] scale=off",
    )
    .unwrap();
    let out = s.apply_line("explain weights[0][1]").unwrap().text;
    assert!(out.contains("1.64e−5"), "{out}");
    // e^(−11) = 1.67e−5 (1.6702e-5), not 0.
    assert!(out.contains("1.67e−5"), "{out}");
    assert!(!out.contains("= 0 "), "{out}");
    assert!(!out.contains("= 0\n"), "{out}");
    assert!(!out.trim_end().ends_with("= 0"), "{out}");
    let shown = s.apply_line("show weights[0]").unwrap().text;
    assert!(shown.contains("1.64e−5"), "{shown}");
}

/// The trained model predicts `school` after `to` with p ≈ 1; the other 101 probabilities
/// are tiny but not zero, so the softmax sum of `probs[3][10]` lists nonzero terms, and the
/// trained model's embedding sum describes its learned values, not the initial ±√(3/d).
#[test]
fn the_trained_models_probabilities_and_embeddings_tell_the_truth() {
    let s = qkv::session::Session::default_scenario().unwrap();
    let (m, t) = (s.model().unwrap(), s.trace());
    let e = ex(m, t, "probs[3][10]");
    let text = e.to_text();
    assert!(!text.contains("Σ = 0 + 0"), "{text}");
    assert!(text.contains("e−"), "{text}");
    let e = ex(m, t, "embed.sum[0][0]");
    let text = e.to_text();
    assert!(!text.contains("random token values"), "{text}");
    assert!(text.contains("learned (embed.E)"), "{text}");
}

/// The explanation of an unknown word's embedding reads the `<unk>` row the trace holds and
/// says why, with no note that the numbers disagree.
#[test]
fn an_unknown_words_embedding_reads_the_unk_row() {
    let mut s = qkv::session::Session::default_scenario().unwrap();
    let out = s.apply_line("text 나는 바나나 간다").unwrap().text;
    assert!(out.contains("source: 나는 | 바나나→<unk> | 간다"), "{out}");
    let (m, t) = (s.model().unwrap(), s.trace());
    let e = ex(m, t, "embed.tokens[1][0]");
    no_note(&e);
    has(
        &e,
        "바나나 is not in the model's vocabulary of 102 words, so it reads as <unk>",
    );
    has(&e, "E[<unk>] = [");
    let unk = m.embedding_row(&t.tokens().vocab, 1).unwrap();
    assert_eq!(e.value, unk[0]);
    let out = s.apply_line("text the cat sat on the mat").unwrap().text;
    // `the` is in the shared vocabulary but only on the target side: none of the 6 words
    // was ever input.
    assert!(
        out.contains("warning: 6 of 6 words were never seen as input"),
        "{out}"
    );
}
