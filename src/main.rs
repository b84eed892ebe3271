//! The `qkv` command line: parses arguments, runs one command, maps errors to exit codes.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use qkv::model::config::{DEFAULT_TEXT, Preset};
use qkv::model::{Arch, Config, MaskKind, Norm, Positional, TokenizerKind, Transformer};
use qkv::render::{self, RenderOptions};
use qkv::trace::{Address, Trace};

/// A terminal workbench for the Transformer of "Attention Is All You Need".
#[derive(Parser)]
#[command(name = "qkv", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the model on a sentence and print steps as matrices labelled with tokens.
    Run(RunArgs),
    /// Write every trace step and every weight to a .npz or .json file.
    Export(ExportArgs),
    /// Count parameters per component, with the formula.
    Params(ParamsArgs),
    /// Measure the matrix-product rate and the forward pass side by side: GFLOP/s,
    /// efficiency, memory predicted vs measured, time to the first trace.
    Bench(BenchArgs),
}

#[derive(Args, Clone)]
struct ModelArgs {
    /// Source sentence (encoder input; decoder input of a decoder-only model).
    #[arg(long, default_value = DEFAULT_TEXT)]
    text: String,
    /// Decoder-side sentence of an encoder-decoder model (`<bos>` is prepended).
    /// Default: `<bos> I go to school` for the default sentence, else `<bos>`.
    #[arg(long)]
    target: Option<String>,
    /// Size preset: tiny (8/2/32, 2+2 layers), small (64/4/256), base (the paper: 512/8/2048, 6+6).
    #[arg(long, default_value = "tiny")]
    preset: Preset,
    /// Architecture: encoder, decoder, encoder-decoder.
    #[arg(long)]
    arch: Option<Arch>,
    /// Width of token vectors.
    #[arg(long)]
    d_model: Option<usize>,
    /// Number of attention heads (must divide d_model).
    #[arg(long)]
    heads: Option<usize>,
    /// Width of the FFN hidden layer.
    #[arg(long)]
    d_ff: Option<usize>,
    /// Layers in each stack (1..=12).
    #[arg(long)]
    layers: Option<usize>,
    /// Layers in the encoder stack (overrides --layers).
    #[arg(long)]
    enc_layers: Option<usize>,
    /// Layers in the decoder stack (overrides --layers).
    #[arg(long)]
    dec_layers: Option<usize>,
    /// Seed of every weight and token embedding.
    #[arg(long)]
    seed: Option<u64>,
    /// LayerNorm placement: post (paper) or pre.
    #[arg(long)]
    norm: Option<Norm>,
    /// Positional encoding: sinusoidal or none.
    #[arg(long)]
    positional: Option<Positional>,
    /// Do not divide scores by √d_k.
    #[arg(long)]
    no_scale: bool,
    /// Multiply embeddings by √d_model (paper §3.4).
    #[arg(long)]
    embed_scale: bool,
    /// Mask of the encoder self-attention: none or causal.
    #[arg(long)]
    mask: Option<MaskKind>,
    /// Tokenizer: whitespace or char.
    #[arg(long)]
    tokenizer: Option<TokenizerKind>,
    /// Longest sentence accepted, in tokens.
    #[arg(long)]
    max_tokens: Option<usize>,
}

impl ModelArgs {
    fn config(&self) -> Config {
        let mut c = Config::preset(self.preset);
        if let Some(v) = self.arch {
            c.arch = v;
        }
        if let Some(v) = self.d_model {
            c.d_model = v;
        }
        if let Some(v) = self.heads {
            c.heads = v;
        }
        if let Some(v) = self.d_ff {
            c.d_ff = v;
        }
        if let Some(v) = self.layers {
            c.layers.encoder = v;
            c.layers.decoder = v;
        }
        if let Some(v) = self.enc_layers {
            c.layers.encoder = v;
        }
        if let Some(v) = self.dec_layers {
            c.layers.decoder = v;
        }
        if let Some(v) = self.seed {
            c.seed = v;
        }
        if let Some(v) = self.norm {
            c.norm = v;
        }
        if let Some(v) = self.positional {
            c.positional = v;
        }
        if self.no_scale {
            c.scale = false;
        }
        if self.embed_scale {
            c.embed_scale = true;
        }
        if let Some(v) = self.mask {
            c.mask = v;
        }
        if let Some(v) = self.tokenizer {
            c.tokenizer = v;
        }
        if let Some(v) = self.max_tokens {
            c.max_tokens = v;
        }
        c
    }

