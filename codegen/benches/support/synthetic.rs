//! A large synthetic schema, generated deterministically, that uses only
//! what the Rust emitter supports (no interfaces, no arguments on non-root
//! fields), so that every stage of generation can be measured at the size
//! of a real public API: 900 object types of 10 fields, 350 input objects,
//! 200 enums, 20 unions, a `Query` root with 300 fields taking arguments
//! (some with defaults) and a `Mutation` root with 150 fields, each
//! declaring its error codes with `@errors`.
//!
//! Shared by the `generate` benchmark and the `synthetic_schema` test, which
//! checks that it stays valid and generatable.

use std::fmt::Write as _;

pub const OBJECTS: usize = 900;
pub const INPUTS: usize = 350;
pub const ENUMS: usize = 200;
pub const UNIONS: usize = 20;
pub const QUERY_FIELDS: usize = 300;
pub const MUTATION_FIELDS: usize = 150;

const SCALARS: &[&str] = &["DateTime", "Uri", "Html", "GitObjectId", "Json", "Money"];
const BUILT_IN: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];
const NOUNS: &[&str] = &[
    "Repository",
    "Issue",
    "Comment",
    "Label",
    "Milestone",
    "Project",
    "Release",
    "Team",
    "Member",
    "Commit",
    "Review",
    "Deployment",
    "Package",
    "Invoice",
    "Order",
    "Product",
];
const VALUES: &[&str] = &[
    "OPEN", "CLOSED", "MERGED", "DRAFT", "PENDING", "ACTIVE", "ARCHIVED", "DELETED", "LOCKED",
    "PUBLIC", "PRIVATE", "INTERNAL",
];

/// A small deterministic generator (64-bit LCG), so that the schema is the
/// same on every run and machine without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn below(&mut self, n: usize) -> usize {
        self.next() % n
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn object(i: usize) -> String {
    format!("{}{i:03}", NOUNS[i % NOUNS.len()])
}

fn input(i: usize) -> String {
    format!("{}Input{i:03}", NOUNS[i % NOUNS.len()])
}

fn enumeration(i: usize) -> String {
    format!("{}State{i:03}", NOUNS[i % NOUNS.len()])
}

fn enum_values(i: usize) -> usize {
    3 + i % 6
}

/// Wraps a named type as `T`, `T!`, `[T!]!` or `[T]`.
fn wrap(rng: &mut Lcg, name: &str) -> String {
    match rng.below(6) {
        0 | 1 => name.to_owned(),
        2 | 3 => format!("{name}!"),
        4 => format!("[{name}!]!"),
        _ => format!("[{name}]"),
    }
}

