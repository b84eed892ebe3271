//! qkv: a terminal workbench for studying the Transformer of "Attention Is All You Need".
//!
//! Layers, from the bottom: [`model`] (pure math) records every intermediate of a forward
//! pass into a [`trace::Trace`]; [`render`] prints steps as aligned matrices; [`export`]
//! writes a trace and its weights for numpy/PyTorch; [`explain`] gives the arithmetic behind
//! any cell of a trace.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod explain;
pub mod export;
pub mod model;
pub mod render;
pub mod scenario;
pub mod trace;
