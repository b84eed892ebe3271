//! `update`: the effect of every `Message` on the app, without a terminal. The app is sized
//! by hand (`Message::Resize`), so clicks and scrolling are computed as on a real screen.

use qkv::command::Command;
use qkv::model::{MaskKind, Norm, Positional};
use qkv::scenario::io::parse_and_build;
use qkv::session::Session;
use qkv::tui::app::{Field, Mode, Pane, PromptKind, StatusKind};
use qkv::tui::layout::{self, Hit};
use qkv::tui::message::{Dir, Edit, Message, from_event};
use qkv::tui::tree::Node;
use qkv::tui::{App, update};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Rect, Size};

use crate::util::{send, typed, untrained};

fn app() -> App {
    untrained(120, 40)
}

fn app_on(yaml: &str, w: u16, h: u16) -> App {
    let (file, runnable) = parse_and_build(yaml, "test").unwrap();
    App::new(Session::from_runnable(file, runnable), Size::new(w, h))
}

fn step(app: &App) -> &str {
    &app.session().cursor().step
}

fn cell(app: &App) -> (usize, usize) {
    let c = app.session().cursor();
    (c.row, c.col)
}

fn status(app: &App) -> (StatusKind, String) {
    let s = app.status().expect("a status line");
    (s.kind, s.text.clone())
}

fn long_sentence(n: usize) -> String {
    (0..n)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn opens_on_the_first_attention_weights_with_the_matrix_focused() {
    let a = app();
    assert_eq!(step(&a), "enc.0.attn.weights");
    assert_eq!(a.focus(), Pane::Matrix);
    assert_eq!(*a.mode(), Mode::Normal);
    assert!(a.running());
    assert_eq!(*a.tree_selection(), Node::Step("enc.0.attn.weights".into()));
}

#[test]
fn arrows_move_the_cell_and_stop_at_the_edges() {
    let mut a = app();
    send(
        &mut a,
        &[Message::Move(Dir::Down), Message::Move(Dir::Right)],
    );
    assert_eq!(cell(&a), (1, 1));
    send(
        &mut a,
        &[
            Message::Move(Dir::Right),
            Message::Move(Dir::Right),
            Message::Move(Dir::Down),
            Message::Move(Dir::Down),
        ],
    );
    assert_eq!(cell(&a), (2, 2), "3 × 3: the cursor stops at the last cell");
    send(&mut a, &[Message::Move(Dir::Up), Message::Move(Dir::Left)]);
    assert_eq!(cell(&a), (1, 1));
    assert!(status(&a).1.contains("enc.0.attn.weights[0][1][1]"));
}

#[test]
fn first_and_last_go_to_the_ends_of_the_row() {
    let mut a = app();
    send(&mut a, &[Message::NextStep, Message::NextStep]); // head_out, n × d_k = 3 × 4
    assert_eq!(step(&a), "enc.0.attn.concat");
    update(&mut a, Message::Last);
    assert_eq!(cell(&a), (0, 7));
    update(&mut a, Message::First);
    assert_eq!(cell(&a), (0, 0));
}

#[test]
fn page_moves_by_a_screenful_and_the_window_follows_the_cursor() {
    let yaml = format!(
        "version: 1\nmodel: {{preset: tiny, arch: encoder}}\ninput: {{text: \"{}\"}}\n",
        long_sentence(60)
    );
    let mut a = app_on(&yaml, 80, 24);
    let area = Rect::new(0, 0, 80, 24);
    let areas = layout::areas(&a, area).unwrap();
    let g = layout::grid(&a, areas.matrix, a.scroll()).unwrap();
    let cap = g.row_capacity();
    assert!(cap < 60);
    update(&mut a, Message::Page(Dir::Down));
    assert_eq!(cell(&a).0, cap);
    // The window scrolled so that the cursor row is its last visible row.
    assert_eq!(a.scroll().row, 1);
    for _ in 0..=(60 / cap) {
        update(&mut a, Message::Page(Dir::Down));
    }
    assert_eq!(cell(&a).0, 59, "clamped to the last row");
    assert_eq!(a.scroll().row, 60 - cap);
    update(&mut a, Message::Page(Dir::Up));
    assert_eq!(cell(&a).0, 59 - cap);
    // Columns scroll too.
    update(&mut a, Message::Last);
    assert_eq!(cell(&a).1, 59);
    assert!(a.scroll().col > 0);
}

#[test]
fn tab_and_shift_tab_cycle_the_panes() {
    let mut a = app();
    update(&mut a, Message::FocusNext);
    assert_eq!(a.focus(), Pane::Detail);
    update(&mut a, Message::FocusNext);
    assert_eq!(a.focus(), Pane::Tree);
    update(&mut a, Message::FocusNext);
    assert_eq!(a.focus(), Pane::Matrix);
    update(&mut a, Message::FocusPrev);
    assert_eq!(a.focus(), Pane::Tree);
}

#[test]
fn brackets_switch_heads_and_wrap_around() {
    let mut a = app();
    update(&mut a, Message::NextHead);
    assert_eq!(a.session().cursor().head, 1);
    update(&mut a, Message::NextHead);
    assert_eq!(
        a.session().cursor().head,
        0,
        "2 heads: ] after the last goes to 0"
    );
    update(&mut a, Message::PrevHead);
    assert_eq!(a.session().cursor().head, 1);
}

#[test]
fn heads_on_a_step_without_heads_is_an_error_that_changes_nothing() {
    let mut a = app();
    send(&mut a, &[Message::NextStep, Message::NextStep]);
    assert_eq!(step(&a), "enc.0.attn.concat");
    let before = a.session().cursor().clone();
    update(&mut a, Message::NextHead);
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Error);
    assert!(text.contains("has no heads"), "{text}");
    assert_eq!(*a.session().cursor(), before);
}

