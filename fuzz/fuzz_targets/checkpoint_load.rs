//! Checkpoint loading on any bytes: the safetensors header, the metadata (`qkv.format`,
//! `qkv.config`, `qkv.vocab`, `qkv.steps`) and the tensors against the configuration. Must
//! never panic (errors are fine); a checkpoint that loads must run, and what qkv writes of
//! it must load back and write the same bytes again.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use qkv::learn::{checkpoint, decode};

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.safetensors");
    let Ok(model) = checkpoint::from_bytes(path, data) else {
        return;
    };
    let bytes = checkpoint::to_bytes(&model);
    assert!(
        bytes.is_ok(),
        "a loaded model must write: {:?}",
        bytes.err()
    );
    let bytes = bytes.unwrap_or_default();
    let back = checkpoint::from_bytes(path, &bytes);
    assert!(back.is_ok(), "what qkv writes must load: {:?}", back.err());
    if let Ok(back) = back {
        assert!(
            checkpoint::to_bytes(&back).ok() == Some(bytes),
            "a second write differs"
        );
    }
    // One decoding step (an error, e.g. for an encoder-only model, is fine).
    let _ = decode::greedy(&model, "나는 학교에 간다", 1);
});
