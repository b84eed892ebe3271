//! The real `qkv` binary in a real terminal: a pseudo-terminal of 120×40 (expectrl), whose
//! output a terminal emulator (vt100) turns back into a screen. The test types like a user
//! and waits until the screen shows what it expects. It checks the workbench draws, takes
//! Korean input, walks, toggles, resizes, saves a scenario that loads and passes
//! `qkv check`, and gives the terminal back (alternate screen left, cursor shown, mouse
//! capture and raw mode off) when it quits and when it panics.
//!
//! Needs nothing but `sh` and `stty`: qkv runs under `sh -c`, which waits until the test
//! has set the terminal to 120×40 (so the first frame is drawn at that size), sets sane
//! terminal modes, and after qkv exits prints `EXIT=<status>` and writes `stty -a` to a file
//! (the terminal modes qkv left behind).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use expectrl::session::OsSession;
use vt100::{MouseProtocolEncoding, MouseProtocolMode};

use crate::util::QKV;
/// How long one wait may take: generous, so that a machine busy compiling does not fail it.
const TIMEOUT: Duration = Duration::from_mins(1);
const COLS: u16 = 120;
const ROWS: u16 = 40;

/// `qkv` in a pseudo-terminal, and an emulator fed with everything it writes.
struct Term {
    pty: OsSession,
    screen: vt100::Parser,
    output: Receiver<Vec<u8>>,
    dir: PathBuf,
}

