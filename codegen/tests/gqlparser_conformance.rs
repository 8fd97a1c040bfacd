//! Conformance with gqlparser's schema validation cases (the Go GraphQL
//! library behind gqlgen), from `conformance/gqlparser/validator_schema_test.yml`
//! in the shared schema corpus.
//!
//! Each case is an SDL text with either the error gqlparser reports
//! (message and `{line, column}`) or no error. We check the verdict: where
//! gqlparser reports an error we must report at least one diagnostic, and
//! where it reports none we must accept the schema. The messages differ by
//! design (ours are our own), so they are not compared; the line of the
//! first error is, where it is reliable.
//!
//! gqlparser does not require a query root type, and we do. So that this
//! rule does not decide cases about something else, a case that defines
//! neither a `Query` type nor a `schema` block gets `type Query { _probe:
//! Int }` appended after its text (which keeps its line numbers).
//!
//! Where we deliberately differ, the case is listed in `KNOWN_DIFFERENCES`
//! (verdict) or `LINE_DIFFERENCES` (first-error line) with the reason; the
//! test fails when a listed case starts to agree, so the lists stay honest.

use std::path::PathBuf;

use serde::Deserialize;

const CORPUS: &str = "conformance/gqlparser/validator_schema_test.yml";

/// Cases whose verdict we deliberately do not share: (section, case, why).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "directives",
        "can redeclare builtin directives",
        "the case defines `@skip` twice; directive names must be unique (GraphQL spec, \
         Type System: Directives) and graphql-js rejects it too. Restating a built-in \
         directive once is accepted",
    ),
    (
        "directives",
        "non-repeatable directive can be used on a type and its extension",
        "a type and its extensions are one location for directive uniqueness: graphql-js's \
         UniqueDirectivesPerLocation rule rejects `type User @A` + `extend type User @A` \
         for a non-repeatable `@A`, and so do we",
    ),
    (
        "type extensions",
        "can extend non existant types",
        "the spec requires an extended type to be defined already (Object Extensions, \
         type validation rule 1); gqlparser makes the extension the definition, which \
         Apollo Federation schemas rely on and this generator does not target",
    ),
    (
        "unions",
        "unions of pure type extensions are valid",
        "the same federation leniency: `User` and `Product` exist only as `extend type`, so \
         they are undefined types for us",
    ),
];

/// Cases where both reject the schema but our first diagnostic is on
/// another line than gqlparser's error: (section, case, why).
const LINE_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "inputs",
        "cannot reference itself through a non-null field",
        CYCLE_AT_TYPE,
    ),
    (
        "inputs",
        "cannot reference itself through a chain of non-null fields",
        CYCLE_AT_TYPE,
    ),
    (
        "inputs",
        "cannot reference itself through a non-null field added by an extension",
        CYCLE_AT_TYPE,
    ),
    (
        "inputs",
        "cannot reference itself through a non-null field on a nested cycle",
        CYCLE_AT_TYPE,
    ),
    (
        "inputs",
        "cannot reference itself when an earlier input object is cycle free",
        CYCLE_AT_TYPE,
    ),
    (
        "unions",
        "cannot include same union member twice across extension",
        "graphql-parser keeps no position for union members, so member problems are \
         reported at the union's definition (line 1); the repeated member is in the \
         extension on line 2",
    ),
    (
        "entry points",
        "multiple schema entry points",
        "the case's root `Query` is a scalar, which we report first, at the first `schema` \
         block (line 1); the second `schema` block is reported too, on gqlparser's line 4",
    ),
    (
        "entry points",
        "Undefined schema entrypoint",
        "graphql-parser keeps no position for the operation types inside `schema { }`, so \
         root problems are reported at the `schema` keyword (line 1), gqlparser's at \
         `query: Query` (line 2)",
    ),
    (
        "entry point extensions",
        "Undefined schema entrypoint",
        "graphql-parser 0.4.1 cannot parse `extend schema` (October 2021 spec): we reject \
         the case with that syntax error (line 5), not for its undefined mutation root \
         (line 6); the verdict agrees only because of it",
    ),
];

const CYCLE_AT_TYPE: &str = "we report a cycle of required input fields at each input object \
    on it (its `input` keyword), gqlparser at the field that starts the cycle, a line or \
    more below";

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    input: String,
    error: Option<Expected>,
}

#[derive(Debug, Deserialize)]
struct Expected {
    message: String,
    locations: Vec<Location>,
}

#[derive(Debug, Deserialize)]
struct Location {
    line: usize,
    column: usize,
}

/// The sections of the corpus in file order, each with its cases.
fn load() -> Vec<(String, Vec<Case>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/schemas")
        .join(CORPUS);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {CORPUS} of the shared schema corpus: {e}"));
    let document: serde_norway::Mapping =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{CORPUS}: {e}"));
    document
        .into_iter()
        .map(|(section, cases)| {
            let section = section
                .as_str()
                .expect("section names are strings")
                .to_owned();
            let cases: Vec<Case> = serde_norway::from_value(cases)
                .unwrap_or_else(|e| panic!("{CORPUS}: section `{section}`: {e}"));
            (section, cases)
        })
        .collect()
}

