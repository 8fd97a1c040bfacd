//! Turns what `parse` read into a validated `Schema`: merges extensions,
//! resolves every type reference, checks the GraphQL type-system rules the
//! emitters rely on, interprets `@deprecated` and `@errors`, and assigns
//! every item its Rust identifier. It reports every problem it finds, not
//! only the first, and is the only place a `Schema` is built.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Sources, Span};
use crate::model::{
    DirectiveDef, DirectiveUse, ErrorSet, Field, InputValue, ObjectType, Operation, Root, Schema,
    TypeDef, TypeKind, TypeRef, Value,
};
use crate::names::{self, Namespace};
use crate::parse::Parsed;

/// The scalars every schema has without defining them.
pub const BUILT_IN_SCALARS: &[&str] = &["Int", "Float", "String", "Boolean", "ID"];

/// The reason GraphQL gives a `@deprecated` that names none.
pub const DEFAULT_DEPRECATION_REASON: &str = "No longer supported";

/// The directive that declares a root field's error codes.
pub const ERRORS_DIRECTIVE: &str = "errors";

/// Directives that GraphQL defines, with their locations; a schema may
/// restate their definitions (printers often do) but not change them.
const BUILT_IN_DIRECTIVES: &[(&str, &[&str])] = &[
    (
        "deprecated",
        &[
            "FIELD_DEFINITION",
            "ARGUMENT_DEFINITION",
            "INPUT_FIELD_DEFINITION",
            "ENUM_VALUE",
        ],
    ),
    ("specifiedBy", &["SCALAR"]),
    ("oneOf", &["INPUT_OBJECT"]),
    ("include", &["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"]),
    ("skip", &["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"]),
];

pub(crate) fn validate(sources: Sources, parsed: Parsed) -> Result<Schema, Vec<Diagnostic>> {
    let mut v = Validator {
        sources: &sources,
        diagnostics: Vec::new(),
    };
    let directives = v.directive_definitions(parsed.directive_defs);
    let (mut types, index) = v.collect_types(parsed.types, parsed.extensions);
    let kinds: BTreeMap<String, Kind> = types
        .iter()
        .map(|t| (t.name.clone(), Kind::of(&t.kind)))
        .collect();
    let roots = v.roots(&parsed.schema_defs, &kinds);
    let root_names: BTreeSet<&str> = roots.iter().map(|r| r.type_name.as_str()).collect();
    let cx = Context {
        kinds: &kinds,
        types: &types,
        index: &index,
        directives: &directives,
        roots: &root_names,
    };
    v.check_directive_definitions(&cx);
    let mut checked = Vec::with_capacity(types.len());
    for ty in &types {
        checked.push(v.check_type(&cx, ty));
    }
    v.check_input_cycles(&types);
    // `cx` borrows `types`, which is changed below; its last use is above.
    for (ty, checked) in types.iter_mut().zip(checked) {
        v.apply(ty, checked);
    }
    let roots = v.name_roots(roots, &mut types);
    assign_rust_names(&mut types);

    if !v.diagnostics.is_empty() {
        let mut diagnostics = v.diagnostics;
        diagnostics.sort_by(|a, b| {
            let file = |d: &Diagnostic| sources.names().position(|n| n == d.file);
            (file(a), a.pos).cmp(&(file(b), b.pos))
        });
        diagnostics.dedup();
        return Err(diagnostics);
    }
    Ok(Schema {
        sources,
        types,
        index,
        roots,
    })
}

/// What kind a named type is, for reference checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
}

impl Kind {
    fn of(kind: &TypeKind) -> Kind {
        match kind {
            TypeKind::Scalar => Kind::Scalar,
            TypeKind::Object(_) => Kind::Object,
            TypeKind::Interface(_) => Kind::Interface,
            TypeKind::Union(_) => Kind::Union,
            TypeKind::Enum(_) => Kind::Enum,
            TypeKind::InputObject(_) => Kind::InputObject,
        }
    }

    fn is_input(self) -> bool {
        matches!(self, Kind::Scalar | Kind::Enum | Kind::InputObject)
    }

    fn is_output(self) -> bool {
        !matches!(self, Kind::InputObject)
    }
}

struct Validator<'s> {
    sources: &'s Sources,
    diagnostics: Vec<Diagnostic>,
}

/// Read-only lookups while types are checked.
struct Context<'a> {
    kinds: &'a BTreeMap<String, Kind>,
    types: &'a [TypeDef],
    index: &'a BTreeMap<String, usize>,
    directives: &'a BTreeMap<String, DirectiveDef>,
    roots: &'a BTreeSet<&'a str>,
}

