//! The command language's texts in Korean: each command's summary for `help` (the usage
//! lines are the commands themselves and stay as they are), `help`'s own sentences, and the
//! parse errors (unknown command, missing or bad argument, extra words). English is in
//! [`crate::command::COMMANDS`] and [`crate::command::ParseError`]'s messages.

use super::Lang;
use crate::command::ParseError;

/// The Korean summary of the command `name` (`None` for a name that is not a command).
pub fn summary_ko(name: &str) -> Option<&'static str> {
    Some(match name {
        "text" => "새 원문 문장으로 모델을 실행합니다",
        "target" => "디코더 쪽 새 문장으로 실행합니다 (인코더-디코더; <bos>가 붙습니다)",
        "show" => {
            "단계, 헤드, 행 또는 칸 하나를 출력합니다 (--full: 생략 없이; --top K: 각 행에서 가장 큰 K개); 인자 없이: 모든 단계의 목록"
        }
        "explain" => "칸 하나 뒤의 계산을 보여 줍니다 (기본: 선택한 칸)",
        "layer" => "현재 스택의 층 l로 갑니다",
        "head" => "헤드 h로 갑니다",
        "cell" => "현재 단계의 칸 하나를 선택합니다",
        "next" => "파이프라인 순서로 다음 단계 (둘러보기 중이면 다음 지점)",
        "prev" => "이전 단계 (또는 지점)",
        "mask" => {
            "셀프 어텐션의 마스킹: 인코더의 것 (디코더 전용 모델에서는 디코더의 것); `mask dec off`는 디코더가 미래를 보게 합니다"
        }
        "scale" => "어텐션 스코어를 √d_k로 나눌지 (스케일링) 정합니다",
        "toggle" => {
            "설정 하나를 다른 값으로 바꿉니다 (워크벤치의 {keys} 키와 같습니다: 마스크, 스케일, 위치 인코딩, 정규화 위치)"
        }
        "pe" => "사인파 위치 인코딩을 켜거나 끕니다",
        "norm" => "층 정규화를 부층 앞(pre)에 둘지 잔차 연결의 합 뒤(post)에 둘지 정합니다",
        "set" => "모델, 토큰의 벡터, 가중치, 또는 보이는 자릿수를 바꿉니다",
        "attend" => {
            "손 계산기: 스코어, 스케일링, 가중치와 (v가 있으면) 출력을 그 계산과 함께 보여 줍니다"
        }
        "diff" => "이전 실행 이후 각 단계의 가장 큰 변화",
        "note" => "기록 중인 둘러보기의 현재 단계에 메모를 답니다",
        "save" => "세션을 시나리오로 저장합니다 (save!는 덮어씁니다)",
        "load" => "시나리오를 불러옵니다 (load!는 저장하지 않은 변경을 버립니다)",
        "replay" => "안내 둘러보기를 따라갑니다 (Enter나 next로 다음 지점)",
        "check" => "시나리오의 기대값(expect)을 검사합니다",
        "export" => "numpy용으로 모든 단계와 가중치를 씁니다",
        "plot" => {
            "행렬을 SVG 히트맵이나 Markdown, CSV, LaTeX 표로 씁니다; 선택한 칸은 설명과 함께 (plot!는 덮어씁니다)"
        }
        "params" => "현재 모델의 매개변수 수",
        "grad" => "단계나 가중치에 대한 손실의 기울기 (grad.<이름>); 인자 없이: 현재 단계의 기울기",
        "loss" => "현재 문장의 교차 엔트로피 손실과 각 위치가 예측해야 할 id",
        "train" => {
            "학습 전 모델을 data/ko-en.tsv로 학습합니다 (기본 10단계; Ctrl-C로 멈춤); 그다음부터 모든 명령이 그 가중치를 읽습니다 (`train reset`으로 돌아감)"
        }
        "translate" => "현재 모델로 문장을 토큰 하나씩 디코딩합니다 (인코더-디코더)",
        "generate" => "글을 토큰 하나씩 이어 씁니다 (디코더 전용 모델)",
        "decode" => {
            "현재 문장을 토큰 하나씩 디코딩합니다; 토큰을 주면 모델의 선택 대신 그 토큰을 놓습니다"
        }
        "sample" => {
            "다음 디코딩을 표본 추출합니다: 상위 k개에서 p_i ∝ exp(logit_i / T), 시드 고정 (off: 탐욕적 선택)"
        }
        "checkpoint" => "학습된 모델(.safetensors)을 불러오거나 학습 중인 모델을 저장합니다",
        "model" => {
            "Hugging Face Marian 모델 디렉터리(config.json, model.safetensors, source.spm, target.spm, vocab.json)를 현재 문장으로 살펴봅니다; 인자 없이: 그 전에 보던 모델로 돌아갑니다"
        }
        "practice" => {
            "예측한 뒤 확인: 숨긴 칸이나 행을 손으로 계산하고 채점받습니다 (인자 없이: 시나리오의 문제, 없으면 현재 단계의 무작위 칸)"
        }
        "answer" => "열린 연습 문제에 답합니다; 채점 결과가 계산과 함께 나옵니다",
        "explore" => {
            "탐색기: 위치 인코딩 표, PE(p)·PE(p+k)와 PE(p+k)로의 회전; d_k에 따른 Var(q·k)와 ÷√d_k 유무의 소프트맥스 행; 모든 헤드의 엔트로피와 역할"
        }
        "help" => "이 목록, 또는 명령 하나의 사용법",
        "quit" => "나갑니다 (quit!는 저장하지 않은 변경이 있어도 나갑니다)",
        _ => return None,
    })
}

