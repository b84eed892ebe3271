//! `qkv --help` (and every subcommand's help) and clap's own errors in Korean.
//!
//! The English help is the doc comments of the `clap` derive in `main.rs` and `cli/`,
//! untouched. When the language is Korean, [`korean`] rewrites the built `Command` before
//! parsing: each command's `about` and each argument's `help` from the tables below (one
//! whole Korean sentence per text; the `[default: …]` and `[possible values: …]` that clap
//! adds are values and stay), and the headings (`사용법:`, `명령:`, `인자:`, `옵션:`).
//! [`error_text`] writes clap's common errors (unknown argument, bad value, missing
//! argument, unknown command) in Korean with the same value and what is allowed.

use clap::Command;
use clap::error::{ContextKind, ContextValue, Error, ErrorKind};

/// A subcommand's `about` in Korean.
fn about_ko(name: &str) -> Option<&'static str> {
    Some(match name {
        "qkv" => "「Attention Is All You Need」의 트랜스포머를 실제 숫자로 공부하는 터미널 작업대",
        "run" => "문장에 모델을 실행하고, 단계들을 토큰 라벨이 붙은 행렬로 출력합니다",
        "export" => "트레이스의 모든 단계와 모든 가중치를 .npz나 .json 파일로 씁니다",
        "plot" => {
            "행렬 하나를 SVG 히트맵(터미널과 같은 색, 토큰 라벨, 범례, 선택한 칸의 설명)이나 Markdown, CSV, LaTeX 표로 씁니다"
        }
        "params" => "구성 요소별 매개변수 수를 식과 함께 셉니다",
        "check" => "시나리오 파일(파일 또는 .yaml 파일이 든 디렉터리)의 기대값을 검사합니다",
        "replay" => "시나리오의 안내 둘러보기를 출력합니다: 각 단계를 메모, 식, 행렬과 함께",
        "explain" => {
            "칸 하나 뒤의 계산, 예: `qkv explain scenarios/default.yaml enc.0.attn.scores[0][1][2]`"
        }
        "repl" => "명령 언어로 공부하는 셸 (표준 입력이 터미널이 아니면 거기서 명령을 읽습니다)",
        "tui" => "대화형 작업대 (터미널에서 `qkv`만 실행하면 열리는 것)",
        "practice" => {
            "예측한 뒤 확인하기: 시나리오의 연습 문제를 내고, 답마다 계산과 함께 채점한 뒤 점수를 보여 줍니다 (표준 입력이 파이프이면 거기서 답을 읽습니다)"
        }
        "bench" => {
            "행렬 곱 속도와 순전파를 나란히 잽니다: GFLOP/s, 효율, 예측한 메모리와 잰 메모리, 첫 트레이스까지의 시간"
        }
        "train" => "병렬 말뭉치로 모델을 학습하고(역전파 + Adam) 체크포인트를 저장합니다",
        "translate" => "학습한 인코더-디코더로 문장을 한 토큰씩 번역합니다",
        "generate" => "학습한 디코더 전용 모델로 글을 한 토큰씩 이어 씁니다",
        "gradcheck" => "모든 가중치의 기울기를 중심 유한 차분과 비교합니다",
        "tokenize" => {
            "Hugging Face 모델의 서브워드 조각으로 문장을 자릅니다: 각 조각과 그 id, Marian 모델이면 분할의 점수, GPT-2 모델에 --merges를 주면 각 조각의 바이트와 병합. 예: `qkv tokenize --hf DIR \"나는 학교에 간다\"`"
        }
        "fill" => {
            "Hugging Face BERT 모델의 마스크 언어 모델 헤드로 문장의 [MASK]를 채웁니다: 가장 그럴듯한 조각과 그 확률. 예: `qkv fill --hf DIR \"나는 [MASK]에 간다\"`"
        }
        "explore" => {
            "탐색기를 글로: `qkv explore pe [positions] [dims] [p=P] [k=K] [i=I]`, `qkv explore scaling [d_k]`, `qkv explore heads` (TUI의 E, S, H)"
        }
        "lens" => {
            "디코더의 로짓 렌즈: 각 층의 출력을 마지막 정규화와 출력 투영으로 읽어, 위치마다 다음 토큰의 상위 후보를 보여 줍니다. 예: `qkv lens --checkpoint scenarios/en-next.safetensors --text \"<bos> I go\"`"
        }
        "help" => "이 도움말이나 주어진 명령의 도움말을 출력합니다",
        _ => return None,
    })
}