#[test]
fn braces_move_between_layers_of_the_same_stack() {
    let mut a = app();
    update(&mut a, Message::NextLayer);
    assert_eq!(step(&a), "enc.1.attn.weights");
    update(&mut a, Message::NextLayer);
    assert_eq!(status(&a).0, StatusKind::Error, "the encoder has 2 layers");
    assert_eq!(step(&a), "enc.1.attn.weights");
    update(&mut a, Message::PrevLayer);
    assert_eq!(step(&a), "enc.0.attn.weights");
    update(&mut a, Message::PrevLayer);
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Error);
    assert!(text.contains("already at layer 0"), "{text}");
}

#[test]
fn n_and_p_walk_the_pipeline_and_the_tree_follows() {
    let mut a = app();
    update(&mut a, Message::NextStep);
    assert_eq!(step(&a), "enc.0.attn.head_out");
    assert_eq!(
        *a.tree_selection(),
        Node::Step("enc.0.attn.head_out".into())
    );
    update(&mut a, Message::PrevStep);
    update(&mut a, Message::PrevStep);
    assert_eq!(step(&a), "enc.0.attn.masked");
    // From the first step, p is an error.
    let mut b = app();
    for _ in 0..20 {
        update(&mut b, Message::PrevStep);
    }
    assert_eq!(step(&b), "embed.tokens");
    assert_eq!(status(&b).0, StatusKind::Error);
}

#[test]
fn walking_with_n_reaches_the_last_step() {
    let mut a = app();
    let n = a.session().trace().steps().len();
    for _ in 0..n {
        update(&mut a, Message::NextStep);
    }
    assert_eq!(step(&a), "probs");
}

#[test]
fn tree_navigation_opens_sections_and_enter_selects_a_step() {
    let mut a = app();
    update(&mut a, Message::FocusPrev);
    assert_eq!(a.focus(), Pane::Tree);
    // Left on a step goes to its section; Left again closes it.
    update(&mut a, Message::Move(Dir::Left));
    assert_eq!(*a.tree_selection(), Node::Section(1));
    assert!(a.is_open(1));
    update(&mut a, Message::Move(Dir::Left));
    assert!(!a.is_open(1));
    // Down to "Encoder layer 1", open it with Enter, go down to its first sublayer heading
    // and then its first step, Enter selects it.
    update(&mut a, Message::Move(Dir::Down));
    assert_eq!(*a.tree_selection(), Node::Section(2));
    update(&mut a, Message::Activate);
    assert!(a.is_open(2));
    update(&mut a, Message::Move(Dir::Down));
    assert_eq!(*a.tree_selection(), Node::Group(2, 0));
    update(&mut a, Message::Move(Dir::Down));
    assert_eq!(*a.tree_selection(), Node::Step("enc.1.attn.q".into()));
    update(&mut a, Message::Activate);
    assert_eq!(step(&a), "enc.1.attn.q");
    // Enter on a sublayer heading selects its first step.
    update(&mut a, Message::Move(Dir::Up));
    update(&mut a, Message::Activate);
    assert_eq!(step(&a), "enc.1.attn.q");
    // Right on a closed section opens it.
    update(&mut a, Message::First);
    assert_eq!(*a.tree_selection(), Node::Section(0));
    update(&mut a, Message::Move(Dir::Right));
    assert!(a.is_open(0));
    update(&mut a, Message::Last);
    assert_eq!(*a.tree_selection(), Node::Section(6));
}

#[test]
fn the_detail_pane_scrolls() {
    let mut a = app();
    update(&mut a, Message::FocusNext);
    assert_eq!(a.focus(), Pane::Detail);
    update(&mut a, Message::Move(Dir::Down));
    update(&mut a, Message::Move(Dir::Down));
    assert_eq!(a.scroll().detail, 2);
    update(&mut a, Message::Move(Dir::Up));
    assert_eq!(a.scroll().detail, 1);
    update(&mut a, Message::First);
    assert_eq!(a.scroll().detail, 0);
    update(&mut a, Message::Last);
    assert!(a.scroll().detail > 2);
}

#[test]
fn toggles_rerun_and_record_what_changed() {
    let mut a = app();
    let c = |a: &App| a.session().config().unwrap().clone();
    update(&mut a, Message::ToggleScale);
    assert!(!c(&a).scale);
    let d = a.changes().expect("a diff after the rerun");
    assert!(
        d.changed
            .iter()
            .any(|(n, x)| n == "enc.0.attn.scaled" && *x > 0.0)
    );
    assert!(status(&a).1.starts_with("scale off:"), "{:?}", status(&a));
    update(&mut a, Message::ToggleScale);
    assert!(c(&a).scale);

    update(&mut a, Message::ToggleMask);
    assert_eq!(c(&a).mask, MaskKind::Causal);
    let d = a.changes().unwrap();
    assert!(
        d.changed
            .iter()
            .any(|(n, x)| n == "enc.0.attn.weights" && *x > 0.0)
    );
    update(&mut a, Message::ToggleMask);
    assert_eq!(c(&a).mask, MaskKind::None);

    update(&mut a, Message::TogglePe);
    assert_eq!(c(&a).positional, Positional::None);
    update(&mut a, Message::ToggleNorm);
    assert_eq!(c(&a).norm, Norm::Pre);
    assert!(a.session().trace().get("final_norm").is_some());
    // The cursor stays on a step that exists.
    assert!(a.session().current_step().is_some());
    // Esc clears the highlight.
    update(&mut a, Message::Cancel);
    assert!(a.changes().is_none());
    assert!(a.status().is_none());
}

