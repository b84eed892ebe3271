//! The learning side of the session (issue 14): gradients of the current trace, the loss,
//! decoding step by step with the student's own tokens, training with snapshots, and
//! checkpoints — all through `Session::apply`, as the REPL and the TUI use it.

use std::time::Duration;

use qkv::command::{Command, LearnCommand};
use qkv::learn::backward;
use qkv::session::Session;

use crate::util::session;

/// The untrained session with the shipped model loaded by `checkpoint load`.
fn trained() -> Session {
    let mut s = session();
    s.apply_line("checkpoint load scenarios/ko-en.safetensors")
        .unwrap();
    s
}

#[test]
fn loss_prints_the_loss_and_the_targets_of_the_backward_pass() {
    let mut s = session();
    let out = s.apply_line("loss").unwrap().text;
    // The same numbers as the engine's backward pass on the session's own trace.
    let g = backward(s.model().unwrap(), s.trace(), 0.0).unwrap();
    let want = qkv::render::fmt_value(g.loss.value as f32, 4);
    assert!(out.contains(&format!("loss = {want}")), "{out}");
    // <bos> I go to school predicts I go to school <eos>.
    for t in ["I (", "go (", "to (", "school (", "<eos> ("] {
        assert!(out.contains(t), "{t} missing:\n{out}");
    }
    assert!(out.contains("over 5 predicted positions"), "{out}");
}

#[test]
fn gradients_are_kept_for_the_current_trace_and_dropped_on_a_rerun() {
    let mut s = session();
    assert!(s.gradients().is_none(), "computed on demand only");
    let out = s.apply_line("grad enc.0.attn.weights[0]").unwrap().text;
    assert!(out.contains("grad.enc.0.attn.weights[0]"), "{out}");
    assert!(out.contains("(3 × 3)  ∂weights_h"), "{out}");
    // explain grad.… gives the backward arithmetic of one cell and moves there.
    let e = s
        .apply_line("explain grad.enc.0.attn.scaled[0][1][2]")
        .unwrap()
        .text;
    assert!(e.contains("grad.enc.0.attn.scaled[0][1][2]"), "{e}");
    assert_eq!(s.cursor().step, "enc.0.attn.scaled");
    assert_eq!((s.cursor().row, s.cursor().col), (1, 2));
    let before = s.gradients().unwrap().loss.value;
    // `show grad.…` is the same view.
    let shown = s
        .apply_line("show grad.enc.0.attn.weights[0]")
        .unwrap()
        .text;
    assert_eq!(shown, out);
    // A weight's gradient.
    let e = s.apply_line("grad embed.E").unwrap().text;
    assert!(e.starts_with("∂loss/∂embed.E"), "{e}");
    // A rerun makes them stale; asking again computes those of the new trace.
    s.apply_line("text 너는 학교에 간다").unwrap();
    assert!(s.gradients().is_none(), "stale gradients must not be shown");
    s.apply_line("grad").unwrap();
    let after = s.gradients().unwrap().loss.value;
    assert_ne!(before, after);
    // The gradient of the step under the cursor.
    let cur = s.current_gradient().unwrap();
    assert_eq!(cur.name(), format!("grad.{}", s.cursor().step));
    assert_eq!(cur.dims(), s.current_step().unwrap().dims());
}

/// The trained model's gradients are about 1e-6: `grad` and `show grad.…` print them in
/// scientific notation (as the TUI does), not as a matrix of 0.0000; forward steps keep
/// their fixed decimals.
#[test]
fn tiny_gradients_are_printed_as_exponents() {
    let mut s = trained();
    let out = s.apply_line("grad enc.0.attn.weights[0]").unwrap().text;
    let g = s.gradients().unwrap();
    let m = g
        .trace
        .step("grad.enc.0.attn.weights")
        .unwrap()
        .matrix(Some(0))
        .unwrap()
        .into_owned();
    assert!(m.iter().all(|v| *v != 0.0 && v.abs() < 5e-5), "{m}");
    for v in &m {
        // Three significant digits: 1.22e−6.
        let want = qkv::number::fmt_value(*v, 4);
        assert!(want.contains("e−"), "{want}");
        assert!(out.contains(&want), "{want} missing:\n{out}");
    }
    assert!(!out.contains("0.0000"), "{out}");
    let shown = s
        .apply_line("show grad.enc.0.attn.weights[0]")
        .unwrap()
        .text;
    assert!(out.ends_with(&shown), "{shown}\n{out}");
    let cell = s
        .apply_line("grad enc.0.attn.weights[0][1][2]")
        .unwrap()
        .text;
    let want = qkv::number::fmt_value(m[[1, 2]], 4);
    assert!(cell.contains(&format!("= {want}")), "{cell}");
    // A weight's gradient too; a forward step keeps its decimals.
    let e = s.apply_line("grad embed.E").unwrap().text;
    assert!(e.contains("e−"), "{e}");
    let w = s.apply_line("show enc.0.attn.weights[0]").unwrap().text;
    assert!(!w.contains("e−") && w.contains("0.4479"), "{w}");
}

