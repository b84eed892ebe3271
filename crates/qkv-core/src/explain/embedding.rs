//! Explanations of the embedding steps: token lookup, positional encoding and their sum.

use super::*;

pub(super) fn token_embedding(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, d) = (c.cell.row, c.cell.col);
    let label = c.row_label(i);
    // A word the trained vocabulary lacks (`바나나→<unk>`) reads `<unk>`'s row.
    let (word, unknown) = crate::model::vocab::unmark(label);
    let token = if unknown {
        crate::model::vocab::UNK
    } else {
        label
    };
    let model = match c.needs_model("the token embeddings")? {
        ModelRef::Paper(m) => m,
        ModelRef::Marian(m) => return marian_token(c, m),
        ModelRef::Gpt2(m) => return gpt2_token(c, m),
        ModelRef::Bert(_) => return table_row(c, crate::model::weights::EMBEDDING, None),
    };
    let emb = model.embedding();
    // The table the forward pass used: a trained model's `embed.E` (its vocabulary's rows)
    // when the trace's vocabulary is the model's, else each token's seeded vector.
    let vocab = &c.trace.tokens().vocab;
    let trained = model.trained_table(vocab).is_some();
    let vector = vocab
        .iter()
        .position(|t| t == token)
        .and_then(|id| model.embedding_row(vocab, id))
        .unwrap_or_else(|| emb.vector(token));
    let v = vector.get(d).copied().ok_or_else(|| {
        c.inconsistent(format!(
            "the embedding of {token:?} has {} values, no entry {d}",
            vector.len()
        ))
    })?;
    let mut lines = Vec::new();
    if unknown {
        lines.push(c.t(ExplainText::EmbUnknown {
            word: word.into(),
            n: vocab.len(),
        }));
    }
    lines.extend([
        c.t(ExplainText::EmbRow {
            i,
            token: token.into(),
            n: vector.len(),
        }),
        format!("E[{token}] = {}", c.list(vector.as_slice().unwrap_or(&[]))),
    ]);
    if trained {
        lines.push(c.t(ExplainText::EmbTrained {
            token: token.into(),
        }));
    } else if emb.overrides().contains_key(token) {
        lines.push(c.t(ExplainText::EmbOverridden {
            token: token.into(),
        }));
    } else {
        let a = (3.0 / emb.d_model().max(1) as f64).sqrt() as f32;
        lines.push(c.t(ExplainText::EmbSeeded {
            token: token.into(),
            seed: model.config().seed,
            a: c.num(a),
        }));
    }
    lines.push(format!(
        "{}[{i}][{d}] = E[{token}][{d}] = {}",
        c.short(),
        c.num(v)
    ));
    Ok(Body {
        title: c.t(ExplainText::EmbTitle {
            label: label.into(),
            i,
            d,
        }),
        formula: format!("{}[i][c] = E[token_i][c]", c.short()),
        lines,
        recomputed: Some(v),
    })
}

/// A piece's row of a Marian model's embedding table (ids from `vocab.json`).
fn marian_token(c: &Ctx<'_>, m: &MarianModel) -> Result<Body, ExplainError> {
    let (i, d) = (c.cell.row, c.cell.col);
    let piece = c.row_label(i);
    let id = m.tokenizer.id(piece);
    let table = m
        .weights
        .matrix(crate::model::weights::EMBEDDING)
        .map_err(|_| c.unknown_weight(crate::model::weights::EMBEDDING, "the embedding table"))?;
    if id >= table.nrows() {
        return Err(c.inconsistent(format!(
            "embed.E has {} rows, no row {id} for {piece}",
            table.nrows()
        )));
    }
    let v = c.weight_at(crate::model::weights::EMBEDDING, table.row(id), d)?;
    let lines = vec![
        c.t(ExplainText::MarianPiece {
            i,
            piece: piece.into(),
            id,
            n: table.ncols(),
        }),
        format!(
            "{}[{i}][{d}] = embed.E[{id}][{d}] = {}",
            c.short(),
            c.num(v)
        ),
    ];
    Ok(Body {
        title: c.t(ExplainText::EmbTitle {
            label: piece.into(),
            i,
            d,
        }),
        formula: format!("{}[i][c] = E[id_i][c]", c.short()),
        lines,
        recomputed: Some(v),
    })
}

