//! What each key of the workbench does, as `?` lists it ([`KeyDoc`]), and the headings of
//! that list ([`KeyGroup`]), in both languages. The keys themselves are in
//! [`crate::keymap::KEYMAP`]; these texts name no key a table row does not give.

use super::*;

/// A heading of the key list: where the keys below it apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its English text
pub enum KeyGroup {
    Panes,
    Learn,
    Decode,
    Explorers,
    Boxes,
    Editing,
    Confirm,
}

impl KeyGroup {
    /// Every heading, in the order `?` shows them.
    pub const ALL: [KeyGroup; 7] = [
        KeyGroup::Panes,
        KeyGroup::Learn,
        KeyGroup::Decode,
        KeyGroup::Explorers,
        KeyGroup::Boxes,
        KeyGroup::Editing,
        KeyGroup::Confirm,
    ];

    /// The heading in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, KeyGroup::Panes) => "The workbench: pipeline, matrix, detail",
            (Lang::En, KeyGroup::Learn) => "The Learn view",
            (Lang::En, KeyGroup::Decode) => "The Decode view",
            (Lang::En, KeyGroup::Explorers) => "The explorers: PE, scaling, all heads",
            (Lang::En, KeyGroup::Boxes) => {
                "In a box: this list, a command's output, the scenario's description"
            }
            (Lang::En, KeyGroup::Editing) => "Editing a sentence, a command or a file name",
            (Lang::En, KeyGroup::Confirm) => "Asked whether to overwrite a file",
            (Lang::Ko, KeyGroup::Panes) => "워크벤치: 파이프라인, 행렬, 설명 창",
            (Lang::Ko, KeyGroup::Learn) => "학습 화면",
            (Lang::Ko, KeyGroup::Decode) => "디코딩 화면",
            (Lang::Ko, KeyGroup::Explorers) => "탐색기: 위치 인코딩, 스케일링, 모든 헤드",
            (Lang::Ko, KeyGroup::Boxes) => "상자 안에서: 이 목록, 명령의 출력, 시나리오 소개",
            (Lang::Ko, KeyGroup::Editing) => "문장, 명령, 파일 이름을 편집할 때",
            (Lang::Ko, KeyGroup::Confirm) => "파일을 덮어쓸지 물을 때",
        }
    }
}

/// What a key (or a pair of keys) does, in the key list of `?` and the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its English text
pub enum KeyDoc {
    Move,
    Page,
    Ends,
    Panes,
    Activate,
    Step,
    Head,
    Layer,
    EditSource,
    EditTarget,
    Mask,
    Scale,
    Pe,
    Norm,
    Prompt,
    Save,
    Plot,
    Replay,
    Cancel,
    About,
    Grad,
    Decode,
    Practice,
    Learn,
    PeExplorer,
    ScalingExplorer,
    Heads,
    Help,
    Quit,
    Mouse,
    LearnPause,
    LearnBack,
    LearnTrain,
    LearnStep,
    LearnSnapshot,
    LearnScrub,
    LearnLast,
    LearnBlock,
    LearnSave,
    LearnDecode,
    DecodeBack,
    DecodeNext,
    DecodePrev,
    DecodeForce,
    DecodeRestart,
    DecodeLearn,
    ExploreBack,
    ExploreOwn,
    ExploreOther,
    ExploreP,
    ExploreK,
    ExplorePair,
    ExploreHead,
    ExploreDk,
    ExploreHeads,
    ExploreOpen,
    Lens,
    LensPosition,
    BoxStart,
    BoxClose,
    BoxScroll,
    BoxPage,
    BoxEnds,
    EditRun,
    EditCancel,
    EditHome,
    EditEnd,
    EditClear,
    EditMove,
    EditDelete,
    EditComplete,
    EditHistory,
    ConfirmYes,
    ConfirmNo,
}

