//! The table is consistent: no row is hidden by an earlier one, every text is used.

use super::*;
use crate::i18n::Lang;

#[test]
fn every_key_of_every_row_answers_somewhere() {
    // A row whose key an earlier row takes in all its contexts would be listed by `?` and
    // never happen.
    for b in KEYMAP {
        assert!(!b.ctx.is_empty() && !b.keys.is_empty(), "{b:?}");
        for (k, m) in b.keys {
            if *k == Key::Mouse {
                continue;
            }
            let answered = b.ctx.iter().any(|c| {
                lookup(*c, *k, b.when == When::Training)
                    .is_some_and(|(found, msg)| std::ptr::eq(found, b) && msg == m)
            });
            assert!(answered, "{k:?} of {:?} is taken by another row", b.doc);
        }
        if let Some(f) = b.foot {
            assert!(f.keys >= 1 && f.keys <= b.keys.len(), "{:?}", b.doc);
        }
    }
}

#[test]
fn every_key_text_and_heading_is_used_and_in_both_languages() {
    for d in KeyDoc::ALL {
        assert!(KEYMAP.iter().any(|b| b.doc == d), "{d:?} is in no row");
        assert!(!d.text(Lang::En).is_empty(), "{d:?}");
        assert!(crate::i18n::check::has_hangul(d.text(Lang::Ko)), "{d:?}");
    }
    let list = key_list();
    assert_eq!(list.len(), KeyGroup::ALL.len());
    for (g, lines) in &list {
        assert!(!lines.is_empty(), "{g:?} lists no key");
        assert!(crate::i18n::check::has_hangul(g.text(Lang::Ko)), "{g:?}");
    }
}

#[test]
fn lookup_takes_the_first_row_and_the_training_row_while_training() {
    // In the Learn view Esc goes back, and pauses while training; Ctrl-C quits, and pauses.
    assert_eq!(
        lookup(Ctx::Learn, Key::Esc, false).map(|(_, m)| m),
        Some(&Message::Cancel)
    );
    assert_eq!(
        lookup(Ctx::Learn, Key::Esc, true).map(|(_, m)| m),
        Some(&Message::TrainToggle)
    );
    assert_eq!(
        lookup(Ctx::Learn, Key::Ctrl('c'), false).map(|(_, m)| m),
        Some(&Message::Quit)
    );
    // An explorer's own key closes it; the others open theirs.
    assert_eq!(
        lookup(Ctx::Pe, Key::Char('E'), false).map(|(_, m)| m),
        Some(&Message::Cancel)
    );
    assert_eq!(
        lookup(Ctx::Pe, Key::Char('S'), false).map(|(_, m)| m),
        Some(&Message::OpenScaling)
    );
    assert_eq!(keys_for(Ctx::Pe, &Message::OpenPe), Vec::<Key>::new());
    assert_eq!(lookup(Ctx::Panes, Key::Ctrl('x'), false), None);
}

#[test]
fn keys_are_written_as_the_footer_writes_them() {
    assert_eq!(
        keys_label(&[Key::Left, Key::Up, Key::Down, Key::Right, Key::Char('h')]),
        "←↑↓→ h"
    );
    assert_eq!(
        keys_label(&[Key::Char(' '), Key::Ctrl('c')]),
        "space Ctrl-C"
    );
    assert_eq!(key_for(Ctx::Panes, &Message::Replay), "r");
    assert_eq!(key_for(Ctx::Panes, &Message::TogglePe), "e");
}
