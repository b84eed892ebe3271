//! Guided tours: replaying a scenario's stops and stepping through them.

use super::*;

impl Session {
    pub(super) fn tour_step(&mut self, delta: isize) -> Result<Outcome, SessionError> {
        let Some(tour) = &self.tour else {
            return Err(SessionError::NotHere(self.t(SessionMsg::NoTour)));
        };
        let next = tour.pos as isize + delta;
        if next < 0 {
            return Err(SessionError::NotHere(self.t(SessionMsg::TourFirst)));
        }
        if next as usize >= tour.steps.len() {
            let n = tour.steps.len();
            self.tour = None;
            return Ok(Outcome::say(self.t(SessionMsg::TourEnd(n))));
        }
        if let Some(t) = &mut self.tour {
            t.pos = next as usize;
        }
        self.show_stop()
    }

    pub(super) fn show_stop(&mut self) -> Result<Outcome, SessionError> {
        let Some(tour) = self.tour.clone() else {
            return Err(SessionError::NotHere(self.t(SessionMsg::NoTour)));
        };
        let Some(stop) = tour.current() else {
            return Err(SessionError::NotHere(self.t(SessionMsg::TourEmpty)));
        };
        let (name, head) = scn::tour_target(stop).map_err(SessionError::NotHere)?;
        self.set_cursor(&name, head, stop.cell.map(|[r, c]| (r, c)))?;
        let heading = self.t(SessionMsg::StopHeading {
            pos: tour.pos + 1,
            n: tour.steps.len(),
            here: self.here(),
        });
        let mut text = format!("\n{heading}\n");
        if let Some(n) = &stop.note {
            text.push_str(n);
            text.push('\n');
        }
        text.push_str(&self.show_current()?);
        let status = self.t(SessionMsg::TourStop {
            pos: tour.pos + 1,
            n: tour.steps.len(),
            label: stop.note.clone().unwrap_or_else(|| self.here()),
        });
        Ok(Outcome::say(text).with_status(status))
    }

    pub(super) fn replay(&mut self, path: Option<&Path>) -> Result<Outcome, SessionError> {
        let mut prefix = String::new();
        if let Some(p) = path {
            let out = self.load(p, false)?;
            prefix = format!("{}\n", out.status);
        }
        let steps = match (&self.study.subject, self.study.subject.scenario()) {
            (_, Some(s)) => s.steps.clone(),
            (Subject::Hand(a), None) => a.steps.clone(),
            (_, None) => Vec::new(),
        };
        if steps.is_empty() {
            return Err(SessionError::NotHere(self.t(SessionMsg::NoGuidedTour)));
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
        s.push_str(&format!("{}\n", self.t(SessionMsg::TourKeys)));
        s
    }
}
