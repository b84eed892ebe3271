//! `qkv --help`, every subcommand's help, clap's errors and the commands' errors in Korean
//! when the language is Korean (`--lang ko`, `QKV_LANG=ko`, a Korean locale), found before
//! clap parses; the English help byte for byte as before (`tests/fixtures/help/`).

use std::process::{Command, Output};

use crate::util::numbers;

const BIN: &str = env!("CARGO_BIN_EXE_qkv");

/// Every subcommand (`""`: `qkv --help` itself).
const SUBCOMMANDS: [&str; 18] = [
    "",
    "run",
    "export",
    "plot",
    "params",
    "check",
    "replay",
    "explain",
    "repl",
    "tui",
    "practice",
    "bench",
    "train",
    "translate",
    "generate",
    "gradcheck",
    "explore",
    "lens",
];

/// `qkv args` with a clean language environment plus `env`.
fn qkv(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args.iter().filter(|a| !a.is_empty()));
    for v in ["QKV_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that `text` holds every one of `wants`.
fn says(text: &str, wants: &[&str]) {
    for want in wants {
        assert!(text.contains(want), "{want:?} missing from\n{text}");
    }
}

/// Asserts that `text` holds none of `words` (English left in a Korean output).
fn says_none(text: &str, words: &[&str]) {
    for w in words {
        assert!(!text.contains(w), "{w:?} in\n{text}");
    }
}

fn fixture(sub: &str) -> String {
    let name = if sub.is_empty() {
        "en.txt".to_string()
    } else {
        format!("en_{sub}.txt")
    };
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/help/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_english_help_is_unchanged() {
    for sub in SUBCOMMANDS {
        let want = fixture(sub);
        let o = qkv(&[sub, "--help"], &[]);
        assert_eq!(out(&o), want, "qkv {sub} --help");
        // --lang en wins over a Korean locale.
        let o = qkv(&["--lang", "en", sub, "--help"], &[("LANG", "ko_KR.UTF-8")]);
        assert_eq!(out(&o), want, "qkv --lang en {sub} --help");
    }
}

#[test]
fn the_help_is_korean_when_the_language_is() {
    for sub in SUBCOMMANDS {
        let en = fixture(sub);
        let o = qkv(&[sub, "--help"], &[("QKV_LANG", "ko")]);
        assert!(o.status.success(), "{sub}: {}", err(&o));
        let ko = out(&o);
        assert!(ko.contains("\n사용법: qkv"), "{sub}:\n{ko}");
        assert!(ko.contains("옵션:\n"), "{sub}:\n{ko}");
        assert!(
            ko.contains("-h, --help") && ko.contains("도움말을 출력합니다"),
            "{sub}:\n{ko}"
        );
        // No English help line is left: the about (the first line) and every option's text.
        let about = en.lines().next().unwrap();
        assert!(!ko.contains(about), "{sub}: {about}");
        for line in en.lines().filter(|l| l.trim_start().starts_with("--")) {
            let text = line
                .trim_start()
                .split_once("  ")
                .map_or("", |(_, t)| t.trim());
            if !text.is_empty() {
                assert!(!ko.contains(text), "{sub}: still English: {text}");
            }
        }
        assert!(
            !ko.contains("[default:") && !ko.contains("possible values"),
            "{sub}:\n{ko}"
        );
    }
    // The flag and the locale choose Korean too; `help run` is the same page.
    let by_flag = out(&qkv(&["--lang", "ko", "run", "--help"], &[]));
    let by_locale = out(&qkv(&["run", "--help"], &[("LANG", "ko_KR.UTF-8")]));
    let by_help = out(&qkv(&["help", "run"], &[("QKV_LANG", "ko")]));
    assert!(by_flag.starts_with("문장에 모델을 실행하고"), "{by_flag}");
    assert_eq!(by_flag, by_locale);
    assert_eq!(by_flag, by_help);
    assert!(
        by_flag.contains("소수점 아래 자릿수 (0부터 12까지) [기본값: 4]"),
        "{by_flag}"
    );
}

#[test]
fn clap_errors_are_korean_when_the_language_is() {
    let o = qkv(&["--lang", "ko", "--bogus"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("오류: 알 수 없는 인자 '--bogus'이(가) 있습니다"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).ends_with("자세한 내용은 '--help'를 보세요.\n"),
        "{}",
        err(&o)
    );
    let o = qkv(&["run", "--precision", "13"], &[("QKV_LANG", "ko")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o)
            .contains("'13'은(는) 알맞지 않습니다: \"13\"은(는) 0부터 12까지의 자릿수가 아닙니다"),
        "{}",
        err(&o)
    );
    let o = qkv(&["--lang", "ko", "plot"], &[]);
    assert!(
        err(&o).starts_with("오류: 꼭 필요한 인자가 없습니다:\n  --show <NAME[h]>"),
        "{}",
        err(&o)
    );
    let o = qkv(&["--lang", "ko", "rnu"], &[]);
    assert!(
        err(&o).starts_with("오류: 알 수 없는 명령 'rnu'이(가) 있습니다"),
        "{}",
        err(&o)
    );
    // English as before.
    let o = qkv(&["--bogus"], &[]);
    assert!(
        err(&o).starts_with("error: unexpected argument '--bogus' found"),
        "{}",
        err(&o)
    );
    let o = qkv(&["run", "--precision", "13"], &[]);
    assert!(
        err(&o).contains("\"13\" is not a number of digits from 0 to 12"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_commands_error_is_korean_when_the_language_is() {
    // The default model has 4 heads: 0 to 3.
    let o = qkv(&["--lang", "ko", "run", "--show", "nonexistent"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "오류: --show nonexistent: \"nonexistent\"라는 단계는 없습니다; `show`가 모든 단계를 보여 줍니다\n"
    );
    let o = qkv(
        &["explain", "enc.0.attn.weights[9][0][0]"],
        &[("QKV_LANG", "ko")],
    );
    // The first line says which model ran (the trained default), then the error.
    assert_eq!(
        err(&o),
        "모델: scenarios/default.yaml의 학습된 모델, 워크벤치가 여는 것과 같습니다 (--untrained: 무작위 가중치)\n오류: enc.0.attn.weights: 헤드 인덱스 9은(는) 범위 밖입니다 (가능한 헤드: 0부터 3까지)\n"
    );
    let o = qkv(&["run", "--show", "nonexistent"], &[]);
    assert_eq!(
        err(&o),
        "error: --show nonexistent: unknown trace step \"nonexistent\"; `show` lists every step\n"
    );
}

/// `qkv translate` and `qkv generate` speak Korean when the language is: every line but
/// the tokens and the numbers, the words outside the vocabulary, and the error of a model
/// of the wrong kind. English is as it was (the learning tests check its lines).
#[test]
fn translate_and_generate_speak_korean() {
    let o = qkv(
        &["--lang", "ko", "translate", "나는 학교에 간다 고양이"],
        &[],
    );
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    says(
        &text,
        &[
            "모델의 어휘에 없는 단어 (<unk>로 읽음): 고양이",
            "원문: 나는 학교에 간다 고양이",
            "탐욕(greedy) 디코딩:",
            "인코더는 한 번만 계산합니다",
            "단계 1: <bos> → I (1.000)   상위: I 1.000",
        ],
    );
    assert_eq!(text.matches("[인코더 재사용]").count(), 4, "{text}");
    assert_eq!(text.lines().last(), Some("I go to school"), "{text}");
    says_none(&text, &["source:", "greedy:", "step ", "top:", "[encoder"]);
    // The same through QKV_LANG.
    let o2 = qkv(
        &["translate", "나는 학교에 간다 고양이"],
        &[("QKV_LANG", "ko")],
    );
    assert_eq!(out(&o2), text);

    let o = qkv(&["--lang", "ko", "generate", "I go"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("오류: generate는 디코더 전용 모델로 글을 이어 씁니다; 이 체크포인트는 인코더-디코더 모델입니다"),
        "{}",
        err(&o)
    );
    let o = qkv(
        &[
            "--lang",
            "ko",
            "generate",
            "I go",
            "--checkpoint",
            "scenarios/en-next.safetensors",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).starts_with("앞부분: <bos> I go\n탐욕(greedy) 디코딩:"),
        "{}",
        out(&o)
    );
}

/// `qkv run`'s heading and formula lines in Korean when the language is (which model ran,
/// the model in one line, where its weights come from, the tokens); the numbers as in
/// English.
#[test]
fn run_speaks_korean() {
    let o = qkv(
        &["--lang", "ko", "run", "--show", "enc.0.attn.masked[0]"],
        &[],
    );
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "모델: scenarios/default.yaml의 학습된 모델, 워크벤치가 여는 것과 같습니다 (--untrained: 무작위 가중치)",
            "인코더-디코더 · d_model 32 · 헤드 4 · d_k 8 · d_ff 64 · 층 2+2 · post-LN · ÷√d_k · 마스킹 인코더 없음, 디코더 인과",
            "학습됨 (1000번 갱신)",
            "원문: 나는 | 학교에 | 간다",
            "목표: <bos> | I | go | to | school",
        ],
        "{text}"
    );
    assert!(
        text.contains("enc.0.attn.masked[0]  (3 × 3)  masked = scaled (마스크 없음)"),
        "{text}"
    );
    // The same matrix as the English run: its cells after the heading, row by row.
    let en = out(&qkv(&["run", "--show", "enc.0.attn.masked[0]"], &[]));
    let cells = |t: &str| -> Vec<String> {
        t.lines()
            .skip(7)
            .flat_map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(cells(&text), cells(&en));
    let hand = out(&qkv(
        &["--lang", "ko", "run", "scenarios/dot-product.yaml"],
        &[],
    ));
    assert!(hand.contains("어텐션 손 계산 확인 (모델 없음)"), "{hand}");
}

/// `qkv explore heads` (and the REPL's `explore heads`) in Korean when the language is:
/// the heading, each head's role and the rule's numbers, the rule; the same heads and
/// entropies as in English.
#[test]
fn explore_heads_speaks_korean() {
    let o = qkv(&["--lang", "ko", "explore", "heads"], &[]);
    assert!(o.status.success(), "{}", err(&o));
    let ko = out(&o);
    let en = out(&qkv(&["explore", "heads"], &[]));
    let first = ko.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("블록") && first.ends_with("근거"),
        "{first}"
    );
    assert!(
        ko.contains("첫 토큰     평균 w[i][0] = 0.528 > 0.5"),
        "{ko}"
    );
    assert!(ko.contains("역할은 먼저 맞는 규칙으로 정합니다"), "{ko}");
    // Block, head and entropy of every row are the English table's.
    let columns = |t: &str| -> Vec<String> {
        t.lines()
            .skip(1)
            .filter(|l| l.contains(".weights"))
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(columns(&ko), columns(&en));
    assert_eq!(columns(&ko).len(), 24, "six attention blocks of four heads");
    says_none(&ko, &["broad", "mixed", "first token", "mean "]);
}

/// `qkv train` in Korean when the language is: what is trained on what, how, each progress
/// line, the end and the losses; the same numbers and the same checkpoint as in English.
#[test]
fn train_speaks_korean() {
    let dir = tempfile::tempdir().unwrap();
    let (ko_ck, en_ck) = (
        dir.path().join("ko.safetensors"),
        dir.path().join("en.safetensors"),
    );
    let args = |lang: &str, ck: &std::path::Path| -> Output {
        let ck = ck.to_str().unwrap().to_string();
        qkv(
            &[
                "--lang", lang, "train", "--steps", "3", "--every", "1", "-o", &ck,
            ],
            &[],
        )
    };
    let o = args("ko", &ko_ck);
    assert!(o.status.success(), "{}", err(&o));
    let ko = out(&o);
    says(
        &ko,
        &[
            "모델을 data/ko-en.tsv(으)로 학습합니다 (학습 쌍 260개, 검증용 37개, 어휘 102개",
            ", 배치 16, 갱신 3번, 레이블 스무딩 0",
            "갱신     1  손실 ",
            "갱신     3  손실 ",
            "에 저장했습니다",
            "학습 손실  ",
            "검증 손실  ",
            "검증 문장의 탐욕 디코딩 정확 일치 ",
        ],
    );
    says_none(
        &ko,
        &[
            "training ",
            "steps",
            "loss",
            "wrote",
            "held-out",
            "reference",
        ],
    );
    let en = out(&args("en", &en_ck));
    // The losses of every line are the English run's, and so is the checkpoint.
    let losses = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("손실") || l.contains("loss"))
            .filter_map(|l| {
                l.split_whitespace()
                    .find(|w| w.contains('.'))
                    .map(str::to_string)
            })
            .collect()
    };
    assert_eq!(losses(&ko), losses(&en));
    assert_eq!(losses(&ko).len(), 5, "three steps and two losses: {ko}");
    assert_eq!(
        std::fs::read(&ko_ck).unwrap(),
        std::fs::read(&en_ck).unwrap()
    );
}

/// `qkv replay` in Korean when the language is: the stops' headings and the selected
/// cells (the scenario's own notes stay as written), without the REPL's hint about Enter;
/// `--step` prints that stop alone.
#[test]
fn replay_speaks_korean() {
    let o = qkv(
        &["--lang", "ko", "replay", "scenarios/dot-product.yaml"],
        &[],
    );
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    says(
        &text,
        &[
            "── 지점 1/5: scores ──",
            "선택한 칸 [0][0] (q0 → k0) = 10.0000",
        ],
    );
    says_none(&text, &["Enter", "── stop", "selected"]);
    let o = qkv(
        &[
            "--lang",
            "ko",
            "replay",
            "scenarios/dot-product.yaml",
            "--step",
            "2",
        ],
        &[],
    );
    let stop = out(&o);
    assert!(stop.starts_with("── 지점 2/5: scores ──\n"), "{stop}");
    assert!(!stop.contains("지점 1/5"), "{stop}");
}

/// `qkv explore pe` and `qkv explore scaling` (and the REPL's) in Korean when the language
/// is: every sentence and column head, with the same numbers as in English.
#[test]
fn explore_pe_and_scaling_speak_korean() {
    // The numbers compared sorted: the word order differs.
    for (what, wants) in [
        (
            "pe",
            &[
                "위치 인코딩, d_model 32:",
                "PE, 위치 0..7 × 차원 0..7 (32차원 중):",
                "p에 따른 최대−최소:",
                "열마다 숫자가 하나입니다",
                "만큼 회전, p=",
                "   잔차 ",
            ][..],
        ),
        (
            "scaling",
            &[
                "측정한 Var",
                "측정값/d_k",
                "키 8개인 행 하나, d_k = 64",
                "softmax(q·k), 안 나눔",
                "최대 엔트로피",
                "나누지 않으면 d_k가 커질수록",
            ][..],
        ),
    ] {
        let ko = out(&qkv(&["--lang", "ko", "explore", what], &[]));
        let en = out(&qkv(&["explore", what], &[]));
        says(&ko, wants);
        says_none(
            &ko,
            &[
                "positional encoding",
                "rows",
                "unscaled",
                "residual",
                "measured",
            ],
        );
        assert_eq!(numbers(&ko), numbers(&en), "{what}");
    }
}

/// What `qkv export` and `qkv plot` wrote, said in Korean when the language is; the files
/// are the same as in English.
#[test]
fn export_and_plot_say_what_they_wrote_in_korean() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let o = qkv(
        &["--lang", "ko", "export", "--grads", "-o", &path("k.npz")],
        &[],
    );
    assert!(o.status.success(), "{}", err(&o));
    says(
        &err(&o),
        &[
            "k.npz을(를) 썼습니다 (numpy .npz: 트레이스 단계 100개, 가중치 60개 + embed.E, 모든 기울기와 예측한 토큰 5개에 대한 손실 ",
            ", 배열 324개)",
        ],
    );
    let en = qkv(&["export", "--grads", "-o", &path("e.npz")], &[]);
    assert!(err(&en).contains("324 arrays"), "{}", err(&en));
    assert_eq!(
        std::fs::read(path("k.npz")).unwrap(),
        std::fs::read(path("e.npz")).unwrap()
    );
    let show = ["--show", "enc.0.attn.weights[0]", "--cell", "1,2", "-o"];
    let o = qkv(
        &[&["--lang", "ko", "plot"][..], &show[..], &[&path("k.svg")]].concat(),
        &[],
    );
    says(
        &err(&o),
        &["k.svg을(를) 썼습니다 (svg: enc.0.attn.weights[0], 3 × 3, 칸 [1][2] 선택)"],
    );
    let o = qkv(&[&["plot"][..], &show[..], &[&path("e.svg")]].concat(), &[]);
    says(
        &err(&o),
        &["e.svg (svg: enc.0.attn.weights[0], 3 × 3, cell [1][2] selected)"],
    );
    // The picture's words are in the language too: the legend and the cell's explanation.
    let ko = std::fs::read_to_string(path("k.svg")).unwrap();
    says(
        &ko,
        &[
            "최소 0.",
            "색: 값 그대로 (0에서 1)",
            "소프트맥스(softmax) 가중치: 학교에 (행 1)",
        ],
    );
    says_none(&ko, &["colour", "attention weight"]);
    let en = std::fs::read_to_string(path("e.svg")).unwrap();
    says(
        &en,
        &[
            "colour: the value (0 to 1)",
            "attention weight: how much 학교에 (row 1)",
        ],
    );
}
