//! The scenario loader on any bytes: parse, build the model and trace, run the checks and
//! write the YAML back. Must never panic (errors are fine).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qkv::scenario::schema::ScenarioFile;
use qkv::scenario::{check, io};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((file, runnable)) = io::parse_and_build(text, "fuzz.yaml") {
        let _ = match &file {
            ScenarioFile::Model(s) => check::check_model(runnable.trace(), s),
            ScenarioFile::Attention(a) => check::check_attention(runnable.trace(), a),
        };
        if let Ok(yaml) = io::to_yaml(&file) {
            // What qkv writes must load back.
            let back = io::parse_and_build(&yaml, "saved.yaml");
            assert!(back.is_ok(), "{yaml}\n{:?}", back.err());
        }
    }
});
