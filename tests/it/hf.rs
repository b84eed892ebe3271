//! Real models: the tiny random Marian models of `tests/fixtures/hf/` (built by
//! `tools/make_hf_fixtures.py` with Hugging Face `transformers`) opened with `--hf`'s loader
//! and run by qkv, compared with what `transformers` computed on them (`expected.json`):
//! the same pieces and ids, every attention weight, hidden state and logit within
//! [`TOLERANCE`].

use qkv::hf::MarianModel;
use qkv::trace::Trace;
use serde_json::Value;

use crate::hf_fixture::{diff, dir as fixture, expected, flat, ids};

/// Largest absolute difference accepted between qkv's and `transformers`' numbers (both
/// float32; the JSON keeps 7 significant digits).
const TOLERANCE: f32 = 1e-5;

/// Compares one fixture model sentence by sentence; returns the largest difference per kind.
fn compare(name: &str) -> Vec<(&'static str, f32)> {
    let dir = fixture(name);
    let model = MarianModel::open(&dir).unwrap();
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
    let model = MarianModel::open(&dir).unwrap();
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
    let model = MarianModel::open(&fixture("marian-tiny")).unwrap();
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
    let model = MarianModel::open(&dir).unwrap();
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
    // The family is config.json's model_type: one qkv does not open is named with the
    // families it does.
    std::fs::write(
        tmp.path().join("config.json"),
        config.replace("\"marian\"", "\"t5\""),
    )
    .unwrap();
    let o = qkv(&["run", "--hf", d]);
    let err = stderr(&o);
    assert!(
        err.contains("config.json: model_type is t5; qkv can run marian ("),
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

// ----- the real model in a session: the workbench, the REPL, scenarios --------------------

/// A session on the swish fixture with sentence `i` of `expected.json` and its target.
fn real_session(i: usize) -> (qkv::session::Session, Value) {
    let dir = fixture("marian-tiny");
    let exp = expected(&dir);
    let s = exp["sentences"][i].clone();
    let session = qkv::session::Session::open_hf(
        &dir,
        s["text"].as_str().unwrap(),
        Some(s["target_text"].as_str().unwrap()),
    )
    .unwrap();
    (session, s)
}

/// The session on the real model shows the SentencePiece pieces as its rows, walks with
/// `show` to `dec.0.cross_attn.weights[0]` and holds there what `transformers` computed.
#[test]
fn session_walks_to_the_cross_attention_of_transformers() {
    let (mut s, exp) = real_session(0);
    let text = crate::util::say(&mut s, "show dec.0.cross_attn.weights[0]");
    assert_eq!(s.cursor().step, "dec.0.cross_attn.weights");
    assert_eq!(s.cursor().head, 0);
    let step = s.trace().step("dec.0.cross_attn.weights").unwrap();
    // Rows: <pad> (the decoder's start) then the target's pieces; columns: the source's
    // pieces with </s> (expected.json's source_pieces are SentencePiece's own).
    let mut cols: Vec<String> = exp["source_pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    cols.push("</s>".into());
    assert_eq!(step.col_labels(Some(0)), &cols[..]);
    assert_eq!(step.row_labels()[0], "<pad>");
    assert!(text.contains("학"), "{text}");
    // Head 0 of layer 0, against transformers' cross_attentions[0][0] (batch 1).
    let want = &exp["cross_attentions"][0];
    assert!(diff(s.trace(), "dec.0.cross_attn.weights", want) <= TOLERANCE);
    let h0 = step.matrix(Some(0)).unwrap();
    let mut w = Vec::new();
    flat(want, &mut w);
    // The first head's numbers are the first n × m of the nested list.
    for (got, want) in h0.iter().zip(&w) {
        assert!((got - want).abs() <= TOLERANCE, "{got} vs {want}");
    }
}

/// Every step of both fixtures (swish and relu) explains its first cell in English and in
/// Korean, and each explanation's arithmetic gives the number the trace holds (no `note:`
/// that the operands disagree).
#[test]
fn every_step_of_a_real_model_is_explained() {
    use qkv::i18n::Lang;
    use qkv::trace::Address;
    for name in ["marian-tiny", "marian-tiny-relu"] {
        let dir = fixture(name);
        let s = qkv::session::Session::open_hf(&dir, "나는 학교에 간다", Some("I go to school"))
            .unwrap();
        for step in s.trace().steps() {
            let mut indices = vec![0; step.shape().len()];
            // A cell below the diagonal, so that the decoder's masked cells are not the
            // only ones explained.
            let n = indices.len();
            indices[n - 2] = 1;
            let a = Address {
                name: step.name().to_string(),
                indices,
            };
            for lang in [Lang::En, Lang::Ko] {
                let e = s
                    .explanation_in(Some(&a), lang)
                    .unwrap_or_else(|e| panic!("{name}: {a}: {e}"));
                let text = e.to_text();
                assert!(
                    !text.contains("note:") && !text.contains("주의:"),
                    "{name} {a}:\n{text}"
                );
                if let Some(r) = e.recomputed {
                    assert!(
                        (r - e.value).abs() <= 1e-4 * e.value.abs().max(1.0),
                        "{name} {a}: {r} vs {}",
                        e.value
                    );
                }
            }
        }
    }
}

/// A query cell adds Marian's bias: `q[h][i][j] = x[i] · W_Q[:, h·d_k + j] + b_Q[h·d_k + j]`,
/// recomputed here from the weights; the SiLU cell is `h · σ(h)`.
#[test]
fn explain_a_biased_query_cell_and_the_silu() {
    use qkv::trace::Address;
    let (s, _) = real_session(0);
    let model = s.real_model().unwrap();
    // Head 1, row 2, column 3 of d_k = 16 / 4 = 4: weight column 1·4 + 3 = 7.
    let a = Address::parse("enc.0.attn.q[1][2][3]").unwrap();
    let e = s.explanation(Some(&a)).unwrap();
    let text = e.to_text();
    assert!(text.contains("W = enc.0.attn.W_Q[:, 7]"), "{text}");
    assert!(text.contains("+ b_Q[7] = "), "{text}");
    assert!(e.formula.contains("+ b_Q[h·d_k + j]"), "{}", e.formula);
    let x = s.trace().step("embed.sum").unwrap().matrix(None).unwrap();
    let w = model.weights().matrix("enc.0.attn.W_Q").unwrap();
    let b = model.weights().vector("enc.0.attn.b_Q").unwrap();
    let want: f32 = x
        .row(2)
        .iter()
        .zip(w.column(7))
        .map(|(a, b)| a * b)
        .sum::<f32>()
        + b[7];
    assert!((e.value - want).abs() <= 1e-5, "{} vs {want}", e.value);
    assert!((e.recomputed.unwrap() - want).abs() <= 1e-5);
    // SiLU: silu = h × σ(h) with h the hidden cell.
    let a = Address::parse("enc.0.ffn.silu[0][5]").unwrap();
    let e = s.explanation(Some(&a)).unwrap();
    let h = s
        .trace()
        .step("enc.0.ffn.hidden")
        .unwrap()
        .value(&[0, 5])
        .unwrap();
    let want = h / (1.0 + (-h).exp());
    assert!((e.value - want).abs() <= 1e-6, "{} vs {want}", e.value);
    assert_eq!(e.kind, qkv::trace::StepKind::FfnSilu);
    assert!(e.to_text().contains("σ(hidden)"), "{}", e.to_text());
    // The positions: column 9 of d_model 16 is in the cos half (8..16), j = 1.
    let e = s
        .explanation(Some(&Address::parse("embed.pos[2][9]").unwrap()))
        .unwrap();
    let want = (2f64 / 10000f64.powf(2.0 / 16.0)).cos() as f32;
    assert!((e.value - want).abs() <= 1e-6, "{} vs {want}", e.value);
    assert!(
        e.to_text().contains("column c = 9 → cos, j = 1"),
        "{}",
        e.to_text()
    );
    // The logits' bias.
    let e = s
        .explanation(Some(&Address::parse("logits[1][4]").unwrap()))
        .unwrap();
    assert!(
        e.to_text().contains("final_logits_bias[4]"),
        "{}",
        e.to_text()
    );
}

/// Commands that change, train or differentiate a model are refused on a real one with the
/// reason, and leave the session as it was; a new sentence is cut by SentencePiece and run.
#[test]
fn a_real_model_refuses_training_and_reruns_a_new_sentence() {
    let (mut s, _) = real_session(0);
    let before = s.trace().id();
    for line in [
        "train 1",
        "grad",
        "set model.d_model 32",
        "mask off",
        "scale off",
        "set weight enc.0.attn.W_Q [[1]]",
        "checkpoint save x.safetensors",
        "decode",
    ] {
        let e = s.apply_line(line).unwrap_err().to_string();
        assert!(
            e.contains("read-only") || e.contains("does not apply"),
            "{line}: {e}"
        );
        assert_eq!(s.trace().id(), before, "{line}");
    }
    s.set_lang(qkv::i18n::Lang::Ko);
    let e = s.apply_line("train 1").unwrap_err().to_string();
    assert!(e.contains("읽기 전용"), "{e}");
    s.set_lang(qkv::i18n::Lang::En);
    crate::util::say(&mut s, "text 나는 빵을 먹는다");
    let pieces: Vec<&str> = s
        .trace()
        .tokens()
        .source
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        pieces,
        ["▁", "나", "는", "▁", "빵", "을", "▁먹", "는", "다", "</s>"]
    );
    assert_eq!(s.real_ids().unwrap().0, [2, 7, 4, 2, 31, 34, 9, 4, 3, 0]);
    // translate: greedy, then the model's beam search (num_beams 4 in the fixture).
    let out = crate::util::say(&mut s, "translate 나는 빵을 먹는다");
    assert!(out.contains("step 1: "), "{out}");
    assert!(out.contains("step 1 candidates (by Σ log p):"), "{out}");
}

/// `model.hf: DIR` in a scenario, relative to the file: it loads, runs and passes its
/// checks; a missing directory is skipped by `qkv check` with how to get it.
#[test]
fn a_scenario_opens_a_real_model() {
    use crate::util::{qkv, stderr, stdout};
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(fixture("marian-tiny"), tmp.path().join("m")).unwrap();
    let yaml = "version: 1\ntitle: real\nmodel:\n  hf: m\ninput:\n  text: 나는 학교에 간다\n  target: I go to school\nsteps:\n- show: dec.1.cross_attn.weights\n  head: 3\nexpect:\n- at: dec.0.self_attn.weights[0]\n  zero_above_diagonal: true\n- at: enc.1.attn.weights[3][0]\n  sum: 1\n";
    let file = tmp.path().join("real.yaml");
    std::fs::write(&file, yaml).unwrap();
    let s = qkv::session::Session::open(&file).unwrap();
    assert!(s.real_model().is_some());
    assert_eq!(s.trace().tokens().source.last().unwrap(), "</s>");
    let o = qkv(&["check", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with("2 passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    // `qkv run FILE --text …` runs the real model on the new sentence, never qkv's own;
    // a model flag is refused.
    let o = qkv(&["run", file.to_str().unwrap(), "--text", "나는 빵을 먹는다"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("Hugging Face Marian model"), "{out}");
    assert!(out.contains("빵 (31)"), "{out}");
    let o = qkv(&["run", file.to_str().unwrap(), "--d-model", "8"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("model.hf"), "{}", stderr(&o));
    // A directory that is not there: skipped, not failed, with the download command.
    std::fs::write(&file, yaml.replace("hf: m", "hf: opus-mt-ko-en")).unwrap();
    let o = qkv(&[
        "check",
        file.to_str().unwrap(),
        "scenarios/opus-mt-ko-en.yaml",
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("SKIP  "), "{out}");
    assert!(
        out.contains("huggingface-cli download Helsinki-NLP/opus-mt-ko-en --local-dir"),
        "{out}"
    );
    assert!(out.contains("2 scenario file(s) skipped"), "{out}");
}

/// `--hf DIR` on `explain`, `plot`, `repl` and `bench`.
#[test]
fn explain_plot_repl_and_bench_take_hf() {
    use crate::util::{Qkv, qkv, stderr, stdout};
    let dir = fixture("marian-tiny");
    let d = dir.to_str().unwrap();
    let o = qkv(&["explain", "--hf", d, "enc.0.attn.k[0][1][2]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("+ b_K[2] = "), "{}", stdout(&o));
    let o = qkv(&[
        "plot",
        "--hf",
        d,
        "--show",
        "dec.0.cross_attn.weights[1]",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("</s>"), "{}", stdout(&o));
    let o = Qkv::new(&["repl", "--hf", d, "--echo", "--keep-going"])
        .stdin("show enc.0.ffn.silu[0]\ntrain 1\n".as_bytes())
        .output();
    let out = stdout(&o);
    assert!(out.contains("silu"), "{out}");
    assert!(
        out.contains("read-only") || stderr(&o).contains("read-only"),
        "{out}"
    );
    let o = qkv(&["bench", "--hf", d, "--repeat", "1", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["beam"]["beams"], 4);
    assert!(r["greedy"]["tokens_per_s"].as_f64().unwrap() > 0.0);
    assert!(r["trace_steps"].as_u64().unwrap() > 100);
    let o = qkv(&["tui", "--hf", "/nonexistent/opus-mt-ko-en"]);
    assert!(!o.status.success());
}

/// The workbench on the real model: the header names it, the matrix rows are the pieces,
/// in English and in Korean at both sizes, borders intact.
#[test]
fn the_workbench_names_the_model_and_shows_the_pieces() {
    use qkv::i18n::Lang;
    use qkv::tui::{App, update};
    use ratatui::layout::Size;
    for (w, h) in crate::util::SIZES {
        for lang in [Lang::En, Lang::Ko] {
            let (s, _) = real_session(0);
            let mut app = App::with_lang(s, Size::new(w, h), lang);
            for m in crate::util::prompt("show dec.0.cross_attn.weights[0]") {
                update(&mut app, m);
            }
            let screen = crate::util::screen(&app);
            assert!(
                screen.contains("marian-tiny · d_model 16"),
                "{w}×{h}:\n{screen}"
            );
            assert!(
                screen.contains("dec.0.cross_attn.weights"),
                "{w}×{h}:\n{screen}"
            );
            assert!(
                screen.contains("<pad>") && screen.contains("학"),
                "{w}×{h}:\n{screen}"
            );
            crate::util::assert_borders_hold(&app);
        }
    }
}

/// `model load DIR` in a running session opens the real model on the session's sentence
/// (the numbers of the model opened directly), `model load` alone goes back to the model
/// studied before, and a directory that does not exist gets the one line that fetches it.
#[test]
fn model_load_opens_a_real_model_in_a_running_session_and_goes_back() {
    let dir = fixture("marian-tiny");
    let mut s = crate::util::session();
    let steps_before = s.trace().steps().len();
    let text = crate::util::say(&mut s, &format!("model load {}", dir.display()));
    assert!(
        text.starts_with("opened marian-tiny · d_model 16"),
        "{text}"
    );
    assert!(text.ends_with("of 나는 학교에 간다"), "{text}");
    let model = s
        .real_model()
        .and_then(|m| m.marian())
        .expect("a Marian model is studied");
    // The same logits as the model opened directly on the same ids.
    let (src, tgt) = s.real_ids().unwrap();
    let direct = MarianModel::open(&dir).unwrap().forward(src, tgt).unwrap();
    let logits = |t: &Trace| t.step("logits").unwrap().matrix(None).unwrap().to_owned();
    assert_eq!(logits(s.trace()), logits(&direct));
    let pieces = model.tokenizer.encode_source("나는 학교에 간다").pieces;
    assert_eq!(s.input().unwrap().source, pieces);
    // The reference "<bos> I go to school" of qkv's model is read without its <bos>: the
    // decoder's input is <pad> and the pieces of "I go to school".
    let mut want = vec!["<pad>".to_string()];
    want.extend(model.tokenizer.encode_target("I go to school").pieces);
    assert_eq!(s.input().unwrap().target.as_deref(), Some(want.as_slice()));
    let back = crate::util::say(&mut s, "model load");
    assert!(
        back.starts_with("back to the model studied before"),
        "{back}"
    );
    assert!(s.real_model().is_none());
    assert_eq!(s.trace().steps().len(), steps_before);
    let err = s.apply_line("model load").unwrap_err().to_string();
    assert!(err.contains("no model was studied before"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("opus-mt-ko-en");
    let err = s
        .apply_line(&format!("model load {}", missing.display()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "huggingface-cli download Helsinki-NLP/opus-mt-ko-en --local-dir {}",
            missing.display()
        )),
        "{err}"
    );
}
