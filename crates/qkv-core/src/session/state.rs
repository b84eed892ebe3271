//! What a session holds, as the front ends read it: the trace, the model, the toggles, the
//! cursor, the tour, the file and the language.

use super::*;
use crate::i18n::errors::ErrorMsg;
use crate::i18n::session_files::FilesMsg;
use crate::scenario::schema::in_lang;

impl Session {
    /// The current trace.
    pub fn trace(&self) -> &Trace {
        &self.study.trace
    }

    /// The trace before the last rerun (to highlight what changed).
    pub fn previous_trace(&self) -> Option<&Trace> {
        self.study.previous.as_ref()
    }

    /// Keeps `old` as the trace before the current one, without the heads it kept of its
    /// own (a rerun that took the heads over has let go of most already; a new sentence or
    /// new weights leave them all): the session holds one set of heads, the current
    /// trace's. Reading the previous trace's heads recomputes them, with the same bits.
    pub(super) fn keep_as_previous(&mut self, old: Trace) {
        old.release_heads_not_in(&self.study.trace);
        self.study.previous = Some(old);
    }

    /// qkv's own model, unless the session is on a Hugging Face model
    /// ([`Session::real_model`]) or an attention hand-check.
    pub fn model(&self) -> Option<&Transformer> {
        match &self.study.subject {
            Subject::Model(m) => Some(&m.model),
            Subject::Real(_) | Subject::Hand(_) => None,
        }
    }

    /// The Hugging Face Marian model the session is on (`--hf DIR`, `model.hf`).
    pub fn real_model(&self) -> Option<&crate::hf::HfModel> {
        match &self.study.subject {
            Subject::Real(r) => Some(&r.run.model),
            Subject::Model(_) | Subject::Hand(_) => None,
        }
    }

