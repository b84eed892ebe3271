//! What the session says about files, outputs, training, decoding and practice, and
//! `diff`'s per-step lines, in Korean when the session's language is Korean (and the REPL's
//! prompts); the English texts are the ones the other tests check.

use qkv::i18n::Lang;
use qkv::session::Session;

use crate::util::{has_hangul, session};

/// The untrained session, speaking Korean.
fn korean() -> Session {
    let mut s = session();
    s.set_lang(Lang::Ko);
    s
}

#[test]
fn save_and_check_and_export_speak_korean() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = korean();
    s.apply_line("cell 0 1").unwrap();
    let p = dir.path().join("a.yaml");
    let out = s.apply_line(&format!("save {}", p.display())).unwrap().text;
    assert!(
        out.starts_with(&format!("{}에 저장했습니다 (둘러보기 지점 ", p.display())),
        "{out}"
    );
    assert!(out.contains("`qkv check "), "{out}");
    assert!(!out.contains("saved "), "{out}");
    // The saved file loads back and is the same scenario whatever the language, with its
    // title in both.
    let loaded = Session::open(&p).unwrap();
    assert_eq!(loaded.title(), s.title_in(qkv::i18n::Lang::En));
    assert_eq!(loaded.title_in(qkv::i18n::Lang::Ko), s.title());
    let e = s.apply_line("load! /nonexistent/x.yaml");
    assert!(e.is_err());
    let json = dir.path().join("t.json");
    let out = s
        .apply_line(&format!("export {}", json.display()))
        .unwrap()
        .text;
    assert!(
        out.starts_with(&format!("{}을(를) 썼습니다 (JSON: 단계 ", json.display())),
        "{out}"
    );
    assert!(out.contains("개, 가중치 "), "{out}");
}

#[test]
fn params_speaks_korean_with_the_same_numbers() {
    let mut en = session();
    let mut ko = korean();
    let e = en.apply_line("params").unwrap();
    let k = ko.apply_line("params").unwrap();
    assert!(
        k.text.starts_with("매개변수 (이 세션의 어휘: 토큰 "),
        "{}",
        k.text
    );
    assert!(k.text.trim_end().ends_with("합계"), "{}", k.text);
    assert!(
        k.status.starts_with("매개변수 ") && k.status.ends_with("개"),
        "{}",
        k.status
    );
    // The same total in both languages: `  <total>  total` / `  <total>  합계`.
    let total = |t: &str| {
        t.lines()
            .last()
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string)
    };
    assert_eq!(total(&e.text), total(&k.text));
    assert_eq!(e.status, format!("{} parameters", total(&e.text).unwrap()));
}

#[test]
fn train_and_snapshots_and_checkpoints_speak_korean() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = korean();
    let out = s.apply_line("train 2").unwrap().text;
    // 2 updates from step 0: the run is at step 2.
    assert!(
        out.starts_with("2번 갱신했습니다: 갱신 2, 손실 ")
            && out.contains(" · 말뭉치 내장된 data/ko-en.tsv 사본"),
        "{out}"
    );
    assert!(out.contains(", 학습률 "), "{out}");
    let out = s.apply_line("train snapshot").unwrap().text;
    assert!(out.starts_with("갱신 2의 가중치"), "{out}");
    let e = s.apply_line("train view 9").unwrap_err().text_in(Lang::Ko);
    assert!(e.starts_with("스냅숏 9은(는) 없습니다"), "{e}");
    let p = dir.path().join("m.safetensors");
    let out = s
        .apply_line(&format!("checkpoint save {}", p.display()))
        .unwrap()
        .text;
    assert!(
        out.starts_with(&format!(
            "학습 중인 모델 (갱신 2)을 {}에 저장했습니다",
            p.display()
        )),
        "{out}"
    );
    let e = s
        .apply_line(&format!("checkpoint save {}", p.display()))
        .unwrap_err()
        .text_in(Lang::Ko);
    assert!(
        e.contains("이(가) 이미 있습니다: `checkpoint save! "),
        "{e}"
    );
    let out = s.apply_line("train reset").unwrap().text;
    assert!(out.starts_with("갱신 2번 뒤의 학습을 버렸습니다"), "{out}");
    let e = s.apply_line("train reset").unwrap_err().text_in(Lang::Ko);
    assert_eq!(e, "버릴 학습이 없습니다");
}

