//! The HTTP surface: routes, and the limits and request logging that every
//! route shares. GraphQL semantics live in `api.rs`; this module only moves
//! requests and responses.

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Html;
use axum::routing::get;
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
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(trace)
        .with_state(state)
}

async fn graphql_execute(
    State(state): State<AppState>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    state.schema.execute(request.into_inner()).await.into()
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
