//! Why a command-line value is refused by the binary's own value parsers (clap prints the
//! flag before it). `value` is the value as given, quoted (`"abc"`).

crate::catalogue! {
    /// A refused command-line value.
    pub enum ArgError {
        /// `--precision` takes 0 to `max` digits.
        Precision { value: String, max: usize }
            samples [{ value: "\"13\"".into(), max: 12 }]
            en => format!("{value} is not a number of digits from 0 to {max}"),
            ko => format!("{value}은(는) 0부터 {max}까지의 자릿수가 아닙니다");
        /// A count of at least 1.
        Positive { value: String }
            samples [{ value: "\"0\"".into() }]
            en => format!("{value} is not a whole number of at least 1"),
            ko => format!("{value}은(는) 1 이상의 정수가 아닙니다");
        /// A positive finite number.
        PositiveNumber { value: String }
            samples [{ value: "\"-1\"".into() }]
            en => format!("{value} is not a positive finite number"),
            ko => format!("{value}은(는) 0보다 큰 유한한 수가 아닙니다");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_refusal_has_both_texts() {
        // "positive" is `0보다 큰` in Korean: one number more, on purpose.
        let (positive, rest): (Vec<_>, Vec<_>) = ArgError::samples()
            .into_iter()
            .partition(|m| matches!(m, ArgError::PositiveNumber { .. }));
        crate::i18n::check::both_texts(&rest, ArgError::text);
        for m in positive {
            assert!(crate::i18n::check::has_hangul(&m.text(Lang::Ko)), "{m:?}");
            assert!(m.text(Lang::En).contains("positive"), "{m:?}");
        }
    }
}
