//! What the session says (`Session::apply`'s status lines, printed text and errors) in
//! Korean when the front end sets `--lang ko`, and unchanged in English.

use qkv::command::Command;
use qkv::i18n::Lang;
use qkv::session::Session;
use qkv::tui::message::Message;
use qkv::tui::{App, update};
use ratatui::layout::Size;

use crate::util::{prompt, screen};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn app(lang: Lang, w: u16, h: u16, msgs: &[Message]) -> App {
    let s = Session::untrained_scenario().unwrap();
    let mut a = App::with_lang(s, Size::new(w, h), lang);
    for m in msgs {
        update(&mut a, m.clone());
    }
    a
}

fn status(a: &App) -> String {
    a.status().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn the_session_speaks_english_until_told_otherwise() {
    let mut s = Session::untrained_scenario().unwrap();
    assert_eq!(s.lang(), Lang::En);
    let o = s.apply(Command::Next).unwrap();
    assert!(o.status.starts_with("step "), "{}", o.status);
    s.set_lang(Lang::Ko);
    assert_eq!(s.lang(), Lang::Ko);
    let o = s.apply(Command::Next).unwrap();
    assert!(o.status.starts_with("단계 "), "{}", o.status);
    // The REPL's text says the selected cell in Korean too.
    assert!(o.text.contains("선택한 칸 ["), "{}", o.text);
}

#[test]
fn a_rerun_summary_an_error_and_a_warning_in_korean() {
    let mut s = Session::untrained_scenario().unwrap();
    s.set_lang(Lang::Ko);
    let o = s
        .apply(Command::Toggle(qkv::command::Setting::Scale))
        .unwrap();
    assert!(o.status.starts_with("scale off: 단계 "), "{}", o.status);
    assert!(o.status.contains("개가 바뀜"), "{}", o.status);
    assert!(o.text.contains("다시 실행함"), "{}", o.text);
    let e = s.apply(Command::Layer(9)).unwrap_err().to_string();
    // The tiny preset has 2 encoder layers: 0 and 1.
    assert_eq!(e, "층 9은(는) 없습니다: 인코더 스택의 층은 0 또는 1입니다");
    let o = s.apply(Command::Scale(qkv::command::Switch::Off)).unwrap();
    assert_eq!(
        o.status,
        "scale off: 이미 그렇습니다; 다시 실행할 것이 없습니다"
    );
    // The toggle left unsaved changes: quitting warns first.
    let o = s.apply(Command::Quit { force: false }).unwrap();
    assert!(!o.quit);
    assert!(
        o.status.starts_with("저장하지 않은 변경이 있습니다"),
        "{}",
        o.status
    );
}

#[test]
fn the_language_is_not_saved_in_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ko.yaml");
    let mut s = Session::untrained_scenario().unwrap();
    s.set_lang(Lang::Ko);
    s.apply(Command::Next).unwrap();
    s.apply(Command::Save {
        path: path.clone(),
        force: false,
    })
    .unwrap();
    let yaml = std::fs::read_to_string(&path).unwrap();
    assert!(
        !yaml.lines().any(|l| l.trim_start().starts_with("lang")),
        "{yaml}"
    );
    // A session opened from it speaks English until its front end says otherwise.
    assert_eq!(Session::open(&path).unwrap().lang(), Lang::En);
}

#[test]
fn the_workbench_passes_its_language_to_the_session() {
    let a = app(Lang::Ko, 120, 40, &[]);
    assert_eq!(a.session().lang(), Lang::Ko);
    let mut a = app(Lang::En, 120, 40, &[]);
    assert_eq!(a.session().lang(), Lang::En);
    a.set_lang(Lang::Ko);
    assert_eq!(a.session().lang(), Lang::Ko);
}

#[test]
fn english_status_lines_are_as_before() {
    let a = app(Lang::En, 120, 40, &[Message::NextStep]);
    assert!(status(&a).starts_with("step "), "{}", status(&a));
    let a = app(Lang::En, 120, 40, &[Message::ToggleScale]);
    assert!(
        status(&a).starts_with("scale off: ") && status(&a).contains(" steps changed"),
        "{}",
        status(&a)
    );
    let a = app(Lang::En, 120, 40, &prompt("layer 9"));
    assert_eq!(
        status(&a),
        "error: layer 9 does not exist: the encoder stack has layers 0 or 1"
    );
}

#[test]
fn the_status_line_in_korean_after_n() {
    for (w, h) in SIZES {
        let a = app(Lang::Ko, w, h, &[Message::NextStep]);
        assert!(status(&a).starts_with("단계 "), "{}", status(&a));
        insta::assert_snapshot!(format!("ko_status_next_{w}x{h}"), screen(&a));
    }
}

#[test]
fn the_status_line_in_korean_after_a_toggle() {
    for (w, h) in SIZES {
        let a = app(Lang::Ko, w, h, &[Message::ToggleScale]);
        assert!(status(&a).contains("개가 바뀜"), "{}", status(&a));
        insta::assert_snapshot!(format!("ko_status_scale_{w}x{h}"), screen(&a));
    }
}

