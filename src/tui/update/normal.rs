//! The workbench's own keys (no editor, prompt or box open): moving, toggles, opening views
//! and prompts, mouse clicks.

use super::*;

#[expect(
    clippy::too_many_lines,
    reason = "one arm per workbench message: the key map as one table."
)]
pub(super) fn normal_mode(app: &mut App, msg: Message) {
    if super::explore::handle(app, &msg) || super::screens::handle(app, &msg) {
        return;
    }
    match msg {
        Message::Move(d) => move_in_pane(app, app.focus, d, 1),
        Message::Page(d) => {
            let n = page_size(app, app.focus);
            move_in_pane(app, app.focus, d, n);
        }
        Message::First => match app.focus {
            Pane::Matrix => move_cell_to(app, None, Some(0)),
            Pane::Tree => {
                if let Some(n) = app.tree_rows().first() {
                    app.tree_sel = n.clone();
                }
            }
            Pane::Detail => app.scroll.detail = 0,
        },
        Message::Last => match app.focus {
            Pane::Matrix => {
                let cols = app.session.current_step().map_or(1, |s| s.dims().1);
                move_cell_to(app, None, Some(cols.saturating_sub(1)));
            }
            Pane::Tree => {
                if let Some(n) = app.tree_rows().last() {
                    app.tree_sel = n.clone();
                }
            }
            Pane::Detail => {
                app.scroll.detail = app.extent.detail.saturating_sub(1) as u16;
            }
        },
        Message::FocusNext => app.focus = app.focus.next(),
        Message::FocusPrev => app.focus = app.focus.prev(),
        Message::NextHead | Message::PrevHead => {
            let fwd = msg == Message::NextHead;
            let heads = app.session.current_step().and_then(Step::heads);
            let h = app.session.cursor().head;
            let to = match heads {
                Some(n) if fwd => (h + 1) % n,
                Some(n) => (h + n - 1) % n,
                // Let the session say why: this step has no heads.
                None => 0,
            };
            act(app, Command::Head(to));
        }
        Message::NextLayer => {
            let to = app.current_layer().map_or(0, |l| l + 1);
            act(app, Command::Layer(to));
        }
        Message::PrevLayer => match app.current_layer() {
            Some(0) => key_error(app, crate::i18n::ui::KeyError::LayerZero),
            Some(l) => {
                act(app, Command::Layer(l - 1));
            }
            None => {
                act(app, Command::Layer(0));
            }
        },
        Message::NextStep => {
            act(app, Command::Next);
        }
        Message::PrevStep => {
            act(app, Command::Prev);
        }
        Message::Activate => {
            if app.focus == Pane::Tree {
                activate_tree(app);
            } else if app.session.tour().is_some() {
                act(app, Command::Next);
            }
        }
        Message::ToggleMask => {
            act(app, Command::Toggle(Setting::Mask));
        }
        Message::ToggleScale => {
            act(app, Command::Toggle(Setting::Scale));
        }
        Message::TogglePe => {
            act(app, Command::Toggle(Setting::Pe));
        }
        Message::ToggleNorm => {
            act(app, Command::Toggle(Setting::Norm));
        }
        Message::EditSource | Message::EditTarget => start_edit(app, msg == Message::EditTarget),
        Message::OpenPrompt => {
            app.recall = None;
            app.mode = Mode::Prompt {
                kind: PromptKind::Command,
                line: LineEdit::default(),
            };
        }
        Message::Save => {
            let name = app.session.file().map_or_else(
                || DEFAULT_SAVE_NAME.to_string(),
                |p| p.display().to_string(),
            );
            app.mode = Mode::Prompt {
                kind: PromptKind::SavePath,
                line: LineEdit::suggestion(&name),
            };
        }
        Message::Plot => {
            let mut name = app.session.plot_file_name();
            if app.grad_view && app.session.current_gradient().is_some() {
                name = format!("grad.{name}");
            }
            app.mode = Mode::Prompt {
                kind: PromptKind::PlotPath,
                line: LineEdit::suggestion(&name),
            };
        }
        Message::Replay => {
            // The scenario's title and description first; Enter starts the tour.
            if app.session.tour().is_none() && !app.session.description().is_empty() {
                app.mode = Mode::About {
                    scroll: 0,
                    tour: true,
                };
            } else {
                act(app, Command::Replay(None));
            }
        }
        Message::Help => app.mode = Mode::Help { scroll: 0 },
        Message::About => {
            app.mode = Mode::About {
                scroll: 0,
                tour: false,
            }
        }
        Message::Quit => {
            if app.session.is_dirty() && !app.quit_armed {
                app.quit_armed = true;
                let text = super::quit_warning(app);
                say(app, StatusKind::Warning, text);
            } else {
                act(app, Command::Quit { force: true });
            }
        }
        Message::Practice => start_practice(app),
        Message::Cancel if app.session.practice().is_some() => {
            act(app, Command::StopPractice);
        }
        Message::Cancel => {
            if app.session.tour().is_some() {
                act(app, Command::StopReplay);
            } else {
                app.changes = None;
                app.status = None;
            }
        }
        Message::Click(x, y) => click(app, x, y),
        Message::Wheel(x, y, down) => {
            let pane = match layout::hit(app, x, y) {
                Hit::Tree(_) => Pane::Tree,
                Hit::Cell(..) | Hit::Head(_) | Hit::Matrix => Pane::Matrix,
                Hit::Detail => Pane::Detail,
                Hit::Nothing => return,
            };
            app.focus = pane;
            move_in_pane(app, pane, if down { Dir::Down } else { Dir::Up }, 1);
        }
        Message::Resize(w, h) => app.size = Size::new(w, h),
        // Handled by `screens` (or meaning nothing in the workbench).
        Message::OpenLearn
        | Message::OpenDecode
        | Message::OpenPe
        | Message::OpenScaling
        | Message::OpenHeads
        | Message::OpenLens
        | Message::ToggleGrad
        | Message::TrainToggle
        | Message::TrainStep
        | Message::Snapshot
        | Message::ForceToken
        | Message::Tick => {}
        Message::Edit(_) | Message::Submit | Message::Confirm(_) => {}
    }
}

