//! The error catalogue's tests: both languages, the same numbers.

use super::*;
use crate::i18n::check::{has_hangul, numbers};
use std::path::PathBuf;

/// Both texts exist, the Korean is Korean, and both carry the same numbers (the bad
/// value and what is allowed).
fn same_numbers(what: &str, en: &str, ko: &str) {
    assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{what}");
    assert!(has_hangul(ko), "{what}: {ko}");
    assert_ne!(en, ko, "{what}");
    assert_eq!(numbers(en), numbers(ko), "{what}\n{en}\n{ko}");
}

fn trace_errors() -> Vec<TraceError> {
    vec![
        TraceError::UnknownStep {
            name: "enc.0.attn.wieghts".into(),
            suggestions: vec!["enc.0.attn.weights".into()],
        },
        TraceError::UnknownStep {
            name: "zzz".into(),
            suggestions: vec![],
        },
        TraceError::BadAddress {
            text: "x[a]".into(),
            reason: "index \"a\" is not a non-negative integer".into(),
        },
        TraceError::BadAddress {
            text: "[1]".into(),
            reason: "it has no step name before '['".into(),
        },
        TraceError::NotPerHead {
            name: "embed.sum".into(),
            head: 2,
        },
        TraceError::HeadOutOfRange {
            name: "enc.0.attn.weights".into(),
            head: 7,
            heads: 4,
        },
        TraceError::NeedsHead {
            name: "enc.0.attn.weights".into(),
            heads: 4,
        },
        TraceError::WrongIndexCount {
            name: "embed.sum".into(),
            got: 3,
            expected: 2,
        },
        TraceError::IndexOutOfRange {
            name: "embed.sum".into(),
            axis: "row",
            index: 9,
            len: 3,
        },
        TraceError::IndexOutOfRange {
            name: "x".into(),
            axis: "column",
            index: 5,
            len: 2,
        },
    ]
}

#[test]
fn every_trace_error_has_both_texts_with_the_same_numbers() {
    for e in trace_errors() {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        same_numbers(&format!("{e:?}"), &e.to_string(), &e.text_in(Lang::Ko));
    }
}

#[test]
fn every_practice_error_has_both_texts_with_the_same_numbers() {
    use crate::practice::PracticeError as P;
    let errors = [
        P::Trace(TraceError::HeadOutOfRange {
            name: "enc.0.attn.weights".into(),
            head: 7,
            heads: 4,
        }),
        P::NotRowOrCell {
            address: "enc.0.attn.weights[1]".into(),
            head: Some(1),
            example: "enc.0.attn.weights[1][0]".into(),
        },
        P::NotRowOrCell {
            address: "embed.sum".into(),
            head: None,
            example: "embed.sum[0]".into(),
        },
        P::WrongCount {
            address: "enc.0.attn.weights[0][0]".into(),
            expected: 3,
            got: 1,
        },
        P::BadTolerance { value: -1.5 },
    ];
    for e in errors {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        same_numbers(&format!("{e:?}"), &e.to_string(), &e.text_in(Lang::Ko));
    }
    // The words as the English says them: asked 3, given 1.
    let e = P::WrongCount {
        address: "enc.0.attn.weights[0][0]".into(),
        expected: 3,
        got: 1,
    };
    assert_eq!(
        e.to_string(),
        "enc.0.attn.weights[0][0] asks for 3 numbers, but 1 was given"
    );
    assert_eq!(
        e.text_in(Lang::Ko),
        "enc.0.attn.weights[0][0]은(는) 숫자 3개를 묻는데, 1개를 받았습니다"
    );
}

