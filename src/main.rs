//! The `qkv` command line: parses arguments, runs one command, maps errors to exit codes.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use qkv::model::config::{DEFAULT_TEXT, Preset};
use qkv::model::{Arch, Config, MaskKind, Norm, Positional, TokenizerKind};
use qkv::render::{self, RenderOptions};
use qkv::scenario::schema::{LayersSpec, ModelSpec, ScenarioFile, Word};
use qkv::scenario::{self, Runnable, io, new_scenario};
use qkv::session::Session;
use qkv::trace::Address;

mod cli;

/// `println!` that reports write errors instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        emit(&format!("{}\n", format!($($arg)*)))?
    };
}

/// A terminal workbench for the Transformer of "Attention Is All You Need".
#[derive(Parser)]
#[command(name = "qkv", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Memory budget of a model and its trace, in MiB (default: 1024, or the available
    /// memory when less). A model predicted to need more is refused before it runs.
    #[arg(long, global = true, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1 << 30))]
    memory_budget: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the model on a sentence and print steps as matrices labelled with tokens.
    Run(RunArgs),
    /// Write every trace step and every weight to a .npz or .json file.
    Export(ExportArgs),
    /// Write one matrix as an SVG heatmap (the terminal's colours, token labels, legend, the
    /// selected cell's explanation) or a Markdown, CSV or LaTeX table.
    Plot(PlotArgs),
    /// Count parameters per component, with the formula.
    Params(ParamsArgs),
    /// Verify the expectations of scenario files (files or directories of .yaml files).
    Check(CheckArgs),
    /// Print a scenario's guided tour: each step with its note, formula and matrix.
    Replay(ReplayArgs),
    /// The arithmetic behind one cell, e.g. `qkv explain scenarios/default.yaml enc.0.attn.scores[0][1][2]`.
    Explain(ExplainArgs),
    /// A study shell with the command language (reads commands from stdin when it is not a terminal).
    Repl(ReplArgs),
    /// The interactive workbench (what `qkv` alone opens on a terminal).
    Tui(TuiArgs),
    /// Predict, then reveal: the scenario's practice questions, each graded with the
    /// arithmetic beside your number, then the score (answers from stdin when it is a pipe).
    Practice(PracticeArgs),
    /// Measure the matrix-product rate and the forward pass side by side: GFLOP/s,
    /// efficiency, memory predicted vs measured, time to the first trace.
    Bench(BenchArgs),
    /// Train a model on a parallel corpus (backpropagation + Adam) and save a checkpoint.
    Train(cli::learn::TrainArgs),
    /// Translate a sentence with a trained encoder-decoder, one token at a time.
    Translate(cli::learn::DecodeArgs),
    /// Continue a text with a trained decoder-only model, one token at a time.
    Generate(cli::learn::DecodeArgs),
    /// Compare every weight's gradient with central finite differences.
    Gradcheck(cli::learn::GradcheckArgs),
    /// The explorers as text: `qkv explore pe [positions] [dims] [p=P] [k=K] [i=I]`,
    /// `qkv explore scaling [d_k]`, `qkv explore heads` (the TUI's E, S, H).
    Explore(ExploreArgs),
}

#[derive(Args)]
struct ExploreArgs {
    /// The scenario whose model (d_model, the heads) to explore (default: the built-in
    /// 나는 학교에 간다 scenario, the trained model).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// `pe`, `scaling` or `heads`, then their arguments.
    #[arg(required = true, num_args = 1.., value_name = "WHAT [ARGS]")]
    args: Vec<String>,
}

#[derive(Args, Default)]
struct TuiArgs {
    /// Open this scenario (default: the built-in 나는 학교에 간다 scenario); flags change it.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Start in the Learn view, training an untrained model with the corpus vocabulary.
    #[arg(long)]
    train: bool,
    /// The parallel corpus the Learn view trains on (default: data/ko-en.tsv, built in).
    #[arg(long, value_name = "FILE")]
    corpus: Option<PathBuf>,
}

