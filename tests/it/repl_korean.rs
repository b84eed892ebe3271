//! `qkv --lang ko repl`: the command list, the usage summaries, the parse errors and what
//! the session says, in Korean; the same script under `--lang en` as before.

use std::process::Output;

use crate::util::{Qkv, text};

/// `qkv --lang <lang> repl` in a scratch directory with `input` on stdin.
fn repl(lang: &str, input: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Qkv::new(&["--lang", lang, "repl", "--keep-going"])
        .dir(dir.path())
        .env("QKV_HISTORY", dir.path().join("history.txt"))
        .stdin(input.as_bytes())
        .output()
}

#[test]
fn help_and_a_bogus_command_in_korean() {
    let o = repl("ko", "help\nbogus\n");
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    // The heading, every command with its Korean summary, the closing lines.
    assert!(
        out.starts_with("명령 (한 줄에 하나; `help <명령>`은 그 사용법):\n"),
        "{out}"
    );
    for c in qkv::command::COMMANDS {
        let ko = qkv::command::summary_in(c, qkv::i18n::Lang::Ko);
        assert!(out.contains(&ko), "{}: {out}", c.name);
        assert!(
            !out.contains(&qkv::command::summary_in(c, qkv::i18n::Lang::En)),
            "{} is still English: {out}",
            c.name
        );
    }
    assert!(out.contains("주소: name, name[h] (헤드)"), "{out}");
    // The unknown command: Korean, with the line number and the way to the list.
    assert!(
        err.contains("2번째 줄: 오류: \"bogus\"라는 명령은 없습니다"),
        "{err}"
    );
    assert!(err.contains("`help`가 목록을 보여 줍니다"), "{err}");
    assert_eq!(o.status.code(), Some(1), "a failed line fails the script");
}

#[test]
fn usage_missing_and_bad_arguments_and_session_messages_in_korean() {
    let o = repl("ko", "help scale\nscale\nscale maybe\nnext\nlayer 9\n");
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    assert!(
        out.contains("scale on|off\n  어텐션 스코어를 √d_k로 나눌지 (스케일링) 정합니다\n"),
        "{out}"
    );
    assert!(
        err.contains(
            "2번째 줄: 오류: scale에는 on 또는 off이(가) 필요합니다: 사용법 `scale on|off`"
        ),
        "{err}"
    );
    assert!(
        err.contains("3번째 줄: 오류: scale: \"maybe\"은(는) 알맞은 값이 아닙니다"),
        "{err}"
    );
    assert!(out.contains("선택한 칸 ["), "{out}");
    assert!(err.contains("5번째 줄: 오류: 층 9은(는) 없습니다"), "{err}");
}

#[test]
fn the_same_script_in_english_is_as_before() {
    let o = repl("en", "help\nbogus\n");
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    assert!(
        out.starts_with("commands (one per line; `help <command>` for its usage):\n"),
        "{out}"
    );
    assert_eq!(out, qkv::command::help(None).unwrap());
    assert!(
        err.contains("line 2: error: unknown command \"bogus\"; type `help` for the list"),
        "{err}"
    );
}

/// `explain` in a Korean REPL explains in Korean (the session's language), with the same
/// value as in English.
#[test]
fn explain_follows_the_sessions_language() {
    let line = "explain enc.0.attn.weights[0][1][2]\n";
    let ko = text(&repl("ko", line).stdout);
    let en = text(&repl("en", line).stdout);
    assert!(ko.contains("소프트맥스(softmax) 가중치"), "{ko}");
    assert!(en.contains("attention weight: how much"), "{en}");
    let value = |s: &str| s.split(" — ").next().unwrap_or("").to_string();
    assert_eq!(value(&ko), value(&en));
}
