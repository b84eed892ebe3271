//! The explorers in a [`Session`] (`explore pe`, `explore scaling`, `explore heads`): they
//! read the session (its d_model, its trace) and change nothing.

use crate::command::ExploreCommand;
use crate::explore::{ExploreError, heads, pe, scaling};
use crate::i18n::explore::ExMsg;
use crate::i18n::explore_text::ExText;

use super::{Outcome, Session, SessionError};

/// d_model of `explore pe` on a hand-check (which has no model).
pub const HAND_CHECK_D_MODEL: usize = 8;

impl From<ExploreError> for SessionError {
    fn from(e: ExploreError) -> SessionError {
        SessionError::NotHere(format!("explore: {e}"))
    }
}

impl Session {
    /// d_model the PE explorer uses: the model's, or [`HAND_CHECK_D_MODEL`].
    pub fn explore_d_model(&self) -> usize {
        self.config().map_or(HAND_CHECK_D_MODEL, |c| c.d_model)
    }

    pub(super) fn explore(&self, e: ExploreCommand) -> Result<Outcome, SessionError> {
        match e {
            ExploreCommand::Pe {
                positions,
                dims,
                p,
                k,
                pair,
            } => {
                let d = self.explore_d_model();
                let r = pe::report(positions, d, (p, k, pair))?;
                let mut text = String::new();
                if self.config().is_none() {
                    text.push_str(&format!("{}\n", ExText::HandCheckWidth(d).text(self.lang)));
                }
                text.push_str(&pe::text(
                    &r,
                    dims.unwrap_or(crate::command::explore::DEFAULT_PE_DIMS),
                    self.lang,
                ));
                let status = ExText::PeStatus {
                    d,
                    residual: format!("{:.1e}", r.rotation.residual()),
                };
                Ok(Outcome::say(text).with_status(status.text(self.lang)))
            }
            ExploreCommand::Scaling { d_k } => {
                let row = scaling::row(scaling::SEED, d_k)?;
                let text = scaling::text(scaling::standard(), &row, self.lang);
                Ok(Outcome::say(text).with_status(ExText::ScalingStatus.text(self.lang)))
            }
            ExploreCommand::Heads => {
                let hs = heads::summarize(self.trace());
                let roles = hs
                    .iter()
                    .filter(|h| h.stats.role != heads::Role::Mixed)
                    .count();
                let status = ExMsg::HeadsCount {
                    heads: hs.len(),
                    roles,
                };
                Ok(Outcome::say(heads::table(&hs, self.lang)).with_status(status.text(self.lang)))
            }
        }
    }
}
