//! The fast forward pass held to the paper's, step by step: `model/reference.rs` recomputes
//! every step in plain ndarray from the same weights, and each step of the trace must match
//! it within 1e-5 (relative to the larger of the two values, or absolute below 1), with the
//! mask's −∞ exactly where the reference has it. The floor of 1 is the size of the terms, not
//! of the result: a value near 0 is a difference of terms of size about 1 (a dot product over
//! d_model products of O(1) numbers, a LayerNorm's x − mean), so two correct summation orders
//! differ there by a few f32 units of those terms (1.2e-7 each), which relative to a result
//! near 0 is unbounded. Random configurations of all three
//! architectures, both norms, scaling, masks, positional encoding and embedding scale; also
//! the shipped trained model (a fixed vocabulary, `<unk>` rows). Heads are at least 4 wide:
//! a LayerNorm over 2 or 3 values of nearly equal size divides by a standard deviation near
//! √eps, which turns the last-bit differences of two correct summation orders into relative
//! differences above 1e-5.

use proptest::prelude::*;

use qkv::model::reference::{self, Value};
use qkv::model::{Arch, Config, MaskKind, Norm, Positional, Preset, Transformer, prepare};
use qkv::trace::{Tensor, Trace};

/// Every step the reference records is in the trace, with the same shape and values; every
/// forward step of the trace is in the reference.
fn same_steps(trace: &Trace, steps: &reference::Steps) -> Result<(), String> {
    for (name, value) in steps {
        let step = trace
            .get(name)
            .ok_or_else(|| format!("the trace has no step {name}"))?;
        let fast = step.to_tensor();
        let (a, b): (Vec<f32>, Vec<f32>) = match (&*fast, value) {
            (Tensor::Matrix(f), Value::Matrix(r)) if f.dim() == r.dim() => {
                (f.iter().copied().collect(), r.iter().copied().collect())
            }
            (Tensor::Heads(f), Value::Heads(r)) if f.dim() == r.dim() => {
                (f.iter().copied().collect(), r.iter().copied().collect())
            }
            (f, _) => {
                return Err(format!(
                    "{name}: the trace's shape {:?} is not the reference's",
                    f.shape()
                ));
            }
        };
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            let close = if x.is_infinite() || y.is_infinite() {
                x == y
            } else {
                (x - y).abs() <= 1e-5 * x.abs().max(y.abs()).max(1.0)
            };
            if !close {
                return Err(format!(
                    "{name}: value {i} is {x} in the trace, {y} in the reference"
                ));
            }
        }
    }
    for step in trace.steps() {
        if !steps.contains_key(step.name()) {
            return Err(format!("the reference has no step {}", step.name()));
        }
    }
    Ok(())
}

fn words(range: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    crate::util::sentences(crate::util::WORDS, range).prop_map(|v| v.join(" "))
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop::sample::select(vec![Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder]),
        prop::sample::select(vec![Norm::Post, Norm::Pre]),
        1usize..4,
        4usize..7,
        1usize..10,
        (1usize..3, 1usize..3),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        (any::<bool>(), any::<bool>(), 0u64..1000),
    )
        .prop_map(
            |(
                arch,
                norm,
                heads,
                d_k,
                d_ff,
                (enc, dec),
                (scale, embed_scale, pe),
                (mask, dec_mask, seed),
            )| {
                let mut c = Config::preset(Preset::Tiny);
                c.arch = arch;
                c.norm = norm;
                c.heads = heads;
                c.d_model = heads * d_k;
                c.d_ff = d_ff;
                c.layers.encoder = enc;
                c.layers.decoder = dec;
                c.scale = scale;
                c.embed_scale = embed_scale;
                c.positional = if pe {
                    Positional::Sinusoidal
                } else {
                    Positional::None
                };
                c.mask = if mask {
                    MaskKind::Causal
                } else {
                    MaskKind::None
                };
                c.dec_mask = if dec_mask {
                    MaskKind::Causal
                } else {
                    MaskKind::None
                };
                c.seed = seed;
                c
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_fast_pass_equals_the_papers(c in config(), text in words(1..6), target in words(1..5)) {
        let target = (c.arch == Arch::EncoderDecoder).then(|| format!("<bos> {target}"));
        let (valid, input) = prepare(c, &text, target.as_deref()).unwrap();
        let model = Transformer::new(valid);
        let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
        let steps = reference::forward(&model, &input).unwrap();
        if let Err(e) = same_steps(&trace, &steps) {
            return Err(TestCaseError::fail(e));
        }
    }
}

#[test]
fn the_trained_model_equals_the_papers() {
    // The shipped checkpoint (a fixed vocabulary: 바나나 is not in it and reads <unk>).
    let model = qkv::learn::checkpoint::shipped().unwrap();
    let c = model.config().clone();
    let (_, input) = prepare(c, "나는 바나나 간다", Some("<bos> I go to school")).unwrap();
    let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
    let steps = reference::forward(&model, &input).unwrap();
    same_steps(&trace, &steps).unwrap();
}
