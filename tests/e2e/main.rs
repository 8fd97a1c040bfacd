//! End-to-end tests of the real `passkey-server` binary: each test starts its
//! own server on a free port and talks to it over HTTP, as a client would.
//!
//! A test learns the port from the `listening on http://<address>` line the
//! server prints on stdout.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a server may take to start or to stop.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(10);

/// A running server, killed when dropped so a failing test leaves no process
/// behind. Its stderr (the logs) is collected and shown if the test fails.
struct Server {
    child: Child,
    base_url: String,
    logs: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the binary on a free port with `args` added to `--listen`.
    fn start(args: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_passkey-server"));
        // The flags' environment variables would override the defaults the
        // tests rely on.
        for variable in [
            "PASSKEY_LISTEN",
            "PASSKEY_RP_ID",
            "PASSKEY_ORIGINS",
            "PASSKEY_LOG",
        ] {
            command.env_remove(variable);
        }
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");

        let logs = Arc::new(Mutex::new(String::new()));
        let mut server = Self {
            child,
            base_url: String::new(),
            logs: Arc::clone(&logs),
        };

        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut logs = logs.lock().expect("the log buffer is not poisoned");
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let (address_sender, address_receiver) = mpsc::channel();
        // Keeps draining stdout after the address so the server never blocks
        // on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(address) = line.strip_prefix("listening on http://") {
                    let _ = address_sender.send(address.to_owned());
                }
            }
        });

        let address = address_receiver
            .recv_timeout(PROCESS_TIMEOUT)
            .expect("the server prints `listening on http://<address>` within the timeout");
        server.base_url = format!("http://{address}");
        server
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// POSTs `{"query": query}` to /graphql; returns the status and JSON body.
    async fn graphql(&self, query: &str) -> (reqwest::StatusCode, Value) {
        let response = reqwest::Client::new()
            .post(self.url("/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let body = response.json().await.expect("the body is JSON");
        (status, body)
    }

    fn logs(&self) -> String {
        self.logs
            .lock()
            .expect("the log buffer is not poisoned")
            .clone()
    }

    /// Sends SIGTERM and waits for the process to exit.
    fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("`kill` runs");
        assert!(status.success(), "`kill -TERM` failed: {status}");
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be polled") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {PROCESS_TIMEOUT:?} of SIGTERM"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!("--- server logs ---\n{}", self.logs());
        }
    }
}

/// The seed API doc's example request, exactly as written there.
fn seed_example_request() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/seed/create_passkey.md"
    );
    let doc = std::fs::read_to_string(path).unwrap_or_else(|error| {
        panic!("cannot read the seed API doc {path} (shared/ sits beside the repository): {error}")
    });
    let start = doc
        .find("```graphql\n")
        .expect("the seed doc has a ```graphql block")
        + "```graphql\n".len();
    let length = doc[start..]
        .find("```")
        .expect("the ```graphql block is closed");
    doc[start..start + length].to_owned()
}

/// The seed's example request with one `field: "Bob"` argument replaced.
fn seed_example_with(field: &str, value: &str) -> String {
    let seed = seed_example_request();
    let from = format!("{field}: \"Bob\"");
    assert_eq!(
        seed.matches(&from).count(),
        1,
        "the seed request has one `{from}`"
    );
    seed.replace(&from, &format!("{field}: \"{value}\""))
}

fn error_codes(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .expect("`errors` is a list")
        .iter()
        .map(|error| error["extensions"]["code"].as_str().unwrap_or("<no code>"))
        .collect()
}

