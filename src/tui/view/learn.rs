//! The Learn view: the training run's loss curve (training loss per update, held-out loss
//! at intervals) with the learning-rate schedule, the step and rate, and beside them the
//! cross-attention of the probe sentence under the weights shown (live or a snapshot),
//! with the cells that moved since the last change marked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

use crate::i18n::Lang;
use crate::i18n::learn::{Lv, LvMsg};
use crate::render::{fmt_value, pad_left, pad_right, truncate, width};
use crate::session::Training;
use crate::trace::Step;

use super::super::app::App;
use super::style;

/// A change of a weight shown smaller than this is not marked.
pub const MOVED: f32 = 5e-3;

fn axis_labels(lo: f64, hi: f64, digits: usize) -> Vec<Span<'static>> {
    vec![
        Span::styled(format!("{lo:.digits$}"), style::DIM),
        Span::styled(format!("{hi:.digits$}"), style::DIM),
    ]
}

/// Draws the Learn view into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Lv::LearnTitle.text(lang), style::TITLE));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(t) = app.session().training() else {
        f.render_widget(Paragraph::new(Lv::NoTraining.text(lang)), inner);
        return;
    };
    let [info, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    f.render_widget(
        Paragraph::new(info_lines(app, t, usize::from(info.width))),
        info,
    );
    let wide = body.width >= 100;
    let [left, right] = Layout::horizontal(if wide {
        [Constraint::Percentage(55), Constraint::Percentage(45)]
    } else {
        [Constraint::Percentage(50), Constraint::Percentage(50)]
    })
    .areas(body);
    let [loss, rate] =
        Layout::vertical([Constraint::Percentage(70), Constraint::Percentage(30)]).areas(left);
    loss_chart(t, f, loss, lang);
    rate_chart(t, f, rate, lang);
    let [heat, snaps] = Layout::vertical([Constraint::Min(0), Constraint::Length(3)]).areas(right);
    heatmap(app, t, f, heat);
    snapshots(t, f, snaps, lang);
}

fn info_lines(app: &App, t: &Training, w: usize) -> Vec<Line<'static>> {
    let p = app.session().precision();
    let lang = app.lang();
    let step = t.steps_done();
    let last = t
        .losses()
        .last()
        .map_or("—".to_string(), |(_, l)| fmt_value(*l as f32, p));
    let held = t.held_out.last().map_or("—".to_string(), |(s, l)| {
        LvMsg::HeldAt {
            loss: fmt_value(*l as f32, p),
            step: *s,
        }
        .text(lang)
    });
    let state = if app.is_training() {
        Span::styled(Lv::Training.text(lang), style::WARNING)
    } else {
        Span::styled(Lv::Paused.text(lang), style::KEY)
    };
    let c = t.model().config();
    let (update, rate) = t.shown_rate();
    let first = LvMsg::Progress {
        step,
        update,
        rate: f64::from(rate),
        loss: last,
        held,
    }
    .text(lang);
    let second = LvMsg::Start {
        seed: c.seed,
        d_model: c.d_model,
        heads: c.heads,
        enc: c.layers.encoder,
        dec: c.layers.decoder,
        corpus: t.corpus.clone(),
    }
    .text(lang);
    vec![
        Line::from(vec![
            state,
            Span::raw(" "),
            Span::styled(truncate(&first, w.saturating_sub(14)), style::TITLE),
        ]),
        Line::styled(truncate(&second, w), style::DIM),
    ]
}

fn loss_chart(t: &Training, f: &mut Frame, area: Rect, lang: Lang) {
    let train: Vec<(f64, f64)> = t.losses().into_iter().map(|(s, l)| (s as f64, l)).collect();
    let held: Vec<(f64, f64)> = t.held_out.iter().map(|(s, l)| (*s as f64, *l)).collect();
    let x_max = (t.steps_done().max(10)) as f64;
    let y_max = train
        .iter()
        .chain(&held)
        .map(|(_, l)| *l)
        .fold(1.0f64, f64::max)
        .ceil();
    let datasets = vec![
        Dataset::default()
            .name(Lv::TrainingLoss.text(lang))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(Color::Indexed(45)))
            .data(&train),
        Dataset::default()
            .name(Lv::HeldOut.text(lang))
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(Style::new().fg(Color::Indexed(214)))
            .data(&held),
    ];
    let chart = Chart::new(datasets)
        .block(
            Block::bordered()
                .border_style(style::BORDER)
                .title(Line::styled(Lv::LossBox.text(lang), style::TITLE)),
        )
        .x_axis(
            Axis::default()
                .bounds([0.0, x_max])
                .labels(axis_labels(0.0, x_max, 0)),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_max])
                .labels(axis_labels(0.0, y_max, 1)),
        );
    f.render_widget(chart, area);
}

