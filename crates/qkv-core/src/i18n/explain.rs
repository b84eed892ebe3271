//! The prose of the cell explanations (`qkv explain`, the TUI's `x`): titles, formulas in
//! words and the sentences between the arithmetic. The arithmetic lines themselves
//! (`q·k = 1×2 + …`) are the same in every language and stay in `explain`; the numbers come
//! in already formatted, so both languages print the same digits.

/// Which projection of the input a Q/K/V cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proj {
    /// `q = x · W_Q`.
    Query,
    /// `k = x · W_K`.
    Key,
    /// `v = x · W_V`.
    Value,
}

crate::catalogue! {
    /// A sentence of a cell's explanation.
    pub enum ExplainText {
        /// The title of a Q/K/V cell; `head` is the title's head part ([`ExplainText::HeadPart`]).
        ProjTitle { kind: Proj, token: String, i: usize, head: String, j: usize }
            samples [{ kind: Proj::Query, token: "학교에".into(), i: 1, head: ", head 0".into(), j: 2 },
                     { kind: Proj::Key, token: "k1".into(), i: 1, head: String::new(), j: 0 },
                     { kind: Proj::Value, token: "v2".into(), i: 2, head: String::new(), j: 1 }]
            en => format!("{} of {token} (row {i}){head}, column {j}", match kind {
                Proj::Query => "query",
                Proj::Key => "key",
                Proj::Value => "value",
            }),
            ko => format!("{}: {token} (행 {i}){head}, 열 {j}", match kind {
                Proj::Query => "쿼리(query)",
                Proj::Key => "키(key)",
                Proj::Value => "밸류(value)",
            });
        /// The title's head part for a per-head cell.
        HeadPart { h: usize }
            samples [{ h: 1 }]
            en => format!(", head {h}"),
            ko => format!(", 헤드 {h}");
        /// The formula of a hand-check's given `q`, `k` or `v`.
        GivenFormula { short: String }
            samples [{ short: "q".into() }]
            en => format!("{short}[i] is given"),
            ko => format!("{short}[i]: 주어진 값");
        /// Why a hand-check's `q`, `k` or `v` is not computed (`upper`: `Q`, `K`, `V`).
        GivenLine { short: String, upper: String }
            samples [{ short: "q".into(), upper: "Q".into() }]
            en => format!("{short} is given in the scenario (a hand-check has no model and no W_{upper}): it is not computed"),
            ko => format!("{short}: 시나리오에 주어진 값입니다 (손 계산 확인에는 모델도 W_{upper}도 없습니다). 계산하지 않습니다");
        /// The row a projection reads.
        ProjInput { x_ref: String, token: String, n: usize }
            samples [{ x_ref: "enc.0.x[1]".into(), token: "학교에".into(), n: 32 }]
            en => format!("x = {x_ref} ({token}), {n} values"),
            ko => format!("x = {x_ref} ({token}), 값 {n}개");
        /// Which column of the projection matrix a head's column is.
        HeadColumn { w_name: String, col: usize, h: usize, j: usize, d_k: usize }
            samples [{ w_name: "enc.0.attn.W_Q".into(), col: 10, h: 1, j: 2, d_k: 8 }]
            en => format!("W = {w_name}[:, {col}]: head {h} uses columns h·d_k..(h+1)·d_k, so column j = {j} of the head is h·d_k + j = {h}·{d_k} + {j} = {col}"),
            ko => format!("W = {w_name}[:, {col}]: 헤드 {h}가 쓰는 열은 h·d_k..(h+1)·d_k, 헤드 안의 열 j = {j} → h·d_k + j = {h}·{d_k} + {j} = {col}");
        /// The head part of a score's title.
        ScoresHead { h: usize }
            samples [{ h: 1 }]
            en => format!("head {h}, "),
            ko => format!("헤드 {h}, ");
        /// The title of a raw score (`head`: [`ExplainText::ScoresHead`] or empty).
        ScoresTitle { head: String, qt: String, i: usize, kt: String, j: usize }
            samples [{ head: "head 0, ".into(), qt: "q0".into(), i: 0, kt: "k2".into(), j: 2 }]
            en => format!("raw attention score, {head}query {qt} (row {i}) · key {kt} (column {j})"),
            ko => format!("어텐션 스코어(attention score) 원값, {head}쿼리 {qt} (행 {i}) · 키 {kt} (열 {j})");
        /// The query and key rows of a score and the number of terms.
        ScoresTerms { q_ref: String, qt: String, k_ref: String, kt: String, n: usize }
            samples [{ q_ref: "q[0]".into(), qt: "q0".into(), k_ref: "k[1]".into(), kt: "k1".into(), n: 3 },
                     { q_ref: "q[0]".into(), qt: "q0".into(), k_ref: "k[1]".into(), kt: "k1".into(), n: 1 }]
            en => format!("q = {q_ref} ({qt}), k = {k_ref} ({kt}): d_k = {n} term{}", if *n == 1 { "" } else { "s" }),
            ko => format!("q = {q_ref} ({qt}), k = {k_ref} ({kt}): d_k = 항 {n}개");
        /// The title of a scaled score.
        ScaledTitle { qt: String, i: usize, kt: String, j: usize }
            samples [{ qt: "q0".into(), i: 0, kt: "k1".into(), j: 1 }]
            en => format!("scaled score of query {qt} (row {i}) and key {kt} (column {j})"),
            ko => format!("스케일링(scaling)된 스코어: 쿼리 {qt} (행 {i}), 키 {kt} (열 {j})");
        /// The formula of a scaled score with scaling off (`hh`: `[h]` or empty).
        ScaledOffFormula { short: String, hh: String }
            samples [{ short: "scaled".into(), hh: "[h]".into() }]
            en => format!("{short}{hh}[i][j] = scores{hh}[i][j] (scaling off)"),
            ko => format!("{short}{hh}[i][j] = scores{hh}[i][j] (스케일링 끔)");
        /// A scaled score with scaling off.
        ScaledOffLine { value: String }
            samples [{ value: "10".into() }]
            en => format!("scaling off: scaled = scores = {value}"),
            ko => format!("스케일링 끔: scaled = scores = {value}");
        /// The divisor √d_k and where d_k comes from.
        ScaledDk { d_k: usize, root: String, q_name: String }
            samples [{ d_k: 3, root: "1.7321".into(), q_name: "q".into() }]
            en => format!("÷ √d_k = √{d_k} = {root}  (d_k = {d_k}: the width of one head of {q_name})"),
            ko => format!("÷ √d_k = √{d_k} = {root}  (d_k = {d_k}: {q_name}의 헤드 하나의 너비)");
        /// A cell the causal mask blocks.
        MaskBlockedCausal { qt: String, i: usize, kt: String, j: usize }
            samples [{ qt: "<bos>".into(), i: 0, kt: "I".into(), j: 1 }]
            en => format!("causal mask: the key token {kt} (column {j}) comes after the query token {qt} (row {i}), j = {j} > i = {i}; a token may attend only to itself and the tokens before it, so M[{i}][{j}] = −∞"),
            ko => format!("인과 마스크: 키 토큰 {kt} (열 {j})의 위치가 쿼리 토큰 {qt} (행 {i})보다 뒤입니다, j = {j} > i = {i}. 토큰은 자기 자신과 앞선 토큰에만 주목할 수 있으므로 M[{i}][{j}] = −∞");
        /// A cell another mask blocks.
        MaskBlocked { qt: String, i: usize, kt: String, j: usize }
            samples [{ qt: "q0".into(), i: 0, kt: "k2".into(), j: 2 }]
            en => format!("the mask blocks this cell: the query token {qt} (row {i}) may not attend to the key token {kt} (column {j}), so M[{i}][{j}] = −∞"),
            ko => format!("마스크가 이 칸을 막습니다: 쿼리 토큰 {qt} (행 {i})에서 키 토큰 {kt} (열 {j})에는 주목할 수 없으므로 M[{i}][{j}] = −∞");
        /// The sum of a blocked cell (`s`: the scaled score, as an operand).
        MaskBlockedSum { s: String }
            samples [{ s: "2.5".into() }]
            en => format!("masked = scaled + M = {s} + (−∞) = −∞ (the IEEE −∞, not a large negative number)"),
            ko => format!("masked = scaled + M = {s} + (−∞) = −∞ (큰 음수가 아니라 IEEE −∞)");
        /// What a blocked cell's weight will be.
        MaskBlockedWeight { qt: String, kt: String }
            samples [{ qt: "<bos>".into(), kt: "I".into() }]
            en => format!("its softmax weight will be e^(−∞) = 0: {qt} takes nothing from {kt}"),
            ko => format!("소프트맥스 가중치는 e^(−∞) = 0: {kt}의 정보가 {qt}에 전혀 섞이지 않습니다");
        /// No cell of the head (or matrix) is masked.
        MaskNone { head: bool }
            samples [{ head: true }, { head: false }]
            en => format!("no cell of this {} is masked: M = 0 everywhere", if *head { "head" } else { "matrix" }),
            ko => format!("이 {}에는 마스킹된 칸이 없습니다: 모든 곳에서 M = 0", if *head { "헤드" } else { "행렬" });
        /// A cell the causal mask lets through.
        MaskOpenCausal { qt: String, i: usize, kt: String, j: usize }
            samples [{ qt: "I".into(), i: 1, kt: "<bos>".into(), j: 0 }]
            en => format!("causal mask: the key token {kt} (column {j}) does not come after the query token {qt} (row {i}), j = {j} ≤ i = {i}, so M[{i}][{j}] = 0"),
            ko => format!("인과 마스크: 키 토큰 {kt} (열 {j})의 위치가 쿼리 토큰 {qt} (행 {i})보다 뒤가 아닙니다, j = {j} ≤ i = {i}, 그래서 M[{i}][{j}] = 0");
        /// A cell another mask lets through.
        MaskOpen { qt: String, i: usize, kt: String, j: usize }
            samples [{ qt: "q0".into(), i: 0, kt: "k1".into(), j: 1 }]
            en => format!("the mask lets the query token {qt} (row {i}) see the key token {kt} (column {j}): M[{i}][{j}] = 0"),
            ko => format!("마스크가 쿼리 토큰 {qt} (행 {i})에서 키 토큰 {kt} (열 {j})에 주목하도록 허용합니다: M[{i}][{j}] = 0");
        /// The formula of a masked score.
        MaskFormula { short: String, hh: String, causal: bool }
            samples [{ short: "masked".into(), hh: "[h]".into(), causal: true },
                     { short: "masked".into(), hh: String::new(), causal: false }]
            en => if *causal {
                format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = −∞ where j > i (causal), else 0")
            } else {
                format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = 0 or −∞")
            },
            ko => if *causal {
                format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], j > i이면 M[i][j] = −∞ (인과), 아니면 0")
            } else {
                format!("{short}{hh}[i][j] = scaled{hh}[i][j] + M[i][j], M[i][j] = 0 또는 −∞")
            };
        /// The title of a masked score.
        MaskTitle { qt: String, i: usize, kt: String, j: usize }
            samples [{ qt: "q0".into(), i: 0, kt: "k1".into(), j: 1 }]
            en => format!("masked score of query {qt} (row {i}) and key {kt} (column {j})"),
            ko => format!("마스킹(masking)된 스코어: 쿼리 {qt} (행 {i}), 키 {kt} (열 {j})");
        /// The title of a softmax cell: an attention weight, or a next-token probability.
        SoftmaxTitle { probs: bool, rt: String, i: usize, ct: String, j: usize }
            samples [{ probs: true, rt: "I".into(), i: 1, ct: "go".into(), j: 8 },
                     { probs: false, rt: "학교에".into(), i: 1, ct: "간다".into(), j: 2 }]
            en => if *probs {
                format!("probability of the token {ct} (column {j}) after {rt} (row {i})")
            } else {
                format!("attention weight: how much {rt} (row {i}) takes from {ct} (column {j})")
            },
            ko => if *probs {
                format!("확률: {rt} (행 {i}) 다음 토큰이 {ct} (열 {j})일 확률")
            } else {
                format!("소프트맥스(softmax) 가중치: {rt} (행 {i})의 몫 중 {ct} (열 {j})에서 오는 비율")
            };
        /// The formula of a softmax cell.
        SoftmaxFormula { short: String, hh: String, x_name: String }
            samples [{ short: "weights".into(), hh: "[h]".into(), x_name: "enc.0.attn.masked".into() }]
            en => format!("{short}{hh}[i][j] = e^(x_j − max) / Σ_k e^(x_k − max), x = row i of {x_name}"),
            ko => format!("{short}{hh}[i][j] = e^(x_j − max) / Σ_k e^(x_k − max), x = {x_name}의 행 i");
        /// A softmax row holding NaN or ±∞ that no mask put there.
        SoftmaxNan { short: String, i: usize, j: usize }
            samples [{ short: "weights".into(), i: 0, j: 1 }]
            en => format!("the row holds NaN or ±∞ that no mask put there (an overflow, not a mask): e^(x_j − max) / Σ is NaN, so {short}[{i}][{j}] = NaN"),
            ko => format!("이 행에는 마스크가 넣지 않은 NaN이나 ±∞가 있습니다 (마스크가 아니라 넘침): e^(x_j − max) / Σ는 NaN, 그래서 {short}[{i}][{j}] = NaN");
        /// The first non-finite value of the pass.
        FirstNonFinite { at: String, value: String }
            samples [{ at: "enc.0.attn.scores[0][1][2]".into(), value: "∞".into() }]
            en => format!("the first non-finite value of this pass is {at} = {value}"),
            ko => format!("이번 계산에서 처음 나온 유한하지 않은 값: {at} = {value}");
        /// A fully masked softmax row.
        SoftmaxAllMasked { rt: String }
            samples [{ rt: "<bos>".into() }]
            en => format!("every entry of the row is −∞ (fully masked): {rt} may attend to nothing, and e^(−∞)/Σ would be 0/0"),
            ko => format!("행의 모든 값이 −∞입니다 (전부 마스킹됨): {rt}에는 주목할 곳이 없고, e^(−∞)/Σ는 0/0이 됩니다");
        /// What qkv makes of a fully masked row.
        SoftmaxAllMaskedZero { short: String, i: usize, j: usize }
            samples [{ short: "weights".into(), i: 0, j: 1 }]
            en => format!("qkv sets such a row to all zeros instead of NaN: {short}[{i}][{j}] = 0"),
            ko => format!("qkv는 이런 행을 NaN 대신 모두 0으로 둡니다: {short}[{i}][{j}] = 0");
        /// The note beside a masked cell's softmax weight.
        MaskedExactlyZero {}
            samples [{}]
            en => "masked: exactly 0",
            ko => "마스킹됨: 정확히 0";
        /// A word the vocabulary lacks (`n`: the vocabulary's size).
        EmbUnknown { word: String, n: usize }
            samples [{ word: "바나나".into(), n: 102 }]
            en => format!("{word} is not in the model's vocabulary of {n} words, so it reads as <unk>: every word the model never saw gets the same row, E[<unk>]"),
            ko => format!("{word}는(은) 모델의 어휘(단어 {n}개)에 없어서 <unk>로 읽힙니다: 학습 때 보지 못한 모든 단어가 같은 행 E[<unk>]를 씁니다");
        /// A token's row of the embedding table (`n`: its width).
        EmbRow { i: usize, token: String, n: usize }
            samples [{ i: 1, token: "학교에".into(), n: 32 }]
            en => format!("row {i} is the token {token}; its vector E[{token}] is its row of the embedding table ({n} values)"),
            ko => format!("행 {i}: 토큰 {token}. 그 벡터 E[{token}]는 임베딩 표의 한 행입니다 (값 {n}개)");
        /// A trained table's row.
        EmbTrained { token: String }
            samples [{ token: "학교에".into() }]
            en => format!("E[{token}] is {token}'s row of the trained model's embedding table embed.E (learned, not drawn at random)"),
            ko => format!("E[{token}]: 학습된 모델의 임베딩 표 embed.E에서 {token}의 행입니다 (학습으로 정해진 값)");
        /// An overridden row.
        EmbOverridden { token: String }
            samples [{ token: "banana".into() }]
            en => format!("E[{token}] is overridden (a scenario's `embeddings:` or `set embed`), not drawn at random"),
            ko => format!("E[{token}]: 무작위로 뽑지 않고 지정한 값입니다 (시나리오의 `embeddings:` 또는 `set embed`)");
        /// A seeded row (`a`: the bound √(3/d_model), as printed).
        EmbSeeded { token: String, seed: u64, a: String }
            samples [{ token: "간다".into(), seed: 42, a: "0.3062".into() }]
            en => format!("E[{token}] is drawn uniformly from ±√(3/d_model) = ±{a} by the random stream of (seed {seed}, \"embed:{token}\"): the same token has the same vector in every sentence"),
            ko => format!("E[{token}]: (시드 {seed}, \"embed:{token}\")의 난수열로 ±√(3/d_model) = ±{a} 안에서 고르게 뽑습니다. 같은 토큰은 어느 문장에서나 같은 벡터입니다");
        /// The title of a token embedding (a word, or a Marian piece).
        EmbTitle { label: String, i: usize, d: usize }
            samples [{ label: "학교에".into(), i: 1, d: 3 }]
            en => format!("token embedding of {label} (row {i}), dimension {d}"),
            ko => format!("토큰 임베딩(embedding): {label} (행 {i}), 차원 {d}");
        /// A Marian piece's row of the shared table (`n`: its width).
        MarianPiece { i: usize, piece: String, id: usize, n: usize }
            samples [{ i: 0, piece: "▁나는".into(), id: 1234, n: 512 }]
            en => format!("row {i} is the piece {piece}, id {id} in vocab.json; its vector is row {id} of embed.E (one table for source, target and output, {n} values)"),
            ko => format!("행 {i}: 조각(piece) {piece}, vocab.json의 id {id}. 그 벡터는 embed.E의 행 {id}입니다 (원문, 번역문, 출력이 함께 쓰는 표, 값 {n}개)");
        /// Marian's halves of sin and cos (`func`: `sin` or `cos`).
        MarianSinusoids { half: usize, col: usize, func: String, j: usize }
            samples [{ half: 256, col: 300, func: "cos".into(), j: 44 }]
            en => format!("Marian's sinusoids: the first half of the vector (columns 0..{half}) is sin, the second half cos (the paper interleaves them: sin in even columns, cos in odd ones); column c = {col} → {func}, j = {j}"),
            ko => format!("Marian의 위치 인코딩: 앞쪽 절반(열 0..{half})은 sin, 뒤쪽 절반은 cos입니다 (논문은 짝수 열 sin, 홀수 열 cos로 번갈아 놓습니다). 열 c = {col} → {func}, j = {j}");
        /// The title of a positional encoding cell.
        PosTitle { pos: usize, token: String, col: usize }
            samples [{ pos: 2, token: "간다".into(), col: 5 }]
            en => format!("positional encoding of position {pos} ({token}), dimension {col}"),
            ko => format!("위치 인코딩(positional encoding): 위치 {pos} ({token}), 차원 {col}");
        /// The formula with the positional encoding off.
        PosOffFormula { short: String }
            samples [{ short: "pe".into() }]
            en => format!("{short}[pos][c] = 0 (positional encoding off)"),
            ko => format!("{short}[pos][c] = 0 (위치 인코딩 끔)");
        /// A cell with the positional encoding off.
        PosOffLine { short: String, pos: usize, col: usize }
            samples [{ short: "pe".into(), pos: 2, col: 5 }]
            en => format!("positional encoding off (positional: none): {short}[{pos}][{col}] = 0 at every position; word order is invisible to the model"),
            ko => format!("위치 인코딩 끔 (positional: none): 모든 위치에서 {short}[{pos}][{col}] = 0. 모델은 단어 순서를 볼 수 없습니다");
        /// Which sinusoid a column is (sin in even columns, cos in odd ones).
        PosColumn { pos: usize, token: String, col: usize, two_i: usize, d: usize }
            samples [{ pos: 2, token: "간다".into(), col: 5, two_i: 4, d: 32 },
                     { pos: 2, token: "간다".into(), col: 4, two_i: 4, d: 32 }]
            en => format!("pos = {pos} (token {token}), column c = {col}: 2i = {two_i}, {} column → {}; d_model = {d}",
                if col % 2 == 0 { "even" } else { "odd" }, if col % 2 == 0 { "sin" } else { "cos" }),
            ko => format!("pos = {pos} (토큰 {token}), 열 c = {col}: 2i = {two_i}, {} 열 → {}, d_model = {d}",
                if col % 2 == 0 { "짝수" } else { "홀수" }, if col % 2 == 0 { "sin" } else { "cos" });
        /// The range of a learned table's token vectors beside the positional encoding's ±1
        /// (`row_lo … row_hi`: this token's; `root`: √d_model, as printed).
        EmbLearned { scaled: bool, root: String, lo: String, hi: String, token: String, row_lo: String, row_hi: String }
            samples [{ scaled: true, root: "5.6569".into(), lo: "−2.1".into(), hi: "2.3".into(), token: "간다".into(), row_lo: "−1.2".into(), row_hi: "1.9".into() },
                     { scaled: false, root: "5.6569".into(), lo: "−0.4".into(), hi: "0.5".into(), token: "간다".into(), row_lo: "−0.3".into(), row_hi: "0.2".into() }]
            en => if *scaled {
                format!("the learned token vectors (embed.E) times √d_model = {root} lie within {lo} … {hi} ({token}: {row_lo} … {row_hi}), while the positional encoding spans ±1")
            } else {
                format!("this model's token vectors were learned (embed.E): their values lie within {lo} … {hi} ({token}: {row_lo} … {row_hi}), while the positional encoding spans ±1; the paper multiplies token vectors by √d_model = {root}")
            },
            ko => if *scaled {
                format!("학습된 토큰 벡터(embed.E)에 √d_model = {root}를 곱한 값은 {lo} … {hi} 범위에 있습니다 ({token}: {row_lo} … {row_hi}). 위치 인코딩은 ±1에 걸칩니다")
            } else {
                format!("이 모델의 토큰 벡터는 학습된 값(embed.E)으로 {lo} … {hi} 범위에 있고 ({token}: {row_lo} … {row_hi}), 위치 인코딩은 ±1에 걸칩니다. 논문은 토큰 벡터에 √d_model = {root}를 곱합니다")
            };
        /// `embed_scale` on, with random token vectors (`spread`: √(3/d_model); `scaled`:
        /// spread × √d_model; all as printed).
        EmbScaleOn { d: usize, root: String, spread: String, scaled: String }
            samples [{ d: 4, root: "2".into(), spread: "0.866".into(), scaled: "1.7321".into() }]
            en => format!("embed_scale is on: the token vector is multiplied by √d_model = √{d} = {root} (paper §3.4), so random token values of ±√(3/d_model) = ±{spread} become ±{scaled}, as large as the positional encoding's ±1"),
            ko => format!("embed_scale 켬: 토큰 벡터에 √d_model = √{d} = {root}를 곱합니다 (논문 §3.4). 그래서 ±√(3/d_model) = ±{spread}인 무작위 토큰 값이 ±{scaled}가 되어, 위치 인코딩의 ±1만큼 커집니다");
        /// `embed_scale` off, with random token vectors (`outweighs`: how many times the
        /// position outweighs the word, when it does by 2× or more).
        EmbScaleOff { spread: String, outweighs: Option<String>, root: String }
            samples [{ spread: "0.3062".into(), outweighs: Some("3".into()), root: "5.6569".into() },
                     { spread: "0.866".into(), outweighs: None, root: "2".into() }]
            en => format!("embed_scale is off: random token values lie within ±√(3/d_model) = ±{spread} while the positional encoding spans ±1{}; the paper multiplies token vectors by √d_model = {root} (`set model.embed_scale on`)",
                outweighs.as_ref().map(|x| format!(", so the position outweighs the word {x}×")).unwrap_or_default()),
            ko => format!("embed_scale 끔: 무작위 토큰 값은 ±√(3/d_model) = ±{spread} 안에 있고 위치 인코딩은 ±1에 걸칩니다{}. 논문은 토큰 벡터에 √d_model = {root}를 곱합니다 (`set model.embed_scale on`)",
                outweighs.as_ref().map(|x| format!(". 그래서 위치가 단어보다 {x}배 큽니다")).unwrap_or_default());
        /// The title of the sum of a token's vector and its position's encoding.
        SumTitle { token: String, i: usize, col: usize }
            samples [{ token: "간다".into(), i: 2, col: 5 }]
            en => format!("token {token} (row {i}) with its position added, dimension {col}"),
            ko => format!("토큰 {token} (행 {i}) + 그 위치의 위치 인코딩, 차원 {col}");
        /// The title of a head's weighted sum of the values.
        HeadOutTitle { token: String, i: usize, head: String, col: usize }
            samples [{ token: "학교에".into(), i: 1, head: ", head 0".into(), col: 3 }]
            en => format!("attention output of {token} (row {i}){head}, column {col}"),
            ko => format!("어텐션 출력: {token} (행 {i}){head}, 열 {col}");
        /// The weights a head's output reads (`n`: the key tokens).
        HeadOutWeights { w_ref: String, token: String, n: usize }
            samples [{ w_ref: "weights[0]".into(), token: "q0".into(), n: 3 },
                     { w_ref: "weights[0]".into(), token: "q0".into(), n: 1 }]
            en => if *n == 1 {
                format!("weights = {w_ref}: how much {token} takes from the one key token")
            } else {
                format!("weights = {w_ref}: how much {token} takes from each of the {n} key tokens")
            },
            ko => format!("weights = {w_ref}: {token}의 몫을 키 토큰 {n}개에 나눈 가중치");
        /// The values a head's output reads.
        HeadOutValues { v_ref: String, col: usize }
            samples [{ v_ref: "v[:, 1]".into(), col: 1 }]
            en => format!("v = {v_ref}: column {col} of each key token's value"),
            ko => format!("v = {v_ref}: 키 토큰마다 밸류(value)의 열 {col}");
        /// The title of a concatenated heads' cell.
        ConcatTitle { label: String, i: usize, col: usize, h: usize, cc: usize }
            samples [{ label: "간다".into(), i: 2, col: 10, h: 1, cc: 2 }]
            en => format!("head outputs side by side: {label} (row {i}), column {col} = head {h}, column {cc}"),
            ko => format!("멀티헤드(multi-head) 출력 이어 붙이기: {label} (행 {i}), 열 {col} = 헤드 {h}의 열 {cc}");
        /// Which head and column a concatenated column is.
        ConcatColumn { d_k: usize, col: usize, h: usize, cc: usize }
            samples [{ d_k: 8, col: 10, h: 1, cc: 2 }]
            en => format!("d_k = {d_k}: head h = {col} ÷ {d_k} = {h}, its column {col} mod {d_k} = {cc}"),
            ko => format!("d_k = {d_k}: 헤드 h = {col} ÷ {d_k} = {h}, 그 헤드의 열 {col} mod {d_k} = {cc}");
        /// The title of the attention block's output after W_O.
        AttnOutTitle { label: String, i: usize, col: usize }
            samples [{ label: "간다".into(), i: 2, col: 5 }]
            en => format!("attention output of {label} (row {i}), column {col}"),
            ko => format!("어텐션 출력 (W_O 뒤): {label} (행 {i}), 열 {col}");
        /// The title of a residual sum.
        ResidualTitle { label: String, i: usize, col: usize }
            samples [{ label: "간다".into(), i: 2, col: 5 }]
            en => format!("residual sum of {label} (row {i}), column {col}"),
            ko => format!("잔차 연결(residual connection)의 합: {label} (행 {i}), 열 {col}");
        /// What kind of variance LayerNorm takes.
        Biased {}
            samples [{}]
            en => "biased",
            ko => "편향 분산";
        /// The title of a LayerNorm cell.
        LayerNormTitle { label: String, i: usize, col: usize }
            samples [{ label: "간다".into(), i: 2, col: 5 }]
            en => format!("LayerNorm of {label} (row {i}), column {col}"),
            ko => format!("층 정규화(layer normalization): {label} (행 {i}), 열 {col}");
        /// How many inputs of W2 the ReLU cut to 0.
        ReluZeros { zeros: usize, n: usize, x_sym: String }
            samples [{ zeros: 3, n: 8, x_sym: "relu".into() }]
            en => format!("{zeros} of the {n} entries of {x_sym} are 0 (cut by the ReLU): their terms vanish"),
            ko => format!("{x_sym}의 값 {n}개 중 {zeros}개가 0입니다 (ReLU가 잘라 냄): 그 항들은 사라집니다");
        /// The title of an FFN layer's cell: the hidden layer (W1) or the output (W2).
        FfnTitle { output: bool, label: String, i: usize, col: usize }
            samples [{ output: true, label: "간다".into(), i: 2, col: 5 },
                     { output: false, label: "간다".into(), i: 2, col: 5 }]
            en => format!("FFN {} of {label} (row {i}), column {col}", if *output { "output" } else { "hidden layer" }),
            ko => format!("피드포워드(feed-forward) {}: {label} (행 {i}), 열 {col}", if *output { "출력" } else { "은닉층" });
        /// Whether the ReLU passes its input.
        ReluWhy { positive: bool }
            samples [{ positive: true }, { positive: false }]
            en => if *positive { "is positive: it passes unchanged" } else { "is not positive: the ReLU cuts it to 0" },
            ko => if *positive { "(양수): 그대로 통과합니다" } else { "(양수가 아님): ReLU가 0으로 자릅니다" };
        /// The title of a ReLU cell.
        ReluTitle { label: String, i: usize, col: usize }
            samples [{ label: "간다".into(), i: 2, col: 5 }]
            en => format!("ReLU of {label} (row {i}), column {col}"),
            ko => format!("ReLU: {label} (행 {i}), 열 {col}");
        /// What SiLU does, beside the paper's ReLU.
        SiluNote {}
            samples [{}]
            en => "SiLU (Marian's \"swish\", from config.json) passes large positive values almost unchanged and sends large negative ones to almost 0, but keeps a little of small negative ones (its lowest value is about −0.28, at hidden ≈ −1.28); the paper's ReLU cuts every negative value to 0",
            ko => "SiLU(Marian의 config.json에서 \"swish\")는 큰 양수는 거의 그대로, 큰 음수는 거의 0으로 보내지만, 작은 음수는 조금 남깁니다 (최솟값은 hidden ≈ −1.28에서 약 −0.28). 논문의 ReLU는 음수를 모두 0으로 자릅니다";
        /// The title of a SiLU cell.
        SiluTitle { label: String, i: usize, col: usize }
            samples [{ label: "간다".into(), i: 2, col: 5 }]
            en => format!("SiLU of {label} (row {i}), column {col}"),
            ko => format!("SiLU: {label} (행 {i}), 열 {col}");
        /// The title of a logit.
        LogitsTitle { label: String, i: usize, token: String, col: usize }
            samples [{ label: "I".into(), i: 1, token: "go".into(), col: 8 }]
            en => format!("score of the vocabulary token {token} (column {col}) at {label} (row {i})"),
            ko => format!("로짓(logit): {label} (행 {i}) 자리에서 어휘 토큰 {token} (열 {col})의 점수");
        /// The formula of a logit (the output projection tied to the embeddings).
        LogitsFormula { short: String, x_name: String }
            samples [{ short: "logits".into(), x_name: "dec.1.add_norm3.out".into() }]
            en => format!("{short}[i][c] = x[i] · E[vocab_c] (output projection tied to the embeddings), x = {x_name}"),
            ko => format!("{short}[i][c] = x[i] · E[vocab_c] (출력 투영은 임베딩과 공유), x = {x_name}");
        /// The row and the embedding a logit multiplies.
        LogitsOperands { x_ref: String, label: String, token: String, e_name: String, col: usize }
            samples [{ x_ref: "dec.1.add_norm3.out[1]".into(), label: "I".into(), token: "go".into(), e_name: "embed.E".into(), col: 8 }]
            en => format!("x = {x_ref} ({label}), E[{token}] = row {col} of {e_name}: the embedding of {token}"),
            ko => format!("x = {x_ref} ({label}), E[{token}] = {e_name}의 행 {col}: {token}의 임베딩");
        /// The title of a Marian logit with its bias.
        LogitsBiasTitle { label: String, i: usize, token: String, col: usize }
            samples [{ label: "▁I".into(), i: 1, token: "▁go".into(), col: 812 }]
            en => format!("score of the vocabulary token {token} (column {col}) at {label} (row {i}), with its bias"),
            ko => format!("로짓(logit) + 편향: {label} (행 {i}) 자리에서 어휘 토큰 {token} (열 {col})의 점수");
        /// Marian's final logits bias (`b`: this token's, as printed).
        LogitsBiasNote { token: String, b: String }
            samples [{ token: "▁go".into(), b: "−1.25".into() }]
            en => format!("Marian adds one bias per vocabulary entry (final_logits_bias); the paper has none. {token}'s is {b}"),
            ko => format!("Marian은 어휘 항목마다 편향 하나를 더합니다 (final_logits_bias). 논문에는 없습니다. {token}의 편향은 {b}입니다");
        /// The note when the operands shown no longer give the trace's value.
        RecomputedDiffers { r: String, value: String }
            samples [{ r: "0.25".into(), value: "0.5".into() }]
            en => format!("note: these operands give {r}, but the trace holds {value}: the model or the input changed after this trace was computed; rerun it"),
            ko => format!("주의: 이 피연산자들로 계산한 값은 {r}, 트레이스의 값은 {value}입니다. 이 트레이스를 계산한 뒤 모델이나 입력이 바뀌었으니 다시 실행하세요");
        /// How a row of the seeded embedding table was drawn (`a`: the bound, as printed).
        WeightEmbDrawn { d: usize, a: String, seed: u64, row_label: String }
            samples [{ d: 8, a: "0.6124".into(), seed: 42, row_label: "간다".into() }]
            en => format!("drawn from U(−a, a) with a = √(3/d_model) = √(3/{d}) = {a} by the random stream of (seed {seed}, \"embed:{row_label}\")"),
            ko => format!("U(−a, a)에서 뽑았습니다: a = √(3/d_model) = √(3/{d}) = {a}, 난수열 (시드 {seed}, \"embed:{row_label}\")");
        /// How a Xavier-initialised matrix was drawn (`r` × `k`; `a`: the bound, as printed).
        WeightXavier { r: usize, k: usize, a: String, seed: u64, name: String }
            samples [{ r: 8, k: 8, a: "0.6124".into(), seed: 42, name: "enc.0.attn.W_Q".into() }]
            en => format!("drawn from U(−a, a) with a = √(6/(rows + columns)) = √(6/({r} + {k})) = {a} (Xavier) by the random stream of (seed {seed}, \"{name}\")"),
            ko => format!("U(−a, a)에서 뽑았습니다: a = √(6/(행 + 열)) = √(6/({r} + {k})) = {a} (Xavier), 난수열 (시드 {seed}, \"{name}\")");
        /// A LayerNorm gain's start.
        WeightOnes {}
            samples [{}]
            en => "it starts at 1, as every LayerNorm gain does",
            ko => "LayerNorm의 배율(gain)이라 모두 1에서 시작합니다";
        /// A bias's or LayerNorm shift's start.
        WeightZeros {}
            samples [{}]
            en => "it starts at 0, as every bias and LayerNorm shift does",
            ko => "편향(bias)과 LayerNorm의 이동(shift)은 모두 0에서 시작합니다";
        /// Where a weight's number sits: an entry of a vector, a row of the embedding table
        /// (`row_label`: its token), or a cell of a matrix.
        WeightPlace { name: String, shape: String, wi: usize, wj: usize, vector: bool, row_label: Option<String> }
            samples [{ name: "enc.0.norm1.gamma".into(), shape: "8".into(), wi: 0, wj: 3, vector: true, row_label: None },
                     { name: "embed.E".into(), shape: "102×32".into(), wi: 5, wj: 3, vector: false, row_label: Some("학교에".into()) },
                     { name: "enc.0.attn.W_Q".into(), shape: "8×8".into(), wi: 5, wj: 3, vector: false, row_label: None }]
            en => match (vector, row_label) {
                (true, _) => format!("entry {wj} of {name} ({shape})"),
                (false, Some(l)) => format!("row {wi} ({l}), column {wj} of {name} ({shape})"),
                (false, None) => format!("row {wi}, column {wj} of {name} ({shape})"),
            },
            ko => match (vector, row_label) {
                (true, _) => format!("{name} ({shape})의 {wj}번째 값"),
                (false, Some(l)) => format!("{name} ({shape})의 행 {wi} ({l}), 열 {wj}"),
                (false, None) => format!("{name} ({shape})의 행 {wi}, 열 {wj}"),
            };
        /// The head a weight's cell belongs to (`slice`: the head's view of it).
        WeightHeadPart { h: usize, slice: String, i: usize, j: usize }
            samples [{ h: 1, slice: "W_Q[1]".into(), i: 5, j: 3 }]
            en => format!("; head {h}'s slice {slice}[{i}][{j}]"),
            ko => format!("; 헤드 {h}의 조각 {slice}[{i}][{j}]");
        /// The title of a trained weight's cell (`place`, `head`: the parts above).
        WeightLearnedTitle { place: String, head: String }
            samples [{ place: "row 5, column 3 of W_Q (8×8)".into(), head: String::new() }]
            en => format!("a learned number: {place}{head}"),
            ko => format!("학습된 수: {place}{head}");
        /// The formula of a trained weight's cell.
        WeightLearnedFormula { formula: String, steps: usize }
            samples [{ formula: "W_Q[i][j]".into(), steps: 400 }]
            en => format!("{formula} = its initial value + the changes of {steps} training updates"),
            ko => format!("{formula} = 초기값 + 학습 갱신 {steps}번의 변화");
        /// A trained weight's initial value and how it was drawn.
        WeightInitial { value: String, how: String }
            samples [{ value: "0.25".into(), how: "drawn from U(−a, a)".into() }]
            en => format!("initial value: {value}, {how} before training"),
            ko => format!("초기값: {value}. 학습 전에 {how}");
        /// A trained weight's value and the change training made (`value − start = change`).
        WeightNowChanged { value: String, steps: usize, start: String, change: String }
            samples [{ value: "0.5".into(), steps: 400, start: "0.25".into(), change: "0.25".into() }]
            en => format!("value now: {value}, after {steps} updates: training changed it by {value} − {start} = {change}"),
            ko => format!("지금 값: {value}. 갱신 {steps}번 뒤의 값이며, 학습이 바꾼 양은 {value} − {start} = {change}");
        /// A trained weight's value, its start unknown.
        WeightNow { value: String, steps: usize }
            samples [{ value: "0.5".into(), steps: 400 }]
            en => format!("value now: {value}, after {steps} updates"),
            ko => format!("지금 값: {value}. 갱신 {steps}번 뒤의 값입니다");
        /// Why a checkpoint's last gradient is unknown.
        WeightNoLastGrad {}
            samples [{}]
            en => "its last training gradient and update are not known here: the checkpoint keeps the weights, not the gradients or the optimiser's steps",
            ko => "마지막 학습 기울기와 갱신량은 여기서 알 수 없습니다: 체크포인트는 가중치만 담고 기울기나 옵티마이저의 갱신은 담지 않습니다";
        /// The title of an untrained weight's cell.
        WeightRandomTitle { place: String, head: String }
            samples [{ place: "row 5, column 3 of W_Q (8×8)".into(), head: "; head 1's slice W_Q[1][5][1]".into() }]
            en => format!("a random number, not learned: {place}{head}"),
            ko => format!("학습하지 않은 무작위 수: {place}{head}");
        /// The formula of an untrained vector's entry (`start`: its start, `1` or `0`).
        WeightVectorStart { short: String, start: String }
            samples [{ short: "gamma".into(), start: "1".into() }]
            en => format!("{short}[j] = {start} at the start"),
            ko => format!("{short}[j] = {start} (처음 값)");
        /// A weight set by hand since its start.
        WeightSetSince { start: String, value: String }
            samples [{ start: "0.25".into(), value: "2".into() }]
            en => format!("it started at {start}, and was set to {value} since (a scenario's `weights:` or `set weight`)"),
            ko => format!("{start}에서 시작했고, 그 뒤 {value}로 지정되었습니다 (시나리오의 `weights:` 또는 `set weight`)");
        /// A weight's gradient on this sentence's loss.
        WeightGrad { address: String, g: String }
            samples [{ address: "enc.0.attn.W_Q[0][1]".into(), g: "0.0125".into() }]
            en => format!("its gradient on this sentence's loss: ∂loss/∂{address} = {g}"),
            ko => format!("이 문장의 손실에 대한 기울기: ∂loss/∂{address} = {g}");
        /// How to get a weight's gradient.
        WeightNoGrad { address: String }
            samples [{ address: "enc.0.attn.W_Q[0][1]".into() }]
            en => format!("no gradient of it has been computed for this sentence: `grad {address}` computes one"),
            ko => format!("이 문장에 대한 기울기는 아직 계산하지 않았습니다: `grad {address}`로 계산합니다");
        /// The steps that read a weight, joined.
        WeightReaders { readers: String }
            samples [{ readers: "enc.0.attn.q, enc.1.attn.q".into() }]
            en => format!("read by: {readers}"),
            ko => format!("이 값을 읽는 단계: {readers}");
        /// How many terms a long sum has and how many are not shown.
        CountNote { n: usize, hidden: usize }
            samples [{ n: 32, hidden: 24 }]
            en => format!("  ({n} terms, {hidden} not shown)"),
            ko => format!("  (항 {n}개, {hidden}개 생략)");
        /// A long vector with its middle elided, and its length.
        ListCount { joined: String, n: usize }
            samples [{ joined: "1, 2, …, 7, 8".into(), n: 32 }]
            en => format!("[{joined}]  ({n} values)"),
            ko => format!("[{joined}]  (값 {n}개)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_explanation_sentence_has_both_texts_with_the_same_numbers() {
        // Two say a number in words in English and in digits in Korean: "all zeros"
        // (`모두 0으로`) and "the one key token" (`키 토큰 1개`).
        let (words, rest): (Vec<_>, Vec<_>) = ExplainText::samples().into_iter().partition(|m| {
            matches!(
                m,
                ExplainText::SoftmaxAllMaskedZero { .. } | ExplainText::HeadOutWeights { n: 1, .. }
            )
        });
        crate::i18n::check::both_texts(&rest, ExplainText::text);
        assert_eq!(words.len(), 2);
        for m in words {
            let (en, ko) = (m.text(Lang::En), m.text(Lang::Ko));
            assert!(crate::i18n::check::has_hangul(&ko), "{m:?}");
            assert!(
                en.contains("all zeros") || en.contains("the one key token"),
                "{en}"
            );
        }
    }
}
