//! Session::apply: every command's effect on the state, errors that change nothing, and a
//! property test that no input line can panic the parser or the session.

use proptest::prelude::*;
use qkv::command::parse;
use qkv::session::{Session, SessionError};

use crate::util::{say as run, session};

/// The error of `line`, which must fail and leave the trace and the cursor as they were.
pub(crate) fn fails(s: &mut Session, line: &str) -> String {
    let before_trace = s.trace().clone();
    let before_cursor = s.cursor().clone();
    let err = match s.apply_line(line) {
        Ok(o) => panic!("{line} should fail but gave {}", o.text),
        Err(e) => e.to_string(),
    };
    assert_eq!(s.trace(), &before_trace, "{line} changed the trace");
    assert_eq!(s.cursor(), &before_cursor, "{line} moved the cursor");
    err
}

#[test]
fn the_default_is_the_trained_model() {
    let s = Session::default_scenario().unwrap();
    assert_eq!(
        s.title(),
        "나는 학교에 간다 → I go to school (trained model)"
    );
    let m = s.model().unwrap();
    assert_eq!(m.vocab().map(qkv::model::Vocab::len), Some(102));
    assert_eq!(m.config().d_model, 32);
}

#[test]
fn opens_on_the_first_attention_weights() {
    let s = session();
    assert_eq!(s.cursor().step, "enc.0.attn.weights");
    assert_eq!(s.title(), "나는 학교에 간다 → I go to school");
    assert!(!s.is_dirty());
    assert_eq!(s.input().unwrap().source, ["나는", "학교에", "간다"]);
}

#[test]
fn navigation_moves_the_cursor() {
    let mut s = session();
    run(&mut s, "next");
    assert_eq!(s.cursor().step, "enc.0.attn.head_out");
    run(&mut s, "prev");
    run(&mut s, "prev");
    assert_eq!(s.cursor().step, "enc.0.attn.masked");
    run(&mut s, "head 1");
    assert_eq!(s.cursor().head, 1);
    run(&mut s, "layer 1");
    assert_eq!(s.cursor().step, "enc.1.attn.masked");
    assert_eq!(s.cursor().head, 1, "the head stays");
    run(&mut s, "cell 2 1");
    assert_eq!((s.cursor().row, s.cursor().col), (2, 1));
    assert_eq!(s.cell_address().to_string(), "enc.1.attn.masked[1][2][1]");
    run(&mut s, "show dec.0.cross_attn.weights[0][4][2]");
    assert_eq!(s.cursor().step, "dec.0.cross_attn.weights");
    assert_eq!((s.cursor().head, s.cursor().row, s.cursor().col), (0, 4, 2));
    run(&mut s, "layer 1");
    assert_eq!(s.cursor().step, "dec.1.cross_attn.weights");
    // Visited stops are recorded for `save`: a new step or head is a new stop.
    let shown: Vec<(&str, Option<usize>)> = s
        .visited()
        .iter()
        .map(|t| (t.show.as_str(), t.head))
        .collect();
    assert_eq!(
        shown,
        [
            ("enc.0.attn.head_out", Some(0)),
            ("enc.0.attn.weights", Some(0)),
            ("enc.0.attn.masked", Some(0)),
            ("enc.0.attn.masked", Some(1)),
            ("enc.1.attn.masked", Some(1)),
            ("dec.0.cross_attn.weights", Some(0)),
            ("dec.1.cross_attn.weights", Some(0))
        ]
    );
}

#[test]
fn bad_navigation_changes_nothing() {
    let mut s = session();
    assert!(fails(&mut s, "head 2").contains("head 2 does not exist (heads 0 or 1)"));
    assert!(
        fails(&mut s, "layer 5")
            .contains("layer 5 does not exist: the encoder stack has layers 0 or 1")
    );
    assert!(fails(&mut s, "cell 9 0").contains("row index 9 is out of range (rows 0 to 2)"));
    assert!(fails(&mut s, "show enc.0.attn.weightz").contains("did you mean enc.0.attn.weights"));
    assert!(fails(&mut s, "show embed.sum[0][0][0]").contains("embed.sum"));
    run(&mut s, "show embed.tokens");
    assert!(fails(&mut s, "prev").contains("already at the first step"));
    assert!(fails(&mut s, "head 0").contains("embed.tokens has no heads"));
}