/// `help`'s heading.
pub fn help_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "commands (one per line; `help <command>` for its usage):",
        Lang::Ko => "명령 (한 줄에 하나; `help <명령>`은 그 사용법):",
    }
}

/// `help`'s closing lines (addresses, redirection).
pub fn help_footer(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "addresses: name, name[h] (a head), name[h][i] (a row), name[h][i][j] (a cell); steps without heads drop [h]\n`show … > file.md` (and explain, diff, check, params, help, grad, loss) writes the output as Markdown to a new file; `>!` overwrites\n"
        }
        Lang::Ko => {
            "주소: name, name[h] (헤드), name[h][i] (행), name[h][i][j] (칸); 헤드가 없는 단계는 [h]를 뺍니다\n`show … > file.md` (explain, diff, check, params, help, grad, loss도) 출력을 Markdown으로 새 파일에 씁니다; `>!`는 덮어씁니다\n"
        }
    }
}

/// `help set`'s list of model fields: `model fields: a, b`.
pub fn model_fields(lang: Lang, list: &str) -> String {
    match lang {
        Lang::En => format!("model fields: {list}"),
        Lang::Ko => format!("모델 필드: {list}"),
    }
}

/// A failed command as the REPL prints it: `error: …`, or `line 3: error: …` for a script.
pub fn error_line(lang: Lang, line: Option<usize>, msg: &str) -> String {
    match (lang, line) {
        (Lang::En, None) => format!("error: {msg}"),
        (Lang::En, Some(n)) => format!("line {n}: error: {msg}"),
        (Lang::Ko, None) => format!("오류: {msg}"),
        (Lang::Ko, Some(n)) => format!("{n}번째 줄: 오류: {msg}"),
    }
}

/// The REPL's greeting; `title` is the scenario's title, or empty.
pub fn repl_banner(lang: Lang, title: &str) -> String {
    match (lang, title.is_empty()) {
        (Lang::En, true) => "qkv repl. `help` lists the commands; Tab completes; Ctrl-C clears the line, Ctrl-D leaves.".into(),
        (Lang::En, false) => format!("qkv repl on \"{title}\". `help` lists the commands; Tab completes; Ctrl-C clears the line, Ctrl-D leaves."),
        (Lang::Ko, true) => "qkv repl. `help`는 명령 목록을 보여 줍니다; Tab은 자동 완성, Ctrl-C는 줄 지우기, Ctrl-D는 나가기입니다.".into(),
        (Lang::Ko, false) => format!("qkv repl: \"{title}\". `help`는 명령 목록을 보여 줍니다; Tab은 자동 완성, Ctrl-C는 줄 지우기, Ctrl-D는 나가기입니다."),
    }
}

