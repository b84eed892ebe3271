//! The explorers end to end (issue 15 items 2–4): `explore pe|scaling|heads` in the REPL
//! language, the `pe.dot` / `pe.rot.K` addresses of `qkv check`, and the heads' roles on
//! the shipped trained model (what the default tour says about them is checked here).

use qkv::explore::heads::{self, Role};
use qkv::session::Session;
use std::fs;

use crate::util::{qkv, say};

#[test]
fn explore_pe_prints_the_table_the_dots_and_the_rotation() {
    let mut s = Session::open("scenarios/positional-encoding.yaml".as_ref()).unwrap();
    let out = say(&mut s, "explore pe 4 4 p=1 k=1 i=0");
    // d_model 4: PE(1) = [sin 1, cos 1, sin 0.01, cos 0.01]
    assert!(out.contains("d_model 4"), "{out}");
    assert!(
        out.contains("  p1   0.841471  0.540302  0.010000  0.999950"),
        "{out}"
    );
    // PE(p)·PE(p+1) = cos 1 + cos 0.01 = 1.540252 in every row
    assert_eq!(out.matches("1.540252").count(), 4, "{out}");
    // M_1,0 · PE(1)[0..2] = [sin 2, cos 2] = [0.909297, −0.416147]
    assert!(
        out.contains("M · PE(p)       = [0.909297, -0.416147]"),
        "{out}"
    );
    assert!(
        out.contains("PE(p+k)[0..2] = [0.909297, -0.416147]"),
        "{out}"
    );
    assert!(out.contains("depends on the offset k alone"), "{out}");
    let err = s
        .apply_line("explore pe p=0 k=1 i=2")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "explore: pair = 2 is out of range: allowed 0 to 1");
}

#[test]
fn explore_scaling_prints_the_variance_and_the_rows() {
    let mut s = Session::default_scenario().unwrap();
    let out = say(&mut s, "explore scaling 512");
    assert!(out.contains("N = 10000 samples per d_k"), "{out}");
    // the table: one line per d_k, measured/d_k within 0.1 of 1 (seed 42)
    for d in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&d.to_string()))
            .unwrap_or_else(|| panic!("no line for d_k {d}: {out}"));
        let ratio: f64 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert!((ratio - 1.0).abs() < 0.1, "{line}");
    }
    assert!(out.contains("one row of 8 keys, d_k = 512"), "{out}");
    assert!(out.contains("softmax(q·k / √512)"), "{out}");
    assert!(s.apply_line("explore scaling 0").is_err());
}

#[test]
fn explore_heads_on_a_hand_check_says_so() {
    let mut s = Session::open("scenarios/dot-product.yaml".as_ref()).unwrap();
    let out = say(&mut s, "explore heads");
    // a hand-check's one "head": queries and keys are different vectors (no self rules)
    let line = out.lines().nth(1).unwrap();
    assert!(line.starts_with("weights "), "{out}");
    assert!(!line.contains("w[i][i]"), "{out}");
    assert!(!heads::summarize(s.trace())[0].self_attention);
}

/// The roles of the shipped trained model on the default sentence, as the default tour
/// names them: checked, not assumed.
#[test]
fn default_model_heads_have_the_roles_the_tour_names() {
    let s = Session::default_scenario().unwrap();
    let hs = heads::summarize(s.trace());
    assert_eq!(hs.len(), 24, "6 blocks × 4 heads");
    let role = |step: &str, h: usize| {
        hs.iter()
            .find(|x| x.step == step && x.head == h)
            .map(|x| x.stats.role)
            .unwrap()
    };
    use Role::{Broad as B, FirstToken as F, Mixed as M, SelfToken as S};
    // as listed in docs/reference/explorers.md
    let want = [
        ("enc.0.attn.weights", [B, B, B, B]),
        ("enc.1.attn.weights", [F, M, M, S]),
        ("dec.0.self_attn.weights", [M, S, B, S]),
        ("dec.0.cross_attn.weights", [M, M, F, B]),
        ("dec.1.self_attn.weights", [F, S, S, S]),
        ("dec.1.cross_attn.weights", [F, M, M, M]),
    ];
    for (step, roles) in want {
        for (h, r) in roles.iter().enumerate() {
            assert_eq!(role(step, h), *r, "{step}[{h}]");
        }
    }
    // no head of this model attends to the previous token by the rule
    assert!(hs.iter().all(|x| x.stats.role != Role::PreviousToken));
    let tour = fs::read_to_string("scenarios/default.yaml").unwrap();
    assert!(
        tour.contains("all four heads of encoder layer 0 are broad"),
        "the default tour names the roles"
    );
}

/// The numbers scaling.yaml's tour quotes from the scaling explorer (d_k 64, seed 42).
#[test]
fn scaling_tour_quotes_the_explorer() {
    use qkv::explore::scaling;
    let r = scaling::standard();
    let (v, c) = (&r.variance[6], &r.curve[6]);
    assert_eq!(v.d_k, 64);
    let f2 = |x: f64| format!("{x:.2}");
    let f3 = |x: f64| format!("{x:.3}");
    let tour = fs::read_to_string("scenarios/scaling.yaml").unwrap();
    // in the order of the note: Var, unscaled max and entropy, scaled max and entropy,
    // scaled and unscaled Jacobian norm
    let missing = [
        f2(v.variance),
        f3(c.unscaled.max),
        f3(c.unscaled.entropy),
        f3(c.scaled.max),
        f3(c.scaled.entropy),
        f3(c.scaled.grad),
        f3(c.unscaled.grad),
    ]
    .iter()
    .filter(|q| !tour.contains(q.as_str()))
    .cloned()
    .collect::<Vec<_>>();
    assert!(missing.is_empty(), "scaling.yaml should quote {missing:?}");
}

#[test]
fn check_addresses_pe_dot_and_pe_rot() {
    let o = qkv(&["check", "scenarios/positional-encoding.yaml"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("PASS  scenarios/positional-encoding.yaml  pe.dot[40][1]"),
        "{out}"
    );
    // A wrong number fails; a bad index and an unknown name say what is wrong.
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string("scenarios/positional-encoding.yaml").unwrap();
    let mut bad = text.clone();
    bad = bad.replace(
        "- at: pe.dot[7][1]\n  value: 1.5402523",
        "- at: pe.dot[7][1]\n  value: 1.6",
    );
    assert_ne!(bad, text);
    let f = dir.path().join("bad.yaml");
    fs::write(&f, &bad).unwrap();
    let o = qkv(&["check", f.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("FAIL") && out.contains("pe.dot[7][1]"),
        "{out}"
    );
    let oob = text.replace("- at: pe.rot.2[1]", "- at: pe.rot.2[5]");
    fs::write(&f, &oob).unwrap();
    let o = qkv(&["check", f.to_str().unwrap()]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("pe.rot.2"), "{all}");
}

#[test]
fn cli_explore_prints_the_same_numbers() {
    let o = qkv(&[
        "explore",
        "pe",
        "3",
        "4",
        "--scenario",
        "scenarios/positional-encoding.yaml",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    // PE(1) = [sin 1, cos 1, sin 0.01, cos 0.01]
    assert!(
        out.contains("  p1   0.841471  0.540302  0.010000  0.999950"),
        "{out}"
    );
    let o = qkv(&["explore", "waves"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"waves\" is not pe, scaling or heads"),
        "{err}"
    );
}
