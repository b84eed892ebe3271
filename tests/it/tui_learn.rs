//! The TUI's Learn view, Decode view and gradient toggle (issue 14): what each new message
//! does (without a terminal), and snapshots of the three views at 120×40 and 80×24.

use qkv::tui::app::{Mode, PromptKind, Screen, StatusKind};
use qkv::tui::message::{Edit, Message, from_event};
use qkv::tui::{App, update};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use crate::util::{SIZES, key, screen, send, trained, typed, untrained};

fn ctrl_c(app: &App) -> Option<Message> {
    from_event(
        app,
        &Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    )
}

#[test]
fn keys_of_the_new_views() {
    let mut a = untrained(120, 40);
    assert_eq!(key(&a, KeyCode::Char('d')), Some(Message::OpenDecode));
    assert_eq!(key(&a, KeyCode::Char('L')), Some(Message::OpenLearn));
    assert_eq!(key(&a, KeyCode::Char('g')), Some(Message::ToggleGrad));
    update(&mut a, Message::OpenLearn);
    assert_eq!(key(&a, KeyCode::Char(' ')), Some(Message::TrainToggle));
    assert_eq!(key(&a, KeyCode::Char('.')), Some(Message::TrainStep));
    assert_eq!(key(&a, KeyCode::Char('k')), Some(Message::Snapshot));
    assert_eq!(key(&a, KeyCode::Esc), Some(Message::Cancel));
    update(&mut a, Message::TrainToggle);
    // While training, Esc and Ctrl-C pause (the session is kept), they do not quit.
    assert_eq!(key(&a, KeyCode::Esc), Some(Message::TrainToggle));
    assert_eq!(ctrl_c(&a), Some(Message::TrainToggle));
    update(&mut a, Message::TrainToggle);
    assert_eq!(ctrl_c(&a), Some(Message::Quit));
    update(&mut a, Message::OpenDecode);
    assert_eq!(key(&a, KeyCode::Char('n')), Some(Message::NextStep));
    assert_eq!(key(&a, KeyCode::Char('p')), Some(Message::PrevStep));
    assert_eq!(key(&a, KeyCode::Char('f')), Some(Message::ForceToken));
}

/// After a new sentence, the Decode view decodes it (not the previous sentence's decoding).
#[test]
fn the_decode_view_follows_a_new_sentence() {
    let mut a = trained(120, 40);
    update(&mut a, Message::OpenDecode);
    send(&mut a, &[const { Message::NextStep }; 5]);
    assert_eq!(a.session().decoding().unwrap().output(), "I go to school");
    update(&mut a, Message::Cancel);
    update(&mut a, Message::EditSource);
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, "그는 어제 시장에 갔다");
    update(&mut a, Message::Submit);
    update(&mut a, Message::OpenDecode);
    assert_eq!(
        a.session().decoding().unwrap().text,
        "그는 어제 시장에 갔다"
    );
    send(&mut a, &[const { Message::NextStep }; 7]);
    assert_eq!(
        a.session().decoding().unwrap().output(),
        "he went to the market yesterday"
    );
}

#[test]
fn the_decode_view_steps_and_takes_the_students_token() {
    let mut a = trained(120, 40);
    update(&mut a, Message::OpenDecode);
    assert_eq!(a.screen(), Screen::Decode);
    send(&mut a, &[const { Message::NextStep }; 4]);
    assert_eq!(a.session().decoding().unwrap().output(), "I go to school");
    update(&mut a, Message::PrevStep);
    assert_eq!(a.session().decoding().unwrap().output(), "I go to");
    // f: replace the last token with one's own; decoding continues from it.
    update(&mut a, Message::ForceToken);
    assert!(matches!(
        a.mode(),
        Mode::Prompt {
            kind: PromptKind::ForceToken,
            ..
        }
    ));
    typed(&mut a, "home");
    update(&mut a, Message::Submit);
    let d = a.session().decoding().unwrap();
    assert_eq!(d.output(), "I go home", "{:?}", a.status());
    assert!(d.steps().last().unwrap().forced);
    // A token the model does not know: an error, and nothing changed.
    update(&mut a, Message::ForceToken);
    typed(&mut a, "xyzzy");
    update(&mut a, Message::Submit);
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
    assert_eq!(a.session().decoding().unwrap().output(), "I go home");
    // r starts again; Esc goes back to the workbench.
    update(&mut a, Message::Replay);
    assert!(a.session().decoding().unwrap().steps().is_empty());
    update(&mut a, Message::Cancel);
    assert_eq!(a.screen(), Screen::Workbench);
}

/// The Learn view's heatmap shows any attention block and head of the sentence: `{ }` the
/// block, `[ ]` the head.
#[test]
fn the_learn_view_heatmap_shows_any_block_and_head() {
    let mut a = untrained(120, 40);
    update(&mut a, Message::OpenLearn);
    let s = screen(&a);
    assert!(s.contains("dec.1.cross_attn.weights[0] · live"), "{s}");
    assert_eq!(key(&a, KeyCode::Char('}')), Some(Message::NextLayer));
    assert_eq!(key(&a, KeyCode::Char(']')), Some(Message::NextHead));
    // The first block after the last one is the encoder's first.
    update(&mut a, Message::NextLayer);
    let s = screen(&a);
    assert!(s.contains("enc.0.attn.weights[0] · live"), "{s}");
    update(&mut a, Message::NextHead);
    let s = screen(&a);
    assert!(s.contains("enc.0.attn.weights[1] · live"), "{s}");
    // Back one block: the last decoder layer's cross-attention again, head 0.
    update(&mut a, Message::PrevLayer);
    let s = screen(&a);
    assert!(s.contains("dec.1.cross_attn.weights[0] · live"), "{s}");
}

