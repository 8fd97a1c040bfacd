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
use crate::model::{Schema, TypeDef, TypeKind, TypeRef};
use crate::names::ident;

pub(crate) struct Emitter<'a> {
    schema: &'a Schema,
    scalars: &'a BTreeMap<String, syn::Type>,
    /// `(type, field)` pairs whose field must be boxed, because the field's
    /// type contains the type again without a list in between.
    boxed: BTreeSet<(String, String)>,
    /// Resolver trait names of non-root objects with argument fields.
    object_traits: BTreeMap<String, String>,
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
        object_traits: object_trait_names(schema),
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
        if let TypeKind::Interface(interface) = &ty.kind {
            if !interface.interfaces.is_empty() {
                unsupported(
                    ty.span,
                    format!(
                        "interface `{}` implements other interfaces, which the Rust emitter does not support yet",
                        ty.name
                    ),
                );
            }
            if implementors(schema, &ty.name).is_empty() {
                unsupported(
                    ty.span,
                    format!(
                        "interface `{}` has no implementing object type, so it cannot be represented in Rust",
                        ty.name
                    ),
                );
            }
        }
        if let TypeKind::Object(object) = &ty.kind {
            for interface_name in &object.interfaces {
                let Some(TypeKind::Interface(interface)) =
                    schema.get(interface_name).map(|t| &t.kind)
                else {
                    continue;
                };
                for wanted in &interface.fields {
                    let Some(field) = object.fields.iter().find(|f| f.name == wanted.name) else {
                        continue;
                    };
                    // async-graphql converts an implementor's value with
                    // `Into`, which covers `T` for a nullable `T` too.
                    let fits = field.ty == wanted.ty
                        || matches!(&field.ty, TypeRef::NonNull(inner) if **inner == wanted.ty);
                    if !fits {
                        unsupported(
                            field.span,
                            format!(
                                "field `{}.{}` narrows `{interface_name}.{}` from `{}` to `{}`: the Rust emitter needs the interface's exact type",
                                ty.name, field.name, wanted.name, wanted.ty, field.ty
                            ),
                        );
                    }
                    let same_args = field.args.len() == wanted.args.len()
                        && field
                            .args
                            .iter()
                            .zip(&wanted.args)
                            .all(|(a, b)| a.name == b.name && a.ty == b.ty);
                    if !same_args {
                        unsupported(
                            field.span,
                            format!(
                                "field `{}.{}` has other arguments than `{interface_name}.{}`: the Rust emitter needs the interface's arguments, in its order",
                                ty.name, field.name, wanted.name
                            ),
                        );
                    }
                }
            }
        }
        if let TypeKind::Object(object) | TypeKind::Interface(object) = &ty.kind {
            for field in &object.fields {
                if root_self_field(schema, &ty.name, field) {
                    continue;
                }
                if schema.is_root(field.ty.base()) {
                    unsupported(
                        field.span,
                        format!(
                            "field `{}.{}` returns the root type `{}`: only a root type's own field, without arguments and non-null, can return it (as Relay's `relay: Query!` does)",
                            ty.name,
                            field.name,
                            field.ty.base()
                        ),
                    );
                }
            }
        }
        if let TypeKind::Union(members) = &ty.kind
            && let Some(root) = members.iter().find(|m| schema.is_root(m))
        {
            unsupported(
                ty.span,
                format!(
                    "union `{}` includes the root type `{root}`: root types are generated as resolver objects, not as data",
                    ty.name
                ),
            );
        }
        if schema.is_root(&ty.name)
            && let TypeKind::Object(object) = &ty.kind
            && let Some(interface) = object.interfaces.first()
        {
            unsupported(
                ty.span,
                format!(
                    "root type `{}` implements `{interface}`: root types cannot implement interfaces in the Rust emitter yet",
                    ty.name
                ),
            );
        }
    }
    diagnostics
}

/// A field of a root type, without arguments, that returns its own root
/// type (Relay's `relay: Query!`): a root is a singleton, so the generated
/// root object answers with itself, and no resolver method is needed.
fn root_self_field(schema: &Schema, root: &str, field: &crate::model::Field) -> bool {
    schema.is_root(root)
        && field.args.is_empty()
        && field.errors.is_none()
        && matches!(&field.ty, TypeRef::NonNull(inner) if matches!(&**inner, TypeRef::Named(name) if name == root))
}

/// The object types that implement `interface`, in source order.
fn implementors<'s>(schema: &'s Schema, interface: &str) -> Vec<&'s TypeDef> {
    schema
        .types()
        .iter()
        .filter(|ty| match &ty.kind {
            TypeKind::Object(object) => {
                !schema.is_root(&ty.name) && object.interfaces.iter().any(|i| i == interface)
            }
            _ => false,
        })
        .collect()
}

