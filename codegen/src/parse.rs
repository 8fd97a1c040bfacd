//! Reads SDL text with graphql-parser and lowers it into the model's item
//! types. The only module that knows graphql-parser: its positions become
//! spans, its opaque parse errors become positioned diagnostics.

use graphql_parser::schema as ast;

use crate::diagnostic::{Diagnostic, LineIndex, Pos, Sources, Span};
use crate::model::{
    DirectiveDef, DirectiveUse, EnumValue, Field, InputValue, ObjectType, TypeDef, TypeKind,
    TypeRef, Value,
};

/// Everything the schema files define, before validation.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub types: Vec<TypeDef>,
    /// `extend type` and friends, in the same shape as a definition.
    pub extensions: Vec<TypeDef>,
    pub schema_defs: Vec<SchemaDef>,
    pub directive_defs: Vec<DirectiveDef>,
}

#[derive(Debug)]
pub(crate) struct SchemaDef {
    pub span: Span,
    pub query: Option<String>,
    pub mutation: Option<String>,
    pub subscription: Option<String>,
}

/// Parses every file of `sources`; a file with a syntax error adds one
/// diagnostic and nothing else, the other files are still read.
pub(crate) fn parse(sources: &Sources) -> (Parsed, Vec<Diagnostic>) {
    let mut parsed = Parsed::default();
    let mut diagnostics = Vec::new();
    for file in 0..sources.len() {
        match ast::parse_schema::<String>(sources.text(file)) {
            Ok(document) => lower_document(file, sources.text(file), document, &mut parsed),
            Err(error) => {
                let (pos, message) = parse_error_position(&error.to_string());
                diagnostics.push(sources.diagnostic(Span { file, pos }, message));
            }
        }
    }
    (parsed, diagnostics)
}

/// graphql-parser's `ParseError` is an opaque string of the form
/// `schema parse error: Parse error at 4:1\nUnexpected ...\nExpected ...`;
/// this pulls out the position and joins the rest into one message.
fn parse_error_position(text: &str) -> (Pos, String) {
    let mut pos = Pos { line: 1, column: 1 };
    let mut details = Vec::new();
    for line in text.lines() {
        if let Some(at) = line.split("Parse error at ").nth(1) {
            if let Some((l, c)) = at.trim().split_once(':')
                && let (Ok(line), Ok(column)) = (l.parse(), c.parse())
            {
                pos = Pos { line, column };
            }
        } else if !line.trim().is_empty() {
            details.push(line.trim().to_owned());
        }
    }
    let message = if details.is_empty() {
        "syntax error".to_owned()
    } else {
        format!("syntax error: {}", details.join(", "))
    };
    (pos, message)
}

fn lower_document(
    file: usize,
    sources_text: &str,
    document: ast::Document<'_, String>,
    parsed: &mut Parsed,
) {
    let span = |pos: graphql_parser::Pos| Span {
        file,
        pos: Pos {
            line: pos.line,
            column: pos.column,
        },
    };
    let lower = Lower {
        file,
        text: sources_text,
        lines: LineIndex::new(sources_text),
    };
    for definition in document.definitions {
        match definition {
            ast::Definition::SchemaDefinition(schema) => parsed.schema_defs.push(SchemaDef {
                span: span(schema.position),
                query: schema.query,
                mutation: schema.mutation,
                subscription: schema.subscription,
            }),
            ast::Definition::TypeDefinition(definition) => {
                parsed.types.push(lower.type_definition(definition));
            }
            ast::Definition::TypeExtension(extension) => {
                parsed.extensions.push(lower.type_extension(extension));
            }
            ast::Definition::DirectiveDefinition(directive) => {
                parsed.directive_defs.push(DirectiveDef {
                    span: span(directive.position),
                    name: directive.name,
                    repeatable: directive.repeatable,
                    args: directive
                        .arguments
                        .into_iter()
                        .map(|arg| lower.input_value(arg))
                        .collect(),
                    locations: directive
                        .locations
                        .iter()
                        .map(|location| location.as_str().to_owned())
                        .collect(),
                });
            }
        }
    }
}

