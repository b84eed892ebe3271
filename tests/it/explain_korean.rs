//! Every kind of step explained in Korean (`explain_in(…, Lang::Ko)`): every sentence Korean,
//! the same numbers and formulas as the English one, the same value recomputed.

use qkv::explain::{ExplainOptions, explain_in};
use qkv::i18n::Lang;
use qkv::session::Session;
use qkv::trace::Address;

use crate::util::{has_hangul, numbers};

fn both(s: &Session, cell: &str) -> (qkv::explain::Explanation, qkv::explain::Explanation) {
    let a = Address::parse(cell).unwrap();
    let opts = ExplainOptions::default();
    let en = explain_in(s.model(), s.trace(), &a, &opts, Lang::En).unwrap();
    let ko = explain_in(s.model(), s.trace(), &a, &opts, Lang::Ko).unwrap();
    (en, ko)
}

fn assert_same_arithmetic(
    cell: &str,
    en: &qkv::explain::Explanation,
    ko: &qkv::explain::Explanation,
) {
    assert_eq!(en.value.to_bits(), ko.value.to_bits(), "{cell}");
    assert_eq!(
        en.recomputed.map(f32::to_bits),
        ko.recomputed.map(f32::to_bits),
        "{cell}"
    );
    assert_eq!(en.lines.len(), ko.lines.len(), "{cell}\n{en}\n{ko}");
    assert_eq!(
        numbers(&en.to_text()),
        numbers(&ko.to_text()),
        "{cell}\n{en}\n{ko}"
    );
    assert!(has_hangul(&ko.title), "{cell}: {}", ko.title);
}

#[test]
fn the_articles_dot_product_explained_in_korean() {
    let s = Session::open(std::path::Path::new("scenarios/dot-product.yaml")).unwrap();
    for cell in [
        "scores[0][0]",
        "scaled[0][2]",
        "masked[0][1]",
        "weights[0][0]",
        "q[0][1]",
    ] {
        let (en, ko) = both(&s, cell);
        assert_same_arithmetic(cell, &en, &ko);
    }
    let (_, ko) = both(&s, "scores[0][0]");
    // scores[0][0] = q0·k0 = 1×2 + 2×1 + 3×2 = 10, as in the article.
    assert_eq!(
        ko.to_text(),
        "scores[0][0] = 10  — 어텐션 스코어(attention score) 원값, 쿼리 q0 (행 0) · 키 k0 (열 0)\n  \
         scores[i][j] = q[i] · k[j] = Σ_t q[i][t] × k[j][t]\n  \
         q = q[0] (q0), k = k[0] (k0): d_k = 항 3개\n  \
         q·k = 1×2 + 2×1 + 3×2 = 10\n"
    );
}

#[test]
fn every_kind_of_step_explained_in_korean() {
    let s = Session::untrained_scenario().unwrap();
    for cell in [
        "enc.0.attn.q[1][2][3]",
        "enc.0.attn.scores[0][1][2]",
        "enc.0.attn.scaled[1][0][2]",
        "enc.0.attn.weights[0][2][1]",
        "dec.0.self_attn.masked[0][1][2]",
        "dec.0.self_attn.masked[0][2][1]",
        "dec.0.self_attn.weights[1][0][3]",
        "dec.0.cross_attn.weights[0][2][1]",
        "probs[2][4]",
        "enc.0.attn.head_out[0][1][2]",
        "enc.0.attn.concat[1][5]",
        "enc.0.attn.out[2][3]",
        "dec.1.cross_attn.head_out[1][3][0]",
        "enc.0.add_norm1.sum[0][1]",
        "enc.0.add_norm1.out[0][1]",
        "enc.1.ffn.hidden[1][2]",
        "enc.1.ffn.relu[1][2]",
        "enc.1.ffn.relu[1][3]",
        "dec.0.ffn.out[2][5]",
        "embed.tokens[1][2]",
        "embed.pos[1][2]",
        "embed.pos[2][3]",
        "embed.sum[0][1]",
        "dec.embed.sum[3][4]",
        "logits[1][2]",
    ] {
        let (en, ko) = both(&s, cell);
        assert_same_arithmetic(cell, &en, &ko);
        // No English prose is left (names such as `scores` or `max` are the formulas').
        const PROSE: [&str; 16] = [
            "the", "of", "and", "is", "so", "takes", "from", "row", "column", "head", "values",
            "terms", "given", "causal", "where", "else",
        ];
        let text = ko.to_text();
        for w in text.split(|c: char| !(c.is_ascii_alphabetic() || c == '_' || c == '-')) {
            assert!(!PROSE.contains(&w), "{cell}: English {w:?} left in\n{ko}");
        }
    }
    // A masked cell of the causal decoder: the mask's reason in Korean.
    let (_, ko) = both(&s, "dec.0.self_attn.masked[0][1][2]");
    assert!(ko.to_text().contains("인과 마스크"), "{ko}");
}
