//! The grader, the diagnoses and the questions, on numbers checkable by hand.

use super::*;
use crate::i18n::Lang;
use crate::i18n::check::{has_hangul, numbers};
use crate::scenario::io::parse_and_build;

/// The article's example: q = [1, 2, 3] against k0 = [2, 1, 2], k1 = [0, 1, −1],
/// k2 = [1, 1, 1]: scores [10, −1, 6], scaled ÷ √3 = [5.7735, −0.5774, 3.4641],
/// weights [0.9082, 0.0016, 0.0902].
fn article() -> Trace {
    let (_, r) = parse_and_build(
        include_str!("../../../../scenarios/dot-product.yaml"),
        "dot-product.yaml",
    )
    .unwrap();
    r.trace().clone()
}

fn grade1(trace: &Trace, at: &str, answer: f64) -> NumberGrade {
    grade_tol(trace, at, answer, DEFAULT_TOLERANCE)
}

fn grade_tol(trace: &Trace, at: &str, answer: f64, tolerance: f64) -> NumberGrade {
    let item = Item {
        address: Address::parse(at).unwrap(),
        hint: None,
        tolerance,
    };
    let g = grade(None, trace, &item, &[answer], &ExplainOptions::default()).unwrap();
    assert!(g.explanation.is_some(), "explain arithmetic shown for {at}");
    g.numbers.into_iter().next().unwrap()
}

fn what(n: &NumberGrade) -> &str {
    n.mistake.as_ref().map_or("", |m| m.what.as_str())
}

#[test]
fn right_and_wrong_answers() {
    let t = article();
    // q·k0 = 1×2 + 2×1 + 3×2 = 10
    assert!(grade1(&t, "scores[0][0]", 10.0).right);
    // 13.7 is no classic mistake of 10: wrong, and no term can be blamed.
    let n = grade1(&t, "scores[0][0]", 13.7);
    assert!(!n.right);
    assert_eq!(n.mistake, None);
    let text = grade(
        None,
        &t,
        &Item::new(Address::parse("scores[0][0]").unwrap()),
        &[13.7],
        &ExplainOptions::default(),
    )
    .unwrap()
    .to_text(4);
    assert!(
        text.contains("could not tell which term went wrong"),
        "{text}"
    );
    assert!(text.contains("1×2 + 2×1 + 3×2 = 10"), "{text}");
}

#[test]
fn tolerance_edges() {
    let t = article();
    // Default ±0.01 around 10: 10.009 is inside, 10.011 outside.
    assert!(grade1(&t, "scores[0][0]", 10.009).right);
    assert!(!grade1(&t, "scores[0][0]", 10.011).right);
    assert!(grade1(&t, "scores[0][0]", 9.991).right);
    assert!(!grade1(&t, "scores[0][0]", 9.989).right);
    // A scenario's own tolerance 0.5: 10.49 inside, 10.51 outside.
    assert!(grade_tol(&t, "scores[0][0]", 10.49, 0.5).right);
    assert!(!grade_tol(&t, "scores[0][0]", 10.51, 0.5).right);
    // scaled[0][0] = 10/√3 = 5.7735027: 5.77 is within 0.01, 5.76 is not.
    assert!(grade1(&t, "scaled[0][0]", 5.77).right);
    assert!(!grade1(&t, "scaled[0][0]", 5.76).right);
}

#[test]
fn dot_product_mistakes() {
    let t = article();
    // Products 1×2 = 2, 2×1 = 2, 3×2 = 6; with the third negated: 2 + 2 − 6 = −2.
    let n = grade1(&t, "scores[0][0]", -2.0);
    assert_eq!(what(&n), "one product's sign went wrong");
    assert_eq!(n.mistake.unwrap().term.as_deref(), Some("3×2"));
    // Without the third product: 2 + 2 = 4.
    let n = grade1(&t, "scores[0][0]", 4.0);
    assert_eq!(what(&n), "one product left out");
    // Σ (q + k) = 3 + 3 + 5 = 11.
    assert_eq!(
        what(&grade1(&t, "scores[0][0]", 11.0)),
        "added instead of multiplied"
    );
    // −1 is q·k1, the next cell of the row.
    assert_eq!(
        what(&grade1(&t, "scores[0][0]", -1.0)),
        "that is another cell of the row"
    );
}