#[derive(Args)]
struct ExplainArgs {
    /// `[SCENARIO] CELL`: the scenario whose trace to explain (default: the built-in
    /// 나는 학교에 간다 scenario) and the cell, `name[h][i][j]` for per-head steps,
    /// `name[i][j]` otherwise.
    #[arg(required = true, num_args = 1..=2, value_name = "[SCENARIO] CELL")]
    args: Vec<String>,
    /// Digits after the decimal point (0 to 12).
    #[arg(long, default_value_t = 4, value_parser = precision_arg)]
    precision: usize,
    /// Terms of a long sum shown before eliding the middle.
    #[arg(long, default_value_t = 8)]
    max_terms: usize,
}

#[derive(Args)]
struct PracticeArgs {
    /// The scenario whose `practice:` questions to ask (without any: a random cell).
    scenario: PathBuf,
    /// Digits after the decimal point (0 to 12).
    #[arg(long, value_parser = precision_arg)]
    precision: Option<usize>,
}

#[derive(Args)]
struct ReplArgs {
    /// Start from this scenario (default: the built-in 나는 학교에 간다 scenario); flags
    /// change it.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Print each command before its output (when reading commands from stdin).
    #[arg(long)]
    echo: bool,
    /// Go on after a failed command (when reading commands from stdin).
    #[arg(long)]
    keep_going: bool,
    /// Digits after the decimal point (0 to 12).
    #[arg(long, value_parser = precision_arg)]
    precision: Option<usize>,
}

#[derive(Args)]
struct CheckArgs {
    /// Scenario files, or directories searched for *.yaml / *.yml.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print only failures and the summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct ReplayArgs {
    /// The scenario whose `steps` to replay.
    scenario: PathBuf,
    /// Show only step K (1-based).
    #[arg(long, value_name = "K")]
    step: Option<usize>,
    /// Digits after the decimal point (0 to 12).
    #[arg(long, default_value_t = 4, value_parser = precision_arg)]
    precision: usize,
}

#[derive(Args, Clone, Default)]
struct ModelArgs {
    /// Source sentence (encoder input; decoder input of a decoder-only model).
    /// Default: the scenario's, else "나는 학교에 간다".
    #[arg(long)]
    text: Option<String>,
    /// Decoder-side sentence of an encoder-decoder model (`<bos>` is prepended).
    /// Default: `<bos> I go to school` for the default sentence, else `<bos>`.
    #[arg(long)]
    target: Option<String>,
    /// Size preset: tiny (8/2/32, 2+2 layers), small (64/4/256), base (the paper: 512/8/2048,
    /// 6+6). Default: the scenario's model, else tiny.
    #[arg(long)]
    preset: Option<Preset>,
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
    /// Multiply embeddings by √d_model (paper §3.4; the base preset does).
    #[arg(long, conflicts_with = "no_embed_scale")]
    embed_scale: bool,
    /// Do not multiply embeddings by √d_model (the tiny and small presets do not).
    #[arg(long)]
    no_embed_scale: bool,
    /// Mask of the encoder self-attention: none or causal.
    #[arg(long)]
    mask: Option<MaskKind>,
    /// Mask of the decoder self-attention: causal (default; how a decoder is trained) or
    /// none (for study: the future leaks into the past).
    #[arg(long)]
    dec_mask: Option<MaskKind>,
    /// Tokenizer: whitespace or char.
    #[arg(long)]
    tokenizer: Option<TokenizerKind>,
    /// Longest sentence accepted, in tokens.
    #[arg(long)]
    max_tokens: Option<usize>,
    /// A trained model (.safetensors, from `qkv train`): its sizes, weights and vocabulary.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
}

