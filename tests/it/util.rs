//! Helpers shared by the test modules: running the `qkv` binary, the shipped scenarios, a
//! session and a model run, and the workbench drawn on ratatui's `TestBackend`.
//!
//! Snapshot assertions stay in their modules: insta names a snapshot after the module that
//! calls `assert_snapshot!` (`it__<module>__<name>.snap`).

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use qkv::model::config::Preset;
use qkv::model::{Arch, Config, Transformer, prepare};
use qkv::scenario::schema::ScenarioFile;
use qkv::scenario::{Runnable, check};
use qkv::session::Session;
use qkv::trace::Trace;
use qkv::tui::message::{Edit, Message, from_event};
use qkv::tui::view::buffer_text;
use qkv::tui::{App, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Size;

/// True when `s` has a Hangul syllable (a Korean text).
pub fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('가'..='힣').contains(&c))
}

/// The numbers of a text (runs of digits, with a decimal point), sorted.
pub fn numbers(s: &str) -> Vec<String> {
    let mut out: Vec<String> = s
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|x| x.trim_matches('.'))
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

// ----- the qkv binary ------------------------------------------------------------------------

/// Model flags of a model `qkv train` trains in a moment: d_model 8, 2 heads, d_ff 16, one
/// layer per stack.
pub const TINY_MODEL: &[&str] = &[
    "--d-model",
    "8",
    "--heads",
    "2",
    "--d-ff",
    "16",
    "--layers",
    "1",
];

/// Makes a FIFO (named pipe) at `path`, for the tests that a writer or reader refuses one.
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Words the property tests build sentences from: Korean and English, and 바나나, which
/// the trained model does not know.
pub const WORDS: &[&str] = &["나는", "학교에", "간다", "the", "cat", "sat", "바나나", "a"];

/// Sentences of `len` words drawn from `words`, for property tests.
pub fn sentences(
    words: &'static [&'static str],
    len: std::ops::Range<usize>,
) -> impl proptest::strategy::Strategy<Value = Vec<String>> {
    use proptest::prelude::*;
    prop::collection::vec(prop::sample::select(words), len)
        .prop_map(|v| v.into_iter().map(String::from).collect())
}

/// The `qkv` binary cargo built for these tests.
pub const QKV: &str = env!("CARGO_BIN_EXE_qkv");

/// One run of the `qkv` binary: its arguments, and optionally a working directory,
/// environment variables, text on stdin and a time limit. Without a directory it runs in the
/// package root (where `scenarios/` is), as every test does.
pub struct Qkv {
    cmd: Command,
    stdin: Vec<u8>,
    limit: Option<Duration>,
}

impl Qkv {
    pub fn new(args: &[&str]) -> Qkv {
        let mut cmd = Command::new(QKV);
        // English whatever the machine's locale (a `ko_KR` LANG would switch qkv to Korean);
        // a test that wants another language sets QKV_LANG itself.
        cmd.args(args).env("QKV_LANG", "en");
        Qkv {
            cmd,
            stdin: Vec::new(),
            limit: None,
        }
    }

