//! The one way a catalogue is written: [`catalogue!`](crate::catalogue) takes each message
//! once — its variant with its plain fields, one or more samples, its English text and its
//! Korean text side by side — and writes the enum, `text(lang)` and `samples()` (which the
//! catalogue's test hands to `check::both_texts`). Adding a message is one entry;
//! adding a language is one more text per entry and one more arm in the macro.

/// Writes a message catalogue. Each entry:
///
/// ```text
/// /// What the message says.
/// Name { field: Type, … }
///     samples [{ field: value, … }, …]
///     en => english_expression,
///     ko => korean_expression;
/// ```
///
/// The expressions see the fields by reference (`format!("{field}")`, `*flag`) and give a
/// `String` or a `&'static str`. A message without arguments is written `Name {}` with
/// `samples [{}]`. The samples must name every variant at least once (the grammar requires
/// one per entry), so `samples()` cannot forget a message.
#[macro_export]
macro_rules! catalogue {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Name:ident {
            $(
                $(#[$vmeta:meta])*
                $Variant:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
                samples [ $( { $( $sf:ident : $sv:expr ),* $(,)? } ),+ $(,)? ]
                en => $en:expr,
                ko => $ko:expr;
            )*
        }
    ) => {
        $(#[$meta])*
        // The fields are named in each variant's doc; documenting every `token: String` again
        // would be noise.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, PartialEq)]
        $vis enum $Name {
            $( $(#[$vmeta])* $Variant { $( $(#[$fmeta])* $field : $ty ),* }, )*
        }

        impl $Name {
            /// The text in `lang`.
            pub fn text(&self, lang: $crate::i18n::Lang) -> String {
                match lang {
                    $crate::i18n::Lang::En => self.en(),
                    $crate::i18n::Lang::Ko => self.ko(),
                }
            }

            #[allow(unused_variables, clippy::useless_format)]
            fn en(&self) -> String {
                match self {
                    $( $Name::$Variant { $( $field ),* } => String::from($en), )*
                }
            }

            #[allow(unused_variables, clippy::useless_format)]
            fn ko(&self) -> String {
                match self {
                    $( $Name::$Variant { $( $field ),* } => String::from($ko), )*
                }
            }

            /// Every message at least once, with plausible arguments (for the catalogue tests).
            pub fn samples() -> Vec<$Name> {
                vec![ $( $( $Name::$Variant { $( $sf : $sv ),* } ),+ ),* ]
            }
        }
    };
}
