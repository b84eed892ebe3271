//! Parsing: every command, its errors, and the help.

use super::*;

fn ok(line: &str) -> Command {
    parse(line).unwrap().unwrap()
}

#[test]
fn practice_and_answers() {
    assert_eq!(ok("practice"), Command::Practice(None));
    assert_eq!(
        ok("practice scores[0][1]"),
        Command::Practice(Some(Address::parse("scores[0][1]").unwrap()))
    );
    assert_eq!(ok("practice stop"), Command::StopPractice);
    assert_eq!(ok("answer 10"), Command::Answer(vec![10.0]));
    // A line that starts with a number is an answer: commas, brackets, the − sign.
    assert_eq!(ok("-1"), Command::Answer(vec![-1.0]));
    assert_eq!(ok("−0.5"), Command::Answer(vec![-0.5]));
    assert_eq!(ok(".5 2"), Command::Answer(vec![0.5, 2.0]));
    assert_eq!(
        ok("[0.9, 0.0016, 0.09]"),
        Command::Answer(vec![0.9, 0.0016, 0.09])
    );
    assert!(parse("answer").is_err());
    assert!(
        parse("answer 1 two")
            .unwrap_err()
            .to_string()
            .contains("two")
    );
    assert!(parse("1 nan").is_err());
}

fn err(line: &str) -> String {
    parse(line).unwrap_err().to_string()
}

