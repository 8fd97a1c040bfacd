//! The generated wiring at run time: queries executed against real resolver
//! implementations of two golden cases reach the right resolvers with the
//! right arguments (defaults included), resolve interfaces and argument
//! fields of non-root objects, and turn declared errors into GraphQL errors
//! with `extensions.code`.

use async_graphql::Context;
use async_graphql::futures_util::future::BoxFuture;
use golden_corpus::{errors, interfaces_and_field_arguments as graph};
use serde_json::json;

struct Graph;

fn user(id: &str) -> graph::types::User {
    graph::types::User {
        id: id.into(),
        name: format!("user {id}"),
        // `Node` holds `User`, so the field is boxed.
        self_node: (id == "u1").then(|| Box::new(graph::types::Node::User(user("u2")))),
    }
}

#[allow(deprecated, reason = "the schema still serves `Post.title`")]
fn post(id: async_graphql::ID) -> graph::types::Post {
    graph::types::Post {
        title: format!("title {}", id.as_str()),
        id,
    }
}

impl graph::resolvers::QueryResolvers for Graph {
    async fn node(&self, _: &Context<'_>, id: async_graphql::ID) -> Option<graph::types::Node> {
        match id.as_str() {
            "u1" => Some(graph::types::Node::User(user("u1"))),
            "p1" => Some(graph::types::Node::Post(post(id.clone()))),
            _ => None,
        }
    }

    async fn user(&self, _: &Context<'_>) -> Option<graph::types::User> {
        Some(user("u1"))
    }

    async fn nodes(&self, _: &Context<'_>) -> Vec<graph::types::Node> {
        vec![graph::types::Node::User(user("u2"))]
    }

    async fn search(&self, _: &Context<'_>) -> graph::types::Search {
        graph::types::Search {}
    }

    async fn named(&self, _: &Context<'_>) -> Option<graph::types::Named> {
        let team = graph::types::Team {
            next: None,
            sibling: None,
        };
        Some(graph::types::Named::Club(graph::types::Club {
            next: Some(Box::new(graph::types::Named::Team(team.clone()))),
            sibling: Some(Box::new(team)),
        }))
    }
}

impl graph::resolvers::SearchResolvers for Graph {
    fn users<'a>(
        &'a self,
        _: &'a Context<'_>,
        _: &'a graph::types::Search,
        name: String,
    ) -> BoxFuture<'a, Vec<graph::types::User>> {
        Box::pin(async move { vec![user(&name)] })
    }
}

impl graph::resolvers::UserResolvers for Graph {
    fn label<'a>(
        &'a self,
        _: &'a Context<'_>,
        parent: &'a graph::types::User,
        short: Option<bool>,
    ) -> BoxFuture<'a, String> {
        Box::pin(async move {
            if short == Some(true) {
                parent.id.to_string()
            } else {
                format!("{} ({})", parent.name, parent.id.as_str())
            }
        })
    }

    fn friends<'a>(
        &'a self,
        _: &'a Context<'_>,
        parent: &'a graph::types::User,
        first: Option<i32>,
        after: Option<String>,
    ) -> BoxFuture<'a, Vec<graph::types::User>> {
        Box::pin(async move {
            let n = first.unwrap_or_default();
            (0..n)
                .map(|i| {
                    user(&format!(
                        "{}-{i}-{}",
                        parent.id.as_str(),
                        after.as_deref().unwrap_or("start")
                    ))
                })
                .collect()
        })
    }

    fn posts<'a>(
        &'a self,
        _: &'a Context<'_>,
        _: &'a graph::types::User,
        parent_2: Option<async_graphql::ID>,
    ) -> BoxFuture<'a, Vec<graph::types::Post>> {
        Box::pin(async move { parent_2.map(post).into_iter().collect() })
    }
}

impl graph::resolvers::PostResolvers for Graph {
    fn label<'a>(
        &'a self,
        _: &'a Context<'_>,
        parent: &'a graph::types::Post,
        short: Option<bool>,
    ) -> BoxFuture<'a, String> {
        Box::pin(async move { format!("post {} short={short:?}", parent.id.as_str()) })
    }
}