#[test]
fn scaling_mistakes() {
    let t = article();
    // scaled[0][0] = 10 ÷ √3 = 5.7735; the raw score 10 forgets ÷ √d_k.
    let n = grade1(&t, "scaled[0][0]", 10.0);
    assert_eq!(what(&n), "forgot to divide by √d_k");
    assert_eq!(n.mistake.unwrap().term.as_deref(), Some("÷ √d_k"));
    // 10 ÷ 3 = 3.3333.
    assert_eq!(
        what(&grade1(&t, "scaled[0][0]", 3.3333)),
        "divided by d_k, not by its square root"
    );
    // 10 × √3 = 17.3205.
    assert_eq!(
        what(&grade1(&t, "scaled[0][0]", 17.3205)),
        "multiplied by √d_k instead of dividing"
    );
    // (2 + 2 − 6) ÷ √3 = −1.1547: the third product's sign.
    assert_eq!(
        what(&grade1(&t, "scaled[0][0]", -1.1547)),
        "one product's sign went wrong in q·k"
    );
    // −5.7735: the whole sign.
    assert_eq!(
        what(&grade1(&t, "scaled[0][0]", -5.7735)),
        "the sign is flipped"
    );
}

#[test]
fn softmax_mistakes() {
    let t = article();
    // weights[0][0] = 1 / (1 + e^−6.3509 + e^−2.3094) = 0.9082 (max subtracted or not:
    // the same number, so both ways are right).
    assert!(grade1(&t, "weights[0][0]", 0.9082).right);
    // Softmax of the raw scores [10, −1, 6]: 1 / (1 + e^−11 + e^−4) = 0.9820.
    assert_eq!(
        what(&grade1(&t, "weights[0][0]", 0.982)),
        "forgot to divide by √d_k before the softmax"
    );
    // e^(x_0 − max) = e^0 = 1, never divided by Σ = 1.1011.
    let n = grade1(&t, "weights[0][0]", 1.0);
    assert_eq!(what(&n), "forgot to normalise");
    assert_eq!(n.mistake.unwrap().term.as_deref(), Some("Σ"));
    // e^5.7735027 = 321.662 without the max subtracted, still not normalised.
    assert_eq!(
        what(&grade1(&t, "weights[0][0]", 321.662)),
        "forgot to normalise"
    );
    // x_0 / Σ x = 5.7735 / (5.7735 − 0.5774 + 3.4641) = 5.7735 / 8.6603 = 0.6667.
    assert_eq!(
        what(&grade1(&t, "weights[0][0]", 0.6667)),
        "normalised without e^"
    );
    // weights[0][2] = 0.0993 / 1.1011 = 0.0902; Σ without e^(x_0 − max) = 1 is
    // 0.0017 + 0.0993 = 0.1011, and 0.0993 / 0.1011 = 0.9827.
    assert_eq!(
        what(&grade1(&t, "weights[0][2]", 0.9827)),
        "one term left out of the sum"
    );
}

