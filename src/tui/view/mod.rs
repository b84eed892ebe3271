//! `render`: draws the [`App`] into a frame. Reads only; every position comes from
//! [`layout`](super::layout), the same pure function `update` uses for mouse clicks.

pub mod busy;
pub mod decode;
pub mod heads;
pub mod learn;
pub mod matrix;
pub mod pe;
pub mod scaling;
pub mod style;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::model::{Arch, Config, Positional};
use crate::render::{fmt_value, truncate, width};
use crate::trace::Step;

use super::app::{App, Field, LineEdit, Mode, Pane, PromptKind, Screen, StatusKind};
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::tree::{Node, step_label};

/// The key reference shown by `?`: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    (
        "←↑↓→ hjkl",
        "move the cell (matrix), the cursor (pipeline), scroll (detail)",
    ),
    ("PgUp PgDn", "a screenful up / down"),
    (
        "Home End",
        "first / last column (pipeline and detail: top / bottom)",
    ),
    (
        "Tab S-Tab",
        "next / previous pane: pipeline → matrix → detail",
    ),
    (
        "Enter",
        "pipeline: select the step, open or close a section; tour: next stop",
    ),
    (
        "n p",
        "next / previous step in pipeline order (tour: next / previous stop)",
    ),
    ("[ ]", "previous / next head"),
    ("{ }", "previous / next layer"),
    ("i", "edit the source sentence: Enter reruns, Esc cancels"),
    ("t", "edit the target sentence (encoder-decoder)"),
    (
        "m",
        "encoder mask on / off (causal); every rerun highlights what changed",
    ),
    ("s", "scaling by √d_k on / off"),
    ("e", "positional encoding on / off"),
    ("o", "post-LN / pre-LN"),
    (
        ":",
        "command prompt, the REPL's language: help, show, explain, set, attend, …",
    ),
    (
        "w",
        "save the session as a scenario (asks for the file; never overwrites silently)",
    ),
    (
        "x",
        "the matrix on screen as an SVG picture, the cell explained (asks for the file)",
    ),
    (
        "r",
        "replay the scenario's guided tour (n / p step through its stops, Esc ends it)",
    ),
    (
        "Esc",
        "clear the change highlight and the status line; close a box",
    ),
    (
        "a",
        "the scenario's title and description (shown when it opens)",
    ),
    (
        "g",
        "gradient view: the matrix shows ∂loss/∂(this step), red raises the loss, blue lowers it",
    ),
    (
        "d",
        "Decode view: one output token at a time (n / p step, f puts your own token)",
    ),
    (
        "P",
        "practice: hide the selected cell (its row on a softmax or LayerNorm step) as ?, type your answer, Enter grades it with the arithmetic beside it and the wrong term highlighted; Esc leaves (the score stays); `:practice` asks the scenario's questions",
    ),
    (
        "L",
        "Learn view: train an untrained model (space start / pause, . one update, ← → snapshots, w saves)",
    ),
    (
        "E",
        "PE explorer: sin/cos waves, PE(p)·PE(p+k), the rotation PE(p) → PE(p+k)",
    ),
    (
        "S",
        "scaling explorer: Var(q·k) against d_k, softmax rows with / without ÷√d_k",
    ),
    (
        "H",
        "all heads: a heatmap per layer × head, its entropy and role (Enter opens it)",
    ),
    ("?", "this help"),
    (
        "q Ctrl-C",
        "quit (asks once when there are unsaved changes)",
    ),
    (
        "mouse",
        "click a pipeline line, a cell or a head tab; the wheel scrolls",
    ),
];

