//! The passkey page at `/` in a real browser: headless Chromium with a CDP
//! virtual authenticator, driven by `tests/browser/register.mjs`
//! (playwright-core), against the real binary. Each test checks what the
//! page showed and what the database holds.
//!
//! Needs Debian's `chromium` and `npm ci --prefix tests/browser`; the
//! README's test command installs both. A missing one fails the test, with
//! that instruction, rather than skipping it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use passkey_server::storage::{RedbStore, Store};
use passkey_server::webauthn::{base64url, cbor};
use serde_json::{Value, json};

use crate::Server;

/// How long one browser step (launch, navigation, a click's outcome) may
/// take; `create()` can hang when no authenticator answers.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the whole browser run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser")
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("PASSKEY_TEST_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: install Debian's chromium (the README's test command does)",
        path.display()
    );
    path
}

/// Where the test run keeps its screenshots.
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("the output folder");
    dir
}

/// A server on a port it is told, so that its allowed origin can name the
/// page's own origin, `http://localhost:<port>` (browsers refuse an IP
/// address as a relying party ID).
fn start_server(dir: &Path, allowed_origin: Option<&str>, args: &[&str]) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let origin = format!("http://localhost:{port}");
    let allowed = allowed_origin.unwrap_or(&origin).to_owned();
    let mut all_args = vec!["--origin", allowed.as_str()];
    all_args.extend_from_slice(args);
    let server = Server::start_listening(
        &dir.join("passkeys.redb"),
        &format!("127.0.0.1:{port}"),
        &all_args,
    );
    (server, origin)
}

