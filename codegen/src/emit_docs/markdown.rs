//! The markdown building blocks of the API pages, in the layout of the
//! GraphQL-to-markdown generator that wrote the project's first API page:
//! its tables, its heading anchors and its cell escaping. Each quirk of that
//! layout is reproduced by a rule, written down where it is applied.

use std::collections::HashMap;

/// A table: its column names, the alignment row's cells, and its rows.
pub struct Table {
    header: Vec<&'static str>,
    alignment: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose alignment cells are as wide as the column names.
    pub fn new(header: &[&'static str]) -> Self {
        let alignment = header.iter().map(|name| centred(name.len())).collect();
        Self {
            header: header.to_vec(),
            alignment,
            rows: Vec::new(),
        }
    }

    /// An output type's table. The model generator built it from the input
    /// table by dropping `default` and renaming `optionable` to `nullable`,
    /// keeping the alignment cells: so the `nullable` column keeps the
    /// 10-character cell of `optionable` where its own name has 8.
    pub fn output_fields() -> Self {
        let mut table = Self::input_fields();
        table.header = vec!["fields", "types", "nullable", "descriptions", "deprecated"];
        table.alignment.remove(3);
        table
    }

    pub fn input_fields() -> Self {
        Self::new(&[
            "fields",
            "types",
            "optionable",
            "default",
            "descriptions",
            "deprecated",
        ])
    }

    pub fn push(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table's lines, each ending in a newline.
    ///
    /// - The header is `| ` and the names joined with ` |`, closed by ` |`.
    /// - The alignment row joins its cells with `  |` (two spaces), closed
    ///   the same way.
    /// - A row is `| ` and the cells joined with ` |`, then a space. The
    ///   rows are joined with `|` + newline, so every row but the last
    ///   gets its closing `|`: the last row of each table lacks it.
    pub fn render(&self) -> String {
        let mut out = format!("| {} |\n", self.header.join(" |"));
        out.push_str(&format!("| {}  |\n", self.alignment.join("  |")));
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|cells| format!("| {} ", cells.join(" |")))
            .collect();
        if !rows.is_empty() {
            out.push_str(&rows.join("|\n"));
            out.push('\n');
        }
        out
    }
}

/// `:---:` as wide as `width` characters (at least `:-:`).
fn centred(width: usize) -> String {
    format!(":{}:", "-".repeat(width.saturating_sub(2).max(1)))
}

/// Text for a table cell: one line, with `|` escaped so it cannot end the
/// cell. Line breaks become spaces; markdown joins a paragraph's lines
/// with a space anyway.
pub fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// A link, `[text](target)`.
pub fn link(text: &str, target: &str) -> String {
    format!("[{text}]({target})")
}

/// Heading anchors as GitHub makes them, numbering repeats (`-1`, `-2`).
#[derive(Default)]
pub struct Anchors {
    seen: HashMap<String, usize>,
}

impl Anchors {
    /// The anchor of a heading whose rendered text is `text` (link targets
    /// and code-span backticks already removed): lower case, letters,
    /// digits, `_` and `-` kept, spaces turned into `-`, the rest dropped.
    pub fn anchor(&mut self, text: &str) -> String {
        let slug: String = text
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c),
                _ => None,
            })
            .collect();
        let count = self.seen.entry(slug.clone()).or_insert(0);
        let anchor = match *count {
            0 => slug,
            n => format!("{slug}-{n}"),
        };
        *count += 1;
        anchor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_row_lacks_its_closing_pipe() {
        let mut table = Table::new(&["fields", "types"]);
        table.push(vec!["a".to_owned(), "String".to_owned()]);
        table.push(vec!["b".to_owned(), String::new()]);
        assert_eq!(
            table.render(),
            "| fields |types |\n| :----:  |:---:  |\n| a |String |\n| b | \n"
        );
    }

    #[test]
    fn anchors_follow_github() {
        let mut anchors = Anchors::default();
        assert_eq!(
            anchors.anchor("CreatePasskeyResolverDto optionable: false"),
            "createpasskeyresolverdto-optionable-false"
        );
        assert_eq!(anchors.anchor("Input"), "input");
        assert_eq!(anchors.anchor("Input"), "input-1");
        assert_eq!(anchors.anchor("snake_case & more!"), "snake_case--more");
    }

    #[test]
    fn cells_are_one_line_and_cannot_end_early() {
        assert_eq!(cell("a | b\n  c"), "a \\| b c");
    }
}
