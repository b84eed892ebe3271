//! Every preset and architecture runs, and every trace step has the shape the trace names
//! give (docs/reference/trace.md).

use qkv::model::config::Preset;
use qkv::model::{Arch, Config, Norm, Transformer, prepare};
use qkv::trace::Trace;

use crate::util::forward;

fn run(config: Config, text: &str, target: Option<&str>) -> (Config, Trace) {
    (config.clone(), forward(config, text, target))
}

/// The expected shape of a step from its name alone.
fn expected_shape(c: &Config, name: &str, n_src: usize, n_tgt: usize, vocab: usize) -> Vec<usize> {
    let (d, h, dk, ff) = (c.d_model, c.heads, c.d_k(), c.d_ff);
    let dec_side = name.starts_with("dec.") || name == "final_norm";
    // Decoder-only models run the decoder on the source tokens.
    let n = if dec_side && c.arch == Arch::EncoderDecoder {
        n_tgt
    } else {
        n_src
    };
    let parsed: qkv::trace::StepName = name.parse().unwrap();
    let last = parsed.short();
    let cross = name.contains("cross_attn");
    let m = if cross { n_src } else { n };
    match last {
        "q" | "head_out" => vec![h, n, dk],
        "k" | "v" => vec![h, m, dk],
        "scores" | "scaled" | "masked" | "weights" => vec![h, n, m],
        "hidden" | "relu" => vec![n, ff],
        "logits" | "probs" => {
            let rows = if c.arch == Arch::EncoderDecoder {
                n_tgt
            } else {
                n_src
            };
            vec![rows, vocab]
        }
        _ => vec![n, d],
    }
}

#[test]
fn every_preset_and_arch_runs_with_designed_shapes() {
    for preset in [Preset::Tiny, Preset::Small, Preset::Base] {
        for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
            for norm in [Norm::Post, Norm::Pre] {
                if preset == Preset::Base && norm == Norm::Pre {
                    continue; // the shapes do not depend on the size; keep the test quick
                }
                let mut c = Config::preset(preset);
                c.arch = arch;
                c.norm = norm;
                let (c, trace) = run(c, "나는 학교에 간다", Some("I go to school"));
                let t = trace.tokens();
                let n_src = t.source.len();
                let n_tgt = t.target.as_ref().map_or(0, |x| x.len());
                let vocab = t.vocab.len();
                for s in trace.steps() {
                    assert_eq!(
                        s.tensor().shape(),
                        expected_shape(&c, s.name(), n_src, n_tgt, vocab),
                        "{preset} {arch} {norm}: {}",
                        s.name()
                    );
                    assert!(!s.flags().has_problem(), "{}: NaN or inf", s.name());
                }
                // Whole q is n × d_model (heads side by side).
                let first_q = trace
                    .names()
                    .find(|n| n.ends_with(".q"))
                    .unwrap()
                    .to_string();
                let q = trace.get(&first_q).unwrap().matrix(None).unwrap();
                assert_eq!(q.ncols(), c.d_model);
            }
        }
    }
}

/// The step names, in pipeline order, of a 1+1-layer post-LN encoder-decoder.
#[test]
fn pipeline_order_of_names() {
    let mut c = Config::preset(Preset::Tiny);
    c.layers.encoder = 1;
    c.layers.decoder = 1;
    let (_, trace) = run(c, "a b", Some("c"));
    let attn = |p: &str| {
        [
            "q", "k", "v", "scores", "scaled", "masked", "weights", "head_out", "concat", "out",
        ]
        .map(|s| format!("{p}.{s}"))
        .to_vec()
    };
    let mut want: Vec<String> = ["embed.tokens", "embed.pos", "embed.sum"]
        .map(String::from)
        .to_vec();
    want.extend(attn("enc.0.attn"));
    want.extend(
        [
            "enc.0.add_norm1.sum",
            "enc.0.add_norm1.out",
            "enc.0.ffn.hidden",
            "enc.0.ffn.relu",
            "enc.0.ffn.out",
            "enc.0.add_norm2.sum",
            "enc.0.add_norm2.out",
        ]
        .map(String::from),
    );
    want.extend(["dec.embed.tokens", "dec.embed.pos", "dec.embed.sum"].map(String::from));
    want.extend(attn("dec.0.self_attn"));
    want.extend(["dec.0.add_norm1.sum", "dec.0.add_norm1.out"].map(String::from));
    want.extend(attn("dec.0.cross_attn"));
    want.extend(
        [
            "dec.0.add_norm2.sum",
            "dec.0.add_norm2.out",
            "dec.0.ffn.hidden",
            "dec.0.ffn.relu",
            "dec.0.ffn.out",
            "dec.0.add_norm3.sum",
            "dec.0.add_norm3.out",
            "logits",
            "probs",
        ]
        .map(String::from),
    );
    let got: Vec<&str> = trace.names().collect();
    assert_eq!(got, want);
}

#[test]
fn pre_ln_records_norm_before_sublayer_and_final_norms() {
    let mut c = Config::preset(Preset::Tiny);
    c.norm = Norm::Pre;
    let (_, trace) = run(c, "a b", Some("c"));
    let pos = |n: &str| trace.position(n).unwrap_or_else(|| panic!("missing {n}"));
    assert!(pos("enc.0.add_norm1.out") < pos("enc.0.attn.q"));
    assert!(pos("enc.0.attn.out") < pos("enc.0.add_norm1.sum"));
    assert!(pos("enc.1.add_norm2.sum") < pos("enc.final_norm"));
    assert!(pos("enc.final_norm") < pos("dec.embed.tokens"));
    assert!(pos("final_norm") < pos("logits"));
    // Cross-attention reads its keys from the encoder's final norm.
    assert_eq!(
        trace.get("dec.0.cross_attn.k").unwrap().inputs()[0],
        "enc.final_norm"
    );
}

/// Every step name of every architecture and norm placement, every weight name and their
/// gradients' names parse as a `StepName` and print back unchanged; the layer and block read
/// from the type agree with the name.
#[test]
fn every_name_is_a_step_name() {
    use qkv::trace::{Place, StepName};
    for arch in [Arch::Encoder, Arch::Decoder, Arch::EncoderDecoder] {
        for norm in [Norm::Post, Norm::Pre] {
            let mut c = Config::preset(Preset::Tiny);
            c.arch = arch;
            c.norm = norm;
            let (valid, input) = prepare(c, "나는 학교에 간다", Some("I go to school")).unwrap();
            let model = Transformer::new(valid);
            let trace = model.forward(&input, qkv::model::Pass::default()).unwrap();
            let weights: Vec<String> = model.weights().iter().map(|(n, _)| n.to_string()).collect();
            let names = trace.names().map(str::to_string).chain(weights);
            for name in names {
                for name in [name.clone(), format!("grad.{name}")] {
                    let parsed: StepName = name
                        .parse()
                        .unwrap_or_else(|e| panic!("{arch} {norm}: {e}"));
                    assert_eq!(parsed.to_string(), name);
                    if let Place::Layer { layer, .. } = parsed.place {
                        assert!(name.contains(&format!(".{layer}.")), "{name}");
                    }
                }
            }
        }
    }
}
