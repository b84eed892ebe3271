//! The positional-encoding explorer (`E`): the sine and cosine of the chosen frequency
//! pair over positions, the PE table and PE(p)·PE(p+k) as shaded heatmaps, and the
//! rotation that takes PE(p) to PE(p+k) with its numbers.

use ndarray::Array2;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Wrap};

use crate::explore::pe;
use crate::i18n::Lang;
use crate::i18n::explore::{Ex, ExMsg};
use crate::trace::StepKind;

use super::super::app::App;
use super::super::explore::{PE_OFFSETS, PE_POSITIONS};
use super::style;

const SIN: Style = Style::new().fg(Color::Indexed(45));
const COS: Style = Style::new().fg(Color::Indexed(214));

/// The shade of |v| / scale: blank, ░, ▒, ▓, █.
pub fn shade(v: f64, scale: f64) -> &'static str {
    let t = if scale > 0.0 { v.abs() / scale } else { 0.0 };
    match t {
        t if t < 0.05 => " ",
        t if t < 0.3 => "░",
        t if t < 0.55 => "▒",
        t if t < 0.8 => "▓",
        _ => "█",
    }
}

/// A matrix as shaded cells (`cell` columns each), red positive, blue negative, with the
/// cell `mark` drawn as `◆`; rows and columns that do not fit are cut.
///
/// # Shapes
/// `m`: rows × cols.
pub fn shaded(
    f: &mut Frame,
    area: Rect,
    m: &Array2<f64>,
    cell: u16,
    row_label: &dyn Fn(usize) -> String,
    mark: Option<(usize, usize)>,
) {
    let scale = m.iter().fold(0f64, |a, v| a.max(v.abs()));
    let label_w = 4u16;
    let buf = f.buffer_mut();
    for (i, row) in m.rows().into_iter().enumerate() {
        let y = area.y + i as u16;
        if i as u16 >= area.height {
            break;
        }
        buf.set_stringn(area.x, y, row_label(i), usize::from(label_w), style::DIM);
        for (j, v) in row.iter().enumerate() {
            let x = area.x + label_w + j as u16 * cell;
            if x + cell > area.x + area.width {
                break;
            }
            let st = style::heat(StepKind::Scores, *v as f32, scale as f32);
            let sym = if mark == Some((i, j)) {
                "◆"
            } else {
                shade(*v, scale)
            };
            for c in 0..cell {
                buf.set_string(x + c, y, sym, st);
            }
        }
    }
}

/// Draws the PE explorer into `area`.
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let e = app.explore();
    let d = app.session().explore_d_model();
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(ExMsg::PeTitle(d).text(lang), style::TITLE));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let rot = pe::rotation(e.p, e.k, e.pair, d);
    let (table, dots) = match (
        pe::table(PE_POSITIONS, d),
        pe::dots(PE_POSITIONS, PE_OFFSETS, d),
    ) {
        (Ok(t), Ok(dd)) => (t, dd),
        _ => {
            f.render_widget(Paragraph::new(ExMsg::NoPe(d).text(lang)), inner);
            return;
        }
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(inner);
    let [waves_area, numbers] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
    waves(app, &table, f, waves_area);
    let spread = pe::spread_over_p(&dots);
    numbers_panel(app, rot.ok(), &dots, &spread, f, numbers);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    let b = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(
            format!(" PE[p][d], p 0..{} × d 0..{} ", PE_POSITIONS - 1, d - 1),
            style::TITLE,
        ));
    let li = b.inner(left);
    f.render_widget(b, left);
    let cell = if usize::from(li.width.saturating_sub(4)) >= 2 * d {
        2
    } else {
        1
    };
    // Rows are positions; the column under the cursor is 2i (the sine of the pair).
    shaded(
        f,
        li,
        &table,
        cell,
        &|p| format!("p{p}"),
        Some((e.p, 2 * e.pair)),
    );
    let b = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Ex::PeDotsBox.text(lang), style::TITLE))
        .title_bottom(Line::styled(Ex::PeDotsNote.text(lang), style::DIM));
    let ri = b.inner(right);
    f.render_widget(b, right);
    shaded(f, ri, &dots, 1, &|p| format!("p{p}"), Some((e.p, e.k)));
}

