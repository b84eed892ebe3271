//! The grader, the diagnoses and the questions, on numbers checkable by hand.

use super::*;
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
        grade(m, t, &item, &[answer], &ExplainOptions::default())
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
