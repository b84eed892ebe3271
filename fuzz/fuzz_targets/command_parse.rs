//! The command language of the REPL and the TUI's `:` prompt on any line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = qkv::command::parse(line);
    }
});
