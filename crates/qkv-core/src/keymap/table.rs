//! The table itself. Rows are looked up in order (the first row that applies answers), and
//! listed by `?` in this order under their first context's heading.

use super::{Binding, Ctx, Dir, EXPLORERS, Edit, Foot, Key, Message, SCREENS, Show, When};
use crate::i18n::ui::{Hint, KeyDoc};

use Key::{
    BackTab, Backspace, Char, Ctrl, Delete, Down, End, Enter, Esc, Home, Left, Mouse, PageDown,
    PageUp, Right, Tab, Up,
};

const UP: Message = Message::Move(Dir::Up);
const DOWN: Message = Message::Move(Dir::Down);
const LEFT: Message = Message::Move(Dir::Left);
const RIGHT: Message = Message::Move(Dir::Right);

/// A row that answers always.
const fn row(
    ctx: &'static [Ctx],
    keys: &'static [(Key, Message)],
    doc: KeyDoc,
    foot: Option<Foot>,
) -> Binding {
    Binding {
        ctx,
        keys,
        when: When::Always,
        doc,
        foot,
    }
}

/// A footer place: priority, how many keys it names, its hint, when it shows.
const fn foot(prio: u8, keys: usize, hint: Hint, show: Show) -> Option<Foot> {
    Some(Foot {
        prio,
        keys,
        hint,
        show,
    })
}

