//! Emits the Rust API for a validated schema as one token stream with three
//! modules: `types` (DTOs, enums, scalars), `resolvers` (one trait per root
//! type and one error enum per `@errors` declaration) and `schema` (the
//! async-graphql root objects and the schema builder). Reads only the model.
//!
//! Emitted code names everything by absolute path (`::std::…`,
//! `::async_graphql::…`, `super::types::…`), so that a schema type called
//! `Option` or `Result` cannot shadow what the code means.

mod defaults;
mod resolvers;
mod schema;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::diagnostic::Diagnostic;
use crate::model::{Schema, TypeKind, TypeRef};
use crate::names::ident;

pub(crate) struct Emitter<'a> {
    schema: &'a Schema,
    scalars: &'a BTreeMap<String, syn::Type>,
    /// `(type, field)` pairs whose field must be boxed, because the field's
    /// type contains the type again without a list in between.
    boxed: BTreeSet<(String, String)>,
}

/// The Rust API of `schema`, or the diagnostics for what the emitter does
/// not support yet.
pub(crate) fn emit(
    schema: &Schema,
    scalars: &BTreeMap<String, syn::Type>,
) -> Result<TokenStream, Vec<Diagnostic>> {
    let unsupported = check_supported(schema);
    if !unsupported.is_empty() {
        return Err(unsupported);
    }
    let emitter = Emitter {
        schema,
        scalars,
        boxed: recursive_fields(schema),
    };
    let types = emitter.types_module();
    let resolvers = emitter.resolvers_module();
    let wiring = emitter.schema_module();
    Ok(quote! {
        #types
        #resolvers
        #wiring
    })
}

