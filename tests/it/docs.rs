//! The documentation stays true: the README's length and first lines, every `qkv …` command
//! shown in the README and the guide runs, every scenario the guide opens passes `qkv check`,
//! ARCHITECTURE.md names only files that exist, the reference's key table is the workbench's,
//! the command reference names every flag, and no document names an issue or a "round".

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use qkv::i18n::Lang;
use qkv::keymap;

use crate::util::{Qkv, qkv, stderr, stdout};

/// The Markdown files under `dir`, recursively, sorted.
fn markdown_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The guide's chapters in one language (`ko` or `en`).
fn chapters(lang: &str) -> Vec<PathBuf> {
    markdown_under(&Path::new("docs/guide").join(lang))
}

/// The lines of the fenced ```sh blocks of a Markdown text.
fn sh_lines(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in md.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            inside = !inside && t == "```sh";
            continue;
        }
        if inside {
            out.push(line.trim().to_string());
        }
    }
    out
}

/// A command line split as a POSIX shell splits words with '…' and "…" quotes (no
/// expansion; the documents' commands use nothing else), the `# comment` after it dropped.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                started = true;
            }
            None if c == '#' && !started => break,
            None if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

#[test]
fn words_split_as_a_shell_does() {
    assert_eq!(
        words(r"qkv explain a.yaml 'enc.0[0][1]'   # why"),
        ["qkv", "explain", "a.yaml", "enc.0[0][1]"]
    );
    assert_eq!(
        words(r#"qkv translate "그는 어제 # 갔다" --seed 7"#),
        ["qkv", "translate", "그는 어제 # 갔다", "--seed", "7"]
    );
}

/// The text `printf FORMAT` prints, for the escapes the documents use: `\n` and `\\`.
fn printf_text(format: &str) -> String {
    format
        .replace("\\\\", "\u{0}")
        .replace("\\n", "\n")
        .replace('\u{0}', "\\")
}

#[test]
fn printf_text_turns_escapes_into_characters() {
    assert_eq!(printf_text(r"show x\nloss\n"), "show x\nloss\n");
}

/// Why a documented command is not run, or None when it is. Everything else runs.
fn left_out(args: &[String], piped: bool) -> Option<&'static str> {
    // The subcommand, after a leading `--lang L`.
    let rest = match args.get(1).map(String::as_str) {
        Some("--lang") => &args[args.len().min(3)..],
        _ => &args[1..],
    };
    let has = |flag: &str| rest.iter().any(|a| a == flag);
    match rest.first().map(String::as_str) {
        // The workbench needs a terminal; tests/it/tui_e2e.rs drives it in a pseudo-terminal.
        None | Some("tui") => Some("the workbench needs a terminal"),
        // The REPL waits for a terminal's lines; tests/it/repl.rs drives it, piped and in a pty.
        Some("repl") if !piped && !has("--help") => {
            Some("the REPL needs a terminal or a piped script")
        }
        // A full training run (1000 updates) takes minutes in a debug build; the lines with
        // `--steps` run, and tests/it/learning.rs checks shorter runs' outcomes.
        Some("train") if !has("--steps") => Some("a full training run is too long for the suite"),
        // Writes about 180 MB.
        Some("export")
            if rest
                .windows(2)
                .any(|w| w[0] == "--preset" && w[1] == "base") =>
        {
            Some("writes about 180 MB")
        }
        Some("bench") => Some("a timing run"),
        // Every shipped scenario, training checks included: tests/it/scenarios.rs runs it.
        Some("check")
            if rest
                .get(1)
                .is_some_and(|p| p.trim_end_matches('/') == "scenarios") =>
        {
            Some("tests/it/scenarios.rs checks every shipped scenario")
        }
        _ => None,
    }
}