#[test]
fn editing_the_sentence_reruns_on_enter() {
    let mut a = app();
    update(&mut a, Message::EditSource);
    match a.mode() {
        Mode::Edit { field, line } => {
            assert_eq!(*field, Field::Source);
            assert_eq!(line.text(), "나는 학교에 간다");
            // 나는 학교에 간다: 2 + 1 + 3 + 1 + 2 = 9 characters of width 2, 2 spaces → 16.
            assert_eq!(line.cursor_column(), 16);
        }
        m => panic!("{m:?}"),
    }
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, "고양이가 매트 위에 앉았다");
    update(&mut a, Message::Edit(Edit::Left));
    match a.mode() {
        // 고양이가 매트 위에 앉았: 8 + 1 + 4 + 1 + 4 + 1 + 4 = 23 columns before the cursor.
        Mode::Edit { line, .. } => assert_eq!(line.cursor_column(), 23),
        m => panic!("{m:?}"),
    }
    update(&mut a, Message::Submit);
    assert_eq!(*a.mode(), Mode::Normal);
    assert_eq!(
        a.session().input().unwrap().source,
        ["고양이가", "매트", "위에", "앉았다"]
    );
    assert!(a.changes().is_some());
    assert!(a.session().is_dirty());
}

#[test]
fn line_editing_keys() {
    let mut a = app();
    update(&mut a, Message::EditSource);
    send(
        &mut a,
        &[
            Message::Edit(Edit::Home),
            Message::Edit(Edit::Delete),
            Message::Edit(Edit::Delete),
            Message::Edit(Edit::Insert("너는".into())),
            Message::Edit(Edit::End),
            Message::Edit(Edit::Backspace),
            Message::Edit(Edit::Backspace),
            Message::Edit(Edit::Insert("와\n".into())),
            Message::Edit(Edit::Left),
            Message::Edit(Edit::Right),
        ],
    );
    match a.mode() {
        Mode::Edit { line, .. } => {
            assert_eq!(
                line.text(),
                "너는 학교에 와 ",
                "a pasted line break is a space"
            );
            assert_eq!(line.cursor(), line.text().chars().count());
        }
        m => panic!("{m:?}"),
    }
}

#[test]
fn a_bad_sentence_shows_an_error_and_changes_nothing() {
    let mut a = app();
    let before = a.session().trace().clone();
    update(&mut a, Message::EditSource);
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, "   ");
    update(&mut a, Message::Submit);
    let (kind, _) = status(&a);
    assert_eq!(kind, StatusKind::Error);
    assert!(
        matches!(a.mode(), Mode::Edit { .. }),
        "the editor stays open"
    );
    assert_eq!(*a.session().trace(), before);
    update(&mut a, Message::Cancel);
    assert_eq!(*a.mode(), Mode::Normal);
    assert_eq!(a.session().input().unwrap().text, "나는 학교에 간다");
    assert!(!a.session().is_dirty());
}

#[test]
fn editing_the_target_of_an_encoder_decoder() {
    let mut a = app();
    update(&mut a, Message::EditTarget);
    match a.mode() {
        Mode::Edit { field, line } => {
            assert_eq!(*field, Field::Target);
            assert_eq!(line.text(), "<bos> I go to school");
        }
        m => panic!("{m:?}"),
    }
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, "<bos> I walk");
    update(&mut a, Message::Submit);
    assert_eq!(
        a.session().input().unwrap().target.as_deref().unwrap(),
        ["<bos>", "I", "walk"]
    );
    // An encoder has no target.
    let mut b = app_on(
        "version: 1\nmodel: {preset: tiny, arch: encoder}\ninput: {text: a b}\n",
        120,
        40,
    );
    update(&mut b, Message::EditTarget);
    assert_eq!(*b.mode(), Mode::Normal);
    assert_eq!(status(&b).0, StatusKind::Error);
}

#[test]
fn the_command_prompt_speaks_the_repl_language() {
    let mut a = app();
    update(&mut a, Message::OpenPrompt);
    assert!(matches!(
        a.mode(),
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        }
    ));
    typed(&mut a, "explain enc.0.attn.scores[1][2][0]");
    update(&mut a, Message::Submit);
    assert_eq!(step(&a), "enc.0.attn.scores");
    assert_eq!(a.session().cursor().head, 1);
    assert_eq!(cell(&a), (2, 0));
    // The explanation is in the detail pane already: no box.
    assert_eq!(*a.mode(), Mode::Normal);
    // Other multi-line output opens a box.
    update(&mut a, Message::OpenPrompt);
    typed(&mut a, "help");
    update(&mut a, Message::Submit);
    assert!(matches!(a.mode(), Mode::Output { .. }));
    update(&mut a, Message::Move(Dir::Down));
    match a.mode() {
        Mode::Output { scroll, .. } => assert_eq!(*scroll, 1),
        m => panic!("{m:?}"),
    }
    update(&mut a, Message::Cancel);
    assert_eq!(*a.mode(), Mode::Normal);
    // One-line output stays in the status line.
    update(&mut a, Message::OpenPrompt);
    typed(&mut a, "set model.heads 4");
    update(&mut a, Message::Submit);
    assert_eq!(a.session().config().unwrap().heads, 4);
    assert_eq!(*a.mode(), Mode::Normal);
    assert!(a.changes().is_some());
}

#[test]
fn the_prompt_recalls_earlier_lines() {
    let mut a = app();
    for line in ["head 1", "frobnicate", "head 0"] {
        update(&mut a, Message::OpenPrompt);
        typed(&mut a, line);
        update(&mut a, Message::Submit);
    }
    assert_eq!(a.history(), ["head 1", "frobnicate", "head 0"]);
    update(&mut a, Message::OpenPrompt);
    let shown = |a: &App| match a.mode() {
        Mode::Prompt { line, .. } => line.text().to_string(),
        m => panic!("{m:?}"),
    };
    update(&mut a, Message::Edit(Edit::Older));
    assert_eq!(shown(&a), "head 0");
    update(&mut a, Message::Edit(Edit::Older));
    update(&mut a, Message::Edit(Edit::Older));
    update(&mut a, Message::Edit(Edit::Older));
    assert_eq!(shown(&a), "head 1", "stops at the oldest");
    update(&mut a, Message::Edit(Edit::Newer));
    assert_eq!(shown(&a), "frobnicate");
    update(&mut a, Message::Edit(Edit::Newer));
    update(&mut a, Message::Edit(Edit::Newer));
    assert_eq!(shown(&a), "", "past the newest: a new line");
    // Up is history at the prompt and nothing in the sentence editor.
    assert_eq!(
        from_event(&a, &key(KeyCode::Up)),
        Some(Message::Edit(Edit::Older))
    );
    update(&mut a, Message::Cancel);
    update(&mut a, Message::EditSource);
    assert_eq!(from_event(&a, &key(KeyCode::Up)), None);
}

