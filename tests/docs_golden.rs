//! The markdown API docs: the seed page reproduced byte for byte from its
//! types, golden folders for schemas that use what the seed does not, and
//! every link of the generated pages (relative files and `#` anchors)
//! resolving, on the golden cases, on `schema/` and on large real schemas.
//!
//! `tests/docs-golden/<case>/schema/` holds the SDL and `expected/` the
//! pages; `BLESS=1 cargo nextest run -p passkey-api --test docs_golden`
//! rewrites `expected/` after an intended change (review with `git diff`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use sdl_codegen::{Config, Docs};

const CASES: &str = "tests/docs-golden";
const SEED_PAGE: &str = "passkey/create_passkey.md";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shared(path: &str) -> PathBuf {
    root().join("../shared").join(path)
}

fn docs_of(schema: &Path) -> Docs {
    Config::new()
        .schema(schema)
        .emit_rerun_if_changed(false)
        .docs()
        .unwrap_or_else(|error| panic!("{} does not generate docs:\n{error}", schema.display()))
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join(CASES))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("schema").is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn the_seed_page_is_generated_byte_for_byte() {
    let docs = docs_of(&root().join(CASES).join("seed/schema"));
    let seed = std::fs::read(shared("seed/create_passkey.md"))
        .expect("the seed page is at ../shared/seed/create_passkey.md");

    let page = docs
        .pages
        .get(SEED_PAGE)
        .expect("the seed operation has a page");

    if page.as_bytes() != seed.as_slice() {
        let seed = String::from_utf8_lossy(&seed);
        let diff = similar::TextDiff::from_lines(seed.as_ref(), page.as_str())
            .unified_diff()
            .header("seed", "generated")
            .to_string();
        panic!("{SEED_PAGE} differs from the seed:\n{diff}");
    }
}

#[test]
fn golden_docs() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let docs = docs_of(&case.join("schema"));
        let expected = case.join("expected");
        if bless {
            docs.write(&expected).unwrap();
            continue;
        }
        let drift = docs.drift(&expected).unwrap();
        if drift.is_empty() {
            continue;
        }
        let mut report = format!("{}:\n", case.display());
        for path in &drift.changed {
            let current = std::fs::read_to_string(expected.join(path)).unwrap();
            let diff = similar::TextDiff::from_lines(&current, &docs.pages[path])
                .unified_diff()
                .context_radius(2)
                .header("expected", "generated")
                .to_string();
            report.push_str(&format!("changed {path}:\n{diff}\n"));
        }
        for path in &drift.missing {
            report.push_str(&format!("missing from expected/: {path}\n"));
        }
        for path in &drift.extra {
            report.push_str(&format!("no longer generated: {path}\n"));
        }
        failures.push(report);
    }
    assert!(
        failures.is_empty(),
        "{}\nrun with BLESS=1 to accept",
        failures.join("\n")
    );
}

#[test]
fn every_example_request_is_graphql() {
    for case in cases() {
        let docs = docs_of(&case.join("schema"));
        for (path, page) in &docs.pages {
            let Some(start) = page.find("```graphql\n") else {
                continue;
            };
            let request = &page[start + "```graphql\n".len()..];
            let request = &request[..request.find("```").unwrap()];
            if let Err(error) = async_graphql::parser::parse_query(request) {
                panic!("{}: {path}: {error}\n{request}", case.display());
            }
        }
    }
}

#[test]
fn the_golden_cases_cover_what_the_issue_lists() {
    let features = std::fs::read_to_string(
        root()
            .join(CASES)
            .join("features/expected/library/add_book.md"),
    )
    .unwrap();
    for expected in [
        "## Errors\n### [AddBookErrorCode]",
        "|Counted on arrival. ",
        "|PAPER |",
        "[SupplierInput](../assets/inputs/supplierinput.md) `optionable: false`",
        "|Their address: three levels below the argument",
    ] {
        assert!(
            features.contains(expected),
            "add_book.md lacks {expected:?}"
        );
    }
    // Three levels deep has a link, not a table of its own.
    assert!(!features.contains("### [AddressInput]"));
}

/// The anchors of a page's headings, as GitHub makes them.
fn anchors(page: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut in_code = false;
    let mut anchors = Vec::new();
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        if in_code {
            continue;
        }
        let text = heading.trim_start_matches('#').trim();
        // Rendered text: a link shows its text; code spans lose the ticks.
        let mut rendered = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            rendered.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match (after.find("]("), after.find(')')) {
                (Some(close), Some(end)) if close < end => {
                    rendered.push_str(&after[..close]);
                    rest = &after[end + 1..];
                }
                _ => {
                    rendered.push('[');
                    rest = after;
                }
            }
        }
        rendered.push_str(rest);
        let slug: String = rendered
            .replace('`', "")
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c),
                _ => None,
            })
            .collect();
        let count = seen.entry(slug.clone()).or_default();
        anchors.push(if *count == 0 {
            slug
        } else {
            format!("{slug}-{count}")
        });
        *count += 1;
    }
    anchors
}

/// `](target)` link targets outside code blocks.
fn links(page: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    targets
}

/// `dir/../x` → `x`; `None` if it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Every broken link in `pages`, as `page: target (why)`.
fn broken_links(pages: &BTreeMap<String, String>) -> Vec<String> {
    let anchors: HashMap<&str, Vec<String>> = pages
        .iter()
        .map(|(path, text)| (path.as_str(), anchors(text)))
        .collect();
    let mut broken = Vec::new();
    for (path, text) in pages {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        // Only relative links are the generator's; descriptions may link
        // to the web.
        for target in links(text)
            .into_iter()
            .filter(|t| !t.contains("://") && !t.starts_with("mailto:"))
        {
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let resolved = if file.is_empty() {
                Some(path.clone())
            } else {
                normalize(&format!("{dir}/{file}"))
            };
            let Some(resolved) = resolved.filter(|r| pages.contains_key(r)) else {
                broken.push(format!("{path}: {target} (no such page)"));
                continue;
            };
            if !anchor.is_empty() && !anchors[resolved.as_str()].iter().any(|a| a == anchor) {
                broken.push(format!("{path}: {target} (no such heading)"));
            }
        }
    }
    broken
}

#[test]
fn the_link_checker_catches_broken_links() {
    let pages = BTreeMap::from([
        (
            "a/x.md".to_owned(),
            "# Top\n[ok](../b.md#b-c) [bad](../c.md) [gone](#nope) [self](#top) [web](https://x.test/y)\n"
                .to_owned(),
        ),
        ("b.md".to_owned(), "## B `c`\n```\n# not a heading\n[not](a link)\n```\n".to_owned()),
    ]);
    assert_eq!(
        broken_links(&pages),
        [
            "a/x.md: ../c.md (no such page)",
            "a/x.md: #nope (no such heading)"
        ]
    );
}

#[test]
fn every_link_resolves() {
    let mut schemas: Vec<PathBuf> = cases()
        .into_iter()
        .map(|case| case.join("schema"))
        .collect();
    schemas.push(root().join("schema"));
    schemas.push(shared(
        "schemas/conformance/graphql-js/github-schema-2017.graphql",
    ));
    schemas.push(shared("schemas/saleor/schema.graphql"));
    for schema in schemas {
        let docs = docs_of(&schema);
        assert!(docs.pages.len() > 3, "{}", schema.display());
        let broken = broken_links(&docs.pages);
        assert!(
            broken.is_empty(),
            "{}: {} broken links, such as:\n{}",
            schema.display(),
            broken.len(),
            broken
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
