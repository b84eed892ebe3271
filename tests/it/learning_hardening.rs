//! Training, checkpoints and decoding under hostile input: every file is written by the one
//! writer and checked before the work, unsaved training is unsaved work, and training,
//! gradients, decoding and checkpoint reading are predicted against the one memory budget
//! before they allocate. Each test failed on the build before its fix.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qkv::learn::checkpoint;
use qkv::model::{Config, Preset, Transformer, Vocab};
use qkv::tui::message::Message;
use qkv::tui::update;

use crate::util::{QKV, Qkv, TINY_MODEL, say, session, stderr, stdout, untrained};

fn train(dir: &Path, extra: &[&str], secs: u64) -> std::process::Output {
    let mut a = vec!["train", "--every", "0"];
    a.extend_from_slice(TINY_MODEL);
    a.extend_from_slice(extra);
    Qkv::new(&a).dir(dir).within(secs).output()
}

#[test]
fn train_refuses_an_existing_file_without_force_and_replaces_it_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.yaml");
    fs::write(&notes, "title: my notes\n").unwrap();
    let o = train(dir.path(), &["--steps", "1", "-o", "notes.yaml"], 60);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&notes).unwrap(), "title: my notes\n");
    // Refused before training: no update was made.
    assert!(!stdout(&o).contains("steps in"), "{}", stdout(&o));
    let o = train(
        dir.path(),
        &["--steps", "1", "-o", "notes.yaml", "--force"],
        60,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(checkpoint::load(&notes, &qkv::model::Control::new()).is_ok());
}

#[test]
fn train_checks_its_destination_before_the_first_update() {
    let dir = tempfile::tempdir().unwrap();
    // 100000 updates would take minutes: the refusal must come at once.
    let started = Instant::now();
    let o = train(
        dir.path(),
        &["--steps", "100000", "-o", "nodir/x.safetensors"],
        60,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the directory nodir does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    fs::create_dir(dir.path().join("adir")).unwrap();
    let o = train(dir.path(), &["--steps", "100000", "-o", "adir/"], 60);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("adir/ is a directory"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("step "), "{}", stdout(&o));
}

#[test]
fn unsaved_training_is_unsaved_work_in_the_repl_and_the_workbench() {
    let dir = tempfile::tempdir().unwrap();
    // REPL: train, then quit: a warning, not an exit.
    let mut s = session();
    say(&mut s, "train 2");
    assert_eq!(s.unsaved_updates(), 2);
    assert!(s.is_dirty());
    let o = s
        .apply(qkv::command::Command::Quit { force: false })
        .unwrap();
    assert!(!o.quit, "{}", o.text);
    assert!(
        o.text.contains("2 training updates are not saved"),
        "{}",
        o.text
    );
    // A checkpoint keeps them: nothing is unsaved any more.
    let p = dir.path().join("m.safetensors");
    say(&mut s, &format!("checkpoint save {}", p.display()));
    assert!(p.is_file());
    assert_eq!(s.unsaved_updates(), 0);
    // Workbench: the Learn view's `.` then one `q` warns; the second leaves.
    let mut a = untrained(120, 40);
    update(&mut a, Message::OpenLearn);
    update(&mut a, Message::TrainStep);
    update(&mut a, Message::Quit);
    assert!(a.running(), "one q left with an unsaved training update");
    let status = a.status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(
        status.contains("1 training update is not saved"),
        "{status}"
    );
    update(&mut a, Message::Quit);
    assert!(!a.running());
}

#[test]
fn a_huge_batch_neither_panics_nor_aborts() {
    let dir = tempfile::tempdir().unwrap();
    // More pairs per update than the corpus has: the whole corpus, once per update.
    let o = train(
        dir.path(),
        &[
            "--steps",
            "1",
            "--batch",
            "18446744073709551615",
            "-o",
            "m.safetensors",
        ],
        120,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("m.safetensors").is_file());
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ko-en.tsv");
    let scenario = dir.path().join("batch.yaml");
    fs::write(
        &scenario,
        format!(
            "version: 1\nmodel: {{d_model: 8, heads: 2, d_ff: 16, layers: 1, arch: encoder-decoder}}\ninput: {{text: 나는 학교에 간다, target: <bos> I go}}\ntraining: {{corpus: {}, steps: 1, batch: 18446744073709551615, loss_below: 100}}\n",
            corpus.display()
        ),
    )
    .unwrap();
    let o = Qkv::new(&["check", scenario.to_str().unwrap()])
        .within(120)
        .output();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn training_and_gradients_are_inside_the_memory_budget() {
    let dir = tempfile::tempdir().unwrap();
    // small: about 230 000 parameters (0.9 MB). Its forward pass fits 2 MiB; its gradients
    // (the weights' gradients, the traces of both passes) and its training (Adam's moments,
    // a pair per thread at work) do not.
    let run = Qkv::new(&["run", "--preset", "small", "--memory-budget", "2"])
        .within(120)
        .output();
    assert!(run.status.success(), "{}", stderr(&run));
    let o = Qkv::new(&[
        "train",
        "--preset",
        "small",
        "--steps",
        "1",
        "--memory-budget",
        "2",
        "-o",
        "m.safetensors",
    ])
    .dir(dir.path())
    .within(120)
    .output();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("training this model (batch 16")
            && stderr(&o).contains("more than the budget of 2.0 MiB"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("m.safetensors").exists());
    // `--force` acknowledges the file's size, not the memory.
    let o = Qkv::new(&[
        "export",
        "--preset",
        "small",
        "--grads",
        "--force",
        "--memory-budget",
        "2",
        "-o",
        dir.path().join("g.npz").to_str().unwrap(),
    ])
    .within(120)
    .output();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("computing the gradients of this model and sentence needs about"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("g.npz").exists(), "{}", stderr(&o));
}

#[test]
fn training_memory_does_not_grow_with_the_batch_beyond_the_threads() {
    use qkv::model::cost::{Lengths, training_bytes};
    let c = Config::preset(Preset::Tiny);
    let n = Lengths {
        source: 5,
        target: 6,
        vocab: 100,
    };
    // Two pairs at work at once: a batch of 2 and a batch of a million need the same.
    assert_eq!(
        training_bytes(&c, n, 2, 2),
        training_bytes(&c, n, 1_000_000, 2)
    );
    assert!(training_bytes(&c, n, 2, 2) > training_bytes(&c, n, 1, 2));
}

/// A checkpoint of a tiny decoder-only model whose vocabulary has `words` words (`w0`,
/// `w1`, …).
fn wide_checkpoint(dir: &Path, words: usize) -> std::path::PathBuf {
    let mut c = Config::preset(Preset::Tiny);
    c.arch = qkv::model::Arch::Decoder;
    c.layers.encoder = 0;
    c.layers.decoder = 1;
    let words: Vec<String> = (0..words).map(|i| format!("w{i}")).collect();
    let vocab = Vocab::build(words.iter().map(String::as_str));
    let m = Transformer::with_vocab(c.validate().unwrap(), vocab);
    let p = dir.join("wide.safetensors");
    checkpoint::save(&m, &p, qkv::atomic::Existing::Refuse).unwrap();
    p
}

#[test]
fn a_checkpoints_vocabulary_counts_in_the_memory_prediction() {
    let dir = tempfile::tempdir().unwrap();
    // 100 000 words × d_model 8: about 3.2 MB of embeddings; reading the file fits 20 MiB.
    // A decoder-only model's logits for a 40-word sentence over 100 000 words are
    // 40 × 100 000 × 4 B, twice with the probabilities (32 MB): past 20 MiB, so the run is
    // refused; it was counted as 42 columns before.
    let ck = wide_checkpoint(dir.path(), 100_000);
    let ck = ck.to_str().unwrap();
    let sentence: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let with_budget = |args: &[&str], mib: &str| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--checkpoint", ck, "--memory-budget", mib]);
        Qkv::new(&all).within(120).output()
    };
    let o = with_budget(&["run", "--text", &sentence.join(" ")], "20");
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("more than the budget of 20.0 MiB"),
        "{}",
        stderr(&o)
    );
    let o = with_budget(&["generate", "w1 w2"], "20");
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("more than the budget of 20.0 MiB"),
        "{}",
        stderr(&o)
    );
    // Reading a file twice the budget is refused before it is read.
    let o = with_budget(&["generate", "w1 w2"], "1");
    assert!(stderr(&o).contains("reading"), "{}", stderr(&o));
}

