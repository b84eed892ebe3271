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

/// Every value of every step, as bits.
fn bits(t: &Trace) -> Vec<Vec<u32>> {
    t.steps()
        .iter()
        .map(|s| s.to_tensor().values().map(f32::to_bits).collect())
        .collect()
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
    let before = m.forward(&input, qkv::model::Pass::default()).unwrap();
    let mut c = m.config().clone();
    c.scale = false;
    m.set_config(c.validate().unwrap()).unwrap();
    let after = m
        .forward(&input, qkv::model::Pass::reusing(&before))
        .unwrap();
    same_bits(
        &after,
        &m.forward(&input, qkv::model::Pass::default()).unwrap(),
    )
    .unwrap();
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
    let before = m.forward(&input, qkv::model::Pass::default()).unwrap();
    m.weights_mut()
        .set("dec.1.ffn.b2", Param::Vector(ndarray::Array1::ones(8)))
        .unwrap();
    let after = m
        .forward(&input, qkv::model::Pass::reusing(&before))
        .unwrap();
    same_bits(
        &after,
        &m.forward(&input, qkv::model::Pass::default()).unwrap(),
    )
    .unwrap();
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
    let foreign = m.forward(&other, qkv::model::Pass::default()).unwrap();
    let t = m
        .forward(&input, qkv::model::Pass::reusing(&foreign))
        .unwrap();
    same_bits(&t, &m.forward(&input, qkv::model::Pass::default()).unwrap()).unwrap();
    // same tokens, same values, but other weights (another model): only cheap steps match
    let (m2, _) = model(Arch::Encoder);
    let from_m2 = m2.forward(&input, qkv::model::Pass::default()).unwrap();
    let t = m
        .forward(&input, qkv::model::Pass::reusing(&from_m2))
        .unwrap();
    assert!(shared(&from_m2, &t, "embed.sum"));
    assert!(!shared(&from_m2, &t, "enc.0.attn.q"));
}

#[test]
fn rerunning_unchanged_takes_everything_over() {
    let (m, input) = model(Arch::Decoder);
    let before = m.forward(&input, qkv::model::Pass::default()).unwrap();
    let after = m
        .forward(&input, qkv::model::Pass::reusing(&before))
        .unwrap();
    same_bits(&after, &before).unwrap();
    assert!(
        shared(&before, &after, "final_norm") || shared(&before, &after, "dec.1.add_norm2.out")
    );
    assert!(shared(&before, &after, "dec.1.ffn.out"));
}

/// The other mask.
fn flipped(k: MaskKind) -> MaskKind {
    if k == MaskKind::None {
        MaskKind::Causal
    } else {
        MaskKind::None
    }
}

/// The name of the model's first weight whose name ends with `ending`.
fn first_weight(m: &Transformer, ending: &str) -> String {
    m.weights()
        .iter()
        .map(|(n, _)| n.to_string())
        .find(|n| n.ends_with(ending))
        .unwrap()
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
        let mut prev = m.forward(&input, qkv::model::Pass::default()).unwrap();
        for s in switches {
            let mut c = m.config().clone();
            match s {
                0 => c.scale = !c.scale,
                1 => c.mask = flipped(c.mask),
                2 => c.positional = if c.positional == Positional::None { Positional::Sinusoidal } else { Positional::None },
                3 => c.embed_scale = !c.embed_scale,
                _ => c.eps = if c.eps == 1e-5 { 1e-3 } else { 1e-5 },
            }
            m.set_config(c.validate().unwrap()).unwrap();
            if edit {
                let name = first_weight(&m, "W_V");
                m.weights_mut().set(&name, Param::Matrix(Array2::from_elem((8, 8), 0.1))).unwrap();
            }
            let next = m.forward(&input, qkv::model::Pass::reusing(&prev)).unwrap();
            prop_assert_eq!(same_bits(&next, &m.forward(&input, qkv::model::Pass::default()).unwrap()), Ok(()));
            prev = next;
        }
    }
}

/// The largest |Δ| of a step, every head written out in full and compared cell by cell (not
/// the way a diff compares them); 0 for a buffer the rerun took over (unchanged, even where
/// it holds NaN).
fn written_out_diff(old: &qkv::trace::Step, new: &qkv::trace::Step) -> f32 {
    if old.shares_numbers_with(new) {
        return 0.0;
    }
    let heads: Vec<Option<usize>> = match new.heads() {
        Some(h) => (0..h).map(Some).collect(),
        None => vec![None],
    };
    heads
        .into_iter()
        .map(|h| {
            let (a, b) = (old.matrix(h).unwrap(), new.matrix(h).unwrap());
            qkv::trace::max_abs_diff(&a.view(), &b.view())
        })
        .fold(0.0, f32::max)
}

