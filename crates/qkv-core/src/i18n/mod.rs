//! The interface language: English (the default) or Korean (한국어), chosen by the front ends
//! (`--lang`, `QKV_LANG`, the locale) and never saved into a scenario file.
//!
//! The catalogues are plain `match` tables (see [`ui`]): every message is an enum variant
//! carrying its arguments, and each language formats the whole sentence itself, so Korean
//! word order never has to follow English, and the compiler proves that every key has a text
//! in both languages (each language's `match` is exhaustive).

pub mod args;
mod catalogue;
pub mod cli_lines;
pub mod command;
pub mod errors;
pub mod explain;
pub mod explore;
pub mod explore_text;
pub mod formula;
pub mod gradient;
pub mod hf;
pub mod hf_steps;
pub mod learn;
pub mod lens;
pub mod mistakes;
pub mod params;
pub mod practice;
pub mod prompts;
pub mod session;
pub mod session_files;
pub mod training;
pub mod ui;

use thiserror::Error;

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Korean, with the article's terms (임베딩, 위치 인코딩, 소프트맥스, …).
    Ko,
}

/// Where a language value came from (named in the error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LangSource {
    /// The `--lang` flag.
    Flag,
    /// The `QKV_LANG` environment variable.
    Env,
}

impl std::fmt::Display for LangSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LangSource::Flag => write!(f, "--lang"),
            LangSource::Env => write!(f, "QKV_LANG"),
        }
    }
}

/// A language value qkv does not speak.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{source_name} {:?} is not a language qkv speaks: allowed are en (English) and ko (한국어)",
    crate::util::truncate(value, VALUE_SHOWN)
)]
pub struct LangError {
    /// The value given.
    pub value: String,
    /// Where it was given.
    pub source_name: LangSource,
}

/// Display columns of a bad language value shown in [`LangError`]; a longer one is cut,
/// ending in `…` (a 100 kB `QKV_LANG` is not echoed whole).
const VALUE_SHOWN: usize = 40;

