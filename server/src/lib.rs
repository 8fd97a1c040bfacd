//! The passkey service as a library: the shared application state and the
//! modules that serve the generated GraphQL API over HTTP. `main.rs` is only
//! wiring, so tests reach everything through this crate.

#![deny(
    clippy::unwrap_used,
    clippy::todo,
    clippy::unimplemented,
    clippy::dbg_macro
)]

pub mod api;
pub mod config;
pub mod http;
pub mod verify_command;
pub mod webauthn;

use std::sync::Arc;

use passkey_api::schema::{ApiSchema, build_schema};

pub use api::{Api, RelyingParty};
pub use config::Config;
pub use http::router;

/// What every request handler shares. Cloned once per request, so each field
/// is a cheap handle onto shared data; there are no globals.
#[derive(Clone)]
pub struct AppState {
    /// The executable schema. `async_graphql::Schema` is itself an `Arc`
    /// around its contents, so cloning it does not copy the schema.
    pub schema: ApiSchema<Api>,
    /// The relying party this server is configured for.
    pub relying_party: Arc<RelyingParty>,
}

impl AppState {
    /// Builds the state for a server that registers passkeys for `relying_party`.
    pub fn new(relying_party: RelyingParty) -> Self {
        let relying_party = Arc::new(relying_party);
        let schema = build_schema(Api::new(Arc::clone(&relying_party))).finish();
        Self {
            schema,
            relying_party,
        }
    }
}
