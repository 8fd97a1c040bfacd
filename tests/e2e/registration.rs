//! Registering passkeys through the real binary: challenge issuance, then
//! `create_passkey` with payloads from a software authenticator, as a
//! browser would send them. Each refusal test also stops the server and
//! counts what the database file holds, to show that nothing was stored.

use std::time::Duration;

use passkey_server::storage::{Counts, RedbStore, Store};
use passkey_server::webauthn::base64url;
use serde_json::{Value, json};
use soft_authenticator::{Algorithm, AttestationFormat, Authenticator, Ceremony};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Server, error_codes};

/// The server's defaults: `--rp-id localhost --origin http://localhost:8080`.
const RP_ID: &str = "localhost";
const ORIGIN: &str = "http://localhost:8080";

const ISSUE: &str = r#"mutation Issue($dto: CreatePasskeyChallengeResolverDto!) {
  create_passkey_challenge(dto: $dto) {
    challenge expires_at timeout_ms hostname rp_name user_id username
    algorithms { name cose_identifier }
    user_verification exclude_credentials
  }
}"#;

const CREATE: &str = r#"mutation Create($dto: CreatePasskeyResolverDto!) {
  create_passkey(dto: $dto) {
    id label user_id hostname user_code challenge credential_id
  }
}"#;