impl ModelArgs {
    /// The flags as a model section (only what was given).
    fn spec(&self) -> ModelSpec {
        let layers = match (self.layers, self.enc_layers, self.dec_layers) {
            (None, None, None) => None,
            (Some(n), None, None) => Some(LayersSpec::Both(n)),
            (n, e, d) => Some(LayersSpec::Each {
                encoder: e.or(n),
                decoder: d.or(n),
            }),
        };
        ModelSpec {
            checkpoint: self.checkpoint.as_ref().map(|p| p.display().to_string()),
            preset: None,
            arch: self.arch.map(Word),
            d_model: self.d_model,
            heads: self.heads,
            d_ff: self.d_ff,
            layers,
            norm: self.norm.map(Word),
            positional: self.positional.map(Word),
            scale: self.no_scale.then_some(false),
            embed_scale: if self.no_embed_scale {
                Some(false)
            } else {
                self.embed_scale.then_some(true)
            },
            mask: self.mask.map(Word),
            dec_mask: self.dec_mask.map(Word),
            eps: None,
            seed: self.seed,
            max_tokens: self.max_tokens,
            tokenizer: self.tokenizer.map(Word),
        }
    }

    /// `base` with every flag applied on top.
    fn apply(&self, base: Config) -> Config {
        let c = match self.preset {
            Some(p) => {
                // A preset flag resets the sizes but keeps the scenario's other choices.
                let sizes = Config::preset(p);
                Config {
                    d_model: sizes.d_model,
                    heads: sizes.heads,
                    d_ff: sizes.d_ff,
                    layers: sizes.layers,
                    embed_scale: sizes.embed_scale,
                    ..base
                }
            }
            None => base,
        };
        scenario::apply_spec(c, &self.spec())
    }

    fn overrides_model(&self) -> bool {
        self.text.is_some()
            || self.target.is_some()
            || self.preset.is_some()
            || self.spec() != ModelSpec::default()
    }

    /// The scenario to run: the file's (with the flags applied to its model and input), or
    /// a new one from the flags alone.
    fn scenario(&self, scenario: Option<&Path>) -> Result<ScenarioFile> {
        let file = match scenario {
            Some(p) => io::load(p)?.file,
            None if self.checkpoint.is_some() => {
                if self.preset.is_some() {
                    anyhow::bail!(
                        "--preset cannot change the sizes of a trained model (--checkpoint)"
                    );
                }
                let text = self.text.as_deref().unwrap_or(DEFAULT_TEXT);
                let mut s =
                    new_scenario(&Config::preset(Preset::Tiny), text, self.target.as_deref());
                s.model = self.spec();
                return Ok(ScenarioFile::Model(s));
            }
            None => {
                let c = self.apply(Config::preset(Preset::Tiny));
                let text = self.text.as_deref().unwrap_or(DEFAULT_TEXT);
                return Ok(ScenarioFile::Model(new_scenario(
                    &c,
                    text,
                    self.target.as_deref(),
                )));
            }
        };
        match file {
            ScenarioFile::Model(mut s) => {
                if s.model.checkpoint.is_some() || self.checkpoint.is_some() {
                    // A trained model: its sizes are the checkpoint's.
                    if self.preset.is_some() {
                        anyhow::bail!(
                            "--preset cannot change the sizes of a trained model (model.checkpoint)"
                        );
                    }
                    if let Some(c) = &self.checkpoint {
                        // A checkpoint named on the command line is relative to where qkv runs.
                        s.model.checkpoint = Some(std::path::absolute(c)?.display().to_string());
                    }
                    s.model = scenario::merge_spec(&s.model, &self.spec());
                } else {
                    let c = self.apply(scenario::config_of(&s.model));
                    s.model = scenario::spec_of(&c);
                }
                if let Some(t) = &self.text {
                    scenario::set_text(&mut s, t);
                    s.input.target = None;
                }
                if let Some(t) = &self.target {
                    s.input.target = Some(t.clone());
                }
                if self.overrides_model()
                    && let Some(note) = scenario::drop_unfitting(&mut s)
                {
                    eprintln!(
                        "note: {note} ({})",
                        scenario
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    );
                }
                Ok(ScenarioFile::Model(s))
            }
            ScenarioFile::Attention(a) => {
                if self.overrides_model() {
                    anyhow::bail!(
                        "{} is an attention hand-check (kind: attention): it has no model or sentence to change",
                        scenario
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    );
                }
                Ok(ScenarioFile::Attention(a))
            }
        }
    }

