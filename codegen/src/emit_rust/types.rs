//! The `types` module: one Rust item per schema type that is data rather
//! than a root — input objects, plain objects, enums, unions and custom
//! scalars.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Emitter, deprecation_attr, desc_attr, doc, rust_deprecated, tidy_tokens};
use crate::model::{EnumValue, Field, InputValue, ObjectType, TypeDef, TypeKind};
use crate::names::ident;

impl Emitter<'_> {
    pub(super) fn types_module(&self) -> TokenStream {
        let items = self
            .schema
            .types()
            .iter()
            .filter(|ty| !self.schema.is_root(&ty.name))
            .map(|ty| self.type_item(ty));
        quote! {
            /// The schema's data types: input objects, objects, enums,
            /// unions and custom scalars.
            #[allow(deprecated, reason = "deprecated schema items are still part of the API")]
            pub mod types {
                #( #items )*
            }
        }
    }

    fn type_item(&self, ty: &TypeDef) -> TokenStream {
        match &ty.kind {
            TypeKind::Scalar => self.scalar(ty),
            TypeKind::Object(object) => self.object(ty, object),
            TypeKind::InputObject(fields) => self.input_object(ty, fields),
            TypeKind::Enum(values) => enumeration(ty, values),
            TypeKind::Union(members) => self.union(ty, members),
            TypeKind::Interface(interface) => self.interface(ty, &interface.fields),
        }
    }

    fn scalar(&self, ty: &TypeDef) -> TokenStream {
        if self.scalars.contains_key(&ty.name) {
            return TokenStream::new();
        }
        let name = &ty.name;
        let rust = ident(&ty.rust_name);
        let docs = doc(ty.description.as_deref());
        let specified_by = ty
            .directives
            .iter()
            .find(|d| d.name == "specifiedBy")
            .and_then(|d| d.args.iter().find(|(n, _)| n == "url"))
            .and_then(|(_, v)| match v {
                crate::model::Value::String(url) => Some(quote!(, specified_by_url = #url)),
                _ => None,
            });
        quote! {
            #docs
            #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
            pub struct #rust(pub ::std::string::String);

            #docs
            #[::async_graphql::Scalar(name = #name #specified_by)]
            impl ::async_graphql::ScalarType for #rust {
                fn parse(value: ::async_graphql::Value) -> ::async_graphql::InputValueResult<Self> {
                    match value {
                        ::async_graphql::Value::String(text) => ::std::result::Result::Ok(Self(text)),
                        other => ::std::result::Result::Err(::async_graphql::InputValueError::expected_type(other)),
                    }
                }

                fn to_value(&self) -> ::async_graphql::Value {
                    ::async_graphql::Value::String(::std::clone::Clone::clone(&self.0))
                }
            }
        }
    }

    /// A struct of the object's plain fields; fields with arguments are
    /// resolved through the type's resolver trait (see `schema.rs`).
    fn object(&self, ty: &TypeDef, object: &ObjectType) -> TokenStream {
        let name = &ty.name;
        let rust = ident(&ty.rust_name);
        let docs = doc(ty.description.as_deref());
        let prefix = TokenStream::new();
        let complex = object
            .fields
            .iter()
            .any(|f| !f.args.is_empty())
            .then(|| quote!(, complex));
        // An interface calls each implementor's field getter and needs the
        // value itself, not a reference.
        let owned = (!object.interfaces.is_empty()).then(|| quote!(, owned));
        if object.fields.iter().all(|f| !f.args.is_empty()) {
            // Every field is resolved: async-graphql's `SimpleObject` needs a
            // stored field, so the type is a plain struct and `schema.rs`
            // gives it an `#[Object]` impl instead of a `ComplexObject`.
            return quote! {
                #docs
                #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::default::Default)]
                pub struct #rust {}
            };
        }
        let fields = object
            .fields
            .iter()
            .filter(|f| f.args.is_empty())
            .map(|field| {
                let docs = doc(field.description.as_deref());
                let graphql_name = &field.name;
                let rust_name = ident(&field.rust_name);
                let ty_tokens =
                    self.rust_type(&field.ty, &prefix, self.is_boxed(&ty.name, &field.name));
                let deprecation = deprecation_attr(field.deprecation.as_deref());
                let deprecated = rust_deprecated(field.deprecation.as_deref());
                quote! {
                    #docs
                    #deprecated
                    #[graphql(name = #graphql_name #deprecation #owned)]
                    pub #rust_name: #ty_tokens,
                }
            });
        quote! {
            #docs
            #[derive(::async_graphql::SimpleObject, ::std::clone::Clone, ::std::fmt::Debug)]
            #[graphql(name = #name #complex)]
            pub struct #rust {
                #( #fields )*
            }
        }
    }

    /// An enum over the implementing objects; each field is declared with
    /// its arguments and resolved by the implementor's method of the same
    /// name (a field getter, or a resolved field).
    fn interface(&self, ty: &TypeDef, fields: &[Field]) -> TokenStream {
        let name = &ty.name;
        let rust = ident(&ty.rust_name);
        let docs = doc(ty.description.as_deref());
        let prefix = TokenStream::new();
        let declarations = fields.iter().map(|field| {
            let field_name = &field.name;
            let method = ident(&field.rust_name).to_string();
            let method = method.trim_start_matches("r#").to_owned();
            let boxed = self.is_boxed(&ty.name, &field.name);
            let field_ty = tidy_tokens(self.rust_type(&field.ty, &prefix, boxed));
            let desc = desc_attr(field.description.as_deref());
            let deprecation = deprecation_attr(field.deprecation.as_deref());
            let args = field.args.iter().map(|arg| {
                let arg_name = &arg.name;
                let arg_ty = tidy_tokens(self.rust_type(&arg.ty, &prefix, false));
                let desc = desc_attr(arg.description.as_deref());
                let default = self.default_attr(arg, &prefix, false);
                let deprecation = deprecation_attr(arg.deprecation.as_deref());
                quote!(, arg(name = #arg_name, ty = #arg_ty #desc #default #deprecation))
            });
            quote! {
                field(name = #field_name, method = #method, ty = #field_ty #desc #deprecation #( #args )*)
            }
        });
        let variants = super::implementors(self.schema, &ty.name)
            .into_iter()
            .map(|object| {
                let variant = ident(&object.rust_name);
                quote!(#variant(#variant),)
            });
        quote! {
            #docs
            #[derive(::async_graphql::Interface, ::std::clone::Clone, ::std::fmt::Debug)]
            #[graphql(name = #name, #( #declarations ),*)]
            pub enum #rust {
                #( #variants )*
            }
        }
    }

    fn input_object(&self, ty: &TypeDef, fields: &[InputValue]) -> TokenStream {
        let name = &ty.name;
        let rust = ident(&ty.rust_name);
        let docs = doc(ty.description.as_deref());
        let prefix = TokenStream::new();
        let fields = fields.iter().map(|field| {
            let docs = doc(field.description.as_deref());
            let graphql_name = &field.name;
            let rust_name = ident(&field.rust_name);
            let boxed = self.is_boxed(&ty.name, &field.name);
            let ty_tokens = self.rust_type(&field.ty, &prefix, boxed);
            let default = self.default_attr(field, &prefix, boxed);
            let deprecation = deprecation_attr(field.deprecation.as_deref());
            let deprecated = rust_deprecated(field.deprecation.as_deref());
            quote! {
                #docs
                #deprecated
                #[graphql(name = #graphql_name #default #deprecation)]
                pub #rust_name: #ty_tokens,
            }
        });
        quote! {
            #docs
            #[derive(::async_graphql::InputObject, ::std::clone::Clone, ::std::fmt::Debug)]
            #[graphql(name = #name)]
            pub struct #rust {
                #( #fields )*
            }
        }
    }

    fn union(&self, ty: &TypeDef, members: &[String]) -> TokenStream {
        let name = &ty.name;
        let rust = ident(&ty.rust_name);
        let docs = doc(ty.description.as_deref());
        let prefix = TokenStream::new();
        let variants = members.iter().map(|member| {
            let variant = ident(
                &self
                    .schema
                    .get(member)
                    .map_or_else(|| member.clone(), |t| t.rust_name.clone()),
            );
            let member_ty = self.named_type(member, &prefix);
            quote!(#variant(#member_ty),)
        });
        quote! {
            #docs
            #[derive(::async_graphql::Union, ::std::clone::Clone, ::std::fmt::Debug)]
            #[graphql(name = #name)]
            pub enum #rust {
                #( #variants )*
            }
        }
    }
}

fn enumeration(ty: &TypeDef, values: &[EnumValue]) -> TokenStream {
    let name = &ty.name;
    let rust = ident(&ty.rust_name);
    let docs = doc(ty.description.as_deref());
    let variants = values.iter().map(|value| {
        let docs = doc(value.description.as_deref());
        let graphql_name = &value.name;
        let variant = ident(&value.rust_name);
        let deprecation = deprecation_attr(value.deprecation.as_deref());
        let deprecated = rust_deprecated(value.deprecation.as_deref());
        quote! {
            #docs
            #deprecated
            #[graphql(name = #graphql_name #deprecation)]
            #variant,
        }
    });
    let arms = values.iter().map(|value| {
        let graphql_name = &value.name;
        let variant = ident(&value.rust_name);
        quote!(Self::#variant => #graphql_name,)
    });
    quote! {
        #docs
        #[derive(::async_graphql::Enum, ::std::clone::Clone, ::std::marker::Copy, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        #[graphql(name = #name)]
        pub enum #rust {
            #( #variants )*
        }

        impl #rust {
            /// The value's name in the schema.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #( #arms )*
                }
            }
        }
    }
}
