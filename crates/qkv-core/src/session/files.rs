//! Files: saving, loading and exporting a session, checking its expectations, quitting.

use super::*;
use crate::i18n::Lang;
use crate::i18n::session_files::FilesMsg;
use crate::scenario::schema::in_lang;

impl Session {
    /// The tour to save: the scenario's own stops that still fit the trace (none when the
    /// sentence changed: their notes would talk about other words), then the stops chosen in
    /// this session (cells selected, explained, noted) that are not already there.
    pub(super) fn tour_to_save(&self, own: &[TourStep], notes: &mut Vec<String>) -> Vec<TourStep> {
        let mut tour: Vec<TourStep> = Vec::new();
        if self.study.input_changed() {
            if !own.is_empty() {
                notes.push(FilesMsg::LeftOutOldStops(own.len()).text(self.lang));
            }
        } else {
            let fitting: Vec<TourStep> = own
                .iter()
                .filter(|t| scn::tour_stop_fits(&self.study.trace, t))
                .cloned()
                .collect();
            if fitting.len() < own.len() {
                notes.push(FilesMsg::LeftOutUnfitStops(own.len() - fitting.len()).text(self.lang));
            }
            tour = fitting;
        }
        // Only the stops chosen on purpose (a cell selected, explained or noted), in order,
        // each once: walking with next/prev passes steps without choosing them.
        for (stop, _) in self
            .study
            .visited
            .iter()
            .zip(&self.study.chosen)
            .filter(|(_, chosen)| **chosen)
        {
            let same =
                |t: &TourStep| t.show == stop.show && t.head == stop.head && t.cell == stop.cell;
            match tour.iter_mut().find(|t| same(t)) {
                Some(t) if stop.note.is_some() => t.note.clone_from(&stop.note),
                Some(_) => {}
                None => tour.push(stop.clone()),
            }
        }
        tour
    }

    /// The practice items that still fit the trace (a changed sentence may leave a row out).
    pub(super) fn practice_to_save(
        &self,
        own: &[crate::scenario::schema::PracticeSpec],
        notes: &mut Vec<String>,
    ) -> Vec<crate::scenario::schema::PracticeSpec> {
        let kept: Vec<_> = own
            .iter()
            .filter(|p| {
                Address::parse(&p.at).is_ok_and(|a| practice::target(&self.study.trace, &a).is_ok())
            })
            .cloned()
            .collect();
        if kept.len() < own.len() {
            notes.push(FilesMsg::LeftOutPractice(own.len() - kept.len()).text(self.lang));
        }
        kept
    }

    /// The session as a scenario file: the model (or hand-check), the tour (the scenario's
    /// own stops that still fit, then the stops visited here), the loaded expectations that
    /// still hold, and the values of the cells chosen on purpose; notes say what was left out.
    // Over 80 lines: the scenario file rebuilt section by section (model, input, tour, expectations, practice).
    pub fn to_file(&self) -> (ScenarioFile, Vec<String>) {
        let mut notes = Vec::new();
        match &self.study.subject {
            Subject::Model(m) => {
                let mut s = m.scenario.clone();
                s.steps = self.tour_to_save(&m.scenario.steps, &mut notes);
                if m.model.config().arch != Arch::EncoderDecoder && s.input.target.take().is_some()
                {
                    notes.push(FilesMsg::LeftOutTarget.text(self.lang));
                }
                // Embedding overrides of tokens no longer in the input would not load.
                let tokens: Vec<&String> = m
                    .input
                    .source
                    .iter()
                    .chain(m.input.target.iter().flatten())
                    .collect();
                let before = s.embeddings.0.len();
                s.embeddings.0.retain(|(t, _)| tokens.contains(&t));
                if s.embeddings.0.len() < before {
                    notes.push(
                        FilesMsg::LeftOutEmbeddings(before - s.embeddings.0.len()).text(self.lang),
                    );
                }
                (
                    ScenarioFile::Model(self.model_scenario_to_save(s, &mut notes)),
                    notes,
                )
            }
            Subject::Real(r) => {
                let mut s = r.scenario.clone();
                s.steps = self.tour_to_save(&r.scenario.steps, &mut notes);
                (
                    ScenarioFile::Model(self.model_scenario_to_save(s, &mut notes)),
                    notes,
                )
            }
            Subject::Hand(a) => {
                let mut a = (**a).clone();
                a.steps = self.tour_to_save(&a.steps, &mut notes);
                a.practice = self.practice_to_save(&a.practice, &mut notes);
                if a.expect.is_some() && check::check_attention(&self.study.trace, &a).failed() > 0
                {
                    notes.push(FilesMsg::HandExpectRecomputed.text(self.lang));
                    a.expect = None;
                }
                if a.expect.is_none() {
                    let rows = |n: &str| -> Option<Vec<Vec<f64>>> {
                        let m = self.study.trace.get(n)?.matrix(None).ok()?;
                        Some(
                            m.rows()
                                .into_iter()
                                .map(|r| r.iter().map(|x| f64_of(*x)).collect())
                                .collect(),
                        )
                    };
                    let causal = a.mask.map(|w| w.0) == Some(MaskKind::Causal);
                    a.expect = Some(AttentionExpect {
                        scores: rows("scores"),
                        scaled: rows("scaled"),
                        masked: if causal { rows("masked") } else { None },
                        weights: rows("weights"),
                        output: rows("output"),
                        tolerance: Some(1e-5),
                    });
                }
                (ScenarioFile::Attention(a), notes)
            }
        }
    }