/// Copies `scenarios/` and `data/` into `dir`, so that the documents' relative paths hold.
fn stage(dir: &Path) {
    for sub in ["scenarios", "data"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
        for e in fs::read_dir(sub).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
}

/// Every `qkv …` line of the fenced ```sh blocks of the README and the guide runs and exits 0,
/// in a temporary directory holding copies of `scenarios/` and `data/`, one document's
/// commands in order (a later one may read what an earlier one wrote); a command shown again
/// (the two languages of a chapter) runs once. `printf '…' | qkv …` lines get the text on
/// stdin. The lines left out, each with its reason, are those `left_out` names.
#[test]
fn documented_commands_run() {
    let mut docs = vec![PathBuf::from("README.md")];
    docs.extend(chapters("ko"));
    docs.extend(chapters("en"));
    let mut ran = 0;
    let mut skipped = BTreeSet::new();
    let mut done: BTreeMap<(Vec<String>, String), String> = BTreeMap::new();
    for doc in &docs {
        let md = fs::read_to_string(doc).unwrap();
        let dir = tempfile::tempdir().unwrap();
        stage(dir.path());
        for line in sh_lines(&md) {
            // `printf '…' | qkv …`: the printf's text goes to qkv's stdin.
            let (input, command) = match line.split_once(" | qkv ") {
                Some((p, rest)) if p.starts_with("printf ") => {
                    (printf_text(&words(p)[1]), format!("qkv {rest}"))
                }
                _ => (String::new(), line.clone()),
            };
            let args = words(&command);
            if args.first().map(String::as_str) != Some("qkv") {
                continue;
            }
            if let Some(why) = left_out(&args, !input.is_empty()) {
                skipped.insert(format!("{line}  ({why})"));
                continue;
            }
            // The Korean and English chapters show the same commands: each runs once.
            let key = (args.clone(), input.clone());
            if let Some(out) = done.get(&key) {
                answers_hold(doc, &md, out);
                continue;
            }
            let argv: Vec<&str> = args[1..].iter().map(String::as_str).collect();
            let start = Instant::now();
            let o = Qkv::new(&argv)
                .dir(dir.path())
                .stdin(input.as_bytes())
                .within(120)
                .output();
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}: `{line}` failed:\n{}{}",
                doc.display(),
                stdout(&o),
                stderr(&o)
            );
            assert!(
                start.elapsed().as_secs() < 60,
                "{}: `{line}` took {:?}; the suite has no room for it",
                doc.display(),
                start.elapsed()
            );
            answers_hold(doc, &md, &stdout(&o));
            done.insert(key, stdout(&o));
            ran += 1;
        }
    }
    assert!(ran >= 40, "only {ran} documented commands ran");
    eprintln!("{ran} documented commands ran; left out:");
    for s in &skipped {
        eprintln!("  {s}");
    }
}

/// The numbers of a text (`−` read as a minus sign).
fn numbers_in(text: &str) -> Vec<f64> {
    text.replace('−', "-")
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter_map(|w| w.trim_matches('.').parse().ok())
        .collect()
}

/// Every value a practice run graded against (`… trace V — right`) is among the numbers of
/// the chapter's answer (its `<details>` block), to the 4 digits printed: the answers the
/// guide gives are qkv's.
fn answers_hold(doc: &Path, md: &str, out: &str) {
    let graded: Vec<f64> = out
        .lines()
        .filter_map(|l| l.split_once(", trace ")?.1.split(" —").next())
        .flat_map(numbers_in)
        .collect();
    if graded.is_empty() {
        return;
    }
    let answer = md
        .split_once("<details>")
        .and_then(|(_, a)| a.split_once("</details>"))
        .map(|(a, _)| a)
        .unwrap_or_else(|| panic!("{} has no answer", doc.display()));
    let given = numbers_in(answer);
    for v in graded {
        assert!(
            given.iter().any(|g| (g - v).abs() < 5e-5),
            "{}: qkv grades against {v}, which the answer does not give",
            doc.display()
        );
    }
}

#[test]
fn numbers_are_read_with_unicode_minus() {
    assert_eq!(
        numbers_in("[−0.3297, 1.0000] = **6**."),
        [-0.3297, 1.0, 6.0]
    );
}

