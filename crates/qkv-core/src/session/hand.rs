//! Hand-checks (`kind: attention`, `attend`): one query against its keys, by hand.

use super::*;
use crate::i18n::Lang;
use crate::i18n::session_files::FilesMsg;

impl Session {
    pub(super) fn attend(&mut self, a: AttendArgs) -> Result<Outcome, SessionError> {
        let scenario = AttentionScenario {
            version: VERSION,
            kind: Kind::Attention,
            title: FilesMsg::HandTitle.text(Lang::En),
            title_ko: FilesMsg::HandTitle.text(Lang::Ko),
            description: FilesMsg::HandDescription.text(Lang::En),
            description_ko: FilesMsg::HandDescription.text(Lang::Ko),
            q: a.q,
            k: a.k,
            v: a.v,
            mask: a.causal.then_some(Word(MaskKind::Causal)),
            scale: Some(a.scale),
            steps: Vec::new(),
            expect: None,
            practice: Vec::new(),
        };
        let trace = scn::build_attention(&scenario).map_err(SessionError::Invalid)?;
        let mut text = String::new();
        let opts = self.render_opts();
        let no_v = scenario.v.is_none();
        for name in ["scores", "scaled", "masked", "weights", "output"] {
            if name == "masked" && !a.causal {
                continue;
            }
            if name == "output" && no_v {
                text.push_str(&FilesMsg::NoValues.text(self.lang));
                text.push('\n');
                continue;
            }
            text.push_str(&render::address(&trace, &Address::parse(name)?, &opts)?);
            if let Ok(step) = trace.step(name) {
                let (rows, cols) = step.dims();
                for i in 0..rows.min(4) {
                    for j in 0..cols.min(6) {
                        let addr = Address {
                            name: name.to_string(),
                            indices: vec![i, j],
                        };
                        if let Ok(e) = crate::explain::explain_in(
                            None,
                            &trace,
                            &addr,
                            &self.explain_opts(),
                            self.lang,
                        ) {
                            text.push_str(&format!(
                                "  {}\n",
                                e.to_text().lines().collect::<Vec<_>>().join("\n    ")
                            ));
                        }
                    }
                }
            }
            text.push('\n');
        }
        let study = Study::new(Subject::Hand(Box::new(scenario)), trace);
        let old = std::mem::replace(&mut self.study, study);
        if !matches!(old.subject, Subject::Hand(_)) {
            self.parked = Some(old);
        }
        self.set_cursor("scores", None, Some((0, 0)))?;
        self.tour = None;
        self.dirty = true;
        Ok(Outcome::say(text).with_status(FilesMsg::Attended.text(self.lang)))
    }

    pub(super) fn explain_opts(&self) -> crate::explain::ExplainOptions {
        crate::explain::ExplainOptions {
            precision: self.precision,
            ..crate::explain::ExplainOptions::default()
        }
    }

    /// The explanation of `address` (or of the selected cell), in the session's language.
    pub fn explanation(
        &self,
        address: Option<&Address>,
    ) -> Result<crate::explain::Explanation, SessionError> {
        self.explanation_in(address, self.lang())
    }

    /// [`Session::explanation`] in `lang` (the front end's language; reads only).
    pub fn explanation_in(
        &self,
        address: Option<&Address>,
        lang: crate::i18n::Lang,
    ) -> Result<crate::explain::Explanation, SessionError> {
        let addr = address.cloned().unwrap_or_else(|| self.cell_address());
        // A number of a weight, with its gradient on this sentence when `grad` computed it.
        if self.study.trace.get(&addr.name).is_none()
            && let Some(m) = self.model()
            && m.weights().get(&addr.name).is_some()
        {
            let grad = self.gradients().and_then(|g| g.weight(&addr.name));
            return crate::explain::explain_weight_in(
                m,
                &self.study.trace,
                &addr,
                grad,
                &self.explain_opts(),
                lang,
            )
            .map_err(|e| SessionError::Explain(e.text_in(lang)));
        }
        crate::explain::explain_with(
            self.model_ref(),
            &self.study.trace,
            &addr,
            &self.explain_opts(),
            lang,
        )
        .map_err(|e| SessionError::Explain(e.text_in(lang)))
    }

    pub(super) fn explain(&mut self, a: Option<Address>) -> Result<Outcome, SessionError> {
        if let Some(a) = &a {
            self.unpark_for(&a.name);
        }
        let e = self.explanation(a.as_ref())?;
        let text = e.to_text();
        if let Some(a) = a.filter(|a| self.study.trace.get(&a.name).is_some()) {
            // Explaining a cell also moves there (a weight's number has no place in the
            // trace: the cursor stays).
            let r = check::resolve(&self.study.trace, &a)?;
            if let (Some(i), Some(j)) = (r.row, r.col) {
                self.set_cursor(&a.name, r.head, Some((i, j)))?;
                self.visit(true);
            }
        }
        Ok(Outcome::say(text))
    }
}
