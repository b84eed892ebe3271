//! The Decode view: one output token at a time. The decoder input so far, the next-token
//! distribution of the current step as bars (top-k, the chosen token marked), the
//! cross-attention row of the new position over the source (one line per head), the rule
//! that chose the token, and the steps so far.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph};

use crate::i18n::Lang;
use crate::i18n::learn::{Lv, LvMsg};
use crate::render::{fmt_value, pad_left, pad_right, truncate, width};
use crate::session::DecodeState;
use crate::trace::StepKind;

use super::super::app::App;
use super::style;

/// Draws the Decode view into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let lang = app.lang();
    let title = LvMsg::DecodeTitle(s.decoding().map(|d| d.model_label.clone())).text(lang);
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(title, style::TITLE));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(d) = s.decoding() else {
        f.render_widget(Paragraph::new(Lv::NoDecoding.text(lang)), inner);
        return;
    };
    let [top, body, rule] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(top_lines(d, usize::from(top.width), lang)),
        top,
    );
    let [bars, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    distribution(app, d, f, bars);
    let cross_h = (d.cross.last().map_or(1, Vec::len) as u16 + 3).min(right.height / 2 + 1);
    let [cross, history] =
        Layout::vertical([Constraint::Length(cross_h), Constraint::Min(0)]).areas(right);
    cross_attention(app, d, f, cross);
    steps(app, d, f, history);
    f.render_widget(
        Paragraph::new(rule_lines(d, usize::from(rule.width), lang)),
        rule,
    );
}

fn top_lines(d: &DecodeState, w: usize, lang: Lang) -> Vec<Line<'static>> {
    let mut v = Vec::new();
    if !d.source.is_empty() {
        v.push(Line::from(vec![
            Span::styled(Lv::DecodeSource.text(lang), style::TITLE),
            Span::raw(truncate(&d.text, w.saturating_sub(16))),
        ]));
    }
    let (input, chosen) = match d.steps().last() {
        Some(s) => (s.prefix.join(" "), format!(" → {}", s.chosen)),
        None => (d.prefix().join(" "), " → ?".to_string()),
    };
    v.push(Line::from(vec![
        Span::styled(Lv::DecoderInput.text(lang), style::TITLE),
        Span::raw(truncate(&input, w.saturating_sub(16 + width(&chosen)))),
        Span::styled(chosen, style::CURRENT),
    ]));
    let out = d.output();
    let end = if d.finished() {
        Lv::Done.text(lang)
    } else {
        ""
    };
    v.push(Line::from(vec![
        Span::styled(Lv::Output.text(lang), style::TITLE),
        Span::styled(
            truncate(&out, w.saturating_sub(16 + width(end))),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::styled(end, style::DIM),
    ]));
    v
}

fn distribution(app: &App, d: &DecodeState, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::FOCUS)
        .title(Line::styled(
            LvMsg::NextToken {
                step: d.steps().len(),
                top: crate::session::DECODE_TOP_K,
            }
            .text(lang),
            style::TITLE,
        ));
    let Some(step) = d.steps().last() else {
        f.render_widget(Paragraph::new(Lv::FirstToken.text(lang)).block(block), area);
        return;
    };
    let p = app.session().precision().min(4);
    let mut bars: Vec<Bar> = step
        .top
        .iter()
        .map(|(t, pr)| {
            let chosen = *t == step.chosen;
            let st = if chosen {
                Style::new().fg(Color::Indexed(226))
            } else {
                Style::new().fg(Color::Indexed(67))
            };
            Bar::default()
                .label(Line::from(if chosen {
                    format!("▶{t}")
                } else {
                    format!(" {t}")
                }))
                .value((f64::from(*pr) * 1000.0).round() as u64)
                .text_value(fmt_value(*pr, p))
                .style(st)
                .value_style(st.add_modifier(Modifier::REVERSED))
        })
        .collect();
    if !step.top.iter().any(|(t, _)| *t == step.chosen) {
        // A token the student put that the model did not rank in its top k.
        let st = Style::new().fg(Color::Indexed(226));
        bars.push(
            Bar::default()
                .label(Line::from(format!("▶{}", step.chosen)))
                .value((f64::from(step.chosen_prob) * 1000.0).round() as u64)
                .text_value(fmt_value(step.chosen_prob, p))
                .style(st)
                .value_style(st.add_modifier(Modifier::REVERSED)),
        );
    }
    let chart = BarChart::default()
        .block(block.title_bottom(Line::styled(
            if step.forced {
                Lv::ChosenByYou.text(lang)
            } else {
                Lv::ModelsChoice.text(lang)
            },
            style::DIM,
        )))
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .max(1000)
        .data(BarGroup::default().bars(&bars));
    f.render_widget(chart, area);
}

