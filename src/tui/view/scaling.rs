//! The scaling explorer (`S`): the measured variance of q·k against d_k beside the line
//! Var = d_k (log₂ axes), one softmax row of 8 keys with and without ÷√d_k as bars, and the
//! largest weight, entropy and softmax-Jacobian norm of both.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Chart, Dataset, GraphType, Paragraph,
};

use crate::explore::scaling::{self, KEYS, RowNumbers};
use crate::i18n::Lang;
use crate::i18n::explore::{Ex, ExMsg};
use crate::render::{pad_left, pad_right};

use super::super::app::App;
use super::style;

const MEASURED: Style = Style::new().fg(Color::Indexed(214));
const LINE: Style = Style::new().fg(Color::Indexed(45));

/// Draws the scaling explorer into `area`.
#[expect(
    clippy::too_many_lines,
    reason = "the scaling view laid out and its numbers panel written line by line, in both languages."
)]
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let d_k = app.explore().d_k();
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Ex::ScalingTitle.text(lang), style::TITLE));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let r = scaling::standard();
    let Ok(row) = scaling::row(r.seed, d_k) else {
        return;
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let [chart, table] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    variance_chart(r, f, chart, lang);
    curve_table(r, d_k, f, table, lang);
    let [with, without, nums] = Layout::horizontal([
        Constraint::Percentage(35),
        Constraint::Percentage(35),
        Constraint::Percentage(30),
    ])
    .areas(bottom);
    bars(
        f,
        with,
        &format!(" softmax(q·k/√{d_k}) "),
        &row.scaled,
        Color::Indexed(45),
    );
    bars(
        f,
        without,
        Ex::UnscaledBox.text(lang),
        &row.unscaled,
        Color::Indexed(196),
    );
    let (a, b) = (RowNumbers::of(&row.scaled), RowNumbers::of(&row.unscaled));
    // Short lines: the panel is 21 columns wide at 80×24.
    let lines = vec![
        Line::from(vec![
            Span::styled(format!("d_k = {d_k}"), style::KEY),
            Span::raw(" (← →)"),
        ]),
        // Padded by display width: the Korean labels are wider than their char count.
        Line::from(format!(
            "{}{}{}",
            pad_right("", 6),
            pad_left("÷√d_k", 7),
            pad_left(Ex::UnscaledColumn.text(lang), 8)
        )),
        Line::from(format!(
            "{}{:>7.4}{:>8.4}",
            pad_right(Ex::MaxW.text(lang), 6),
            a.max,
            b.max
        )),
        Line::from(format!("{:<6}{:>7.4}{:>8.4}", "H", a.entropy, b.entropy)),
        Line::from(format!("{:<6}{:>7.4}{:>8.4}", "‖J‖", a.grad, b.grad)),
        Line::styled(
            ExMsg::EntropyLegend {
                keys: KEYS,
                ln: (KEYS as f64).ln(),
            }
            .text(lang),
            style::DIM,
        ),
        Line::styled(Ex::JacobianNote.text(lang), style::DIM),
        Line::styled(
            ExMsg::SeedKeys {
                seed: r.seed,
                keys: KEYS,
            }
            .text(lang),
            style::DIM,
        ),
    ];
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Ex::ThisRow.text(lang), style::TITLE));
    // Korean is wrapped by display width (ratatui's wrap can put 한 over the border).
    let para = match lang {
        Lang::En => Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        Lang::Ko => Paragraph::new(super::wrap_lines(
            lines,
            usize::from(nums.width.saturating_sub(2)),
        )),
    };
    f.render_widget(para.block(block), nums);
}