#[test]
fn layer_norm_mistakes() {
    let (_, r) = parse_and_build(
        include_str!("../../../../scenarios/add-and-norm.yaml"),
        "add-and-norm.yaml",
    )
    .unwrap();
    let (m, t) = (r.model(), r.trace());
    let g = |answer: f64| {
        let item = Item::new(Address::parse("enc.0.add_norm1.out[1][0]").unwrap());
        grade(
            m.map(Into::into),
            t,
            &item,
            &[answer],
            &ExplainOptions::default(),
        )
        .unwrap()
        .numbers
        .remove(0)
    };
    // x = [5, 3, 1, −1]: mean 2, var (9 + 1 + 1 + 9)/4 = 5; (5 − 2)/√5.00001 = 1.3416.
    assert!(g(1.3416).right);
    // ÷ (n − 1): var 20/3 = 6.6667, 3/√6.66668 = 1.1619.
    assert_eq!(what(&g(1.1619)), "used the unbiased variance");
    // 3 / 5.00001 = 0.6.
    assert_eq!(
        what(&g(0.6)),
        "divided by the variance, not by its square root"
    );
    // 5 / 2.2361 = 2.2361.
    assert_eq!(what(&g(2.2361)), "forgot to subtract the mean");
    // 5 − 2 = 3.
    assert_eq!(what(&g(3.0)), "centred but not divided by √(var + eps)");
    // A number no mistake explains.
    assert_eq!(g(0.9).mistake, None);
}

#[test]
fn a_row_item_grades_each_number() {
    let t = article();
    let item = Item::new(Address::parse("weights[0]").unwrap());
    let g = grade(
        None,
        &t,
        &item,
        &[0.9082, 0.5, 0.09],
        &ExplainOptions::default(),
    )
    .unwrap();
    assert_eq!((g.right(), g.asked()), (2, 3));
    assert!(!g.numbers[1].right);
    // The explanation shown is the first wrong cell's.
    assert_eq!(g.explanation.unwrap().address, "weights[0][1]");
    let err = grade(None, &t, &item, &[0.9], &ExplainOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "weights[0] asks for 3 numbers, but 1 was given"
    );
}

#[test]
fn a_whole_step_is_not_an_item() {
    let t = article();
    let e = target(&t, &Address::parse("scores").unwrap()).unwrap_err();
    assert!(e.to_string().contains("one cell or one row"), "{e}");
}

/// Every classic mistake of the article's example, graded in Korean: named in Korean with the
/// same numbers as in English, and the arithmetic beside it is the Korean explanation.
#[test]
fn mistakes_in_korean_have_the_english_numbers() {
    let t = article();
    let cases = [
        ("scores[0][0]", -2.0),
        ("scores[0][0]", 8.0),
        ("scores[0][0]", 4.0),
        ("scores[0][0]", 11.0),
        ("scores[0][0]", -10.0),
        ("scores[0][0]", -1.0),
        ("scaled[0][0]", 10.0),
        ("scaled[0][0]", 3.3333),
        ("scaled[0][0]", 17.3205),
        ("scaled[0][0]", -1.1547),
        ("weights[0][0]", 0.982),
        ("weights[0][0]", 1.0),
        ("weights[0][0]", 321.662),
        ("weights[0][0]", 0.6667),
        ("weights[0][2]", 0.9827),
        ("scores[0][0]", 13.7),
    ];
    for (at, answer) in cases {
        let item = Item::new(Address::parse(at).unwrap());
        let opts = ExplainOptions::default();
        let en = grade_in(None, &t, &item, &[answer], &opts, Lang::En).unwrap();
        let ko = grade_in(None, &t, &item, &[answer], &opts, Lang::Ko).unwrap();
        // English is what `grade` gives.
        assert_eq!(en, grade(None, &t, &item, &[answer], &opts).unwrap());
        let (en_text, ko_text) = (en.to_text(4), ko.to_text_in(4, Lang::Ko));
        assert_eq!(en_text, en.to_text_in(4, Lang::En));
        assert_eq!(numbers(&en_text), numbers(&ko_text), "{en_text}\n{ko_text}");
        assert!(
            ko_text.contains("트레이스") && ko_text.contains("정답"),
            "{ko_text}"
        );
        match (&en.numbers[0].mistake, &ko.numbers[0].mistake) {
            (Some(e), Some(k)) => {
                assert_ne!(e.what, k.what, "{at} {answer}");
                assert!(has_hangul(&k.what), "{k:?}");
                assert_eq!(e.term, k.term, "{at} {answer}");
            }
            (None, None) => assert!(ko_text.contains("어느 항이 틀렸는지 알 수 없습니다")),
            other => panic!("{at} {answer}: {other:?}"),
        }
        let e = ko.explanation.as_ref().unwrap();
        assert!(
            e.lines.iter().any(|l| has_hangul(l)) || has_hangul(&e.title),
            "{}",
            e.to_text()
        );
    }
    // scaled[0][0] = 10 ÷ √3: the raw score 10 forgets the scaling.
    let item = Item::new(Address::parse("scaled[0][0]").unwrap());
    let g = grade_in(
        None,
        &t,
        &item,
        &[10.0],
        &ExplainOptions::default(),
        Lang::Ko,
    )
    .unwrap();
    let m = g.numbers[0].mistake.clone().unwrap();
    assert_eq!(m.what, "√d_k로 나누는 것을 잊었습니다 (스케일링)");
    assert_eq!(
        m.detail,
        "내 답은 스케일링 전의 스코어 10입니다; scaled = 10 ÷ √3 = 5.7735"
    );
}