/// Marian's sinusoids: sin in the first half of the vector, cos in the second.
fn marian_positional(c: &Ctx<'_>, title: String) -> Body {
    let (pos, col) = (c.cell.row, c.cell.col);
    let d = c.step.dims().1.max(1);
    let half = d.div_ceil(2);
    let (j, func) = if col < half {
        (col, "sin")
    } else {
        (col - half, "cos")
    };
    let denom = 10000f64.powf((2 * j) as f64 / d as f64);
    let angle = pos as f64 / denom;
    let v = if col < half { angle.sin() } else { angle.cos() } as f32;
    let lines = vec![
        c.t(ExplainText::MarianSinusoids {
            half,
            col,
            func: func.into(),
            j,
        }),
        format!(
            "angle = pos / 10000^(2j/d_model) = {pos} / 10000^({}/{d}) = {pos} / {} = {}",
            2 * j,
            c.num(denom as f32),
            c.num(angle as f32)
        ),
        format!(
            "PE[{pos}][{col}] = {func}({}) = {}",
            c.num(angle as f32),
            c.num(v)
        ),
    ];
    Body {
        title,
        formula: format!(
            "PE[pos][j] = sin(pos / 10000^(2j/d_model)), PE[pos][{half}+j] = cos(pos / 10000^(2j/d_model)), j < {half}"
        ),
        lines,
        recomputed: Some(v),
    }
}

pub(super) fn positional(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (pos, col) = (c.cell.row, c.cell.col);
    let d = c.step.dims().1;
    let token = c.row_label(pos);
    let title = c.t(ExplainText::PosTitle {
        pos,
        token: token.into(),
        col,
    });
    match c.model {
        Some(ModelRef::Marian(_)) => return Ok(marian_positional(c, title)),
        Some(ModelRef::Gpt2(m)) => return gpt2_positional(c, m),
        _ => {}
    }
    if let Some(table) = c.step.inputs().first() {
        // A learned table (BERT's embed.P): position i reads row i.
        use crate::i18n::hf_steps::HfStepText;
        let note = HfStepText::PositionNote {
            table: table.clone(),
            pos,
        };
        let title = HfStepText::PositionTitle {
            pos,
            token: token.to_string(),
            col,
        };
        return table_row(c, table, Some((pos, title, note)));
    }
    let formula = "PE[pos][2i] = sin(pos / 10000^(2i/d_model)), PE[pos][2i+1] = cos(pos / 10000^(2i/d_model))".to_string();
    let off = match c.model {
        Some(m) => m.positional_off(),
        None => c.step.to_tensor().values().all(|v| v == 0.0),
    };
    if off {
        return Ok(Body {
            title,
            formula: c.t(ExplainText::PosOffFormula {
                short: c.short().into(),
            }),
            lines: vec![c.t(ExplainText::PosOffLine {
                short: c.short().into(),
                pos,
                col,
            })],
            recomputed: Some(0.0),
        });
    }
    let two_i = col - col % 2;
    let denom = 10000f64.powf(two_i as f64 / d.max(1) as f64);
    let angle = pe_angle(pos, col, d.max(1));
    let func = if col % 2 == 0 { "sin" } else { "cos" };
    let v = pe_value(pos, col, d.max(1));
    let lines = vec![
        c.t(ExplainText::PosColumn {
            pos,
            token: token.into(),
            col,
            two_i,
            d,
        }),
        format!(
            "angle = pos / 10000^(2i/d_model) = {pos} / 10000^({two_i}/{d}) = {pos} / {} = {}",
            c.num(denom as f32),
            c.num(angle as f32)
        ),
        format!(
            "PE[{pos}][{col}] = {func}({}) = {}",
            c.num(angle as f32),
            c.num(v)
        ),
    ];
    Ok(Body {
        title,
        formula,
        lines,
        recomputed: Some(v),
    })
}