    fn run(&self) -> Result<(Transformer, Trace)> {
        let (config, input) =
            qkv::model::prepare(self.config(), &self.text, self.target.as_deref())?;
        let model = Transformer::new(config);
        let trace = model.forward(&input).context("running the model")?;
        Ok((model, trace))
    }
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Step to print, e.g. `enc.0.attn.weights`, `enc.0.attn.scores[1]`, `embed.sum[0][2]`
    /// (repeatable). Default: the attention weights of every layer.
    #[arg(long = "show", value_name = "NAME[h]")]
    show: Vec<String>,
    /// Digits after the decimal point.
    #[arg(long, default_value_t = 4)]
    precision: usize,
    /// Print every row and column (no eliding of large matrices).
    #[arg(long)]
    full: bool,
    /// List the names of every step instead of printing matrices.
    #[arg(long)]
    list: bool,
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Output file: .npz (numpy) or .json.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

#[derive(Args)]
struct ParamsArgs {
    /// Size preset.
    #[arg(long, default_value = "base")]
    preset: Preset,
    /// Architecture.
    #[arg(long)]
    arch: Option<Arch>,
    /// Shared vocabulary size (the paper's EN-DE model: 37000 byte-pair tokens).
    #[arg(long, default_value_t = 37000)]
    vocab: u64,
}

#[derive(Args)]
struct BenchArgs {
    /// Size preset: tiny, small, base.
    #[arg(long, default_value = "base")]
    preset: Preset,
    /// Architecture: encoder, decoder, encoder-decoder.
    #[arg(long, default_value = "encoder-decoder")]
    arch: Arch,
    /// Source tokens (and target tokens of an encoder-decoder model), generated words.
    #[arg(long, default_value_t = 128)]
    tokens: usize,
    /// Rounds of timing; the forward pass time is their median.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Skip timing the first trace of a fresh process.
    #[arg(long)]
    no_first_trace: bool,
    /// Internal: build the model, run it once and print the times (used by the bench to
    /// time a fresh process).
    #[arg(long, hide = true)]
    probe: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        None => run(RunArgs {
            model: ModelArgs::parse_default(),
            show: vec![],
            precision: 4,
            full: false,
            list: false,
        }),
        Some(Command::Run(a)) => run(a),
        Some(Command::Export(a)) => export(a),
        Some(Command::Params(a)) => params(a),
        Some(Command::Bench(a)) => bench(a),
    }
}

fn bench(a: BenchArgs) -> Result<ExitCode> {
    let probe_exe = if a.no_first_trace || a.probe {
        None
    } else {
        Some(
            std::env::current_exe()
                .context("finding the qkv executable to time a fresh process")?,
        )
    };
    let opts = qkv::bench::Options {
        preset: a.preset,
        arch: a.arch,
        tokens: a.tokens,
        repeat: a.repeat,
        probe_exe,
    };
    if a.probe {
        println!("{}", qkv::bench::probe(&opts)?);
        return Ok(ExitCode::SUCCESS);
    }
    let report = qkv::bench::run(&opts)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", qkv::bench::render(&report));
        println!("\n{}", qkv::bench::table_row(&report));
    }
    Ok(ExitCode::SUCCESS)
}

impl ModelArgs {
    fn parse_default() -> ModelArgs {
        ModelArgs {
            text: DEFAULT_TEXT.to_string(),
            target: None,
            preset: Preset::Tiny,
            arch: None,
            d_model: None,
            heads: None,
            d_ff: None,
            layers: None,
            enc_layers: None,
            dec_layers: None,
            seed: None,
            norm: None,
            positional: None,
            no_scale: false,
            embed_scale: false,
            mask: None,
            tokenizer: None,
            max_tokens: None,
        }
    }
}

