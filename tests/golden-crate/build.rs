//! Turns every `expected.rs` of the golden corpus (and the checked-in API in
//! `generated/`) into a module of this crate, so that a test build compiles
//! them all. For each one it also writes `Never`, an implementation of the
//! case's resolver traits whose futures never resolve: enough to build the
//! case's `async_graphql::Schema` and print its SDL, without hand-written
//! code per case.

use std::path::{Path, PathBuf};

use quote::{format_ident, quote};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by Cargo"));
    let golden = manifest.join("../golden");
    println!("cargo:rerun-if-changed={}", golden.display());
    let mut cases: Vec<(String, PathBuf, PathBuf)> = std::fs::read_dir(&golden)
        .expect("tests/golden exists")
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let expected = dir.join("expected.rs");
            expected.exists().then(|| {
                let name = dir.file_name()?.to_string_lossy().into_owned();
                Some((name, expected, dir))
            })?
        })
        .collect();
    cases.sort();
    cases.push((
        "passkey_api".to_owned(),
        manifest.join("../../generated/passkey_api.rs"),
        manifest.join("../../schema"),
    ));
    // A large real schema, generated here rather than checked in (its API
    // is a megabyte of Rust): interfaces, unions, arguments on object
    // fields and Relay's root field, at the size of a real service.
    let github =
        manifest.join("../../../shared/schemas/conformance/graphql-js/github-schema-2017.graphql");
    println!("cargo:rerun-if-changed={}", github.display());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("run by Cargo"));
    let github_api = out_dir.join("github_2017.rs");
    if let Err(error) = sdl_codegen::Config::new()
        .schema(&github)
        .out_file(&github_api)
        .emit_rerun_if_changed(false)
        .compile()
    {
        panic!("the GitHub 2017 schema does not generate:\n{error}");
    }
    cases.push(("github_2017".to_owned(), github_api, github));

    let mut modules = Vec::new();
    let mut entries = Vec::new();
    for (name, expected, schema) in &cases {
        println!("cargo:rerun-if-changed={}", expected.display());
        let text = std::fs::read_to_string(expected).expect("readable expected.rs");
        let file = syn::parse_file(&text).expect("expected.rs is Rust");
        let module = format_ident!("{}", name);
        let path = expected.to_string_lossy().into_owned();
        let impls = never_impls(&file);
        modules.push(quote! {
            pub mod #module {
                include!(#path);

                /// Implements every resolver trait; no resolver ever answers.
                mod never {
                    #[allow(unused_imports)]
                    use super::resolvers::*;
                    pub struct Never;
                    #( #impls )*
                }

                /// The SDL that the generated schema serves.
                pub fn sdl() -> ::std::string::String {
                    super::#module::schema::build_schema(never::Never).finish().sdl()
                }
            }
        });
        let schema = schema.to_string_lossy().into_owned();
        entries.push(quote!(crate::Case { name: #name, schema: #schema, sdl: #module::sdl }));
    }
    let out = quote! {
        #( #modules )*

        /// Every compiled case.
        pub const CASES: &[crate::Case] = &[ #( #entries ),* ];
    };
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("run by Cargo"));
    write(&out_dir.join("cases.rs"), &out.to_string());
}

/// `impl Trait for Never` for each trait in the file's `resolvers` module,
/// with the trait's own signatures and `std::future::pending()` bodies.
fn never_impls(file: &syn::File) -> Vec<proc_macro2::TokenStream> {
    let Some(items) = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "resolvers" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Trait(t) => Some(t),
            _ => None,
        })
        .map(|t| {
            let name = &t.ident;
            let methods = t.items.iter().filter_map(|item| match item {
                syn::TraitItem::Fn(f) => {
                    let sig = &f.sig;
                    // Root traits return `impl Future`; object traits a
                    // boxed future, for use as trait objects.
                    let body = match &sig.output {
                        syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::ImplTrait(_)) => {
                            quote!(::std::future::pending())
                        }
                        _ => quote!(::std::boxed::Box::pin(::std::future::pending())),
                    };
                    Some(quote!(#[allow(unused_variables)] #sig { #body }))
                }
                _ => None,
            });
            quote!(impl #name for Never { #( #methods )* })
        })
        .collect()
}

fn write(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).expect("OUT_DIR is writable");
}
