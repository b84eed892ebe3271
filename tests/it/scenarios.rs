//! Scenario files: the shipped set passes, every invalid fixture fails with its message,
//! saving round-trips and never overwrites the wrong file, the loader never panics.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use qkv::scenario::io::{self, SaveError, SaveGuard};
use qkv::scenario::schema::ScenarioFile;

use crate::util::{qkv, report, shipped_yaml, yaml_files};

#[test]
fn every_shipped_scenario_loads_teaches_and_passes() {
    let files = shipped_yaml();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "default.yaml",
        "dot-product.yaml",
        "banana-embedding.yaml",
        "self-attention.yaml",
        "decoder-masking.yaml",
        "cross-attention.yaml",
        "multi-head-shapes.yaml",
        "scaling.yaml",
        "add-and-norm.yaml",
        "practice-dot-product.yaml",
        "practice-softmax.yaml",
        "practice-layernorm.yaml",
    ] {
        assert!(names.iter().any(|n| n == want), "missing scenarios/{want}");
    }
    for f in &files {
        let loaded = io::load(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(!loaded.file.title().is_empty(), "{}: no title", f.display());
        assert!(
            loaded.file.description().len() > 100,
            "{}: description too short",
            f.display()
        );
        assert!(
            loaded.file.steps().len() >= 2,
            "{}: no guided tour",
            f.display()
        );
        let r = report(&loaded.file, &loaded.runnable);
        assert!(
            r.results.len() >= 4,
            "{}: too few expectations",
            f.display()
        );
        for res in &r.results {
            assert!(res.passed, "{}: {}", f.display(), res.line());
        }
    }
}