#[test]
fn plot_and_redirect_parse_and_a_sentence_keeps_its_gt() {
    assert_eq!(
        ok("plot enc.0.attn.weights[1] w.svg"),
        Command::Plot {
            address: Address::parse("enc.0.attn.weights[1]").unwrap(),
            path: "w.svg".into(),
            force: false,
        }
    );
    assert!(matches!(
        ok("plot! scores m.md"),
        Command::Plot { force: true, .. }
    ));
    assert!(err("plot").contains("needs a step name and a file"));
    assert!(err("plot scores").contains("needs a file name"));
    assert_eq!(
        ok("show enc.0.attn.weights[0] > out/w.md"),
        Command::Redirect {
            command: Box::new(Command::Show(
                Some(Address::parse("enc.0.attn.weights[0]").unwrap()),
                ShowOptions::default()
            )),
            line: "show enc.0.attn.weights[0]".into(),
            path: "out/w.md".into(),
            force: false,
        }
    );
    assert!(matches!(
        ok("show>s.md"),
        Command::Redirect { force: false, .. }
    ));
    assert!(matches!(
        ok("explain >! e.md"),
        Command::Redirect { force: true, .. }
    ));
    assert!(matches!(ok("diff > d.md"), Command::Redirect { .. }));
    assert!(err("show scores >").contains("a file name after `>`"));
    assert!(err("show scores > a > b").contains("one file name"));
    // Sentences and notes may hold `>`: no redirection there.
    assert_eq!(ok("text a > b"), Command::Text("a > b".into()));
    assert_eq!(
        ok("target <bos> I go"),
        Command::Target("<bos> I go".into())
    );
    assert_eq!(ok("note q > k here"), Command::Note("q > k here".into()));
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one assertion per command of the table, in the table's order"
)]
fn every_command_parses() {
    assert_eq!(
        ok("text 나는 학교에 간다"),
        Command::Text("나는 학교에 간다".into())
    );
    assert_eq!(
        ok("target <bos> I go"),
        Command::Target("<bos> I go".into())
    );
    assert_eq!(ok("show"), Command::Show(None, ShowOptions::default()));
    // The flags of `qkv run`, before or after the address.
    assert_eq!(
        ok("show probs[3] --full --precision 2 --top 5"),
        Command::Show(
            Some(Address::parse("probs[3]").unwrap()),
            ShowOptions {
                full: true,
                precision: Some(2),
                top: Some(5)
            }
        )
    );
    assert!(matches!(ok("show --full probs"), Command::Show(Some(_), o) if o.full));
    assert!(err("show probs --precision 13").contains("from 0 to 12"));
    assert!(err("show probs --top 0").contains("at least 1"));
    assert!(err("show probs --wide").contains("--full, --precision N or --top K"));
    assert_eq!(
        ok("show enc.0.attn.weights[0]"),
        Command::Show(
            Some(Address::parse("enc.0.attn.weights[0]").unwrap()),
            ShowOptions::default()
        )
    );
    assert!(
        matches!(ok("explain enc.0.attn.scores[0][1][2]"), Command::Explain(Some(a)) if a.indices == [0, 1, 2])
    );
    assert_eq!(ok("explain"), Command::Explain(None));
    assert_eq!(ok("layer 1"), Command::Layer(1));
    assert_eq!(ok("head 0"), Command::Head(0));
    assert_eq!(ok("cell 2 3"), Command::Cell(2, 3));
    assert_eq!(ok("next"), Command::Next);
    assert_eq!(ok("prev"), Command::Prev);
    assert_eq!(ok("mask on"), Command::Mask(MaskKind::Causal));
    assert_eq!(ok("mask causal"), Command::Mask(MaskKind::Causal));
    assert_eq!(ok("mask off"), Command::Mask(MaskKind::None));
    assert_eq!(ok("scale off"), Command::Scale(Switch::Off));
    assert_eq!(ok("pe on"), Command::Pe(Switch::On));
    assert_eq!(ok("norm pre"), Command::Norm(Norm::Pre));
    assert_eq!(ok("toggle pe"), Command::Toggle(Setting::Pe));
    assert_eq!(ok("toggle Mask"), Command::Toggle(Setting::Mask));
    assert!(parse("toggle").is_err());
    assert!(parse("toggle heads").is_err());
    let spec = |f: fn(&mut ModelSpec)| {
        let mut s = ModelSpec::default();
        f(&mut s);
        Command::SetModel(s)
    };
    assert_eq!(ok("set model.heads 4"), spec(|s| s.heads = Some(4)));
    assert_eq!(
        ok("set model.arch decoder"),
        spec(|s| s.arch = Some(Word(crate::model::Arch::Decoder)))
    );
    assert_eq!(ok("set model.seed 7"), spec(|s| s.seed = Some(7)));
    assert_eq!(ok("set model.scale off"), spec(|s| s.scale = Some(false)));
    assert!(
        parse("set model.colour red")
            .unwrap_err()
            .to_string()
            .contains("d_model")
    );
    assert_eq!(
        ok("set embed 바나나 [0.12, -0.87, 0.33, 0.55]"),
        Command::SetEmbed {
            token: "바나나".into(),
            vector: vec![0.12, -0.87, 0.33, 0.55]
        }
    );
    assert_eq!(
        ok("set weight enc.0.attn.W_Q [[1, 0], [0, 1]]"),
        Command::SetWeight {
            name: "enc.0.attn.W_Q".into(),
            rows: vec![vec![1.0, 0.0], vec![0.0, 1.0]]
        }
    );
    assert_eq!(ok("set precision 6"), Command::SetPrecision(6));
    assert_eq!(
        ok("attend q=[1, 2, 3] k=[[2, 1, 2], [0, 1, -1], [1, 1, 1]] v=[[1, 0], [0, 1], [1, 1]]"),
        Command::Attend(AttendArgs {
            q: vec![vec![1.0, 2.0, 3.0]],
            k: vec![
                vec![2.0, 1.0, 2.0],
                vec![0.0, 1.0, -1.0],
                vec![1.0, 1.0, 1.0]
            ],
            v: Some(vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]]),
            causal: false,
            scale: true,
        })
    );
    assert!(
        matches!(ok("attend q=[1] k=[[1]] v=[[1]] mask=causal scale=off"), Command::Attend(a) if a.causal && !a.scale)
    );
    // The article gives only q and k: v may be left out.
    assert!(matches!(ok("attend q=[1] k=[[1]]"), Command::Attend(a) if a.v.is_none()));
    assert_eq!(ok("diff"), Command::Diff);
    assert_eq!(ok("note look here"), Command::Note("look here".into()));
    assert_eq!(
        ok("save my.yaml"),
        Command::Save {
            path: "my.yaml".into(),
            force: false
        }
    );
    assert_eq!(
        ok("save! my.yaml"),
        Command::Save {
            path: "my.yaml".into(),
            force: true
        }
    );
    assert_eq!(
        ok("load scenarios/default.yaml"),
        Command::Load {
            path: "scenarios/default.yaml".into(),
            force: false
        }
    );
    assert_eq!(
        ok("model load /tmp/opus-mt-ko-en"),
        Command::ModelLoad(Some("/tmp/opus-mt-ko-en".into()))
    );
    assert_eq!(ok("model load"), Command::ModelLoad(None));
    assert!(err("model").contains("load <dir>"), "{}", err("model"));
    assert!(
        err("model open x").contains("\"open\""),
        "{}",
        err("model open x")
    );
    assert_eq!(ok("replay"), Command::Replay(None));
    assert_eq!(ok("replay a.yaml"), Command::Replay(Some("a.yaml".into())));
    assert_eq!(ok("replay stop"), Command::StopReplay);
    assert_eq!(ok("check"), Command::Check);
    assert_eq!(
        ok("export t.npz"),
        Command::Export {
            path: "t.npz".into(),
            force: false
        }
    );
    assert_eq!(
        ok("export! t.json"),
        Command::Export {
            path: "t.json".into(),
            force: true
        }
    );
    assert_eq!(ok("params"), Command::Params);
    assert_eq!(ok("help"), Command::Help(None));
    assert_eq!(ok("help show"), Command::Help(Some("show".into())));
    assert_eq!(ok("quit"), Command::Quit { force: false });
    assert_eq!(ok("exit"), Command::Quit { force: false });
    assert_eq!(ok("quit!"), Command::Quit { force: true });
    assert_eq!(parse("   ").unwrap(), None);
    assert_eq!(parse("# a comment").unwrap(), None);
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one assertion per malformed command, each with the message it must give"
)]
fn malformed_commands_say_what_is_wrong() {
    assert_eq!(
        err("show enc x"),
        "show: \"enc x\" is not an address: a name has only letters, digits, '.' and '_' (e.g. enc.0.attn.weights); usage `show [<name>[h][i][j]] [--full] [--precision N] [--top K]`"
    );
    assert_eq!(
        err("shwo"),
        "unknown command \"shwo\" (did you mean `show`?); type `help` for the list"
    );
    assert_eq!(
        err("frobnicate"),
        "unknown command \"frobnicate\"; type `help` for the list"
    );
    assert_eq!(
        err("text"),
        "text needs a sentence: usage `text <sentence>`"
    );
    assert_eq!(
        err("target"),
        "target needs a sentence: usage `target <sentence>`"
    );
    assert_eq!(
        err("layer x"),
        "layer: \"x\" is not a non-negative integer; usage `layer <l>`"
    );
    assert_eq!(
        err("layer"),
        "layer needs a layer number: usage `layer <l>`"
    );
    assert_eq!(
        err("head -1"),
        "head: \"-1\" is not a non-negative integer; usage `head <h>`"
    );
    assert_eq!(
        err("cell 1"),
        "cell needs a column: usage `cell <row> <col>`"
    );
    assert_eq!(
        err("cell 1 2 3"),
        "cell takes no more arguments, but got \"3\"; usage `cell <row> <col>`"
    );
    assert_eq!(
        err("mask maybe"),
        "mask: \"maybe\" is not on, off or causal; usage `mask [enc|dec] on|off|causal`"
    );
    assert_eq!(err("scale"), "scale needs on or off: usage `scale on|off`");
    assert_eq!(
        err("pe sometimes"),
        "pe: \"sometimes\" is not on or off; usage `pe on|off`"
    );
    assert_eq!(
        err("norm sideways"),
        "norm: \"sideways\" is not one of post, pre; usage `norm pre|post`"
    );
    assert!(err("set model.colour red").contains(
        "is not a model field: preset, arch, d_model, heads, d_ff, layers, enc_layers, dec_layers, seed, norm, positional, scale, embed_scale, mask, dec_mask, eps, tokenizer, max_tokens, checkpoint; usage `set model.<field> <value>`"
    ));
    assert!(err("set model.checkpoint m.safetensors").contains("checkpoint load <file>"));
    assert!(
        help(Some("set"))
            .unwrap()
            .contains("fields: preset, arch, d_model")
    );
    assert!(err("set model.heads many").contains("\"many\" is not a non-negative integer"));
    assert!(
        err("set model.arch gpt")
            .contains("\"gpt\" is not one of encoder, decoder, encoder-decoder")
    );
    assert!(err("set embed 바나나").contains("needs the vector"));
    assert!(err("set embed 바나나 [1, x]").contains("a list of numbers like [1, 2]"));
    assert!(
        err("set weight enc.0.attn.W_Q [[1], 2]")
            .contains("\"[[1], 2]\" is not a list of numbers like [1, 2] or of rows")
    );
    assert!(
        err("attend q=[] k=[[1]] v=[[1]]").contains("\"[]\" is not a non-empty list of numbers")
    );
    assert!(err("attend q=[1] q=[2] k=[[1]] v=[[1]]").contains("a second q: give q once"));
    assert!(err("set precision 40").contains("from 0 to 12"));
    assert!(err("set colour red").contains("model.<field>, embed, weight or precision"));
    assert_eq!(
        err("attend k=[[1]] v=[[1]]"),
        "attend needs q=[…]: usage `attend q=[…] k=[[…], …] [v=[[…], …]] [mask=causal] [scale=on|off]`"
    );
    assert!(err("attend q=[1 k=[[1]]").contains("matching [ and ]"));
    assert!(err("attend q=[1] k=[[1]] v=[[1]] w=[1]").contains("one of q, k, v, mask, scale"));
    assert!(err("attend q=[1] k=[[1]] v=[[1]] mask=sometimes").contains("causal or none"));
    assert!(err("attend q=[1] k=[[1]] v=[[1]] junk").contains("key=value"));
    assert!(
        err("show enc.0[").contains("bad address") || err("show enc.0[").contains("not closed")
    );
    assert_eq!(
        err("save"),
        "save needs a file name: usage `save <file> | save! <file>`"
    );
    assert_eq!(
        err("load"),
        "load needs a file name: usage `load <file> | load! <file>`"
    );
    assert_eq!(
        err("export"),
        "export needs a file name: usage `export <file.npz|file.json> | export! <file>`"
    );
    assert_eq!(
        err("diff now"),
        "diff takes no more arguments, but got \"now\"; usage `diff`"
    );
    assert_eq!(
        err("note"),
        "note needs the text of the note: usage `note <text>`"
    );
    assert!(err("quit now").contains("takes no more arguments"));
}

