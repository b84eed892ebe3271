//! The explorers in a [`Session`] (`explore pe`, `explore scaling`, `explore heads`): they
//! read the session (its d_model, its trace) and change nothing.

use crate::command::ExploreCommand;
use crate::explore::{ExploreError, heads, pe, scaling};
use crate::i18n::explore::{ExMsg, heads_table};

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
                    text.push_str(&format!(
                        "(a hand-check has no positional encoding: d_model {d} is used)\n"
                    ));
                }
                text.push_str(&pe::text(
                    &r,
                    dims.unwrap_or(crate::command::explore::DEFAULT_PE_DIMS),
                ));
                Ok(Outcome::say(text).with_status(format!(
                    "PE, d_model {d}: PE(p)·PE(p+k) depends on k alone; rotation residual {:.1e}",
                    r.rotation.residual()
                )))
            }
            ExploreCommand::Scaling { d_k } => {
                let row = scaling::row(scaling::SEED, d_k)?;
                let text = scaling::text(scaling::standard(), &row);
                Ok(Outcome::say(text)
                    .with_status("Var(q·k) = d_k; ÷√d_k keeps the softmax rows soft"))
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
                Ok(Outcome::say(heads_table(&hs, self.lang)).with_status(status.text(self.lang)))
            }
        }
    }
}
