//! The same seed and input give the same bits on every run and whatever the number of
//! threads: the parallel paths (products cut into blocks of columns or rows, heads in
//! parallel, LayerNorm rows) never change an order of summation.

use qkv::bench::sentence;
use qkv::model::config::Preset;
use qkv::model::{Arch, Config, Layers, Transformer, linalg, prepare};
use qkv::trace::Trace;

/// Every step's values as bits, with its flags.
fn bits(t: &Trace) -> Vec<(String, Vec<u32>, String)> {
    t.steps()
        .iter()
        .map(|s| {
            (
                s.name().to_string(),
                s.to_tensor().values().map(f32::to_bits).collect(),
                format!("{:?}", s.flags()),
            )
        })
        .collect()
}

/// A model just large enough that every parallel path runs: products of 256 × 256 × 1024
/// (≥ `PARALLEL_MIN_FLOP`, split by columns), 4 heads of 256 × 256 scores (heads in
/// parallel), LayerNorm over 256 × 256 values (rows in parallel).
fn large_enough() -> (Transformer, qkv::model::Input) {
    let mut c = Config::preset(Preset::Small);
    c.arch = Arch::EncoderDecoder;
    c.d_model = 256;
    c.heads = 4;
    c.d_ff = 1024;
    c.layers = Layers {
        encoder: 1,
        decoder: 1,
    };
    c.max_tokens = 256;
    let n = 256;
    assert!(n * c.d_model * c.d_ff >= linalg::PARALLEL_MIN_FLOP);
    assert!(2 * c.heads * n * n * (c.d_model / c.heads) >= linalg::PARALLEL_HEADS_MIN_FLOP);
    let target = format!("<bos> {}", sentence(n - 1, 3));
    let (valid, input) = prepare(c, &sentence(n, 0), Some(&target)).unwrap();
    (Transformer::new(valid), input)
}

#[test]
fn the_trace_does_not_depend_on_the_number_of_threads_or_the_run() {
    let (model, input) = large_enough();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        bits(
            &pool
                .install(|| model.forward(&input, qkv::model::Pass::default()))
                .unwrap(),
        )
    };
    let one = run(1);
    assert_eq!(
        one.len(),
        model
            .forward(&input, qkv::model::Pass::default())
            .unwrap()
            .steps()
            .len()
    );
    for threads in [2, 3, 2] {
        let other = run(threads);
        for (a, b) in one.iter().zip(&other) {
            assert!(a == b, "{} differs with {threads} threads", a.0);
        }
    }
    // and on the global pool, twice
    assert!(bits(&model.forward(&input, qkv::model::Pass::default()).unwrap()) == one);
    assert!(bits(&model.forward(&input, qkv::model::Pass::default()).unwrap()) == one);
}