/// Whether the SDL defines a `Query` type or a `schema` block (a word
/// scan: the cases have no such words in descriptions or strings).
fn defines_root(sdl: &str) -> bool {
    const KEYWORDS: &[&str] = &["type", "scalar", "interface", "union", "enum", "input"];
    let words: Vec<&str> = sdl
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| line.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric())))
        .filter(|word| !word.is_empty())
        .collect();
    words.contains(&"schema")
        || words
            .windows(2)
            .any(|pair| KEYWORDS.contains(&pair[0]) && pair[1] == "Query")
}

fn listed<'a>(list: &'a [(&str, &str, &str)], section: &str, name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(s, n, _)| *s == section && *n == name)
        .map(|(_, _, why)| *why)
}

#[test]
fn gqlparser_schema_validation_cases() {
    let sections = load();
    let mut problems: Vec<String> = Vec::new();
    let (mut agree, mut differ, mut probed) = (0, 0, 0);
    let (mut lines_agree, mut lines_differ) = (0, 0);
    let mut seen: Vec<(String, String)> = Vec::new();

    for (section, cases) in &sections {
        for case in cases {
            let id = format!("[{section}] {}", case.name);
            seen.push((section.clone(), case.name.clone()));
            let mut input = case.input.clone();
            if !defines_root(&input) {
                input.push_str("\ntype Query { _probe: Int }\n");
                probed += 1;
            }
            let result = sdl_codegen::validate_str("case.graphql", &input);
            let first = result.as_ref().err().and_then(|d| d.0.first());
            let expected = case.error.as_ref().map(|e| {
                let at = e.locations.first();
                let (line, column) = at.map_or((0, 0), |l| (l.line, l.column));
                format!("{line}:{column}: {}", e.message)
            });
            let ours = match &result {
                Ok(_) => "accepted".to_owned(),
                Err(diagnostics) => diagnostics.summary().trim_end().replace('\n', " | "),
            };

            let verdict_agrees = result.is_err() == case.error.is_some();
            match (
                verdict_agrees,
                listed(KNOWN_DIFFERENCES, section, &case.name),
            ) {
                (true, None) => agree += 1,
                (false, Some(why)) => {
                    differ += 1;
                    println!("known difference {id}: {why}");
                }
                (true, Some(_)) => problems.push(format!(
                    "{id} now agrees with gqlparser: remove it from KNOWN_DIFFERENCES"
                )),
                (false, None) => problems.push(format!(
                    "{id}: gqlparser expects {}, we {}",
                    expected.as_deref().unwrap_or("no error"),
                    if result.is_ok() {
                        "accept it".to_owned()
                    } else {
                        format!("report: {ours}")
                    }
                )),
            }

            // The line of the first error, where both report one.
            let wanted_line = case
                .error
                .as_ref()
                .and_then(|e| e.locations.first())
                .map(|l| l.line);
            if let (Some(wanted), Some(first)) = (wanted_line, first) {
                let same = first.pos.line == wanted;
                if same {
                    lines_agree += 1;
                } else {
                    lines_differ += 1;
                }
                match (same, listed(LINE_DIFFERENCES, section, &case.name)) {
                    (true, None) | (false, Some(_)) => {}
                    (true, Some(_)) => problems.push(format!(
                        "{id}: the first error is now on gqlparser's line: remove it from \
                         LINE_DIFFERENCES"
                    )),
                    (false, None) => problems.push(format!(
                        "{id}: first error on line {}, gqlparser's on line {wanted} \
                         (expected {}; ours: {ours})",
                        first.pos.line,
                        expected.as_deref().unwrap_or_default()
                    )),
                }
            }
        }
    }

    for (section, name, _) in KNOWN_DIFFERENCES.iter().chain(LINE_DIFFERENCES) {
        if !seen.iter().any(|(s, n)| s == section && n == name) {
            problems.push(format!("[{section}] {name} is listed but not in {CORPUS}"));
        }
    }

    let total = agree + differ;
    println!(
        "gqlparser schema validation: {total} cases ({probed} with the probe query root \
         appended): {agree} agree, {differ} known differences"
    );
    println!(
        "first-error line, where both report an error: {lines_agree} of {} agree",
        lines_agree + lines_differ
    );
    assert!(
        total >= 85,
        "the corpus has at least 85 cases, read {total}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn root_detection_sees_query_types_and_schema_blocks() {
    assert!(defines_root("type Query {\n  a: Int\n}\n"));
    assert!(defines_root("schema {\n  query: Root\n}\n"));
    assert!(defines_root("scalar Query\n"));
    assert!(!defines_root("type User {\n  query: Query2\n}\n"));
    assert!(!defines_root("# type Query\ntype A { b: Int }\n"));
}
