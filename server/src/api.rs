//! Implements the generated resolver traits: the only module that turns the
//! registration service's records into GraphQL models. The rules live in
//! `registration.rs`.

use std::sync::Arc;

use async_graphql::Context;
use passkey_api::resolvers::{
    CreatePasskeyChallengeError, CreatePasskeyError, MutationResolvers, QueryResolvers,
};
use passkey_api::types::{
    CreatePasskeyChallengeResolverDto, CreatePasskeyResolverDto, PasskeyAlgorithmResolverModel,
    PasskeyChallengeResolverModel, PasskeyResolverModel, RelyingPartyResolverModel,
};
use time::format_description::well_known::Rfc3339;

use crate::registration::{IssuedChallenge, Registrar};
use crate::storage::StoredPasskey;
use crate::webauthn::base64url;

/// The resolvers that `passkey_api::schema::build_schema` serves.
pub struct Api {
    registrar: Arc<Registrar>,
}

impl Api {
    pub fn new(registrar: Arc<Registrar>) -> Self {
        Self { registrar }
    }
}

impl QueryResolvers for Api {
    async fn relying_parties(&self, _ctx: &Context<'_>) -> Vec<RelyingPartyResolverModel> {
        let relying_party = self.registrar.relying_party();
        vec![RelyingPartyResolverModel {
            hostname: relying_party.id.clone(),
            origins: relying_party.origins.clone(),
        }]
    }
}

impl MutationResolvers for Api {
    async fn create_passkey_challenge(
        &self,
        _ctx: &Context<'_>,
        dto: CreatePasskeyChallengeResolverDto,
    ) -> Result<PasskeyChallengeResolverModel, CreatePasskeyChallengeError> {
        let issued = self
            .registrar
            .issue_challenge(&dto.hostname, &dto.username)
            .await?;
        Ok(self.challenge_model(&issued))
    }

    async fn create_passkey(
        &self,
        _ctx: &Context<'_>,
        dto: CreatePasskeyResolverDto,
    ) -> Result<PasskeyResolverModel, CreatePasskeyError> {
        let stored = self.registrar.register(dto).await?;
        Ok(passkey_model(&stored))
    }
}

impl Api {
    fn challenge_model(&self, issued: &IssuedChallenge) -> PasskeyChallengeResolverModel {
        let policy = self.registrar.policy();
        let record = &issued.record;
        PasskeyChallengeResolverModel {
            challenge: issued.challenge.to_base64url(),
            // Formatting an in-range UTC time cannot fail; an empty string
            // would only hide a bug that the tests would catch.
            expires_at: record.expires_at.format(&Rfc3339).unwrap_or_default(),
            // The configuration caps the lifetime far below i32::MAX ms.
            timeout_ms: i32::try_from(policy.challenge_ttl.as_millis()).unwrap_or(i32::MAX),
            hostname: record.hostname.clone(),
            rp_name: self.registrar.relying_party().name.clone(),
            user_id: record.user_id.to_base64url(),
            username: record.username.clone(),
            algorithms: policy
                .algorithms
                .iter()
                .map(|algorithm| PasskeyAlgorithmResolverModel {
                    name: algorithm.name().to_owned(),
                    // COSE numbers of signature algorithms fit in an i32.
                    cose_identifier: i32::try_from(algorithm.to_i64()).unwrap_or(i32::MIN),
                })
                .collect(),
            user_verification: policy.user_verification.as_str().to_owned(),
            // Challenges go to new usernames only (a taken one is refused),
            // so there is nothing to exclude until signed-in users can add
            // passkeys.
            exclude_credentials: Vec::new(),
        }
    }
}

fn passkey_model(stored: &StoredPasskey) -> PasskeyResolverModel {
    PasskeyResolverModel {
        id: stored.id.to_base64url(),
        label: stored.label.clone(),
        user_id: stored.user_id.to_base64url(),
        hostname: stored.hostname.clone(),
        user_code: stored.username.clone(),
        challenge: stored.challenge.to_base64url(),
        credential_id: base64url::encode(&stored.credential.credential_id),
    }
}
