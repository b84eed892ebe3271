//! The learning engine through the `qkv` binary: train, translate, generate, gradcheck,
//! export --grads, explain of gradients, checkpoints in scenarios.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::{QKV, Qkv, TINY_MODEL, qkv, stderr as err, stdout as out};

fn qkv_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    env.iter()
        .fold(Qkv::new(args), |q, (k, v)| q.env(k, v))
        .output()
}

/// A corpus small enough for a debug build: 6 training pairs, 1 held out.
const CORPUS: &str = "# test corpus\n\
나는 학교에 간다\tI go to school\n\
너는 학교에 간다\tyou go to school\n\
나는 집에 간다\tI go home\n\
너는 집에 온다\tyou come home\n\
나는 집에 온다\tI come home\n\
너는 학교에 온다\tyou come to school\n\
너는 집에 간다\tyou go home\theld-out\n";

/// Twelve updates of three pairs, the loss every fourth.
const RUN: &[&str] = &["--steps", "12", "--batch", "3", "--every", "4"];

fn train_args<'a>(corpus: &'a str, out_file: &'a str) -> Vec<&'a str> {
    let mut a = vec!["train", "--corpus", corpus, "-o", out_file];
    a.extend_from_slice(TINY_MODEL);
    a.extend_from_slice(RUN);
    a
}

#[test]
fn training_is_deterministic_on_any_thread_count_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.tsv");
    std::fs::write(&corpus, CORPUS).unwrap();
    let c = corpus.to_str().unwrap();
    let a = dir.path().join("a.safetensors");
    let b = dir.path().join("b.safetensors");
    let o1 = qkv_env(
        &train_args(c, a.to_str().unwrap()),
        &[("RAYON_NUM_THREADS", "1")],
    );
    assert!(o1.status.success(), "{}", err(&o1));
    let o3 = qkv_env(
        &train_args(c, b.to_str().unwrap()),
        &[("RAYON_NUM_THREADS", "3")],
    );
    assert!(o3.status.success(), "{}", err(&o3));
    let text = out(&o1);
    assert!(text.contains("6 training pairs, 1 held out"), "{text}");
    assert!(text.contains("step     4  loss"), "{text}");
    assert!(text.contains("held-out greedy exact match"), "{text}");
    // The loss goes down over 12 updates.
    let losses: Vec<f64> = text
        .lines()
        .filter_map(|l| l.split("loss ").nth(1))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(losses.len() >= 3, "{text}");
    assert!(losses.last() < losses.first(), "{losses:?}");
    // Same seed and corpus: the same checkpoint, bit for bit.
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // The checkpoint loads and runs.
    let t = qkv(&[
        "translate",
        "나는 학교에 간다",
        "--checkpoint",
        a.to_str().unwrap(),
        "-q",
    ]);
    assert!(t.status.success(), "{}", err(&t));
}

#[test]
fn ctrl_c_stops_training_and_saves_what_there_is() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.tsv");
    std::fs::write(&corpus, CORPUS).unwrap();
    let ck = dir.path().join("m.safetensors");
    let child = Command::new(QKV)
        .args([
            "train",
            "--corpus",
            corpus.to_str().unwrap(),
            "-o",
            ck.to_str().unwrap(),
            "--steps",
            "100000",
            "--every",
            "1",
        ])
        .args(TINY_MODEL)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until training runs, then interrupt it.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("interrupted after"), "{}", out(&o));
    assert!(ck.exists());
    let t = qkv(&["translate", "--checkpoint", ck.to_str().unwrap(), "-q"]);
    assert!(t.status.success(), "{}", err(&t));
}