/// Draws the whole screen.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    let Some(a) = layout::areas(app, area) else {
        too_small(f, area);
        return;
    };
    if app.screen() != Screen::Workbench {
        let [body, st, foot] = Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        match app.screen() {
            Screen::Learn => learn::render(app, f, body),
            Screen::Pe => pe::render(app, f, body),
            Screen::Scaling => scaling::render(app, f, body),
            Screen::Heads => heads::render(app, f, body),
            _ => decode::render(app, f, body),
        }
        status(app, f, st);
        footer(app, f, foot);
        match app.mode() {
            Mode::Help { scroll } => help(f, area, *scroll),
            Mode::Output {
                title,
                text,
                scroll,
            } => output(f, area, title, text, *scroll),
            _ => {}
        }
        return;
    }
    header(app, f, a.header);
    tree(app, f, a.tree);
    matrix::render(app, f, a.matrix, app.focus() == Pane::Matrix);
    if let Some(n) = a.note {
        note(app, f, n);
    }
    detail(app, f, a.detail);
    status(app, f, a.status);
    footer(app, f, a.footer);
    match app.mode() {
        Mode::Help { scroll } => help(f, area, *scroll),
        Mode::Output {
            title,
            text,
            scroll,
        } => output(f, area, &format!(":{title}"), text, *scroll),
        Mode::About { scroll, tour } => {
            let (title, text) = about_text(app, *tour);
            output(f, area, &title, &text, *scroll);
        }
        _ => {}
    }
}

