//! The real `qkv` binary in a real terminal: tmux gives it a pseudo-terminal of 120×40, the
//! test types like a user and reads the screen back with `capture-pane`. It checks the
//! workbench draws, takes Korean input, walks, toggles, resizes, saves a scenario that loads
//! and passes `qkv check`, and gives the terminal back (alternate screen left, cursor shown,
//! mouse capture and raw mode off) when it quits and when it panics.
//!
//! Needs `tmux` (the test fails, with a message, without it). Every tmux server here runs on
//! its own socket and is killed by the test that started it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_qkv");
const TIMEOUT: Duration = Duration::from_secs(30);

static SERVERS: AtomicUsize = AtomicUsize::new(0);

/// A tmux server with one 120×40 window running `sh` in `dir`.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path) -> Tmux {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "this test drives qkv in a pseudo-terminal with tmux, which is not installed \
             (apt-get install tmux)"
        );
        let socket = format!(
            "qkv-e2e-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::SeqCst)
        );
        let t = Tmux { socket };
        let o = t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "-s",
            "e2e",
            "-c",
            dir.to_str().unwrap(),
            "env PS1='$ ' sh",
        ]);
        assert!(
            o.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        t.wait_for("the shell prompt", |s| s.contains('$'));
        t
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("tmux runs")
    }

    /// Keys by tmux name (`Enter`, `C-u`, `n`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Text typed as is.
    fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// A tmux format of the pane, e.g. `#{alternate_on}`.
    fn pane(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", "e2e", format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Polls the screen until `ok` holds; panics with the screen after [`TIMEOUT`].
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {what}; the screen:\n{s}"
            );
            sleep(Duration::from_millis(40));
        }
    }

    /// Waits until the terminal is back to the shell: main screen, cursor shown, and `stty`
    /// reports canonical mode and echo (raw mode off).
    fn assert_terminal_restored(&self, dir: &Path) {
        let start = Instant::now();
        while self.pane("#{alternate_on}") != "0" {
            assert!(start.elapsed() < TIMEOUT, "still on the alternate screen");
            sleep(Duration::from_millis(40));
        }
        assert_eq!(self.pane("#{cursor_flag}"), "1", "the cursor is hidden");
        assert_eq!(
            self.pane("#{mouse_any_flag}#{mouse_button_flag}#{mouse_sgr_flag}"),
            "000",
            "mouse capture is still on"
        );
        let out = dir.join("stty.txt");
        self.type_text("stty -a > stty.txt; echo STTY-DONE");
        self.keys(&["Enter"]);
        self.wait_for("stty", |s| s.lines().any(|l| l.trim() == "STTY-DONE"));
        let stty = std::fs::read_to_string(&out).unwrap();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo", "isig"] {
            assert!(
                flags.contains(&flag),
                "raw mode still on: no {flag} in\n{stty}"
            );
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // kill-server leaves the socket file behind; remove it too.
        let socket = self.pane("#{socket_path}");
        let _ = self.run(&["kill-server"]);
        if !socket.is_empty() {
            let _ = std::fs::remove_file(socket);
        }
    }
}

fn launch(t: &Tmux, env: &str, args: &str) {
    t.type_text(&format!("{env}'{BIN}' {args}; echo \"EXIT=$?\""));
    t.keys(&["Enter"]);
}

fn step_title(screen: &str, name: &str) -> bool {
    screen.contains(&format!("┌ {name}"))
}

