//! The detail pane: the tour note, the practice question or grading, the explanation of
//! the selected cell (or its gradient), and the step's statistics.

use super::*;
use crate::i18n::ui::{Label, Msg};

pub(super) fn note(app: &App, f: &mut Frame, area: Rect) {
    let s = app.session();
    let Some(t) = s.tour() else { return };
    let text = t
        .current()
        .and_then(|st| st.note.clone())
        .unwrap_or_else(|| Label::NoNote.text(app.lang()).into());
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
                    Msg::Tour {
                        pos: t.pos + 1,
                        n: t.steps.len(),
                    }
                    .text(app.lang()),
                    style::TITLE,
                ))
                .title_bottom(Line::styled(Label::TourKeys.text(app.lang()), style::DIM)),
        ),
        area,
    );
}

/// The cell's arithmetic: the explanation of the selected cell.
/// The open practice question on the cursor's row (nothing of the hidden numbers is shown).
pub(super) fn question_lines(app: &App) -> Option<Vec<Line<'static>>> {
    let t = app.practice_hidden()?;
    if t.row != app.session().cursor().row {
        return None;
    }
    let s = app.session();
    let run = s.practice()?;
    let item = run.current()?;
    let lang = app.lang();
    let q =
        crate::practice::question_in(s.model_ref(), s.trace(), item, s.precision(), lang).ok()?;
    let mut v = vec![Line::styled(
        Msg::PracticeHeading {
            pos: run.pos + 1,
            n: run.items.len(),
            score: s.score().to_string(),
        }
        .text(lang),
        style::TITLE,
    )];
    let last = q.lines().count().saturating_sub(1);
    for (k, l) in q.lines().enumerate() {
        // The question's last line says how to answer in the REPL; this one says how in
        // the TUI.
        if k == last {
            v.push(Line::styled(
                Msg::PracticeHowTo {
                    many: t.cols.len() != 1,
                    tol: crate::practice::fmt_tol(item.tolerance),
                }
                .text(lang),
                style::DIM,
            ));
        } else {
            v.push(Line::from(l.to_string()));
        }
    }
    Some(v)
}

/// `line` with the first occurrence of `term` highlighted as the blamed term.
pub(super) fn blame(line: String, term: Option<&str>) -> Line<'static> {
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
pub(super) fn grading_lines(app: &App) -> Option<Vec<Line<'static>>> {
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
    let lang = app.lang();
    let mut v = vec![Line::styled(
        Msg::Graded {
            all,
            right: g.right(),
            asked: g.asked(),
            score: s.score().to_string(),
        }
        .text(lang),
        if all { style::TITLE } else { style::ERROR },
    )];
    for n in &g.numbers {
        let yours = crate::explain::fmt_number(n.answer as f32, p.max(4));
        let value = crate::explain::fmt_number(n.value, p);
        v.push(Line::from(
            Msg::GradedNumber {
                ok: n.right,
                addr: n.address.to_string(),
                yours,
                value,
            }
            .text(lang),
        ));
        if !n.right {
            v.push(match &n.mistake {
                Some(m) => Line::styled(format!("    {}: {}", m.what, m.detail), style::WARNING),
                None => Line::styled(Msg::NoBlame.text(lang), style::DIM),
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

pub(super) fn explanation_lines(app: &App) -> Vec<Line<'static>> {
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
        app.session().explanation_in(None, app.lang())
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
        Err(e) => match app.lang() {
            crate::i18n::Lang::En => {
                vec![Line::styled(format!("no explanation: {e}"), style::DIM)]
            }
            // The reason is the engine's (English) sentence: on its own line, not inside
            // the Korean one.
            crate::i18n::Lang::Ko => vec![
                Line::styled(Label::NoExplanation.text(app.lang()), style::DIM),
                Line::styled(format!("  {e}"), style::DIM),
            ],
        },
    }
}

/// The selected cell of the gradient view: its value and the backward rule that gave it.
pub(super) fn gradient_lines(app: &App, g: &Step) -> Vec<Line<'static>> {
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
        Line::from(Msg::BackwardRule(g.formula().to_string()).text(app.lang())),
        Line::from(
            Msg::ForwardValue {
                addr: addr.to_string(),
                value: forward,
                loss,
            }
            .text(app.lang()),
        ),
        Line::styled(Label::GradLegend.text(app.lang()), style::DIM),
    ]
}

/// The step's formula, inputs, the selected row's statistics and the colour legend.
pub(super) fn stats_lines(app: &App, step: &Step) -> Vec<Line<'static>> {
    let s = app.session();
    let p = s.precision();
    let head = s.current_head();
    let c = s.cursor();
    let lang = app.lang();
    let mut v = vec![
        Line::from(vec![
            Span::styled(Label::StepLine.text(lang), style::DIM),
            Span::raw(crate::i18n::formula::formula_in(step, lang)),
        ]),
        Line::from(vec![
            Span::styled(Label::From.text(lang), style::DIM),
            Span::raw(step.inputs().join(", ")),
        ]),
    ];
    let row_label = step.row_labels().get(c.row).cloned().unwrap_or_default();
    v.push(Line::from(vec![
        Span::styled(Msg::Row(c.row).text(lang), style::DIM),
        Span::styled(row_label, style::CURRENT),
    ]));
    if let Ok(rs) = step.row_stats(head, c.row) {
        let arg = step
            .col_labels(head)
            .get(rs.argmax)
            .cloned()
            .unwrap_or_default();
        v.push(Line::from(
            Msg::Sum {
                sum: fmt_value(rs.sum, p),
                skipped: rs.skipped,
            }
            .text(lang),
        ));
        v.push(Line::from(
            Msg::Max {
                max: fmt_value(rs.max, p),
                at: arg,
                col: rs.argmax,
            }
            .text(lang),
        ));
        if let Some(e) = rs.entropy {
            v.push(Line::from(Msg::Entropy(fmt_value(e, p)).text(lang)));
        }
    }
    let f = step.flags();
    for (h, r) in &f.masked_rows {
        if head.is_none_or(|x| x == *h) {
            v.push(Line::styled(
                Msg::FullyMasked(*r).text(lang),
                style::WARNING,
            ));
        }
    }
    if f.has_problem() {
        v.push(Line::styled(
            Msg::NonFinite {
                nan: f.nan,
                pos_inf: f.pos_inf,
            }
            .text(lang),
            style::WARNING,
        ));
        if let Some((at, x)) = s.trace().first_non_finite() {
            v.push(Line::styled(
                Msg::FirstNonFinite {
                    at: at.clone(),
                    value: x.to_string(),
                }
                .text(lang),
                style::WARNING,
            ));
        }
    }
    let mut legend = vec![Span::styled(Label::Colours.text(lang), style::DIM)];
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

pub(super) fn detail(app: &App, f: &mut Frame, area: Rect) {
    let focused = app.focus() == Pane::Detail;
    let block = Block::bordered()
        .border_style(border(focused))
        .title(Line::styled(
            Label::WhyThisNumber.text(app.lang()),
            style::TITLE,
        ));
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
            Label::StatsHidden.text(app.lang()),
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
            Paragraph::new(stats).block(Block::bordered().border_style(style::BORDER).title(
                Line::styled(Label::StepAndRow.text(app.lang()), style::TITLE),
            )),
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
