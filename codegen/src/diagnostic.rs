//! Positioned diagnostics: what the generator reports about a schema, rendered
//! as `file:line:col: message` with the offending source line under it.

use std::fmt;

/// A 1-based line and column in a schema file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A position in one of the schema files of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// Index into the run's list of source files.
    pub file: usize,
    pub pos: Pos,
}

/// One problem found in a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The schema file, as it was named to the generator.
    pub file: String,
    pub pos: Pos,
    pub message: String,
    /// The source line at `pos`, for the rendered snippet.
    pub source_line: Option<String>,
}

impl fmt::Display for Diagnostic {
    /// The first line is `file:line:col: message`, the form editors and CI
    /// logs link to; a snippet with a caret follows when the line is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.pos.line, self.pos.column, self.message
        )?;
        if let Some(line) = &self.source_line {
            let number = self.pos.line.to_string();
            let gutter = " ".repeat(number.len());
            // The caret lines up under the column, counting characters, and
            // keeps the line's tabs so that it stays aligned in a terminal.
            let lead: String = line
                .chars()
                .take(self.pos.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{gutter} |\n{number} | {line}\n{gutter} | {lead}^")?;
        }
        Ok(())
    }
}

/// Every problem found in a run, in file and position order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The first line of each diagnostic, without snippets: the form the
    /// golden tests compare.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{}: {}\n",
                    d.file, d.pos.line, d.pos.column, d.message
                )
            })
            .collect()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{diagnostic}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} in the schema",
            if n == 1 { "" } else { "s" }
        )
    }
}

/// The schema files of one run, so that spans can be turned into diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<(String, String)>,
}

impl Sources {
    /// Adds a file under the name diagnostics will show; returns its index.
    pub fn add(&mut self, name: String, text: String) -> usize {
        self.files.push((name, text));
        self.files.len() - 1
    }

    pub fn name(&self, file: usize) -> &str {
        &self.files[file].0
    }

    pub fn text(&self, file: usize) -> &str {
        &self.files[file].1
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(name, _)| name.as_str())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn diagnostic(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        let (name, text) = &self.files[span.file];
        Diagnostic {
            file: name.clone(),
            pos: span.pos,
            message: message.into(),
            source_line: text
                .lines()
                .nth(span.pos.line.wrapping_sub(1))
                .map(str::to_owned),
        }
    }
}

/// Where each line of a text starts, to turn line:column positions into
/// byte offsets and back without rescanning the text each time.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts }
    }

    /// The byte offset of a 1-based line and column (columns count
    /// characters, as graphql-parser's do).
    pub fn offset(&self, text: &str, pos: Pos) -> Option<usize> {
        let start = *self.starts.get(pos.line.checked_sub(1)?)?;
        let end = self.starts.get(pos.line).copied().unwrap_or(text.len());
        let column = text[start..end]
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map(|(i, _)| i)?;
        Some(start + column)
    }

    /// The 1-based line and column of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        Pos { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_converts_both_ways_counting_characters() {
        let text = "ab\n\"🦀\" c\n\nlast";
        let lines = LineIndex::new(text);
        for (pos, offset) in [
            ((1, 1), 0),
            ((1, 3), 2),
            ((2, 1), 3),
            ((2, 4), 9),
            ((3, 1), 12),
            ((4, 2), 14),
        ] {
            let pos = Pos {
                line: pos.0,
                column: pos.1,
            };
            assert_eq!(lines.offset(text, pos), Some(offset), "{pos:?}");
            assert_eq!(lines.position(text, offset), pos, "{offset}");
        }
        assert_eq!(lines.offset(text, Pos { line: 9, column: 1 }), None);
        assert_eq!(lines.offset(text, Pos { line: 0, column: 1 }), None);
    }
}