#[test]
fn a_bad_command_shows_an_error_and_changes_nothing() {
    let mut a = app();
    let before = (a.session().cursor().clone(), a.session().trace().clone());
    update(&mut a, Message::OpenPrompt);
    typed(&mut a, "frobnicate 3");
    update(&mut a, Message::Submit);
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Error);
    assert!(text.contains("unknown command \"frobnicate\""), "{text}");
    assert_eq!(*a.mode(), Mode::Normal);
    assert_eq!(
        (a.session().cursor().clone(), a.session().trace().clone()),
        before
    );
    // A valid command with a bad value, too.
    update(&mut a, Message::OpenPrompt);
    typed(&mut a, "set model.heads 3");
    update(&mut a, Message::Submit);
    assert_eq!(status(&a).0, StatusKind::Error);
    assert_eq!(a.session().config().unwrap().heads, 2);
    // Esc leaves the prompt without running anything.
    update(&mut a, Message::OpenPrompt);
    typed(&mut a, "scale off");
    update(&mut a, Message::Cancel);
    assert!(a.session().config().unwrap().scale);
}

#[test]
fn saving_asks_for_a_file_and_confirms_before_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.yaml");
    let mut a = app();
    update(&mut a, Message::ToggleScale);
    update(&mut a, Message::Save);
    match a.mode() {
        Mode::Prompt {
            kind: PromptKind::SavePath,
            line,
        } => {
            assert_eq!(line.text(), "qkv-session.yaml");
            assert!(line.is_suggested());
        }
        m => panic!("{m:?}"),
    }
    // The suggestion is replaced by what is typed (no need to clear it first).
    typed(&mut a, path.to_str().unwrap());
    match a.mode() {
        Mode::Prompt { line, .. } => assert_eq!(line.text(), path.to_str().unwrap()),
        m => panic!("{m:?}"),
    }
    update(&mut a, Message::Submit);
    assert!(path.exists());
    assert!(!a.session().is_dirty());
    assert!(status(&a).1.starts_with("saved "));

    // Another file that exists: asks, and n keeps it.
    let other = dir.path().join("other.yaml");
    std::fs::write(&other, "keep me").unwrap();
    update(&mut a, Message::Save);
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, other.to_str().unwrap());
    update(&mut a, Message::Submit);
    assert!(matches!(a.mode(), Mode::ConfirmOverwrite { .. }));
    assert_eq!(status(&a).0, StatusKind::Warning);
    update(&mut a, Message::Confirm(false));
    assert_eq!(*a.mode(), Mode::Normal);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me");
    // …and y overwrites.
    update(&mut a, Message::Save);
    update(&mut a, Message::Edit(Edit::Clear));
    typed(&mut a, other.to_str().unwrap());
    update(&mut a, Message::Submit);
    update(&mut a, Message::Confirm(true));
    assert_eq!(*a.mode(), Mode::Normal);
    assert!(
        std::fs::read_to_string(&other)
            .unwrap()
            .contains("version: 1")
    );
    // The saved scenario loads.
    let s = Session::open(&other).unwrap();
    assert!(!s.config().unwrap().scale);
    // An empty file name saves nothing.
    update(&mut a, Message::Save);
    update(&mut a, Message::Edit(Edit::Clear));
    update(&mut a, Message::Submit);
    assert_eq!(status(&a).0, StatusKind::Error);
}

#[test]
fn r_replays_the_tour_and_n_p_and_enter_step_through_it() {
    let mut a = app();
    update(&mut a, Message::Replay);
    // The scenario's description comes first; Enter starts the tour.
    assert!(matches!(a.mode(), Mode::About { tour: true, .. }));
    update(&mut a, Message::Activate);
    let t = a.session().tour().expect("a tour");
    assert_eq!(t.pos, 0);
    assert_eq!(step(&a), "embed.sum");
    update(&mut a, Message::NextStep);
    assert_eq!(a.session().tour().unwrap().pos, 1);
    assert_eq!(step(&a), "enc.0.attn.scores");
    assert_eq!(cell(&a), (1, 2));
    update(&mut a, Message::Activate);
    assert_eq!(a.session().tour().unwrap().pos, 2);
    update(&mut a, Message::PrevStep);
    assert_eq!(a.session().tour().unwrap().pos, 1);
    // Esc ends the tour where it is; n walks the pipeline again.
    update(&mut a, Message::Cancel);
    assert!(a.session().tour().is_none());
    assert_eq!(step(&a), "enc.0.attn.scores");
    update(&mut a, Message::NextStep);
    assert_eq!(step(&a), "enc.0.attn.scaled");
    // A scenario without a tour: an error.
    let mut b = app_on(
        "version: 1\nmodel: {preset: tiny, arch: encoder}\ninput: {text: a b}\n",
        120,
        40,
    );
    update(&mut b, Message::Replay);
    assert_eq!(status(&b).0, StatusKind::Error);
    assert!(b.session().tour().is_none());
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut a = app();
    update(&mut a, Message::Help);
    assert_eq!(*a.mode(), Mode::Help { scroll: 0 });
    update(&mut a, Message::Move(Dir::Down));
    assert_eq!(*a.mode(), Mode::Help { scroll: 1 });
    update(&mut a, Message::Move(Dir::Up));
    update(&mut a, Message::Move(Dir::Up));
    assert_eq!(*a.mode(), Mode::Help { scroll: 0 });
    // Keys of the normal mode do nothing while it is open.
    update(&mut a, Message::NextStep);
    assert_eq!(step(&a), "enc.0.attn.weights");
    update(&mut a, Message::Cancel);
    assert_eq!(*a.mode(), Mode::Normal);
}

