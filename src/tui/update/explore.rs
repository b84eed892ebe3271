//! What the explorer views' keys do. They read the session and change nothing in it, except
//! Enter in the heads grid, which moves the workbench to the head chosen (through
//! [`Session::apply`](crate::session::Session::apply)).

use crate::command::Command;
use crate::explore::{heads, pe, scaling};
use crate::i18n::explore::{Ex, head_reason, role_text};
use crate::i18n::lens::LensLine;
use crate::i18n::ui::Msg;
use crate::lens;
use crate::trace::Address;
use crate::tui::app::{App, Screen, StatusKind};
use crate::tui::explore::{PE_OFFSETS, PE_POSITIONS, grid};
use crate::tui::message::{Dir, Message};

use super::{run, say, tell};

/// Opens an explorer view.
pub fn open(app: &mut App, screen: Screen) {
    app.training = false;
    app.screen = screen;
    let text = match screen {
        Screen::Pe => {
            let d = app.session.explore_d_model();
            app.explore.pair = app.explore.pair.min(pe::pairs(d).saturating_sub(1));
            Ex::PeStatus.text(app.lang)
        }
        Screen::Scaling => {
            // Computed once per process (a moment in a debug build); the view only reads it.
            let _ = scaling::standard();
            Ex::ScalingStatus.text(app.lang)
        }
        Screen::Heads => {
            let n = heads::summarize(app.session.trace()).len();
            app.explore.head = app.explore.head.min(n.saturating_sub(1));
            Ex::HeadsStatus.text(app.lang)
        }
        Screen::Lens => {
            refresh_lens(app);
            let text = LensLine::Status.text(app.lang);
            say(app, StatusKind::Info, text);
            return;
        }
        _ => "",
    };
    say(app, StatusKind::Info, text);
}

/// Computes the logit lens of the session's trace when the one kept is of another trace
/// (or none); the position stays within the new sentence.
pub fn refresh_lens(app: &mut App) {
    let id = app.session.trace().id();
    if app.lens.as_ref().is_some_and(|(kept, _)| *kept == id) {
        return;
    }
    app.lens = lens::of_session(&app.session, LENS_TOP).map(|t| (id, std::sync::Arc::new(t)));
    let n = app.lens.as_ref().map_or(0, |(_, t)| t.positions.len());
    app.explore.lens_pos = app.explore.lens_pos.min(n.saturating_sub(1));
}

/// Candidates per layer and position in the lens view.
pub const LENS_TOP: usize = 5;

/// The messages of the explorer views; `true` when handled here.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per message of the explorers (positions, scaling, heads, lens)"
)]
pub fn handle(app: &mut App, msg: &Message) -> bool {
    match (app.screen, msg) {
        (_, Message::OpenPe) => open(app, Screen::Pe),
        (_, Message::OpenScaling) => open(app, Screen::Scaling),
        (_, Message::OpenHeads) => open(app, Screen::Heads),
        (_, Message::OpenLens) => open(app, Screen::Lens),
        (Screen::Lens, Message::Move(Dir::Left | Dir::Up)) => {
            app.explore.lens_pos = app.explore.lens_pos.saturating_sub(1);
        }
        (Screen::Lens, Message::Move(Dir::Right | Dir::Down)) => {
            let n = app.lens().map_or(0, |t| t.positions.len());
            app.explore.lens_pos = (app.explore.lens_pos + 1).min(n.saturating_sub(1));
        }
        (Screen::Pe, Message::NextHead) => {
            let pairs = pe::pairs(app.session.explore_d_model());
            app.explore.pair = (app.explore.pair + 1).min(pairs.saturating_sub(1));
        }
        (Screen::Pe, Message::PrevHead) => app.explore.pair = app.explore.pair.saturating_sub(1),
        (Screen::Pe, Message::Move(d)) => {
            let e = &mut app.explore;
            let max = PE_POSITIONS - 1;
            match d {
                Dir::Left => e.p = e.p.saturating_sub(1),
                Dir::Right => e.p = (e.p + 1).min(max),
                Dir::Down => e.k = e.k.saturating_sub(1),
                Dir::Up => e.k = (e.k + 1).min(PE_OFFSETS - 1),
            }
        }
        (Screen::Scaling, Message::Move(Dir::Left | Dir::Down)) => {
            app.explore.d_k = app.explore.d_k.saturating_sub(1);
        }
        (Screen::Scaling, Message::Move(Dir::Right | Dir::Up)) => {
            app.explore.d_k = (app.explore.d_k + 1).min(scaling::DIMS.len() - 1);
        }
        (Screen::Heads, Message::Move(d)) => {
            let list = heads::summarize(app.session.trace());
            let (blocks, per) = grid(&list);
            let Some(cur) = list.get(app.explore.head) else {
                return true;
            };
            let b = blocks.iter().position(|s| *s == cur.step).unwrap_or(0);
            let (nb, nh) = match d {
                Dir::Up => (b.saturating_sub(1), cur.head),
                Dir::Down => ((b + 1).min(blocks.len().saturating_sub(1)), cur.head),
                Dir::Left => (b, cur.head.saturating_sub(1)),
                Dir::Right => (b, (cur.head + 1).min(per.saturating_sub(1))),
            };
            let target = blocks.get(nb);
            if let Some(i) = list
                .iter()
                .position(|h| Some(&h.step) == target && h.head == nh)
            {
                app.explore.head = i;
            }
        }
        (Screen::Heads, Message::Activate) => {
            let list = heads::summarize(app.session.trace());
            let Some(h) = list.get(app.explore.head) else {
                let text = Ex::NoHeads.text(app.lang);
                say(app, StatusKind::Info, text);
                return true;
            };
            let addr = Address {
                name: h.step.clone(),
                indices: vec![h.head],
            };
            if run(app, Command::Show(Some(addr), Default::default())).is_ok() {
                app.screen = Screen::Workbench;
                app.focus = crate::tui::app::Pane::Matrix;
                let lang = app.lang;
                tell(
                    app,
                    Msg::HeadOpened {
                        at: format!("{}[{}]", h.step, h.head),
                        role: role_text(h.stats.role, lang),
                        reason: head_reason(&h.stats, lang),
                    },
                );
            }
        }
        (Screen::Pe | Screen::Scaling | Screen::Heads | Screen::Lens, Message::Tick) => {}
        _ => return false,
    }
    true
}