/// The chart's title: the schedule with every factor, as long as the box has room for.
fn rate_title(t: &Training, area: Rect, lang: Lang) -> String {
    use crate::learn::optim::Form;
    let room = usize::from(area.width).saturating_sub(2);
    let mut titles: Vec<String> = [Form::Full, Form::Numbers]
        .into_iter()
        .map(|form| {
            LvMsg::RateBox {
                formula: t.schedule_formula(form),
            }
            .text(lang)
        })
        .collect();
    // Where the words do not fit, the formula alone.
    let shortest = format!(" {} ", t.schedule_formula(Form::Short));
    titles.push(shortest.clone());
    titles
        .into_iter()
        .find(|x| width(x) <= room)
        .unwrap_or_else(|| truncate(&shortest, room))
}

fn rate_chart(t: &Training, f: &mut Frame, area: Rect, lang: Lang) {
    // The schedule over the steps done (at least the warm-up and as far again).
    let end = t.steps_done().max(200);
    let n = usize::from(area.width.max(2)) * 2;
    let curve: Vec<(f64, f64)> = (0..=n)
        .map(|k| {
            let s = 1 + k * end / n;
            (s as f64, f64::from(t.rate_at(s)))
        })
        .collect();
    let (update, rate) = t.shown_rate();
    let now = vec![(update as f64, f64::from(rate))];
    let y_max = curve.iter().map(|(_, r)| *r).fold(1e-9, f64::max);
    let chart = Chart::new(vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(Color::Indexed(149)))
            .data(&curve),
        Dataset::default()
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(Style::new().fg(Color::Indexed(226)))
            .data(&now),
    ])
    .block(
        Block::bordered()
            .border_style(style::BORDER)
            .title(Line::styled(rate_title(t, area, lang), style::TITLE)),
    )
    .x_axis(Axis::default().bounds([0.0, end as f64]))
    .y_axis(
        Axis::default()
            .bounds([0.0, y_max])
            .labels(axis_labels(0.0, y_max, 4)),
    );
    f.render_widget(chart, area);
}

