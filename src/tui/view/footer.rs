//! The status line and the footer of keys.

use super::*;

pub(super) fn status(app: &App, f: &mut Frame, area: Rect) {
    let w = usize::from(area.width);
    match app.mode() {
        Mode::Prompt { kind, line } => {
            let label = match kind {
                PromptKind::Command => ":",
                PromptKind::SavePath => "save as: ",
                PromptKind::PlotPath => "write the matrix as SVG to: ",
                PromptKind::CheckpointPath => "save checkpoint as: ",
                PromptKind::ForceToken => "next token (instead of the model's): ",
                PromptKind::Answer => "your answer: ",
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
    match app.mode() {
        Mode::Edit { .. } => vec![
            ("Enter", "run"),
            ("Esc", "cancel"),
            ("←→", "move"),
            ("Home/End", "ends"),
            ("Ctrl-U", "clear"),
        ],
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        } => vec![
            ("Enter", "run"),
            ("Esc", "cancel"),
            ("↑↓", "history"),
            ("help", "lists the commands"),
        ],
        Mode::Prompt {
            kind: PromptKind::Answer,
            ..
        } => vec![
            ("Enter", "grade"),
            ("Esc", "leave practice"),
            ("e.g.", "0.25 or 0.9 0.1"),
        ],
        Mode::Prompt {
            kind: PromptKind::PlotPath,
            ..
        } => vec![("Enter", "write"), ("Esc", "cancel")],
        Mode::Prompt { line, .. } if line.is_suggested() => vec![
            ("Enter", "save"),
            ("type", "a new name"),
            ("←→/⌫", "edit this one"),
            ("Esc", "cancel"),
        ],
        Mode::Prompt { .. } => vec![("Enter", "save"), ("Esc", "cancel")],
        Mode::ConfirmOverwrite { .. } => vec![("y", "overwrite"), ("n/Esc", "keep the file")],
        Mode::About { tour: true, .. } => {
            vec![
                ("Enter", "start the tour"),
                ("↑↓", "scroll"),
                ("Esc", "close"),
            ]
        }
        Mode::Help { .. } | Mode::Output { .. } | Mode::About { .. } => {
            vec![("↑↓ PgUp PgDn", "scroll"), ("Esc", "close")]
        }
        Mode::Normal if app.screen() == Screen::Learn => vec![
            ("space", if app.is_training() { "pause" } else { "train" }),
            (".", "one step"),
            ("← →", "snapshots"),
            ("k", "keep"),
            ("w", "save"),
            ("d", "decode"),
            ("Esc", "back"),
            ("q", "quit"),
            ("[ ] { }", "head/block"),
        ],
        Mode::Normal if app.screen() == Screen::Pe => vec![
            ("[ ]", "pair i"),
            ("← →", "p"),
            ("↑ ↓", "k"),
            ("S H", "scaling/heads"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        Mode::Normal if app.screen() == Screen::Scaling => vec![
            ("← →", "d_k"),
            ("E H", "pe/heads"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        Mode::Normal if app.screen() == Screen::Heads => vec![
            ("←↑↓→", "head"),
            ("Enter", "open"),
            ("E S", "pe/scaling"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        Mode::Normal if app.screen() == Screen::Decode => vec![
            ("n", "next token"),
            ("p", "back"),
            ("f", "your token"),
            ("r", "restart"),
            ("L", "learn"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        Mode::Normal => {
            let mut v = match app.focus() {
                Pane::Matrix => vec![("←↑↓→", "cell")],
                Pane::Tree => vec![("↑↓", "move"), ("Enter", "select"), ("←→", "close/open")],
                Pane::Detail => vec![("↑↓", "scroll")],
            };
            if app.session().tour().is_some() {
                v.push(("n/p", "stop"));
                v.push(("Esc", "end tour"));
            } else {
                v.push(("n/p", "step"));
            }
            // The keys that matter most come first: a narrow footer drops the last ones.
            // A hand-check has no sentence, positional encoding or norm: only m and s apply.
            let hand = app.session().is_hand_check();
            v.extend([
                (if hand { "m s" } else { "m s e o" }, "toggle"),
                (":", "cmd"),
                ("?", "help"),
                ("q", "quit"),
            ]);
            if !hand {
                v.push(("i", "edit"));
            }
            v.push(("w", "save"));
            v.push(("x", "svg"));
            if !hand {
                v.push(("g", if app.grad_view() { "forward" } else { "grad" }));
                v.push(("d L", "decode/learn"));
            }
            if app.session().current_head().is_some() {
                v.push(("[ ]", "head"));
            }
            if app.current_layer().is_some() {
                v.push(("{ }", "layer"));
            }
            if app.session().practice().is_some() {
                v.insert(1, ("P", "answer"));
                v.insert(2, ("Esc", "leave practice"));
            } else {
                v.push(("P", "practice"));
            }
            v.extend([("r", "tour"), ("a", "about"), ("Tab", "pane")]);
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
