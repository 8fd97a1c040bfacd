//! sdl-codegen: generates a typed async-graphql API in Rust from documented
//! GraphQL SDL.
//!
//! The pipeline is parse (graphql-parser) → validate (a `model::Schema`,
//! or every diagnostic at once) → emit (quote) → format (prettyplease). It
//! is a library first: `build.rs`, the `sdl-codegen` CLI and the tests all
//! call [`Config::generate`], so they produce the same bytes.
//!
//! In a build script:
//!
//! ```no_run
//! let out_dir = std::env::var_os("OUT_DIR").expect("run by Cargo");
//! if let Err(error) = sdl_codegen::Config::new()
//!     .schema("schema")
//!     .out_file(std::path::Path::new(&out_dir).join("api.rs"))
//!     .compile()
//! {
//!     eprintln!("{error}");
//!     std::process::exit(1);
//! }
//! ```
//!
//! The generated file has three modules: `types` (one item per data type),
//! `resolvers` (one trait per root type, one error enum per operation that
//! declares `@errors(codes: "SomeEnum")`), and `schema` (`build_schema`).
//!
//! [`Config::docs`] renders the same schema as markdown API documentation
//! instead: a page per operation and per type, and a table of contents.

#![deny(
    clippy::unwrap_used,
    clippy::todo,
    clippy::unimplemented,
    clippy::dbg_macro
)]

pub mod diagnostic;
mod emit_docs;
mod emit_rust;
mod format;
pub mod model;
pub mod names;
mod parse;
mod validate;

use std::collections::BTreeMap;

use std::path::{Path, PathBuf};

pub use diagnostic::{Diagnostic, Diagnostics, Sources};
pub use validate::{BUILT_IN_SCALARS, DEFAULT_DEPRECATION_REASON, ERRORS_DIRECTIVE};

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The schema is invalid, or uses what the emitter cannot express yet.
    #[error("{0}")]
    Schema(Diagnostics),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A setting of the `Config` is unusable.
    #[error("{0}")]
    Config(String),
    /// The emitter produced tokens that are not valid Rust: a generator bug.
    #[error("sdl-codegen produced invalid Rust ({0}); please report this with the schema")]
    Internal(String),
}

/// What to generate from which schema files. Setters take and return
/// `&mut Self`, so a build script can chain them.
#[derive(Debug, Clone)]
pub struct Config {
    schemas: Vec<PathBuf>,
    scalars: BTreeMap<String, String>,
    out_file: Option<PathBuf>,
    rerun_if_changed: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl Config {
    pub fn new() -> Self {
        Self {
            schemas: Vec::new(),
            scalars: BTreeMap::new(),
            out_file: None,
            // Inside a build script Cargo sets `CARGO`; elsewhere the
            // `cargo:` lines would only be noise.
            rerun_if_changed: std::env::var_os("CARGO").is_some()
                && std::env::var_os("OUT_DIR").is_some(),
        }
    }

    /// A schema file, or a directory whose `*.graphql` files are read in
    /// name order. Diagnostics and the header name files as given here.
    pub fn schema(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.schemas.push(path.into());
        self
    }

    /// Maps the custom scalar `graphql_name` to a Rust type of the caller's
    /// (a path such as `::chrono::DateTime<::chrono::Utc>`) that implements
    /// `async_graphql::ScalarType`, `Clone` and `Debug`, instead of the
    /// default newtype over `String`.
    pub fn scalar(&mut self, graphql_name: &str, rust_type: &str) -> &mut Self {
        self.scalars
            .insert(graphql_name.to_owned(), rust_type.to_owned());
        self
    }

    /// Where [`Config::compile`] writes the generated file.
    pub fn out_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.out_file = Some(path.into());
        self
    }

    /// Whether [`Config::compile`] prints `cargo:rerun-if-changed` for the
    /// schema paths and files (default: when run by Cargo as a build script).
    pub fn emit_rerun_if_changed(&mut self, enabled: bool) -> &mut Self {
        self.rerun_if_changed = enabled;
        self
    }

