//! The model flags every subcommand shares (`--preset`, `--d-model`, …) and how they turn
//! into a scenario's model section.

use crate::*;
use qkv::i18n::Lang;
use qkv::i18n::cli_lines::CliLine;

/// Where the built-in default scenario comes from, as messages name it.
pub(crate) const DEFAULT_ORIGIN: &str = "scenarios/default.yaml (built in)";

/// The input sentences and the model flags. The model flags are not declared here: they are
/// built from the engine's one table of model fields ([`MODEL_FIELDS`]), and what they give is
/// the same [`ModelSpec`] a scenario's `model:` section and `set model.<field>` fill.
#[derive(Clone, Default, Debug)]
pub(crate) struct ModelArgs {
    /// Source sentence (encoder input; decoder input of a decoder-only model).
    pub(crate) text: Option<String>,
    /// Decoder-side sentence of an encoder-decoder model.
    pub(crate) target: Option<String>,
    /// The model flags given (only those).
    pub(crate) spec: ModelSpec,
    /// `--untrained`: random weights instead of the trained default.
    pub(crate) untrained: bool,
}

/// Which model a command runs, as [`ModelArgs::resolve`] chose it: what the first line of
/// the command's output states.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Chosen {
    /// A scenario file named on the command line (its heading says what it is).
    File,
    /// No scenario and no flag the trained model cannot take: the trained model of
    /// scenarios/default.yaml, the one the workbench opens.
    Trained,
    /// `--untrained`: random weights.
    Untrained,
    /// A flag the trained model's weights cannot follow: random weights.
    Reshaped(qkv::model::NeedsNewWeights),
    /// `--checkpoint FILE`.
    Checkpoint(String),
}

impl Chosen {
    /// The line that states it (`None` for a scenario file, whose heading says it).
    pub(crate) fn line(&self, lang: Lang) -> Option<String> {
        let line = match self {
            Chosen::File => return None,
            Chosen::Trained => CliLine::ModelTrained,
            Chosen::Untrained => CliLine::ModelUntrained,
            Chosen::Reshaped(e) => CliLine::ModelReshaped {
                field: e.field.to_string(),
                from: e.from.clone(),
                to: e.to.clone(),
            },
            Chosen::Checkpoint(p) => CliLine::ModelCheckpoint(p.clone()),
        };
        Some(line.text(lang))
    }
}

/// The clap id of a switch's `--no-` flag.
fn off_id(name: &str) -> String {
    format!("no_{name}")
}

