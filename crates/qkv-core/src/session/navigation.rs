//! Moving through a session: the cursor (step, head, cell), layers and heads, the next and
//! previous step, `show`, `explain` and `diff`.

use super::*;
use crate::trace::{Block, Side, StepName};

impl Session {
    pub(super) fn set_cursor(
        &mut self,
        step: &str,
        head: Option<usize>,
        cell: Option<(usize, usize)>,
    ) -> Result<(), SessionError> {
        let s = self.study.trace.step(step)?;
        let heads = s.heads();
        let head = match (heads, head) {
            (Some(n), Some(h)) if h >= n => {
                return Err(TraceError::HeadOutOfRange {
                    name: step.to_string(),
                    head: h,
                    heads: n,
                }
                .into());
            }
            (Some(_), Some(h)) => h,
            (Some(n), None) => self.study.cursor.head.min(n - 1),
            (None, _) => 0,
        };
        let (rows, cols) = s.dims();
        let (row, col) = match cell {
            Some((r, c)) => {
                s.cell(
                    &heads
                        .map(|_| head)
                        .into_iter()
                        .chain([r, c])
                        .collect::<Vec<_>>(),
                )?;
                (r, c)
            }
            None => (
                self.study.cursor.row.min(rows.saturating_sub(1)),
                self.study.cursor.col.min(cols.saturating_sub(1)),
            ),
        };
        self.study.cursor = Cursor {
            step: step.to_string(),
            head,
            row,
            col,
        };
        Ok(())
    }

    /// Records the current position as a stop of the tour (merging with the last stop when
    /// it is the same step and head).
    /// `chosen`: the cell was picked on purpose (its value is worth an expectation).
    pub(super) fn visit(&mut self, chosen: bool) {
        let c = self.study.cursor.clone();
        let head = self.current_head();
        let stop = TourStep {
            show: c.step.clone(),
            head,
            cell: Some([c.row, c.col]),
            note: None,
        };
        match self.study.visited.last_mut() {
            Some(last) if last.show == stop.show && last.head == stop.head => {
                last.cell = stop.cell;
                if let Some(flag) = self.study.chosen.last_mut() {
                    *flag |= chosen;
                }
            }
            _ => {
                self.study.visited.push(stop);
                self.study.chosen.push(chosen);
            }
        }
    }

    pub(super) fn here(&self) -> String {
        let c = &self.study.cursor;
        match self.current_head() {
            Some(h) => format!("{}[{h}]", c.step),
            None => c.step.clone(),
        }
    }

    pub(super) fn show_current(&self) -> Result<String, SessionError> {
        let addr = Address::parse(&self.here())?;
        let c = &self.study.cursor;
        let opts = RenderOptions {
            focus: Some((c.row, c.col)),
            ..self.render_opts()
        };
        let mut out = render::address(&self.study.trace, &addr, &opts)?;
        if let Some(s) = self.current_step() {
            let v = s.value(&self.cell_address().indices)?;
            let rl = s.row_labels().get(c.row).cloned().unwrap_or_default();
            let cl = s
                .col_labels(self.current_head())
                .get(c.col)
                .cloned()
                .unwrap_or_default();
            let line = self.t(SessionMsg::Selected {
                row: c.row,
                col: c.col,
                from: rl,
                to: cl,
                value: render::fmt_value(v, self.precision),
            });
            out.push_str(&format!("{line}\n"));
        }
        Ok(out)
    }

    pub(super) fn list_steps(&self) -> Outcome {
        let mut text = String::from("steps in pipeline order (name  shape):\n");
        for s in self.study.trace.steps() {
            let marker = if s.name() == self.study.cursor.step {
                "▶ "
            } else {
                "  "
            };
            text.push_str(&format!(
                "{marker}{:<30} {}\n",
                s.name(),
                crate::model::weights::shape_text(&s.shape())
            ));
        }
        let n = self.study.trace.steps().len();
        Outcome::say(text).with_status(self.t(SessionMsg::StepCount(n)))
    }

    /// Back to the parked model when `name` is one of its steps and not the hand-check's.
    pub(super) fn unpark_for(&mut self, name: &str) {
        if self.is_hand_check()
            && self.study.trace.get(name).is_none()
            && self
                .parked
                .as_ref()
                .is_some_and(|p| p.trace.get(name).is_some())
        {
            self.unpark();
        }
    }

    pub(super) fn show(&mut self, a: &Address, o: ShowOptions) -> Result<Outcome, SessionError> {
        self.unpark_for(&a.name);
        // A weight (`enc.0.attn.W_Q`, a head's slice `enc.0.attn.W_Q[1]`, `embed.E`) is
        // printed as it is; the cursor stays where it was.
        if self.study.trace.get(&a.name).is_none()
            && let Some(text) = self
                .model()
                .and_then(|m| render::weight(m, a, &o.apply_to(self.render_opts())))
        {
            return Ok(Outcome::say(text?));
        }
        // The selected cell stays in view when the step shown is the selected one.
        let c = &self.study.cursor;
        let opts = RenderOptions {
            focus: (c.step == a.name).then_some((c.row, c.col)),
            ..o.apply_to(self.render_opts())
        };
        // Validate first: nothing changes on error.
        let text = render::address(&self.study.trace, a, &opts)?;
        let r = check::resolve(&self.study.trace, a)?;
        // With --top a row address selects the row's largest value (`show probs[3] --top 5`:
        // [3][10], school).
        let col = |i: usize| {
            r.col
                .or_else(|| o.top.and_then(|_| self.largest_in_row(&a.name, r.head, i)))
                .unwrap_or(0)
        };
        let (head, cell) = (r.head, r.row.map(|i| (i, col(i))));
        self.set_cursor(&a.name, head, cell)?;
        self.top_view = o.top.map(|k| (a.name.clone(), k));
        self.visit(cell.is_some());
        Ok(Outcome::say(text).with_status(self.t(SessionMsg::Showing { here: self.here() })))
    }

