//! Round trip: the SDL that each generated `async_graphql::Schema` prints
//! describes the same API as the SDL it was generated from — the same root
//! types, types, fields, arguments, input fields, enum values and union
//! members, with the same types (nullability and lists included), default
//! values, descriptions and deprecations. Both sides are read by the
//! generator's own validator and compared as data, not as text.
//!
//! What the comparison deliberately normalises, because GraphQL gives it no
//! meaning or the printed form cannot keep it:
//! - descriptions are compared with surrounding whitespace trimmed;
//! - default values are compared after GraphQL input coercion (an `Int` for
//!   a `Float` is a float, a single value for a list is a list of one, an
//!   input object gets its fields' defaults), and an input object field that
//!   is null or absent counts as absent (the Rust API has one `None` for
//!   both);
//! - the `@errors` directive is the generator's and is not printed: the
//!   error-code enums it names are, and are compared like any enum.

use std::collections::{BTreeMap, BTreeSet};

use sdl_codegen::model::{EnumValue, Field, InputValue, Schema, TypeKind, TypeRef, Value};

#[test]
fn every_generated_schema_serves_the_sdl_it_came_from() {
    let mut failures = Vec::new();
    for case in golden_corpus::CASES {
        let source = read_schema(case.schema);
        let printed_sdl = (case.sdl)();
        let printed = match sdl_codegen::validate_str("printed.graphql", &printed_sdl) {
            Ok(schema) => schema,
            Err(diagnostics) => {
                failures.push(format!(
                    "{}: the printed SDL is not valid:\n{diagnostics}\n{printed_sdl}",
                    case.name
                ));
                continue;
            }
        };
        let expected = summarize(&source);
        let actual = summarize(&printed);
        if expected != actual {
            failures.push(format!(
                "{}: the generated schema differs from its SDL\n{}\nprinted SDL:\n{printed_sdl}",
                case.name,
                describe_difference(&expected, &actual)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The corpus must not silently shrink: every valid golden case and the
/// service's own API are compiled and compared.
#[test]
fn the_round_trip_covers_the_corpus_and_the_service_api() {
    let names: Vec<&str> = golden_corpus::CASES.iter().map(|c| c.name).collect();
    assert!(names.contains(&"passkey_api"), "{names:?}");
    assert!(names.contains(&"github_2017"), "{names:?}");
    for case in [
        "errors",
        "default_arguments",
        "deprecations",
        "descriptions",
        "unions",
    ] {
        assert!(names.contains(&case), "{case} missing from {names:?}");
    }
    assert!(names.len() >= 14, "{names:?}");
}

/// The same comparison sees a real difference: a changed default value, a
/// dropped description or a changed nullability each make it fail.
#[test]
fn the_comparison_detects_differences() {
    let base = "type Query { a(n: Int = 1): String }";
    let summary = |sdl: &str| summarize(&sdl_codegen::validate_str("t.graphql", sdl).unwrap());
    assert_eq!(summary(base), summary("type Query {a(n: Int = 1): String}"));
    assert_ne!(
        summary(base),
        summary("type Query { a(n: Int = 2): String }")
    );
    assert_ne!(
        summary(base),
        summary("type Query { a(n: Int = 1): String! }")
    );
    assert_ne!(
        summary(base),
        summary("type Query { \"d\" a(n: Int = 1): String }")
    );
    assert_ne!(
        summary(base),
        summary("type Query { a(n: Int = 1): String @deprecated }")
    );
    // Coercion makes these equal, as GraphQL does.
    assert_eq!(
        summary("type Query { a(x: Float = 1, l: [Int] = 2): Int }"),
        summary("type Query { a(x: Float = 1.0, l: [Int] = [2]): Int }")
    );
}

fn read_schema(path: &str) -> Schema {
    let path = std::path::Path::new(path);
    let mut files: Vec<_> = if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
            .collect()
    } else {
        vec![path.to_owned()]
    };
    files.sort();
    let mut sources = sdl_codegen::Sources::default();
    for file in files {
        sources.add(
            file.display().to_string(),
            std::fs::read_to_string(&file).unwrap(),
        );
    }
    sdl_codegen::validate_sources(sources).unwrap()
}

#[derive(Debug, PartialEq)]
struct Summary {
    roots: Vec<(&'static str, String)>,
    types: BTreeMap<String, TypeSummary>,
}

#[derive(Debug, PartialEq)]
enum TypeSummary {
    Scalar {
        description: Option<String>,
    },
    Object {
        description: Option<String>,
        interfaces: BTreeSet<String>,
        fields: BTreeMap<String, FieldSummary>,
    },
    Interface {
        description: Option<String>,
        fields: BTreeMap<String, FieldSummary>,
    },
    Union {
        description: Option<String>,
        members: BTreeSet<String>,
    },
    Enum {
        description: Option<String>,
        values: Vec<(String, Option<String>, Option<String>)>,
    },
    InputObject {
        description: Option<String>,
        fields: BTreeMap<String, InputSummary>,
    },
}

#[derive(Debug, PartialEq)]
struct FieldSummary {
    ty: String,
    description: Option<String>,
    deprecation: Option<String>,
    args: BTreeMap<String, InputSummary>,
}

#[derive(Debug, PartialEq)]
struct InputSummary {
    ty: String,
    description: Option<String>,
    deprecation: Option<String>,
    default: Option<Value>,
}

fn summarize(schema: &Schema) -> Summary {
    let roots = schema
        .roots()
        .iter()
        .map(|r| (r.operation.keyword(), r.type_name.clone()))
        .collect();
    let types = schema
        .types()
        .iter()
        .map(|ty| {
            let description = text(ty.description.as_deref());
            let summary = match &ty.kind {
                TypeKind::Scalar => TypeSummary::Scalar { description },
                TypeKind::Object(object) => TypeSummary::Object {
                    description,
                    interfaces: object.interfaces.iter().cloned().collect(),
                    fields: object
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), field(schema, f)))
                        .collect(),
                },
                TypeKind::Interface(interface) => TypeSummary::Interface {
                    description,
                    fields: interface
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), field(schema, f)))
                        .collect(),
                },
                TypeKind::Union(members) => TypeSummary::Union {
                    description,
                    members: members.iter().cloned().collect(),
                },
                TypeKind::Enum(values) => TypeSummary::Enum {
                    description,
                    values: values.iter().map(enum_value).collect(),
                },
                TypeKind::InputObject(fields) => TypeSummary::InputObject {
                    description,
                    fields: inputs(schema, fields),
                },
            };
            (ty.name.clone(), summary)
        })
        .collect();
    Summary { roots, types }
}