#[test]
fn decoding_speaks_korean() {
    let mut s = korean();
    s.apply_line("checkpoint load scenarios/ko-en.safetensors")
        .unwrap();
    let out = s.apply_line("translate 나는 학교에 간다").unwrap();
    assert!(
        out.text
            .starts_with("\"나는 학교에 간다\"을(를) 디코딩합니다 — 모델: "),
        "{}",
        out.text
    );
    assert!(out.text.contains("\n단계 1: <bos> → "), "{}", out.text);
    assert!(out.text.contains("   상위: "), "{}", out.text);
    assert!(out.text.contains("\n출력: "), "{}", out.text);
    assert!(out.status.starts_with("출력: "), "{}", out.status);
    let out = s.apply_line("decode").unwrap().text;
    assert!(
        out.contains("`decode next` (n)가 토큰을 하나씩 더합니다"),
        "{out}"
    );
    let o = s.apply_line("decode next").unwrap();
    assert!(o.status.starts_with("단계 1: "), "{}", o.status);
    let out = s.apply_line("decode back").unwrap().text;
    assert_eq!(out, "되돌림: <bos> (단계 0)");
    let e = s.apply_line("decode back").unwrap_err().text_in(Lang::Ko);
    assert_eq!(e, "이미 디코딩의 처음(<bos>)입니다");
    let e = s.apply_line("generate 나는").unwrap_err().text_in(Lang::Ko);
    assert!(
        e.starts_with("`generate`에는 arch decoder 모델이 필요한데"),
        "{e}"
    );
}

#[test]
fn diff_lines_and_practice_status_speak_korean() {
    let mut s = korean();
    s.apply_line("scale off").unwrap();
    let out = s.apply_line("diff").unwrap().text;
    assert!(out.starts_with("이전 실행 이후: 단계 "), "{out}");
    assert!(out.contains("  변화 없음\n"), "{out}");
    assert!(out.contains("  최대 |Δ| "), "{out}");
    for english in ["unchanged", "max |Δ|", "shape changed"] {
        assert!(!out.contains(english), "{english}: {out}");
    }
    let o = s.apply_line("practice").unwrap();
    assert!(o.text.starts_with("문제 1/1: "), "{}", o.text);
    assert_eq!(
        o.status,
        "연습: 문제 1개 — 답을 입력하세요 (Esc로 나갑니다)"
    );
    // The REPL's prompt while the question is open.
    assert_eq!(qkv::repl::prompt(&s), "연습 1/1> ");
    let out = s.apply_line("practice stop").unwrap().text;
    assert!(
        out.starts_with("문제 1개 중 0개에서 연습을 마쳤습니다: 이번 연습 0/0, 세션 점수 0/0"),
        "{out}"
    );
    let e = s.apply_line("practice stop").unwrap_err().text_in(Lang::Ko);
    assert_eq!(e, "진행 중인 연습이 없습니다: `practice`로 시작합니다");
    assert_eq!(qkv::repl::prompt(&s), "qkv> ");
}

#[test]
fn a_replayed_tour_prompts_in_the_sessions_language() {
    let mut s = Session::open(std::path::Path::new("scenarios/self-attention.yaml")).unwrap();
    s.apply_line("replay").unwrap();
    let en = qkv::repl::prompt(&s);
    assert!(en.starts_with("tour 1/"), "{en}");
    s.set_lang(Lang::Ko);
    let ko = qkv::repl::prompt(&s);
    assert_eq!(ko, en.replace("tour ", "둘러보기 "));
    assert!(has_hangul(&ko));
}

