//! Practice: asking for a hidden cell or row, grading the answer, keeping the score.

use super::*;
use crate::i18n::training::TrainMsg;

impl Session {
    /// The practice questions being asked.
    pub fn practice(&self) -> Option<&PracticeRun> {
        self.practice.as_ref()
    }

    /// The practice score of the whole session.
    pub fn score(&self) -> practice::Score {
        self.score
    }

    /// The last practice answer graded.
    pub fn last_grading(&self) -> Option<&practice::Grading> {
        self.last_grading.as_ref()
    }

    /// The scenario's practice items.
    pub(super) fn scenario_practice(&self) -> Vec<practice::Item> {
        let specs = match (&self.study.subject, self.study.subject.scenario()) {
            (_, Some(s)) => &s.practice,
            (Subject::Hand(a), None) => &a.practice,
            (_, None) => return Vec::new(),
        };
        specs
            .iter()
            .filter_map(|p| {
                Some(practice::Item {
                    address: Address::parse(&p.at).ok()?,
                    hint: p.hint.clone(),
                    tolerance: p.tolerance.unwrap_or(practice::DEFAULT_TOLERANCE),
                })
            })
            .collect()
    }

    pub(super) fn question_text(&self, run: &PracticeRun) -> Result<String, SessionError> {
        let Some(item) = run.current() else {
            return Ok(String::new());
        };
        let q = practice::question_in(
            self.model_ref(),
            &self.study.trace,
            item,
            self.precision,
            self.lang(),
        )
        .map_err(|e| SessionError::NotHere(e.text_in(self.lang)))?;
        Ok(TrainMsg::Question {
            i: run.pos + 1,
            n: run.items.len(),
            question: q,
        }
        .text(self.lang))
    }

    pub(super) fn start_practice(&mut self, a: Option<Address>) -> Result<Outcome, SessionError> {
        let items = match a {
            Some(a) => {
                practice::target(&self.study.trace, &a)
                    .map_err(|e| SessionError::NotHere(e.text_in(self.lang)))?;
                vec![practice::Item::new(a)]
            }
            None => {
                let own = self.scenario_practice();
                if own.is_empty() {
                    let step = self.current_step().ok_or_else(|| {
                        SessionError::NotHere(TrainMsg::NoStepToPractise.text(self.lang))
                    })?;
                    let cell = practice::random_cell(step, self.current_head(), self.draws);
                    self.draws += 1;
                    vec![practice::Item::new(cell)]
                } else {
                    own
                }
            }
        };
        // Every item must fit the trace now (the sentence may have changed).
        for it in &items {
            practice::target(&self.study.trace, &it.address).map_err(|e| {
                SessionError::NotHere(
                    TrainMsg::QuestionDoesNotFit {
                        at: it.address.to_string(),
                        why: e.text_in(self.lang),
                    }
                    .text(self.lang),
                )
            })?;
        }
        let run = PracticeRun {
            items,
            pos: 0,
            score: practice::Score::default(),
        };
        let text = self.question_text(&run)?;
        let n = run.items.len();
        self.focus_item(&run);
        self.practice = Some(run);
        self.last_grading = None;
        Ok(Outcome::say(text).with_status(TrainMsg::PracticeStarted(n).text(self.lang)))
    }

    /// Moves the cursor to the open question's row (its first asked cell).
    pub(super) fn focus_item(&mut self, run: &PracticeRun) {
        if let Some(item) = run.current()
            && let Ok(t) = practice::target(&self.study.trace, &item.address)
            && let Some(&j) = t.cols.first()
        {
            let _ = self.set_cursor(&t.step, t.head, Some((t.row, j)));
        }
    }

    pub(super) fn stop_practice(&mut self) -> Result<Outcome, SessionError> {
        match self.practice.take() {
            Some(run) => Ok(Outcome::say(
                TrainMsg::PracticeEnded {
                    pos: run.pos,
                    n: run.items.len(),
                    run: run.score.to_string(),
                    session: self.score.to_string(),
                }
                .text(self.lang),
            )),
            None => Err(SessionError::NotHere(TrainMsg::NoPractice.text(self.lang))),
        }
    }

    pub(super) fn answer(&mut self, answers: &[f64]) -> Result<Outcome, SessionError> {
        let Some(run) = &self.practice else {
            return Err(SessionError::NotHere(TrainMsg::NoQuestion.text(self.lang)));
        };
        let Some(item) = run.current() else {
            return Err(SessionError::NotHere(
                TrainMsg::PracticeOver.text(self.lang),
            ));
        };
        let g = practice::grade_in(
            self.model_ref(),
            &self.study.trace,
            item,
            answers,
            &self.explain_opts(),
            self.lang(),
        )
        .map_err(|e| SessionError::NotHere(e.text_in(self.lang)))?;
        let mut run = run.clone();
        run.score.add(&g);
        self.score.add(&g);
        let all_right = g.right() == g.asked();
        let mut text = format!(
            "{}\n{}",
            TrainMsg::Verdict(all_right).text(self.lang),
            g.to_text_in(self.precision, self.lang())
        );
        let status = TrainMsg::AnswerStatus {
            all_right,
            right: g.right(),
            asked: g.asked(),
            score: self.score.to_string(),
        }
        .text(self.lang);
        self.last_grading = Some(g);
        run.pos += 1;
        if run.current().is_some() {
            text.push('\n');
            text.push_str(&self.question_text(&run)?);
            self.focus_item(&run);
            self.practice = Some(run);
        } else {
            let done = TrainMsg::PracticeDone {
                right: run.score.right,
                asked: run.score.asked,
                score: self.score.to_string(),
            };
            text.push_str(&format!("{}\n", done.text(self.lang)));
            self.practice = None;
        }
        Ok(Outcome::say(text).with_status(status))
    }
}