impl Context<'_> {
    fn kind(&self, name: &str) -> Option<Kind> {
        if BUILT_IN_SCALARS.contains(&name) {
            return Some(Kind::Scalar);
        }
        self.kinds.get(name).copied()
    }

    fn get(&self, name: &str) -> Option<&TypeDef> {
        self.index.get(name).map(|&i| &self.types[i])
    }
}

/// What checking a type found out about its directives, applied afterwards
/// so that checks can read all types while they run.
#[derive(Default)]
struct Checked {
    /// (field index, deprecation, errors) for fields; for enum values and
    /// input fields only the deprecation is used.
    fields: Vec<(Option<String>, Option<String>)>,
    args: Vec<Vec<Option<String>>>,
}

impl Validator<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics
            .push(self.sources.diagnostic(span, message.into()));
    }

    fn at(&self, span: Span) -> String {
        format!(
            "{}:{}:{}",
            self.sources.name(span.file),
            span.pos.line,
            span.pos.column
        )
    }

    fn directive_definitions(&mut self, defs: Vec<DirectiveDef>) -> BTreeMap<String, DirectiveDef> {
        let mut out: BTreeMap<String, DirectiveDef> = BTreeMap::new();
        for def in defs {
            if let Some(first) = out.get(&def.name) {
                let at = self.at(first.span);
                self.error(
                    def.span,
                    format!("directive `@{}` is defined twice; first at {at}", def.name),
                );
                continue;
            }
            if def.name == ERRORS_DIRECTIVE {
                let shape_ok = def.locations == ["FIELD_DEFINITION"]
                    && !def.repeatable
                    && def.args.len() == 1
                    && def.args[0].name == "codes"
                    && def.args[0].ty.to_string() == "String!";
                if !shape_ok {
                    self.error(
                        def.span,
                        "`@errors` is the generator's error-code directive; define it as \
                         `directive @errors(codes: String!) on FIELD_DEFINITION`",
                    );
                }
            }
            out.insert(def.name.clone(), def);
        }
        out
    }

    /// The rules for a directive definition itself: a name outside the
    /// introspection namespace, unique arguments of input types with valid
    /// defaults, and no use of the directive on its own arguments.
    fn check_directive_definitions(&mut self, cx: &Context<'_>) {
        for def in cx.directives.values() {
            self.check_name(def.span, &def.name, "directive");
            let owner = format!("@{}", def.name);
            self.check_input_values(cx, &owner, &def.args, "ARGUMENT_DEFINITION", "argument");
            for arg in &def.args {
                for directive in arg.directives.iter().filter(|d| d.name == def.name) {
                    self.error(
                        directive.span,
                        format!(
                            "directive `@{}` is used on its own argument `{}`; a directive definition cannot refer to itself",
                            def.name, arg.name
                        ),
                    );
                }
            }
        }
    }

    /// Checks names, merges extensions into their types and indexes them.
    fn collect_types(
        &mut self,
        definitions: Vec<TypeDef>,
        extensions: Vec<TypeDef>,
    ) -> (Vec<TypeDef>, BTreeMap<String, usize>) {
        let mut types: Vec<TypeDef> = Vec::with_capacity(definitions.len());
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for ty in definitions {
            if BUILT_IN_SCALARS.contains(&ty.name.as_str()) {
                self.error(
                    ty.span,
                    format!("`{}` is a built-in scalar and cannot be redefined", ty.name),
                );
                continue;
            }
            self.check_name(ty.span, &ty.name, "type");
            if let Some(&first) = index.get(&ty.name) {
                let at = self.at(types[first].span);
                self.error(
                    ty.span,
                    format!("type `{}` is defined twice; first at {at}", ty.name),
                );
                continue;
            }
            index.insert(ty.name.clone(), types.len());
            types.push(ty);
        }
        for extension in extensions {
            let Some(&i) = index.get(&extension.name) else {
                self.error(
                    extension.span,
                    format!("cannot extend `{}`: no such type", extension.name),
                );
                continue;
            };
            let target = &mut types[i];
            target.directives.extend(extension.directives);
            match (&mut target.kind, extension.kind) {
                (TypeKind::Scalar, TypeKind::Scalar) => {}
                (TypeKind::Object(t), TypeKind::Object(e))
                | (TypeKind::Interface(t), TypeKind::Interface(e)) => {
                    t.interfaces.extend(e.interfaces);
                    t.fields.extend(e.fields);
                }
                (TypeKind::Union(t), TypeKind::Union(e)) => t.extend(e),
                (TypeKind::Enum(t), TypeKind::Enum(e)) => t.extend(e),
                (TypeKind::InputObject(t), TypeKind::InputObject(e)) => t.extend(e),
                (kind, other) => {
                    let message = format!(
                        "cannot extend {} `{}` as {} {}",
                        kind.describe(),
                        extension.name,
                        article(other.describe()),
                        other.describe()
                    );
                    self.error(extension.span, message);
                }
            }
        }
        (types, index)
    }

    fn check_name(&mut self, span: Span, name: &str, what: &str) {
        if name.starts_with("__") {
            self.error(
                span,
                format!("{what} name `{name}` starts with `__`, which GraphQL reserves for introspection"),
            );
        }
    }

    fn roots(
        &mut self,
        schema_defs: &[crate::parse::SchemaDef],
        kinds: &BTreeMap<String, Kind>,
    ) -> Vec<Root> {
        let mut named: Vec<(Operation, String, Option<Span>)> = Vec::new();
        if let Some(def) = schema_defs.first() {
            for extra in &schema_defs[1..] {
                let at = self.at(def.span);
                self.error(
                    extra.span,
                    format!("the schema definition is written twice; first at {at}"),
                );
            }
            for (operation, name) in [
                (Operation::Query, &def.query),
                (Operation::Mutation, &def.mutation),
                (Operation::Subscription, &def.subscription),
            ] {
                if let Some(name) = name {
                    named.push((operation, name.clone(), Some(def.span)));
                }
            }
        } else {
            for (operation, name) in [
                (Operation::Query, "Query"),
                (Operation::Mutation, "Mutation"),
                (Operation::Subscription, "Subscription"),
            ] {
                if kinds.contains_key(name) {
                    named.push((operation, name.to_owned(), None));
                }
            }
        }
        let mut roots = Vec::new();
        for (operation, name, span) in named {
            let keyword = operation.keyword();
            match kinds.get(&name) {
                Some(Kind::Object) => {}
                Some(_) => {
                    let span = span.unwrap_or_default();
                    self.error(
                        span,
                        format!("the {keyword} root type `{name}` must be an object type"),
                    );
                    continue;
                }
                None => {
                    let span = span.unwrap_or_default();
                    self.error(
                        span,
                        format!("the {keyword} root type `{name}` is not defined"),
                    );
                    continue;
                }
            }
            if let Some(other) = roots.iter().find(|r: &&Root| r.type_name == name) {
                let span = span.unwrap_or_default();
                let other = other.operation.keyword();
                self.error(
                    span,
                    format!("`{name}` is both the {other} and the {keyword} root type"),
                );
                continue;
            }
            roots.push(Root {
                operation,
                type_name: name,
                trait_name: String::new(),
                object_name: String::new(),
            });
        }
        let query_named = schema_defs.first().is_some_and(|d| d.query.is_some());
        if !query_named
            && !roots.iter().any(|r| r.operation == Operation::Query)
            && !self.sources.is_empty()
        {
            let span = schema_defs.first().map(|d| d.span).unwrap_or(Span {
                file: 0,
                pos: crate::diagnostic::Pos { line: 1, column: 1 },
            });
            self.error(
                span,
                "the schema has no query root type: define `type Query` or name one in `schema { query: ... }`",
            );
        }
        roots
    }

    fn check_type(&mut self, cx: &Context<'_>, ty: &TypeDef) -> Checked {
        let mut checked = Checked::default();
        let location = match &ty.kind {
            TypeKind::Scalar => "SCALAR",
            TypeKind::Object(_) => "OBJECT",
            TypeKind::Interface(_) => "INTERFACE",
            TypeKind::Union(_) => "UNION",
            TypeKind::Enum(_) => "ENUM",
            TypeKind::InputObject(_) => "INPUT_OBJECT",
        };
        self.check_directives(cx, &ty.directives, location, &format!("`{}`", ty.name));
        match &ty.kind {
            TypeKind::Scalar => {}
            TypeKind::Object(object) | TypeKind::Interface(object) => {
                self.check_object(cx, ty, object, &mut checked);
            }
            TypeKind::Union(members) => {
                if members.is_empty() {
                    self.error(ty.span, format!("union `{}` has no member types", ty.name));
                }
                let mut seen = BTreeSet::new();
                for member in members {
                    if !seen.insert(member) {
                        self.error(
                            ty.span,
                            format!("union `{}` lists `{member}` twice", ty.name),
                        );
                    }
                    match cx.kind(member) {
                        Some(Kind::Object) => {}
                        Some(_) => self.error(
                            ty.span,
                            format!("union `{}` can only have object types as members, and `{member}` is not one", ty.name),
                        ),
                        None => self.error(ty.span, format!("union `{}` has an unknown member type `{member}`", ty.name)),
                    }
                }
            }
            TypeKind::Enum(values) => {
                if values.is_empty() {
                    self.error(ty.span, format!("enum `{}` has no values", ty.name));
                }
                let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
                for value in values {
                    self.check_name(value.span, &value.name, "enum value");
                    if matches!(value.name.as_str(), "true" | "false" | "null") {
                        self.error(
                            value.span,
                            format!("`{}` cannot be an enum value", value.name),
                        );
                    }
                    if let Some(&first) = seen.get(value.name.as_str()) {
                        let at = self.at(first);
                        self.error(
                            value.span,
                            format!(
                                "enum value `{}.{}` is defined twice; first at {at}",
                                ty.name, value.name
                            ),
                        );
                    }
                    seen.entry(&value.name).or_insert(value.span);
                    let what = format!("`{}.{}`", ty.name, value.name);
                    let deprecation =
                        self.check_directives(cx, &value.directives, "ENUM_VALUE", &what);
                    checked.fields.push((deprecation, None));
                }
            }
            TypeKind::InputObject(fields) => {
                if fields.is_empty() {
                    self.error(ty.span, format!("input object `{}` has no fields", ty.name));
                }
                let owner = ty.name.clone();
                let deprecations = self.check_input_values(
                    cx,
                    &owner,
                    fields,
                    "INPUT_FIELD_DEFINITION",
                    "input field",
                );
                checked.fields = deprecations.into_iter().map(|d| (d, None)).collect();
            }
        }
        checked
    }

    fn check_object(
        &mut self,
        cx: &Context<'_>,
        ty: &TypeDef,
        object: &ObjectType,
        checked: &mut Checked,
    ) {
        let what = ty.kind.describe();
        if object.fields.is_empty() {
            self.error(ty.span, format!("{what} `{}` has no fields", ty.name));
        }
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for field in &object.fields {
            self.check_name(field.span, &field.name, "field");
            if let Some(&first) = seen.get(field.name.as_str()) {
                let at = self.at(first);
                self.error(
                    field.span,
                    format!(
                        "field `{}.{}` is defined twice; first at {at}",
                        ty.name, field.name
                    ),
                );
            }
            seen.entry(&field.name).or_insert(field.span);
            match cx.kind(field.ty.base()) {
                None => {
                    let span = type_span(self.sources, field.span, field.ty.base(), true);
                    self.error(
                        span,
                        format!(
                            "unknown type `{}` for field `{}.{}`",
                            field.ty.base(),
                            ty.name,
                            field.name
                        ),
                    );
                }
                Some(kind) if !kind.is_output() => {
                    let span = type_span(self.sources, field.span, field.ty.base(), true);
                    self.error(
                        span,
                        format!(
                            "field `{}.{}` has the input type `{}`; fields of {} {what} need an output type",
                            ty.name,
                            field.name,
                            field.ty.base(),
                            article(what)
                        ),
                    );
                }
                Some(_) => {}
            }
            let owner = format!("{}.{}", ty.name, field.name);
            let arg_deprecations =
                self.check_input_values(cx, &owner, &field.args, "ARGUMENT_DEFINITION", "argument");
            checked.args.push(arg_deprecations);
            let what_field = format!("`{owner}`");
            let deprecation =
                self.check_directives(cx, &field.directives, "FIELD_DEFINITION", &what_field);
            let errors = self.check_errors_directive(cx, ty, field);
            checked.fields.push((deprecation, errors));
        }
        self.check_implements(cx, ty, object);
    }

    /// `@errors(codes: "...")` is allowed on root fields only and must name an
    /// enum; returns that enum's name.
    fn check_errors_directive(
        &mut self,
        cx: &Context<'_>,
        ty: &TypeDef,
        field: &Field,
    ) -> Option<String> {
        let directive = field
            .directives
            .iter()
            .find(|d| d.name == ERRORS_DIRECTIVE)?;
        if !cx.roots.contains(ty.name.as_str()) {
            self.error(
                directive.span,
                format!(
                    "`@errors` declares the error codes of a root operation, and `{}` is not a root type",
                    ty.name
                ),
            );
            return None;
        }
        let Some((_, Value::String(name))) = directive.args.iter().find(|(n, _)| n == "codes")
        else {
            self.error(
                directive.span,
                "`@errors` needs `codes:` with the name of an enum",
            );
            return None;
        };
        match cx.get(name).map(|t| &t.kind) {
            Some(TypeKind::Enum(_)) => Some(name.clone()),
            Some(other) => {
                let message = format!(
                    "`@errors(codes: \"{name}\")` must name an enum, and `{name}` is {} {}",
                    article(other.describe()),
                    other.describe()
                );
                self.error(directive.span, message);
                None
            }
            None => {
                self.error(
                    directive.span,
                    format!("`@errors(codes: \"{name}\")` names no type of this schema"),
                );
                None
            }
        }
    }

    fn check_implements(&mut self, cx: &Context<'_>, ty: &TypeDef, object: &ObjectType) {
        let mut seen = BTreeSet::new();
        for interface in &object.interfaces {
            if !seen.insert(interface) {
                self.error(
                    ty.span,
                    format!("`{}` implements `{interface}` twice", ty.name),
                );
                continue;
            }
            if interface == &ty.name {
                self.error(ty.span, format!("`{}` cannot implement itself", ty.name));
                continue;
            }
            let Some(TypeKind::Interface(expected)) = cx.get(interface).map(|t| &t.kind) else {
                let message = match cx.kind(interface) {
                    None => format!(
                        "`{}` implements `{interface}`, which is not defined",
                        ty.name
                    ),
                    Some(_) => format!(
                        "`{}` implements `{interface}`, which is not an interface",
                        ty.name
                    ),
                };
                self.error(ty.span, message);
                continue;
            };
            for transitive in &expected.interfaces {
                if !object.interfaces.contains(transitive) {
                    self.error(
                        ty.span,
                        format!("`{}` must also implement `{transitive}`, which `{interface}` implements", ty.name),
                    );
                }
            }
            for wanted in &expected.fields {
                let Some(field) = object.fields.iter().find(|f| f.name == wanted.name) else {
                    self.error(
                        ty.span,
                        format!(
                            "`{}` implements `{interface}` but has no field `{}`",
                            ty.name, wanted.name
                        ),
                    );
                    continue;
                };
                if !is_subtype(cx, &field.ty, &wanted.ty) {
                    self.error(
                        field.span,
                        format!(
                            "field `{}.{}` has type `{}`, which does not fit `{interface}.{}: {}`",
                            ty.name, field.name, field.ty, wanted.name, wanted.ty
                        ),
                    );
                }
                for arg in &wanted.args {
                    match field.args.iter().find(|a| a.name == arg.name) {
                        Some(found) if found.ty == arg.ty => {}
                        Some(found) => self.error(
                            found.span,
                            format!(
                                "argument `{}.{}({}:)` has type `{}` where `{interface}` has `{}`",
                                ty.name, field.name, arg.name, found.ty, arg.ty
                            ),
                        ),
                        None => self.error(
                            field.span,
                            format!(
                                "field `{}.{}` lacks the argument `{}` that `{interface}` declares",
                                ty.name, field.name, arg.name
                            ),
                        ),
                    }
                }
                for extra in &field.args {
                    if extra.ty.is_non_null()
                        && extra.default.is_none()
                        && !wanted.args.iter().any(|a| a.name == extra.name)
                    {
                        self.error(
                            extra.span,
                            format!("argument `{}.{}({}:)` is required, which `{interface}.{}` does not allow", ty.name, field.name, extra.name, wanted.name),
                        );
                    }
                }
            }
        }
    }

    /// Arguments or input fields: unique names, input types, valid defaults,
    /// directives. Returns each one's deprecation reason.
    fn check_input_values(
        &mut self,
        cx: &Context<'_>,
        owner: &str,
        values: &[InputValue],
        location: &str,
        what: &str,
    ) -> Vec<Option<String>> {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut deprecations = Vec::with_capacity(values.len());
        for value in values {
            self.check_name(value.span, &value.name, what);
            if let Some(&first) = seen.get(value.name.as_str()) {
                let at = self.at(first);
                self.error(
                    value.span,
                    format!(
                        "{what} `{owner}.{}` is defined twice; first at {at}",
                        value.name
                    ),
                );
            }
            seen.entry(&value.name).or_insert(value.span);
            let mut type_ok = false;
            match cx.kind(value.ty.base()) {
                None => {
                    let span = type_span(self.sources, value.span, value.ty.base(), false);
                    self.error(
                        span,
                        format!(
                            "unknown type `{}` for {what} `{owner}.{}`",
                            value.ty.base(),
                            value.name
                        ),
                    );
                }
                Some(kind) if !kind.is_input() => {
                    let span = type_span(self.sources, value.span, value.ty.base(), false);
                    self.error(
                        span,
                        format!(
                            "{what} `{owner}.{}` has the output type `{}`; {what}s need an input type (a scalar, an enum or an input object)",
                            value.name,
                            value.ty.base()
                        ),
                    );
                }
                Some(_) => type_ok = true,
            }
            if let (true, Some(default)) = (type_ok, &value.default)
                && let Err(problem) = check_value(cx, default, &value.ty)
            {
                self.error(
                    value.span,
                    format!(
                        "default value `{default}` of {what} `{owner}.{}` is not a `{}`: {problem}",
                        value.name, value.ty
                    ),
                );
            }
            let label = format!("`{owner}.{}`", value.name);
            let deprecation = self.check_directives(cx, &value.directives, location, &label);
            if deprecation.is_some() && value.ty.is_non_null() && value.default.is_none() {
                self.error(
                    value.span,
                    format!("required {what} {label} cannot be deprecated: give it a default value or make it nullable"),
                );
            }
            deprecations.push(deprecation);
        }
        deprecations
    }

    /// Checks every directive used at one place; returns the `@deprecated`
    /// reason there, if any.
    fn check_directives(
        &mut self,
        cx: &Context<'_>,
        uses: &[DirectiveUse],
        location: &str,
        what: &str,
    ) -> Option<String> {
        let mut deprecation = None;
        let mut seen = BTreeSet::new();
        for directive in uses {
            let name = directive.name.as_str();
            let built_in = BUILT_IN_DIRECTIVES.iter().find(|(n, _)| *n == name);
            let defined = cx.directives.get(name);
            let locations: Vec<&str> = match (built_in, defined) {
                (Some((_, locations)), _) => locations.to_vec(),
                (None, Some(def)) => def.locations.iter().map(String::as_str).collect(),
                (None, None) if name == ERRORS_DIRECTIVE => {
                    self.error(
                        directive.span,
                        "`@errors` is used but not defined: add `directive @errors(codes: String!) on FIELD_DEFINITION`",
                    );
                    continue;
                }
                (None, None) => {
                    self.error(
                        directive.span,
                        format!("unknown directive `@{name}` on {what}"),
                    );
                    continue;
                }
            };
            if !locations.contains(&location) {
                self.error(
                    directive.span,
                    format!("directive `@{name}` is not allowed on {what} ({location})"),
                );
                continue;
            }
            if !seen.insert(name) && !defined.is_some_and(|def| def.repeatable) {
                self.error(
                    directive.span,
                    format!("directive `@{name}` is used twice on {what}"),
                );
            }
            if let Some(def) = defined {
                self.check_directive_args(cx, directive, def);
            }
            if name == "deprecated" {
                match directive.args.as_slice() {
                    [] => deprecation = Some(DEFAULT_DEPRECATION_REASON.to_owned()),
                    [(arg, Value::String(reason))] if arg == "reason" => {
                        deprecation = Some(reason.clone());
                    }
                    _ => self.error(
                        directive.span,
                        "`@deprecated` takes one argument, `reason: String`",
                    ),
                }
            }
        }
        deprecation
    }

    fn check_directive_args(
        &mut self,
        cx: &Context<'_>,
        directive: &DirectiveUse,
        def: &DirectiveDef,
    ) {
        for (name, value) in &directive.args {
            match def.args.iter().find(|a| &a.name == name) {
                None => self.error(
                    directive.span,
                    format!("directive `@{}` has no argument `{name}`", directive.name),
                ),
                Some(arg) => {
                    if let Err(problem) = check_value(cx, value, &arg.ty) {
                        self.error(
                            directive.span,
                            format!(
                                "argument `{name}` of `@{}` is not a `{}`: {problem}",
                                directive.name, arg.ty
                            ),
                        );
                    }
                }
            }
        }
        for arg in &def.args {
            if arg.ty.is_non_null()
                && arg.default.is_none()
                && !directive.args.iter().any(|(n, _)| n == &arg.name)
            {
                self.error(
                    directive.span,
                    format!(
                        "directive `@{}` needs the argument `{}`",
                        directive.name, arg.name
                    ),
                );
            }
        }
    }

    /// An input object may not contain itself through non-null, non-list
    /// fields: no finite value could be written for it.
    fn check_input_cycles(&mut self, types: &[TypeDef]) {
        let required_edges = |ty: &TypeDef| -> Vec<(String, Span)> {
            match &ty.kind {
                TypeKind::InputObject(fields) => fields
                    .iter()
                    .filter_map(|f| match &f.ty {
                        TypeRef::NonNull(inner) => match inner.as_ref() {
                            TypeRef::Named(name) => Some((name.clone(), f.span)),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let edges: BTreeMap<&str, Vec<(String, Span)>> = types
            .iter()
            .map(|t| (t.name.as_str(), required_edges(t)))
            .collect();
        for ty in types {
            if !matches!(ty.kind, TypeKind::InputObject(_)) {
                continue;
            }
            // Depth-first from each input object, looking for a way back.
            let mut stack: Vec<(&str, Vec<&str>)> =
                vec![(ty.name.as_str(), vec![ty.name.as_str()])];
            let mut visited = BTreeSet::new();
            while let Some((name, path)) = stack.pop() {
                for (next, _) in edges.get(name).into_iter().flatten() {
                    if next == &ty.name {
                        let cycle = path.join(" → ");
                        self.error(
                            ty.span,
                            format!("input object `{}` contains itself through required fields ({cycle} → {next}), so no value of it can be written", ty.name),
                        );
                        stack.clear();
                        break;
                    }
                    if visited.insert(next.as_str()) {
                        let mut longer = path.clone();
                        longer.push(next.as_str());
                        stack.push((next.as_str(), longer));
                    }
                }
            }
        }
    }

    fn apply(&mut self, ty: &mut TypeDef, checked: Checked) {
        match &mut ty.kind {
            TypeKind::Object(object) | TypeKind::Interface(object) => {
                for ((field, (deprecation, errors)), args) in object
                    .fields
                    .iter_mut()
                    .zip(checked.fields)
                    .zip(checked.args)
                {
                    field.deprecation = deprecation;
                    field.errors = errors.map(|enum_name| ErrorSet {
                        enum_name,
                        rust_name: String::new(),
                    });
                    for (arg, deprecation) in field.args.iter_mut().zip(args) {
                        arg.deprecation = deprecation;
                    }
                }
            }
            TypeKind::Enum(values) => {
                for (value, (deprecation, _)) in values.iter_mut().zip(checked.fields) {
                    value.deprecation = deprecation;
                }
            }
            TypeKind::InputObject(fields) => {
                for (field, (deprecation, _)) in fields.iter_mut().zip(checked.fields) {
                    field.deprecation = deprecation;
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }

    /// Names the resolver traits, root objects and error enums, which share
    /// the generated `resolvers` and `schema` modules.
    fn name_roots(&mut self, mut roots: Vec<Root>, types: &mut [TypeDef]) -> Vec<Root> {
        let mut namespace = Namespace::default();
        for root in &mut roots {
            let base = names::type_name(&root.type_name);
            root.trait_name = namespace.claim(format!("{base}Resolvers"));
            root.object_name = namespace.claim(format!("{base}Root"));
        }
        for root in &roots {
            let Some(ty) = types.iter_mut().find(|t| t.name == root.type_name) else {
                continue;
            };
            if let TypeKind::Object(object) = &mut ty.kind {
                for field in &mut object.fields {
                    if let Some(errors) = &mut field.errors {
                        errors.rust_name =
                            namespace.claim(format!("{}Error", names::type_name(&field.name)));
                    }
                }
            }
        }
        roots
    }
}

fn assign_rust_names(types: &mut [TypeDef]) {
    let mut type_names = Namespace::default();
    for ty in types.iter_mut() {
        ty.rust_name = type_names.claim(names::type_name(&ty.name));
        match &mut ty.kind {
            TypeKind::Object(object) | TypeKind::Interface(object) => {
                let mut fields = Namespace::default();
                for field in &mut object.fields {
                    field.rust_name = fields.claim(names::field_name(&field.name));
                    // `ctx` and `parent` are the resolvers' own parameters.
                    let mut args = Namespace::with_reserved(&["ctx", "parent"]);
                    for arg in &mut field.args {
                        arg.rust_name = args.claim(names::field_name(&arg.name));
                    }
                }
            }
            TypeKind::Enum(values) => {
                let mut variants = Namespace::default();
                for value in values {
                    value.rust_name = variants.claim(names::variant_name(&value.name));
                }
            }
            TypeKind::InputObject(fields) => {
                let mut names = Namespace::default();
                for field in fields {
                    field.rust_name = names.claim(names::field_name(&field.name));
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
}

/// Whether a field of type `found` may stand where an interface declares
/// `wanted` (GraphQL's covariant field rule).
fn is_subtype(cx: &Context<'_>, found: &TypeRef, wanted: &TypeRef) -> bool {
    match (found, wanted) {
        (TypeRef::NonNull(f), TypeRef::NonNull(w)) => is_subtype(cx, f, w),
        (TypeRef::NonNull(f), w) => is_subtype(cx, f, w),
        (_, TypeRef::NonNull(_)) => false,
        (TypeRef::List(f), TypeRef::List(w)) => is_subtype(cx, f, w),
        (TypeRef::Named(f), TypeRef::Named(w)) => {
            if f == w {
                return true;
            }
            match cx.get(w).map(|t| &t.kind) {
                Some(TypeKind::Union(members)) => members.contains(f),
                Some(TypeKind::Interface(_)) => match cx.get(f).map(|t| &t.kind) {
                    Some(TypeKind::Object(o)) | Some(TypeKind::Interface(o)) => {
                        o.interfaces.contains(w)
                    }
                    _ => false,
                },
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether a constant value can be coerced to `ty` (GraphQL's input
/// coercion rules); the error says what does not fit.
fn check_value(cx: &Context<'_>, value: &Value, ty: &TypeRef) -> Result<(), String> {
    match (ty, value) {
        (_, Value::Variable(name)) => Err(format!(
            "`${name}` is a variable, and a schema can only hold constants"
        )),
        (TypeRef::NonNull(_), Value::Null) => Err("null for a non-null type".to_owned()),
        (TypeRef::NonNull(inner), value) => check_value(cx, value, inner),
        (_, Value::Null) => Ok(()),
        (TypeRef::List(inner), Value::List(items)) => items
            .iter()
            .try_for_each(|item| check_value(cx, item, inner)),
        // A single value where a list is expected is a list of one.
        (TypeRef::List(inner), value) => check_value(cx, value, inner),
        (TypeRef::Named(name), value) => check_named_value(cx, value, name),
    }
}

fn check_named_value(cx: &Context<'_>, value: &Value, name: &str) -> Result<(), String> {
    let fits = match (name, value) {
        ("Int", Value::Int(n)) => i32::try_from(*n).is_ok(),
        ("Float", Value::Int(_) | Value::Float(_)) => true,
        ("String", Value::String(_)) => true,
        ("Boolean", Value::Boolean(_)) => true,
        ("ID", Value::String(_) | Value::Int(_)) => true,
        ("Int" | "Float" | "String" | "Boolean" | "ID", _) => false,
        _ => match cx.get(name).map(|t| &t.kind) {
            Some(TypeKind::Scalar) => true,
            Some(TypeKind::Enum(values)) => match value {
                Value::Enum(v) => {
                    if values.iter().any(|ev| &ev.name == v) {
                        true
                    } else {
                        return Err(format!("`{name}` has no value `{v}`"));
                    }
                }
                _ => false,
            },
            Some(TypeKind::InputObject(fields)) => match value {
                Value::Object(given) => {
                    for (key, item) in given {
                        let Some(field) = fields.iter().find(|f| &f.name == key) else {
                            return Err(format!("`{name}` has no field `{key}`"));
                        };
                        check_value(cx, item, &field.ty)?;
                    }
                    for field in fields {
                        if field.ty.is_non_null()
                            && field.default.is_none()
                            && !given.contains_key(&field.name)
                        {
                            return Err(format!("the required field `{}` is missing", field.name));
                        }
                    }
                    true
                }
                _ => false,
            },
            _ => false,
        },
    };
    if fits {
        Ok(())
    } else {
        Err(format!("`{value}` is not a valid `{name}`"))
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Where the type of a field or input value is written: graphql-parser
/// keeps no position for type references, so this scans the source from
/// the item's name past its arguments (for fields) to the `:` and the type.
/// Falls back to the item's own position when the text is not as expected.
fn type_span(sources: &Sources, item: Span, type_name: &str, has_args: bool) -> Span {
    let text = sources.text(item.file);
    // Only reached for a diagnostic, so indexing the lines here is cheap
    // enough.
    let lines = crate::diagnostic::LineIndex::new(text);
    let Some(start) = lines.offset(text, item.pos) else {
        return item;
    };
    let bytes = text.as_bytes();
    let mut i = start;
    // Skip the item's name.
    while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
        i += 1;
    }
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let block = text[i..].starts_with("\"\"\"");
                let close = if block { "\"\"\"" } else { "\"" };
                let from = i + close.len();
                match crate::parse::string_end(&text[from..], close) {
                    Some(end) => i = from + end + close.len(),
                    None => return item,
                }
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' if has_args => depth += 1,
            b')' if has_args => depth = depth.saturating_sub(1),
            b':' if depth == 0 => {
                let rest = &text[i + 1..];
                let Some(found) = find_word(rest, type_name) else {
                    return item;
                };
                return Span {
                    file: item.file,
                    pos: lines.position(text, i + 1 + found),
                };
            }
            _ => {}
        }
        i += 1;
    }
    item
}

/// The first occurrence of `word` as a whole name in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_name = |b: u8| b == b'_' || b.is_ascii_alphanumeric();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let end = at + word.len();
        let before_ok = at == 0 || !is_name(bytes[at - 1]);
        let after_ok = end >= bytes.len() || !is_name(bytes[end]);
        if before_ok && after_ok {
            return Some(at);
        }
        from = end;
    }
    None
}