impl Term {
    /// Starts `qkv args` in `dir` with the environment variables `env`, at 120×40.
    fn start(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Term {
        // `$0` is qkv, `$@` its arguments. The shell reads one line first: the test sends it
        // once the terminal has its size (the pty crate sets 80×24 after the shell started).
        let script = "read -r _ && stty sane && \"$0\" \"$@\"; echo \"EXIT=$?\"; \
                      stty -a > stty.txt; echo STTY-DONE";
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg(QKV)
            .args(args)
            .current_dir(dir)
            .env("TERM", "xterm-256color")
            // English whatever the machine's locale; a test may set QKV_LANG itself.
            .env("QKV_LANG", "en");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut pty = OsSession::spawn(cmd).expect("a pseudo-terminal");
        pty.get_process_mut()
            .set_window_size(COLS, ROWS)
            .expect("the terminal takes its size");
        // A reader thread hands every chunk the program writes to the test; it ends when the
        // terminal closes (the read fails once the program and the shell have exited) or
        // when the test drops the receiver.
        let mut master = pty
            .get_process()
            .get_raw_handle()
            .expect("the pseudo-terminal's file");
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut t = Term {
            pty,
            screen: vt100::Parser::new(ROWS, COLS, 0),
            output,
            dir: dir.to_path_buf(),
        };
        t.keys(&["\n"]);
        t
    }

    /// Bytes as the keyboard sends them, one write each (`\x1b` Esc, `\r` Enter, `\x15` C-u).
    fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            self.pty
                .write_all(k.as_bytes())
                .expect("the terminal takes keys");
            self.pty.flush().expect("the terminal takes keys");
        }
    }

    /// Text typed as is.
    fn type_text(&mut self, text: &str) {
        self.keys(&[text]);
    }

    /// The screen as text: one line per row, trailing blanks left out.
    fn text(&self) -> String {
        self.screen
            .screen()
            .rows(0, self.screen.screen().size().1)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Feeds what the program has written so far to the emulator, waiting at most until
    /// `deadline` for the first chunk. False when the terminal has closed.
    fn pump(&mut self, deadline: Instant) -> bool {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.output.recv_timeout(wait) {
            Ok(bytes) => {
                self.screen.process(&bytes);
                while let Ok(more) = self.output.try_recv() {
                    self.screen.process(&more);
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }

    /// Waits until the screen satisfies `ok`, reading the program's output as it comes;
    /// panics with the screen after [`TIMEOUT`] or when the terminal closes first.
    fn wait_for(&mut self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_until(what, |t| ok(&t.text()));
        self.text()
    }

    /// Waits until `ok` holds of the terminal (its screen or its modes).
    fn wait_until(&mut self, what: &str, ok: impl Fn(&Term) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if ok(self) {
                return;
            }
            let open = self.pump(deadline);
            if ok(self) {
                return;
            }
            assert!(
                open && Instant::now() < deadline,
                "{} waiting for {what}; the screen:\n{}",
                if open {
                    "timed out"
                } else {
                    "the terminal closed"
                },
                self.text()
            );
        }
    }

    /// Resizes the pseudo-terminal (qkv gets SIGWINCH) and the emulator with it.
    fn resize(&mut self, cols: u16, rows: u16) {
        self.screen.screen_mut().set_size(rows, cols);
        self.pty
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("the terminal resizes");
    }

    fn mouse_capture_on(&self) -> bool {
        let s = self.screen.screen();
        s.mouse_protocol_mode() == MouseProtocolMode::AnyMotion
            && s.mouse_protocol_encoding() == MouseProtocolEncoding::Sgr
    }

    /// Waits until the terminal is back to the shell: main screen, cursor shown, mouse
    /// capture off, and `stty` reports canonical mode, echo and signals (raw mode off).
    fn assert_terminal_restored(&mut self) {
        self.wait_until("the main screen", |t| !t.screen.screen().alternate_screen());
        self.wait_for("stty", |s| s.lines().any(|l| l.trim() == "STTY-DONE"));
        let screen = self.screen.screen();
        assert!(!screen.hide_cursor(), "the cursor is hidden");
        assert_eq!(
            (
                screen.mouse_protocol_mode(),
                screen.mouse_protocol_encoding()
            ),
            (MouseProtocolMode::None, MouseProtocolEncoding::Default),
            "mouse capture is still on"
        );
        let stty = std::fs::read_to_string(self.dir.join("stty.txt")).unwrap();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig"] {
            assert!(
                flags.contains(&flag),
                "raw mode still on: no {flag} in\n{stty}"
            );
        }
    }
}

const ESC: &str = "\x1b";
const ENTER: &str = "\r";
const CTRL_U: &str = "\x15";

fn step_title(screen: &str, name: &str) -> bool {
    screen.contains(&format!("┌ {name}"))
}

#[test]
fn a_study_session_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::start(dir.path(), &[], &[]);
    // The scenario opens with its title and description; Esc closes them.
    t.wait_for("the scenario's description", |s| {
        s.contains("The paper's encoder-decoder on the article's translation example")
            && s.contains("Esc closes")
    });
    t.keys(&[ESC]);
    let s = t.wait_for("the opening screen", |s| {
        s.contains("why this number")
            && s.contains("source ▸ 나는 학교에 간다")
            && step_title(s, "enc.0.attn.weights[0] · softmax")
    });
    // qkv saw 120×40: its frame spans every column and reaches the last row.
    assert_eq!(s.lines().map(qkv::render::width).max(), Some(120), "{s}");
    assert!(
        s.lines().nth(39).is_some_and(|l| !l.trim().is_empty()),
        "{s}"
    );
    assert!(
        t.screen.screen().alternate_screen(),
        "on the alternate screen"
    );
    assert!(t.mouse_capture_on(), "mouse capture on");

    // Type a Korean sentence.
    t.keys(&["i", CTRL_U]);
    t.type_text("고양이가 매트 위에 앉았다");
    t.wait_for("the typed sentence", |s| {
        s.contains("source ▸ 고양이가 매트 위에 앉았다")
    });
    t.keys(&[ENTER]);
    t.wait_for("the rerun", |s| {
        // None of its words is in the corpus: the status line is the one warning.
        s.contains("(4 tokens)") && s.contains("warning: 4 of 4 words were never seen as input")
    });

    // Walk the pipeline with n.
    t.keys(&["n", "n", "n"]);
    t.wait_for("three steps on", |s| {
        step_title(s, "enc.0.attn.out") && s.contains("step 13/100")
    });

    // Toggle scaling.
    t.keys(&["s"]);
    t.wait_for("the scale rerun", |s| s.contains("scale off:"));

    // Resize below the minimum and back.
    t.resize(50, 15);
    t.wait_for("the too-small message", |s| s.contains("too small"));
    t.resize(COLS, ROWS);
    t.wait_for("the layout again", |s| s.contains("why this number"));

    // Save.
    t.keys(&["w", CTRL_U]);
    t.type_text("mine.yaml");
    t.keys(&[ENTER]);
    t.wait_for("the save", |s| s.contains("saved mine.yaml"));

    // Quit (saved: no question).
    t.keys(&["q"]);
    t.wait_for("the exit, back on the shell's screen", |s| {
        s.contains("EXIT=0") && !s.contains("why this number")
    });
    t.assert_terminal_restored();

    // The saved scenario loads and its checks pass.
    let saved: PathBuf = dir.path().join("mine.yaml");
    let o = Command::new(QKV).arg("check").arg(&saved).output().unwrap();
    assert!(
        o.status.success(),
        "qkv check {}: {}{}",
        saved.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let s = qkv::session::Session::open(&saved).unwrap();
    assert_eq!(s.input().unwrap().text, "고양이가 매트 위에 앉았다");
    assert!(!s.config().unwrap().scale);
}

#[test]
fn a_panic_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::start(dir.path(), &[(qkv::tui::PANIC_ENV, "1")], &["tui"]);
    t.wait_for("the exit and the panic message", |s| {
        s.contains("EXIT=101") && s.contains("panicking on purpose")
    });
    t.assert_terminal_restored();
}

#[test]
fn qkv_tui_opens_a_scenario_file_and_q_twice_leaves_unsaved_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/decoder-masking.yaml");
    let mut t = Term::start(dir.path(), &[], &["tui", scenario.to_str().unwrap()]);
    t.wait_for("the scenario and its description", |s| {
        s.contains("decoder-masking.yaml") && s.contains("The decoder's −∞ mask (GPT-style)")
    });
    // m closes the description and switches the decoder's causal mask off.
    t.keys(&["m"]);
    t.wait_for("the rerun", |s| {
        s.contains("· unsaved") && s.contains("mask none:") && s.contains("why this number")
    });
    t.keys(&["q"]);
    t.wait_for("the warning", |s| {
        s.contains("unsaved changes: w saves them")
    });
    t.keys(&["q"]);
    t.wait_for("the exit", |s| s.contains("EXIT=0"));
    t.assert_terminal_restored();
}

