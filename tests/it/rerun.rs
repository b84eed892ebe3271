//! `Transformer::rerun` reuses what a change did not touch and gives the trace `forward`
//! gives, bit for bit.

use ndarray::Array2;
use proptest::prelude::*;

use qkv::model::{Arch, MaskKind, Norm, Param, Positional, Transformer, prepare};
use qkv::trace::Trace;

use crate::util::tiny;

fn same_bits(a: &Trace, b: &Trace) -> Result<(), String> {
    if a.names().collect::<Vec<_>>() != b.names().collect::<Vec<_>>() {
        return Err("different steps".into());
    }
    for (sa, sb) in a.steps().iter().zip(b.steps()) {
        let ba: Vec<u32> = sa.to_tensor().values().map(f32::to_bits).collect();
        let bb: Vec<u32> = sb.to_tensor().values().map(f32::to_bits).collect();
        if ba != bb || sa.flags() != sb.flags() || sa.formula() != sb.formula() {
            return Err(format!("{} differs", sa.name()));
        }
    }
    Ok(())
}

/// True when the step holds the very buffer it held in `old`.
fn shared(old: &Trace, new: &Trace, name: &str) -> bool {
    let a = old.get(name).and_then(qkv::trace::Step::shared_matrix);
    let b = new.get(name).and_then(qkv::trace::Step::shared_matrix);
    matches!((a, b), (Some(a), Some(b)) if a.ptr_eq(&b))
}

fn model(arch: Arch) -> (Transformer, qkv::model::Input) {
    let (valid, input) = prepare(tiny(arch), "나는 학교에 간다", Some("<bos> I go")).unwrap();
    (Transformer::new(valid), input)
}

#[test]
fn toggling_scale_reuses_the_embeddings_and_the_first_projections() {
    let (mut m, input) = model(Arch::EncoderDecoder);
    let before = m.forward(&input).unwrap();
    let mut c = m.config().clone();
    c.scale = false;
    m.set_config(c.validate().unwrap()).unwrap();
    let after = m.rerun(&input, &before).unwrap();
    same_bits(&after, &m.forward(&input).unwrap()).unwrap();
    for name in ["embed.sum", "enc.0.attn.q", "enc.0.attn.k", "enc.0.attn.v"] {
        assert!(shared(&before, &after, name), "{name} was recomputed");
    }
    // the scores are new: the block was not taken over whole
    assert!(!shared(&before, &after, "enc.0.attn.out"));
    assert!(
        after
            .step("enc.0.attn.scaled")
            .unwrap()
            .formula()
            .contains("off")
    );
}

#[test]
fn changing_a_weight_reuses_everything_before_it() {
    let (mut m, input) = model(Arch::EncoderDecoder);
    let before = m.forward(&input).unwrap();
    m.weights_mut()
        .set("dec.1.ffn.b2", Param::Vector(ndarray::Array1::ones(8)))
        .unwrap();
    let after = m.rerun(&input, &before).unwrap();
    same_bits(&after, &m.forward(&input).unwrap()).unwrap();
    for name in [
        "enc.1.add_norm2.out",
        "enc.1.attn.out",
        "dec.embed.sum",
        "dec.0.self_attn.q",
        "dec.1.cross_attn.out",
        "dec.1.add_norm2.out",
    ] {
        assert!(shared(&before, &after, name), "{name} was recomputed");
    }
    for name in ["dec.1.ffn.out", "dec.1.add_norm3.out", "logits"] {
        assert!(!shared(&before, &after, name), "{name} was reused");
    }
}

#[test]
fn a_trace_of_other_tokens_or_weights_is_not_reused() {
    let (m, input) = model(Arch::Encoder);
    let (_, other) = prepare(m.config().clone(), "학교에 나는 간다", None).unwrap();
    let foreign = m.forward(&other).unwrap();
    let t = m.rerun(&input, &foreign).unwrap();
    same_bits(&t, &m.forward(&input).unwrap()).unwrap();
    // same tokens, same values, but other weights (another model): only cheap steps match
    let (m2, _) = model(Arch::Encoder);
    let from_m2 = m2.forward(&input).unwrap();
    let t = m.rerun(&input, &from_m2).unwrap();
    assert!(shared(&from_m2, &t, "embed.sum"));
    assert!(!shared(&from_m2, &t, "enc.0.attn.q"));
}

#[test]
fn rerunning_unchanged_takes_everything_over() {
    let (m, input) = model(Arch::Decoder);
    let before = m.forward(&input).unwrap();
    let after = m.rerun(&input, &before).unwrap();
    same_bits(&after, &before).unwrap();
    assert!(
        shared(&before, &after, "final_norm") || shared(&before, &after, "dec.1.add_norm2.out")
    );
    assert!(shared(&before, &after, "dec.1.ffn.out"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any sequence of switches: rerun equals a fresh forward pass bit for bit.
    #[test]
    fn rerun_equals_forward_after_any_switch(
        arch in prop::sample::select(vec![Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder]),
        switches in prop::collection::vec(0u8..5, 1..5),
        edit in any::<bool>(),
    ) {
        let (mut m, input) = model(arch);
        let mut prev = m.forward(&input).unwrap();
        for s in switches {
            let mut c = m.config().clone();
            match s {
                0 => c.scale = !c.scale,
                1 => c.mask = if c.mask == MaskKind::None { MaskKind::Causal } else { MaskKind::None },
                2 => c.positional = if c.positional == Positional::None { Positional::Sinusoidal } else { Positional::None },
                3 => c.embed_scale = !c.embed_scale,
                _ => c.eps = if c.eps == 1e-5 { 1e-3 } else { 1e-5 },
            }
            m.set_config(c.validate().unwrap()).unwrap();
            if edit {
                let name = m.weights().iter().map(|(n, _)| n.to_string()).find(|n| n.ends_with("W_V")).unwrap();
                m.weights_mut().set(&name, Param::Matrix(Array2::from_elem((8, 8), 0.1))).unwrap();
            }
            let next = m.rerun(&input, &prev).unwrap();
            prop_assert_eq!(same_bits(&next, &m.forward(&input).unwrap()), Ok(()));
            prev = next;
        }
    }
}

#[test]
fn norm_switch_needs_new_weights() {
    let (mut m, _) = model(Arch::Encoder);
    let mut c = m.config().clone();
    c.norm = Norm::Pre;
    assert!(m.set_config(c.validate().unwrap()).is_err());
}