#[expect(
    clippy::too_many_lines,
    reason = "the sum explained for each setting (embedding scale on/off, PE on/off), in both languages."
)]
pub(super) fn embedding_sum(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    if c.step.inputs().len() == 3 {
        return three_sum(c);
    }
    let tokens = c.input_step(0, "the token embeddings")?;
    let pos = c.input_step(1, "the positional encoding")?;
    let a = c.at(tokens, None, i, col)?;
    let b = c.at(pos, None, i, col)?;
    let d = c.step.dims().1;
    let root = (d as f32).sqrt();
    let scale = match c.model {
        Some(m) => m.embed_scale(),
        // Without a model: whichever reading reproduces the cell.
        None => (a * root + b - c.value).abs() < (a + b - c.value).abs(),
    };
    let token = c.row_label(i);
    let (formula, line, r) = if scale {
        let r = a * root + b;
        (
            format!(
                "{}[i][c] = {}[i][c] × √d_model + {}[i][c]",
                c.short(),
                tokens.name(),
                pos.name()
            ),
            format!(
                "{} × √d_model + {} = {} × √{d} + {} = {} × {} + {} = {}",
                cell_ref(tokens, None, i, col),
                cell_ref(pos, None, i, col),
                c.op(a),
                c.op(b),
                c.op(a),
                c.num(root),
                c.op(b),
                c.num(c.value)
            ),
            r,
        )
    } else {
        let r = a + b;
        (
            format!(
                "{}[i][c] = {}[i][c] + {}[i][c]",
                c.short(),
                tokens.name(),
                pos.name()
            ),
            format!(
                "{} + {} = {} + {} = {}",
                cell_ref(tokens, None, i, col),
                cell_ref(pos, None, i, col),
                c.op(a),
                c.op(b),
                c.num(c.value)
            ),
            r,
        )
    };
    let mut lines = vec![line];
    let spread = (3.0 / d as f32).sqrt();
    // A trained table's values are whatever training made them, not the initial ±√(3/d).
    let times = if scale { root } else { 1.0 };
    let shown_range = |r: Option<(f32, f32)>| {
        r.map(|(lo, hi)| (c.num(lo * times), c.num(hi * times)))
            .unwrap_or_default()
    };
    let learned = match c.model {
        // A real model's table is learned: the range of the rows this sentence reads.
        Some(ModelRef::Marian(_) | ModelRef::Gpt2(_) | ModelRef::Bert(_)) => tokens
            .matrix(None)
            .ok()
            .map(|t| shown_range(crate::util::finite_range(t.iter()))),
        Some(ModelRef::Paper(m)) => m
            .trained_table(&c.trace.tokens().vocab)
            .map(|t| shown_range(crate::util::finite_range(t))),
        None => None,
    };
    if let Some((lo, hi)) = learned {
        let row = shown_range(
            tokens
                .matrix(None)
                .ok()
                .and_then(|m| crate::util::finite_range(m.row(i))),
        );
        lines.push(c.t(ExplainText::EmbLearned {
            scaled: scale,
            root: c.num(root),
            lo,
            hi,
            token: token.into(),
            row_lo: row.0,
            row_hi: row.1,
        }));
    } else if scale {
        lines.push(c.t(ExplainText::EmbScaleOn {
            d,
            root: c.num(root),
            spread: c.num(spread),
            scaled: c.num(spread * root),
        }));
    } else if c.model.is_some() {
        lines.push(c.t(ExplainText::EmbScaleOff {
            spread: c.num(spread),
            outweighs: (spread < 0.5).then(|| c.num((1.0 / spread).round())),
            root: c.num(root),
        }));
    }
    Ok(Body {
        title: c.t(ExplainText::SumTitle {
            token: token.into(),
            i,
            col,
        }),
        formula,
        lines,
        recomputed: Some(r),
    })
}

/// A piece's row of a GPT-2 model's token table `wte` (ids from `tokenizer.json`).
fn gpt2_token(c: &Ctx<'_>, m: &crate::hf::Gpt2Model) -> Result<Body, ExplainError> {
    use crate::i18n::hf::Gpt2Explain;
    let (i, d) = (c.cell.row, c.cell.col);
    let piece = c.row_label(i);
    let table = m
        .weights
        .matrix(crate::model::weights::EMBEDDING)
        .map_err(|_| c.unknown_weight(crate::model::weights::EMBEDDING, "the embedding table"))?;
    let id = m
        .tokenizer
        .id(piece)
        .filter(|&id| id < table.nrows())
        .ok_or_else(|| c.inconsistent(format!("embed.E has no row for the piece {piece}")))?;
    let v = c.weight_at(crate::model::weights::EMBEDDING, table.row(id), d)?;
    Ok(Body {
        title: Gpt2Explain::TokenTitle {
            piece: piece.to_string(),
            row: i,
            col: d,
        }
        .text(c.lang),
        formula: format!("{}[i][c] = E[id_i][c]", c.short()),
        lines: vec![
            Gpt2Explain::TokenWhy {
                row: i,
                piece: piece.to_string(),
                id,
                width: table.ncols(),
            }
            .text(c.lang),
            format!(
                "{}[{i}][{d}] = embed.E[{id}][{d}] = {}",
                c.short(),
                c.num(v)
            ),
        ],
        recomputed: Some(v),
    })
}