impl clap::Args for ModelArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        use clap::{Arg, ArgAction};
        let mut cmd = cmd
            .arg(
                Arg::new("untrained")
                    .long("untrained")
                    .action(ArgAction::SetTrue)
                    .conflicts_with("checkpoint")
                    .help("Random weights (the tiny preset of scenarios/untrained.yaml, with the model flags given) instead of the trained model of scenarios/default.yaml, the default"),
            )
            .arg(
                Arg::new("text")
                    .long("text")
                    .value_name("TEXT")
                    .help("Source sentence (encoder input; decoder input of a decoder-only model). Default: the scenario's, else \"나는 학교에 간다\""),
            )
            .arg(
                Arg::new("target")
                    .long("target")
                    .value_name("TARGET")
                    .help("Decoder-side sentence of an encoder-decoder model (`<bos>` is prepended). Default: `<bos> I go to school` for the default sentence, else `<bos>`"),
            );
        for f in MODEL_FIELDS {
            let flag = f.flag();
            cmd = match f.kind {
                FieldKind::Switch => cmd
                    .arg(
                        Arg::new(f.name)
                            .long(flag.clone())
                            .action(ArgAction::SetTrue)
                            .help(f.help),
                    )
                    .arg(
                        Arg::new(off_id(f.name))
                            .long(format!("no-{flag}"))
                            .action(ArgAction::SetTrue)
                            .conflicts_with(f.name)
                            .help(format!("The opposite of --{flag}")),
                    ),
                FieldKind::Value | FieldKind::Path => cmd.arg(
                    Arg::new(f.name)
                        .long(flag)
                        .value_name(if f.values.contains('|') {
                            f.name.to_ascii_uppercase()
                        } else {
                            f.values.to_string()
                        })
                        .help(if f.values.contains('|') {
                            format!("{} [{}]", f.help, f.values.replace('|', ", "))
                        } else {
                            f.help.to_string()
                        }),
                ),
            };
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for ModelArgs {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut args = ModelArgs::default();
        args.update_from_arg_matches(m)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        if let Some(t) = m.get_one::<String>("text") {
            self.text = Some(t.clone());
        }
        self.untrained |= m.get_flag("untrained");
        if let Some(t) = m.get_one::<String>("target") {
            self.target = Some(t.clone());
        }
        for f in MODEL_FIELDS {
            let value = match f.kind {
                FieldKind::Switch if m.get_flag(f.name) => Some("on".to_string()),
                FieldKind::Switch if m.get_flag(&off_id(f.name)) => Some("off".to_string()),
                FieldKind::Switch => None,
                FieldKind::Value | FieldKind::Path => m.get_one::<String>(f.name).cloned(),
            };
            if let Some(v) = value {
                self.spec.set_field(f.name, &v).map_err(|e| {
                    clap::Error::raw(
                        clap::error::ErrorKind::ValueValidation,
                        format!("invalid value '{v}' for '--{}': {e}", f.flag()),
                    )
                })?;
            }
        }
        Ok(())
    }
}

impl ModelArgs {
    /// `base` with every flag applied on top (a `--preset` resets the sizes and keeps the
    /// scenario's other choices).
    pub(crate) fn apply(&self, base: Config) -> Config {
        scenario::apply_spec(base, &self.spec)
    }

    /// A `--checkpoint` given on the command line (relative to where qkv runs).
    fn checkpoint(&self) -> Option<PathBuf> {
        self.spec.checkpoint.as_ref().map(PathBuf::from)
    }

    /// The flags without `--checkpoint` (which is placed by the caller) and `--preset`.
    fn spec_without_files(&self) -> ModelSpec {
        ModelSpec {
            checkpoint: None,
            preset: None,
            ..self.spec.clone()
        }
    }

    pub(crate) fn overrides_model(&self) -> bool {
        self.text.is_some()
            || self.target.is_some()
            || self.untrained
            || self.spec != ModelSpec::default()
    }

    /// A new scenario of the tiny preset with random weights, the flags and the sentence.
    fn untrained_scenario(&self) -> ScenarioFile {
        let c = self.apply(Config::preset(Preset::Tiny));
        let text = self.text.as_deref().unwrap_or(DEFAULT_TEXT);
        ScenarioFile::Model(new_scenario(&c, text, self.target.as_deref()))
    }

