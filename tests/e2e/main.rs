//! End-to-end tests of the real `passkey-server` binary: each test starts its
//! own server on a free port and talks to it over HTTP, as a client would.
//!
//! A test learns the port from the `listening on http://<address>` line the
//! server prints on stdout.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod browser;
mod registration;

/// How long a server may take to start or to stop.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(10);

/// A running server, killed when dropped so a failing test leaves no process
/// behind. Its stderr (the logs) is collected and shown if the test fails.
pub struct Server {
    child: Child,
    base_url: String,
    logs: Arc<Mutex<String>>,
    db: PathBuf,
    // Keeps the database's directory until the test ends.
    _dir: Option<tempfile::TempDir>,
}

/// The binary, with none of the flags' environment variables: they would
/// override the defaults the tests rely on.
fn server_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passkey-server"));
    for variable in [
        "PASSKEY_LISTEN",
        "PASSKEY_DB",
        "PASSKEY_RP_ID",
        "PASSKEY_RP_NAME",
        "PASSKEY_ORIGINS",
        "PASSKEY_CHALLENGE_TTL",
        "PASSKEY_USER_VERIFICATION",
        "PASSKEY_MAX_PENDING_CHALLENGES",
        "PASSKEY_LOG",
    ] {
        command.env_remove(variable);
    }
    command
}

impl Server {
    /// Starts the binary on a free port with a new database in a temporary
    /// directory, with `args` added.
    pub fn start(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("passkeys.redb");
        let mut server = Self::start_on(&db, args);
        server._dir = Some(dir);
        server
    }

    /// Starts the binary on a free port with the database `db`.
    pub fn start_on(db: &Path, args: &[&str]) -> Self {
        Self::start_listening(db, "127.0.0.1:0", args)
    }

