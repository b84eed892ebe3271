//! `qkv repl`: a rustyline study shell over [`Session`]. Interactive on a terminal (line
//! editing, Tab completion, hints, history in the user's data directory); a plain command
//! reader when stdin is a file or a pipe.

pub mod complete;

use std::borrow::Cow;
use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use crate::command::{Command, LearnCommand};
use crate::i18n::prompts::{Prompt, Working};
use crate::i18n::training::TrainMsg;
use crate::session::{Outcome, Session, SessionError, TrainedHere};
use complete::{Slot, Words};

/// How the REPL runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Print each command before its output (non-interactive mode).
    pub echo: bool,
    /// Go on after a failed command (non-interactive mode).
    pub keep_going: bool,
}

/// Tab completion, hints and their colouring.
pub struct QkvHelper {
    words: Words,
    files: FilenameCompleter,
}

impl QkvHelper {
    fn new(session: &Session) -> QkvHelper {
        QkvHelper {
            words: Words::of(session),
            files: FilenameCompleter::new(),
        }
    }
}

impl Completer for QkvHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match complete::complete(line, pos, &self.words) {
            Slot::Path(_) => self.files.complete(line, pos, ctx),
            Slot::Words(start, words) => Ok((
                start,
                words
                    .into_iter()
                    .map(|w| Pair {
                        display: w.clone(),
                        replacement: w,
                    })
                    .collect(),
            )),
        }
    }
}

impl Hinter for QkvHelper {
    type Hint = String;
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        complete::hint(line, pos)
    }
}

impl Highlighter for QkvHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        match complete::highlight(line) {
            Some(h) => Cow::Owned(h),
            None => Cow::Borrowed(line),
        }
    }
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }
    fn highlight_char(&self, line: &str, _pos: usize, _kind: CmdKind) -> bool {
        // Redraw while the command word is being typed or has just been completed.
        !line.trim().is_empty()
    }
}

impl Validator for QkvHelper {}
impl Helper for QkvHelper {}

/// Where the history is kept: `$QKV_HISTORY`, else `<data dir>/qkv/history.txt`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("QKV_HISTORY") {
        return Some(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("qkv").join("history.txt"))
}

fn print_outcome(text: &str) -> io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    out.write_all(crate::util::escape_controls(text).as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The command an input line stands for: an empty line during a tour is `next`.
fn line_command(session: &Session, line: &str) -> Result<Option<Command>, SessionError> {
    if line.trim().is_empty() && session.tour().is_some() {
        return Ok(Some(Command::Next));
    }
    Ok(crate::command::parse(line)?)
}

/// Ctrl-C while a command runs. The terminal normally turns Ctrl-C into SIGINT, which
/// would end the process and lose unsaved work; while a command runs the terminal is in raw
/// mode instead, and a thread that reads the keys asks the forward pass to stop
/// through the session's [`crate::model::Control`]. The command then fails with "cancelled" and the session is
/// as it was. Other keys typed meanwhile are dropped. Dropping the guard stops the thread
/// and restores the terminal.
struct CtrlC {
    control: std::sync::Arc<crate::model::Control>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CtrlC {
    fn watch(lang: crate::i18n::Lang, control: std::sync::Arc<crate::model::Control>) -> CtrlC {
        use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
        use std::sync::atomic::Ordering;
        control.take();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = crossterm::terminal::enable_raw_mode().ok().map(|()| {
            let stop = std::sync::Arc::clone(&stop);
            let control = std::sync::Arc::clone(&control);
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    // After 200 ms, one line on stderr says how far the command got.
                    let waited = started.elapsed();
                    if waited >= std::time::Duration::from_millis(200) {
                        let working = Working {
                            progress: crate::i18n::ui::Msg::Progress(control.progress()).text(lang),
                            seconds: format!("{:.1}", waited.as_secs_f64()),
                        };
                        let mut err = std::io::stderr();
                        let _ = write!(err, "\r\x1b[2K{}", working.text(lang));
                        let _ = err.flush();
                        shown = true;
                    }
                    if !matches!(event::poll(std::time::Duration::from_millis(20)), Ok(true)) {
                        continue;
                    }
                    if let Ok(Event::Key(k)) = event::read()
                        && k.kind != KeyEventKind::Release
                        && k.code == KeyCode::Char('c')
                        && k.modifiers.contains(KeyModifiers::CONTROL)
                    {
                        control.request();
                    }
                }
                if shown {
                    let mut err = std::io::stderr();
                    let _ = write!(err, "\r\x1b[2K");
                    let _ = err.flush();
                }
            })
        });
        CtrlC {
            control,
            stop,
            thread,
        }
    }
}

impl Drop for CtrlC {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            let _ = crossterm::terminal::disable_raw_mode();
        }
        self.control.take();
    }
}

/// What can go wrong with a line: the session's error or a line that cannot be read.
trait LineError {
    fn text_in(&self, lang: crate::i18n::Lang) -> String;
}

impl LineError for SessionError {
    fn text_in(&self, lang: crate::i18n::Lang) -> String {
        SessionError::text_in(self, lang)
    }
}

