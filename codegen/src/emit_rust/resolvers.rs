//! The `resolvers` module: one trait per root type with one method per root
//! field, and one error enum per field that declares `@errors`, so that a
//! resolver can only fail with a code the schema declares.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Emitter, doc, rust_deprecated};
use crate::model::{Field, Operation, Root, TypeDef, TypeKind};
use crate::names::ident;

impl Emitter<'_> {
    pub(super) fn resolvers_module(&self) -> TokenStream {
        let prefix = quote!(super::types::);
        let mut items = Vec::new();
        for root in self.schema.roots() {
            let fields = self.root_fields(root);
            for field in fields {
                items.push(self.error_enum(field));
            }
            items.push(self.resolver_trait(root, fields, &prefix));
        }
        for ty in self.schema.types() {
            if let (Some(trait_name), TypeKind::Object(object)) =
                (self.object_traits.get(&ty.name), &ty.kind)
            {
                items.push(self.object_resolver_trait(ty, trait_name, &object.fields, &prefix));
            }
        }
        quote! {
            /// What the server implements: one trait per root operation
            /// type, and the errors each operation may return.
            #[allow(deprecated, reason = "deprecated schema items are still part of the API")]
            #[allow(clippy::too_many_arguments, reason = "one parameter per GraphQL argument")]
            pub mod resolvers {
                #( #items )*
            }
        }
    }

    pub(super) fn root_fields(&self, root: &Root) -> &[Field] {
        match self.schema.get(&root.type_name).map(|t| &t.kind) {
            Some(TypeKind::Object(object)) => &object.fields,
            _ => &[],
        }
    }

    fn error_enum(&self, field: &Field) -> TokenStream {
        let Some(errors) = &field.errors else {
            return TokenStream::new();
        };
        let Some(TypeKind::Enum(values)) = self.schema.get(&errors.enum_name).map(|t| &t.kind)
        else {
            return TokenStream::new();
        };
        let codes = self
            .schema
            .get(&errors.enum_name)
            .map(|t| ident(&t.rust_name));
        let name = ident(&errors.rust_name);
        let summary = format!(
            " The errors of `{}`: the values of `{}`, each with a message for the client.",
            field.name, errors.enum_name
        );
        let variants = values.iter().map(|value| {
            let docs = doc(value.description.as_deref());
            let deprecated = rust_deprecated(value.deprecation.as_deref());
            let variant = ident(&value.rust_name);
            quote! {
                #docs
                #deprecated
                #variant(::std::string::String),
            }
        });
        let code_arms = values.iter().map(|value| {
            let variant = ident(&value.rust_name);
            quote!(Self::#variant(_) => super::types::#codes::#variant,)
        });
        let message_arms = values.iter().map(|value| {
            let variant = ident(&value.rust_name);
            quote!(Self::#variant(message) => message,)
        });
        quote! {
            #[doc = #summary]
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq)]
            pub enum #name {
                #( #variants )*
            }

            impl #name {
                /// The error's code, sent to the client as `extensions.code`.
                pub fn code(&self) -> super::types::#codes {
                    match self {
                        #( #code_arms )*
                    }
                }

                /// The message for the client.
                pub fn message(&self) -> &str {
                    match self {
                        #( #message_arms )*
                    }
                }
            }

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    ::std::write!(f, "{}: {}", self.code().as_str(), self.message())
                }
            }

            impl ::std::error::Error for #name {}

            /// The GraphQL error: the message, with the code as `extensions.code`.
            impl ::async_graphql::ErrorExtensions for #name {
                fn extend(&self) -> ::async_graphql::Error {
                    let code = self.code().as_str();
                    ::async_graphql::Error::new(self.message())
                        .extend_with(|_, extensions| extensions.set("code", code))
                }
            }
        }
    }

    fn resolver_trait(&self, root: &Root, fields: &[Field], prefix: &TokenStream) -> TokenStream {
        let name = ident(&root.trait_name);
        let summary = format!(
            " The resolvers of the `{}` root type ({} operations): one method per field. \
             `schema::build_schema` serves an implementation.",
            root.type_name,
            root.operation.keyword()
        );
        let methods = fields
            .iter()
            .filter(|f| !super::root_self_field(self.schema, &root.type_name, f))
            .map(|field| {
                let docs = doc(field.description.as_deref());
                let deprecated = rust_deprecated(field.deprecation.as_deref());
                let method = ident(&field.rust_name);
                let params = field.args.iter().map(|arg| {
                    let arg_name = ident(&arg.rust_name);
                    let ty = self.rust_type(&arg.ty, prefix, false);
                    quote!(#arg_name: #ty)
                });
                let output = self.resolver_output(root.operation, field, prefix);
                quote! {
                    #docs
                    #deprecated
                    fn #method(
                        &self,
                        ctx: &::async_graphql::Context<'_>,
                        #( #params ),*
                    ) -> impl ::std::future::Future<Output = #output> + ::std::marker::Send;
                }
            });
        quote! {
            #[doc = #summary]
            pub trait #name: ::std::marker::Send + ::std::marker::Sync + 'static {
                #( #methods )*
            }
        }
    }

    /// The resolvers of a non-root object's fields that take arguments.
    /// The generated `ComplexObject` finds them as `Arc<dyn Trait>` in the
    /// schema's data, so the methods return boxed futures (a trait with
    /// `impl Future` returns cannot be a trait object).
    fn object_resolver_trait(
        &self,
        ty: &TypeDef,
        trait_name: &str,
        fields: &[Field],
        prefix: &TokenStream,
    ) -> TokenStream {
        let name = ident(trait_name);
        let parent = ident(&ty.rust_name);
        let summary = format!(
            " The resolvers of the `{}` fields that take arguments: one method per field, given the object as `parent`.",
            ty.name
        );
        let methods = fields.iter().filter(|f| !f.args.is_empty()).map(|field| {
            let docs = doc(field.description.as_deref());
            let deprecated = rust_deprecated(field.deprecation.as_deref());
            let method = ident(&field.rust_name);
            let params = self.plain_params(&field.args, prefix);
            let value = self.rust_type(&field.ty, prefix, false);
            quote! {
                #docs
                #deprecated
                fn #method<'a>(
                    &'a self,
                    ctx: &'a ::async_graphql::Context<'_>,
                    parent: &'a super::types::#parent,
                    #( #params ),*
                ) -> ::async_graphql::futures_util::future::BoxFuture<'a, #value>;
            }
        });
        quote! {
            #[doc = #summary]
            pub trait #name: ::std::marker::Send + ::std::marker::Sync + 'static {
                #( #methods )*
            }
        }
    }

    /// `name: Type` for each argument, as the resolver traits take them.
    fn plain_params(
        &self,
        args: &[crate::model::InputValue],
        prefix: &TokenStream,
    ) -> Vec<TokenStream> {
        args.iter()
            .map(|arg| {
                let arg_name = ident(&arg.rust_name);
                let ty = self.rust_type(&arg.ty, prefix, false);
                quote!(#arg_name: #ty)
            })
            .collect()
    }

    /// What a resolver's future yields: the field's value, a stream of
    /// values for a subscription, wrapped in `Result` with the field's error
    /// enum when it declares errors.
    pub(super) fn resolver_output(
        &self,
        operation: Operation,
        field: &Field,
        prefix: &TokenStream,
    ) -> TokenStream {
        let value = self.rust_type(&field.ty, prefix, false);
        let value = if operation == Operation::Subscription {
            quote!(::async_graphql::futures_util::stream::BoxStream<'static, #value>)
        } else {
            value
        };
        match &field.errors {
            Some(errors) => {
                let error = ident(&errors.rust_name);
                quote!(::std::result::Result<#value, #error>)
            }
            None => value,
        }
    }
}