/// The names of the resolver traits for non-root objects with argument
/// fields, keyed by type, claimed after the names `validate` gave the root
/// traits, root objects and error enums, which share their modules.
fn object_trait_names(schema: &Schema) -> BTreeMap<String, String> {
    let mut namespace = crate::names::Namespace::default();
    namespace.claim("ApiSchema".to_owned());
    for root in schema.roots() {
        namespace.claim(root.trait_name.clone());
        namespace.claim(root.object_name.clone());
    }
    for ty in schema.types() {
        if let TypeKind::Object(object) = &ty.kind {
            for field in &object.fields {
                if let Some(errors) = &field.errors {
                    namespace.claim(errors.rust_name.clone());
                }
            }
        }
    }
    schema
        .types()
        .iter()
        .filter(|ty| !schema.is_root(&ty.name))
        .filter_map(|ty| match &ty.kind {
            TypeKind::Object(object) if object.fields.iter().any(|f| !f.args.is_empty()) => {
                let name = namespace.claim(format!("{}Resolvers", ty.rust_name));
                Some((ty.name.clone(), name))
            }
            _ => None,
        })
        .collect()
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
                // Argument fields are resolved, not stored.
                for f in o.fields.iter().filter(|f| f.args.is_empty()) {
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
            TypeKind::Interface(_) => {
                entry.extend(
                    implementors(schema, &ty.name)
                        .iter()
                        .map(|t| (None, t.name.as_str())),
                );
            }
            _ => {}
        }
    }
    // A field's type reaches back to its owner exactly when both lie in one
    // strongly connected component of the containment graph: one Tarjan
    // pass instead of a search per field.
    let mut graph = petgraph::graph::DiGraph::<&str, ()>::new();
    let mut nodes = BTreeMap::new();
    for name in edges.keys() {
        nodes.insert(*name, graph.add_node(*name));
    }
    for (owner, held) in &edges {
        for (_, contained) in held {
            if let (Some(&from), Some(&to)) = (nodes.get(owner), nodes.get(contained)) {
                graph.add_edge(from, to, ());
            }
        }
    }
    let mut component = BTreeMap::new();
    for (n, scc) in petgraph::algo::tarjan_scc(&graph).into_iter().enumerate() {
        // A single type is its own component; it is recursive only through
        // an edge to itself.
        let cyclic = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        for index in scc {
            component.insert(graph[index], cyclic.then_some(n));
        }
    }
    let same_cycle = |a: &str, b: &str| matches!((component.get(a), component.get(b)), (Some(Some(x)), Some(Some(y))) if x == y);
    let mut boxed: BTreeSet<(String, String)> = BTreeSet::new();
    for (owner, held) in &edges {
        for (field, contained) in held {
            // A union's or interface's variants stay unboxed: the cycle is
            // broken at the object field that holds the union.
            if let Some(field) = field
                && same_cycle(owner, contained)
            {
                boxed.insert(((*owner).to_owned(), (*field).to_owned()));
            }
        }
    }
    box_interface_fields_alike(schema, &mut boxed);
    boxed
}

/// An interface reads its field from each implementor and converts it with
/// `Into`: `T` converts into `Box<T>`, but `Option<T>` does not convert into
/// `Option<Box<T>>`. So when one implementor boxes an interface field, the
/// interface and every implementor box it too.
fn box_interface_fields_alike(schema: &Schema, boxed: &mut BTreeSet<(String, String)>) {
    loop {
        let mut added = false;
        for ty in schema.types() {
            let TypeKind::Interface(interface) = &ty.kind else {
                continue;
            };
            let members = implementors(schema, &ty.name);
            for field in &interface.fields {
                let any = members
                    .iter()
                    .any(|m| boxed.contains(&(m.name.clone(), field.name.clone())));
                if !any {
                    continue;
                }
                for owner in members.iter().map(|m| &m.name).chain([&ty.name]) {
                    added |= boxed.insert((owner.clone(), field.name.clone()));
                }
            }
        }
        if !added {
            return;
        }
    }
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

/// `, deprecation = "…"` inside an async-graphql attribute.
fn deprecation_attr(reason: Option<&str>) -> Option<TokenStream> {
    reason.map(|reason| quote!(, deprecation = #reason))
}

/// `, desc = "…"`, for the attributes whose description is not read from
/// doc comments (arguments, interface fields).
fn desc_attr(description: Option<&str>) -> Option<TokenStream> {
    description.map(|description| quote!(, desc = #description))
}

impl Emitter<'_> {
    /// `, default_with = "…"` for an argument or input field with a default.
    fn default_attr(
        &self,
        input: &crate::model::InputValue,
        prefix: &TokenStream,
        boxed: bool,
    ) -> Option<TokenStream> {
        let value = input.default.as_ref()?;
        let expr = self.default_with(value, &input.ty, prefix, boxed);
        Some(quote!(, default_with = #expr))
    }
}

/// `#[deprecated]` for Rust users of a deprecated schema item.
fn rust_deprecated(reason: Option<&str>) -> TokenStream {
    match reason {
        Some(reason) => quote!(#[deprecated(note = #reason)]),
        None => TokenStream::new(),
    }
}

/// Prints an expression or a type on one line as a person would write it (no spaces
/// around `::`, none inside parentheses). `TokenStream`'s own `to_string`
/// spaces every token, and prettyplease formats whole files across lines;
/// this prints token by token, so literals stay exactly as they are.
pub(super) fn tidy_tokens(expr: TokenStream) -> String {
    let mut out = String::new();
    write_tokens(expr, &mut out);
    out
}

fn write_tokens(tokens: TokenStream, out: &mut String) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    let mut after_word = false;
    let mut after_joint_colon = false;
    for token in tokens {
        let joint_colon = matches!(&token, TokenTree::Punct(p) if p.as_char() == ':' && p.spacing() == Spacing::Joint);
        match token {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if after_word {
                    out.push(' ');
                }
                out.push_str(&token.to_string());
                after_word = true;
            }
            TokenTree::Punct(punct) => {
                match punct.as_char() {
                    ',' => out.push_str(", "),
                    ':' if joint_colon || after_joint_colon => out.push(':'),
                    ':' => out.push_str(": "),
                    other => out.push(other),
                }
                after_word = false;
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => (" { ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(if after_word { open } else { open.trim_start() });
                write_tokens(group.stream(), out);
                out.push_str(close);
                after_word = false;
            }
        }
        after_joint_colon = joint_colon;
    }
}
