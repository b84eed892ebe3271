//! The pipeline tree: the steps of a trace grouped as the paper draws them — embedding, then
//! per layer its sublayers (self-attention, Add & Norm, FFN, …) and the steps inside them.
//!
//! Built from the step names and kinds alone (pipeline order is the trace's order), so it works
//! for every architecture, for pre-LN (where a sublayer's norm comes before it) and for
//! attention hand-checks.

use crate::trace::{Block, Place, Side, StepKind, StepName, Trace};

/// A sublayer (or a section's only block) and its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Heading shown above the steps (`None`: the steps hang directly under the section).
    pub label: Option<String>,
    /// Step names in pipeline order.
    pub steps: Vec<String>,
}

/// A top-level node: an embedding, a layer of a stack, or the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Stable key (`embed`, `enc.0`, `dec.1`, `output`, …).
    pub key: String,
    /// Label, e.g. `Encoder layer 0`.
    pub label: String,
    /// Sublayers in pipeline order.
    pub groups: Vec<Group>,
}

impl Section {
    /// True when `step` is one of this section's steps.
    pub fn contains(&self, step: &str) -> bool {
        self.groups
            .iter()
            .any(|g| g.steps.iter().any(|s| s == step))
    }

    /// The first step of the section.
    pub fn first_step(&self) -> Option<&str> {
        self.groups
            .iter()
            .find_map(|g| g.steps.first())
            .map(String::as_str)
    }
}

/// One line of the tree as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A section heading (index into [`Tree::sections`]).
    Section(usize),
    /// A sublayer heading: (section, group).
    Group(usize, usize),
    /// A step, by name.
    Step(String),
}

/// The whole tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// Sections in pipeline order.
    pub sections: Vec<Section>,
}

/// (section key, section label, group key, group label) of a step name.
fn place(name: &str, kind: StepKind) -> (String, String, String, Option<String>) {
    let parsed = StepName::parse(name).filter(|n| !n.grad);
    match parsed.map(|n| n.place) {
        Some(Place::Embed(Side::Enc)) => (
            "embed".into(),
            "Embedding + PE".into(),
            "embed".into(),
            None,
        ),
        Some(Place::Embed(Side::Dec)) => (
            "dec.embed".into(),
            "Decoder embedding + PE".into(),
            "dec.embed".into(),
            None,
        ),
        Some(Place::Layer { side, layer, block }) => {
            let stack = side.as_str();
            let stack_name = match side {
                Side::Enc => "Encoder",
                Side::Dec => "Decoder",
            };
            let sub_label = match block {
                Block::Attn => "Self-attention".to_string(),
                Block::SelfAttn => "Masked self-attention".to_string(),
                Block::CrossAttn => "Cross-attention".to_string(),
                Block::Ffn => "Feed-forward".to_string(),
                Block::AddNorm(k) => format!("Add & Norm {k}"),
                Block::Norm(_) => block.to_string(),
            };
            (
                format!("{stack}.{layer}"),
                format!("{stack_name} layer {layer}"),
                format!("{stack}.{layer}.{block}"),
                Some(sub_label),
            )
        }
        Some(Place::FinalNorm(Some(Side::Enc))) => (
            "enc.final_norm".into(),
            "Encoder output".into(),
            "enc.final_norm".into(),
            None,
        ),
        Some(Place::FinalNorm(None) | Place::Top)
            if matches!(
                kind,
                StepKind::LayerNorm
                    | StepKind::Logits
                    | StepKind::Probs
                    // A head before the output (BERT's MLM transform: dense, GELU).
                    | StepKind::FfnHidden
                    | StepKind::FfnGelu
            ) =>
        {
            ("output".into(), "Output".into(), "output".into(), None)
        }
        _ => (
            "hand".into(),
            "Attention (hand-check)".into(),
            "hand".into(),
            None,
        ),
    }
}

/// True for the final LayerNorms (`final_norm`, `enc.final_norm`, and their gradients), which the tree names
/// "final norm".
pub fn is_final_norm(name: &str) -> bool {
    StepName::parse(name).is_some_and(|n| matches!(n.place, Place::FinalNorm(_)))
}

impl Tree {
    /// The tree of `trace`: consecutive steps of the same section and sublayer go together.
    pub fn of(trace: &Trace) -> Tree {
        let mut sections: Vec<Section> = Vec::new();
        let mut last_group_key = String::new();
        for step in trace.steps() {
            let (skey, slabel, gkey, mut glabel) = place(step.name(), step.kind());
            // Name the mask the block actually uses (the decoder's can be switched off, the
            // encoder's on).
            if let Some(l) = &mut glabel
                && l.ends_with("elf-attention")
                && let Some(settings) = trace
                    .get(&format!("{gkey}.scores"))
                    .and_then(crate::trace::Step::attention)
            {
                *l = if settings.causal {
                    "Masked self-attention".to_string()
                } else if gkey.ends_with(".self_attn") {
                    "Self-attention (mask off)".to_string()
                } else {
                    "Self-attention".to_string()
                };
            }
            let same_section = sections.last().is_some_and(|s| s.key == skey);
            if !same_section {
                sections.push(Section {
                    key: skey,
                    label: slabel,
                    groups: Vec::new(),
                });
                last_group_key.clear();
            }
            let Some(section) = sections.last_mut() else {
                continue;
            };
            if last_group_key != gkey || section.groups.is_empty() {
                section.groups.push(Group {
                    label: glabel,
                    steps: Vec::new(),
                });
                last_group_key = gkey;
            }
            if let Some(g) = section.groups.last_mut() {
                g.steps.push(step.name().to_string());
            }
        }
        Tree { sections }
    }

    /// Index of the section holding `step`.
    pub fn section_of(&self, step: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.contains(step))
    }

    /// The lines shown, given which sections are open.
    pub fn rows(&self, is_open: impl Fn(usize, &Section) -> bool) -> Vec<Node> {
        let mut out = Vec::new();
        for (si, s) in self.sections.iter().enumerate() {
            out.push(Node::Section(si));
            if !is_open(si, s) {
                continue;
            }
            for (gi, g) in s.groups.iter().enumerate() {
                if g.label.is_some() {
                    out.push(Node::Group(si, gi));
                }
                out.extend(g.steps.iter().cloned().map(Node::Step));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    #[test]
    fn default_scenario_tree_follows_the_paper() {
        let s = Session::untrained_scenario().unwrap();
        let t = Tree::of(s.trace());
        let labels: Vec<&str> = t.sections.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Embedding + PE",
                "Encoder layer 0",
                "Encoder layer 1",
                "Decoder embedding + PE",
                "Decoder layer 0",
                "Decoder layer 1",
                "Output"
            ]
        );
        let dec0: Vec<&str> = t.sections[4]
            .groups
            .iter()
            .filter_map(|g| g.label.as_deref())
            .collect();
        assert_eq!(
            dec0,
            [
                "Masked self-attention",
                "Add & Norm 1",
                "Cross-attention",
                "Add & Norm 2",
                "Feed-forward",
                "Add & Norm 3"
            ]
        );
        // Every step appears exactly once.
        let n: usize = t
            .sections
            .iter()
            .flat_map(|s| &s.groups)
            .map(|g| g.steps.len())
            .sum();
        assert_eq!(n, s.trace().steps().len());
        // Only the open section shows its steps.
        let rows = t.rows(|i, _| i == 1);
        assert_eq!(rows.len(), 7 + 4 + 17);
    }
}
