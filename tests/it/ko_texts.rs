//! The interface tells the truth in both languages: scenarios carry a Korean title and
//! description that `--lang ko` shows (and `save` keeps); `qkv params`, `qkv check`,
//! `qkv gradcheck` and the no-terminal message are Korean; one Korean word for parameters;
//! the practice prompt's grammar; `attend` without `v`; the header marks a word the model
//! reads as `<unk>`.

use std::fs;
use std::path::Path;

use qkv::i18n::Lang;
use qkv::scenario::io;
use qkv::session::Session;
use qkv::tui::{App, update};
use ratatui::layout::Size;

use crate::util::{Qkv, has_hangul, prompt, say, screen, stderr, stdout, yaml_files};

/// `qkv args` with no language in the environment but `lang` (`QKV_LANG`).
fn qkv_in(lang: &str, args: &[&str]) -> std::process::Output {
    let mut q = Qkv::new(args);
    for v in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        q = q.env(v, "");
    }
    q.env("QKV_LANG", lang).output()
}

fn korean_session(path: &str) -> Session {
    let mut s = Session::open(Path::new(path)).unwrap();
    s.set_lang(Lang::Ko);
    s
}

#[test]
fn every_shipped_scenario_has_a_korean_title_and_description() {
    let files = yaml_files("scenarios");
    assert_eq!(files.len(), 20, "{files:?}");
    for f in files {
        // Parsed, not built: opus-mt-ko-en.yaml names a model directory downloaded by hand.
        let text = std::fs::read_to_string(&f).unwrap();
        let file = &io::parse(&text, &f.display().to_string()).unwrap();
        // A title may be the same sentence pair in both (나는 학교에 간다 → I go to school),
        // but it is written in the file; the description is Korean prose.
        let title_ko = match file {
            qkv::scenario::schema::ScenarioFile::Model(s) => &s.title_ko,
            qkv::scenario::schema::ScenarioFile::Attention(a) => &a.title_ko,
        };
        assert!(has_hangul(title_ko), "{}", f.display());
        let (en, ko) = (file.description_in(Lang::En), file.description_in(Lang::Ko));
        assert!(has_hangul(ko) && en != ko, "{}: {ko}", f.display());
    }
}