fn heatmap(app: &App, t: &Training, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let (src, tgt) = t.probe_input();
    let which = match t
        .viewing
        .and_then(|i| t.snapshots.get(i).map(|s| (i, s.step)))
    {
        Some((i, step)) => LvMsg::Snapshot { i, step }.text(lang),
        None => LvMsg::Live(t.steps_done()).text(lang),
    };
    let (pick, head) = app.learn_pick();
    let steps = t.attention_steps();
    let chosen = match pick {
        Some(i) if !steps.is_empty() => steps.get(i % steps.len()).copied(),
        _ => t.probe_step(),
    };
    let Some(step) = chosen else {
        f.render_widget(
            Paragraph::new(
                LvMsg::NoCross {
                    src: src.to_string(),
                    tgt: tgt.to_string(),
                }
                .text(lang),
            )
            .block(Block::bordered().border_style(style::BORDER)),
            area,
        );
        return;
    };
    let head = head % step.heads().unwrap_or(1).max(1);
    let block = Block::bordered()
        .border_style(style::FOCUS)
        .title(Line::styled(
            format!(" {}[{head}] · {which} ", step.name()),
            style::TITLE,
        ))
        .title_bottom(Line::styled(
            LvMsg::Moved {
                src: src.to_string(),
                tgt: tgt.to_string(),
                moved: MOVED.to_string(),
            }
            .text(lang),
            style::DIM,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    draw_grid(app, step, head, t.probe_before_step(step.name()), f, inner);
}

/// Head `head` of `step` as coloured cells with token labels; cells that moved since
/// `before` are marked `•`.
fn draw_grid(
    app: &App,
    step: &Step,
    head: usize,
    before: Option<&Step>,
    f: &mut Frame,
    area: Rect,
) {
    let Ok(m) = step.matrix(Some(head)) else {
        return;
    };
    let old = before
        .filter(|b| b.dims() == step.dims())
        .and_then(|b| b.matrix(Some(head)).ok());
    let rows = step.row_labels();
    let cols = step.col_labels(Some(head));
    let p = app.session().precision().min(3);
    let label_w = rows.iter().map(|r| width(r)).max().unwrap_or(1).min(10);
    let col_w = cols
        .iter()
        .map(|c| width(c))
        .max()
        .unwrap_or(1)
        .max(p + 3)
        .min(10);
    let buf = f.buffer_mut();
    let fits = |x: usize| x + col_w < usize::from(area.width);
    for (j, c) in cols.iter().enumerate() {
        let x = label_w + 1 + j * (col_w + 1);
        if !fits(x) {
            break;
        }
        buf.set_stringn(
            area.x + x as u16,
            area.y,
            pad_left(&truncate(c, col_w), col_w),
            col_w,
            style::DIM,
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        buf.set_stringn(
            area.x,
            y,
            pad_right(&truncate(r, label_w), label_w),
            label_w,
            style::DIM,
        );
        for j in 0..m.ncols() {
            let x = label_w + 1 + j * (col_w + 1);
            if !fits(x) {
                break;
            }
            let v = m[[i, j]];
            let moved = old.as_ref().is_some_and(|o| (o[[i, j]] - v).abs() > MOVED);
            let mut st = style::heat(step.kind(), v, 1.0);
            if moved {
                st = st.add_modifier(Modifier::UNDERLINED);
            }
            let text = crate::number::fmt_fit(v, p, col_w.saturating_sub(1));
            buf.set_stringn(area.x + x as u16, y, pad_left(&text, col_w), col_w, st);
            if moved {
                buf.set_stringn(area.x + x as u16, y, "•", 1, style::CHANGED.patch(st));
            }
        }
    }
}

fn snapshots(t: &Training, f: &mut Frame, area: Rect, lang: Lang) {
    let label = Lv::Snapshots.text(lang);
    let mut items: Vec<(String, bool)> = t
        .snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                LvMsg::SnapshotTab { i, step: s.step }.text(lang),
                t.viewing == Some(i),
            )
        })
        .collect();
    items.push((
        LvMsg::LiveTab(t.steps_done()).text(lang),
        t.viewing.is_none(),
    ));
    let (lo, hi) = visible_tabs(
        &items,
        usize::from(area.width).saturating_sub(2),
        width(label),
    );
    let mut spans = vec![Span::styled(label, style::DIM)];
    if lo > 0 {
        spans.push(Span::styled("… ", style::DIM));
    }
    for (k, (text, selected)) in items[lo..hi].iter().enumerate() {
        if k > 0 {
            spans.push(Span::raw("  "));
        }
        let st = if *selected {
            style::SELECTED.add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        spans.push(Span::styled(text.clone(), st));
    }
    if hi < items.len() {
        spans.push(Span::styled(" …", style::DIM));
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).block(Block::bordered().border_style(style::BORDER)),
        area,
    );
}

/// The tabs `lo..hi` that fit on one line of `room` columns after a label of `label`
/// columns: all of them when they fit, else a window around the selected one (grown to
/// both sides while it fits, room kept for the `…` that marks the tabs left out).
fn visible_tabs(items: &[(String, bool)], room: usize, label: usize) -> (usize, usize) {
    let w: Vec<usize> = items.iter().map(|(t, _)| width(t) + 2).collect();
    if w.iter().sum::<usize>() <= room.saturating_sub(label) + 2 {
        return (0, items.len());
    }
    let budget = room.saturating_sub(label + 4) + 2;
    let sel = items
        .iter()
        .position(|(_, s)| *s)
        .unwrap_or(items.len() - 1);
    let (mut lo, mut hi) = (sel, sel + 1);
    let mut used = w[sel];
    loop {
        let mut grew = false;
        if hi < w.len() && used + w[hi] <= budget {
            used += w[hi];
            hi += 1;
            grew = true;
        }
        if lo > 0 && used + w[lo - 1] <= budget {
            lo -= 1;
            used += w[lo];
            grew = true;
        }
        if !grew {
            return (lo, hi);
        }
    }
}
