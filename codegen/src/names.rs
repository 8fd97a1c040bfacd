//! Every rule for turning GraphQL names into Rust identifiers: case
//! conversion, keywords, and collisions. GraphQL names travel separately
//! (always emitted as `name = "..."`), so these only need to be idiomatic,
//! unique, and valid Rust.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Rust keywords of the 2024 edition, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers (`r#self` is not allowed).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// `CreatePasskeyDto` for a type name; `Self` becomes `Self_`.
pub fn type_name(graphql: &str) -> String {
    let name = graphql.to_upper_camel_case();
    fix_start(
        if name == "Self" {
            "Self_".to_owned()
        } else {
            name
        },
        "Type",
    )
}

/// `public_key` for a field, argument or method name.
pub fn field_name(graphql: &str) -> String {
    fix_start(graphql.to_snake_case(), "field_")
}

/// `ChallengeNotFound` for an enum value.
pub fn variant_name(graphql: &str) -> String {
    let name = graphql.to_upper_camel_case();
    fix_start(
        if name == "Self" {
            "Self_".to_owned()
        } else {
            name
        },
        "Value",
    )
}

/// A name that case conversion emptied (`_`) or that starts with a digit
/// (`_1st`) gets a word in front, so it is an identifier.
fn fix_start(name: String, prefix: &str) -> String {
    match name.chars().next() {
        None => prefix.trim_end_matches('_').to_owned(),
        Some(c) if c.is_ascii_digit() => format!("{prefix}{name}"),
        Some(_) => name,
    }
}

/// An identifier token for a name from this module: keywords become raw
/// identifiers (`r#type`), or get a `_` suffix where Rust forbids that.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The identifiers already used in one Rust scope (a module, a struct's
/// fields, a function's parameters).
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` are already taken, such as the `ctx`
    /// parameter that every resolver method has.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Claims `name`, or `name2`, `name3`… (`name_2` for snake case) when it
    /// is taken: two GraphQL names that convert alike (`MOCK` and `mock`, or
    /// `fooBar` and `foo_bar`) both stay reachable, in source order.
    pub fn claim(&mut self, name: String) -> String {
        // Compare as emitted, so that `self` and `self_` count as the same.
        let key = |name: &str| ident(name).to_string().trim_start_matches("r#").to_owned();
        if self.taken.insert(key(&name)) {
            return name;
        }
        let snake = name.chars().all(|c| !c.is_ascii_uppercase());
        (2..)
            .map(|n| {
                if snake {
                    format!("{name}_{n}")
                } else {
                    // `Self_` is taken: `Self2`, not the non-camel `Self_2`.
                    format!("{}{n}", name.trim_end_matches('_'))
                }
            })
            .find(|candidate| self.taken.insert(key(candidate)))
            .unwrap_or(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversion() {
        assert_eq!(type_name("createPasskeyDto"), "CreatePasskeyDto");
        assert_eq!(type_name("URL"), "Url");
        assert_eq!(field_name("publicKey"), "public_key");
        assert_eq!(field_name("user_id"), "user_id");
        assert_eq!(variant_name("CHALLENGE_NOT_FOUND"), "ChallengeNotFound");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident(&type_name("Self")).to_string(), "Self_");
    }

    #[test]
    fn names_that_convert_to_nothing_or_a_digit_are_prefixed() {
        assert_eq!(type_name("_1st"), "Type1st");
        assert_eq!(field_name("_"), "field");
        assert_eq!(variant_name("_2"), "Value2");
    }

    #[test]
    fn collisions_get_numbered_in_order() {
        let mut variants = Namespace::default();
        assert_eq!(variants.claim(variant_name("MOCK")), "Mock");
        assert_eq!(variants.claim(variant_name("mock")), "Mock2");
        let mut fields = Namespace::with_reserved(&["ctx"]);
        assert_eq!(fields.claim(field_name("ctx")), "ctx_2");
        assert_eq!(fields.claim(field_name("self")), "self");
        assert_eq!(fields.claim("self_".to_owned()), "self__2");
        let mut types = Namespace::default();
        assert_eq!(types.claim(type_name("Self")), "Self_");
        assert_eq!(types.claim(type_name("self")), "Self2");
    }
}
