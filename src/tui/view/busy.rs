//! The box shown while a command takes long (a `base` rerun, a large checkpoint): what is
//! being done, how far it got, the time so far, and how to cancel. It is drawn over the last
//! frame of the workbench, which the running command cannot be asked to redraw.

use std::time::Duration;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Gauge, Paragraph};

use crate::i18n::Lang;
use crate::i18n::ui::{Label, Msg};
use crate::model::cancel::Progress;

/// Draws `backdrop` (the last frame, when the terminal still has its size) and over it the
/// progress box: `progress` as a sentence and a gauge when it has a total, the elapsed time,
/// and the cancel keys (`cancelling` once one was pressed), in `lang`.
pub fn render(
    f: &mut Frame,
    backdrop: &Buffer,
    progress: Progress,
    elapsed: Duration,
    cancelling: bool,
    lang: Lang,
) {
    let area = f.area();
    if backdrop.area == area {
        f.buffer_mut().clone_from(backdrop);
    }
    let w = 56.min(area.width);
    let h = 6.min(area.height);
    let r = super::centred(area, w, h);
    super::clear_box(f, r);
    let block = Block::bordered().title(Label::Working.text(lang));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [what, gauge, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(
            Msg::Elapsed {
                what: Msg::Progress(progress).text(lang),
                secs: elapsed.as_secs_f64(),
            }
            .text(lang),
        ),
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
        Label::Cancelling.text(lang)
    } else {
        Label::CancelHint.text(lang)
    };
    f.render_widget(Paragraph::new(Line::from(hint)), keys);
}
