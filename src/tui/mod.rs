//! `qkv` on a terminal: a ratatui workbench in The Elm Architecture.
//!
//! - [`app::App`] is the model: the study [`Session`] and the view state around it.
//! - [`message::Message`] is what a key, click or resize means ([`message::from_event`]).
//! - [`update::update`] changes the app; study state only through
//!   [`Session::apply`](crate::session::Session::apply). Its keys' handlers (workbench,
//!   explorers, Learn and Decode views) live under it.
//! - [`view::render`] draws the app and never changes it; positions come from
//!   [`layout`], a pure function of the app and the terminal size that `update` also uses to
//!   map mouse clicks.
//! - The dependencies go one way: `update` → `app`, `layout`; `view` → `app`, `layout`;
//!   nothing depends on `update` but this module, whose [`update`] measures the scrollable
//!   texts with the view ([`view::measure`] → [`app::Extent`]) before each update.
//!
//! [`run_lang`] owns the terminal: raw mode, alternate screen, mouse capture and bracketed paste,
//! all undone on exit, on error and on panic.

pub mod app;
pub mod explore;
pub mod layout;
pub mod message;
pub mod tree;
pub mod update;
pub mod view;

use std::collections::VecDeque;
use std::io::{self, Write};

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::{DefaultTerminal, Terminal};

use crate::session::Session;
pub use app::App;
pub use message::Message;

/// Carries out one message: measures what the view would draw ([`view::measure`]), then
/// [`update::update`]. The update module itself depends on the app and the layout only.
pub fn update(app: &mut App, msg: Message) {
    app.extent = view::measure(app);
    update::update(app, msg);
}

impl App {
    /// The app on `session`, for a terminal of `size`, ready to draw.
    pub fn new(session: crate::session::Session, size: ratatui::layout::Size) -> App {
        let mut app = App::unsettled(session, size);
        app.extent = view::measure(&app);
        update::settle(&mut app);
        app
    }
}
pub use view::render;

/// When this environment variable is set, a debug build's [`run_lang`] panics after drawing the
/// first frame: the end-to-end tests use it to check that a panic gives the terminal back. A
/// release build does not read it.
pub const PANIC_ENV: &str = "QKV_DEBUG_PANIC";

/// Undoes what [`run_lang`] set up (mouse capture, paste, hidden cursor, raw mode, alternate
/// screen). Safe to call more than once.
pub fn restore_terminal() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        cursor::Show
    );
    ratatui::restore();
    let _ = out.flush();
}

/// Runs the workbench on `session` until the user quits, starting in the Learn view when
/// `learn`, speaking `lang`.
///
/// # Errors
/// A terminal that cannot be set up, read or drawn to; the terminal is restored first.
pub fn run_lang(session: Session, learn: bool, lang: crate::i18n::Lang) -> io::Result<()> {
    // ratatui's hook restores raw mode and the alternate screen; ours (run first) also gives
    // back the mouse and the cursor.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(e);
        }
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        hook(info);
    }));
    let result = execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste)
        .and_then(|()| event_loop(&mut terminal, session, learn, lang));
    restore_terminal();
    result
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    session: Session,
    learn: bool,
    lang: crate::i18n::Lang,
) -> io::Result<()> {
    let mut app = App::with_lang(session, terminal.size()?, lang);
    // A scenario opens with its title and description (Esc or any pane key closes them),
    // unless the Learn view was asked for.
    if learn {
        update(&mut app, Message::OpenLearn);
    } else if !app.session().description().is_empty() {
        update(&mut app, Message::About);
    }
    let panic_for_test = cfg!(debug_assertions) && std::env::var_os(PANIC_ENV).is_some();
    // Keys pressed while a slow command ran, handled after it.
    let mut pending: VecDeque<event::Event> = VecDeque::new();
    loop {
        let shown = draw(terminal, &app)?;
        assert!(
            !panic_for_test,
            "{PANIC_ENV} is set: panicking on purpose after the first frame"
        );
        if !app.running() {
            return Ok(());
        }
        // While training runs, input is polled without waiting and each frame makes one
        // chunk of updates; otherwise block for one event. Then take whatever else is
        // already queued before drawing again, so held-down keys on a big model do not
        // queue up frames.
        if pending.is_empty() && app.is_training() && !event::poll(Duration::ZERO)? {
            update(&mut app, Message::Tick);
            continue;
        }
        let first = match pending.pop_front() {
            Some(ev) => ev,
            None => event::read()?,
        };
        handle(terminal, &mut app, &first, &shown, &mut pending)?;
        while app.running() && (!pending.is_empty() || event::poll(Duration::ZERO)?) {
            let ev = match pending.pop_front() {
                Some(ev) => ev,
                None => event::read()?,
            };
            handle(terminal, &mut app, &ev, &shown, &mut pending)?;
        }
    }
}

/// How long a command runs before the progress box appears.
const BUSY_AFTER: Duration = Duration::from_millis(200);

/// Handles one event. The update runs on a worker thread while this one keeps reading the
/// keyboard: after [`BUSY_AFTER`] a progress box is drawn over `shown` (the frame on
/// screen), Esc or Ctrl-C asks the command to stop ([`crate::model::cancel`] for forward
/// passes and checkpoints, the session's flag for `train`), and other events wait in
/// `pending` for their turn.
fn handle(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    ev: &event::Event,
    shown: &Buffer,
    pending: &mut VecDeque<event::Event>,
) -> io::Result<()> {
    let Some(msg) = message::from_event(app, ev) else {
        return Ok(());
    };
    let control = app.session().control();
    let lang = app.lang();
    let started = Instant::now();
    let mut cancelling = false;
    std::thread::scope(|s| -> io::Result<()> {
        let worker = s.spawn(|| update(app, msg));
        let mut waited = Duration::ZERO;
        while !worker.is_finished() {
            // Short polls at first, so that a quick command costs no visible delay.
            let step = if waited < BUSY_AFTER {
                Duration::from_millis(2)
            } else {
                Duration::from_millis(50)
            };
            if event::poll(step)? {
                let ev = event::read()?;
                if is_cancel(&ev) {
                    control.request();
                    cancelling = true;
                } else if pending.len() < MAX_PENDING {
                    pending.push_back(ev);
                }
            }
            waited = started.elapsed();
            if waited >= BUSY_AFTER && !worker.is_finished() {
                let progress = control.progress();
                terminal
                    .draw(|f| view::busy::render(f, shown, progress, waited, cancelling, lang))?;
            }
        }
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
        Ok(())
    })?;
    // A request the command finished before seeing must not stop the next one.
    if cancelling {
        control.take();
    }
    Ok(())
}

/// Keys waiting behind a slow command beyond this many are dropped.
const MAX_PENDING: usize = 256;

/// Esc or Ctrl-C, pressed (not released).
fn is_cancel(ev: &event::Event) -> bool {
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    match ev {
        event::Event::Key(k) if k.kind != KeyEventKind::Release => {
            k.code == KeyCode::Esc
                || (k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL))
        }
        _ => false,
    }
}

/// Draws the app and returns a copy of the frame (the backdrop of the progress box).
fn draw<B: ratatui::backend::Backend>(terminal: &mut Terminal<B>, app: &App) -> io::Result<Buffer>
where
    io::Error: From<B::Error>,
{
    let done = terminal.draw(|f| render(app, f))?;
    Ok(done.buffer.clone())
}
