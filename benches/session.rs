//! Criterion bench of the Session rerun after a toggle: `scale off` / `scale on` through
//! `Session::apply`, as the REPL and the TUI run it (config check, rerun reusing the
//! previous trace, the diff against it), at tiny and at base.
//!
//! `cargo bench --bench session`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports failure

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use qkv::command::{Command, Switch};
use qkv::session::Session;

fn session_rerun_after_toggle(c: &mut Criterion) {
    // As the workbench and the REPL: the traces keep their heads when they fit the budget.
    qkv::limits::set_sessions_keep_heads(true);
    let mut g = c.benchmark_group("session_rerun_after_toggle");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3));
    for (preset, tokens) in [("tiny", 8usize), ("base", 8), ("base", 64)] {
        let mut s = Session::untrained_scenario().expect("the built-in scenario");
        let words: Vec<String> = (0..tokens).map(|i| format!("w{i}")).collect();
        if preset == "base" {
            for line in [
                "set model.d_model 512",
                "set model.heads 8",
                "set model.d_ff 2048",
                "set model.layers 6",
            ] {
                s.apply_line(line).expect("base sizes");
            }
        }
        s.apply(Command::Text(words.join(" "))).expect("text");
        s.apply(Command::Target(words.join(" "))).expect("target");
        let mut on = false;
        g.bench_function(BenchmarkId::new(preset, tokens), |b| {
            b.iter(|| {
                on = !on;
                let sw = if on { Switch::On } else { Switch::Off };
                black_box(s.apply(Command::Scale(sw)).expect("toggle"))
            });
        });
    }
    g.finish();
}

criterion_group!(benches, session_rerun_after_toggle);
criterion_main!(benches);