/// An argument's help in Korean: by subcommand and argument id, else by id alone.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per argument of the command line."
)]
fn arg_ko(sub: &str, id: &str) -> Option<&'static str> {
    Some(match (sub, id) {
        (_, "help") => "도움말을 출력합니다",
        (_, "version") => "버전을 출력합니다",
        (_, "memory_budget") => {
            "모델과 그 트레이스의 메모리 예산, MiB 단위 (기본값: 1024, 또는 그보다 적으면 사용 가능한 메모리). 더 필요할 것으로 예측되는 모델은 실행 전에 거절합니다"
        }
        (_, "lang") => {
            "화면 언어: `en` (영어, 기본값) 또는 `ko` (한국어). 없으면 QKV_LANG, 그다음 `ko`로 시작하는 로캘(LC_ALL, LC_MESSAGES, LANG)"
        }
        // The scenario argument of each command.
        ("run", "scenario") => {
            "실행할 시나리오 파일 (그 모델, 문장, 덮어쓰기); 플래그가 그것을 바꿉니다"
        }
        ("export", "scenario") => {
            "내보낼 시나리오 파일 (그 모델, 문장, 덮어쓰기); 플래그가 그것을 바꿉니다"
        }
        ("plot", "scenario") => {
            "시나리오 파일 (그 모델, 문장, 덮어쓰기); 플래그가 그것을 바꿉니다. 기본값: 내장된 나는 학교에 간다 시나리오"
        }
        ("replay", "scenario") => "`steps`를 재생할 시나리오",
        ("practice", "scenario") => "`practice:` 문제를 낼 시나리오 (문제가 없으면 임의의 칸)",
        ("repl" | "tui", "scenario") => {
            "이 시나리오에서 시작합니다 (기본값: 내장된 나는 학교에 간다 시나리오); 플래그가 그것을 바꿉니다"
        }
        ("explore", "scenario") => {
            "탐색할 모델(d_model, 헤드)의 시나리오 (기본값: 내장된 나는 학교에 간다 시나리오, 학습된 모델)"
        }
        ("train", "scenario") => {
            "모델 부분이 구조와 크기를 정하는 시나리오 (기본값: 학습 기본값, `--help` 참고); 플래그가 그것을 바꿉니다"
        }
        ("gradcheck", "scenario") => "검사할 시나리오 (그 모델과 문장); 플래그가 그것을 바꿉니다",
        // The model's flags (cli/model.rs).
        ("lens", "scenario") => "모델과 문장을 읽을 시나리오 파일 (플래그가 그것을 바꿉니다)",
        ("lens", "top") => "층과 위치마다 보여 줄 후보 수",
        ("lens", "hf") => {
            "시나리오의 모델 대신 Hugging Face Marian 모델 디렉터리의 디코더를 --text(원문)와 --target(<pad> 뒤의 디코더 입력)으로 읽습니다"
        }
        ("tokenize", "text") => "자를 문장",
        ("fill", "text") => "모델이 조각을 채울 자리에 [MASK]를 넣은 문장",
        ("fill", "hf") => {
            "Hugging Face BERT 모델 디렉터리 (config.json, model.safetensors, tokenizer.json)"
        }
        ("fill", "top") => "[MASK]마다 보여 줄 후보 수",
        ("tokenize", "target") => "원문 대신 목표 쪽 조각 모델(target.spm)로 자릅니다",
        ("tokenize", "merges") => {
            "바이트 수준 BPE(GPT-2): 각 조각의 바이트, 그 바이트가 이루는 글자, 그 조각을 만든 병합"
        }
        ("explain", "text") => "--hf 모델이 실행할 문장",
        ("explain", "target") => "--hf 모델의 디코더가 읽을 참조 번역",
        ("explain", "hf") => {
            "트레이스를 설명할 Hugging Face 모델 디렉터리(Marian, GPT-2, BERT) (그러면 칸만 주세요)"
        }
        ("bench", "text") => "--hf 모델이 번역할 문장 (기본값: 나는 학교에 간다)",
        ("bench", "beam") => "잴 --hf 빔 탐색의 빔 크기 (기본값: 모델의 num_beams)",
        ("bench", "hf") => {
            "대신 Hugging Face Marian 또는 GPT-2 모델 디렉터리를 잽니다: 불러오기, 전체 트레이스를 남기는 순전파, 탐욕과 빔 디코딩의 초당 토큰 수, 최대 메모리"
        }
        ("qkv", "hf") => {
            "Hugging Face 모델 디렉터리(Marian, GPT-2, BERT)로 작업대를 엽니다 (`qkv tui --hf DIR`)"
        }
        (_, "text") if sub == "translate" || sub == "generate" => {
            "번역할 문장 (translate) 또는 이어 쓸 글 (generate)"
        }
        (_, "untrained") => {
            "무작위 가중치 (scenarios/untrained.yaml의 tiny 프리셋에 준 모델 플래그를 적용): 기본은 scenarios/default.yaml의 학습된 모델입니다"
        }
        (_, "text") => {
            "원문 문장 (인코더 입력; 디코더 전용 모델에서는 디코더 입력). 기본값: 시나리오의 문장, 없으면 \"나는 학교에 간다\""
        }
        (_, "target") => {
            "인코더-디코더 모델의 디코더 쪽 문장 (앞에 `<bos>`가 붙습니다). 기본값: 기본 문장이면 `<bos> I go to school`, 아니면 `<bos>`"
        }
        ("params", "table3") => {
            "논문 Table 3에서 크기를 바꾸는 모든 행을, 논문의 수치와 나란히 셉니다"
        }
        ("params", "preset") => "크기 프리셋",
        ("bench", "preset") => "크기 프리셋: tiny, small, base",
        (_, "preset") => {
            "크기 프리셋: tiny (8/2/32, 2+2층), small (64/4/256), base (논문: 512/8/2048, 6+6); 크기를 다시 정하고 다른 선택은 그대로 둡니다"
        }
        ("bench", "arch") => "구조: encoder, decoder, encoder-decoder",
        (_, "arch") => "구조",
        (_, "d_model") => "토큰 벡터의 너비",
        (_, "heads") => "어텐션 헤드 수 (d_model을 나누어떨어지게 해야 합니다)",
        (_, "d_ff") => "피드포워드(FFN) 은닉층의 너비",
        (_, "layers") => "각 스택의 층 수 (1..=12)",
        (_, "enc_layers") => "인코더 스택의 층 수 (layers보다 우선)",
        (_, "dec_layers") => "디코더 스택의 층 수 (layers보다 우선)",
        ("translate" | "generate", "seed") => "--temperature와 함께: 뽑기의 시드",
        (_, "seed") => "모든 가중치와 토큰 임베딩의 시드",
        (_, "norm") => "층 정규화(LayerNorm) 위치: post (논문) 또는 pre",
        (_, "positional") => "위치 인코딩",
        (_, "scale") => "스코어를 √d_k로 나눕니다 (기본으로 켜짐)",
        (_, "no_scale") => "--scale의 반대",
        (_, "embed_scale") => {
            "임베딩에 √d_model을 곱합니다 (논문 §3.4; base 프리셋은 곱하고, tiny와 small은 곱하지 않습니다)"
        }
        (_, "no_embed_scale") => "--embed-scale의 반대",
        (_, "mask") => "인코더 셀프 어텐션의 마스크",
        (_, "dec_mask") => {
            "디코더 셀프 어텐션의 마스크: causal (기본값; 디코더를 학습하는 방식) 또는 none (공부용: 미래가 과거로 샙니다)"
        }
        (_, "eps") => "층 정규화의 엡실론 (기본값 1e-5)",
        (_, "tokenizer") => "문장을 토큰으로 자르는 방법",
        (_, "max_tokens") => "받아들이는 가장 긴 문장, 토큰 수",
        ("translate" | "generate", "checkpoint") => "학습한 모델 (.safetensors)",
        (_, "checkpoint") => {
            "학습한 모델 (.safetensors, `qkv train`이 만든 것): 그 크기, 가중치, 어휘"
        }
        // run
        ("run", "show") => {
            "출력할 단계, 예: `enc.0.attn.weights`, `enc.0.attn.scores[1]`, `embed.sum[0][2]` (여러 번 쓸 수 있음). 기본값: 모든 층의 어텐션 가중치"
        }
        (_, "precision") => "소수점 아래 자릿수 (0부터 12까지)",
        ("run", "full") => "모든 행과 열을 출력합니다 (큰 행렬도 줄이지 않음)",
        ("run", "top") => {
            "행렬 대신 각 행에서 가장 큰 K개의 값을 열 라벨과 함께 출력합니다 (확률이나 로짓 행이 무엇을 예측하는지)"
        }
        ("run", "list") => "행렬 대신 모든 단계의 이름을 나열합니다",
        (_, "hf") => {
            "Hugging Face 모델 디렉터리(Marian, GPT-2, BERT: config.json, model.safetensors와 토크나이저 파일)"
        }
        ("translate" | "generate", "beam") => {
            "빔 크기 K: 가설 K개를 유지합니다 (1 = 탐욕. --hf에서 없으면 모델의 num_beams)"
        }
        ("translate" | "generate", "length_penalty") => {
            "길이 벌점의 α (기본값: 모델의 length_penalty, 없으면 1.0)"
        }
        ("translate" | "generate", "gnmt") => {
            "Hugging Face의 Σ log p / |Y|^α 대신 논문(GNMT)의 Σ log p / ((5 + |Y|) / 6)^α로 점수를 매깁니다"
        }
        // export
        ("export", "output") => "출력 파일: .npz (numpy) 또는 .json",
        ("export", "grads") => {
            "손실, 그 목표, 모든 단계와 가중치의 기울기(`grad.<name>`)도 씁니다. PyTorch autograd로 검사하기 위한 것"
        }
        ("export", "label_smoothing") => "내보내는 손실의 레이블 스무딩 ε (--grads와 함께)",
        ("export", "force") => "파일이 100 MB보다 크더라도 씁니다",
        // plot
        ("plot", "show") => {
            "행렬: `name` (헤드별 단계라면 헤드 0) 또는 `name[h]`, 예: `enc.0.attn.weights[1]`; `qkv run --list`가 이름을 나열합니다"
        }
        ("plot", "output") => "출력 파일 (`-`이거나 없으면: 표준 출력). 확장자가 형식을 정합니다",
        ("plot", "format") => {
            "svg, md, csv 또는 tex (기본값: 파일 확장자에 따라; 표준 출력이면 md)"
        }
        ("plot", "cell") => {
            "ROW,COL 칸을 고릅니다: 그 칸에 테두리를 치고 행렬 옆에 그 계산을 보여 줍니다"
        }
        ("plot", "force") => "출력 파일이 있으면 바꿔 씁니다",
        // params, bench
        ("params", "vocab") => "공유 어휘 크기 (논문의 EN-DE 모델: 바이트 쌍 토큰 37000개)",
        ("bench", "tokens") => {
            "원문 토큰 수 (인코더-디코더 모델이면 목표 토큰 수도), 만들어 낸 단어"
        }
        ("bench", "repeat") => "시간 재기 횟수; 순전파 시간은 그 중앙값입니다",
        ("bench", "json") => "표 대신 JSON을 출력합니다",
        ("bench", "no_first_trace") => "새 프로세스의 첫 트레이스 시간을 재지 않습니다",
        ("bench", "shapes") => {
            "순전파의 곱셈 모양마다 따로 재고, 그 속도라면 곱셈만에 걸릴 시간을 순전파 시간과 비교합니다"
        }
        ("bench", "train") => {
            "매 라운드마다 학습 한 단계(순전파, 역전파, Adam)도 재어, 같은 모델의 순전파와 짝지어 비교합니다"
        }
        ("bench", "probe") => "내부용: 모델을 만들고 한 번 실행한 뒤 시간을 출력합니다",
        // check, replay, explain
        ("check", "paths") => "시나리오 파일, 또는 *.yaml / *.yml을 찾을 디렉터리",
        ("check", "long") => {
            "`training:` 검사를 예상 시간과 상관없이 실행합니다 (기본값: 2·10¹²번 넘는 부동소수점 연산, 약 1분으로 예상되는 검사는 거절합니다)"
        }
        ("check" | "translate" | "generate", "quiet") => {
            if sub == "check" {
                "실패와 요약만 출력합니다"
            } else {
                "결과만 출력합니다"
            }
        }
        ("replay", "step") => "K번째 단계만 보여 줍니다 (1부터 셈)",
        ("explain", "args") => {
            "`[SCENARIO] CELL`: 트레이스를 설명할 시나리오 (기본값: 내장된 나는 학교에 간다 시나리오)와 칸, 헤드별 단계는 `name[h][i][j]`, 그 밖에는 `name[i][j]`"
        }
        ("explain", "max_terms") => "긴 합에서 가운데를 줄이기 전에 보여 줄 항의 수",
        ("explore", "args") => "`pe`, `scaling` 또는 `heads`, 그리고 그 인자",
        // repl, tui
        ("repl", "echo") => "각 명령을 그 출력 앞에 출력합니다 (표준 입력에서 명령을 읽을 때)",
        ("repl", "keep_going") => "명령이 실패해도 계속합니다 (표준 입력에서 명령을 읽을 때)",
        ("tui", "train") => {
            "학습 보기(Learn)에서 시작해, 말뭉치 어휘로 학습되지 않은 모델을 학습합니다"
        }
        ("tui", "corpus") => "학습 보기가 학습할 병렬 말뭉치 (기본값: data/ko-en.tsv, 내장)",
        // train
        ("train", "corpus") => {
            "병렬 말뭉치: 한 줄에 `source<TAB>target[<TAB>held-out]` (기본값: data/ko-en.tsv, 그런 파일이 없으면 내장된 사본)"
        }
        ("train", "steps") => "최적화 갱신 횟수",
        ("train", "batch") => "갱신마다의 문장 쌍 수",
        ("train", "lr") => "논문의 워밍업 일정 대신 쓸 고정 학습률",
        ("train", "warmup") => "논문 일정의 워밍업 단계 수",
        ("train", "lr_factor") => "논문 일정의 배율",
        ("train", "optimizer") => "갱신 규칙: adam (β₁ 0.9, β₂ 0.98, ε 1e-9) 또는 sgd",
        ("train", "label_smoothing") => "레이블 스무딩 ε (논문: 0.1)",
        ("train", "every") => "K번 갱신마다 손실을 출력합니다",
        ("train", "output") => {
            "체크포인트를 쓸 곳 (.safetensors). 첫 갱신 전에 확인합니다: 있는 파일은 --force로만 바꿔 쓰고, 디렉터리·장치·FIFO는 절대 쓰지 않습니다"
        }
        ("train", "force") => "출력 파일이 있으면 바꿔 씁니다",
        // translate, generate
        (_, "max_len") => "만들어 낼 가장 많은 토큰 수",
        (_, "top") => "단계마다 보여 줄 다음 토큰 후보 수",
        (_, "temperature") => "가장 그럴듯한 토큰을 고르는 대신 이 온도로 뽑습니다",
        (_, "top_k") => "--temperature와 함께: 가장 그럴듯한 토큰 K개 중에서만 뽑습니다",
        // gradcheck
        ("gradcheck", "step") => "중심 차분의 간격",
        ("gradcheck", "per_weight") => {
            "가중치마다 검사할 값의 수 (고르게 떨어진 것); 0이면 모든 값을 검사합니다"
        }
        ("gradcheck", "label_smoothing") => "손실의 레이블 스무딩 ε",
        ("gradcheck", "tolerance") => "받아들이는 가장 큰 상대 차이",
        _ => return None,
    })
}