/// The buffer as text, one line per row, wide characters once (the cell they cover is
/// skipped), trailing spaces removed: what a screenshot of the terminal shows.
pub fn buffer_text(buf: &Buffer) -> String {
    let w = usize::from(buf.area.width).max(1);
    let mut out = String::new();
    for row in buf.content.chunks(w) {
        let mut line = String::new();
        let mut skip = 0usize;
        for c in row {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(c.symbol());
            skip = width(c.symbol()).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn too_small(f: &mut Frame, area: Rect) {
    let text = Text::from(vec![
        Line::styled("the terminal is too small for qkv", style::TITLE),
        Line::from(format!(
            "it is {}×{}; qkv needs at least {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from("enlarge the window, or press q to quit"),
    ]);
    let h = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    f.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect {
            y,
            height: area.height.saturating_sub(y - area.y),
            ..area
        },
    );
}

fn border(focused: bool) -> Style {
    if focused { style::FOCUS } else { style::BORDER }
}

/// `encoder-decoder · d_model 8 · heads 2 · d_k 4 · d_ff 32 · layers 2+2 · post-LN · seed 42`.
pub fn model_summary(c: &Config) -> String {
    c.summary()
}

/// The summary in fewer columns: `enc-dec · d_model 8 · h 2 · d_k 4 · d_ff 32 · L 2+2 ·
/// post-LN · mask enc none, dec causal` (PE off, unscaled scores and embedding scaling are
/// named); with `tiny`, `d 8 · h 2 · ff 32` for an 80-column terminal.
pub fn short_summary(c: &Config, tiny: bool) -> String {
    let (arch, layers) = match c.arch {
        Arch::Encoder => ("encoder", c.layers.encoder.to_string()),
        Arch::Decoder => ("decoder", c.layers.decoder.to_string()),
        Arch::EncoderDecoder => (
            "enc-dec",
            format!("{}+{}", c.layers.encoder, c.layers.decoder),
        ),
    };
    let sizes = if tiny {
        format!("d {} · h {} · ff {}", c.d_model, c.heads, c.d_ff)
    } else {
        format!(
            "d_model {} · h {} · d_k {} · d_ff {}",
            c.d_model,
            c.heads,
            c.d_k(),
            c.d_ff
        )
    };
    format!(
        "{arch} · {sizes} · L {layers} · {}-LN{}{}{} · {}",
        c.norm,
        if c.positional == Positional::None {
            " · no PE"
        } else {
            ""
        },
        if c.scale { "" } else { " · unscaled" },
        if c.embed_scale { " · ×√d" } else { "" },
        c.mask_summary(),
    )
}

/// The target sentence as the model reads it: the text typed, with the `<bos>` the model
/// prepends shown in front when the text does not have it (`<bos> I went home`).
pub fn target_shown(text: Option<&str>, tokens: &[String]) -> String {
    let text = text.map_or_else(|| tokens.join(" "), str::to_string);
    match tokens.first() {
        Some(first) if first == "<bos>" && !text.trim_start().starts_with("<bos>") => {
            format!("<bos> {}", text.trim_start())
        }
        _ => text,
    }
}

/// The part of `line` that fits in `w` columns with the cursor visible, and the cursor's
/// column in it.
fn edit_window(line: &LineEdit, w: usize) -> (String, usize) {
    let col = line.cursor_column();
    let mut skipped = 0;
    let mut chars = line.text().chars();
    let mut shown: String = String::new();
    while col - skipped >= w.max(1) {
        match chars.next() {
            Some(c) => skipped += width(&c.to_string()),
            None => break,
        }
    }
    for c in chars {
        if width(&shown) + width(&c.to_string()) > w {
            break;
        }
        shown.push(c);
    }
    (shown, col - skipped)
}

fn header(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let title = if s.title().is_empty() {
        " qkv ".to_string()
    } else {
        format!(" qkv · {} ", s.title())
    };
    let file = match s.file() {
        Some(p) => p.display().to_string(),
        None if s.is_hand_check() => "hand-check".to_string(),
        None => "built-in scenario".to_string(),
    };
    let dirty = if s.is_dirty() { " · unsaved" } else { "" };
    let file = if s.score().asked > 0 || s.practice().is_some() {
        format!("practice {} · {file}", s.score())
    } else {
        file
    };
    let block = Block::bordered()
        .border_style(style::BORDER)
        .title(Line::styled(
            truncate(
                &title,
                usize::from(area.width)
                    .saturating_sub(width(&file) + width(dirty) + 8)
                    .max(8),
            ),
            style::TITLE,
        ))
        .title(Line::styled(format!(" {file}{dirty} "), style::DIM).right_aligned());
    let prov = s.provenance();
    let block = if prov.is_empty() {
        block
    } else {
        block.title_bottom(
            Line::styled(
                format!(
                    " {} ",
                    truncate(&prov, usize::from(area.width).saturating_sub(4))
                ),
                style::DIM,
            )
            .right_aligned(),
        )
    };
    let inner = layout::inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = Vec::new();
    match s.config() {
        Some(c) => {
            let w = usize::from(inner.width);
            let text = [model_summary(c), short_summary(c, false)]
                .into_iter()
                .find(|t| width(t) <= w)
                .unwrap_or_else(|| short_summary(c, true));
            lines.push(Line::styled(text, style::DIM));
        }
        None => {
            let t = s.toggles();
            let full = format!(
                "attention hand-check (no model): q · kᵀ {} · mask {} · softmax · × v",
                if t.scale {
                    "÷ √d_k"
                } else {
                    "unscaled (no ÷ √d_k)"
                },
                t.mask
            );
            let short = format!(
                "hand-check · {} · mask {}",
                if t.scale { "÷√d_k" } else { "unscaled" },
                t.mask
            );
            lines.push(Line::styled(
                if width(&full) <= usize::from(inner.width) {
                    full
                } else {
                    short
                },
                style::DIM,
            ));
        }
    }
    let editing = match app.mode() {
        Mode::Edit { field, line } => Some((*field, line)),
        _ => None,
    };
    let label_w = 9u16;
    let mut fields = vec![(Field::Source, "source ▸ ")];
    if s.input().is_some_and(|i| i.target.is_some()) {
        fields.push((Field::Target, "target ▸ "));
    }
    for (i, (field, label)) in fields.into_iter().enumerate() {
        let y = inner.y + 1 + i as u16;
        if y >= inner.y + inner.height {
            break;
        }
        let text_w = usize::from(inner.width.saturating_sub(label_w));
        let mut spans = vec![Span::styled(label, style::TITLE)];
        match editing {
            Some((ef, line)) if ef == field => {
                let (shown, col) = edit_window(line, text_w.saturating_sub(1));
                let pad = text_w.saturating_sub(width(&shown));
                spans.push(Span::styled(
                    format!("{shown}{}", " ".repeat(pad)),
                    style::EDITING,
                ));
                f.set_cursor_position((inner.x + label_w + col as u16, y));
            }
            _ => {
                let (text, n) = match (field, s.input()) {
                    (Field::Source, Some(i)) => (i.text.clone(), i.source.len()),
                    (Field::Target, Some(i)) => {
                        let toks = i.target.clone().unwrap_or_default();
                        (target_shown(i.target_text.as_deref(), &toks), toks.len())
                    }
                    (_, None) => ("(no sentence: `:text <sentence>` runs the model)".into(), 0),
                };
                let count = if n > 0 {
                    format!("  ({})", crate::session::plural(n, "token"))
                } else {
                    String::new()
                };
                spans.push(Span::raw(truncate(
                    &text,
                    text_w.saturating_sub(width(&count)),
                )));
                spans.push(Span::styled(count, style::DIM));
            }
        }
        lines.push(Line::from(spans));
    }
    let summary = lines.remove(0);
    f.render_widget(Paragraph::new(summary), Rect { height: 1, ..inner });
    for (i, l) in lines.into_iter().enumerate() {
        let y = inner.y + 1 + i as u16;
        if y < inner.y + inner.height {
            f.render_widget(
                Paragraph::new(l),
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
            );
        }
    }
}

/// The tree lines with their text, in the order of [`App::tree_rows`]; the current step is
/// marked with `●`.
fn tree_lines(app: &App) -> Vec<(Node, String)> {
    let current = &app.session().cursor().step;
    let s = app.session();
    let t = app.tree();
    let mut out = Vec::new();
    for (si, sec) in t.sections.iter().enumerate() {
        let open = app.is_open(si);
        out.push((
            Node::Section(si),
            format!("{} {}", if open { "▾" } else { "▸" }, sec.label),
        ));
        if !open {
            continue;
        }
        for (gi, g) in sec.groups.iter().enumerate() {
            let indent = if let Some(l) = &g.label {
                out.push((Node::Group(si, gi), format!("  {l}")));
                "    "
            } else {
                "  "
            };
            for name in &g.steps {
                let label = s
                    .trace()
                    .get(name)
                    .map_or_else(|| name.clone(), |st| step_label(name, st.kind()));
                let mark = if name == current {
                    format!("{}● ", &indent[2..])
                } else {
                    indent.to_string()
                };
                out.push((Node::Step(name.clone()), format!("{mark}{label}")));
            }
        }
    }
    out
}

fn tree(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus() == Pane::Tree;
    let block = Block::bordered()
        .border_style(border(focused))
        .title(Line::styled(
            if app.grad_view() {
                " pipeline ↑ backward "
            } else {
                " pipeline ↓ forward "
            },
            style::TITLE,
        ));
    let inner = layout::inner(area);
    f.render_widget(block, area);
    let (first, _) = layout::tree_window(app, area, app.scroll());
    let lines = tree_lines(app);
    let current = &app.session().cursor().step;
    let w = usize::from(inner.width);
    let buf = f.buffer_mut();
    for (k, (node, text)) in lines
        .iter()
        .skip(first)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let is_current = matches!(node, Node::Step(n) if n == current);
        let mut st = match node {
            Node::Section(_) => style::TITLE,
            Node::Group(..) => style::DIM,
            Node::Step(_) if is_current => style::CURRENT,
            Node::Step(_) => Style::new(),
        };
        let mut text = text.clone();
        if focused && node == app.tree_selection() {
            st = st.patch(style::SELECTED);
            text = format!("{text:<w$}");
        }
        buf.set_stringn(inner.x, inner.y + k as u16, truncate(&text, w), w, st);
    }
}

fn note(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let Some(t) = s.tour() else { return };
    let text = t
        .current()
        .and_then(|st| st.note.clone())
        .unwrap_or_else(|| "(no note at this stop)".into());
    let body: Vec<Line<'static>> = text
        .lines()
        .flat_map(|l| wrap_words(l, usize::from(area.width.saturating_sub(2))))
        .map(Line::from)
        .collect();
    f.render_widget(
        Paragraph::new(body).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(
                    format!(" tour {}/{} ", t.pos + 1, t.steps.len()),
                    style::TITLE,
                ))
                .title_bottom(Line::styled(" n / p: next / previous stop ", style::DIM)),
        ),
        area,
    );
}

/// The cell's arithmetic: the explanation of the selected cell.
/// The open practice question on the cursor's row (nothing of the hidden numbers is shown).
fn question_lines(app: &App) -> Option<Vec<Line<'static>>> {
    let t = app.practice_hidden()?;
    if t.row != app.session().cursor().row {
        return None;
    }
    let s = app.session();
    let run = s.practice()?;
    let item = run.current()?;
    let q = crate::practice::question(s.model(), s.trace(), item, s.precision()).ok()?;
    let mut v = vec![Line::styled(
        format!(
            "practice {} of {} · score {} — predict, then reveal",
            run.pos + 1,
            run.items.len(),
            s.score()
        ),
        style::TITLE,
    )];
    for l in q.lines() {
        // The prompt line below says how to answer in the TUI.
        if l.trim_start().starts_with("answer with") {
            v.push(Line::styled(
                format!(
                    "  type the number{} below and press Enter (Esc leaves the practice); right within ±{}",
                    if t.cols.len() == 1 { "" } else { "s, on one line," },
                    crate::practice::fmt_tol(item.tolerance)
                ),
                style::DIM,
            ));
        } else {
            v.push(Line::from(l.to_string()));
        }
    }
    Some(v)
}

