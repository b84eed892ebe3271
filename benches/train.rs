//! Criterion benches of learning: a forward pass, forward + backward, and a whole training
//! step (forward + backward + Adam) on one sentence pair, side by side, at tiny (the
//! article's sentence) and small with 64 tokens. The ratio step / forward is the figure the
//! README reports; `cargo bench --bench train`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports failure

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

use qkv::bench::{Options, input};
use qkv::learn::optim::{Method, Optimizer, Schedule};
use qkv::learn::{backward, backward_with};
use qkv::model::config::Preset;
use qkv::model::{Arch, Config, Input, Transformer, Vocab};

fn setups() -> Vec<(&'static str, Transformer, Input)> {
    let tiny = Config::preset(Preset::Tiny);
    let tiny_input = Input::new(&tiny, "나는 학교에 간다", Some("<bos> I go to school"))
        .expect("the article's sentence fits tiny");
    let (small, small_input) = input(&Options {
        preset: Preset::Small,
        arch: Arch::EncoderDecoder,
        tokens: 64,
        repeat: 1,
        probe_exe: None,
        train: false,
        shapes: false,
    })
    .expect("a valid bench input");
    let vocab = |i: &Input| {
        let words: Vec<String> = i
            .source
            .iter()
            .chain(i.target.iter().flatten())
            .cloned()
            .collect();
        Vocab::build(words.iter().map(String::as_str))
    };
    let tiny_model =
        Transformer::with_vocab(tiny.validate().expect("tiny is valid"), vocab(&tiny_input));
    let small_model = Transformer::with_vocab(small, vocab(&small_input));
    vec![
        ("tiny", tiny_model, tiny_input),
        ("small-64", small_model, small_input),
    ]
}

fn train(c: &mut Criterion) {
    // As `qkv`'s `main` does: freed memory stays with the process for the next step.
    qkv::buffers::keep_freed_memory();
    for (name, model, input) in setups() {
        let mut g = c.benchmark_group(format!("train/{name}"));
        g.sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(3));
        g.bench_function("forward", |b| {
            b.iter(|| {
                black_box(
                    model
                        .forward(black_box(&input), qkv::model::Pass::default())
                        .expect("forward"),
                )
            });
        });
        g.bench_function("forward+backward", |b| {
            b.iter(|| {
                let t = model
                    .forward(&input, qkv::model::Pass::keeping(true))
                    .expect("forward");
                black_box(backward(&model, &t, 0.0).expect("backward"))
            });
        });
        let mut m = model.clone();
        let mut opt = Optimizer::new(Method::Adam, Schedule::Constant(1e-4));
        let d = m.config().d_model;
        g.bench_function("step", |b| {
            b.iter(|| {
                // As `Trainer::step` runs it: the trace is gone before the update.
                let t = m
                    .forward(&input, qkv::model::Pass::keeping(true))
                    .expect("forward");
                let grads = backward_with(&m, &t, 0.0, false).expect("backward");
                drop(t);
                opt.update(m.weights_mut(), &grads.weights, d);
            });
        });
        g.finish();
    }
}

criterion_group!(benches, train);
criterion_main!(benches);
