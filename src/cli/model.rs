//! The model flags every subcommand shares (`--preset`, `--d-model`, …) and how they turn
//! into a scenario's model section.

use crate::*;

#[derive(Args, Clone, Default)]
pub(crate) struct ModelArgs {
    /// Source sentence (encoder input; decoder input of a decoder-only model).
    /// Default: the scenario's, else "나는 학교에 간다".
    #[arg(long)]
    pub(crate) text: Option<String>,
    /// Decoder-side sentence of an encoder-decoder model (`<bos>` is prepended).
    /// Default: `<bos> I go to school` for the default sentence, else `<bos>`.
    #[arg(long)]
    pub(crate) target: Option<String>,
    /// Size preset: tiny (8/2/32, 2+2 layers), small (64/4/256), base (the paper: 512/8/2048,
    /// 6+6). Default: the scenario's model, else tiny.
    #[arg(long)]
    pub(crate) preset: Option<Preset>,
    /// Architecture: encoder, decoder, encoder-decoder.
    #[arg(long)]
    pub(crate) arch: Option<Arch>,
    /// Width of token vectors.
    #[arg(long)]
    pub(crate) d_model: Option<usize>,
    /// Number of attention heads (must divide d_model).
    #[arg(long)]
    pub(crate) heads: Option<usize>,
    /// Width of the FFN hidden layer.
    #[arg(long)]
    pub(crate) d_ff: Option<usize>,
    /// Layers in each stack (1..=12).
    #[arg(long)]
    pub(crate) layers: Option<usize>,
    /// Layers in the encoder stack (overrides --layers).
    #[arg(long)]
    pub(crate) enc_layers: Option<usize>,
    /// Layers in the decoder stack (overrides --layers).
    #[arg(long)]
    pub(crate) dec_layers: Option<usize>,
    /// Seed of every weight and token embedding.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// LayerNorm placement: post (paper) or pre.
    #[arg(long)]
    pub(crate) norm: Option<Norm>,
    /// Positional encoding: sinusoidal or none.
    #[arg(long)]
    pub(crate) positional: Option<Positional>,
    /// Do not divide scores by √d_k.
    #[arg(long)]
    pub(crate) no_scale: bool,
    /// Multiply embeddings by √d_model (paper §3.4; the base preset does).
    #[arg(long, conflicts_with = "no_embed_scale")]
    pub(crate) embed_scale: bool,
    /// Do not multiply embeddings by √d_model (the tiny and small presets do not).
    #[arg(long)]
    pub(crate) no_embed_scale: bool,
    /// Mask of the encoder self-attention: none or causal.
    #[arg(long)]
    pub(crate) mask: Option<MaskKind>,
    /// Mask of the decoder self-attention: causal (default; how a decoder is trained) or
    /// none (for study: the future leaks into the past).
    #[arg(long)]
    pub(crate) dec_mask: Option<MaskKind>,
    /// Tokenizer: whitespace or char.
    #[arg(long)]
    pub(crate) tokenizer: Option<TokenizerKind>,
    /// Longest sentence accepted, in tokens.
    #[arg(long)]
    pub(crate) max_tokens: Option<usize>,
    /// A trained model (.safetensors, from `qkv train`): its sizes, weights and vocabulary.
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
}

impl ModelArgs {
    /// The flags as a model section (only what was given).
    pub(crate) fn spec(&self) -> ModelSpec {
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
    pub(crate) fn apply(&self, base: Config) -> Config {
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

    pub(crate) fn overrides_model(&self) -> bool {
        self.text.is_some()
            || self.target.is_some()
            || self.preset.is_some()
            || self.spec() != ModelSpec::default()
    }

    /// The scenario to run: the file's (with the flags applied to its model and input), or
    /// a new one from the flags alone.
    pub(crate) fn scenario(&self, scenario: Option<&Path>) -> Result<ScenarioFile> {
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

    pub(crate) fn run(&self, scenario: Option<&Path>) -> Result<(ScenarioFile, Runnable)> {
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