#[test]
fn quit_leaves_at_once_without_changes() {
    let mut a = app();
    update(&mut a, Message::Quit);
    assert!(!a.running());
}

#[test]
fn quit_warns_once_about_unsaved_changes() {
    let mut a = app();
    update(&mut a, Message::ToggleScale);
    update(&mut a, Message::Quit);
    assert!(a.running());
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Warning);
    assert!(text.contains("unsaved changes"), "{text}");
    update(&mut a, Message::Quit);
    assert!(!a.running());
}

#[test]
fn clicks_select_cells_tree_lines_and_head_tabs() {
    let mut a = app();
    let area = Rect::new(0, 0, 120, 40);
    let areas = layout::areas(&a, area).unwrap();
    let g = layout::grid(&a, areas.matrix, a.scroll()).unwrap();
    // The cell in row 2, column 1.
    let (x, y) = (g.col_x(1) + 2, g.body.y + 2);
    assert_eq!(layout::hit(&a, x, y), Hit::Cell(2, 1));
    update(&mut a, Message::Click(x, y));
    assert_eq!(cell(&a), (2, 1));
    // The second head tab.
    let t = g.tabs.unwrap();
    let (off, _) = layout::tab_positions(2)[1];
    update(&mut a, Message::Click(t.x + off + 1, t.y));
    assert_eq!(a.session().cursor().head, 1);
    // A tree line: the first line under the "Encoder layer 0" section is its first
    // sublayer; the one after is its Q step.
    let tree = layout::inner(areas.tree);
    update(&mut a, Message::Click(tree.x + 3, tree.y + 3));
    assert_eq!(a.focus(), Pane::Tree);
    assert_eq!(step(&a), "enc.0.attn.q");
    // A section line opens or closes it.
    update(&mut a, Message::Click(tree.x + 1, tree.y));
    assert!(a.is_open(0));
    // The detail box takes the focus.
    update(
        &mut a,
        Message::Click(areas.detail.x + 2, areas.detail.y + 2),
    );
    assert_eq!(a.focus(), Pane::Detail);
}

#[test]
fn the_wheel_moves_in_the_pane_under_the_mouse() {
    let mut a = app();
    let areas = layout::areas(&a, Rect::new(0, 0, 120, 40)).unwrap();
    let m = layout::inner(areas.matrix);
    update(&mut a, Message::Wheel(m.x + 20, m.y + 3, true));
    assert_eq!(cell(&a), (1, 0));
    update(&mut a, Message::Wheel(m.x + 20, m.y + 3, false));
    assert_eq!(cell(&a), (0, 0));
    let d = layout::inner(areas.detail);
    update(&mut a, Message::Wheel(d.x + 2, d.y + 1, true));
    assert_eq!(a.focus(), Pane::Detail);
    assert_eq!(a.scroll().detail, 1);
}

#[test]
fn resize_changes_the_size_and_the_layout() {
    let mut a = app();
    update(&mut a, Message::Resize(80, 24));
    assert_eq!(a.size(), Size::new(80, 24));
    update(&mut a, Message::Resize(30, 10));
    assert!(layout::areas(&a, Rect::new(0, 0, 30, 10)).is_none());
    assert_eq!(layout::hit(&a, 5, 5), Hit::Nothing);
    // Keys still work on a too-small terminal.
    update(&mut a, Message::Quit);
    assert!(!a.running());
}

#[test]
fn messages_outside_their_mode_do_nothing() {
    let mut a = app();
    let before = a.session().cursor().clone();
    send(
        &mut a,
        &[
            Message::Edit(Edit::Insert("x".into())),
            Message::Submit,
            Message::Confirm(true),
        ],
    );
    assert_eq!(*a.session().cursor(), before);
    assert_eq!(*a.mode(), Mode::Normal);
}

#[test]
fn hand_check_sessions_have_no_sentence_or_toggles() {
    let mut a = app();
    let _ = a.session(); // the session only changes through update
    update(&mut a, Message::OpenPrompt);
    typed(
        &mut a,
        "attend q=[[1,2,3]] k=[[2,1,2],[0,1,-1],[1,1,1]] v=[[1,0],[0,1],[1,1]]",
    );
    update(&mut a, Message::Submit);
    assert!(a.session().is_hand_check());
    update(&mut a, Message::Cancel);
    update(&mut a, Message::EditSource);
    assert_eq!(*a.mode(), Mode::Normal);
    assert_eq!(status(&a).0, StatusKind::Error);
    assert_eq!(a.tree().sections[0].label, "Attention (hand-check)");
    update(&mut a, Message::NextStep);
    assert_eq!(step(&a), "scaled");
}

// ----- keys to messages -----------------------------------------------------------------

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

