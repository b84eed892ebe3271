//! Every integration test of qkv in one test binary (one link of the crate instead of one
//! per file). Helpers used by more than one module live in `util`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports failure
#![allow(
    clippy::too_many_lines,
    reason = "an end-to-end test walks a session in the order a student does; split, the order is lost"
)]

mod bench_cli;
mod cli;
mod cli_korean;
mod determinism;
mod docs;
mod errors_korean;
mod explain;
mod explain_korean;
mod explore;
mod hardening;
mod hardening_results;
mod hf;
mod hf_bert;
mod hf_fixture;
mod hf_gpt2;
mod invariants;
mod ko_texts;
mod lang_cli;
mod layering;
mod learn;
mod learning;
mod learning_current;
mod learning_hardening;
mod lens;
mod mutated_scenarios;
mod plot;
mod reference;
mod repl;
mod repl_korean;
mod rerun;
mod scenarios;
mod session;
mod session_korean;
mod session_korean_outputs;
mod session_saving;
mod shapes;
mod trace_storage;
mod tui_e2e;
mod tui_explore;
mod tui_keys;
mod tui_korean;
mod tui_learn;
mod tui_practice;
mod tui_snapshots;
mod tui_update;
mod util;
mod writers;
