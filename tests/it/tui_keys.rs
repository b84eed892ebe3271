//! The workbench's keys come from one table: the footer fits the width by priority and always
//! names the key that lists every key, `?` lists every key of the table in both languages
//! (all of them reachable by scrolling at 80×24), and the scenario's box names real keys.

use qkv::i18n::Lang;
use qkv::keymap::{self, Ctx, KEYMAP, Key};
use qkv::session::Session;
use qkv::tui::app::Mode;
use qkv::tui::message::{Dir, Message, contexts};
use qkv::tui::view::{about_text, footer_keys, help_lines_in};
use qkv::tui::{App, update};
use ratatui::layout::Size;

use crate::util::{screen, send};

/// The main screens, each the messages that reach it from the opening screen.
fn screens() -> Vec<(&'static str, Vec<Message>)> {
    vec![
        ("matrix", vec![Message::Cancel]),
        ("pipeline", vec![Message::Cancel, Message::FocusPrev]),
        ("detail", vec![Message::Cancel, Message::FocusNext]),
        (
            "tour",
            vec![Message::Cancel, Message::Replay, Message::Activate],
        ),
        ("practice", vec![Message::Cancel, Message::Practice]),
        ("learn", vec![Message::Cancel, Message::OpenLearn]),
        ("decode", vec![Message::Cancel, Message::OpenDecode]),
        ("pe", vec![Message::Cancel, Message::OpenPe]),
        ("scaling", vec![Message::Cancel, Message::OpenScaling]),
        ("heads", vec![Message::Cancel, Message::OpenHeads]),
    ]
}

fn app(lang: Lang, w: u16, h: u16, msgs: &[Message]) -> App {
    let mut a = App::with_lang(
        Session::untrained_scenario().unwrap(),
        Size::new(w, h),
        lang,
    );
    send(&mut a, msgs);
    a
}

/// The footer: the screen's last line.
fn footer(a: &App) -> String {
    screen(a).lines().last().unwrap_or_default().to_string()
}

#[test]
fn footers_at_120_and_80_columns() {
    for lang in Lang::ALL {
        for (w, h) in [(120, 40), (80, 24)] {
            let mut all = String::new();
            for (name, msgs) in screens() {
                let a = app(lang, w, h, &msgs);
                all.push_str(&format!("{name:9}|{}\n", footer(&a)));
            }
            insta::assert_snapshot!(format!("footer_{}_{w}", lang.code()), all);
        }
    }
}

#[test]
fn the_footer_always_names_the_key_that_lists_every_key() {
    // However narrow, every screen's footer keeps `? all keys`; and it fits: nothing is cut.
    for lang in Lang::ALL {
        let all = keymap::keys_label(&keymap::keys_for(Ctx::Panes, &Message::Help));
        let said = qkv::i18n::ui::Hint::AllKeys.text(lang);
        for (w, h) in [(120, 40), (80, 24), (60, 18)] {
            for (name, msgs) in screens() {
                let a = app(lang, w, h, &msgs);
                if !matches!(a.mode(), Mode::Normal) {
                    // A question's answer is being typed: `?` is a character there.
                    continue;
                }
                let f = footer(&a);
                assert!(
                    f.contains(&format!(" {all} {said}")),
                    "{lang:?} {w}×{h} {name}: {f}"
                );
                assert!(
                    unicode_width::UnicodeWidthStr::width(f.as_str()) <= usize::from(w),
                    "{f}"
                );
            }
        }
    }
}

#[test]
fn the_korean_footer_at_120_columns_keeps_decode_learn_and_heads() {
    // At 120 columns the Korean footer used to lose `d L` and `[ ]`.
    let a = app(Lang::Ko, 120, 40, &[Message::Cancel]);
    let f = footer(&a);
    for want in ["d L 디코딩/학습", "[ ] 헤드", "? 모든 키"] {
        assert!(f.contains(want), "{want:?} missing from {f}");
    }
}