#[test]
fn qkv_check_scenarios_exits_0() {
    let o = qkv(&["check", "scenarios"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let last = out.lines().last().unwrap();
    // scenarios/opus-mt-ko-en.yaml needs a model downloaded by hand: skipped, not failed.
    assert!(
        last.ends_with(
            " passed, 0 failed, 1 scenario file(s) skipped (their model.hf directory is missing)"
        ),
        "{last}"
    );
    assert!(!out.contains("FAIL"));
}

#[test]
fn changing_one_expected_number_fails_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string("scenarios/dot-product.yaml").unwrap();
    let changed = text.replace("scores: [[10, -1, 6]]", "scores: [[10, -2, 6]]");
    assert_ne!(text, changed);
    let path = dir.path().join("dp.yaml");
    fs::write(&path, changed).unwrap();
    let o = qkv(&["check", path.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let fail = out.lines().find(|l| l.starts_with("FAIL")).unwrap();
    assert!(fail.contains("scores[0][1] = -2"), "{fail}");
    assert!(fail.contains("actual -1"), "{fail}");
    assert!(fail.contains("|diff| 1"), "{fail}");
    assert!(out.contains("4 passed, 1 failed"), "{out}");
}

#[test]
fn check_reports_bad_files_with_exit_2() {
    let o = qkv(&["check", "tests/fixtures/invalid/bad-version.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = qkv(&["check", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
}

/// Each fixture starts with `# at: L:C` and `# error: text`; loading must fail with
/// `<path>:L:C: …text…`.
#[test]
fn every_invalid_fixture_fails_with_its_message() {
    let files = yaml_files("tests/fixtures/invalid");
    assert!(files.len() >= 12, "only {} fixtures", files.len());
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let mut lines = text.lines();
        let at = lines.next().and_then(|l| l.strip_prefix("# at: ")).unwrap();
        let want = lines
            .next()
            .and_then(|l| l.strip_prefix("# error: "))
            .unwrap();
        let err = match io::load(&f) {
            Ok(_) => panic!("{} loaded but must fail", f.display()),
            Err(e) => e.to_string(),
        };
        let prefix = format!("{}:{at}: ", f.display());
        assert!(
            err.starts_with(&prefix),
            "{}: want location {at}, got {err}",
            f.display()
        );
        assert!(
            err.contains(want),
            "{}: want {want:?}, got {err}",
            f.display()
        );
    }
}

#[test]
fn save_load_save_gives_the_same_bytes() {
    let top = tempfile::tempdir().unwrap();
    // Scenarios name their checkpoints and corpus relative to themselves: the same layout.
    let dir = top.path().join("scenarios");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir_all(top.path().join("data")).unwrap();
    fs::copy("data/ko-en.tsv", top.path().join("data/ko-en.tsv")).unwrap();
    for f in fs::read_dir("scenarios").unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "safetensors") {
            fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    for f in shipped_yaml() {
        let loaded = io::load(&f).unwrap();
        let first = io::to_yaml(&loaded.file).unwrap();
        let path = dir.join(f.file_name().unwrap());
        io::save(&loaded.file, &path, &SaveGuard::default()).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), first);
        let again = io::load(&path).unwrap();
        assert_eq!(
            again.file,
            loaded.file,
            "{}: load(save(s)) != s",
            f.display()
        );
        assert_eq!(io::to_yaml(&again.file).unwrap(), first, "{}", f.display());
    }
}

#[test]
fn saved_file_keeps_override_order_and_is_readable() {
    let loaded = io::load(Path::new("scenarios/add-and-norm.yaml")).unwrap();
    let text = io::to_yaml(&loaded.file).unwrap();
    let pos = |k: &str| {
        text.find(k)
            .unwrap_or_else(|| panic!("{k} missing in\n{text}"))
    };
    // The file's order, not alphabetical: W_Q, W_V, W_O, W1, W2; 나는 before 간다.
    assert!(pos("enc.0.attn.W_Q:") < pos("enc.0.attn.W_V:"));
    assert!(pos("enc.0.attn.W_V:") < pos("enc.0.attn.W_O:"));
    assert!(pos("enc.0.attn.W_O:") < pos("enc.0.ffn.W1:"));
    assert!(pos("  나는: [1.0, 0.0, 2.0, 1.0]") < pos("  간다: [3.0, 2.0, 0.0, -1.0]"));
    // Matrices are one flow row per line.
    assert!(text.contains("  - [1.0, 0.0, 0.0, 0.0]\n"), "{text}");
}

#[test]
fn save_refuses_to_overwrite_another_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = io::load(Path::new("scenarios/dot-product.yaml")).unwrap();
    let other = dir.path().join("other.yaml");
    fs::write(&other, "precious: true\n").unwrap();
    let err = io::save(&loaded.file, &other, &SaveGuard::default()).unwrap_err();
    assert!(matches!(err, SaveError::WouldOverwrite { .. }), "{err}");
    assert_eq!(fs::read_to_string(&other).unwrap(), "precious: true\n");
    io::save(
        &loaded.file,
        &other,
        &SaveGuard {
            loaded: None,
            force: true,
        },
    )
    .unwrap();
    assert!(
        fs::read_to_string(&other)
            .unwrap()
            .starts_with("version: 1\n")
    );
    // No temporary file is left behind.
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["other.yaml"]);
}

#[test]
fn save_over_the_loaded_file_checks_it_did_not_change_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.yaml");
    fs::copy("scenarios/dot-product.yaml", &path).unwrap();
    let loaded = io::load(&path).unwrap();
    let guard = SaveGuard {
        loaded: Some((loaded.path.clone(), loaded.fingerprint)),
        force: false,
    };
    io::save(&loaded.file, &path, &guard).unwrap();
    // Someone edits the file; the old fingerprint no longer matches.
    fs::write(&path, "version: 1\n# edited elsewhere\n").unwrap();
    let err = io::save(&loaded.file, &path, &guard).unwrap_err();
    assert!(matches!(err, SaveError::ChangedOnDisk { .. }), "{err}");
}

