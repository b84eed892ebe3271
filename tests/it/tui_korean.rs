//! The workbench in Korean (`--lang ko`): every workbench view at 120×40 and 80×24 as insta
//! snapshots, the borders intact with Hangul two columns wide, the article's terms with the
//! English beside them on first use, and the Korean key reference matching the English one.

use qkv::i18n::Lang;
use qkv::scenario::io::parse_and_build;
use qkv::session::Session;
use qkv::tui::message::{Dir, Edit, Message};
use qkv::tui::view::{buffer_text, footer_keys};
use qkv::tui::{App, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Size;

use crate::util::{assert_borders_hold, buffer, has_hangul, prompt, screen};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn ko_app(session: Session, w: u16, h: u16, msgs: &[Message]) -> App {
    let mut a = App::with_lang(session, Size::new(w, h), Lang::Ko);
    for m in msgs {
        update(&mut a, m.clone());
    }
    a
}

fn app_at(w: u16, h: u16, msgs: &[Message]) -> App {
    ko_app(Session::untrained_scenario().unwrap(), w, h, msgs)
}

/// Snapshots the Korean screen after `msgs` at both sizes, checking the borders.
fn snap(name: &str, msgs: &[Message]) {
    for (w, h) in SIZES {
        let a = app_at(w, h, msgs);
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_{name}_{w}x{h}"), screen(&a));
    }
}

#[test]
fn the_opening_screen_in_korean() {
    snap("opening", &[]);
    let text = screen(&app_at(120, 40, &[]));
    for want in [
        "원문   ▸ 나는 학교에 간다  (토큰 3개)",
        "목표   ▸ <bos> I go to school  (토큰 5개)",
        "인코더-디코더 · d_model 8 · 헤드 2 · d_k 4 · d_ff 32 · 층 2+2 · post-LN · ÷√d_k · 마스킹 인코더 없음, 디코더 인과",
        "학습 전 (무작위 가중치, 시드 42)",
        // The matrix title and the tree name the article's term with the English beside it.
        "enc.0.attn.weights[0] · 소프트맥스(softmax) · 3 × 3",
        "● 소프트맥스(softmax)",
        "인코더(encoder) 층 0",
        "디코더(decoder) 층 0",
        "순전파 단계 ↓",
        "이 숫자가 나온 이유",
        "단계와 행",
        "n/p로 파이프라인을 한 단계씩 따라갑니다",
        "? 모든 키",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    // The English term is given once: the second encoder layer is plain Korean.
    assert!(text.contains("▸ 인코더 층 1"), "{text}");
    // No English label is left in the workbench's own texts.
    for gone in [
        "pipeline",
        "why this number",
        "step & row",
        "built-in scenario",
        "tokens)",
        "Encoder layer",
        " help ",
    ] {
        assert!(!text.contains(gone), "{gone:?} still in\n{text}");
    }
}

#[test]
fn the_80_column_screen_keeps_the_keys_that_matter() {
    let a = app_at(80, 24, &[]);
    let text = screen(&a);
    let footer = text.lines().last().unwrap();
    for want in ["m s e o 전환", ": 명령", "? 모든 키", "q 끝내기"] {
        assert!(footer.contains(want), "{want:?} missing from {footer:?}");
    }
    // The header falls back to the short Korean summary, still within the box.
    assert!(
        text.contains("post-LN · 마스킹 인코더 없음, 디코더 인과"),
        "{text}"
    );
}

#[test]
fn the_softmax_weights_in_korean() {
    snap(
        "softmax_weights",
        &[
            Message::NextLayer,
            Message::NextHead,
            Message::Move(Dir::Down),
            Message::Move(Dir::Down),
            Message::Move(Dir::Right),
        ],
    );
}

#[test]
fn the_masked_decoder_in_korean() {
    let msgs = prompt("show dec.0.self_attn.masked[0][1][2]");
    snap("masked_decoder", &msgs);
    let text = screen(&app_at(120, 40, &msgs));
    assert!(
        text.contains("dec.0.self_attn.masked[0] · 마스킹(masking) · 5 × 5"),
        "{text}"
    );
    assert!(text.contains("마스킹 셀프 어텐션"), "{text}");
}

#[test]
fn cross_attention_in_korean() {
    let msgs = prompt("show dec.0.cross_attn.weights[0][2][1]");
    snap("cross_attention", &msgs);
    let text = screen(&app_at(120, 40, &msgs));
    assert!(text.contains("  크로스 어텐션"), "{text}");
    assert!(text.contains("행 2 go"), "{text}");
    assert!(text.contains("합 1.0000"), "{text}");
}

#[test]
fn the_score_cell_explained_in_korean() {
    let mut msgs = prompt("show enc.0.attn.scores[0][1][2]");
    msgs.push(Message::FocusNext);
    snap("explain_score", &msgs);
}

#[test]
fn the_help_overlay_in_korean() {
    snap("help", &[Message::Help]);
    let text = screen(&app_at(120, 40, &[Message::Help]));
    assert!(
        text.contains("위치 인코딩(positional encoding) 켜기 / 끄기"),
        "{text}"
    );
    assert!(text.contains("↑↓ 스크롤 · Esc 닫기"), "{text}");
}

#[test]
fn the_help_scrolls_to_its_last_korean_line() {
    // Korean lines wrap differently from English: scrolling stops at the Korean text's end.
    let mut msgs = vec![Message::Help];
    msgs.extend(std::iter::repeat_n(Message::Page(Dir::Down), 40));
    let a = app_at(80, 24, &msgs);
    let text = screen(&a);
    assert!(
        text.contains("파일을 그대로 두고 아무것도 쓰지 않기"),
        "{text}"
    );
}

#[test]
fn too_small_in_korean() {
    for (w, h) in [(59, 17), (40, 10)] {
        let text = screen(&app_at(w, h, &[]));
        assert!(text.contains("너무 작습니다"), "{text}");
        assert!(text.contains(&format!("지금 {w}×{h}")), "{text}");
        insta::assert_snapshot!(format!("ko_too_small_{w}x{h}"), text);
    }
}

#[test]
fn a_rerun_in_korean_says_what_changed() {
    snap("mask_toggled", &[Message::ToggleMask]);
    let text = screen(&app_at(120, 40, &[Message::ToggleMask]));
    assert!(text.contains("바뀜 • 최대 |Δ|"), "{text}");
}

#[test]
fn the_tour_box_in_korean() {
    // The self-attention scenario's tour has a note at every stop (the scenario's own
    // notes stay as written).
    let msgs = [
        Message::Cancel,
        Message::Replay,
        Message::Activate,
        Message::NextStep,
    ];
    for (w, h) in SIZES {
        let s = Session::open(std::path::Path::new("scenarios/self-attention.yaml")).unwrap();
        let a = ko_app(s, w, h, &msgs);
        let text = screen(&a);
        assert!(text.contains("둘러보기 2/"), "{text}");
        assert!(text.contains("n / p: 다음 / 이전 지점"), "{text}");
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_tour_{w}x{h}"), text);
    }
}

#[test]
fn the_about_box_in_korean() {
    snap("about", &[Message::About]);
    let text = screen(&app_at(120, 40, &[Message::About]));
    assert!(
        text.contains("모델: 학습 전 (무작위 가중치, 시드 42)."),
        "{text}"
    );
}

#[test]
fn editing_in_korean_puts_the_cursor_by_display_width() {
    let mut msgs = vec![Message::EditSource, Message::Edit(Edit::Clear)];
    msgs.extend(
        "고양이가 앉았다"
            .chars()
            .map(|c| Message::Edit(Edit::Insert(c.to_string()))),
    );
    msgs.push(Message::Edit(Edit::Left));
    snap("editing", &msgs);
    let a = app_at(120, 40, &msgs);
    let s = a.size();
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    t.draw(|f| render(&a, f)).unwrap();
    // Border (1) + "원문   ▸ " (9, as wide as "source ▸ ") + 고양이가 (8) + space (1) + 앉았 (4).
    t.backend_mut()
        .assert_cursor_position((1 + 9 + 8 + 1 + 4, 2));
}

#[test]
fn a_prompt_in_korean() {
    let msgs = [Message::Save];
    snap("save_prompt", &msgs);
    let text = screen(&app_at(80, 24, &msgs));
    assert!(text.contains("저장할 파일: "), "{text}");
}

#[test]
fn big_matrices_say_where_you_are_in_korean() {
    let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
    let yaml = format!(
        "version: 1\nmodel: {{preset: tiny, arch: encoder}}\ninput: {{text: \"{}\"}}\n",
        words.join(" ")
    );
    for (w, h) in SIZES {
        let (file, runnable) = parse_and_build(&yaml, "test").unwrap();
        let a = ko_app(
            Session::from_runnable(file, runnable),
            w,
            h,
            &prompt("cell 57 63"),
        );
        let text = screen(&a);
        assert!(text.contains("행 "), "{text}");
        assert!(text.contains("(전체 100) · 열 "), "{text}");
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_scrolled_{w}x{h}"), text);
    }
}

#[test]
fn the_articles_hand_check_in_korean() {
    for (w, h) in SIZES {
        let s = Session::open(std::path::Path::new("scenarios/dot-product.yaml")).unwrap();
        let a = ko_app(s, w, h, &[Message::ToggleScale]);
        let text = screen(&a);
        assert!(text.contains("스케일링"), "{text}");
        assert!(text.contains("손 계산"), "{text}");
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_hand_check_scale_off_{w}x{h}"), text);
    }
}

#[test]
fn korean_sentences_never_break_a_border() {
    let korean = "text 바나나를 먹는 고양이가 학교에 간다 오늘도 내일도";
    for (w, h) in SIZES {
        let mut msgs = prompt("show embed.tokens");
        for m in [
            prompt(korean),
            prompt("show embed.sum[1][3]"),
            prompt("show enc.0.attn.weights[1]"),
            vec![Message::FocusNext, Message::Move(Dir::Right)],
            prompt("show logits[2][4]"),
            vec![Message::FocusNext],
        ] {
            assert_borders_hold(&app_at(w, h, &msgs));
            msgs.extend(m);
        }
        assert_borders_hold(&app_at(w, h, &msgs));
    }
}

#[test]
fn every_footer_is_korean() {
    // Each mode and screen's keys: what they do is said in Korean (formulas aside).
    let cases: Vec<Vec<Message>> = vec![
        vec![],
        vec![Message::FocusNext],
        vec![Message::FocusPrev],
        vec![Message::EditSource],
        vec![Message::OpenPrompt],
        vec![Message::Save],
        vec![Message::Help],
        vec![Message::Replay],
        vec![Message::OpenLearn],
        vec![Message::OpenDecode],
        vec![Message::OpenPe],
        vec![Message::OpenScaling],
        vec![Message::OpenHeads],
    ];
    for msgs in cases {
        let a = app_at(120, 40, &msgs);
        for (k, d) in footer_keys(&a) {
            let english_left = d
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '/')
                && d != "d_k"
                && d != "svg";
            assert!(!english_left, "{msgs:?}: {k} {d}");
        }
    }
}

#[test]
fn switching_the_language_keeps_the_session() {
    let mut a = App::new(Session::untrained_scenario().unwrap(), Size::new(120, 40));
    update(&mut a, Message::NextStep);
    let step = a.session().cursor().step.clone();
    assert_eq!(a.lang(), Lang::En);
    let english = screen(&a);
    assert!(english.contains("why this number"), "{english}");
    a.set_lang(Lang::Ko);
    assert_eq!(a.session().cursor().step, step);
    let text = screen(&a);
    assert!(text.contains("이 숫자가 나온 이유"), "{text}");
    a.set_lang(Lang::En);
    assert_eq!(screen(&a), english);
}

#[test]
fn the_busy_box_in_korean() {
    use qkv::model::cancel::{Progress, Stage};
    for (w, h) in SIZES {
        let a = app_at(w, h, &[]);
        let backdrop = buffer(&a);
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| {
            qkv::tui::view::busy::render(
                f,
                &backdrop,
                Progress {
                    stage: Stage::Layers,
                    done: 7,
                    total: 12,
                },
                std::time::Duration::from_millis(1400),
                false,
                Lang::Ko,
            );
        })
        .unwrap();
        let text = buffer_text(t.backend().buffer());
        assert!(text.contains("순전파: 층 7/12 · 1.4초"), "{text}");
        assert!(text.contains("Esc 또는 Ctrl-C: 취소"), "{text}");
        for line in text.lines() {
            assert!(qkv::render::width(line) <= usize::from(w), "{line}");
        }
        insta::assert_snapshot!(format!("ko_busy_{w}x{h}"), text);
    }
}

