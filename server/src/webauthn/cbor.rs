//! A strict CBOR (RFC 8949) decoder for the attestation object, COSE keys
//! and authenticator extensions: definite lengths only, no repeated map
//! keys, bounded nesting, and no allocation that the input cannot back.

use std::cmp::Ordering;

use super::error::CborError;

/// How many arrays, maps and tags may enclose one another. WebAuthn's
/// deepest structure (attestationObject → attStmt → x5c → certificate) needs
/// three; the bound keeps a hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 16;

/// One decoded CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Unsigned(u64),
    /// The value is `-1 - n`.
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    /// Entries in the order they were encoded.
    Map(Vec<(Value, Value)>),
    Tag(u64, Box<Value>),
    Bool(bool),
    Null,
    Undefined,
    Float(f64),
}

impl Value {
    /// The item as an integer, if it is one.
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Unsigned(n) => Some(i128::from(*n)),
            Value::Negative(n) => Some(-1 - i128::from(*n)),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value under `key`, if the item is a map that has it.
    pub fn map_get(&self, key: &Value) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| compare(k, key) == Ordering::Equal)
            .map(|(_, v)| v)
    }

    /// The value under the integer key `key` (COSE labels).
    pub fn map_get_int(&self, key: i64) -> Option<&Value> {
        let key = i128::from(key);
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_int() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under the text key `key` (attestation object members).
    pub fn map_get_text(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
    }
}

/// Decodes `bytes` as exactly one data item.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let (value, used) = decode_prefix(bytes)?;
    match bytes.len().saturating_sub(used) {
        0 => Ok(value),
        rest => Err(CborError::TrailingBytes(rest)),
    }
}

/// Decodes the data item at the start of `bytes` and says how many bytes
/// it took; the rest is the caller's (authenticator data puts extensions
/// right after the credential key).
pub fn decode_prefix(bytes: &[u8]) -> Result<(Value, usize), CborError> {
    let mut decoder = Decoder {
        input: bytes,
        pos: 0,
    };
    let value = decoder.item(0)?;
    Ok((value, decoder.pos))
}

/// A total order on items, so that repeated map keys are found by sorting
/// rather than by comparing every pair. Floats compare by their bits: two
/// keys are the same only if they are the same number in every respect.
fn compare(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Unsigned(_) => 0,
            Value::Negative(_) => 1,
            Value::Bytes(_) => 2,
            Value::Text(_) => 3,
            Value::Array(_) => 4,
            Value::Map(_) => 5,
            Value::Tag(..) => 6,
            Value::Bool(_) => 7,
            Value::Null => 8,
            Value::Undefined => 9,
            Value::Float(_) => 10,
        }
    }
    match (a, b) {
        (Value::Unsigned(x), Value::Unsigned(y)) | (Value::Negative(x), Value::Negative(y)) => {
            x.cmp(y)
        }
        (Value::Bytes(x), Value::Bytes(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(p, q)| compare(p, q))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Map(x), Value::Map(y)) => x
            .iter()
            .zip(y)
            .map(|((pk, pv), (qk, qv))| compare(pk, qk).then_with(|| compare(pv, qv)))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Tag(m, x), Value::Tag(n, y)) => m.cmp(n).then_with(|| compare(x, y)),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.to_bits().cmp(&y.to_bits()),
        _ => rank(a).cmp(&rank(b)),
    }
}