#[test]
fn toggles_rerun_keep_weights_and_say_what_changed() {
    let mut s = session();
    let wq = s
        .model()
        .unwrap()
        .weights()
        .matrix("enc.0.attn.W_Q")
        .unwrap()
        .to_owned();
    let out = run(&mut s, "scale off");
    assert!(out.starts_with("scale off: reran; "), "{out}");
    assert!(!s.config().unwrap().scale);
    assert_eq!(
        s.model()
            .unwrap()
            .weights()
            .matrix("enc.0.attn.W_Q")
            .unwrap(),
        wq
    );
    let step = s.trace().get("enc.0.attn.scaled").unwrap();
    let scores = s.trace().get("enc.0.attn.scores").unwrap();
    assert_eq!(
        step.tensor(),
        scores.tensor(),
        "scaling off: scaled == scores"
    );
    assert!(s.previous_trace().is_some());
    assert!(s.is_dirty());
    assert!(run(&mut s, "scale off").contains("already so"));
    let out = run(&mut s, "mask on");
    assert!(out.contains("mask causal: reran"), "{out}");
    assert_eq!(
        s.trace()
            .value_at(&qkv::trace::Address::parse("enc.0.attn.masked[0][0][2]").unwrap())
            .unwrap(),
        f32::NEG_INFINITY
    );
    run(&mut s, "pe off");
    assert!(
        s.trace()
            .get("embed.pos")
            .unwrap()
            .tensor()
            .values()
            .all(|v| v == 0.0)
    );
    let out = run(&mut s, "norm pre");
    assert!(out.contains("2 new"), "{out}");
    assert!(s.trace().get("final_norm").is_some());
    let diff = run(&mut s, "diff");
    assert!(
        diff.contains("final_norm") && diff.contains("new"),
        "{diff}"
    );
}

#[test]
fn set_model_fields_validate_and_rebuild() {
    let mut s = session();
    let err = fails(&mut s, "set model.heads 3");
    assert!(
        err.contains("heads = 3: expected a divisor of d_model = 8"),
        "{err}"
    );
    run(&mut s, "set model.heads 4");
    assert_eq!(s.config().unwrap().d_k(), 2);
    assert_eq!(
        s.trace().get("enc.0.attn.q").unwrap().tensor().shape(),
        [4, 3, 2]
    );
    run(&mut s, "set model.d_model 16");
    assert_eq!(s.trace().get("embed.sum").unwrap().dims(), (3, 16));
    run(&mut s, "set model.arch decoder");
    assert!(s.trace().get("dec.0.cross_attn.weights").is_none());
    assert!(s.trace().get("enc.0.attn.weights").is_none());
    assert!(
        s.trace().get(&s.cursor().step).is_some(),
        "cursor moved to a step that exists"
    );
    let err = fails(&mut s, "target I go");
    assert!(
        err.contains("target applies to an encoder-decoder model"),
        "{err}"
    );
    assert!(fails(&mut s, "text     ").contains("text needs a sentence"));
    let long = format!("text {}", vec!["w"; 300].join(" "));
    assert!(fails(&mut s, &long).contains("300 tokens: expected at most 256"));
}