/// `line` with the first occurrence of `term` highlighted as the blamed term.
fn blame(line: String, term: Option<&str>) -> Line<'static> {
    match term.and_then(|t| line.find(t).map(|p| (p, t.len()))) {
        Some((p, n)) => Line::from(vec![
            Span::raw(line[..p].to_string()),
            Span::styled(line[p..p + n].to_string(), style::BLAMED),
            Span::raw(line[p + n..].to_string()),
        ]),
        None => Line::from(line),
    }
}

/// The last practice grading, when it is of the cursor's row: each number, the mistake
/// found, and the arithmetic with the blamed term highlighted.
fn grading_lines(app: &App) -> Option<Vec<Line<'static>>> {
    let s = app.session();
    let g = s.last_grading()?;
    let c = s.cursor();
    if app.grad_view()
        || g.target.step != c.step
        || g.target.head != s.current_head()
        || g.target.row != c.row
    {
        return None;
    }
    let p = s.precision();
    let all = g.right() == g.asked();
    let mut v = vec![Line::styled(
        format!(
            "practice: {} — {} of {} right · score {}",
            if all { "right" } else { "wrong" },
            g.right(),
            g.asked(),
            s.score()
        ),
        if all { style::TITLE } else { style::ERROR },
    )];
    for n in &g.numbers {
        let yours = crate::explain::fmt_number(n.answer as f32, p.max(4));
        let value = crate::explain::fmt_number(n.value, p);
        v.push(Line::from(format!(
            "  {} {}: you {yours}, trace {value}",
            if n.right { "✓" } else { "✗" },
            n.address
        )));
        if !n.right {
            v.push(match &n.mistake {
                Some(m) => Line::styled(format!("    {}: {}", m.what, m.detail), style::WARNING),
                None => Line::styled(
                    "    could not tell which term went wrong: compare with the arithmetic below",
                    style::DIM,
                ),
            });
        }
    }
    if let Some(e) = &g.explanation {
        let term = g.highlight();
        v.push(Line::styled(
            format!(
                "{} = {}  — {}",
                e.address,
                crate::explain::fmt_number(e.value, e.precision),
                e.title
            ),
            style::TITLE,
        ));
        v.push(Line::from(format!("  {}", e.formula)));
        v.extend(e.lines.iter().map(|l| blame(format!("  {l}"), term)));
    }
    Some(v)
}