impl LineError for String {
    fn text_in(&self, _: crate::i18n::Lang) -> String {
        self.clone()
    }
}

/// Prints a failed command on stderr in the session's language (`line` for a script).
fn say_error(session: &Session, line: Option<usize>, e: &dyn LineError) {
    let lang = session.lang();
    let msg = crate::util::escape_controls(&e.text_in(lang)).to_string();
    eprintln!("{}", crate::i18n::command::error_line(lang, line, &msg));
}

/// The interactive shell's prompt in the session's language: `practice 1/3> ` while a
/// practice is open, `tour 2/5> ` while a tour is replayed, `qkv [trained here 30]> ` while
/// the session studies a training run's weights, else `qkv> `.
pub fn prompt(session: &Session) -> String {
    let p = match (session.practice(), session.tour()) {
        (Some(p), _) => Prompt::Practice {
            pos: p.pos + 1,
            n: p.items.len(),
        },
        (None, Some(t)) => Prompt::Tour {
            pos: t.pos + 1,
            n: t.steps.len(),
        },
        (None, None) => match session.trained_here() {
            Some(TrainedHere::Live(updates)) => Prompt::TrainedHere {
                updates,
                snapshot: None,
            },
            Some(TrainedHere::Snapshot { i, step }) => Prompt::TrainedHere {
                updates: step,
                snapshot: Some(i),
            },
            None => return "qkv> ".to_string(),
        },
    };
    p.text(session.lang())
}

/// Runs the interactive shell until `quit` or Ctrl-D. Returns the process exit status.
pub fn interactive(mut session: Session) -> anyhow::Result<i32> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .history_ignore_space(true)
        .auto_add_history(false)
        .max_history_size(5000)?
        .build();
    let mut rl: Editor<QkvHelper, DefaultHistory> = Editor::with_config(config)?;
    rl.set_helper(Some(QkvHelper::new(&session)));
    let history = history_path();
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = rl.load_history(h);
    }
    let title = crate::util::escape_controls(&session.title()).to_string();
    println!(
        "{}",
        crate::i18n::command::repl_banner(session.lang(), &title)
    );
    // Ctrl-C while a command runs (the line editor is not reading keys) stops a `train`
    // run between two updates; the session is kept.
    let control = session.control();
    let _ = ctrlc::set_handler(move || control.request());
    loop {
        let line = match rl.readline(&prompt(&session)) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => match session.apply(Command::Quit { force: false }) {
                Ok(o) if o.quit => break,
                Ok(o) => {
                    print_outcome(&o.text)?;
                    continue;
                }
                Err(e) => {
                    say_error(&session, None, &e);
                    break;
                }
            },
            Err(e) => return Err(e.into()),
        };
        if !line.trim().is_empty() {
            let _ = rl.add_history_entry(line.as_str());
            if let Some(h) = &history {
                let _ = rl.save_history(h);
            }
        }
        // A Ctrl-C pressed before this command does not stop it.
        session.control().take();
        let result = line_command(&session, &line).and_then(|c| match c {
            Some(Command::Learn(LearnCommand::Train(n))) if n > PROGRESS_CHUNK => {
                train_with_progress(&mut session, n)
            }
            Some(c) => {
                let _watch = CtrlC::watch(session.lang(), session.control());
                session.apply(c)
            }
            None => Ok(Default::default()),
        });
        match result {
            Ok(o) => {
                print_outcome(&o.text)?;
                if o.quit {
                    break;
                }
            }
            Err(e) => say_error(&session, None, &e),
        }
        if let Some(h) = rl.helper_mut() {
            h.words = Words::of(&session);
        }
    }
    Ok(0)
}

/// `qkv practice`: asks the scenario's practice questions (or a random cell of the first
/// step shown when it has none), grades each answer and prints the score when the last is
/// answered. Reads answers (or any command) from a terminal with line editing, or from
/// `input` when stdin is a pipe; the end of the input ends the practice cleanly with the
/// score so far. Returns the exit status (0; 2 when the practice cannot start).
pub fn practice(
    mut session: Session,
    terminal: bool,
    mut input: impl BufRead,
) -> anyhow::Result<i32> {
    match session.apply(Command::Practice(None)) {
        Ok(o) => print_outcome(&o.text)?,
        Err(e) => {
            say_error(&session, None, &e);
            return Ok(2);
        }
    }
    let mut rl = if terminal {
        Some(rustyline::DefaultEditor::new()?)
    } else {
        None
    };
    while let Some(run) = session.practice() {
        let prompt = Prompt::Answer {
            pos: run.pos + 1,
            n: run.items.len(),
        }
        .text(session.lang());
        let line = match &mut rl {
            Some(rl) => match rl.readline(&prompt) {
                Ok(l) => Some(l),
                Err(ReadlineError::Interrupted | ReadlineError::Eof) => None,
                Err(e) => return Err(e.into()),
            },
            None => match read_line(&mut input, crate::limits::MAX_LINE_BYTES)? {
                None => None,
                Some(Ok(l)) => Some(l),
                Some(Err(msg)) => {
                    say_error(&session, None, &msg);
                    continue;
                }
            },
        };
        let cmd = match line.as_deref().map(|l| line_command(&session, l)) {
            None | Some(Ok(Some(Command::Quit { .. }))) => Command::StopPractice,
            Some(Ok(Some(c))) => c,
            Some(Ok(None)) => continue,
            Some(Err(e)) => {
                say_error(&session, None, &e);
                continue;
            }
        };
        match session.apply(cmd) {
            Ok(o) => print_outcome(&o.text)?,
            Err(e) => say_error(&session, None, &e),
        }
    }
    Ok(0)
}

