//! GPT-2 with real weights: the tiny random GPT-2 of `tests/fixtures/hf/gpt2-tiny` (built by
//! `tools/make_hf_fixtures.py` with `transformers`' GPT2LMHeadModel and a byte-level BPE
//! trained with the `tokenizers` package) opened with `--hf`'s loader and run by qkv,
//! compared with what `transformers` computed (`expected.json`): the same pieces and ids,
//! every attention weight, hidden state and logit within [`TOLERANCE`], the same greedy and
//! beam continuations.

use std::path::PathBuf;

use qkv::hf::decode::LengthPenalty;
use qkv::hf::{Gpt2Model, HfModel};
use serde_json::Value;

use crate::hf_fixture::{self, ids};
// Differences are divided by max(1, the tensor's largest |value|): float32 sums carry errors
// in proportion to their largest terms, and the hidden state after the first block reaches
// 33.5 here, where one float32 step is 3.8e-6 (and the JSON keeps 7 significant digits).
use crate::hf_fixture::scaled_diff as diff;

/// Largest absolute difference accepted (both float32; the JSON keeps 7 significant digits).
const TOLERANCE: f32 = 1e-5;

fn fixture() -> PathBuf {
    hf_fixture::dir("gpt2-tiny")
}

fn expected() -> Value {
    hf_fixture::expected(&fixture())
}

/// `transformers`' hidden states are the embeddings, each block's output, and the last
/// block's output after `ln_f`: qkv's `embed.sum`, `dec.{l}.add_norm2.sum`, `final_norm`.
fn hidden_step(i: usize, layers: usize) -> String {
    match i {
        0 => "embed.sum".to_string(),
        i if i == layers => "final_norm".to_string(),
        i => format!("dec.{}.add_norm2.sum", i - 1),
    }
}