fn explanation_lines(app: &App) -> Vec<Line<'static>> {
    if let Some(mut q) = question_lines(app) {
        // The answer just graded stays visible below the next question.
        if let Some(g) = grading_lines(app) {
            q.push(Line::from(""));
            q.extend(g);
        }
        return q;
    }
    if let Some(g) = grading_lines(app) {
        return g;
    }
    let explained = if app.grad_view()
        && let Some(g) = app.session().current_gradient()
    {
        match app.session().gradient_explanation(None) {
            Ok(e) => Ok(e),
            Err(_) => return gradient_lines(app, g),
        }
    } else {
        app.session().explanation(None)
    };
    match explained {
        Ok(e) => {
            // A gradient's title already carries its value (in scientific notation when
            // it is tiny).
            let head = if e.address.clone().starts_with("grad.") {
                format!("{}  — {}", e.address, e.title)
            } else {
                format!(
                    "{} = {}  — {}",
                    e.address,
                    crate::explain::fmt_number(e.value, e.precision),
                    e.title
                )
            };
            let mut v = vec![Line::styled(head, style::TITLE)];
            v.push(Line::from(format!("  {}", e.formula)));
            v.extend(e.lines.iter().map(|l| Line::from(format!("  {l}"))));
            v
        }
        Err(e) => vec![Line::styled(format!("no explanation: {e}"), style::DIM)],
    }
}

