//! The Example section of an operation page: a request that passes every
//! argument with placeholder values and selects the output's fields, and
//! the response it would get, with the same placeholders.
//!
//! Placeholders: String, ID and custom scalars `"Bob"`, Int `0`, Float `42`,
//! Boolean `true`, an enum its first value, a list one element.

use crate::model::{Field, InputValue, Operation, Schema, TypeKind, TypeRef};

/// How many object levels below the operation's own output the selection
/// descends, like the Input section's nesting; deeper object fields are
/// left out, which also ends recursive types.
const MAX_SELECTION_DEPTH: usize = 2;

/// The request, as the GraphQL document inside the page's code block.
pub fn request(schema: &Schema, operation: Operation, field: &Field) -> String {
    let mut out = format!("{} {{\n  {}", operation.keyword(), field.name);
    if !field.args.is_empty() {
        out.push_str(" (\n");
        for arg in &field.args {
            let mut path = Vec::new();
            out.push_str(&format!(
                "    {}: {}\n",
                arg.name,
                input_value(schema, &arg.ty, 4, &mut path)
            ));
        }
        out.push_str("  )");
    }
    out.push_str(&selection(schema, &field.ty, 2, 0));
    out.push_str("\n}");
    out
}

/// A placeholder value of `ty` written at `indent`; `path` holds the input
/// objects being written, so a recursive one stops at its nullable fields.
fn input_value(schema: &Schema, ty: &TypeRef, indent: usize, path: &mut Vec<String>) -> String {
    match ty {
        TypeRef::NonNull(inner) => input_value(schema, inner, indent, path),
        TypeRef::List(inner) => format!("[{}]", input_value(schema, inner, indent, path)),
        TypeRef::Named(name) => match schema.get(name).map(|t| &t.kind) {
            Some(TypeKind::InputObject(fields)) => {
                path.push(name.clone());
                let mut out = "{\n".to_owned();
                for field in fields {
                    if !field.ty.is_non_null() && path.contains(&field.ty.base().to_owned()) {
                        continue;
                    }
                    out.push_str(&format!(
                        "{:indent$}{}: {}\n",
                        "",
                        field.name,
                        input_value(schema, &field.ty, indent + 2, path),
                        indent = indent + 2
                    ));
                }
                path.pop();
                out.push_str(&format!("{:indent$}}}", ""));
                out
            }
            Some(TypeKind::Enum(values)) => values
                .first()
                .map_or_else(String::new, |value| value.name.clone()),
            _ => scalar_literal(name),
        },
    }
}

/// A scalar's placeholder, which is the same text in GraphQL and in JSON.
fn scalar_literal(name: &str) -> String {
    match name {
        "Int" => "0".to_owned(),
        "Float" => "42".to_owned(),
        "Boolean" => "true".to_owned(),
        _ => "\"Bob\"".to_owned(),
    }
}

/// ` {` + the fields + `}` for an output of type `ty`, the `}` at
/// `indent`, or nothing for a scalar or enum.
fn selection(schema: &Schema, ty: &TypeRef, indent: usize, depth: usize) -> String {
    if is_union(schema, ty.base()) {
        return format!(
            " {{\n{:inner$}__typename\n{:indent$}}}",
            "",
            "",
            inner = indent + 2
        );
    }
    let fields = selected_fields(schema, ty.base(), depth);
    if fields.is_empty() {
        return String::new();
    }
    let mut out = " {\n".to_owned();
    for field in fields {
        out.push_str(&format!(
            "{:indent$}{}",
            "",
            field.name,
            indent = indent + 2
        ));
        out.push_str(&required_arguments(schema, field));
        out.push_str(&selection(schema, &field.ty, indent + 2, depth + 1));
        out.push('\n');
    }
    out.push_str(&format!("{:indent$}}}", ""));
    out
}