// The item headers are decoded here rather than with `ciborium-ll`: its
// decoder reads through `std::io::Read` and hands back indefinite lengths
// and simple values as ordinary headers, so every rule above would still
// have to be written on top of it, and the whole header format is a
// screenful of code.
struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self.pos.checked_add(n).ok_or(CborError::Truncated)?;
        let bytes = self.input.get(self.pos..end).ok_or(CborError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], CborError> {
        self.take(N)?.try_into().map_err(|_| CborError::Truncated)
    }

    /// The argument of a header whose additional information is `info`
    /// (0 to 27; the caller has refused the rest).
    fn argument(&mut self, info: u8) -> Result<u64, CborError> {
        Ok(match info {
            24 => u64::from(u8::from_be_bytes(self.take_array()?)),
            25 => u64::from(u16::from_be_bytes(self.take_array()?)),
            26 => u64::from(u32::from_be_bytes(self.take_array()?)),
            27 => u64::from_be_bytes(self.take_array()?),
            _ => u64::from(info),
        })
    }

    /// Bytes of a string whose header declared `len`, refused before any
    /// allocation if the input cannot hold them.
    fn string(&mut self, len: u64) -> Result<&'a [u8], CborError> {
        match usize::try_from(len) {
            Ok(n) if n <= self.remaining() => self.take(n),
            _ => Err(CborError::LengthTooLarge(len)),
        }
    }

    /// The element count of an array or map: each element takes at least
    /// `min_bytes` bytes of input, so a larger count is refused up front
    /// and the count can size an allocation.
    fn count(&self, len: u64, min_bytes: usize) -> Result<usize, CborError> {
        match usize::try_from(len) {
            Ok(n)
                if n.checked_mul(min_bytes)
                    .is_some_and(|b| b <= self.remaining()) =>
            {
                Ok(n)
            }
            _ => Err(CborError::LengthTooLarge(len)),
        }
    }

    /// Decodes one item enclosed by `depth` arrays, maps or tags.
    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        let [initial] = self.take_array::<1>()?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        match info {
            28..=30 => return Err(CborError::Unsupported("reserved additional information")),
            31 => {
                return Err(match major {
                    2..=5 => CborError::IndefiniteLength,
                    7 => CborError::Unsupported("a break outside an indefinite-length item"),
                    _ => CborError::Unsupported("an indefinite length on an integer or tag"),
                });
            }
            _ => {}
        }
        if major == 7 {
            return self.simple(info);
        }
        let argument = self.argument(info)?;
        let nested = depth + 1;
        if matches!(major, 4..=6) && nested > MAX_DEPTH {
            return Err(CborError::TooDeep(MAX_DEPTH));
        }
        Ok(match major {
            0 => Value::Unsigned(argument),
            1 => Value::Negative(argument),
            2 => Value::Bytes(self.string(argument)?.to_vec()),
            3 => {
                let bytes = self.string(argument)?;
                let text = std::str::from_utf8(bytes).map_err(|_| CborError::InvalidUtf8)?;
                Value::Text(text.to_owned())
            }
            4 => {
                let n = self.count(argument, 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.item(nested)?);
                }
                Value::Array(items)
            }
            5 => {
                let n = self.count(argument, 2)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.item(nested)?;
                    let value = self.item(nested)?;
                    entries.push((key, value));
                }
                check_unique_keys(&entries)?;
                Value::Map(entries)
            }
            _ => Value::Tag(argument, Box::new(self.item(nested)?)),
        })
    }

    /// Major type 7: the simple values and floats.
    fn simple(&mut self, info: u8) -> Result<Value, CborError> {
        Ok(match info {
            20 => Value::Bool(false),
            21 => Value::Bool(true),
            22 => Value::Null,
            23 => Value::Undefined,
            25 => Value::Float(half_to_f64(u16::from_be_bytes(self.take_array()?))),
            26 => Value::Float(f64::from(f32::from_be_bytes(self.take_array()?))),
            27 => Value::Float(f64::from_be_bytes(self.take_array()?)),
            _ => return Err(CborError::Unsupported("an unassigned simple value")),
        })
    }
}

/// Refuses a map whose keys repeat: two parsers keeping different copies
/// would read different attestations from the same bytes.
fn check_unique_keys(entries: &[(Value, Value)]) -> Result<(), CborError> {
    let mut keys: Vec<&Value> = entries.iter().map(|(k, _)| k).collect();
    keys.sort_unstable_by(|a, b| compare(a, b));
    if keys
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if compare(a, b).is_eq()))
    {
        return Err(CborError::DuplicateKey);
    }
    Ok(())
}

