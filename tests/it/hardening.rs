//! Hardening (issue 10): inputs an attacker (or an unlucky student) could hand to qkv must
//! not make it hang, exhaust memory, report NaN as a pass, print raw control characters or
//! write anywhere but the file it named. Each test failed on the build before the fix.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use qkv::scenario::io::{self, SaveError, SaveGuard};

use crate::util::{QKV, Qkv, text};

/// Runs qkv with `args` and `stdin`, killing it after `secs` (a hang fails the test).
fn qkv_in(dir: Option<&Path>, args: &[&str], stdin: &[u8], secs: u64) -> Output {
    let q = Qkv::new(args).stdin(stdin).within(secs);
    match dir {
        Some(d) => q.dir(d),
        None => q,
    }
    .output()
}

fn qkv(args: &[&str], secs: u64) -> Output {
    qkv_in(None, args, b"", secs)
}

// ----- 1. hangs and quadratic paths ------------------------------------------------------

#[test]
fn a_huge_d_model_flag_is_refused_at_once() {
    // u64::MAX is odd: heads 2 does not divide it, and listing its divisors never ended.
    let o = qkv(
        &["run", "--d-model", "18446744073709551615", "--heads", "2"],
        10,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("expected an integer from 1 to 1024"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    // 100 000 nested `[` (200 KB): about 55 s before the fix.
    let deep = format!(
        "version: 1\ninput:\n  text: hello\nweights:\n  w: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let start = Instant::now();
    let err = io::parse(&deep, "deep.yaml").unwrap_err().to_string();
    let took = start.elapsed();
    assert!(err.contains("nested more than 64 levels"), "{err}");
    assert!(err.starts_with("deep.yaml:5:"), "{err}");
    assert!(took < Duration::from_millis(100), "{took:?}");
    // Block nesting counts too.
    let mut block = String::from("version: 1\ninput:\n  text: hello\nx:\n");
    for i in 1..=70 {
        block.push_str(&format!("{}k:\n", "  ".repeat(i)));
    }
    let err = io::parse(&block, "b.yaml").unwrap_err().to_string();
    assert!(err.contains("nested more than 64 levels"), "{err}");
}

#[test]
fn a_very_long_command_line_fails_that_line_only() {
    let mut script = b"text a b\n".to_vec();
    script.extend(b"set embed a [");
    script.extend(b"1, ".repeat(3_500_000)); // a 10 MB line
    script.extend(b"1]\nshow embed.sum[0]\n");
    let o = qkv_in(None, &["repl", "--keep-going"], &script, 20);
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "line 2: error: the line has 10500015 bytes: a command may have at most 262144"
        ),
        "{err}"
    );
    assert!(text(&o.stdout).contains("embed.sum"), "{}", text(&o.stdout));
    assert_eq!(o.status.code(), Some(1));
}

// ----- 2. unbounded memory -----------------------------------------------------------------

#[test]
fn devices_and_fifos_are_not_read() {
    for cmd in ["check", "run", "explain", "replay"] {
        let mut args = vec![cmd, "/dev/zero"];
        if cmd == "explain" {
            args.push("embed.sum[0][0]");
        }
        let o = qkv(&args, 10);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(
            text(&o.stderr).contains("it is a character device, not a regular file"),
            "{cmd}: {}",
            text(&o.stderr)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.yaml");
    crate::util::mkfifo(&fifo);
    let o = qkv(&["check", fifo.to_str().unwrap()], 10);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("a FIFO (named pipe), not a regular file"));
}

#[test]
fn an_oversized_file_is_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let mut t = String::from("version: 1\ninput:\n  text: hello\ndescription: |\n");
    while t.len() <= 5 << 20 {
        t.push_str("  padding padding padding padding padding padding padding\n");
    }
    fs::write(&big, &t).unwrap();
    let err = io::load(&big).unwrap_err().to_string();
    assert!(
        err.contains("a scenario file may have at most 4194304 (4.0 MiB)"),
        "{err}"
    );
}

#[test]
fn a_directory_of_links_to_itself_is_searched_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    fs::create_dir(&d).unwrap();
    fs::copy("scenarios/dot-product.yaml", d.join("a.yaml")).unwrap();
    for l in ["l1", "l2", "l3"] {
        std::os::unix::fs::symlink(".", d.join(l)).unwrap();
    }
    let o = qkv(&["check", "--quiet", d.to_str().unwrap()], 20);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let n: usize = out
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap();
    let once = qkv(&["check", "--quiet", "scenarios/dot-product.yaml"], 20);
    let m: usize = text(&once.stdout)
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert_eq!(n, m, "{out}");
    assert!(text(&o.stderr).contains("skipped"), "{}", text(&o.stderr));
}

