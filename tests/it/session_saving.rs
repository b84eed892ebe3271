//! Session::apply for what is saved and loaded: quitting with unsaved changes, `save` and
//! `load` (the tour, the values, never overwriting blindly), and what a saved scenario
//! keeps of the sentence and the decoding.

use qkv::command::Command;
use qkv::session::Session;

use crate::session::fails;
use crate::util::{say as run, session};

#[test]
fn quit_asks_once_when_there_are_unsaved_changes() {
    let mut s = session();
    assert!(
        s.apply(Command::Quit { force: false }).unwrap().quit,
        "nothing to lose"
    );
    run(&mut s, "scale off");
    let o = s.apply(Command::Quit { force: false }).unwrap();
    assert!(!o.quit);
    assert!(o.text.contains("unsaved changes"));
    assert!(s.apply(Command::Quit { force: false }).unwrap().quit);
    let mut s = session();
    run(&mut s, "scale off");
    assert!(s.apply(Command::Quit { force: true }).unwrap().quit);
}

#[test]
fn save_records_the_tour_and_values_and_never_overwrites_blindly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.yaml");
    let mut s = session();
    run(&mut s, "text 바나나 맛있다");
    run(&mut s, "show enc.0.attn.weights[1][0][1]");
    run(&mut s, "note 바나나 looks at 맛있다");
    let out = run(&mut s, &format!("save {}", path.display()));
    assert!(out.contains("1 tour stop,"), "{out}");
    assert!(
        out.contains("left out"),
        "the default's expectations about 나는 학교에 간다 no longer hold: {out}"
    );
    assert!(!s.is_dirty());
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("text: 바나나 맛있다"), "{saved}");
    assert!(saved.contains("note: 바나나 looks at 맛있다"), "{saved}");
    assert!(saved.contains("at: enc.0.attn.weights[1][0][1]"), "{saved}");
    // Saving again to the same file is fine; another existing file needs save!.
    run(&mut s, &format!("save {}", path.display()));
    let other = dir.path().join("other.yaml");
    std::fs::write(&other, "keep me\n").unwrap();
    let err = fails(&mut s, &format!("save {}", other.display()));
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me\n");
    run(&mut s, &format!("save! {}", other.display()));
    // The saved file replays and checks.
    let mut t = Session::open(&path).unwrap();
    let check = run(&mut t, "check");
    assert!(check.ends_with("0 failed\n"), "{check}");
    let tour = run(&mut t, "replay");
    assert!(tour.contains("바나나 looks at 맛있다"), "{tour}");
    assert!(run(&mut t, "replay stop").contains("tour ended at stop 1 of 1"));
    assert!(t.tour().is_none());
    assert!(fails(&mut t, "replay stop").contains("no tour is being replayed"));
}

#[test]
fn load_errors_keep_the_session() {
    let mut s = session();
    let err = fails(
        &mut s,
        "load tests/fixtures/invalid/heads-not-dividing.yaml",
    );
    assert!(
        err.contains("heads-not-dividing.yaml:6:3: model.heads = 3"),
        "{err}"
    );
    let err = fails(&mut s, "load /no/such/file.yaml");
    assert!(err.contains("cannot read /no/such/file.yaml"), "{err}");
    run(&mut s, "load scenarios/dot-product.yaml");
    assert!(s.is_hand_check());
    let out = run(&mut s, "check");
    assert!(out.contains("5 passed, 0 failed"), "{out}");
}

/// Whatever the session did, `save` writes a file that loads back and checks.
#[test]
fn saved_files_always_load_back() {
    let dir = tempfile::tempdir().unwrap();
    for (i, script) in [
        // A short sentence: the default tour's cells no longer exist.
        &["text 하나", "mask on"][..],
        &["text I love you", "show probs[0][2]"][..],
        &["set model.arch decoder", "text a b"][..],
        &[
            "set model.d_model 4",
            "set model.heads 1",
            "next",
            "next",
            "next",
        ][..],
        &[
            "attend q=[1, 2] k=[[1, 0], [0, 1]] v=[[1], [2]] mask=causal",
            "scale off",
        ][..],
    ]
    .iter()
    .enumerate()
    {
        let mut s = session();
        for line in *script {
            run(&mut s, line);
        }
        let path = dir.path().join(format!("s{i}.yaml"));
        let out = run(&mut s, &format!("save {}", path.display()));
        assert!(out.starts_with("saved "), "{out}");
        let mut t = Session::open(&path).unwrap_or_else(|e| panic!("{script:?}: {e}"));
        let check = run(&mut t, "check");
        assert!(!check.contains("FAIL"), "{script:?}: {check}");
    }
}

