//! The centre pane: the selected step as a heatmap with token labels, head tabs, the cell
//! cursor, the cells the last rerun changed, and where the window is in a big matrix. Only
//! the visible cells are read.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::i18n::ui::{self as text, Label, Msg};
use crate::render::{fmt_value, pad_left, pad_right, truncate, width};
use crate::trace::{Step, StepKind};

use super::super::app::App;
use super::super::layout::{self, Grid};
use super::style;

/// A value as shown in a column `w` wide: [`crate::number::fmt_fit`] (`−∞` for masked
/// cells, fewer digits when the number would not fit).
pub use crate::number::fmt_fit as fmt_cell;

/// The matrix box title: `name[h] · what · rows × cols`, for a title of `max_w` columns.
fn title(app: &App, step: &Step, max_w: usize) -> String {
    let s = app.session();
    let h = s
        .current_head()
        .map(|h| format!("[{h}]"))
        .unwrap_or_default();
    let (r, c) = step.dims();
    match step.name().strip_prefix("grad.") {
        Some(fwd) => Msg::GradTitle {
            name: format!("{}{h}", step.name()),
            fwd: fwd.to_string(),
            r,
            c,
        }
        .text(app.lang()),
        // In Korean the term has the English beside it when the title still fits.
        None => {
            let label = |first| {
                let what = text::step_label(
                    step.kind(),
                    crate::tui::tree::is_final_norm(step.name()),
                    app.lang(),
                    first,
                );
                format!(" {}{h} · {what} · {r} × {c} ", step.name())
            };
            let long = label(true);
            if width(&long) <= max_w {
                long
            } else {
                label(false)
            }
        }
    }
}