struct Lower<'t> {
    file: usize,
    text: &'t str,
    lines: LineIndex,
}

impl Lower<'_> {
    fn span(&self, pos: graphql_parser::Pos) -> Span {
        Span {
            file: self.file,
            pos: Pos {
                line: pos.line,
                column: pos.column,
            },
        }
    }

    /// graphql-parser places a described item at its description; the
    /// diagnostics should point at the item itself, after the description.
    fn item_span(&self, pos: graphql_parser::Pos, description: Option<&String>) -> Span {
        let span = self.span(pos);
        if description.is_none() {
            return span;
        }
        let Some(start) = self.lines.offset(self.text, span.pos) else {
            return span;
        };
        let rest = &self.text[start..];
        // Type definitions are already placed at their keyword.
        if !rest.starts_with('"') {
            return span;
        }
        let quote = if rest.starts_with("\"\"\"") {
            "\"\"\""
        } else {
            "\""
        };
        let Some(body) = rest.get(quote.len()..) else {
            return span;
        };
        let Some(end) = string_end(body, quote) else {
            return span;
        };
        let after = start + quote.len() + end + quote.len();
        let skipped = self.text[after..]
            .find(|c: char| !(c.is_whitespace() || c == ','))
            .map_or(after, |n| after + n);
        Span {
            file: self.file,
            pos: self.lines.position(self.text, skipped),
        }
    }

    fn type_def(
        &self,
        pos: graphql_parser::Pos,
        name: String,
        description: Option<String>,
        directives: Vec<ast::Directive<'_, String>>,
        kind: TypeKind,
    ) -> TypeDef {
        TypeDef {
            name,
            rust_name: String::new(),
            span: self.item_span(pos, description.as_ref()),
            description,
            kind,
            directives: self.directives(directives),
        }
    }

    fn type_definition(&self, definition: ast::TypeDefinition<'_, String>) -> TypeDef {
        use ast::TypeDefinition as D;
        match definition {
            D::Scalar(t) => self.type_def(
                t.position,
                t.name,
                t.description,
                t.directives,
                TypeKind::Scalar,
            ),
            D::Object(t) => {
                let kind = TypeKind::Object(self.object(t.implements_interfaces, t.fields));
                self.type_def(t.position, t.name, t.description, t.directives, kind)
            }
            D::Interface(t) => {
                let kind = TypeKind::Interface(self.object(t.implements_interfaces, t.fields));
                self.type_def(t.position, t.name, t.description, t.directives, kind)
            }
            D::Union(t) => self.type_def(
                t.position,
                t.name,
                t.description,
                t.directives,
                TypeKind::Union(t.types),
            ),
            D::Enum(t) => {
                let kind =
                    TypeKind::Enum(t.values.into_iter().map(|v| self.enum_value(v)).collect());
                self.type_def(t.position, t.name, t.description, t.directives, kind)
            }
            D::InputObject(t) => {
                let kind = TypeKind::InputObject(
                    t.fields.into_iter().map(|v| self.input_value(v)).collect(),
                );
                self.type_def(t.position, t.name, t.description, t.directives, kind)
            }
        }
    }

    fn type_extension(&self, extension: ast::TypeExtension<'_, String>) -> TypeDef {
        use ast::TypeExtension as E;
        match extension {
            E::Scalar(t) => self.type_def(t.position, t.name, None, t.directives, TypeKind::Scalar),
            E::Object(t) => {
                let kind = TypeKind::Object(self.object(t.implements_interfaces, t.fields));
                self.type_def(t.position, t.name, None, t.directives, kind)
            }
            E::Interface(t) => {
                let kind = TypeKind::Interface(self.object(t.implements_interfaces, t.fields));
                self.type_def(t.position, t.name, None, t.directives, kind)
            }
            E::Union(t) => self.type_def(
                t.position,
                t.name,
                None,
                t.directives,
                TypeKind::Union(t.types),
            ),
            E::Enum(t) => {
                let kind =
                    TypeKind::Enum(t.values.into_iter().map(|v| self.enum_value(v)).collect());
                self.type_def(t.position, t.name, None, t.directives, kind)
            }
            E::InputObject(t) => {
                let kind = TypeKind::InputObject(
                    t.fields.into_iter().map(|v| self.input_value(v)).collect(),
                );
                self.type_def(t.position, t.name, None, t.directives, kind)
            }
        }
    }

    fn object(&self, interfaces: Vec<String>, fields: Vec<ast::Field<'_, String>>) -> ObjectType {
        ObjectType {
            interfaces,
            fields: fields.into_iter().map(|f| self.field(f)).collect(),
        }
    }

    fn field(&self, field: ast::Field<'_, String>) -> Field {
        let span = self.item_span(field.position, field.description.as_ref());
        Field {
            name: field.name,
            rust_name: String::new(),
            description: field.description,
            ty: type_ref(field.field_type),
            args: field
                .arguments
                .into_iter()
                .map(|arg| self.input_value(arg))
                .collect(),
            deprecation: None,
            errors: None,
            span,
            directives: self.directives(field.directives),
        }
    }

    fn input_value(&self, value: ast::InputValue<'_, String>) -> InputValue {
        let span = self.item_span(value.position, value.description.as_ref());
        InputValue {
            name: value.name,
            rust_name: String::new(),
            description: value.description,
            ty: type_ref(value.value_type),
            default: value.default_value.map(const_value),
            deprecation: None,
            span,
            directives: self.directives(value.directives),
        }
    }

    fn enum_value(&self, value: ast::EnumValue<'_, String>) -> EnumValue {
        EnumValue {
            span: self.item_span(value.position, value.description.as_ref()),
            name: value.name,
            rust_name: String::new(),
            description: value.description,
            deprecation: None,
            directives: self.directives(value.directives),
        }
    }

    fn directives(&self, directives: Vec<ast::Directive<'_, String>>) -> Vec<DirectiveUse> {
        directives
            .into_iter()
            .map(|directive| DirectiveUse {
                span: self.span(directive.position),
                name: directive.name,
                args: directive
                    .arguments
                    .into_iter()
                    .map(|(name, value)| (name, const_value(value)))
                    .collect(),
            })
            .collect()
    }
}