#[test]
fn a_study_session_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start(dir.path());
    launch(&t, "", "");
    // (Every check waits for the whole screen: a capture may fall between two writes of a
    // frame.) The scenario opens with its title and description; Esc closes them.
    t.wait_for("the scenario's description", |s| {
        s.contains("The paper's encoder-decoder on the article's translation example")
            && s.contains("Esc closes")
    });
    t.keys(&["Escape"]);
    t.wait_for("the opening screen", |s| {
        s.contains("why this number")
            && s.contains("source ▸ 나는 학교에 간다")
            && step_title(s, "enc.0.attn.weights[0] · softmax")
    });
    assert_eq!(t.pane("#{alternate_on}"), "1");
    assert_eq!(
        t.pane("#{mouse_any_flag}#{mouse_sgr_flag}"),
        "11",
        "mouse capture on"
    );

    // Type a Korean sentence.
    t.keys(&["i", "C-u"]);
    t.type_text("고양이가 매트 위에 앉았다");
    t.wait_for("the typed sentence", |s| {
        s.contains("source ▸ 고양이가 매트 위에 앉았다")
    });
    t.keys(&["Enter"]);
    t.wait_for("the rerun", |s| {
        s.contains("(4 tokens)") && s.contains("text 고양이가 매트 위에 앉았다:")
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
    t.run(&["resize-window", "-t", "e2e", "-x", "50", "-y", "15"]);
    t.wait_for("the too-small message", |s| s.contains("too small"));
    t.run(&["resize-window", "-t", "e2e", "-x", "120", "-y", "40"]);
    t.wait_for("the layout again", |s| s.contains("why this number"));

    // Save.
    t.keys(&["w", "C-u"]);
    t.type_text("mine.yaml");
    t.keys(&["Enter"]);
    t.wait_for("the save", |s| s.contains("saved mine.yaml"));

    // Quit (saved: no question).
    t.keys(&["q"]);
    t.wait_for("the exit, back on the shell's screen", |s| {
        s.contains("EXIT=0") && !s.contains("why this number")
    });
    t.assert_terminal_restored(dir.path());

    // The saved scenario loads and its checks pass.
    let saved: PathBuf = dir.path().join("mine.yaml");
    let o = Command::new(BIN).arg("check").arg(&saved).output().unwrap();
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
    let t = Tmux::start(dir.path());
    launch(&t, &format!("{}=1 ", qkv::tui::PANIC_ENV), "tui");
    t.wait_for("the exit and the panic message", |s| {
        s.contains("EXIT=101") && s.contains("panicking on purpose")
    });
    t.assert_terminal_restored(dir.path());
}

#[test]
fn qkv_tui_opens_a_scenario_file_and_q_twice_leaves_unsaved_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Tmux::start(dir.path());
    launch(
        &t,
        "",
        &format!(
            "tui '{}'",
            root.join("scenarios/decoder-masking.yaml").display()
        ),
    );
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
    t.assert_terminal_restored(dir.path());
}

#[test]
fn without_a_terminal_qkv_says_what_to_use_instead() {
    for args in [&[][..], &["tui"][..]] {
        let o = Command::new(BIN)
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
    let t = Tmux::start(dir.path());
    launch(&t, "", "");
    // The scenario's description opens first; Esc closes it.
    t.wait_for("the scenario's description", |s| s.contains("Esc closes"));
    t.keys(&["Escape"]);
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
    t.keys(&["Escape"]);
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
    t.keys(&["Space"]);
    t.wait_for("training", |s| s.contains("▶ training"));
    t.keys(&["Escape"]);
    t.wait_for("paused", |s| {
        s.contains("⏸ paused") && s.contains("qkv · Learn")
    });
    t.keys(&["Escape"]);
    t.wait_for("the workbench", |s| s.contains("why this number"));
    t.keys(&[":"]);
    t.type_text("quit!");
    t.keys(&["Enter"]);
    t.wait_for("the exit", |s| s.contains("EXIT=0"));
    t.assert_terminal_restored(dir.path());
}

#[test]
fn a_slow_rerun_shows_progress_and_esc_cancels_it_without_losing_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start(dir.path());
    // A small model whose every layer waits 250 ms (a debug build's test switch): the rerun
    // after `s` lasts 16 × 0.25 s, long past the 200 ms after which the progress box appears,
    // on any machine and under any load.
    launch(
        &t,
        "QKV_DEBUG_SLOW_LAYER_MS=250 ",
        "tui --preset small --layers 8 --text '나는 학교에 간다'",
    );
    t.wait_for("the opening screen", |s| {
        s.contains("why this number") && s.contains("(3 tokens)")
    });
    t.keys(&["s"]);
    t.wait_for("the progress box", |s| {
        s.contains("forward pass: layer") && s.contains("Esc or Ctrl-C cancels")
    });
    t.keys(&["Escape"]);
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
    t.assert_terminal_restored(dir.path());
}
