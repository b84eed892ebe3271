//! `Session::apply` on the tiny default model: up to 8 command lines per input, those that
//! touch files (save, load, export, replay of a file) left out. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qkv::command::{Command, parse};
use qkv::session::Session;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut session) = Session::default_scenario() else {
        return;
    };
    for line in text.lines().take(8) {
        let Ok(Some(cmd)) = parse(line) else {
            continue;
        };
        if matches!(
            cmd,
            Command::Save { .. } | Command::Load(_) | Command::Export(_) | Command::Replay(Some(_))
        ) {
            continue;
        }
        let _ = session.apply(cmd);
        // Drawing state must stay consistent: the cursor names a step of the trace.
        let _ = session.current_step();
        let _ = session.to_file();
    }
});