/// The diff's value of every step against [`written_out_diff`], bit for bit.
fn diff_is_written_out(old: &Trace, new: &Trace) -> Result<(), String> {
    let d = qkv::session::Diff::between(old, new);
    for (name, x) in &d.changed {
        let want = written_out_diff(old.get(name).unwrap(), new.get(name).unwrap());
        if x.to_bits() != want.to_bits() {
            return Err(format!("{name}: diff {x}, written out {want}"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// After any switch, the diff's largest change of every step (the four attention steps
    /// compared head by head without writing them out, by the rerun's pass as it goes or
    /// by the diff itself) equals the written-out comparison, also for scores that
    /// overflow to ∞ and weights that become NaN. With `keep` (a session's traces keeping
    /// their heads), the rerun reads the old heads and takes them over: the old trace, read
    /// afterwards for the written-out comparison, recomputes them with the same bits.
    #[test]
    fn the_diff_equals_the_written_out_comparison(
        arch in prop::sample::select(vec![Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder]),
        switches in prop::collection::vec(0u8..4, 1..4),
        compared in any::<bool>(),
        keep in any::<bool>(),
    ) {
        let (mut m, input) = model(arch);
        let mut prev = m.forward(&input, qkv::model::Pass::keeping(keep)).unwrap();
        for s in switches {
            let mut c = m.config().clone();
            match s {
                0 => c.scale = !c.scale,
                1 => c.mask = flipped(c.mask),
                2 => c.dec_mask = flipped(c.dec_mask),
                _ => {
                    // W_Q and W_K of the first block × 1e20: its scores overflow (±∞, NaN weights).
                    for part in ["W_Q", "W_K"] {
                        let name = first_weight(&m, part);
                        m.weights_mut().set(&name, Param::Matrix(Array2::from_elem((8, 8), 1e20))).unwrap();
                    }
                }
            }
            m.set_config(c.validate().unwrap()).unwrap();
            let prev_bits = bits(&prev);
            let next = if compared {
                m.forward(&input, qkv::model::Pass::comparing(&prev, keep)).unwrap()
            } else {
                m.forward(&input, qkv::model::Pass::reusing(&prev)).unwrap()
            };
            prop_assert_eq!(same_bits(&next, &m.forward(&input, qkv::model::Pass::default()).unwrap()), Ok(()));
            // The old trace, its heads let go of, reads as before, bit for bit.
            prop_assert!(bits(&prev) == prev_bits);
            prop_assert_eq!(diff_is_written_out(&prev, &next), Ok(()));
            // Asked again (the `diff` command), the recorded comparison gives the same.
            prop_assert_eq!(diff_is_written_out(&prev, &next), Ok(()));
            prev = next;
        }
    }
}

/// The overflow case of the property above on its own: a diff that reports ∞.
#[test]
fn an_overflowing_rerun_reports_an_infinite_change() {
    let (mut m, input) = model(Arch::Encoder);
    let before = m.forward(&input, qkv::model::Pass::default()).unwrap();
    // W_Q and W_K × 1e20: q and k about 1e20, their products about 1e40, beyond f32 (∞).
    for w in ["enc.0.attn.W_Q", "enc.0.attn.W_K"] {
        m.weights_mut()
            .set(w, Param::Matrix(Array2::from_elem((8, 8), 1e20)))
            .unwrap();
    }
    let after = m
        .forward(&input, qkv::model::Pass::comparing(&before, false))
        .unwrap();
    let d = qkv::session::Diff::between(&before, &after);
    let of = |n: &str| d.changed.iter().find(|(s, _)| s == n).map(|(_, x)| *x);
    assert_eq!(of("enc.0.attn.scores"), Some(f32::INFINITY));
    assert_eq!(of("enc.0.attn.weights"), Some(f32::INFINITY));
    diff_is_written_out(&before, &after).unwrap();
}

/// A trace that keeps its heads holds two h × n × m matrices per attention block more
/// (`cost::heads_bytes`); a compared rerun that keeps them takes over the old trace's heads
/// of every block it computes again, so the two traces together hold one set of heads.
/// Encoder-decoder `tiny` (2 heads, 2 + 2 layers) on 3 source and 3 target tokens: encoder
/// 2 layers · 2 heads · 3·3 = 36 cells, decoder 2 · 2 · (3·3 + 3·3) = 72, 108 cells · 2
/// matrices · 4 bytes = 864 bytes.
#[test]
fn kept_heads_move_to_the_rerun() {
    let (mut m, input) = model(Arch::EncoderDecoder);
    let plain = m
        .forward(&input, qkv::model::Pass::default())
        .unwrap()
        .stored_bytes();
    let heads = qkv::model::cost::heads_bytes(
        m.config(),
        qkv::model::cost::Lengths {
            source: input.source.len(),
            target: input.target.as_ref().map_or(0, Vec::len),
            vocab: 0,
        },
    ) as usize;
    assert_eq!(
        (input.source.len(), input.target.as_ref().map(Vec::len)),
        (3, Some(3))
    );
    assert_eq!(heads, 864);
    let before = m.forward(&input, qkv::model::Pass::keeping(true)).unwrap();
    assert_eq!(before.stored_bytes(), plain + heads);
    let mut c = m.config().clone();
    c.scale = !c.scale;
    m.set_config(c.validate().unwrap()).unwrap();
    let after = m
        .forward(&input, qkv::model::Pass::comparing(&before, true))
        .unwrap();
    same_bits(
        &after,
        &m.forward(&input, qkv::model::Pass::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        after.stored_bytes(),
        plain + heads,
        "the rerun keeps every head"
    );
    assert_eq!(
        before.stored_bytes(),
        plain,
        "the old trace let go of its heads"
    );
    diff_is_written_out(&before, &after).unwrap();
    // Without keeping, the old trace keeps what it had.
    let again = m.forward(&input, qkv::model::Pass::keeping(true)).unwrap();
    c.scale = !c.scale;
    m.set_config(c.validate().unwrap()).unwrap();
    let plain_rerun = m
        .forward(&input, qkv::model::Pass::comparing(&again, false))
        .unwrap();
    assert_eq!(again.stored_bytes(), plain + heads);
    assert_eq!(plain_rerun.stored_bytes(), plain);
    // Another sentence: nothing is compared or taken over; the old heads are let go of
    // before the pass (their memory serves it), and the old trace reads as before.
    let again_bits = bits(&again);
    let (_, other) = prepare(
        m.config().clone(),
        "너는 시장에 갔다",
        Some("<bos> you went"),
    )
    .unwrap();
    let new_sentence = m
        .forward(&other, qkv::model::Pass::comparing(&again, true))
        .unwrap();
    same_bits(
        &new_sentence,
        &m.forward(&other, qkv::model::Pass::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(again.kept_heads_bytes(None), 0);
    assert!(bits(&again) == again_bits);
    assert_eq!(new_sentence.kept_heads_bytes(None), heads);
}

/// Heads large enough for the buffer pool (`small`, 128 tokens: 128 × 128 = 16,384 values
/// per matrix, the pool's smallest): each rerun takes the old heads' buffers over through the
/// pool, and every trace, the new ones and the old ones read afterwards, keeps its bits.
#[test]
fn kept_heads_taken_over_through_the_pool_keep_their_bits() {
    let words: Vec<String> = (0..128).map(|i| format!("w{i}")).collect();
    let mut c = qkv::model::Config::preset(qkv::model::Preset::Small);
    c.arch = Arch::Encoder;
    c.max_tokens = 128;
    let (valid, input) = prepare(c, &words.join(" "), None).unwrap();
    assert_eq!(input.source.len(), 128);
    let mut m = Transformer::new(valid);
    let mut prev = m.forward(&input, qkv::model::Pass::keeping(true)).unwrap();
    for _ in 0..3 {
        let mut c = m.config().clone();
        c.scale = !c.scale;
        m.set_config(c.validate().unwrap()).unwrap();
        let prev_bits = bits(&prev);
        let next = m
            .forward(&input, qkv::model::Pass::comparing(&prev, true))
            .unwrap();
        same_bits(
            &next,
            &m.forward(&input, qkv::model::Pass::default()).unwrap(),
        )
        .unwrap();
        assert!(bits(&prev) == prev_bits, "the old trace reads as before");
        assert_eq!(prev.kept_heads_bytes(None), 0, "its heads were taken over");
        diff_is_written_out(&prev, &next).unwrap();
        prev = next;
    }
}

#[test]
fn norm_switch_needs_new_weights() {
    let (mut m, _) = model(Arch::Encoder);
    let mut c = m.config().clone();
    c.norm = Norm::Pre;
    assert!(m.set_config(c.validate().unwrap()).is_err());
}
