//! Hardening of the learning surface's results and outputs: a one-head model's gradients, a
//! NaN model never passing nor decoding, sampling at a tiny temperature, the gradient
//! check's settings, escaping and formula neutralising in the plot tables, format
//! characters, weight-gradient indices, prompt length, learning rates and the echo of a bad
//! language value. Each test failed on the build before its fix.

use std::path::{Path, PathBuf};

use qkv::learn::checkpoint;
use qkv::model::Param;
use qkv::session::Session;
use qkv::tui::App;
use ratatui::layout::Size;

use crate::util::{Qkv, TINY_MODEL, buffer, qkv, say, stderr as err, stdout as out};

// ----- a model with one head ------------------------------------------------------------

#[test]
fn one_head_models_train_check_gradients_and_export_them() {
    let o = qkv(&[
        "gradcheck",
        "--heads",
        "1",
        "--layers",
        "1",
        "--per-weight",
        "4",
    ]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("0 above the tolerance"), "{}", out(&o));
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.tsv");
    std::fs::write(
        &corpus,
        "나는 학교에 간다\tI go to school\n너는 집에 간다\tyou go home\n",
    )
    .unwrap();
    let model = dir.path().join("m.safetensors");
    let o = qkv(&[
        "train",
        "--corpus",
        corpus.to_str().unwrap(),
        "--heads",
        "1",
        "--d-model",
        "8",
        "--d-ff",
        "16",
        "--layers",
        "1",
        "--steps",
        "3",
        "--batch",
        "2",
        "-o",
        model.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(model.is_file());
    let grads = dir.path().join("g.json");
    let o = qkv(&[
        "export",
        "--grads",
        "--heads",
        "1",
        "-o",
        grads.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&grads).unwrap()).unwrap();
    assert!(v["arrays"].get("grad.dec.1.cross_attn.v").is_some());
    // The REPL's loss and gradients of a one-head model.
    let mut s = Session::untrained_scenario().unwrap();
    say(&mut s, "set model.heads 1");
    assert!(say(&mut s, "loss").contains("mean cross-entropy"));
    let g = say(&mut s, "grad dec.1.cross_attn.v");
    assert!(g.contains("grad.dec.1.cross_attn.v  (3 × 8)"), "{g}");
}

// ----- a model whose numbers are NaN -----------------------------------------------------

/// The shipped model with the last decoder LayerNorm's gain at the largest f32 (a checkpoint
/// with a NaN weight is refused when it loads): its outputs overflow to ±∞, and every
/// logit, a sum of +∞ and −∞ terms, is NaN.
fn nan_checkpoint(dir: &Path) -> PathBuf {
    let mut m = checkpoint::shipped().unwrap();
    let n = m.weights().len();
    m.weights_mut().update_each(vec![(); n], |name, p, ()| {
        if let (Param::Vector(v), "dec.1.norm3.gamma") = (p, name) {
            v.fill(f32::MAX);
        }
    });
    let path = dir.join("nan.safetensors");
    std::fs::write(&path, checkpoint::to_bytes(&m).unwrap()).unwrap();
    path
}

#[test]
fn a_nan_model_is_flagged_never_passes_a_check_and_never_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let nan = nan_checkpoint(dir.path());
    // The expectations an all-zero row of probabilities met: the most likely word is id 0,
    // the row sums to 0, and decoding gives <pad> after <pad>.
    let scenario = dir.path().join("nan.yaml");
    std::fs::write(
        &scenario,
        "version: 1\nmodel: {checkpoint: nan.safetensors}\n\
         input: {text: 나는 학교에 간다, target: <bos> I go to school}\n\
         expect:\n- at: probs[0]\n  argmax: 0\n- at: probs[0]\n  sum: 0\n\
         decode:\n  tokens: [<pad>, <pad>, <pad>]\n",
    )
    .unwrap();
    let o = qkv(&["check", scenario.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("0 passed, 3 failed"), "{}", out(&o));
    assert!(
        out(&o).contains("no next token can be chosen"),
        "{}",
        out(&o)
    );
    // The probabilities are NaN and flagged as such, like any other step's.
    let o = qkv(&[
        "run",
        "--checkpoint",
        nan.to_str().unwrap(),
        "--show",
        "probs",
    ]);
    assert!(out(&o).contains("NaN"), "{}", out(&o));
    assert!(out(&o).contains("warning: 510 NaN"), "{}", out(&o));
    // Decoding refuses: no `<pad>` twenty times with exit 0.
    let o = qkv(&["translate", "--checkpoint", nan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(!out(&o).contains("<pad>"), "{}", out(&o));
    assert!(
        err(&o).contains("the model's logits are not finite")
            && err(&o).contains("the first non-finite value of the pass is dec.1.add_norm3"),
        "{}",
        err(&o)
    );
}

// ----- sampling ----------------------------------------------------------------------------

#[test]
fn sampling_at_a_tiny_temperature_is_the_greedy_choice() {
    for text in [
        "나는 학교에 간다",
        "그는 어제 시장에 갔다",
        "너는 집에 온다",
    ] {
        let greedy = out(&qkv(&["translate", text, "-q"]));
        for t in ["0.002", "1e-10"] {
            for seed in ["1", "7"] {
                let o = qkv(&["translate", text, "-q", "--temperature", t, "--seed", seed]);
                assert!(o.status.success(), "{}", err(&o));
                assert_eq!(out(&o), greedy, "{text} at T {t}, seed {seed}");
            }
        }
    }
}

// ----- the gradient check's settings ------------------------------------------------------

#[test]
fn gradcheck_refuses_a_tolerance_or_step_that_is_not_a_positive_number() {
    for (flag, value) in [
        ("--tolerance", "NaN"),
        ("--tolerance", "0"),
        ("--tolerance", "-1"),
        ("--tolerance", "inf"),
        ("--step", "0"),
        ("--step", "NaN"),
        ("--step", "-0.001"),
        // Reads as 0 in f32.
        ("--step", "1e-50"),
    ] {
        // `--step=-0.001`: a value, not a flag.
        let arg = format!("{flag}={value}");
        let o = qkv(&["gradcheck", "--layers", "1", "--per-weight", "1", &arg]);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {}", out(&o));
        assert!(
            err(&o).contains(&format!("{value:?} is not a positive finite number")),
            "{flag} {value}: {}",
            err(&o)
        );
    }
}

// ----- the plot tables --------------------------------------------------------------------

/// Tokens that set the terminal title, ring the bell, start a formula or look like a number.
const HOSTILE: &str = "a\u{1b}]0;pwned\u{7} =HYPERLINK(1) -0.25 b\u{202e}c";

fn plot(format: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "plot",
        "scenarios/untrained.yaml",
        "--text",
        HOSTILE,
        "--format",
        format,
    ];
    args.extend_from_slice(extra);
    qkv(&args)
}

#[test]
fn plot_tables_show_control_and_format_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["md", "csv", "tex"] {
        let file = dir.path().join(format!("p.{format}"));
        let o = plot(format, &["--show", "enc.0.attn.weights", "--cell", "0,1"]);
        assert!(o.status.success(), "{}", err(&o));
        let w = plot(
            format,
            &["--show", "enc.0.attn.weights", "-o", file.to_str().unwrap()],
        );
        assert!(w.status.success(), "{}", err(&w));
        let written = std::fs::read_to_string(&file).unwrap();
        for (what, text) in [("stdout", out(&o)), ("file", written)] {
            for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
                assert!(
                    !text.contains(raw),
                    "{format} {what}: raw U+{:04X}\n{text}",
                    raw as u32
                );
            }
            // Shown as `\x1b`, `\u{202e}` (with the format's own escapes of `\`, `{`).
            assert!(text.contains("x1b"), "{format} {what}: {text}");
            assert!(text.contains("202e"), "{format} {what}: {text}");
        }
    }
}

#[test]
fn csv_text_cells_that_start_a_formula_are_neutralised_and_numbers_are_not() {
    let o = plot("csv", &["--show", "enc.0.attn.scores"]);
    assert!(o.status.success(), "{}", err(&o));
    let csv = out(&o);
    let records: Vec<Vec<&str>> = csv
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    // Header: the name, then the four tokens; `=…` and the token `-0.25` are text.
    assert_eq!(records[0][2], "'=HYPERLINK(1)", "{csv}");
    assert_eq!(records[0][3], "'-0.25", "{csv}");
    assert_eq!(records[2][0], "'=HYPERLINK(1)", "{csv}");
    assert_eq!(records[3][0], "'-0.25", "{csv}");
    // The values are numbers: a negative one keeps its bare minus sign.
    let values: Vec<&str> = records[1..].iter().flat_map(|r| r[1..].to_vec()).collect();
    assert!(values.iter().any(|v| v.starts_with('-')), "{csv}");
    for v in values {
        assert!(v.parse::<f64>().is_ok(), "{v:?} in {csv}");
    }
}

// ----- format characters everywhere --------------------------------------------------------

#[test]
fn bidi_and_format_characters_are_shown_escaped() {
    let text = "나는 \u{202e}looc \u{2066}a\u{2069} \u{200b}b";
    let o = qkv(&[
        "run",
        "scenarios/untrained.yaml",
        "--text",
        text,
        "--show",
        "enc.0.attn.weights[0]",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    for raw in ['\u{202e}', '\u{2066}', '\u{2069}', '\u{200b}'] {
        assert!(
            !out(&o).contains(raw),
            "raw U+{:04X}: {}",
            raw as u32,
            out(&o)
        );
    }
    assert!(out(&o).contains("\\u{202e}looc"), "{}", out(&o));
    // The REPL's output.
    let o = Qkv::new(&["repl", "scenarios/untrained.yaml"])
        .stdin(format!("text {text}\nshow enc.0.attn.weights[0]\n").as_bytes())
        .output();
    assert!(!out(&o).contains('\u{202e}'), "{}", out(&o));
    assert!(out(&o).contains("\\u{202e}looc"), "{}", out(&o));
    // The workbench: no cell of the screen holds one.
    let mut s = Session::untrained_scenario().unwrap();
    say(&mut s, &format!("text {text}"));
    let app = App::new(s, Size::new(120, 40));
    let buf = buffer(&app);
    let raw: Vec<&str> = buf
        .content
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .filter(|c| c.contains(['\u{202e}', '\u{2066}', '\u{2069}', '\u{200b}']))
        .collect();
    assert!(raw.is_empty(), "{raw:?}");
    assert!(
        crate::util::screen(&app).contains("looc"),
        "{}",
        crate::util::screen(&app)
    );
}

// ----- smaller ------------------------------------------------------------------------------

#[test]
fn a_weight_gradient_index_past_its_end_is_an_error_naming_it() {
    let mut s = Session::untrained_scenario().unwrap();
    for (line, want) in [
        // [h][i][j]: a cell of head 0's slice, 4 columns of the 8.
        (
            "grad enc.0.attn.W_Q[0][0][99999]",
            "grad.enc.0.attn.W_Q: column index 99999 is out of range (columns 0 to 3)",
        ),
        (
            "grad enc.0.attn.W_Q[0][99999]",
            "grad.enc.0.attn.W_Q: column index 99999 is out of range (columns 0 to 7)",
        ),
        // [h]: head h's slice, as `show enc.0.attn.W_Q[h]`; the tiny model has 2 heads.
        (
            "grad enc.0.attn.W_Q[8]",
            "grad.enc.0.attn.W_Q: head 8 does not exist (heads 0 or 1)",
        ),
        (
            "grad enc.0.ffn.b1[32]",
            "grad.enc.0.ffn.b1: column index 32 is out of range (columns 0 to 31)",
        ),
    ] {
        match s.apply_line(line) {
            Ok(o) => panic!("{line}: {}", o.text),
            Err(e) => assert_eq!(e.to_string(), want, "{line}"),
        }
    }
    // In range: the one value, or head 1's d_model × d_k slice (8 × 4), as `show` reads the
    // weight itself.
    let v = say(&mut s, "grad enc.0.attn.W_Q[1][2]");
    assert!(v.contains("grad.enc.0.attn.W_Q[1][2] = "), "{v}");
    let r = say(&mut s, "grad enc.0.attn.W_Q[1]");
    assert!(r.contains("grad.enc.0.attn.W_Q[1]  (8 × 4)"), "{r}");
    let row = say(&mut s, "grad enc.0.ffn.W1[1]");
    assert!(row.contains("grad.enc.0.ffn.W1  (1 × 32)"), "{row}");
    let b = say(&mut s, "grad enc.0.ffn.b1[3]");
    assert!(b.contains("grad.enc.0.ffn.b1[3] = "), "{b}");
}

#[test]
fn a_prompt_over_max_tokens_is_refused_by_generate_as_by_the_repl() {
    let prompt = vec!["I go"; 150].join(" ");
    let o = qkv(&[
        "generate",
        &prompt,
        "--checkpoint",
        "scenarios/en-next.safetensors",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let want = "input.text = 301 tokens: expected at most 256 tokens (max_tokens)";
    assert!(err(&o).contains(want), "{}", err(&o));
    let o = Qkv::new(&["repl", "--checkpoint", "scenarios/en-next.safetensors"])
        .stdin(format!("generate {prompt}\n").as_bytes())
        .output();
    assert!(err(&o).contains(want), "{}{}", out(&o), err(&o));
}

#[test]
fn a_learning_rate_that_is_not_positive_and_finite_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.safetensors");
    for (flag, value, what) in [
        ("--lr", "-1", "the learning rate -1"),
        ("--lr", "0", "the learning rate 0"),
        ("--lr", "NaN", "the learning rate NaN"),
        ("--lr-factor", "-1", "the learning-rate factor -1"),
        ("--lr-factor", "inf", "the learning-rate factor inf"),
    ] {
        let setting = format!("{flag}={value}");
        let mut args = vec![
            "train",
            "--steps",
            "2",
            &setting,
            "-o",
            model.to_str().unwrap(),
        ];
        args.extend_from_slice(TINY_MODEL);
        let o = qkv(&args);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {}", out(&o));
        assert!(
            err(&o).contains(&format!("{what} must be a positive finite number")),
            "{flag} {value}: {}",
            err(&o)
        );
        // Refused before the first update: nothing trained, nothing written.
        assert!(!out(&o).contains("step "), "{}", out(&o));
        assert!(!model.exists());
    }
}

#[test]
fn a_huge_bad_language_value_is_not_echoed_whole() {
    let huge = "x".repeat(100_000);
    let o = Qkv::new(&["params"]).env("QKV_LANG", &huge).output();
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).len() < 300, "{} bytes", err(&o).len());
    assert!(
        err(&o).contains(&format!("{}…", "x".repeat(39))),
        "{}",
        err(&o)
    );
}
