//! The errors of the trace, the weights and the files, and the steps' formula lines, in
//! Korean under `--lang ko`, through the real binary and the session; the English ones as
//! before.

use std::process::Output;

use qkv::command::parse;
use qkv::i18n::Lang;
use qkv::session::Session;

use crate::util::{Qkv, text};

/// `qkv --lang <lang> repl --keep-going` in a scratch directory with `input` on stdin.
fn repl(lang: &str, input: &str) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let o = Qkv::new(&["--lang", lang, "repl", "--keep-going"])
        .dir(dir.path())
        .env("QKV_HISTORY", dir.path().join("history.txt"))
        .stdin(input.as_bytes())
        .output();
    (o, dir)
}

#[test]
fn the_repl_says_trace_weight_and_file_errors_in_korean() {
    // The default model has 4 heads (0 to 3) and 3 tokens (rows 0 to 2), d_model = 32.
    let script = "head 7\nshow enc.0.attn.weights[0][9]\nshow nonexistent\nexport x.txt\nset embed 나는 [1, 2]\nexplain embed.sum\nsave .\n";
    let (o, _d) = repl("ko", script);
    let err = text(&o.stderr);
    for want in [
        "1번째 줄: 오류: enc.0.attn.weights: 헤드 7은(는) 없습니다 (헤드는 0부터 3까지)",
        "2번째 줄: 오류: enc.0.attn.weights: 행 인덱스 9은(는) 범위 밖입니다 (가능한 행: 0부터 2까지)",
        "3번째 줄: 오류: \"nonexistent\"라는 단계는 없습니다",
        "4번째 줄: 오류: x.txt의 내보내기 형식을 알 수 없습니다: .npz나 .json으로 끝나는 파일 이름을 쓰세요",
        "5번째 줄: 오류: \"나는\"의 벡터는 값이 2개입니다: d_model = 32개여야 합니다",
        "6번째 줄: 오류: embed.sum은(는) 단계 전체입니다",
        "7번째 줄: 오류: .은(는) 디렉터리입니다",
    ] {
        assert!(err.contains(want), "{want}\n---\n{err}");
    }
    // The same script in English is unchanged.
    let (o, _d) = repl("en", script);
    let err = text(&o.stderr);
    for want in [
        "line 1: error: enc.0.attn.weights: head 7 does not exist (heads 0 to 3)",
        "line 2: error: enc.0.attn.weights: row index 9 is out of range (rows 0 to 2)",
        "line 4: error: cannot tell the export format of x.txt: use a file name ending in .npz or .json",
        "line 5: error: the vector of \"나는\" has 2 values: expected d_model = 32",
    ] {
        assert!(err.contains(want), "{want}\n---\n{err}");
    }
    assert!(
        !err.chars()
            .any(|c| ('가'..='힣').contains(&c) && c != '나' && c != '는'),
        "{err}"
    );
}

/// A session in `lang` after `commands`.
fn session(lang: Lang, commands: &[&str]) -> (Session, Vec<qkv::session::Outcome>) {
    let mut s = Session::default_scenario().unwrap();
    s.set_lang(lang);
    let outs = commands
        .iter()
        .map(|c| s.apply(parse(c).unwrap().unwrap()).unwrap())
        .collect();
    (s, outs)
}

#[test]
fn the_status_line_and_the_printed_matrix_carry_the_korean_formula() {
    // enc.0.attn.q's formula: d_k = 32 / 4 = 8.
    let (_, outs) = session(
        Lang::Ko,
        &[
            "show embed.sum",
            "next",
            "scale off",
            "show enc.0.attn.scaled",
        ],
    );
    let next = &outs[1];
    assert!(
        next.status
            .ends_with("enc.0.attn.q[0]  q = X · W_Q; 헤드 h = 열 h·d_k..(h+1)·d_k, d_k = 8"),
        "{}",
        next.status
    );
    assert!(
        next.text
            .contains("q = X · W_Q; 헤드 h = 열 h·d_k..(h+1)·d_k, d_k = 8"),
        "{}",
        next.text
    );
    assert!(
        outs[3].text.contains("scaled = scores (스케일링 꺼짐)"),
        "{}",
        outs[3].text
    );
    let (_, outs) = session(Lang::En, &["show embed.sum", "next"]);
    assert!(
        outs[1]
            .status
            .ends_with("enc.0.attn.q[0]  q = X · W_Q; head h = columns h·d_k..(h+1)·d_k, d_k = 8"),
        "{}",
        outs[1].status
    );
}

