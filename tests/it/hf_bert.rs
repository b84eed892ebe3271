//! Real models, the BERT family: the tiny random `BertForMaskedLM` of
//! `tests/fixtures/hf/bert-tiny` (built by `tools/make_hf_fixtures.py` with `transformers`)
//! opened with qkv's loader and run by qkv, compared with what `transformers` computed
//! (`expected.json`): every attention weight, hidden state, MLM logit and fill candidate
//! within [`TOLERANCE`], on a single sentence, a sentence pair (token type 1) and a padded
//! input (the padding mask).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use qkv::hf::bert::{BertInput, BertModel, id_labels};
use qkv::trace::{Labels, Tensor, Trace};
use serde_json::Value;

use crate::hf_fixture::{self, diff, flat, ids as usizes};

/// Largest absolute difference accepted (both float32; the JSON keeps 7 significant digits).
const TOLERANCE: f32 = 1e-5;

fn fixture() -> PathBuf {
    hf_fixture::dir("bert-tiny")
}

fn expected() -> Value {
    hf_fixture::expected(&fixture())
}

/// The input of one expected case, as transformers was given it.
fn input(case: &Value) -> (BertInput, Labels) {
    let input = BertInput {
        ids: usizes(&case["ids"]),
        types: usizes(&case["token_type_ids"]),
        keep: usizes(&case["attention_mask"])
            .into_iter()
            .map(|m| m == 1)
            .collect(),
    };
    let rows: Labels = Arc::new(
        case["pieces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect(),
    );
    (input, rows)
}

fn run(model: &BertModel, case: &Value) -> Trace {
    let (input, rows) = input(case);
    model
        .forward(&input, &rows, id_labels(model.config.vocab_size))
        .unwrap()
}

/// The largest difference per kind over every case, with the case that reached it.
fn worst(model: &BertModel) -> Vec<(&'static str, f32)> {
    let exp = expected();
    let mut worst = vec![
        ("attention", 0.0f32),
        ("hidden states", 0.0),
        ("logits", 0.0),
    ];
    for case in exp["cases"].as_array().unwrap() {
        let trace = run(model, case);
        let layers = model.config.num_hidden_layers;
        for l in 0..layers {
            let d = diff(
                &trace,
                &format!("enc.{l}.attn.weights"),
                &case["attentions"][l],
            );
            worst[0].1 = worst[0].1.max(d);
        }
        // hidden_states[0] is the embeddings' LayerNorm, [l + 1] the output of layer l.
        let hs = &case["hidden_states"];
        worst[1].1 = worst[1].1.max(diff(&trace, "embed.norm", &hs[0]));
        for l in 0..layers {
            let d = diff(&trace, &format!("enc.{l}.add_norm2.out"), &hs[l + 1]);
            worst[1].1 = worst[1].1.max(d);
        }
        worst[2].1 = worst[2].1.max(diff(&trace, "logits", &case["logits"]));
    }
    worst
}

#[test]
fn bert_matches_transformers() {
    let model = BertModel::open(&fixture()).unwrap();
    assert!(model.mlm, "bert-tiny is a BertForMaskedLM");
    let w = worst(&model);
    println!("max |qkv − transformers| {w:?}");
    for (kind, d) in w {
        assert!(d < TOLERANCE, "{kind}: qkv and transformers differ by {d}");
    }
}

#[test]
fn the_fixture_exercises_token_types_padding_and_gelu() {
    // The comparisons above can only catch a wrong token-type table, padding mask or GELU
    // if the cases make them matter: the pair case has type-1 rows, the padded case [PAD]
    // columns whose weights transformers set to 0, and the GELU sees negative inputs.
    let exp = expected();
    let cases = exp["cases"].as_array().unwrap();
    let pair = cases.iter().find(|c| !c["pair"].is_null()).unwrap();
    assert!(usizes(&pair["token_type_ids"]).contains(&1));
    let model = BertModel::open(&fixture()).unwrap();
    // With every type set to 0, the pair's hidden states move by far more than the tolerance.
    let (mut inp, rows) = input(pair);
    inp.types = vec![0; inp.types.len()];
    let trace = model
        .forward(&inp, &rows, id_labels(model.config.vocab_size))
        .unwrap();
    assert!(diff(&trace, "embed.norm", &pair["hidden_states"][0]) > 100.0 * TOLERANCE);
    let padded = cases
        .iter()
        .find(|c| usizes(&c["attention_mask"]).contains(&0))
        .unwrap();
    let trace = run(&model, padded);
    let w = trace.step("enc.0.attn.weights").unwrap().to_tensor();
    let keep = usizes(&padded["attention_mask"]);
    let n = keep.len();
    let values: Vec<f32> = w.values().collect();
    for (k, v) in values.iter().enumerate() {
        if keep[k % n] == 0 {
            assert_eq!(*v, 0.0, "weight on a [PAD] column");
        }
    }
    let hidden = trace.step("enc.0.ffn.hidden").unwrap().to_tensor();
    assert!(hidden.values().any(|h| (-3.0..-0.5).contains(&h)));
}

#[test]
fn fill_candidates_match_transformers() {
    let model = BertModel::open(&fixture()).unwrap();
    let exp = expected();
    let mut masks = 0;
    for case in exp["cases"].as_array().unwrap() {
        let trace = run(&model, case);
        let probs = trace.step("probs").unwrap().to_tensor().into_owned();
        let Tensor::Matrix(p) = probs else {
            panic!("probs is a matrix")
        };
        for fill in case["fill"].as_array().unwrap() {
            let pos = fill["position"].as_u64().unwrap() as usize;
            let mut order: Vec<usize> = (0..p.ncols()).collect();
            order.sort_by(|&a, &b| p[[pos, b]].total_cmp(&p[[pos, a]]));
            let want = usizes(&fill["ids"]);
            assert_eq!(order[..want.len()], want[..], "{}", case["text"]);
            let mut wp = Vec::new();
            flat(&fill["probs"], &mut wp);
            for (id, w) in want.iter().zip(wp) {
                assert!((p[[pos, *id]] - w).abs() < TOLERANCE);
            }
            masks += 1;
        }
    }
    // 나는 [MASK]에 간다, I go to [MASK], The cat drinks [MASK], 우리는 도서관에서 [MASK]을 읽었다.
    assert_eq!(masks, 4);
}

/// bert-tiny rewritten as a `BertModel` file (sentence-transformers' layout): no `bert.`
/// prefix, no `cls.*` head, a pooler.
fn headless(dir: &Path) {
    use safetensors::tensor::TensorView;
    let src = fixture();
    for f in ["config.json", "tokenizer_config.json"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let bytes = std::fs::read(src.join("model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    // sentence-transformers' tokenizer.json pads every input to 128 pieces.
    let tok = std::fs::read_to_string(src.join("tokenizer.json")).unwrap();
    let padded = tok.replacen(
        "\"padding\": null",
        r#""padding": {"strategy": {"Fixed": 128}, "direction": "Right", "pad_to_multiple_of": null, "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}"#,
        1,
    );
    assert_ne!(padded, tok);
    std::fs::write(dir.join("tokenizer.json"), padded).unwrap();
    let mut out: Vec<(String, TensorView<'_>)> = st
        .tensors()
        .into_iter()
        .filter(|(n, _)| !n.starts_with("cls."))
        .map(|(n, t)| (n.trim_start_matches("bert.").to_string(), t))
        .collect();
    let pooler = vec![0u8; 32 * 4];
    out.push((
        "pooler.dense.bias".into(),
        TensorView::new(safetensors::Dtype::F32, vec![32], &pooler).unwrap(),
    ));
    safetensors::serialize_to_file(out, None, &dir.join("model.safetensors")).unwrap();
}

#[test]
fn a_headless_bert_stops_at_the_last_hidden_state() {
    let tmp = tempfile::tempdir().unwrap();
    headless(tmp.path());
    let model = BertModel::open(tmp.path()).unwrap();
    assert!(!model.mlm);
    let exp = expected();
    let case = &exp["cases"][0];
    let trace = run(&model, case);
    assert!(trace.step("logits").is_err(), "no head, no logits");
    let last = trace.steps().last().unwrap().name().to_string();
    assert_eq!(last, "enc.1.add_norm2.out");
    assert!(diff(&trace, &last, &case["hidden_states"][2]) < TOLERANCE);
    // The tokenizer's padding to 128 is not fed to the model: [CLS] 나는 학교에 간다 [SEP].
    let (pieces, ids) = model.encode(case["text"].as_str().unwrap()).unwrap();
    assert_eq!(pieces.len(), 5, "{pieces:?}");
    assert_eq!(ids, usizes(&case["ids"]));
}

/// The WordPiece tokenizer of `tokenizer.json` gives transformers' pieces and ids.
#[test]
fn wordpiece_pieces_and_ids_match_transformers() {
    let model = BertModel::open(&fixture()).unwrap();
    let exp = expected();
    for case in exp["cases"].as_array().unwrap() {
        if !case["pair"].is_null() {
            continue;
        }
        let text = case["text"].as_str().unwrap();
        let keep = usizes(&case["attention_mask"]);
        let real = keep.iter().filter(|&&k| k == 1).count();
        let (pieces, ids) = model.encode(text).unwrap();
        assert_eq!(ids, usizes(&case["ids"])[..real], "{text}");
        let want: Vec<&str> = case["pieces"].as_array().unwrap()[..real]
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(pieces, want, "{text}");
    }
}

/// `qkv fill` prints transformers' candidates; `qkv tokenize` the `##` pieces; a headless
/// model, a sentence without [MASK] and a Marian directory are refused with what to do.
#[test]
fn fill_and_tokenize_on_the_command_line() {
    use crate::util::{qkv, stderr, stdout};
    let dir = fixture();
    let d = dir.to_str().unwrap();
    let exp = expected();
    let case = &exp["cases"][1];
    let fill = &case["fill"][0];
    let o = qkv(&["fill", "--hf", d, case["text"].as_str().unwrap()]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    let pos = fill["position"].as_u64().unwrap();
    assert!(
        out.contains(&format!("candidates for the [MASK] at position {pos}:\n")),
        "{out}"
    );
    let (id, token) = (
        fill["ids"][0].as_u64().unwrap(),
        fill["tokens"][0].as_str().unwrap(),
    );
    let p = fill["probs"][0].as_f64().unwrap();
    assert!(
        out.contains(&format!("  1. {token} ({id})  p = {p:.4}\n")),
        "{out}"
    );
    let o = qkv(&[
        "--lang",
        "ko",
        "fill",
        "--hf",
        d,
        "--top",
        "2",
        case["text"].as_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("위치 {pos}의 [MASK] 후보:\n")),
        "{out}"
    );
    assert!(out.contains("  2. "), "{out}");
    assert!(!out.contains("  3. "), "{out}");
    // The cat drinks [MASK]: ca ##t, d ##r ##i ##n ##k ##s.
    let o = qkv(&["tokenize", "--hf", d, "The cat drinks"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.starts_with("source pieces (id): [CLS] (2) | the ("),
        "{out}"
    );
    assert!(out.contains(" | ##t ("), "{out}");
    assert!(out.trim_end().ends_with("| [SEP] (3)"), "{out}");
    let o = qkv(&["fill", "--hf", d, "나는 학교에 간다"]);
    // Exit 2, as every error of the command line.
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the sentence has no [MASK]"),
        "{}",
        stderr(&o)
    );
    let tmp = tempfile::tempdir().unwrap();
    headless(tmp.path());
    let t = tmp.path().to_str().unwrap();
    let o = qkv(&["fill", "--hf", t, "나는 [MASK]에 간다"]);
    let err = stderr(&o);
    assert!(
        err.contains("has no masked-language-model head (cls.predictions.*"),
        "{err}"
    );
    let o = qkv(&["--lang", "ko", "fill", "--hf", t, "나는 [MASK]에 간다"]);
    assert!(stderr(&o).contains("마스크 언어 모델 헤드(cls.predictions.*)가 없습니다"));
    let marian = dir.parent().unwrap().join("marian-tiny");
    let o = qkv(&["fill", "--hf", marian.to_str().unwrap(), "[MASK]"]);
    assert!(
        stderr(&o)
            .contains("qkv fill --hf runs on BERT models; this directory holds a Marian model"),
        "{}",
        stderr(&o)
    );
}

/// The workbench's session on BERT: every step is explained in both languages and agrees
/// with the trace; a learned position names its row of embed.P, GELU shows erf and Φ.
#[test]
fn every_step_of_bert_is_explained() {
    use qkv::i18n::Lang;
    use qkv::trace::Address;
    let s = qkv::session::Session::open_hf(&fixture(), "나는 [MASK]에 간다", None).unwrap();
    let names: Vec<String> = s
        .trace()
        .steps()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    for want in [
        "embed.types",
        "embed.norm",
        "enc.1.ffn.gelu",
        "mlm_hidden",
        "mlm_gelu",
        "final_norm",
        "probs",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    for step in s.trace().steps() {
        let mut indices = vec![0; step.shape().len()];
        let n = indices.len();
        indices[n - 2] = 1;
        let a = Address {
            name: step.name().to_string(),
            indices,
        };
        for lang in [Lang::En, Lang::Ko] {
            let e = s
                .explanation_in(Some(&a), lang)
                .unwrap_or_else(|e| panic!("{a}: {e}"));
            let text = e.to_text();
            assert!(
                !text.contains("note:") && !text.contains("주의:"),
                "{a}:\n{text}"
            );
            if let Some(r) = e.recomputed {
                assert!(
                    (r - e.value).abs() <= 1e-4 * e.value.abs().max(1.0),
                    "{a}: {r} vs {}",
                    e.value
                );
            }
        }
    }
    let a = Address {
        name: "embed.pos".into(),
        indices: vec![2, 3],
    };
    let text = s.explanation_in(Some(&a), Lang::En).unwrap().to_text();
    assert!(text.contains("pos[2][3] = embed.P[2][3] = "), "{text}");
    let a = Address {
        name: "enc.0.ffn.gelu".into(),
        indices: vec![1, 2],
    };
    let text = s.explanation_in(Some(&a), Lang::Ko).unwrap().to_text();
    assert!(text.contains("Φ(hidden) = (1 + erf("), "{text}");
    assert!(text.contains("표준정규분포"), "{text}");
}