/// IEEE 754 binary16 to binary64 (RFC 8949 Appendix D).
fn half_to_f64(half: u16) -> f64 {
    let exponent = i32::from((half >> 10) & 0x1f);
    let mantissa = f64::from(half & 0x3ff);
    let magnitude = match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + mantissa / 1024.0) * 2f64.powi(exponent - 15),
    };
    if half & 0x8000 != 0 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::webauthn::base64url;
    use crate::webauthn::certificates::test_fixtures::{DIR, hex, json as fixture};

    fn attestation_object(fixture_json: &serde_json::Value) -> Vec<u8> {
        let text = fixture_json["attestationObject_b64url"].as_str().unwrap();
        base64url::decode("attestationObject", text, 1 << 20).unwrap()
    }

    fn negative_case(name: &str) -> Vec<u8> {
        let all = fixture("derived-none-es256-negative-cases.json");
        let case = all["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name}"))
            .clone();
        attestation_object(&case)
    }

    #[test]
    fn decodes_the_w3c_none_es256_attestation_object() {
        let bytes = attestation_object(&fixture("w3c-none-es256.json"));
        let value = decode(&bytes).unwrap();
        assert_eq!(value.map_get_text("fmt").unwrap().as_text(), Some("none"));
        assert_eq!(
            value.map_get_text("attStmt").unwrap().as_map(),
            Some(&[][..])
        );
        assert_eq!(
            value
                .map_get_text("authData")
                .unwrap()
                .as_bytes()
                .unwrap()
                .len(),
            164
        );
    }

    #[test]
    fn decodes_every_fixture_attestation_object() {
        let mut seen = 0;
        for entry in std::fs::read_dir(DIR).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let f: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            if f["attestationObject_b64url"].is_null() {
                continue;
            }
            let value = decode(&attestation_object(&f)).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert_eq!(
                value.map_get_text("fmt").and_then(Value::as_text),
                f["fmt"].as_str(),
                "{path:?}"
            );
            let auth_data = value.map_get_text("authData").unwrap().as_bytes().unwrap();
            let expected = base64url::decode(
                "a",
                f["authenticatorData_b64url"].as_str().unwrap(),
                1 << 20,
            )
            .unwrap();
            assert_eq!(auth_data, expected, "{path:?}");
            seen += 1;
        }
        assert!(seen >= 20, "only {seen} fixtures");
    }

    #[test]
    fn decodes_rfc_8949_appendix_a_examples() {
        let cases: &[(&str, Value)] = &[
            ("00", Value::Unsigned(0)),
            ("17", Value::Unsigned(23)),
            ("1818", Value::Unsigned(24)),
            ("1903e8", Value::Unsigned(1000)),
            ("1a000f4240", Value::Unsigned(1_000_000)),
            ("1bffffffffffffffff", Value::Unsigned(u64::MAX)),
            ("20", Value::Negative(0)),
            ("3863", Value::Negative(99)),
            ("3bffffffffffffffff", Value::Negative(u64::MAX)),
            ("40", Value::Bytes(vec![])),
            ("4401020304", Value::Bytes(vec![1, 2, 3, 4])),
            ("60", Value::Text(String::new())),
            ("62c3bc", Value::Text("ü".to_owned())),
            ("f4", Value::Bool(false)),
            ("f5", Value::Bool(true)),
            ("f6", Value::Null),
            ("f7", Value::Undefined),
            ("f93c00", Value::Float(1.0)),
            ("f97bff", Value::Float(65504.0)),
            ("f90001", Value::Float(5.960464477539063e-8)),
            ("f9c400", Value::Float(-4.0)),
            ("f97c00", Value::Float(f64::INFINITY)),
            ("fa47c35000", Value::Float(100000.0)),
            ("fb3ff199999999999a", Value::Float(1.1)),
            (
                "c11a514b67b0",
                Value::Tag(1, Box::new(Value::Unsigned(1_363_896_240))),
            ),
            (
                "8301820203820405",
                Value::Array(vec![
                    Value::Unsigned(1),
                    Value::Array(vec![Value::Unsigned(2), Value::Unsigned(3)]),
                    Value::Array(vec![Value::Unsigned(4), Value::Unsigned(5)]),
                ]),
            ),
            (
                "a201020304",
                Value::Map(vec![
                    (Value::Unsigned(1), Value::Unsigned(2)),
                    (Value::Unsigned(3), Value::Unsigned(4)),
                ]),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(&decode(&hex(text)).unwrap(), expected, "{text}");
        }
        assert!(matches!(decode(&hex("f97e00")), Ok(Value::Float(f)) if f.is_nan()));
    }

    #[test]
    fn helpers_read_cose_style_maps() {
        // {1: 2, 3: -7, -1: 1, "fmt": "none"}
        let value = decode(&hex("a401020326200163666d74646e6f6e65")).unwrap();
        assert_eq!(value.map_get_int(1).unwrap().as_int(), Some(2));
        assert_eq!(value.map_get_int(3).unwrap().as_int(), Some(-7));
        assert_eq!(value.map_get_int(-1).unwrap().as_int(), Some(1));
        assert_eq!(value.map_get_int(2), None);
        assert_eq!(value.map_get_text("fmt").unwrap().as_text(), Some("none"));
        assert_eq!(
            value.map_get(&Value::Negative(0)).unwrap(),
            &Value::Unsigned(1)
        );
        assert_eq!(Value::Unsigned(1).map_get_int(1), None);
        assert_eq!(Value::Negative(u64::MAX).as_int(), Some(-(1i128 << 64)));
    }

    #[test]
    fn decode_prefix_reports_the_bytes_used() {
        let (value, used) = decode_prefix(&hex("820102ff00")).unwrap();
        assert_eq!(
            value,
            Value::Array(vec![Value::Unsigned(1), Value::Unsigned(2)])
        );
        assert_eq!(used, 3);
    }

    #[test]
    fn trailing_bytes_are_refused() {
        assert_eq!(decode(&hex("0000")), Err(CborError::TrailingBytes(1)));
        assert_eq!(
            decode(&negative_case("attobj-trailing-bytes")),
            Err(CborError::TrailingBytes(1))
        );
    }

    #[test]
    fn empty_and_truncated_input_is_refused() {
        assert_eq!(decode(&[]), Err(CborError::Truncated));
        assert_eq!(decode(&hex("19")), Err(CborError::Truncated));
        assert_eq!(decode(&hex("1a0000")), Err(CborError::Truncated));
        assert_eq!(decode(&hex("82011903e8")[..3]), Err(CborError::Truncated));
        assert_eq!(decode(&hex("a1011903e8")[..3]), Err(CborError::Truncated));
        assert_eq!(decode(&hex("f9")), Err(CborError::Truncated));
    }

    #[test]
    fn indefinite_lengths_are_refused() {
        for text in ["5f41014102ff", "7f6161ff", "9f01ff", "bf0102ff"] {
            assert_eq!(
                decode(&hex(text)),
                Err(CborError::IndefiniteLength),
                "{text}"
            );
        }
        assert_eq!(
            decode(&negative_case("attobj-indefinite-length")),
            Err(CborError::IndefiniteLength)
        );
    }

    #[test]
    fn duplicate_map_keys_are_refused() {
        assert_eq!(decode(&hex("a201020103")), Err(CborError::DuplicateKey));
        // The same key spelled with a longer header is still the same key.
        assert_eq!(decode(&hex("a20102180103")), Err(CborError::DuplicateKey));
        // And repeated text keys far apart.
        assert_eq!(
            decode(&hex("a3616101616202616103")),
            Err(CborError::DuplicateKey)
        );
        assert_eq!(
            decode(&negative_case("attobj-duplicate-fmt-key")),
            Err(CborError::DuplicateKey)
        );
        // Nested maps are checked too.
        assert_eq!(decode(&hex("a10aa201020103")), Err(CborError::DuplicateKey));
    }

    #[test]
    fn distinct_keys_of_different_types_are_fine() {
        // {1: 0, -2: 0, "1": 0, h'01': 0, [1]: 0, 1.0: 0}
        let value = decode(&hex("a601002100613100410100810100f93c0000")).unwrap();
        assert_eq!(value.as_map().unwrap().len(), 6);
    }

    #[test]
    fn many_map_keys_are_checked_quickly() {
        let n: u16 = 20_000;
        let mut bytes = vec![0xb9];
        bytes.extend_from_slice(&n.to_be_bytes());
        for i in 0..n {
            bytes.push(0x19);
            bytes.extend_from_slice(&i.to_be_bytes());
            bytes.push(0xf6);
        }
        assert_eq!(decode(&bytes).unwrap().as_map().unwrap().len(), 20_000);
        // Now repeat the very first key at the end.
        bytes[1..3].copy_from_slice(&(n + 1).to_be_bytes());
        bytes.extend_from_slice(&[0x19, 0, 0, 0xf6]);
        assert_eq!(decode(&bytes), Err(CborError::DuplicateKey));
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |levels: usize| {
            let mut bytes = vec![0x81; levels - 1];
            bytes.push(0x80);
            bytes
        };
        assert!(decode(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(
            decode(&nested(MAX_DEPTH + 1)),
            Err(CborError::TooDeep(MAX_DEPTH))
        );
        assert_eq!(decode(&nested(20_000)), Err(CborError::TooDeep(MAX_DEPTH)));
        // Tags and maps count as levels as well.
        let mut tags = vec![0xc1; MAX_DEPTH + 1];
        tags.push(0x00);
        assert_eq!(decode(&tags), Err(CborError::TooDeep(MAX_DEPTH)));
        let mut maps = Vec::new();
        for _ in 0..=MAX_DEPTH {
            maps.extend_from_slice(&[0xa1, 0x00]);
        }
        maps.push(0x00);
        assert_eq!(decode(&maps), Err(CborError::TooDeep(MAX_DEPTH)));
        assert_eq!(
            decode(&negative_case("attobj-deep-nesting")),
            Err(CborError::TooDeep(MAX_DEPTH))
        );
    }

    #[test]
    fn lengths_beyond_the_input_are_refused_before_allocating() {
        assert_eq!(
            decode(&hex("5affffffff00")),
            Err(CborError::LengthTooLarge(0xffff_ffff))
        );
        assert_eq!(
            decode(&hex("7bffffffffffffffff")),
            Err(CborError::LengthTooLarge(u64::MAX))
        );
        assert_eq!(
            decode(&hex("9bffffffffffffffff")),
            Err(CborError::LengthTooLarge(u64::MAX))
        );
        assert_eq!(
            decode(&hex("ba7fffffff")),
            Err(CborError::LengthTooLarge(0x7fff_ffff))
        );
        // A map of two entries needs at least four bytes.
        assert_eq!(decode(&hex("a2010203")), Err(CborError::LengthTooLarge(2)));
        assert_eq!(decode(&hex("4301")), Err(CborError::LengthTooLarge(3)));
        assert_eq!(
            decode(&negative_case("attobj-huge-length")),
            Err(CborError::LengthTooLarge(0xffff_ffff))
        );
    }

    #[test]
    fn text_must_be_utf8() {
        assert_eq!(decode(&hex("62c328")), Err(CborError::InvalidUtf8));
        assert_eq!(decode(&hex("61ff")), Err(CborError::InvalidUtf8));
    }

    #[test]
    fn reserved_and_unassigned_headers_are_refused() {
        for text in ["1c", "3d", "5e", "ff", "1f", "df", "f0", "f8ff", "fc"] {
            assert!(
                matches!(decode(&hex(text)), Err(CborError::Unsupported(_))),
                "{text}: {:?}",
                decode(&hex(text))
            );
        }
    }

    /// Every prefix and every one-byte change of real attestation objects
    /// must come back as a value or an error, never a panic.
    #[test]
    fn no_truncation_or_byte_mutation_panics() {
        for name in ["w3c-none-es256.json", "w3c-packed-es256.json"] {
            let original = attestation_object(&fixture(name));
            for len in 0..original.len() {
                assert!(decode(&original[..len]).is_err());
            }
            let mut mutated = original.clone();
            for i in 0..original.len() {
                for byte in 0..=u8::MAX {
                    mutated[i] = byte;
                    let _ = decode(&mutated);
                    let _ = decode_prefix(&mutated);
                }
                mutated[i] = original[i];
            }
        }
    }
}