#[test]
fn the_learn_view_trains_between_frames_and_scrubs_snapshots() {
    let mut a = untrained(120, 40);
    update(&mut a, Message::OpenLearn);
    assert_eq!(a.screen(), Screen::Learn);
    assert_eq!(a.session().training().unwrap().steps_done(), 0);
    // A tick does nothing while paused.
    update(&mut a, Message::Tick);
    assert_eq!(a.session().training().unwrap().steps_done(), 0);
    update(&mut a, Message::TrainToggle);
    assert!(a.is_training());
    send(&mut a, &[Message::Tick, Message::Tick]);
    assert_eq!(a.session().training().unwrap().steps_done(), 2);
    update(&mut a, Message::TrainToggle);
    assert!(!a.is_training());
    update(&mut a, Message::TrainStep);
    assert_eq!(a.session().training().unwrap().steps_done(), 3);
    update(&mut a, Message::Snapshot);
    assert_eq!(a.session().training().unwrap().snapshots.len(), 2);
    // ← goes back through the snapshots, → forward to the live weights.
    update(&mut a, Message::Move(qkv::tui::message::Dir::Left));
    assert_eq!(a.session().training().unwrap().viewing, Some(1));
    update(&mut a, Message::Move(qkv::tui::message::Dir::Left));
    assert_eq!(a.session().training().unwrap().viewing, Some(0));
    update(&mut a, Message::Move(qkv::tui::message::Dir::Right));
    update(&mut a, Message::Move(qkv::tui::message::Dir::Right));
    assert_eq!(a.session().training().unwrap().viewing, None);
    // w saves the checkpoint.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("watch.safetensors");
    update(&mut a, Message::Save);
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, p.to_str().unwrap());
    update(&mut a, Message::Submit);
    assert!(p.exists(), "{:?}", a.status());
    // Esc: back to the workbench, the run kept.
    update(&mut a, Message::Cancel);
    assert_eq!(a.screen(), Screen::Workbench);
    update(&mut a, Message::OpenLearn);
    assert_eq!(a.session().training().unwrap().steps_done(), 3);
}

#[test]
fn the_gradient_toggle_follows_reruns() {
    let mut a = untrained(120, 40);
    update(&mut a, Message::ToggleGrad);
    assert!(a.grad_view());
    assert!(a.session().current_gradient().is_some());
    assert!(screen(&a).contains("↑ backward"));
    // A rerun: the gradients of the new trace are shown.
    update(&mut a, Message::ToggleScale);
    assert!(a.grad_view());
    assert!(a.session().current_gradient().is_some());
    update(&mut a, Message::ToggleGrad);
    assert!(!a.grad_view());
    assert!(screen(&a).contains("↓ forward"));
}

#[test]
fn learn_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = untrained(w, h);
        send(
            &mut a,
            &[
                Message::OpenLearn,
                Message::TrainStep,
                Message::TrainStep,
                Message::Snapshot,
            ],
        );
        insta::assert_snapshot!(format!("learn_view_{w}x{h}"), screen(&a));
    }
}

#[test]
fn decode_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = trained(w, h);
        send(&mut a, &[Message::OpenDecode]);
        send(&mut a, &[const { Message::NextStep }; 4]);
        insta::assert_snapshot!(format!("decode_view_{w}x{h}"), screen(&a));
    }
}

#[test]
fn gradient_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = untrained(w, h);
        send(&mut a, &[Message::ToggleGrad]);
        insta::assert_snapshot!(format!("gradient_view_{w}x{h}"), screen(&a));
    }
}

/// After one update the header and the status line give the same rate, the rate update 1
/// used: 0.5 · 32^−0.5 · min(1^−0.5, 1 · 100^−1.5) = 0.5 · 0.176777 · 0.001 = 0.0000884
/// (printed 0.000088); the header says which update's it is. The chart's title keeps the
/// schedule's 0.5 and is not cut off, at both sizes.
#[test]
fn the_learn_views_rate_is_one_rate_and_its_chart_title_is_whole() {
    for (w, h) in SIZES {
        let mut a = untrained(w, h);
        send(&mut a, &[Message::OpenLearn, Message::TrainStep]);
        let status = a.status().unwrap().text.clone();
        assert!(status.contains("rate 0.000088"), "{status}");
        let s = screen(&a);
        assert!(s.contains("rate 0.000088 (update 1)"), "{w}x{h}:\n{s}");
        assert!(!s.contains("0.000177"), "{w}x{h}:\n{s}");
        // The title in full where there is room, shorter where there is not; never cut.
        let title = if w >= 120 {
            " learning rate = 0.5·32^−0.5·min(s^−0.5, s·100^−1.5) "
        } else {
            " lr=0.5·32^−½·min(s^−½,s·100^−1.5) "
        };
        assert!(s.contains(title), "{w}x{h}:\n{s}");
    }
}

/// With ten snapshots and the eighth selected, the one-line list shows the selected one
/// (the others it has no room for are marked `…`).
#[test]
fn the_snapshot_list_scrolls_to_the_selected_snapshot() {
    for (w, h) in SIZES {
        let mut a = untrained(w, h);
        update(&mut a, Message::OpenLearn);
        for _ in 0..9 {
            send(&mut a, &[Message::TrainStep, Message::Snapshot]);
        }
        // Snapshots [0] (step 0) to [9] (step 9); ← three times from the live weights: [7].
        for _ in 0..3 {
            update(&mut a, Message::Move(qkv::tui::message::Dir::Left));
        }
        assert_eq!(a.session().training().unwrap().viewing, Some(7));
        let s = screen(&a);
        assert!(s.contains("[7] step 7"), "{w}x{h}:\n{s}");
        insta::assert_snapshot!(format!("learn_snapshots_scrolled_{w}x{h}"), s);
    }
}