#[test]
fn the_largest_model_is_refused_by_the_memory_budget() {
    let words = vec!["w"; 4096].join(" ");
    let target = vec!["w"; 4095].join(" ");
    let args = [
        "run",
        "--d-model",
        "1024",
        "--heads",
        "16",
        "--d-ff",
        "16384",
        "--layers",
        "12",
        "--max-tokens",
        "4096",
        "--text",
        &words,
        "--target",
        &target,
    ];
    let o = qkv(&args, 20);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("need about"), "{err}");
    assert!(err.contains("more than the budget of"), "{err}");
    // The budget can be set: base needs more than 100 MiB for its weights alone.
    let o = qkv(&["run", "--preset", "base", "--memory-budget", "100"], 20);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("more than the budget of 100.0 MiB"),
        "{}",
        text(&o.stderr)
    );
    let o = qkv(&["run", "--preset", "base", "--memory-budget", "2000"], 60);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

// ----- 3. false passes and hidden NaN ------------------------------------------------------

/// Weights of 3e38 overflow: the scores are ±∞ and the attention weights NaN.
const OVERFLOW: &str = "version: 1
title: overflow
model: {arch: encoder, d_model: 2, heads: 1, d_ff: 2, layers: 1}
input:
  text: a b
weights:
  enc.0.attn.W_Q: [[3e38, 3e38], [3e38, 3e38]]
  enc.0.attn.W_K: [[3e38, 3e38], [3e38, 3e38]]
expect:
  - at: enc.0.attn.weights[0][0]
    argmax: 0
  - at: enc.0.attn.weights[0][1]
    sum: 0
  - at: embed.sum[0][0]
    value: 0.0
    tolerance: 10
";

#[test]
fn nan_in_a_checked_value_fails_with_the_cell_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("overflow.yaml");
    fs::write(&f, OVERFLOW).unwrap();
    let o = qkv(&["check", f.to_str().unwrap()], 20);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("1 passed, 2 failed"), "{out}");
    assert!(
        out.contains("FAIL") && out.contains("enc.0.attn.weights[0][0][0] = NaN"),
        "{out}"
    );
    assert!(
        out.contains("the first non-finite value of the pass is enc.0.attn"),
        "{out}"
    );
}

#[test]
fn a_nan_row_is_reported_as_nan_with_its_origin_not_as_masked() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("overflow.yaml");
    fs::write(&f, OVERFLOW.split("expect:").next().unwrap()).unwrap();
    let o = qkv(
        &[
            "run",
            f.to_str().unwrap(),
            "--show",
            "enc.0.attn.weights[0]",
        ],
        20,
    );
    let out = text(&o.stdout);
    assert!(!out.contains("fully masked"), "{out}");
    assert!(out.contains("NaN"), "{out}");
    assert!(
        out.contains("the first non-finite value of this pass is enc.0.attn."),
        "{out}"
    );
    let o = qkv(
        &[
            "explain",
            f.to_str().unwrap(),
            "enc.0.attn.weights[0][0][1]",
        ],
        20,
    );
    let out = text(&o.stdout);
    assert!(!out.contains("fully masked"), "{out}");
    assert!(out.contains("= NaN"), "{out}");
    assert!(
        out.contains("the first non-finite value of this pass is"),
        "{out}"
    );
}

#[test]
fn set_follows_the_same_number_rule_as_files() {
    let o = qkv_in(
        None,
        &["repl", "--keep-going"],
        b"text a b\nset embed a [1e39, 0, 0, 0, 0, 0, 0, 0]\nset weight enc.0.norm1.beta [1e39, 0, 0, 0, 0, 0, 0, 0]\n",
        20,
    );
    let err = text(&o.stderr);
    for line in [
        "line 2: error: value 0 is 1e39",
        "line 3: error: value 0 is 1e39",
    ] {
        assert!(err.contains(line), "{err}");
    }
    assert!(err.contains("it does not fit in f32"), "{err}");
}

