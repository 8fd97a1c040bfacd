//! The validator's rules for directive definitions: `repeatable`, argument
//! types, reserved names and self-reference.

use sdl_codegen::validate_str;

fn errors(sdl: &str) -> String {
    match validate_str("schema.graphql", sdl) {
        Ok(_) => String::new(),
        Err(diagnostics) => diagnostics.summary(),
    }
}

#[test]
fn repeatable_directives_may_be_used_more_than_once() {
    let sdl = r#"
"""Tags a field."""
directive @tag(
  "The tag; may contain ) and repeatable."
  name: String = "a (b)" # a comment with repeatable
) repeatable on FIELD_DEFINITION | OBJECT

directive @once(name: String) on FIELD_DEFINITION

type Query @tag(name: "x") @tag(name: "y") {
  a: Int @tag(name: "x") @tag
  b: Int @once @once
}
"#;
    assert_eq!(
        errors(sdl),
        "schema.graphql:12:16: directive `@once` is used twice on `Query.b`\n"
    );
}

#[test]
fn directive_arguments_need_known_input_types() {
    let sdl = "
directive @a(x: Query, y: Missing, z: Int = \"no\") on FIELD_DEFINITION
type Query { a: Int }
";
    assert_eq!(
        errors(sdl),
        "schema.graphql:2:17: argument `@a.x` has the output type `Query`; arguments need an \
         input type (a scalar, an enum or an input object)\n\
         schema.graphql:2:27: unknown type `Missing` for argument `@a.y`\n\
         schema.graphql:2:36: default value `\"no\"` of argument `@a.z` is not a `Int`: \
         `\"no\"` is not a valid `Int`\n"
    );
}

#[test]
fn directive_names_and_self_reference() {
    let sdl = "
directive @__internal on FIELD_DEFINITION
directive @loop(x: Int @loop) on FIELD_DEFINITION | ARGUMENT_DEFINITION
type Query { a: Int }
";
    assert_eq!(
        errors(sdl),
        "schema.graphql:2:1: directive name `__internal` starts with `__`, which GraphQL \
         reserves for introspection\n\
         schema.graphql:3:24: directive `@loop` is used on its own argument `x`; a directive \
         definition cannot refer to itself\n"
    );
}

#[test]
fn the_errors_directive_cannot_be_repeatable() {
    let sdl = "
directive @errors(codes: String!) repeatable on FIELD_DEFINITION
type Query { a: Int }
";
    assert_eq!(
        errors(sdl),
        "schema.graphql:2:1: `@errors` is the generator's error-code directive; define it as \
         `directive @errors(codes: String!) on FIELD_DEFINITION`\n"
    );
}
