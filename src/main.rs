//! The `qkv` command line: parses arguments, runs one command, maps errors to exit codes.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use qkv::i18n::args::ArgError;
use qkv::model::config::{DEFAULT_TEXT, Preset};
use qkv::model::{Arch, Config};
use qkv::render::{self, RenderOptions};
use qkv::scenario::fields::{FieldKind, MODEL_FIELDS};
use qkv::scenario::schema::{ModelSpec, ScenarioFile};
use qkv::scenario::{self, Runnable, io, new_scenario};
use qkv::session::Session;
use qkv::trace::Address;

/// `println!` that reports write errors instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        emit(&format!("{}\n", format!($($arg)*)))?
    };
}

mod cli;

use cli::bench::*;
use cli::interactive::*;
use cli::model::*;
use cli::study::*;

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
    /// Interface language: `en` (English, the default) or `ko` (한국어). Without it:
    /// QKV_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG) when it starts with `ko`.
    #[arg(long, global = true, value_name = "LANG", value_parser = lang_arg)]
    lang: Option<qkv::i18n::Lang>,
    /// Open the workbench on a Hugging Face model directory: Marian, GPT-2 or BERT (`qkv tui
    /// --hf DIR`).
    #[arg(long, value_name = "DIR")]
    hf: Option<PathBuf>,
}

/// `--lang`: `en` or `ko`.
fn lang_arg(s: &str) -> std::result::Result<qkv::i18n::Lang, String> {
    qkv::i18n::Lang::parse(s, qkv::i18n::LangSource::Flag).map_err(|e| e.to_string())
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
    // Only the model's sizes count: the sentence and the weights' source say nothing here.
    #[command(
        mut_arg("text", |a| a.hide(true)),
        mut_arg("target", |a| a.hide(true)),
        mut_arg("untrained", |a| a.hide(true)),
        mut_arg("checkpoint", |a| a.hide(true))
    )]
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
    // Training always starts from random weights: `--untrained` says nothing there.
    #[command(mut_arg("untrained", |a| a.hide(true)))]
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
    /// Cut a sentence into a Hugging Face model's subword pieces: each piece and its id, with
    /// a Marian model the segmentation's score, with a GPT-2 model and --merges each piece's
    /// bytes and merges, e.g. `qkv tokenize --hf DIR "나는 학교에 간다"`.
    Tokenize(cli::hf::TokenizeArgs),
    /// The logit lens of a decoder: each layer's output read through the final norm and the
    /// output projection, its top next tokens per position, e.g. `qkv lens --checkpoint
    /// scenarios/en-next.safetensors --text "<bos> I go"`.
    Lens(cli::lens::LensArgs),
    /// Fill in the [MASK] of a sentence with a Hugging Face BERT model's masked-language-model
    /// head: the most likely pieces and their probabilities, e.g. `qkv fill --hf DIR "나는
    /// [MASK]에 간다"`.
    Fill(cli::hf::FillArgs),
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
    /// A Hugging Face model directory (Marian, GPT-2 or BERT: config.json, model.safetensors
    /// and its tokenizer files) to study instead of a scenario's model, on --text (and
    /// --target, the reference a Marian decoder reads).
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    hf: Option<PathBuf>,
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
    /// A Hugging Face model directory (Marian, GPT-2 or BERT) whose trace to explain (then
    /// give only the cell).
    #[arg(long, value_name = "DIR")]
    hf: Option<PathBuf>,
    /// The sentence the --hf model runs on.
    #[arg(long, requires = "hf")]
    text: Option<String>,
    /// The reference the --hf model's decoder reads.
    #[arg(long, requires = "hf")]
    target: Option<String>,
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
    /// A Hugging Face model directory (Marian, GPT-2 or BERT: config.json, model.safetensors
    /// and its tokenizer files) to study instead of a scenario's model, on --text (and
    /// --target, the reference a Marian decoder reads).
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    hf: Option<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    /// Scenario files, or directories searched for *.yaml / *.yml.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print only failures and the summary.
    #[arg(long, short)]
    quiet: bool,
    /// Run `training:` checks however long they are predicted to take (by default one
    /// predicted past 2·10¹² floating-point operations, about a minute, is refused).
    #[arg(long)]
    long: bool,
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
    /// Instead of each matrix, each row's K largest values with their column labels (what
    /// a probability or logit row predicts).
    #[arg(long, value_name = "K", value_parser = positive_arg)]
    top: Option<usize>,
    /// List the names of every step instead of printing matrices.
    #[arg(long)]
    list: bool,
    /// Run a Hugging Face model directory (Marian, GPT-2 or BERT: config.json,
    /// model.safetensors and its tokenizer files) on --text (and --target, the reference a
    /// Marian decoder reads) instead of a scenario's model.
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    hf: Option<PathBuf>,
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
    /// Export a Hugging Face model directory's (Marian, GPT-2 or BERT) trace on --text (and
    /// --target) as
    /// JSON, its meta with the token ids fed to the model.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["scenario", "grads"])]
    hf: Option<PathBuf>,
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
    /// A Hugging Face model directory (Marian, GPT-2 or BERT: config.json, model.safetensors
    /// and its tokenizer files) to study instead of a scenario's model, on --text (and
    /// --target, the reference a Marian decoder reads).
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    hf: Option<PathBuf>,
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
    /// The model flags, applied to the base preset (the paper's model).
    #[command(flatten)]
    model: ModelArgs,
    /// Every row of the paper's Table 3 that changes the model's size, the paper's count
    /// beside this one.
    #[arg(long)]
    table3: bool,
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
    /// Also time a training step (forward, backward, Adam) each round, paired with a forward
    /// pass of the same model.
    #[arg(long)]
    train: bool,
    /// Also time each product shape of the pass alone, and what the pass's products would
    /// take at those rates.
    #[arg(long)]
    shapes: bool,
    /// Internal: build the model, run it once and print the times (used by the bench to
    /// time a fresh process).
    #[arg(long, hide = true)]
    probe: bool,
    /// Measure a Hugging Face Marian or GPT-2 model directory instead: loading, the forward pass
    /// with its full trace, greedy and beam decoding in tokens per second, peak memory.
    #[arg(long, value_name = "DIR")]
    hf: Option<PathBuf>,
    /// The sentence the --hf model decodes (default: 나는 학교에 간다).
    #[arg(long, requires = "hf")]
    text: Option<String>,
    /// Beam size of the --hf beam search timed (default: the model's num_beams).
    #[arg(long, value_name = "K", requires = "hf", value_parser = positive_arg)]
    beam: Option<usize>,
}