/// The selected cell of the gradient view: its value and the backward rule that gave it.
fn gradient_lines(app: &App, g: &Step) -> Vec<Line<'static>> {
    let s = app.session();
    let addr = s.cell_address();
    let p = s.precision();
    let value = g
        .value(&addr.indices)
        .map_or_else(|e| e.to_string(), |v| fmt_value(v, p));
    let forward = s
        .trace()
        .value_at(&addr)
        .map_or_else(|e| e.to_string(), |v| fmt_value(v, p));
    let loss = s
        .gradients()
        .map_or_else(String::new, |g| fmt_value(g.loss.value as f32, p));
    vec![
        Line::styled(
            format!("grad.{addr} = {value}  — ∂loss/∂{addr}"),
            style::TITLE,
        ),
        Line::from(format!("  backward rule: {}", g.formula())),
        Line::from(format!("  forward value {addr} = {forward}; loss = {loss}")),
        Line::styled(
            "  red: raising this number raises the loss; blue: lowers it (g: forward values)",
            style::DIM,
        ),
    ]
}

/// The step's formula, inputs, the selected row's statistics and the colour legend.
fn stats_lines(app: &App, step: &Step) -> Vec<Line<'static>> {
    let s = app.session();
    let p = s.precision();
    let head = s.current_head();
    let c = s.cursor();
    let mut v = vec![
        Line::from(vec![
            Span::styled("step  ", style::DIM),
            Span::raw(step.formula().to_string()),
        ]),
        Line::from(vec![
            Span::styled("from  ", style::DIM),
            Span::raw(step.inputs().join(", ")),
        ]),
    ];
    let row_label = step.row_labels().get(c.row).cloned().unwrap_or_default();
    v.push(Line::from(vec![
        Span::styled(format!("row {} ", c.row), style::DIM),
        Span::styled(row_label, style::CURRENT),
    ]));
    if let Ok(rs) = step.row_stats(head, c.row) {
        let arg = step
            .col_labels(head)
            .get(rs.argmax)
            .cloned()
            .unwrap_or_default();
        v.push(Line::from(if rs.skipped > 0 {
            format!(
                "  sum {} ({} −∞ left out)",
                fmt_value(rs.sum, p),
                rs.skipped
            )
        } else {
            format!("  sum {}", fmt_value(rs.sum, p))
        }));
        v.push(Line::from(format!(
            "  max {} at {arg} (col {})",
            fmt_value(rs.max, p),
            rs.argmax
        )));
        if let Some(e) = rs.entropy {
            v.push(Line::from(format!("  entropy {} nats", fmt_value(e, p))));
        }
    }
    let f = step.flags();
    for (h, r) in &f.masked_rows {
        if head.is_none_or(|x| x == *h) {
            v.push(Line::styled(
                format!("row {r} is fully masked: its weights are all 0"),
                style::WARNING,
            ));
        }
    }
    if f.has_problem() {
        v.push(Line::styled(
            format!("{} NaN and {} +∞ values in this step", f.nan, f.pos_inf),
            style::WARNING,
        ));
        if let Some((at, x)) = s.trace().first_non_finite() {
            v.push(Line::styled(
                format!("first non-finite value of the pass: {at} = {x}"),
                style::WARNING,
            ));
        }
    }
    let mut legend = vec![Span::styled("colours ", style::DIM)];
    legend.extend(matrix::legend(step).spans);
    v.push(Line::from(legend));
    v
}

