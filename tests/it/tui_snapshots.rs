//! What the workbench draws, on ratatui's `TestBackend`, at 120×40 and 80×24: the buffer as
//! text (insta snapshots in `tests/snapshots/`) and a few colours checked directly.

use qkv::scenario::io::parse_and_build;
use qkv::session::Session;
use qkv::tui::app::Pane;
use qkv::tui::layout;
use qkv::tui::message::{Dir, Edit, Message};
use qkv::tui::view::style;
use qkv::tui::{App, update};
use ratatui::layout::{Rect, Size};
use ratatui::style::Color;
use ratatui::style::Modifier;

use crate::util::{
    SIZES, assert_borders_hold, buffer, draw, prompt, screen, send, trained, untrained,
};

fn app_at(w: u16, h: u16, msgs: &[Message]) -> App {
    let mut a = untrained(w, h);
    send(&mut a, msgs);
    a
}

/// Snapshots the screen after `msgs` at both sizes.
fn snap(name: &str, msgs: &[Message]) {
    for (w, h) in SIZES {
        let a = app_at(w, h, msgs);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&a));
    }
}

/// (x, y) of matrix cell (r, c) on the screen of `app`.
fn cell_xy(app: &App, r: usize, c: usize) -> (u16, u16) {
    let s = app.size();
    let areas = layout::areas(app, Rect::new(0, 0, s.width, s.height)).unwrap();
    let g = layout::grid(app, areas.matrix, app.scroll()).unwrap();
    (g.col_x(c) + g.col_w - 1, g.body.y + (r - g.rows.0) as u16)
}

