//! Training changes what the session studies: after `train N` (or `train view`) every
//! command reads the one model the run shows, the trace is recomputed on it, and the header
//! and the REPL's prompt say which model it is; `train reset` goes back.

use qkv::learn::backward;
use qkv::model::{Input, Param, Transformer};
use qkv::render::fmt_value;
use qkv::session::Session;
use qkv::tui::message::Message;
use qkv::tui::{App, update};
use ratatui::layout::Size;

use crate::util::{say, screen};

const TEXT: &str = "나는 학교에 간다";
const TARGET: &str = "<bos> I go to school";

/// `W_Q[0][0]` of the first encoder block of `m` (head 0's `[0][0]`: `W_Q[0][0][0]`).
fn w_q00(m: &Transformer) -> f32 {
    match m.weights().lookup("enc.0.attn.W_Q").unwrap() {
        Param::Matrix(w) => w[[0, 0]],
        Param::Vector(_) => unreachable!("W_Q is a matrix"),
    }
}

/// The loss of the article's sentence on `m`, as `loss` prints it (4 decimals).
fn loss_on(m: &Transformer) -> String {
    let input = Input::new(m.config(), TEXT, Some(TARGET)).unwrap();
    let trace = m.forward(&input, qkv::model::Pass::default()).unwrap();
    let g = backward(m, &trace, 0.0).unwrap();
    fmt_value(g.loss.value as f32, 4)
}