/// The README is one a student finishes: at most 250 lines, the run and test commands (and
/// the Rust version they need) in its first 8, and CI runs exactly its test command.
#[test]
fn readme_is_short_and_opens_with_run_and_test() {
    let readme = fs::read_to_string("README.md").unwrap();
    let n = readme.lines().count();
    assert!(n <= 250, "README.md has {n} lines");
    let head: Vec<&str> = readme.lines().take(8).collect();
    let head = head.join("\n");
    for want in ["cargo run --release", "cargo test", "1.85", "rustup"] {
        assert!(head.contains(want), "README's first 8 lines lack {want:?}");
    }
    let test_line = head
        .lines()
        .find(|l| l.trim_start().starts_with("cargo test"))
        .unwrap();
    let test_cmd = test_line.split('#').next().unwrap().trim();
    let ci = fs::read_to_string(".ci/run").unwrap();
    let ci_tests: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("cargo test"))
        .collect();
    assert_eq!(
        ci_tests,
        [test_cmd],
        "CI must run the README's test command"
    );
}

/// Each chapter of the guide exists in Korean and in English, under the same file name, and
/// every chapter after the map names at least one scenario, a file of `scenarios/` (which
/// `scenarios::every_shipped_scenario_loads_teaches_and_passes` and `qkv check scenarios`
/// check, so it is not checked twice here).
#[test]
fn guide_chapters_pair_up_and_name_shipped_scenarios() {
    let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    let ko: Vec<String> = chapters("ko").iter().map(name).collect();
    let en: Vec<String> = chapters("en").iter().map(name).collect();
    assert_eq!(ko, en, "the Korean and English chapters differ");
    assert!(ko.len() >= 15, "{} chapters", ko.len());
    for p in chapters("ko").iter().chain(chapters("en").iter()) {
        let md = fs::read_to_string(p).unwrap();
        let named: Vec<&str> = md
            .split(|c: char| c.is_whitespace() || "`()[],;:'".contains(c))
            .filter(|w| w.starts_with("scenarios/") && w.ends_with(".yaml"))
            .collect();
        let map = name(p).starts_with("00");
        assert!(
            map || !named.is_empty(),
            "{} opens no scenario",
            p.display()
        );
        for s in named {
            assert!(
                Path::new(s).is_file(),
                "{} names {s}, which is not a shipped scenario",
                p.display()
            );
        }
    }
}

/// The paths ARCHITECTURE.md names (in backquotes, with a `/` or a file extension) exist.
#[test]
fn architecture_names_only_files_that_exist() {
    let md = fs::read_to_string("ARCHITECTURE.md").unwrap();
    let mut checked = 0;
    for (i, part) in md.split('`').enumerate() {
        // Odd parts are inside backquotes.
        if i % 2 == 0 || part.contains(' ') || part.contains("::") {
            continue;
        }
        let looks_like_path = part.contains('/')
            || [
                ".rs", ".md", ".toml", ".py", ".sh", ".yaml", ".tsv", ".lock",
            ]
            .iter()
            .any(|e| part.ends_with(e));
        if !looks_like_path {
            continue;
        }
        assert!(
            Path::new(part).exists(),
            "ARCHITECTURE.md names {part}, which does not exist"
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} paths named");
}

/// The lines between `<!-- NAME:begin -->` and `<!-- NAME:end -->` of `md`.
fn marked<'a>(md: &'a str, name: &str) -> &'a str {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let from = md.find(&begin).unwrap_or_else(|| panic!("no {begin}")) + begin.len();
    let to = md[from..].find(&end).unwrap_or_else(|| panic!("no {end}")) + from;
    &md[from..to]
}

