//! The logit lens (`qkv lens`, `qkv::lens`): each decoder layer's residual stream read
//! through the final norm and the output projection.

use qkv::lens::{decoder_states, marian_readout, read, transformer_readout};
use qkv::session::Session;
use qkv::trace::Trace;

use crate::util::{qkv, stderr, stdout};

fn logits(trace: &Trace) -> ndarray::Array2<f32> {
    trace
        .step("logits")
        .unwrap()
        .matrix(None)
        .unwrap()
        .to_owned()
}

/// On the shipped en-next model (decoder-only, post-LN, so no final norm) the lens reads
/// the embeddings and the two layers; the last layer's reading is the model's own logits,
/// and the embeddings' reading is `embed.sum · embed.Eᵀ`, checked cell by cell in f64.
#[test]
fn the_last_layer_of_the_lens_is_the_models_logits() {
    let s = Session::open(std::path::Path::new("scenarios/next-word.yaml")).unwrap();
    let (model, trace) = (s.model().unwrap(), s.trace());
    let vocab = trace.tokens().vocab.clone();
    let readout = transformer_readout(model, &vocab).unwrap();
    assert_eq!(readout.formula(), "x · embed.Eᵀ");
    let states = decoder_states(trace);
    let names: Vec<&str> = states.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        ["embed.sum", "dec.0.add_norm2.out", "dec.1.add_norm2.out"]
    );
    let readings = read(states, &readout, 3);
    assert_eq!(readings[2].logits, logits(trace));
    // The embeddings' row 2 (go) against the first three tokens of the vocabulary, by hand:
    // logit_j = Σ_d sum[2][d] · E[j][d].
    let sum = trace
        .step("embed.sum")
        .unwrap()
        .matrix(None)
        .unwrap()
        .to_owned();
    let e = model.embedding_table(&vocab);
    for j in 0..3 {
        let want: f64 = (0..sum.ncols())
            .map(|d| f64::from(sum[[2, d]]) * f64::from(e[[j, d]]))
            .sum();
        let got = f64::from(readings[0].logits[[2, j]]);
        assert!((got - want).abs() < 1e-4, "{got} vs {want}");
    }
    // After "go" the model says "to" (p 0.862 in the scenario's description of I go to
    // school); the last layer's top candidate is the argmax of the model's probabilities.
    let probs = trace
        .step("probs")
        .unwrap()
        .matrix(None)
        .unwrap()
        .to_owned();
    let best = (0..probs.ncols())
        .max_by(|&a, &b| probs[[2, a]].total_cmp(&probs[[2, b]]))
        .unwrap();
    assert_eq!(readings[2].top[2][0].0, best);
    assert_eq!(vocab[best], "to");
}

/// A pre-LN model's lens goes through `final_norm`, and its last layer is the logits too.
#[test]
fn a_pre_ln_decoder_reads_through_the_final_norm() {
    let mut s = crate::util::session();
    crate::util::say(&mut s, "set model.arch decoder");
    crate::util::say(&mut s, "norm pre");
    let (model, trace) = (s.model().unwrap(), s.trace());
    let readout = transformer_readout(model, &trace.tokens().vocab).unwrap();
    assert_eq!(readout.formula(), "final_norm(x) · embed.Eᵀ");
    let readings = read(decoder_states(trace), &readout, 1);
    let last = readings.last().unwrap();
    assert!(last.step.ends_with(".sum"), "{}", last.step);
    let want = logits(trace);
    let diff = (&last.logits - &want)
        .mapv(f32::abs)
        .fold(0.0f32, |a, &b| a.max(b));
    assert!(diff < 1e-6, "{diff}");
}

/// Marian's decoder: no final norm, the shared table and `final_logits_bias`; the last
/// layer (`dec.1.add_norm3.out`) reads as the model's logits.
#[test]
fn marians_decoder_reads_through_the_shared_table_and_the_bias() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hf/marian-tiny");
    let model = qkv::hf::MarianModel::open(&dir).unwrap();
    let src = model.tokenizer.encode_source("나는 학교에 간다").ids;
    let tgt = vec![model.config.decoder_start()];
    let trace = model.forward(&src, &tgt).unwrap();
    let readout = marian_readout(&model).unwrap();
    assert_eq!(readout.formula(), "x · embed.Eᵀ + final_logits_bias");
    let readings = read(decoder_states(&trace), &readout, 2);
    let last = readings.last().unwrap();
    assert_eq!(last.step, "dec.1.add_norm3.out");
    assert_eq!(readings[0].step, "dec.embed.sum");
    assert_eq!(last.logits, logits(&trace));
}

/// `qkv lens` on en-next: the table per position, the note that it is a reading of
/// intermediate states; in Korean the same numbers; an encoder-only model is refused.
#[test]
fn qkv_lens_prints_a_table_per_position() {
    let args = [
        "lens",
        "--checkpoint",
        "scenarios/en-next.safetensors",
        "--text",
        "<bos> I go",
        "--top",
        "3",
    ];
    let o = qkv(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let en = stdout(&o);
    assert!(en.contains("not what the model outputs"), "{en}");
    insta::assert_snapshot!("lens_en_next", en);
    let mut ko_args = vec!["--lang", "ko"];
    ko_args.extend(args);
    let ko = stdout(&qkv(&ko_args));
    assert!(ko.contains("모델이 내놓는 출력이 아닙니다"), "{ko}");
    assert!(
        ko.contains("위치 2 (go): 다음 토큰, 층마다 상위 3개"),
        "{ko}"
    );
    assert_eq!(crate::util::numbers(&ko), crate::util::numbers(&en));
    let o = qkv(&["lens", "--untrained", "--arch", "encoder"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("this model has none"), "{}", stderr(&o));
}
