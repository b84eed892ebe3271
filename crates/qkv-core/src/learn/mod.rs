//! Learning: the loss, the backward pass written by hand, optimisers, training on a corpus,
//! checkpoints and decoding. Pure computation like [`crate::model`]: no printing, no UI;
//! files only in [`checkpoint`] and [`corpus`], which read and write what they are asked to.

pub mod backward;
pub mod checkpoint;
pub mod corpus;
pub mod decode;
pub mod explain;
pub mod gradcheck;
pub mod loss;
pub mod optim;
pub mod train;

pub use backward::{BackwardError, Gradients, backward, backward_with};
pub use loss::{IGNORE, Loss, LossError};