#[test]
fn keys_mean_what_the_mode_says() {
    let mut a = app();
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('q'))),
        Some(Message::Quit)
    );
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('j'))),
        Some(Message::Move(Dir::Down))
    );
    assert_eq!(
        from_event(&a, &key(KeyCode::Char(']'))),
        Some(Message::NextHead)
    );
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('{'))),
        Some(Message::PrevLayer)
    );
    assert_eq!(
        from_event(&a, &key(KeyCode::BackTab)),
        Some(Message::FocusPrev)
    );
    assert_eq!(
        from_event(
            &a,
            &Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
        ),
        Some(Message::Quit)
    );
    assert_eq!(
        from_event(&a, &Event::Resize(90, 30)),
        Some(Message::Resize(90, 30))
    );
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 7,
        row: 9,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(from_event(&a, &click), Some(Message::Click(7, 9)));
    // In the editor q is a letter and Korean text goes in as typed.
    update(&mut a, Message::EditSource);
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('q'))),
        Some(Message::Edit(Edit::Insert("q".into())))
    );
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('한'))),
        Some(Message::Edit(Edit::Insert("한".into())))
    );
    assert_eq!(
        from_event(&a, &Event::Paste("학교".into())),
        Some(Message::Edit(Edit::Insert("학교".into())))
    );
    assert_eq!(from_event(&a, &key(KeyCode::Enter)), Some(Message::Submit));
    assert_eq!(from_event(&a, &key(KeyCode::Esc)), Some(Message::Cancel));
    update(&mut a, Message::Cancel);
    // A question takes y and n.
    assert_eq!(from_event(&a, &Event::Paste("x".into())), None);
    update(&mut a, Message::Help);
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('q'))),
        Some(Message::Cancel)
    );
}

#[test]
fn every_key_in_the_help_reaches_a_message() {
    let a = app();
    for c in "hjkl[]{}npimseo:wr?q".chars() {
        assert!(from_event(&a, &key(KeyCode::Char(c))).is_some(), "{c}");
    }
    let _ = Command::Next; // the commands those keys send are the Session's
}

fn app_file(path: &str) -> App {
    App::new(
        Session::open(std::path::Path::new(path)).unwrap(),
        Size::new(120, 40),
    )
}

fn weight_at(app: &App, name: &str, idx: &[usize]) -> f32 {
    app.session().trace().get(name).unwrap().value(idx).unwrap()
}

#[test]
fn s_and_m_toggle_both_ways_on_a_hand_check() {
    // The article's own example: scores [10, −1, 6]; unscaled, softmax of [10, −1, 6]
    // gives weights[0][0] = 1 / (1 + e^−11 + e^−4) = 1 / 1.0183333 = 0.9819977.
    let mut a = app_file("scenarios/dot-product.yaml");
    assert!(a.session().toggles().scale);
    send(&mut a, &[Message::ToggleScale]);
    let (_, text) = status(&a);
    assert!(text.starts_with("scale off:"), "{text}");
    assert!(!a.session().toggles().scale);
    assert!((weight_at(&a, "weights", &[0, 0]) - 0.9819977).abs() < 1e-5);
    assert!(a.changes().is_some());
    send(&mut a, &[Message::ToggleScale]);
    assert!(status(&a).1.starts_with("scale on:"), "{}", status(&a).1);
    assert!((weight_at(&a, "weights", &[0, 0]) - 0.9082108).abs() < 1e-6);
    // m: causal on (one query row: nothing after key 0 is visible), then off again.
    send(&mut a, &[Message::ToggleMask]);
    assert!(status(&a).1.starts_with("mask causal:"), "{}", status(&a).1);
    assert_eq!(a.session().toggles().mask, MaskKind::Causal);
    send(&mut a, &[Message::ToggleMask]);
    assert!(status(&a).1.starts_with("mask none:"), "{}", status(&a).1);
    assert_eq!(a.session().toggles().mask, MaskKind::None);
}

#[test]
fn s_toggles_after_attend_too() {
    let mut a = app();
    send(&mut a, &[Message::OpenPrompt]);
    typed(
        &mut a,
        "attend q=[1,2,3] k=[[2,1,2],[0,1,-1],[1,1,1]] v=[[1,0],[0,1],[1,1]]",
    );
    send(&mut a, &[Message::Submit, Message::Cancel]);
    assert!(a.session().is_hand_check());
    send(&mut a, &[Message::ToggleScale]);
    assert!(status(&a).1.starts_with("scale off:"), "{}", status(&a).1);
    send(&mut a, &[Message::ToggleMask, Message::ToggleMask]);
    assert!(status(&a).1.starts_with("mask none:"), "{}", status(&a).1);
}

#[test]
fn m_switches_a_decoder_only_models_causal_mask_off_and_on_with_a_warning() {
    let mut a = app_file("scenarios/decoder-masking.yaml");
    let c = a.session().config().unwrap().clone();
    assert_eq!(c.mask_summary(), "mask causal");
    // Above the diagonal the weights are exactly 0 while the mask is on.
    assert_eq!(weight_at(&a, "dec.0.self_attn.weights", &[0, 0, 1]), 0.0);
    send(&mut a, &[Message::ToggleMask]);
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Info);
    assert!(text.starts_with("mask none:"), "{text}");
    assert!(!text.contains(" 0 of "), "{text}");
    assert!(text.contains("not how a decoder is trained"), "{text}");
    assert_eq!(a.session().config().unwrap().mask_summary(), "mask none");
    assert!(weight_at(&a, "dec.0.self_attn.weights", &[0, 0, 1]) > 0.0);
    send(&mut a, &[Message::ToggleMask]);
    assert!(status(&a).1.starts_with("mask causal:"), "{}", status(&a).1);
    assert_eq!(weight_at(&a, "dec.0.self_attn.weights", &[0, 0, 1]), 0.0);
}

#[test]
fn q_esc_q_asks_again_before_losing_unsaved_changes() {
    let mut a = app();
    send(
        &mut a,
        &[Message::ToggleScale, Message::Quit, Message::Cancel],
    );
    update(&mut a, Message::Quit);
    assert!(a.running(), "q, Esc, q must ask again");
    assert_eq!(status(&a).0, StatusKind::Warning);
    update(&mut a, Message::Quit);
    assert!(!a.running());
}

#[test]
fn load_with_unsaved_changes_needs_a_bang() {
    let mut a = app();
    send(&mut a, &[Message::ToggleScale]);
    send(&mut a, &[Message::OpenPrompt]);
    typed(&mut a, "load scenarios/dot-product.yaml");
    send(&mut a, &[Message::Submit]);
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Error);
    assert!(text.contains("unsaved changes would be lost"), "{text}");
    assert!(!a.session().is_hand_check());
    send(&mut a, &[Message::Cancel, Message::OpenPrompt]);
    typed(&mut a, "load! scenarios/dot-product.yaml");
    send(&mut a, &[Message::Submit]);
    assert!(a.session().is_hand_check());
}