/// Every key of the workbench.
pub static KEYMAP: &[Binding] = &[
    // The panes, in the order `?` lists them.
    row(
        &[Ctx::Panes],
        &[
            (Left, LEFT),
            (Up, UP),
            (Down, DOWN),
            (Right, RIGHT),
            (Char('h'), LEFT),
            (Char('j'), DOWN),
            (Char('k'), UP),
            (Char('l'), RIGHT),
        ],
        KeyDoc::Move,
        foot(10, 4, Hint::Cell, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[
            (PageUp, Message::Page(Dir::Up)),
            (PageDown, Message::Page(Dir::Down)),
        ],
        KeyDoc::Page,
        None,
    ),
    row(
        &[Ctx::Panes],
        &[(Home, Message::First), (End, Message::Last)],
        KeyDoc::Ends,
        None,
    ),
    row(
        &[Ctx::Panes],
        &[(Tab, Message::FocusNext), (BackTab, Message::FocusPrev)],
        KeyDoc::Panes,
        foot(90, 1, Hint::Pane, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Enter, Message::Activate)],
        KeyDoc::Activate,
        foot(11, 1, Hint::Select, Show::Tree),
    ),
    row(
        &[Ctx::Panes],
        &[
            (Char('n'), Message::NextStep),
            (Char('p'), Message::PrevStep),
        ],
        KeyDoc::Step,
        foot(20, 2, Hint::Step, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[
            (Char('['), Message::PrevHead),
            (Char(']'), Message::NextHead),
        ],
        KeyDoc::Head,
        foot(55, 2, Hint::Head, Show::Heads),
    ),
    row(
        &[Ctx::Panes],
        &[
            (Char('{'), Message::PrevLayer),
            (Char('}'), Message::NextLayer),
        ],
        KeyDoc::Layer,
        foot(58, 2, Hint::Layer, Show::Layers),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('i'), Message::EditSource)],
        KeyDoc::EditSource,
        foot(50, 1, Hint::Edit, Show::Sentence),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('t'), Message::EditTarget)],
        KeyDoc::EditTarget,
        None,
    ),
    row(
        &[Ctx::Panes],
        &[(Char('m'), Message::ToggleMask)],
        KeyDoc::Mask,
        foot(30, 1, Hint::Toggle, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('s'), Message::ToggleScale)],
        KeyDoc::Scale,
        foot(30, 1, Hint::Toggle, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('e'), Message::TogglePe)],
        KeyDoc::Pe,
        foot(30, 1, Hint::Toggle, Show::Sentence),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('o'), Message::ToggleNorm)],
        KeyDoc::Norm,
        foot(30, 1, Hint::Toggle, Show::Sentence),
    ),
    row(
        SCREENS,
        &[(Char(':'), Message::OpenPrompt)],
        KeyDoc::Prompt,
        foot(40, 1, Hint::Cmd, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('w'), Message::Save)],
        KeyDoc::Save,
        foot(51, 1, Hint::Save, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('x'), Message::Plot)],
        KeyDoc::Plot,
        foot(53, 1, Hint::Svg, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('r'), Message::Replay)],
        KeyDoc::Replay,
        foot(60, 1, Hint::Tour, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Esc, Message::Cancel)],
        KeyDoc::Cancel,
        foot(21, 1, Hint::EndTour, Show::TourOrPractice),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('a'), Message::About)],
        KeyDoc::About,
        foot(61, 1, Hint::About, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('g'), Message::ToggleGrad)],
        KeyDoc::Grad,
        foot(57, 1, Hint::Grad, Show::Sentence),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('d'), Message::OpenDecode)],
        KeyDoc::Decode,
        foot(54, 1, Hint::DecodeLearn, Show::Sentence),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('P'), Message::Practice)],
        KeyDoc::Practice,
        foot(59, 1, Hint::Practice, Show::Always),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('L'), Message::OpenLearn)],
        KeyDoc::Learn,
        foot(54, 1, Hint::DecodeLearn, Show::Sentence),
    ),
    row(
        &[Ctx::Panes],
        &[(Char('E'), Message::OpenPe)],
        KeyDoc::PeExplorer,
        None,
    ),
    row(
        &[Ctx::Panes],
        &[(Char('S'), Message::OpenScaling)],
        KeyDoc::ScalingExplorer,
        None,
    ),
    row(
        &[Ctx::Panes],
        &[(Char('H'), Message::OpenHeads)],
        KeyDoc::Heads,
        None,
    ),
    row(
        &[Ctx::Panes],
        &[(Char('W'), Message::OpenLens)],
        KeyDoc::Lens,
        None,
    ),
    row(
        SCREENS,
        &[(Char('?'), Message::Help)],
        KeyDoc::Help,
        foot(41, 1, Hint::AllKeys, Show::Always),
    ),
    row(
        SCREENS,
        &[(Char('q'), Message::Quit), (Ctrl('c'), Message::Quit)],
        KeyDoc::Quit,
        foot(42, 1, Hint::Quit, Show::Always),
    ),
    // The workbench's mouse handler reads clicks and the wheel with their position; the
    // row is here for the list (no key event is `Key::Mouse`).
    row(
        &[Ctx::Panes],
        &[(Mouse, Message::Click(0, 0))],
        KeyDoc::Mouse,
        None,
    ),
    // The Learn view.
    Binding {
        ctx: &[Ctx::Learn],
        keys: &[
            (Esc, Message::TrainToggle),
            (Ctrl('c'), Message::TrainToggle),
        ],
        when: When::Training,
        doc: KeyDoc::LearnPause,
        foot: None,
    },
    row(
        &[Ctx::Learn],
        &[(Esc, Message::Cancel), (Char('L'), Message::Cancel)],
        KeyDoc::LearnBack,
        foot(13, 1, Hint::Back, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[(Char(' '), Message::TrainToggle)],
        KeyDoc::LearnTrain,
        foot(10, 1, Hint::Train, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[(Char('.'), Message::TrainStep)],
        KeyDoc::LearnStep,
        foot(11, 1, Hint::OneStep, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[(Char('k'), Message::Snapshot)],
        KeyDoc::LearnSnapshot,
        foot(14, 1, Hint::Keep, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[
            (Left, LEFT),
            (Right, RIGHT),
            (Char('<'), LEFT),
            (Char(','), LEFT),
            (Char('>'), RIGHT),
        ],
        KeyDoc::LearnScrub,
        foot(12, 2, Hint::Snapshots, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[(End, Message::Last)],
        KeyDoc::LearnLast,
        None,
    ),
    row(
        &[Ctx::Learn],
        &[
            (Char('['), Message::PrevHead),
            (Char(']'), Message::NextHead),
            (Char('{'), Message::PrevLayer),
            (Char('}'), Message::NextLayer),
        ],
        KeyDoc::LearnBlock,
        foot(80, 4, Hint::HeadBlock, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[(Char('w'), Message::Save)],
        KeyDoc::LearnSave,
        foot(15, 1, Hint::Save, Show::Always),
    ),
    row(
        &[Ctx::Learn],
        &[(Char('d'), Message::OpenDecode)],
        KeyDoc::LearnDecode,
        foot(16, 1, Hint::Decode, Show::Always),
    ),
    // The Decode view.
    row(
        &[Ctx::Decode],
        &[(Esc, Message::Cancel), (Char('d'), Message::Cancel)],
        KeyDoc::DecodeBack,
        foot(12, 1, Hint::Back, Show::Always),
    ),
    row(
        &[Ctx::Decode],
        &[
            (Char('n'), Message::NextStep),
            (Right, Message::NextStep),
            (Enter, Message::NextStep),
        ],
        KeyDoc::DecodeNext,
        foot(10, 1, Hint::NextToken, Show::Always),
    ),
    row(
        &[Ctx::Decode],
        &[
            (Char('p'), Message::PrevStep),
            (Left, Message::PrevStep),
            (Backspace, Message::PrevStep),
        ],
        KeyDoc::DecodePrev,
        foot(11, 1, Hint::Back, Show::Always),
    ),
    row(
        &[Ctx::Decode],
        &[(Char('f'), Message::ForceToken)],
        KeyDoc::DecodeForce,
        foot(13, 1, Hint::YourToken, Show::Always),
    ),
    row(
        &[Ctx::Decode],
        &[(Char('r'), Message::Replay)],
        KeyDoc::DecodeRestart,
        foot(14, 1, Hint::Restart, Show::Always),
    ),
    row(
        &[Ctx::Decode],
        &[(Char('L'), Message::OpenLearn)],
        KeyDoc::DecodeLearn,
        foot(15, 1, Hint::Learn, Show::Always),
    ),
    // The explorers: an explorer's own key closes it, before the row that opens one.
    row(
        EXPLORERS,
        &[(Esc, Message::Cancel)],
        KeyDoc::ExploreBack,
        foot(30, 1, Hint::Back, Show::Always),
    ),
    row(
        &[Ctx::Pe],
        &[(Char('E'), Message::Cancel)],
        KeyDoc::ExploreOwn,
        None,
    ),
    row(
        &[Ctx::Scaling],
        &[(Char('S'), Message::Cancel)],
        KeyDoc::ExploreOwn,
        None,
    ),
    row(
        &[Ctx::Heads],
        &[(Char('H'), Message::Cancel)],
        KeyDoc::ExploreOwn,
        None,
    ),
    row(
        &[Ctx::Lens],
        &[(Char('W'), Message::Cancel)],
        KeyDoc::ExploreOwn,
        None,
    ),
    row(
        &[Ctx::Lens],
        &[
            (Left, LEFT),
            (Right, RIGHT),
            (Char('h'), LEFT),
            (Char('l'), RIGHT),
        ],
        KeyDoc::LensPosition,
        foot(10, 2, Hint::P, Show::Always),
    ),
    row(
        EXPLORERS,
        &[
            (Char('E'), Message::OpenPe),
            (Char('S'), Message::OpenScaling),
            (Char('H'), Message::OpenHeads),
            (Char('W'), Message::OpenLens),
        ],
        KeyDoc::ExploreOther,
        foot(20, 4, Hint::Explorers, Show::Always),
    ),
    row(
        &[Ctx::Pe],
        &[
            (Left, LEFT),
            (Right, RIGHT),
            (Char('h'), LEFT),
            (Char('l'), RIGHT),
        ],
        KeyDoc::ExploreP,
        foot(10, 2, Hint::P, Show::Always),
    ),
    row(
        &[Ctx::Pe],
        &[(Up, UP), (Down, DOWN), (Char('k'), UP), (Char('j'), DOWN)],
        KeyDoc::ExploreK,
        foot(11, 2, Hint::K, Show::Always),
    ),
    row(
        &[Ctx::Pe],
        &[
            (Char('['), Message::PrevHead),
            (Char(']'), Message::NextHead),
        ],
        KeyDoc::ExplorePair,
        foot(9, 2, Hint::PairI, Show::Always),
    ),
    row(
        &[Ctx::Scaling],
        &[
            (Left, LEFT),
            (Right, RIGHT),
            (Down, DOWN),
            (Up, UP),
            (Char('h'), LEFT),
            (Char('l'), RIGHT),
            (Char('j'), DOWN),
            (Char('k'), UP),
        ],
        KeyDoc::ExploreDk,
        foot(10, 2, Hint::Dk, Show::Always),
    ),
    row(
        &[Ctx::Heads],
        &[
            (Left, LEFT),
            (Up, UP),
            (Down, DOWN),
            (Right, RIGHT),
            (Char('h'), LEFT),
            (Char('j'), DOWN),
            (Char('k'), UP),
            (Char('l'), RIGHT),
        ],
        KeyDoc::ExploreHeads,
        foot(10, 4, Hint::Head, Show::Always),
    ),
    row(
        &[Ctx::Heads],
        &[(Enter, Message::Activate)],
        KeyDoc::ExploreOpen,
        foot(11, 1, Hint::Open, Show::Always),
    ),
    row(
        &[Ctx::Scaling, Ctx::Heads],
        &[
            (Char('['), Message::PrevHead),
            (Char(']'), Message::NextHead),
        ],
        KeyDoc::ExploreHead,
        None,
    ),
    row(
        &[Ctx::Pe, Ctx::Scaling],
        &[(Enter, Message::Activate)],
        KeyDoc::ExploreHead,
        None,
    ),
    // Boxes.
    row(
        &[Ctx::TourBox],
        &[(Enter, Message::Activate), (Char('r'), Message::Activate)],
        KeyDoc::BoxStart,
        foot(10, 1, Hint::StartTour, Show::Always),
    ),
    row(
        &[Ctx::Box],
        &[
            (Esc, Message::Cancel),
            (Enter, Message::Cancel),
            (Char('q'), Message::Cancel),
            (Char('?'), Message::Cancel),
            (Ctrl('c'), Message::Cancel),
        ],
        KeyDoc::BoxClose,
        foot(30, 1, Hint::Close, Show::Always),
    ),
    row(
        &[Ctx::Box],
        &[(Up, UP), (Down, DOWN), (Char('k'), UP), (Char('j'), DOWN)],
        KeyDoc::BoxScroll,
        foot(20, 2, Hint::Scroll, Show::Always),
    ),
    row(
        &[Ctx::Box],
        &[
            (PageUp, Message::Page(Dir::Up)),
            (PageDown, Message::Page(Dir::Down)),
            (Char(' '), Message::Page(Dir::Down)),
        ],
        KeyDoc::BoxPage,
        foot(20, 2, Hint::Scroll, Show::Always),
    ),
    row(
        &[Ctx::Box],
        &[(Home, Message::First), (End, Message::Last)],
        KeyDoc::BoxEnds,
        None,
    ),
    // The sentence editor and the prompts; a printable key without Ctrl is typed.
    row(
        &[Ctx::Edit],
        &[(Enter, Message::Submit)],
        KeyDoc::EditRun,
        foot(10, 1, Hint::Run, Show::Always),
    ),
    row(
        &[Ctx::Edit],
        &[(Esc, Message::Cancel), (Ctrl('c'), Message::Cancel)],
        KeyDoc::EditCancel,
        foot(11, 1, Hint::Cancel, Show::Always),
    ),
    row(
        &[Ctx::Edit],
        &[
            (Left, Message::Edit(Edit::Left)),
            (Right, Message::Edit(Edit::Right)),
        ],
        KeyDoc::EditMove,
        foot(20, 2, Hint::Move, Show::EditorOrSuggested),
    ),
    row(
        &[Ctx::Edit],
        &[
            (Home, Message::Edit(Edit::Home)),
            (Ctrl('a'), Message::Edit(Edit::Home)),
        ],
        KeyDoc::EditHome,
        foot(21, 1, Hint::Ends, Show::Editor),
    ),
    row(
        &[Ctx::Edit],
        &[
            (End, Message::Edit(Edit::End)),
            (Ctrl('e'), Message::Edit(Edit::End)),
        ],
        KeyDoc::EditEnd,
        foot(21, 1, Hint::Ends, Show::Editor),
    ),
    row(
        &[Ctx::Edit],
        &[(Ctrl('u'), Message::Edit(Edit::Clear))],
        KeyDoc::EditClear,
        foot(22, 1, Hint::Clear, Show::Editor),
    ),
    row(
        &[Ctx::Edit],
        &[
            (Backspace, Message::Edit(Edit::Backspace)),
            (Delete, Message::Edit(Edit::Delete)),
        ],
        KeyDoc::EditDelete,
        None,
    ),
    row(
        &[Ctx::Command],
        &[(Tab, Message::Edit(Edit::Complete))],
        KeyDoc::EditComplete,
        None,
    ),
    row(
        &[Ctx::Command],
        &[
            (Up, Message::Edit(Edit::Older)),
            (Down, Message::Edit(Edit::Newer)),
        ],
        KeyDoc::EditHistory,
        foot(20, 2, Hint::History, Show::Always),
    ),
    // A yes / no question.
    row(
        &[Ctx::Confirm],
        &[
            (Char('y'), Message::Confirm(true)),
            (Char('Y'), Message::Confirm(true)),
        ],
        KeyDoc::ConfirmYes,
        foot(10, 1, Hint::Overwrite, Show::Always),
    ),
    row(
        &[Ctx::Confirm],
        &[
            (Char('n'), Message::Confirm(false)),
            (Esc, Message::Confirm(false)),
            (Char('N'), Message::Confirm(false)),
            (Ctrl('c'), Message::Confirm(false)),
        ],
        KeyDoc::ConfirmNo,
        foot(11, 2, Hint::KeepFile, Show::Always),
    ),
];
