//! One translation mechanism, and `i18n` below everything that speaks. These tests read the
//! source files (`src/` and `crates/*/src/`, test code left out) and hold three rules:
//!
//! 1. No inline translation branch: no `if ko(` anywhere outside `crates/qkv-core/src/i18n/`.
//! 2. No Hangul outside `i18n`, tests and data: a Korean sentence is a catalogue entry (an
//!    enum variant with its English and Korean text, see `i18n/catalogue.rs`). Comments and
//!    test code (`tests.rs` files, `#[cfg(test)] mod …` blocks) are not read. The data that
//!    may hold Hangul is listed in [`DATA`], each with the reason; the one table not yet
//!    moved is listed in [`NOT_YET_MOVED`].
//! 3. `i18n` is a leaf: it takes plain data, and no `crate::…` path in `i18n/` names an engine
//!    module. It may name itself and [`LEAVES`] (modules that import no other module of the
//!    crate, checked here too). The imports still to be removed are listed in
//!    [`ENGINE_IMPORTS_LEFT`]; the test fails on any import not in that list, and on an entry
//!    of the list that is gone (so the list only shrinks).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Files whose Hangul is data, not interface text, with why.
const DATA: &[(&str, &str)] = &[
    (
        "crates/qkv-core/src/model/config.rs",
        "DEFAULT_TEXT, the default sentence the trained model reads",
    ),
    (
        "crates/qkv-core/src/session/learning/training.rs",
        "PROBE, a sentence pair of the training corpus the loss is shown on",
    ),
    (
        "src/bench/mod.rs",
        "the words of the default sentence the benchmark's sentences are made of",
    ),
    (
        "src/cli/model.rs",
        "the --text help quotes the default sentence",
    ),
];

/// Files with interface Hangul that is not yet a catalogue entry.
const NOT_YET_MOVED: &[(&str, &str)] = &[(
    "src/cli/help_ko.rs",
    "the Korean of clap's help and clap's errors, keyed by command and argument id",
)];

/// Modules `i18n` may use: they import no other module of the crate.
const LEAVES: &[&str] = &["util"];

/// `(file under crates/qkv-core/src, module)`: the engine modules `i18n` still names.
const ENGINE_IMPORTS_LEFT: &[(&str, &str)] = &[
    ("i18n/cli_lines.rs", "model"),
    ("i18n/cli_lines.rs", "scenario"),
    ("i18n/command.rs", "command"),
    ("i18n/errors/mod.rs", "atomic"),
    ("i18n/errors/mod.rs", "explain"),
    ("i18n/errors/mod.rs", "export"),
    ("i18n/errors/mod.rs", "hf"),
    ("i18n/errors/mod.rs", "model"),
    ("i18n/errors/mod.rs", "plot"),
    ("i18n/errors/mod.rs", "practice"),
    ("i18n/errors/mod.rs", "scenario"),
    ("i18n/errors/mod.rs", "session"),
    ("i18n/errors/mod.rs", "trace"),
    ("i18n/explore.rs", "explore"),
    ("i18n/formula.rs", "trace"),
    ("i18n/params.rs", "model"),
    ("i18n/training/cli.rs", "model"),
    ("i18n/ui/mod.rs", "model"),
    ("i18n/ui/mod.rs", "trace"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every source file of the binary and the crates, as a path relative to the root.
fn sources() -> Vec<String> {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for c in crates.flatten() {
            rust_files(&c.path().join("src"), &mut files);
        }
    }
    let mut out: Vec<String> = files
        .iter()
        .filter_map(|p| p.strip_prefix(&root).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    out.sort();
    assert!(out.len() > 50, "found only {} source files", out.len());
    out
}

/// The lines of `file` that are code, not test code or comments, with their numbers.
fn code_lines(file: &str) -> Vec<(usize, String)> {
    if file.ends_with("/tests.rs") || file.contains("/tests/") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let next = lines.get(k + 1).map_or("", |l| l.trim_start());
        if t.starts_with("#[cfg(test)]") && (next.starts_with("mod ") || next.contains(" mod ")) {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push((k + 1, (*line).to_string()));
    }
    out
}

fn in_i18n(file: &str) -> bool {
    file.starts_with("crates/qkv-core/src/i18n/")
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('가'..='힣').contains(&c))
}

#[test]
fn no_inline_translation_branch_outside_i18n() {
    let mut found = Vec::new();
    for f in sources().iter().filter(|f| !in_i18n(f)) {
        for (n, l) in code_lines(f) {
            if l.contains("if ko(") {
                found.push(format!("{f}:{n}: {}", l.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "inline `if ko(` branches:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_hangul_outside_i18n_tests_and_data() {
    let allowed: BTreeSet<&str> = DATA.iter().chain(NOT_YET_MOVED).map(|(f, _)| *f).collect();
    let mut found = Vec::new();
    let mut with_hangul = BTreeSet::new();
    for f in sources().iter().filter(|f| !in_i18n(f)) {
        for (n, l) in code_lines(f) {
            if has_hangul(&l) {
                with_hangul.insert(f.clone());
                if !allowed.contains(f.as_str()) {
                    found.push(format!("{f}:{n}: {}", l.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "Hangul outside i18n (make it a catalogue entry in crates/qkv-core/src/i18n):\n{}",
        found.join("\n")
    );
    // A listed file without Hangul any more leaves the list.
    let stale: Vec<&&str> = allowed
        .iter()
        .filter(|f| !with_hangul.contains(**f))
        .collect();
    assert!(stale.is_empty(), "listed but without Hangul: {stale:?}");
}

/// The `crate::module` paths of code lines (`crate::i18n`, `$crate::…` included).
fn crate_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
        rest = after;
    }
    out
}

#[test]
fn i18n_names_no_engine_module() {
    let core = "crates/qkv-core/src/";
    let mut found = BTreeSet::new();
    for f in sources().iter().filter(|f| in_i18n(f)) {
        let short = f.trim_start_matches(core);
        for (_, l) in code_lines(f) {
            for m in crate_modules(&l) {
                if m != "i18n" && m != "catalogue" && !LEAVES.contains(&m.as_str()) {
                    found.insert((short.to_string(), m));
                }
            }
        }
    }
    let left: BTreeSet<(String, String)> = ENGINE_IMPORTS_LEFT
        .iter()
        .map(|(f, m)| ((*f).to_string(), (*m).to_string()))
        .collect();
    let new: Vec<_> = found.difference(&left).collect();
    assert!(
        new.is_empty(),
        "i18n names an engine module (pass plain data instead): {new:?}"
    );
    let gone: Vec<_> = left.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "no longer imported, remove from ENGINE_IMPORTS_LEFT: {gone:?}"
    );
    // The leaves are leaves.
    for leaf in LEAVES {
        let file = format!("{core}{leaf}.rs");
        for (n, l) in code_lines(&file) {
            assert!(
                crate_modules(&l).is_empty(),
                "{file}:{n} imports a module, so it is no leaf: {l}"
            );
        }
    }
}
