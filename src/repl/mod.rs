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
use crate::session::{Outcome, Session, SessionError};
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
    out.write_all(text.as_bytes())?;
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
    let title = if session.title().is_empty() {
        String::new()
    } else {
        format!(" on \"{}\"", session.title())
    };
    println!(
        "qkv repl{title}. `help` lists the commands; Tab completes; Ctrl-C clears the line, Ctrl-D leaves."
    );
    // Ctrl-C while a command runs (the line editor is not reading keys) stops a `train`
    // run between two updates; the session is kept.
    let cancel = session.cancel_flag();
    let _ = ctrlc::set_handler(move || cancel.store(true, std::sync::atomic::Ordering::SeqCst));
    loop {
        let prompt = match session.tour() {
            Some(t) => format!("tour {}/{}> ", t.pos + 1, t.steps.len()),
            None => "qkv> ".to_string(),
        };
        let line = match rl.readline(&prompt) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => match session.apply(Command::Quit { force: false }) {
                Ok(o) if o.quit => break,
                Ok(o) => {
                    print_outcome(&o.text)?;
                    continue;
                }
                Err(e) => {
                    eprintln!("error: {e}");
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
        session
            .cancel_flag()
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let result = line_command(&session, &line).and_then(|c| match c {
            Some(Command::Learn(LearnCommand::Train(n))) if n > PROGRESS_CHUNK => {
                train_with_progress(&mut session, n)
            }
            Some(c) => session.apply(c),
            None => Ok(Default::default()),
        });
        match result {
            Ok(o) => {
                print_outcome(&o.text)?;
                if o.quit {
                    break;
                }
            }
            Err(e) => eprintln!("error: {e}"),
        }
        if let Some(h) = rl.helper_mut() {
            h.words = Words::of(&session);
        }
    }
    Ok(0)
}

/// Updates between two progress lines of a long `train`.
pub const PROGRESS_CHUNK: usize = 10;

/// `train n` in chunks, with a progress line (step, loss, rate) on stderr after each; Ctrl-C
/// stops it between two updates and keeps the session.
fn train_with_progress(session: &mut Session, n: usize) -> Result<Outcome, SessionError> {
    let start = session.training().map_or(0, |t| t.steps_done());
    let mut last = Outcome::default();
    let mut done = 0;
    while done < n {
        let k = (n - done).min(PROGRESS_CHUNK);
        last = session.apply(Command::Learn(LearnCommand::Train(k)))?;
        let now = session.training().map_or(0, |t| t.steps_done());
        let stopped = now - start < done + k;
        done = now - start;
        eprint!("\r{done}/{n} updates · {}   ", last.status);
        let _ = io::stderr().flush();
        if stopped {
            break;
        }
    }
    eprintln!();
    let summary = match session.training().and_then(|t| t.losses().last().copied()) {
        Some((step, loss)) => format!(
            "trained {done} of {n} updates{}: step {step}, loss {}\n",
            if done < n { " (stopped by Ctrl-C)" } else { "" },
            crate::render::fmt_value(loss as f32, session.precision())
        ),
        None => last.text.clone(),
    };
    Ok(Outcome {
        status: summary.trim_end().to_string(),
        text: summary,
        ..Outcome::default()
    })
}

/// Runs commands from `input` (a file or a pipe): no prompt, no line editing. Stops at the
/// first failed command unless `keep_going`; returns 1 when any command failed.
pub fn script(mut session: Session, input: impl BufRead, opts: &Options) -> anyhow::Result<i32> {
    let mut failed = false;
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if opts.echo && !line.trim().is_empty() {
            print_outcome(&format!("> {line}"))?;
        }
        let cmd = match line_command(&session, &line) {
            Ok(Some(Command::Quit { .. })) => break,
            Ok(c) => c,
            Err(e) => {
                failed = true;
                eprintln!("line {}: error: {e}", n + 1);
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
                eprintln!("line {}: error: {e}", n + 1);
                if !opts.keep_going {
                    break;
                }
            }
        }
    }
    Ok(i32::from(failed))
}