/// What the GraphQL type system allows but this emitter cannot express yet;
/// each gets a positioned diagnostic rather than code that fails to compile.
fn check_supported(schema: &Schema) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut unsupported = |span, message: String| {
        diagnostics.push(schema.sources.diagnostic(span, message));
    };
    for ty in schema.types() {
        match &ty.kind {
            TypeKind::Interface(_) => unsupported(
                ty.span,
                format!(
                    "interface `{}`: interfaces are not supported by the Rust emitter yet",
                    ty.name
                ),
            ),
            TypeKind::Object(object) if !schema.is_root(&ty.name) => {
                if !object.interfaces.is_empty() {
                    unsupported(
                        ty.span,
                        format!(
                            "`{}` implements an interface: interfaces are not supported by the Rust emitter yet",
                            ty.name
                        ),
                    );
                }
                for field in &object.fields {
                    if !field.args.is_empty() {
                        unsupported(
                            field.span,
                            format!(
                                "field `{}.{}` has arguments: only root operation fields can take arguments in the Rust emitter yet",
                                ty.name, field.name
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
        if let TypeKind::Object(object) | TypeKind::Interface(object) = &ty.kind {
            for field in &object.fields {
                if schema.is_root(field.ty.base()) {
                    unsupported(
                        field.span,
                        format!(
                            "field `{}.{}` returns the root type `{}`: root types are generated as resolver objects, not as data",
                            ty.name,
                            field.name,
                            field.ty.base()
                        ),
                    );
                }
            }
        }
        if let TypeKind::Union(members) = &ty.kind {
            if let Some(root) = members.iter().find(|m| schema.is_root(m)) {
                unsupported(
                    ty.span,
                    format!(
                        "union `{}` includes the root type `{root}`: root types are generated as resolver objects, not as data",
                        ty.name
                    ),
                );
            }
        }
    }
    diagnostics
}

/// Finds the struct fields that need a `Box`: a field whose type holds its
/// own type again by value (through fields and union members, not lists)
/// would make the struct infinitely large.
fn recursive_fields(schema: &Schema) -> BTreeSet<(String, String)> {
    // Containment by value: type → (field, or None for a union member; type).
    let mut edges: BTreeMap<&str, Vec<(Option<&str>, &str)>> = BTreeMap::new();
    for ty in schema.types() {
        let entry = edges.entry(ty.name.as_str()).or_default();
        match &ty.kind {
            TypeKind::Object(o) if !schema.is_root(&ty.name) => {
                for f in &o.fields {
                    if let Some(held) = held_by_value(&f.ty) {
                        entry.push((Some(f.name.as_str()), held));
                    }
                }
            }
            TypeKind::InputObject(fields) => {
                for f in fields {
                    if let Some(held) = held_by_value(&f.ty) {
                        entry.push((Some(f.name.as_str()), held));
                    }
                }
            }
            TypeKind::Union(members) => {
                entry.extend(members.iter().map(|m| (None, m.as_str())));
            }
            _ => {}
        }
    }
    let reaches = |from: &str, target: &str| -> bool {
        let mut stack = vec![from];
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if name == target {
                return true;
            }
            if seen.insert(name) {
                stack.extend(edges.get(name).into_iter().flatten().map(|(_, next)| *next));
            }
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for (owner, held) in &edges {
        for (field, contained) in held {
            // A union's variants stay unboxed: the cycle is broken at the
            // object field that holds the union.
            if let Some(field) = field {
                if reaches(contained, owner) {
                    boxed.insert(((*owner).to_owned(), (*field).to_owned()));
                }
            }
        }
    }
    boxed
}

/// The named type a field holds by value (not through a list).
fn held_by_value(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        TypeRef::NonNull(inner) => held_by_value(inner),
        TypeRef::List(_) => None,
    }
}

impl Emitter<'_> {
    /// The Rust type for a type reference; `prefix` is the path to the
    /// `types` module from where the type is written.
    fn rust_type(&self, ty: &TypeRef, prefix: &TokenStream, boxed: bool) -> TokenStream {
        match ty {
            TypeRef::NonNull(inner) => self.rust_type_non_null(inner, prefix, boxed),
            nullable => {
                let inner = self.rust_type_non_null(nullable, prefix, boxed);
                quote!(::std::option::Option<#inner>)
            }
        }
    }

    fn rust_type_non_null(&self, ty: &TypeRef, prefix: &TokenStream, boxed: bool) -> TokenStream {
        match ty {
            TypeRef::NonNull(inner) => self.rust_type_non_null(inner, prefix, boxed),
            TypeRef::List(inner) => {
                let item = self.rust_type(inner, prefix, false);
                quote!(::std::vec::Vec<#item>)
            }
            TypeRef::Named(name) => {
                let named = self.named_type(name, prefix);
                if boxed {
                    quote!(::std::boxed::Box<#named>)
                } else {
                    named
                }
            }
        }
    }

    fn named_type(&self, name: &str, prefix: &TokenStream) -> TokenStream {
        match name {
            "Int" => quote!(i32),
            "Float" => quote!(f64),
            "String" => quote!(::std::string::String),
            "Boolean" => quote!(bool),
            "ID" => quote!(::async_graphql::ID),
            _ => {
                if let Some(mapped) = self.scalars.get(name) {
                    return quote!(#mapped);
                }
                let rust = self
                    .schema
                    .get(name)
                    .map_or_else(|| crate::names::type_name(name), |t| t.rust_name.clone());
                let rust = ident(&rust);
                quote!(#prefix #rust)
            }
        }
    }

    fn is_boxed(&self, owner: &str, field: &str) -> bool {
        self.boxed.contains(&(owner.to_owned(), field.to_owned()))
    }
}

/// Doc attributes for a description: one `#[doc]` a line, which
/// prettyplease prints as `///` and async-graphql reads as the GraphQL
/// description. async-graphql trims each doc line, so a description whose
/// lines carry leading or trailing spaces (indented code, say) is emitted
/// as one `#[doc = concat!(..)]`, which it takes verbatim.
fn doc(description: Option<&str>) -> TokenStream {
    let Some(description) = description else {
        return TokenStream::new();
    };
    let lines: Vec<&str> = description.split('\n').collect();
    let exact = lines.iter().all(|l| l.trim() == *l);
    if exact {
        let lines = lines.iter().map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        });
        quote!( #( #[doc = #lines] )* )
    } else {
        let parts = lines.iter().enumerate().map(|(i, l)| {
            if i + 1 < lines.len() {
                format!("{l}\n")
            } else {
                (*l).to_owned()
            }
        });
        quote!( #[doc = concat!( #( #parts ),* )] )
    }
}

/// `#[deprecated]` for Rust users of a deprecated schema item.
fn rust_deprecated(reason: Option<&str>) -> TokenStream {
    match reason {
        Some(reason) => quote!(#[deprecated(note = #reason)]),
        None => TokenStream::new(),
    }
}