    pub fn dir(mut self, dir: &Path) -> Qkv {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Qkv {
        self.cmd.env(key, value);
        self
    }

    /// Bytes written to qkv's stdin (then closed); without them stdin is empty.
    pub fn stdin(mut self, input: &[u8]) -> Qkv {
        self.stdin = input.to_vec();
        self
    }

    /// A run still going after `secs` seconds is killed and fails the test (a hang).
    pub fn within(mut self, secs: u64) -> Qkv {
        self.limit = Some(Duration::from_secs(secs));
        self
    }

    /// Runs qkv to its end and returns its status, stdout and stderr.
    pub fn output(mut self) -> Output {
        let mut child = self
            .cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the qkv binary runs");
        // Written from a thread, so that a large input and a large output cannot block each
        // other; a qkv that stops reading early only ends the writer.
        let mut input = child.stdin.take().unwrap();
        let data = std::mem::take(&mut self.stdin);
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        if let Some(limit) = self.limit {
            let start = Instant::now();
            while child.try_wait().unwrap().is_none() {
                if start.elapsed() > limit {
                    let _ = child.kill();
                    let out = child.wait_with_output().unwrap();
                    panic!(
                        "qkv {:?} still running after {} s; stderr: {}",
                        self.cmd.get_args().collect::<Vec<_>>(),
                        limit.as_secs(),
                        text(&out.stderr)
                    );
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let out = child.wait_with_output().unwrap();
        let _ = writer.join();
        out
    }
}

/// `qkv args` in the package root, with empty stdin.
pub fn qkv(args: &[&str]) -> Output {
    Qkv::new(args).output()
}

/// Bytes as text (invalid UTF-8 replaced).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

// ----- scenarios, sessions and model runs ----------------------------------------------------

/// The `.yaml` files of `dir`, sorted by name.
pub fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

/// The shipped scenarios qkv can open here: `scenarios/*.yaml` but those on a Hugging Face
/// model that is not downloaded (`model.hf`: `scenarios/opus-mt-ko-en.yaml`), which load as
/// [`qkv::scenario::io::LoadError::NoHfModel`] and are tested as such in `hf.rs`.
pub fn shipped_yaml() -> Vec<PathBuf> {
    yaml_files("scenarios")
        .into_iter()
        .filter(|p| {
            !matches!(
                qkv::scenario::io::load(p),
                Err(qkv::scenario::io::LoadError::NoHfModel { .. })
            )
        })
        .collect()
}

/// A session on the shipped scenario `scenarios/<name>`.
pub fn shipped(name: &str) -> Session {
    let path = Path::new("scenarios").join(name);
    Session::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The check report of a loaded scenario file against its trace.
pub fn report(file: &ScenarioFile, r: &Runnable) -> check::CheckReport {
    match file {
        ScenarioFile::Model(s) => check::check_model(r.trace(), s),
        ScenarioFile::Attention(a) => check::check_attention(r.trace(), a),
    }
}

/// The built-in scenario on untrained weights (the default sentence).
pub fn session() -> Session {
    Session::untrained_scenario().unwrap()
}

/// The text of what `line` (in the REPL's language) does to the session; an error fails
/// the test, naming the line.
pub fn say(s: &mut Session, line: &str) -> String {
    match s.apply_line(line) {
        Ok(o) => o.text,
        Err(e) => panic!("{line}: {e}"),
    }
}

/// The tiny preset as `arch`.
pub fn tiny(arch: Arch) -> Config {
    let mut c = Config::preset(Preset::Tiny);
    c.arch = arch;
    c
}

/// The trace of a fresh model of `config` on `text` (and `target`).
pub fn forward(config: Config, text: &str, target: Option<&str>) -> Trace {
    let (valid, input) = prepare(config, text, target).unwrap();
    Transformer::new(valid)
        .forward(&input, qkv::model::Pass::default())
        .unwrap()
}

// ----- the workbench without a terminal -------------------------------------------------------

/// The two screen sizes the TUI snapshots are taken at.
pub const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

/// The workbench on the built-in scenario's untrained weights, `w` × `h`.
pub fn untrained(w: u16, h: u16) -> App {
    App::new(session(), Size::new(w, h))
}

/// The workbench on the default scenario: the article's sentence on the shipped trained
/// model, `w` × `h`.
pub fn trained(w: u16, h: u16) -> App {
    App::new(Session::default_scenario().unwrap(), Size::new(w, h))
}

pub fn send(app: &mut App, msgs: &[Message]) {
    for m in msgs {
        update(app, m.clone());
    }
}

/// The messages of typing `text` into the line being edited, one per character.
pub fn typing(text: &str) -> Vec<Message> {
    text.chars()
        .map(|c| Message::Edit(Edit::Insert(c.to_string())))
        .collect()
}

/// Types `text` into the line being edited.
pub fn typed(app: &mut App, text: &str) {
    send(app, &typing(text));
}

/// The message a key without modifiers means in the app's present mode.
pub fn key(app: &App, c: KeyCode) -> Option<Message> {
    from_event(app, &Event::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

/// The app drawn on a `TestBackend` of its size.
pub fn draw(app: &App) -> Terminal<TestBackend> {
    let s = app.size();
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    t.draw(|f| render(app, f)).unwrap();
    t
}

pub fn buffer(app: &App) -> Buffer {
    draw(app).backend().buffer().clone()
}

/// The app drawn, as text: one line per row.
pub fn screen(app: &App) -> String {
    buffer_text(&buffer(app))
}

/// A line typed at the `:` prompt and submitted.
pub fn prompt(line: &str) -> Vec<Message> {
    let mut v = vec![Message::OpenPrompt];
    v.extend(typing(line));
    v.push(Message::Submit);
    v
}

/// Every row of the screen is exactly as wide as the terminal, every box's right border
/// is where it belongs: wide characters (한글) never push a border out or overwrite it.
pub fn assert_borders_hold(app: &App) {
    let buf = buffer(app);
    let text = buffer_text(&buf);
    let w = usize::from(app.size().width);
    for (y, line) in text.lines().enumerate() {
        assert!(
            qkv::render::width(line) <= w,
            "row {y} is {} columns wide:\n{text}",
            qkv::render::width(line)
        );
    }
    // Each box's corners: every ┌ has its ┐ on the same row at the box's width, and the
    // vertical borders under them are intact down to └ ┘ (overlays cover boxes on purpose).
    if *app.mode() != qkv::tui::app::Mode::Normal {
        return;
    }
    let cell = |x: u16, y: u16| buf[(x, y)].symbol().to_string();
    for y in 0..app.size().height {
        for x in 0..app.size().width {
            if cell(x, y) != "┌" {
                continue;
            }
            let Some(x2) = (x + 1..app.size().width).find(|&x2| cell(x2, y) == "┐") else {
                panic!("a box at ({x}, {y}) has no top-right corner:\n{text}");
            };
            let mut y2 = y + 1;
            while y2 < app.size().height && cell(x, y2) == "│" {
                assert_eq!(
                    cell(x2, y2),
                    "│",
                    "the right border of the box at ({x}, {y}) is broken on row {y2}:\n{text}"
                );
                y2 += 1;
            }
        }
    }
}
