//! qkv: a terminal workbench for studying the Transformer of "Attention Is All You Need".
//!
//! Layers, from the bottom: [`model`] (pure math) records every intermediate of a forward
//! pass into a [`trace::Trace`]; [`render`] prints steps as aligned matrices; [`export`]
//! writes a trace and its weights for numpy/PyTorch; [`explain`] gives the arithmetic behind
//! any cell of a trace; [`scenario`] reads, writes and checks YAML scenarios; [`session`]
//! holds a study session that both front ends change only through [`session::Session::apply`]
//! with a [`command::Command`]; [`repl`] is the rustyline front end and [`tui`] the ratatui
//! one; [`mod@bench`] measures the forward pass against the machine's matrix-product rate.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod atomic;
pub mod bench;
pub mod buffers;
pub mod command;
pub mod explain;
pub mod explore;
pub mod export;
pub mod learn;
pub mod limits;
pub mod model;
pub mod render;
pub mod repl;
pub mod scenario;
pub mod session;
pub mod trace;
pub mod tui;
pub mod util;