/// `cmd` (named `sub`) and its subcommands with the Korean texts and headings.
fn korean_in(sub: &str, mut cmd: Command) -> Command {
    if let Some(a) = about_ko(sub) {
        cmd = cmd.about(a).long_about(None::<&str>);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_string())
        .collect();
    for id in ids {
        let help = arg_ko(sub, &id);
        cmd = cmd.mut_arg(id.as_str(), |a| {
            let heading = if a.is_positional() {
                "인자"
            } else {
                "옵션"
            };
            let a = a.help_heading(heading);
            let Some(h) = help else { return a };
            // clap's `[default: …]` and `[possible values: …]`, in Korean.
            let mut text = h.to_string();
            let takes = a.get_action().takes_values();
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if takes && !a.is_hide_default_value_set() && !defaults.is_empty() {
                text.push_str(&format!(" [기본값: {}]", defaults.join(", ")));
            }
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if takes && !a.is_hide_possible_values_set() && !values.is_empty() {
                text.push_str(&format!(" [가능한 값: {}]", values.join(", ")));
            }
            a.help(text)
                .long_help(None::<&str>)
                .hide_default_value(true)
                .hide_possible_values(true)
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for s in subs {
        cmd = cmd.mut_subcommand(s.as_str(), |c| korean_in(&s, c));
    }
    cmd.help_template(
        "{before-help}{about-with-newline}\n사용법: {usage}\n\n{all-args}{after-help}",
    )
    .subcommand_help_heading("명령")
    .next_help_heading("옵션")
}

/// The command line in Korean: every `about` and `help`, and the headings.
pub fn korean(mut cmd: Command) -> Command {
    // Build first, so that clap's own `--help`, `--version` and `help` exist to translate.
    cmd.build();
    korean_in("qkv", cmd)
}

/// A context value as text.
fn value(e: &Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// clap's error `e` in Korean, or `None` for the kinds left to clap (help, version and the
/// rare ones). The usage line clap gives is kept.
pub fn error_text(e: &Error) -> Option<String> {
    let arg = value(e, ContextKind::InvalidArg);
    let val = value(e, ContextKind::InvalidValue);
    let valid = value(e, ContextKind::ValidValue);
    let suggested = value(e, ContextKind::SuggestedArg)
        .or_else(|| value(e, ContextKind::SuggestedSubcommand))
        .or_else(|| value(e, ContextKind::SuggestedValue));
    let hint = suggested
        .map(|s| format!("\n\n  도움말: '{s}'을(를) 말씀하셨나요?"))
        .unwrap_or_default();
    let body = match e.kind() {
        ErrorKind::UnknownArgument => format!("알 수 없는 인자 '{}'이(가) 있습니다{hint}", arg?),
        ErrorKind::InvalidSubcommand => format!(
            "알 수 없는 명령 '{}'이(가) 있습니다{hint}",
            value(e, ContextKind::InvalidSubcommand)?
        ),
        // A value refused after parsing (`--arch foo`): clap gives only its English text.
        ErrorKind::ValueValidation | ErrorKind::InvalidValue if arg.is_none() => {
            let raw = e.to_string();
            let first = raw.lines().next().unwrap_or_default();
            format!(
                "알맞지 않은 값입니다: {}",
                first.strip_prefix("error: ").unwrap_or(first)
            )
        }
        ErrorKind::InvalidValue => match valid {
            Some(v) => format!(
                "'{}'에 쓴 값 '{}'은(는) 알맞지 않습니다\n  [가능한 값: {v}]{hint}",
                arg?, val?
            ),
            None => format!("'{}'에 쓴 값 '{}'은(는) 알맞지 않습니다", arg?, val?),
        },
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            format!("'{}'에 쓴 값 '{}'은(는) 알맞지 않습니다{why}", arg?, val?)
        }
        ErrorKind::MissingRequiredArgument => {
            format!(
                "꼭 필요한 인자가 없습니다:\n  {}",
                arg?.replace(", ", "\n  ")
            )
        }
        ErrorKind::NoEquals => format!("'{}'에는 '='로 값을 주어야 합니다", arg?),
        ErrorKind::TooManyValues => {
            format!("'{}'을(를) 너무 많이 썼습니다", arg?)
        }
        ErrorKind::ArgumentConflict => {
            format!("'{}'은(는) 함께 쓸 수 없는 인자와 같이 쓰였습니다", arg?)
        }
        _ => return None,
    };
    let usage = value(e, ContextKind::Usage)
        .map(|u| format!("\n\n{}", u.replacen("Usage:", "사용법:", 1)))
        .unwrap_or_default();
    Some(format!(
        "오류: {body}{usage}\n\n자세한 내용은 '--help'를 보세요.\n"
    ))
}

/// One error of the chain in Korean when it is one of the library's errors (they carry
/// their own `text_in`), else `None`.
fn library_error_ko(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use qkv::i18n::Lang::Ko;
    if let Some(e) = e.downcast_ref::<qkv::session::SessionError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::trace::TraceError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::explain::ExplainError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::scenario::io::LoadError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::scenario::io::SaveError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::export::ExportError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::plot::PlotError>() {
        return Some(e.text_in(Ko));
    }
    if let Some(e) = e.downcast_ref::<qkv::model::weights::WeightError>() {
        return Some(e.text_in(Ko));
    }
    None
}

/// A command's error in Korean: `오류: ` and the chain of contexts (`--show x`, a file
/// name, as the command wrote them) down to the first library error, which says itself in
/// Korean (and already includes its causes).
pub fn anyhow_text(e: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    for cause in e.chain() {
        if let Some(ko) = library_error_ko(cause) {
            parts.push(ko);
            break;
        }
        parts.push(cause.to_string());
    }
    format!("오류: {}", parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command and every visible argument of the command line has a Korean text.
    #[test]
    fn every_command_and_argument_has_a_korean_text() {
        fn walk(sub: &str, cmd: &Command, missing: &mut Vec<String>) {
            if about_ko(sub).is_none() {
                missing.push(format!("about {sub}"));
            }
            for a in cmd.get_arguments() {
                if arg_ko(sub, a.get_id().as_str()).is_none() {
                    missing.push(format!("{sub} {}", a.get_id()));
                }
            }
            for s in cmd.get_subcommands() {
                walk(s.get_name(), s, missing);
            }
        }
        let mut cmd = crate::Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk("qkv", &cmd, &mut missing);
        assert!(missing.is_empty(), "no Korean text for {missing:?}");
    }
}
