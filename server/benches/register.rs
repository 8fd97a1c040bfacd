//! Registration speed with real storage: a redb file on disk (under the
//! target directory, not a RAM disk, so every commit pays its fsyncs) and
//! ES256 packed registrations from the software authenticator. Prints:
//!
//! - latency of `create_passkey_challenge` and `create_passkey` through the
//!   registration service, one at a time;
//! - registrations per second with 1, 16 and 64 concurrent clients, with
//!   group commit and with one commit per registration;
//! - the same over HTTP against the real router on loopback.
//!
//! Payloads are made before timing starts, so only the server's work
//! (verification, storage, and for HTTP the GraphQL layer) is measured.
//!
//! `cargo bench -p passkey-server --bench register`

use std::sync::Arc;
use std::time::{Duration, Instant};

use passkey_api::types::{
    CreatePasskeyRegistrationCredentialResolverDto, CreatePasskeyRegistrationResolverDto,
    CreatePasskeyResolverDto,
};
use passkey_server::clock::Clock;
use passkey_server::storage::{RedbStore, Storage};
use passkey_server::webauthn::DEFAULT_ALGORITHMS;
use passkey_server::{AppState, Policy, Registrar, RelyingParty, UserVerification, router};
use serde_json::{Value, json};
use soft_authenticator::{Algorithm, Authenticator, Ceremony};
use tokio::sync::Mutex;

const RP_ID: &str = "localhost";
const ORIGIN: &str = "http://localhost:8080";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        sequential().await;
        println!();
        println!("registrations/s (create_passkey, service level)");
        println!(
            "{:>12} {:>14} {:>16}",
            "clients", "group commit", "commit per write"
        );
        for clients in [1, 16, 64] {
            let grouped =
                concurrent(clients, 2_000, passkey_server::storage::writer::MAX_BATCH).await;
            let single = concurrent(clients, 400, 1).await;
            println!("{clients:>12} {grouped:>14.0} {single:>16.0}");
        }
        println!();
        http(64, 2_000).await;
    });
}

/// A registrar on a new database file in the target directory.
fn registrar(dir: &tempfile::TempDir, max_batch: usize) -> Registrar {
    let store = RedbStore::open(&dir.path().join("passkeys.redb")).expect("the database opens");
    let storage = Storage::start_with_max_batch(Arc::new(store), Clock::system(), max_batch)
        .expect("the writer starts");
    Registrar::new(relying_party(), policy(), storage)
}

fn relying_party() -> RelyingParty {
    RelyingParty {
        id: RP_ID.to_owned(),
        name: RP_ID.to_owned(),
        origins: vec![ORIGIN.to_owned()],
    }
}

fn policy() -> Policy {
    Policy {
        challenge_ttl: Duration::from_secs(3600),
        user_verification: UserVerification::Required,
        algorithms: DEFAULT_ALGORITHMS.to_vec(),
        max_pending_challenges: 10_000_000,
    }
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a directory under target/")
}

/// The `create_passkey` input for a browser that answered `challenge`.
fn dto(challenge: &str, username: &str) -> CreatePasskeyResolverDto {
    let registration = payload(challenge, username);
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    CreatePasskeyResolverDto {
        label: "Laptop".to_owned(),
        hostname: RP_ID.to_owned(),
        challenge: challenge.to_owned(),
        registration: CreatePasskeyRegistrationResolverDto {
            username: username.to_owned(),
            credential: CreatePasskeyRegistrationCredentialResolverDto {
                id: text(&registration["credential"]["id"]),
                public_key: text(&registration["credential"]["publicKey"]),
                algorithm: text(&registration["credential"]["algorithm"]),
            },
            authenticator_data: text(&registration["authenticatorData"]),
            client_data: text(&registration["clientData"]),
            attestation_data: text(&registration["attestationData"]),
        },
    }
}

fn payload(challenge: &str, username: &str) -> Value {
    Authenticator::new(Algorithm::Es256)
        .register(&Ceremony::new(RP_ID, ORIGIN, challenge, username))
}

/// Issues `n` challenges; returns the registrations that answer them.
async fn prepare(registrar: &Registrar, n: usize, prefix: &str) -> Vec<CreatePasskeyResolverDto> {
    let mut dtos = Vec::with_capacity(n);
    for i in 0..n {
        let username = format!("{prefix}{i}");
        let issued = registrar
            .issue_challenge(RP_ID, &username)
            .await
            .expect("a challenge");
        dtos.push(dto(&issued.challenge.to_base64url(), &username));
    }
    dtos
}