#[test]
fn help_lists_every_command_and_each_usage() {
    let all = help(None).unwrap();
    for c in COMMANDS {
        assert!(
            all.contains(&summary_in(c, crate::i18n::Lang::En)),
            "{}",
            c.name
        );
    }
    // `help toggle` names the workbench keys of the key table, not a copy of them.
    assert_eq!(
        help(Some("toggle")).unwrap(),
        format!(
            "toggle mask|scale|pe|norm\n  flip a setting to its other value (what the workbench keys {} do: mask, scale, positional encoding, norm)\n",
            crate::keymap::toggle_keys()
        )
    );
    assert_eq!(crate::keymap::toggle_keys(), "m s e o");
    assert_eq!(
        help(Some("scale")).unwrap(),
        "scale on|off\n  divide scores by √d_k or not\n"
    );
    assert!(
        help(Some("shwo"))
            .unwrap_err()
            .to_string()
            .contains("did you mean `show`")
    );
}

#[test]
fn rows_parse() {
    assert_eq!(parse_rows("[1, 2]").unwrap(), vec![vec![1.0, 2.0]]);
    assert_eq!(
        parse_rows(" [[1], [2]] ").unwrap(),
        vec![vec![1.0], vec![2.0]]
    );
    assert!(parse_rows("[]").is_err());
    assert!(parse_rows("[[1], []]").is_err());
    assert!(parse_rows("{\"a\": 1}").is_err());
}

