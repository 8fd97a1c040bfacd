//! What a GraphQL request may cost, and the `extensions.code` of the
//! errors that GraphQL itself raises before any resolver runs: a document
//! that does not parse, or that the schema or these limits refuse. Errors
//! from resolvers carry the codes that the schema declares.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    ObjectType, SchemaBuilder, ServerError, ServerResult, SubscriptionType, ValidationResult,
    Variables,
};

/// The deepest selection accepted. GraphiQL's introspection query, the
/// deepest a client sends, nests 13 levels.
pub const MAX_DEPTH: usize = 16;

/// The most fields one request may select (each field counts 1).
/// Introspection with GraphiQL's query selects about 250 fields per type.
pub const MAX_COMPLEXITY: usize = 2_000;

/// The code of an error for a document that is not GraphQL.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// The code of an error for a document that the schema or the limits
/// refuse: an unknown field, a missing argument, too deep, too complex.
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// Adds the limits and the error codes to a schema being built.
pub fn apply<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(ErrorCodes)
}

struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|error| with_code(error, PARSE_FAILED))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| with_code(error, VALIDATION_FAILED))
                .collect()
        })
    }
}

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}