#[test]
fn the_explorers_in_korean() {
    for (name, open, want) in [
        (
            "pe",
            Message::OpenPe,
            "위치 인코딩(positional encoding) 탐색기",
        ),
        ("scaling", Message::OpenScaling, "스케일링(scaling) 탐색기"),
        ("heads", Message::OpenHeads, "모든 헤드"),
    ] {
        snap(name, std::slice::from_ref(&open));
        let text = screen(&app_at(120, 40, std::slice::from_ref(&open)));
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    let text = screen(&app_at(120, 40, &[Message::OpenHeads]));
    for want in [
        "역할: ",
        "근거: ",
        "평균 행 엔트로피",
        "고른 헤드",
        "인코더 0",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    let text = screen(&app_at(120, 40, &[Message::OpenScaling]));
    for want in ["안 나눔", "최대 w", "측정값", "이 행"] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
    let text = screen(&app_at(120, 40, &[Message::OpenPe]));
    for want in [
        "회전 (← → p, ↑ ↓ k)",
        "모든 p에서 PE(p)·PE(p+k) =",
        "짝 i=0",
    ] {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
}

#[test]
fn the_learn_decode_and_gradient_views_in_korean() {
    for (w, h) in SIZES {
        let a = app_at(
            w,
            h,
            &[
                Message::OpenLearn,
                Message::TrainStep,
                Message::TrainStep,
                Message::Snapshot,
            ],
        );
        let text = screen(&a);
        for want in [
            "학습 — 배우는 모습 보기",
            "갱신 2",
            "학습 전 모델에서 시작",
            "스냅숏",
        ] {
            assert!(text.contains(want), "{want:?} missing from\n{text}");
        }
        insta::assert_snapshot!(format!("ko_learn_{w}x{h}"), text);

        let mut msgs = vec![Message::OpenDecode];
        msgs.extend([const { Message::NextStep }; 4]);
        let a = ko_app(Session::default_scenario().unwrap(), w, h, &msgs);
        let text = screen(&a);
        for want in ["디코딩", "디코더 입력   ▸ ", "다음 토큰 확률", "헤드 0"] {
            assert!(text.contains(want), "{want:?} missing from\n{text}");
        }
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_decode_{w}x{h}"), text);

        let a = app_at(w, h, &[Message::ToggleGrad]);
        let text = screen(&a);
        // (At 80 columns the title is cut before it, as in English.)
        assert!(w < 120 || text.contains("역전파 ↑"), "{text}");
        assert!(text.contains("역전파 단계 ↑"), "{text}");
        // The selected gradient cell explained in Korean: the reading step and its rule.
        assert!(
            text.contains("enc.0.attn.head_out에서 (weights · V):"),
            "{text}"
        );
        assert!(
            !text.contains("how the loss") && !text.contains("from enc."),
            "{text}"
        );
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_gradient_{w}x{h}"), text);
    }
}

#[test]
fn the_practice_panel_in_korean() {
    // The article's hand-check with a practice question on the softmax row: the frame, the
    // question, the grading and the mistake it names are Korean.
    let typed = |t: &str| -> Vec<Message> {
        t.chars()
            .map(|c| Message::Edit(Edit::Insert(c.to_string())))
            .collect()
    };
    let mut graded = vec![Message::Practice];
    graded.extend(typed("1 0.0016 0.0902"));
    graded.push(Message::Submit);
    for (w, h) in SIZES {
        let open = |msgs: &[Message]| {
            let s =
                Session::open(std::path::Path::new("scenarios/practice-dot-product.yaml")).unwrap();
            ko_app(s, w, h, msgs)
        };
        let a = open(&[Message::Practice]);
        let text = screen(&a);
        assert!(text.contains("연습 1/1 · 점수 0/0"), "{text}");
        assert!(text.contains("weights[0] 계산하기  (행 0 q0)"), "{text}");
        assert!(text.contains("  식: weights[i][j] ="), "{text}");
        assert!(
            !text.contains("compute") && !text.contains("formula"),
            "{text}"
        );
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_practice_question_{w}x{h}"), text);
        let a = open(&graded);
        let text = screen(&a);
        assert!(text.contains("연습: 오답 — 3개 중 2개 정답"), "{text}");
        assert!(text.contains("내 답 1, 트레이스"), "{text}");
        // 1 is e^(x_0 − max) = e^0, never divided by Σ = 1.1011: named in Korean, with the
        // Korean softmax arithmetic beside it.
        assert!(
            text.contains("합 Σ로 나누는 것(정규화)을 잊었습니다"),
            "{text}"
        );
        assert!(!text.contains("forgot to normalise"), "{text}");
        assert!(!text.contains("row i of masked"), "{text}");
        assert_borders_hold(&a);
        insta::assert_snapshot!(format!("ko_practice_graded_{w}x{h}"), text);
    }
}

/// The status line of every view in Korean: the Learn and Decode views' keys, training and
/// pausing, the snapshots' end, Esc back, the gradient toggle, a cancelled edit, a quit
/// with unsaved changes, an overwrite question and its answer, a head opened from the
/// all-heads view. (These were written in English whatever the interface language.)
#[test]
fn every_views_status_line_is_korean() {
    let cases: Vec<(&str, Vec<Message>)> = vec![
        ("learn", vec![Message::OpenLearn]),
        ("training", vec![Message::OpenLearn, Message::TrainToggle]),
        (
            "paused",
            vec![
                Message::OpenLearn,
                Message::TrainToggle,
                Message::TrainToggle,
            ],
        ),
        (
            "no snapshot",
            vec![Message::OpenLearn, Message::Move(Dir::Right)],
        ),
        ("back", vec![Message::OpenLearn, Message::Cancel]),
        ("decode", vec![Message::OpenDecode]),
        (
            "forward values",
            vec![Message::ToggleGrad, Message::ToggleGrad],
        ),
        ("edit cancelled", vec![Message::EditSource, Message::Cancel]),
        ("unsaved quit", vec![Message::ToggleScale, Message::Quit]),
        ("head opened", vec![Message::OpenHeads, Message::Activate]),
    ];
    for (what, msgs) in cases {
        let a = app_at(80, 24, &msgs);
        let s = a.status().expect("a status line").text.clone();
        assert!(has_hangul(&s), "{what}: {s}");
    }
    // The head opened names its role and the rule in Korean.
    let a = app_at(80, 24, &[Message::OpenHeads, Message::Activate]);
    let s = a.status().expect("a status line").text.clone();
    assert!(
        s.contains("근거: ") && s.contains("모든 헤드로 돌아가기"),
        "{s}"
    );

    // The same file twice: the question and the answer in Korean.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("w.svg");
    let mut a = app_at(80, 24, &[]);
    for _ in 0..2 {
        update(&mut a, Message::Plot);
        crate::util::typed(&mut a, f.to_str().unwrap());
        update(&mut a, Message::Submit);
    }
    let s = a.status().expect("a status line").text.clone();
    assert!(s.contains("이미 있습니다: 덮어쓸까요? y/n"), "{s}");
    update(&mut a, Message::Confirm(false));
    let s = a.status().expect("a status line").text.clone();
    assert_eq!(s, "쓰지 않았습니다");
}