    /// The scenario to run, and which model it is: the one place that decides which model a
    /// command runs: the scenario file's (flags
    /// applied), else `--checkpoint`'s, else `--untrained`'s random weights, else the trained
    /// model of scenarios/default.yaml (what the workbench opens) with the flags it can take
    /// (a flag that changes its shape, such as `--d-model 8`, means random weights).
    #[expect(
        clippy::too_many_lines,
        reason = "the one place that decides which model a command runs: scenario, checkpoint, untrained or the default, each with the flags it takes"
    )]
    pub(crate) fn resolve(&self, scenario: Option<&Path>) -> Result<(ScenarioFile, Chosen)> {
        if self.untrained && scenario.is_some() {
            anyhow::bail!(
                "--untrained replaces the model; a scenario file brings its own (give one or the other)"
            );
        }
        let file = match scenario {
            Some(p) => io::load(p)?.file,
            None if self.untrained => return Ok((self.untrained_scenario(), Chosen::Untrained)),
            None if self.spec.checkpoint.is_some() => {
                if self.spec.preset.is_some() {
                    anyhow::bail!(
                        "--preset cannot change the sizes of a trained model (--checkpoint)"
                    );
                }
                let text = self.text.as_deref().unwrap_or(DEFAULT_TEXT);
                let mut s =
                    new_scenario(&Config::preset(Preset::Tiny), text, self.target.as_deref());
                s.model = self.spec.clone();
                let path = self.spec.checkpoint.clone().unwrap_or_default();
                return Ok((ScenarioFile::Model(s), Chosen::Checkpoint(path)));
            }
            None => {
                let ScenarioFile::Model(mut s) =
                    io::parse(qkv::session::DEFAULT_SCENARIO, DEFAULT_ORIGIN)?
                else {
                    anyhow::bail!("{DEFAULT_ORIGIN} is not a model scenario");
                };
                let name = s.model.checkpoint.clone().unwrap_or_default();
                let trained = scenario::load_checkpoint(&name, None)
                    .map_err(|e| anyhow::anyhow!("{DEFAULT_ORIGIN}: {e}"))?;
                let wanted = self.apply(trained.config().clone());
                if let Some(e) = qkv::model::NeedsNewWeights::between(trained.config(), &wanted) {
                    return Ok((self.untrained_scenario(), Chosen::Reshaped(e)));
                }
                // Only the model and the sentence: the tour, checks and practice are the
                // workbench's, about its own sentence.
                s.title.clear();
                s.title_ko.clear();
                s.description.clear();
                s.description_ko.clear();
                s.steps.clear();
                s.expect.clear();
                s.practice.clear();
                s.decode = None;
                s.model = scenario::merge_spec(&s.model, &self.spec_without_files());
                if let Some(t) = &self.text {
                    scenario::set_text(&mut s, t);
                    s.input.target = None;
                }
                if let Some(t) = &self.target {
                    s.input.target = Some(t.clone());
                }
                return Ok((ScenarioFile::Model(s), Chosen::Trained));
            }
        };
        match file {
            // A Hugging Face model (model.hf): the directory's; only the sentences change.
            ScenarioFile::Model(mut s) if s.model.hf.is_some() => {
                if self.spec != ModelSpec::default() || self.untrained {
                    anyhow::bail!(
                        "{}: its model is a Hugging Face directory (model.hf), read-only with its own config.json; the model flags apply to qkv's own models (--text and --target change the sentences)",
                        scenario
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    );
                }
                if let Some(t) = &self.text {
                    scenario::set_text(&mut s, t);
                }
                if let Some(t) = &self.target {
                    s.input.target = Some(t.clone());
                }
                Ok((ScenarioFile::Model(s), Chosen::File))
            }
            ScenarioFile::Model(mut s) => {
                if s.model.checkpoint.is_some() || self.spec.checkpoint.is_some() {
                    // A trained model: its sizes are the checkpoint's.
                    if self.spec.preset.is_some() {
                        anyhow::bail!(
                            "--preset cannot change the sizes of a trained model (model.checkpoint)"
                        );
                    }
                    if let Some(c) = &self.checkpoint() {
                        // A checkpoint named on the command line is relative to where qkv runs.
                        s.model.checkpoint = Some(std::path::absolute(c)?.display().to_string());
                    }
                    s.model = scenario::merge_spec(&s.model, &self.spec_without_files());
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
                Ok((ScenarioFile::Model(s), Chosen::File))
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
                Ok((ScenarioFile::Attention(a), Chosen::File))
            }
        }
    }

    pub(crate) fn run(&self, scenario: Option<&Path>) -> Result<(ScenarioFile, Runnable)> {
        let (file, _) = self.run_chosen(scenario)?;
        Ok(file)
    }

    /// [`ModelArgs::run`], and which model it ran.
    pub(crate) fn run_chosen(
        &self,
        scenario: Option<&Path>,
    ) -> Result<((ScenarioFile, Runnable), Chosen)> {
        let (file, chosen) = self.resolve(scenario)?;
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
        Ok(((file, runnable), chosen))
    }
}
