//! `qkv train`, `qkv translate`, `qkv generate`, `qkv gradcheck`: the learning engine from
//! the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;

use qkv::i18n::Lang;
use qkv::i18n::training::{DecodeLine, TrainLine};
use qkv::i18n::ui::model_summary;
use qkv::learn::checkpoint;
use qkv::learn::corpus::Corpus;
use qkv::learn::decode::{self, Sampling};
use qkv::learn::gradcheck::gradcheck;
use qkv::learn::optim::{Method, Schedule};
use qkv::learn::train::{self, TrainOptions, Trainer};
use qkv::model::Transformer;
use qkv::model::config::{Arch, DEFAULT_TEXT};
use qkv::scenario::{self, Runnable};

use crate::{ModelArgs, emit};

/// The corpus `qkv train` reads when none is named.
pub const DEFAULT_CORPUS: &str = "data/ko-en.tsv";

#[derive(Args)]
pub struct TrainArgs {
    /// A scenario whose model section gives the architecture and sizes (default: the
    /// training defaults, see `--help`); flags change them.
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Parallel corpus: `source<TAB>target[<TAB>held-out]` per line (default: data/ko-en.tsv,
    /// and the built-in copy of it where no such file is at hand).
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Optimiser updates.
    #[arg(long, default_value_t = TrainOptions::default().steps)]
    pub steps: usize,
    /// Sentence pairs per update.
    #[arg(long, default_value_t = TrainOptions::default().batch)]
    pub batch: usize,
    /// A constant learning rate instead of the paper's warm-up schedule.
    #[arg(long)]
    pub lr: Option<f32>,
    /// Warm-up steps of the paper's schedule.
    #[arg(long, default_value_t = 100)]
    pub warmup: usize,
    /// Scale factor of the paper's schedule.
    #[arg(long, default_value_t = 0.5)]
    pub lr_factor: f32,
    /// Update rule: adam (β₁ 0.9, β₂ 0.98, ε 1e-9) or sgd.
    #[arg(long, default_value = "adam")]
    pub optimizer: Method,
    /// Label smoothing ε (the paper: 0.1).
    #[arg(long, default_value_t = 0.0)]
    pub label_smoothing: f32,
    /// Print the loss every K updates.
    #[arg(long, default_value_t = 50)]
    pub every: usize,
    /// Where to write the checkpoint (.safetensors). Checked before the first update: an
    /// existing file is replaced only with --force; a directory, device or FIFO never.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The model a training run starts from.
fn start_model(a: &TrainArgs, corpus: &Corpus) -> Result<Transformer> {
    if a.model.text.is_some() || a.model.target.is_some() {
        bail!("--text and --target have no meaning for train: the sentences come from --corpus");
    }
    let base = match &a.scenario {
        Some(p) => match scenario::io::load(p)?.file {
            scenario::schema::ScenarioFile::Model(s) => scenario::config_of(&s.model),
            scenario::schema::ScenarioFile::Attention(_) => {
                bail!(
                    "{} is an attention hand-check: it has no model to train",
                    p.display()
                )
            }
        },
        None => train::default_config(),
    };
    let config = a.model.apply(base);
    let valid = config
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the model to train")?;
    Ok(Transformer::with_vocab(
        valid,
        corpus.vocab_for(config.arch, config.tokenizer),
    ))
}

#[expect(
    clippy::too_many_lines,
    reason = "the training command in order: corpus, model, progress, checkpoints, report."
)]
pub fn train_cmd(a: TrainArgs, lang: Lang) -> Result<ExitCode> {
    // The destination is checked before anything is trained: a run is never lost to a
    // file it cannot write at the end.
    let existing = qkv::atomic::Existing::forced(a.force);
    qkv::atomic::check_writable(&a.output, existing).map_err(|r| {
        let hint = if matches!(r, qkv::atomic::Refusal::Exists { .. }) {
            format!("\n{}", TrainLine::ReplaceWithForce.text(lang))
        } else {
            String::new()
        };
        anyhow::anyhow!("{}{hint}", qkv::i18n::errors::refusal_text(&r, lang))
    })?;
    let corpus = match &a.corpus {
        Some(p) => Corpus::load(p)?,
        None if Path::new(DEFAULT_CORPUS).exists() => Corpus::load(Path::new(DEFAULT_CORPUS))?,
        None => Corpus::parse(
            qkv::session::BUILT_IN_CORPUS_NAME,
            qkv::session::BUILT_IN_CORPUS,
        )?,
    };
    let model = start_model(&a, &corpus)?;
    let schedule = match a.lr {
        Some(lr) => Schedule::Constant(lr),
        None => Schedule::Paper {
            warmup: a.warmup,
            factor: a.lr_factor,
        },
    };
    let options = TrainOptions {
        steps: a.steps,
        batch: a.batch,
        method: a.optimizer,
        schedule,
        smoothing: a.label_smoothing,
        seed: model.config().seed,
    };
    let c = model.config().clone();
    let vocab_len = model.vocab().map_or(0, qkv::model::Vocab::len);
    let params = model.weights().param_count();
    let mut trainer = Trainer::new(model, &corpus, options)?;
    let heading = TrainLine::Heading {
        model: model_summary(&c, lang, 0),
        corpus: corpus.origin.clone(),
        pairs: trainer.training_pairs(),
        held_out: corpus.held_out().count(),
        vocab: vocab_len,
        params,
    };
    let how = TrainLine::Options {
        method: options.method.to_string(),
        schedule: options.schedule.to_string(),
        batch: options.batch,
        steps: options.steps,
        smoothing: options.smoothing.to_string(),
    };
    emit(&format!("{}\n{}\n", heading.text(lang), how.text(lang)))?;
    // Ctrl-C during training stops after the current update and saves what there is; a
    // second Ctrl-C, or one after the checkpoint is written (during the evaluation), leaves
    // at once: nothing is lost then.
    let stop = Arc::new(AtomicBool::new(false));
    let saved = Arc::new(AtomicBool::new(false));
    {
        let (stop, saved) = (Arc::clone(&stop), Arc::clone(&saved));
        let skipped = TrainLine::EvaluationSkipped {
            path: a.output.display().to_string(),
        }
        .text(lang);
        // A second handler cannot be installed in the same process (tests call this once).
        let _ = ctrlc::set_handler(move || {
            if saved.load(Ordering::SeqCst) {
                eprintln!("\n{skipped}");
                std::process::exit(130);
            }
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let bar = indicatif::ProgressBar::new(options.steps as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(TrainLine::bar_template(lang))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut tokens = 0usize;
    let mut interrupted = false;
    while trainer.steps_done() < options.steps {
        if stop.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
        let s = trainer.step()?;
        tokens += s.tokens;
        bar.set_position(s.step as u64);
        let message = TrainLine::BarMessage {
            loss: qkv::number::fmt_value_f64(s.loss, 4),
            rate: format!("{:.2e}", s.rate),
        };
        bar.set_message(message.text(lang));
        if a.every > 0 && (s.step % a.every == 0 || s.step == 1) {
            let line = TrainLine::Step {
                step: format!("{:>5}", s.step),
                loss: qkv::number::fmt_value_f64(s.loss, 4),
                rate: format!("{:.3e}", s.rate),
            };
            bar.suspend(|| println!("{}", line.text(lang)));
        }
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if interrupted {
        let line = TrainLine::Interrupted {
            done: trainer.steps_done(),
            of: options.steps,
        };
        emit(&format!("{}\n", line.text(lang)))?;
    }
    checkpoint::save(&trainer.model, &a.output, existing)?;
    saved.store(true, Ordering::SeqCst);
    let done = TrainLine::Done {
        steps: trainer.steps_done(),
        secs: format!("{secs:.1}"),
        tokens_per_s: format!("{:.0}", tokens as f64 / secs.max(1e-9)),
        path: a.output.display().to_string(),
    };
    emit(&format!("{}\n", done.text(lang)))?;
    if let Some(l) = trainer.training_loss()? {
        emit(&format!(
            "{}\n",
            TrainLine::TrainingLoss(format!("{l:.4}")).text(lang)
        ))?;
    }
    if let Some(l) = trainer.held_out_loss()? {
        emit(&format!(
            "{}\n",
            TrainLine::HeldOutLoss(format!("{l:.4}")).text(lang)
        ))?;
    }
    // A decoder-only model continues text: no reference to match exactly.
    let m = if c.arch == Arch::EncoderDecoder {
        trainer.held_out_exact_match()?
    } else {
        train::ExactMatch {
            right: 0,
            total: 0,
            wrong: Vec::new(),
        }
    };
    if m.total > 0 {
        let exact = TrainLine::ExactMatch {
            right: m.right,
            total: m.total,
            percent: format!("{:.1}", 100.0 * m.rate()),
        };
        emit(&format!("{}\n", exact.text(lang)))?;
        for (p, out) in m.wrong.iter().take(5) {
            let wrong = TrainLine::Wrong {
                source: p.source.clone(),
                out: out.clone(),
                reference: p.target.clone(),
            };
            emit(&format!("{}\n", wrong.text(lang)))?;
        }
    }
    if c.arch == Arch::EncoderDecoder {
        let d = decode::greedy(&trainer.model, DEFAULT_TEXT, 12)?;
        emit(&format!(
            "{DEFAULT_TEXT} → {}\n",
            d.output_words().join(" ")
        ))?;
    }
    Ok(if interrupted {
        ExitCode::from(130)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Args)]
pub struct DecodeArgs {
    /// The sentence to translate (translate) or the text to continue (generate).
    pub text: Option<String>,
    /// The trained model (.safetensors).
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Most tokens to produce.
    #[arg(long, default_value_t = 20)]
    pub max_len: usize,
    /// Next-token candidates shown per step.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Sample with this temperature instead of choosing the most likely token.
    #[arg(long)]
    pub temperature: Option<f32>,
    /// With --temperature: sample among the K most likely tokens only.
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,
    /// With --temperature: seed of the draws.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print only the result.
    #[arg(long, short)]
    pub quiet: bool,
    /// Translate with a Hugging Face Marian model directory (config.json, model.safetensors,
    /// source.spm, target.spm, vocab.json) instead of a checkpoint.
    #[arg(long, value_name = "DIR", conflicts_with = "checkpoint")]
    pub hf: Option<PathBuf>,
    /// Beam size K: keep K hypotheses (1 = greedy; with --hf, default: the model's num_beams).
    #[arg(long, value_name = "K", requires = "hf")]
    pub beam: Option<usize>,
    /// α of the length penalty (default: the model's length_penalty, else 1.0).
    #[arg(long, value_name = "ALPHA", requires = "hf")]
    pub length_penalty: Option<f32>,
    /// Score finished hypotheses with the paper's GNMT penalty Σ log p / ((5 + |Y|) / 6)^α
    /// instead of Hugging Face's Σ log p / |Y|^α.
    #[arg(long, requires = "hf")]
    pub gnmt: bool,
}

/// The model of `--checkpoint`, or the shipped trained one.
pub fn checkpoint_model(path: Option<&Path>) -> Result<Transformer> {
    match path {
        Some(p) => Ok(checkpoint::load(p, &qkv::model::Control::new())?),
        None => Ok(checkpoint::shipped()?),
    }
}

/// `qkv translate` (`generate == false`) and `qkv generate`, their lines in `lang`.
pub fn decode_cmd(a: DecodeArgs, generate: bool, lang: Lang) -> Result<ExitCode> {
    if let Some(dir) = &a.hf {
        if generate {
            return super::hf::generate(dir, &a, lang);
        }
        return super::hf::translate(dir, &a, lang);
    }
    let model = checkpoint_model(a.checkpoint.as_deref())?;
    let arch = model.config().arch;
    match (generate, arch) {
        (false, Arch::EncoderDecoder) | (true, Arch::Decoder) => {}
        (false, _) => bail!(
            "{}",
            DecodeLine::TranslateNeedsEncoderDecoder(arch).text(lang)
        ),
        (true, _) => bail!("{}", DecodeLine::GenerateNeedsDecoder(arch).text(lang)),
    }
    let text = a.text.clone().unwrap_or_else(|| {
        if generate {
            "I go".into()
        } else {
            DEFAULT_TEXT.into()
        }
    });
    let sampling = a.temperature.map(|t| Sampling {
        temperature: t,
        top_k: a.top_k,
        seed: a.seed,
    });
    if let Some(v) = model.vocab() {
        let toks = qkv::model::tokenizer::tokenize(&text, model.config().tokenizer);
        let unknown = v.unknown(toks.iter());
        if !unknown.is_empty() {
            emit(&format!(
                "{}\n",
                DecodeLine::Unknown(unknown.join(", ")).text(lang)
            ))?;
        }
        if let Some(w) = qkv::i18n::cli_lines::CliLine::mostly_unknown(v, &model.labels(&toks)) {
            emit(&format!("{}\n", w.text(lang)))?;
        }
    }
    let d = decode::run(&model, &text, a.max_len, a.top.max(1), sampling)?;
    if !a.quiet {
        emit(&describe(&d, generate, sampling.as_ref(), lang))?;
    }
    let words = d.output_words().join(" ");
    emit(&format!(
        "{}{}\n",
        if generate {
            format!("{text} ")
        } else {
            String::new()
        },
        words
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The step-by-step account of a decoding, in `lang`.
pub fn describe(
    d: &decode::Decoding,
    generate: bool,
    sampling: Option<&Sampling>,
    lang: Lang,
) -> String {
    let mut lines = vec![if generate {
        DecodeLine::Prompt(d.source.join(" "))
    } else {
        DecodeLine::Source(d.source.join(" "))
    }];
    lines.push(match sampling {
        Some(sm) => DecodeLine::Sampling(sm.formula()),
        None => DecodeLine::Greedy,
    });
    if !generate {
        lines.push(DecodeLine::EncoderOnce);
    }
    for (i, st) in d.steps.iter().enumerate() {
        let top: Vec<String> = st
            .top
            .iter()
            .map(|(t, p)| format!("{t} {}", qkv::number::fmt_value(*p, 3)))
            .collect();
        lines.push(DecodeLine::Step {
            i: i + 1,
            prefix: st.prefix.join(" "),
            chosen: st.chosen.clone(),
            p: qkv::number::fmt_value(st.chosen_prob, 3),
            top: top.join(", "),
            reused_encoder: (i > 0 && !generate).then_some(st.reused_encoder),
        });
    }
    if !d.finished {
        lines.push(DecodeLine::LengthLimit);
    }
    lines.iter().map(|l| l.text(lang) + "\n").collect()
}

#[derive(Args)]
pub struct GradcheckArgs {
    /// A scenario to check (its model and sentence); flags change them.
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Step of the central differences.
    #[arg(long, default_value_t = 2e-3, value_parser = crate::positive_number_arg::<f32>)]
    pub step: f32,
    /// Values checked per weight (evenly spaced); 0 checks every value.
    #[arg(long, default_value_t = 0)]
    pub per_weight: usize,
    /// Label smoothing ε of the loss.
    #[arg(long, default_value_t = 0.0)]
    pub label_smoothing: f32,
    /// Largest relative difference accepted.
    #[arg(long, default_value_t = 2e-2, value_parser = crate::positive_number_arg::<f64>)]
    pub tolerance: f64,
}

pub fn gradcheck_cmd(a: GradcheckArgs, lang: Lang) -> Result<ExitCode> {
    use qkv::i18n::cli_lines::CliLine;
    let (_, runnable) = a.model.run(a.scenario.as_deref())?;
    let Runnable::Model(b) = runnable else {
        bail!("{}", CliLine::GradcheckNoWeights.text(lang));
    };
    let (model, input) = (b.model, b.input);
    let per = (a.per_weight > 0).then_some(a.per_weight);
    let checks = gradcheck(&model, &input, a.label_smoothing, a.step, per, 1e-2)?;
    let mut out = format!(
        "{}\n{}\n\n{}\n",
        CliLine::GradcheckHeading(a.step.to_string()).text(lang),
        model_summary(model.config(), lang, 0),
        CliLine::GradcheckColumns.text(lang)
    );
    let mut bad = 0;
    for c in &checks {
        let flag = if c.passes(a.tolerance) {
            String::new()
        } else {
            bad += 1;
            CliLine::GradcheckFail.text(lang)
        };
        out.push_str(&format!(
            "{:<28} {:>7} {:>6} {:>11.3e} {:>11.3e}{flag}\n",
            c.name, c.checked, c.kinks, c.max_abs, c.max_rel
        ));
    }
    let checked: usize = checks.iter().map(|c| c.checked).sum();
    let kinks: usize = checks.iter().map(|c| c.kinks).sum();
    out.push_str(&format!(
        "\n{}\n",
        CliLine::GradcheckSummary {
            checked,
            kinks,
            weights: checks.len(),
            bad,
            tolerance: a.tolerance.to_string(),
        }
        .text(lang)
    ));
    emit(&out)?;
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
