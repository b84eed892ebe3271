//! The `qkv` binary end to end: run, export, params and bad input.

use std::fs::File;

use ndarray::{Array1, Array2, Array3};
use ndarray_npy::NpzReader;
use qkv::model::config::Preset;
use qkv::model::{Config, Transformer, prepare};
use qkv::trace::Tensor;
use unicode_width::UnicodeWidthStr;

use crate::util::{Qkv, qkv, stderr, stdout};

#[test]
fn run_shows_weights_of_every_layer_with_aligned_korean_labels() {
    let o = qkv(&["run", "--text", "나는 학교에 간다"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for name in [
        "enc.0.attn.weights[0]",
        "enc.1.attn.weights[1]",
        "dec.0.self_attn.weights[0]",
        "dec.1.cross_attn.weights[1]",
    ] {
        assert!(out.contains(name), "missing {name} in\n{out}");
    }
    // The block of enc.0.attn.weights[0]: header, column labels, 3 rows of equal display width.
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("enc.0.attn.weights[0]"))
        .unwrap();
    let block = &lines[at + 1..at + 5];
    assert!(block[0].contains("나는") && block[0].contains("학교에") && block[0].contains("간다"));
    let w0 = UnicodeWidthStr::width(block[0]);
    for l in block {
        assert_eq!(UnicodeWidthStr::width(*l), w0, "misaligned: {block:#?}");
    }
    assert!(block[2].starts_with("학교에"));
}

#[test]
fn run_in_every_architecture() {
    for (arch, must, must_not) in [
        ("encoder", "enc.1.attn.weights[0]", "dec."),
        ("decoder", "dec.1.self_attn.weights[0]", "cross_attn"),
        (
            "encoder-decoder",
            "dec.0.cross_attn.weights[0]",
            "nothing-excluded",
        ),
    ] {
        let o = qkv(&["run", "--arch", arch]);
        assert!(o.status.success(), "{arch}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(must), "{arch}");
        assert!(!out.contains(must_not), "{arch}");
    }
}

#[test]
fn run_shows_a_chosen_head_row_and_cell() {
    let o = qkv(&[
        "run",
        "--show",
        "enc.0.attn.scores[1]",
        "--show",
        "embed.pos[1][0]",
        "--precision",
        "6",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("enc.0.attn.scores[1]  (3 × 3)  scores = Q_h · K_hᵀ"),
        "{out}"
    );
    // PE[1][0] = sin(1) = 0.841471
    assert!(out.contains("embed.pos[1][0] = 0.841471"), "{out}");
}

#[test]
fn run_with_unknown_step_suggests_names() {
    let o = qkv(&["run", "--show", "enc.0.attn.weight"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("unknown trace step \"enc.0.attn.weight\""),
        "{err}"
    );
    assert!(err.contains("did you mean enc.0.attn.weights"), "{err}");
}

#[test]
fn export_npz_reads_back_bit_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.npz");
    let o = qkv(&[
        "export",
        "--untrained",
        "--arch",
        "encoder-decoder",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("model: untrained, random weights"));

    let (valid, input) = prepare(Config::preset(Preset::Tiny), "나는 학교에 간다", None).unwrap();
    let model = Transformer::new(valid);
    let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
    let mut npz = NpzReader::new(File::open(&path).unwrap()).unwrap();
    let names = npz.names().unwrap();
    assert_eq!(names.len(), trace.steps().len() + model.weights().len() + 2);
    for s in trace.steps() {
        match s.tensor() {
            Tensor::Matrix(m) => {
                let got: Array2<f32> = npz.by_name(s.name()).unwrap();
                assert_eq!(&got, m, "{}", s.name());
            }
            Tensor::Heads(h) => {
                let got: Array3<f32> = npz.by_name(s.name()).unwrap();
                assert_eq!(&got, h, "{}", s.name());
            }
        }
    }
    let wq: Array2<f32> = npz.by_name("enc.0.attn.W_Q").unwrap();
    assert_eq!(wq.view(), model.weights().matrix("enc.0.attn.W_Q").unwrap());
    let e: Array2<f32> = npz.by_name("embed.E").unwrap();
    assert_eq!(e.dim(), (trace.tokens().vocab.len(), 8));
    let meta: Array1<u8> = npz.by_name("meta").unwrap();
    let meta: serde_json::Value = serde_json::from_slice(meta.as_slice().unwrap()).unwrap();
    assert_eq!(meta["config"]["d_model"], 8);
    assert_eq!(meta["tokens"]["source"][1], "학교에");
    assert_eq!(meta["tokens"]["target"][0], "<bos>");
    assert_eq!(meta["steps"].as_array().unwrap().len(), trace.steps().len());
}

#[test]
fn export_json_reads_back_with_negative_infinity_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let o = qkv(&["export", "--arch", "decoder", "-o", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_reader(File::open(&path).unwrap()).unwrap();
    let masked = &v["arrays"]["dec.0.self_attn.masked"];
    // head 0, row 0, column 1 is above the diagonal: −∞ written as "-inf".
    assert_eq!(masked[0][0][1], "-inf");
    assert!(masked[0][1][0].is_number());
    let w = &v["arrays"]["dec.0.self_attn.weights"][0][0];
    assert_eq!(w[0], 1.0);
    assert_eq!(w[1], 0.0);
    assert_eq!(v["config"]["arch"], "decoder");
    assert_eq!(v["arrays"]["dec.0.ffn.W1"].as_array().unwrap().len(), 8);
}

#[test]
fn export_refuses_unknown_extension() {
    let o = qkv(&["export", "-o", "/tmp/qkv-test-out.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".npz or .json"), "{}", stderr(&o));
}

#[test]
fn params_base_compares_with_the_paper() {
    let o = qkv(&["params", "--preset", "base", "--vocab", "37000"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("63,045,632  total (63.05M)"), "{out}");
    assert!(out.contains("18,944,000"), "{out}");
    assert!(out.contains("65M"), "{out}");
    assert!(out.contains("-1.95M (-3.0%)"), "{out}");
}

#[test]
fn bad_input_exits_2_naming_field_and_value() {
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["run".into(), "--text".into(), String::new()],
            "input.text = \"\"",
        ),
        (
            vec![
                "run".into(),
                "--heads".into(),
                "3".into(),
                "--d-model".into(),
                "8".into(),
            ],
            "heads = 3: expected a divisor of d_model = 8",
        ),
        (
            vec!["run".into(), "--text".into(), vec!["w"; 300].join(" ")],
            "input.text = 300 tokens: expected at most 256 tokens",
        ),
        (
            vec!["run".into(), "--layers".into(), "0".into()],
            "layers.encoder = 0",
        ),
        (
            vec!["run".into(), "--arch".into(), "sideways".into()],
            "invalid value 'sideways' for '--arch': model.arch: \"sideways\" is not one of encoder, decoder, encoder-decoder",
        ),
    ];
    for (args, want) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = qkv(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn several_problems_are_reported_together() {
    let o = qkv(&["run", "--heads", "3", "--d-ff", "0", "--text", " "]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("3 problems"), "{err}");
    assert!(
        err.contains("heads = 3") && err.contains("d_ff = 0") && err.contains("input.text"),
        "{err}"
    );
}

#[test]
fn options_out_of_range_are_refused() {
    for args in [
        &["run", "--precision", "40"][..],
        &["params", "--vocab", "0"][..],
        &["replay", "scenarios/default.yaml", "--precision", "13"][..],
    ] {
        let o = qkv(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains("invalid value"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn file_errors_name_the_cause_once() {
    let o = qkv(&["export", "-o", "/nonexistent-dir/x.npz"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // Checked before anything is computed, by the one writer's rule.
    assert!(
        err.contains("/nonexistent-dir/x.npz: the directory /nonexistent-dir does not exist"),
        "{err}"
    );
    assert_eq!(err.matches("does not exist").count(), 1, "{err}");
    let o = qkv(&["run", "--arch", "decoder", "--target", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("only an encoder-decoder model reads a target"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_says_the_weights_are_untrained_and_which_mask_each_block_uses() {
    let o = qkv(&["run", "--seed", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("untrained (random weights, seed 7)"), "{out}");
    assert!(out.contains("mask enc none, dec causal"), "{out}");
    // The decoder's mask can be switched off for study, and the summary says so.
    let o = qkv(&[
        "run",
        "--arch",
        "decoder",
        "--dec-mask",
        "none",
        "--show",
        "dec.0.self_attn.masked[0][0]",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("· mask none"), "{out}");
    assert!(!out.contains("-inf") && !out.contains("−∞"), "{out}");
}

#[test]
fn the_base_preset_scales_embeddings_by_the_root_of_d_model() {
    // The paper (§3.4) multiplies embeddings by √d_model = √512 ≈ 22.6.
    assert!(Config::preset(Preset::Base).embed_scale);
    assert!(!Config::preset(Preset::Tiny).embed_scale);
    let o = qkv(&["run", "--preset", "base", "--list"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn run_on_a_new_sentence_drops_what_no_longer_fits_and_says_so() {
    let mut models = 0;
    // scenarios/opus-mt-ko-en.yaml needs a model downloaded by hand (hf.rs tests model.hf).
    for path in crate::util::shipped_yaml() {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("kind: attention") {
            continue;
        }
        models += 1;
        let p = path.to_str().unwrap();
        let o = qkv(&["run", p, "--text", "고양이가 밥을 먹는다"]);
        assert!(o.status.success(), "{p}: {}", stderr(&o));
        assert!(stdout(&o).contains("고양이가"), "{p}: {}", stdout(&o));
        // At most one line about what was left out.
        assert!(stderr(&o).lines().count() <= 1, "{p}: {}", stderr(&o));
    }
    assert_eq!(models, 14);
    let o = qkv(&[
        "run",
        "scenarios/untrained.yaml",
        "--text",
        "고양이가 밥을 먹는다",
    ]);
    assert!(
        stderr(&o).starts_with("note: left out 3 tour stops, 2 expectations"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_huge_export_asks_for_force_and_names_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("base.json");
    let o = qkv(&[
        "export",
        "--preset",
        "base",
        "--layers",
        "3",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("would be about") && err.contains(" MB"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert!(!out.exists(), "nothing is written without --force");
}

#[test]
fn tui_takes_the_model_flags_of_run() {
    // Without a terminal the workbench says how to use qkv instead; the flags are accepted.
    let o = qkv(&["tui", "--preset", "base", "--text", "나는 간다"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("the workbench needs a terminal"), "{err}");
    assert!(!err.contains("unexpected argument"), "{err}");
}

#[test]
fn explain_with_only_a_cell_uses_the_built_in_scenario() {
    let o = qkv(&["explain", "enc.0.attn.scores[0][1][2]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("enc.0.attn.scores[0][1][2] = 4.2034"),
        "{}",
        stdout(&o)
    );
}

/// `qkv practice` with answers piped in: each is graded with the arithmetic beside it, the
/// end of the input ends the practice with the score, exit 0.
#[test]
fn practice_from_a_pipe_grades_and_scores() {
    let run = |input: &str| {
        Qkv::new(&["practice", "scenarios/practice-dot-product.yaml"])
            .stdin(input.as_bytes())
            .output()
    };
    let o = run("10\n-1\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // The first question shows its operands.
    assert!(
        out.contains("question 1 of 9: compute scores[0][0]"),
        "{out}"
    );
    assert!(out.contains("q = q[0] (q0) = [1, 2, 3]"), "{out}");
    assert!(out.contains("k = k[0] (k0) = [2, 1, 2]"), "{out}");
    assert!(
        out.contains("✓ scores[0][0] : you 10, trace 10 — right"),
        "{out}"
    );
    assert!(out.contains("q·k = 1×2 + 2×1 + 3×2 = 10"), "{out}");
    assert!(
        out.contains("✓ scores[0][1] : you −1, trace −1 — right"),
        "{out}"
    );
    assert!(
        out.contains("practice ended after 2 of 9 questions: this practice 2/2, session score 2/2"),
        "{out}"
    );
    // A wrong answer names the mistake: 2 + 2 − 6 = −2 flips the third product.
    let o = run("-2\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("✗ scores[0][0] : you −2, trace 10 — wrong"),
        "{out}"
    );
    assert!(
        out.contains("one product's sign went wrong: term 3 of q·k is 3×2 = 6"),
        "{out}"
    );
    assert!(out.contains("session score 0/1"), "{out}");
    // Every question answered: the score at the end.
    let o = run("10\n-1\n6\n5.7735\n-0.5774\n3.4641\n0.9082\n0.0016\n0.0902\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("practice done: 9 right of 9 (session score 9/9)"));
}

/// Practice questions on rows a new sentence no longer has are left out with the rest.
#[test]
fn run_on_a_shorter_sentence_leaves_out_practice_questions_that_no_longer_fit() {
    let o = qkv(&["run", "scenarios/practice-layernorm.yaml", "--text", "하나"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 practice questions"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plot_writes_an_svg_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("w.svg");
    let fs = f.to_str().unwrap();
    let o = qkv(&[
        "plot",
        "--show",
        "enc.0.attn.weights",
        "-o",
        fs,
        "--cell",
        "1,2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote"), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&f).unwrap();
    assert!(svg.starts_with("<?xml"));
    assert!(svg.contains(">학교에</text>"));
    assert!(svg.contains(r#"class="selected""#));
    // Again: refused, exit 2, the file as it was; --force replaces it.
    let o = qkv(&["plot", "--show", "enc.0.attn.weights[1]", "-o", fs]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("exists; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), svg);
    let o = qkv(&[
        "plot",
        "--show",
        "enc.0.attn.weights[1]",
        "-o",
        fs,
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .contains("enc.0.attn.weights[1]")
    );
}

#[test]
fn plot_text_formats_go_to_stdout_and_the_extension_sets_the_format() {
    // The article's example: 10, −1, 6 divided by √3.
    let o = qkv(&[
        "plot",
        "scenarios/dot-product.yaml",
        "--show",
        "scaled",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "scaled,k0,k1,k2\r\nq0,5.7735,-0.5774,3.4641\r\n"
    );
    let o = qkv(&[
        "plot",
        "scenarios/dot-product.yaml",
        "--show",
        "scaled",
        "-o",
        "-",
    ]);
    assert!(
        stdout(&o).contains("| q0 | 5.7735 | −0.5774 | 3.4641 |"),
        "{}",
        stdout(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.tex");
    let o = qkv(&[
        "plot",
        "scenarios/dot-product.yaml",
        "--show",
        "scaled",
        "-o",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .contains("\\begin{bmatrix}")
    );
}

#[test]
fn plot_errors_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            vec!["--show", "enc.0.atn.weights"],
            "did you mean enc.0.attn.weights",
        ),
        (
            vec!["--show", "enc.0.attn.weights[5]"],
            "head 5 does not exist",
        ),
        (
            vec!["--show", "enc.0.attn.weights", "--format", "png"],
            "unknown format \"png\"",
        ),
        (
            vec!["--show", "enc.0.attn.weights", "--cell", "1"],
            "--cell",
        ),
        (
            vec!["--show", "enc.0.attn.weights", "--cell", "1,9"],
            "column",
        ),
        (vec!["--show", "enc.0.attn.weights[0][1]"], "whole matrix"),
    ] {
        let out = dir.path().join("x.svg");
        let mut a = vec!["plot"];
        a.extend(args.iter().copied());
        a.extend(["-o", out.to_str().unwrap()]);
        let o = qkv(&a);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{a:?}: {}", stderr(&o));
        assert!(!out.exists(), "{a:?} wrote a file");
    }
    let o = qkv(&[
        "plot",
        "--show",
        "enc.0.attn.weights",
        "-o",
        dir.path().join("x.png").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("extension"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn plot_without_a_scenario_draws_what_the_workbench_opens_on() {
    // The workbench opens on the built-in scenario; `qkv plot` draws the same numbers.
    let s = qkv::session::Session::default_scenario().unwrap();
    let w = s
        .trace()
        .step("enc.0.attn.weights")
        .unwrap()
        .matrix(Some(0))
        .unwrap()
        .to_owned();
    let o = qkv(&["plot", "--show", "enc.0.attn.weights", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 3);
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<&str> = r.trim_end_matches('\r').split(',').collect();
        for j in 0..3 {
            assert_eq!(cells[j + 1], format!("{:.4}", w[[i, j]]), "{out}");
        }
    }
}

/// The model flags come from the engine's one table of model fields: every field has its
/// flag on every subcommand that takes a model (a switch has `--x` and `--no-x`), and a flag
/// changes the model as `set model.<field>` would.
#[test]
fn every_model_field_has_its_flag() {
    use qkv::scenario::fields::{FieldKind, MODEL_FIELDS};
    for sub in ["run", "tui", "repl", "export", "plot"] {
        let help = stdout(&qkv(&[sub, "--help"]));
        // A flag starts a line of the help, alone or before its value or help.
        let has = |flag: &str| {
            help.lines().any(|l| {
                l.trim_start()
                    .strip_prefix(flag)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
            })
        };
        for f in MODEL_FIELDS {
            let flag = format!("--{}", f.flag());
            assert!(has(&flag), "qkv {sub} lacks {flag}:\n{help}");
            if f.kind == FieldKind::Switch {
                assert!(
                    has(&format!("--no-{}", f.flag())),
                    "qkv {sub} lacks --no-{}",
                    f.flag()
                );
            }
        }
    }
    // --eps had no flag before the table; it now reaches the model like the others.
    let o = qkv(&["run", "--eps", "0.5", "--show", "enc.0.add_norm1.out[0][0]"]);
    let d = qkv(&["run", "--show", "enc.0.add_norm1.out[0][0]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(
        stdout(&o),
        stdout(&d),
        "eps 0.5 must change a LayerNorm output"
    );
    let bad = qkv(&["run", "--arch", "lstm"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("one of encoder, decoder, encoder-decoder"),
        "{}",
        stderr(&bad)
    );
}

/// `qkv run --show 'probs[3]'` on the default scenario keeps `school` (column 10, the
/// prediction) in view, and `--top 3` lists it first.
#[test]
fn run_keeps_the_predicted_column_and_lists_the_top_values() {
    let o = qkv(&["run", "scenarios/default.yaml", "--show", "probs[3]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("school"), "{out}");
    let o = qkv(&[
        "run",
        "scenarios/default.yaml",
        "--show",
        "probs[3]",
        "--top",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("each row's 3 largest of 102 columns"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("to ") && l.contains(" · "))
        .unwrap();
    assert!(row.contains("school 1.0000 · "), "{row}");
    assert_eq!(row.matches(" · ").count(), 2, "{row}");
}

/// The default tour's seventh stop selects probs[3][10] (`to` → `school`): the printed matrix
/// keeps that column, so the stop shows the cell it is about.
#[test]
fn replay_shows_the_selected_cell() {
    let o = qkv(&["replay", "scenarios/default.yaml", "--step", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let title = lines
        .iter()
        .position(|l| l.starts_with("probs  (5 × 102)"))
        .unwrap_or_else(|| panic!("no probs matrix in\n{out}"));
    // The line under the title holds the column labels.
    assert!(lines[title + 1].contains("school"), "{out}");
}

/// One default model: with no scenario and no model flags, `qkv run`, `qkv plot` and
/// `qkv export` run the trained model of scenarios/default.yaml, the workbench's, and say so
/// in their first line; the same cell has the same number in each. `--untrained` gives
/// random weights, and a flag the trained model cannot take (`--d-model 8`) does too, naming
/// it.
#[test]
fn every_command_runs_the_same_default_model() {
    let run = qkv(&["run", "--show", "enc.0.attn.weights[0][0][0]"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        out.starts_with("model: the trained model of scenarios/default.yaml"),
        "{out}"
    );
    let cell = out
        .lines()
        .find_map(|l| l.strip_prefix("enc.0.attn.weights[0][0][0] = "))
        .unwrap_or_else(|| panic!("no cell in {out}"))
        .to_string();
    let plot = qkv(&["plot", "--show", "enc.0.attn.weights[0]", "--format", "csv"]);
    assert!(plot.status.success(), "{}", stderr(&plot));
    assert!(
        stderr(&plot).starts_with("model: the trained model"),
        "{}",
        stderr(&plot)
    );
    let csv = stdout(&plot);
    let first_row = csv.lines().nth(1).unwrap();
    assert_eq!(first_row.split(',').nth(1), Some(cell.as_str()), "{csv}");
    let s = qkv::session::Session::default_scenario().unwrap();
    let want = s
        .trace()
        .value_at(&qkv::trace::Address::parse("enc.0.attn.weights[0][0][0]").unwrap())
        .unwrap();
    assert_eq!(cell, qkv::number::fmt_value(want, 4));

    let untrained = stdout(&qkv(&[
        "run",
        "--untrained",
        "--show",
        "enc.0.attn.weights[0][0][0]",
    ]));
    assert!(
        untrained.starts_with("model: untrained, random weights"),
        "{untrained}"
    );
    assert!(untrained.contains("d_model 8"), "{untrained}");
    assert!(!untrained.contains(&format!("= {cell}\n")), "{untrained}");
    let reshaped = stdout(&qkv(&[
        "run",
        "--d-model",
        "8",
        "--show",
        "enc.0.attn.weights[0][0][0]",
    ]));
    assert!(
        reshaped.starts_with("model: untrained, random weights (the tiny preset with the flags given): the trained model has d_model 32, and its weights cannot take d_model 8"),
        "{reshaped}"
    );
    // A setting that leaves the weights as they are stays on the trained model.
    let off = stdout(&qkv(&["run", "--no-scale", "--list"]));
    assert!(
        off.starts_with("enc.0") || off.contains("embed.tokens"),
        "{off}"
    );
    let off = stdout(&qkv(&[
        "run",
        "--no-scale",
        "--show",
        "enc.0.attn.weights[0][0][0]",
    ]));
    assert!(off.starts_with("model: the trained model"), "{off}");
}

/// A word the trained vocabulary lacks is visible: 바나나 (only 바나나를 is in it) reads as
/// `<unk>` and every label says `바나나→<unk>`; a sentence of mostly unknown words gets one
/// warning that names the vocabulary; `간다.` is `간다` and `.`.
#[test]
fn unknown_words_are_marked() {
    let o = qkv(&[
        "run",
        "--text",
        "나는 바나나 간다",
        "--show",
        "embed.tokens[1][0]",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("source: 나는 | 바나나→<unk> | 간다"), "{out}");
    assert!(!out.contains("warning:"), "{out}");
    // English into the Korean→English model: `the` is in its vocabulary (target side), but
    // none of the 6 words is in a source sentence of the corpus it was trained on.
    let o = qkv(&[
        "run",
        "--text",
        "the cat sat on the mat",
        "--show",
        "embed.tokens[0][0]",
    ]);
    let out = stdout(&o);
    assert_eq!(out.matches("warning:").count(), 1, "{out}");
    assert!(
        out.contains("warning: 6 of 6 words were never seen as input: the model's source side is the source sentences of the built-in copy of data/ko-en.tsv (나는, 학교에, 간다, 갔다, 왔다, 집에, …)"),
        "{out}"
    );
    let o = qkv(&[
        "run",
        "--text",
        "나는 학교에 간다.",
        "--show",
        "embed.tokens[3][0]",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("source: 나는 | 학교에 | 간다 | .→<unk>"),
        "{out}"
    );
}

/// English typed into the Korean → English model: every word of "I go to school" is in the
/// shared vocabulary (no `<unk>`), but none was ever input (the built-in corpus's source
/// sentences are Korean), so `translate` and `run` warn once, naming the source side: 4 of
/// 4. The Korean sentence's 3 words are all source words: no warning. Korean too.
#[test]
fn a_sentence_never_seen_as_input_is_warned_once() {
    let never = "warning: 4 of 4 words were never seen as input: the model's source side is the source sentences of the built-in copy of data/ko-en.tsv (나는, 학교에, 간다, 갔다, 왔다, 집에, …)";
    for args in [
        &["translate", "I go to school"][..],
        &["run", "--text", "I go to school"][..],
    ] {
        let o = qkv(args);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert_eq!(out.matches("warning:").count(), 1, "{out}");
        assert!(out.contains(never), "{out}");
    }
    for args in [
        &["translate", "나는 학교에 간다"][..],
        &["run", "--text", "나는 학교에 간다"][..],
    ] {
        let out = stdout(&qkv(args));
        assert!(!out.contains("warning:"), "{out}");
    }
    let o = Qkv::new(&["translate", "I go to school"])
        .env("QKV_LANG", "ko")
        .output();
    let out = stdout(&o);
    assert!(
        out.contains("경고: 단어 4개 중 4개는 모델이 입력으로 본 적이 없습니다: 모델의 입력 쪽은 내장된 data/ko-en.tsv 사본의 원문 문장(나는, 학교에, 간다, 갔다, 왔다, 집에, …)이므로"),
        "{out}"
    );
}

/// The weights themselves can be shown: `W_Q` whole, a head's d_model × d_k slice, the
/// trained embedding table with its words as row labels, one cell.
#[test]
fn weights_can_be_shown() {
    let o = qkv(&[
        "run",
        "--show",
        "enc.0.attn.W_Q",
        "--show",
        "enc.0.attn.W_Q[1]",
        "--show",
        "embed.E[4]",
        "--show",
        "enc.0.attn.W_Q[1][0][0]",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("enc.0.attn.W_Q  (32 × 32)"), "{out}");
    // Head 1 of 4 owns columns 8 to 15.
    assert!(out.contains("enc.0.attn.W_Q[1]  (32 × 8)"), "{out}");
    let s = qkv::session::Session::default_scenario().unwrap();
    let wq = s
        .model()
        .unwrap()
        .weights()
        .matrix("enc.0.attn.W_Q")
        .unwrap();
    assert!(
        out.contains(&format!(
            "enc.0.attn.W_Q[1][0][0] = {}",
            qkv::number::fmt_value(wq[[0, 8]], 4)
        )),
        "{out}"
    );
    assert!(out.contains("embed.E  (1 × 32)"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("나는 ")), "{out}");
    let bad = qkv(&["run", "--show", "enc.0.attn.W_Q[4]"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    // The REPL's show prints the same, and leaves the cursor where it was.
    let mut s = qkv::session::Session::default_scenario().unwrap();
    let before = s.cursor().clone();
    let text = s.apply_line("show enc.0.attn.W_Q[1] --top 1").unwrap().text;
    assert!(text.starts_with("enc.0.attn.W_Q[1]  (32 × 8)"), "{text}");
    // One line per row of W_Q: its largest value among head 1's columns 8 to 15.
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 32, "{text}");
    assert!(
        rows.iter().all(|l| l
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<usize>().ok())
            .is_some_and(|c| (8..16).contains(&c))),
        "{text}"
    );
    assert_eq!(*s.cursor(), before);
    assert!(
        s.apply_line("show embed.E")
            .unwrap()
            .text
            .contains("embed.E  (102 × 32)")
    );
}

/// The number `s` prints (`1.23e−7`, `−0.5`) as an f64.
fn printed(s: &str) -> f64 {
    s.trim()
        .replace('−', "-")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// A weight's number is explained by where it comes from. On the trained default: its
/// initial value (the Xavier draw of seed 42's stream "enc.0.attn.W_Q", bound
/// a = √(6/(32 + 32)) = √0.09375 = 0.3062), its value now, what training changed, what is
/// not known (the last training gradient and update), its gradient on the sentence's loss
/// (the REPL's `grad` of the same cell) and the step that reads it. On the random tiny model:
/// the distribution, bound a = √(6/(8 + 8)) = √0.375 = 0.6124 and seed; its value is the one
/// pinned in model::init's tests, −0.1717013 → −0.1717.
#[test]
fn a_weights_number_is_explained_by_where_it_comes_from() {
    let o = qkv(&["explain", "enc.0.attn.W_Q[0][1]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut s = qkv::session::Session::default_scenario().unwrap();
    let m = s.model().unwrap();
    let now = m.weights().matrix("enc.0.attn.W_Q").unwrap()[[0, 1]];
    let seed = m.config().seed;
    let start = qkv::model::init::xavier(seed, "enc.0.attn.W_Q", 32, 32)[[0, 1]];
    assert_ne!(now, start);
    let n = |v: f32| qkv::number::fmt_number(v, 4);
    assert!(
        out.starts_with(&format!(
            "enc.0.attn.W_Q[0][1] = {}  — a learned number: row 0, column 1 of enc.0.attn.W_Q (32 × 32)\n",
            n(now)
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "initial value: {}, drawn from U(−a, a) with a = √(6/(rows + columns)) = √(6/(32 + 32)) = 0.3062 (Xavier) by the random stream of (seed {seed}, \"enc.0.attn.W_Q\") before training",
            n(start)
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "value now: {}, after 1000 updates: training changed it by",
            n(now)
        )),
        "{out}"
    );
    assert!(
        out.contains("its last training gradient and update are not known here"),
        "{out}"
    );
    assert!(out.contains("read by: enc.0.attn.q"), "{out}");
    let g = out
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix(
                "its gradient on this sentence's loss: ∂loss/∂enc.0.attn.W_Q[0][1] = ",
            )
        })
        .unwrap_or_else(|| panic!("no gradient in {out}"));
    let repl = crate::util::say(&mut s, "grad enc.0.attn.W_Q[0][1]");
    let want = repl
        .lines()
        .find_map(|l| l.strip_prefix("grad.enc.0.attn.W_Q[0][1] = "))
        .unwrap_or_else(|| panic!("no gradient in {repl}"));
    let (g, want) = (printed(g), printed(want));
    assert!((g - want).abs() <= 1e-2 * want.abs(), "{g} vs {want}");

    // The random tiny model.
    let o = qkv(&[
        "explain",
        "scenarios/untrained.yaml",
        "enc.0.attn.W_Q[0][1]",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("enc.0.attn.W_Q[0][1] = −0.1717  — a random number, not learned: row 0, column 1 of enc.0.attn.W_Q (8 × 8)\n  W_Q[i][j] ~ U(−0.6124, 0.6124)\n"),
        "{out}"
    );
    assert!(
        out.contains("drawn from U(−a, a) with a = √(6/(rows + columns)) = √(6/(8 + 8)) = 0.6124 (Xavier) by the random stream of (seed 42, \"enc.0.attn.W_Q\")"),
        "{out}"
    );
    // A LayerNorm gain starts at 1 and a bias at 0.
    let o = qkv(&[
        "explain",
        "scenarios/untrained.yaml",
        "enc.0.norm1.gamma[3]",
    ]);
    assert!(stdout(&o).contains("it starts at 1"), "{}", stdout(&o));

    // In Korean.
    let o = qkv(&["--lang", "ko", "explain", "enc.0.attn.W_Q[0][1]"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("학습된 수: enc.0.attn.W_Q (32 × 32)의 행 0, 열 1"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "초기값: {}. 학습 전에 U(−a, a)에서 뽑았습니다",
            n(start)
        )),
        "{out}"
    );
    assert!(!out.contains("learned"), "{out}");

    // A head's slice is not a cell: the error says what a cell needs.
    let o = qkv(&["explain", "enc.0.attn.W_Q[1]"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("enc.0.attn.W_Q[1] is one head's slice (head 1): explain needs one cell, [i][j] (or [h][i][j] in head h's slice) (e.g. enc.0.attn.W_Q[0][0])"),
        "{}",
        stderr(&o)
    );
}

/// In the REPL, `explain` of a head's slice cell names its place in the whole matrix (head 1
/// of 4 owns columns 8 to 15, so [1][0][2] is row 0, column 10), leaves the cursor where it
/// was, and gives the gradient once `grad` has computed it.
#[test]
fn the_repl_explains_a_weights_number() {
    let mut s = qkv::session::Session::default_scenario().unwrap();
    let before = s.cursor().clone();
    let e = crate::util::say(&mut s, "explain enc.0.attn.W_Q[1][0][2]");
    assert!(
        e.contains("a learned number: row 0, column 10 of enc.0.attn.W_Q (32 × 32); head 1's slice enc.0.attn.W_Q[1][0][2]"),
        "{e}"
    );
    assert!(
        e.contains("`grad enc.0.attn.W_Q[1][0][2]` computes one"),
        "{e}"
    );
    assert_eq!(*s.cursor(), before);
    crate::util::say(&mut s, "grad enc.0.attn.W_Q");
    let e = crate::util::say(&mut s, "explain enc.0.attn.W_Q[1][0][2]");
    assert!(
        e.contains("its gradient on this sentence's loss: ∂loss/∂enc.0.attn.W_Q[1][0][2] = "),
        "{e}"
    );
    let b = crate::util::say(&mut s, "explain embed.E[4][0]");
    assert!(b.contains("a learned number: row 4 ("), "{b}");
}

/// A weight can be plotted (csv, svg, md with a selected cell) and its numbers are those
/// of `qkv run --show` and of the export under the same name.
#[test]
fn weights_can_be_plotted_and_exported_under_one_name() {
    let s = qkv::session::Session::default_scenario().unwrap();
    let wq = s
        .model()
        .unwrap()
        .weights()
        .matrix("enc.0.attn.W_Q")
        .unwrap()
        .to_owned();
    let o = qkv(&["plot", "--show", "enc.0.attn.W_Q[1]", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    // A header and 32 rows; head 1 of 4 owns columns 8 to 15.
    assert_eq!(lines.len(), 33, "{csv}");
    assert_eq!(lines[0], "enc.0.attn.W_Q[1],8,9,10,11,12,13,14,15");
    let row0: Vec<String> = (8..16)
        .map(|j| qkv::plot::plain_number(wq[[0, j]], 4))
        .collect();
    assert_eq!(lines[1], format!("0,{}", row0.join(",")));
    let svg = qkv(&["plot", "--show", "enc.0.attn.W_Q", "--format", "svg"]);
    assert!(svg.status.success(), "{}", stderr(&svg));
    assert!(stdout(&svg).contains("<svg"), "{}", stdout(&svg));
    let md = qkv(&[
        "plot",
        "--show",
        "enc.0.attn.W_Q",
        "--cell",
        "0,1",
        "--format",
        "md",
    ]);
    assert!(md.status.success(), "{}", stderr(&md));
    let md = stdout(&md);
    assert!(
        md.contains("The selected cell, row 0 (0) and column 1 (1)"),
        "{md}"
    );
    assert!(md.contains("a learned number"), "{md}");
    // A row is not a matrix to plot.
    let row = qkv(&["plot", "--show", "enc.0.ffn.W1[0]", "--format", "csv"]);
    assert_eq!(row.status.code(), Some(2), "{}", stderr(&row));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let o = qkv(&["export", "-o", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_reader(File::open(&path).unwrap()).unwrap();
    let exported = v["arrays"]["enc.0.attn.W_Q"][0][8].as_f64().unwrap();
    assert_eq!(exported as f32, wq[[0, 8]]);
}

/// With no arguments, `qkv run`, `qkv plot`, `qkv export` and the workbench's session show
/// the same model: row 0 of enc.0.attn.weights[0] (나는 attending to the three words) is the
/// same in each, to the 4 digits printed.
#[test]
fn run_plot_export_and_the_workbench_show_the_same_row() {
    let run = qkv(&["run", "--show", "enc.0.attn.weights[0]"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    let run_row: Vec<String> = out
        .lines()
        .find(|l| l.starts_with("나는 "))
        .unwrap_or_else(|| panic!("no row 나는 in {out}"))
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    let plot = qkv(&["plot", "--show", "enc.0.attn.weights[0]", "--format", "csv"]);
    assert!(plot.status.success(), "{}", stderr(&plot));
    let csv = stdout(&plot);
    let plot_row: Vec<String> = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .skip(1)
        .map(str::to_string)
        .collect();
    assert_eq!(run_row, plot_row);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let o = qkv(&["export", "-o", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_reader(File::open(&path).unwrap()).unwrap();
    let export_row: Vec<String> = v["arrays"]["enc.0.attn.weights"][0][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| qkv::number::fmt_value(x.as_f64().unwrap() as f32, 4))
        .collect();
    assert_eq!(run_row, export_row);
    let s = qkv::session::Session::default_scenario().unwrap();
    let m = s
        .trace()
        .step("enc.0.attn.weights")
        .unwrap()
        .matrix(Some(0))
        .unwrap()
        .to_owned();
    let workbench_row: Vec<String> = m
        .row(0)
        .iter()
        .map(|&x| qkv::number::fmt_value(x, 4))
        .collect();
    assert_eq!(run_row, workbench_row);
    assert_eq!(run_row.len(), 3, "{out}");
}

/// `qkv params` takes the model flags, and `--table3` counts every row of the paper's
/// Table 3 that changes the size, the paper's figure beside the count: base is 63.05M
/// (the paper: 65M), N=2 is 2 · 3,150,336 + 2 · 4,199,936 + 18,944,000 = 33.64M (36M).
#[test]
fn params_counts_the_papers_table3() {
    let o = qkv(&["params", "--layers", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("layers 2+2"), "{out}");
    assert!(out.contains("33,644,544  total (33.64M)"), "{out}");
    let o = qkv(&["params", "--table3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for (label, counted, paper) in [
        ("base", "63.05M", "65M"),
        ("(C) N=2", "33.64M", "36M"),
        ("(B) d_k=16", "55.97M", "58M"),
        ("big", "214.17M", "213M"),
    ] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{label} ")))
            .unwrap_or_else(|| panic!("no row {label} in {out}"));
        assert!(line.contains(counted) && line.contains(paper), "{line}");
    }
    assert_eq!(
        out.lines().filter(|l| l.ends_with('%')).count(),
        11,
        "{out}"
    );
    assert!(out.contains("Why they differ"), "{out}");
}

/// The trained model's loss on its own sentence is about 2.9e−6 (the issue's figure): the
/// line of `export --grads` prints it with its significant digits, as the REPL's `loss` does,
/// not as 0.000003 or 0.0000.
#[test]
fn export_grads_prints_a_tiny_loss_with_its_digits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.json");
    let o = qkv(&["export", "--grads", "-o", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let loss = err
        .split(", loss ")
        .nth(1)
        .and_then(|r| r.split(" over ").next())
        .unwrap_or_else(|| panic!("no loss in {err}"));
    assert!(loss.ends_with("e−6"), "{err}");
    assert!(
        (2.0..4.0).contains(&printed(loss.trim_end_matches("e−6"))),
        "{err}"
    );
}