fn waves(app: &App, table: &Array2<f64>, f: &mut Frame, area: Rect) {
    let e = app.explore();
    let (s, c) = (2 * e.pair, 2 * e.pair + 1);
    let col = |j: usize| -> Vec<(f64, f64)> {
        if j >= table.ncols() {
            return Vec::new();
        }
        table
            .column(j)
            .iter()
            .enumerate()
            .map(|(p, v)| (p as f64, *v))
            .collect()
    };
    let (sin, cos) = (col(s), col(c));
    let marks: Vec<(f64, f64)> = [e.p, e.p + e.k]
        .into_iter()
        .filter(|p| *p < table.nrows())
        .map(|p| (p as f64, table[[p, s]]))
        .collect();
    let names = (format!("d{s} sin"), format!("d{c} cos"));
    let mut sets = vec![
        Dataset::default()
            .name(names.0.clone())
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(SIN)
            .data(&sin),
    ];
    if !cos.is_empty() {
        sets.push(
            Dataset::default()
                .name(names.1.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(COS)
                .data(&cos),
        );
    }
    sets.push(
        Dataset::default()
            .name("p, p+k")
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(style::KEY)
            .data(&marks),
    );
    let max = (table.nrows() - 1) as f64;
    let chart = Chart::new(sets)
        .block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::from(vec![
                    Span::styled(ExMsg::Pair(e.pair).text(app.lang()), style::TITLE),
                    Span::styled(format!("d{s} sin "), SIN),
                    Span::styled(format!("d{c} cos "), COS),
                    Span::styled("• p, p+k ", style::KEY),
                ])),
        )
        .x_axis(Axis::default().bounds([0.0, max]).labels(vec![
            Span::styled("0", style::DIM),
            Span::styled(format!("p {max:.0}"), style::DIM),
        ]))
        .y_axis(Axis::default().bounds([-1.0, 1.0]).labels(vec![
            Span::styled("-1", style::DIM),
            Span::styled("1", style::DIM),
        ]));
    f.render_widget(chart, area);
}

fn numbers_panel(
    app: &App,
    rot: Option<pe::Rotation>,
    dots: &Array2<f64>,
    spread: &[f64],
    f: &mut Frame,
    area: Rect,
) {
    let e = app.explore();
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Ex::RotationBox.text(lang), style::TITLE));
    let Some(r) = rot else {
        f.render_widget(Paragraph::new(Ex::NoPair.text(lang)).block(block), area);
        return;
    };
    let v = |x: f64| format!("{x:>8.4}");
    let (i, a) = (r.pair, r.omega * r.k as f64);
    let dot = dots
        .get((e.p.min(dots.nrows() - 1), e.k))
        .copied()
        .unwrap_or(f64::NAN);
    let worst = spread.iter().copied().fold(0.0, f64::max);
    // Short lines: the panel is 33 columns wide at 80×24.
    let lines = vec![
        Line::from(vec![
            Span::styled(format!("p={} k={} i={}", r.p, r.k, i), style::KEY),
            Span::raw(format!(" (d{} sin, d{} cos)", 2 * i, 2 * i + 1)),
        ]),
        Line::from(format!("ω_i={:.6}  ω_i·k={a:.4}", r.omega)),
        Line::from(format!("M = [{} {}]", v(r.m[0][0]), v(r.m[0][1]))),
        Line::from(format!("    [{} {}]", v(r.m[1][0]), v(r.m[1][1]))),
        Line::from(format!("PE(p)     [{} {}]", v(r.from[0]), v(r.from[1]))),
        Line::from(format!(
            "M·PE(p)   [{} {}]",
            v(r.predicted[0]),
            v(r.predicted[1])
        )),
        Line::from(format!("PE(p+k)   [{} {}]", v(r.actual[0]), v(r.actual[1]))),
        Line::from(vec![
            Span::raw(Ex::Residual.text(lang)),
            Span::styled(format!("{:.1e}", r.residual()), style::KEY),
        ]),
        Line::from(ExMsg::DotForAllP(format!("{dot:.4}")).text(lang)),
        Line::from(ExMsg::Spread(format!("{worst:.0e}")).text(lang)),
        Line::styled(Ex::RotationNote.text(lang), style::DIM),
    ];
    // Korean is wrapped by display width (ratatui's wrap can put 한 over the border).
    let para = match lang {
        Lang::En => Paragraph::new(lines).wrap(Wrap { trim: false }),
        Lang::Ko => Paragraph::new(super::wrap_lines(
            lines,
            usize::from(area.width.saturating_sub(2)),
        )),
    };
    f.render_widget(para.block(block), area);
}