#[test]
fn after_training_every_command_reads_the_weights_trained_here() {
    let mut s = Session::default_scenario().unwrap();
    let shipped = s.model().unwrap().clone();
    let shipped_show = say(&mut s, "show enc.0.attn.W_Q[0][0][0]");
    assert_eq!(
        shipped_show.trim(),
        format!(
            "enc.0.attn.W_Q[0][0][0] = {}",
            fmt_value(w_q00(&shipped), 4)
        )
    );
    // The shipped model's loss on its own sentence is tiny (2.9e-6).
    let shipped_loss = say(&mut s, "loss");
    assert!(shipped_loss.contains(&format!("loss = {}", loss_on(&shipped))));

    let out = say(&mut s, "train 3");
    assert!(
        out.contains("the session studies these weights now"),
        "{out}"
    );
    let t = s.training().unwrap();
    let run = t.model().clone();
    let (step, run_loss) = *t.losses().last().unwrap();
    assert_eq!(step, 3);

    // One model: the session's is the run's (not the shipped one), and the trace is its.
    assert_eq!(w_q00(s.model().unwrap()), w_q00(&run));
    assert_ne!(w_q00(&run), w_q00(&shipped));
    let input = Input::new(run.config(), TEXT, Some(TARGET)).unwrap();
    let fresh = run.forward(&input, qkv::model::Pass::default()).unwrap();
    assert_eq!(
        s.trace().get("logits").unwrap().matrix(None).unwrap(),
        fresh.get("logits").unwrap().matrix(None).unwrap(),
        "the trace was recomputed on the trained weights"
    );

    // show: the trained weight, not the shipped one.
    let shown = say(&mut s, "show enc.0.attn.W_Q[0][0][0]");
    assert_eq!(
        shown.trim(),
        format!("enc.0.attn.W_Q[0][0][0] = {}", fmt_value(w_q00(&run), 4))
    );
    assert_ne!(shown, shipped_show);
    // loss: the sentence on the trained weights (about ln 102 ≈ 4.6 after 3 updates from
    // random weights, not the shipped 2.9e-6), and beside it the run's own loss of update 3.
    let loss = say(&mut s, "loss");
    let want = loss_on(&run);
    assert!(loss.contains(&format!("loss = {want}")), "{loss}");
    assert!(
        !loss.contains(&format!("loss = {}", loss_on(&shipped))),
        "{loss}"
    );
    assert!(
        loss.contains(&format!(
            "the training run's update 3 had loss {}",
            qkv::number::fmt_value_f64(run_loss, 4)
        )),
        "{loss}"
    );
    // grad: the gradients of this trace (its loss in the heading).
    let grad = say(&mut s, "grad enc.0.attn.W_Q");
    assert!(grad.contains(&want), "{grad}");
    // translate names the model it used: the header's words.
    let tr = say(&mut s, &format!("translate {TEXT}"));
    assert!(
        tr.contains("model: trained here: 3 updates from random weights (seed 42)"),
        "{tr}"
    );

    // The header and the REPL's prompt say which model it is.
    assert_eq!(
        s.provenance(),
        "trained here: 3 updates from random weights (seed 42)"
    );
    assert_eq!(qkv::repl::prompt(&s), "qkv [trained here 3]> ");
    s.set_lang(qkv::i18n::Lang::Ko);
    assert_eq!(
        s.provenance(),
        "이 세션에서 학습함: 무작위 가중치(시드 42)에서 3번 갱신"
    );
    assert_eq!(qkv::repl::prompt(&s), "qkv [여기서 3번 학습]> ");
    s.set_lang(qkv::i18n::Lang::En);

    // A snapshot is a model too: step 0 (the random start).
    say(&mut s, "train view 0");
    assert_eq!(
        s.provenance(),
        "snapshot 0 of the run trained here: 0 updates from random weights (seed 42)"
    );
    assert_eq!(qkv::repl::prompt(&s), "qkv [snapshot 0, 0 updates]> ");
    let snap = s.training().unwrap().snapshots[0].step;
    assert_eq!(snap, 0);
    assert_ne!(w_q00(s.model().unwrap()), w_q00(&run));
    say(&mut s, "train view live");
    assert_eq!(w_q00(s.model().unwrap()), w_q00(&run));

    // `save` would write a scenario that names no file of these weights: refused.
    let dir = tempfile::tempdir().unwrap();
    let e = s
        .apply_line(&format!("save {}", dir.path().join("a.yaml").display()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("weights trained here are in no file"), "{e}");
    // `checkpoint save` writes the model studied; loaded back, it gives the same trace.
    let ck = dir.path().join("m.safetensors");
    say(&mut s, &format!("checkpoint save {}", ck.display()));
    let mut back = Session::default_scenario().unwrap();
    say(&mut back, &format!("checkpoint load {}", ck.display()));
    assert_eq!(
        back.trace().get("logits").unwrap().matrix(None).unwrap(),
        s.trace().get("logits").unwrap().matrix(None).unwrap()
    );

    // `train reset` goes back to the shipped model.
    let out = say(&mut s, "train reset");
    assert!(
        out.contains("the session studies the scenario's model again: trained (1000 updates) · ko-en.safetensors"),
        "{out}"
    );
    assert_eq!(say(&mut s, "show enc.0.attn.W_Q[0][0][0]"), shipped_show);
    assert_eq!(say(&mut s, "loss"), shipped_loss);
    assert_eq!(qkv::repl::prompt(&s), "qkv> ");
}

#[test]
fn the_workbench_header_names_the_weights_trained_in_the_learn_view() {
    let mut a = App::new(Session::default_scenario().unwrap(), Size::new(120, 40));
    assert!(screen(&a).contains("trained (1000 updates)"));
    update(&mut a, Message::OpenLearn);
    // Opening the Learn view changes nothing yet (step 0).
    assert_eq!(
        a.session().provenance(),
        "trained (1000 updates) · ko-en.safetensors"
    );
    update(&mut a, Message::TrainStep);
    update(&mut a, Message::TrainStep);
    update(&mut a, Message::Cancel);
    let text = screen(&a);
    assert!(
        text.contains("trained here: 2 updates from random weights (seed 42)"),
        "{text}"
    );
    // The workbench's matrix is the run's: its first attention weights are those of the
    // trace recomputed on the weights after 2 updates.
    let run = a.session().training().unwrap().model().clone();
    let fresh = run
        .forward(
            &Input::new(run.config(), TEXT, Some(TARGET)).unwrap(),
            qkv::model::Pass::default(),
        )
        .unwrap();
    assert_eq!(
        a.session()
            .trace()
            .get("enc.0.attn.weights")
            .unwrap()
            .matrix(Some(0))
            .unwrap(),
        fresh
            .get("enc.0.attn.weights")
            .unwrap()
            .matrix(Some(0))
            .unwrap()
    );
}

#[test]
fn the_korean_workbench_header_names_the_weights_trained_here() {
    let mut a = App::new(Session::default_scenario().unwrap(), Size::new(120, 40));
    a.set_lang(qkv::i18n::Lang::Ko);
    update(&mut a, Message::OpenLearn);
    update(&mut a, Message::TrainStep);
    update(&mut a, Message::Cancel);
    let text = screen(&a);
    assert!(
        text.contains("이 세션에서 학습함: 무작위 가중치(시드 42)에서 1번 갱신"),
        "{text}"
    );
}
