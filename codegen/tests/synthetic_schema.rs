//! The synthetic schema of the `generate` benchmark must stay valid and
//! generatable, or the benchmark would silently stop measuring emit and
//! format.

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use sdl_codegen::model::{Operation, TypeKind};

#[test]
fn synthetic_schema_validates_emits_and_formats() {
    let mut sources = sdl_codegen::Sources::default();
    sources.add("synthetic.graphql".to_owned(), synthetic::schema());
    let schema = match sdl_codegen::validate_sources(sources.clone()) {
        Ok(schema) => schema,
        Err(diagnostics) => panic!(
            "the synthetic schema is invalid:\n{}",
            diagnostics.summary()
        ),
    };

    let count =
        |wanted: fn(&TypeKind) -> bool| schema.types().iter().filter(|t| wanted(&t.kind)).count();
    // The two roots are object types too.
    assert_eq!(
        count(|k| matches!(k, TypeKind::Object(_))),
        synthetic::OBJECTS + 2
    );
    assert_eq!(
        count(|k| matches!(k, TypeKind::InputObject(_))),
        synthetic::INPUTS
    );
    assert_eq!(
        count(|k| matches!(k, TypeKind::Enum(_))),
        synthetic::ENUMS + synthetic::MUTATION_FIELDS
    );
    assert_eq!(
        count(|k| matches!(k, TypeKind::Union(_))),
        synthetic::UNIONS
    );
    let root_fields = |operation| {
        let root = schema.root(operation).expect("root type");
        match &schema.get(&root.type_name).expect("root type").kind {
            TypeKind::Object(object) => object.fields.len(),
            _ => 0,
        }
    };
    assert_eq!(root_fields(Operation::Query), synthetic::QUERY_FIELDS);
    assert_eq!(root_fields(Operation::Mutation), synthetic::MUTATION_FIELDS);

    let tokens = match sdl_codegen::Config::new().emit(&schema) {
        Ok(tokens) => tokens,
        Err(error) => panic!("the emitter rejects the synthetic schema:\n{error}"),
    };
    let text = sdl_codegen::format_tokens(tokens, sources.names()).expect("generated code formats");
    assert!(
        text.contains("pub trait MutationResolvers"),
        "no mutation resolver trait"
    );
    assert!(
        text.contains("Change149Error"),
        "no error enum for the last mutation"
    );
}

#[test]
fn synthetic_schema_is_deterministic() {
    assert_eq!(synthetic::schema(), synthetic::schema());
}
