//! The software authenticator that the end-to-end tests and benchmarks
//! register with, checked two ways: its payloads pass this server's own
//! verifier (and fail at the expected step when a knob breaks them), and
//! they are laid out like a capture from Chromium running the real
//! `@passwordless-id/webauthn` 1.6.2 client. Without this, a bug in the
//! test support could make the end-to-end suite pass or fail for the wrong
//! reason.

use std::sync::LazyLock;

use ::soft_authenticator::{Algorithm, AttestationFormat as Attest, Authenticator, Ceremony};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use passkey_server::webauthn::{
    AttestationFormat, AttestationType, CoseAlgorithm, DEFAULT_ALGORITHMS, Expectations,
    VerifiedCredential, attestation::Trust, authenticator_data, base64url, cbor,
    verify_registration,
};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;

use super::{fixtures, now, read_json};

const RP_ID: &str = "passkeys.example";
const ORIGIN: &str = "https://passkeys.example";

/// One RS256 credential per test process: its key takes seconds to generate
/// in a debug build.
static RS256: LazyLock<Authenticator> = LazyLock::new(|| Authenticator::new(Algorithm::Rs256));

/// A challenge as the server issues it: raw bytes, and the base64url text
/// the page hands to the client library.
fn issue_challenge() -> (Vec<u8>, String) {
    let mut challenge = vec![0; 32];
    SystemRandom::new().fill(&mut challenge).unwrap();
    let text = base64url::encode(&challenge);
    (challenge, text)
}

/// The server's verdict on `payload`, through the same JSON reading as the
/// `verify-registration` command, for a server at `RP_ID` and `ORIGIN`.
fn verify(
    payload: &Value,
    challenge: &[u8],
    require_uv: bool,
) -> Result<VerifiedCredential, String> {
    let registration = passkey_server::verify_command::registration_from_json(payload)
        .map_err(|e| e.code().to_owned())?;
    let origins = [ORIGIN.to_owned()];
    let expected = Expectations {
        rp_id: RP_ID,
        origins: &origins,
        challenge,
        require_user_verification: require_uv,
        algorithms: DEFAULT_ALGORITHMS,
        now: now(),
        trust_anchors: &[],
    };
    verify_registration(&registration, &expected).map_err(|e| e.code().to_owned())
}