    fn run(&self, scenario: Option<&Path>) -> Result<(ScenarioFile, Runnable)> {
        let file = self.scenario(scenario)?;
        let runnable = scenario::build_file(&file).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "{}",
                if lines.len() == 1 {
                    format!("invalid model: {}", lines[0])
                } else {
                    format!(
                        "invalid model ({} problems):\n  - {}",
                        lines.len(),
                        lines.join("\n  - ")
                    )
                }
            )
        })?;
        Ok((file, runnable))
    }
}

#[derive(Args)]
struct RunArgs {
    /// A scenario file to run (its model, sentence and overrides); flags change them.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Step to print, e.g. `enc.0.attn.weights`, `enc.0.attn.scores[1]`, `embed.sum[0][2]`
    /// (repeatable). Default: the attention weights of every layer.
    #[arg(long = "show", value_name = "NAME[h]")]
    show: Vec<String>,
    /// Digits after the decimal point (0 to 12).
    #[arg(long, default_value_t = 4, value_parser = precision_arg)]
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
    /// A scenario file to export (its model, sentence and overrides); flags change them.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Output file: .npz (numpy) or .json.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Also write the loss, its targets and the gradient of every step and weight
    /// (`grad.<name>`), for checking with PyTorch autograd.
    #[arg(long)]
    grads: bool,
    /// Label smoothing ε of the exported loss (with --grads).
    #[arg(long, default_value_t = 0.0)]
    label_smoothing: f32,
    /// Write the file even when it would be larger than 100 MB.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct PlotArgs {
    /// A scenario file (its model, sentence and overrides); flags change them. Default: the
    /// built-in 나는 학교에 간다 scenario.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// The matrix: `name` (head 0 of a per-head step) or `name[h]`, e.g.
    /// `enc.0.attn.weights[1]`; `qkv run --list` lists the names.
    #[arg(long = "show", value_name = "NAME[h]", required = true)]
    show: String,
    /// Output file (`-` or none: standard output). Its extension gives the format.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// svg, md, csv or tex (default: from the file's extension; md on standard output).
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Select cell ROW,COL: it is outlined and its arithmetic is shown beside the matrix.
    #[arg(long, value_name = "R,C")]
    cell: Option<String>,
    /// Digits after the decimal point (0 to 12).
    #[arg(long, default_value_t = 4, value_parser = precision_arg)]
    precision: usize,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// `939 MB`, `12.3 kB`.
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.0} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
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
    #[arg(long, default_value_t = 37000, value_parser = clap::value_parser!(u64).range(1..))]
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
    #[arg(long, default_value_t = 128, value_parser = positive_arg)]
    tokens: usize,
    /// Rounds of timing; the forward pass time is their median.
    #[arg(long, default_value_t = 5, value_parser = positive_arg)]
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

/// `--precision`: digits after the decimal point, 0 to 12.
fn precision_arg(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(p) if p <= 12 => Ok(p),
        _ => Err(format!("{s:?} is not a number of digits from 0 to 12")),
    }
}

/// A count of at least 1.
fn positive_arg(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?} is not a whole number of at least 1")),
    }
}