    /// The column of row `row`'s largest value in step `name` (head `head`), if the step
    /// and row exist.
    fn largest_in_row(&self, name: &str, head: Option<usize>, row: usize) -> Option<usize> {
        let m = self.study.trace.get(name)?.matrix(head).ok()?;
        let r = m.rows().into_iter().nth(row)?;
        r.iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(j, _)| j)
    }

    pub(super) fn step_by(&mut self, delta: isize) -> Result<Outcome, SessionError> {
        if self.tour.is_some() {
            return self.tour_step(delta);
        }
        let names: Vec<String> = self.study.trace.names().map(str::to_string).collect();
        let pos = self
            .study
            .trace
            .position(&self.study.cursor.step)
            .unwrap_or(0);
        let next = pos as isize + delta;
        if next < 0 || next as usize >= names.len() {
            return Err(SessionError::NotHere(self.t(SessionMsg::AlreadyAt {
                last: delta > 0,
                step: names.get(pos).cloned().unwrap_or_default(),
            })));
        }
        self.set_cursor(&names[next as usize], None, None)?;
        self.visit(false);
        let step = self
            .current_step()
            .map(|s| crate::i18n::formula::formula_in(s, self.lang))
            .unwrap_or_default();
        Ok(
            Outcome::say(self.show_current()?).with_status(self.t(SessionMsg::Step {
                n: next as usize + 1,
                total: names.len(),
                here: self.here(),
                formula: step,
            })),
        )
    }

    pub(super) fn layer(&mut self, l: usize) -> Result<Outcome, SessionError> {
        self.unpark();
        // enc.0.attn.weights → enc.{l}.attn.weights; a step outside the layers goes to the
        // first layer step of the first stack.
        let target = match StepName::parse(&self.study.cursor.step) {
            Some(name) if name.layer_index().is_some() => name.in_layer(l),
            _ => {
                let enc = StepName::layer(Side::Enc, l, Block::Attn, "weights");
                if self.study.trace.get(&enc.to_string()).is_some() {
                    enc
                } else {
                    StepName::layer(Side::Dec, l, Block::SelfAttn, "weights")
                }
            }
        };
        let side = target.side();
        let target = target.to_string();
        if self.study.trace.get(&target).is_none() {
            let count = self
                .study
                .trace
                .names()
                .filter_map(StepName::parse)
                .filter(|n| n.side() == side)
                .filter_map(|n| n.layer_index())
                .max()
                .map_or(0, |m| m + 1);
            return Err(SessionError::NotHere(self.t(SessionMsg::NoLayer {
                l,
                encoder: side == Some(Side::Enc),
                layers: count,
            })));
        }
        self.set_cursor(&target, None, None)?;
        self.visit(false);
        Ok(
            Outcome::say(self.show_current()?).with_status(self.t(SessionMsg::Layer {
                l,
                here: self.here(),
            })),
        )
    }

    pub(super) fn head(&mut self, h: usize) -> Result<Outcome, SessionError> {
        let step = self.study.cursor.step.clone();
        let s = self.study.trace.step(&step)?;
        let Some(n) = s.heads() else {
            return Err(SessionError::NotHere(self.t(SessionMsg::NoHeads { step })));
        };
        if h >= n {
            return Err(TraceError::HeadOutOfRange {
                name: step,
                head: h,
                heads: n,
            }
            .into());
        }
        self.set_cursor(&step, Some(h), None)?;
        self.visit(false);
        Ok(
            Outcome::say(self.show_current()?).with_status(self.t(SessionMsg::Head {
                h,
                n,
                here: self.here(),
            })),
        )
    }

    pub(super) fn cell(&mut self, r: usize, c: usize) -> Result<Outcome, SessionError> {
        let step = self.study.cursor.step.clone();
        let head = self.current_head();
        self.set_cursor(&step, head, Some((r, c)))?;
        self.visit(true);
        let v = self
            .study
            .trace
            .value_at(&self.cell_address())
            .map(|v| render::fmt_value(v, self.precision))?;
        let addr = self.cell_address();
        Ok(Outcome::say(format!("{addr} = {v}")))
    }

    pub(super) fn note(&mut self, text: String) -> Result<Outcome, SessionError> {
        if self.study.visited.is_empty() {
            self.visit(true);
        }
        let here = self.here();
        if let Some(last) = self.study.visited.last_mut() {
            last.note = Some(text);
        }
        if let Some(flag) = self.study.chosen.last_mut() {
            *flag = true;
        }
        self.dirty = true;
        Ok(Outcome::say(self.t(SessionMsg::NoteAdded { here })))
    }
}
