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
    fn toml_messages_read_as_clauses() {
        assert_eq!(
            toml_message("Missing field `email`\n"),
            "missing field `email`"
        );
        assert_eq!(toml_message(""), "invalid TOML");
    }
}
