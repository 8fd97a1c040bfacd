//! The passkey service's GraphQL API, generated from `schema/` by
//! `sdl-codegen` in this crate's build script: DTO types (`types`), one
//! resolver trait per root type with the declared error codes
//! (`resolvers`), and the async-graphql wiring (`schema::build_schema`).
//!
//! `passkey_api.rs` beside this file is a readable copy of the same
//! generated code, kept for review; a test fails when it is stale.

include!(concat!(env!("OUT_DIR"), "/passkey_api.rs"));
