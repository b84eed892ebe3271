//! `qkv repl` end to end: piped command files and an interactive pseudo-terminal.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{ControlCode, Eof, Expect, Session};

use crate::util::{QKV, Qkv, text};

/// `qkv repl args` in `dir` with `input` on stdin and its own history file.
fn repl(args: &[&str], input: &str, dir: &Path) -> Output {
    let mut all = vec!["repl"];
    all.extend_from_slice(args);
    Qkv::new(&all)
        .dir(dir)
        .env("QKV_HISTORY", dir.join("history.txt"))
        .stdin(input.as_bytes())
        .output()
}

#[test]
fn attend_reproduces_the_article_example() {
    let dir = tempfile::tempdir().unwrap();
    let o = repl(
        &[],
        "attend q=[1, 2, 3] k=[[2, 1, 2], [0, 1, -1], [1, 1, 1]] v=[[1, 0], [0, 1], [1, 1]]\n",
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    // scores row: 10, −1, 6 with their arithmetic
    assert!(out.contains("q0  10.0000  −1.0000  6.0000"), "{out}");
    assert!(out.contains("q·k = 1×2 + 2×1 + 3×2 = 10"), "{out}");
    assert!(out.contains("q·k = 1×0 + 2×1 + 3×(−1) = −1"), "{out}");
    assert!(out.contains("q·k = 1×1 + 2×1 + 3×1 = 6"), "{out}");
    // scaled by √3, softmax, output
    assert!(out.contains("q0  5.7735  −0.5774  3.4641"), "{out}");
    assert!(out.contains("q0  0.9082  0.0016  0.0902"), "{out}");
    assert!(out.contains("q0  0.9984  0.0918"), "{out}");
}

const STUDY: &str = "\
# a study session, as a teacher would pipe it in class
text 나는 학교에 간다
show enc.0.attn.weights[0]
explain enc.0.attn.scores[0][1][2]
scale off
show enc.0.attn.weights[0]
diff
save! study.yaml
load study.yaml
check
";

#[test]
fn a_study_session_saves_loads_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let o = repl(&["--echo"], STUDY, dir.path());
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}\n{out}", text(&o.stderr));
    assert!(
        out.contains("> text 나는 학교에 간다\nsource: 나는 | 학교에 | 간다"),
        "{out}"
    );
    assert!(out.contains("enc.0.attn.weights[0]  (3 × 3)"), "{out}");
    assert!(out.contains("q·k = "), "{out}");
    assert!(out.contains("scale off: reran;"), "{out}");
    assert!(out.contains("enc.0.attn.scaled"), "{out}");
    assert!(
        out.contains("  enc.0.attn.scores          unchanged\n"),
        "{out}"
    );
    assert!(out.contains("saved study.yaml ("), "{out}");
    assert!(out.contains("loaded study.yaml"), "{out}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
    // The saved scenario checks on its own and keeps the change.
    let saved = std::fs::read_to_string(dir.path().join("study.yaml")).unwrap();
    assert!(saved.contains("scale: false"), "{saved}");
    assert!(saved.contains("show: enc.0.attn.scores"), "{saved}");
    let c = Qkv::new(&["check", "study.yaml"]).dir(dir.path()).output();
    assert!(c.status.success(), "{}", text(&c.stdout));
}

#[test]
fn a_piped_session_is_byte_for_byte_reproducible() {
    // Twice in the same directory: the second run finds the first run's file.
    let dir = tempfile::tempdir().unwrap();
    let first = repl(&["--echo"], STUDY, dir.path());
    let saved = std::fs::read(dir.path().join("study.yaml")).unwrap();
    let second = repl(&["--echo"], STUDY, dir.path());
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(text(&first.stdout), text(&second.stdout));
    assert_eq!(saved, std::fs::read(dir.path().join("study.yaml")).unwrap());
    // And in a fresh directory too.
    let other = tempfile::tempdir().unwrap();
    let third = repl(&["--echo"], STUDY, other.path());
    assert_eq!(first.stdout, third.stdout);
}

