//! One `update` + `view` cycle of the workbench on ratatui's `TestBackend` at 120×40: the
//! tiny preset (the built-in scenario), the paper's base preset (d_model 512, 8 heads, 6+6
//! layers) on the same sentence, and the base preset on 100- and 512-token sentences (the
//! issue's target: a navigation key to a redrawn frame within 16 ms at base with 512 tokens).
//!
//! Three cycles: moving the cell (`→` then `←`: a `Cell` command and a redraw) and walking
//! (`n` then `p`: a `Next`/`Prev` command, which re-renders the step as text for the REPL,
//! and a redraw of a different step), and switching heads (`]` then `[`; on the attention
//! weights, one 512 × 512 head recomputed per key).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports failure

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use qkv::scenario::io::parse_and_build;
use qkv::session::Session;
use qkv::tui::message::{Dir, Message};
use qkv::tui::{App, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Size;

fn session(yaml: &str) -> Session {
    let (file, runnable) = parse_and_build(yaml, "bench").expect("bench scenario");
    Session::from_runnable(file, runnable)
}

fn base(text: &str) -> String {
    format!(
        "version: 1\nmodel: {{preset: base, arch: encoder-decoder, seed: 42, max_tokens: 512}}\ninput: {{text: \"{text}\", target: \"<bos> I go to school\"}}\n"
    )
}

fn bench_cycles(c: &mut Criterion) {
    // As the workbench: the traces keep their heads when they fit the budget.
    qkv::limits::set_sessions_keep_heads(true);
    let long: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
    let longest = qkv::bench::sentence(512, 0);
    let cases = vec![
        (
            "tiny",
            Session::untrained_scenario().expect("default scenario"),
        ),
        ("base", session(&base("나는 학교에 간다"))),
        ("base_100_tokens", session(&base(&long.join(" ")))),
        ("base_512_tokens", session(&base(&longest))),
        ("base_512_tokens_on_weights", {
            // On the first layer's attention weights: 8 heads of 512 × 512, recomputed
            // from q and k when a head is first shown.
            let mut s = session(&base(&longest));
            s.apply_line("show enc.0.attn.weights")
                .expect("a step of base");
            s
        }),
    ];
    for (name, s) in cases {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
        let mut app = App::new(s, Size::new(120, 40));
        let mut group = c.benchmark_group(format!("tui_{name}"));
        let mut flip = false;
        group.bench_function("move_cell_update_view", |b| {
            b.iter(|| {
                flip = !flip;
                let dir = if flip { Dir::Right } else { Dir::Left };
                update(&mut app, Message::Move(dir));
                terminal.draw(|f| render(black_box(&app), f)).expect("draw");
            });
        });
        group.bench_function("next_step_update_view", |b| {
            b.iter(|| {
                flip = !flip;
                let m = if flip {
                    Message::NextStep
                } else {
                    Message::PrevStep
                };
                update(&mut app, m);
                terminal.draw(|f| render(black_box(&app), f)).expect("draw");
            });
        });
        group.bench_function("next_head_update_view", |b| {
            b.iter(|| {
                flip = !flip;
                let m = if flip {
                    Message::NextHead
                } else {
                    Message::PrevHead
                };
                update(&mut app, m);
                terminal.draw(|f| render(black_box(&app), f)).expect("draw");
            });
        });
        group.bench_function("view_only", |b| {
            b.iter(|| {
                terminal.draw(|f| render(black_box(&app), f)).expect("draw");
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench_cycles);
criterion_main!(benches);
