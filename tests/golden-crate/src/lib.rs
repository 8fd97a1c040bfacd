//! Every generated API of the golden corpus, compiled as one module each
//! (see `build.rs`), plus the support types that some cases map custom
//! scalars to. Its tests check that each generated schema serves the SDL it
//! was generated from.

#![allow(
    clippy::all,
    reason = "generated code is checked by the generator's own golden tests"
)]

/// One compiled case of the corpus.
pub struct Case {
    pub name: &'static str,
    /// The case's schema: a `*.graphql` file, or a folder of them.
    pub schema: &'static str,
    /// Prints the SDL of the generated schema.
    pub sdl: fn() -> String,
}

/// Types that custom scalars of the corpus map to, as a user of the
/// generator would write them.
pub mod support {
    /// A URL.
    #[derive(Clone, Debug)]
    pub struct Url(pub String);

    /// A URL.
    #[async_graphql::Scalar(name = "URL", specified_by_url = "https://url.spec.whatwg.org/")]
    impl async_graphql::ScalarType for Url {
        fn parse(value: async_graphql::Value) -> async_graphql::InputValueResult<Self> {
            match value {
                async_graphql::Value::String(text) => Ok(Url(text)),
                other => Err(async_graphql::InputValueError::expected_type(other)),
            }
        }

        fn to_value(&self) -> async_graphql::Value {
            async_graphql::Value::String(self.0.clone())
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/cases.rs"));