/// A GPT-2 position: row `pos` of the learned table `wpe` (`embed.P`).
fn gpt2_positional(c: &Ctx<'_>, m: &crate::hf::Gpt2Model) -> Result<Body, ExplainError> {
    use crate::hf::gpt2::POSITIONS;
    use crate::i18n::hf::Gpt2Explain;
    let (pos, col) = (c.cell.row, c.cell.col);
    let table = m
        .weights
        .matrix(POSITIONS)
        .map_err(|_| c.unknown_weight(POSITIONS, "the learned position table"))?;
    if pos >= table.nrows() {
        return Err(c.inconsistent(format!(
            "{POSITIONS} has {} rows, no row {pos}",
            table.nrows()
        )));
    }
    let v = c.weight_at(POSITIONS, table.row(pos), col)?;
    Ok(Body {
        title: Gpt2Explain::PositionTitle {
            pos,
            piece: c.row_label(pos).to_string(),
            col,
        }
        .text(c.lang),
        formula: format!("{}[pos][c] = P[pos][c] (learned: GPT-2's wpe)", c.short()),
        lines: vec![
            Gpt2Explain::PositionWhy {
                pos,
                rows: table.nrows(),
            }
            .text(c.lang),
            format!(
                "{}[{pos}][{col}] = {POSITIONS}[{pos}][{col}] = {}",
                c.short(),
                c.num(v)
            ),
        ],
        recomputed: Some(v),
    })
}
/// A cell of a step that reads one row of a learned table: the token's row of `embed.E`
/// (its id is its column in the trace's vocabulary), or, with `given`, row `given.0` with a
/// title and a note (BERT's positions and token types).
fn table_row(
    c: &Ctx<'_>,
    table_name: &str,
    given: Option<(
        usize,
        crate::i18n::hf_steps::HfStepText,
        crate::i18n::hf_steps::HfStepText,
    )>,
) -> Result<Body, ExplainError> {
    let (i, d) = (c.cell.row, c.cell.col);
    let piece = c.row_label(i);
    let model = c.needs_model(&format!("the table {table_name}"))?;
    let table = model
        .weights()
        .matrix(table_name)
        .map_err(|_| c.unknown_weight(table_name, "the table the rows come from"))?;
    let (row, title, note) = match given {
        Some((row, title, note)) => (row, title.text(c.lang), Some(note.text(c.lang))),
        None => {
            let id = c
                .trace
                .tokens()
                .vocab
                .iter()
                .position(|p| p == piece)
                .ok_or_else(|| c.inconsistent(format!("{piece} is not in the vocabulary")))?;
            let title = crate::i18n::hf_steps::HfStepText::TokenTitle {
                token: piece.to_string(),
                row: i,
                col: d,
                id,
            }
            .text(c.lang);
            (id, title, None)
        }
    };
    if row >= table.nrows() {
        return Err(c.inconsistent(format!(
            "{table_name} has {} rows, no row {row}",
            table.nrows()
        )));
    }
    let v = c.weight_at(table_name, table.row(row), d)?;
    let mut lines: Vec<String> = note.into_iter().collect();
    lines.push(format!(
        "{}[{i}][{d}] = {table_name}[{row}][{d}] = {}",
        c.short(),
        c.num(v)
    ));
    Ok(Body {
        title,
        formula: format!("{}[i][c] = {table_name}[row_i][c]", c.short()),
        lines,
        recomputed: Some(v),
    })
}

/// BERT's token-type vectors: row `type_i` of `embed.T`.
pub(super) fn token_types(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    use crate::i18n::hf_steps::HfStepText;
    let (i, col) = (c.cell.row, c.cell.col);
    let table = c.input(0, "the token-type table")?.to_string();
    // The type is the row of the table this row equals (0 or 1).
    let model = c.needs_model(&format!("the table {table}"))?;
    let t = model
        .weights()
        .matrix(&table)
        .map_err(|_| c.unknown_weight(&table, "the token-type table"))?;
    let row = c.row(c.step, None, i)?;
    let ty = (0..t.nrows())
        .find(|&r| t.row(r).iter().zip(row.iter()).all(|(a, b)| a == b))
        .ok_or_else(|| c.inconsistent(format!("row {i} is no row of {table}")))?;
    let title = HfStepText::TypeTitle {
        pos: i,
        token: c.row_label(i).to_string(),
        col,
    };
    let note = HfStepText::TypeNote {
        table: table.clone(),
        ty,
    };
    table_row(c, &table, Some((ty, title, note)))
}

/// BERT's `sum = tokens + pos + types`.
fn three_sum(c: &Ctx<'_>) -> Result<Body, ExplainError> {
    let (i, col) = (c.cell.row, c.cell.col);
    let parts = [
        c.input_step(0, "the token embeddings")?,
        c.input_step(1, "the position vectors")?,
        c.input_step(2, "the token-type vectors")?,
    ];
    let mut vals = [0f32; 3];
    for (v, s) in vals.iter_mut().zip(parts) {
        *v = c.at(s, None, i, col)?;
    }
    let refs: Vec<String> = parts.iter().map(|s| cell_ref(s, None, i, col)).collect();
    let names: Vec<String> = parts
        .iter()
        .map(|s| format!("{}[i][c]", s.name()))
        .collect();
    Ok(Body {
        title: crate::i18n::hf_steps::HfStepText::SumTitle {
            token: c.row_label(i).to_string(),
            row: i,
            col,
        }
        .text(c.lang),
        formula: format!("{}[i][c] = {}", c.short(), names.join(" + ")),
        lines: vec![format!(
            "{} = {} + {} + {} = {}",
            refs.join(" + "),
            c.op(vals[0]),
            c.op(vals[1]),
            c.op(vals[2]),
            c.num(c.value)
        )],
        recomputed: Some(vals[0] + vals[1] + vals[2]),
    })
}