    /// The schema files this config reads, in reading order.
    pub fn schema_files(&self) -> Result<Vec<PathBuf>, Error> {
        let mut files = Vec::new();
        for path in &self.schemas {
            if path.is_dir() {
                let entries = std::fs::read_dir(path).map_err(|source| io_error(path, source))?;
                let mut found = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|source| io_error(path, source))?;
                    let file = entry.path();
                    if file.extension().is_some_and(|e| e == "graphql") {
                        found.push(file);
                    }
                }
                found.sort();
                if found.is_empty() {
                    return Err(Error::Config(format!(
                        "{}: no .graphql files in this directory",
                        display_path(path)
                    )));
                }
                files.extend(found);
            } else {
                files.push(path.clone());
            }
        }
        if files.is_empty() {
            return Err(Error::Config("no schema given".to_owned()));
        }
        Ok(files)
    }

    /// Reads the schema files.
    pub fn load(&self) -> Result<Sources, Error> {
        let mut sources = Sources::default();
        for file in self.schema_files()? {
            let text = std::fs::read_to_string(&file).map_err(|source| io_error(&file, source))?;
            sources.add(display_path(&file), text);
        }
        Ok(sources)
    }

    /// Reads, validates and renders the schema: the generated file's text.
    pub fn generate(&self) -> Result<String, Error> {
        self.generate_from(self.load()?)
    }

    /// Renders already-loaded sources; no file system access.
    pub fn generate_from(&self, sources: Sources) -> Result<String, Error> {
        let scalars = self.scalar_types()?;
        let header = header(sources.names());
        let schema = validate_sources(sources).map_err(Error::Schema)?;
        for name in scalars.keys() {
            if !matches!(
                schema.get(name).map(|t| &t.kind),
                Some(model::TypeKind::Scalar)
            ) {
                return Err(Error::Config(format!(
                    "`{name}` is mapped to a Rust type, but the schema defines no scalar of that name"
                )));
            }
        }
        let tokens = emit_rust::emit(&schema, &scalars)
            .map_err(|diagnostics| Error::Schema(Diagnostics(diagnostics)))?;
        format::format_file(tokens, &header).map_err(|e| Error::Internal(e.to_string()))
    }

    /// Emits the Rust tokens for a validated schema, before formatting (one
    /// stage of [`Config::generate_from`], public for benchmarks).
    pub fn emit(&self, schema: &model::Schema) -> Result<proc_macro2::TokenStream, Error> {
        let scalars = self.scalar_types()?;
        emit_rust::emit(schema, &scalars)
            .map_err(|diagnostics| Error::Schema(Diagnostics(diagnostics)))
    }

    /// Reads and validates the schema and renders its markdown API
    /// documentation.
    pub fn docs(&self) -> Result<Docs, Error> {
        self.docs_from(self.load()?)
    }

    /// Renders already-loaded sources as documentation; no file system
    /// access.
    pub fn docs_from(&self, sources: Sources) -> Result<Docs, Error> {
        let schema = validate_sources(sources).map_err(Error::Schema)?;
        Ok(render_docs(&schema))
    }

    /// For build scripts: generates into `out_file`, rewriting it only when
    /// the text changed (so dependents are not rebuilt for nothing), and
    /// tells Cargo to rerun when a schema file changes.
    pub fn compile(&self) -> Result<(), Error> {
        if self.rerun_if_changed {
            // Naming a directory makes Cargo notice added or removed files;
            // naming each file makes it notice edits.
            for path in &self.schemas {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            for file in self.schema_files()? {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        let out = self
            .out_file
            .as_ref()
            .ok_or_else(|| Error::Config("no output file set (`Config::out_file`)".to_owned()))?;
        let text = self.generate()?;
        write_if_changed(out, &text)
    }

    fn scalar_types(&self) -> Result<BTreeMap<String, syn::Type>, Error> {
        self.scalars
            .iter()
            .map(|(name, path)| {
                syn::parse_str::<syn::Type>(path)
                    .map(|ty| (name.clone(), ty))
                    .map_err(|e| {
                        Error::Config(format!("scalar `{name}`: `{path}` is not a Rust type: {e}"))
                    })
            })
            .collect()
    }
}

/// The documentation of an already-validated schema (one stage of
/// [`Config::docs_from`], public for benchmarks).
pub fn render_docs(schema: &model::Schema) -> Docs {
    Docs {
        pages: emit_docs::emit(schema),
    }
}

/// Markdown API documentation: `tableOfContent.md`, a page per operation
/// under its group's folder, and a page per type under `assets/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docs {
    /// Path relative to the documentation folder, `/`-separated → text.
    pub pages: BTreeMap<String, String>,
}

/// How a documentation folder differs from what the schema generates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocsDrift {
    /// Pages the schema generates that the folder lacks.
    pub missing: Vec<String>,
    /// Pages whose text differs.
    pub changed: Vec<String>,
    /// Markdown files in the folder that the schema no longer generates.
    pub extra: Vec<String>,
}