fn field(schema: &Schema, f: &Field) -> FieldSummary {
    FieldSummary {
        ty: f.ty.to_string(),
        description: text(f.description.as_deref()),
        deprecation: f.deprecation.clone(),
        args: inputs(schema, &f.args),
    }
}

fn inputs(schema: &Schema, values: &[InputValue]) -> BTreeMap<String, InputSummary> {
    values
        .iter()
        .map(|v| {
            let summary = InputSummary {
                ty: v.ty.to_string(),
                description: text(v.description.as_deref()),
                deprecation: v.deprecation.clone(),
                default: v.default.as_ref().map(|d| coerce(schema, d, &v.ty)),
            };
            (v.name.clone(), summary)
        })
        .collect()
}

fn enum_value(v: &EnumValue) -> (String, Option<String>, Option<String>) {
    (
        v.name.clone(),
        text(v.description.as_deref()),
        v.deprecation.clone(),
    )
}

fn text(description: Option<&str>) -> Option<String> {
    description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

/// A default value after GraphQL input coercion to `ty`.
fn coerce(schema: &Schema, value: &Value, ty: &TypeRef) -> Value {
    match (ty, value) {
        (TypeRef::NonNull(inner), value) => coerce(schema, value, inner),
        (_, Value::Null) => Value::Null,
        (TypeRef::List(inner), Value::List(items)) => {
            Value::List(items.iter().map(|i| coerce(schema, i, inner)).collect())
        }
        (TypeRef::List(inner), single) => Value::List(vec![coerce(schema, single, inner)]),
        (TypeRef::Named(name), value) => match (name.as_str(), value) {
            #[allow(clippy::cast_precision_loss)]
            ("Float", Value::Int(n)) => Value::Float(*n as f64),
            ("ID", Value::Int(n)) => Value::String(n.to_string()),
            (_, Value::Object(given)) => {
                let Some(TypeKind::InputObject(fields)) = schema.get(name).map(|t| &t.kind) else {
                    return value.clone();
                };
                let coerced = fields
                    .iter()
                    .filter_map(|f| {
                        let v = given.get(&f.name).or(f.default.as_ref())?;
                        let v = coerce(schema, v, &f.ty);
                        (v != Value::Null).then(|| (f.name.clone(), v))
                    })
                    .collect();
                Value::Object(coerced)
            }
            _ => value.clone(),
        },
    }
}

/// The first few differences, as `path: expected … actual …` lines.
fn describe_difference(expected: &Summary, actual: &Summary) -> String {
    let mut lines = Vec::new();
    if expected.roots != actual.roots {
        lines.push(format!(
            "roots: expected {:?}, got {:?}",
            expected.roots, actual.roots
        ));
    }
    for (name, ty) in &expected.types {
        match actual.types.get(name) {
            None => lines.push(format!("type {name}: missing from the generated schema")),
            Some(other) if other != ty => {
                lines.push(format!(
                    "type {name}:\n  expected {ty:?}\n  actual   {other:?}"
                ));
            }
            Some(_) => {}
        }
    }
    for name in actual.types.keys() {
        if !expected.types.contains_key(name) {
            lines.push(format!("type {name}: only in the generated schema"));
        }
    }
    lines.join("\n")
}