#[test]
fn the_header_says_where_the_weights_come_from() {
    let s = session();
    assert_eq!(s.provenance(), "untrained (random weights, seed 42)");
    let t = trained();
    assert_eq!(
        t.provenance(),
        "trained (1000 updates) · scenarios/ko-en.safetensors"
    );
    let d = Session::default_scenario().unwrap();
    assert_eq!(d.provenance(), "trained (1000 updates) · ko-en.safetensors");
}

#[test]
fn translate_on_the_trained_model_says_i_go_to_school() {
    let mut s = trained();
    let o = s.apply_line("translate 나는 학교에 간다").unwrap();
    assert!(
        o.text
            .contains("output: I go to school  (ended with <eos>)"),
        "{}",
        o.text
    );
    assert!(o.text.contains("[encoder K/V reused]"), "{}", o.text);
    assert_eq!(o.status, "output: I go to school");
    // generate needs a decoder-only model, and says so.
    let e = s.apply_line("generate I go").unwrap_err().to_string();
    assert!(e.contains("use `translate`"), "{e}");
}

#[test]
fn decoding_step_by_step_with_a_token_of_ones_own() {
    let mut s = trained();
    s.apply_line("decode").unwrap();
    for _ in 0..4 {
        s.apply_line("decode next").unwrap();
    }
    let d = s.decoding().unwrap();
    assert_eq!(d.output(), "I go to school");
    assert_eq!(d.cross.len(), 4);
    // One row over the 3 source tokens per head, each a distribution.
    let heads = s.config().unwrap().heads;
    let row = d.cross.last().unwrap();
    assert_eq!(row.len(), heads);
    for r in row {
        assert_eq!(r.len(), 3);
        assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    // What if it had said `home`?
    s.apply_line("decode back").unwrap();
    let o = s.apply_line("decode force home").unwrap();
    assert!(o.status.contains("home"), "{}", o.status);
    let d = s.decoding().unwrap();
    assert!(d.steps().last().unwrap().forced);
    assert_eq!(d.output(), "I go to home");
    // A word the model does not know is refused, nothing changes.
    let e = s
        .apply_line("decode force 바나나맛")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not in the model's vocabulary"), "{e}");
    assert_eq!(s.decoding().unwrap().steps().len(), 4);
    // Decoding continues from it.
    s.apply_line("decode next").unwrap();
    assert_eq!(s.decoding().unwrap().steps().len(), 5);
}

#[test]
fn sampling_is_seeded_and_shows_its_formula() {
    let run = || {
        let mut s = trained();
        let o = s.apply_line("sample 2.0 3 7").unwrap();
        assert!(o.text.contains("p_i = e^(logit_i / 2)"), "{}", o.text);
        s.apply_line("translate 나는 학교에 간다").unwrap().text
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b, "same seed, same draws");
    assert!(a.contains("sampling p_i"), "{a}");
}

#[test]
fn training_moves_the_loss_and_keeps_snapshots() {
    let mut s = session();
    let o = s.apply_line("train 3").unwrap();
    assert!(
        o.text.starts_with("trained 3 updates: step 3, loss ")
            && o.text
                .contains(" · corpus the built-in copy of data/ko-en.tsv"),
        "{}",
        o.text
    );
    let t = s.training().unwrap();
    assert_eq!(t.steps_done(), 3);
    let losses = t.losses();
    assert_eq!(losses.len(), 3);
    assert!(losses.iter().all(|(_, l)| l.is_finite()));
    assert!(losses[0].1 != losses[2].1, "the loss moves: {losses:?}");
    // Step 0 was kept when the run started; keep step 3 too and look back at step 0.
    s.apply_line("train snapshot").unwrap();
    let t = s.training().unwrap();
    assert_eq!(
        t.snapshots.iter().map(|x| x.step).collect::<Vec<_>>(),
        [0, 3]
    );
    let live = t.probe_step().unwrap().matrix(Some(0)).unwrap().to_owned();
    s.apply_line("train view 0").unwrap();
    let t = s.training().unwrap();
    let old = t.probe_step().unwrap().matrix(Some(0)).unwrap().to_owned();
    assert_ne!(live, old, "the weights of step 0 give other attention");
    assert!(s.apply_line("train view 9").is_err());
    // The decoder uses the model the session studies: the snapshot viewed.
    let o = s.apply_line("translate 나는 학교에 간다").unwrap();
    assert!(
        o.text.contains(
            "model: snapshot 0 of the run trained here: 0 updates from random weights (seed 42)"
        ),
        "{}",
        o.text
    );
}

#[test]
fn ctrl_c_stops_a_training_run_between_updates_and_keeps_the_session() {
    let mut s = session();
    let control = s.control();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        control.request();
    });
    let o = s
        .apply(Command::Learn(LearnCommand::Train(100_000)))
        .unwrap();
    t.join().unwrap();
    assert!(o.text.contains("(stopped by Ctrl-C)"), "{}", o.text);
    let done = s.training().unwrap().steps_done();
    assert!(done < 100_000);
    // The session goes on.
    s.apply_line("train 1").unwrap();
    assert_eq!(s.training().unwrap().steps_done(), done + 1);
}

