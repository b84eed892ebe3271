//! The trace keeps some steps in compact forms (heads side by side, `relu` and the attention
//! scores/weights recomputed on access). These tests check that every form gives the numbers
//! the forward pass used, bit for bit.

use ndarray::Array2;

use qkv::model::attention::{Mask, scaled_dot_product};
use qkv::model::config::Preset;
use qkv::model::linalg::{Backend, MatView, product_into};
use qkv::model::{Arch, Config, MaskKind};
use qkv::trace::{Numbers, Tensor};

use crate::util::forward as run;

fn bits(m: &Array2<f32>) -> Vec<u32> {
    m.iter().map(|x| x.to_bits()).collect()
}

fn configs() -> Vec<Config> {
    let mut out = Vec::new();
    for preset in [Preset::Tiny, Preset::Small] {
        for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
            for (scale, mask) in [(true, MaskKind::None), (false, MaskKind::Causal)] {
                let mut c = Config::preset(preset);
                c.arch = arch;
                c.scale = scale;
                c.mask = mask;
                out.push(c);
            }
        }
    }
    out
}

/// head_out[h] = weights[h] · v[h], with the weights read back from the trace: the
/// recomputed weights are the ones the forward pass multiplied.
#[test]
fn recomputed_weights_are_the_ones_the_forward_pass_used() {
    // The last case is long enough for the heads to run in parallel.
    let mut long = Config::preset(Preset::Small);
    long.heads = 2;
    long.d_ff = 64;
    long.layers.encoder = 1;
    long.layers.decoder = 1;
    long.max_tokens = 200;
    let words: Vec<String> = (0..190).map(|i| format!("w{}", i % 37)).collect();
    let long_text = words.join(" ");
    let mut cases: Vec<(Config, &str, &str)> = configs()
        .into_iter()
        .map(|c| (c, "the cat sat on the mat", "le chat"))
        .collect();
    cases.push((long, &long_text, &long_text));
    for (c, text, target) in cases {
        let trace = run(c.clone(), text, Some(target));
        for s in trace
            .steps()
            .iter()
            .filter(|s| s.name().ends_with(".weights"))
        {
            let prefix = s.name().trim_end_matches(".weights");
            let v = trace.step(&format!("{prefix}.v")).unwrap();
            let head_out = trace.step(&format!("{prefix}.head_out")).unwrap();
            for h in 0..s.heads().unwrap() {
                let w = s.matrix(Some(h)).unwrap().to_owned();
                let vh = v.matrix(Some(h)).unwrap().to_owned();
                let mut out = vec![0.0f32; w.nrows() * vh.ncols()];
                product_into(
                    Backend::FaerSequential,
                    MatView::of(&w.view()).unwrap(),
                    MatView::of(&vh.view()).unwrap(),
                    &mut out,
                );
                let want = head_out.matrix(Some(h)).unwrap().to_owned();
                assert_eq!(
                    out,
                    want.as_slice().unwrap(),
                    "{:?} {}[{h}]",
                    c.arch,
                    s.name()
                );
            }
        }
    }
}

/// The recomputed steps equal `scaled_dot_product` on the recorded q, k, v of each head.
#[test]
fn recomputed_steps_equal_scaled_dot_product() {
    for c in configs() {
        let trace = run(c.clone(), "a b c d e", Some("x y z"));
        for s in trace
            .steps()
            .iter()
            .filter(|s| s.name().ends_with(".scores"))
        {
            let p = s.name().trim_end_matches(".scores");
            let get = |n: &str| trace.step(&format!("{p}.{n}")).unwrap();
            let causal =
                p.contains("self_attn") || (p.contains(".attn") && c.mask == MaskKind::Causal);
            for h in 0..s.heads().unwrap() {
                let head = |n: &str| get(n).matrix(Some(h)).unwrap().to_owned();
                let (q, k, v) = (head("q"), head("k"), head("v"));
                let mask = if causal { Mask::Causal } else { Mask::None };
                let a = scaled_dot_product(q.view(), k.view(), v.view(), mask, c.scale);
                assert_eq!(bits(&head("scores")), bits(&a.scores), "{p} {h}");
                assert_eq!(bits(&head("scaled")), bits(&a.scaled), "{p} {h}");
                assert_eq!(bits(&head("masked")), bits(&a.masked), "{p} {h}");
                assert_eq!(bits(&head("weights")), bits(&a.weights), "{p} {h}");
                // cell by cell, value() agrees with matrix()
                for n in ["scores", "scaled", "masked", "weights", "q", "head_out"] {
                    let m = head(n);
                    for ((i, j), x) in m.indexed_iter() {
                        let got = get(n).value(&[h, i, j]).unwrap();
                        assert_eq!(got.to_bits(), x.to_bits(), "{p}.{n}[{h}][{i}][{j}]");
                    }
                }
            }
        }
    }
}

