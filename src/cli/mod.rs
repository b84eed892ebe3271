//! Subcommands of the `qkv` binary that live outside `main.rs`.

pub mod learn;