/// Lines of the detail box (for scrolling).
pub fn detail_line_count(app: &App) -> usize {
    let Some(step) = app.session().current_step() else {
        return 0;
    };
    explanation_lines(app).len() + stats_lines(app, step).len() + 1
}

fn detail(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus() == Pane::Detail;
    let block = Block::bordered()
        .border_style(border(focused))
        .title(Line::styled(" why this number ", style::TITLE));
    let Some(step) = app.session().current_step() else {
        f.render_widget(block, area);
        return;
    };
    let scroll = app.scroll().detail;
    let expl = explanation_lines(app);
    // The row's statistics would give the hidden numbers away.
    let stats = if app
        .practice_hidden()
        .is_some_and(|t| t.row == app.session().cursor().row)
    {
        vec![Line::styled(
            "row statistics hidden until you answer",
            style::DIM,
        )]
    } else {
        stats_lines(app, step)
    };
    if area.width >= 90 {
        let [left, right] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(38)]).areas(area);
        let expl = wrap_lines(expl, usize::from(left.width.saturating_sub(2)));
        let stats = wrap_lines(stats, usize::from(right.width.saturating_sub(2)));
        f.render_widget(Paragraph::new(expl).scroll((scroll, 0)).block(block), left);
        f.render_widget(
            Paragraph::new(stats).block(
                Block::bordered()
                    .border_style(style::BORDER)
                    .title(Line::styled(" step & row ", style::TITLE)),
            ),
            right,
        );
    } else {
        let mut all = expl;
        all.push(Line::from(""));
        all.extend(stats);
        let all = wrap_lines(all, usize::from(area.width.saturating_sub(2)));
        f.render_widget(Paragraph::new(all).scroll((scroll, 0)).block(block), area);
    }
}