    /// The model scenario to save, after its tour: the practice items that still fit, the
    /// expectations that still hold, the values of the cells chosen on purpose, and a title
    /// for a new sentence.
    fn model_scenario_to_save(&self, mut s: Scenario, notes: &mut Vec<String>) -> Scenario {
        s.practice = self.practice_to_save(&s.practice, notes);
        let report = check::check_model(&self.study.trace, &s);
        let before = s.expect.len();
        s.expect = s
            .expect
            .iter()
            .zip(&report.results)
            .filter(|(_, r)| r.passed)
            .map(|(e, _)| e.clone())
            .collect();
        if s.expect.len() < before {
            notes.push(FilesMsg::LeftOutExpectations(before - s.expect.len()).text(self.lang));
        }
        for (stop, chosen) in self.study.visited.iter().zip(&self.study.chosen) {
            if !chosen {
                continue;
            }
            if let Some(e) = recorded_expectation(&self.study.trace, stop)
                && !s.expect.iter().any(|x| x.at == e.at)
            {
                s.expect.push(e);
            }
        }
        if self.study.input_changed() || (s.title.is_empty() && s.title_ko.is_empty()) {
            // Both languages, each from the title in that language (a file that has only an
            // English one gives it to both).
            let title = |lang| {
                let was = in_lang(&s.title, &s.title_ko, lang);
                FilesMsg::SessionTitle {
                    text: s.input.text.clone(),
                    from: (!was.is_empty()).then(|| was.to_string()),
                }
                .text(lang)
            };
            (s.title, s.title_ko) = (title(Lang::En), title(Lang::Ko));
            // A description of this sentence stays; a new sentence gets a new one.
            if self.study.input_changed()
                || (s.description.is_empty() && s.description_ko.is_empty())
            {
                s.description = FilesMsg::SavedDescription.text(Lang::En);
                s.description_ko = FilesMsg::SavedDescription.text(Lang::Ko);
            }
        }
        s
    }

