//! The subcommands of the `qkv` binary: `main.rs` declares the command line and dispatches;
//! each file here carries out a group of subcommands.

pub mod bench;
pub mod help_ko;
pub mod hf;
pub mod interactive;
pub mod learn;
pub mod lens;
pub mod model;
pub mod study;
