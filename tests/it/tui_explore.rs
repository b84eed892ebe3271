//! The explorer views (issue 15 items 2–4): `E` positional encoding, `S` scaling, `H` all
//! heads — their keys, what the keys change (without a terminal), Enter from the heads grid
//! into the workbench, and snapshots at 120×40 and 80×24.

use qkv::tui::app::Screen;
use qkv::tui::message::{Dir, Message};
use ratatui::crossterm::event::KeyCode;

use crate::util::{SIZES, key, screen, send, trained};

#[test]
fn keys_open_and_close_the_explorers() {
    let mut a = trained(120, 40);
    assert_eq!(key(&a, KeyCode::Char('E')), Some(Message::OpenPe));
    assert_eq!(key(&a, KeyCode::Char('S')), Some(Message::OpenScaling));
    assert_eq!(key(&a, KeyCode::Char('H')), Some(Message::OpenHeads));
    // lower-case s is still the scaling toggle of the workbench
    assert_eq!(key(&a, KeyCode::Char('s')), Some(Message::ToggleScale));
    send(&mut a, &[Message::OpenPe]);
    assert_eq!(a.screen(), Screen::Pe);
    // in the PE view, [ ] pick the pair, arrows p and k, S switches, E or Esc goes back
    assert_eq!(key(&a, KeyCode::Char(']')), Some(Message::NextHead));
    assert_eq!(key(&a, KeyCode::Char('E')), Some(Message::Cancel));
    assert_eq!(key(&a, KeyCode::Char('S')), Some(Message::OpenScaling));
    assert_eq!(key(&a, KeyCode::Esc), Some(Message::Cancel));
    send(&mut a, &[Message::OpenHeads]);
    assert_eq!(a.screen(), Screen::Heads);
    assert_eq!(key(&a, KeyCode::Enter), Some(Message::Activate));
    send(&mut a, &[Message::Cancel]);
    assert_eq!(a.screen(), Screen::Workbench);
}

#[test]
fn pe_keys_move_pair_p_and_k_within_range() {
    let mut a = trained(120, 40);
    send(&mut a, &[Message::OpenPe]);
    let e = a.explore();
    assert_eq!((e.pair, e.p, e.k), (0, 0, 1));
    send(
        &mut a,
        &[
            Message::NextHead,
            Message::Move(Dir::Right),
            Message::Move(Dir::Right),
            Message::Move(Dir::Up),
        ],
    );
    let e = a.explore();
    assert_eq!((e.pair, e.p, e.k), (1, 2, 2));
    // d_model 32 of the shipped model: 16 pairs, the last is 15
    send(&mut a, &vec![Message::NextHead; 40]);
    assert_eq!(a.explore().pair, 15);
    send(&mut a, &vec![Message::Move(Dir::Left); 5]);
    assert_eq!(a.explore().p, 0);
    let shown = screen(&a);
    assert!(shown.contains("p=0 k=2 i=15"), "{shown}");
}

#[test]
fn scaling_keys_walk_d_k() {
    let mut a = trained(120, 40);
    send(&mut a, &[Message::OpenScaling]);
    assert_eq!(a.explore().d_k(), 64);
    send(&mut a, &[Message::Move(Dir::Right)]);
    assert_eq!(a.explore().d_k(), 128);
    send(&mut a, &vec![Message::Move(Dir::Right); 10]);
    assert_eq!(a.explore().d_k(), 512);
    send(&mut a, &vec![Message::Move(Dir::Left); 20]);
    assert_eq!(a.explore().d_k(), 1);
    assert!(screen(&a).contains("d_k = 1"));
}

#[test]
fn enter_opens_the_head_in_the_workbench() {
    let mut a = trained(120, 40);
    send(&mut a, &[Message::OpenHeads]);
    // the grid starts on enc 0 head 0; → → ↓ is enc 1 head 2
    send(
        &mut a,
        &[
            Message::Move(Dir::Right),
            Message::Move(Dir::Right),
            Message::Move(Dir::Down),
            Message::Activate,
        ],
    );
    assert_eq!(a.screen(), Screen::Workbench);
    let c = a.session().cursor();
    assert_eq!(c.step, "enc.1.attn.weights");
    assert_eq!(c.head, 2);
    assert!(
        a.status()
            .unwrap()
            .text
            .starts_with("enc.1.attn.weights[2]: ")
    );
}

#[test]
fn pe_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = trained(w, h);
        send(
            &mut a,
            &[
                Message::OpenPe,
                Message::NextHead,
                Message::Move(Dir::Right),
                Message::Move(Dir::Right),
                Message::Move(Dir::Up),
            ],
        );
        insta::assert_snapshot!(format!("pe_view_{w}x{h}"), screen(&a));
    }
}

#[test]
fn scaling_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = trained(w, h);
        send(&mut a, &[Message::OpenScaling]);
        insta::assert_snapshot!(format!("scaling_view_{w}x{h}"), screen(&a));
    }
}

#[test]
fn heads_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = trained(w, h);
        send(&mut a, &[Message::OpenHeads, Message::Move(Dir::Down)]);
        insta::assert_snapshot!(format!("heads_view_{w}x{h}"), screen(&a));
    }
}

/// The logit lens (`W`) on the trained model: the note that it is a reading of intermediate
/// states, the decoder's sentence with the chosen position, a row per layer whose last row
/// is the model's own prediction (school after to, as `probs` has it), and `←`/`→` move
/// within the sentence.
#[test]
fn lens_view_snapshots() {
    for (w, h) in SIZES {
        let mut a = trained(w, h);
        send(&mut a, &[Message::OpenLens]);
        assert_eq!(a.screen(), Screen::Lens);
        // <bos> I go to school: position 3 (to), then one step past the end stays at 4.
        for _ in 0..3 {
            send(&mut a, &[Message::Move(Dir::Right)]);
        }
        assert_eq!(a.explore().lens_pos, 3);
        let text = screen(&a);
        assert!(text.contains("not what the model outputs"), "{text}");
        let t = a.lens().unwrap();
        let last = t.readings.last().unwrap();
        assert_eq!(t.vocab[last.top[3][0].0], "school");
        insta::assert_snapshot!(format!("lens_view_{w}x{h}"), text);
        send(
            &mut a,
            &[Message::Move(Dir::Right), Message::Move(Dir::Right)],
        );
        assert_eq!(a.explore().lens_pos, 4);
    }
}

/// A hand-check has no decoder: the lens view says so instead of a table.
#[test]
fn the_lens_of_a_hand_check_says_it_has_no_decoder() {
    let mut s = crate::util::session();
    crate::util::say(&mut s, "attend q=[1,0] k=[[1,0],[0,1]]");
    let mut a = qkv::tui::app::App::new(s, ratatui::layout::Size::new(120, 40));
    send(&mut a, &[Message::OpenLens]);
    assert!(screen(&a).contains("has none (an encoder-only model or a hand-check)"));
}