/// Asks for a challenge; returns the whole response body.
async fn issue(server: &Server, hostname: &str, username: &str) -> Value {
    let (status, body) = server
        .graphql_with(
            ISSUE,
            json!({ "dto": { "hostname": hostname, "username": username } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A challenge for `username` on the default relying party.
async fn challenge_for(server: &Server, username: &str) -> Value {
    let body = issue(server, RP_ID, username).await;
    let challenge = body["data"]["create_passkey_challenge"].clone();
    assert!(challenge.is_object(), "a challenge was issued: {body}");
    challenge
}

/// Sends `create_passkey`; returns the whole response body.
async fn create(
    server: &Server,
    label: &str,
    hostname: &str,
    challenge: &str,
    registration: Value,
) -> Value {
    let dto = json!({
        "label": label,
        "hostname": hostname,
        "challenge": challenge,
        "registration": registration,
    });
    let (status, body) = server.graphql_with(CREATE, json!({ "dto": dto })).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The challenge string of an issued challenge.
fn text(challenge: &Value) -> &str {
    challenge["challenge"].as_str().expect("a challenge string")
}

/// A new ES256 credential's registration answering `challenge` for
/// `username`, from a page on the default origin.
fn answer(challenge: &Value, username: &str) -> Value {
    Authenticator::new(Algorithm::Es256).register(&Ceremony::new(
        RP_ID,
        ORIGIN,
        text(challenge),
        username,
    ))
}

/// Registers `authenticator` for `username` with a fresh challenge and
/// checks that it succeeded; returns the stored passkey.
async fn register(server: &Server, username: &str, authenticator: &Authenticator) -> Value {
    let challenge = challenge_for(server, username).await;
    let registration =
        authenticator.register(&Ceremony::new(RP_ID, ORIGIN, text(&challenge), username));
    let body = create(server, "Laptop", RP_ID, text(&challenge), registration).await;
    let passkey = body["data"]["create_passkey"].clone();
    assert!(passkey.is_object(), "the passkey was registered: {body}");
    passkey
}

/// Asserts that the response is exactly one error with `code`.
fn assert_refused(body: &Value, code: &str) {
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(error_codes(body), [code], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.len() > 20,
        "the message explains the refusal: {body}"
    );
}

/// Stops the server and counts the records in its database file.
fn stop_and_count(server: &mut Server) -> Counts {
    assert!(server.terminate().success(), "{}", server.logs());
    let store = RedbStore::open(server.db()).expect("the database opens after the server stops");
    store.counts().expect("the database can be counted")
}

fn stored(users: u64, passkeys: u64, challenges: u64) -> Counts {
    Counts {
        users,
        passkeys,
        credential_ids: passkeys,
        challenges,
    }
}

#[tokio::test]
async fn a_challenge_carries_what_the_browser_needs() {
    let server = Server::start(&["--rp-name", "Example Login"]);
    let before = OffsetDateTime::now_utc();

    let challenge = challenge_for(&server, "alice").await;

    let bytes = base64url::decode("challenge", text(&challenge), 64).expect("base64url");
    assert_eq!(bytes.len(), 32, "{challenge}");
    assert!(!text(&challenge).contains('='), "unpadded: {challenge}");
    let expires_at = OffsetDateTime::parse(
        challenge["expires_at"].as_str().expect("a string"),
        &Rfc3339,
    )
    .expect("RFC 3339");
    let lifetime = expires_at - before;
    assert!(
        lifetime > time::Duration::seconds(299) && lifetime <= time::Duration::seconds(301),
        "expires five minutes after issue: {challenge}"
    );
    assert_eq!(challenge["timeout_ms"], 300_000);
    assert_eq!(challenge["hostname"], RP_ID);
    assert_eq!(challenge["rp_name"], "Example Login");
    assert_eq!(challenge["username"], "alice");
    let user_id = base64url::decode(
        "user_id",
        challenge["user_id"].as_str().expect("a string"),
        64,
    )
    .expect("base64url");
    assert_eq!(user_id.len(), 16, "{challenge}");
    assert_eq!(
        challenge["algorithms"],
        json!([
            { "name": "ES256", "cose_identifier": -7 },
            { "name": "RS256", "cose_identifier": -257 },
            { "name": "EdDSA", "cose_identifier": -8 },
        ])
    );
    assert_eq!(challenge["user_verification"], "required");
    assert_eq!(challenge["exclude_credentials"], json!([]));

    // Two challenges are never the same, nor are the user handles.
    let other = challenge_for(&server, "alice").await;
    assert_ne!(other["challenge"], challenge["challenge"]);
    assert_ne!(other["user_id"], challenge["user_id"]);
}

#[tokio::test]
async fn es256_and_rs256_register_with_none_and_packed_attestation() {
    let mut server = Server::start(&[]);
    let rsa = Authenticator::new(Algorithm::Rs256);
    let cases = [
        ("es256-none", Algorithm::Es256, AttestationFormat::None),
        (
            "es256-packed",
            Algorithm::Es256,
            AttestationFormat::PackedSelf,
        ),
        ("rs256-none", Algorithm::Rs256, AttestationFormat::None),
        (
            "rs256-packed",
            Algorithm::Rs256,
            AttestationFormat::PackedSelf,
        ),
    ];
    let mut registered = Vec::new();
    for (username, algorithm, attestation) in cases {
        // One RSA key serves both RSA cases under two credential IDs: key
        // generation is slow, and the server indexes credential IDs.
        let authenticator = match algorithm {
            Algorithm::Es256 => Authenticator::new(algorithm),
            Algorithm::Rs256 => {
                Authenticator::from_pkcs8(algorithm, rsa.pkcs8_der()).expect("the RSA key loads")
            }
        };
        let challenge = challenge_for(&server, username).await;
        let ceremony = Ceremony {
            attestation,
            ..Ceremony::new(RP_ID, ORIGIN, text(&challenge), username)
        };
        let registration = authenticator.register(&ceremony);

        let body = create(&server, "My key", RP_ID, text(&challenge), registration).await;

        let passkey = &body["data"]["create_passkey"];
        assert!(passkey.is_object(), "{username}: {body}");
        let id = passkey["id"].as_str().expect("an id");
        assert_eq!(
            base64url::decode("id", id, 64).expect("base64url").len(),
            16,
            "{body}"
        );
        assert_eq!(passkey["label"], "My key");
        assert_eq!(passkey["user_id"], challenge["user_id"], "{body}");
        assert_eq!(passkey["hostname"], RP_ID);
        assert_eq!(passkey["user_code"], username);
        assert_eq!(passkey["challenge"], challenge["challenge"]);
        assert_eq!(
            passkey["credential_id"],
            base64url::encode(authenticator.credential_id())
        );
        registered.push((authenticator, attestation, passkey.clone()));
    }
    let ids: std::collections::HashSet<_> =
        registered.iter().map(|(_, _, p)| p["id"].clone()).collect();
    assert_eq!(ids.len(), 4, "every passkey has its own ID");

    // The database holds the verified key, not the client's claims.
    assert_eq!(stop_and_count(&mut server), stored(4, 4, 0));
    let store = RedbStore::open(server.db()).expect("the database opens");
    for (authenticator, attestation, passkey) in &registered {
        let record = store
            .passkey_by_credential_id(authenticator.credential_id())
            .expect("readable")
            .expect("stored");
        assert_eq!(record.id.to_base64url(), passkey["id"]);
        assert_eq!(record.user_id.to_base64url(), passkey["user_id"]);
        assert_eq!(
            record.credential.public_key_cose,
            authenticator.public_key_cose()
        );
        assert_eq!(
            record.credential.algorithm,
            authenticator.algorithm().cose_identifier()
        );
        let format = match attestation {
            AttestationFormat::None => "none",
            AttestationFormat::PackedSelf => "packed",
        };
        assert_eq!(record.credential.attestation_format, format);
        assert!(record.credential.user_verified);
    }
}

#[tokio::test]
async fn padded_base64_as_the_published_client_sends_it_is_accepted() {
    let server = Server::start(&[]);
    let challenge = challenge_for(&server, "padded").await;
    let registration = Authenticator::new(Algorithm::Es256).register(&Ceremony {
        padded_base64: true,
        ..Ceremony::new(RP_ID, ORIGIN, text(&challenge), "padded")
    });

    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;

    assert!(body["data"]["create_passkey"].is_object(), "{body}");
}

#[tokio::test]
async fn a_replayed_challenge_is_refused() {
    let mut server = Server::start(&[]);
    let challenge = challenge_for(&server, "alice").await;
    let ceremony = Ceremony::new(RP_ID, ORIGIN, text(&challenge), "alice");
    let first = Authenticator::new(Algorithm::Es256).register(&ceremony);
    let body = create(&server, "Laptop", RP_ID, text(&challenge), first.clone()).await;
    assert!(body["data"]["create_passkey"].is_object(), "{body}");

    // The same payload again, and a new credential answering the same
    // challenge.
    let replay = create(&server, "Laptop", RP_ID, text(&challenge), first).await;
    assert_refused(&replay, "CHALLENGE_NOT_FOUND");
    let second = Authenticator::new(Algorithm::Es256).register(&ceremony);
    let again = create(&server, "Phone", RP_ID, text(&challenge), second).await;
    assert_refused(&again, "CHALLENGE_NOT_FOUND");

    assert_eq!(stop_and_count(&mut server), stored(1, 1, 0));
}

#[tokio::test]
async fn an_expired_challenge_is_refused() {
    let mut server = Server::start(&["--challenge-ttl", "1s"]);
    let challenge = challenge_for(&server, "alice").await;
    assert_eq!(challenge["timeout_ms"], 1_000);
    let registration = answer(&challenge, "alice");
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;

    assert_refused(&body, "CHALLENGE_EXPIRED");
    assert_eq!(stop_and_count(&mut server), stored(0, 0, 1));
}

#[tokio::test]
async fn a_challenge_issued_for_another_username_is_refused() {
    let mut server = Server::start(&[]);
    let challenge = challenge_for(&server, "alice").await;
    let registration = answer(&challenge, "mallory");

    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;

    assert_refused(&body, "CHALLENGE_MISMATCH");
    // The refusal did not use the challenge up: alice can still answer it.
    let registration = answer(&challenge, "alice");
    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;
    assert!(body["data"]["create_passkey"].is_object(), "{body}");
    assert_eq!(stop_and_count(&mut server), stored(1, 1, 0));
}

#[tokio::test]
async fn a_challenge_issued_for_another_hostname_is_refused() {
    // A challenge issued while the server served `localhost`, answered after
    // it was reconfigured for another relying party on the same file.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("passkeys.redb");
    let mut before = Server::start_on(&db, &[]);
    let challenge = challenge_for(&before, "alice").await;
    assert!(before.terminate().success());

    let mut after = Server::start_on(
        &db,
        &[
            "--rp-id",
            "example.test",
            "--origin",
            "https://example.test",
        ],
    );
    let registration = Authenticator::new(Algorithm::Es256).register(&Ceremony::new(
        "example.test",
        "https://example.test",
        text(&challenge),
        "alice",
    ));
    let body = create(
        &after,
        "Laptop",
        "example.test",
        text(&challenge),
        registration,
    )
    .await;

    assert_refused(&body, "CHALLENGE_MISMATCH");
    assert_eq!(stop_and_count(&mut after), stored(0, 0, 1));
}

#[tokio::test]
async fn an_unknown_hostname_is_refused_by_both_mutations() {
    let mut server = Server::start(&[]);

    let body = issue(&server, "example.test", "alice").await;
    assert_refused(&body, "UNKNOWN_HOSTNAME");

    let challenge = challenge_for(&server, "alice").await;
    let registration = Authenticator::new(Algorithm::Es256).register(&Ceremony::new(
        "example.test",
        ORIGIN,
        text(&challenge),
        "alice",
    ));
    let body = create(
        &server,
        "Laptop",
        "example.test",
        text(&challenge),
        registration,
    )
    .await;
    assert_refused(&body, "UNKNOWN_HOSTNAME");

    assert_eq!(stop_and_count(&mut server), stored(0, 0, 1));
}

#[tokio::test]
async fn a_wrong_origin_or_rp_id_is_refused() {
    let mut server = Server::start(&[]);
    let challenge = challenge_for(&server, "alice").await;
    let authenticator = Authenticator::new(Algorithm::Es256);

    for origin in [
        "http://localhost:8081",
        "https://localhost:8080",
        "http://evil.localhost:8080",
    ] {
        let registration =
            authenticator.register(&Ceremony::new(RP_ID, origin, text(&challenge), "alice"));
        let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;
        assert_refused(&body, "ORIGIN_NOT_ALLOWED");
    }
    let registration = authenticator.register(&Ceremony::new(
        "example.test",
        ORIGIN,
        text(&challenge),
        "alice",
    ));
    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;
    assert_refused(&body, "RP_ID_MISMATCH");

    assert_eq!(stop_and_count(&mut server), stored(0, 0, 1));
}

#[tokio::test]
async fn a_credential_id_is_registered_once_across_users() {
    let mut server = Server::start(&[]);
    let authenticator = Authenticator::new(Algorithm::Es256);
    register(&server, "alice", &authenticator).await;

    // Another user presenting the same credential ID, with a key of its own.
    let copy = Authenticator::new(Algorithm::Es256)
        .with_credential_id(authenticator.credential_id().to_vec());
    let challenge = challenge_for(&server, "bob").await;
    let registration = copy.register(&Ceremony::new(RP_ID, ORIGIN, text(&challenge), "bob"));
    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;

    assert_refused(&body, "CREDENTIAL_ALREADY_REGISTERED");
    assert_eq!(stop_and_count(&mut server), stored(1, 1, 1));
}

#[tokio::test]
async fn a_username_with_a_passkey_gets_no_other_from_an_anonymous_request() {
    let mut server = Server::start(&[]);
    // Two challenges for the same new username, as from two open tabs.
    let first = challenge_for(&server, "carol").await;
    let second = challenge_for(&server, "carol").await;
    let registration = answer(&first, "carol");
    let body = create(&server, "Laptop", RP_ID, text(&first), registration).await;
    assert!(body["data"]["create_passkey"].is_object(), "{body}");

    let registration = answer(&second, "carol");
    let body = create(&server, "Phone", RP_ID, text(&second), registration).await;
    assert_refused(&body, "USERNAME_TAKEN");

    // No new challenge either, whatever the letter case.
    for username in ["carol", "Carol", "CAROL"] {
        let body = issue(&server, RP_ID, username).await;
        assert_refused(&body, "USERNAME_TAKEN");
    }
    assert_eq!(stop_and_count(&mut server), stored(1, 1, 1));
}

#[tokio::test]
async fn malformed_and_oversized_input_is_refused() {
    let mut server = Server::start(&[]);
    let challenge = challenge_for(&server, "alice").await;
    let good = answer(&challenge, "alice");
    let with = |field: &str, value: Value| {
        let mut registration = good.clone();
        registration[field] = value;
        registration
    };
    let cases = [
        ("clientData", json!("not base64url!")),
        ("authenticatorData", json!("AAA*")),
        ("attestationData", json!("A".repeat(50_000))),
        ("clientData", json!("e30")),
        ("attestationData", json!("oA")),
    ];
    for (field, value) in cases {
        let body = create(
            &server,
            "Laptop",
            RP_ID,
            text(&challenge),
            with(field, value.clone()),
        )
        .await;
        assert_refused(&body, "MALFORMED_REGISTRATION");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(field)
                || message.contains("clientDataJSON")
                || message.contains("attestationObject"),
            "the message names the field {field}: {message}"
        );
    }

    let body = create(
        &server,
        &"L".repeat(65),
        RP_ID,
        text(&challenge),
        good.clone(),
    )
    .await;
    assert_refused(&body, "INVALID_LABEL");
    let body = create(
        &server,
        "Lap\u{202E}pot",
        RP_ID,
        text(&challenge),
        good.clone(),
    )
    .await;
    assert_refused(&body, "INVALID_LABEL");
    let body = issue(&server, RP_ID, &"u".repeat(65)).await;
    assert_refused(&body, "INVALID_USERNAME");
    let body = issue(&server, RP_ID, "al ice").await;
    assert_refused(&body, "INVALID_USERNAME");
    let body = create(&server, "Laptop", RP_ID, "bm90LWlzc3VlZA", good.clone()).await;
    assert_refused(&body, "CHALLENGE_NOT_FOUND");

    // Still usable after all that: none of it touched the challenge.
    let body = create(&server, "Laptop", RP_ID, text(&challenge), good).await;
    assert!(body["data"]["create_passkey"].is_object(), "{body}");
    assert_eq!(stop_and_count(&mut server), stored(1, 1, 0));
}

#[tokio::test]
async fn a_bad_signature_is_refused() {
    let mut server = Server::start(&[]);
    let challenge = challenge_for(&server, "alice").await;
    let registration = Authenticator::new(Algorithm::Es256).register(&Ceremony {
        corrupt_signature: true,
        ..Ceremony::new(RP_ID, ORIGIN, text(&challenge), "alice")
    });

    let body = create(&server, "Laptop", RP_ID, text(&challenge), registration).await;

    assert_refused(&body, "ATTESTATION_INVALID");
    assert_eq!(stop_and_count(&mut server), stored(0, 0, 1));
}

#[tokio::test]
async fn user_verification_follows_the_configured_policy() {
    let unverified = |challenge: &Value, username: &str| {
        Authenticator::new(Algorithm::Es256).register(&Ceremony {
            user_verified: false,
            ..Ceremony::new(RP_ID, ORIGIN, text(challenge), username)
        })
    };

    let required = Server::start(&[]);
    let challenge = challenge_for(&required, "alice").await;
    let body = create(
        &required,
        "Key",
        RP_ID,
        text(&challenge),
        unverified(&challenge, "alice"),
    )
    .await;
    assert_refused(&body, "USER_NOT_VERIFIED");

    let preferred = Server::start(&["--user-verification", "preferred"]);
    let challenge = challenge_for(&preferred, "alice").await;
    assert_eq!(challenge["user_verification"], "preferred");
    let body = create(
        &preferred,
        "Key",
        RP_ID,
        text(&challenge),
        unverified(&challenge, "alice"),
    )
    .await;
    assert!(body["data"]["create_passkey"].is_object(), "{body}");
}

#[tokio::test]
async fn of_fifty_concurrent_registrations_with_one_challenge_exactly_one_succeeds() {
    let mut server = Server::start(&[]);
    let challenge = challenge_for(&server, "alice").await;
    // Fifty different credentials, so that only the challenge can stop them.
    let registrations: Vec<Value> = (0..50).map(|_| answer(&challenge, "alice")).collect();

    let server_ref = &server;
    let challenge_text = text(&challenge);
    let bodies =
        futures::future::join_all(registrations.into_iter().map(|registration| async move {
            create(server_ref, "Laptop", RP_ID, challenge_text, registration).await
        }))
        .await;

    let codes: Vec<String> = bodies
        .iter()
        .map(|body| match body["data"]["create_passkey"].is_object() {
            true => "OK".to_owned(),
            false => error_codes(body).join(","),
        })
        .collect();
    assert_eq!(
        codes.iter().filter(|code| *code == "OK").count(),
        1,
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|code| code == "OK" || code == "CHALLENGE_NOT_FOUND"),
        "{codes:?}"
    );
    assert_eq!(stop_and_count(&mut server), stored(1, 1, 0));
}

#[tokio::test]
async fn a_passkey_survives_a_restart() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("passkeys.redb");
    let authenticator = Authenticator::new(Algorithm::Es256);
    let mut first = Server::start_on(&db, &[]);
    let passkey = register(&first, "alice", &authenticator).await;
    assert!(first.terminate().success(), "{}", first.logs());

    let mut second = Server::start_on(&db, &[]);
    // The username is still taken and the credential ID still registered.
    let body = issue(&second, RP_ID, "alice").await;
    assert_refused(&body, "USERNAME_TAKEN");
    let challenge = challenge_for(&second, "dave").await;
    let registration =
        authenticator.register(&Ceremony::new(RP_ID, ORIGIN, text(&challenge), "dave"));
    let body = create(&second, "Laptop", RP_ID, text(&challenge), registration).await;
    assert_refused(&body, "CREDENTIAL_ALREADY_REGISTERED");

    assert_eq!(stop_and_count(&mut second), stored(1, 1, 1));
    let store = RedbStore::open(&db).expect("the database opens");
    let record = store
        .passkey_by_credential_id(authenticator.credential_id())
        .expect("readable")
        .expect("the passkey is still there");
    assert_eq!(record.id.to_base64url(), passkey["id"]);
    assert_eq!(record.username, "alice");
}

#[tokio::test]
async fn nothing_secret_is_logged_at_info_level() {
    let server = Server::start(&["--log-level", "info"]);
    let challenge = challenge_for(&server, "alice").await;
    let registration = answer(&challenge, "alice");
    let body = create(
        &server,
        "Laptop",
        RP_ID,
        text(&challenge),
        registration.clone(),
    )
    .await;
    assert!(body["data"]["create_passkey"].is_object(), "{body}");

    let logs = crate::wait_for_log(&server, "passkey registered").await;
    for secret in [
        text(&challenge),
        registration["clientData"].as_str().expect("a string"),
        registration["attestationData"].as_str().expect("a string"),
        registration["credential"]["publicKey"]
            .as_str()
            .expect("a string"),
    ] {
        assert!(!logs.contains(secret), "logged: {secret}\n{logs}");
    }
}
