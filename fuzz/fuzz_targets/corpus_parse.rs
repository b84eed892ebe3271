//! The corpus reader on any text: pairs, comments, held-out marks, then the vocabulary and
//! the model inputs of every pair for each architecture and tokenizer that trains. Must
//! never panic (errors are fine).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qkv::learn::corpus::Corpus;
use qkv::learn::train::{TrainOptions, Trainer};
use qkv::model::config::{Preset, TokenizerKind};
use qkv::model::{Arch, Config, Transformer};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(corpus) = Corpus::parse("fuzz.tsv", text) else {
        return;
    };
    assert!(
        corpus.training().next().is_some(),
        "a parsed corpus has a training pair"
    );
    for tokenizer in [TokenizerKind::Whitespace, TokenizerKind::Char] {
        for arch in [Arch::EncoderDecoder, Arch::Decoder] {
            let mut c = Config::preset(Preset::Tiny);
            c.arch = arch;
            c.tokenizer = tokenizer;
            let Ok(valid) = c.validate() else {
                continue;
            };
            let model = Transformer::with_vocab(valid, corpus.vocab_for(arch, tokenizer));
            // Builds every pair's input (a pair too long for the model is an error).
            let _ = Trainer::new(model, &corpus, TrainOptions::default());
        }
    }
});