/// Where a string that started before `text` ends: the offset of its
/// closing quote, skipping escaped characters.
pub(crate) fn string_end(text: &str, close: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if text[i..].starts_with(close) {
            return Some(i);
        }
    }
    None
}

fn type_ref(ty: ast::Type<'_, String>) -> TypeRef {
    match ty {
        ast::Type::NamedType(name) => TypeRef::Named(name),
        ast::Type::ListType(inner) => TypeRef::List(Box::new(type_ref(*inner))),
        ast::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(type_ref(*inner))),
    }
}

fn const_value(value: ast::Value<'_, String>) -> Value {
    match value {
        ast::Value::Variable(name) => Value::Variable(name),
        // graphql-parser keeps integers as i64 behind `Number`; `as_i64`
        // only fails for values it could not have parsed.
        ast::Value::Int(n) => n.as_i64().map_or(Value::Null, Value::Int),
        ast::Value::Float(x) => Value::Float(x),
        ast::Value::String(s) => Value::String(s),
        ast::Value::Boolean(b) => Value::Boolean(b),
        ast::Value::Null => Value::Null,
        ast::Value::Enum(name) => Value::Enum(name),
        ast::Value::List(items) => Value::List(items.into_iter().map(const_value).collect()),
        ast::Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| (name, const_value(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_position_is_read_from_the_parser_message() {
        let (pos, message) = parse_error_position(
            "schema parse error: Parse error at 4:1\nUnexpected `}[Punctuator]`\nExpected `:`\n",
        );
        assert_eq!(pos, Pos { line: 4, column: 1 });
        assert_eq!(
            message,
            "syntax error: Unexpected `}[Punctuator]`, Expected `:`"
        );
    }
}