fn status(app: &App, f: &mut Frame, area: Rect) {
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

fn footer(app: &App, f: &mut Frame, area: Rect) {
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

/// A box of `w`×`h` centred in `area`.
pub(crate) fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// `text` cut into lines of at most `w` display columns at spaces.
fn wrap_words(text: &str, w: usize) -> Vec<String> {
    crate::render::wrap(text, w)
}

/// `lines` wrapped to `w` display columns, keeping each character's style. (ratatui's own
/// wrapping can put a wide character such as 한 over a box's right border.)
pub fn wrap_lines(lines: Vec<Line<'static>>, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        let cells: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| {
                let st = line.style.patch(s.style);
                s.content.chars().map(move |c| (c, st))
            })
            .collect();
        let chars: Vec<char> = cells.iter().map(|(c, _)| *c).collect();
        for r in crate::render::wrap_indices(&chars, w) {
            let mut spans: Vec<Span<'static>> = Vec::new();
            let mut cur = String::new();
            let mut cur_style: Option<Style> = None;
            for (c, st) in &cells[r] {
                if cur_style.is_some_and(|x| x != *st) {
                    spans.push(Span::styled(
                        std::mem::take(&mut cur),
                        cur_style.unwrap_or_default(),
                    ));
                }
                cur_style = Some(*st);
                cur.push(*c);
            }
            if !cur.is_empty() {
                spans.push(Span::styled(cur, cur_style.unwrap_or_default()));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// The help lines for a box `w` columns wide inside: keys on the left, what they do wrapped
/// with a hanging indent.
pub fn help_lines(w: u16) -> Vec<Line<'static>> {
    let kw = HELP.iter().map(|(k, _)| width(k)).max().unwrap_or(4);
    let dw = usize::from(w).saturating_sub(kw + 3).max(10);
    let mut lines = Vec::new();
    for (k, d) in HELP {
        for (i, part) in wrap_words(d, dw).into_iter().enumerate() {
            let key = if i == 0 {
                Span::styled(format!(" {k:<kw$} "), style::KEY)
            } else {
                Span::raw(" ".repeat(kw + 2))
            };
            lines.push(Line::from(vec![key, Span::raw(format!(" {part}"))]));
        }
    }
    lines
}

fn help(f: &mut Frame, area: Rect, scroll: u16) {
    let w = area.width.saturating_sub(4).min(96);
    let lines = help_lines(w.saturating_sub(2));
    let r = centred(
        area,
        w,
        area.height.saturating_sub(2).min(lines.len() as u16 + 2),
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(" keys ", style::TITLE))
                .title_bottom(Line::from(" ↑↓ scroll · Esc closes ").right_aligned()),
        ),
        r,
    );
}

/// The box `a` opens (and a scenario opens with): its title and the text, the scenario's
/// description and what to do next.
pub fn about_text(app: &App, tour: bool) -> (String, String) {
    let s = app.session();
    let title = if s.title().is_empty() {
        "this scenario".to_string()
    } else {
        s.title().to_string()
    };
    // The description's line breaks are the YAML file's: reflow each paragraph.
    let mut text = if s.description().is_empty() {
        "(this scenario has no description)".to_string()
    } else {
        s.description()
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    if let Some(m) = s.model() {
        text.push_str(&format!(
            "\n\nThe model is {}: its attention patterns show how the arithmetic works, not what a trained model would attend to.",
            m.provenance()
        ));
    }
    let stops = s.scenario_tour_len();
    text.push_str(&if tour {
        format!("\n\nEnter or r starts the guided tour ({stops} stops; n / p step); Esc closes.")
    } else if stops > 0 {
        format!("\n\nr replays its guided tour ({stops} stops); a shows this again; Esc closes.")
    } else {
        "\n\na shows this again; Esc closes.".to_string()
    });
    (title, text)
}

/// The lines of an output box `w` columns wide (inside), wrapped by display width.
pub fn output_lines(text: &str, w: usize) -> Vec<String> {
    text.lines().flat_map(|l| wrap_words(l, w)).collect()
}

fn output(f: &mut Frame, area: Rect, title: &str, text: &str, scroll: u16) {
    let lines = output_lines(text, usize::from(area.width.saturating_sub(6)));
    let n = lines.len() as u16;
    let r = centred(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2).min(n + 2),
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines.join("\n")).scroll((scroll, 0)).block(
            Block::bordered()
                .border_style(style::FOCUS)
                .title(Line::styled(format!(" {title} "), style::TITLE))
                .title_bottom(Line::from(" ↑↓ PgUp PgDn scroll · Esc closes ").right_aligned()),
        ),
        r,
    );
}