impl KeyDoc {
    /// Every text.
    pub const ALL: [KeyDoc; 74] = [
        KeyDoc::Move,
        KeyDoc::Page,
        KeyDoc::Ends,
        KeyDoc::Panes,
        KeyDoc::Activate,
        KeyDoc::Step,
        KeyDoc::Head,
        KeyDoc::Layer,
        KeyDoc::EditSource,
        KeyDoc::EditTarget,
        KeyDoc::Mask,
        KeyDoc::Scale,
        KeyDoc::Pe,
        KeyDoc::Norm,
        KeyDoc::Prompt,
        KeyDoc::Save,
        KeyDoc::Plot,
        KeyDoc::Replay,
        KeyDoc::Cancel,
        KeyDoc::About,
        KeyDoc::Grad,
        KeyDoc::Decode,
        KeyDoc::Practice,
        KeyDoc::Learn,
        KeyDoc::PeExplorer,
        KeyDoc::ScalingExplorer,
        KeyDoc::Heads,
        KeyDoc::Help,
        KeyDoc::Quit,
        KeyDoc::Mouse,
        KeyDoc::LearnPause,
        KeyDoc::LearnBack,
        KeyDoc::LearnTrain,
        KeyDoc::LearnStep,
        KeyDoc::LearnSnapshot,
        KeyDoc::LearnScrub,
        KeyDoc::LearnLast,
        KeyDoc::LearnBlock,
        KeyDoc::LearnSave,
        KeyDoc::LearnDecode,
        KeyDoc::DecodeBack,
        KeyDoc::DecodeNext,
        KeyDoc::DecodePrev,
        KeyDoc::DecodeForce,
        KeyDoc::DecodeRestart,
        KeyDoc::DecodeLearn,
        KeyDoc::ExploreBack,
        KeyDoc::ExploreOwn,
        KeyDoc::ExploreOther,
        KeyDoc::ExploreP,
        KeyDoc::ExploreK,
        KeyDoc::ExplorePair,
        KeyDoc::ExploreHead,
        KeyDoc::ExploreDk,
        KeyDoc::ExploreHeads,
        KeyDoc::ExploreOpen,
        KeyDoc::Lens,
        KeyDoc::LensPosition,
        KeyDoc::BoxStart,
        KeyDoc::BoxClose,
        KeyDoc::BoxScroll,
        KeyDoc::BoxPage,
        KeyDoc::BoxEnds,
        KeyDoc::EditRun,
        KeyDoc::EditCancel,
        KeyDoc::EditHome,
        KeyDoc::EditEnd,
        KeyDoc::EditClear,
        KeyDoc::EditMove,
        KeyDoc::EditDelete,
        KeyDoc::EditComplete,
        KeyDoc::EditHistory,
        KeyDoc::ConfirmYes,
        KeyDoc::ConfirmNo,
    ];

