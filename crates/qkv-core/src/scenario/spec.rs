//! The model section applied: a ModelSpec onto a Config (presets, layers), a Config back to a spec, two specs merged, the checkpoint a section names, and a new scenario made from a Config and a sentence.

use super::*;

/// The configuration a model section describes (fields override the preset, `tiny` by
/// default).
pub fn config_of(spec: &ModelSpec) -> Config {
    apply_spec(
        Config::preset(spec.preset.map_or(Preset::Tiny, |w| w.0)),
        spec,
    )
}

/// `base` with every field the section sets (its `preset` is not applied here).
pub fn apply_spec(mut c: Config, spec: &ModelSpec) -> Config {
    // A preset resets the sizes (and the embedding scaling that goes with them) and keeps
    // the other choices; the fields below then apply on top.
    if let Some(Word(p)) = spec.preset {
        let sizes = Config::preset(p);
        c.d_model = sizes.d_model;
        c.heads = sizes.heads;
        c.d_ff = sizes.d_ff;
        c.layers = sizes.layers;
        c.embed_scale = sizes.embed_scale;
    }
    if let Some(Word(v)) = spec.arch {
        c.arch = v;
    }
    if let Some(v) = spec.d_model {
        c.d_model = v;
    }
    if let Some(v) = spec.heads {
        c.heads = v;
    }
    if let Some(v) = spec.d_ff {
        c.d_ff = v;
    }
    match spec.layers {
        Some(LayersSpec::Both(n)) => {
            c.layers = Layers {
                encoder: n,
                decoder: n,
            }
        }
        Some(LayersSpec::Each { encoder, decoder }) => {
            c.layers.encoder = encoder.unwrap_or(c.layers.encoder);
            c.layers.decoder = decoder.unwrap_or(c.layers.decoder);
        }
        None => {}
    }
    if let Some(Word(v)) = spec.norm {
        c.norm = v;
    }
    if let Some(Word(v)) = spec.positional {
        c.positional = v;
    }
    if let Some(v) = spec.scale {
        c.scale = v;
    }
    if let Some(v) = spec.embed_scale {
        c.embed_scale = v;
    }
    if let Some(Word(v)) = spec.mask {
        c.mask = v;
    }
    if let Some(Word(v)) = spec.dec_mask {
        c.dec_mask = v;
    }
    if let Some(v) = spec.eps {
        c.eps = v as f32;
    }
    if let Some(v) = spec.seed {
        c.seed = v;
    }
    if let Some(v) = spec.max_tokens {
        c.max_tokens = v;
    }
    if let Some(Word(v)) = spec.tokenizer {
        c.tokenizer = v;
    }
    c
}

/// A model section that states every field of `config` explicitly.
pub fn spec_of(c: &Config) -> ModelSpec {
    ModelSpec {
        checkpoint: None,
        hf: None,
        preset: None,
        arch: Some(Word(c.arch)),
        d_model: Some(c.d_model),
        heads: Some(c.heads),
        d_ff: Some(c.d_ff),
        layers: Some(if c.layers.encoder == c.layers.decoder {
            LayersSpec::Both(c.layers.encoder)
        } else {
            LayersSpec::Each {
                encoder: Some(c.layers.encoder),
                decoder: Some(c.layers.decoder),
            }
        }),
        norm: Some(Word(c.norm)),
        positional: Some(Word(c.positional)),
        scale: Some(c.scale),
        embed_scale: Some(c.embed_scale),
        mask: Some(Word(c.mask)),
        // Written only when switched off, so that ordinary scenarios keep their layout.
        dec_mask: (c.dec_mask != MaskKind::Causal).then_some(Word(c.dec_mask)),
        eps: Some(c.eps.to_string().parse().unwrap_or(f64::from(c.eps))),
        seed: Some(c.seed),
        max_tokens: Some(c.max_tokens),
        tokenizer: Some(Word(c.tokenizer)),
    }
}

