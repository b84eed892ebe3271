//! Explanations of the embedding steps: token lookup, positional encoding and their sum.

use super::*;

/// True when the prose is Korean.
fn ko(c: &Ctx<'_>) -> bool {
    c.lang == Lang::Ko
}

// Over 80 lines: the token row explained for each source of the table (trained, overridden, seeded), in both languages.
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
        lines.push(if ko(c) {
            format!(
                "{word}는(은) 모델의 어휘(단어 {}개)에 없어서 <unk>로 읽힙니다: 학습 때 보지 못한 모든 단어가 같은 행 E[<unk>]를 씁니다",
                vocab.len()
            )
        } else {
            format!(
                "{word} is not in the model's vocabulary of {} words, so it reads as <unk>: every word the model never saw gets the same row, E[<unk>]",
                vocab.len()
            )
        });
    }
    lines.extend([
        if ko(c) {
            format!(
                "행 {i}: 토큰 {token}. 그 벡터 E[{token}]는 임베딩 표의 한 행입니다 (값 {}개)",
                vector.len()
            )
        } else {
            format!(
                "row {i} is the token {token}; its vector E[{token}] is its row of the embedding table ({} values)",
                vector.len()
            )
        },
        format!("E[{token}] = {}", c.list(vector.as_slice().unwrap_or(&[]))),
    ]);
    if trained {
        lines.push(if ko(c) {
            format!("E[{token}]: 학습된 모델의 임베딩 표 embed.E에서 {token}의 행입니다 (학습으로 정해진 값)")
        } else {
            format!(
                "E[{token}] is {token}'s row of the trained model's embedding table embed.E (learned, not drawn at random)"
            )
        });
    } else if emb.overrides().contains_key(token) {
        lines.push(if ko(c) {
            format!(
                "E[{token}]: 무작위로 뽑지 않고 지정한 값입니다 (시나리오의 `embeddings:` 또는 `set embed`)"
            )
        } else {
            format!(
                "E[{token}] is overridden (a scenario's `embeddings:` or `set embed`), not drawn at random"
            )
        });
    } else {
        let a = (3.0 / emb.d_model().max(1) as f64).sqrt() as f32;
        lines.push(if ko(c) {
            format!(
                "E[{token}]: (시드 {}, \"embed:{token}\")의 난수열로 ±√(3/d_model) = ±{} 안에서 고르게 뽑습니다. 같은 토큰은 어느 문장에서나 같은 벡터입니다",
                model.config().seed,
                c.num(a)
            )
        } else {
            format!(
                "E[{token}] is drawn uniformly from ±√(3/d_model) = ±{} by the random stream of (seed {}, \"embed:{token}\"): the same token has the same vector in every sentence",
                c.num(a),
                model.config().seed
            )
        });
    }
    lines.push(format!(
        "{}[{i}][{d}] = E[{token}][{d}] = {}",
        c.short(),
        c.num(v)
    ));
    Ok(Body {
        title: if ko(c) {
            format!("토큰 임베딩(embedding): {label} (행 {i}), 차원 {d}")
        } else {
            format!("token embedding of {label} (row {i}), dimension {d}")
        },
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
        if ko(c) {
            format!(
                "행 {i}: 조각(piece) {piece}, vocab.json의 id {id}. 그 벡터는 embed.E의 행 {id}입니다 (원문, 번역문, 출력이 함께 쓰는 표, 값 {}개)",
                table.ncols()
            )
        } else {
            format!(
                "row {i} is the piece {piece}, id {id} in vocab.json; its vector is row {id} of embed.E (one table for source, target and output, {} values)",
                table.ncols()
            )
        },
        format!(
            "{}[{i}][{d}] = embed.E[{id}][{d}] = {}",
            c.short(),
            c.num(v)
        ),
    ];
    Ok(Body {
        title: if ko(c) {
            format!("토큰 임베딩(embedding): {piece} (행 {i}), 차원 {d}")
        } else {
            format!("token embedding of {piece} (row {i}), dimension {d}")
        },
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
        if ko(c) {
            format!(
                "Marian의 위치 인코딩: 앞쪽 절반(열 0..{half})은 sin, 뒤쪽 절반은 cos입니다 (논문은 짝수 열 sin, 홀수 열 cos로 번갈아 놓습니다). 열 c = {col} → {func}, j = {j}"
            )
        } else {
            format!(
                "Marian's sinusoids: the first half of the vector (columns 0..{half}) is sin, the second half cos (the paper interleaves them: sin in even columns, cos in odd ones); column c = {col} → {func}, j = {j}"
            )
        },
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
    let title = if ko(c) {
        format!("위치 인코딩(positional encoding): 위치 {pos} ({token}), 차원 {col}")
    } else {
        format!("positional encoding of position {pos} ({token}), dimension {col}")
    };
    if let Some(ModelRef::Marian(_)) = c.model {
        return Ok(marian_positional(c, title));
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
            formula: if ko(c) {
                format!("{}[pos][c] = 0 (위치 인코딩 끔)", c.short())
            } else {
                format!("{}[pos][c] = 0 (positional encoding off)", c.short())
            },
            lines: vec![if ko(c) {
                format!(
                    "위치 인코딩 끔 (positional: none): 모든 위치에서 {}[{pos}][{col}] = 0. 모델은 단어 순서를 볼 수 없습니다",
                    c.short()
                )
            } else {
                format!(
                    "positional encoding off (positional: none): {}[{pos}][{col}] = 0 at every position; word order is invisible to the model",
                    c.short()
                )
            }],
            recomputed: Some(0.0),
        });
    }
    let two_i = col - col % 2;
    let denom = 10000f64.powf(two_i as f64 / d.max(1) as f64);
    let angle = pe_angle(pos, col, d.max(1));
    let (func, parity) = match (col % 2 == 0, ko(c)) {
        (true, false) => ("sin", "even"),
        (false, false) => ("cos", "odd"),
        (true, true) => ("sin", "짝수"),
        (false, true) => ("cos", "홀수"),
    };
    let v = pe_value(pos, col, d.max(1));
    let lines = vec![
        if ko(c) {
            format!(
                "pos = {pos} (토큰 {token}), 열 c = {col}: 2i = {two_i}, {parity} 열 → {func}, d_model = {d}"
            )
        } else {
            format!(
                "pos = {pos} (token {token}), column c = {col}: 2i = {two_i}, {parity} column → {func}; d_model = {d}"
            )
        },
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

// Over 80 lines: the sum explained for each setting (embedding scale on/off, PE on/off), in both languages.
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
        Some(ModelRef::Marian(_) | ModelRef::Bert(_)) => tokens
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
        lines.push(match (ko(c), scale) {
            (true, true) => format!(
                "학습된 토큰 벡터(embed.E)에 √d_model = {}를 곱한 값은 {lo} … {hi} 범위에 있습니다 ({token}: {} … {}). 위치 인코딩은 ±1에 걸칩니다",
                c.num(root),
                row.0,
                row.1
            ),
            (true, false) => format!(
                "이 모델의 토큰 벡터는 학습된 값(embed.E)으로 {lo} … {hi} 범위에 있고 ({token}: {} … {}), 위치 인코딩은 ±1에 걸칩니다. 논문은 토큰 벡터에 √d_model = {}를 곱합니다",
                row.0,
                row.1,
                c.num(root)
            ),
            (false, true) => format!(
                "the learned token vectors (embed.E) times √d_model = {} lie within {lo} … {hi} ({token}: {} … {}), while the positional encoding spans ±1",
                c.num(root),
                row.0,
                row.1
            ),
            (false, false) => format!(
                "this model's token vectors were learned (embed.E): their values lie within {lo} … {hi} ({token}: {} … {}), while the positional encoding spans ±1; the paper multiplies token vectors by √d_model = {}",
                row.0,
                row.1,
                c.num(root)
            ),
        });
    } else if scale && ko(c) {
        lines.push(format!(
            "embed_scale 켬: 토큰 벡터에 √d_model = √{d} = {}를 곱합니다 (논문 §3.4). 그래서 ±√(3/d_model) = ±{}인 무작위 토큰 값이 ±{}가 되어, 위치 인코딩의 ±1만큼 커집니다",
            c.num(root),
            c.num(spread),
            c.num(spread * root)
        ));
    } else if c.model.is_some() && ko(c) {
        lines.push(format!(
            "embed_scale 끔: 무작위 토큰 값은 ±√(3/d_model) = ±{} 안에 있고 위치 인코딩은 ±1에 걸칩니다{}. 논문은 토큰 벡터에 √d_model = {}를 곱합니다 (`set model.embed_scale on`)",
            c.num(spread),
            if spread < 0.5 {
                format!(
                    ". 그래서 위치가 단어보다 {}배 큽니다",
                    c.num((1.0 / spread).round())
                )
            } else {
                String::new()
            },
            c.num(root)
        ));
    } else if scale {
        lines.push(format!(
            "embed_scale is on: the token vector is multiplied by √d_model = √{d} = {} (paper §3.4), so random token values of ±√(3/d_model) = ±{} become ±{}, as large as the positional encoding's ±1",
            c.num(root),
            c.num(spread),
            c.num(spread * root)
        ));
    } else if c.model.is_some() {
        lines.push(format!(
            "embed_scale is off: random token values lie within ±√(3/d_model) = ±{} while the positional encoding spans ±1{}; the paper multiplies token vectors by √d_model = {} (`set model.embed_scale on`)",
            c.num(spread),
            if spread < 0.5 {
                format!(
                    ", so the position outweighs the word {}×",
                    c.num((1.0 / spread).round())
                )
            } else {
                String::new()
            },
            c.num(root)
        ));
    }
    Ok(Body {
        title: if ko(c) {
            format!("토큰 {token} (행 {i}) + 그 위치의 위치 인코딩, 차원 {col}")
        } else {
            format!("token {token} (row {i}) with its position added, dimension {col}")
        },
        formula,
        lines,
        recomputed: Some(r),
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