#[test]
fn opening_screen() {
    snap("opening", &[]);
    let a = app_at(120, 40, &[]);
    let text = screen(&a);
    for want in [
        "나는 학교에 간다",
        "<bos> I go to school",
        "encoder-decoder · d_model 8 · heads 2 · d_k 4 · d_ff 32 · layers 2+2 · post-LN · ÷√d_k · mask enc none, dec causal",
        "untrained (random weights, seed 42)",
        "enc.0.attn.weights[0] · softmax · 3 × 3",
        "Encoder layer 0",
        "Decoder layer 0",
        "why this number",
        "entropy",
        "q quit",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn softmax_weights_view() {
    let msgs = [
        Message::NextLayer,
        Message::NextHead,
        Message::Move(Dir::Down),
        Message::Move(Dir::Down),
        Message::Move(Dir::Right),
    ];
    snap("softmax_weights", &msgs);
    // Weights are coloured on the sequential scale, the selected cell is reversed.
    let a = app_at(120, 40, &msgs);
    let buf = buffer(&a);
    let (x, y) = cell_xy(&a, 2, 1);
    let v = a
        .session()
        .current_step()
        .unwrap()
        .value(&[1, 2, 1])
        .unwrap();
    let expected = style::heat(qkv::trace::StepKind::Weights, v, 1.0);
    assert_eq!(buf[(x, y)].bg, expected.bg.unwrap());
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    let (x0, y0) = cell_xy(&a, 0, 0);
    assert!(!buf[(x0, y0)].modifier.contains(Modifier::REVERSED));
}

fn to_step(name: &str) -> Vec<Message> {
    prompt(&format!("show {name}"))
}

#[test]
fn masked_decoder_view() {
    let msgs = to_step("dec.0.self_attn.masked[0][1][2]");
    snap("masked_decoder", &msgs);
    let a = app_at(120, 40, &msgs);
    assert_eq!(a.session().cursor().step, "dec.0.self_attn.masked");
    let buf = buffer(&a);
    // Above the diagonal: −∞, drawn in the masked style, not as a number.
    let (x, y) = cell_xy(&a, 0, 3);
    assert_eq!(buf[(x, y)].symbol(), "∞");
    assert_eq!(buf[(x - 1, y)].symbol(), "−");
    assert_eq!(buf[(x, y)].bg, style::MASKED.bg.unwrap());
    assert_eq!(buf[(x, y)].fg, style::MASKED.fg.unwrap());
    assert!(buf[(x, y)].modifier.contains(Modifier::ITALIC));
    // On the diagonal: a finite number on the diverging scale.
    let (x, y) = cell_xy(&a, 3, 3);
    assert_ne!(buf[(x, y)].bg, style::MASKED.bg.unwrap());
}

#[test]
fn cross_attention_view() {
    let msgs = to_step("dec.0.cross_attn.weights[0][2][1]");
    snap("cross_attention", &msgs);
    let text = screen(&app_at(120, 40, &msgs));
    assert!(
        text.contains("dec.0.cross_attn.weights[0] · softmax · 5 × 3"),
        "{text}"
    );
    assert!(text.contains("Cross-attention"));
}

#[test]
fn explain_panel_on_a_score_cell() {
    let mut msgs = to_step("enc.0.attn.scores[0][1][2]");
    msgs.push(Message::FocusNext);
    snap("explain_score", &msgs);
    let a = app_at(120, 40, &msgs);
    assert_eq!(a.focus(), Pane::Detail);
    let text = screen(&a);
    assert!(text.contains("enc.0.attn.scores[0][1][2] ="), "{text}");
    assert!(text.contains("q·k"), "{text}");
}

#[test]
fn help_overlay() {
    snap("help", &[Message::Help]);
}

#[test]
fn too_small_message() {
    for (w, h) in [(59, 17), (40, 10)] {
        let a = app_at(w, h, &[]);
        let text = screen(&a);
        assert!(text.contains("too small"), "{text}");
        insta::assert_snapshot!(format!("too_small_{w}x{h}"), text);
    }
    // At the minimum the layout is drawn.
    let text = screen(&app_at(layout::MIN_WIDTH, layout::MIN_HEIGHT, &[]));
    assert!(!text.contains("too small"), "{text}");
    assert!(text.contains("pipeline"), "{text}");
}

#[test]
fn error_line() {
    let msgs = prompt("frobnicate 3");
    snap("error_line", &msgs);
    let a = app_at(80, 24, &msgs);
    let buf = buffer(&a);
    // The status line (second to last) is red.
    assert_eq!(buf[(0, 22)].bg, style::ERROR.bg.unwrap());
    assert_eq!(buf[(0, 22)].symbol(), "e");
}

#[test]
fn a_rerun_highlights_the_changed_cells() {
    let msgs = [Message::ToggleMask];
    snap("mask_toggled", &msgs);
    let a = app_at(120, 40, &msgs);
    let text = screen(&a);
    assert!(text.contains("changed • max |Δ|"), "{text}");
    let buf = buffer(&a);
    // Row 0 now attends only to itself: its other cells changed (to 0); the masked row…
    let (x, y) = cell_xy(&a, 0, 1);
    assert!(buf[(x, y)].modifier.contains(Modifier::UNDERLINED));
    // …and the changed-cell mark sits just left of the number ("0.5374" is 6 wide).
    let (x, y) = cell_xy(&a, 1, 0);
    assert_eq!(buf[(x - 6, y)].symbol(), "•");
    // Esc clears the highlight.
    let a = app_at(120, 40, &[Message::ToggleMask, Message::Cancel]);
    let buf = buffer(&a);
    let (x, y) = cell_xy(&a, 0, 1);
    assert!(!buf[(x, y)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn tour_note_beside_the_matrix() {
    snap("tour", &[Message::Replay, Message::NextStep]);
}

#[test]
fn editing_korean_puts_the_cursor_by_display_width() {
    let mut msgs = vec![Message::EditSource, Message::Edit(Edit::Clear)];
    msgs.extend(
        "고양이가 앉았다"
            .chars()
            .map(|c| Message::Edit(Edit::Insert(c.to_string()))),
    );
    msgs.push(Message::Edit(Edit::Left));
    snap("editing", &msgs);
    let a = app_at(120, 40, &msgs);
    let mut t = draw(&a);
    // Header box border (1) + "source ▸ " (9) + 고양이가 (8) + space (1) + 앉았 (4).
    t.backend_mut()
        .assert_cursor_position((1 + 9 + 8 + 1 + 4, 2));
    let buf = t.backend().buffer().clone();
    assert_eq!(buf[(10, 2)].bg, style::EDITING.bg.unwrap());
}

#[test]
fn big_matrices_scroll_and_say_where_you_are() {
    let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
    let yaml = format!(
        "version: 1\nmodel: {{preset: tiny, arch: encoder}}\ninput: {{text: \"{}\"}}\n",
        words.join(" ")
    );
    for (w, h) in SIZES {
        let (file, runnable) = parse_and_build(&yaml, "test").unwrap();
        let mut a = App::new(Session::from_runnable(file, runnable), Size::new(w, h));
        for m in prompt("cell 57 63") {
            update(&mut a, m);
        }
        let text = screen(&a);
        assert!(text.contains("rows "), "{text}");
        assert!(text.contains(" of 100 · cols "), "{text}");
        insta::assert_snapshot!(format!("scrolled_{w}x{h}"), text);
    }
}

#[test]
fn the_opening_screen_uses_colour() {
    let a = app_at(120, 40, &[]);
    let buf = buffer(&a);
    let (x, y) = cell_xy(&a, 0, 0);
    assert!(matches!(buf[(x, y)].bg, Color::Indexed(_)));
}

#[test]
fn every_size_draws_without_panicking() {
    let states: Vec<Vec<Message>> = vec![
        vec![],
        vec![Message::Replay, Message::NextStep],
        prompt("show dec.1.cross_attn.weights[1][4][2]"),
        vec![Message::Help],
        prompt("attend q=[[1,2,3]] k=[[2,1,2],[0,1,-1],[1,1,1]] v=[[1,0],[0,1],[1,1]]"),
        {
            let mut v = vec![Message::EditSource];
            v.extend(
                "아주 긴 문장을 입력하면 편집 줄이 옆으로 밀려야 한다 그리고 커서는 계속 보여야 한다"
                    .chars()
                    .map(|c| Message::Edit(Edit::Insert(c.to_string()))),
            );
            v
        },
    ];
    for msgs in &states {
        let mut a = app_at(120, 40, msgs);
        for w in (20..=130).step_by(7) {
            for h in (6..=46).step_by(4) {
                update(&mut a, Message::Resize(w, h));
                let text = screen(&a);
                assert_eq!(text.lines().count(), usize::from(h));
            }
        }
    }
}

#[test]
fn korean_text_never_breaks_a_border() {
    let korean = "text 바나나를 먹는 고양이가 학교에 간다 오늘도 내일도";
    for (w, h) in SIZES {
        let mut msgs = prompt("show embed.tokens");
        for m in [
            prompt(korean),
            prompt("show embed.sum[1][3]"),
            prompt("show enc.0.attn.weights[1]"),
            vec![Message::FocusNext, Message::Move(Dir::Right)],
            prompt("show logits[2][4]"),
            vec![Message::Help],
        ] {
            let a = app_at(w, h, &msgs);
            assert_borders_hold(&a);
            msgs.extend(m);
        }
        let a = app_at(w, h, &msgs);
        assert_borders_hold(&a);
    }
    let a = app_at(120, 40, &prompt("show embed.tokens"));
    insta::assert_snapshot!("korean_embed_tokens_120x40", screen(&a));
}

/// The box says what the model's weights are: random ones show only how the arithmetic
/// works; a trained model's (the shipped default) show what it learned to look at too, in
/// both languages, and never the untrained model's caveat.
#[test]
fn the_about_box_says_whether_the_model_learned() {
    let text = |mut a: App| {
        send(&mut a, &[Message::About]);
        // The box reflows its text: join the screen's lines without the frames' borders to
        // find a sentence across them.
        let plain: String = screen(&a)
            .chars()
            .filter(|c| !"│┌┐└┘─".contains(*c))
            .collect();
        plain.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let untrained_box = text(untrained(120, 40));
    assert!(
        untrained_box.contains("not what a trained model would attend"),
        "{untrained_box}"
    );
    let trained_box = text(trained(120, 40));
    assert!(
        trained_box.contains("trained (1000 updates)"),
        "{trained_box}"
    );
    assert!(trained_box.contains("learned to look at"), "{trained_box}");
    assert!(
        !trained_box.contains("not what a trained model"),
        "{trained_box}"
    );
    let mut ko = trained(120, 40);
    ko.set_lang(qkv::i18n::Lang::Ko);
    let ko_box = text(ko);
    assert!(ko_box.contains("학습됨 (1000번 갱신)"), "{ko_box}");
    assert!(ko_box.contains("주목하도록 배웠는지도"), "{ko_box}");
    assert!(!ko_box.contains("보여 주지는 않습니다"), "{ko_box}");
}

#[test]
fn the_scenario_title_and_description_box() {
    snap("about", &[Message::About]);
    for (w, h) in SIZES {
        let a = app_at(w, h, &[Message::About]);
        let text = screen(&a);
        assert!(text.contains("나는 학교에 간다"), "{text}");
        for line in text.lines() {
            assert!(qkv::render::width(line) <= usize::from(w), "{line}");
        }
    }
}

#[test]
fn the_footer_keeps_the_keys_that_matter_at_80_columns() {
    let a = app_at(80, 24, &[]);
    let text = screen(&a);
    let footer = text.lines().last().unwrap();
    for want in ["m s e o toggle", ": cmd", "w save", "? all keys", "q quit"] {
        assert!(footer.contains(want), "{want:?} missing from {footer:?}");
    }
}

#[test]
fn an_edited_target_still_shows_the_bos_the_model_reads() {
    let mut msgs = vec![Message::EditTarget, Message::Edit(Edit::Clear)];
    msgs.extend(
        "I went home"
            .chars()
            .map(|c| Message::Edit(Edit::Insert(c.to_string()))),
    );
    msgs.push(Message::Submit);
    let a = app_at(120, 40, &msgs);
    assert_eq!(
        a.session().input().unwrap().target.as_deref().unwrap(),
        ["<bos>", "I", "went", "home"]
    );
    let text = screen(&a);
    assert!(
        text.contains("target ▸ <bos> I went home  (4 tokens)"),
        "{text}"
    );
}

#[test]
fn the_articles_example_with_scaling_off() {
    for (w, h) in SIZES {
        let s = Session::open(std::path::Path::new("scenarios/dot-product.yaml")).unwrap();
        let mut a = App::new(s, Size::new(w, h));
        update(&mut a, Message::ToggleScale);
        let text = screen(&a);
        assert!(text.contains("unscaled"), "{text}");
        assert!(text.contains("scale off:"), "{text}");
        insta::assert_snapshot!(format!("hand_check_scale_off_{w}x{h}"), text);
    }
}

#[test]
fn x_then_enter_writes_the_svg_and_the_status_line_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("m.svg");
    let mut msgs = prompt("show enc.0.attn.weights[0][1][2]");
    msgs.push(Message::Plot);
    let a = app_at(120, 40, &msgs);
    // The prompt with its suggested name is drawn in the status line.
    let text = screen(&a);
    assert!(
        text.contains("write the matrix as SVG to: enc.0.attn.weights-h0.svg"),
        "{text}"
    );
    // Replace the suggestion with a file in a temporary directory, Enter.
    msgs.extend(
        f.to_str()
            .unwrap()
            .chars()
            .map(|c| Message::Edit(Edit::Insert(c.to_string()))),
    );
    msgs.push(Message::Submit);
    let a = app_at(120, 40, &msgs);
    let text = screen(&a);
    assert!(
        text.contains(&format!(
            "wrote {} (svg: enc.0.attn.weights[0]",
            f.display()
        )),
        "{text}"
    );
    assert!(std::fs::read_to_string(&f).unwrap().contains(">학교에</"));
    // The key is in the help and the footer.
    let help = screen(&app_at(120, 40, &[Message::Help]));
    assert!(help.contains("as an SVG picture"), "{help}");
    assert!(screen(&app_at(120, 40, &[])).contains("x svg"));
}

#[test]
fn the_svg_cells_have_the_colours_the_terminal_draws() {
    // The screen the workbench opens on, and the picture `x` writes of it.
    let a = app_at(120, 40, &[]);
    let buf = buffer(&a);
    let s = a.session();
    let head = s.current_head();
    let mut at = qkv::trace::Address::parse(&s.cursor().step).unwrap();
    at.indices = head.into_iter().collect();
    let svg = s.plot_of(&at).unwrap().render(qkv::plot::PlotFormat::Svg);
    let step = s.current_step().unwrap();
    let (rows, cols) = step.matrix(head).unwrap().dim();
    let mut compared = 0;
    for r in 0..rows {
        for c in 0..cols {
            let (x, y) = cell_xy(&a, r, c);
            let Color::Indexed(bg) = buf[(x, y)].bg else {
                panic!("palette colours")
            };
            // The SVG's rectangle of cell (r, c) is the line before its number.
            let lines: Vec<&str> = svg.lines().collect();
            let k = lines
                .iter()
                .position(|l| l.contains(&format!(r#"data-row="{r}" data-col="{c}""#)))
                .unwrap();
            let want = format!(r#"fill="{}""#, qkv::heat::hex(bg));
            assert!(
                lines[k - 1].contains(&want),
                "[{r}][{c}]: {} vs {want}",
                lines[k - 1]
            );
            compared += 1;
        }
    }
    assert_eq!(compared, rows * cols);
}

/// `:show probs[3] --top 5` on the default scenario: the matrix pane lists each row's 5
/// largest probabilities (the text of `show --top 5`), row 3 (`to`) marked, with `school`
/// p = 1.0000 first, and the cursor on its cell [3][10]; `:show probs` gives the matrix back.
#[test]
fn show_top_k_lists_each_rows_largest_in_the_matrix_pane() {
    for (w, h) in SIZES {
        let mut a = trained(w, h);
        send(&mut a, &prompt("show probs[3] --top 5"));
        let s = screen(&a);
        assert!(s.contains("▸to      school 1.0000 · "), "{s}");
        let c = a.session().cursor();
        assert_eq!((c.step.as_str(), c.row, c.col), ("probs", 3, 10));
        insta::assert_snapshot!(format!("show_top_5_probs_{w}x{h}"), s);
        send(&mut a, &prompt("show probs"));
        assert_eq!(a.session().top_view(), None);
        assert!(!screen(&a).contains("school 1.0000 · "));
    }
}

/// English typed into the Korean → English model: the workbench's status line is the one
/// warning (4 of 4 words never seen as input), not the rerun's summary; the Korean sentence
/// gives the summary.
#[test]
fn a_sentence_never_seen_as_input_is_warned_on_the_status_line() {
    let mut a = trained(120, 40);
    send(&mut a, &prompt("text I go to school"));
    let s = screen(&a);
    let status = s.lines().nth(38).unwrap_or_default();
    assert!(
        status.starts_with("warning: 4 of 4 words were never seen as input"),
        "{s}"
    );
    send(&mut a, &prompt("text 나는 학교에 간다"));
    let s = screen(&a);
    let status = s.lines().nth(38).unwrap_or_default();
    assert!(status.starts_with("text 나는 학교에 간다: "), "{s}");
}
