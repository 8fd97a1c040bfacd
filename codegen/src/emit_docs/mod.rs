//! The API documentation in markdown, generated from the schema model in
//! the layout of the GraphQL-to-markdown generator that wrote the
//! project's first API page, so the pages never drift from the schema.
//!
//! - `tableOfContent.md`: every operation by group, then every type.
//! - `<group>/<operation>.md`: one page per query, mutation and
//!   subscription. The group is the stem of the schema file that defines
//!   the operation's field (`schema/passkey.graphql` → `passkey`).
//! - `assets/{inputs,types,enums,scalars}/<lower-case name>.md`: one page
//!   per input object; object, interface or union; enum; custom scalar.

mod example;
mod markdown;

use std::collections::{BTreeMap, HashMap, HashSet};

use markdown::{Anchors, Table, cell, link};

use crate::model::{
    EnumValue, Field, InputValue, ObjectType, Operation, Schema, TypeDef, TypeKind, TypeRef,
};

/// How many levels of nested types below an operation's argument or output
/// get a table of their own on its page (the argument's type is level 0).
/// Deeper types are reached through their links.
const MAX_TABLE_DEPTH: usize = 2;

/// The table of contents, at the root of the output.
pub const TABLE_OF_CONTENTS: &str = "tableOfContent.md";

/// Every page: path relative to the output directory (`/`-separated) →
/// markdown.
pub fn emit(schema: &Schema) -> BTreeMap<String, String> {
    let paths = Paths::new(schema);
    let mut pages = BTreeMap::new();
    for operation in &paths.operations {
        let page = OperationPage::new(schema, &paths, operation).render();
        pages.insert(operation.path.clone(), page);
    }
    for ty in schema.types() {
        if let Some(path) = paths.types.get(&ty.name) {
            pages.insert(path.clone(), type_page(schema, &paths, ty));
        }
    }
    pages.insert(
        TABLE_OF_CONTENTS.to_owned(),
        table_of_contents(schema, &paths),
    );
    pages
}

/// Where each page goes.
struct Paths<'s> {
    operations: Vec<OperationRef<'s>>,
    /// Type name → its asset page, for every type but the root types.
    types: HashMap<String, String>,
}

struct OperationRef<'s> {
    operation: Operation,
    field: &'s Field,
    group: String,
    path: String,
}

impl<'s> Paths<'s> {
    fn new(schema: &'s Schema) -> Self {
        let mut taken = HashSet::new();
        let mut operations = Vec::new();
        for root in schema.roots() {
            let Some(TypeKind::Object(object)) = schema.get(&root.type_name).map(|t| &t.kind)
            else {
                continue;
            };
            for field in &object.fields {
                let group = group_name(schema.sources.name(field.span.file));
                // A query and a mutation of one name in one group: the
                // second page names its operation type.
                let mut path = format!("{group}/{}.md", field.name);
                if taken.contains(&path) {
                    path = format!("{group}/{}-{}.md", field.name, root.operation.keyword());
                }
                let path = unique(&mut taken, path);
                operations.push(OperationRef {
                    operation: root.operation,
                    field,
                    group,
                    path,
                });
            }
        }
        let mut types = HashMap::new();
        for ty in schema.types() {
            if schema.is_root(&ty.name) {
                continue;
            }
            let folder = asset_folder(&ty.kind);
            // File names are lower case, so `Foo` and `foo` would share a
            // page; the later one gets a number.
            let path = unique(
                &mut taken,
                format!("assets/{folder}/{}.md", ty.name.to_lowercase()),
            );
            types.insert(ty.name.clone(), path);
        }
        Self { operations, types }
    }

    /// The type's name, linked from the page at `from` to the type's page;
    /// a built-in scalar has none.
    fn type_name(&self, name: &str, from: &str) -> String {
        match self.types.get(name) {
            Some(path) => link(name, &relative(from, path)),
            None => name.to_owned(),
        }
    }
}

fn asset_folder(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::InputObject(_) => "inputs",
        TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_) => "types",
        TypeKind::Enum(_) => "enums",
        TypeKind::Scalar => "scalars",
    }
}

/// `path`, or `path` with `-2`, `-3`… before `.md` if it is taken.
fn unique(taken: &mut HashSet<String>, path: String) -> String {
    let mut candidate = path.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{}-{n}.md", path.trim_end_matches(".md"));
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// The group of a schema file: its name without folder and extension, made
/// safe for a folder name.
fn group_name(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if safe.is_empty() {
        "api".to_owned()
    } else {
        safe
    }
}

/// The relative link from the page at `from` to the page at `to`.
fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{to}", "../".repeat(depth))
}