fn variance_chart(r: &scaling::ScalingReport, f: &mut Frame, area: Rect, lang: Lang) {
    let measured: Vec<(f64, f64)> = r
        .variance
        .iter()
        .map(|v| ((v.d_k as f64).log2(), v.variance.max(1e-9).log2()))
        .collect();
    let line: Vec<(f64, f64)> = (0..=9).map(|x| (f64::from(x), f64::from(x))).collect();
    let n = r.variance.first().map_or(0, |v| v.samples);
    let chart = Chart::new(vec![
        Dataset::default()
            .name("Var = d_k")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(LINE)
            .data(&line),
        Dataset::default()
            .name(ExMsg::MeasuredN(n).text(lang))
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(MEASURED)
            .data(&measured),
    ])
    .block(
        Block::bordered()
            .border_style(style::FOCUS)
            .title(Line::styled(Ex::VarianceBox.text(lang), style::TITLE)),
    )
    .x_axis(Axis::default().bounds([0.0, 9.0]).labels(vec![
        Span::styled("d_k 1", style::DIM),
        Span::styled("512", style::DIM),
    ]))
    .y_axis(Axis::default().bounds([0.0, 9.0]).labels(vec![
        Span::styled("1", style::DIM),
        Span::styled("512", style::DIM),
    ]));
    f.render_widget(chart, area);
}

fn curve_table(r: &scaling::ScalingReport, d_k: usize, f: &mut Frame, area: Rect, lang: Lang) {
    let rows = r.curve.first().map_or(0, |c| c.rows);
    // Narrow (80×24): the ratio and the unscaled curves only.
    let wide = area.width >= 54;
    let mut lines = vec![Line::styled(
        if wide {
            format!(
                "{:>4} {:>8} {:>6} │ {:>5} {:>5} {:>5} │ {:>5}",
                "d_k", "Var", "Var/d", "max", "H", "‖J‖", "H÷√d"
            )
        } else {
            format!(
                "{:>4} {:>6} {:>5} {:>5} {:>5}",
                "d_k", "Var/d", "max", "H", "‖J‖"
            )
        },
        style::DIM,
    )];
    for (v, c) in r.variance.iter().zip(&r.curve) {
        let text = if wide {
            format!(
                "{:>4} {:>8.2} {:>6.3} │ {:>5.3} {:>5.3} {:>5.3} │ {:>5.3}",
                v.d_k,
                v.variance,
                v.scaled_variance,
                c.unscaled.max,
                c.unscaled.entropy,
                c.unscaled.grad,
                c.scaled.entropy
            )
        } else {
            format!(
                "{:>4} {:>6.3} {:>5.3} {:>5.3} {:>5.3}",
                v.d_k, v.scaled_variance, c.unscaled.max, c.unscaled.entropy, c.unscaled.grad
            )
        };
        lines.push(if v.d_k == d_k {
            Line::styled(text, style::SELECTED)
        } else {
            Line::from(text)
        });
    }
    lines.push(Line::styled(ExMsg::TableNote(rows).text(lang), style::DIM));
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_style(style::BORDER)
                .title(Line::styled(Ex::Measured.text(lang), style::TITLE)),
        ),
        area,
    );
}

fn bars(f: &mut Frame, area: Rect, title: &str, w: &[f64], color: Color) {
    let inner_w = area.width.saturating_sub(2);
    let n = w.len().max(1) as u16;
    let bar_w = (inner_w.saturating_sub(n - 1) / n).clamp(1, 5);
    let data: Vec<Bar> = w
        .iter()
        .enumerate()
        .map(|(j, x)| {
            Bar::default()
                .value((x * 1000.0).round() as u64)
                .text_value(if bar_w >= 4 {
                    format!("{:.2}", x)
                } else {
                    String::new()
                })
                .label(Line::from(format!("k{j}")))
                .style(Style::new().fg(color))
        })
        .collect();
    let chart = BarChart::default()
        .block(
            Block::bordered()
                .border_style(style::BORDER)
                .title(Line::styled(title.to_string(), style::TITLE)),
        )
        .data(BarGroup::default().bars(&data))
        .bar_width(bar_w)
        .bar_gap(1)
        .max(1000);
    f.render_widget(chart, area);
}