#[test]
fn a_saved_checkpoint_loads_back_as_a_trained_model() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.safetensors");
    let mut s = session();
    // The session's own model has no fixed vocabulary: it cannot be saved as a checkpoint.
    let e = s
        .apply_line(&format!("checkpoint save {}", p.display()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no fixed vocabulary"), "{e}");
    s.apply_line("train 1").unwrap();
    s.apply_line(&format!("checkpoint save {}", p.display()))
        .unwrap();
    // Never overwritten silently.
    let e = s
        .apply_line(&format!("checkpoint save {}", p.display()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("checkpoint save!"), "{e}");
    s.apply_line(&format!("checkpoint load {}", p.display()))
        .unwrap();
    assert_eq!(
        s.provenance(),
        format!("trained (1 update) · {}", p.display())
    );
    assert_eq!(s.config().unwrap().d_model, 32);
    assert!(
        s.previous_trace().is_some(),
        "the old trace is kept for the diff"
    );
    let e = s
        .apply_line("checkpoint load /nonexistent/x.safetensors")
        .unwrap_err()
        .to_string();
    assert!(e.contains("x.safetensors"), "{e}");
}

/// On the trained model the loss of the article's sentence is tiny, and so is every
/// gradient: `grad` says why and where they are large; on random weights it does not.
#[test]
fn grad_says_why_a_fitted_models_gradients_are_tiny() {
    let mut s = Session::default_scenario().unwrap();
    let o = s.apply_line("grad enc.0.attn.W_Q").unwrap();
    let g = backward(s.model().unwrap(), s.trace(), 0.0).unwrap();
    assert!(g.loss.value < 1e-3, "the shipped model fits its sentence");
    let loss = qkv::number::fmt_value_f64(g.loss.value, 4);
    assert!(
        o.text.contains(&format!(
            "the loss is {loss}: the model already gives each target p ≈ 1"
        )),
        "{}",
        o.text
    );
    assert!(o.text.contains("scenarios/untrained.yaml"), "{}", o.text);
    assert!(o.status.contains("all tiny"), "{}", o.status);
    // Random weights: loss ≈ ln 102 ≈ 4.6 at each position, no such note.
    let mut u = session();
    let o = u.apply_line("grad enc.0.attn.W_Q").unwrap();
    assert!(!o.text.contains("the loss is"), "{}", o.text);
    assert!(!o.status.contains("all tiny"), "{}", o.status);
}

/// Sampling with a temperature where the model's distribution is one-hot (the trained model
/// on its own sentence: p(top) = 1.0000 at every step) says why nothing changes; where the
/// model hesitates (3 updates from random weights) it says nothing.
#[test]
fn sampling_a_one_hot_distribution_says_why_nothing_changes() {
    let mut s = Session::default_scenario().unwrap();
    s.apply_line("sample 2.0 all 7").unwrap();
    let out = s.apply_line("translate 나는 학교에 간다").unwrap().text;
    assert!(out.contains("output: I go to school"), "{out}");
    assert!(
        out.contains("p(top) = 1.0000 at steps 1, 2, 3, 4, 5: the model's distribution is one-hot there, and a temperature cannot change a one-hot distribution"),
        "{out}"
    );
    // Step by step, each step says it.
    s.apply_line("decode").unwrap();
    let one = s.apply_line("decode next").unwrap().text;
    assert!(one.contains("p(top) = 1.0000 at step 1:"), "{one}");
    // The model being trained is far from one-hot after 3 updates.
    s.apply_line("train 3").unwrap();
    let out = s.apply_line("translate 나는 학교에 간다").unwrap().text;
    assert!(!out.contains("one-hot"), "{out}");
}
