//! The `schema` module: the async-graphql root objects, which hold the
//! user's resolver implementation and delegate each field to its trait
//! method, and `build_schema`, which assembles them.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Emitter, deprecation_attr, desc_attr, doc};
use crate::model::{Field, InputValue, Operation, Root, TypeDef, TypeKind};
use crate::names::ident;

impl Emitter<'_> {
    pub(super) fn schema_module(&self) -> TokenStream {
        let prefix = quote!(super::types::);
        let objects = self
            .schema
            .roots()
            .iter()
            .map(|root| self.root_object(root, &prefix));
        let complex_objects = self.schema.types().iter().filter_map(|ty| {
            let trait_name = self.object_traits.get(&ty.name)?;
            match &ty.kind {
                TypeKind::Object(object) => {
                    Some(self.complex_object(ty, trait_name, &object.fields, &prefix))
                }
                _ => None,
            }
        });
        let root_type = |operation: Operation, empty: TokenStream| match self.schema.root(operation)
        {
            Some(root) => {
                let object = ident(&root.object_name);
                quote!(#object<R>)
            }
            None => empty,
        };
        let query = root_type(Operation::Query, quote!(::async_graphql::EmptyMutation));
        let mutation = root_type(Operation::Mutation, quote!(::async_graphql::EmptyMutation));
        let subscription = root_type(
            Operation::Subscription,
            quote!(::async_graphql::EmptySubscription),
        );
        let root_value =
            |operation: Operation, empty: TokenStream| match self.schema.root(operation) {
                Some(root) => {
                    let object = ident(&root.object_name);
                    quote!(#object(::std::sync::Arc::clone(&resolvers)))
                }
                None => empty,
            };
        let query_value = root_value(Operation::Query, quote!(::async_graphql::EmptyMutation));
        let mutation_value =
            root_value(Operation::Mutation, quote!(::async_graphql::EmptyMutation));
        let subscription_value = root_value(
            Operation::Subscription,
            quote!(::async_graphql::EmptySubscription),
        );
        let bounds = self
            .schema
            .roots()
            .iter()
            .map(|root| &root.trait_name)
            .chain(self.object_traits.values())
            .map(|name| {
                let name = ident(name);
                quote!(super::resolvers::#name)
            });
        // Resolved fields of non-root objects find their implementation in
        // the schema's data, as a trait object of the same value.
        let object_data = self.object_traits.values().map(|name| {
            let name = ident(name);
            quote!(.data(::std::sync::Arc::clone(&resolvers) as ::std::sync::Arc<dyn super::resolvers::#name>))
        });
        // async-graphql registers only the types reachable from the roots;
        // registering every type keeps introspection (and `sdl()`) equal to
        // the schema, including error-code enums that no field returns.
        let registrations = self
            .schema
            .types()
            .iter()
            .filter(|ty| !self.schema.is_root(&ty.name))
            .map(|ty| {
                let rust = self.named_type(&ty.name, &prefix);
                match ty.kind {
                    TypeKind::InputObject(_) => quote!(.register_input_type::<#rust>()),
                    _ => quote!(.register_output_type::<#rust>()),
                }
            });
        quote! {
            /// The async-graphql wiring: root objects that delegate to the
            /// resolver traits, and the schema builder.
            #[allow(deprecated, reason = "deprecated schema items are still served")]
            #[allow(clippy::too_many_arguments, reason = "one parameter per GraphQL argument")]
            pub mod schema {
                #( #objects )*

                #( #complex_objects )*

                /// The executable schema, served by an implementation `R` of
                /// every resolver trait.
                pub type ApiSchema<R> = ::async_graphql::Schema<#query, #mutation, #subscription>;

                /// Starts building the schema around `resolvers`; the caller
                /// may add limits, data and extensions before `finish()`.
                pub fn build_schema<R>(resolvers: R) -> ::async_graphql::SchemaBuilder<#query, #mutation, #subscription>
                where
                    R: #( #bounds )+*,
                {
                    let resolvers = ::std::sync::Arc::new(resolvers);
                    ::async_graphql::Schema::build(#query_value, #mutation_value, #subscription_value)
                        #( #object_data )*
                        #( #registrations )*
                }
            }
        }
    }

    /// Resolver parameters for GraphQL arguments, with their names,
    /// descriptions, defaults and deprecations for async-graphql.
    fn argument_params(&self, args: &[InputValue], prefix: &TokenStream) -> Vec<TokenStream> {
        args.iter()
            .map(|arg| {
                let arg_graphql = &arg.name;
                let arg_name = ident(&arg.rust_name);
                let ty = self.rust_type(&arg.ty, prefix, false);
                let desc = desc_attr(arg.description.as_deref());
                let default = self.default_attr(arg, prefix, false);
                let deprecation = deprecation_attr(arg.deprecation.as_deref());
                quote!(#[graphql(name = #arg_graphql #desc #default #deprecation)] #arg_name: #ty)
            })
            .collect()
    }

    /// The argument fields of a non-root object, delegating to the type's
    /// resolver trait, which `build_schema` put in the schema's data.
    fn complex_object(
        &self,
        ty: &TypeDef,
        trait_name: &str,
        fields: &[Field],
        prefix: &TokenStream,
    ) -> TokenStream {
        let rust = ident(&ty.rust_name);
        let resolver_trait = ident(trait_name);
        let methods = fields.iter().filter(|f| !f.args.is_empty()).map(|field| {
            let docs = doc(field.description.as_deref());
            let graphql_name = &field.name;
            let method = ident(&field.rust_name);
            let deprecation = deprecation_attr(field.deprecation.as_deref());
            let params = self.argument_params(&field.args, prefix);
            let args = field.args.iter().map(|arg| ident(&arg.rust_name));
            let value = self.rust_type(&field.ty, prefix, false);
            quote! {
                #docs
                #[graphql(name = #graphql_name #deprecation)]
                pub async fn #method(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                    #( #params ),*
                ) -> ::async_graphql::Result<#value> {
                    let resolvers = ctx.data::<::std::sync::Arc<dyn super::resolvers::#resolver_trait>>()?;
                    ::std::result::Result::Ok(resolvers.#method(ctx, self, #( #args ),*).await)
                }
            }
        });
        // A type without stored fields is a plain struct (see `types.rs`):
        // its impl is the whole object, and carries its name and description.
        if fields.iter().all(|f| !f.args.is_empty()) {
            let name = &ty.name;
            let docs = doc(ty.description.as_deref());
            return quote! {
                #docs
                #[::async_graphql::Object(name = #name)]
                impl super::types::#rust {
                    #( #methods )*
                }
            };
        }
        quote! {
            #[::async_graphql::ComplexObject]
            impl super::types::#rust {
                #( #methods )*
            }
        }
    }

    fn root_object(&self, root: &Root, prefix: &TokenStream) -> TokenStream {
        let object = ident(&root.object_name);
        let resolver_trait = ident(&root.trait_name);
        let name = &root.type_name;
        let description = self
            .schema
            .get(&root.type_name)
            .and_then(|t| t.description.as_deref());
        let docs = doc(description);
        let summary = format!(
            " The `{name}` root object: resolves each field through [`super::resolvers::{}`].",
            root.trait_name
        );
        let macro_path = match root.operation {
            Operation::Subscription => quote!(::async_graphql::Subscription),
            Operation::Query | Operation::Mutation => quote!(::async_graphql::Object),
        };
        let methods = self.root_fields(root).iter().map(|field| {
            let docs = doc(field.description.as_deref());
            let graphql_name = &field.name;
            let method = ident(&field.rust_name);
            let deprecation = deprecation_attr(field.deprecation.as_deref());
            let params = self.argument_params(&field.args, prefix);
            let args = field.args.iter().map(|arg| ident(&arg.rust_name));
            let value = self.rust_type(&field.ty, prefix, false);
            let value = match root.operation {
                Operation::Subscription => {
                    quote!(::async_graphql::futures_util::stream::BoxStream<'static, #value>)
                }
                Operation::Query | Operation::Mutation => value,
            };
            if super::root_self_field(self.schema, &root.type_name, field) {
                // A root is a singleton: the field answers with that root.
                return quote! {
                    #docs
                    #[graphql(name = #graphql_name #deprecation)]
                    async fn #method(&self) -> #object<R> {
                        #object(::std::sync::Arc::clone(&self.0))
                    }
                };
            }
            let call = quote!(super::resolvers::#resolver_trait::#method(&*self.0, ctx, #( #args ),*).await);
            let (output, body) = if field.errors.is_some() {
                (
                    quote!(::async_graphql::Result<#value>),
                    quote!(#call.map_err(|error| ::async_graphql::ErrorExtensions::extend(&error))),
                )
            } else {
                (value, call)
            };
            quote! {
                #docs
                #[graphql(name = #graphql_name #deprecation)]
                async fn #method(
                    &self,
                    ctx: &::async_graphql::Context<'_>,
                    #( #params ),*
                ) -> #output {
                    #body
                }
            }
        });
        quote! {
            #[doc = #summary]
            pub struct #object<R>(::std::sync::Arc<R>);

            #docs
            #[#macro_path(name = #name)]
            impl<R: super::resolvers::#resolver_trait> #object<R> {
                #( #methods )*
            }
        }
    }
}