/// The Korean LayerNorm mistakes blame the term as the Korean explanation prints it.
#[test]
fn a_korean_layer_norm_mistake_blames_the_korean_term() {
    let (_, r) = parse_and_build(
        include_str!("../../../../scenarios/add-and-norm.yaml"),
        "add-and-norm.yaml",
    )
    .unwrap();
    let item = Item::new(Address::parse("enc.0.add_norm1.out[1][0]").unwrap());
    let opts = ExplainOptions::default();
    // ÷ (n − 1): var 20/3 = 6.6667, 3/√6.66668 = 1.1619; then 0.6, 2.2361, 3 as in English.
    for answer in [1.1619, 0.6, 2.2361, 3.0] {
        let g = grade_in(r.model_ref(), r.trace(), &item, &[answer], &opts, Lang::Ko).unwrap();
        let term = g.highlight().unwrap().to_string();
        let e = g.explanation.unwrap();
        assert!(
            e.lines.iter().any(|l| l.contains(&term)) || e.formula.contains(&term),
            "{term:?} not in\n{}",
            e.to_text()
        );
    }
    let g = grade_in(r.model_ref(), r.trace(), &item, &[1.1619], &opts, Lang::Ko).unwrap();
    assert_eq!(
        g.numbers[0].mistake.as_ref().unwrap().what,
        "불편 분산을 썼습니다"
    );
    assert_eq!(g.highlight(), Some("(편향 분산: ÷ n)"));
}

/// The question in Korean: the same lines, the same numbers, the hint as written.
#[test]
fn the_question_in_korean() {
    let t = article();
    let mut item = Item::new(Address::parse("scaled[0]").unwrap());
    item.hint = Some("Divide by √3.".into());
    let en = question_in(None, &t, &item, 4, Lang::En).unwrap();
    assert_eq!(en, question(None, &t, &item, 4).unwrap());
    let ko = question_in(None, &t, &item, 4, Lang::Ko).unwrap();
    assert_eq!(en.lines().count(), ko.lines().count(), "{en}\n{ko}");
    assert_eq!(numbers(&en), numbers(&ko), "{en}\n{ko}");
    assert!(
        ko.starts_with("scaled[0] 계산하기  (행 0 q0): 숫자 3개, 열 0부터 2까지\n"),
        "{ko}"
    );
    assert!(ko.contains("  힌트: Divide by √3.\n"), "{ko}");
    assert!(ko.contains("  d_k = 3 (q의 헤드 하나의 너비)\n"), "{ko}");
    assert!(
        ko.ends_with(
            "  `answer <숫자…>`로 답하거나 숫자들을 한 줄에 입력하세요; ±0.01 안이면 정답입니다\n"
        ),
        "{ko}"
    );
}