#[test]
fn the_korean_interface_shows_the_korean_title() {
    // qkv run and qkv replay.
    let o = qkv_in("ko", &["run", "scenarios/dot-product.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("쿼리 하나, 키 셋 — 글의 내적 예"),
        "{}",
        stdout(&o)
    );
    let o = qkv_in("en", &["run", "scenarios/dot-product.yaml"]);
    assert!(
        stdout(&o).contains("One query, three keys — the article's dot-product example"),
        "{}",
        stdout(&o)
    );
    let o = qkv_in("ko", &["replay", "scenarios/self-attention.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("나는 학교에 간다의 셀프 어텐션"),
        "{}",
        stdout(&o)
    );
    // The REPL (its greeting prints the session's title; `load` names it).
    let mut s = crate::util::session();
    s.set_lang(Lang::Ko);
    let out = say(&mut s, "load scenarios/scaling.yaml");
    assert!(
        out.contains("왜 √d_k로 나누는가 — 스케일링을 켠 d_k = 64"),
        "{out}"
    );
    assert!(s.title().starts_with("왜 √d_k로 나누는가"), "{}", s.title());
    // The workbench's header and about box.
    for (w, h) in [(120, 40), (80, 24)] {
        let s = Session::open(Path::new("scenarios/dot-product.yaml")).unwrap();
        let mut a = App::with_lang(s, Size::new(w, h), Lang::Ko);
        let text = screen(&a);
        assert!(text.contains("qkv · 쿼리 하나"), "{w}×{h}\n{text}");
        // The opening status line names the Korean title too.
        assert!(!text.contains("One query"), "{w}×{h}\n{text}");
        update(&mut a, qkv::tui::Message::About);
        let text = screen(&a);
        assert!(text.contains("견줍니다"), "{w}×{h}\n{text}");
    }
}

#[test]
fn a_file_without_korean_shows_its_english_and_saving_keeps_both() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.yaml");
    fs::write(
        &old,
        "version: 1\ntitle: Only English\ndescription: written before title_ko\ninput:\n  text: 나는 간다\n",
    )
    .unwrap();
    let s = korean_session(old.to_str().unwrap());
    assert_eq!(s.title(), "Only English");
    assert_eq!(s.description(), "written before title_ko");

    // Saved unchanged: both languages as they were.
    let mut s = korean_session("scenarios/untrained.yaml");
    let same = dir.path().join("same.yaml");
    say(&mut s, &format!("save {}", same.display()));
    let back = korean_session(same.to_str().unwrap());
    assert_eq!(back.title(), "나는 학교에 간다 → I go to school");
    let yaml = fs::read_to_string(&same).unwrap();
    assert!(
        yaml.contains("title: 나는 학교에 간다 → I go to school\n"),
        "{yaml}"
    );
    assert!(yaml.contains("description_ko: "), "{yaml}");

    // A new sentence: a new title and description in both languages, each naming the old
    // title in its own language.
    say(&mut s, "text 나는 간다");
    let changed = dir.path().join("changed.yaml");
    say(&mut s, &format!("save {}", changed.display()));
    let yaml = fs::read_to_string(&changed).unwrap();
    assert!(
        yaml.contains("title: Session on 나는 간다 (from “나는 학교에 간다 → I go to school”)"),
        "{yaml}"
    );
    assert!(
        yaml.contains("title_ko: 나는 간다에 대한 세션 (“나는 학교에 간다 → I go to school”에서)"),
        "{yaml}"
    );
    assert!(
        yaml.contains("description_ko: qkv 세션에서 저장했습니다."),
        "{yaml}"
    );
    let mut en = Session::open(&changed).unwrap();
    en.set_lang(Lang::En);
    assert!(
        en.title().starts_with("Session on 나는 간다"),
        "{}",
        en.title()
    );
}

#[test]
fn params_speaks_korean() {
    let o = qkv_in("ko", &["params", "--vocab", "37000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // Base: 6 layers; the embedding table 37000 · 512 = 18,944,000.
    assert!(
        out.starts_with("base의 매개변수 (encoder-decoder, d_model 512, 헤드 8개"),
        "{out}"
    );
    assert!(out.contains("18,944,000  임베딩 표 embed.E"), "{out}");
    assert!(
        out.contains("인코더: 층 6개 × (셀프 어텐션 + FFN + 층 정규화 2개)"),
        "{out}"
    );
    assert!(out.contains("63,045,632  합계 (63.05M)"), "{out}");
    assert!(out.contains("논문은 base 모델을 65M으로 적습니다"), "{out}");
    assert!(!out.contains("encoder:") && !out.contains("total"), "{out}");
    let o = qkv_in("ko", &["params", "--table3"]);
    let out = stdout(&o);
    assert!(out.starts_with("논문의 Table 3을 세어 봅니다"), "{out}");
    assert!(out.contains("차이가 나는 까닭"), "{out}");
    // The REPL's rows are the same rows.
    let mut s = Session::default_scenario().unwrap();
    s.set_lang(Lang::Ko);
    let out = say(&mut s, "params");
    assert!(out.contains("인코더: 층 2개 × (셀프 어텐션"), "{out}");
}

#[test]
fn check_and_gradcheck_speak_korean() {
    let o = qkv_in("ko", &["check", "scenarios/dot-product.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with(
            "통과  scenarios/dot-product.yaml  scores  matrix  기댓값 scores[0][0] = 10  실제 10  |차이| 0  허용 오차 "
        )),
        "{out}"
    );
    assert!(
        out.trim_end().lines().last().unwrap().starts_with("통과 "),
        "{out}"
    );
    assert!(out.trim_end().ends_with("실패 0개"), "{out}");
    // English stays as it was, closing on `N passed, 0 failed`.
    let o = qkv_in("en", &["check", "scenarios/dot-product.yaml"]);
    assert!(
        stdout(&o).trim_end().ends_with("passed, 0 failed"),
        "{}",
        stdout(&o)
    );

    let o = qkv_in(
        "ko",
        &["gradcheck", "scenarios/untrained.yaml", "--per-weight", "1"],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("기울기 검사: 역전파와 중앙 차분"), "{out}");
    assert!(out.contains("가중치") && out.contains("최대 상대"), "{out}");
    assert!(out.contains("개를 검사했습니다"), "{out}");
    assert!(!out.contains("values checked"), "{out}");
}

#[test]
fn the_no_terminal_message_speaks_korean() {
    // The test's stdin is not a terminal.
    let o = qkv_in("ko", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("qkv: 워크벤치는 터미널이 있어야 하는데"),
        "{}",
        stderr(&o)
    );
    let o = qkv_in("en", &[]);
    assert!(
        stderr(&o).starts_with("qkv: the workbench needs a terminal"),
        "{}",
        stderr(&o)
    );
}

/// 매개변수 is the standard Korean word for a model's parameters (Korean ML textbooks):
/// no Korean text of qkv, its help or its documents says 파라미터.
#[test]
fn one_korean_word_for_parameters() {
    let mut files = vec![Path::new("README.md").to_path_buf()];
    let mut todo = vec![
        Path::new("docs").to_path_buf(),
        Path::new("src").to_path_buf(),
        Path::new("crates/qkv-core/src").to_path_buf(),
        Path::new("scenarios").to_path_buf(),
    ];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "md" || x == "rs" || x == "yaml")
            {
                files.push(p);
            }
        }
    }
    let other = ['파', '라', '미', '터'].iter().collect::<String>();
    for f in &files {
        let text = fs::read_to_string(f).unwrap();
        assert!(!text.contains(&other), "{} says {other}", f.display());
    }
    // And what qkv prints in Korean says 매개변수.
    let o = qkv_in("ko", &["--help"]);
    assert!(stdout(&o).contains("매개변수"), "{}", stdout(&o));
    assert!(!stdout(&o).contains(&other), "{}", stdout(&o));
}

