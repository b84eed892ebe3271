//! `render`: draws the [`App`] into a frame. Reads only; every position comes from
//! [`layout`](super::layout), the same pure function `update` uses for mouse clicks.

pub mod busy;
pub mod decode;
mod detail;
mod footer;
mod header;
pub mod heads;
pub mod learn;
pub mod lens;
pub mod matrix;
mod overlays;
pub mod pe;
mod pipeline;
pub mod scaling;
pub mod style;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::model::{Arch, Config, Positional};
use crate::render::{fmt_value, truncate, width};
use crate::trace::Step;

use super::app::{App, Extent, Field, LineEdit, Mode, Pane, PromptKind, Screen, StatusKind};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::tree::Node;

pub use detail::detail_line_count;
use detail::*;
pub use footer::footer_keys;
use footer::*;
use header::*;
pub use header::{model_summary, short_summary, target_shown};
use overlays::*;
pub use overlays::{about_text, help_lines, help_lines_in, output_lines, wrap_lines};
pub(crate) use overlays::{centred, clear_box};
use pipeline::*;

/// Draws the whole screen, then drops from it every character that must not reach the
/// terminal raw ([`drop_unsafe_chars`]).
pub fn render(app: &App, f: &mut Frame) {
    render_views(app, f);
    drop_unsafe_chars(f.buffer_mut());
}

/// Removes from every cell the characters [`crate::util::is_escaped_char`] names (the rule
/// of [`crate::util::escape_controls`]): ratatui leaves out the control characters itself,
/// but joins a zero-width format character to the cell before it, and U+202E in a token
/// would then reverse what the terminal shows after it. A cell shown escaped would be wider
/// than its one column, so the character is dropped here, as ratatui drops controls; the
/// CLI and REPL show it escaped.
fn drop_unsafe_chars(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if cell.symbol().chars().any(crate::util::is_escaped_char) {
            let kept: String = cell
                .symbol()
                .chars()
                .filter(|c| !crate::util::is_escaped_char(*c))
                .collect();
            cell.set_symbol(if kept.is_empty() { " " } else { &kept });
        }
    }
}

/// Draws every pane and overlay of the screen.
fn render_views(app: &App, f: &mut Frame) {
    let area = f.area();
    let Some(a) = layout::areas(app, area) else {
        too_small(f, area, app.lang());
        return;
    };
    if app.screen() != Screen::Workbench {
        let [body, st, foot] = Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        match app.screen() {
            Screen::Learn => learn::render(app, f, body),
            Screen::Pe => pe::render(app, f, body),
            Screen::Scaling => scaling::render(app, f, body),
            Screen::Heads => heads::render(app, f, body),
            Screen::Lens => lens::render(app, f, body),
            _ => decode::render(app, f, body),
        }
        status(app, f, st);
        footer(app, f, foot);
        match app.mode() {
            Mode::Help { scroll } => help(f, area, *scroll, app.lang()),
            Mode::Output {
                title,
                text,
                scroll,
            } => output(f, area, title, text, *scroll, app.lang()),
            _ => {}
        }
        return;
    }
    header(app, f, a.header);
    tree(app, f, a.tree);
    matrix::render(app, f, a.matrix, app.focus() == Pane::Matrix);
    if let Some(n) = a.note {
        note(app, f, n);
    }
    detail(app, f, a.detail);
    status(app, f, a.status);
    footer(app, f, a.footer);
    match app.mode() {
        Mode::Help { scroll } => help(f, area, *scroll, app.lang()),
        Mode::Output {
            title,
            text,
            scroll,
        } => output(f, area, &format!(":{title}"), text, *scroll, app.lang()),
        Mode::About { scroll, tour } => {
            let (title, text) = about_text(app, *tour);
            output(f, area, &title, &text, *scroll, app.lang());
        }
        _ => {}
    }
}

/// The buffer as text, one line per row, wide characters once (the cell they cover is
/// skipped), trailing spaces removed: what a screenshot of the terminal shows.
pub fn buffer_text(buf: &Buffer) -> String {
    let w = usize::from(buf.area.width).max(1);
    let mut out = String::new();
    for row in buf.content.chunks(w) {
        let mut line = String::new();
        let mut skip = 0usize;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = width(c.symbol()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn too_small(f: &mut Frame, area: Rect, lang: crate::i18n::Lang) {
    use crate::i18n::ui::{Label, Msg};
    let text = Text::from(vec![
        Line::styled(Label::TooSmall.text(lang), style::TITLE),
        Line::from(
            Msg::TooSmallSize {
                w: area.width,
                h: area.height,
                min_w: MIN_WIDTH,
                min_h: MIN_HEIGHT,
            }
            .text(lang),
        ),
        Line::from(Label::TooSmallHint.text(lang)),
    ]);
    let h = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect {
            y,
            height: area.height.saturating_sub(y - area.y),
            ..area
        },
    );
}

fn border(focused: bool) -> Style {
    if focused { style::FOCUS } else { style::BORDER }
}

/// The lengths of the scrollable texts as they would be drawn now (see [`Extent`]): only the
/// ones the current mode can scroll (the detail pane's in the workbench and under a box whose
/// pane keys pass through to it, the open box's); the others are 0.
pub fn measure(app: &App) -> Extent {
    let w = app.size.width;
    let boxed = usize::from(w.saturating_sub(6));
    let mut e = Extent::default();
    match &app.mode {
        Mode::Normal => e.detail = detail_line_count(app),
        Mode::Help { .. } => {
            e.help = help_lines_in(w.saturating_sub(4).min(96).saturating_sub(2), app.lang()).len();
        }
        Mode::Output { text, .. } => {
            e.output = output_lines(text, boxed).len();
            e.detail = detail_line_count(app);
        }
        Mode::About { tour, .. } => {
            e.about = output_lines(&about_text(app, *tour).1, boxed).len();
            e.detail = detail_line_count(app);
        }
        Mode::Edit { .. } | Mode::Prompt { .. } | Mode::ConfirmOverwrite { .. } => {}
    }
    e
}
