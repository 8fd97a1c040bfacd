//! Default values as Rust expressions of the field's Rust type, for
//! async-graphql's `default_with`. `validate` has already checked that each
//! value fits its type; whatever does not match here cannot occur.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Emitter, tidy_tokens};
use crate::model::{TypeKind, TypeRef, Value};
use crate::names::ident;

impl Emitter<'_> {
    /// The `default_with = "..."` string for a default value: the Rust
    /// expression, formatted as a person would write it.
    pub(super) fn default_with(
        &self,
        value: &Value,
        ty: &TypeRef,
        prefix: &TokenStream,
        boxed: bool,
    ) -> String {
        let expr = self.default_expr(value, ty, prefix, boxed);
        tidy_tokens(expr)
    }

    pub(super) fn default_expr(
        &self,
        value: &Value,
        ty: &TypeRef,
        prefix: &TokenStream,
        boxed: bool,
    ) -> TokenStream {
        match (ty, value) {
            (TypeRef::NonNull(inner), value) => self.non_null_expr(value, inner, prefix, boxed),
            (_, Value::Null) => quote!(::std::option::Option::None),
            (nullable, value) => {
                let inner = self.non_null_expr(value, nullable, prefix, boxed);
                quote!(::std::option::Option::Some(#inner))
            }
        }
    }

    fn non_null_expr(
        &self,
        value: &Value,
        ty: &TypeRef,
        prefix: &TokenStream,
        boxed: bool,
    ) -> TokenStream {
        match (ty, value) {
            (TypeRef::NonNull(inner), value) => self.non_null_expr(value, inner, prefix, boxed),
            (TypeRef::List(item), Value::List(items)) => {
                let items = items
                    .iter()
                    .map(|v| self.default_expr(v, item, prefix, false));
                quote!(::std::vec![ #( #items ),* ])
            }
            // Input coercion: one value where a list is expected.
            (TypeRef::List(item), value) => {
                let item = self.default_expr(value, item, prefix, false);
                quote!(::std::vec![ #item ])
            }
            (TypeRef::Named(name), value) => {
                let expr = self.named_expr(value, name, prefix);
                if boxed {
                    quote!(::std::boxed::Box::new(#expr))
                } else {
                    expr
                }
            }
        }
    }

    fn named_expr(&self, value: &Value, name: &str, prefix: &TokenStream) -> TokenStream {
        match (name, value) {
            ("Int", Value::Int(n)) => {
                let n = i32::try_from(*n).unwrap_or_default();
                quote!(#n)
            }
            ("Float", Value::Int(n)) => {
                // Schema integers fit f64 well enough for a default value.
                #[allow(clippy::cast_precision_loss)]
                let x = *n as f64;
                quote!(#x)
            }
            ("Float", Value::Float(x)) => quote!(#x),
            ("String", Value::String(s)) => quote!(::std::string::String::from(#s)),
            ("Boolean", Value::Boolean(b)) => quote!(#b),
            ("ID", Value::String(s)) => quote!(::async_graphql::ID::from(#s)),
            ("ID", Value::Int(n)) => {
                let s = n.to_string();
                quote!(::async_graphql::ID::from(#s))
            }
            _ => self.schema_type_expr(value, name, prefix),
        }
    }

    fn schema_type_expr(&self, value: &Value, name: &str, prefix: &TokenStream) -> TokenStream {
        let Some(ty) = self.schema.get(name) else {
            return quote!(::std::default::Default::default());
        };
        let rust = ident(&ty.rust_name);
        match (&ty.kind, value) {
            (TypeKind::Enum(values), Value::Enum(v)) => {
                let variant = values
                    .iter()
                    .find(|ev| &ev.name == v)
                    .map(|ev| ident(&ev.rust_name));
                quote!(#prefix #rust::#variant)
            }
            (TypeKind::Scalar, value) => {
                if let Some(mapped) = self.scalars.get(name) {
                    // A user type parses its own default, exactly as it
                    // would parse the same value sent by a client.
                    let message = format!("the schema's default `{value}` is not a valid `{name}`");
                    let value = graphql_value(value);
                    return quote! {
                        <#mapped as ::async_graphql::ScalarType>::parse(#value).expect(#message)
                    };
                }
                match value {
                    Value::String(s) => quote!(#prefix #rust(::std::string::String::from(#s))),
                    other => {
                        let text = other.to_string();
                        quote!(#prefix #rust(::std::string::String::from(#text)))
                    }
                }
            }
            (TypeKind::InputObject(fields), Value::Object(given)) => {
                let inits = fields.iter().map(|field| {
                    let rust_name = ident(&field.rust_name);
                    let boxed = self.is_boxed(&ty.name, &field.name);
                    let expr = match (given.get(&field.name), &field.default) {
                        (Some(v), _) | (None, Some(v)) => {
                            self.default_expr(v, &field.ty, prefix, boxed)
                        }
                        (None, None) => quote!(::std::option::Option::None),
                    };
                    quote!(#rust_name: #expr)
                });
                quote!(#prefix #rust { #( #inits ),* })
            }
            _ => quote!(::std::default::Default::default()),
        }
    }
}

/// Builds an `async_graphql::Value` expression for a constant.
fn graphql_value(value: &Value) -> TokenStream {
    match value {
        Value::Null | Value::Variable(_) => quote!(::async_graphql::Value::Null),
        Value::Int(n) => quote!(::async_graphql::Value::Number(::std::convert::From::from(#n))),
        Value::Float(x) => quote! {
            ::async_graphql::Value::Number(
                ::async_graphql::Number::from_f64(#x).unwrap_or_else(|| ::std::convert::From::from(0))
            )
        },
        Value::String(s) => quote!(::async_graphql::Value::String(::std::string::String::from(#s))),
        Value::Boolean(b) => quote!(::async_graphql::Value::Boolean(#b)),
        Value::Enum(name) => {
            quote!(::async_graphql::Value::Enum(::async_graphql::Name::new(#name)))
        }
        Value::List(items) => {
            let items = items.iter().map(graphql_value);
            quote!(::async_graphql::Value::List(::std::vec![ #( #items ),* ]))
        }
        Value::Object(fields) => {
            let entries = fields.iter().map(|(name, value)| {
                let value = graphql_value(value);
                quote!((::async_graphql::Name::new(#name), #value))
            });
            quote!(::async_graphql::Value::Object(::std::iter::FromIterator::from_iter([ #( #entries ),* ])))
        }
    }
}