#[test]
fn embedding_and_weight_overrides() {
    let mut s = session();
    let err = fails(&mut s, "set embed 바나나 [1, 2, 3, 4, 5, 6, 7, 8]");
    assert!(err.contains("not a token of the input"), "{err}");
    let err = fails(&mut s, "set embed 나는 [1, 2]");
    assert!(err.contains("has 2 values: expected d_model = 8"), "{err}");
    run(&mut s, "set embed 나는 [1, 0, 0, 0, 0, 0, 0, 0]");
    let e = s.trace().get("embed.tokens").unwrap().matrix(None).unwrap();
    assert_eq!(e.row(0).to_vec(), [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let err = fails(&mut s, "set weight enc.0.attn.W_Q [[1, 0], [0, 1]]");
    assert!(
        err.contains("must be 8 × 8 but the value given is 2 × 2"),
        "{err}"
    );
    let err = fails(&mut s, "set weight enc.0.attn.W_Z [[1]]");
    assert!(err.contains("did you mean"), "{err}");
    run(&mut s, "set weight enc.0.ffn.b2 [1, 1, 1, 1, 1, 1, 1, 1]");
    assert_eq!(
        s.model()
            .unwrap()
            .weights()
            .vector("enc.0.ffn.b2")
            .unwrap()
            .sum(),
        8.0
    );
    // The overrides survive a rebuild of the weights when they still fit.
    let out = run(&mut s, "set model.seed 7");
    assert!(!out.contains("dropped"), "{out}");
    assert_eq!(
        s.model()
            .unwrap()
            .weights()
            .vector("enc.0.ffn.b2")
            .unwrap()
            .sum(),
        8.0
    );
    // …and are dropped, with a note, when they no longer fit.
    let out = run(&mut s, "set model.d_model 4");
    assert!(
        out.contains("dropped the override of enc.0.ffn.b2"),
        "{out}"
    );
    assert!(
        out.contains("dropped the embedding override of \"나는\""),
        "{out}"
    );
}

#[test]
fn attend_parks_the_model_and_text_brings_it_back() {
    let mut s = session();
    run(&mut s, "scale off");
    let out = run(
        &mut s,
        "attend q=[1, 2, 3] k=[[2, 1, 2], [0, 1, -1], [1, 1, 1]] v=[[1, 0], [0, 1], [1, 1]]",
    );
    assert!(out.contains("q·k = 1×2 + 2×1 + 3×2 = 10"), "{out}");
    assert!(s.is_hand_check());
    assert!(s.model().is_none());
    run(&mut s, "explain weights[0][0]");
    // A model command brings the parked model back, with its toggles.
    let out = run(&mut s, "params");
    assert!(
        out.contains("vocabulary of this session: 9 tokens"),
        "{out}"
    );
    assert!(!s.is_hand_check());
    assert!(!s.config().unwrap().scale);
    run(&mut s, "attend q=[1] k=[[1]] v=[[1]]");
    // scale and mask act on the hand-check in focus…
    assert!(run(&mut s, "scale on").contains("already so"));
    assert!(s.is_hand_check());
    // …a sentence brings the model back.
    run(&mut s, "text 나는 학교에 간다");
    assert!(!s.is_hand_check());
    assert!(!s.config().unwrap().scale);
}

#[test]
fn export_and_params() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    let p = dir.path().join("t.npz");
    let out = run(&mut s, &format!("export {}", p.display()));
    assert!(out.contains("100 steps"), "{out}");
    assert!(p.exists());
    let out = run(&mut s, "params");
    assert!(
        out.contains("vocabulary of this session: 9 tokens"),
        "{out}"
    );
    let err = fails(
        &mut s,
        &format!("export {}", dir.path().join("t.txt").display()),
    );
    assert!(err.contains(".npz or .json"), "{err}");
}

#[test]
fn errors_are_one_clear_line() {
    let mut s = session();
    for line in [
        "frobnicate",
        "show [",
        "layer",
        "set model.colour 3",
        "attend q=[1]",
    ] {
        let e: SessionError = s.apply_line(line).unwrap_err();
        assert!(!e.to_string().contains('\n'), "{line}: {e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_line_panics_the_parser_or_the_session(line in "\\PC{0,60}") {
        let _ = parse(&line);
        let mut s = session();
        let _ = s.apply_line(&line);
    }

    #[test]
    fn command_shaped_lines_never_panic(
        word in prop::sample::select(vec!["text", "target", "show", "explain", "layer", "head", "cell", "next", "prev", "mask", "scale", "pe", "norm", "set", "attend", "diff", "note", "check", "params", "help", "replay"]),
        arg in prop::sample::select(vec!["", "0", "1", "99", "-1", "on", "off", "causal", "pre", "enc.0.attn.weights[0][0][0]", "enc.0.attn.q[1]", "embed.sum[2][7]", "logits[0]", "model.heads 4", "model.d_model 6", "model.arch decoder", "embed 나는 [1]", "weight enc.0.ffn.b1 [1]", "q=[1] k=[[1],[2]] v=[[1],[2]] mask=causal", "q=[[1,2]] k=[[1]] v=[[1]]", "나는 학교에", "precision 3", "[", "]"]),
    ) {
        let mut s = session();
        let _ = s.apply_line(&format!("{word} {arg}"));
        let _ = s.apply_line("next");
        let _ = s.apply_line("explain");
    }
}

/// The session reruns by reusing what a change did not touch; the result must be what a
/// fresh forward pass of the same model gives, bit for bit.
#[test]
fn reruns_equal_a_fresh_forward_pass_bit_for_bit() {
    let mut s = session();
    for line in [
        "scale off",
        "set weight dec.0.ffn.b2 [0.5, 0, 0, 0, 0, 0, 0, -0.5]",
        "set embed 학교에 [1, 0, 0, 0, 0, 0, 0, 1]",
        "mask on",
        "pe off",
        "set model.eps 0.001",
        "scale on",
        "text 나는 집에 간다",
    ] {
        run(&mut s, line);
        let fresh = s
            .model()
            .unwrap()
            .forward(s.input().unwrap(), qkv::model::Pass::default())
            .unwrap();
        let names: Vec<&str> = s.trace().names().collect();
        assert_eq!(names, fresh.names().collect::<Vec<_>>(), "{line}");
        for (a, b) in s.trace().steps().iter().zip(fresh.steps()) {
            let x: Vec<u32> = a.to_tensor().values().map(f32::to_bits).collect();
            let y: Vec<u32> = b.to_tensor().values().map(f32::to_bits).collect();
            assert_eq!(x, y, "after `{line}`: {}", a.name());
        }
    }
}

/// In a process whose sessions keep their heads (the workbench and the REPL turn it on;
/// turned on here for the whole test binary, which changes no value, only what the traces
/// hold), every trace the session makes keeps every head: the bytes of a plain forward pass
/// plus `cost::heads_bytes`, and the same bits as a fresh pass; the previous trace keeps
/// none of its own, whether the rerun took them over (a toggle) or not (a new sentence, a
/// new head count).
#[test]
fn a_workbench_session_keeps_every_head() {
    qkv::limits::set_sessions_keep_heads(true);
    let mut s = session();
    for line in [
        "scale off",
        "mask on",
        "text 나는 집에 간다",
        "set model.heads 4",
        "scale on",
    ] {
        run(&mut s, line);
        let (model, input) = (s.model().unwrap(), s.input().unwrap());
        let fresh = model.forward(input, qkv::model::Pass::default()).unwrap();
        let lengths = qkv::model::cost::Lengths {
            source: input.source.len(),
            target: input.target.as_ref().map_or(0, Vec::len),
            vocab: 0,
        };
        let heads = qkv::model::cost::heads_bytes(model.config(), lengths) as usize;
        assert!(heads > 0);
        assert_eq!(
            s.trace().stored_bytes(),
            fresh.stored_bytes() + heads,
            "after `{line}`"
        );
        assert_eq!(s.trace().kept_heads_bytes(None), heads, "after `{line}`");
        // The previous trace keeps no heads of its own: one set in the session.
        let previous = s.previous_trace().unwrap();
        assert_eq!(
            previous.kept_heads_bytes(Some(s.trace())),
            0,
            "after `{line}`"
        );
        for (a, b) in s.trace().steps().iter().zip(fresh.steps()) {
            let x: Vec<u32> = a.to_tensor().values().map(f32::to_bits).collect();
            let y: Vec<u32> = b.to_tensor().values().map(f32::to_bits).collect();
            assert_eq!(x, y, "after `{line}`: {}", a.name());
        }
    }
}

#[test]
fn hand_checks_toggle_scaling_and_mask() {
    let mut s = Session::open(std::path::Path::new("scenarios/scaling.yaml")).unwrap();
    let out = run(&mut s, "scale off");
    assert!(out.starts_with("scale off: recomputed;"), "{out}");
    let w = s.trace().get("weights").unwrap().matrix(None).unwrap();
    // softmax of [64, 32, 0]: e^−32 = 1.3e-14, effectively one-hot
    assert!(w[[0, 0]] > 0.999_999 && w[[0, 1]] < 1e-13, "{w}");
    let out = run(&mut s, "mask on");
    assert!(out.contains("mask causal: recomputed"), "{out}");
    assert_eq!(
        s.trace().get("masked").unwrap().value(&[0, 1]).unwrap(),
        f32::NEG_INFINITY
    );
    // explain reads the setting, not the numbers: with d_k = 1 scaling divides by √1 = 1.
    run(&mut s, "attend q=[5] k=[[2]] v=[[3]]");
    let e = run(&mut s, "explain scaled[0][0]");
    assert!(e.contains("÷ √d_k = √1 = 1"), "{e}");
    assert!(!e.contains("scaling off"), "{e}");
}

#[test]
fn attend_rejects_numbers_that_overflow() {
    let mut s = session();
    let err = fails(&mut s, "attend q=[1e39] k=[[1]] v=[[1]]");
    assert!(err.contains("does not fit in f32"), "{err}");
    let err = fails(&mut s, "attend q=[1e30] k=[[1e30]] v=[[1]]");
    assert!(err.contains("overflow f32"), "{err}");
    assert!(!s.is_hand_check());
}

#[test]
fn model_names_bring_the_model_back_after_attend() {
    let mut s = session();
    run(&mut s, "attend q=[1] k=[[1]] v=[[1]]");
    assert!(s.is_hand_check());
    let out = run(&mut s, "show enc.0.attn.weights[0]");
    assert!(out.contains("enc.0.attn.weights[0]  (3 × 3)"), "{out}");
    assert!(!s.is_hand_check());
}

#[test]
fn ranges_in_errors_read_as_words_and_concat_names_every_head() {
    let mut s = session();
    let err = fails(&mut s, "layer 7");
    assert!(err.contains("layers 0 or 1"), "{err}");
    assert!(!err.contains("0..2"), "{err}");
    run(&mut s, "show enc.0.attn.concat");
    let step = s.trace().get("enc.0.attn.concat").unwrap();
    assert_eq!(step.formula(), "concat = [head_out_0 | head_out_1]");
}

#[test]
fn practice_asks_grades_scores_and_stops() {
    let mut s = Session::open(std::path::Path::new("scenarios/practice-softmax.yaml")).unwrap();
    let q = run(&mut s, "practice");
    assert!(q.contains("question 1 of 2: compute scaled[0]"), "{q}");
    assert!(q.contains("hint: The dot products are 4, 2 and 0"), "{q}");
    // The wrong count changes nothing.
    let e = fails(&mut s, "answer 2 1");
    assert_eq!(e, "scaled[0] asks for 3 numbers, but 2 were given");
    // scaled = [4, 2, 0] ÷ 2 = [2, 1, 0]; a bare line of numbers is the answer.
    let t = run(&mut s, "2, 1, 0");
    assert!(t.starts_with("right\n"), "{t}");
    assert!(t.contains("question 2 of 2: compute weights[0]"), "{t}");
    assert_eq!(s.score().to_string(), "3/3");
    // Weights [0.6652, 0.2447, 0.0900]; the first number not normalised: e^0 = 1.
    let t = run(&mut s, "answer 1 0.2447 0.09");
    assert!(t.contains("forgot to normalise"), "{t}");
    assert!(
        t.contains("practice done: 5 right of 6 (session score 5/6)"),
        "{t}"
    );
    assert!(s.practice().is_none());
    assert_eq!(s.last_grading().unwrap().highlight(), Some("Σ"));
    // A new practice keeps the session score; stopping reports it.
    run(&mut s, "practice weights[0][1]");
    let t = run(&mut s, "practice stop");
    assert!(t.contains("session score 5/6"), "{t}");
    let e = fails(&mut s, "answer 1");
    assert!(e.contains("no practice question is open"), "{e}");
}

#[test]
fn practice_without_items_draws_a_seeded_cell_of_the_current_step() {
    let mut a = session();
    let mut b = session();
    let qa = run(&mut a, "practice");
    let qb = run(&mut b, "practice");
    assert_eq!(qa, qb, "the same seed draws the same cell");
    let step = a.cursor().step.clone();
    assert!(qa.contains(&format!("compute {step}[")), "{qa}");
    // A whole step is refused with the address rules.
    let e = fails(&mut a, "practice enc.0.attn.weights");
    assert!(e.contains("practice asks for one cell or one row"), "{e}");
}

/// `toggle` flips what is set now (the session decides, not the front end); the outcome says
/// whether the trace is a new one and whether the panes show what was asked.
#[test]
fn toggles_and_outcome_flags() {
    let mut s = session();
    let scale0 = s.toggles().scale;
    let o = s.apply_line("toggle scale").unwrap();
    assert!(o.trace_changed && !o.shows_itself);
    assert_eq!(s.toggles().scale, !scale0);
    s.apply_line("toggle scale").unwrap();
    assert_eq!(s.toggles().scale, scale0);

    let norm0 = s.toggles().norm;
    s.apply_line("toggle norm").unwrap();
    assert_ne!(s.toggles().norm, norm0);
    let pe0 = s.toggles().pe;
    s.apply_line("toggle pe").unwrap();
    assert_eq!(s.toggles().pe, pe0.map(|p| !p));
    let mask0 = s.toggles().mask;
    s.apply_line("toggle mask").unwrap();
    assert_ne!(s.toggles().mask, mask0);

    let o = s.apply_line("next").unwrap();
    assert!(!o.trace_changed && o.shows_itself);
    let o = s.apply_line("help").unwrap();
    assert!(!o.trace_changed && !o.shows_itself);
    let o = s.apply_line("diff").unwrap();
    assert!(!o.trace_changed);

    // A hand-check has a mask and scaling but no positional encoding.
    run(&mut s, "load! scenarios/dot-product.yaml");
    let mask0 = s.toggles().mask;
    assert!(s.apply_line("toggle mask").unwrap().trace_changed);
    assert_ne!(s.toggles().mask, mask0);
    assert!(fails(&mut s, "toggle pe").contains("no positional encoding"));
    assert!(fails(&mut s, "toggle norm").contains("no LayerNorm"));
    assert!(fails(&mut s, "toggle heads").contains("mask, scale, pe or norm"));
}

/// The first decoder block's masked score of `<bos>` for the next token, head 0: −∞ while
/// the decoder's mask is on.
fn masked(s: &Session) -> f32 {
    s.trace()
        .step("dec.0.self_attn.masked")
        .unwrap()
        .value(&[0, 0, 1])
        .unwrap()
}

/// On the shipped trained model (a checkpoint), switching the decoder's mask off and on
/// again restores it: the scenario writes `dec_mask` only when it is off, and the rerun read
/// the missing field as "keep the current one" (the mask stayed off, `0 of 100 steps
/// changed`).
#[test]
fn the_decoder_mask_comes_back_on_a_trained_model() {
    let mut s = Session::default_scenario().unwrap();
    assert_eq!(masked(&s), f32::NEG_INFINITY);
    s.apply_line("set model.dec_mask none").unwrap();
    assert!(masked(&s).is_finite());
    let back = s.apply_line("set model.dec_mask causal").unwrap();
    assert_eq!(masked(&s), f32::NEG_INFINITY, "{}", back.status);
    assert_eq!(
        s.model().unwrap().config().dec_mask,
        qkv::model::MaskKind::Causal
    );
}

/// A model trained with the decoder's mask off (`qkv train --dec-mask none`): a scenario that
/// leaves `dec_mask` to the checkpoint keeps it off through a new sentence, `set
/// model.dec_mask causal` switches it on, and the saved scenario reopens with it on.
#[test]
fn a_checkpoint_without_the_decoder_mask_keeps_it_off_until_switched() {
    use qkv::model::MaskKind;
    let dir = tempfile::tempdir().unwrap();
    let mut m = qkv::learn::checkpoint::shipped().unwrap();
    let mut c = m.config().clone();
    c.dec_mask = MaskKind::None;
    m.set_config(c.validate().unwrap()).unwrap();
    let ckpt = dir.path().join("unmasked.safetensors");
    qkv::learn::checkpoint::save(&m, &ckpt, qkv::atomic::Existing::Refuse).unwrap();
    let yaml = std::fs::read_to_string("scenarios/default.yaml")
        .unwrap()
        .replace(
            "checkpoint: ko-en.safetensors",
            "checkpoint: unmasked.safetensors",
        );
    let path = dir.path().join("unmasked.yaml");
    std::fs::write(&path, yaml).unwrap();
    let mut s = Session::open(&path).unwrap();
    let dec_mask = |s: &Session| s.model().unwrap().config().dec_mask;
    assert_eq!(
        (dec_mask(&s), masked(&s).is_finite()),
        (MaskKind::None, true)
    );
    run(&mut s, "text 나는 학교에 간다 간다");
    assert_eq!(
        (dec_mask(&s), masked(&s).is_finite()),
        (MaskKind::None, true)
    );
    run(&mut s, "set model.dec_mask causal");
    assert_eq!(
        (dec_mask(&s), masked(&s)),
        (MaskKind::Causal, f32::NEG_INFINITY)
    );
    let saved = dir.path().join("saved.yaml");
    run(&mut s, &format!("save {}", saved.display()));
    let t = Session::open(&saved).unwrap();
    assert_eq!(
        (dec_mask(&t), masked(&t)),
        (MaskKind::Causal, f32::NEG_INFINITY)
    );
}