/// Updates between two progress lines of a long `train`.
pub const PROGRESS_CHUNK: usize = 10;

/// `train n` in chunks, with a progress line (step, loss, rate) on stderr after each; Ctrl-C
/// stops it between two updates and keeps the session.
fn train_with_progress(session: &mut Session, n: usize) -> Result<Outcome, SessionError> {
    let start = session
        .training()
        .map_or(0, qkv_core::session::Training::steps_done);
    let mut last = Outcome::default();
    let mut done = 0;
    // What a chunk says after its first line (that the session now studies the run's
    // weights), said once under the summary.
    let mut notes: Vec<String> = Vec::new();
    while done < n {
        let k = (n - done).min(PROGRESS_CHUNK);
        last = session.apply(Command::Learn(LearnCommand::Train(k)))?;
        for line in last.text.lines().skip(1) {
            if !notes.iter().any(|n| n == line) {
                notes.push(line.to_string());
            }
        }
        let now = session
            .training()
            .map_or(0, qkv_core::session::Training::steps_done);
        let stopped = now - start < done + k;
        done = now - start;
        // The run's step and loss so far (the chunk's own status would say "trained 10
        // updates", the chunk's count, beside the run's).
        if let Some((step, loss)) = session.training().and_then(|t| t.losses().last().copied()) {
            let progress = TrainMsg::TrainProgress {
                done,
                n,
                step,
                loss: crate::render::fmt_value(loss as f32, session.precision()),
            };
            eprint!("\r{}   ", progress.text(session.lang()));
        }
        let _ = io::stderr().flush();
        if stopped {
            break;
        }
    }
    eprintln!();
    let summary = match session.training().and_then(|t| t.losses().last().copied()) {
        Some((step, loss)) => format!(
            "{}\n",
            TrainMsg::TrainedOf {
                done,
                n,
                cancelled: done < n,
                step,
                loss: crate::render::fmt_value(loss as f32, session.precision()),
            }
            .text(session.lang())
        ),
        None => return Ok(last),
    };
    let status = summary.trim_end().to_string();
    let mut text = summary;
    for note in notes {
        text.push_str(&note);
        text.push('\n');
    }
    Ok(Outcome {
        status,
        text,
        ..Outcome::default()
    })
}

/// Runs commands from `input` (a file or a pipe): no prompt, no line editing. Stops at the
/// first failed command unless `keep_going`; returns 1 when any command failed.
pub fn script(
    mut session: Session,
    mut input: impl BufRead,
    opts: &Options,
) -> anyhow::Result<i32> {
    let mut failed = false;
    let mut n = 0;
    loop {
        n += 1;
        let line = match read_line(&mut input, crate::limits::MAX_LINE_BYTES)? {
            None => break,
            Some(Ok(l)) => l,
            Some(Err(msg)) => {
                // This line only: a bad line is one failed command.
                failed = true;
                say_error(&session, Some(n), &msg);
                if opts.keep_going {
                    continue;
                }
                break;
            }
        };
        if opts.echo && !line.trim().is_empty() {
            print_outcome(&format!("> {line}"))?;
        }
        let cmd = match line_command(&session, &line) {
            Ok(Some(Command::Quit { .. })) => break,
            Ok(c) => c,
            Err(e) => {
                failed = true;
                say_error(&session, Some(n), &e);
                if opts.keep_going {
                    continue;
                }
                break;
            }
        };
        let Some(cmd) = cmd else { continue };
        match session.apply(cmd) {
            Ok(o) => print_outcome(&o.text)?,
            Err(e) => {
                failed = true;
                say_error(&session, Some(n), &e);
                if !opts.keep_going {
                    break;
                }
            }
        }
    }
    Ok(i32::from(failed))
}

/// The next line of `input` without its line ending: `None` at the end, `Some(Err)` for a
/// line longer than `max` bytes (the rest of it is skipped without being kept) or not
/// UTF-8. Never holds more than `max` + 1 bytes of one line.
pub fn read_line(
    input: &mut impl BufRead,
    max: usize,
) -> io::Result<Option<Result<String, String>>> {
    let mut buf = Vec::new();
    let mut len = 0usize;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        len += part.len();
        if buf.len() <= max {
            let room = (max + 1).saturating_sub(buf.len());
            buf.extend_from_slice(&part[..part.len().min(room)]);
        }
        let used = done.unwrap_or(chunk.len());
        input.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if len > max {
        return Ok(Some(Err(format!(
            "the line has {len} bytes: a command may have at most {max}"
        ))));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8(buf).map_err(|e| {
        format!(
            "the line is not UTF-8 text (invalid byte at position {})",
            e.utf8_error().valid_up_to()
        )
    })))
}
