//! How the schema's own value types read and write YAML: enum words, layer counts, argmax, numbers and rows, ordered maps (serde implementations by hand, for errors that name what is allowed).

use super::*;

/// An enum value written as a word (`encoder-decoder`, `post`, …), parsed with its
/// `FromStr` so the error lists the allowed words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<T>(pub T);

impl<T: fmt::Display> Serialize for Word<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de, T> Deserialize<'de> for Word<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<T> Visitor<'_> for V<T>
        where
            T: FromStr,
            T::Err: fmt::Display,
        {
            type Value = Word<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a word")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Word<T>, E> {
                v.parse().map(Word).map_err(E::custom)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Word<T>, E> {
                // YAML reads a bare `off`/`on` as a word in 1.2, but `no`/`yes` style
                // booleans may still arrive here.
                self.visit_str(if v { "on" } else { "off" })
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl Serialize for LayersSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            LayersSpec::Both(n) => s.serialize_u64(*n as u64),
            LayersSpec::Each { encoder, decoder } => {
                let len = usize::from(encoder.is_some()) + usize::from(decoder.is_some());
                let mut m = s.serialize_map(Some(len))?;
                if let Some(e) = encoder {
                    m.serialize_entry("encoder", e)?;
                }
                if let Some(d) = decoder {
                    m.serialize_entry("decoder", d)?;
                }
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for LayersSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LayersSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a layer count, or a map {encoder: N, decoder: N}")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LayersSpec, E> {
                Ok(LayersSpec::Both(v as usize))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LayersSpec, E> {
                usize::try_from(v)
                    .map(LayersSpec::Both)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LayersSpec, A::Error> {
                let (mut encoder, mut decoder) = (None, None);
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "encoder" => encoder = Some(map.next_value()?),
                        "decoder" => decoder = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["encoder", "decoder"]));
                        }
                    }
                }
                Ok(LayersSpec::Each { encoder, decoder })
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for ArgmaxSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ArgmaxSpec::Index(i) => s.serialize_u64(*i as u64),
            ArgmaxSpec::Label(l) => s.serialize_str(l),
        }
    }
}

impl<'de> Deserialize<'de> for ArgmaxSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ArgmaxSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a column index or a column label (token)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ArgmaxSpec, E> {
                Ok(ArgmaxSpec::Index(v as usize))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ArgmaxSpec, E> {
                usize::try_from(v)
                    .map(ArgmaxSpec::Index)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ArgmaxSpec, E> {
                Ok(ArgmaxSpec::Label(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Numbers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Numbers::Matrix(m) => m.serialize(s),
            Numbers::Vector(v) => v.serialize(s),
        }
    }
}

/// One element of a [`Numbers`] list: a number or a row of numbers.
pub(super) enum NumOrRow {
    Num(f64),
    Row(Vec<f64>),
}

impl<'de> Deserialize<'de> for NumOrRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NumOrRow;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a list of numbers")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumOrRow, E> {
                Ok(NumOrRow::Num(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumOrRow, E> {
                Ok(NumOrRow::Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumOrRow, E> {
                Ok(NumOrRow::Num(v as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NumOrRow, A::Error> {
                let mut row = Vec::new();
                while let Some(x) = seq.next_element::<f64>()? {
                    row.push(x);
                }
                Ok(NumOrRow::Row(row))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Numbers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items: Vec<NumOrRow> = Vec::deserialize(d)?;
        let rows = items
            .iter()
            .filter(|i| matches!(i, NumOrRow::Row(_)))
            .count();
        if rows == 0 {
            Ok(Numbers::Vector(
                items
                    .into_iter()
                    .filter_map(|i| match i {
                        NumOrRow::Num(x) => Some(x),
                        NumOrRow::Row(_) => None,
                    })
                    .collect(),
            ))
        } else if rows == items.len() {
            Ok(Numbers::Matrix(
                items
                    .into_iter()
                    .filter_map(|i| match i {
                        NumOrRow::Row(r) => Some(r),
                        NumOrRow::Num(_) => None,
                    })
                    .collect(),
            ))
        } else {
            Err(de::Error::custom(
                "mixes numbers and lists: a weight is a list of numbers (vector) or a list of rows (matrix)",
            ))
        }
    }
}

/// A map that keeps the file's key order (and rejects duplicate keys).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Sets `key` (in place when present, else appended), keeping the order.
    pub fn insert(&mut self, key: String, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
    /// Removes `key`; true when it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|(k, _)| k != key);
        self.0.len() != before
    }
    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMap<V>, A::Error> {
                let mut out: Vec<(String, V)> = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if out.iter().any(|(x, _)| *x == k) {
                        return Err(de::Error::custom(format!("duplicate key {k:?}")));
                    }
                    let v = map.next_value()?;
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}