async fn sequential() {
    const N: usize = 1_000;
    let dir = temp_dir();
    let registrar = registrar(&dir, passkey_server::storage::writer::MAX_BATCH);

    let mut issue = Vec::with_capacity(N);
    let mut dtos = Vec::with_capacity(N);
    for i in 0..N {
        let username = format!("seq{i}");
        let start = Instant::now();
        let issued = registrar
            .issue_challenge(RP_ID, &username)
            .await
            .expect("a challenge");
        issue.push(start.elapsed());
        dtos.push(dto(&issued.challenge.to_base64url(), &username));
    }
    let mut register = Vec::with_capacity(N);
    for dto in dtos {
        let start = Instant::now();
        registrar.register(dto).await.expect("registered");
        register.push(start.elapsed());
    }
    println!("one at a time, {N} each (service level, fsync included)");
    println!("{:>28} {:>10} {:>10} {:>10}", "", "median", "p99", "per s");
    print_latencies("create_passkey_challenge", &mut issue);
    print_latencies("create_passkey", &mut register);
}

fn print_latencies(name: &str, samples: &mut [Duration]) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p99 = samples[samples.len() * 99 / 100];
    let total: Duration = samples.iter().sum();
    let per_second = samples.len() as f64 / total.as_secs_f64();
    println!(
        "{name:>28} {:>10} {:>10} {per_second:>10.0}",
        format!("{:.2?}", median),
        format!("{:.2?}", p99)
    );
}

/// Registrations per second with `clients` concurrent callers.
async fn concurrent(clients: usize, n: usize, max_batch: usize) -> f64 {
    let dir = temp_dir();
    let registrar = Arc::new(registrar(&dir, max_batch));
    let queue = Arc::new(Mutex::new(prepare(&registrar, n, "c").await));

    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let registrar = Arc::clone(&registrar);
            let queue = Arc::clone(&queue);
            tokio::spawn(async move {
                loop {
                    let Some(dto) = queue.lock().await.pop() else {
                        break;
                    };
                    registrar.register(dto).await.expect("registered");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("the worker finishes");
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Over HTTP: the router on loopback, `clients` concurrent connections.
async fn http(clients: usize, n: usize) {
    let dir = temp_dir();
    let registrar = registrar(&dir, passkey_server::storage::writer::MAX_BATCH);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://{}/graphql",
        listener.local_addr().expect("a bound address")
    );
    tokio::spawn(async move {
        axum::serve(listener, router(AppState::new(registrar)))
            .await
            .expect("the server runs");
    });
    let client = reqwest::Client::new();

    let issue = r#"mutation($dto: CreatePasskeyChallengeResolverDto!) {
        create_passkey_challenge(dto: $dto) { challenge } }"#;
    let create = r#"mutation($dto: CreatePasskeyResolverDto!) {
        create_passkey(dto: $dto) { id } }"#;

    let start = Instant::now();
    let usernames: Vec<String> = (0..n).map(|i| format!("http{i}")).collect();
    let challenges = run_concurrently(clients, usernames.clone(), |username| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let body = post(
                &client,
                &url,
                issue,
                json!({ "hostname": RP_ID, "username": username }),
            )
            .await;
            body["data"]["create_passkey_challenge"]["challenge"]
                .as_str()
                .unwrap_or_else(|| panic!("a challenge: {body}"))
                .to_owned()
        }
    })
    .await;
    let issued_per_second = n as f64 / start.elapsed().as_secs_f64();

    let requests: Vec<Value> = challenges
        .iter()
        .zip(&usernames)
        .map(|(challenge, username)| {
            json!({
                "label": "Laptop",
                "hostname": RP_ID,
                "challenge": challenge,
                "registration": payload(challenge, username),
            })
        })
        .collect();
    let start = Instant::now();
    run_concurrently(clients, requests, |dto| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let body = post(&client, &url, create, dto).await;
            assert!(body["data"]["create_passkey"].is_object(), "{body}");
        }
    })
    .await;
    let registered_per_second = n as f64 / start.elapsed().as_secs_f64();

    println!("over HTTP, {clients} clients, {n} each (requests/s)");
    println!(
        "{:>28} {issued_per_second:>10.0}",
        "create_passkey_challenge"
    );
    println!("{:>28} {registered_per_second:>10.0}", "create_passkey");
}

async fn post(client: &reqwest::Client, url: &str, query: &str, dto: Value) -> Value {
    client
        .post(url)
        .json(&json!({ "query": query, "variables": { "dto": dto } }))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body")
}

/// Runs `task` on every item with at most `clients` at a time; returns the
/// outputs in the items' order.
async fn run_concurrently<I, O, F, Fut>(clients: usize, items: Vec<I>, task: F) -> Vec<O>
where
    F: Fn(I) -> Fut,
    Fut: std::future::Future<Output = O>,
{
    use futures::StreamExt;
    futures::stream::iter(items.into_iter().map(task))
        .buffered(clients)
        .collect()
        .await
}
