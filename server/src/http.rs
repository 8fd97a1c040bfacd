//! The HTTP surface: routes, the limits and request logging that every
//! route shares, and the JSON errors for requests refused before GraphQL
//! sees them. GraphQL semantics live in `api.rs`; this module only moves
//! requests and responses.

use std::time::Duration;

use async_graphql::ParseRequestError;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::AppState;

/// The largest request body accepted. A registration is a few kilobytes of
/// base64url; anything far larger is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long the server may spend on one request, reading its body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The code of the error for a body over [`MAX_BODY_BYTES`] (HTTP 413).
pub const REQUEST_TOO_LARGE: &str = "REQUEST_TOO_LARGE";
/// The code of the error for a body that is not a GraphQL request: not
/// JSON, or JSON without a `query` string (HTTP 400).
pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
/// The code of the error for a request that ran over [`REQUEST_TIMEOUT`]
/// (HTTP 408).
pub const REQUEST_TIMED_OUT: &str = "REQUEST_TIMED_OUT";

/// The service's routes with their shared limits and request logging.
pub fn router(state: AppState) -> Router {
    // Only method and path go into the span: a GET query string or a body
    // could carry a challenge or a registration.
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            tracing::info_span!(
                "request",
                method = %request.method(),
                path = %request.uri().path(),
            )
        })
        // One line per request, written when the response is ready, with
        // its status and latency.
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    // The last layer added runs first, so the trace also logs the 413s and
    // 408s that the inner layers answer.
    Router::new()
        .route("/graphql", get(graphql_ide).post(graphql_execute))
        .route("/schema.graphql", get(schema_sdl))
        .route("/healthz", get(healthz))
        .merge(crate::page::routes())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::map_response(json_limit_errors))
        .layer(trace)
        .with_state(state)
}

async fn graphql_execute(
    State(state): State<AppState>,
    request: GraphQLRequest<RequestRejection>,
) -> GraphQLResponse {
    state.schema.execute(request.into_inner()).await.into()
}

/// A body that does not make a GraphQL request, answered in the shape of a
/// GraphQL response (as the GraphQL-over-HTTP draft has it for 4xx), so a
/// client reads every failure the same way. async-graphql-axum's own
/// rejection would answer with Rust debug text.
struct RequestRejection(ParseRequestError);

impl From<ParseRequestError> for RequestRejection {
    fn from(error: ParseRequestError) -> Self {
        Self(error)
    }
}

impl IntoResponse for RequestRejection {
    fn into_response(self) -> Response {
        match self.0 {
            ParseRequestError::PayloadTooLarge => too_large(),
            // A chunked body over the limit fails while it is read.
            ParseRequestError::Io(error) if error.to_string().contains("length limit exceeded") => {
                too_large()
            }
            ParseRequestError::InvalidRequest(error) => error_response(
                StatusCode::BAD_REQUEST,
                INVALID_REQUEST,
                &format!("the body is not a GraphQL request: {error}"),
            ),
            other => error_response(
                StatusCode::BAD_REQUEST,
                INVALID_REQUEST,
                &format!("the body is not a GraphQL request: {other}"),
            ),
        }
    }
}

fn too_large() -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        REQUEST_TOO_LARGE,
        &format!(
            "the request body is larger than {} KiB",
            MAX_BODY_BYTES / 1024
        ),
    )
}

/// The limit layers answer with plain text; this gives their answers the
/// same JSON shape as every other error.
async fn json_limit_errors(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !is_json => too_large(),
        StatusCode::REQUEST_TIMEOUT if !is_json => error_response(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMED_OUT,
            &format!(
                "the request took longer than {} seconds",
                REQUEST_TIMEOUT.as_secs()
            ),
        ),
        _ => response,
    }
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

async fn graphql_ide() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

/// The schema as SDL, with every description. Unlike introspection, which
/// async-graphql limits to the types reachable from the root types, it also
/// lists the error-code enums that the operations declare.
async fn schema_sdl(
    State(state): State<AppState>,
) -> ([(header::HeaderName, &'static str); 1], String) {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        state.schema.sdl(),
    )
}

/// `ok` while the database answers a read and the writer runs; 503
/// otherwise, so a load balancer stops sending registrations that would
/// fail.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.registrar.storage().check().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::clock::Clock;
    use crate::storage::{RedbStore, Storage};
    use crate::webauthn::DEFAULT_ALGORITHMS;
    use crate::{Policy, Registrar, RelyingParty, UserVerification};

    async fn json_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), MAX_BODY_BYTES)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn the_limit_layers_plain_text_answers_become_json_errors() {
        let timed_out = json_limit_errors((StatusCode::REQUEST_TIMEOUT, "").into_response()).await;
        assert_eq!(timed_out.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(
            json_of(timed_out).await["errors"][0]["extensions"]["code"],
            REQUEST_TIMED_OUT
        );

        let too_large = json_limit_errors(
            (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response(),
        )
        .await;
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            json_of(too_large).await["errors"][0]["extensions"]["code"],
            REQUEST_TOO_LARGE
        );

        // Anything else passes untouched.
        let unavailable = json_limit_errors(
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
        )
        .await;
        assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    /// A state on a new database in `dir`, and its storage.
    fn state(dir: &tempfile::TempDir) -> (AppState, Storage) {
        let store = RedbStore::open(&dir.path().join("passkeys.redb")).unwrap();
        let storage = Storage::start(Arc::new(store), Clock::system()).unwrap();
        let relying_party = RelyingParty {
            id: "localhost".to_owned(),
            name: "localhost".to_owned(),
            origins: vec!["http://localhost:8080".to_owned()],
        };
        let policy = Policy {
            challenge_ttl: Duration::from_secs(60),
            user_verification: UserVerification::Required,
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            max_pending_challenges: 10,
        };
        let state = AppState::new(Registrar::new(relying_party, policy, storage.clone()));
        (state, storage)
    }

    #[tokio::test]
    async fn a_chunked_body_over_the_limit_gets_413_and_a_code() {
        use tower::ServiceExt;
        let dir = tempfile::tempdir().unwrap();
        let (state, _storage) = state(&dir);
        // Without a length, the limit is found while the body is read.
        let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(format!(
            "{{\"query\": \"{}\"}}",
            " ".repeat(MAX_BODY_BYTES)
        ))];
        let request = axum::http::Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from_stream(futures::stream::iter(chunks)))
            .unwrap();

        let response = router(state).oneshot(request).await.unwrap();

        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            json_of(response).await["errors"][0]["extensions"]["code"],
            REQUEST_TOO_LARGE
        );
    }

    #[tokio::test]
    async fn healthz_answers_503_once_the_database_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let (state, storage) = state(&dir);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/healthz", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(state)).await });

        let healthy = reqwest::get(&url).await.unwrap();
        assert_eq!(healthy.status(), 200);

        storage.close().unwrap();
        let unhealthy = reqwest::get(&url).await.unwrap();
        assert_eq!(unhealthy.status(), 503);
        assert_eq!(unhealthy.text().await.unwrap(), "database unavailable");
    }
}
