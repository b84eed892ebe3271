//! The qkv engine: a small Transformer written with `ndarray` that records every step of its
//! forward pass (and, for learning, its backward pass) under canonical names, explains the
//! arithmetic of any cell, trains and decodes, reads and writes scenarios, and keeps a study
//! [`session::Session`] that front ends change only through
//! [`session::Session::apply`]. It prints nothing and knows no terminal: the `qkv` binary's
//! CLI, REPL and TUI are built on it.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod atomic;
pub mod buffers;
pub mod command;
pub mod explain;
pub mod explore;
pub mod export;
pub mod heat;
pub mod hf;
pub mod i18n;
pub mod keymap;
pub mod learn;
pub mod lens;
pub mod limits;
pub mod model;
pub mod number;
pub mod plot;
pub mod practice;
pub mod render;
pub mod scenario;
pub mod session;
pub mod trace;
pub mod util;
pub mod weight_view;
