//! Criterion benches of the model: one attention block, the full forward pass with its
//! trace at tiny/small/base for n = 8, 64, 256 tokens, and a rerun after switching `scale`.
//!
//! `cargo bench` (a few minutes); `cargo bench -- forward/tiny` for one group. Sample sizes
//! and times are kept small: these are for comparing changes on one machine, `qkv bench`
//! is for the README's figures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports failure

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::Array2;

use qkv::bench::{Options, input};
use qkv::model::attention::AttnCall;
use qkv::model::config::Preset;
use qkv::model::layer::attention_weights;
use qkv::model::{Arch, Transformer};
use qkv::trace::Recorder;

const PRESETS: [(Preset, &str); 3] = [
    (Preset::Tiny, "tiny"),
    (Preset::Small, "small"),
    (Preset::Base, "base"),
];
const LENGTHS: [usize; 3] = [8, 64, 256];

fn options(preset: Preset, tokens: usize) -> Options {
    Options {
        preset,
        arch: Arch::EncoderDecoder,
        tokens,
        repeat: 1,
        probe_exe: None,
        train: false,
        shapes: false,
    }
}

fn model(preset: Preset, tokens: usize) -> (Transformer, qkv::model::Input) {
    let (valid, input) = input(&options(preset, tokens)).expect("a valid bench input");
    (Transformer::new(valid), input)
}

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g
}

/// Multi-head self-attention of the paper's base size (d_model 512, 8 heads): projections,
/// the heads, concat and W_O, recorded into a trace.
fn attention_block(c: &mut Criterion) {
    let (m, _) = model(Preset::Base, 8);
    let mha = attention_weights(m.weights(), "enc.0.attn").expect("base has enc.0.attn");
    let dims: Arc<Vec<String>> = Arc::new((0..512).map(|i| format!("d{i}")).collect());
    let mut g = group(c, "attention_block/base");
    for n in LENGTHS {
        let x = Array2::from_shape_fn((n, 512), |(i, j)| {
            ((i * 31 + j * 7) % 19) as f32 * 0.05 - 0.45
        });
        let tokens: Arc<Vec<String>> = Arc::new((0..n).map(|i| format!("t{i}")).collect());
        let call = AttnCall {
            prefix: "enc.0.attn",
            heads: 8,
            scale: true,
            causal: false,
            q_from: "x",
            kv_from: "x",
            q_tokens: Arc::clone(&tokens),
            kv_tokens: tokens,
            dims: Arc::clone(&dims),
            keep_heads: false,
            compare_with: None,
        };
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let mut rec = Recorder::new();
                black_box(mha.forward(&call, x.view(), x.view(), &mut rec));
                rec
            });
        });
    }
    g.finish();
}

/// The whole encoder-decoder forward pass with every step recorded (n source tokens and
/// n target tokens).
fn forward(c: &mut Criterion) {
    for (preset, name) in PRESETS {
        let mut g = group(c, &format!("forward/{name}"));
        for n in LENGTHS {
            let (m, input) = model(preset, n);
            g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| {
                    black_box(
                        m.forward(&input, qkv::model::Pass::default())
                            .expect("forward"),
                    )
                });
            });
        }
        g.finish();
    }
}

/// Forward again after switching `scale` (on → off → on …), reusing the previous trace
/// where the switch changes nothing (`Transformer::rerun`), next to a plain forward pass
/// after the same switch.
fn rerun_after_toggle(c: &mut Criterion) {
    for (preset, name, n) in [(Preset::Tiny, "tiny", 8), (Preset::Base, "base", 64)] {
        let mut g = group(c, &format!("rerun_after_toggle/{name}"));
        let (mut m, input) = model(preset, n);
        let on = m.config().clone();
        let mut off = on.clone();
        off.scale = false;
        let configs = [
            on.validate().expect("valid"),
            off.validate().expect("valid"),
        ];
        let mut previous = m
            .forward(&input, qkv::model::Pass::default())
            .expect("forward");
        let mut i = 0;
        g.bench_function(BenchmarkId::new("rerun", n), |b| {
            b.iter(|| {
                i += 1;
                m.set_config(configs[i % 2].clone()).expect("same weights");
                previous = m
                    .forward(&input, qkv::model::Pass::reusing(&previous))
                    .expect("rerun");
            });
        });
        g.bench_function(BenchmarkId::new("forward", n), |b| {
            b.iter(|| {
                i += 1;
                m.set_config(configs[i % 2].clone()).expect("same weights");
                black_box(
                    m.forward(&input, qkv::model::Pass::default())
                        .expect("forward"),
                )
            });
        });
        g.finish();
    }
}

criterion_group!(benches, attention_block, forward, rerun_after_toggle);
criterion_main!(benches);