#[test]
fn a_failed_command_stops_the_script_unless_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let input = "show enc.0.attn.weightz\nhead 1\n";
    let o = repl(&[], input, dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("line 1: error: unknown trace step \"enc.0.attn.weightz\""),
        "{err}"
    );
    assert!(text(&o.stdout).is_empty(), "stopped before head 1");
    let o = repl(&["--keep-going"], input, dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("head 1 of 2") || text(&o.stdout).contains("[1]"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn repl_starts_from_a_scenario_and_replays_its_tour_with_enter() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = std::env::current_dir()
        .unwrap()
        .join("scenarios/dot-product.yaml");
    let o = repl(
        &[scenario.to_str().unwrap()],
        "replay\n\n\nquit\n",
        dir.path(),
    );
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("── stop 1/5: scores ──"), "{out}");
    assert!(out.contains("── stop 2/5: scores ──"), "{out}");
    assert!(out.contains("── stop 3/5: scaled ──"), "{out}");
    assert!(out.contains("q·k1 = 1×0 + 2×1 + 3×(−1) = −1"), "{out}");
}

fn spawn_repl(dir: &Path) -> OsSession {
    let mut cmd = Command::new(QKV);
    cmd.arg("repl")
        .current_dir(dir)
        .env("QKV_HISTORY", dir.join("history.txt"))
        .env("QKV_LANG", "en")
        .env("TERM", "xterm");
    let mut p = Session::spawn(cmd).expect("a pseudo-terminal");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p
}

#[test]
fn interactive_completion_ctrl_c_and_ctrl_d() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_repl(dir.path());
    p.expect("qkv> ").unwrap();
    // sh<TAB> completes to `show`; Enter lists the steps.
    p.send("sh").unwrap();
    p.expect("sh").unwrap();
    p.send("\t").unwrap();
    p.expect("show").unwrap();
    p.send("\r").unwrap();
    p.expect("steps in pipeline order").unwrap();
    p.expect("qkv> ").unwrap();
    // Ctrl-C clears the line: the typed garbage never runs.
    p.send("garbage").unwrap();
    p.expect("garbage").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("qkv> ").unwrap();
    p.send("help\r").unwrap();
    p.expect("commands (one per line").unwrap();
    p.expect("qkv> ").unwrap();
    // Ctrl-D leaves (nothing unsaved).
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
    let history = std::fs::read_to_string(dir.path().join("history.txt")).unwrap();
    assert!(
        history.contains("show") && history.contains("help"),
        "{history}"
    );
    assert!(!history.contains("garbage"), "{history}");
}

#[test]
fn interactive_errors_do_not_end_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_repl(dir.path());
    p.expect("qkv> ").unwrap();
    p.send("frobnicate\r").unwrap();
    p.expect("unknown command").unwrap();
    p.send("scale off\r").unwrap();
    p.expect("scale off: reran").unwrap();
    p.expect("qkv> ").unwrap();
    // Unsaved changes: the first Ctrl-D warns, the second leaves.
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect("unsaved changes").unwrap();
    p.expect("qkv> ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn the_decoder_mask_switches_off_and_on_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/decoder-masking.yaml");
    let o = repl(
        &[scenario.to_str().unwrap(), "--echo"],
        "mask off\nshow dec.0.self_attn.masked[0][0][1]\nmask on\nmask dec off\n",
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(!out.contains("already so"), "{out}");
    assert!(out.contains("mask none: reran;"), "{out}");
    assert!(out.contains("the decoder's causal mask is off"), "{out}");
    assert!(out.contains("mask causal: reran;"), "{out}");
    // `mask dec off` says the same for an explicit stack.
    assert!(out.contains("set model.dec_mask none: reran;"), "{out}");
}