/// What a command is missing, in Korean (the English phrases of the parser).
fn what_ko(what: &str) -> Option<&'static str> {
    Some(match what {
        "on or off" => "on 또는 off",
        "a sentence" => "문장",
        "a file name" => "파일 이름",
        "a number" => "숫자",
        "a value" => "값",
        "what to set" => "바꿀 대상",
        "the text of the note" => "메모의 내용",
        "on, off or causal" => "on, off 또는 causal",
        "mask, scale, pe or norm" => "mask, scale, pe 또는 norm",
        "pre or post" => "pre 또는 post",
        "a step name and a file" => "단계 이름과 파일",
        "a token and its vector" => "토큰과 그 벡터",
        "a weight name and its value" => "가중치 이름과 그 값",
        "a non-negative integer" => "0 이상의 정수",
        "a layer number" => "층 번호",
        "a head number" => "헤드 번호",
        "a row" => "행 번호",
        "a column" => "열 번호",
        "a snapshot number" => "스냅숏 번호",
        "a number of digits" => "자릿수",
        "a number of digits from 0 to 12" => "0부터 12까지의 자릿수",
        "a number such as 0.25 or -1" => "0.25나 -1 같은 숫자",
        "a temperature > 0 or off" => "0보다 큰 온도 또는 off",
        "causal or none" => "causal 또는 none",
        "the corpus file" => "말뭉치 파일",
        "a text to continue" => "이어 쓸 글",
        "the token to put next" => "다음에 놓을 토큰",
        "a temperature or off" => "온도 또는 off",
        "pe, scaling or heads" => "pe, scaling 또는 heads",
        "load <file> or save <file>" => "load <파일> 또는 save <파일>",
        _ => return None,
    })
}

/// A parse error in `lang`. Korean writes the whole sentence; the phrase naming what was
/// expected is translated when the catalogue has it, else quoted as the parser wrote it.
pub fn parse_error_text(e: &ParseError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        ParseError::UnknownCommand {
            word,
            suggestion: Some(s),
        } => format!(
            "{word:?}라는 명령은 없습니다 (`{s}`을(를) 말씀하셨나요?); `help`가 목록을 보여 줍니다"
        ),
        ParseError::UnknownCommand {
            word,
            suggestion: None,
        } => format!("{word:?}라는 명령은 없습니다; `help`가 목록을 보여 줍니다"),
        ParseError::TooLong { len, max } => format!(
            "줄이 {len}바이트입니다: 명령은 최대 {max}바이트입니다 (더 큰 행렬은 시나리오 파일의 `weights`에 넣으세요)"
        ),
        ParseError::Missing {
            command,
            what,
            usage,
        } => match what_ko(what) {
            Some(w) => format!("{command}에는 {w}이(가) 필요합니다: 사용법 `{usage}`"),
            None => format!("{command}에 필요한 인자가 없습니다 ({what}): 사용법 `{usage}`"),
        },
        ParseError::Bad {
            command,
            value,
            expected,
            usage,
        } => match what_ko(expected) {
            Some(w) => format!(
                "{command}: {value:?}은(는) 알맞은 값이 아닙니다 (필요한 것: {w}); 사용법 `{usage}`"
            ),
            None => format!(
                "{command}: {value:?}은(는) 알맞은 값이 아닙니다 (허용: {expected}); 사용법 `{usage}`"
            ),
        },
        ParseError::Extra {
            command,
            extra,
            usage,
        } => format!(
            "{command}은(는) 더 이상 인자를 받지 않는데 {extra:?}이(가) 더 있습니다; 사용법 `{usage}`"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{COMMANDS, parse};
    use crate::i18n::check::has_hangul;

    #[test]
    fn every_command_has_a_korean_summary() {
        for c in COMMANDS {
            let ko = summary_ko(c.name).unwrap_or_else(|| panic!("{} has no Korean", c.name));
            assert!(has_hangul(ko), "{}: {ko}", c.name);
        }
        assert_eq!(summary_ko("bogus"), None);
    }

    #[test]
    fn the_common_parse_errors_in_korean() {
        let ko = |line: &str| parse_error_text(&parse(line).unwrap_err(), Lang::Ko);
        assert_eq!(
            ko("nxet"),
            "\"nxet\"라는 명령은 없습니다 (`next`을(를) 말씀하셨나요?); `help`가 목록을 보여 줍니다"
        );
        assert_eq!(
            ko("scale"),
            "scale에는 on 또는 off이(가) 필요합니다: 사용법 `scale on|off`"
        );
        assert_eq!(
            ko("scale maybe"),
            "scale: \"maybe\"은(는) 알맞은 값이 아닙니다 (필요한 것: on 또는 off); 사용법 `scale on|off`"
        );
        assert!(ko("diff now").starts_with("diff은(는) 더 이상 인자를 받지 않는데"));
        // English is the parser's own text.
        let e = parse("nxet").unwrap_err();
        assert_eq!(parse_error_text(&e, Lang::En), e.to_string());
    }
}