#[test]
fn without_a_terminal_qkv_says_what_to_use_instead() {
    for args in [&[][..], &["tui"][..]] {
        let o = Command::new(QKV)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("needs a terminal"), "{err}");
        assert!(err.contains("qkv run"), "{err}");
        assert!(err.contains("qkv repl"), "{err}");
        assert!(o.stdout.is_empty());
    }
}

/// The loss shown in the Learn view's first line (`loss 5.2160`).
fn learn_loss(screen: &str) -> Option<String> {
    let at = screen.find("· loss ")? + "· loss ".len();
    screen[at..].split_whitespace().next().map(str::to_string)
}

#[test]
fn watch_it_translate_and_watch_it_learn() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Term::start(dir.path(), &[], &[]);
    // The scenario's description opens first; Esc closes it.
    t.wait_for("the scenario's description", |s| s.contains("Esc closes"));
    t.keys(&[ESC]);
    t.wait_for("the opening screen", |s| s.contains("why this number"));
    // The default scenario is on the trained model, and says so.
    t.wait_for("the trained model", |s| {
        s.contains("trained (1000 updates) · ko-en.safetensors ┘")
    });
    // Decode the article's sentence one token at a time.
    t.keys(&["d"]);
    t.wait_for("the Decode view", |s| s.contains("qkv · Decode"));
    let mut seen = Vec::new();
    for want in ["I", "I go", "I go to", "I go to school"] {
        t.keys(&["n"]);
        let s = t.wait_for(want, |s| {
            s.lines().any(|l| {
                l.contains(&format!("output        ▸ {want} "))
                    || l.trim_end().ends_with(&format!("output        ▸ {want}"))
            })
        });
        seen.push(s);
    }
    assert!(
        seen[3].contains("▶school"),
        "the chosen bar is marked:\n{}",
        seen[3]
    );
    // Back to the workbench, then the Learn view on an untrained model.
    t.keys(&[ESC]);
    t.wait_for("the workbench", |s| s.contains("why this number"));
    t.keys(&["L"]);
    t.wait_for("the Learn view at step 0", |s| {
        s.contains("qkv · Learn") && s.contains("step 0 ·")
    });
    t.keys(&["."]);
    let one = t.wait_for("step 1", |s| s.contains("step 1 ·"));
    t.keys(&["."]);
    let two = t.wait_for("step 2", |s| s.contains("step 2 ·"));
    let (l1, l2) = (learn_loss(&one).unwrap(), learn_loss(&two).unwrap());
    assert_ne!(l1, l2, "the loss moves:\n{two}");
    // Space trains between frames; Esc pauses without leaving.
    t.keys(&[" "]);
    t.wait_for("training", |s| s.contains("▶ training"));
    t.keys(&[ESC]);
    t.wait_for("paused", |s| {
        s.contains("⏸ paused") && s.contains("qkv · Learn")
    });
    t.keys(&[ESC]);
    t.wait_for("the workbench", |s| s.contains("why this number"));
    t.keys(&[":"]);
    t.type_text("quit!");
    t.keys(&[ENTER]);
    t.wait_for("the exit", |s| s.contains("EXIT=0"));
    t.assert_terminal_restored();
}

#[test]
fn a_slow_rerun_shows_progress_and_esc_cancels_it_without_losing_the_session() {
    let dir = tempfile::tempdir().unwrap();
    // A small model whose every layer waits 250 ms (a debug build's test switch): the rerun
    // after `s` lasts 16 × 0.25 s, long past the 200 ms after which the progress box appears,
    // on any machine and under any load.
    let mut t = Term::start(
        dir.path(),
        &[("QKV_DEBUG_SLOW_LAYER_MS", "250")],
        &[
            "tui",
            "--preset",
            "small",
            "--layers",
            "8",
            "--text",
            "나는 학교에 간다",
        ],
    );
    t.wait_for("the opening screen", |s| {
        s.contains("why this number") && s.contains("(3 tokens)")
    });
    t.keys(&["s"]);
    t.wait_for("the progress box", |s| {
        s.contains("forward pass: layer") && s.contains("Esc or Ctrl-C cancels")
    });
    t.keys(&[ESC]);
    t.wait_for("the cancellation", |s| {
        s.contains("cancelled") && !s.contains("Esc or Ctrl-C cancels")
    });
    // Nothing changed: scaling is still on, so `s` switches it off now.
    t.keys(&["s"]);
    t.wait_for("the scale rerun", |s| {
        s.contains("scale off:") && !s.contains("Esc or Ctrl-C cancels")
    });
    t.keys(&["q"]);
    t.wait_for("the question about unsaved changes", |s| {
        s.contains("unsaved")
    });
    t.keys(&["q"]);
    t.wait_for("the exit", |s| s.contains("EXIT=0"));
    t.assert_terminal_restored();
}
