//! The validator on large real-world schemas, and the parser on the
//! graphql-parser round-trip corpus, from the shared schema corpus
//! (`shared/schemas`, next to the workspace, as in CI).

use std::path::PathBuf;

use sdl_codegen::model::TypeKind;
use sdl_codegen::{Sources, parse_only, validate_str};

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/schemas")
        .join(path)
}

fn read(path: &str) -> String {
    let full = corpus(path);
    std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("cannot read {path} of the shared schema corpus: {e}"))
}

/// How many types of each kind a schema defines: (objects, inputs, enums,
/// interfaces, unions, scalars).
fn kinds(schema: &sdl_codegen::model::Schema) -> [usize; 6] {
    let mut counts = [0; 6];
    for ty in schema.types() {
        let slot = match ty.kind {
            TypeKind::Object(_) => 0,
            TypeKind::InputObject(_) => 1,
            TypeKind::Enum(_) => 2,
            TypeKind::Interface(_) => 3,
            TypeKind::Union(_) => 4,
            TypeKind::Scalar => 5,
        };
        counts[slot] += 1;
    }
    counts
}

#[test]
fn github_2017_schema_is_valid() {
    let name = "conformance/graphql-js/github-schema-2017.graphql";
    let schema = validate_str(name, &read(name))
        .unwrap_or_else(|d| panic!("rejected a valid schema:\n{}", d.summary()));
    // The counts of `grep -c '^type '` and friends on the file.
    assert_eq!(kinds(&schema), [327, 90, 70, 25, 20, 8]);
}

#[test]
fn saleor_schema_is_valid() {
    let name = "saleor/schema.graphql";
    let schema = validate_str(name, &read(name))
        .unwrap_or_else(|d| panic!("rejected a valid schema:\n{}", d.summary()));
    // The counts given by the corpus README.
    assert_eq!(kinds(&schema), [897, 313, 208, 9, 13, 16]);
    // Saleor names its roots in an explicit `schema {}` block.
    assert_eq!(schema.roots().len(), 3);
}

/// Today's GitHub schema defines two fields of `EnterpriseOwnerInfo` twice;
/// both second definitions are reported, at their names (after their
/// descriptions), with where the first one is.
#[test]
fn github_schema_duplicate_fields_are_reported() {
    let name = "github/schema.graphql";
    let diagnostics = match validate_str(name, &read(name)) {
        Ok(_) => panic!("accepted a schema with duplicate fields"),
        Err(diagnostics) => diagnostics,
    };
    assert_eq!(
        diagnostics.summary(),
        "github/schema.graphql:15153:3: field `EnterpriseOwnerInfo.repositoryDeployKeySetting` \
         is defined twice; first at github/schema.graphql:15003:3\n\
         github/schema.graphql:15158:3: field \
         `EnterpriseOwnerInfo.repositoryDeployKeySettingOrganizations` is defined twice; first \
         at github/schema.graphql:15008:3\n"
    );
}

/// graphql-parser's own round-trip files (`*_canonical` is its printer's
/// expected output). Many are deliberately not valid schemas (undefined
/// types, extensions of nothing), so they are only parsed.
#[test]
fn graphql_parser_round_trip_files_parse() {
    let dir = corpus("conformance/graphql-parser");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list conformance/graphql-parser: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 27, "the corpus has 27 round-trip files");
    let mut failures = String::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(path).expect("readable file");
        let mut sources = Sources::default();
        sources.add(name, text);
        failures.push_str(&parse_only(&sources).summary());
    }
    assert!(failures.is_empty(), "syntax errors:\n{failures}");
}