#[test]
fn the_table_drives_dispatch() {
    // Every word an entry lists (name, aliases, `!` forms) starts that command.
    for c in COMMANDS {
        for w in c.words() {
            assert_eq!(find(&w).map(|(s, _)| s.name), Some(c.name), "{w}");
            assert!(
                !matches!(parse(&w), Err(ParseError::UnknownCommand { .. })),
                "{w}"
            );
        }
    }
    assert_eq!(ok("EXIT!"), Command::Quit { force: true });
    assert_eq!(ok("? scale"), Command::Help(Some("scale".into())));
    // No `!` form where the table has none.
    assert!(find("text!").is_none());
    assert!(matches!(
        parse("text! a"),
        Err(ParseError::UnknownCommand { .. })
    ));
    // `prints` says what `> file.md` may follow.
    assert!(matches!(ok("params > p.md"), Command::Redirect { .. }));
    assert!(matches!(ok("? > h.md"), Command::Redirect { .. }));
    assert_eq!(ok("target a > b"), Command::Target("a > b".into()));
}

mod round_trip {
    //! `Display` writes the line `parse` reads: `parse(&c.to_string()) == Ok(Some(c))` over
    //! generated commands of every kind.

    use super::*;
    use crate::scenario::fields::FieldKind;
    use proptest::prelude::*;

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "나는",
            "학교에",
            "간다",
            "<bos>",
            "I",
            "go",
            "a>b",
            "바나나",
            "x_1",
            "#",
            "stop",
        ])
        .prop_map(str::to_string)
    }

    fn sentence() -> impl Strategy<Value = String> {
        prop::collection::vec(word(), 1..5).prop_map(|w| w.join(" "))
    }

    fn address(prefix: &'static str) -> impl Strategy<Value = Address> {
        (
            prop::sample::select(vec![
                "embed.sum",
                "enc.0.attn.weights",
                "dec.1.cross_attn.scores",
                "probs",
                "enc.0.attn.W_Q",
            ]),
            prop::collection::vec(0usize..9, 0..4),
        )
            .prop_map(move |(name, indices)| Address {
                name: format!("{prefix}{name}"),
                indices,
            })
    }

    fn path() -> impl Strategy<Value = PathBuf> {
        prop_oneof![
            "[a-z]{1,6}(/[a-z]{1,6})?\\.(md|svg|csv|tex|npz|json|yaml|safetensors)",
            Just("stop".to_string()),
            Just("off".to_string()),
            Just("내 파일.yaml".to_string()),
        ]
        .prop_map(PathBuf::from)
    }

    /// Any finite number (rows are JSON, which has no infinity).
    fn finite() -> impl Strategy<Value = f64> {
        any::<f64>().prop_filter("finite", |x| x.is_finite())
    }

    fn rows() -> impl Strategy<Value = Rows> {
        prop::collection::vec(prop::collection::vec(finite(), 1..4), 1..4)
    }

    fn show_options() -> impl Strategy<Value = ShowOptions> {
        (
            any::<bool>(),
            prop::option::of(0usize..=12),
            prop::option::of(1usize..100),
        )
            .prop_map(|(full, precision, top)| ShowOptions {
                full,
                precision,
                top,
            })
    }

    /// A `set model.<field> <value>` of every field `set` changes, as `parse` reads it.
    fn set_model() -> impl Strategy<Value = Command> {
        let fields: Vec<_> = MODEL_FIELDS
            .iter()
            .filter(|f| f.kind != FieldKind::Path)
            .collect();
        (prop::sample::select(fields), 0usize..16, 1e-9f64..0.1).prop_map(|(f, i, eps)| {
            let value = match f.kind {
                FieldKind::Switch => ["on", "off"][i % 2].to_string(),
                _ if f.values.contains('|') => {
                    let words: Vec<&str> = f.values.split('|').collect();
                    words[i % words.len()].to_string()
                }
                _ if f.name == "eps" => eps.to_string(),
                _ => (i + 1).to_string(),
            };
            parse(&format!("set model.{} {value}", f.name))
                .unwrap()
                .unwrap()
        })
    }

    fn learn() -> impl Strategy<Value = LearnCommand> {
        prop_oneof![
            prop::option::of(address("grad.")).prop_map(LearnCommand::Grad),
            Just(LearnCommand::Loss),
            (1usize..=100_000).prop_map(LearnCommand::Train),
            Just(LearnCommand::Snapshot),
            prop::option::of(any::<usize>()).prop_map(LearnCommand::ViewSnapshot),
            path().prop_map(LearnCommand::Corpus),
            Just(LearnCommand::ResetTraining),
            sentence().prop_map(LearnCommand::Translate),
            sentence().prop_map(LearnCommand::Generate),
            Just(LearnCommand::DecodeStart),
            prop::option::of(word()).prop_map(LearnCommand::DecodeNext),
            Just(LearnCommand::DecodeBack),
            prop::option::of((
                (1e-3f32..100.0),
                prop::option::of(1usize..1000),
                any::<u64>()
            ))
            .prop_map(LearnCommand::Sample),
            path().prop_map(LearnCommand::CheckpointLoad),
            (path(), any::<bool>())
                .prop_map(|(path, force)| LearnCommand::CheckpointSave { path, force }),
        ]
    }

    fn explore() -> impl Strategy<Value = ExploreCommand> {
        prop_oneof![
            (
                0usize..100,
                prop::option::of(0usize..100),
                0usize..50,
                0usize..50,
                0usize..50
            )
                .prop_map(|(positions, dims, p, k, pair)| ExploreCommand::Pe {
                    positions,
                    dims,
                    p,
                    k,
                    pair
                }),
            (0usize..4096).prop_map(|d_k| ExploreCommand::Scaling { d_k }),
            Just(ExploreCommand::Heads),
        ]
    }

    /// The printing commands `> file.md` may follow.
    fn printing() -> impl Strategy<Value = Command> {
        prop_oneof![
            (prop::option::of(address("")), show_options()).prop_map(|(a, o)| Command::Show(a, o)),
            prop::option::of(address("")).prop_map(Command::Explain),
            Just(Command::Diff),
            Just(Command::Check),
            Just(Command::Params),
            Just(Command::Help(None)),
            prop::option::of(address("grad.")).prop_map(|a| Command::Learn(LearnCommand::Grad(a))),
            Just(Command::Learn(LearnCommand::Loss)),
        ]
    }

    #[expect(clippy::too_many_lines, reason = "one generator per command.")]
    fn command() -> impl Strategy<Value = Command> {
        let switch = || prop::sample::select(vec![Switch::On, Switch::Off]);
        prop_oneof![
            sentence().prop_map(Command::Text),
            sentence().prop_map(Command::Target),
            printing(),
            any::<usize>().prop_map(Command::Layer),
            any::<usize>().prop_map(Command::Head),
            (any::<usize>(), any::<usize>()).prop_map(|(r, c)| Command::Cell(r, c)),
            Just(Command::Next),
            Just(Command::Prev),
            prop::sample::select(vec![MaskKind::None, MaskKind::Causal]).prop_map(Command::Mask),
            switch().prop_map(Command::Scale),
            switch().prop_map(Command::Pe),
            prop::sample::select(vec![Norm::Pre, Norm::Post]).prop_map(Command::Norm),
            prop::sample::select(vec![
                Setting::Mask,
                Setting::Scale,
                Setting::Pe,
                Setting::Norm
            ])
            .prop_map(Command::Toggle),
            set_model(),
            (word(), prop::collection::vec(finite(), 1..6))
                .prop_map(|(token, vector)| Command::SetEmbed { token, vector }),
            (address("").prop_map(|a| a.name), rows())
                .prop_map(|(name, rows)| Command::SetWeight { name, rows }),
            (0usize..=12).prop_map(Command::SetPrecision),
            (
                rows(),
                rows(),
                prop::option::of(rows()),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(q, k, v, causal, scale)| Command::Attend(AttendArgs {
                    q,
                    k,
                    v,
                    causal,
                    scale
                })),
            (path(), any::<bool>()).prop_map(|(path, force)| Command::Save { path, force }),
            (path(), any::<bool>()).prop_map(|(path, force)| Command::Load { path, force }),
            prop::option::of(path()).prop_map(Command::Replay),
            Just(Command::StopReplay),
            prop::option::of(path()).prop_map(Command::ModelLoad),
            (path(), any::<bool>()).prop_map(|(path, force)| Command::Export { path, force }),
            (address(""), path(), any::<bool>()).prop_map(|(address, path, force)| {
                Command::Plot {
                    address,
                    path,
                    force,
                }
            }),
            (printing(), "[a-z]{1,8}\\.md", any::<bool>()).prop_map(|(c, path, force)| {
                Command::Redirect {
                    line: c.to_string(),
                    command: Box::new(c),
                    path: path.into(),
                    force,
                }
            }),
            sentence().prop_map(Command::Note),
            prop::option::of(address("")).prop_map(Command::Practice),
            Just(Command::StopPractice),
            prop::collection::vec(
                prop_oneof![finite(), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
                1..5
            )
            .prop_map(Command::Answer),
            prop::option::of(prop::sample::select(
                COMMANDS
                    .iter()
                    .map(|c| c.name.to_string())
                    .collect::<Vec<_>>()
            ))
            .prop_map(Command::Help),
            learn().prop_map(Command::Learn),
            explore().prop_map(Command::Explore),
            any::<bool>().prop_map(|force| Command::Quit { force }),
        ]
    }

    proptest! {
        #[test]
        fn a_command_written_out_parses_back_to_itself(c in command()) {
            let line = c.to_string();
            prop_assert_eq!(parse(&line), Ok(Some(c)), "{}", line);
        }
    }

    #[test]
    fn commands_are_written_as_typed() {
        // The session names its changes with these.
        assert_eq!(Command::Mask(MaskKind::Causal).to_string(), "mask causal");
        assert_eq!(Command::Scale(Switch::Off).to_string(), "scale off");
        assert_eq!(ok("set model.d_model 8").to_string(), "set model.d_model 8");
        assert_eq!(ok("mask dec off").to_string(), "set model.dec_mask none");
        assert_eq!(ok("replay \"stop\"").to_string(), "replay \"stop\"");
        assert_eq!(
            ok("attend q=[1, 0] k=[[1, 0], [0, 1]] mask=on").to_string(),
            "attend q=[[1, 0]] k=[[1, 0], [0, 1]] mask=causal"
        );
    }
}