/// Writes `s` to stdout; a closed pipe (`qkv run | head`) ends the command quietly.
fn emit(s: &str) -> Result<()> {
    let mut o = std::io::stdout().lock();
    // Titles, notes and names come from files: never pass their control characters on.
    o.write_all(qkv::util::escape_controls(s).as_bytes())?;
    o.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", qkv::util::escape_controls(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    if let Some(mib) = cli.memory_budget {
        qkv::limits::set_memory_budget(mib << 20);
    }
    match cli.command {
        None => tui(TuiArgs::default()),
        Some(Command::Run(a)) => run(a),
        Some(Command::Export(a)) => export(a),
        Some(Command::Plot(a)) => plot(a),
        Some(Command::Params(a)) => params(a),
        Some(Command::Check(a)) => check(a),
        Some(Command::Replay(a)) => replay(a),
        Some(Command::Explain(a)) => explain(a),
        Some(Command::Repl(a)) => repl(a),
        Some(Command::Practice(a)) => practice(a),
        Some(Command::Tui(a)) => tui(a),
        Some(Command::Bench(a)) => bench(a),
        Some(Command::Train(a)) => cli::learn::train_cmd(a),
        Some(Command::Translate(a)) => cli::learn::decode_cmd(a, false),
        Some(Command::Generate(a)) => cli::learn::decode_cmd(a, true),
        Some(Command::Gradcheck(a)) => cli::learn::gradcheck_cmd(a),
        Some(Command::Explore(a)) => explore(a),
    }
}

fn explore(a: ExploreArgs) -> Result<ExitCode> {
    let mut s = match &a.scenario {
        Some(p) => Session::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        None => Session::default_scenario()?,
    };
    let line = format!("explore {}", a.args.join(" "));
    let out = s.apply_line(&line)?;
    emit(&out.text)?;
    Ok(ExitCode::SUCCESS)
}

/// What `qkv` says when there is no terminal to open the workbench on.
const NO_TERMINAL: &str = "\
qkv: the workbench needs a terminal, and stdin or stdout is not one.
  qkv run                  prints the attention weights of the default sentence
  qkv run --text \"...\"     the same for your sentence (qkv run --help for the flags)
  qkv repl < commands.txt  runs study commands from a file or a pipe
  qkv --help               lists every command";

fn tui(a: TuiArgs) -> Result<ExitCode> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("{NO_TERMINAL}");
        return Ok(ExitCode::from(2));
    }
    let mut session = session_for(a.scenario.as_deref(), &a.model)?;
    if let Some(c) = &a.corpus {
        session
            .apply(qkv::command::Command::Learn(
                qkv::command::LearnCommand::Corpus(c.clone()),
            ))
            .with_context(|| format!("cannot train on {}", c.display()))?;
    }
    qkv::tui::run_in(session, a.train).context("the terminal failed")?;
    Ok(ExitCode::SUCCESS)
}

fn summary(file: &ScenarioFile, runnable: &Runnable) -> String {
    let mut s = String::new();
    if !file.title().is_empty() {
        s.push_str(&format!("{}\n", file.title()));
    }
    let trace = runnable.trace();
    let Some(model) = runnable.model() else {
        s.push_str("attention hand-check: q · kᵀ, ÷ √d_k, mask, softmax, · v\n");
        return s;
    };
    let c = model.config();
    s.push_str(&format!("{}\n{}\n", c.summary(), model.provenance()));
    let t = trace.tokens();
    s.push_str(&format!("source: {}\n", t.source.join(" | ")));
    if let Some(tg) = &t.target {
        s.push_str(&format!("target: {}\n", tg.join(" | ")));
    }
    s
}

