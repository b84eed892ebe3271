//! Mutated shipped scenarios through load → run → check → save → load (issue 10): never a
//! panic; a check never passes on NaN or ±∞; what qkv saves loads back as the same
//! scenario with the same check results. (The cargo-fuzz targets under `fuzz/` do the same
//! on arbitrary bytes; CI runs only this test.)

use std::fs;

use proptest::prelude::*;
use qkv::scenario::io::{self, SaveGuard};

use crate::util::{report, yaml_files};

fn shipped() -> Vec<String> {
    yaml_files("scenarios")
        .into_iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect()
}

/// One edit of a scenario's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the k-th number with this text.
    Number(usize, String),
    /// Insert text at a byte position (rounded down to a character boundary).
    Insert(usize, String),
    /// Delete the k-th line.
    DeleteLine(usize),
    /// Repeat the k-th line.
    DuplicateLine(usize),
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f32>().prop_map(|x| format!("{x:e}")),
        (-1000i32..1000).prop_map(|x| x.to_string()),
        Just("3e38".to_string()),
        Just("-3.4e38".to_string()),
        Just("1e39".to_string()),
        Just(".nan".to_string()),
        Just("-.inf".to_string()),
        Just("123456792".to_string()),
        Just("0".to_string()),
        Just("-0.0".to_string()),
        Just("1e-45".to_string()),
    ]
}

fn odd_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z \\[\\]{}:,#'\"-]{0,6}",
        Just("\u{2028}".to_string()),
        Just("\u{feff}".to_string()),
        Just("\n\n".to_string()),
        Just("\t".to_string()),
        Just("\u{1b}[2J".to_string()),
        Just("학교".to_string()),
        "\\PC{0,4}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0usize..200, number_text()).prop_map(|(k, t)| Mutation::Number(k, t)),
        2 => (0usize..4000, odd_text()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        1 => (0usize..60).prop_map(Mutation::DeleteLine),
        1 => (0usize..60).prop_map(Mutation::DuplicateLine),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    match m {
        Mutation::Number(k, t) => {
            // Spans of digits (with sign, point and exponent) in the text.
            let b = text.as_bytes();
            let mut spans = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if b[i].is_ascii_digit() {
                    let mut s = i;
                    if s > 0 && b[s - 1] == b'-' {
                        s -= 1;
                    }
                    let mut e = i;
                    while e < b.len() && (b[e].is_ascii_digit() || b"._eE+-".contains(&b[e])) {
                        e += 1;
                    }
                    spans.push((s, e));
                    i = e;
                } else {
                    i += 1;
                }
            }
            match spans.get(*k % spans.len().max(1)) {
                Some(&(s, e)) => format!("{}{t}{}", &text[..s], &text[e..]),
                None => text.to_string(),
            }
        }
        Mutation::Insert(p, t) => {
            let mut p = (*p).min(text.len());
            while !text.is_char_boundary(p) {
                p -= 1;
            }
            format!("{}{t}{}", &text[..p], &text[p..])
        }
        Mutation::DeleteLine(k) | Mutation::DuplicateLine(k) => {
            let lines: Vec<&str> = text.lines().collect();
            let k = k % lines.len().max(1);
            let mut out = String::new();
            for (i, l) in lines.iter().enumerate() {
                if i == k && matches!(m, Mutation::DeleteLine(_)) {
                    continue;
                }
                out.push_str(l);
                out.push('\n');
                if i == k && matches!(m, Mutation::DuplicateLine(_)) {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            out
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn mutated_scenarios_load_run_check_save_and_load_back(
        which in 0usize..64,
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let all = shipped();
        let mut text = all[which % all.len()].clone();
        for m in &edits {
            text = apply(&text, m);
        }
        let Ok((file, runnable)) = io::parse_and_build(&text, "mutated.yaml") else {
            return Ok(());
        };
        let rep = report(&file, &runnable);
        for r in &rep.results {
            if r.passed {
                prop_assert!(
                    !r.actual.contains("NaN") && !r.actual.ends_with("inf") || r.actual == "-inf",
                    "a check passed on {}: {r:?}\n{text}",
                    r.actual
                );
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saved.yaml");
        io::save(&file, &path, &SaveGuard::default()).unwrap();
        let back = io::load(&path);
        prop_assert!(back.is_ok(), "saved file does not load: {:?}\n{}", back.err(), fs::read_to_string(&path).unwrap());
        let back = back.unwrap();
        prop_assert_eq!(&back.file, &file);
        prop_assert_eq!(report(&back.file, &back.runnable), rep);
    }
}