/// The environment variables consulted, in order of precedence after `--lang`.
pub const ENV_VARS: [&str; 4] = ["QKV_LANG", "LC_ALL", "LC_MESSAGES", "LANG"];

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// `en` or `ko`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language of a `--lang` or `QKV_LANG` value: `en` or `ko`, in any case, with an
    /// optional region and encoding (`ko_KR.UTF-8`, `en-US`).
    pub fn parse(value: &str, source_name: LangSource) -> Result<Lang, LangError> {
        match primary(value).as_str() {
            "en" => Ok(Lang::En),
            "ko" => Ok(Lang::Ko),
            _ => Err(LangError {
                value: value.to_string(),
                source_name,
            }),
        }
    }

    /// The language of a locale (`LC_ALL`, `LC_MESSAGES`, `LANG`): Korean when it starts
    /// with `ko` (`ko_KR.UTF-8`), English for anything else (`C`, `POSIX`, `de_DE.UTF-8`):
    /// a locale qkv has no catalogue for is not an error.
    pub fn from_locale(value: &str) -> Lang {
        if primary(value) == "ko" {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// The language to use: the flag, else `QKV_LANG`, else the first of `LC_ALL`,
    /// `LC_MESSAGES`, `LANG` that is set and not empty (as POSIX reads them), else English.
    /// `env` reads a variable (`std::env::var` in the binary, a table in tests). An empty
    /// `QKV_LANG` counts as unset.
    pub fn resolve(
        flag: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Lang, LangError> {
        if let Some(v) = flag {
            return Lang::parse(v, LangSource::Flag);
        }
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if let Some(v) = set("QKV_LANG") {
            return Lang::parse(&v, LangSource::Env);
        }
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = set(name) {
                return Ok(Lang::from_locale(&v));
            }
        }
        Ok(Lang::En)
    }
}

/// `1 tour stop`, `3 tour stops`: an English count with its noun.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The language part of a value, lower case: `ko_KR.UTF-8` → `ko`.
fn primary(value: &str) -> String {
    value
        .trim()
        .split(['_', '-', '.', '@'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn english_is_the_default() {
        assert_eq!(Lang::resolve(None, env(&[])), Ok(Lang::En));
        assert_eq!(Lang::resolve(None, env(&[("LANG", "C")])), Ok(Lang::En));
    }

    #[test]
    fn a_korean_locale_switches_to_korean() {
        assert_eq!(
            Lang::resolve(None, env(&[("LANG", "ko_KR.UTF-8")])),
            Ok(Lang::Ko)
        );
        assert_eq!(
            Lang::resolve(None, env(&[("LC_MESSAGES", "ko_KR")])),
            Ok(Lang::Ko)
        );
        assert_eq!(Lang::resolve(None, env(&[("LC_ALL", "ko")])), Ok(Lang::Ko));
    }

    #[test]
    fn precedence_is_flag_qkv_lang_lc_all_lc_messages_lang() {
        let all_ko = [
            ("QKV_LANG", "ko"),
            ("LC_ALL", "ko_KR.UTF-8"),
            ("LC_MESSAGES", "ko_KR.UTF-8"),
            ("LANG", "ko_KR.UTF-8"),
        ];
        // The flag beats everything.
        assert_eq!(Lang::resolve(Some("en"), env(&all_ko)), Ok(Lang::En));
        // QKV_LANG beats the locale, both ways.
        let v = [("QKV_LANG", "en"), ("LC_ALL", "ko_KR.UTF-8")];
        assert_eq!(Lang::resolve(None, env(&v)), Ok(Lang::En));
        let v = [("QKV_LANG", "ko"), ("LC_ALL", "C")];
        assert_eq!(Lang::resolve(None, env(&v)), Ok(Lang::Ko));
        // LC_ALL beats LC_MESSAGES beats LANG (a set non-Korean locale decides too).
        let v = [("LC_ALL", "C"), ("LANG", "ko_KR.UTF-8")];
        assert_eq!(Lang::resolve(None, env(&v)), Ok(Lang::En));
        let v = [("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "ko_KR.UTF-8")];
        assert_eq!(Lang::resolve(None, env(&v)), Ok(Lang::En));
        let v = [("LC_MESSAGES", "ko_KR.UTF-8"), ("LANG", "en_US.UTF-8")];
        assert_eq!(Lang::resolve(None, env(&v)), Ok(Lang::Ko));
        // Empty variables count as unset.
        let v = [("QKV_LANG", ""), ("LC_ALL", ""), ("LANG", "ko_KR.UTF-8")];
        assert_eq!(Lang::resolve(None, env(&v)), Ok(Lang::Ko));
    }

    #[test]
    fn flag_and_qkv_lang_accept_regions_and_any_case() {
        for v in ["ko", "KO", "ko_KR", "ko-KR", "ko_KR.UTF-8"] {
            assert_eq!(Lang::parse(v, LangSource::Flag), Ok(Lang::Ko), "{v}");
        }
        for v in ["en", "EN", "en_US.UTF-8", "en-GB"] {
            assert_eq!(Lang::parse(v, LangSource::Flag), Ok(Lang::En), "{v}");
        }
    }

    #[test]
    fn a_bad_value_names_itself_its_source_and_what_is_allowed() {
        let e = Lang::resolve(Some("fr"), env(&[])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--lang \"fr\" is not a language qkv speaks: allowed are en (English) and ko (한국어)"
        );
        let e = Lang::resolve(None, env(&[("QKV_LANG", "klingon")])).unwrap_err();
        assert!(e.to_string().starts_with("QKV_LANG \"klingon\""), "{e}");
        // A locale qkv has no catalogue for is English, not an error.
        assert_eq!(
            Lang::resolve(None, env(&[("LANG", "fr_FR.UTF-8")])),
            Ok(Lang::En)
        );
    }

    #[test]
    fn a_huge_bad_value_is_cut_in_the_message() {
        let huge = "x".repeat(100_000);
        let e = Lang::resolve(None, env(&[("QKV_LANG", &huge)])).unwrap_err();
        // 39 x and the ellipsis fill the 40 columns shown.
        let shown = format!("QKV_LANG \"{}…\" is not a language", "x".repeat(39));
        assert!(
            e.to_string().starts_with(&shown),
            "{}",
            &e.to_string()[..80]
        );
        assert!(e.to_string().len() < 200, "{} bytes", e.to_string().len());
        // The value itself is kept whole.
        assert_eq!(e.value.len(), 100_000);
    }
}

/// Helpers for the key-completeness tests of the catalogues.
#[cfg(test)]
pub(crate) mod check {
    use super::Lang;

    /// The numbers in a text (runs of ASCII digits), sorted.
    pub(crate) fn numbers(s: &str) -> Vec<String> {
        let mut out: Vec<String> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        out.sort();
        out
    }

    /// True when `s` has a Hangul syllable.
    pub(crate) fn has_hangul(s: &str) -> bool {
        s.chars().any(|c| ('가'..='힣').contains(&c))
    }

    /// Each message has a non-empty English and Korean text, the Korean one in Hangul and
    /// different from the English one, both with the same numbers.
    pub(crate) fn both_texts<M: std::fmt::Debug>(samples: &[M], text: impl Fn(&M, Lang) -> String) {
        for m in samples {
            let (en, ko) = (text(m, Lang::En), text(m, Lang::Ko));
            assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{m:?}");
            assert!(has_hangul(&ko), "{m:?}: {ko}");
            assert_ne!(en, ko, "{m:?}");
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }
}