/// Registers `authenticator` with a freshly issued challenge in the
/// default ceremony as `change` alters it, and returns the verdict.
fn register(
    authenticator: &Authenticator,
    change: impl FnOnce(&mut Ceremony<'_>),
    require_uv: bool,
) -> Result<VerifiedCredential, String> {
    let (challenge, text) = issue_challenge();
    let mut ceremony = ceremony(&text);
    change(&mut ceremony);
    verify(&authenticator.register(&ceremony), &challenge, require_uv)
}

fn unchanged(_: &mut Ceremony<'_>) {}

/// One change to the default ceremony.
type Knob = fn(&mut Ceremony<'_>);

fn ceremony(challenge: &str) -> Ceremony<'_> {
    Ceremony::new(RP_ID, ORIGIN, challenge, "alice")
}

#[test]
fn every_algorithm_and_attestation_format_verifies() {
    let es256 = Authenticator::new(Algorithm::Es256);
    // (authenticator, format, UV, BE, BS): the flags vary so that each one
    // is seen both set and clear.
    let cases = [
        (&es256, Attest::None, true, true, true),
        (&es256, Attest::PackedSelf, true, false, false),
        (&*RS256, Attest::None, false, true, false),
        (&*RS256, Attest::PackedSelf, true, true, true),
    ];
    for (authenticator, attestation, uv, be, bs) in cases {
        for padded_base64 in [false, true] {
            let what = format!(
                "{:?} {attestation:?} uv={uv} be={be} bs={bs} padded={padded_base64}",
                authenticator.algorithm()
            );
            let credential = register(
                authenticator,
                |ceremony| {
                    ceremony.attestation = attestation;
                    ceremony.user_verified = uv;
                    ceremony.backup_eligible = be;
                    ceremony.backed_up = bs;
                    ceremony.padded_base64 = padded_base64;
                },
                uv,
            )
            .unwrap_or_else(|code| panic!("{what}: refused with {code}"));

            assert_eq!(
                credential.credential_id,
                authenticator.credential_id(),
                "{what}"
            );
            let algorithm = match authenticator.algorithm() {
                Algorithm::Es256 => CoseAlgorithm::Es256,
                Algorithm::Rs256 => CoseAlgorithm::Rs256,
            };
            assert_eq!(credential.algorithm, algorithm, "{what}");
            let (format, ty) = match attestation {
                Attest::None => (AttestationFormat::None, AttestationType::None),
                Attest::PackedSelf => (AttestationFormat::Packed, AttestationType::SelfAttestation),
            };
            assert_eq!(
                (credential.attestation_format, credential.attestation_type),
                (format, ty),
                "{what}"
            );
            assert_eq!(credential.trust, Trust::None, "{what}");
            let flags = credential.flags;
            assert_eq!(
                (flags.up, flags.uv, flags.be, flags.bs, flags.at, flags.ed),
                (true, uv, be, bs, true, false),
                "{what}"
            );
            assert_eq!(
                credential.public_key_spki,
                authenticator.public_key_spki(),
                "{what}"
            );
            assert_eq!(
                credential.public_key_cose,
                authenticator.public_key_cose(),
                "{what}"
            );
            assert_eq!(credential.sign_count, 0, "{what}");
            assert_eq!(credential.aaguid, [0; 16], "{what}");
        }
    }
}

#[test]
fn a_corrupted_self_attestation_signature_is_refused() {
    for authenticator in [&Authenticator::new(Algorithm::Es256), &*RS256] {
        assert_eq!(
            register(authenticator, |c| c.corrupt_signature = true, true)
                .err()
                .as_deref(),
            Some("ATTESTATION_SIGNATURE_INVALID"),
            "{:?}",
            authenticator.algorithm()
        );
        assert!(register(authenticator, unchanged, true).is_ok());
    }
}

#[test]
fn an_unverified_user_is_refused_only_when_verification_is_required() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let unverified = |c: &mut Ceremony<'_>| c.user_verified = false;
    assert_eq!(
        register(&authenticator, unverified, true).err().as_deref(),
        Some("USER_NOT_VERIFIED")
    );
    let credential = register(&authenticator, unverified, false).unwrap();
    assert!(credential.flags.up && !credential.flags.uv);
}

#[test]
fn a_registration_from_another_origin_is_refused() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let elsewhere = |c: &mut Ceremony<'_>| c.origin = "https://evil.example";
    assert_eq!(
        register(&authenticator, elsewhere, false).err().as_deref(),
        Some("ORIGIN_NOT_ALLOWED")
    );
}

/// The other knobs a test can turn, each refused at its own step, so that
/// a test using one fails for the reason it means to.
#[test]
fn each_other_knob_breaks_its_own_step() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let cases: [(&str, Knob); 3] = [
        ("RP_ID_HASH_MISMATCH", |c| c.rp_id = "evil.example"),
        ("USER_NOT_PRESENT", |c| c.user_present = false),
        ("BACKUP_STATE_WITHOUT_ELIGIBILITY", |c| c.backed_up = true),
    ];
    for (code, knob) in cases {
        assert_eq!(
            register(&authenticator, knob, false).err().as_deref(),
            Some(code)
        );
    }

    // A challenge the server did not issue for this ceremony.
    let (issued, _) = issue_challenge();
    let (_, other) = issue_challenge();
    let payload = authenticator.register(&ceremony(&other));
    assert_eq!(
        verify(&payload, &issued, false).err().as_deref(),
        Some("CHALLENGE_MISMATCH")
    );

    // A chosen credential ID is the one registered, up to the spec's limit.
    let chosen = Authenticator::new(Algorithm::Es256).with_credential_id(vec![0x5a; 1023]);
    let credential = register(&chosen, unchanged, false).unwrap();
    assert_eq!(credential.credential_id, vec![0x5a; 1023]);
    let too_long = chosen.with_credential_id(vec![0x5a; 1024]);
    assert_eq!(
        register(&too_long, unchanged, false).err().as_deref(),
        Some("CREDENTIAL_ID_TOO_LONG")
    );
}