// ----- 4. saving and exporting never clobber ----------------------------------------------

fn loaded(path: &Path) -> SaveGuard {
    let l = io::load(path).unwrap();
    SaveGuard {
        loaded: Some((path.to_path_buf(), l.fingerprint)),
        force: false,
    }
}

fn shipped() -> String {
    fs::read_to_string("scenarios/dot-product.yaml").unwrap()
}

#[test]
fn a_planted_link_at_the_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("s.yaml");
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    // The names the earlier versions used: `.s.yaml.tmp-<pid>`.
    std::os::unix::fs::symlink(
        &victim,
        dir.path()
            .join(format!(".s.yaml.tmp-{}", std::process::id())),
    )
    .unwrap();
    io::save_text(&shipped(), &target, &SaveGuard::default()).unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(fs::read_to_string(&target).unwrap(), shipped());
}

#[test]
fn stale_temporary_files_of_ours_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("s.yaml");
    let stale = dir.path().join(".s.yaml.Ab12Cd.qkv-tmp");
    let other = dir.path().join(".t.yaml.Ab12Cd.qkv-tmp");
    for p in [&stale, &other] {
        let f = fs::File::create(p).unwrap();
        f.set_modified(std::time::SystemTime::now() - Duration::from_mins(10))
            .unwrap();
    }
    io::save_text(&shipped(), &target, &SaveGuard::default()).unwrap();
    assert!(!stale.exists());
    assert!(
        other.exists(),
        "another file's temporary file is left alone"
    );
    let left: Vec<PathBuf> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".qkv-tmp"))
        .collect();
    assert_eq!(left, vec![other]);
}

#[test]
fn saving_keeps_permission_bits_and_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.yaml");
    fs::write(&real, shipped()).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink("real.yaml", &link).unwrap();
    let guard = loaded(&link);
    let changed = shipped().replace("title:", "title: changed");
    io::save_text(&changed, &link, &guard).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), changed);
    let mode = fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn save_refuses_special_files_even_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.yaml");
    crate::util::mkfifo(&fifo);
    let force = SaveGuard {
        loaded: None,
        force: true,
    };
    match io::save_text(&shipped(), &fifo, &force) {
        Err(e @ SaveError::NotRegular { .. }) => {
            assert!(
                e.to_string()
                    .contains("a FIFO (named pipe), not a regular file")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        io::save_text(&shipped(), Path::new("/dev/null"), &force),
        Err(SaveError::NotRegular { .. })
    ));
}

#[test]
fn a_failed_export_leaves_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.npz");
    fs::write(&out, "previous export").unwrap();
    // A file size limit of 64 KiB stands for a full disk: writes past it fail (EFBIG).
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 64; exec {QKV} export --preset small -o {}",
            out.display()
        ))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(!err.contains("ZipWriter drop failed"), "{err}");
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous export");
    let left = fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(left, 1, "no temporary file left behind");
}

#[test]
fn odd_text_round_trips_and_a_description_without_title_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("odd.yaml");
    let file = qkv::scenario::schema::ScenarioFile::Model({
        let mut s =
            qkv::scenario::new_scenario(&qkv::model::Config::default(), "hello world", None);
        s.description = "line one\u{2028}still one\u{2029}\n\n  indented\ttab\n\n\n".into();
        s.steps.push(qkv::scenario::schema::TourStep {
            show: "embed.sum".into(),
            head: None,
            cell: None,
            note: Some("trailing blank lines\n\n".into()),
        });
        s
    });
    io::save(&file, &f, &SaveGuard::default()).unwrap();
    let back = io::load(&f).unwrap().file;
    assert_eq!(back, file);
    // A session on a scenario with a description and no title keeps the description.
    fs::write(
        &f,
        "version: 1\ndescription: what to look at\ninput:\n  text: hello world\n",
    )
    .unwrap();
    let mut s = qkv::session::Session::open(&f).unwrap();
    let (saved, _) = s.to_file();
    assert_eq!(saved.description(), "what to look at");
    s.apply_line("scale off").unwrap();
    s.apply_line(&format!("save! {}", f.display())).unwrap();
    assert!(
        fs::read_to_string(&f).unwrap().contains("what to look at"),
        "{}",
        fs::read_to_string(&f).unwrap()
    );
}