/// The reference's key tables as the key table gives them: one Markdown table per heading
/// of `?`, keys in backquotes.
fn key_tables(lang: Lang, head: (&str, &str)) -> String {
    let mut t = String::new();
    for (group, lines) in keymap::key_list() {
        t.push_str(&format!(
            "\n### {}\n\n| {} | {} |\n|---|---|\n",
            group.text(lang),
            head.0,
            head.1
        ));
        for (keys, doc) in lines {
            let keys: Vec<String> = keymap::keys_label(&keys)
                .split(' ')
                .map(|k| format!("`{}`", k.replace('|', "\\|")))
                .collect();
            t.push_str(&format!(
                "| {} | {} |\n",
                keys.join(" "),
                doc.text(lang).replace('|', "\\|")
            ));
        }
    }
    t.push('\n');
    t
}

/// The reference's key tables (English and Korean) are the key table's, every key of it
/// under the heading `?` shows it under.
#[test]
fn workbench_keys_in_the_reference_are_the_key_table() {
    let md = fs::read_to_string("docs/reference/workbench.md").unwrap();
    let en = key_tables(Lang::En, ("keys", "what they do"));
    assert_eq!(
        marked(&md, "keys"),
        en,
        "docs/reference/workbench.md's key tables differ from the key table; they should read:\n{en}"
    );
    let ko = key_tables(Lang::Ko, ("키", "하는 일"));
    assert_eq!(
        marked(&md, "keys-ko"),
        ko,
        "docs/reference/workbench.md's Korean key tables differ from the key table; they should read:\n{ko}"
    );
}

/// Whether `word` names keys of the key table: one key's label, or a run of arrows.
fn is_key(word: &str, labels: &BTreeSet<String>) -> bool {
    labels.contains(word) || (!word.is_empty() && word.chars().all(|c| "←↑↓→".contains(c)))
}

/// The backquoted words of the `column`th cell of each row of the table under `header`.
fn column_words(md: &str, header: &str, column: usize) -> Vec<String> {
    let Some(start) = md.find(header) else {
        panic!("no table headed {header}")
    };
    md[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(column + 1).map(str::to_string))
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The keys the README's first session and the guides' maps name are keys of the key
/// table (a command such as `qkv replay` aside).
#[test]
fn keys_named_in_the_readme_and_the_guides_are_in_the_key_table() {
    let labels: BTreeSet<String> = keymap::KEYMAP
        .iter()
        .flat_map(keymap::Binding::key_list)
        .map(keymap::Key::label)
        .collect();
    assert!(is_key("←↑↓→", &labels) && is_key("space", &labels) && !is_key("Z", &labels));
    let readme = fs::read_to_string("README.md").unwrap();
    let first = column_words(&readme, "| you type | you see |", 0);
    assert!(first.len() >= 10, "{first:?}");
    for w in first {
        assert!(
            is_key(&w, &labels),
            "README names the key `{w}`, not in the key table"
        );
    }
    for (path, header) in [
        (
            "docs/guide/en/00-map.md",
            "| the article's word | chapter | scenario | keys / commands | trace names |",
        ),
        (
            "docs/guide/ko/00-map.md",
            "| 글의 용어 | 장 | 시나리오 | 키 / 명령 | 트레이스 이름 |",
        ),
    ] {
        let md = fs::read_to_string(path).unwrap();
        let words = column_words(&md, header, 3);
        let keys: Vec<&String> = words.iter().filter(|w| !w.starts_with("qkv ")).collect();
        assert!(keys.len() >= 10, "{path}: {words:?}");
        for w in keys {
            assert!(
                is_key(w, &labels),
                "{path} names the key `{w}`, not in the key table"
            );
        }
    }
}

/// A shipped scenario that says "Press K" names a key of the workbench, and the one that
/// says which key walks the tour names the key that replays it.
#[test]
fn keys_named_by_the_shipped_scenarios_are_real() {
    let mut named = 0;
    for entry in fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap().replace('\n', " ");
        let words: Vec<&str> = text.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            if *w != "Press" {
                continue;
            }
            let k = words[i + 1].trim_end_matches([',', '.', ';', ':']);
            let key = keymap::Key::Char(k.chars().next().unwrap());
            let found = keymap::lookup(keymap::Ctx::Panes, key, false);
            assert!(
                k.chars().count() == 1 && found.is_some(),
                "{}: Press {k}",
                path.display()
            );
            let rest = words[i + 2..].join(" ");
            if rest.starts_with("to walk the tour") {
                assert_eq!(
                    found.map(|(_, m)| m),
                    Some(&keymap::Message::Replay),
                    "{}",
                    path.display()
                );
            }
            if rest.starts_with("to walk the pipeline") {
                assert_eq!(
                    found.map(|(_, m)| m),
                    Some(&keymap::Message::NextStep),
                    "{}",
                    path.display()
                );
            }
            named += 1;
        }
    }
    assert!(named >= 4, "{named}");
}