#[tokio::test]
async fn seed_example_request_passes_validation_and_fails_with_unknown_hostname() {
    let server = Server::start(&[]);

    let (status, body) = server.graphql(&seed_example_request()).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(error_codes(&body), ["UNKNOWN_HOSTNAME"], "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["create_passkey"]),
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().expect("a message");
    assert!(
        message.contains("Bob"),
        "the message names the hostname: {message}"
    );
}

#[tokio::test]
async fn seed_example_request_for_the_configured_rp_fails_with_challenge_not_found() {
    let server = Server::start(&[]);

    let (status, body) = server
        .graphql(&seed_example_with("hostname", "localhost"))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(error_codes(&body), ["CHALLENGE_NOT_FOUND"], "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["create_passkey"]),
        "{body}"
    );
}

#[tokio::test]
async fn challenge_is_not_logged_at_info_level() {
    let server = Server::start(&["--log-level", "info"]);
    let marker = "c2VjcmV0LWNoYWxsZW5nZS1tYXJrZXI";
    let query = seed_example_with("hostname", "localhost")
        .replace("challenge: \"Bob\"", &format!("challenge: \"{marker}\""));

    let (_, body) = server.graphql(&query).await;
    assert_eq!(error_codes(&body), ["CHALLENGE_NOT_FOUND"], "{body}");

    // The request's log line proves the logs were read far enough.
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    while !server.logs().contains("path=/graphql") {
        assert!(
            Instant::now() < deadline,
            "no request log line:\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let logs = server.logs();
    assert!(logs.contains("status=200"), "{logs}");
    assert!(!logs.contains(marker), "the challenge was logged:\n{logs}");
}

#[tokio::test]
async fn relying_parties_returns_the_configured_rp() {
    let server = Server::start(&[
        "--rp-id",
        "example.test",
        "--origin",
        "https://example.test",
    ]);

    let (status, body) = server
        .graphql("{ relying_parties { hostname origins } }")
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({
            "data": {
                "relying_parties": [
                    { "hostname": "example.test", "origins": ["https://example.test"] }
                ]
            }
        })
    );
}

#[tokio::test]
async fn healthz_answers_ok() {
    let server = Server::start(&[]);

    let response = reqwest::get(server.url("/healthz"))
        .await
        .expect("the server answers");

    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("a text body"), "ok");
}

#[tokio::test]
async fn get_graphql_serves_graphiql() {
    let server = Server::start(&[]);

    let response = reqwest::get(server.url("/graphql"))
        .await
        .expect("the server answers");

    assert_eq!(response.status(), 200);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert!(
        content_type
            .to_str()
            .unwrap_or_default()
            .starts_with("text/html"),
        "{content_type:?}"
    );
    let html = response.text().await.expect("a text body");
    assert!(html.to_lowercase().contains("graphiql"), "{html}");
}

#[tokio::test]
async fn one_mebibyte_body_is_refused_with_413() {
    let server = Server::start(&[]);
    let padding = " ".repeat(1024 * 1024);
    let body = format!("{{\"query\": \"{{ relying_parties {{ hostname }} }}\"{padding}}}");

    let response = reqwest::Client::new()
        .post(server.url("/graphql"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("the server answers");

    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn the_published_schema_documents_the_create_passkey_error_codes() {
    let server = Server::start(&[]);

    let response = reqwest::get(server.url("/schema.graphql"))
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    let sdl = response.text().await.expect("a text body");

    // The published SDL is a valid schema with the error-code enum and a
    // description for each code.
    let schema = sdl_codegen::validate_str("schema.graphql", &sdl)
        .unwrap_or_else(|diagnostics| panic!("{diagnostics}\n{sdl}"));
    let Some(sdl_codegen::model::TypeKind::Enum(values)) =
        schema.get("CreatePasskeyErrorCode").map(|t| &t.kind)
    else {
        panic!("CreatePasskeyErrorCode is not an enum of:\n{sdl}");
    };
    for code in ["UNKNOWN_HOSTNAME", "CHALLENGE_NOT_FOUND"] {
        let value = values
            .iter()
            .find(|value| value.name == code)
            .unwrap_or_else(|| panic!("{code} is listed:\n{sdl}"));
        assert!(
            value
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
            "{code} has a description:\n{sdl}"
        );
    }
    // Introspection documents the operation itself.
    let (_, body) = server
        .graphql(r#"{ __schema { mutationType { fields { name description args { name description } } } } }"#)
        .await;
    let field = &body["data"]["__schema"]["mutationType"]["fields"][0];
    assert_eq!(field["name"], "create_passkey", "{body}");
    assert!(
        field["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Registers a passkey")),
        "{body}"
    );
    assert_eq!(field["args"][0]["name"], "dto", "{body}");
}

#[tokio::test]
async fn malformed_query_is_a_validation_error_not_a_server_error() {
    let server = Server::start(&[]);

    let (status, body) = server.graphql("{ nope }").await;

    assert_eq!(status, 200, "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    let errors = body["errors"].as_array().expect("`errors` is a list");
    assert!(!errors.is_empty(), "{body}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nope"),
        "{body}"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_with_exit_status_0() {
    let mut server = Server::start(&[]);
    // A served request first, so shutdown also closes a used connection pool.
    let response = reqwest::get(server.url("/healthz"))
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);

    let status = server.terminate();

    assert!(status.success(), "exit status: {status}\n{}", server.logs());
}

#[test]
fn bind_failure_exits_non_zero_with_a_message() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = taken.local_addr().expect("a bound address").to_string();

    let output = Command::new(env!("CARGO_BIN_EXE_passkey-server"))
        .args(["--listen", &address])
        .env_remove("PASSKEY_LISTEN")
        .stdin(Stdio::null())
        .output()
        .expect("the server binary runs");

    assert!(!output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing was announced: {output:?}"
    );
}

#[test]
fn help_documents_every_flag() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_passkey-server"))
        .arg("--help")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary runs");
    let mut help = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut help)
        .expect("the help is UTF-8");
    assert!(child.wait().expect("the process exits").success());

    for expected in [
        "--listen",
        "PASSKEY_LISTEN",
        "127.0.0.1:8080",
        "--rp-id",
        "PASSKEY_RP_ID",
        "--origin",
        "PASSKEY_ORIGINS",
        "http://localhost:8080",
        "--log-level",
        "PASSKEY_LOG",
    ] {
        assert!(
            help.contains(expected),
            "`--help` mentions {expected}:\n{help}"
        );
    }
}