fn summary(model: &Transformer, trace: &Trace) -> String {
    let c = model.config();
    let layers = match c.arch {
        Arch::Encoder => format!("{} encoder", c.layers.encoder),
        Arch::Decoder => format!("{} decoder", c.layers.decoder),
        Arch::EncoderDecoder => format!("{}+{}", c.layers.encoder, c.layers.decoder),
    };
    let mut s = format!(
        "{} · d_model {} · heads {} (d_k {}) · d_ff {} · layers {} · {}-LN · PE {} · scale {} · seed {}\n",
        c.arch,
        c.d_model,
        c.heads,
        c.d_k(),
        c.d_ff,
        layers,
        c.norm,
        c.positional,
        if c.scale { "÷√d_k" } else { "off" },
        c.seed
    );
    let t = trace.tokens();
    s.push_str(&format!("source: {}\n", t.source.join(" | ")));
    if let Some(tg) = &t.target {
        s.push_str(&format!("target: {}\n", tg.join(" | ")));
    }
    s
}

fn run(a: RunArgs) -> Result<ExitCode> {
    let (model, trace) = a.model.run()?;
    if a.list {
        for s in trace.steps() {
            println!(
                "{:<32} {}",
                s.name(),
                qkv::model::weights::shape_text(&s.shape())
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let opts = RenderOptions {
        precision: a.precision,
        max_rows: if a.full { None } else { Some(40) },
        max_cols: if a.full { None } else { Some(16) },
    };
    let shows: Vec<String> = if a.show.is_empty() {
        trace
            .names()
            .filter(|n| n.ends_with(".weights"))
            .map(str::to_string)
            .collect()
    } else {
        a.show.clone()
    };
    let mut out = summary(&model, &trace);
    for s in &shows {
        let addr = Address::parse(s).with_context(|| format!("--show {s}"))?;
        let text = render::address(&trace, &addr, &opts).with_context(|| format!("--show {s}"))?;
        out.push('\n');
        out.push_str(&text);
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> Result<ExitCode> {
    let (model, trace) = a.model.run()?;
    let format = qkv::export::write(&model, &trace, &a.output)?;
    let arrays = trace.steps().len() + model.weights().len() + 1;
    eprintln!(
        "wrote {} ({:?}: {} trace steps, {} weights + embed.E, {arrays} arrays)",
        a.output.display(),
        format,
        trace.steps().len(),
        model.weights().len()
    );
    Ok(ExitCode::SUCCESS)
}

fn params(a: ParamsArgs) -> Result<ExitCode> {
    let mut c = Config::preset(a.preset);
    if let Some(arch) = a.arch {
        c.arch = arch;
    }
    let r = qkv::model::params::count(&c, a.vocab);
    println!(
        "parameters of {} ({}, d_model {}, heads {}, d_ff {}, vocabulary {})",
        a.preset, c.arch, c.d_model, c.heads, c.d_ff, a.vocab
    );
    for row in &r.rows {
        println!("  {:>12}  {}", group(row.count), row.component);
        println!("  {:>12}    = {} = {}", "", row.formula, row.arithmetic);
    }
    println!(
        "  {:>12}  total ({:.2}M)",
        group(r.total),
        r.total as f64 / 1e6
    );
    println!(
        "  output projection: tied to embed.E (paper §3.4), 0 extra; positional encoding: fixed sinusoids, 0"
    );
    if a.preset == Preset::Base && c.arch == Arch::EncoderDecoder {
        let paper = 65e6;
        let diff = r.total as f64 - paper;
        println!(
            "  the paper reports 65M for the base model (Table 3): this count is {:.2}M, {:+.2}M ({:+.1}%) from it",
            r.total as f64 / 1e6,
            diff / 1e6,
            100.0 * diff / paper
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// 63045632 → 63,045,632.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