fn map_keys(value: &cbor::Value) -> Vec<&str> {
    value
        .as_map()
        .unwrap()
        .iter()
        .map(|(key, _)| key.as_text().unwrap())
        .collect()
}

fn object_keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<_> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The payload beside one that headless Chromium 156 made by running the
/// published 1.6.2 client against a virtual authenticator (packed with a
/// batch certificate, ES256, UP UV AT): the same JSON members, the same
/// base64url spelling, the same clientDataJSON byte for byte, and the same
/// CBOR layout. Only what a different authenticator must change differs.
#[test]
fn the_payload_is_laid_out_like_a_chromium_capture() {
    let capture = read_json(
        fixtures().join("passkeys/chromium-virtual-authenticator_v1.6.2-registration.json"),
    );
    let theirs = &capture["create_passkey_dto"]["registration"];
    let challenge = capture["expected"]["challenge"].as_str().unwrap();
    let origin = capture["expected"]["origin"].as_str().unwrap();
    let ours = Authenticator::new(Algorithm::Es256).register(&Ceremony {
        padded_base64: true,
        ..Ceremony::new("localhost", origin, challenge, "Bob")
    });

    assert_eq!(object_keys(&ours), object_keys(theirs));
    assert_eq!(
        object_keys(&ours["credential"]),
        object_keys(&theirs["credential"])
    );
    assert_eq!(ours["username"], theirs["username"]);
    assert_eq!(
        ours["credential"]["algorithm"],
        theirs["credential"]["algorithm"]
    );

    let bytes = |payload: &Value, path: &[&str]| -> Vec<u8> {
        let mut value = payload;
        for key in path {
            value = &value[*key];
        }
        let text = value.as_str().unwrap();
        let bytes = base64url::decode("field", text, 1 << 16).unwrap();
        // The client pads every value it encodes itself; the credential ID
        // is the browser's, unpadded.
        let spelled = if path == ["credential", "id"] {
            base64url::encode(&bytes)
        } else {
            URL_SAFE.encode(&bytes)
        };
        assert_eq!(text, spelled, "{path:?}");
        bytes
    };
    for payload in [&ours, theirs] {
        bytes(payload, &["credential", "id"]);
    }

    assert_eq!(
        bytes(&ours, &["clientData"]),
        bytes(theirs, &["clientData"])
    );

    let our_spki = bytes(&ours, &["credential", "publicKey"]);
    let their_spki = bytes(theirs, &["credential", "publicKey"]);
    assert_eq!(our_spki.len(), their_spki.len());
    assert_eq!(our_spki[..27], their_spki[..27], "the P-256 SPKI prefix");

    let our_data = bytes(&ours, &["authenticatorData"]);
    let their_data = bytes(theirs, &["authenticatorData"]);
    // RP ID hash and flags (UP UV AT).
    assert_eq!(our_data[..33], their_data[..33]);
    let our_parsed = authenticator_data::parse(&our_data).unwrap();
    let their_parsed = authenticator_data::parse(&their_data).unwrap();
    let our_key = our_parsed.attested.unwrap().public_key_bytes;
    let their_key = their_parsed.attested.unwrap().public_key_bytes;
    assert_eq!(our_key.len(), their_key.len());
    // Map header, kty, alg, crv, and the x label; then the y label.
    assert_eq!(our_key[..10], their_key[..10]);
    assert_eq!(our_key[42..45], their_key[42..45]);

    let our_object = cbor::decode(&bytes(&ours, &["attestationData"])).unwrap();
    let their_object = cbor::decode(&bytes(theirs, &["attestationData"])).unwrap();
    assert_eq!(map_keys(&our_object), map_keys(&their_object));
    assert_eq!(
        our_object.map_get_text("fmt"),
        their_object.map_get_text("fmt")
    );
    // Theirs has a batch certificate (x5c) after alg and sig; ours signs
    // with the credential key alone.
    let our_statement = map_keys(our_object.map_get_text("attStmt").unwrap());
    let their_statement = map_keys(their_object.map_get_text("attStmt").unwrap());
    assert_eq!(our_statement, ["alg", "sig"]);
    assert_eq!(their_statement, ["alg", "sig", "x5c"]);
}