    pub(super) fn save(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        // The destination first: a bad one is named as such, before anything else is tried.
        io::destination(
            path,
            &SaveGuard {
                loaded: self.file.clone(),
                force,
            },
        )?;
        if self.trained_here().is_some() {
            return Err(SessionError::NotHere(
                FilesMsg::TrainedWeightsInNoFile.text(self.lang),
            ));
        }
        let (mut file, notes) = self.to_file();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        if let ScenarioFile::Model(s) = &mut file
            && let Some(c) = &s.model.checkpoint
        {
            // The checkpoint stays the same file: its path is made relative to the new
            // scenario's directory (absolute when it is not below it).
            s.model.checkpoint = Some(scn::rebase_checkpoint(c, s.base_dir.as_deref(), &dir));
            s.base_dir.0 = Some(dir.clone());
        }
        if let ScenarioFile::Model(s) = &mut file
            && let Some(h) = &s.model.hf
        {
            // The same directory, seen from the new scenario's.
            s.model.hf = Some(scn::rebase_checkpoint(h, s.base_dir.as_deref(), &dir));
            s.base_dir.0 = Some(dir.clone());
        }
        let text = io::to_yaml(&file)?;
        // Never write a file that would not load back.
        if let Err(e) = io::parse_and_build_in(&text, &path.display().to_string(), Some(&dir)) {
            return Err(SessionError::NotHere(
                FilesMsg::WouldNotLoadBack(e.to_string().replace('\n', "; ")).text(self.lang),
            ));
        }
        let over_loaded = self
            .file
            .as_ref()
            .is_some_and(|(p, _)| io::same_file(p, path));
        if over_loaded && self.file_comments && !force {
            return Err(SessionError::NotHere(
                FilesMsg::HasComments {
                    path: path.display().to_string(),
                }
                .text(self.lang),
            ));
        }
        let guard = SaveGuard {
            loaded: self.file.clone(),
            force,
        };
        io::save_text(&text, path, &guard)?;
        self.file = Some((path.to_path_buf(), io::fingerprint(text.as_bytes())));
        self.file_comments = false;
        self.dirty = false;
        // The session is now the saved scenario: its tour (replayed by `replay`), its title
        // and expectations; the stops recorded so far are in it.
        match (&mut self.study.subject, &file) {
            (Subject::Model(m), ScenarioFile::Model(saved)) => {
                m.scenario = saved.clone();
                self.study.started_on = Some(saved.input.clone());
            }
            (Subject::Real(r), ScenarioFile::Model(saved)) => {
                r.scenario = saved.clone();
                self.study.started_on = Some(saved.input.clone());
            }
            (Subject::Hand(a), ScenarioFile::Attention(saved)) => **a = saved.clone(),
            _ => {}
        }
        self.study.visited.clear();
        self.study.chosen.clear();
        let stops = file.steps().len();
        let checks = match &file {
            ScenarioFile::Model(s) => s.expect.len(),
            ScenarioFile::Attention(a) => a.expect.as_ref().map_or(0, |e| e.matrices().len()),
        };
        let mut out = FilesMsg::Saved {
            path: path.display().to_string(),
            stops,
            checks,
        }
        .text(self.lang);
        for n in notes {
            out.push('\n');
            out.push_str(&FilesMsg::Note(n).text(self.lang));
        }
        Ok(Outcome::say(out))
    }

    pub(super) fn load(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        if self.dirty && !force {
            return Err(SessionError::NotHere(self.t(SessionMsg::UnsavedLoad {
                path: path.display().to_string(),
            })));
        }
        let loaded = io::load_controlled(path, &self.control())?;
        let fresh = Session::from_runnable(loaded.file, loaded.runnable);
        let hand = fresh.is_hand_check();
        let old = std::mem::replace(&mut self.study, fresh.study);
        if hand && !matches!(old.subject, Subject::Hand(_)) {
            self.parked = Some(old);
        } else {
            self.parked = None;
            // The loaded scenario's model is studied now, not a training run's weights.
            self.learning.before_training = None;
        }
        self.file = Some((loaded.path, loaded.fingerprint));
        self.file_comments = loaded.has_comments;
        self.tour = None;
        self.dirty = false;
        let n = self.study.trace.steps().len();
        Ok(Outcome::say(self.t(SessionMsg::Loaded {
            path: path.display().to_string(),
            title: self.title().to_string(),
            steps: n,
        })))
    }

    pub(super) fn check(&self) -> Outcome {
        let report: CheckReport = match (&self.study.subject, self.study.subject.scenario()) {
            (_, Some(s)) => check::check_model(&self.study.trace, s),
            (Subject::Hand(a), None) => check::check_attention(&self.study.trace, a.as_ref()),
            (_, None) => CheckReport::default(),
        };
        if report.results.is_empty() {
            return Outcome::say(FilesMsg::NoExpectations.text(self.lang));
        }
        let mut text = String::new();
        for r in &report.results {
            text.push_str(&r.line_in(self.lang));
            text.push('\n');
        }
        let summary = self.t(SessionMsg::CheckSummary {
            passed: report.passed(),
            failed: report.failed(),
        });
        text.push_str(&summary);
        text.push('\n');
        Outcome::say(text).with_status(self.t(SessionMsg::CheckStatus(summary)))
    }