    /// The text in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en(),
            Lang::Ko => self.ko(),
        }
    }

    #[expect(clippy::too_many_lines, reason = "one arm per text.")]
    fn en(self) -> &'static str {
        match self {
            KeyDoc::Move => "move the cell (matrix), the cursor (pipeline), scroll (detail)",
            KeyDoc::Page => "a screenful up / down",
            KeyDoc::Ends => "first / last column (pipeline and detail: top / bottom)",
            KeyDoc::Panes => "next / previous pane: pipeline → matrix → detail",
            KeyDoc::Activate => {
                "pipeline: select the step, open or close a section; tour: next stop"
            }
            KeyDoc::Step => "next / previous step in pipeline order (tour: next / previous stop)",
            KeyDoc::Head => "previous / next head",
            KeyDoc::Layer => "previous / next layer",
            KeyDoc::EditSource => "edit the source sentence: Enter reruns, Esc cancels",
            KeyDoc::EditTarget => "edit the target sentence (encoder-decoder)",
            KeyDoc::Mask => "encoder mask on / off (causal); every rerun highlights what changed",
            KeyDoc::Scale => "scaling by √d_k on / off",
            KeyDoc::Pe => "positional encoding on / off",
            KeyDoc::Norm => "post-LN / pre-LN",
            KeyDoc::Prompt => {
                "command prompt, the REPL's language: help, show, explain, set, attend, …"
            }
            KeyDoc::Save => {
                "save the session as a scenario (asks for the file; never overwrites silently)"
            }
            KeyDoc::Plot => {
                "the matrix on screen as an SVG picture, the cell explained (asks for the file)"
            }
            KeyDoc::Replay => "replay the scenario's guided tour (its stops, one at a time)",
            KeyDoc::Cancel => {
                "clear the change highlight and the status line; end a tour or a practice"
            }
            KeyDoc::About => "the scenario's title and description (shown when it opens)",
            KeyDoc::Grad => {
                "gradient view: the matrix shows ∂loss/∂(this step), red raises the loss, blue lowers it"
            }
            KeyDoc::Decode => "Decode view: one output token at a time",
            KeyDoc::Practice => {
                "practice: hide the selected cell (its row on a softmax or LayerNorm step) as ?, type your answer, Enter grades it with the arithmetic beside it and the wrong term highlighted; Esc leaves (the score stays); `:practice` asks the scenario's questions"
            }
            KeyDoc::Learn => "Learn view: train an untrained model and watch the loss fall",
            KeyDoc::PeExplorer => {
                "PE explorer: sin/cos waves, PE(p)·PE(p+k), the rotation PE(p) → PE(p+k)"
            }
            KeyDoc::ScalingExplorer => {
                "scaling explorer: Var(q·k) against d_k, softmax rows with / without ÷√d_k"
            }
            KeyDoc::Heads => "all heads: a heatmap per layer × head, its entropy and role",
            KeyDoc::Help => "this list of every key",
            KeyDoc::Quit => "quit (asks once when there are unsaved changes)",
            KeyDoc::Mouse => "click a pipeline line, a cell or a head tab; the wheel scrolls",
            KeyDoc::LearnPause => "while training: pause",
            KeyDoc::LearnBack => "back to the workbench",
            KeyDoc::LearnTrain => "start / pause training (updates run between frames)",
            KeyDoc::LearnStep => "one training update",
            KeyDoc::LearnSnapshot => "keep the current weights as a snapshot",
            KeyDoc::LearnScrub => "previous / next snapshot",
            KeyDoc::LearnLast => "back to the live weights",
            KeyDoc::LearnBlock => {
                "previous / next head, previous / next attention block of the sentence"
            }
            KeyDoc::LearnSave => "save the trained model as a checkpoint (asks for the file)",
            KeyDoc::LearnDecode => "Decode view with the weights as they are now",
            KeyDoc::DecodeBack => "back to the workbench",
            KeyDoc::DecodeNext => "next token: the model's choice",
            KeyDoc::DecodePrev => "back one token",
            KeyDoc::DecodeForce => "put your own next token instead of the model's",
            KeyDoc::DecodeRestart => "start again from <bos>",
            KeyDoc::DecodeLearn => "Learn view",
            KeyDoc::ExploreBack => "back to the workbench",
            KeyDoc::ExploreOwn => "the key that opened this explorer closes it again",
            KeyDoc::ExploreOther => "another explorer: PE, scaling, all heads, logit lens",
            KeyDoc::ExploreP => "PE explorer: position p left / right",
            KeyDoc::ExploreK => "PE explorer: offset k up / down",
            KeyDoc::ExplorePair => "PE explorer: previous / next sin/cos pair i",
            KeyDoc::ExploreHead => {
                "the other explorers: act on the workbench behind the view (its previous / next head, its pipeline line)"
            }
            KeyDoc::ExploreDk => "scaling explorer: a smaller / larger d_k",
            KeyDoc::ExploreHeads => "heads explorer: choose a head in the grid",
            KeyDoc::Lens => {
                "logit lens: each decoder layer's output read as the next word (decoders)"
            }
            KeyDoc::LensPosition => "logit lens: position left / right",
            KeyDoc::ExploreOpen => "heads explorer: open the chosen head on the workbench",
            KeyDoc::BoxStart => "the scenario's box before a tour: start the tour",
            KeyDoc::BoxClose => {
                "close the box; in a command's output or the description any pane key closes it and acts"
            }
            KeyDoc::BoxScroll => "scroll a line",
            KeyDoc::BoxPage => "scroll a screenful",
            KeyDoc::BoxEnds => "top / bottom",
            KeyDoc::EditRun => {
                "run (a sentence reruns the model, a command runs, a file is written)"
            }
            KeyDoc::EditCancel => "cancel, nothing changes",
            KeyDoc::EditHome => "cursor to the start",
            KeyDoc::EditEnd => "cursor to the end",
            KeyDoc::EditClear => "empty the line",
            KeyDoc::EditMove => "cursor left / right",
            KeyDoc::EditDelete => "delete before / under the cursor",
            KeyDoc::EditComplete => "command prompt: complete the word (as the REPL does)",
            KeyDoc::EditHistory => "command prompt: older / newer command",
            KeyDoc::ConfirmYes => "overwrite the file",
            KeyDoc::ConfirmNo => "keep the file, write nothing",
        }
    }

    #[expect(clippy::too_many_lines, reason = "one arm per text.")]
    fn ko(self) -> &'static str {
        match self {
            KeyDoc::Move => "칸 이동 (행렬), 커서 이동 (파이프라인), 스크롤 (설명 창)",
            KeyDoc::Page => "한 화면 위 / 아래로",
            KeyDoc::Ends => "첫 / 마지막 열 (파이프라인과 설명 창에서는 맨 위 / 맨 아래)",
            KeyDoc::Panes => "다음 / 이전 창으로: 파이프라인 → 행렬 → 설명",
            KeyDoc::Activate => {
                "파이프라인: 단계를 고르거나 묶음을 펴고 접습니다. 둘러보기: 다음 지점"
            }
            KeyDoc::Step => "파이프라인 순서로 다음 / 이전 단계 (둘러보기에서는 다음 / 이전 지점)",
            KeyDoc::Head => "이전 / 다음 헤드 (멀티헤드(multi-head)의 헤드)",
            KeyDoc::Layer => "이전 / 다음 층",
            KeyDoc::EditSource => "원문 문장 편집: Enter로 다시 계산하고 Esc로 취소합니다",
            KeyDoc::EditTarget => "목표 문장 편집 (인코더-디코더(encoder-decoder))",
            KeyDoc::Mask => {
                "인코더 마스킹(masking) 켜기 / 끄기 (인과 마스크). 다시 계산할 때마다 바뀐 칸을 강조합니다"
            }
            KeyDoc::Scale => "√d_k로 나누는 스케일링(scaling) 켜기 / 끄기",
            KeyDoc::Pe => "위치 인코딩(positional encoding) 켜기 / 끄기",
            KeyDoc::Norm => "post-LN / pre-LN 층 정규화(layer normalization) 위치 바꾸기",
            KeyDoc::Prompt => {
                "명령 입력줄, REPL과 같은 명령 언어: help, show, explain, set, attend, …"
            }
            KeyDoc::Save => {
                "세션을 시나리오 파일로 저장 (파일 이름을 묻고, 말없이 덮어쓰지 않습니다)"
            }
            KeyDoc::Plot => {
                "화면의 행렬을 SVG 그림으로 저장하고 고른 칸의 설명을 곁들입니다 (파일 이름을 묻습니다)"
            }
            KeyDoc::Replay => "시나리오의 안내 둘러보기 다시 보기 (지점을 하나씩 봅니다)",
            KeyDoc::Cancel => "바뀐 칸 강조와 상태 줄을 지웁니다. 둘러보기나 연습을 끝냅니다",
            KeyDoc::About => "시나리오의 제목과 설명 (시나리오를 열 때 나옵니다)",
            KeyDoc::Grad => {
                "기울기 보기: 행렬에 ∂loss/∂(이 단계)가 나옵니다. 빨강은 손실을 키우고 파랑은 줄입니다"
            }
            KeyDoc::Decode => "디코딩 화면: 출력 토큰을 하나씩 만듭니다",
            KeyDoc::Practice => {
                "연습: 고른 칸을 ?로 가리고 (소프트맥스나 층 정규화 단계에서는 그 행 전체) 답을 입력받습니다. Enter를 누르면 채점하고 계산 과정을 옆에 보여 주며, 틀린 항을 강조합니다. Esc로 연습을 끝냅니다 (점수는 남습니다). `:practice`는 시나리오의 문제를 냅니다"
            }
            KeyDoc::Learn => "학습 화면: 학습 전 모델을 학습시키며 손실이 줄어드는 것을 봅니다",
            KeyDoc::PeExplorer => {
                "위치 인코딩 탐색기: sin/cos 파동, PE(p)·PE(p+k), PE(p) → PE(p+k) 회전"
            }
            KeyDoc::ScalingExplorer => {
                "스케일링 탐색기: d_k에 따른 Var(q·k), ÷√d_k를 했을 때와 안 했을 때의 소프트맥스 행"
            }
            KeyDoc::Heads => "모든 헤드: 층 × 헤드마다 히트맵, 엔트로피와 역할",
            KeyDoc::Help => "모든 키를 보여 주는 이 목록",
            KeyDoc::Quit => "끝내기 (저장하지 않은 변경이 있으면 한 번 묻습니다)",
            KeyDoc::Mouse => "파이프라인 줄, 칸, 헤드 탭을 클릭합니다. 휠로 스크롤합니다",
            KeyDoc::LearnPause => "학습 중에는 일시 정지",
            KeyDoc::LearnBack => "워크벤치로 돌아가기",
            KeyDoc::LearnTrain => "학습 시작 / 일시 정지 (화면을 그리는 사이사이에 갱신합니다)",
            KeyDoc::LearnStep => "학습 한 번 갱신",
            KeyDoc::LearnSnapshot => "지금 가중치를 스냅숏으로 보관",
            KeyDoc::LearnScrub => "이전 / 다음 스냅숏",
            KeyDoc::LearnLast => "지금 학습 중인 가중치로 돌아가기",
            KeyDoc::LearnBlock => "이전 / 다음 헤드, 문장의 이전 / 다음 어텐션 블록",
            KeyDoc::LearnSave => "학습한 모델을 체크포인트로 저장 (파일 이름을 묻습니다)",
            KeyDoc::LearnDecode => "지금 가중치로 디코딩 화면 열기",
            KeyDoc::DecodeBack => "워크벤치로 돌아가기",
            KeyDoc::DecodeNext => "다음 토큰: 모델이 고른 토큰",
            KeyDoc::DecodePrev => "토큰 하나 되돌리기",
            KeyDoc::DecodeForce => "모델 대신 직접 고른 다음 토큰 넣기",
            KeyDoc::DecodeRestart => "<bos>부터 다시 시작",
            KeyDoc::DecodeLearn => "학습 화면",
            KeyDoc::ExploreBack => "워크벤치로 돌아가기",
            KeyDoc::ExploreOwn => "이 탐색기를 연 키를 다시 누르면 닫힙니다",
            KeyDoc::ExploreOther => "다른 탐색기: 위치 인코딩, 스케일링, 모든 헤드, 로짓 렌즈",
            KeyDoc::ExploreP => "위치 인코딩 탐색기: 위치 p를 왼쪽 / 오른쪽으로",
            KeyDoc::ExploreK => "위치 인코딩 탐색기: 거리 k를 위 / 아래로",
            KeyDoc::ExplorePair => "위치 인코딩 탐색기: 이전 / 다음 sin/cos 짝 i",
            KeyDoc::ExploreHead => {
                "다른 탐색기에서는 뒤에 있는 워크벤치에 작용합니다 (이전 / 다음 헤드, 파이프라인 줄 선택)"
            }
            KeyDoc::ExploreDk => "스케일링 탐색기: 더 작은 / 더 큰 d_k",
            KeyDoc::ExploreHeads => "헤드 탐색기: 격자에서 헤드 고르기",
            KeyDoc::Lens => "로짓 렌즈: 디코더 각 층의 출력을 다음 단어로 읽기 (디코더)",
            KeyDoc::LensPosition => "로짓 렌즈: 위치를 왼쪽 / 오른쪽으로",
            KeyDoc::ExploreOpen => "헤드 탐색기: 고른 헤드를 워크벤치에서 열기",
            KeyDoc::BoxStart => "둘러보기 전에 나오는 시나리오 상자: 둘러보기 시작",
            KeyDoc::BoxClose => {
                "상자를 닫습니다. 명령의 출력이나 시나리오 소개에서는 창에서 쓰는 키를 누르면 닫고 그 일을 합니다"
            }
            KeyDoc::BoxScroll => "한 줄 스크롤",
            KeyDoc::BoxPage => "한 화면 스크롤",
            KeyDoc::BoxEnds => "맨 위 / 맨 아래",
            KeyDoc::EditRun => "실행 (문장은 모델을 다시 계산하고, 명령은 실행하고, 파일은 씁니다)",
            KeyDoc::EditCancel => "취소, 아무것도 바뀌지 않습니다",
            KeyDoc::EditHome => "커서를 맨 앞으로",
            KeyDoc::EditEnd => "커서를 맨 뒤로",
            KeyDoc::EditClear => "줄 비우기",
            KeyDoc::EditMove => "커서를 왼쪽 / 오른쪽으로",
            KeyDoc::EditDelete => "커서 앞 / 커서 위 글자 지우기",
            KeyDoc::EditComplete => "명령 입력줄: 단어 완성 (REPL과 같습니다)",
            KeyDoc::EditHistory => "명령 입력줄: 이전 / 다음 명령",
            KeyDoc::ConfirmYes => "파일 덮어쓰기",
            KeyDoc::ConfirmNo => "파일을 그대로 두고 아무것도 쓰지 않기",
        }
    }
}