/// `base` with every field `over` sets put on top.
pub fn merge_spec(base: &ModelSpec, over: &ModelSpec) -> ModelSpec {
    ModelSpec {
        checkpoint: over.checkpoint.clone().or_else(|| base.checkpoint.clone()),
        hf: over.hf.clone().or_else(|| base.hf.clone()),
        preset: over.preset.or(base.preset),
        arch: over.arch.or(base.arch),
        d_model: over.d_model.or(base.d_model),
        heads: over.heads.or(base.heads),
        d_ff: over.d_ff.or(base.d_ff),
        layers: over.layers.or(base.layers),
        norm: over.norm.or(base.norm),
        positional: over.positional.or(base.positional),
        scale: over.scale.or(base.scale),
        embed_scale: over.embed_scale.or(base.embed_scale),
        mask: over.mask.or(base.mask),
        dec_mask: over.dec_mask.or(base.dec_mask),
        eps: over.eps.or(base.eps),
        seed: over.seed.or(base.seed),
        max_tokens: over.max_tokens.or(base.max_tokens),
        tokenizer: over.tokenizer.or(base.tokenizer),
    }
}

/// Puts `text` in place of the scenario's sentence. A recorded decoding keeps the sentence
/// it was recorded on (it names it, when it did not already).
pub fn set_text(s: &mut Scenario, text: &str) {
    if let Some(d) = &mut s.decode
        && d.text.is_none()
    {
        d.text = Some(s.input.text.clone());
    }
    s.input.text = text.to_string();
}

/// A new scenario for `config` and `input` with no overrides, tour or checks.
pub fn new_scenario(config: &Config, text: &str, target: Option<&str>) -> Scenario {
    Scenario {
        version: VERSION,
        kind: schema::Kind::Model,
        title: String::new(),
        title_ko: String::new(),
        description: String::new(),
        description_ko: String::new(),
        model: spec_of(config),
        input: InputSpec {
            text: text.to_string(),
            target: target.map(str::to_string),
        },
        embeddings: OrderedMap::default(),
        weights: OrderedMap::default(),
        steps: Vec::new(),
        expect: Vec::new(),
        practice: Vec::new(),
        decode: None,
        training: None,
        base_dir: schema::BaseDir::default(),
    }
}

/// The trained model `model.checkpoint` names: `name` is relative to `base` (the scenario
/// file's directory). The shipped checkpoint's name, `ko-en.safetensors`, is built in: where
/// no such file is at hand, the copy in the binary is read (the same bytes).
pub fn load_checkpoint(name: &str, base: Option<&Path>) -> Result<Transformer, String> {
    load_checkpoint_in(name, base, None)
}

/// [`load_checkpoint`], counting the bytes read in `control` and stopping when it asks.
pub(crate) fn load_checkpoint_in(
    name: &str,
    base: Option<&Path>,
    control: Option<&crate::model::Control>,
) -> Result<Transformer, String> {
    let p = Path::new(name);
    let full = match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p.to_path_buf(),
    };
    if name == crate::learn::checkpoint::SHIPPED_NAME && !full.exists() {
        return crate::learn::checkpoint::shipped().map_err(|e| e.to_string());
    }
    let fresh = crate::model::Control::new();
    crate::learn::checkpoint::load(&full, control.unwrap_or(&fresh)).map_err(|e| e.to_string())
}

/// The checkpoint path `name` (relative to `old`, the directory it was read in) as seen
/// from the directory `new`: relative when it lies below `new`, absolute otherwise. The
/// shipped checkpoint's bare name stays as it is (it is built in).
pub fn rebase_checkpoint(name: &str, old: Option<&Path>, new: &Path) -> String {
    let p = Path::new(name);
    if p.is_absolute() || (old.is_none() && name == crate::learn::checkpoint::SHIPPED_NAME) {
        return name.to_string();
    }
    let full = match old {
        Some(o) => o.join(p),
        None => p.to_path_buf(),
    };
    let abs = |q: &Path| std::fs::canonicalize(q).or_else(|_| std::path::absolute(q));
    match (abs(&full), abs(new)) {
        (Ok(f), Ok(n)) => match f.strip_prefix(&n) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => f.display().to_string(),
        },
        _ => name.to_string(),
    }
}

/// The configuration a scenario's model section describes: the checkpoint's, with the
/// section's fields on top, when it names one.
pub fn scenario_config(spec: &ModelSpec, checkpoint: Option<&Transformer>) -> Config {
    match checkpoint {
        Some(m) => apply_spec(m.config().clone(), spec),
        None => config_of(spec),
    }
}

/// Maps a config problem's field (`heads`, `layers.encoder`, `input.text`) to its path.
pub fn config_field_path(field: &str) -> FieldPath {
    match field.split_once('.') {
        Some(("input", rest)) => FieldPath::key("input").then(rest),
        Some(("layers", _)) => FieldPath::key("model").then("layers"),
        _ => FieldPath::key("model").then(field),
    }
}
