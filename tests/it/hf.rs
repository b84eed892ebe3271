//! Real models: the tiny random Marian models of `tests/fixtures/hf/` (built by
//! `tools/make_hf_fixtures.py` with Hugging Face `transformers`) opened with `--hf`'s loader
//! and run by qkv, compared with what `transformers` computed on them (`expected.json`):
//! the same pieces and ids, every attention weight, hidden state and logit within
//! [`TOLERANCE`].

use std::path::{Path, PathBuf};

use qkv::hf::HfModel;
use qkv::trace::Trace;
use serde_json::Value;

/// Largest absolute difference accepted between qkv's and `transformers`' numbers (both
/// float32; the JSON keeps 7 significant digits).
const TOLERANCE: f32 = 1e-5;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hf")
        .join(name)
}

fn expected(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ids(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn flat(v: &Value, out: &mut Vec<f32>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| flat(x, out)),
        x => out.push(x.as_f64().unwrap() as f32),
    }
}

/// Largest |qkv − transformers| over the step `name` (all heads) and the nested list `want`.
fn diff(trace: &Trace, name: &str, want: &Value) -> f32 {
    let step = trace.step(name).unwrap();
    let got: Vec<f32> = step.to_tensor().values().collect();
    let mut w = Vec::new();
    flat(want, &mut w);
    assert_eq!(got.len(), w.len(), "{name}: {:?}", step.shape());
    got.iter()
        .zip(&w)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// Compares one fixture model sentence by sentence; returns the largest difference per kind.
fn compare(name: &str) -> Vec<(&'static str, f32)> {
    let dir = fixture(name);
    let model = HfModel::open(&dir).unwrap();
    let exp = expected(&dir);
    let mut worst = vec![
        ("encoder attention", 0.0f32),
        ("decoder self-attention", 0.0),
        ("cross-attention", 0.0),
        ("hidden states", 0.0),
        ("logits", 0.0),
    ];
    for s in exp["sentences"].as_array().unwrap() {
        let text = s["text"].as_str().unwrap();
        let src = model.tokenizer.encode_source(text);
        let pieces: Vec<String> = s["source_pieces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(src.pieces[..src.pieces.len() - 1], pieces[..], "{text}");
        assert_eq!(src.ids, ids(&s["source_ids"]), "{text}");
        let mut dec = vec![model.config.decoder_start()];
        dec.extend(
            model
                .tokenizer
                .encode_target(s["target_text"].as_str().unwrap())
                .ids,
        );
        assert_eq!(dec, ids(&s["decoder_input_ids"]), "{text}");
        let trace = model.forward(&src.ids, &dec).unwrap();
        let layers = model.config.encoder_layers;
        for l in 0..layers {
            let pairs = [
                (
                    0,
                    format!("enc.{l}.attn.weights"),
                    &s["encoder_attentions"][l],
                ),
                (
                    1,
                    format!("dec.{l}.self_attn.weights"),
                    &s["decoder_attentions"][l],
                ),
                (
                    2,
                    format!("dec.{l}.cross_attn.weights"),
                    &s["cross_attentions"][l],
                ),
                (
                    3,
                    format!("enc.{l}.add_norm2.out"),
                    &s["encoder_hidden_states"][l + 1],
                ),
                (
                    3,
                    format!("dec.{l}.add_norm3.out"),
                    &s["decoder_hidden_states"][l + 1],
                ),
            ];
            for (k, step, want) in pairs {
                worst[k].1 = worst[k].1.max(diff(&trace, &step, want));
            }
        }
        worst[3].1 = worst[3]
            .1
            .max(diff(&trace, "embed.sum", &s["encoder_hidden_states"][0]));
        worst[3].1 = worst[3].1.max(diff(
            &trace,
            "dec.embed.sum",
            &s["decoder_hidden_states"][0],
        ));
        worst[4].1 = worst[4].1.max(diff(&trace, "logits", &s["logits"]));
    }
    println!("{name}: max |qkv − transformers| {worst:?}");
    worst
}

#[test]
fn marian_swish_matches_transformers() {
    for (kind, d) in compare("marian-tiny") {
        assert!(d <= TOLERANCE, "{kind}: {d}");
    }
}

#[test]
fn marian_relu_matches_transformers() {
    for (kind, d) in compare("marian-tiny-relu") {
        assert!(d <= TOLERANCE, "{kind}: {d}");
    }
}

/// Greedy and beam-4 decoding give `generate`'s ids (same settings: the model's
/// `generation_config.json`, Hugging Face's length penalty with α = 1).
fn generated_ids_match(name: &str) {
    use qkv::hf::decode::LengthPenalty;
    let dir = fixture(name);
    let model = HfModel::open(&dir).unwrap();
    let exp = expected(&dir);
    let max_length = model.config.max_length;
    assert_eq!(
        max_length as u64,
        exp["generate"]["max_length"].as_u64().unwrap()
    );
    for s in exp["sentences"].as_array().unwrap() {
        let src = ids(&s["source_ids"]);
        let (greedy, _) = model.greedy(&src, max_length).unwrap();
        assert_eq!(greedy, ids(&s["greedy"]), "greedy, {}", s["text"]);
        let beam = model
            .beam_search(&src, 4, max_length, LengthPenalty::HuggingFace(1.0))
            .unwrap();
        assert_eq!(beam.best, ids(&s["beam4"]), "beam 4, {}", s["text"]);
    }
}

#[test]
fn marian_generate_matches_transformers() {
    generated_ids_match("marian-tiny");
    generated_ids_match("marian-tiny-relu");
}

/// The decoder with its KV cache gives, token by token, the logits of the full pass over
/// the same prefix.
#[test]
fn cached_decoding_equals_the_full_pass() {
    let model = HfModel::open(&fixture("marian-tiny")).unwrap();
    let src = model.tokenizer.encode_source("나는 학교에 간다").ids;
    let max_length = 8;
    let (tokens, steps) = model.greedy(&src, max_length).unwrap();
    let trace = model.forward(&src, &tokens[..tokens.len() - 1]).unwrap();
    let logits = trace
        .step("logits")
        .unwrap()
        .matrix(None)
        .unwrap()
        .to_owned();
    // The last step of a full-length output is forced to </s> (log p 0 by the rule, not the
    // model), so it is left out.
    assert!(steps.len() > 3);
    for (i, step) in steps.iter().enumerate().take(max_length - 2) {
        let row = logits.row(i);
        let max = row.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        let lse = max + row.mapv(|l| (l - max).exp()).sum().ln();
        let full = row[step.token] - lse;
        assert!(
            (full - step.logprob).abs() < 1e-5,
            "step {i}: {full} vs {}",
            step.logprob
        );
    }
}

/// `qkv translate --hf DIR --beam 4` prints `generate(num_beams=4)`'s translation, each
/// step's hypotheses and the KV-cache line; `qkv tokenize` the pieces with their ids.
#[test]
fn translate_and_tokenize_on_the_command_line() {
    use crate::util::{qkv, stdout};
    let dir = fixture("marian-tiny");
    let d = dir.to_str().unwrap();
    let exp = expected(&dir);
    let s = &exp["sentences"][3];
    let model = HfModel::open(&dir).unwrap();
    let want = model.tokenizer.decode(&ids(&s["beam4"]));
    let text = s["text"].as_str().unwrap();
    let o = qkv(&["translate", "--hf", d, "--beam", "4", text]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&format!("translation: {want}\n")), "{out}");
    assert!(
        out.contains("length penalty: score = Σ log p / |Y|^1"),
        "{out}"
    );
    assert!(out.contains("step 1 candidates (by Σ log p):"), "{out}");
    assert!(out.contains("→ kept as hypothesis 3"), "{out}");
    assert!(out.contains("computed once for the sentence"), "{out}");
    let o = qkv(&["tokenize", "--hf", d, "나는 빵을 먹는다"]);
    let out = stdout(&o);
    assert!(out.starts_with("source pieces (id): ▁ (2) | 나 (7) | 는 (4) | ▁ (2) | 빵 (31) | 을 (34) | ▁먹 (9) | 는 (4) | 다 (3) | </s> (0)\n"), "{out}");
}

/// A directory whose weights are only in pytorch_model.bin gets the command that converts
/// them; a config.json value qkv cannot run is named with its file and key.
#[test]
fn unusable_directories_say_what_to_do() {
    use crate::util::{qkv, stderr};
    let tmp = tempfile::tempdir().unwrap();
    let src = fixture("marian-tiny");
    for f in ["config.json", "source.spm", "target.spm", "vocab.json"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::write(tmp.path().join("pytorch_model.bin"), b"not read").unwrap();
    let d = tmp.path().to_str().unwrap();
    let o = qkv(&["translate", "--hf", d, "나는 학교에 간다"]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("has pytorch_model.bin but no model.safetensors"),
        "{err}"
    );
    assert!(
        err.contains("python3 -c \"import torch, safetensors.torch as s;"),
        "{err}"
    );
    let config = std::fs::read_to_string(src.join("config.json")).unwrap();
    std::fs::write(
        tmp.path().join("config.json"),
        config.replace("\"swish\"", "\"gelu\""),
    )
    .unwrap();
    let o = qkv(&["run", "--hf", d]);
    let err = stderr(&o);
    assert!(
        err.contains("config.json: activation_function is gelu; qkv can run swish, silu, relu"),
        "{err}"
    );
}

/// `qkv export --hf DIR -o F.json` writes the trace with `token_ids` (source with `</s>`,
/// target from `<pad>`) equal to the ids `transformers` was fed, and refuses `.npz`.
#[test]
fn export_carries_the_token_ids() {
    use crate::util::{qkv, stderr};
    let dir = fixture("marian-tiny");
    let d = dir.to_str().unwrap();
    let exp = expected(&dir);
    let s = &exp["sentences"][0];
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("e.json");
    let o = qkv(&[
        "export",
        "--hf",
        d,
        "--text",
        s["text"].as_str().unwrap(),
        "--target",
        s["target_text"].as_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(ids(&e["token_ids"]["source"]), ids(&s["source_ids"]));
    assert_eq!(ids(&e["token_ids"]["target"]), ids(&s["decoder_input_ids"]));
    let (mut got, mut want) = (Vec::new(), Vec::new());
    flat(&e["arrays"]["dec.1.cross_attn.weights"], &mut got);
    flat(&s["cross_attentions"][1], &mut want);
    assert_eq!(got.len(), want.len());
    assert!(
        got.iter()
            .zip(&want)
            .all(|(a, b)| (a - b).abs() <= TOLERANCE)
    );
    let o = qkv(&[
        "export",
        "--hf",
        d,
        "-o",
        tmp.path().join("e.npz").to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("is exported as JSON"), "{}", stderr(&o));
}
