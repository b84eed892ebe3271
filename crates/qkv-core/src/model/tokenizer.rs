//! Tokenizers and the model's input.
//!
//! Two tokenizers: whitespace (the default, which keeps Korean words such as 학교에 whole,
//! and splits sentence punctuation off a word's end: `간다.` is `간다` `.`) and one token
//! per character. The special tokens `<bos>` and `<eos>` are always single
//! tokens. In encoder-decoder mode the decoder input starts with `<bos>` (added when the
//! target does not start with it).

use super::config::{Arch, Config, DEFAULT_TARGET, DEFAULT_TEXT, Problem, TokenizerKind};

/// Beginning-of-sequence token of the decoder side.
pub const BOS: &str = "<bos>";
/// End-of-sequence token.
pub const EOS: &str = "<eos>";
const SPECIALS: [&str; 2] = [BOS, EOS];

/// Sentence punctuation the whitespace tokenizer splits off the end of a word.
pub const SENTENCE_PUNCTUATION: [char; 6] = ['.', ',', '!', '?', ';', ':'];

/// A whitespace-separated word with its trailing sentence punctuation as tokens of their
/// own: `간다.` → `간다` `.`, `what?!` → `what` `?` `!`, `3.5` stays whole.
fn split_punctuation(word: &str, out: &mut Vec<String>) {
    let core = word.trim_end_matches(SENTENCE_PUNCTUATION);
    if core.is_empty() {
        // Punctuation alone (`...`): one token per mark.
        out.extend(word.chars().map(String::from));
        return;
    }
    out.push(core.to_string());
    out.extend(word[core.len()..].chars().map(String::from));
}

/// Cuts `text` into tokens.
pub fn tokenize(text: &str, kind: TokenizerKind) -> Vec<String> {
    match kind {
        TokenizerKind::Whitespace => {
            let mut out = Vec::new();
            for w in text.split_whitespace() {
                split_punctuation(w, &mut out);
            }
            out
        }
        TokenizerKind::Char => {
            let mut out = Vec::new();
            let mut rest = text;
            while let Some(c) = rest.chars().next() {
                if let Some(sp) = SPECIALS.iter().find(|s| rest.starts_with(**s)) {
                    out.push((*sp).to_string());
                    rest = &rest[sp.len()..];
                    continue;
                }
                if !c.is_whitespace() {
                    out.push(c.to_string());
                }
                rest = &rest[c.len_utf8()..];
            }
            out
        }
    }
}

/// The tokens the model runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Text of the source side (encoder input; decoder input for a decoder-only model).
    pub text: String,
    /// Text of the target side as given (encoder-decoder only).
    pub target_text: Option<String>,
    /// Tokens of `text`.
    pub source: Vec<String>,
    /// Decoder-side tokens of an encoder-decoder model (starting with `<bos>`).
    pub target: Option<Vec<String>>,
}

impl Input {
    /// Tokenizes `text` (and `target` for an encoder-decoder model) under `config`,
    /// reporting every problem (empty sentence, too many tokens).
    ///
    /// A missing target of an encoder-decoder model is `<bos>` alone (the first step of
    /// generation), or the article's `<bos> I go to school` when `text` is the default
    /// sentence. A target given to another architecture is kept but not used.
    pub fn new(config: &Config, text: &str, target: Option<&str>) -> Result<Input, Vec<Problem>> {
        let mut problems = Vec::new();
        let source = tokenize(text, config.tokenizer);
        check_len(
            &mut problems,
            "input.text",
            text,
            source.len(),
            config.max_tokens,
        );
        let target_tokens = if config.arch == Arch::EncoderDecoder {
            let t = match target {
                Some(t) => t,
                None if text.trim() == DEFAULT_TEXT => DEFAULT_TARGET,
                None => BOS,
            };
            let mut toks = tokenize(t, config.tokenizer);
            if toks.first().map(String::as_str) != Some(BOS) {
                toks.insert(0, BOS.to_string());
            }
            check_len(
                &mut problems,
                "input.target",
                t,
                toks.len(),
                config.max_tokens,
            );
            Some(toks)
        } else {
            None
        };
        if problems.is_empty() {
            Ok(Input {
                text: text.to_string(),
                target_text: target.map(str::to_string),
                source,
                target: target_tokens,
            })
        } else {
            Err(problems)
        }
    }

    /// The tokens the first stack reads (encoder, or the decoder of a decoder-only model).
    pub fn source_tokens(&self) -> &[String] {
        &self.source
    }

    /// The session vocabulary: distinct tokens in order of first appearance, source first,
    /// then target, then `<eos>` when the model has a decoder. The tied output projection
    /// scores these.
    pub fn vocab(&self, config: &Config) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        let all = self.source.iter().chain(self.target.iter().flatten());
        for t in all {
            if !v.contains(t) {
                v.push(t.clone());
            }
        }
        if config.has_decoder() && !v.iter().any(|t| t == EOS) {
            v.push(EOS.to_string());
        }
        v
    }
}

fn check_len(problems: &mut Vec<Problem>, field: &str, text: &str, n: usize, max: usize) {
    if n == 0 {
        problems.push(Problem::new(
            field,
            format!("{text:?}"),
            "a sentence with at least one token",
        ));
    } else if n > max {
        problems.push(Problem::new(
            field,
            format!("{n} tokens"),
            format!("at most {max} tokens (max_tokens)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Preset;

    #[test]
    fn whitespace_keeps_korean_words() {
        assert_eq!(
            tokenize("나는  학교에 간다", TokenizerKind::Whitespace),
            ["나는", "학교에", "간다"]
        );
        // Sentence punctuation at a word's end is a token of its own; inside a word it stays.
        assert_eq!(
            tokenize("나는 학교에 간다.", TokenizerKind::Whitespace),
            ["나는", "학교에", "간다", "."]
        );
        assert_eq!(
            tokenize("what?! 3.5 , ...", TokenizerKind::Whitespace),
            ["what", "?", "!", "3.5", ",", ".", ".", "."]
        );
    }

    #[test]
    fn char_mode_keeps_specials() {
        assert_eq!(
            tokenize("<bos>나는 a", TokenizerKind::Char),
            ["<bos>", "나", "는", "a"]
        );
    }

    #[test]
    fn encoder_decoder_prepends_bos() {
        let c = Config::preset(Preset::Tiny);
        let i = Input::new(&c, "hello world", Some("bonjour")).unwrap();
        assert_eq!(i.target.unwrap(), ["<bos>", "bonjour"]);
        let d = Input::new(&c, DEFAULT_TEXT, None).unwrap();
        assert_eq!(
            d.target.as_deref().unwrap(),
            ["<bos>", "I", "go", "to", "school"]
        );
        let e = Input::new(&c, "x", None).unwrap();
        assert_eq!(e.target.unwrap(), ["<bos>"]);
    }

    #[test]
    fn vocab_order() {
        let c = Config::preset(Preset::Tiny);
        let i = Input::new(&c, "a b a", Some("<bos> b c")).unwrap();
        assert_eq!(i.vocab(&c), ["a", "b", "<bos>", "c", "<eos>"]);
    }

    #[test]
    fn empty_and_long_inputs() {
        let mut c = Config::preset(Preset::Tiny);
        c.max_tokens = 3;
        let p = Input::new(&c, "   ", None).unwrap_err();
        assert_eq!(p[0].field, "input.text");
        let p = Input::new(&c, "a b c d", None).unwrap_err();
        assert_eq!(p[0].value, "4 tokens");
        assert!(p[0].allowed.contains("at most 3"));
    }
}