/// The fields of the object or interface `name` that the example selects:
/// every leaf field, and the object fields whose own selection is not
/// empty, down to `MAX_SELECTION_DEPTH`. (A union selects `__typename`.)
fn selected_fields<'s>(schema: &'s Schema, name: &str, depth: usize) -> Vec<&'s Field> {
    let Some(ty) = schema.get(name) else {
        return Vec::new();
    };
    match &ty.kind {
        TypeKind::Object(object) | TypeKind::Interface(object) => object
            .fields
            .iter()
            .filter(|field| {
                let base = field.ty.base();
                !is_composite(schema, base)
                    || (depth < MAX_SELECTION_DEPTH
                        && (is_union(schema, base)
                            || !selected_fields(schema, base, depth + 1).is_empty()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn is_union(schema: &Schema, name: &str) -> bool {
    matches!(schema.get(name).map(|t| &t.kind), Some(TypeKind::Union(_)))
}

fn is_composite(schema: &Schema, name: &str) -> bool {
    matches!(
        schema.get(name).map(|t| &t.kind),
        Some(TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_))
    )
}

/// `(arg: value, …)` with the field's required arguments, on one line.
fn required_arguments(schema: &Schema, field: &Field) -> String {
    let required: Vec<&InputValue> = field
        .args
        .iter()
        .filter(|arg| arg.ty.is_non_null() && arg.default.is_none())
        .collect();
    if required.is_empty() {
        return String::new();
    }
    let args: Vec<String> = required
        .iter()
        .map(|arg| {
            let value = input_value(schema, &arg.ty, 0, &mut Vec::new());
            format!(
                "{}: {}",
                arg.name,
                value.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect();
    format!("({})", args.join(", "))
}

/// The response as pretty JSON, laid out as serde_json and `JSON.stringify`
/// with two spaces lay it out.
pub fn response(schema: &Schema, field: &Field) -> String {
    let data = Json::Object(vec![(
        field.name.clone(),
        output_value(schema, &field.ty, 0),
    )]);
    let mut out = String::new();
    Json::Object(vec![("data".to_owned(), data)]).write(&mut out, 0);
    out
}

/// The little JSON the response needs, with members in selection order.
enum Json {
    Raw(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Raw(text) => out.push_str(text),
            Json::Array(items) => {
                write_members(out, indent, '[', ']', items.iter().map(|item| (None, item)))
            }
            Json::Object(members) => write_members(
                out,
                indent,
                '{',
                '}',
                members
                    .iter()
                    .map(|(name, value)| (Some(name.as_str()), value)),
            ),
        }
    }
}

fn write_members<'a>(
    out: &mut String,
    indent: usize,
    open: char,
    close: char,
    members: impl ExactSizeIterator<Item = (Option<&'a str>, &'a Json)>,
) {
    if members.len() == 0 {
        out.push(open);
        out.push(close);
        return;
    }
    out.push(open);
    out.push('\n');
    let count = members.len();
    for (i, (name, value)) in members.enumerate() {
        out.push_str(&" ".repeat(indent + 2));
        if let Some(name) = name {
            out.push_str(&format!("{}: ", json_string(name)));
        }
        value.write(out, indent + 2);
        if i + 1 < count {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str(&" ".repeat(indent));
    out.push(close);
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn output_value(schema: &Schema, ty: &TypeRef, depth: usize) -> Json {
    match ty {
        TypeRef::NonNull(inner) => output_value(schema, inner, depth),
        TypeRef::List(inner) => Json::Array(vec![output_value(schema, inner, depth)]),
        TypeRef::Named(name) => match schema.get(name).map(|t| &t.kind) {
            Some(TypeKind::Object(_) | TypeKind::Interface(_)) => Json::Object(
                selected_fields(schema, name, depth)
                    .into_iter()
                    .map(|field| {
                        (
                            field.name.clone(),
                            output_value(schema, &field.ty, depth + 1),
                        )
                    })
                    .collect(),
            ),
            Some(TypeKind::Union(members)) => Json::Object(vec![(
                "__typename".to_owned(),
                Json::Raw(json_string(members.first().map_or("", String::as_str))),
            )]),
            Some(TypeKind::Enum(values)) => Json::Raw(json_string(
                values.first().map_or("", |value| value.name.as_str()),
            )),
            _ => Json::Raw(scalar_literal(name)),
        },
    }
}
