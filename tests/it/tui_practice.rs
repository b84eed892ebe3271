//! Practice in the TUI (`P`): the selected cell (its row on a softmax or LayerNorm step) is
//! hidden as `?`, the answer is typed in the status line, Enter grades it and the detail pane
//! shows the grading with the arithmetic and the blamed term; Esc leaves, keeping the score.

use qkv::tui::App;
use qkv::tui::message::Message;
use qkv::tui::view::style;
use ratatui::layout::Size;

use crate::util::{SIZES, buffer, screen, send, shipped, typing as typed};

/// The article's hand-check (q = [1, 2, 3], three keys); it opens on `weights`.
fn app_at(w: u16, h: u16, msgs: &[Message]) -> App {
    let mut a = App::new(shipped("practice-dot-product.yaml"), Size::new(w, h));
    send(&mut a, msgs);
    a
}

fn graded() -> Vec<Message> {
    // weights[0] = [0.9082, 0.0016, 0.0902]; 1 is e^0 never divided by Σ = 1.1011.
    let mut m = vec![Message::Practice];
    m.extend(typed("1 0.0016 0.0902"));
    m.push(Message::Submit);
    m
}

#[test]
fn practice_question_hides_the_row() {
    for (w, h) in SIZES {
        let a = app_at(w, h, &[Message::Practice]);
        let text = screen(&a);
        insta::assert_snapshot!(format!("practice_question_{w}x{h}"), text);
        // The row's three weights are hidden; the prompt asks for them.
        assert!(!text.contains("0.9082"), "{text}");
        assert!(text.contains("your answer:"), "{text}");
        assert!(text.contains('?'), "{text}");
    }
    let a = app_at(120, 40, &[Message::Practice]);
    let text = screen(&a);
    assert!(text.contains("practice 1 of 1"), "{text}");
    assert!(
        text.contains("x = masked[0] (q0) = [5.7735, −0.5774, 3.4641]"),
        "{text}"
    );
    assert_eq!(a.session().practice().unwrap().items.len(), 1);
}

#[test]
fn practice_graded_shows_the_mistake_and_the_arithmetic() {
    for (w, h) in SIZES {
        let a = app_at(w, h, &graded());
        insta::assert_snapshot!(format!("practice_graded_{w}x{h}"), screen(&a));
    }
    let a = app_at(120, 40, &graded());
    let text = screen(&a);
    assert!(
        text.contains("practice: wrong — 2 of 3 right · score 2/3"),
        "{text}"
    );
    assert!(text.contains("forgot to normalise"), "{text}");
    // The numbers are shown again, and the score is in the title.
    assert!(text.contains("0.9082"), "{text}");
    assert!(text.contains("practice 2/3"), "{text}");
    // The blamed term Σ is highlighted in the arithmetic.
    let buf = buffer(&a);
    let area = buf.area;
    let blamed = (0..area.height).any(|y| {
        (0..area.width).any(|x| {
            let c = &buf[(x, y)];
            c.symbol() == "Σ" && c.style().fg == style::BLAMED.fg
        })
    });
    assert!(blamed, "Σ is not highlighted:\n{text}");
}

#[test]
fn a_dot_product_cell_blames_the_product() {
    // weights → masked → scaled → scores (three steps back), then P on scores[0][0].
    let mut m = vec![Message::PrevStep, Message::PrevStep, Message::PrevStep];
    m.push(Message::Practice);
    let a = app_at(120, 40, &m);
    assert_eq!(a.session().cursor().step, "scores");
    let t = a.practice_hidden().unwrap();
    assert_eq!((t.row, t.cols.clone()), (0, vec![0]));
    // 2 + 2 − 6 = −2: the third product's sign.
    m.extend(typed("-2"));
    m.push(Message::Submit);
    let a = app_at(120, 40, &m);
    let text = screen(&a);
    assert!(text.contains("one product's sign went wrong"), "{text}");
    let g = a.session().last_grading().unwrap();
    assert_eq!(g.highlight(), Some("3×2"));
}

#[test]
fn esc_leaves_practice_and_keeps_the_score() {
    let mut m = graded();
    // Practise again, then leave with Esc at the prompt.
    m.push(Message::Practice);
    let a = app_at(80, 24, &m);
    assert!(a.session().practice().is_some());
    m.push(Message::Cancel);
    let a = app_at(80, 24, &m);
    assert!(a.session().practice().is_none());
    assert_eq!(a.session().score().to_string(), "2/3");
    let text = screen(&a);
    assert!(!text.contains("your answer:"), "{text}");
    assert!(text.contains("0.9082"), "the row is shown again:\n{text}");
}

#[test]
fn a_bad_answer_keeps_the_prompt_and_changes_nothing() {
    let mut m = vec![Message::Practice];
    m.extend(typed("0.9"));
    m.push(Message::Submit);
    let a = app_at(120, 40, &m);
    // Three numbers are asked: the prompt stays open with the text, nothing is graded.
    assert!(a.session().practice().is_some());
    assert_eq!(a.session().score().asked, 0);
    let text = screen(&a);
    assert!(
        text.contains("asks for 3 numbers, but 1 was given"),
        "{text}"
    );
    assert!(text.contains("your answer: 0.9"), "{text}");
}

#[test]
fn rendering_does_not_change_the_session() {
    let a = app_at(120, 40, &[Message::Practice]);
    let before = format!("{:?}", a.session().practice());
    let _ = screen(&a);
    let _ = screen(&a);
    assert_eq!(format!("{:?}", a.session().practice()), before);
    assert_eq!(a.session().score().asked, 0);
}

#[test]
fn the_command_prompt_starts_the_scenarios_questions() {
    let mut m = vec![Message::OpenPrompt];
    m.extend(typed("practice"));
    m.push(Message::Submit);
    let a = app_at(120, 40, &m);
    // Question 1 of 9 is scores[0][0]: the cursor goes there and the answer prompt opens.
    assert_eq!(a.session().cursor().step, "scores");
    let text = screen(&a);
    assert!(text.contains("practice 1 of 9"), "{text}");
    assert!(text.contains("your answer:"), "{text}");
    m.extend(typed("10"));
    m.push(Message::Submit);
    let a = app_at(120, 40, &m);
    let run = a.session().practice().unwrap();
    assert_eq!(run.pos, 1);
    assert_eq!(a.session().score().to_string(), "1/1");
    // The next question, and below it the grading of the answer just given.
    let text = screen(&a);
    assert!(text.contains("practice 2 of 9"), "{text}");
    assert!(text.contains("practice: right — 1 of 1 right"), "{text}");
}
