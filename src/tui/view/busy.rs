//! The box shown while a command takes long (a `base` rerun, a large checkpoint): what is
//! being done, how far it got, the time so far, and how to cancel. It is drawn over the last
//! frame of the workbench, which the running command cannot be asked to redraw.

use std::time::Duration;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Gauge, Paragraph};

use crate::model::cancel::Progress;

/// Draws `backdrop` (the last frame, when the terminal still has its size) and over it the
/// progress box: `progress` as a sentence and a gauge when it has a total, the elapsed time,
/// and the cancel keys (`cancelling` once one was pressed).
pub fn render(
    f: &mut Frame,
    backdrop: &Buffer,
    progress: Progress,
    elapsed: Duration,
    cancelling: bool,
) {
    let area = f.area();
    if backdrop.area == area {
        f.buffer_mut().clone_from(backdrop);
    }
    let w = 56.min(area.width);
    let h = 6.min(area.height);
    let r = super::centred(area, w, h);
    f.render_widget(Clear, r);
    let block = Block::bordered().title(" working ");
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [what, gauge, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(format!("{progress} · {:.1} s", elapsed.as_secs_f64())),
        what,
    );
    if progress.total > 0 {
        let ratio = (progress.done as f64 / progress.total as f64).clamp(0.0, 1.0);
        f.render_widget(
            Gauge::default()
                .ratio(ratio)
                .gauge_style(Style::default().add_modifier(Modifier::REVERSED)),
            gauge,
        );
    }
    let hint = if cancelling {
        "cancelling… the session stays as it was".to_string()
    } else {
        "Esc or Ctrl-C cancels; the session stays as it was".to_string()
    };
    f.render_widget(Paragraph::new(Line::from(hint)), keys);
}