#[test]
fn the_status_line_in_korean_after_an_error() {
    for (w, h) in SIZES {
        let a = app(Lang::Ko, w, h, &prompt("layer 9"));
        assert_eq!(
            status(&a),
            "오류: 층 9은(는) 없습니다: 인코더 스택의 층은 0 또는 1입니다"
        );
        insta::assert_snapshot!(format!("ko_status_error_{w}x{h}"), screen(&a));
    }
}

#[test]
fn a_key_that_cannot_act_says_so_in_korean() {
    // The workbench opens on layer 0: `{` has nowhere to go.
    let a = app(Lang::Ko, 120, 40, &[Message::PrevLayer]);
    assert_eq!(status(&a), "오류: 이미 층 0입니다; }는 다음 층으로 갑니다");
    let a = app(Lang::En, 120, 40, &[Message::PrevLayer]);
    assert_eq!(
        status(&a),
        "error: already at layer 0; } goes to the next layer"
    );
}

/// A Korean practice round through the session: the question, a wrong answer named as a
/// classic mistake in Korean (with the same numbers as the English grading), a right one.
#[test]
fn a_practice_round_in_korean() {
    let open = |lang| {
        let mut s =
            Session::open(std::path::Path::new("scenarios/practice-dot-product.yaml")).unwrap();
        s.set_lang(lang);
        s
    };
    let mut s = open(Lang::Ko);
    let q = s.apply(Command::Practice(None)).unwrap().text;
    // scores[0][0] = q · k0 with q = [1, 2, 3], k0 = [2, 1, 2].
    for want in [
        "scores[0][0] 계산하기  (행 0 q0, 열 0 k0): 숫자 1개",
        "  식: scores = q · kᵀ",
        "  힌트: Multiply q and k0",
        "  `answer <숫자>`로 답하거나 숫자를 입력하세요; ±0.01 안이면 정답입니다",
    ] {
        assert!(q.contains(want), "{want:?} missing from\n{q}");
    }
    assert!(!q.contains("compute") && !q.contains("answer with"), "{q}");
    // 1×2 + 2×1 + 3×2 = 10; with the third product's sign flipped: 2 + 2 − 6 = −2.
    let wrong = s.apply(Command::Answer(vec![-2.0])).unwrap().text;
    for want in [
        "오답\n",
        "  ✗ scores[0][0]: 내 답 −2, 트레이스 10 — 오답",
        "      곱 하나의 부호가 틀렸습니다: q·k의 3번째 항은 3×2 = 6입니다; 내 답은 그 항의 부호를 바꾼 합입니다 (−6)",
        "  1개 중 0개 정답 (허용 오차 ±0.01)",
    ] {
        assert!(wrong.contains(want), "{want:?} missing from\n{wrong}");
    }
    // The arithmetic beside it is the Korean explanation.
    assert!(wrong.contains("  │ "), "{wrong}");
    let english = {
        let mut e = open(Lang::En);
        e.apply(Command::Practice(None)).unwrap();
        e.apply(Command::Answer(vec![-2.0])).unwrap().text
    };
    assert!(
        english.contains("one product's sign went wrong: term 3 of q·k is 3×2 = 6"),
        "{english}"
    );
    // The next question, scores[0][1] = 1×0 + 2×1 + 3×(−1) = −1, answered right.
    assert!(wrong.contains("scores[0][1] 계산하기"), "{wrong}");
    let right = s.apply(Command::Answer(vec![-1.0])).unwrap().text;
    assert!(right.starts_with("정답\n"), "{right}");
    assert!(
        right.contains("  ✓ scores[0][1]: 내 답 −1, 트레이스 −1 — 정답"),
        "{right}"
    );
    assert!(
        right.contains("  1개 중 1개 정답 (허용 오차 ±0.01)"),
        "{right}"
    );
}

/// Practice's own errors follow the session's language: two numbers for a one-cell question,
/// and a whole step instead of a row or a cell.
#[test]
fn practice_errors_in_korean() {
    let mut s = Session::open(std::path::Path::new("scenarios/practice-dot-product.yaml")).unwrap();
    s.set_lang(Lang::Ko);
    s.apply(Command::Practice(None)).unwrap();
    let e = s.apply(Command::Answer(vec![1.0, 2.0])).unwrap_err();
    assert_eq!(
        e.text_in(Lang::Ko),
        "scores[0][0]은(는) 숫자 1개를 묻는데, 2개를 받았습니다"
    );
    let mut s = qkv::session::Session::untrained_scenario().unwrap();
    s.set_lang(Lang::Ko);
    let e = s
        .apply_line("practice embed.sum")
        .expect_err("a whole step is not a question");
    let text = e.text_in(Lang::Ko);
    assert!(
        text.contains("embed.sum은(는) 단계 전체입니다: 연습은 칸 하나나 행 하나를 묻습니다"),
        "{text}"
    );
}
