//! The command line's own lines in both languages: `qkv run`'s heading (the matrices below
//! it carry their own formula lines, [`super::formula`]), what `qkv export` wrote (`qkv
//! plot` says it as the session does, [`super::session_files`]), the lines of `qkv check`
//! and `qkv gradcheck`, and what `qkv` says without a terminal. The English is what they
//! always printed.

use super::Lang;
use crate::scenario::check::CheckLine;

/// One line of `qkv run` or `qkv export`.
#[derive(Debug, Clone, PartialEq)]
pub enum CliLine {
    /// A scenario without a model: the article's attention by hand.
    HandCheck,
    /// The model a command ran without a scenario: the trained default.
    ModelTrained,
    /// `--untrained`: random weights.
    ModelUntrained,
    /// A flag the trained model cannot take (`d_model` 32 → 8): random weights.
    ModelReshaped {
        /// The field.
        field: String,
        /// The trained model's value.
        from: String,
        /// The value asked for.
        to: String,
    },
    /// `--checkpoint FILE`.
    ModelCheckpoint(String),
    /// Most words of the sentence were never seen on the trained model's source side (its
    /// corpus known).
    NeverInput {
        /// Words never input.
        unseen: usize,
        /// Words in all.
        total: usize,
        /// The corpus's origin (`built-in:data/ko-en.tsv` or a file).
        corpus: String,
        /// Its first source words, `, `-separated.
        sample: String,
    },
    /// Most words of the sentence are not in the trained model's vocabulary (its corpus, so
    /// its source side, not recorded).
    MostlyUnknown {
        /// Unknown words.
        unknown: usize,
        /// Words in all.
        total: usize,
        /// The vocabulary's size.
        size: usize,
        /// Its first words, `, `-separated.
        sample: String,
    },
    /// The source tokens, `|`-separated.
    Source(String),
    /// The target tokens, `|`-separated.
    Target(String),
    /// What `qkv export` wrote.
    Exported {
        /// The file.
        path: String,
        /// Its format's name.
        format: String,
        /// Trace steps.
        steps: usize,
        /// Weights besides the embedding table.
        weights: usize,
        /// Arrays in all.
        arrays: usize,
        /// With `--grads`: the loss (formatted) and the predicted tokens.
        loss: Option<(String, usize)>,
    },
    /// One checked expectation (`qkv check`, the REPL's `check`).
    Checked(CheckLine),
    /// `qkv check`: a file with nothing to check.
    NoExpectations(String),
    /// `qkv check`'s last line: passed, failed and the files that could not be loaded.
    CheckSummary {
        /// Expectations that held.
        passed: usize,
        /// Expectations that did not.
        failed: usize,
        /// Files that could not be loaded.
        broken: usize,
        /// Files skipped because their `model.hf` directory is missing.
        skipped: usize,
    },
    /// `qkv gradcheck`'s first line: the step `h`.
    GradcheckHeading(String),
    /// `qkv gradcheck`'s column headings: weight, checked, kinks.
    GradcheckColumns,
    /// `qkv gradcheck`: a weight above the tolerance.
    GradcheckFail,
    /// `qkv gradcheck`'s last line.
    GradcheckSummary {
        /// Values checked.
        checked: usize,
        /// Of them at a kink.
        kinks: usize,
        /// Weights.
        weights: usize,
        /// Weights above the tolerance.
        bad: usize,
        /// The tolerance, as printed.
        tolerance: String,
    },
    /// `qkv gradcheck` on an attention hand-check.
    GradcheckNoWeights,
    /// `qkv` (the workbench) without a terminal: what to run instead.
    NoTerminal,
}

