//! `Session::apply` on the default (trained, d_model 32) model: up to 8 command lines per
//! input, those that touch files (save, load, export, plot, `> file`, replay of a file,
//! checkpoints, corpora) left out, and training capped at 3 updates so that one input stays
//! short. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qkv::command::{Command, LearnCommand, parse};
use qkv::session::Session;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Built once (loading the shipped checkpoint and its first pass cost more than most
    // inputs), then cloned: every input starts from the same fresh session.
    static BASE: std::sync::OnceLock<Option<Session>> = std::sync::OnceLock::new();
    let Some(mut session) = BASE.get_or_init(|| Session::default_scenario().ok()).clone() else {
        return;
    };
    for line in text.lines().take(8) {
        let Ok(Some(cmd)) = parse(line) else {
            continue;
        };
        if matches!(
            cmd,
            Command::Save { .. }
                | Command::Load { .. }
                | Command::Export { .. }
                | Command::Plot { .. }
                | Command::Redirect { .. }
                | Command::Replay(Some(_))
                | Command::Learn(
                    LearnCommand::CheckpointLoad(_)
                        | LearnCommand::CheckpointSave { .. }
                        | LearnCommand::Corpus(_)
                )
        ) {
            continue;
        }
        if let Command::Learn(LearnCommand::Train(n)) = cmd
            && n > 3
        {
            continue;
        }
        let _ = session.apply(cmd);
        // Drawing state must stay consistent: the cursor names a step of the trace.
        let _ = session.current_step();
        let _ = session.to_file();
    }
});