/// The subcommands of `qkv --help`.
fn subcommands() -> Vec<String> {
    let help = stdout(&qkv(&["--help"]));
    help.split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(str::to_string)
        .collect()
}

/// The command reference names every subcommand and every flag of `qkv CMD --help`.
#[test]
fn command_reference_names_every_command_and_flag() {
    let md = fs::read_to_string("docs/reference/cli.md").unwrap();
    let cmds = subcommands();
    assert!(cmds.len() >= 15, "{cmds:?}");
    let mut missing = Vec::new();
    for cmd in cmds.iter().map(String::as_str).chain([""]) {
        let args: Vec<&str> = [cmd, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let help = stdout(&qkv(&args));
        if !cmd.is_empty() && !md.contains(&format!("## `qkv {cmd}")) {
            missing.push(format!("the section of qkv {cmd}"));
        }
        for w in help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if w.starts_with("--") && w.len() > 2 && !md.contains(w) {
                missing.push(format!("qkv {cmd} {w}"));
            }
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "docs/reference/cli.md lacks: {missing:?}"
    );
}

/// No document names an issue ("issue 12", "#12") or a "round" of the work: what changed
/// and when is CHANGELOG.md's business, told by date.
#[test]
fn no_document_names_an_issue_or_a_round() {
    let mut docs: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CHANGELOG.md"]
        .iter()
        .map(PathBuf::from)
        .collect();
    docs.extend(markdown_under(Path::new("docs")));
    for d in ["data", "tools", "scenarios"] {
        docs.extend(
            fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "md" || x == "yaml")),
        );
    }
    let numbers = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let punct = |c: char| !c.is_alphanumeric();
    for doc in &docs {
        let text = fs::read_to_string(doc).unwrap().to_lowercase();
        let w: Vec<&str> = text.split_whitespace().collect();
        for pair in w.windows(2) {
            // "round two", "issue 12" (a word then a number, nothing between them).
            let word = pair[0].trim_start_matches(punct);
            let next = pair[1].trim_end_matches(punct);
            let numbered = numbers.contains(&next)
                || (!next.is_empty() && next.chars().all(|c| c.is_ascii_digit()));
            let bad = matches!(word, "round" | "rounds" | "issue" | "issues") && numbered;
            assert!(!bad, "{} names {:?}", doc.display(), pair.join(" "));
        }
        for t in &w {
            assert!(!is_issue_ref(t), "{} names {t:?}", doc.display());
        }
    }
}

/// `#12` (or `(#12)`): a number right after a `#` that starts the word.
fn is_issue_ref(word: &str) -> bool {
    word.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#')
        .strip_prefix('#')
        .map(|n| n.trim_end_matches(|c: char| !c.is_alphanumeric()))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

#[test]
fn issue_references_are_recognised() {
    assert!(is_issue_ref("#12"));
    assert!(is_issue_ref("(#12),"));
    assert!(!is_issue_ref("#"));
    assert!(!is_issue_ref("C#"));
    assert!(!is_issue_ref("a#1"));
}

/// The REPL reference names every command of the command language (`COMMANDS`, what `help`
/// lists).
#[test]
fn repl_reference_names_every_command() {
    let md = fs::read_to_string("docs/reference/repl.md").unwrap();
    let missing: Vec<&str> = qkv::command::COMMANDS
        .iter()
        .map(|c| c.name)
        .filter(|n| !md.contains(&format!("`{n}")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/reference/repl.md lacks {missing:?}"
    );
}
