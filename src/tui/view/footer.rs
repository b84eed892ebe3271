//! The status line and the footer of keys.

use super::*;
use crate::i18n::ui::{FooterWord, Hint, Label};
use crate::keymap::{self, Ctx, KEYMAP, Key, Message, Show, keys_label};
use crate::tui::message::contexts;

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

/// One item of the footer: keys, what they do, its priority (lower first and kept when the
/// footer is narrow); `always` for the key that lists every key.
struct Item {
    keys: String,
    text: &'static str,
    prio: u8,
    always: bool,
}

impl Item {
    fn width(&self) -> usize {
        width(&self.keys) + width(self.text) + 3
    }
}

/// The keys the footer offers now, from the key table, in order (before fitting the width).
pub fn footer_keys(app: &App) -> Vec<(String, &'static str)> {
    footer_items(app)
        .into_iter()
        .map(|i| (i.keys, i.text))
        .collect()
}

/// The footer's items: each row of the key table for the current contexts that has a footer
/// place and shows now, with the keys this row answers there; rows of the same priority and
/// hint side by side make one item (`m s e o toggle`).
fn footer_items(app: &App) -> Vec<Item> {
    let lang = app.lang();
    let ctxs: Vec<Ctx> = contexts(app)
        .iter()
        .copied()
        .filter(|c| *c != Ctx::Panes || matches!(app.mode(), Mode::Normal))
        .collect();
    let answers = |k: Key| {
        ctxs.iter()
            .find_map(|c| keymap::lookup(*c, k, app.is_training()))
            .map(|(b, _)| b)
    };
    let mut items: Vec<(Vec<Key>, Hint, u8, bool)> = Vec::new();
    for b in KEYMAP {
        let Some(foot) = b.foot else { continue };
        if !b.ctx.iter().any(|c| ctxs.contains(c)) || !shown(foot.show, app) {
            continue;
        }
        let keys: Vec<Key> = b
            .keys
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| answers(*k).is_some_and(|found| std::ptr::eq(found, b)))
            .take(foot.keys)
            .collect();
        if keys.is_empty() {
            continue;
        }
        let always = b.keys.iter().any(|(_, m)| *m == Message::Help);
        let hint = said(foot.hint, app);
        // During a practice question the key that answers it comes right after the moves.
        let prio = if hint == Hint::Answer { 22 } else { foot.prio };
        items.push((keys, hint, prio, always));
    }
    items.sort_by_key(|i| i.2);
    let mut merged: Vec<(Vec<Key>, Hint, u8, bool)> = Vec::new();
    for it in items {
        match merged.last_mut() {
            Some(last) if last.1 == it.1 && last.2 == it.2 => last.0.extend(it.0),
            _ => merged.push(it),
        }
    }
    let mut out: Vec<Item> = merged
        .into_iter()
        .map(|(keys, hint, prio, always)| Item {
            keys: keys_label(&keys),
            text: hint.text(lang),
            prio,
            always,
        })
        .collect();
    // Words to type, not keys: said in the language too.
    let word = |w: FooterWord| w.text(lang);
    let extra = match app.mode() {
        Mode::Prompt {
            kind: PromptKind::Command,
            ..
        } => Some(("help".to_string(), Hint::ListsCommands, 40)),
        Mode::Prompt {
            kind: PromptKind::Answer,
            ..
        } => Some((word(FooterWord::Example {}), Hint::AnswerExample, 20)),
        Mode::Prompt { line, .. } if line.is_suggested() => {
            Some((word(FooterWord::Type {}), Hint::NewName, 15))
        }
        _ => None,
    };
    if let Some((keys, hint, prio)) = extra {
        let at = out.iter().position(|i| i.prio > prio).unwrap_or(out.len());
        out.insert(
            at,
            Item {
                keys,
                text: hint.text(lang),
                prio,
                always: false,
            },
        );
    }
    out
}

/// Whether the footer names a row now.
fn shown(show: Show, app: &App) -> bool {
    match show {
        Show::Always => true,
        Show::Tree => app.focus() == Pane::Tree,
        Show::Sentence => !app.session().is_hand_check(),
        Show::Heads => app.session().current_head().is_some(),
        Show::Layers => app.current_layer().is_some(),
        Show::TourOrPractice => {
            app.session().tour().is_some() || app.session().practice().is_some()
        }
        Show::Editor => matches!(app.mode(), Mode::Edit { .. }),
        Show::EditorOrSuggested => match app.mode() {
            Mode::Edit { .. } => true,
            Mode::Prompt { line, .. } => line.is_suggested(),
            _ => false,
        },
    }
}

/// What the footer says a row does, said more exactly for the state.
fn said(hint: Hint, app: &App) -> Hint {
    let prompt = match app.mode() {
        Mode::Prompt { kind, line } => Some((*kind, line.is_suggested())),
        _ => None,
    };
    match hint {
        Hint::Cell => match app.focus() {
            Pane::Matrix => Hint::Cell,
            Pane::Tree => Hint::MoveFold,
            Pane::Detail => Hint::Scroll,
        },
        Hint::Step if app.session().tour().is_some() => Hint::Stop,
        Hint::EndTour if app.session().practice().is_some() => Hint::LeavePractice,
        Hint::Practice if app.session().practice().is_some() => Hint::Answer,
        Hint::Grad if app.grad_view() => Hint::Forward,
        Hint::Train if app.is_training() => Hint::Pause,
        Hint::Run => match prompt {
            None | Some((PromptKind::Command, _)) => Hint::Run,
            Some((PromptKind::Answer, _)) => Hint::Grade,
            Some((PromptKind::PlotPath, _)) => Hint::Write,
            Some(_) => Hint::Save,
        },
        Hint::Cancel if matches!(prompt, Some((PromptKind::Answer, _))) => Hint::LeavePractice,
        Hint::Move if matches!(prompt, Some((_, true))) => Hint::EditThisOne,
        h => h,
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
    let items = footer_items(app);
    let w = usize::from(area.width);
    // The key that lists every key always shows; the others by priority while they fit
    // (one that does not fit leaves room for a shorter one after it).
    let mut used: usize = items.iter().filter(|i| i.always).map(Item::width).sum();
    let mut spans = Vec::new();
    for i in &items {
        if !i.always {
            if used + i.width() > w {
                continue;
            }
            used += i.width();
        }
        spans.push(Span::styled(format!(" {} ", i.keys), style::KEY));
        spans.push(Span::styled(format!("{} ", i.text), style::DIM));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
