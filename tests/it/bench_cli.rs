//! `qkv bench` end to end at the tiny size (quick; no time is checked, only that every
//! figure is reported and consistent).

use crate::util::qkv;

#[test]
fn bench_json_reports_every_figure() {
    let o = qkv(&[
        "bench", "--preset", "tiny", "--tokens", "6", "--repeat", "2", "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["preset"], "tiny");
    assert_eq!(v["source_tokens"], 6);
    assert_eq!(v["target_tokens"], 6);
    assert_eq!(
        v["products"].as_array().map(Vec::len),
        Some(qkv::model::linalg::Backend::ALL.len())
    );
    for key in ["attainable_gflops", "forward_gflops", "efficiency"] {
        assert!(
            v[key].as_f64().is_some_and(|x| x > 0.0),
            "{key}: {}",
            v[key]
        );
    }
    assert!(v["forward_flop"].as_u64().is_some_and(|x| x > 0));
    assert!(v["first_trace"]["from_process_start_ms"].as_f64().is_some());
    assert_eq!(
        v["memory"]["trace_predicted_mib"],
        v["memory"]["trace_counted_mib"]
    );
    // The weights a pass reads are every parameter once (4 bytes each), and their share of
    // the measured streaming read is their rate over it.
    let b = &v["bandwidth"];
    let weights_mib = v["memory"]["weights_predicted_mib"].as_f64().unwrap();
    let bytes = b["pass_weight_bytes"].as_u64().unwrap();
    assert!((bytes as f64 / 1048576.0 - weights_mib).abs() < 1e-9, "{b}");
    let (stream, pass) = (
        b["stream_read_gbs"].as_f64().unwrap(),
        b["pass_read_gbs"].as_f64().unwrap(),
    );
    assert!(stream > 0.0 && pass > 0.0, "{b}");
    assert!(
        (b["fraction"].as_f64().unwrap() - pass / stream).abs() < 1e-12,
        "{b}"
    );
}

#[test]
fn bench_table_and_bad_input() {
    let o = qkv(&[
        "bench",
        "--preset",
        "tiny",
        "--arch",
        "decoder",
        "--tokens",
        "3",
        "--repeat",
        "1",
        "--no-first-trace",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "GFLOP/s",
        "efficiency",
        "trace kept",
        "| tiny | decoder | 3 |",
    ] {
        assert!(out.contains(needle), "{needle} missing in\n{out}");
    }
    let o = qkv(&["bench", "--preset", "tiny", "--tokens", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("invalid value '0' for '--tokens"), "{err}");
}

/// A training step at small with 64 tokens frees a few MiB of small matrices and allocates
/// them again at the next step. `qkv` lets the allocator keep freed memory
/// (`buffers::keep_freed_memory`), so after the first round the steps take no page faults
/// (glibc would otherwise return the memory and take it back: about 190 faults per step).
/// The first two steps take memory the process did not have yet; the median over seven
/// rounds is the steady state. Page faults are counted, not timed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn training_steps_reuse_freed_memory() {
    let o = qkv(&[
        "bench",
        "--preset",
        "small",
        "--tokens",
        "64",
        "--train",
        "--repeat",
        "7",
        "--json",
        "--no-first-trace",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let faults = v["train_step"]["page_faults_per_step"]
        .as_f64()
        .expect("faults are counted on Linux");
    assert!(faults <= 16.0, "{faults} page faults per training step");
}