#[test]
fn load_does_not_silently_discard_unsaved_changes() {
    let dir = tempfile::tempdir().unwrap();
    let other = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dot-product.yaml");
    let o = repl(
        &["--keep-going"],
        &format!("scale off\nload {0}\nshow\nload! {0}\n", other.display()),
        dir.path(),
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(
        err.contains("unsaved changes would be lost")
            || out.contains("unsaved changes would be lost"),
        "{out}{err}"
    );
    assert!(out.contains("loaded "), "{out}{err}");
    assert!(!o.status.success());
}

#[test]
fn repl_takes_the_model_flags_of_run_and_set_takes_the_preset() {
    let dir = tempfile::tempdir().unwrap();
    let o = repl(
        &["--preset", "small", "--arch", "encoder"],
        "show\n",
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("embed.tokens                   3 × 64"),
        "{}",
        text(&o.stdout)
    );
    let o = repl(
        &[],
        "set model.preset small\nshow embed.sum[0][63]\nhelp set\n",
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("set model.preset small: reran"), "{out}");
    assert!(out.contains("model fields: preset, arch, d_model"), "{out}");
}

#[test]
fn a_huge_export_from_the_repl_needs_a_bang() {
    let dir = tempfile::tempdir().unwrap();
    let o = repl(
        &["--preset", "base", "--layers", "3"],
        "export big.json\n",
        dir.path(),
    );
    let err = text(&o.stderr);
    assert!(
        err.contains("would be about") && err.contains("export! big.json"),
        "{err}"
    );
    assert!(!dir.path().join("big.json").exists());
}

#[test]
fn interactive_train_shows_progress_and_ctrl_c_stops_it_keeping_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_repl(dir.path());
    p.expect("qkv> ").unwrap();
    p.send("train 100000\r").unwrap();
    // Progress lines while it runs: the run's count, step and loss.
    p.expect("/100000 updates · step ").unwrap();
    p.expect(", loss ").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("of 100000 updates (stopped by Ctrl-C)").unwrap();
    // The session studies the run's weights now, and says so once.
    p.expect("the session studies these weights now (trained here: ")
        .unwrap();
    p.expect("qkv [trained here ").unwrap();
    // The session is still there: the run goes on from where it stopped.
    p.send("loss\r").unwrap();
    p.expect("loss = ").unwrap();
    p.expect("(the training run's update ").unwrap();
    p.expect("qkv [trained here ").unwrap();
    p.send("quit!\r").unwrap();
    p.expect(Eof).unwrap();
}

#[test]
fn show_and_explain_can_be_saved_to_markdown_files() {
    let dir = tempfile::tempdir().unwrap();
    let script = "show enc.0.attn.weights[0] > w.md\n\
                  explain enc.0.attn.weights[0][1][2] > e.md\n\
                  show enc.0.attn.weights[0] > w.md\n\
                  show enc.0.attn.weights[1] >! w.md\n\
                  plot enc.0.attn.weights[1] w.svg\n";
    let o = repl(&["--keep-going"], script, dir.path());
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    assert!(out.contains("wrote w.md ("), "{out}");
    assert!(out.contains("wrote e.md ("), "{out}");
    // Nothing but the notes is printed: the tables went to the files.
    assert!(!out.contains("(3 × 3)"), "{out}");
    assert!(err.contains("w.md exists; nothing was written"), "{err}");
    let w = std::fs::read_to_string(dir.path().join("w.md")).unwrap();
    assert!(w.starts_with("`show enc.0.attn.weights[1]`"), "{w}");
    assert!(
        w.contains("| | 나는 | 학교에 | 간다 |\n|---|---:|---:|---:|\n| 나는 |"),
        "{w}"
    );
    let e = std::fs::read_to_string(dir.path().join("e.md")).unwrap();
    assert!(e.contains("```text\nenc.0.attn.weights[0][1][2] = "), "{e}");
    assert!(
        out.contains("wrote w.svg (svg: enc.0.attn.weights[1], 3 × 3"),
        "{out}"
    );
}

/// What matters is never elided: `show probs[3]` on the default (trained) scenario keeps
/// column 10, `school` (p ≈ 1), among the 16 of 102 columns it prints; the REPL takes the
/// flags of `qkv run` (`--full`, `--precision`) and `--top K` lists each row's K largest
/// values, largest first.
#[test]
fn show_keeps_the_prediction_and_takes_runs_flags() {
    let dir = tempfile::tempdir().unwrap();
    let o = repl(
        &[],
        "show probs[3]\nshow probs[3] --full --precision 2\nshow probs --top 2\n",
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let blocks: Vec<&str> = out.split("probs  (1 × 102)").collect();
    assert_eq!(blocks.len(), 3, "{out}");
    // Elided: 16 of 102 columns, school among them with its probability.
    assert!(blocks[1].contains("school"), "{out}");
    assert!(blocks[1].contains("16 of 102 columns"), "{out}");
    assert!(blocks[1].contains("1.0000"), "{out}");
    // --full: every column, at 2 digits.
    let full = blocks[2]
        .split("probs  (5 × 102)")
        .next()
        .unwrap_or_default();
    assert!(full.contains("school"), "{out}");
    assert!(!full.contains("of 102 columns"), "{out}");
    assert!(full.contains(" 1.00 "), "{out}");
    assert!(!full.contains("1.0000"), "{out}");
    // --top 2: row `to` predicts school first.
    let top = out
        .lines()
        .find(|l| l.starts_with("to ") && l.contains(" · "))
        .unwrap_or_else(|| panic!("no row `to` in {out}"));
    assert!(
        top.trim_start_matches("to")
            .trim_start()
            .starts_with("school 1.0000 · "),
        "{top}"
    );
}