/// A type as a table cell: the SDL notation without the outer `!` (the
/// nullability has its own column), the named type linked to its page.
fn type_cell(paths: &Paths<'_>, ty: &TypeRef, from: &str) -> String {
    fn inner(paths: &Paths<'_>, ty: &TypeRef, from: &str) -> String {
        match ty {
            TypeRef::Named(name) => paths.type_name(name, from),
            TypeRef::List(item) => format!("[{}]", inner(paths, item, from)),
            TypeRef::NonNull(item) => format!("{}!", inner(paths, item, from)),
        }
    }
    match ty {
        TypeRef::NonNull(item) => inner(paths, item, from),
        other => inner(paths, other, from),
    }
}

/// `true` or `false`: whether a value of `ty` may be left out or null.
fn optional(ty: &TypeRef) -> String {
    (!ty.is_non_null()).to_string()
}

fn input_row(paths: &Paths<'_>, value: &InputValue, from: &str) -> Vec<String> {
    vec![
        value.name.clone(),
        type_cell(paths, &value.ty, from),
        optional(&value.ty),
        value
            .default
            .as_ref()
            .map_or_else(String::new, |default| cell(&default.to_string())),
        cell(value.description.as_deref().unwrap_or_default()),
        cell(value.deprecation.as_deref().unwrap_or_default()),
    ]
}

fn output_row(paths: &Paths<'_>, field: &Field, from: &str) -> Vec<String> {
    vec![
        field.name.clone(),
        type_cell(paths, &field.ty, from),
        optional(&field.ty),
        cell(field.description.as_deref().unwrap_or_default()),
        cell(field.deprecation.as_deref().unwrap_or_default()),
    ]
}

fn input_table(paths: &Paths<'_>, fields: &[InputValue], from: &str) -> Table {
    let mut table = Table::input_fields();
    for field in fields {
        table.push(input_row(paths, field, from));
    }
    table
}

fn output_table(paths: &Paths<'_>, fields: &[Field], from: &str) -> Table {
    let mut table = Table::output_fields();
    for field in fields {
        table.push(output_row(paths, field, from));
    }
    table
}

/// One section of an operation page: its `###` entries for the table of
/// contents and its text.
#[derive(Default)]
struct Section {
    entries: Vec<(String, String)>,
    text: String,
}

impl Section {
    /// A `### heading` and its body; `anchor_text` is the heading as
    /// GitHub reads it for the anchor.
    fn add(&mut self, anchors: &mut Anchors, heading: &str, anchor_text: &str, body: &str) {
        let title = anchor_text
            .split_once(" optionable")
            .map_or(anchor_text, |(title, _)| title);
        self.entries
            .push((title.to_owned(), anchors.anchor(anchor_text)));
        self.text.push_str(&format!("### {heading}\n{body}"));
    }
}

struct OperationPage<'a, 's> {
    schema: &'s Schema,
    paths: &'a Paths<'s>,
    operation: &'a OperationRef<'s>,
    anchors: Anchors,
}

impl<'a, 's> OperationPage<'a, 's> {
    fn new(schema: &'s Schema, paths: &'a Paths<'s>, operation: &'a OperationRef<'s>) -> Self {
        let mut anchors = Anchors::default();
        // The page's fixed headings take their anchors first.
        for heading in [
            &format!("{} {}", operation.operation.keyword(), operation.field.name),
            "Input",
            "Output",
            "Errors",
            "Example",
            "Request",
            "Response",
        ] {
            anchors.anchor(heading);
        }
        Self {
            schema,
            paths,
            operation,
            anchors,
        }
    }

    fn from(&self) -> &str {
        &self.operation.path
    }

    /// The page. Its layout rules, beside the tables' own:
    /// - the line after the `#` heading holds the operation's description
    ///   after one space, so an undocumented operation leaves a line with
    ///   just that space;
    /// - a section's body is followed by a blank line, an empty body by
    ///   nothing, so `## Errors` without errors runs into `## Example`;
    /// - the file ends with the closing code fence and no newline.
    fn render(mut self) -> String {
        let field = self.operation.field;
        let input = self.input();
        let output = self.output();
        let errors = self.errors();

        let mut page = format!(
            "{}\n",
            link("back", &relative(self.from(), TABLE_OF_CONTENTS))
        );
        for (name, anchor, section) in [
            ("Input", "input", &input),
            ("Output", "output", &output),
            ("Errors", "errors", &errors),
        ] {
            page.push_str(&format!("* {}\n", link(name, &format!("#{anchor}"))));
            for (title, anchor) in &section.entries {
                page.push_str(&format!("  * {}\n", link(title, &format!("#{anchor}"))));
            }
        }
        page.push_str(
            "* [Example](#example)\n  * [Request](#request)\n  * [Response](#response)\n\n",
        );

        page.push_str(&format!(
            "# {} {}\n {}\n",
            self.operation.operation.keyword(),
            field.name,
            field.description.as_deref().unwrap_or_default()
        ));
        for (name, section) in [("Input", &input), ("Output", &output), ("Errors", &errors)] {
            page.push_str(&format!("## {name}\n{}", section.text));
            if !section.text.is_empty() {
                page.push('\n');
            }
        }
        page.push_str(&format!(
            "## Example\n### Request\n```graphql\n{}\n```\n### Response\n```json\n{}\n```",
            example::request(self.schema, self.operation.operation, field),
            example::response(self.schema, field)
        ));
        page
    }

