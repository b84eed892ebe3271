//! Boxes over the workbench (help, the scenario's description, a command's output) and the
//! text wrapping they share.

use super::*;
use crate::i18n::Lang;
use crate::i18n::ui::{Label, Msg};
use crate::keymap::{self, Ctx, Message, keys_label};

/// A box of `w`×`h` centred in `area`.
pub(crate) fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears the box `r` for an overlay. A wide character (한) just left of the box would
/// cover the box's left border in the terminal (its second column is the border's cell):
/// it is replaced by a space.
pub(crate) fn clear_box(f: &mut Frame, r: Rect) {
    let buf = f.buffer_mut();
    if r.x > buf.area.x {
        for y in r.top()..r.bottom() {
            let cell = &mut buf[(r.x - 1, y)];
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    f.render_widget(Clear, r);
}

/// `text` cut into lines of at most `w` display columns at spaces.
pub(super) fn wrap_words(text: &str, w: usize) -> Vec<String> {
    crate::render::wrap(text, w)
}

/// `lines` wrapped to `w` display columns, keeping each character's style. (ratatui's own
/// wrapping can put a wide character such as 한 over a box's right border.)
pub fn wrap_lines(lines: Vec<Line<'static>>, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        let cells: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| {
                let st = line.style.patch(s.style);
                s.content.chars().map(move |c| (c, st))
            })
            .collect();
        let chars: Vec<char> = cells.iter().map(|(c, _)| *c).collect();
        for r in crate::render::wrap_indices(&chars, w) {
            let mut spans: Vec<Span<'static>> = Vec::new();
            let mut cur = String::new();
            let mut cur_style: Option<Style> = None;
            for (c, st) in &cells[r] {
                if cur_style.is_some_and(|x| x != *st) {
                    spans.push(Span::styled(
                        std::mem::take(&mut cur),
                        cur_style.unwrap_or_default(),
                    ));
                }
                cur_style = Some(*st);
                cur.push(*c);
            }
            if !cur.is_empty() {
                spans.push(Span::styled(cur, cur_style.unwrap_or_default()));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// The help lines for a box `w` columns wide inside: keys on the left, what they do wrapped
/// with a hanging indent.
pub fn help_lines(w: u16) -> Vec<Line<'static>> {
    help_lines_in(w, Lang::En)
}

/// The widest keys the key column of `?` holds; wider ones go on a line of their own.
const KEY_COLUMN: usize = 12;

/// [`help_lines`] in `lang`: every key of the key table, under the heading of where it
/// applies. Keys wider than the key column go on a line of their own.
pub fn help_lines_in(w: u16, lang: Lang) -> Vec<Line<'static>> {
    let list = crate::keymap::key_list();
    let w = usize::from(w);
    let widest = list
        .iter()
        .flat_map(|(_, lines)| lines.iter().map(|(k, _)| width(&keys_label(k))))
        .max()
        .unwrap_or(4);
    let kw = widest.min(KEY_COLUMN);
    let dw = w.saturating_sub(kw + 3).max(10);
    let mut lines = Vec::new();
    for (group, rows) in list {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.extend(
            wrap_words(group.text(lang), w.saturating_sub(1).max(10))
                .into_iter()
                .map(|t| Line::styled(format!(" {t}"), style::TITLE)),
        );
        for (keys, doc) in rows {
            let k = keys_label(&keys);
            let own_line = width(&k) > kw;
            if own_line {
                lines.push(Line::from(Span::styled(format!(" {k} "), style::KEY)));
            }
            for (i, part) in wrap_words(doc.text(lang), dw).into_iter().enumerate() {
                let key = if i == 0 && !own_line {
                    let pad = kw.saturating_sub(width(&k));
                    Span::styled(format!(" {k}{} ", " ".repeat(pad)), style::KEY)
                } else {
                    Span::raw(" ".repeat(kw + 2))
                };
                lines.push(Line::from(vec![key, Span::raw(format!(" {part}"))]));
            }
        }
    }
    lines
}

pub(super) fn help(f: &mut Frame, area: Rect, scroll: u16, lang: Lang) {
    let w = area.width.saturating_sub(4).min(96);
    let lines = help_lines_in(w.saturating_sub(2), lang);
    let r = centred(
        area,
        w,
        area.height.saturating_sub(2).min(lines.len() as u16 + 2),
    );
    clear_box(f, r);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(Label::HelpTitle.text(lang), style::TITLE))
                .title_bottom(Line::from(Label::HelpBottom.text(lang)).right_aligned()),
        ),
        r,
    );
}

/// The box `a` opens (and a scenario opens with): its title and the text, the scenario's
/// description and what to do next.
pub fn about_text(app: &App, tour: bool) -> (String, String) {
    let s = app.session();
    let lang = app.lang();
    let title = if s.title().is_empty() {
        Label::ThisScenario.text(lang).to_string()
    } else {
        s.title().to_string()
    };
    // The description's line breaks are the YAML file's: reflow each paragraph.
    let mut text = if s.description().is_empty() {
        Label::NoDescription.text(lang).to_string()
    } else {
        s.description()
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    if let Some(m) = s.model() {
        // The header's words (the session speaks the interface's language).
        let about = Msg::AboutModel {
            provenance: s.provenance(),
            trained: m.trained_steps() > 0,
        };
        text.push_str(&format!("\n\n{}", about.text(lang)));
    }
    let stops = s.scenario_tour_len();
    // The keys named are the key table's.
    let keys = |ctx: Ctx, msgs: &[Message]| {
        msgs.iter()
            .flat_map(|m| keymap::keys_for(ctx, m))
            .map(keymap::Key::label)
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let close = keymap::key_for(Ctx::Box, &Message::Cancel);
    let about = keymap::key_for(Ctx::Panes, &Message::About);
    let last = if tour {
        Msg::AboutTour {
            stops,
            start: keys(Ctx::TourBox, &[Message::Activate]),
            step: keys(Ctx::Panes, &[Message::NextStep, Message::PrevStep]),
            close,
        }
    } else if stops > 0 {
        Msg::AboutReplay {
            stops,
            replay: keymap::key_for(Ctx::Panes, &Message::Replay),
            about,
            close,
        }
    } else {
        Msg::AboutAgain { about, close }
    }
    .text(lang);
    text.push_str(&format!("\n\n{last}"));
    (title, text)
}

/// The lines of an output box `w` columns wide (inside), wrapped by display width.
pub fn output_lines(text: &str, w: usize) -> Vec<String> {
    text.lines().flat_map(|l| wrap_words(l, w)).collect()
}

pub(super) fn output(f: &mut Frame, area: Rect, title: &str, text: &str, scroll: u16, lang: Lang) {
    let lines = output_lines(text, usize::from(area.width.saturating_sub(6)));
    let n = lines.len() as u16;
    let r = centred(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2).min(n + 2),
    );
    clear_box(f, r);
    f.render_widget(
        Paragraph::new(lines.join("\n")).scroll((scroll, 0)).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(format!(" {title} "), style::TITLE))
                .title_bottom(Line::from(Label::OutputBottom.text(lang)).right_aligned()),
        ),
        r,
    );
}