#[test]
fn the_shipped_model_translates_the_article_one_token_at_a_time() {
    let o = qkv(&["translate"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert_eq!(text.lines().last(), Some("I go to school"), "{text}");
    assert!(text.contains("step 1: <bos> → I"), "{text}");
    assert!(
        text.contains("step 5: <bos> I go to school → <eos>"),
        "{text}"
    );
    // Steps after the first take over the encoder (a KV cache).
    assert_eq!(text.matches("[encoder reused]").count(), 4, "{text}");
    // A held-out sentence (never in training).
    let o = qkv(&["translate", "그는 어제 시장에 갔다", "-q"]);
    assert_eq!(out(&o).trim(), "he went to the market yesterday");
    // Unknown words are said.
    let o = qkv(&["translate", "나는 바다에 간다", "-q"]);
    assert!(out(&o).contains("read as <unk>): 바다에"), "{}", out(&o));
    // Seeded sampling is reproducible and shows its formula.
    let s1 = qkv(&[
        "translate",
        "--temperature",
        "2",
        "--top-k",
        "3",
        "--seed",
        "7",
    ]);
    let s2 = qkv(&[
        "translate",
        "--temperature",
        "2",
        "--top-k",
        "3",
        "--seed",
        "7",
    ]);
    assert_eq!(out(&s1), out(&s2));
    assert!(out(&s1).contains("p_i = e^(logit_i / 2)"), "{}", out(&s1));
    let bad = qkv(&["translate", "--temperature", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        err(&bad).contains("temperature 0 must be a positive number"),
        "{}",
        err(&bad)
    );
}

#[test]
fn the_decoder_only_model_continues_english() {
    let o = qkv(&[
        "generate",
        "I go",
        "--checkpoint",
        "scenarios/en-next.safetensors",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("step 1: <bos> I go → to (0.862)"), "{text}");
    assert_eq!(text.lines().last(), Some("I go to the library"));
    let wrong = qkv(&["generate", "I go"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        err(&wrong).contains("this checkpoint is encoder-decoder"),
        "{}",
        err(&wrong)
    );
}

#[test]
fn gradcheck_passes_on_every_architecture() {
    for arch in ["encoder", "decoder", "encoder-decoder"] {
        for norm in ["post", "pre"] {
            let o = qkv(&[
                "gradcheck",
                "--arch",
                arch,
                "--norm",
                norm,
                "--layers",
                "1",
                "--per-weight",
                "6",
            ]);
            let text = out(&o);
            assert!(o.status.success(), "{arch} {norm}: {text}{}", err(&o));
            assert!(text.contains("0 above the tolerance"), "{text}");
            assert!(text.contains("embed.E"), "{text}");
        }
    }
}

#[test]
fn export_with_gradients_has_the_loss_its_targets_and_every_gradient() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("g.json");
    let o = qkv(&["export", "--grads", "-o", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    let arrays = &v["arrays"];
    let vocab: Vec<String> = serde_json::from_value(v["vocab"].clone()).unwrap();
    // <bos> I go to school predicts I go to school <eos>.
    let targets: Vec<i64> = serde_json::from_value(arrays["loss.targets"].clone()).unwrap();
    let words: Vec<&str> = targets
        .iter()
        .map(|t| vocab[*t as usize].as_str())
        .collect();
    assert_eq!(words, ["I", "go", "to", "school", "<eos>"]);
    assert!(arrays["loss"].as_f64().unwrap() > 0.0);
    assert_eq!(v["loss"]["label_smoothing"], 0.0);
    for step in v["steps"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap();
        assert!(arrays.get(format!("grad.{name}")).is_some(), "grad.{name}");
    }
    for w in v["weights"].as_array().unwrap() {
        let name = w["name"].as_str().unwrap();
        assert!(arrays.get(format!("grad.{name}")).is_some(), "grad.{name}");
    }
}

#[test]
fn gradients_are_explained_and_shown_in_scenarios() {
    let o = qkv(&[
        "explain",
        "scenarios/untrained.yaml",
        "grad.enc.0.attn.scaled[0][1][2]",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("softmax backward"), "{text}");
    assert!(text.contains("5.696e−4"), "{text}");
    let o = qkv(&["check", "scenarios/backprop-softmax.yaml"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("6 passed, 0 failed"), "{}", out(&o));
}

/// A scenario whose tour and checks name gradients carries them in its trace; explaining a
/// gradient cell of it differentiates the forward steps only (it failed on the recorded
/// gradient steps: "cannot differentiate step grad.dec.1.add_norm3.out"). The command is the
/// one the scenario's description gives.
#[test]
fn a_gradient_of_a_scenario_that_checks_gradients_is_explained() {
    let cell = "grad.enc.0.attn.scaled[0][1][2]";
    let o = qkv(&["explain", "scenarios/backprop-softmax.yaml", cell]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    // The same model and sentence as untrained.yaml, so the same number.
    assert!(text.contains("5.696e−4"), "{text}");
    assert!(text.contains("softmax backward"), "{text}");
}

#[test]
fn decode_and_training_checks_can_fail() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("scenarios/default.yaml")
        .unwrap()
        .replace(
            "tokens: [I, go, to, school, <eos>]",
            "tokens: [I, go, home, <eos>]",
        );
    let f = dir.path().join("wrong.yaml");
    std::fs::write(&f, text).unwrap();
    // The checkpoint is named relative to the scenario: copy it beside.
    std::fs::copy(
        "scenarios/ko-en.safetensors",
        dir.path().join("ko-en.safetensors"),
    )
    .unwrap();
    let o = qkv(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("FAIL")
            && out(&o).contains("expected I go home <eos>  actual I go to school"),
        "{}",
        out(&o)
    );
}

#[test]
fn checkpoints_are_checked_and_found_beside_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"not a checkpoint").unwrap();
    let o = qkv(&["run", "--checkpoint", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("is not a readable safetensors file"),
        "{}",
        err(&o)
    );
    let missing = qkv(&["run", "--checkpoint", "/nonexistent/m.safetensors"]);
    assert_eq!(missing.status.code(), Some(2));
    // A scenario naming a checkpoint that is not beside it.
    let s = dir.path().join("s.yaml");
    std::fs::write(
        &s,
        "version: 1\nmodel: {checkpoint: other.safetensors}\ninput: {text: 나는 학교에 간다}\n",
    )
    .unwrap();
    let o = qkv(&["run", s.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("model.checkpoint"), "{}", err(&o));
    // Sizes of a trained model are fixed.
    let o = qkv(&[
        "run",
        "--checkpoint",
        "scenarios/ko-en.safetensors",
        "--d-model",
        "16",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("a trained model's sizes are fixed"),
        "{}",
        err(&o)
    );
    // Settings that do not shape the weights may change.
    let o = qkv(&[
        "run",
        "--checkpoint",
        "scenarios/ko-en.safetensors",
        "--no-scale",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(Path::new("scenarios/ko-en.safetensors").exists());
}

#[test]
fn train_without_a_corpus_uses_the_built_in_one_from_any_directory() {
    // Run in an empty directory: there is no data/ko-en.tsv to read, so the built-in copy
    // (297 pairs, 37 held out) is used.
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["train", "-o", "m.safetensors"];
    args.extend_from_slice(TINY_MODEL);
    args.extend_from_slice(RUN);
    let o = Qkv::new(&args).dir(dir.path()).output();
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("260 training pairs, 37 held out"),
        "{}",
        out(&o)
    );
    // It says so: not "on data/ko-en.tsv", a file that is not there.
    assert!(
        out(&o).contains(" on the built-in copy of data/ko-en.tsv ("),
        "{}",
        out(&o)
    );
    assert!(dir.path().join("m.safetensors").is_file());
    // Where the file is, it is read and named by its path.
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::copy("data/ko-en.tsv", dir.path().join("data/ko-en.tsv")).unwrap();
    let mut args = vec!["train", "-o", "n.safetensors"];
    args.extend_from_slice(TINY_MODEL);
    args.extend_from_slice(RUN);
    let o = Qkv::new(&args).dir(dir.path()).output();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(" on data/ko-en.tsv ("), "{}", out(&o));
}