/// `--precision`: digits after the decimal point, 0 to 12.
fn precision_arg(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(p) if p <= qkv::number::MAX_PRECISION => Ok(p),
        _ => Err(ArgError::Precision {
            value: format!("{s:?}"),
            max: qkv::number::MAX_PRECISION,
        }
        .text(early_lang())),
    }
}

/// A count of at least 1.
fn positive_arg(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ArgError::Positive {
            value: format!("{s:?}"),
        }
        .text(early_lang())),
    }
}

/// A positive finite number (`--step`, `--tolerance`): 0, a negative number, NaN and ±∞
/// are refused (also one too small for `T`, which reads as 0).
fn positive_number_arg<T>(s: &str) -> std::result::Result<T, String>
where
    T: std::str::FromStr + Into<f64> + Copy,
{
    match s.trim().parse::<T>() {
        Ok(x) if x.into() > 0.0 && x.into().is_finite() => Ok(x),
        _ => Err(ArgError::PositiveNumber {
            value: format!("{s:?}"),
        }
        .text(early_lang())),
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

/// The language for the help and clap's errors, found before clap parses: the last
/// `--lang X` / `--lang=X` before a `--`, else QKV_LANG and the locale; English when the
/// value is bad (clap, or `dispatch`, then reports it).
fn early_lang() -> qkv::i18n::Lang {
    let mut flag = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        let a = a.to_string_lossy().into_owned();
        if a == "--" {
            break;
        } else if a == "--lang" {
            flag = args.next().map(|v| v.to_string_lossy().into_owned());
        } else if let Some(v) = a.strip_prefix("--lang=") {
            flag = Some(v.to_string());
        }
    }
    qkv::i18n::Lang::resolve(flag.as_deref(), |name| std::env::var(name).ok()).unwrap_or_default()
}

/// The command line parsed, with the help and clap's errors in Korean when the language is.
fn parse_cli() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    if early_lang() != qkv::i18n::Lang::Ko {
        return Cli::parse();
    }
    let mut cmd = cli::help_ko::korean(Cli::command());
    let parsed = cmd
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m))
        .map_err(|e| e.format(&mut cmd));
    match parsed {
        Ok(cli) => cli,
        Err(e) => match cli::help_ko::error_text(&e) {
            Some(text) => {
                eprint!("{text}");
                std::process::exit(e.exit_code())
            }
            None => e.exit(),
        },
    }
}

fn main() -> ExitCode {
    // Freed memory stays with the process for reuse (see the function: training steps).
    qkv::buffers::keep_freed_memory();
    let cli = parse_cli();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if early_lang() == qkv::i18n::Lang::Ko => {
            eprintln!(
                "{}",
                qkv::util::escape_controls(&cli::help_ko::anyhow_text(&e))
            );
            ExitCode::from(2)
        }
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
    // The flag was checked by clap; QKV_LANG and the locale are read here.
    let lang = qkv::i18n::Lang::resolve(cli.lang.map(qkv::i18n::Lang::code), |name| {
        std::env::var(name).ok()
    })?;
    match cli.command {
        None => tui(
            TuiArgs {
                hf: cli.hf,
                ..TuiArgs::default()
            },
            lang,
        ),
        Some(Command::Run(a)) => run(a, lang),
        Some(Command::Export(a)) => export(a, lang),
        Some(Command::Plot(a)) => plot(a, lang),
        Some(Command::Params(a)) => params(a, lang),
        Some(Command::Check(a)) => check(a, lang),
        Some(Command::Replay(a)) => replay(a, lang),
        Some(Command::Explain(a)) => explain(a, lang),
        Some(Command::Repl(a)) => repl(a, lang),
        Some(Command::Practice(a)) => practice(a, lang),
        Some(Command::Tui(a)) => tui(a, lang),
        Some(Command::Bench(a)) => bench(a),
        Some(Command::Train(a)) => cli::learn::train_cmd(a, lang),
        Some(Command::Translate(a)) => cli::learn::decode_cmd(a, false, lang),
        Some(Command::Tokenize(a)) => cli::hf::tokenize(&a, lang),
        Some(Command::Lens(a)) => cli::lens::lens(&a, lang),
        Some(Command::Fill(a)) => cli::hf::fill(&a, lang),
        Some(Command::Generate(a)) => cli::learn::decode_cmd(a, true, lang),
        Some(Command::Gradcheck(a)) => cli::learn::gradcheck_cmd(a, lang),
        Some(Command::Explore(a)) => explore(a, lang),
    }
}
