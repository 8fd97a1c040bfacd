//! The schema model that the emitters read: owned, parser-independent types
//! in which every name is resolved and carries its Rust identifier. Only
//! `validate` builds a `Schema`, so holding one means the SDL was valid.

use std::collections::BTreeMap;

use crate::diagnostic::{Sources, Span};

/// A validated schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub(crate) sources: Sources,
    pub(crate) types: Vec<TypeDef>,
    pub(crate) index: BTreeMap<String, usize>,
    pub(crate) roots: Vec<Root>,
}

impl Schema {
    /// Every named type the schema defines, built-in scalars excluded, in
    /// source order (files in the order given, then by position).
    pub fn types(&self) -> &[TypeDef] {
        &self.types
    }

    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.index.get(name).map(|&i| &self.types[i])
    }

    /// The root operation types, query first, then mutation and subscription.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    pub fn root(&self, operation: Operation) -> Option<&Root> {
        self.roots.iter().find(|root| root.operation == operation)
    }

    pub fn is_root(&self, type_name: &str) -> bool {
        self.roots.iter().any(|root| root.type_name == type_name)
    }

    /// The names of the schema files, as they were given to the generator.
    pub fn source_names(&self) -> impl Iterator<Item = &str> {
        self.sources.names()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Query,
    Mutation,
    Subscription,
}

impl Operation {
    pub fn keyword(self) -> &'static str {
        match self {
            Operation::Query => "query",
            Operation::Mutation => "mutation",
            Operation::Subscription => "subscription",
        }
    }
}

/// A root operation type and the Rust names generated for it.
#[derive(Debug, Clone)]
pub struct Root {
    pub operation: Operation,
    pub type_name: String,
    /// The resolver trait, such as `QueryResolvers`.
    pub trait_name: String,
    /// The generated object that delegates to the trait, such as `QueryRoot`.
    pub object_name: String,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub rust_name: String,
    pub description: Option<String>,
    pub span: Span,
    pub kind: TypeKind,
    pub(crate) directives: Vec<DirectiveUse>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Scalar,
    Object(ObjectType),
    Interface(ObjectType),
    Union(Vec<String>),
    Enum(Vec<EnumValue>),
    InputObject(Vec<InputValue>),
}

impl TypeKind {
    pub fn describe(&self) -> &'static str {
        match self {
            TypeKind::Scalar => "scalar",
            TypeKind::Object(_) => "object type",
            TypeKind::Interface(_) => "interface",
            TypeKind::Union(_) => "union",
            TypeKind::Enum(_) => "enum",
            TypeKind::InputObject(_) => "input object",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ObjectType {
    pub interfaces: Vec<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub rust_name: String,
    pub description: Option<String>,
    pub ty: TypeRef,
    pub args: Vec<InputValue>,
    pub deprecation: Option<String>,
    /// The error codes the field declares with `@errors`.
    pub errors: Option<ErrorSet>,
    pub span: Span,
    pub(crate) directives: Vec<DirectiveUse>,
}

/// The error codes of one root field: the values of `enum_name`, returned
/// through the generated Rust enum `rust_name`.
#[derive(Debug, Clone)]
pub struct ErrorSet {
    pub enum_name: String,
    pub rust_name: String,
}

/// An argument or an input object field.
#[derive(Debug, Clone)]
pub struct InputValue {
    pub name: String,
    pub rust_name: String,
    pub description: Option<String>,
    pub ty: TypeRef,
    pub default: Option<Value>,
    pub deprecation: Option<String>,
    pub span: Span,
    pub(crate) directives: Vec<DirectiveUse>,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub name: String,
    pub rust_name: String,
    pub description: Option<String>,
    pub deprecation: Option<String>,
    pub span: Span,
    pub(crate) directives: Vec<DirectiveUse>,
}

/// A type reference as the SDL writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    /// The named type at the bottom of the lists and non-nulls.
    pub fn base(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.base(),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Named(name) => f.write_str(name),
            TypeRef::List(inner) => write!(f, "[{inner}]"),
            TypeRef::NonNull(inner) => write!(f, "{inner}!"),
        }
    }
}

/// A constant GraphQL value (a default value or a directive argument).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    String(String),
    Boolean(bool),
    Enum(String),
    List(Vec<Value>),
    /// Fields in name order (the parser does not keep source order).
    Object(BTreeMap<String, Value>),
    /// Not constant: only reported, never emitted.
    Variable(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Enum(name) => f.write_str(name),
            Value::Variable(name) => write!(f, "${name}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(fields) => {
                f.write_str("{")?;
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name}: {value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A directive as written on a definition; `validate` interprets the ones the
/// generator knows (`@deprecated`, `@errors`) and checks the rest exist.
#[derive(Debug, Clone)]
pub(crate) struct DirectiveUse {
    pub name: String,
    pub args: Vec<(String, Value)>,
    pub span: Span,
}

/// A `directive @name(...) on ...` definition.
#[derive(Debug, Clone)]
pub(crate) struct DirectiveDef {
    pub name: String,
    /// Whether the directive may be used more than once at one place.
    pub repeatable: bool,
    pub args: Vec<InputValue>,
    pub locations: Vec<String>,
    pub span: Span,
}
