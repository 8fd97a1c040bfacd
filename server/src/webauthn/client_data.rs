//! Parsing of `clientDataJSON` (W3C WebAuthn §5.8.1, §7.1 steps 5 and 6):
//! strict JSON that refuses duplicate keys, reduced to the members the
//! verifier checks. The checks themselves belong to the verifier.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::RegistrationError;

/// The members of `clientDataJSON` that registration looks at, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientData {
    /// `type`: `webauthn.create` for a registration.
    pub ty: String,
    /// `challenge`: base64url, compared as text by the verifier.
    pub challenge: String,
    pub origin: String,
    pub cross_origin: Option<bool>,
    pub top_origin: Option<String>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses the raw `clientDataJSON` bytes.
pub fn parse(bytes: &[u8]) -> Result<ClientData, RegistrationError> {
    // §7.1 step 5 runs "UTF-8 decode", which drops one leading BOM.
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| RegistrationError::ClientDataNotUtf8)?;
    let value = parse_strict(text)?;
    let Value::Object(object) = value else {
        return Err(RegistrationError::ClientDataInvalidJson(
            "the top level is not an object".to_owned(),
        ));
    };
    Ok(ClientData {
        ty: required_string(&object, "type")?,
        challenge: required_string(&object, "challenge")?,
        origin: required_string(&object, "origin")?,
        cross_origin: match object.get("crossOrigin") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(RegistrationError::ClientDataFieldType("crossOrigin")),
        },
        top_origin: match object.get("topOrigin") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(RegistrationError::ClientDataFieldType("topOrigin")),
        },
    })
}