#[expect(
    clippy::too_many_lines,
    reason = "the cross-attention grid drawn in order: labels, cells, the selected row's note."
)]
fn cross_attention(app: &App, d: &DecodeState, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let new_pos = d
        .steps()
        .last()
        .and_then(|s| s.prefix.last().cloned())
        .unwrap_or_else(|| "<bos>".into());
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(
            LvMsg::CrossBox {
                layer: d.cross_layer(),
                token: new_pos,
            }
            .text(lang),
            style::TITLE,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(rows) = d.cross.last().filter(|r| !r.is_empty()) else {
        let msg = if d.source.is_empty() {
            Lv::NoCross.text(lang)
        } else {
            Lv::FirstStepLooks.text(lang)
        };
        f.render_widget(Paragraph::new(msg), inner);
        return;
    };
    let p = app.session().precision().min(3);
    let col_w = d
        .source
        .iter()
        .map(|t| width(t))
        .max()
        .unwrap_or(1)
        .max(p + 3)
        .min(10);
    let label_w = 6usize;
    let buf = f.buffer_mut();
    let fits = |x: usize| x + col_w <= usize::from(inner.width);
    for (j, t) in d.source.iter().enumerate() {
        let x = label_w + j * (col_w + 1);
        if fits(x) {
            buf.set_stringn(
                inner.x + x as u16,
                inner.y,
                pad_left(&truncate(t, col_w), col_w),
                col_w,
                style::DIM,
            );
        }
    }
    for (h, row) in rows.iter().enumerate() {
        let y = inner.y + 1 + h as u16;
        if y >= inner.y + inner.height {
            break;
        }
        buf.set_stringn(
            inner.x,
            y,
            pad_right(&LvMsg::Head(h).text(lang), label_w),
            label_w,
            style::DIM,
        );
        let best = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(j, _)| j);
        for (j, v) in row.iter().enumerate() {
            let x = label_w + j * (col_w + 1);
            if !fits(x) {
                break;
            }
            let mut st = style::heat(StepKind::Weights, *v, 1.0);
            if Some(j) == best {
                st = st.add_modifier(Modifier::BOLD);
            }
            buf.set_stringn(
                inner.x + x as u16,
                y,
                pad_left(
                    &crate::number::fmt_fit(*v, p, col_w.saturating_sub(1)),
                    col_w,
                ),
                col_w,
                st,
            );
        }
    }
}

fn steps(app: &App, d: &DecodeState, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let p = app.session().precision().min(4);
    let h = usize::from(area.height.saturating_sub(2));
    let all: Vec<Line> = d
        .steps()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let who = if s.forced { Lv::You.text(lang) } else { "" };
            let kv = if s.reused_encoder {
                Lv::KvReused.text(lang)
            } else {
                ""
            };
            Line::from(format!(
                "{:>2}. {} → {}{who}  p {}{kv}",
                i + 1,
                s.prefix.last().map_or("", String::as_str),
                s.chosen,
                fmt_value(s.chosen_prob, p)
            ))
        })
        .collect();
    let skip = all.len().saturating_sub(h);
    f.render_widget(
        Paragraph::new(all.into_iter().skip(skip).collect::<Vec<_>>()).block(
            Block::bordered()
                .border_style(style::BORDER)
                .title(Line::styled(Lv::StepsBox.text(lang), style::TITLE)),
        ),
        area,
    );
}

fn rule_lines(d: &DecodeState, w: usize, lang: Lang) -> Vec<Line<'static>> {
    let rule = match d.sampling {
        Some(s) => LvMsg::Sampled(s.formula()).text(lang),
        None => Lv::Greedy.text(lang).to_string(),
    };
    vec![
        Line::styled(truncate(&rule, w), style::DIM),
        Line::styled(truncate(Lv::KvCache.text(lang), w), style::DIM),
    ]
}