pub(super) fn start_edit(app: &mut App, target: bool) {
    let Some(input) = app.session.input() else {
        key_error(app, crate::i18n::ui::KeyError::HandNoSentence);
        return;
    };
    let (field, text) = if target {
        match &input.target {
            Some(t) => (
                Field::Target,
                input.target_text.clone().unwrap_or_else(|| t.join(" ")),
            ),
            None => {
                key_error(app, crate::i18n::ui::KeyError::NoTarget);
                return;
            }
        }
    } else {
        (Field::Source, input.text.clone())
    };
    app.mode = Mode::Edit {
        field,
        line: LineEdit::new(&text),
    };
}

/// Rows (or lines) a PageUp/PageDown moves in `pane`.
pub(super) fn page_size(app: &App, pane: Pane) -> usize {
    let area = Rect::new(0, 0, app.size.width, app.size.height);
    let Some(a) = layout::areas(app, area) else {
        return 1;
    };
    match pane {
        Pane::Matrix => layout::grid(app, a.matrix, app.scroll).map_or(1, |g| g.row_capacity()),
        Pane::Tree => usize::from(layout::inner(a.tree).height).max(1),
        Pane::Detail => usize::from(layout::inner(a.detail).height).max(1),
    }
}

pub(super) fn move_in_pane(app: &mut App, pane: Pane, d: Dir, n: usize) {
    match pane {
        Pane::Matrix => {
            let c = app.session.cursor();
            let (row, col) = (c.row, c.col);
            match d {
                Dir::Up => move_cell_to(app, Some(row.saturating_sub(n)), None),
                Dir::Down => move_cell_to(app, Some(row.saturating_add(n)), None),
                Dir::Left => move_cell_to(app, None, Some(col.saturating_sub(n))),
                Dir::Right => move_cell_to(app, None, Some(col.saturating_add(n))),
            }
        }
        Pane::Tree => {
            let rows = app.tree_rows();
            let i = rows.iter().position(|r| *r == app.tree_sel).unwrap_or(0);
            match d {
                Dir::Up => {
                    if let Some(r) = rows.get(i.saturating_sub(n)) {
                        app.tree_sel = r.clone();
                    }
                }
                Dir::Down => {
                    let j = (i + n).min(rows.len().saturating_sub(1));
                    if let Some(r) = rows.get(j) {
                        app.tree_sel = r.clone();
                    }
                }
                Dir::Left => tree_close(app),
                Dir::Right => tree_open(app),
            }
        }
        Pane::Detail => {
            let max = app.extent.detail.saturating_sub(1) as u16;
            let n = n as u16;
            app.scroll.detail = match d {
                Dir::Up | Dir::Left => app.scroll.detail.saturating_sub(n),
                Dir::Down | Dir::Right => app.scroll.detail.saturating_add(n).min(max),
            };
        }
    }
}