    /// The arguments' input types, each with its nested input types down
    /// to `MAX_TABLE_DEPTH`, depth first, each once. Arguments that are not
    /// input objects have no table of their own, so when there are any,
    /// an `arguments` table of every argument comes first.
    fn input(&mut self) -> Section {
        let mut section = Section::default();
        let args = &self.operation.field.args;
        if args.iter().any(|arg| !self.is_input_object(arg.ty.base())) {
            let body = input_table(self.paths, args, self.from()).render();
            section.add(&mut self.anchors, "arguments", "arguments", &body);
        }
        let mut seen = HashSet::new();
        for arg in args {
            self.input_type(&mut section, &mut seen, &arg.ty, 0);
        }
        section
    }

    fn is_input_object(&self, name: &str) -> bool {
        matches!(
            self.schema.get(name).map(|t| &t.kind),
            Some(TypeKind::InputObject(_))
        )
    }

    fn input_type(
        &mut self,
        section: &mut Section,
        seen: &mut HashSet<String>,
        ty: &TypeRef,
        depth: usize,
    ) {
        let name = ty.base();
        let Some(TypeKind::InputObject(fields)) = self.schema.get(name).map(|t| &t.kind) else {
            return;
        };
        if !seen.insert(name.to_owned()) {
            return;
        }
        let body = input_table(self.paths, fields, self.from()).render();
        self.add_type_heading(section, ty, &body);
        if depth < MAX_TABLE_DEPTH {
            for field in fields {
                self.input_type(section, seen, &field.ty, depth + 1);
            }
        }
    }

    /// `### [Name](page) `optionable: …`` with `body` below it.
    fn add_type_heading(&mut self, section: &mut Section, ty: &TypeRef, body: &str) {
        let name = ty.base();
        let title = self.paths.type_name(name, self.from());
        let optionable = format!("optionable: {}", optional(ty));
        section.add(
            &mut self.anchors,
            &format!("{title} `{optionable}`"),
            &format!("{name} {optionable}"),
            body,
        );
    }

    /// The output type, with its nested object types down to
    /// `MAX_TABLE_DEPTH`. A scalar, enum or union output gets its heading
    /// alone.
    fn output(&mut self) -> Section {
        let mut section = Section::default();
        let mut seen = HashSet::new();
        let ty = &self.operation.field.ty;
        self.output_type(&mut section, &mut seen, ty, 0);
        section
    }

    fn output_type(
        &mut self,
        section: &mut Section,
        seen: &mut HashSet<String>,
        ty: &TypeRef,
        depth: usize,
    ) {
        let name = ty.base();
        if !seen.insert(name.to_owned()) {
            return;
        }
        match self.schema.get(name).map(|t| &t.kind) {
            Some(TypeKind::Object(object) | TypeKind::Interface(object)) => {
                let body = output_table(self.paths, &object.fields, self.from()).render();
                self.add_type_heading(section, ty, &body);
                if depth < MAX_TABLE_DEPTH {
                    for field in &object.fields {
                        if self.is_composite(field.ty.base()) {
                            self.output_type(section, seen, &field.ty, depth + 1);
                        }
                    }
                }
            }
            _ if depth == 0 => self.add_type_heading(section, ty, ""),
            _ => {}
        }
    }

    fn is_composite(&self, name: &str) -> bool {
        matches!(
            self.schema.get(name).map(|t| &t.kind),
            Some(TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_))
        )
    }

    /// The declared error codes, under the heading of their enum.
    fn errors(&mut self) -> Section {
        let mut section = Section::default();
        let Some(errors) = &self.operation.field.errors else {
            return section;
        };
        let Some(TypeKind::Enum(values)) = self.schema.get(&errors.enum_name).map(|t| &t.kind)
        else {
            return section;
        };
        let mut table = Table::new(&["codes", "descriptions", "deprecated"]);
        for value in values {
            table.push(enum_row(value));
        }
        let title = self.paths.type_name(&errors.enum_name, self.from());
        section.add(
            &mut self.anchors,
            &title,
            &errors.enum_name,
            &table.render(),
        );
        section
    }
}