/// Every text: the pieces and ids are `tokenizers`' own, and every attention weight, hidden
/// state and logit is `transformers`' within 1e-5. A GELU computed with erf instead of tanh,
/// or a c_attn read output × input, moves these by far more (the test of `gelu_matters`).
#[test]
fn gpt2_matches_transformers() {
    let model = Gpt2Model::open(&fixture()).unwrap();
    let exp = expected();
    assert_eq!(exp["activation"], "gelu_new");
    let layers = model.config.n_layer;
    let mut worst = [0.0f32; 3];
    for s in exp["texts"].as_array().unwrap() {
        let text = s["text"].as_str().unwrap();
        let enc = model.tokenizer.encode(text).unwrap();
        assert_eq!(enc.ids, ids(&s["ids"]), "{text}");
        let pieces: Vec<&str> = s["pieces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(enc.pieces, pieces, "{text}");
        assert_eq!(
            model.tokenizer.decode(&enc.ids),
            s["decoded"].as_str().unwrap()
        );
        let trace = model.forward(&enc.ids).unwrap();
        for (l, a) in s["attentions"].as_array().unwrap().iter().enumerate() {
            worst[0] = worst[0].max(diff(&trace, &format!("dec.{l}.self_attn.weights"), a));
        }
        let hidden = s["hidden_states"].as_array().unwrap();
        assert_eq!(hidden.len(), layers + 1);
        for (i, h) in hidden.iter().enumerate() {
            worst[1] = worst[1].max(diff(&trace, &hidden_step(i, layers), h));
        }
        worst[2] = worst[2].max(diff(&trace, "logits", &s["logits"]));
    }
    for (kind, w) in ["attention", "hidden", "logits"].iter().zip(worst) {
        assert!(w < TOLERANCE, "{kind}: largest difference {w}");
    }
}

/// Greedy and beam-4 continuations are `transformers`' `generate` outputs, token for token.
#[test]
fn gpt2_generate_matches_transformers() {
    let model = Gpt2Model::open(&fixture()).unwrap();
    let exp = expected();
    let new_tokens = exp["generate"]["max_new_tokens"].as_u64().unwrap() as usize;
    for s in exp["texts"].as_array().unwrap() {
        let prompt = ids(&s["ids"]);
        let (greedy, steps) = model.greedy(&prompt, new_tokens).unwrap();
        assert_eq!(greedy, ids(&s["greedy"]), "{}", s["text"]);
        assert_eq!(steps.len(), greedy.len() - prompt.len());
        let beam = model
            .beam_search(&prompt, 4, new_tokens, LengthPenalty::HuggingFace(1.0))
            .unwrap();
        assert_eq!(beam.best, ids(&s["beam4"]), "{}", s["text"]);
    }
}

/// The differences from the paper are where they should be: GELU's tanh form is not erf's
/// (at h = 1: tanh form 0.841192, erf form 0.841345, a difference of 1.5e-4, far above the
/// tolerance), and the FFN step recorded is `gelu` with its formula.
#[test]
fn gelu_matters() {
    let tanh_form = qkv::hf::config::gelu_tanh(1.0);
    // 0.5 · (1 + tanh(0.797885 · 1.044715)) = 0.5 · (1 + tanh(0.833562)) = 0.5 · 1.682384
    assert!((tanh_form - 0.841_192).abs() < 1e-6, "{tanh_form}");
    // erf form: 0.5 · (1 + erf(1/√2)) = 0.5 · 1.682689 = 0.841345.
    assert!((tanh_form - 0.841_345).abs() > 1e-4);
    let model = Gpt2Model::open(&fixture()).unwrap();
    let trace = model.forward(&[41, 333]).unwrap();
    let gelu = trace.step("dec.0.ffn.gelu").unwrap();
    assert_eq!(gelu.kind(), qkv::trace::StepKind::FfnGeluTanh);
    assert!(gelu.formula().contains("tanh"), "{}", gelu.formula());
    // W_Q is the first third of c_attn's columns (stored input × output): 32 × 32.
    assert_eq!(
        model.weights.matrix("dec.0.self_attn.W_Q").unwrap().dim(),
        (32, 32)
    );
    assert!(
        trace
            .step("embed.pos")
            .unwrap()
            .formula()
            .contains("learned")
    );
}

/// The family comes from config.json: HfModel::open gives a GPT-2 model, and a Run holds
/// one id sequence and no target.
#[test]
fn a_gpt2_directory_opens_as_gpt2() {
    let model = HfModel::open(&fixture()).unwrap();
    assert_eq!(model.family(), qkv::hf::Family::Gpt2);
    let run = qkv::hf::Run::new(std::sync::Arc::new(model), "I go", None).unwrap();
    assert_eq!(run.source, [41, 333]);
    assert!(run.target.is_empty());
    assert_eq!(run.input.source, ["I", "Ġgo"]);
    assert!(run.trace.tokens().target.is_none());
}

/// `qkv tokenize --hf DIR TEXT --merges` on a byte-level BPE: each piece's bytes, the
/// characters they spell (학 = ED 95 99 is cut after its second byte: `학[1–2/3]` then
/// `학[3/3]`) and the merges in order; `qkv generate --hf` prints each greedy step and the
/// continuation `transformers` gives (its greedy ids decode to it).
#[test]
fn tokenize_merges_and_generate_on_the_command_line() {
    use crate::util::{qkv, stderr, stdout};
    let d = fixture();
    let d = d.to_str().unwrap();
    let o = qkv(&["tokenize", "--hf", d, "나는 학교에", "--merges"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Ġíķ (361): bytes 20 ED 95 = ␠ 학[1–2/3]; merges in order: Ġ + í, Ġí + ķ"),
        "{out}"
    );
    assert!(
        out.contains("Ļ (248): bytes 99 = 학[3/3] (one byte, no merge)"),
        "{out}"
    );
    let o = qkv(&["generate", "--hf", d, "I go", "--max-len", "6"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let model = Gpt2Model::open(&fixture()).unwrap();
    let want = model
        .tokenizer
        .decode(&ids(&expected()["texts"][0]["greedy"]));
    assert!(out.contains(&format!("continuation: {want}\n")), "{out}");
    assert_eq!(out.matches("the largest)").count(), 6, "{out}");
    // translate needs a Marian model.
    let o = qkv(&["translate", "--hf", d, "I go"]);
    assert!(
        stderr(&o).contains(
            "qkv translate --hf runs on Marian models; this directory holds a GPT-2 model"
        ),
        "{}",
        stderr(&o)
    );
}
