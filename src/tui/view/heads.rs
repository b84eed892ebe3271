//! All heads at once (`H`): a grid of small heatmaps, one row per attention block (encoder
//! self, decoder self, cross), one column per head, each with its role; beside it the
//! selected head's entropy, the rule and the numbers that fired it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::explore::heads::{self, HeadSummary};
use crate::i18n::Lang;
use crate::i18n::explore::{Ex, ExMsg, head_reason};
use crate::trace::StepKind;

use super::super::app::App;
use super::super::explore::grid;
use super::pe::shade;
use super::style;

/// Draws the heads grid into `area`.
#[expect(
    clippy::too_many_lines,
    reason = "the heads view drawn in order: grid of blocks and heads, the selected head's numbers, the rule."
)]
pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang();
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Ex::HeadsTitle.text(lang), style::TITLE));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let trace = app.session().trace();
    let list = heads::summarize(trace);
    if list.is_empty() {
        f.render_widget(Paragraph::new(Ex::NoHeads.text(lang)), inner);
        return;
    }
    let sel = app.explore().head.min(list.len() - 1);
    let (blocks, per) = grid(&list);
    // Tile size: the widest block's keys (one char per key, at least the role label).
    let keys = list.iter().map(|h| h.stats.keys).max().unwrap_or(1);
    let rows_of = |step: &str| trace.get(step).map_or(1, |s| s.dims().0);
    let tile_w = (keys as u16 + 1).max(8);
    let grid_w = 9 + per as u16 * (tile_w + 1);
    let wide = inner.width >= grid_w + 30;
    let (grid_area, detail_area) = if wide {
        let [a, b] =
            Layout::horizontal([Constraint::Length(grid_w), Constraint::Min(0)]).areas(inner);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Min(0), Constraint::Length(5)]).areas(inner);
        (a, b)
    };
    // Scroll so that the selected block is on screen.
    let heights: Vec<u16> = blocks.iter().map(|b| rows_of(b) as u16 + 1).collect();
    let sel_block = blocks
        .iter()
        .position(|b| *b == list[sel].step)
        .unwrap_or(0);
    let mut first = 0;
    while first < sel_block && heights[first..=sel_block].iter().sum::<u16>() > grid_area.height {
        first += 1;
    }
    let buf = f.buffer_mut();
    let mut y = grid_area.y;
    for (b, step) in blocks.iter().enumerate().skip(first) {
        let h = heights[b];
        if y + h > grid_area.y + grid_area.height {
            break;
        }
        // "enc 1 self" on two lines: "enc 1", "self".
        let (stack, kind) = heads::block_label_parts(step);
        let stack = ExMsg::Stack(stack).text(lang);
        buf.set_stringn(grid_area.x, y, stack, 8, style::TITLE);
        if h > 1 {
            let kind = ExMsg::BlockKind(kind.to_string()).text(lang);
            buf.set_stringn(grid_area.x, y + 1, kind, 8, style::DIM);
        }
        for s in list.iter().filter(|s| s.step == *step) {
            let i = list.iter().position(|x| std::ptr::eq(x, s)).unwrap_or(0);
            let x = grid_area.x + 9 + s.head as u16 * (tile_w + 1);
            if x + tile_w > grid_area.x + grid_area.width {
                continue;
            }
            let label_style = if i == sel {
                style::SELECTED
            } else {
                style::DIM
            };
            let mark = if i == sel { "▶" } else { "" };
            buf.set_stringn(
                x,
                y,
                format!(
                    "{mark}{}·{}",
                    s.head,
                    ExMsg::ShortRole(s.stats.role).text(lang)
                ),
                usize::from(tile_w),
                label_style,
            );
            let Some(m) = trace
                .get(step)
                .and_then(|st| st.matrix(st.heads().map(|_| s.head)).ok())
            else {
                continue;
            };
            for (r, row) in m.rows().into_iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if c as u16 >= tile_w {
                        break;
                    }
                    buf.set_string(
                        x + c as u16,
                        y + 1 + r as u16,
                        shade(f64::from(*v), 1.0),
                        style::heat(StepKind::Weights, *v, 1.0),
                    );
                }
            }
        }
        y += h;
    }
    detail(&list[sel], f, detail_area, wide, lang);
}

fn detail(h: &HeadSummary, f: &mut Frame, area: Rect, wide: bool, lang: Lang) {
    let s = &h.stats;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{}[{}]", h.step, h.head), style::KEY),
            Span::raw(ExMsg::Role(s.role).text(lang)),
        ]),
        Line::from(ExMsg::Because(head_reason(s, lang)).text(lang)),
        Line::from(
            ExMsg::Entropy {
                entropy: s.entropy,
                rows: s.rows,
                keys: s.keys,
                causal: h.causal,
            }
            .text(lang),
        ),
    ];
    if wide {
        let mut nums = Vec::new();
        if let Some(p) = s.previous {
            nums.push(format!("w[i][i−1] {p:.3}"));
        }
        if let Some(x) = s.itself {
            nums.push(format!("w[i][i] {x:.3}"));
        }
        nums.push(format!("w[i][0] {:.3}", s.first));
        lines.push(Line::from(ExMsg::Means(nums.join(", ")).text(lang)));
        lines.push(Line::from(""));
        lines.push(Line::styled(
            Ex::HeadsRule.text(lang).trim_end().to_string(),
            style::DIM,
        ));
        lines.push(Line::from(""));
        lines.push(Line::styled(Ex::HeadsKeys.text(lang), style::DIM));
    }
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(Ex::SelectedHead.text(lang), style::TITLE));
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