/// The SDL text: about 1 MB, 900 + 350 + 200 + 150 + 20 + 6 + 2 definitions.
pub fn schema() -> String {
    let mut rng = Lcg(0x5eed_cafe_f00d_d00d);
    let mut sdl = String::with_capacity(1 << 20);
    sdl.push_str(
        "\"\"\"\nDeclares the error codes a mutation can fail with: the values of an enum.\n\"\"\"\n\
         directive @errors(codes: String!) on FIELD_DEFINITION\n\n",
    );
    for scalar in SCALARS {
        writeln!(
            sdl,
            "\"\"\"A `{scalar}` value, sent as a string.\"\"\"\nscalar {scalar}\n"
        )
        .unwrap();
    }

    for e in 0..ENUMS {
        writeln!(
            sdl,
            "\"\"\"The states of a {}.\"\"\"\nenum {} {{",
            NOUNS[e % NOUNS.len()],
            enumeration(e)
        )
        .unwrap();
        for (v, value) in VALUES.iter().enumerate().take(enum_values(e)) {
            if v == 1 {
                writeln!(sdl, "  \"\"\"Waiting for something else.\"\"\"").unwrap();
            }
            let deprecated = if v == 2 && e % 5 == 0 {
                " @deprecated(reason: \"Use `OPEN`.\")"
            } else {
                ""
            };
            writeln!(sdl, "  {value}{deprecated}").unwrap();
        }
        sdl.push_str("}\n\n");
    }

    for i in 0..INPUTS {
        writeln!(
            sdl,
            "\"\"\"Filters and settings for {}.\"\"\"\ninput {} {{",
            NOUNS[i % NOUNS.len()],
            input(i)
        )
        .unwrap();
        let fields = 4 + rng.below(5);
        for f in 0..fields {
            let (name, ty, default) = match rng.below(8) {
                0 => ("first".to_owned(), "Int".to_owned(), Some("20".to_owned())),
                1 => {
                    let e = rng.below(ENUMS);
                    let value = VALUES[rng.below(enum_values(e))];
                    let ty = enumeration(e);
                    ("state".to_owned(), ty, Some(value.to_owned()))
                }
                2 => ("query".to_owned(), "String".to_owned(), None),
                3 => (
                    "labels".to_owned(),
                    "[String!]".to_owned(),
                    Some("[]".to_owned()),
                ),
                4 => (
                    "includeArchived".to_owned(),
                    "Boolean!".to_owned(),
                    Some("false".to_owned()),
                ),
                5 if i > 0 => {
                    // Only earlier inputs, so required fields never form a cycle.
                    let target = input(rng.below(i));
                    let ty = if rng.chance(50) {
                        format!("{target}!")
                    } else {
                        target
                    };
                    ("nested".to_owned(), ty, None)
                }
                6 => (
                    "since".to_owned(),
                    SCALARS[rng.below(SCALARS.len())].to_owned(),
                    None,
                ),
                _ => ("id".to_owned(), "ID!".to_owned(), None),
            };
            if f % 3 == 0 {
                writeln!(sdl, "  \"\"\"The `{name}` setting.\"\"\"").unwrap();
            }
            let default = default.map(|d| format!(" = {d}")).unwrap_or_default();
            writeln!(sdl, "  {name}{f}: {ty}{default}").unwrap();
        }
        sdl.push_str("}\n\n");
    }

    for o in 0..OBJECTS {
        let noun = NOUNS[o % NOUNS.len()];
        writeln!(sdl, "\"\"\"\nA {noun} of the synthetic API.\n\nNumber {o}, with ten fields of mixed types.\n\"\"\"\ntype {} {{", object(o)).unwrap();
        sdl.push_str("  \"\"\"The globally unique identifier.\"\"\"\n  id: ID!\n");
        for f in 1..10 {
            let (name, base) = match rng.below(10) {
                0..=2 => ("value", BUILT_IN[rng.below(BUILT_IN.len())].to_owned()),
                3 => ("at", SCALARS[rng.below(SCALARS.len())].to_owned()),
                4 | 5 => ("state", enumeration(rng.below(ENUMS))),
                6 => ("union", format!("SearchResult{:02}", rng.below(UNIONS))),
                _ => ("related", object(rng.below(OBJECTS))),
            };
            let ty = wrap(&mut rng, &base);
            if rng.chance(60) {
                writeln!(sdl, "  \"\"\"The {name} number {f} of this {noun}.\"\"\"").unwrap();
            }
            let deprecated = if rng.chance(4) {
                " @deprecated(reason: \"Use `id`.\")"
            } else {
                ""
            };
            writeln!(sdl, "  {name}{f}: {ty}{deprecated}").unwrap();
        }
        sdl.push_str("}\n\n");
    }

    for u in 0..UNIONS {
        let members: Vec<String> = (0..2 + u % 5).map(|_| object(rng.below(OBJECTS))).collect();
        let mut members_unique: Vec<String> = Vec::new();
        for m in members {
            if !members_unique.contains(&m) {
                members_unique.push(m);
            }
        }
        writeln!(
            sdl,
            "\"\"\"Anything a search can find.\"\"\"\nunion SearchResult{u:02} = {}\n",
            members_unique.join(" | ")
        )
        .unwrap();
    }

    sdl.push_str("\"\"\"The read operations.\"\"\"\ntype Query {\n");
    for q in 0..QUERY_FIELDS {
        let target = object(rng.below(OBJECTS));
        let ty = match q % 4 {
            0 => format!("[{target}!]!"),
            1 => format!("SearchResult{:02}", rng.below(UNIONS)),
            _ => target.clone(),
        };
        let mut args = vec![format!("filter: {}", input(rng.below(INPUTS)))];
        if q % 2 == 0 {
            args.push("first: Int = 20".to_owned());
            args.push("after: String".to_owned());
        }
        if q % 3 == 0 {
            let e = rng.below(ENUMS);
            args.push(format!("state: {} = {}", enumeration(e), VALUES[0]));
        }
        if q % 5 == 0 {
            args.push("id: ID!".to_owned());
        }
        writeln!(
            sdl,
            "  \"\"\"Looks up {target} records.\"\"\"\n  lookup{q:03}({}): {ty}",
            args.join(", ")
        )
        .unwrap();
    }
    sdl.push_str("}\n\n");

    sdl.push_str("\"\"\"The write operations.\"\"\"\ntype Mutation {\n");
    for m in 0..MUTATION_FIELDS {
        let target = object(rng.below(OBJECTS));
        writeln!(
            sdl,
            "  \"\"\"Changes a {target}.\"\"\"\n  change{m:03}(input: {}!, dryRun: Boolean = false): {target}! @errors(codes: \"Change{m:03}Error\")",
            input(rng.below(INPUTS))
        )
        .unwrap();
    }
    sdl.push_str("}\n\n");
    for m in 0..MUTATION_FIELDS {
        writeln!(sdl, "\"\"\"Why `change{m:03}` can fail.\"\"\"\nenum Change{m:03}Error {{\n  NOT_FOUND\n  FORBIDDEN\n  \"\"\"The input was stale.\"\"\"\n  CONFLICT\n}}\n").unwrap();
    }
    sdl
}
