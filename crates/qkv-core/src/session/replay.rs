//! Guided tours: replaying a scenario's stops and stepping through them.

use super::*;

impl Session {
    pub(super) fn tour_step(&mut self, delta: isize) -> Result<Outcome, SessionError> {
        let Some(tour) = &self.tour else {
            return Err(SessionError::NotHere("no tour is being replayed".into()));
        };
        let next = tour.pos as isize + delta;
        if next < 0 {
            return Err(SessionError::NotHere(
                "already at the first stop of the tour".into(),
            ));
        }
        if next as usize >= tour.steps.len() {
            let n = tour.steps.len();
            self.tour = None;
            return Ok(Outcome::say(format!(
                "end of the tour ({n} stops); next/prev walk the pipeline again"
            )));
        }
        if let Some(t) = &mut self.tour {
            t.pos = next as usize;
        }
        self.show_stop()
    }

    pub(super) fn show_stop(&mut self) -> Result<Outcome, SessionError> {
        let Some(tour) = self.tour.clone() else {
            return Err(SessionError::NotHere("no tour is being replayed".into()));
        };
        let Some(stop) = tour.current() else {
            return Err(SessionError::NotHere("the tour is empty".into()));
        };
        let (name, head) = scn::tour_target(stop).map_err(SessionError::NotHere)?;
        self.set_cursor(&name, head, stop.cell.map(|[r, c]| (r, c)))?;
        let mut text = format!(
            "\n── stop {}/{}: {} ──\n",
            tour.pos + 1,
            tour.steps.len(),
            self.here()
        );
        if let Some(n) = &stop.note {
            text.push_str(n);
            text.push('\n');
        }
        text.push_str(&self.show_current()?);
        let status = format!(
            "tour {}/{}: {}",
            tour.pos + 1,
            tour.steps.len(),
            stop.note.as_deref().unwrap_or(&self.here())
        );
        Ok(Outcome::say(text).with_status(status))
    }

    pub(super) fn replay(&mut self, path: Option<&Path>) -> Result<Outcome, SessionError> {
        let mut prefix = String::new();
        if let Some(p) = path {
            let out = self.load(p, false)?;
            prefix = format!("{}\n", out.status);
        }
        let steps = match &self.study.subject {
            Subject::Model(m) => m.scenario.steps.clone(),
            Subject::Hand(a) => a.steps.clone(),
        };
        if steps.is_empty() {
            return Err(SessionError::NotHere(
                "this scenario has no guided tour (`steps:`); walk with next/prev instead".into(),
            ));
        }
        self.tour = Some(Tour { steps, pos: 0 });
        match self.show_stop() {
            Ok(mut o) => {
                o.text = format!("{prefix}{}{}", self.intro(), o.text);
                Ok(o)
            }
            Err(e) => {
                self.tour = None;
                Err(e)
            }
        }
    }

    pub(super) fn intro(&self) -> String {
        let mut s = String::new();
        if !self.title().is_empty() {
            s.push_str(&format!("{}\n", self.title()));
        }
        if !self.description().is_empty() {
            s.push_str(&format!("{}\n", self.description()));
        }
        s.push_str("(Enter or `next` for the next stop, `prev` to go back)\n");
        s
    }
}