#[test]
fn pane_keys_close_an_output_box_and_act() {
    let mut a = app();
    send(&mut a, &[Message::OpenPrompt]);
    typed(&mut a, "text 나는 집에 간다");
    send(&mut a, &[Message::Submit]);
    assert!(matches!(a.mode(), Mode::Output { .. }));
    let s = from_event(&a, &key(KeyCode::Char('s'))).unwrap();
    assert_eq!(s, Message::ToggleScale);
    update(&mut a, s);
    assert_eq!(*a.mode(), Mode::Normal);
    assert!(!a.session().toggles().scale);
}

#[test]
fn a_shows_the_title_and_description_and_r_shows_them_before_the_tour() {
    let mut a = app_file("scenarios/dot-product.yaml");
    // The key `a` itself (it was listed by `?` and the about box but answered nothing).
    let about = from_event(&a, &key(KeyCode::Char('a'))).unwrap();
    assert_eq!(about, Message::About);
    update(&mut a, about);
    assert!(matches!(a.mode(), Mode::About { tour: false, .. }));
    let (title, text) = qkv::tui::view::about_text(&a, false);
    assert_eq!(
        title,
        "One query, three keys — the article's dot-product example"
    );
    assert!(text.contains("k0 matches best (10)"), "{text}");
    update(&mut a, Message::Cancel);
    assert_eq!(*a.mode(), Mode::Normal);
    // r: the description first, Enter starts the tour at its first stop.
    update(&mut a, Message::Replay);
    assert!(matches!(a.mode(), Mode::About { tour: true, .. }));
    assert!(a.session().tour().is_none());
    let enter = from_event(&a, &key(KeyCode::Enter)).unwrap();
    update(&mut a, enter);
    assert_eq!(*a.mode(), Mode::Normal);
    assert_eq!(a.session().tour().map(|t| t.pos), Some(0));
    // The model's description says the weights are random.
    let mut d = app();
    update(&mut d, Message::About);
    let (_, text) = qkv::tui::view::about_text(&d, false);
    assert!(
        text.contains("untrained (random weights, seed 42)"),
        "{text}"
    );
}

#[test]
fn help_names_the_panes_as_the_screen_does_and_masked_sums_say_what_they_skip() {
    let help: String = qkv::tui::view::help_lines(100)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!help.contains("tree"), "{help}");
    assert!(help.contains("pipeline"), "{help}");
    // A row of a masked step: the −∞ cells are not in the sum, and the panel says so.
    let mut a = app_file("scenarios/decoder-masking.yaml");
    send(&mut a, &[Message::Cancel, Message::OpenPrompt]);
    typed(&mut a, "show dec.0.self_attn.masked[0][1][2]");
    send(&mut a, &[Message::Submit]);
    let buf = {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        t.draw(|f| qkv::tui::render(&a, f)).unwrap();
        qkv::tui::view::buffer_text(t.backend().buffer())
    };
    assert!(buf.contains("−∞ left out"), "{buf}");
}

#[test]
fn tab_completes_at_the_command_prompt_like_the_repl() {
    let mut a = app();
    update(&mut a, Message::OpenPrompt);
    typed(&mut a, "sh");
    let tab = from_event(&a, &key(KeyCode::Tab)).unwrap();
    assert_eq!(tab, Message::Edit(Edit::Complete));
    update(&mut a, tab.clone());
    let line = |a: &App| match a.mode() {
        Mode::Prompt { line, .. } => line.text().to_string(),
        m => panic!("{m:?}"),
    };
    assert_eq!(line(&a), "show ");
    typed(&mut a, "enc.0.attn.sc");
    update(&mut a, tab.clone());
    assert_eq!(line(&a), "show enc.0.attn.sc");
    assert!(
        status(&a)
            .1
            .contains("enc.0.attn.scores  enc.0.attn.scaled"),
        "{}",
        status(&a).1
    );
    typed(&mut a, "o");
    update(&mut a, tab);
    assert_eq!(line(&a), "show enc.0.attn.scores");
    update(&mut a, Message::Submit);
    assert_eq!(step(&a), "enc.0.attn.scores");
}

#[test]
fn an_error_longer_than_the_status_line_opens_whole_in_a_box() {
    let mut a = app_on(
        "version: 1\nmodel: {preset: tiny, arch: encoder}\ninput: {text: a b}\n",
        80,
        24,
    );
    send(&mut a, &[Message::OpenPrompt]);
    typed(&mut a, "set model.colour red");
    send(&mut a, &[Message::Submit]);
    assert_eq!(status(&a).0, StatusKind::Error);
    match a.mode() {
        Mode::Output { text, .. } => {
            let joined = text.replace('\n', " ");
            assert!(joined.contains("tokenizer, max_tokens"), "{text}");
            assert!(joined.contains("preset, arch, d_model"), "{text}");
        }
        m => panic!("the whole error should be in a box, not {m:?}"),
    }
}

#[test]
fn the_pipeline_names_the_mask_each_self_attention_uses() {
    let labels = |a: &App| -> Vec<String> {
        a.tree()
            .sections
            .iter()
            .flat_map(|s| s.groups.iter().filter_map(|g| g.label.clone()))
            .filter(|l| l.contains("elf-attention"))
            .collect()
    };
    let mut a = app_file("scenarios/decoder-masking.yaml");
    assert!(
        labels(&a).iter().all(|l| l == "Masked self-attention"),
        "{:?}",
        labels(&a)
    );
    send(&mut a, &[Message::Cancel, Message::ToggleMask]);
    assert!(
        labels(&a).iter().all(|l| l == "Self-attention (mask off)"),
        "{:?}",
        labels(&a)
    );
    // The encoder's mask switched on: its self-attention is masked now.
    let mut d = app();
    send(&mut d, &[Message::ToggleMask]);
    assert!(
        labels(&d).iter().all(|l| l == "Masked self-attention"),
        "{:?}",
        labels(&d)
    );
}