#[test]
fn a_saved_expectation_of_a_large_value_passes() {
    // 123456792 is an f32; its shortest form, 123456790, is 2 away as an f64.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.yaml");
    fs::write(
        &f,
        "version: 1\nkind: attention\nscale: false\nq: [[123456792]]\nk: [[1]]\nv: [[1]]\nexpect:\n  scores: [[123456790]]\n  tolerance: 1e-6\n",
    )
    .unwrap();
    let o = qkv(&["check", f.to_str().unwrap()], 20);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
}

// ----- 5. terminal safety ------------------------------------------------------------------

#[test]
fn control_characters_from_a_file_are_never_printed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("esc.yaml");
    fs::write(
        &f,
        "version: 1\ntitle: \"evil\\e]0;pwned\\a\\e[2J\"\ninput:\n  text: hello world\nsteps:\n  - show: embed.sum\n    note: \"look \\e[31mred\"\n",
    )
    .unwrap();
    let p = f.to_str().unwrap();
    let bad = "version: 1\ninput:\n  text: hello\nembeddings:\n  \"\\e]0;x\\a\": [1]\n";
    let g = dir.path().join("bad.yaml");
    fs::write(&g, bad).unwrap();
    let runs: Vec<Output> = vec![
        qkv(&["run", p], 20),
        qkv(&["replay", p], 20),
        qkv(&["check", p], 20),
        qkv(&["check", g.to_str().unwrap()], 20),
        qkv(&["run", g.to_str().unwrap()], 20),
        qkv_in(None, &["repl", p], b"replay\nnext\n", 20),
    ];
    for o in &runs {
        for stream in [&o.stdout, &o.stderr] {
            assert!(
                !stream.iter().any(|b| *b == 0x1b || *b == 0x07),
                "raw control characters in {}",
                text(stream)
            );
        }
    }
    assert!(text(&runs[0].stdout).contains("evil\\x1b]0;pwned\\x07"));
    assert!(
        text(&runs[3].stderr).contains("\\x1b]0;x"),
        "{}",
        text(&runs[3].stderr)
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bom.yaml");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(shipped().as_bytes());
    fs::write(&f, bytes).unwrap();
    let o = qkv(&["check", f.to_str().unwrap()], 20);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

// ----- 6. interrupts -----------------------------------------------------------------------

#[test]
fn a_non_utf8_line_fails_that_line_only() {
    let o = qkv_in(
        None,
        &["repl", "--keep-going"],
        b"text a b\n\xff\xfe bad\nshow embed.sum[0]\n",
        20,
    );
    let err = text(&o.stderr);
    assert!(
        err.contains("line 2: error: the line is not UTF-8"),
        "{err}"
    );
    assert!(text(&o.stdout).contains("embed.sum"), "{}", text(&o.stdout));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn ctrl_c_cancels_a_long_rerun_and_keeps_the_session() {
    use expectrl::{ControlCode, Eof, Expect, Session};
    let dir = tempfile::tempdir().unwrap();
    // A model whose rerun takes seconds in a test build.
    let words = vec!["w"; 400].join(" ");
    fs::write(
        dir.path().join("big.yaml"),
        format!(
            "version: 1\nmodel: {{preset: base, arch: encoder, max_tokens: 512}}\ninput:\n  text: {words}\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::new(QKV);
    cmd.args(["repl", "big.yaml"])
        .current_dir(dir.path())
        .env("QKV_HISTORY", dir.path().join("history.txt"))
        .env("QKV_LANG", "en")
        .env("TERM", "xterm");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_mins(1)));
    p.expect("qkv> ").unwrap();
    p.send("set model.layers 12\r").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("cancelled").unwrap();
    p.expect("qkv> ").unwrap();
    // The session is as it was: still 6 layers, nothing to save.
    p.send("show enc.11.attn.q\r").unwrap();
    p.expect("unknown trace step").unwrap();
    // Ctrl-D at the prompt (sent before rustyline reads, the terminal would take it as the
    // end of a cooked line and nobody would see it).
    p.expect("qkv> ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(Eof).unwrap();
}