    /// Starts the binary on `listen` with the database `db`.
    pub fn start_listening(db: &Path, listen: &str, args: &[&str]) -> Self {
        let mut child = server_command()
            .args(["--listen", listen])
            .arg("--db")
            .arg(db)
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
            db: db.to_owned(),
            _dir: None,
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
            .unwrap_or_else(|_| {
                panic!(
                    "the server prints `listening on http://<address>` within the timeout:\n{}",
                    server.logs()
                )
            });
        server.base_url = format!("http://{address}");
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The database file.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// POSTs `{"query": query}` to /graphql; returns the status and JSON body.
    pub async fn graphql(&self, query: &str) -> (reqwest::StatusCode, Value) {
        self.graphql_with(query, json!({})).await
    }

    /// POSTs a query with variables to /graphql.
    pub async fn graphql_with(
        &self,
        query: &str,
        variables: Value,
    ) -> (reqwest::StatusCode, Value) {
        let response = reqwest::Client::new()
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let body = response.json().await.expect("the body is JSON");
        (status, body)
    }

    pub fn logs(&self) -> String {
        self.logs
            .lock()
            .expect("the log buffer is not poisoned")
            .clone()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
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

/// Waits until the server has logged `text`; returns the logs.
async fn wait_for_log(server: &Server, text: &str) -> String {
    let deadline = Instant::now() + PROCESS_TIMEOUT;
    loop {
        let logs = server.logs();
        if logs.contains(text) {
            return logs;
        }
        assert!(
            Instant::now() < deadline,
            "no `{text}` in the logs:\n{logs}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `extensions.code` of each error; none when the body has no errors.
fn error_codes(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
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
    let logs = wait_for_log(&server, "path=/graphql").await;
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

/// POSTs `body` to /graphql as JSON; returns the status and the JSON body.
async fn post_raw(server: &Server, body: String) -> (reqwest::StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(server.url("/graphql"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let body = response.json().await.expect("the body is JSON");
    (status, body)
}

#[test]
fn one_mebibyte_body_is_refused_with_413_and_a_code() {
    let server = Server::start(&[]);
    let address = server.base_url.trim_start_matches("http://");
    // As curl sends a large body: the server refuses it from its length
    // before the client sends it, so no unread upload races the answer.
    let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(PROCESS_TIMEOUT))
        .expect("a read timeout");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        1024 * 1024
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).expect("the head is sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("the answer is read");

    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("an HTTP response: {response}"));
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(error_codes(&body), ["REQUEST_TOO_LARGE"], "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "the request body is larger than 64 KiB"
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_graphql_request_gets_400_and_a_code() {
    let server = Server::start(&[]);

    for body in ["not json", "{\"query\": 42}", ""] {
        let (status, response) = post_raw(&server, body.to_owned()).await;
        assert_eq!(status, 400, "{body:?}: {response}");
        assert_eq!(error_codes(&response), ["INVALID_REQUEST"], "{response}");
        let message = response["errors"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.starts_with("the body is not a GraphQL request"),
            "{response}"
        );
    }
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
    let field = body["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("the mutation type has fields")
        .iter()
        .find(|field| field["name"] == "create_passkey")
        .unwrap_or_else(|| panic!("create_passkey is a mutation: {body}"));
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
    assert!(
        server.logs().contains("database closed"),
        "{}",
        server.logs()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish_and_every_answered_write_stays() {
    let mut server = Server::start(&[]);
    let url = server.url("/graphql");
    let requests: Vec<_> = (0..40)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let query = json!({
                    "query": "mutation($dto: CreatePasskeyChallengeResolverDto!) { create_passkey_challenge(dto: $dto) { challenge } }",
                    "variables": { "dto": { "hostname": "localhost", "username": format!("user{i}") } },
                });
                let response = reqwest::Client::new().post(url).json(&query).send().await?;
                response.json::<Value>().await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(2)).await;

    let status = tokio::task::block_in_place(|| server.terminate());

    assert!(status.success(), "exit status: {status}\n{}", server.logs());
    // A request either got its whole answer or never reached the server.
    let mut answered = 0;
    for request in requests {
        match request.await.expect("the request task finishes") {
            Ok(body) => {
                assert!(
                    body["data"]["create_passkey_challenge"]["challenge"].is_string(),
                    "{body}"
                );
                answered += 1;
            }
            Err(error) => assert!(error.is_connect() || error.is_request(), "{error}"),
        }
    }
    let store = passkey_server::storage::RedbStore::open(server.db()).expect("the database opens");
    let counts = passkey_server::storage::Store::counts(&store).expect("countable");
    assert_eq!(
        counts.challenges, answered,
        "every answered challenge was stored"
    );
}

#[test]
fn bind_failure_exits_non_zero_with_a_message() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = taken.local_addr().expect("a bound address").to_string();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = run_to_exit(&dir.path().join("passkeys.redb"), &["--listen", &address]);

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
        "--db",
        "PASSKEY_DB",
        "./data/passkeys.redb",
        "--rp-name",
        "PASSKEY_RP_NAME",
        "--challenge-ttl",
        "PASSKEY_CHALLENGE_TTL",
        "5m",
        "--user-verification",
        "PASSKEY_USER_VERIFICATION",
        "required",
        "preferred",
        "--max-pending-challenges",
        "PASSKEY_MAX_PENDING_CHALLENGES",
    ] {
        assert!(
            help.contains(expected),
            "`--help` mentions {expected}:\n{help}"
        );
    }
}

/// The introspection query that GraphiQL and most GraphQL tools send
/// (graphql-js `getIntrospectionQuery()` with descriptions): the deepest and
/// widest query a legitimate client makes.
const TOOL_INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn the_tools_introspection_query_is_within_the_limits() {
    let server = Server::start(&[]);

    let (status, body) = server.graphql(TOOL_INTROSPECTION).await;

    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__schema"]["mutationType"]["name"], "Mutation");
}

#[tokio::test]
async fn a_query_beyond_the_depth_or_complexity_limit_is_refused_with_a_code() {
    let server = Server::start(&[]);
    let deep = format!(
        "{{ __schema {{ types {{ {}name{} }} }} }}",
        "ofType { ".repeat(20),
        " }".repeat(20)
    );
    let wide = format!(
        "{{ {} }}",
        // Each alias costs 2 (the list and its field), 2,200 in all.
        (0..1_100)
            .map(|i| format!("a{i}:relying_parties{{hostname}}"))
            .collect::<Vec<_>>()
            .join(" ")
    );

    for (name, query) in [("deep", deep), ("wide", wide)] {
        let (status, body) = server.graphql(&query).await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(
            error_codes(&body),
            ["GRAPHQL_VALIDATION_FAILED"],
            "{name}: {body}"
        );
        assert!(
            body.get("data").is_none_or(Value::is_null),
            "{name}: {body}"
        );
    }
}

#[tokio::test]
async fn parse_and_validation_errors_carry_codes() {
    let server = Server::start(&[]);

    let (_, body) = server.graphql("{ relying_parties { hostname ").await;
    assert_eq!(error_codes(&body), ["GRAPHQL_PARSE_FAILED"], "{body}");

    let (_, body) = server
        .graphql(r#"mutation { create_passkey_challenge(dto: { hostname: "localhost" }) { challenge } }"#)
        .await;
    assert_eq!(error_codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("username"),
        "names the missing field: {body}"
    );
}

/// Runs the server on `db` with `args` until it exits, as a start that
/// must fail does.
fn run_to_exit(db: &Path, args: &[&str]) -> std::process::Output {
    server_command()
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the server binary runs")
}

#[test]
fn a_second_server_on_the_same_database_exits_with_a_message() {
    let first = Server::start(&[]);

    let output = run_to_exit(first.db(), &["--listen", "127.0.0.1:0"]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(stderr.contains("already open"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "nothing was announced: {output:?}"
    );
}

#[test]
fn an_origin_off_the_rp_id_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("passkeys.redb");

    let output = run_to_exit(
        &db,
        &[
            "--listen",
            "127.0.0.1:0",
            "--origin",
            "http://127.0.0.1:8080",
        ],
    );

    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("http://127.0.0.1:8080"), "{stderr}");
    assert!(stderr.contains("`localhost`"), "{stderr}");
    assert!(
        !db.exists(),
        "no database was created for a refused configuration"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("passkeys.redb");
    std::fs::write(&db, "this is a text file, not a database\n").expect("written");

    let output = run_to_exit(&db, &["--listen", "127.0.0.1:0"]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&db).expect("still there"),
        "this is a text file, not a database\n",
        "the file was not touched"
    );
}

/// The ```graphql block of a docs page.
fn example_request(page: &str) -> &str {
    let start = page.find("```graphql\n").expect("a request block") + "```graphql\n".len();
    let length = page[start..].find("```").expect("the block is closed");
    &page[start..start + length]
}

#[tokio::test]
async fn every_documented_example_request_is_valid_against_the_server() {
    let server = Server::start(&[]);
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api/passkey");
    let mut checked = 0;
    for entry in std::fs::read_dir(&docs).expect("docs/api/passkey exists") {
        let path = entry.expect("a directory entry").path();
        let page = std::fs::read_to_string(&path).expect("a page");

        let (status, body) = server.graphql(example_request(&page)).await;

        // Placeholder values fail in the resolvers, with declared codes;
        // the document itself must parse and validate.
        assert_eq!(status, 200, "{}: {body}", path.display());
        for code in error_codes(&body) {
            assert!(
                code != "<no code>" && !code.starts_with("GRAPHQL_"),
                "{}: the example does not validate: {body}",
                path.display()
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "one page per operation of schema/");
}
