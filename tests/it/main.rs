//! Every integration test of qkv in one test binary: each file here was a binary of its own,
//! and each of those linked the whole crate, which dominated the time of `cargo test` on a
//! cold machine. The modules keep their own helpers; they share nothing but the crate.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports failure

mod bench_cli;
mod cli;
mod determinism;
mod explain;
mod explain_korean;
mod explore;
mod hardening;
mod invariants;
mod lang_cli;
mod learn;
mod learning;
mod mutated_scenarios;
mod plot;
mod repl;
mod rerun;
mod scenarios;
mod session;
mod shapes;
mod trace_storage;
mod tui_e2e;
mod tui_explore;
mod tui_korean;
mod tui_learn;
mod tui_practice;
mod tui_snapshots;
mod tui_update;
