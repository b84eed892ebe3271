//! Both catalogues hold every key, with the same numbers in both languages.

use super::*;

use crate::i18n::check::{has_hangul, numbers};

#[test]
fn every_label_and_hint_has_both_texts() {
    for l in Label::ALL {
        let (en, ko) = (l.text(Lang::En), l.text(Lang::Ko));
        assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{l:?}");
        // Formulas stay formulas; everything else is Korean.
        if l != Label::ScaledShort {
            assert!(has_hangul(ko), "{l:?}: {ko}");
            assert_ne!(en, ko, "{l:?}");
        }
        assert_eq!(numbers(en), numbers(ko), "{l:?}");
    }
    for h in Hint::ALL {
        let (en, ko) = (h.text(Lang::En), h.text(Lang::Ko));
        assert!(!en.is_empty() && !ko.is_empty(), "{h:?}");
        if !matches!(h, Hint::AnswerExample | Hint::Dk | Hint::Svg) {
            assert!(has_hangul(ko), "{h:?}: {ko}");
        }
    }
}

#[test]
fn every_message_has_both_texts_with_the_same_numbers() {
    for m in Msg::samples() {
        let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
        assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{m:?}");
        assert!(has_hangul(&ko), "{m:?}: {ko}");
        assert_ne!(en, ko, "{m:?}");
        // "1 update" has no number in English but 1번 in Korean; the others match.
        if !matches!(m, Msg::Provenance { updates: 1, .. }) {
            assert_eq!(numbers(&en), numbers(&ko), "{m:?}\n{en}\n{ko}");
        }
    }
}

#[test]
fn korean_terms_are_the_articles_and_first_use_names_the_english() {
    assert_eq!(Term::Softmax.text(Lang::Ko, true), "소프트맥스(softmax)");
    assert_eq!(Term::Softmax.text(Lang::Ko, false), "소프트맥스");
    assert_eq!(Term::Softmax.text(Lang::En, true), "softmax");
    for t in Term::ALL {
        assert!(has_hangul(t.ko()) && !has_hangul(t.en()), "{t:?}");
    }
}

#[test]
fn every_step_label_and_tree_heading_is_korean() {
    for k in STEP_KINDS {
        for first in [true, false] {
            let en = step_label(k, false, Lang::En, first);
            let ko = step_label(k, false, Lang::Ko, first);
            assert!(!en.is_empty() && !ko.is_empty(), "{k:?}");
            assert_eq!(numbers(&en), numbers(&ko), "{k:?}");
        }
    }
    // The formulas (×V, W_O, the FFN's products, ReLU) stay as they are.
    assert_eq!(
        step_label(StepKind::Weights, false, Lang::Ko, true),
        "소프트맥스(softmax)"
    );
    for h in [
        "Embedding + PE",
        "Decoder embedding + PE",
        "Encoder output",
        "Output",
        "Attention (hand-check)",
        "Self-attention",
        "Masked self-attention",
        "Self-attention (mask off)",
        "Cross-attention",
        "Feed-forward",
        "Encoder layer 3",
        "Decoder layer 11",
        "Add & Norm 2",
    ] {
        for first in [true, false] {
            let ko = tree_heading(h, Lang::Ko, first).unwrap();
            assert!(has_hangul(&ko), "{h}: {ko}");
            assert_eq!(numbers(h), numbers(&ko), "{h}");
        }
    }
    assert_eq!(tree_heading("Something new", Lang::Ko, true), None);
}

#[test]
fn the_korean_model_summary_keeps_every_number() {
    let c = Config::default();
    for level in 0..=2 {
        let ko = model_summary(&c, Lang::Ko, level);
        assert!(has_hangul(&ko), "{ko}");
        assert!(ko.contains(&c.d_model.to_string()), "{ko}");
    }
    assert_eq!(model_summary(&c, Lang::En, 0), c.summary());
}