impl CliLine {
    /// The warning for a sentence whose words (`labels`, a trace's source row labels) are
    /// mostly unknown to `vocab`, naming the vocabulary; `None` when most are known.
    pub fn mostly_unknown(vocab: &crate::model::vocab::Vocab, labels: &[String]) -> Option<Self> {
        let u = vocab.mostly_unseen(labels)?;
        Some(match vocab.source() {
            Some(source) => CliLine::NeverInput {
                unseen: u.unseen,
                total: u.total,
                corpus: source.origin.clone(),
                sample: vocab
                    .tokens()
                    .iter()
                    .filter(|t| source.words.contains(*t))
                    .take(6)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            None => CliLine::MostlyUnknown {
                unknown: u.unseen,
                total: u.total,
                size: vocab.len(),
                sample: vocab.sample(6).join(", "),
            },
        })
    }

    /// One line of every kind, for the catalogue test.
    #[expect(
        clippy::too_many_lines,
        reason = "one sample per kind of line, for the catalogue test"
    )]
    pub fn samples() -> Vec<CliLine> {
        vec![
            CliLine::HandCheck,
            CliLine::ModelTrained,
            CliLine::ModelUntrained,
            CliLine::ModelReshaped {
                field: "d_model".into(),
                from: "32".into(),
                to: "8".into(),
            },
            CliLine::ModelCheckpoint("m.safetensors".into()),
            CliLine::NeverInput {
                unseen: 4,
                total: 4,
                corpus: crate::i18n::training::BUILT_IN_CORPUS_ORIGIN.into(),
                sample: "나는, 학교에, 간다".into(),
            },
            CliLine::MostlyUnknown {
                unknown: 4,
                total: 4,
                size: 102,
                sample: "나는, 학교에, 간다".into(),
            },
            CliLine::Source("나는 | 학교에 | 간다".into()),
            CliLine::Target("<bos> | I | go".into()),
            CliLine::Exported {
                path: "a.npz".into(),
                format: "numpy .npz".into(),
                steps: 100,
                weights: 60,
                arrays: 161,
                loss: None,
            },
            CliLine::Exported {
                path: "a.npz".into(),
                format: "numpy .npz".into(),
                steps: 100,
                weights: 60,
                arrays: 425,
                loss: Some(("2.302585".into(), 5)),
            },
            CliLine::Checked(CheckLine {
                passed: true,
                at: "weights[0]".into(),
                check: "sum",
                expected: "1".into(),
                actual: "1".into(),
                diff: Some("0".into()),
                tolerance: Some("0.0001".into()),
                detail: None,
            }),
            CliLine::Checked(CheckLine {
                passed: false,
                at: "scores[0][1]".into(),
                check: "value",
                expected: "-1".into(),
                actual: "-2".into(),
                diff: Some("1".into()),
                tolerance: Some("0.0001".into()),
                detail: Some("x".into()),
            }),
            CliLine::NoExpectations("a.yaml".into()),
            CliLine::CheckSummary {
                passed: 3,
                failed: 1,
                broken: 0,
                skipped: 1,
            },
            CliLine::CheckSummary {
                passed: 3,
                failed: 0,
                broken: 2,
                skipped: 0,
            },
            CliLine::GradcheckHeading("0.001".into()),
            CliLine::GradcheckColumns,
            CliLine::GradcheckFail,
            CliLine::GradcheckSummary {
                checked: 120,
                kinks: 2,
                weights: 30,
                bad: 0,
                tolerance: "0.02".into(),
            },
            CliLine::GradcheckNoWeights,
            CliLine::NoTerminal,
        ]
    }

    /// The line in `lang`.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per line, English and Korean side by side"
    )]
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (CliLine::HandCheck, Lang::En) => {
                "attention hand-check: q · kᵀ, ÷ √d_k, mask, softmax, · v".into()
            }
            (CliLine::HandCheck, Lang::Ko) => {
                "어텐션 손 계산 확인 (모델 없음): q · kᵀ, ÷ √d_k, 마스킹, 소프트맥스, · v".into()
            }
            (CliLine::ModelTrained, Lang::En) => {
                "model: the trained model of scenarios/default.yaml, as the workbench opens it (--untrained: random weights)".into()
            }
            (CliLine::ModelTrained, Lang::Ko) => {
                "모델: scenarios/default.yaml의 학습된 모델, 워크벤치가 여는 것과 같습니다 (--untrained: 무작위 가중치)".into()
            }
            (CliLine::ModelUntrained, Lang::En) => {
                "model: untrained, random weights (--untrained: the tiny preset of scenarios/untrained.yaml with the flags given)".into()
            }
            (CliLine::ModelUntrained, Lang::Ko) => {
                "모델: 학습 안 됨, 무작위 가중치 (--untrained: scenarios/untrained.yaml의 tiny 프리셋에 준 플래그를 적용)".into()
            }
            (CliLine::ModelReshaped { field, from, to }, Lang::En) => format!(
                "model: untrained, random weights (the tiny preset with the flags given): the trained model has {field} {from}, and its weights cannot take {field} {to}"
            ),
            (CliLine::ModelReshaped { field, from, to }, Lang::Ko) => format!(
                "모델: 학습 안 됨, 무작위 가중치 (tiny 프리셋에 준 플래그를 적용): 학습된 모델은 {field} {from}이고, 그 가중치로는 {field} {to}을(를) 쓸 수 없습니다"
            ),
            (CliLine::ModelCheckpoint(p), Lang::En) => format!("model: the trained model of {p}"),
            (CliLine::ModelCheckpoint(p), Lang::Ko) => format!("모델: {p}의 학습된 모델"),
            (
                CliLine::MostlyUnknown {
                    unknown,
                    total,
                    size,
                    sample,
                },
                Lang::En,
            ) => format!(
                "warning: {unknown} of {total} words are not in the model's vocabulary of {size} words ({sample}, …): it reads them all as <unk>, so what it computes says nothing about them (this checkpoint does not record its corpus, so a word known only on the target side is not counted)"
            ),
            (
                CliLine::MostlyUnknown {
                    unknown,
                    total,
                    size,
                    sample,
                },
                Lang::Ko,
            ) => format!(
                "경고: 단어 {total}개 중 {unknown}개가 모델의 어휘(단어 {size}개: {sample}, …)에 없습니다: 모두 <unk>로 읽으므로 계산 결과는 그 단어들에 대해 아무것도 말하지 않습니다 (이 체크포인트에는 학습 말뭉치가 기록되어 있지 않아, 목표 쪽에서만 본 단어는 세지 않습니다)"
            ),
            (
                CliLine::NeverInput {
                    unseen,
                    total,
                    corpus,
                    sample,
                },
                Lang::En,
            ) => format!(
                "warning: {unseen} of {total} words were never seen as input: the model's source side is the source sentences of {} ({sample}, …), so what it computes says nothing about them",
                crate::i18n::training::corpus_name(corpus, Lang::En)
            ),
            (
                CliLine::NeverInput {
                    unseen,
                    total,
                    corpus,
                    sample,
                },
                Lang::Ko,
            ) => format!(
                "경고: 단어 {total}개 중 {unseen}개는 모델이 입력으로 본 적이 없습니다: 모델의 입력 쪽은 {}의 원문 문장({sample}, …)이므로 계산 결과는 그 단어들에 대해 아무것도 말하지 않습니다",
                crate::i18n::training::corpus_name(corpus, Lang::Ko)
            ),
            (CliLine::Source(t), Lang::En) => format!("source: {t}"),
            (CliLine::Source(t), Lang::Ko) => format!("원문: {t}"),
            (CliLine::Target(t), Lang::En) => format!("target: {t}"),
            (CliLine::Target(t), Lang::Ko) => format!("목표: {t}"),
            (
                CliLine::Exported {
                    path,
                    format,
                    steps,
                    weights,
                    arrays,
                    loss,
                },
                Lang::En,
            ) => format!(
                "wrote {path} ({format}: {steps} trace steps, {weights} weights + embed.E{}, {arrays} arrays)",
                loss.as_ref().map_or(String::new(), |(l, n)| format!(
                    ", loss {l} over {n} predicted tokens and every gradient"
                ))
            ),
            (
                CliLine::Exported {
                    path,
                    format,
                    steps,
                    weights,
                    arrays,
                    loss,
                },
                Lang::Ko,
            ) => format!(
                "{path}을(를) 썼습니다 ({format}: 트레이스 단계 {steps}개, 가중치 {weights}개 + embed.E{}, 배열 {arrays}개)",
                loss.as_ref().map_or(String::new(), |(l, n)| format!(
                    ", 모든 기울기와 예측한 토큰 {n}개에 대한 손실 {l}"
                ))
            ),
            (CliLine::Checked(c), lang) => checked(c, lang),
            (CliLine::NoExpectations(path), Lang::En) => {
                format!("NOTE  {path}: no expectations to check")
            }
            (CliLine::NoExpectations(path), Lang::Ko) => {
                format!("참고  {path}: 검사할 기댓값이 없습니다")
            }
            (
                CliLine::CheckSummary {
                    passed,
                    failed,
                    broken,
                    skipped,
                },
                Lang::En,
            ) => format!(
                "{passed} passed, {failed} failed{}{}",
                if *skipped > 0 {
                    format!(
                        ", {skipped} scenario file(s) skipped (their model.hf directory is missing)"
                    )
                } else {
                    String::new()
                },
                if *broken > 0 {
                    format!(", {broken} scenario file(s) could not be loaded")
                } else {
                    String::new()
                }
            ),
            (
                CliLine::CheckSummary {
                    passed,
                    failed,
                    broken,
                    skipped,
                },
                Lang::Ko,
            ) => format!(
                "통과 {passed}개, 실패 {failed}개{}{}",
                if *skipped > 0 {
                    format!(", 건너뛴 시나리오 파일 {skipped}개 (model.hf 디렉터리가 없음)")
                } else {
                    String::new()
                },
                if *broken > 0 {
                    format!(", 읽지 못한 시나리오 파일 {broken}개")
                } else {
                    String::new()
                }
            ),
            (CliLine::GradcheckHeading(h), Lang::En) => format!(
                "gradient check: backward pass vs central differences (loss(w + h) − loss(w − h)) / 2h, h = {h}"
            ),
            (CliLine::GradcheckHeading(h), Lang::Ko) => format!(
                "기울기 검사: 역전파와 중앙 차분 (loss(w + h) − loss(w − h)) / 2h 비교, h = {h}"
            ),
            (CliLine::GradcheckColumns, lang) => {
                let words = match lang {
                    Lang::En => ["weight", "checked", "kinks", "max |Δ|", "max rel"],
                    Lang::Ko => ["가중치", "검사 수", "꺾임", "최대 |Δ|", "최대 상대"],
                };
                // Padded by display width, so the Korean headings sit over the columns too.
                words
                    .iter()
                    .zip([28, 7, 6, 11, 11])
                    .enumerate()
                    .map(|(i, (w, cols))| {
                        let fill = " ".repeat(cols - crate::util::width(w).min(cols));
                        if i == 0 { format!("{w}{fill}") } else { format!("{fill}{w}") }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            (CliLine::GradcheckFail, Lang::En) => "  FAIL".into(),
            (CliLine::GradcheckFail, Lang::Ko) => "  실패".into(),
            (
                CliLine::GradcheckSummary {
                    checked,
                    kinks,
                    weights,
                    bad,
                    tolerance,
                },
                Lang::En,
            ) => format!(
                "{checked} values checked ({kinks} at a kink or strong curvature, checked against the slopes on either side); {weights} weights, {bad} above the tolerance {tolerance}"
            ),
            (
                CliLine::GradcheckSummary {
                    checked,
                    kinks,
                    weights,
                    bad,
                    tolerance,
                },
                Lang::Ko,
            ) => format!(
                "값 {checked}개를 검사했습니다 ({kinks}개는 꺾이는 점이나 곡률이 큰 곳이라 양쪽 기울기와 비교했습니다); 가중치 {weights}개 중 {bad}개가 허용 오차 {tolerance}를 넘었습니다"
            ),
            (CliLine::GradcheckNoWeights, Lang::En) => {
                "an attention hand-check has no weights to check".into()
            }
            (CliLine::GradcheckNoWeights, Lang::Ko) => {
                "어텐션 손 계산 확인에는 검사할 가중치가 없습니다".into()
            }
            (CliLine::NoTerminal, Lang::En) => "\
qkv: the workbench needs a terminal, and stdin or stdout is not one.
  qkv run                  prints the attention weights of the default sentence
  qkv run --text \"...\"     the same for your sentence (qkv run --help for the flags)
  qkv repl < commands.txt  runs study commands from a file or a pipe
  qkv --help               lists every command"
                .into(),
            (CliLine::NoTerminal, Lang::Ko) => "\
qkv: 워크벤치는 터미널이 있어야 하는데, 표준 입력이나 표준 출력이 터미널이 아닙니다.
  qkv run                  기본 문장의 어텐션 가중치를 출력합니다
  qkv run --text \"...\"     내 문장으로 같은 것을 합니다 (플래그는 qkv run --help)
  qkv repl < commands.txt  파일이나 파이프에서 학습 명령을 실행합니다
  qkv --help               모든 명령을 보여 줍니다"
                .into(),
        }
    }
}

/// A checked expectation's line in `lang`.
fn checked(c: &CheckLine, lang: Lang) -> String {
    let (pass, fail, expected, actual, diff, tol) = match lang {
        Lang::En => ("PASS", "FAIL", "expected", "actual", "|diff|", "tol"),
        Lang::Ko => ("통과", "실패", "기댓값", "실제", "|차이|", "허용 오차"),
    };
    let mut s = format!(
        "{}  {}  {}  {expected} {}  {actual} {}",
        if c.passed { pass } else { fail },
        c.at,
        c.check,
        c.expected,
        c.actual
    );
    if let Some(d) = &c.diff {
        s.push_str(&format!("  {diff} {d}"));
    }
    if let Some(t) = &c.tolerance {
        s.push_str(&format!("  {tol} {t}"));
    }
    if let Some(d) = &c.detail {
        s.push_str(&format!("  ({d})"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::check;

    #[test]
    fn every_cli_line_has_both_texts() {
        check::both_texts(&CliLine::samples(), CliLine::text);
    }
}