#[test]
fn every_key_the_footer_names_does_what_the_footer_says_here() {
    // Each key in the footer is answered in the current contexts (no key that does nothing).
    for (name, msgs) in screens() {
        let a = app(Lang::En, 120, 40, &msgs);
        let ctxs = contexts(&a);
        let labels: Vec<String> = KEYMAP
            .iter()
            .flat_map(keymap::Binding::key_list)
            .map(Key::label)
            .collect();
        for (keys, _) in footer_keys(&a) {
            // Words to type are not keys.
            if ["help", "e.g.", "type"].contains(&keys.as_str()) {
                continue;
            }
            for k in keys.split(' ') {
                // A run of arrows is several keys.
                let parts: Vec<String> = if k.chars().all(|c| "←↑↓→".contains(c)) {
                    k.chars().map(String::from).collect()
                } else {
                    vec![k.to_string()]
                };
                for p in parts {
                    assert!(labels.contains(&p), "{name}: {p}");
                    let key = KEYMAP
                        .iter()
                        .flat_map(keymap::Binding::key_list)
                        .find(|x| x.label() == p)
                        .unwrap();
                    assert!(
                        ctxs.iter()
                            .any(|c| keymap::lookup(*c, key, a.is_training()).is_some()),
                        "{name}: {p} does nothing here"
                    );
                }
            }
        }
    }
}

/// The whole `?` list as an 80×24 screen shows it, page by page (scrolled a line at a time
/// until the last line shows).
fn help_pages(lang: Lang) -> (Vec<String>, String) {
    let mut a = app(lang, 80, 24, &[Message::Cancel, Message::Help]);
    let mut pages = vec![screen(&a)];
    let last = help_lines_in(80 - 4 - 2, lang)
        .last()
        .map(ToString::to_string)
        .unwrap();
    let mut scrolled = 0;
    while !pages.last().unwrap().contains(last.trim()) {
        update(&mut a, Message::Page(Dir::Down));
        pages.push(screen(&a));
        scrolled += 1;
        assert!(scrolled < 20, "the list never reaches its last line");
    }
    let whole: String = help_lines_in(80 - 4 - 2, lang)
        .iter()
        .map(|l| format!("{}\n", l.to_string().trim_end()))
        .collect();
    (pages, whole)
}

#[test]
fn the_key_list_at_80x24_in_both_languages() {
    for lang in Lang::ALL {
        let (pages, whole) = help_pages(lang);
        insta::assert_snapshot!(format!("help_{}_80x24_first", lang.code()), pages[0]);
        insta::assert_snapshot!(format!("help_{}_80x24_all", lang.code()), whole);
        // Every key of the table is on some page.
        let seen = pages.join("\n");
        for (group, lines) in keymap::key_list() {
            assert!(seen.contains(group.text(lang)), "{group:?}");
            for (keys, _) in lines {
                for k in keys {
                    assert!(seen.contains(&k.label()), "{lang:?}: {k:?} not shown");
                }
            }
        }
    }
}

#[test]
fn the_scenario_box_names_the_keys_that_do_what_it_says() {
    // The box before the tour: its start keys start the tour, its step keys step.
    let a = app(Lang::En, 120, 40, &[Message::Cancel, Message::Replay]);
    let (_, text) = about_text(&a, true);
    assert!(
        text.contains("Enter / r starts the guided tour") && text.contains("n / p step"),
        "{text}"
    );
    assert_eq!(
        keymap::lookup(Ctx::TourBox, Key::Char('r'), false).map(|(_, m)| m),
        Some(&Message::Activate)
    );
    // The box a opens: r replays the tour, a shows the box.
    let a = app(Lang::Ko, 120, 40, &[Message::Cancel, Message::About]);
    let (_, text) = about_text(&a, false);
    assert!(
        text.contains("r 키를 누르면 안내 둘러보기를 다시 봅니다")
            && text.contains("a 키를 누르면 이 창을 다시 엽니다"),
        "{text}"
    );
    assert_eq!(
        keymap::lookup(Ctx::Panes, Key::Char('r'), false).map(|(_, m)| m),
        Some(&Message::Replay)
    );
}