/// A scaled score asked alone reads "score = scores[0][2] = 6", not "scores = scores[0]
/// columns 2 = [6]".
#[test]
fn a_practice_prompt_names_one_score_as_one_cell() {
    for (lang, one) in [
        ("en", "score = scores[0][2] = 6"),
        ("ko", "점수 = scores[0][2] = 6"),
    ] {
        let o = Qkv::new(&[
            "--lang",
            lang,
            "practice",
            "scenarios/practice-dot-product.yaml",
        ])
        .stdin(b"10\n-1\n6\n5.7735\n-0.5774\n3.4641\n")
        .output();
        let out = stdout(&o);
        assert!(out.contains(one), "{lang}: {out}");
        assert!(
            !out.contains(" columns 2 = ") && !out.contains("의 열 2 ="),
            "{out}"
        );
    }
}

/// The article gives q and k only: q·k = 10, −1, 6; ÷ √3 = 5.7735, −0.5774, 3.4641;
/// softmax: e^0 = 1, e^(−6.3509) = 0.0017, e^(−2.3094) = 0.0993, Σ = 1.1011, so the
/// weights are 0.9082, 0.0016, 0.0902.
#[test]
fn attend_without_v_stops_at_the_weights() {
    const ARTICLE: &str = "attend q=[1,2,3] k=[[2,1,2],[0,1,-1],[1,1,1]]";
    let mut s = crate::util::session();
    let out = say(&mut s, ARTICLE);
    assert!(out.contains("q·k = 1×2 + 2×1 + 3×2 = 10"), "{out}");
    assert!(out.contains("5.7735"), "{out}");
    assert!(out.contains("0.9082"), "{out}");
    assert!(out.contains("0.0902"), "{out}");
    assert!(
        out.contains("no v given: the weighted sum (output = weights · v) is not computed"),
        "{out}"
    );
    assert!(s.trace().get("output").is_none() && s.trace().get("v").is_none());
    let e = say(&mut s, "explain weights[0][2]");
    assert!(e.contains("0.0902"), "{e}");
    let e = say(&mut s, "explain scaled[0][1]");
    assert!(e.contains("−0.5774") || e.contains("-0.5774"), "{e}");
    // In Korean.
    let mut k = crate::util::session();
    k.set_lang(Lang::Ko);
    let out = say(&mut k, ARTICLE);
    assert!(out.contains("v가 주어지지 않았습니다"), "{out}");
    // A hand-check file without v runs too.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("qk.yaml");
    fs::write(
        &f,
        "version: 1\nkind: attention\nq: [[1, 2, 3]]\nk: [[2, 1, 2], [0, 1, -1], [1, 1, 1]]\nexpect:\n  scores: [[10, -1, 6]]\n",
    )
    .unwrap();
    let o = qkv_in("en", &["run", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no v given"), "{}", stdout(&o));
    let o = qkv_in("en", &["check", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // Expecting an output without v is named.
    fs::write(
        &f,
        "version: 1\nkind: attention\nq: [[1]]\nk: [[1]]\nexpect:\n  output: [[1]]\n",
    )
    .unwrap();
    let o = qkv_in("en", &["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no v is given"), "{}", stderr(&o));
    // The workbench.
    for (w, h) in [(120, 40), (80, 24)] {
        let mut a = App::new(crate::util::session(), Size::new(w, h));
        for m in prompt(ARTICLE) {
            update(&mut a, m);
        }
        let text = screen(&a);
        assert!(text.contains("scores"), "{w}×{h}\n{text}");
        if w == 120 {
            // The header names what is not computed.
            update(&mut a, qkv::tui::Message::Cancel);
            let text = screen(&a);
            assert!(text.contains("softmax · no v: no weighted sum"), "{text}");
        }
        assert!(a.session().is_hand_check());
        assert!(a.session().trace().get("weights").is_some());
    }
}

/// `나는 바나나 간다` on the trained model: 바나나 is not in its vocabulary (바나나를 is),
/// and the header says so as the matrix labels do.
#[test]
fn the_header_marks_a_word_read_as_unk() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut a = App::with_lang(
            Session::default_scenario().unwrap(),
            Size::new(w, h),
            Lang::Ko,
        );
        for m in prompt("text 나는 바나나 간다") {
            update(&mut a, m);
        }
        let text = screen(&a);
        let header = text.lines().take(5).collect::<Vec<_>>().join("\n");
        assert!(header.contains("나는 바나나→<unk> 간다"), "{w}×{h}\n{text}");
    }
    // A sentence of known words is shown as typed.
    let a = crate::util::trained(120, 40);
    let text = screen(&a);
    assert!(!text.lines().take(5).any(|l| l.contains("<unk>")), "{text}");
}