    /// The model as explanations, plots and practice read it: qkv's own or a Hugging Face
    /// one (`None` on a hand-check).
    pub fn model_ref(&self) -> Option<crate::explain::ModelRef<'_>> {
        match &self.study.subject {
            Subject::Model(m) => Some(crate::explain::ModelRef::Paper(&m.model)),
            Subject::Real(r) => Some(crate::explain::ModelRef::from(&*r.run.model)),
            Subject::Hand(_) => None,
        }
    }

    /// The ids fed to a Hugging Face model: the encoder's (ending in `</s>`) and the
    /// decoder's (starting with `<pad>`).
    pub fn real_ids(&self) -> Option<(&[usize], &[usize])> {
        match &self.study.subject {
            Subject::Real(r) => Some((&r.run.source, &r.run.target)),
            Subject::Model(_) | Subject::Hand(_) => None,
        }
    }

    /// The model's configuration.
    pub fn config(&self) -> Option<&Config> {
        self.model().map(Transformer::config)
    }

    /// The source and target text (model sessions).
    pub fn input(&self) -> Option<&Input> {
        match &self.study.subject {
            Subject::Model(m) => Some(&m.input),
            Subject::Real(r) => Some(&r.run.input),
            Subject::Hand(_) => None,
        }
    }

    /// What the toggles are now, for a model or a hand-check.
    pub fn toggles(&self) -> Toggles {
        match &self.study.subject {
            Subject::Model(m) => {
                let c = m.model.config();
                Toggles {
                    mask: c.toggled_mask(),
                    scale: c.scale,
                    pe: Some(c.positional != Positional::None),
                    norm: Some(c.norm),
                }
            }
            // A Marian model: its attention is scaled, its positions sinusoidal, its
            // LayerNorm after each sublayer; none of it can be switched.
            Subject::Real(_) => Toggles {
                mask: MaskKind::None,
                scale: true,
                pe: Some(true),
                norm: Some(crate::model::Norm::Post),
            },
            Subject::Hand(a) => Toggles {
                mask: a.mask.map_or(MaskKind::None, |w| w.0),
                scale: a.scale.unwrap_or(true),
                pe: None,
                norm: None,
            },
        }
    }

    /// The command that flips `setting` from its current value.
    pub(super) fn toggled(&self, setting: Setting) -> Result<Command, SessionError> {
        let t = self.toggles();
        let switch = |on: bool| if on { Switch::On } else { Switch::Off };
        let missing = |what: &str| {
            self.not_here(ErrorMsg::HandHasNo {
                what: what.to_string(),
            })
        };
        Ok(match setting {
            Setting::Mask => Command::Mask(if t.mask == MaskKind::None {
                MaskKind::Causal
            } else {
                MaskKind::None
            }),
            Setting::Scale => Command::Scale(switch(!t.scale)),
            Setting::Pe => {
                Command::Pe(switch(!t.pe.ok_or_else(|| missing("positional encoding"))?))
            }
            Setting::Norm => Command::Norm(match t.norm.ok_or_else(|| missing("LayerNorm"))? {
                crate::model::Norm::Pre => crate::model::Norm::Post,
                crate::model::Norm::Post => crate::model::Norm::Pre,
            }),
        })
    }

    /// True when the session is on an attention hand-check.
    pub fn is_hand_check(&self) -> bool {
        matches!(self.study.subject, Subject::Hand(_))
    }

    /// Title of the scenario in the session's language ([`in_lang`]); once the sentence has
    /// changed, `Session on <sentence> (from “<title>”)` (what `save` writes).
    pub fn title(&self) -> std::borrow::Cow<'_, str> {
        self.title_in(self.lang)
    }

    /// [`Session::title`] in `lang`.
    pub fn title_in(&self, lang: crate::i18n::Lang) -> std::borrow::Cow<'_, str> {
        match (&self.study.subject, self.study.subject.scenario()) {
            (_, Some(s)) if self.study.input_changed() => {
                let was = in_lang(&s.title, &s.title_ko, lang);
                std::borrow::Cow::Owned(
                    FilesMsg::SessionTitle {
                        text: s.input.text.clone(),
                        from: (!was.is_empty()).then(|| was.to_string()),
                    }
                    .text(lang),
                )
            }
            (_, Some(s)) => std::borrow::Cow::Borrowed(in_lang(&s.title, &s.title_ko, lang)),
            (Subject::Hand(a), None) => {
                std::borrow::Cow::Borrowed(in_lang(&a.title, &a.title_ko, lang))
            }
            (_, None) => std::borrow::Cow::Borrowed(""),
        }
    }

    /// Description of the scenario in the session's language ([`in_lang`]).
    pub fn description(&self) -> &str {
        match (&self.study.subject, self.study.subject.scenario()) {
            (_, Some(s)) => in_lang(&s.description, &s.description_ko, self.lang),
            (Subject::Hand(a), None) => in_lang(&a.description, &a.description_ko, self.lang),
            (_, None) => "",
        }
    }

    /// Stops of the scenario's own guided tour (what `replay` walks).
    pub fn scenario_tour_len(&self) -> usize {
        match (&self.study.subject, self.study.subject.scenario()) {
            (_, Some(s)) => s.steps.len(),
            (Subject::Hand(a), None) => a.steps.len(),
            (_, None) => 0,
        }
    }

    /// The cursor.
    pub fn cursor(&self) -> &Cursor {
        &self.study.cursor
    }

    /// The step under the cursor.
    pub fn current_step(&self) -> Option<&Step> {
        self.study.trace.get(&self.study.cursor.step)
    }

    /// The head index to use with the current step (`None` for steps without heads).
    pub fn current_head(&self) -> Option<usize> {
        self.current_step()
            .and_then(Step::heads)
            .map(|_| self.study.cursor.head)
    }

    /// The address of the selected cell.
    pub fn cell_address(&self) -> Address {
        let c = &self.study.cursor;
        let mut indices: Vec<usize> = self.current_head().into_iter().collect();
        indices.extend([c.row, c.col]);
        Address {
            name: c.step.clone(),
            indices,
        }
    }

    /// The tour being replayed.
    pub fn tour(&self) -> Option<&Tour> {
        self.tour.as_ref()
    }

    /// The stops recorded so far (what `save` writes as the guided tour).
    pub fn visited(&self) -> &[TourStep] {
        &self.study.visited
    }

    /// The file the session was loaded from or last saved to.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_ref().map(|(p, _)| p.as_path())
    }

    /// Unsaved changes? Changes to the scenario, or training updates not yet saved as a
    /// checkpoint ([`Session::unsaved_updates`]).
    pub fn is_dirty(&self) -> bool {
        self.dirty || self.unsaved_updates() > 0
    }

    /// Training updates of this session's run that no checkpoint holds yet (0 without a
    /// run). Leaving would lose them, as it would lose unsaved changes.
    pub fn unsaved_updates(&self) -> usize {
        self.learning.training.as_ref().map_or(0, |t| {
            t.steps_done()
                .saturating_sub(self.learning.saved_updates.unwrap_or(0))
        })
    }

    /// The language the session's messages are in (English unless a front end set it
    /// from `--lang`, `QKV_LANG` or the locale; not part of the scenario).
    pub fn lang(&self) -> crate::i18n::Lang {
        self.lang
    }

    /// Makes the session speak `lang` from the next command on.
    pub fn set_lang(&mut self, lang: crate::i18n::Lang) {
        self.lang = lang;
    }

    /// `m` in the session's language.
    pub(super) fn t(&self, m: crate::i18n::session::SessionMsg) -> String {
        m.text(self.lang)
    }

    /// `K` when the step at the cursor was last shown with `--top K` (`show probs[3] --top
    /// 5`): the workbench's matrix pane lists each row's `K` largest values, largest first.
    pub fn top_view(&self) -> Option<usize> {
        self.top_view
            .as_ref()
            .filter(|(step, _)| *step == self.study.cursor.step)
            .map(|(_, k)| *k)
    }

    /// Digits printed after the decimal point.
    pub fn precision(&self) -> usize {
        self.precision
    }

    pub(super) fn render_opts(&self) -> RenderOptions {
        RenderOptions {
            precision: self.precision,
            lang: self.lang,
            ..RenderOptions::default()
        }
    }
}