/// Runs the registrations in one browser; returns what the page showed for
/// each: `{state, code, credentialId, text}`.
fn run_browser(origin: &str, registrations: Value) -> Vec<Value> {
    assert!(
        browser_dir().join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci --prefix tests/browser` (the README's test command does)"
    );
    let profile = tempfile::tempdir().expect("an empty user data dir");
    let scenario = json!({
        "origin": origin,
        "chromium": chromium(),
        "userDataDir": profile.path(),
        "stepTimeoutMs": STEP_TIMEOUT.as_millis() as u64,
        "registrations": registrations,
    });
    let mut child = Command::new("node")
        .arg("register.mjs")
        .arg(scenario.to_string())
        .current_dir(browser_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let deadline = Instant::now() + RUN_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the browser run can be polled") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser run took longer than {RUN_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut stdout)
        .expect("UTF-8");
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .expect("UTF-8");
    assert!(
        status.success(),
        "the browser run failed:\n{stderr}\n{stdout}"
    );
    let line = stdout.lines().last().unwrap_or_default();
    let outcome: Value = serde_json::from_str(line)
        .unwrap_or_else(|error| panic!("not the driver's JSON ({error}):\n{stdout}\n{stderr}"));
    outcome["results"]
        .as_array()
        .expect("a result per registration")
        .clone()
}

fn assert_created(result: &Value, username: &str) {
    assert_eq!(result["state"], "ok", "{result}");
    let text = result["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("Passkey created."), "{result}");
    assert!(text.contains(username), "{result}");
}

fn assert_refused(result: &Value, code: &str) {
    assert_eq!(result["state"], "error", "{result}");
    assert_eq!(result["code"], code, "{result}");
    let text = result["text"].as_str().unwrap_or_default();
    assert!(
        text.ends_with(&format!("({code})")) && text.len() > code.len() + 20,
        "the page explains the refusal in words: {result}"
    );
}

/// The attestation object the page sent: its `fmt` and whether its
/// statement carries a certificate chain (`x5c`).
fn attestation(result: &Value) -> (String, bool) {
    let text = result["registration"]["attestationData"]
        .as_str()
        .expect("the page sent an attestation object");
    // The 1.x encoding keeps the `=` padding.
    assert!(
        result["registration"]["clientData"]
            .as_str()
            .is_some_and(|c| c.len() % 4 == 0),
        "padded base64url, as the 1.x client writes it: {result}"
    );
    let bytes = base64url::decode("attestationData", text, 64 * 1024).expect("base64url");
    let object = cbor::decode(&bytes).expect("CBOR");
    let format = object
        .map_get_text("fmt")
        .and_then(|fmt| fmt.as_text())
        .expect("a format")
        .to_owned();
    let has_x5c = object
        .map_get_text("attStmt")
        .and_then(|statement| statement.map_get_text("x5c"))
        .is_some();
    (format, has_x5c)
}

/// The stored passkey of a credential the page showed.
fn stored(store: &RedbStore, result: &Value) -> passkey_server::storage::StoredPasskey {
    let id = result["credentialId"].as_str().expect("a credential ID");
    let id = base64url::decode("credentialId", id, 1024).expect("base64url");
    store
        .passkey_by_credential_id(&id)
        .expect("readable")
        .expect("the passkey the page showed is stored")
}

#[test]
fn the_page_registers_passkeys_in_chromium_and_shows_refusals() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut server, origin) = start_server(dir.path(), None, &[]);
    let screenshot = output_dir().join("passkey-created.png");
    let _ = std::fs::remove_file(&screenshot);

    let results = run_browser(
        &origin,
        json!([
            // `direct` attestation: Chromium answers `packed` with a certificate.
            { "username": "alice", "label": "Laptop", "screenshot": screenshot },
            { "path": "/?attestation=none", "username": "bob", "label": "Phone" },
            {
                "username": "carol", "label": "Synced",
                "authenticator": { "defaultBackupEligibility": true, "defaultBackupState": true }
            },
            // The same username again, from a new authenticator.
            { "username": "alice", "label": "Second" },
            // The first registration's challenge, handed out again.
            { "username": "dave", "label": "Replay", "replayFirstChallenge": true },
        ]),
    );

    assert_eq!(results.len(), 5, "{results:?}");
    assert_created(&results[0], "alice");
    assert_created(&results[1], "bob");
    assert_created(&results[2], "carol");
    assert_refused(&results[3], "USERNAME_TAKEN");
    assert_refused(&results[4], "CHALLENGE_NOT_FOUND");
    let png = std::fs::read(&screenshot).expect("the screenshot was saved");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");
    println!("screenshot: {}", screenshot.display());

    assert!(server.terminate().success(), "{}", server.logs());
    let store = RedbStore::open(server.db()).expect("the database opens");
    let counts = store.counts().expect("countable");
    assert_eq!((counts.users, counts.passkeys), (3, 3), "{counts:?}");
    let direct = stored(&store, &results[0]);
    assert_eq!(attestation(&results[0]), ("packed".to_owned(), true));
    assert_eq!(direct.credential.attestation_format, "packed");
    assert_eq!(direct.username, "alice");
    assert_eq!(direct.label, "Laptop");
    assert!(direct.credential.user_verified);
    assert_eq!(
        stored(&store, &results[1]).credential.attestation_format,
        "none"
    );
    let synced = stored(&store, &results[2]).credential;
    assert!(synced.backup_eligible && synced.backed_up, "{synced:?}");
}

#[test]
fn a_u2f_security_key_registers_with_fido_u2f_attestation() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // A U2F key cannot verify the user, so this server only prefers it.
    let (mut server, origin) =
        start_server(dir.path(), None, &["--user-verification", "preferred"]);

    let results = run_browser(
        &origin,
        json!([{
            "username": "erin", "label": "Security key",
            "authenticator": {
                "protocol": "u2f", "transport": "usb", "hasResidentKey": false,
                "hasUserVerification": false, "isUserVerified": false
            }
        }]),
    );

    assert_created(&results[0], "erin");
    assert!(server.terminate().success(), "{}", server.logs());
    let store = RedbStore::open(server.db()).expect("the database opens");
    let passkey = stored(&store, &results[0]);
    assert_eq!(attestation(&results[0]), ("fido-u2f".to_owned(), true));
    assert_eq!(passkey.credential.attestation_format, "fido-u2f");
    assert!(!passkey.credential.user_verified);
}

#[test]
fn a_page_on_an_origin_the_server_does_not_allow_shows_the_refusal() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut server, origin) = start_server(dir.path(), Some("http://localhost:1"), &[]);

    let results = run_browser(&origin, json!([{ "username": "frank", "label": "Laptop" }]));

    assert_refused(&results[0], "ORIGIN_NOT_ALLOWED");
    assert!(server.terminate().success(), "{}", server.logs());
    let store = RedbStore::open(server.db()).expect("the database opens");
    assert_eq!(store.counts().expect("countable").passkeys, 0);
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_content_security_policy() {
    let server = Server::start(&[]);
    for (path, content_type, marker) in [
        ("/", "text/html", "<form id=\"register\""),
        ("/app.js", "text/javascript", "navigator.credentials.create"),
        ("/app.css", "text/css", "output"),
    ] {
        let response = reqwest::get(server.url(path))
            .await
            .expect("the server answers");
        assert_eq!(response.status(), 200, "{path}");
        let header = |name: &str| {
            response.headers()[name]
                .to_str()
                .expect("an ASCII header")
                .to_owned()
        };
        assert!(header("content-type").starts_with(content_type), "{path}");
        assert!(
            header("content-security-policy").starts_with("default-src 'self'"),
            "{path}"
        );
        let body = response.text().await.expect("a text body");
        assert!(body.contains(marker), "{path}");
    }
}