#[test]
fn x_writes_the_matrix_on_screen_as_svg_and_asks_before_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app();
    command(&mut a, "show enc.0.attn.weights[1][2][0]");
    assert_eq!(
        from_event(&a, &key(KeyCode::Char('x'))),
        Some(Message::Plot)
    );
    update(&mut a, Message::Plot);
    // The prompt suggests <step>-h<head>.svg in the current directory.
    match a.mode() {
        Mode::Prompt { kind, line } => {
            assert_eq!(*kind, PromptKind::PlotPath);
            assert_eq!(line.text(), "enc.0.attn.weights-h1.svg");
        }
        m => panic!("{m:?}"),
    }
    let f = dir.path().join("w.svg");
    typed(&mut a, f.to_str().unwrap());
    update(&mut a, Message::Submit);
    let (kind, text) = status(&a);
    assert_eq!(kind, StatusKind::Info, "{text}");
    assert!(
        text.starts_with(&format!("wrote {}", f.display())),
        "{text}"
    );
    assert!(
        text.contains("enc.0.attn.weights[1]") && text.contains("cell [2][0]"),
        "{text}"
    );
    let svg = std::fs::read_to_string(&f).unwrap();
    assert!(
        svg.contains("enc.0.attn.weights[1][2][0] ="),
        "the explanation is in it"
    );
    // The same file again: a y/n question; n keeps it, y replaces it.
    command(&mut a, "head 0");
    for (answer, replaced) in [(false, false), (true, true)] {
        update(&mut a, Message::Plot);
        typed(&mut a, f.to_str().unwrap());
        update(&mut a, Message::Submit);
        assert!(
            matches!(a.mode(), Mode::ConfirmOverwrite { .. }),
            "{:?}",
            a.mode()
        );
        assert!(status(&a).1.contains("overwrite it? y/n"));
        update(&mut a, Message::Confirm(answer));
        let now = std::fs::read_to_string(&f).unwrap();
        assert_eq!(now.contains("enc.0.attn.weights[0]"), replaced);
        assert!(
            status(&a)
                .1
                .starts_with(if replaced { "wrote" } else { "not written" })
        );
    }
}

/// A line typed at the `:` prompt.
fn command(app: &mut App, line: &str) {
    update(app, Message::OpenPrompt);
    typed(app, line);
    update(app, Message::Submit);
}

#[test]
fn x_in_the_gradient_view_writes_the_gradient_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app();
    command(&mut a, "show enc.0.attn.weights[0][1][2]");
    update(&mut a, Message::ToggleGrad);
    assert!(a.grad_view());
    update(&mut a, Message::Plot);
    match a.mode() {
        Mode::Prompt { line, .. } => assert_eq!(line.text(), "grad.enc.0.attn.weights-h0.svg"),
        m => panic!("{m:?}"),
    }
    let f = dir.path().join("g.svg");
    typed(&mut a, f.to_str().unwrap());
    update(&mut a, Message::Submit);
    let (_, text) = status(&a);
    assert!(text.contains("grad.enc.0.attn.weights[0]"), "{text}");
    let svg = std::fs::read_to_string(&f).unwrap();
    assert!(
        svg.contains("grad.enc.0.attn.weights[0][1][2] ="),
        "backward arithmetic beside it"
    );
    // Its numbers are the gradient's, not the forward step's.
    let g = a
        .session()
        .current_gradient()
        .unwrap()
        .matrix(Some(0))
        .unwrap()
        .to_owned();
    let want = qkv::render::fmt_value(g[[1, 2]], 4);
    let line = svg
        .lines()
        .find(|l| l.contains(r#"class="cell" data-row="1" data-col="2""#))
        .unwrap();
    assert!(
        line.ends_with(&format!(">{want}</text>")),
        "{line} vs {want}"
    );
}

/// Every key a hint names does what the hint says: `help toggle` names m s e o (mask,
/// scale, positional encoding, norm), and the default scenario's description walks the tour
/// with r.
#[test]
fn key_hints_name_the_keys_that_do_it() {
    use ratatui::crossterm::event::KeyCode;
    let app = crate::util::trained(120, 40);
    let help = qkv::command::help(Some("toggle")).unwrap();
    assert!(help.contains("m s e o"), "{help}");
    for (c, m) in [
        ('m', Message::ToggleMask),
        ('s', Message::ToggleScale),
        ('e', Message::TogglePe),
        ('o', Message::ToggleNorm),
    ] {
        assert_eq!(crate::util::key(&app, KeyCode::Char(c)), Some(m), "{c}");
    }
    let about = app
        .session()
        .description()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(about.contains("Press r to walk the tour"), "{about}");
    assert_eq!(
        crate::util::key(&app, KeyCode::Char('r')),
        Some(Message::Replay)
    );
}

/// The header says what the model read: a word the trained vocabulary lacks is marked as
/// the matrices mark it (`바나나→<unk>`), at both sizes; a sentence of known words is shown
/// as typed.
#[test]
fn the_header_marks_a_word_read_as_unk() {
    for (w, h) in crate::util::SIZES {
        let mut app = crate::util::trained(w, h);
        send(&mut app, &crate::util::prompt("text 나는 바나나 간다"));
        let screen = crate::util::screen(&app);
        assert!(
            screen.contains("▸ 나는 바나나→<unk> 간다  (3 tokens)"),
            "{screen}"
        );
        send(&mut app, &crate::util::prompt("text 나는 학교에 간다"));
        let screen = crate::util::screen(&app);
        assert!(
            screen.contains("▸ 나는 학교에 간다  (3 tokens)"),
            "{screen}"
        );
    }
}