/// Where the window is (`rows 40–59 of 512 · cols 0–7 of 512`) and what the last rerun
/// changed here.
fn bottom(app: &App, step: &Step, g: &Grid) -> String {
    let lang = app.lang();
    let mut parts = Vec::new();
    if g.rows.0 > 0 || g.rows.1 < g.n_rows {
        parts.push(
            Msg::Rows {
                first: g.rows.0,
                last: g.rows.1.saturating_sub(1),
                n: g.n_rows,
            }
            .text(lang),
        );
    }
    if g.cols.0 > 0 || g.cols.1 < g.n_cols {
        parts.push(
            Msg::Cols {
                first: g.cols.0,
                last: g.cols.1.saturating_sub(1),
                n: g.n_cols,
            }
            .text(lang),
        );
    }
    if let Some(d) = app.changes() {
        let p = app.session().precision();
        if let Some((_, x)) = d.changed.iter().find(|(n, _)| n == step.name()) {
            parts.push(if *x == 0.0 {
                Label::Unchanged.text(lang).to_string()
            } else if x.is_infinite() {
                Label::InfinityChanged.text(lang).to_string()
            } else {
                Msg::Changed(fmt_value(*x, p)).text(lang)
            });
        } else if d.reshaped.iter().any(|n| n == step.name()) {
            parts.push(Label::NewShape.text(lang).into());
        } else if d.added.iter().any(|n| n == step.name()) {
            parts.push(Label::NewStep.text(lang).into());
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {} ", parts.join(" · "))
    }
}

/// Draws the matrix box into `area`.
#[expect(
    clippy::too_many_lines,
    reason = "the matrix pane drawn in order: title, head tabs, column labels, rows, notes."
)]
pub fn render(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let s = app.session();
    let border = if focused { style::FOCUS } else { style::BORDER };
    let Some(forward) = s.current_step() else {
        f.render_widget(
            Paragraph::new(Label::NoStep.text(app.lang()))
                .block(Block::bordered().border_style(border)),
            area,
        );
        return;
    };
    // The gradient view shows grad.<step> (same shape and labels) on a diverging scale.
    let grad = app.grad_view().then(|| s.current_gradient()).flatten();
    let step = grad.unwrap_or(forward);
    let kind = if grad.is_some() {
        StepKind::Scores
    } else {
        step.kind()
    };
    let head = s.current_head();
    let grid = layout::grid(app, area, app.scroll());
    // `:show probs[3] --top 5`: each row's largest values, as `show --top` prints them (not
    // in the gradient view, nor while a practice question hides cells).
    let top = s
        .top_view()
        .filter(|_| grad.is_none() && app.practice_hidden().is_none());
    if let (Some(k), Some(g)) = (top, &grid) {
        let block = Block::bordered()
            .border_style(border)
            .title(Line::styled(
                title(app, step, usize::from(area.width.saturating_sub(2))),
                style::TITLE,
            ))
            .title_bottom(
                Line::from(truncate(
                    &Msg::TopView {
                        k,
                        n: step.col_labels(head).len(),
                        step: step.name().to_string(),
                    }
                    .text(app.lang()),
                    usize::from(area.width.saturating_sub(2)),
                ))
                .right_aligned(),
            );
        top_view(app, f, area, block, (k, g.rows));
        return;
    }
    let mut block = Block::bordered().border_style(border).title(Line::styled(
        title(app, step, usize::from(area.width.saturating_sub(2))),
        style::TITLE,
    ));
    if let Some(g) = &grid {
        let text = truncate(
            &bottom(app, step, g),
            usize::from(area.width.saturating_sub(2)),
        );
        block = block.title_bottom(Line::from(text).right_aligned());
    }
    f.render_widget(block, area);
    let Some(g) = grid else { return };
    let m = match step.matrix(head) {
        Ok(m) => m,
        Err(e) => {
            f.render_widget(Paragraph::new(e.to_string()), layout::inner(area));
            return;
        }
    };
    let cursor = s.cursor();
    let precision = s.precision();
    let col_w = usize::from(g.col_w);
    let label_w = usize::from(g.label_w);
    let buf = f.buffer_mut();

    if let (Some(t), Some(heads)) = (g.tabs, step.heads()) {
        buf.set_stringn(
            t.x,
            t.y,
            Label::Head.text(app.lang()),
            usize::from(t.width),
            style::DIM,
        );
        for (h, (off, w)) in layout::tab_positions(heads).into_iter().enumerate() {
            if off + w > t.width {
                break;
            }
            let st = if h == cursor.head {
                style::SELECTED.add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            buf.set_stringn(t.x + off, t.y, format!(" {h} "), usize::from(w), st);
            if off + w < t.width && h + 1 < heads {
                buf.set_stringn(t.x + off + w, t.y, "│", 1, style::DIM);
            }
        }
    }

    // Column labels.
    let cols = step.col_labels(head);
    for j in g.cols.0..g.cols.1 {
        let label = cols.get(j).map_or("?", String::as_str);
        let st = if j == cursor.col {
            style::CURRENT
        } else {
            style::DIM
        };
        buf.set_stringn(
            g.col_x(j),
            g.header.y,
            pad_left(&truncate(label, col_w), col_w),
            col_w,
            st,
        );
    }

    let scale = crate::heat::scale_of(kind, m.iter().copied());
    // The same step before the last rerun, when it has the same shape.
    let before = app
        .changes()
        .filter(|_| grad.is_none())
        .and_then(|_| s.previous_trace())
        .and_then(|t| t.get(step.name()))
        .filter(|p| p.dims() == step.dims() && p.heads() == step.heads())
        .and_then(|p| p.matrix(head).ok());
    let rows = step.row_labels();
    // The open practice question's cells show `?` until they are answered.
    let hidden = app.practice_hidden();
    let is_hidden = |i: usize, j: usize| {
        hidden
            .as_ref()
            .is_some_and(|t| t.row == i && t.cols.contains(&j))
    };
    for (k, i) in (g.rows.0..g.rows.1).enumerate() {
        let y = g.body.y + k as u16;
        let label = rows.get(i).map_or("?", String::as_str);
        let st = if i == cursor.row {
            style::CURRENT
        } else {
            style::DIM
        };
        buf.set_stringn(
            g.body.x,
            y,
            pad_right(&truncate(label, label_w), label_w),
            label_w,
            st,
        );
        for j in g.cols.0..g.cols.1 {
            let v = m[[i, j]];
            let x = g.col_x(j);
            let mut st = style::heat(kind, v, scale);
            let here = i == cursor.row && j == cursor.col;
            let changed = before.as_ref().is_some_and(|b| {
                let old = b[[i, j]];
                !(old == v || (old.is_nan() && v.is_nan()))
            });
            if here {
                st = st.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            }
            if changed {
                st = st.add_modifier(Modifier::UNDERLINED);
            }
            if is_hidden(i, j) {
                st = style::HIDDEN;
                if here {
                    st = st.add_modifier(Modifier::REVERSED | Modifier::BOLD);
                }
            }
            let text = if is_hidden(i, j) {
                "?".to_string()
            } else {
                fmt_cell(v, precision, col_w)
            };
            buf.set_stringn(x, y, pad_left(&text, col_w), col_w, st);
            // The cursor (`▸`) or a changed cell (`•`) is marked just left of the number,
            // in the gap before the column when the number fills it.
            let lead = col_w.saturating_sub(width(&text)) as u16;
            let mark_x = if lead > 0 { x + lead - 1 } else { x - 1 };
            if here {
                buf.set_stringn(mark_x, y, "▸", 1, style::CURRENT);
            } else if changed {
                buf.set_stringn(mark_x, y, "•", 1, style::CHANGED);
            }
        }
    }
}

/// The top-k view inside `block`: for rows `rows.0..rows.1` (the grid's window, which keeps
/// the cursor's row in view) each row's `k` largest values with their column labels,
/// largest first ([`crate::render::top_values`], the text of `show --top K`), the cursor's
/// row marked `▸`.
fn top_view(
    app: &App,
    f: &mut Frame,
    area: Rect,
    block: Block<'_>,
    (k, rows): (usize, (usize, usize)),
) {
    let s = app.session();
    let Some(step) = s.current_step() else { return };
    let head = s.current_head();
    let m = match step.matrix(head) {
        Ok(m) => m,
        Err(e) => {
            f.render_widget(Paragraph::new(e.to_string()).block(block), area);
            return;
        }
    };
    let opts = crate::render::RenderOptions {
        precision: s.precision(),
        lang: app.lang(),
        ..crate::render::RenderOptions::default()
    };
    let text =
        crate::render::top_values(m.view(), step.row_labels(), step.col_labels(head), k, &opts);
    let cursor = s.cursor().row;
    let all: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{}{l}", if i == cursor { "▸" } else { " " }))
        .collect();
    // A row wraps onto ⌈width / inner width⌉ lines; start late enough that the cursor's row
    // is in view.
    let inner = layout::inner(area);
    let (w, h) = (usize::from(inner.width).max(1), usize::from(inner.height));
    let tall = |l: &String| width(l).div_ceil(w).max(1);
    let mut first = rows.0.min(cursor);
    while first < cursor
        && all[first..=cursor.min(all.len().saturating_sub(1))]
            .iter()
            .map(tall)
            .sum::<usize>()
            > h
    {
        first += 1;
    }
    let lines: Vec<Line> = all
        .into_iter()
        .enumerate()
        .skip(first)
        .map(|(i, l)| {
            if i == cursor {
                Line::styled(l, style::CURRENT)
            } else {
                Line::from(l)
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
        area,
    );
}

/// A one-line legend of the colour scale of `step`.
pub fn legend(step: &Step) -> Line<'static> {
    if style::sequential(step.kind()) {
        Line::from(vec![
            Span::styled("0 ", style::DIM),
            Span::styled("   ", style::heat(step.kind(), 0.0, 1.0)),
            Span::styled("   ", style::heat(step.kind(), 0.3, 1.0)),
            Span::styled("   ", style::heat(step.kind(), 0.6, 1.0)),
            Span::styled("   ", style::heat(step.kind(), 1.0, 1.0)),
            Span::styled(" 1", style::DIM),
        ])
    } else {
        Line::from(vec![
            Span::styled("− ", style::DIM),
            Span::styled("   ", style::heat(step.kind(), -1.0, 1.0)),
            Span::styled("   ", style::heat(step.kind(), -0.4, 1.0)),
            Span::styled("   ", style::heat(step.kind(), 0.0, 1.0)),
            Span::styled("   ", style::heat(step.kind(), 0.4, 1.0)),
            Span::styled("   ", style::heat(step.kind(), 1.0, 1.0)),
            Span::styled(" +", style::DIM),
        ])
    }
}