fn enum_row(value: &EnumValue) -> Vec<String> {
    vec![
        value.name.clone(),
        cell(value.description.as_deref().unwrap_or_default()),
        cell(value.deprecation.as_deref().unwrap_or_default()),
    ]
}

/// An asset page: the type's description and its fields, values or
/// members.
fn type_page(schema: &Schema, paths: &Paths<'_>, ty: &TypeDef) -> String {
    let Some(from) = paths.types.get(&ty.name) else {
        return String::new();
    };
    let keyword = match &ty.kind {
        TypeKind::InputObject(_) => "input",
        TypeKind::Object(_) => "type",
        TypeKind::Interface(_) => "interface",
        TypeKind::Union(_) => "union",
        TypeKind::Enum(_) => "enum",
        TypeKind::Scalar => "scalar",
    };
    let mut page = format!(
        "{}\n\n# {keyword} {}\n",
        link("back", &relative(from, TABLE_OF_CONTENTS)),
        ty.name
    );
    if let Some(description) = &ty.description {
        page.push_str(&format!("{description}\n"));
    }
    page.push('\n');
    match &ty.kind {
        TypeKind::InputObject(fields) => page.push_str(&input_table(paths, fields, from).render()),
        TypeKind::Object(object) | TypeKind::Interface(object) => {
            page.push_str(&object_body(schema, paths, object, ty, from));
        }
        TypeKind::Union(members) => {
            page.push_str("Members:\n\n");
            for member in members {
                page.push_str(&format!("* {}\n", paths.type_name(member, from)));
            }
        }
        TypeKind::Enum(values) => {
            let mut table = Table::new(&["values", "descriptions", "deprecated"]);
            for value in values {
                table.push(enum_row(value));
            }
            page.push_str(&table.render());
        }
        TypeKind::Scalar => {}
    }
    page
}

/// An object's or interface's page body: what it implements or who
/// implements it, its fields, and a table for each field's arguments.
fn object_body(
    schema: &Schema,
    paths: &Paths<'_>,
    object: &ObjectType,
    ty: &TypeDef,
    from: &str,
) -> String {
    let mut body = String::new();
    let linked = |names: &mut dyn Iterator<Item = &str>| -> String {
        names
            .map(|name| paths.type_name(name, from))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !object.interfaces.is_empty() {
        let implements = linked(&mut object.interfaces.iter().map(String::as_str));
        body.push_str(&format!("Implements: {implements}\n\n"));
    }
    if matches!(ty.kind, TypeKind::Interface(_)) {
        let mut implementors = schema.types().iter().filter_map(|other| match &other.kind {
            TypeKind::Object(o) | TypeKind::Interface(o) if o.interfaces.contains(&ty.name) => {
                Some(other.name.as_str())
            }
            _ => None,
        });
        let implementors = linked(&mut implementors);
        if !implementors.is_empty() {
            body.push_str(&format!("Implemented by: {implementors}\n\n"));
        }
    }
    body.push_str(&output_table(paths, &object.fields, from).render());
    for field in object.fields.iter().filter(|field| !field.args.is_empty()) {
        body.push_str(&format!(
            "\n### {} arguments\n{}",
            field.name,
            input_table(paths, &field.args, from).render()
        ));
    }
    body
}

/// `tableOfContent.md`: the operations by group, in schema order (queries,
/// then mutations, then subscriptions), then the types by kind.
fn table_of_contents(schema: &Schema, paths: &Paths<'_>) -> String {
    let mut page = "# Table of contents\n\n## Operations\n".to_owned();
    let mut groups: Vec<&str> = Vec::new();
    for operation in &paths.operations {
        if !groups.contains(&operation.group.as_str()) {
            groups.push(&operation.group);
        }
    }
    for group in groups {
        page.push_str(&format!("\n### {group}\n"));
        for operation in paths.operations.iter().filter(|o| o.group == group) {
            page.push_str(&format!(
                "* {}\n",
                link(
                    &format!("{} {}", operation.operation.keyword(), operation.field.name),
                    &operation.path
                )
            ));
        }
    }
    page.push_str("\n## Types\n");
    for (title, folder) in [
        ("Inputs", "inputs"),
        ("Objects", "types"),
        ("Enums", "enums"),
        ("Scalars", "scalars"),
    ] {
        let entries: Vec<&TypeDef> = schema
            .types()
            .iter()
            .filter(|ty| !schema.is_root(&ty.name) && asset_folder(&ty.kind) == folder)
            .collect();
        if entries.is_empty() {
            continue;
        }
        page.push_str(&format!("\n### {title}\n"));
        for ty in entries {
            if let Some(path) = paths.types.get(&ty.name) {
                page.push_str(&format!("* {}\n", link(&ty.name, path)));
            }
        }
    }
    page
}