impl DocsDrift {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.extra.is_empty()
    }
}

impl Docs {
    /// The table of contents' file name.
    pub const TABLE_OF_CONTENTS: &'static str = emit_docs::TABLE_OF_CONTENTS;

    /// How the folder `dir` differs from these pages.
    pub fn drift(&self, dir: &Path) -> Result<DocsDrift, Error> {
        let mut drift = DocsDrift::default();
        for (path, text) in &self.pages {
            match std::fs::read_to_string(dir.join(path)) {
                Ok(current) if &current == text => {}
                Ok(_) => drift.changed.push(path.clone()),
                Err(_) => drift.missing.push(path.clone()),
            }
        }
        for path in markdown_files(dir)? {
            if !self.pages.contains_key(&path) {
                drift.extra.push(path);
            }
        }
        Ok(drift)
    }

    /// Writes the pages into `dir`, rewriting only those that changed, and
    /// removes the markdown files there that the schema no longer
    /// generates: the folder belongs to the generator.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        for (path, text) in &self.pages {
            write_if_changed(&dir.join(path), text)?;
        }
        for path in markdown_files(dir)? {
            if !self.pages.contains_key(&path) {
                let file = dir.join(&path);
                std::fs::remove_file(&file).map_err(|source| io_error(&file, source))?;
            }
        }
        Ok(())
    }
}

/// Every `.md` file below `dir`, as `/`-separated relative paths; none if
/// `dir` does not exist.
fn markdown_files(dir: &Path) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(io_error(&folder, source)),
        };
        for entry in entries {
            let entry = entry.map_err(|source| io_error(&folder, source))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                pending.push((path, format!("{prefix}{name}/")));
            } else if name.ends_with(".md") {
                found.push(format!("{prefix}{name}"));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Formats emitted tokens into the generated file's text under the
/// `@generated` header naming `files` (the last stage of generation).
pub fn format_tokens<'a>(
    tokens: proc_macro2::TokenStream,
    files: impl Iterator<Item = &'a str>,
) -> Result<String, Error> {
    format::format_file(tokens, &header(files)).map_err(|e| Error::Internal(e.to_string()))
}

/// The parse stage alone: the syntax diagnostics of `sources`, without
/// validation (public for benchmarks and tools).
pub fn parse_only(sources: &Sources) -> Diagnostics {
    Diagnostics(parse::parse(sources).1)
}

/// Parses and validates loaded sources into the model.
pub fn validate_sources(sources: Sources) -> Result<model::Schema, Diagnostics> {
    let (parsed, diagnostics) = parse::parse(&sources);
    // A file that did not parse makes the others' references to its types
    // look unknown, so syntax errors are reported alone.
    if !diagnostics.is_empty() {
        return Err(Diagnostics(diagnostics));
    }
    validate::validate(sources, parsed).map_err(Diagnostics)
}

/// Reads SDL text given in memory (for tests and tools) under `name`.
pub fn validate_str(name: &str, text: &str) -> Result<model::Schema, Diagnostics> {
    let mut sources = Sources::default();
    sources.add(name.to_owned(), text.to_owned());
    validate_sources(sources)
}

/// Writes `text` to `path` unless it already holds exactly that.
pub fn write_if_changed(path: &Path, text: &str) -> Result<(), Error> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
    }
    std::fs::write(path, text).map_err(|source| io_error(path, source))
}

fn header<'a>(files: impl Iterator<Item = &'a str>) -> Vec<String> {
    let files: Vec<&str> = files.collect();
    vec![
        format!("@generated by sdl-codegen from {}.", files.join(", ")),
        "Do not edit: change the schema and regenerate.".to_owned(),
    ]
}

/// Paths with `/` separators, so that diagnostics and headers read the same
/// on every platform.
fn display_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: display_path(path),
        source,
    }
}