/// The words of a formula that are neither names (with `.`, `_` or a digit) nor math.
fn english_words(formula: &str) -> Vec<String> {
    const MATH: [&str; 24] = [
        "softmax", "max", "sin", "cos", "relu", "mean", "var", "eps", "gamma", "beta", "logits",
        "probs", "sum", "hidden", "out", "tokens", "pos", "scores", "scaled", "masked", "weights",
        "concat", "output", "E",
    ];
    formula
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !w.contains(['_', '.']) && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| w.len() > 2 && !MATH.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn no_english_words_are_left_in_the_korean_formulas() {
    let variants: [&[&str]; 5] = [
        &[],
        &["scale off", "pe off"],
        &["mask causal"],
        &["set model.arch encoder-decoder", "target I go to school"],
        &["attend q=[[1, 0], [0, 1]] k=[[1, 0], [0, 1]] v=[[1, 2], [3, 4]] mask=causal"],
    ];
    let mut seen = 0;
    for cmds in variants {
        let (s, _) = session(Lang::Ko, cmds);
        for step in s.trace().steps() {
            let ko = qkv::i18n::formula::formula_in(step, Lang::Ko);
            let left = english_words(&ko);
            assert!(left.is_empty(), "{}: {ko}: {left:?}", step.name());
            assert_eq!(
                qkv::i18n::formula::formula_in(step, Lang::En),
                step.formula()
            );
            seen += 1;
        }
    }
    assert!(seen > 100, "{seen}");
}

#[test]
fn a_models_bad_field_says_its_value_and_what_is_allowed_in_korean() {
    // d_model = 32 has the divisors 1, 2, 4, 8, 16, 32; 3 is not one of them.
    for (lang, want) in [
        (
            Lang::Ko,
            "모델이나 입력이 올바르지 않습니다: model.heads = 3: d_model = 32의 약수여야 합니다 (1, 2, 4, 8, 16, 32 중 하나)",
        ),
        (
            Lang::En,
            "model.heads = 3: expected a divisor of d_model = 32 (one of 1, 2, 4, 8, 16, 32)",
        ),
    ] {
        let mut s = Session::default_scenario().unwrap();
        s.set_lang(lang);
        let e = s
            .apply(parse("set model.heads 3").unwrap().unwrap())
            .unwrap_err();
        assert_eq!(e.text_in(lang), want);
    }
    // A sentence longer than max_tokens (2): 3 tokens.
    let mut s = Session::default_scenario().unwrap();
    s.set_lang(Lang::Ko);
    let e = s
        .apply(parse("set model.max_tokens 2").unwrap().unwrap())
        .unwrap_err();
    assert!(
        e.text_in(Lang::Ko)
            .contains("input.text = 토큰 3개: 토큰 2개 이하여야 합니다 (max_tokens)"),
        "{}",
        e.text_in(Lang::Ko)
    );
}

/// The note under a matrix printed in part speaks the session's language, with the same
/// counts: `embed.sum` of the default scenario is 3 tokens × 32 dimensions.
#[test]
fn the_note_under_a_matrix_shown_in_part_is_korean() {
    let (_, en) = session(Lang::En, &["show embed.sum"]);
    let (_, ko) = session(Lang::Ko, &["show embed.sum"]);
    let line = |t: &str, start: &str| {
        t.lines()
            .find(|l| l.starts_with(start))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no {start:?} line in\n{t}"))
    };
    let en = line(&en[0].text, "(showing");
    let ko = line(&ko[0].text, "(행 3개 중 3개, 열 32개 중");
    assert!(
        en.starts_with("(showing 3 of 3 rows, ")
            && en.contains(" of 32 columns; --full shows all)"),
        "{en}"
    );
    assert!(
        ko.ends_with("개를 보여 줍니다; --full이면 모두 보입니다)"),
        "{ko}"
    );
    // The same number of columns shown in both.
    let shown = |l: &str, before: &str| {
        l.split(before)
            .nth(1)
            .and_then(|r| {
                r.split(|c: char| !c.is_ascii_digit())
                    .find(|p| !p.is_empty())
            })
            .map(str::to_string)
    };
    assert_eq!(shown(&en, "rows, "), shown(&ko, "열 32개 중 "));
}