async fn run<Q, M, S>(schema: &async_graphql::Schema<Q, M, S>, query: &str) -> serde_json::Value
where
    Q: async_graphql::ObjectType + 'static,
    M: async_graphql::ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    serde_json::to_value(schema.execute(query).await).unwrap()
}

#[tokio::test]
async fn interfaces_and_argument_fields_resolve_through_the_traits() {
    let schema = graph::schema::build_schema(Graph).finish();
    let response = run(
        &schema,
        r#"{
            node(id: "u1") { id label ... on User { name friends(first: 2) { id } short: label(short: true) } }
            post: node(id: "p1") { __typename label ... on Post { title } }
            nodes { id }
            user { posts(parent: "p9") { id } self_node { id } friends { id } }
            search { users(name: "ann") { id } }
            named { __typename next { __typename } ... on Club { sibling { __typename } } }
        }"#,
    )
    .await;
    assert_eq!(
        response,
        json!({"data": {
            "node": {
                "id": "u1",
                "label": "user u1 (u1)",
                "name": "user u1",
                "friends": [{"id": "u1-0-start"}, {"id": "u1-1-start"}],
                "short": "u1"
            },
            "post": {"__typename": "Post", "label": "post p1 short=Some(false)", "title": "title p1"},
            "nodes": [{"id": "u2"}],
            "user": {
                "posts": [{"id": "p9"}],
                "self_node": {"id": "u2"},
                "friends": (0..10).map(|i| json!({"id": format!("u1-{i}-start")})).collect::<Vec<_>>()
            },
            "search": {"users": [{"id": "ann"}]},
            "named": {"__typename": "Club", "next": {"__typename": "Team"}, "sibling": {"__typename": "Team"}}
        }})
    );
}

struct Accounts;

impl errors::resolvers::QueryResolvers for Accounts {
    async fn account(
        &self,
        _: &Context<'_>,
        id: async_graphql::ID,
    ) -> Result<errors::types::Account, errors::resolvers::AccountError> {
        match id.as_str() {
            "1" => Ok(errors::types::Account {
                id,
                name: "one".into(),
            }),
            "secret" => Err(errors::resolvers::AccountError::Forbidden(
                "not yours".into(),
            )),
            other => Err(errors::resolvers::AccountError::NotFound(format!(
                "no account {other}"
            ))),
        }
    }

    async fn version(&self, _: &Context<'_>) -> String {
        "1".into()
    }
}

impl errors::resolvers::MutationResolvers for Accounts {
    async fn rename_account(
        &self,
        _: &Context<'_>,
        _: async_graphql::ID,
        name: String,
    ) -> Result<errors::types::Account, errors::resolvers::RenameAccountError> {
        Err(errors::resolvers::RenameAccountError::InvalidName(format!(
            "`{name}` is too long"
        )))
    }

    async fn close_account(
        &self,
        _: &Context<'_>,
        _: async_graphql::ID,
    ) -> Result<bool, errors::resolvers::CloseAccountError> {
        Ok(true)
    }
}

#[tokio::test]
async fn declared_errors_carry_their_code() {
    let schema = errors::schema::build_schema(Accounts).finish();
    let response = run(
        &schema,
        r#"{ a: account(id: "1") { name } b: account(id: "secret") { name } version }"#,
    )
    .await;
    assert_eq!(
        response["errors"],
        json!([{
            "message": "not yours",
            "locations": [{"line": 1, "column": 32}],
            "path": ["b"],
            "extensions": {"code": "FORBIDDEN"}
        }])
    );
    assert_eq!(response["data"]["a"], json!({"name": "one"}));
    let response = run(
        &schema,
        r#"mutation { rename_account(id: "1", name: "xxxxxxxx") { id } }"#,
    )
    .await;
    assert_eq!(response["errors"][0]["extensions"]["code"], "INVALID_NAME");
    assert_eq!(response["errors"][0]["message"], "`xxxxxxxx` is too long");
    let error = errors::resolvers::AccountError::NotFound("gone".into());
    assert_eq!(error.code(), errors::types::AccountErrorCode::NotFound);
    assert_eq!(error.to_string(), "NOT_FOUND: gone");
}