fn run(a: RunArgs) -> Result<ExitCode> {
    let (file, runnable) = a.model.run(a.scenario.as_deref())?;
    let trace = runnable.trace();
    if a.list {
        for s in trace.steps() {
            outln!(
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
            .filter(|n| n.ends_with("weights"))
            .map(str::to_string)
            .collect()
    } else {
        a.show.clone()
    };
    let mut out = summary(&file, &runnable);
    for s in &shows {
        let addr = Address::parse(s).with_context(|| format!("--show {s}"))?;
        let text = render::address(trace, &addr, &opts).with_context(|| format!("--show {s}"))?;
        out.push('\n');
        out.push_str(&text);
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> Result<ExitCode> {
    let (_, runnable) = a.model.run(a.scenario.as_deref())?;
    let (Some(model), trace) = (runnable.model(), runnable.trace()) else {
        anyhow::bail!("an attention hand-check has no model to export: `qkv run` prints its steps");
    };
    let format = qkv::export::Format::from_path(&a.output)?;
    // Gradients double what is written.
    let predicted =
        qkv::export::predicted_bytes(model, trace, format) * if a.grads { 2 } else { 1 };
    if predicted > qkv::export::LARGE_EXPORT_BYTES && !a.force {
        let npz = qkv::export::predicted_bytes(model, trace, qkv::export::Format::Npz);
        anyhow::bail!(
            "{} would be about {} ({} numbers as {format}); nothing was written. Add --force to write it{}",
            a.output.display(),
            size_text(predicted),
            qkv::export::value_count(model, trace),
            if format == qkv::export::Format::Json {
                format!(", or export to .npz (about {})", size_text(npz))
            } else {
                String::new()
            }
        );
    }
    let grads = if a.grads {
        Some(qkv::learn::backward(model, trace, a.label_smoothing).context("the gradients")?)
    } else {
        None
    };
    let format = qkv::export::write_with(model, trace, grads.as_ref(), &a.output)?;
    let weights = model
        .weights()
        .iter()
        .filter(|(n, _)| *n != qkv::model::weights::EMBEDDING)
        .count();
    let mut arrays = trace.steps().len() + weights + 1;
    if let Some(g) = &grads {
        arrays += 2 + g.trace.steps().len() + g.weights.len();
    }
    eprintln!(
        "wrote {} ({}: {} trace steps, {} weights + embed.E{}, {arrays} arrays)",
        a.output.display(),
        format,
        trace.steps().len(),
        weights,
        match &grads {
            Some(g) => format!(
                ", loss {:.6} over {} predicted tokens and every gradient",
                g.loss.value,
                g.loss.predicted()
            ),
            None => String::new(),
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn plot(a: PlotArgs) -> Result<ExitCode> {
    use qkv::plot::{self, PlotFormat};
    let to_stdout = a.output.as_deref().is_none_or(|p| p == Path::new("-"));
    // Everything is checked before the model runs and before anything is written.
    let format = match (&a.format, &a.output) {
        (Some(f), _) => PlotFormat::from_name(f)?,
        (None, Some(p)) if !to_stdout => PlotFormat::from_path(p)?,
        (None, _) => PlotFormat::Markdown,
    };
    let mut addr = Address::parse(&a.show).with_context(|| format!("--show {}", a.show))?;
    let cell = match &a.cell {
        None => None,
        Some(c) => {
            let parsed = c
                .split_once(',')
                .and_then(|(r, c)| Some((r.trim().parse().ok()?, c.trim().parse().ok()?)));
            Some(parsed.with_context(|| {
                format!("--cell {c:?}: give the row and column as R,C, e.g. --cell 1,2")
            })?)
        }
    };
    // The scenario the workbench opens (the built-in one by default), so that the picture
    // shows what `qkv` shows.
    let session = session_for(a.scenario.as_deref(), &a.model)?;
    let trace = session.trace();
    let step = trace
        .step(&addr.name)
        .with_context(|| format!("--show {}", a.show))?;
    if let Some((r, c)) = cell {
        match (step.heads(), addr.indices.len()) {
            (Some(_), 0) => addr.indices = vec![0, r, c],
            (Some(_), 1) | (None, 0) => addr.indices.extend([r, c]),
            _ => anyhow::bail!(
                "--show {} names more than a matrix: give `name` or `name[h]` with --cell",
                a.show
            ),
        }
    }
    let p = plot::of_address(session.model(), trace, &addr, a.precision, None)
        .with_context(|| format!("--show {}", a.show))?;
    let text = p.render(format);
    if to_stdout {
        let mut o = std::io::stdout().lock();
        o.write_all(text.as_bytes())?;
        o.flush()?;
    } else if let Some(path) = &a.output {
        plot::write_file(path, &text, a.force)?;
        let (r, c) = p.dims();
        eprintln!(
            "wrote {} ({format}: {}, {r} × {c}{})",
            path.display(),
            p.name,
            p.selected
                .map(|(i, j)| format!(", cell [{i}][{j}] selected"))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn params(a: ParamsArgs) -> Result<ExitCode> {
    let mut c = Config::preset(a.preset);
    if let Some(arch) = a.arch {
        c.arch = arch;
    }
    let r = qkv::model::params::count(&c, a.vocab);
    outln!(
        "parameters of {} ({}, d_model {}, heads {}, d_ff {}, vocabulary {})",
        a.preset,
        c.arch,
        c.d_model,
        c.heads,
        c.d_ff,
        a.vocab
    );
    for row in &r.rows {
        outln!("  {:>12}  {}", group(row.count), row.component);
        outln!("  {:>12}    = {} = {}", "", row.formula, row.arithmetic);
    }
    outln!(
        "  {:>12}  total ({:.2}M)",
        group(r.total),
        r.total as f64 / 1e6
    );
    outln!(
        "  output projection: tied to embed.E (paper §3.4), 0 extra; positional encoding: fixed sinusoids, 0"
    );
    if a.preset == Preset::Base && c.arch == Arch::EncoderDecoder {
        let paper = 65e6;
        let diff = r.total as f64 - paper;
        outln!(
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

/// The scenario files under `paths`: files as given, directories searched recursively for
/// `.yaml`/`.yml`, sorted. Each real directory is searched once (by its path with links
/// resolved): a link back to a directory already searched is reported and skipped, so a
/// directory of links to itself cannot make the search grow without end.
fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(
        dir: &Path,
        seen: &mut std::collections::HashSet<PathBuf>,
        out: &mut Vec<PathBuf>,
    ) -> Result<()> {
        let real = std::fs::canonicalize(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?;
        if !seen.insert(real.clone()) {
            eprintln!(
                "NOTE  {}: skipped, it is {} again (a link loop or a second link to it)",
                qkv::util::escape_controls(&dir.display().to_string()),
                qkv::util::escape_controls(&real.display().to_string())
            );
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, seen, out)?;
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut seen, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            anyhow::bail!("{}: no such file or directory", p.display());
        }
    }
    if out.is_empty() {
        anyhow::bail!(
            "no .yaml scenario files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(out)
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let files = scenario_files(&a.paths)?;
    let (mut passed, mut failed, mut broken) = (0, 0, 0);
    for f in &files {
        let loaded = match io::load(f) {
            Ok(l) => l,
            Err(e) => {
                broken += 1;
                eprintln!("ERROR  {}", qkv::util::escape_controls(&e.to_string()));
                continue;
            }
        };
        let report = match (&loaded.file, &loaded.runnable) {
            (ScenarioFile::Model(s), r) => {
                let mut report = qkv::scenario::check::check_model(r.trace(), s);
                if let Some(m) = r.model() {
                    report
                        .results
                        .extend(qkv::scenario::learned::run_checks(s, m));
                }
                report
            }
            (ScenarioFile::Attention(att), r) => {
                qkv::scenario::check::check_attention(r.trace(), att)
            }
        };
        if report.results.is_empty() && !a.quiet {
            outln!("NOTE  {}: no expectations to check", f.display());
        }
        for r in &report.results {
            if !a.quiet || !r.passed {
                emit(&format!(
                    "{}\n",
                    r.line().replacen("  ", &format!("  {}  ", f.display()), 1)
                ))?;
            }
        }
        passed += report.passed();
        failed += report.failed();
    }
    let mut summary = format!("{passed} passed, {failed} failed");
    if broken > 0 {
        summary.push_str(&format!(", {broken} scenario file(s) could not be loaded"));
    }
    outln!("{summary}");
    Ok(if broken > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn replay(a: ReplayArgs) -> Result<ExitCode> {
    use qkv::command::Command as C;
    let mut s = Session::open(&a.scenario)?;
    s.apply(C::SetPrecision(a.precision))?;
    let first = s
        .apply(C::Replay(None))
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.scenario.display()))?;
    let stops = s.tour().map_or(0, |t| t.steps.len());
    // The REPL's hint about Enter does not apply here.
    let strip = |t: &str| -> String {
        t.lines()
            .filter(|l| !l.starts_with("(Enter or `next`"))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    match a.step {
        None => {
            let mut out = strip(&first.text);
            for _ in 1..stops {
                out.push('\n');
                out.push_str(&s.apply(C::Next)?.text);
            }
            emit(&out)?;
        }
        Some(k) if (1..=stops).contains(&k) => {
            let mut last = first;
            for _ in 1..k {
                last = s.apply(C::Next)?;
            }
            let text = last.text;
            // Only the stop itself, without the scenario's title and description.
            let from = text.find("── stop").unwrap_or(0);
            emit(&text[from..])?;
        }
        Some(k) => anyhow::bail!(
            "--step {k}: the tour has stops {}",
            qkv::util::range_text(1, stops)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(a: ExplainArgs) -> Result<ExitCode> {
    let (runnable, cell) = match a.args.as_slice() {
        [cell] => (
            io::parse_and_build(
                qkv::session::DEFAULT_SCENARIO,
                "scenarios/default.yaml (built in)",
            )?
            .1,
            cell,
        ),
        [scenario, cell] => (io::load(Path::new(scenario))?.runnable, cell),
        _ => anyhow::bail!("give the cell, optionally after a scenario file"),
    };
    let opts = qkv::explain::ExplainOptions {
        precision: a.precision,
        max_terms: a.max_terms,
    };
    let trace = runnable.trace();
    let e = if cell.starts_with("grad.") && trace.get(cell).is_none() {
        // A gradient cell: the backward arithmetic (the loss without label smoothing).
        let Some(model) = runnable.model() else {
            anyhow::bail!("an attention hand-check has no loss, so no gradients");
        };
        let addr = Address::parse(cell)?;
        let grads = qkv::learn::backward(model, trace, 0.0).context("the gradients")?;
        qkv::learn::explain::explain_gradient(model, trace, &grads, &addr, &opts)?
    } else {
        qkv::explain::explain_str(runnable.model(), trace, cell, &opts)?
    };
    emit(&e.to_text())?;
    Ok(ExitCode::SUCCESS)
}

/// The session `tui` and `repl` start on: the scenario (or the built-in one), with the
/// model flags applied as `run` applies them.
fn session_for(path: Option<&Path>, model: &ModelArgs) -> Result<Session> {
    if model.overrides_model() {
        let (file, runnable) = model.run(path)?;
        return Ok(Session::from_runnable(file, runnable));
    }
    Ok(match path {
        Some(p) => Session::open(p)?,
        None => Session::default_scenario()?,
    })
}

fn repl(a: ReplArgs) -> Result<ExitCode> {
    use std::io::IsTerminal;
    let mut session = session_for(a.scenario.as_deref(), &a.model)?;
    if let Some(p) = a.precision {
        session.apply(qkv::command::Command::SetPrecision(p))?;
    }
    let code = if std::io::stdin().is_terminal() {
        qkv::repl::interactive(session)?
    } else {
        let opts = qkv::repl::Options {
            echo: a.echo,
            keep_going: a.keep_going,
        };
        qkv::repl::script(session, std::io::stdin().lock(), &opts)?
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

fn practice(a: PracticeArgs) -> Result<ExitCode> {
    use std::io::IsTerminal;
    let mut session =
        Session::open(&a.scenario).with_context(|| format!("opening {}", a.scenario.display()))?;
    if let Some(p) = a.precision {
        session.apply(qkv::command::Command::SetPrecision(p))?;
    }
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let code = qkv::repl::practice(session, terminal, stdin.lock())?;
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
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
        outln!("{}", qkv::bench::probe(&opts)?);
        return Ok(ExitCode::SUCCESS);
    }
    let report = qkv::bench::run(&opts)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        emit(&qkv::bench::render(&report))?;
        outln!("\n{}", qkv::bench::table_row(&report));
    }
    Ok(ExitCode::SUCCESS)
}
