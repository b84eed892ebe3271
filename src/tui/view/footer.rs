//! The status line and the footer of keys.

use super::*;
use crate::i18n::Lang;
use crate::i18n::ui::{Hint, Label};

pub(super) fn status(app: &App, f: &mut Frame, area: Rect) {
    let w = usize::from(area.width);
    match app.mode() {
        Mode::Prompt { kind, line } => {
            let label = match kind {
                PromptKind::Command => ":",
                PromptKind::SavePath => Label::PromptSave.text(app.lang()),
                PromptKind::PlotPath => Label::PromptPlot.text(app.lang()),
                PromptKind::CheckpointPath => Label::PromptCheckpoint.text(app.lang()),
                PromptKind::ForceToken => Label::PromptForceToken.text(app.lang()),
                PromptKind::Answer => Label::PromptAnswer.text(app.lang()),
            };
            let lw = width(label);
            let (shown, col) = edit_window(line, w.saturating_sub(lw + 1));
            // An untouched suggestion shows selected: typing replaces it.
            let text = if line.is_suggested() {
                Span::styled(
                    shown,
                    Style::new().add_modifier(ratatui::style::Modifier::REVERSED),
                )
            } else {
                Span::raw(shown)
            };
            f.render_widget(
                Paragraph::new(Line::from(vec![Span::styled(label, style::TITLE), text])),
                area,
            );
            f.set_cursor_position((area.x + (lw + col) as u16, area.y));
        }
        _ => {
            if let Some(st) = app.status() {
                let s = match st.kind {
                    StatusKind::Info => Style::new(),
                    StatusKind::Warning => style::WARNING,
                    StatusKind::Error => style::ERROR,
                };
                let text = truncate(&st.text, w);
                let pad = w.saturating_sub(width(&text));
                f.render_widget(
                    Paragraph::new(Line::styled(format!("{text}{}", " ".repeat(pad)), s)),
                    area,
                );
            }
        }
    }
}

/// The keys that apply in the current mode and pane.
pub fn footer_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    let lang = app.lang();
    footer_hints(app)
        .into_iter()
        .map(|(k, h)| {
            // Two "keys" are words: say them in the language too.
            let k = match (k, lang) {
                ("type", Lang::Ko) => "입력",
                ("e.g.", Lang::Ko) => "예:",
                _ => k,
            };
            (k, h.text(lang))
        })
        .collect()
}

