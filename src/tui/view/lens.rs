//! The logit lens (`W`): for the chosen position of the decoder's sentence, a row per layer
//! (the embeddings first) with its most probable next tokens, read through the model's final
//! norm and output projection; the last row is the model's own prediction. The table is
//! computed by the update when the view opens or the trace changes; this only draws it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::i18n::lens::LensLine;
use crate::render::{pad_right, width};

use super::super::app::App;
use super::style;

/// Draws the lens into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(LensLine::Title.text(lang), style::TITLE));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(t) = app.lens() else {
        f.render_widget(
            Paragraph::new(LensLine::NoDecoderHere.text(lang)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let pos = app
        .explore()
        .lens_pos
        .min(t.positions.len().saturating_sub(1));
    let label = |layer: Option<usize>| match layer {
        None => LensLine::Embeddings.text(lang),
        Some(l) => LensLine::Layer(l).text(lang),
    };
    let w = t
        .readings
        .iter()
        .map(|r| width(&label(r.layer)))
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = LensLine::Intro {
        formula: t.formula.clone(),
    }
    .text(lang)
    .lines()
    .map(|l| Line::styled(l.to_string(), style::DIM))
    .collect();
    lines.push(Line::default());
    // The sentence, the chosen position marked.
    let words: Vec<Span> = t
        .positions
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let s = if i == pos {
                style::SELECTED
            } else {
                style::DIM
            };
            [Span::styled(p.clone(), s), Span::raw(" ")]
        })
        .collect();
    lines.push(Line::from(words));
    let k = t
        .readings
        .first()
        .map_or(0, |r| r.top.first().map_or(0, Vec::len));
    lines.push(Line::styled(
        LensLine::Position {
            pos,
            token: t.positions.get(pos).cloned().unwrap_or_default(),
            k,
        }
        .text(lang),
        style::TITLE,
    ));
    let last = t.readings.len().saturating_sub(1);
    for (i, r) in t.readings.iter().enumerate() {
        let mut spans = vec![Span::raw(format!("  {}  ", pad_right(&label(r.layer), w)))];
        for &(tok, p) in r.top.get(pos).map_or(&[][..], Vec::as_slice) {
            let name = t.vocab.get(tok).map_or("?", String::as_str);
            let s = if i == last {
                style::TITLE
            } else {
                ratatui::style::Style::new()
            };
            spans.push(Span::styled(format!("{name} {p:.3}"), s));
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(format!("({})", r.step), style::DIM));
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
