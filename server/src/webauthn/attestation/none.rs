//! The `none` attestation format (§8.7): the authenticator vouches for
//! nothing, and its statement must be empty.

use super::{AttestationInput, Trust, Verdict};
use crate::webauthn::{AttestationError, AttestationType};

/// §8.7: "If attStmt is a properly formed attestation statement, ... attStmt
/// is an empty CBOR map." Anything in it is refused rather than ignored.
pub fn verify(input: &AttestationInput<'_>) -> Result<Verdict, AttestationError> {
    let map = input
        .statement
        .as_map()
        .ok_or(AttestationError::StatementMalformed("attStmt is not a map"))?;
    if !map.is_empty() {
        return Err(AttestationError::StatementMalformed(
            "attStmt must be empty for the none format",
        ));
    }
    Ok(Verdict {
        attestation_type: AttestationType::None,
        trust: Trust::None,
    })
}