/// Every compact form materialises to the tensor the old layout stored: `tensor()`,
/// `to_tensor()`, `matrix()` and `value()` agree, and the flags are those of the numbers.
#[test]
fn every_form_materialises_consistently() {
    let mut c = Config::preset(Preset::Tiny);
    c.arch = Arch::Decoder;
    let trace = run(c, "나는 학교에 간다 정말", None);
    let mut forms = [0usize; 4];
    for s in trace.steps() {
        forms[match s.numbers() {
            Numbers::Stored(_) => 0,
            Numbers::SideBySide { .. } => 1,
            Numbers::Relu(_) => 2,
            Numbers::Derived { .. } => 3,
        }] += 1;
        let t = s.to_tensor().into_owned();
        assert_eq!(t.shape(), s.shape(), "{}", s.name());
        let flags = qkv::trace::Flags::count(t.values());
        assert_eq!(
            (flags.nan, flags.pos_inf, flags.neg_inf),
            (s.flags().nan, s.flags().pos_inf, s.flags().neg_inf),
            "{}",
            s.name()
        );
        match &t {
            Tensor::Heads(x) => {
                for ((h, i, j), v) in x.indexed_iter() {
                    assert_eq!(s.value(&[h, i, j]).unwrap().to_bits(), v.to_bits());
                    assert_eq!(
                        s.matrix(Some(h)).unwrap()[[i, j]].to_bits(),
                        v.to_bits(),
                        "{}",
                        s.name()
                    );
                }
            }
            Tensor::Matrix(x) => {
                for ((i, j), v) in x.indexed_iter() {
                    assert_eq!(s.value(&[i, j]).unwrap().to_bits(), v.to_bits());
                }
                assert_eq!(s.matrix(None).unwrap(), x.view());
            }
        }
        assert_eq!(s.tensor(), &t, "{}", s.name());
    }
    assert!(forms.iter().all(|n| *n > 0), "{forms:?}");
    // masked = −∞ above the diagonal, counted in the flags: 2 heads × (4·3/2) cells per block
    let masked = trace.step("dec.0.self_attn.masked").unwrap();
    assert_eq!(masked.flags().neg_inf, 12);
    assert_eq!(masked.value(&[1, 0, 3]).unwrap(), f32::NEG_INFINITY);
}

/// `stored_bytes` counts each kept buffer once: `concat` shares `head_out`'s buffer and
/// the recomputed steps keep nothing.
#[test]
fn stored_bytes_counts_shared_buffers_once() {
    let mut c = Config::preset(Preset::Tiny);
    c.arch = Arch::Encoder;
    c.layers.encoder = 1;
    let trace = run(c, "a b c", None);
    let per_step: usize = trace
        .steps()
        .iter()
        .map(qkv::trace::Step::stored_bytes)
        .sum();
    let concat = trace.step("enc.0.attn.concat").unwrap().stored_bytes();
    assert_eq!(concat, 3 * 8 * 4);
    assert_eq!(trace.stored_bytes(), per_step - concat);
    assert_eq!(trace.step("enc.0.attn.weights").unwrap().stored_bytes(), 0);
    assert_eq!(trace.step("enc.0.ffn.relu").unwrap().stored_bytes(), 0);
}

/// The documented formula of the trace's bytes is exactly what the trace keeps.
#[test]
fn trace_bytes_formula_is_exact() {
    use qkv::model::Norm;
    use qkv::model::cost::{Lengths, trace_bytes};
    for preset in [Preset::Tiny, Preset::Small] {
        for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
            for norm in [Norm::Post, Norm::Pre] {
                let mut c = Config::preset(preset);
                c.arch = arch;
                c.norm = norm;
                let trace = run(c.clone(), "a b c d e f g", Some("x y z"));
                let t = trace.tokens();
                let n = Lengths {
                    source: t.source.len(),
                    target: t.target.as_ref().map_or(0, |x| x.len()),
                    vocab: t.vocab.len(),
                };
                assert_eq!(
                    trace_bytes(&c, n).total as usize,
                    trace.stored_bytes(),
                    "{preset} {arch} {norm}"
                );
            }
        }
    }
}

/// A pass for a backward pass keeps every head's scores and weights (2 × heads × n × m
/// values per block, counted once for its four steps) and gives the same trace, bit for
/// bit, and the same gradients as a pass that recomputes them.
#[test]
fn a_pass_for_backward_keeps_the_heads_with_the_same_bits() {
    let mut c = Config::preset(Preset::Tiny);
    c.arch = Arch::EncoderDecoder;
    let (valid, input) = qkv::model::prepare(c, "나는 학교에 간다", Some("<bos> I go")).unwrap();
    let model = qkv::model::Transformer::new(valid);
    let plain = model.forward(&input, qkv::model::Pass::default()).unwrap();
    let kept = model
        .forward(&input, qkv::model::Pass::keeping(true))
        .unwrap();
    assert_eq!(
        plain.names().collect::<Vec<_>>(),
        kept.names().collect::<Vec<_>>()
    );
    for s in plain.steps() {
        let k = kept.step(s.name()).unwrap();
        let a = s.to_tensor().into_owned();
        let b = k.to_tensor().into_owned();
        let bits = |t: &Tensor| t.values().map(f32::to_bits).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{}", s.name());
    }
    // The extra bytes: scores and weights (2 matrices) of every head of every block, i.e.
    // twice the cells of all `weights` steps (heads × n × m each), 4 bytes a value.
    let heads = plain.step("enc.0.attn.weights").unwrap().heads().unwrap();
    let cells: usize = plain
        .steps()
        .iter()
        .filter(|s| s.name().ends_with(".weights"))
        .map(|s| s.shape().iter().product::<usize>())
        .sum();
    assert_eq!(heads, 2);
    assert_eq!(kept.stored_bytes() - plain.stored_bytes(), 2 * cells * 4);
    let g_plain = qkv::learn::backward(&model, &plain, 0.0).unwrap();
    let g_kept = qkv::learn::backward(&model, &kept, 0.0).unwrap();
    assert_eq!(g_plain.loss.value.to_bits(), g_kept.loss.value.to_bits());
    for ((n, a), (m, b)) in g_plain.weights.iter().zip(&g_kept.weights) {
        assert_eq!(n, m);
        let bits = |p: &qkv::model::Param| p.values().map(f32::to_bits).collect::<Vec<_>>();
        assert_eq!(bits(a), bits(b), "{n}");
    }
}
