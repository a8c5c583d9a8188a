//! Positions in text files, for errors that point at a line and column.

use std::fmt;

/// A 1-based line and column (in characters) in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineCol {
    /// The position of byte `offset` in `text`.
    pub fn of(text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        LineCol { line, column }
    }
}

/// Where each line of a text starts, so that many positions can be looked
/// up without rescanning the text each time (a contacts file with
/// thousands of people has tens of thousands of fields).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of byte `offset`, as [`LineCol::of`] gives it.
    pub fn of(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        LineCol { line, column }
    }
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// toml's messages are sentences ending in a newline or period; our voice is
/// a lowercase clause.
pub fn toml_message(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "invalid TOML".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(LineCol::of(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(LineCol::of(text, 6), LineCol { line: 2, column: 1 });
        // é is two bytes but one column
        assert_eq!(LineCol::of(text, 9), LineCol { line: 2, column: 3 });
        assert_eq!(LineCol::of(text, 999).line, 3);
    }

    #[test]
    fn the_index_agrees_with_a_scan() {
        let text = "a = 1\nbé = 2\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 3 {
            if text.is_char_boundary(offset.min(text.len())) {
                assert_eq!(
                    index.of(offset),
                    LineCol::of(text, offset),
                    "offset {offset}"
                );
            }
        }
    }

    #[test]
    fn toml_messages_read_as_clauses() {
        assert_eq!(
            toml_message("Missing field `email`\n"),
            "missing field `email`"
        );
        assert_eq!(toml_message(""), "invalid TOML");
    }
}
