//! Implements the generated resolver traits: the only module that turns what
//! the server knows into GraphQL answers and error codes. It issues no
//! challenges and stores nothing yet.

use std::sync::Arc;

use async_graphql::Context;
use passkey_api::resolvers::{CreatePasskeyError, MutationResolvers, QueryResolvers};
use passkey_api::types::{
    CreatePasskeyResolverDto, PasskeyResolverModel, RelyingPartyResolverModel,
};

/// A relying party (a website) this server registers passkeys for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    /// The RP ID: the host name that passkeys are scoped to.
    pub id: String,
    /// The web origins allowed to register passkeys for it.
    pub origins: Vec<String>,
}

/// The resolvers that `passkey_api::schema::build_schema` serves.
pub struct Api {
    relying_party: Arc<RelyingParty>,
}

impl Api {
    /// Resolvers for a server that registers passkeys for `relying_party`.
    pub fn new(relying_party: Arc<RelyingParty>) -> Self {
        Self { relying_party }
    }
}

impl QueryResolvers for Api {
    async fn relying_parties(&self, _ctx: &Context<'_>) -> Vec<RelyingPartyResolverModel> {
        vec![RelyingPartyResolverModel {
            hostname: self.relying_party.id.clone(),
            origins: self.relying_party.origins.clone(),
        }]
    }
}

impl MutationResolvers for Api {
    async fn create_passkey(
        &self,
        _ctx: &Context<'_>,
        dto: CreatePasskeyResolverDto,
    ) -> Result<PasskeyResolverModel, CreatePasskeyError> {
        // Only the hostname and the outcome are logged: the challenge and the
        // registration are credentials in flight.
        let error = if dto.hostname != self.relying_party.id {
            CreatePasskeyError::UnknownHostname(format!(
                "`{}` is not a relying party of this server; it registers passkeys for `{}` only",
                dto.hostname, self.relying_party.id
            ))
        } else {
            // No challenge can be valid until the server issues them, so the
            // honest answer to every well-addressed registration is this one.
            CreatePasskeyError::ChallengeNotFound(
                "this server has not issued that challenge: challenge issuance arrives with the \
                 next API version, so no registration can succeed yet"
                    .to_owned(),
            )
        };
        tracing::debug!(
            hostname = %dto.hostname,
            code = error.code().as_str(),
            "create_passkey refused"
        );
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use passkey_api::schema::build_schema;
    use serde_json::{Value, json};

    use super::*;

    fn relying_party() -> RelyingParty {
        RelyingParty {
            id: "example.test".to_owned(),
            origins: vec!["https://example.test".to_owned()],
        }
    }

    async fn execute(query: &str) -> Value {
        let schema = build_schema(Api::new(Arc::new(relying_party()))).finish();
        let response = schema.execute(query).await;
        serde_json::to_value(&response).expect("a response serializes to JSON")
    }

    fn create_passkey(hostname: &str) -> String {
        // The mutation is on line 2 and `create_passkey` at column 3, which
        // the expected `locations` below depend on.
        format!(
            r#"mutation {{
  create_passkey(dto: {{
    label: "Laptop", hostname: "{hostname}", challenge: "c2VjcmV0",
    registration: {{
      username: "alice",
      credential: {{ id: "aWQ", publicKey: "cGs", algorithm: "ES256" }},
      authenticatorData: "YWQ", clientData: "Y2Q", attestationData: "YXQ"
    }}
  }}) {{ id }}
}}"#
        )
    }

    #[tokio::test]
    async fn relying_parties_lists_the_configured_rp() {
        let response = execute("{ relying_parties { hostname origins } }").await;
        assert_eq!(
            response,
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
    async fn create_passkey_for_another_hostname_is_unknown_hostname() {
        let response = execute(&create_passkey("elsewhere.test")).await;
        assert_eq!(
            response,
            json!({
                "data": null,
                "errors": [{
                    "message": "`elsewhere.test` is not a relying party of this server; it registers passkeys for `example.test` only",
                    "locations": [{ "line": 2, "column": 3 }],
                    "path": ["create_passkey"],
                    "extensions": { "code": "UNKNOWN_HOSTNAME" }
                }]
            })
        );
    }

    #[tokio::test]
    async fn create_passkey_for_the_configured_rp_is_challenge_not_found() {
        let response = execute(&create_passkey("example.test")).await;
        assert_eq!(
            response,
            json!({
                "data": null,
                "errors": [{
                    "message": "this server has not issued that challenge: challenge issuance arrives with the next API version, so no registration can succeed yet",
                    "locations": [{ "line": 2, "column": 3 }],
                    "path": ["create_passkey"],
                    "extensions": { "code": "CHALLENGE_NOT_FOUND" }
                }]
            })
        );
    }

    #[tokio::test]
    async fn hostname_comparison_is_exact() {
        let response = execute(&create_passkey("EXAMPLE.test")).await;
        assert_eq!(
            response["errors"][0]["extensions"],
            json!({ "code": "UNKNOWN_HOSTNAME" })
        );
    }
}
