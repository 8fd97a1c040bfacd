//! Base64url for the registration's binary fields: one strict decoder that
//! bounds a field's size before decoding it, and the unpadded encoder.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::error::RegistrationError;

/// The @passwordless-id 1.x client pads its values and browsers' own
/// `toJSON()` does not, so both forms are accepted; trailing bits must be
/// zero so that every byte string has exactly two spellings, never more.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false),
);

/// The longest text, padding included, that can encode `max_decoded` bytes.
fn max_encoded_len(max_decoded: usize) -> usize {
    max_decoded.div_ceil(3).saturating_mul(4)
}

/// Decodes `text`, a base64url value of at most `max_decoded` bytes, named
/// `field` in errors.
pub fn decode(
    field: &'static str,
    text: &str,
    max_decoded: usize,
) -> Result<Vec<u8>, RegistrationError> {
    let max = max_encoded_len(max_decoded);
    // Before decoding, so that an oversized field costs nothing.
    if text.len() > max {
        return Err(RegistrationError::FieldTooLong { field, max });
    }
    // `Indifferent` also lets through partial padding such as `AA=`; only
    // the full padding or none at all is a correct spelling.
    let padding = text.bytes().rev().take_while(|&b| b == b'=').count();
    if padding > 0 && !text.len().is_multiple_of(4) {
        return Err(RegistrationError::InvalidBase64 { field });
    }
    let bytes = ENGINE
        .decode(text)
        .map_err(|_| RegistrationError::InvalidBase64 { field })?;
    // Unpadded text of the maximum length can hold one or two bytes more.
    if bytes.len() > max_decoded {
        return Err(RegistrationError::FieldTooLong { field, max });
    }
    Ok(bytes)
}

/// Encodes `bytes` as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    ENGINE.encode(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn invalid(text: &str) {
        assert_eq!(
            decode("f", text, 1024),
            Err(RegistrationError::InvalidBase64 { field: "f" }),
            "{text:?} must be rejected"
        );
    }

    #[test]
    fn decodes_unpadded_and_padded_forms_alike() {
        assert_eq!(decode("f", "AQ", 16).unwrap(), vec![1]);
        assert_eq!(decode("f", "AQ==", 16).unwrap(), vec![1]);
        assert_eq!(decode("f", "AQI", 16).unwrap(), vec![1, 2]);
        assert_eq!(decode("f", "AQI=", 16).unwrap(), vec![1, 2]);
        assert_eq!(decode("f", "AQID", 16).unwrap(), vec![1, 2, 3]);
        assert_eq!(decode("f", "", 16).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn decodes_the_url_safe_alphabet() {
        assert_eq!(decode("f", "-_8", 16).unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn rejects_the_standard_alphabet() {
        invalid("+_8");
        invalid("-/8");
    }

    #[test]
    fn rejects_wrong_padding() {
        invalid("AQ=");
        invalid("AQ===");
        invalid("AQID=");
        invalid("AQID====");
        invalid("A===");
        invalid("AQ==AQ==");
        invalid("=");
    }

    #[test]
    fn rejects_whitespace_and_other_bytes() {
        invalid("AQ ID");
        invalid(" AQID");
        invalid("AQID\n");
        invalid("AQ\tID");
        invalid("AQ.D");
        invalid("AQÉD");
    }

    #[test]
    fn rejects_an_impossible_length() {
        invalid("A");
        invalid("AQIDB");
    }

    #[test]
    fn rejects_non_canonical_trailing_bits() {
        // `AR` and `AQJ` carry set bits after the last whole byte.
        invalid("AR");
        invalid("AR==");
        invalid("AQJ");
    }

    #[test]
    fn rejects_an_overlong_field_before_decoding() {
        // Not base64 at all: the length check must come first.
        let text = "!".repeat(9);
        assert_eq!(
            decode("credential.id", &text, 6),
            Err(RegistrationError::FieldTooLong {
                field: "credential.id",
                max: 8
            })
        );
    }

    #[test]
    fn accepts_a_field_of_exactly_the_maximum() {
        let bytes = [7u8; 32];
        let unpadded = encode(&bytes);
        assert_eq!(unpadded.len(), 43);
        assert_eq!(decode("f", &unpadded, 32).unwrap(), bytes);
        assert_eq!(decode("f", &format!("{unpadded}="), 32).unwrap(), bytes);
    }

    #[test]
    fn rejects_unpadded_text_that_decodes_past_the_maximum() {
        // Eight characters fit the limit for four bytes once padded, but
        // unpadded they are six bytes.
        assert_eq!(
            decode("f", "AQIDBAUG", 4),
            Err(RegistrationError::FieldTooLong { field: "f", max: 8 })
        );
    }

    #[test]
    fn a_huge_maximum_does_not_overflow() {
        assert_eq!(decode("f", "AQ", usize::MAX).unwrap(), vec![1]);
    }

    #[test]
    fn encodes_unpadded_url_safe() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(encode(&[1]), "AQ");
        assert_eq!(encode(&[]), "");
    }

    #[test]
    fn round_trips_every_length_up_to_64() {
        for len in 0..=64u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode("f", &encode(&bytes), 64).unwrap(), bytes);
        }
    }
}