#[test]
fn a_script_piped_into_the_korean_repl_prints_korean_diff_lines_and_params() {
    use crate::util::{Qkv, text};
    let dir = tempfile::tempdir().unwrap();
    let o = Qkv::new(&["--lang", "ko", "repl"])
        .dir(dir.path())
        .env("QKV_HISTORY", dir.path().join("history.txt"))
        .stdin("scale off\ndiff\nparams\nplot enc.0.attn.weights[0] w.csv\n".as_bytes())
        .output();
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.contains("scale off: 다시 실행함; 단계 "), "{out}");
    assert!(out.contains("이전 실행 이후: 단계 "), "{out}");
    assert!(out.contains("  변화 없음\n"), "{out}");
    assert!(out.contains("  최대 |Δ| "), "{out}");
    assert!(out.contains("매개변수 (이 세션의 어휘: 토큰 "), "{out}");
    assert!(out.contains("w.csv을(를) 썼습니다 (csv: "), "{out}");
    for english in ["unchanged", "max |Δ|", "parameters", "wrote "] {
        assert!(!out.contains(english), "{english}: {out}");
    }
}

#[test]
fn the_interactive_korean_repl_prompts_in_korean() {
    use expectrl::{Eof, Expect};
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(crate::util::QKV);
    cmd.arg("repl")
        .current_dir(dir.path())
        .env("QKV_HISTORY", dir.path().join("history.txt"))
        .env("QKV_LANG", "ko")
        .env("TERM", "xterm");
    let mut p = expectrl::Session::spawn(cmd).expect("a pseudo-terminal");
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    p.expect("qkv> ").unwrap();
    p.send("replay\r").unwrap();
    p.expect("둘러보기 1/").unwrap();
    p.expect("> ").unwrap();
    p.send("replay stop\r").unwrap();
    p.expect("qkv> ").unwrap();
    p.send("practice\r").unwrap();
    p.expect("연습 1/1> ").unwrap();
    p.send("practice stop\r").unwrap();
    p.expect("qkv> ").unwrap();
    // A long `train` prints its progress in chunks of 10 updates, then its summary.
    p.send("train 20\r").unwrap();
    p.expect("갱신 10/20 · ").unwrap();
    p.expect("20번 중 20번 갱신했습니다: 갱신 20, 손실 ")
        .unwrap();
    // The prompt says the session studies the weights trained here.
    p.expect("qkv [여기서 20번 학습]> ").unwrap();
    p.send("quit!\r").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn loss_and_grad_printouts_speak_korean_with_the_same_numbers() {
    let mut en = session();
    let mut ko = korean();
    let e = en.apply_line("loss").unwrap();
    let k = ko.apply_line("loss").unwrap();
    // <bos> I go to school predicts 5 positions (see learning::loss_prints_…).
    let value = e.status.split_whitespace().nth(1).unwrap().to_string();
    assert_eq!(e.status, format!("loss {value} over 5 positions"));
    assert_eq!(k.status, format!("손실 {value} (위치 5곳)"));
    assert!(
        k.text.starts_with(&format!(
            "손실 = {value} (예측한 위치 5곳의 평균 교차 엔트로피)\n    위치  정답 (id)"
        )),
        "{}",
        k.text
    );
    // The rows are the same in both languages.
    let rows = |t: &str| t.lines().skip(2).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(rows(&e.text), rows(&k.text));
    let g = ko.apply_line("grad").unwrap();
    assert!(g.status.starts_with("기울기 grad."), "{}", g.status);
    assert!(
        g.status.ends_with(&format!("(손실 {value})")),
        "{}",
        g.status
    );
    assert!(
        g.text.contains(&format!("(역전파 ↑; 손실 {value}):\n")),
        "{}",
        g.text
    );
}

/// The model's provenance (`decode`'s first line, the REPL's `translate`) in Korean: it
/// said `trained (1000 updates) · ko-en.safetensors` in a Korean session.
#[test]
fn the_provenance_speaks_korean() {
    let s = korean();
    assert_eq!(s.provenance(), "학습 전 (무작위 가중치, 시드 42)");
    let mut d = Session::default_scenario().unwrap();
    d.set_lang(Lang::Ko);
    assert_eq!(d.provenance(), "학습됨 (1000번 갱신) · ko-en.safetensors");
    let out = d.apply_line("translate 나는 학교에 간다").unwrap().text;
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.contains("모델: 학습됨 (1000번 갱신) · ko-en.safetensors"),
        "{first}"
    );
    // English stays as it was.
    d.set_lang(Lang::En);
    assert_eq!(d.provenance(), "trained (1000 updates) · ko-en.safetensors");
}
