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
pub mod clock;
pub mod config;
pub mod graphql_limits;
pub mod http;
pub mod input;
pub mod page;
pub mod registration;
pub mod storage;
pub mod verify_command;
pub mod webauthn;

use std::sync::Arc;

use passkey_api::schema::{ApiSchema, build_schema};

pub use api::Api;
pub use config::Config;
pub use http::router;
pub use registration::{Policy, Registrar, RelyingParty, UserVerification};

/// What every request handler shares. Cloned once per request, so each field
/// is a cheap handle onto shared data; there are no globals.
#[derive(Clone)]
pub struct AppState {
    /// The executable schema. `async_graphql::Schema` is itself an `Arc`
    /// around its contents, so cloning it does not copy the schema.
    pub schema: ApiSchema<Api>,
    /// The registration service, for the health check's database probe.
    pub registrar: Arc<Registrar>,
}

impl AppState {
    /// The state of a server that registers passkeys with `registrar`.
    pub fn new(registrar: Registrar) -> Self {
        let registrar = Arc::new(registrar);
        let schema = graphql_limits::apply(build_schema(Api::new(Arc::clone(&registrar)))).finish();
        Self { schema, registrar }
    }
}
