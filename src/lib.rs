//! qkv: a terminal workbench for studying the Transformer of "Attention Is All You Need".
//!
//! The engine is the `qkv-core` crate (re-exported here under the same module names):
//! [`model`] (pure math) records every intermediate of a forward pass into a
//! [`trace::Trace`]; [`render`] prints steps as aligned matrices; [`export`] writes a trace
//! and its weights for numpy/PyTorch; [`explain`] gives the arithmetic behind any cell of a
//! trace; [`learn`] trains and decodes; [`plot`] draws one matrix as an SVG heatmap or a Markdown,
//! CSV or LaTeX table, in the colours of [`heat`] that the terminal uses too; [`scenario`] reads, writes and checks YAML scenarios;
//! [`session`] holds a study session that both front ends change only through
//! [`session::Session::apply`] with a [`command::Command`].
//!
//! This crate holds the front ends: [`repl`] (rustyline) and [`tui`] (ratatui), and
//! [`mod@bench`], which measures the forward pass against the machine's matrix-product rate.
//! The CLI is the binary (`src/main.rs`, `src/cli/`).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub use qkv_core::{
    atomic, buffers, command, explain, explore, export, heat, hf, i18n, keymap, learn, lens,
    limits, model, number, plot, practice, render, scenario, session, trace, util, weight_view,
};

pub mod bench;
pub mod repl;
pub mod tui;