#[test]
fn saving_over_the_loaded_scenario_keeps_its_tour_and_asks_before_dropping_comments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.yaml");
    std::fs::copy("scenarios/dot-product.yaml", &path).unwrap();
    let mut s = Session::open(&path).unwrap();
    run(&mut s, "show weights[0][1]");
    let err = fails(&mut s, &format!("save {}", path.display()));
    assert!(err.contains("has comments"), "{err}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("# q·k0 = 1·2")
    );
    let out = run(&mut s, &format!("save! {}", path.display()));
    assert!(
        out.contains("6 tour stops"),
        "the 5 stops of the file plus the one visited: {out}"
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains("q·k1 = 1×0 + 2×1 + 3×(−1) = −1: the worst match."),
        "{saved}"
    );
    // Without comments now: saving again over it needs no force.
    run(&mut s, &format!("save {}", path.display()));
}

#[test]
fn saving_to_a_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    let err = fails(&mut s, &format!("save {}", dir.path().display()));
    assert!(err.contains("is a directory: give a file name"), "{err}");
}

#[test]
fn a_changed_sentence_gets_a_new_title() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    assert_eq!(s.title(), "나는 학교에 간다 → I go to school");
    run(&mut s, "text the cat sat");
    assert_eq!(
        s.title(),
        "Session on the cat sat (from “나는 학교에 간다 → I go to school”)"
    );
    let path = dir.path().join("t.yaml");
    let out = run(&mut s, &format!("save {}", path.display()));
    assert!(
        out.contains("left out the scenario's 9 tour stops"),
        "{out}"
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("title: Session on the cat sat"), "{saved}");
    assert!(
        !saved.contains("학교에 (row)"),
        "the old tour's notes are gone: {saved}"
    );
}

#[test]
fn after_saving_the_session_is_the_saved_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    run(&mut s, "text 바나나 맛있다");
    run(&mut s, "show enc.0.attn.weights[1][0][1]");
    run(&mut s, "note look here");
    let path = dir.path().join("mine.yaml");
    run(&mut s, &format!("save {}", path.display()));
    assert!(s.title().starts_with("Session on 바나나 맛있다"));
    // `replay` now walks the saved tour, not the built-in one.
    let tour = run(&mut s, "replay");
    assert!(tour.contains("stop 1/1: enc.0.attn.weights[1]"), "{tour}");
    assert!(tour.contains("look here"), "{tour}");
}

/// Changing the sentence keeps a recorded decoding on the sentence it was recorded on, so
/// the saved scenario's checks still hold.
#[test]
fn a_recorded_decoding_keeps_its_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::default_scenario().unwrap();
    run(&mut s, "text 그는 어제 시장에 갔다");
    let path = dir.path().join("mine.yaml");
    run(&mut s, &format!("save {}", path.display()));
    let loaded = qkv::scenario::io::load(&path).unwrap();
    let qkv::scenario::schema::ScenarioFile::Model(sc) = &loaded.file else {
        panic!("a model scenario")
    };
    assert_eq!(
        sc.decode.as_ref().and_then(|d| d.text.as_deref()),
        Some("나는 학교에 간다")
    );
    let results = qkv::scenario::learned::run_checks(sc, loaded.runnable.model().unwrap()).unwrap();
    assert!(results.iter().all(|r| r.passed), "{results:?}");
}

#[test]
fn saving_records_the_chosen_stops_once_not_every_step_walked() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    for _ in 0..30 {
        run(&mut s, "next");
    }
    for _ in 0..10 {
        run(&mut s, "prev");
    }
    run(&mut s, "show enc.0.attn.scores[0][1][2]");
    run(&mut s, "explain enc.0.attn.weights[1][0][2]");
    run(&mut s, "next");
    run(&mut s, "show enc.0.attn.scores[0][1][2]");
    run(&mut s, "note the score of 학교에 and 간다");
    let path = dir.path().join("t.yaml");
    run(&mut s, &format!("save {}", path.display()));
    let saved = Session::open(&path).unwrap();
    let mine: Vec<(String, Option<usize>, Option<[usize; 2]>)> = saved
        .visited()
        .iter()
        .map(|t| (t.show.clone(), t.head, t.cell))
        .collect();
    assert!(mine.is_empty(), "a fresh session has visited nothing");
    let text = std::fs::read_to_string(&path).unwrap();
    let stops = text.matches("- show:").count();
    let default_stops = qkv::session::Session::untrained_scenario()
        .unwrap()
        .scenario_tour_len();
    // The default scenario's own stops, then scores[0][1][2] (noted) and weights[1][0][2].
    assert!(
        stops <= default_stops + 2,
        "{stops} stops for {default_stops} of the scenario and 2 chosen:\n{text}"
    );
    assert_eq!(
        text.matches("note: the score of 학교에 and 간다").count(),
        1,
        "{text}"
    );
}