    pub(super) fn export(&mut self, path: &Path, force: bool) -> Result<Outcome, SessionError> {
        self.unpark();
        if let Subject::Real(r) = &self.study.subject {
            return self.export_real(&r.run, path, force);
        }
        let Some(model) = self.model() else {
            return Err(SessionError::NotHere(
                FilesMsg::HandNoExport.text(self.lang),
            ));
        };
        let format = export::Format::from_path(path)?;
        let predicted = export::predicted_bytes(model, &self.study.trace, format);
        if predicted > export::LARGE_EXPORT_BYTES && !force {
            return Err(SessionError::NotHere(
                FilesMsg::ExportTooLarge {
                    path: path.display().to_string(),
                    mb: predicted / 1_000_000,
                    json: format == export::Format::Json,
                }
                .text(self.lang),
            ));
        }
        let f = export::write(model, &self.study.trace, path)?;
        Ok(Outcome::say(
            FilesMsg::Exported {
                path: path.display().to_string(),
                format: f.to_string(),
                steps: self.study.trace.steps().len(),
                weights: model.weights().len(),
            }
            .text(self.lang),
        ))
    }

    /// `export` on a real model: its trace and weights as JSON, with the ids fed to it.
    fn export_real(
        &self,
        run: &crate::hf::Run,
        path: &Path,
        force: bool,
    ) -> Result<Outcome, SessionError> {
        let format = export::Format::from_path(path)?;
        if format != export::Format::Json {
            return Err(SessionError::NotHere(
                crate::i18n::hf::HfLine::ExportJsonOnly {
                    path: path.display().to_string(),
                }
                .text(self.lang),
            ));
        }
        // About 20 characters a number, as the engine's JSON export.
        let predicted = 20 * crate::hf::export::value_count(&run.model, &self.study.trace);
        if predicted > export::LARGE_EXPORT_BYTES && !force {
            return Err(SessionError::NotHere(
                FilesMsg::ExportTooLarge {
                    path: path.display().to_string(),
                    mb: predicted / 1_000_000,
                    json: true,
                }
                .text(self.lang),
            ));
        }
        crate::hf::export::write_json(
            &run.model,
            &self.study.trace,
            &run.source,
            &run.target,
            path,
        )?;
        Ok(Outcome::say(
            FilesMsg::Exported {
                path: path.display().to_string(),
                format: format.to_string(),
                steps: self.study.trace.steps().len(),
                weights: run.model.weights().len(),
            }
            .text(self.lang),
        ))
    }

    pub(super) fn params(&mut self) -> Result<Outcome, SessionError> {
        self.unpark();
        let m = self.model_subject()?;
        let vocab = self.study.trace.tokens().vocab.len() as u64;
        let r = crate::model::params::count(m.model.config(), vocab);
        let lang = self.lang;
        let mut text = format!("{}\n", FilesMsg::ParamsHeading { vocab }.text(lang));
        text.push_str(&crate::i18n::params::rows(&r, lang, |n| n.to_string()));
        text.push_str(&format!(
            "  {:>12}  {}\n",
            r.total,
            FilesMsg::ParamsTotal.text(lang)
        ));
        Ok(Outcome::say(text).with_status(FilesMsg::ParamsStatus(r.total).text(lang)))
    }

    pub(super) fn quit(&mut self, force: bool) -> Outcome {
        if self.is_dirty() && !force && !self.quit_armed {
            self.quit_armed = true;
            let updates = self.unsaved_updates();
            return Outcome::say(if updates > 0 {
                self.t(SessionMsg::UnsavedTraining { updates })
            } else {
                self.t(SessionMsg::UnsavedQuit)
            });
        }
        Outcome {
            text: String::new(),
            status: self.t(SessionMsg::Bye),
            quit: true,
            ..Outcome::default()
        }
    }
}