#[test]
fn a_training_check_too_long_to_run_is_refused_with_its_cost() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ko-en.tsv");
    let scenario = dir.path().join("long.yaml");
    fs::write(
        &scenario,
        format!(
            "version: 1\nmodel: {{preset: small, arch: encoder-decoder}}\ninput: {{text: 나는 학교에 간다, target: <bos> I go}}\ntraining: {{corpus: {}, steps: 5000, batch: 260, loss_below: 1}}\n",
            corpus.display()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let o = Qkv::new(&["check", scenario.to_str().unwrap()])
        .within(120)
        .output();
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(said.contains("floating-point operations"), "{said}");
    assert!(said.contains("qkv check --long"), "{said}");
    assert!(started.elapsed() < Duration::from_mins(1));
}

#[test]
fn ctrl_c_after_the_checkpoint_is_written_skips_the_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    // 400 pairs of which 300 are held out: the greedy evaluation takes seconds.
    let mut corpus = String::new();
    for i in 0..400 {
        let held = if i < 300 { "\theld-out" } else { "" };
        corpus.push_str(&format!(
            "나는 학교{i}에 간다 {i}\tI go to school {i} today{held}\n"
        ));
    }
    let corpus_path = dir.path().join("c.tsv");
    fs::write(&corpus_path, corpus).unwrap();
    let out = dir.path().join("m.safetensors");
    let mut child = Command::new(QKV)
        .env("QKV_LANG", "en")
        .args(["train", "--corpus", corpus_path.to_str().unwrap(), "-o"])
        .arg(&out)
        .args(TINY_MODEL)
        .args(["--steps", "1", "--every", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !out.exists() && started.elapsed() < Duration::from_mins(1) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(out.exists(), "no checkpoint within 60 s");
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let sent = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(130));
            break;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "still evaluating 5 s after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the evaluation is skipped"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(checkpoint::load(&out, &qkv::model::Control::new()).is_ok());
}
