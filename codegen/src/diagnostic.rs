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

/// The byte offset of a 1-based line and column (counted in characters).
pub(crate) fn offset_of(text: &str, pos: Pos) -> Option<usize> {
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n + 1 == pos.line {
            let column = line
                .char_indices()
                .nth(pos.column.saturating_sub(1))
                .map(|(i, _)| i)?;
            return Some(offset + column);
        }
        offset += line.len();
    }
    None
}

/// The 1-based line and column of a byte offset.
pub(crate) fn position_of(text: &str, offset: usize) -> Pos {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    Pos { line, column }
}