/// Moves the cell cursor (clamped to the matrix); does nothing when it would not move.
pub(super) fn move_cell_to(app: &mut App, row: Option<usize>, col: Option<usize>) {
    let Some(step) = app.session.current_step() else {
        return;
    };
    let (rows, cols) = step.dims();
    let c = app.session.cursor();
    let r = row.unwrap_or(c.row).min(rows.saturating_sub(1));
    let k = col.unwrap_or(c.col).min(cols.saturating_sub(1));
    if (r, k) != (c.row, c.col) {
        act(app, Command::Cell(r, k));
        app.scroll.detail = 0;
    }
}

pub(super) fn section_of_sel(app: &App) -> Option<usize> {
    match &app.tree_sel {
        Node::Section(i) | Node::Group(i, _) => Some(*i),
        Node::Step(s) => app.tree.section_of(s),
    }
}

pub(super) fn tree_close(app: &mut App) {
    let Some(i) = section_of_sel(app) else { return };
    if let Some(s) = app.tree.sections.get(i) {
        if app.tree_sel == Node::Section(i) {
            app.open.insert(s.key.clone(), false);
        } else {
            app.tree_sel = Node::Section(i);
        }
    }
}

pub(super) fn tree_open(app: &mut App) {
    if let Node::Section(i) = app.tree_sel
        && let Some(s) = app.tree.sections.get(i)
    {
        app.open.insert(s.key.clone(), true);
    }
}

pub(super) fn show_step(app: &mut App, name: &str) {
    act(
        app,
        Command::Show(
            Some(Address {
                name: name.to_string(),
                indices: vec![],
            }),
            Default::default(),
        ),
    );
}

pub(super) fn activate_tree(app: &mut App) {
    match app.tree_sel.clone() {
        Node::Section(i) => {
            let open = app.is_open(i);
            if let Some(s) = app.tree.sections.get(i) {
                app.open.insert(s.key.clone(), !open);
            }
        }
        Node::Group(si, gi) => {
            let first = app
                .tree
                .sections
                .get(si)
                .and_then(|s| s.groups.get(gi))
                .and_then(|g| g.steps.first())
                .cloned();
            if let Some(name) = first {
                show_step(app, &name);
            }
        }
        Node::Step(name) => show_step(app, &name),
    }
}

pub(super) fn click(app: &mut App, x: u16, y: u16) {
    match layout::hit(app, x, y) {
        Hit::Tree(node) => {
            app.focus = Pane::Tree;
            app.tree_sel = node;
            activate_tree(app);
        }
        Hit::Cell(r, c) => {
            app.focus = Pane::Matrix;
            move_cell_to(app, Some(r), Some(c));
        }
        Hit::Head(h) => {
            app.focus = Pane::Matrix;
            if h != app.session.cursor().head {
                act(app, Command::Head(h));
            }
        }
        Hit::Matrix => app.focus = Pane::Matrix,
        Hit::Detail => app.focus = Pane::Detail,
        Hit::Nothing => {}
    }
}

/// Keeps the view state consistent after any change: the tree cursor on a visible line, and
/// the matrix and tree windows scrolled to show their cursors.
pub(in crate::tui) fn settle(app: &mut App) {
    let rows = app.tree_rows();
    if !rows.contains(&app.tree_sel) {
        let fallback = match &app.tree_sel {
            Node::Step(s) => app.tree.section_of(s).map(Node::Section),
            Node::Section(i) | Node::Group(i, _) => {
                (*i < app.tree.sections.len()).then_some(Node::Section(*i))
            }
        };
        app.tree_sel = fallback
            .filter(|n| rows.contains(n))
            .unwrap_or_else(|| Node::Step(app.session.cursor().step.clone()));
        if !rows.contains(&app.tree_sel)
            && let Some(first) = rows.first()
        {
            app.tree_sel = first.clone();
        }
    }
    let area = Rect::new(0, 0, app.size.width, app.size.height);
    if let Some(a) = layout::areas(app, area) {
        if let Some(g) = layout::grid(app, a.matrix, app.scroll) {
            app.scroll.row = g.rows.0;
            app.scroll.col = g.cols.0;
        }
        app.scroll.tree = layout::tree_window(app, a.tree, app.scroll).0;
    }
}