#[test]
fn a_missing_head_names_the_head_and_the_heads_there_are() {
    // 4 heads: 0, 1, 2, 3; head 7 is not one of them.
    let e = TraceError::HeadOutOfRange {
        name: "enc.0.attn.weights".into(),
        head: 7,
        heads: 4,
    };
    assert_eq!(
        e.to_string(),
        "enc.0.attn.weights: head 7 does not exist (heads 0 to 3)"
    );
    assert_eq!(
        e.text_in(Lang::Ko),
        "enc.0.attn.weights: 헤드 7은(는) 없습니다 (헤드는 0부터 3까지)"
    );
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one assertion per error of the weights, files, plots and explanations"
)]
fn every_weight_file_plot_and_explain_error_has_both_texts() {
    let p = || PathBuf::from("out/a.yaml");
    let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
    let mut all: Vec<(String, String, String)> = Vec::new();
    let mut add = |d: String, en: String, ko: String| all.push((d, en, ko));
    for e in [
        WeightError::Unknown {
            name: "enc.0.attn.W_X".into(),
            suggestions: vec!["enc.0.attn.W_Q".into()],
        },
        WeightError::Unknown {
            name: "x".into(),
            suggestions: vec![],
        },
        WeightError::Shape {
            name: "enc.0.attn.W_Q".into(),
            expected: vec![4, 8],
            got: vec![3, 8],
        },
        WeightError::NotFinite {
            name: "enc.0.attn.W_Q".into(),
            index: 5,
            value: f32::NAN,
        },
        WeightError::EmbeddingTable,
    ] {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        add(format!("{e:?}"), e.to_string(), e.text_in(Lang::Ko));
    }
    for e in [
        SaveError::IsDirectory { path: p() },
        SaveError::WouldOverwrite { path: p() },
        SaveError::NotRegular {
            path: p(),
            kind: "a FIFO (named pipe)",
        },
        SaveError::ChangedOnDisk { path: p() },
        SaveError::Io {
            path: p(),
            cause: io(),
        },
        SaveError::Serialize("bad".into()),
    ] {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        add(format!("{e:?}"), e.to_string(), e.text_in(Lang::Ko));
    }
    for e in [
        LoadError::Read {
            path: p(),
            cause: io(),
        },
        LoadError::NoHfModel {
            origin: "a.yaml".into(),
            dir: p(),
        },
        LoadError::Invalid {
            origin: "a.yaml".into(),
            problems: vec![crate::scenario::io::Located {
                line: 3,
                column: 10,
                field: "model.heads".into(),
                message: "= 3: expected a divisor of d_model (4)".into(),
            }],
        },
    ] {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        let (en, ko) = (e.to_string(), e.text_in(Lang::Ko));
        // The Korean of an invalid file also counts its problems (1).
        let ko_numbers = ko.replacen("(문제 1개)", "", 1);
        same_numbers(&format!("{e:?}"), &en, &ko_numbers);
    }
    for e in [
        ExportError::UnknownFormat { path: p() },
        ExportError::Io {
            path: p(),
            cause: io(),
        },
        ExportError::Npz {
            path: p(),
            message: "zip".into(),
        },
        ExportError::Destination(crate::atomic::Refusal::NoDirectory {
            path: p(),
            dir: p(),
        }),
    ] {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        add(format!("{e:?}"), e.to_string(), e.text_in(Lang::Ko));
    }
    for e in [
        PlotError::UnknownFormat { name: "png".into() },
        PlotError::UnknownExtension { path: p() },
        PlotError::Trace(trace_errors().remove(5)),
        PlotError::NotAMatrix {
            address: "enc.0.attn.weights[0][1]".into(),
        },
        PlotError::WouldOverwrite { path: p() },
        PlotError::Io {
            path: p(),
            cause: io(),
        },
        PlotError::Destination(crate::atomic::Refusal::Directory { path: p() }),
        PlotError::Destination(crate::atomic::Refusal::NotRegular {
            path: p(),
            kind: "a character device",
        }),
        PlotError::Destination(crate::atomic::Refusal::Exists { path: p() }),
        PlotError::Destination(crate::atomic::Refusal::Io {
            path: p(),
            cause: io(),
        }),
    ] {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        add(format!("{e:?}"), e.to_string(), e.text_in(Lang::Ko));
    }
    for e in [
        ExplainError::Trace(trace_errors().remove(0)),
        ExplainError::NotACell {
            address: "enc.0.attn.weights[1][2]".into(),
            what: "one row (head 1, row 2)".into(),
            needs: "[h][i][j]".into(),
            example: "enc.0.attn.weights[0][0][0]".into(),
        },
        ExplainError::NotAStep {
            name: "enc.0.attn.W_Q".into(),
        },
        ExplainError::NeedsModel {
            step: "embed.sum".into(),
            kind: "sum".into(),
            needs: "the embeddings".into(),
        },
        ExplainError::MissingInput {
            step: "enc.0.attn.scores".into(),
            index: 1,
            role: "the keys".into(),
            inputs: vec!["enc.0.attn.q".into()],
        },
        ExplainError::UnknownInput {
            step: "enc.0.attn.scores".into(),
            input: "x".into(),
            role: "the keys".into(),
            needs_weight: true,
        },
        ExplainError::Inconsistent {
            step: "enc.0.attn.scores".into(),
            detail: "2 × 3 vs 4".into(),
        },
    ] {
        assert_eq!(e.text_in(Lang::En), e.to_string());
        add(format!("{e:?}"), e.to_string(), e.text_in(Lang::Ko));
    }
    for (d, en, ko) in &all {
        same_numbers(d, en, ko);
    }
}

#[test]
fn every_session_built_error_has_both_texts_with_the_same_numbers() {
    for m in ErrorMsg::samples() {
        same_numbers(&format!("{m:?}"), &m.text(Lang::En), &m.text(Lang::Ko));
    }
}

#[test]
fn every_model_field_problem_has_a_korean_text() {
    use crate::model::config::{Config, Preset};
    use crate::scenario::{FieldPath, ScenarioProblem};
    // Every field of the model wrong at once, then heads 0 and d_model too large.
    let mut all = Config::preset(Preset::Tiny);
    all.heads = 3;
    all.d_ff = 0;
    all.layers.encoder = 13;
    all.layers.decoder = 13;
    all.eps = 2.0;
    all.max_tokens = 0;
    let mut zero = all.clone();
    zero.heads = 0;
    zero.d_model = 100_000;
    zero.d_ff = 100_000_000;
    let problems: Vec<_> = [all.problems(), zero.problems()].concat();
    assert!(problems.len() >= 10, "{problems:?}");
    for p in problems {
        let sp = ScenarioProblem {
            path: FieldPath::new(vec![]),
            message: format!("= {}: expected {}", p.value, p.allowed),
        };
        let ko = scenario_problem_ko(&sp).unwrap_or_else(|| panic!("{p}"));
        same_numbers(&p.to_string(), &sp.to_string(), &ko);
    }
}

#[test]
fn korean_ranges_say_the_same_numbers_as_the_english() {
    for n in 0..6 {
        assert_eq!(
            numbers(&crate::util::indices_text(n)),
            numbers(&indices_ko(n)),
            "{n}"
        );
    }
    assert_eq!(indices_ko(2), "0 또는 1");
    assert_eq!(indices_ko(1), "0만");
}