/// The keys that apply in the current mode and pane, with what they do as catalogue keys.
// Over 80 lines: one arm per mode and view: which keys each screen offers.
fn footer_hints(app: &App) -> Vec<(&'static str, Hint)> {
    match app.mode() {
        Mode::Edit { .. } => vec![
            ("Enter", Hint::Run),
            ("Esc", Hint::Cancel),
            ("←→", Hint::Move),
            ("Home/End", Hint::Ends),
            ("Ctrl-U", Hint::Clear),
        ],
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        } => vec![
            ("Enter", Hint::Run),
            ("Esc", Hint::Cancel),
            ("↑↓", Hint::History),
            ("help", Hint::ListsCommands),
        ],
        Mode::Prompt {
            kind: PromptKind::Answer,
            ..
        } => vec![
            ("Enter", Hint::Grade),
            ("Esc", Hint::LeavePractice),
            ("e.g.", Hint::AnswerExample),
        ],
        Mode::Prompt {
            kind: PromptKind::PlotPath,
            ..
        } => vec![("Enter", Hint::Write), ("Esc", Hint::Cancel)],
        Mode::Prompt { line, .. } if line.is_suggested() => vec![
            ("Enter", Hint::Save),
            ("type", Hint::NewName),
            ("←→/⌫", Hint::EditThisOne),
            ("Esc", Hint::Cancel),
        ],
        Mode::Prompt { .. } => vec![("Enter", Hint::Save), ("Esc", Hint::Cancel)],
        Mode::ConfirmOverwrite { .. } => vec![("y", Hint::Overwrite), ("n/Esc", Hint::KeepFile)],
        Mode::About { tour: true, .. } => {
            vec![
                ("Enter", Hint::StartTour),
                ("↑↓", Hint::Scroll),
                ("Esc", Hint::Close),
            ]
        }
        Mode::Help { .. } | Mode::Output { .. } | Mode::About { .. } => {
            vec![("↑↓ PgUp PgDn", Hint::Scroll), ("Esc", Hint::Close)]
        }
        Mode::Normal if app.screen() == Screen::Learn => vec![
            (
                "space",
                if app.is_training() {
                    Hint::Pause
                } else {
                    Hint::Train
                },
            ),
            (".", Hint::OneStep),
            ("← →", Hint::Snapshots),
            ("k", Hint::Keep),
            ("w", Hint::Save),
            ("d", Hint::Decode),
            ("Esc", Hint::Back),
            ("q", Hint::Quit),
            ("[ ] { }", Hint::HeadBlock),
        ],
        Mode::Normal if app.screen() == Screen::Pe => vec![
            ("[ ]", Hint::PairI),
            ("← →", Hint::P),
            ("↑ ↓", Hint::K),
            ("S H", Hint::ScalingHeads),
            ("Esc", Hint::Back),
            ("q", Hint::Quit),
        ],
        Mode::Normal if app.screen() == Screen::Scaling => vec![
            ("← →", Hint::Dk),
            ("E H", Hint::PeHeads),
            ("Esc", Hint::Back),
            ("q", Hint::Quit),
        ],
        Mode::Normal if app.screen() == Screen::Heads => vec![
            ("←↑↓→", Hint::Head),
            ("Enter", Hint::Open),
            ("E S", Hint::PeScaling),
            ("Esc", Hint::Back),
            ("q", Hint::Quit),
        ],
        Mode::Normal if app.screen() == Screen::Decode => vec![
            ("n", Hint::NextToken),
            ("p", Hint::Back),
            ("f", Hint::YourToken),
            ("r", Hint::Restart),
            ("L", Hint::Learn),
            ("Esc", Hint::Back),
            ("q", Hint::Quit),
        ],
        Mode::Normal => {
            let mut v = match app.focus() {
                Pane::Matrix => vec![("←↑↓→", Hint::Cell)],
                Pane::Tree => vec![
                    ("↑↓", Hint::Move),
                    ("Enter", Hint::Select),
                    ("←→", Hint::CloseOpen),
                ],
                Pane::Detail => vec![("↑↓", Hint::Scroll)],
            };
            if app.session().tour().is_some() {
                v.push(("n/p", Hint::Stop));
                v.push(("Esc", Hint::EndTour));
            } else {
                v.push(("n/p", Hint::Step));
            }
            // The keys that matter most come first: a narrow footer drops the last ones.
            // A hand-check has no sentence, positional encoding or norm: only m and s apply.
            let hand = app.session().is_hand_check();
            v.extend([
                (if hand { "m s" } else { "m s e o" }, Hint::Toggle),
                (":", Hint::Cmd),
                ("?", Hint::Help),
                ("q", Hint::Quit),
            ]);
            if !hand {
                v.push(("i", Hint::Edit));
            }
            v.push(("w", Hint::Save));
            v.push(("x", Hint::Svg));
            if !hand {
                v.push((
                    "g",
                    if app.grad_view() {
                        Hint::Forward
                    } else {
                        Hint::Grad
                    },
                ));
                v.push(("d L", Hint::DecodeLearn));
            }
            if app.session().current_head().is_some() {
                v.push(("[ ]", Hint::Head));
            }
            if app.current_layer().is_some() {
                v.push(("{ }", Hint::Layer));
            }
            if app.session().practice().is_some() {
                v.insert(1, ("P", Hint::Answer));
                v.insert(2, ("Esc", Hint::LeavePractice));
            } else {
                v.push(("P", Hint::Practice));
            }
            v.extend([("r", Hint::Tour), ("a", Hint::About), ("Tab", Hint::Pane)]);
            v
        }
    }
}

pub(super) fn footer(app: &App, f: &mut Frame, area: Rect) {
    // At the `:` prompt, Tab's candidates take the footer.
    if let (
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        },
        Some(st),
    ) = (app.mode(), app.status())
        && st.text.starts_with("Tab: ")
    {
        f.render_widget(
            Paragraph::new(Line::styled(
                truncate(&format!(" {}", st.text), usize::from(area.width)),
                style::DIM,
            )),
            area,
        );
        return;
    }
    // At the answer prompt, why the last answer was refused takes the footer.
    if let (
        Mode::Prompt {
            kind: PromptKind::Answer,
            ..
        },
        Some(st),
    ) = (app.mode(), app.status())
        && st.kind == StatusKind::Error
    {
        f.render_widget(
            Paragraph::new(Line::styled(
                truncate(&format!(" {}", st.text), usize::from(area.width)),
                style::ERROR,
            )),
            area,
        );
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    let w = usize::from(area.width);
    for (k, d) in footer_keys(app) {
        let need = width(k) + width(d) + 3;
        if used + need > w {
            break;
        }
        spans.push(Span::styled(format!(" {k} "), style::KEY));
        spans.push(Span::styled(format!("{d} "), style::DIM));
        used += need;
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