#[test]
fn replay_prints_steps_with_notes_formulas_and_matrices() {
    let o = qkv(&["replay", "scenarios/dot-product.yaml"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("One query, three keys"), "{out}");
    assert!(out.contains("── stop 1/5: scores ──"), "{out}");
    assert!(out.contains("q·k0 = 1×2 + 2×1 + 3×2 = 10"), "{out}");
    assert!(out.contains("scores = q · kᵀ"), "{out}");
    assert!(
        out.contains("selected cell [0][0] (q0 → k0) = 10.0000"),
        "{out}"
    );
    let one = qkv(&["replay", "scenarios/untrained.yaml", "--step", "6"]);
    let out = String::from_utf8_lossy(&one.stdout);
    assert!(
        out.contains("── stop 6/9: dec.0.self_attn.masked[0] ──"),
        "{out}"
    );
    // −∞ printed as the explanations print it.
    assert!(out.contains("−∞") && !out.contains("-inf"), "{out}");
    let bad = qkv(&["replay", "scenarios/untrained.yaml", "--step", "99"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn run_and_export_accept_a_scenario() {
    let o = qkv(&[
        "run",
        "scenarios/banana-embedding.yaml",
        "--show",
        "embed.sum",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // 0.12 + sin(1) = 0.9615
    assert!(out.contains("바나나  0.9615"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("b.json");
    let o = qkv(&[
        "export",
        "scenarios/banana-embedding.yaml",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(v["embedding_overrides"][0], "바나나");
    let e = v["arrays"]["embed.E"][0].as_array().unwrap();
    assert!((e[1].as_f64().unwrap() + 0.87).abs() < 1e-6);
}

/// A few lines of YAML built from random keys and values of the shapes scenarios use.
fn yamlish() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "version",
        "kind",
        "title",
        "model",
        "input",
        "text",
        "target",
        "heads",
        "d_model",
        "arch",
        "layers",
        "embeddings",
        "weights",
        "steps",
        "expect",
        "at",
        "sum",
        "matrix",
        "q",
        "k",
        "v",
        "scale",
        "mask",
        "show",
        "cell",
        "tolerance",
        "bogus",
    ]);
    let scalar = prop::sample::select(vec![
        "1",
        "0",
        "-3",
        "2.5",
        ".nan",
        "-.inf",
        "true",
        "attention",
        "model",
        "encoder",
        "나는 학교에 간다",
        "\"\"",
        "[1, 2]",
        "[[1, 2], [3, 4]]",
        "{}",
        "[]",
        "enc.0.attn.weights[0]",
        "~",
        "[[1, x]]",
        "{text: hi}",
        "9999999999999999999999",
    ]);
    let line = (0usize..3, key, scalar, any::<bool>()).prop_map(|(indent, k, v, dash)| {
        format!(
            "{}{}{k}: {v}",
            "  ".repeat(indent),
            if dash { "- " } else { "" }
        )
    });
    prop::collection::vec(line, 0..12).prop_map(|ls| ls.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn loader_never_panics_on_arbitrary_text(s in ".{0,200}") {
        let _ = io::parse_and_build(&s, "<prop>");
    }

    #[test]
    fn loader_never_panics_on_yaml_shaped_input(body in yamlish(), version in any::<bool>()) {
        let text = if version { format!("version: 1\n{body}") } else { body };
        let _ = io::parse_and_build(&text, "<prop>");
    }
}

#[test]
fn explain_shows_the_numbers_that_sum_to_a_weights_cell() {
    let o = qkv(&[
        "explain",
        "scenarios/untrained.yaml",
        "enc.0.attn.weights[0][1][2]",
        "--precision",
        "6",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.starts_with("enc.0.attn.weights[0][1][2] = 0.303573"),
        "{out}"
    );
    // The row of masked scores, the max, every exponential, their sum and the quotient.
    assert!(
        out.contains("x = enc.0.attn.masked[0][1] = [0.417323, 0.267383, 0.207965]"),
        "{out}"
    );
    assert!(out.contains("max = 0.417323"), "{out}");
    assert!(out.contains("Σ = 1 + "), "{out}");
    let o = qkv(&["explain", "scenarios/dot-product.yaml", "scores[0][1]"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("q·k = 1×0 + 2×1 + 3×(−1) = −1"), "{out}");
    let o = qkv(&["explain", "scenarios/default.yaml", "enc.0.attn.weights[0]"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("explain needs one cell"));
}

/// The YAML examples of the scenario and practice references are real scenarios that load
/// and pass.
#[test]
fn reference_yaml_examples_load_and_pass() {
    let mut count = 0;
    for doc in ["docs/reference/scenarios.md", "docs/reference/practice.md"] {
        let md = fs::read_to_string(doc).unwrap();
        let blocks: Vec<&str> = md
            .split("```yaml\n")
            .skip(1)
            .map(|b| b.split("```").next().unwrap())
            .filter(|b| b.starts_with("version: 1"))
            .collect();
        for b in blocks {
            let (file, runnable) = io::parse_and_build(b, doc).unwrap_or_else(|e| panic!("{e}"));
            let r = report(&file, &runnable);
            assert!(!r.results.is_empty());
            for res in &r.results {
                assert!(res.passed, "{doc} example: {}", res.line());
            }
            count += 1;
        }
    }
    // The annotated model scenario, the hand-check and the practice example.
    assert!(count >= 3, "the references have {count} scenario examples");
}

/// Notes and descriptions count keys and values from 0, as the matrices label them
/// (`k0 k1 k2`): a stop on cell `[0, j]` whose note says `q·kN` must have N = j, and no
/// text names a key or value past the last one.
#[test]
fn scenario_notes_count_keys_from_zero_as_the_matrices() {
    for f in shipped_yaml() {
        let loaded = io::load(&f).unwrap();
        let ScenarioFile::Attention(a) = &loaded.file else {
            continue;
        };
        for stop in &a.steps {
            let (Some([_, j]), Some(note)) = (stop.cell, &stop.note) else {
                continue;
            };
            if let Some(rest) = note.split("q·k").nth(1) {
                let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                assert_eq!(
                    n,
                    j.to_string(),
                    "{}: the note {note:?} is on column {j}",
                    f.display()
                );
            }
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices(['k', 'v']) {
            let n: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let before = text[..i].chars().next_back().unwrap_or(' ');
            if n.is_empty() || before.is_alphanumeric() || before == '_' {
                continue;
            }
            let n: usize = n.parse().unwrap();
            assert!(
                n < a.k.len(),
                "{}: {}{n} names a key or value past the last (there are {}, counted from 0)",
                f.display(),
                &text[i..=i],
                a.k.len()
            );
        }
    }
}

/// `practice:` items (address, hint, tolerance) are written back by `save` and read again
/// unchanged, from the file and from a session.
#[test]
fn practice_items_round_trip() {
    let loaded = io::load(Path::new("scenarios/practice-dot-product.yaml")).unwrap();
    let ScenarioFile::Attention(a) = &loaded.file else {
        panic!("a hand-check")
    };
    assert_eq!(a.practice.len(), 9);
    assert_eq!(a.practice[0].at, "scores[0][0]");
    assert_eq!(a.practice[0].tolerance, Some(0.01));
    assert!(a.practice[1].hint.as_deref().unwrap().contains("3×(−1)"));
    let text = io::to_yaml(&loaded.file).unwrap();
    assert!(
        text.contains("practice:\n- at: scores[0][0]\n  hint: "),
        "{text}"
    );
    assert!(text.contains("  tolerance: 0.01\n"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.yaml");
    // Through a session: open, save elsewhere, load again.
    let s = qkv::session::Session::open(Path::new("scenarios/practice-layernorm.yaml")).unwrap();
    let (file, _) = s.to_file();
    io::save(&file, &path, &SaveGuard::default()).unwrap();
    let again = io::load(&path).unwrap();
    let (ScenarioFile::Model(before), ScenarioFile::Model(after)) = (
        io::load(Path::new("scenarios/practice-layernorm.yaml"))
            .unwrap()
            .file,
        again.file,
    ) else {
        panic!("model scenarios")
    };
    assert_eq!(after.practice, before.practice);
    assert_eq!(after.practice.len(), 3);
    assert_eq!(after.practice[2].tolerance, Some(0.001));
}