fn required_string(
    object: &Map<String, Value>,
    name: &'static str,
) -> Result<String, RegistrationError> {
    match object.get(name) {
        None => Err(RegistrationError::ClientDataMissingField(name)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(RegistrationError::ClientDataFieldType(name)),
    }
}

/// Parses one JSON value, failing on a key repeated in any object.
fn parse_strict(text: &str) -> Result<Value, RegistrationError> {
    // serde_json's errors are opaque, so the visitor leaves the repeated key
    // here to tell that failure apart from a syntax error.
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let result = StrictValue {
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (result, duplicate.into_inner()) {
        (_, Some(key)) => Err(RegistrationError::ClientDataDuplicateKey(key)),
        (Ok(value), None) => Ok(value),
        (Err(e), None) => Err(RegistrationError::ClientDataInvalidJson(e.to_string())),
    }
}

/// Deserialises any JSON value like `serde_json::Value` does, except that
/// a repeated object key is an error instead of silently replacing the
/// earlier member: two parsers must never read different challenges.
#[derive(Clone, Copy)]
struct StrictValue<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let message = format!("the key `{key}` appears twice");
                *self.duplicate.borrow_mut() = Some(key);
                return Err(de::Error::custom(message));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::webauthn::base64url;
    use crate::webauthn::certificates::test_fixtures::{DIR, json as fixture};

    fn negative_case(name: &str) -> Vec<u8> {
        let all = fixture("derived-none-es256-negative-cases.json");
        let case = all["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name}"));
        base64url::decode(
            "c",
            case["clientDataJSON_b64url"].as_str().unwrap(),
            1 << 20,
        )
        .unwrap()
    }

    #[test]
    fn parses_the_w3c_none_es256_client_data() {
        let f = fixture("w3c-none-es256.json");
        let bytes =
            base64url::decode("c", f["clientDataJSON_b64url"].as_str().unwrap(), 4096).unwrap();
        let parsed = parse(&bytes).unwrap();
        assert_eq!(
            parsed,
            ClientData {
                ty: "webauthn.create".to_owned(),
                challenge: "AMMPt4UxxGTStncdq417YDwBFi8vpIa-pw8oOuVW4TA".to_owned(),
                origin: "https://example.org".to_owned(),
                cross_origin: Some(false),
                top_origin: None,
            }
        );
    }

    #[test]
    fn parses_every_fixture_as_its_derived_client_data() {
        let dir = std::fs::read_dir(DIR).unwrap();
        let mut seen = 0;
        for entry in dir {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let f: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let Some(b64) = f["clientDataJSON_b64url"].as_str() else {
                continue;
            };
            let parsed = parse(&base64url::decode("c", b64, 1 << 16).unwrap()).unwrap();
            let expected = &f["clientData"];
            assert_eq!(parsed.ty, expected["type"], "{path:?}");
            assert_eq!(parsed.challenge, expected["challenge"], "{path:?}");
            assert_eq!(parsed.origin, expected["origin"], "{path:?}");
            assert_eq!(
                parsed.cross_origin,
                expected["crossOrigin"].as_bool(),
                "{path:?}"
            );
            assert_eq!(
                parsed.top_origin.as_deref(),
                expected["topOrigin"].as_str(),
                "{path:?}"
            );
            seen += 1;
        }
        assert!(seen >= 20, "only {seen} fixtures had clientDataJSON");
    }

    #[test]
    fn w3c_top_origin_vector_carries_its_top_origin() {
        let f = fixture("w3c-none-es256-topOrigin.json");
        let bytes =
            base64url::decode("c", f["clientDataJSON_b64url"].as_str().unwrap(), 4096).unwrap();
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.cross_origin, Some(true));
        assert!(parsed.top_origin.is_some());
    }

    #[test]
    fn derived_duplicate_challenge_is_refused() {
        assert_eq!(
            parse(&negative_case("json-duplicate-challenge")),
            Err(RegistrationError::ClientDataDuplicateKey(
                "challenge".to_owned()
            ))
        );
    }

    #[test]
    fn derived_bom_is_stripped() {
        let parsed = parse(&negative_case("json-bom")).unwrap();
        assert_eq!(parsed.ty, "webauthn.create");
    }

    #[test]
    fn derived_invalid_utf8_is_refused() {
        assert_eq!(
            parse(&negative_case("json-invalid-utf8")),
            Err(RegistrationError::ClientDataNotUtf8)
        );
    }

    #[test]
    fn derived_missing_type_is_refused() {
        assert_eq!(
            parse(&negative_case("type-missing")),
            Err(RegistrationError::ClientDataMissingField("type"))
        );
    }

    #[test]
    fn derived_padded_challenge_is_kept_verbatim() {
        // The verifier compares the text; it must see the padding.
        let parsed = parse(&negative_case("challenge-padded")).unwrap();
        assert!(parsed.challenge.ends_with('='), "{}", parsed.challenge);
    }

    const MINIMAL: &str =
        r#"{"type":"webauthn.create","challenge":"AA","origin":"https://a.example"}"#;

    #[test]
    fn absent_optional_members_are_none() {
        let parsed = parse(MINIMAL.as_bytes()).unwrap();
        assert_eq!(parsed.cross_origin, None);
        assert_eq!(parsed.top_origin, None);
    }

    #[test]
    fn unknown_members_are_ignored() {
        let text = r#"{"type":"webauthn.create","challenge":"AA","origin":"o","other_keys_can_be_added_here":"do not compare clientDataJSON against a template. See https://goo.gl/yabPex","tokenBinding":{"status":"supported"}}"#;
        assert_eq!(parse(text.as_bytes()).unwrap().origin, "o");
    }

    #[test]
    fn only_one_bom_is_stripped() {
        let mut bytes = b"\xEF\xBB\xBF\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(MINIMAL.as_bytes());
        assert!(matches!(
            parse(&bytes),
            Err(RegistrationError::ClientDataInvalidJson(_))
        ));
    }

    #[test]
    fn a_duplicate_key_in_a_nested_object_is_refused() {
        let text = r#"{"type":"webauthn.create","challenge":"AA","origin":"o","tokenBinding":{"status":"present","status":"supported"}}"#;
        assert_eq!(
            parse(text.as_bytes()),
            Err(RegistrationError::ClientDataDuplicateKey(
                "status".to_owned()
            ))
        );
    }

    #[test]
    fn a_duplicate_key_inside_an_array_is_refused() {
        let text =
            r#"{"type":"webauthn.create","challenge":"AA","origin":"o","x":[1,{"a":1,"a":2}]}"#;
        assert_eq!(
            parse(text.as_bytes()),
            Err(RegistrationError::ClientDataDuplicateKey("a".to_owned()))
        );
    }

    #[test]
    fn an_escaped_spelling_of_a_key_is_still_a_duplicate() {
        let text =
            r#"{"type":"webauthn.create","challenge":"AA","chall\u0065nge":"BB","origin":"o"}"#;
        assert_eq!(
            parse(text.as_bytes()),
            Err(RegistrationError::ClientDataDuplicateKey(
                "challenge".to_owned()
            ))
        );
    }

    #[test]
    fn syntax_errors_are_invalid_json() {
        for text in [
            "",
            "{",
            r#"{"type":"webauthn.create",}"#,
            r#"{"type":'webauthn.create'}"#,
            &format!("{MINIMAL} {{}}"),
            &format!("{MINIMAL},"),
            r#"{"type":"\ud800","challenge":"AA","origin":"o"}"#,
        ] {
            assert!(
                matches!(
                    parse(text.as_bytes()),
                    Err(RegistrationError::ClientDataInvalidJson(_))
                ),
                "{text:?}: {:?}",
                parse(text.as_bytes())
            );
        }
    }

    #[test]
    fn trailing_whitespace_is_fine() {
        assert!(parse(format!("{MINIMAL}\n ").as_bytes()).is_ok());
    }

    #[test]
    fn a_top_level_that_is_not_an_object_is_invalid_json() {
        for text in ["[]", "\"webauthn.create\"", "null", "1"] {
            assert!(
                matches!(
                    parse(text.as_bytes()),
                    Err(RegistrationError::ClientDataInvalidJson(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let text = format!(
            r#"{{"type":"webauthn.create","challenge":"AA","origin":"o","x":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(matches!(
            parse(text.as_bytes()),
            Err(RegistrationError::ClientDataInvalidJson(_))
        ));
    }

    #[test]
    fn each_required_member_must_be_present() {
        for (text, name) in [
            (r#"{"challenge":"AA","origin":"o"}"#, "type"),
            (r#"{"type":"webauthn.create","origin":"o"}"#, "challenge"),
            (r#"{"type":"webauthn.create","challenge":"AA"}"#, "origin"),
        ] {
            assert_eq!(
                parse(text.as_bytes()),
                Err(RegistrationError::ClientDataMissingField(name))
            );
        }
    }

    #[test]
    fn members_of_the_wrong_type_are_refused() {
        for (text, name) in [
            (r#"{"type":1,"challenge":"AA","origin":"o"}"#, "type"),
            (
                r#"{"type":"webauthn.create","challenge":["AA"],"origin":"o"}"#,
                "challenge",
            ),
            (
                r#"{"type":"webauthn.create","challenge":"AA","origin":null}"#,
                "origin",
            ),
            (
                r#"{"type":"webauthn.create","challenge":"AA","origin":"o","crossOrigin":"false"}"#,
                "crossOrigin",
            ),
            (
                r#"{"type":"webauthn.create","challenge":"AA","origin":"o","crossOrigin":null}"#,
                "crossOrigin",
            ),
            (
                r#"{"type":"webauthn.create","challenge":"AA","origin":"o","topOrigin":true}"#,
                "topOrigin",
            ),
        ] {
            assert_eq!(
                parse(text.as_bytes()),
                Err(RegistrationError::ClientDataFieldType(name)),
                "{text}"
            );
        }
    }

    #[test]
    fn the_challenge_is_not_decoded() {
        let text = r#"{"type":"webauthn.create","challenge":"not base64!","origin":"o"}"#;
        assert_eq!(parse(text.as_bytes()).unwrap().challenge, "not base64!");
    }
}
