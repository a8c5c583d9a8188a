//! Positions in text files, for errors that point at a line and column.

use std::fmt;

/// A 1-based line and column (in characters) in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl LineCol {
    /// The position of byte `offset` in `text`.
    pub(crate) fn of(text: &str, offset: usize) -> LineCol {
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
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of byte `offset`, as [`LineCol::of`] gives it.
    pub(crate) fn of(&self, offset: usize) -> LineCol {
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
pub(crate) fn toml_message(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "invalid TOML".into(),
    }
}

/// A toml or serde message about the value at byte `offset` of `text`, in
/// the user's words: the key named, and types said as a person says them
/// (`a whole number`, not `i64`; `true or false`, not `a boolean`).
pub(crate) fn toml_problem(text: &str, offset: Option<usize>, message: &str) -> String {
    let plain = toml_message(message);
    let key = offset.and_then(|o| key_before(text, o));
    let subject = key.map_or_else(|| "the value".to_string(), |k| format!("`{k}`"));
    if let Some((got, expected)) = plain
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        let line = offset
            .and_then(|o| text.get(o..))
            .and_then(|rest| rest.lines().next())
            .unwrap_or("");
        if got == "sequence" && line.trim_start().starts_with("[[") {
            let name = line.trim().trim_start_matches('[').trim_end_matches(']');
            return format!(
                "`{}` is an array of tables; a contact or a setting is one table: `[{name}]`",
                line.trim()
            );
        }
        if expected == "any valid TOML value" {
            // Only a number past what TOML holds gets here.
            return format!(
                "{subject} is {}, larger than a TOML number can be",
                got_in_words(got)
            );
        }
        return format!(
            "{subject} must be {}, not {}",
            expected_in_words(expected, key),
            got_in_words(got)
        );
    }
    if plain.starts_with("data did not match any variant of untagged enum CommandLine") {
        return format!(
            "{subject} must be a command: an array of strings (e.g. [\"pass\", \"show\", \"mail\"]) \
             or one string run by `sh -c`"
        );
    }
    if let (Some(key), Some(rest)) = (key, plain.strip_prefix("unknown variant ")) {
        // "`startls`, expected one of `starttls`, `tls`, `none`"
        return match rest.split_once(", expected ") {
            Some((given, allowed)) => format!("`{key}` is {given}; it must be {allowed}"),
            None => format!("`{key}` is {rest}"),
        };
    }
    plain
}

/// The key of the `key = value` line holding byte `offset`, when the value
/// starts on that line.
fn key_before(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset.min(text.len()))?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let key = key.rsplit('.').next().unwrap_or(key).trim();
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.starts_with('[')).then_some(key)
}

/// What serde expected, said for a person.
fn expected_in_words(expected: &str, key: Option<&str>) -> String {
    match expected {
        "i64" | "i32" | "an integer" if key == Some("port") => {
            "a whole number from 1 to 65535".into()
        }
        "i8" | "i16" | "i32" | "i64" | "an integer" => "a whole number".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".into(),
        "f32" | "f64" | "a float" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" | "path string" | "a character" => "text in quotes".into(),
        "a sequence" => "an array in brackets, e.g. [\"a\", \"b\"]".into(),
        "a map" => "a table".into(),
        other if other.starts_with("struct ") => "a table".into(),
        other => other.into(),
    }
}

/// What serde found, said for a person: `string "587"` is `the string
/// "587"`, ``integer `7` `` is `the number 7`.
fn got_in_words(got: &str) -> String {
    // ``integer `7` `` or ``integer `7` as i128``: the value between the ticks.
    let ticked = |prefix: &str| {
        got.strip_prefix(prefix).map(|v| match v.strip_prefix('`') {
            Some(rest) => rest.split('`').next().unwrap_or(rest).to_string(),
            None => v.to_string(),
        })
    };
    if let Some(s) = got.strip_prefix("string ") {
        format!("the string {s}")
    } else if let Some(n) = ticked("integer ").or_else(|| ticked("floating point ")) {
        format!("the number {n}")
    } else if let Some(b) = ticked("boolean ") {
        b
    } else {
        match got {
            "sequence" => "an array".into(),
            "map" => "a table".into(),
            other => other.into(),
        }
    }
}

/// A `[name]` table header of a TOML file, found line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableHeader {
    /// The table's name, unquoted; dotted names (`[a.b]`) are kept whole.
    pub name: String,
    /// The 1-based line of the header.
    pub line: usize,
    /// The byte range from the header to the next header (or the end).
    pub range: std::ops::Range<usize>,
}

/// The top-level table headers of `text` (not `[[arrays]]`), in order.
/// A line scan, not a parse: it serves to point at tables of a file that
/// toml refused (a table defined twice) or to leave one out, so it also
/// works on text that does not parse.
pub(crate) fn table_headers(text: &str) -> Vec<TableHeader> {
    let mut headers: Vec<TableHeader> = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        let is_header = trimmed.starts_with('[') && !trimmed.starts_with("[[");
        if !is_header {
            continue;
        }
        if let Some(last) = headers.last_mut() {
            last.range.end = start;
        }
        let inner = trimmed[1..].split(']').next().unwrap_or("").trim();
        let name = inner
            .strip_prefix('"')
            .and_then(|n| n.strip_suffix('"'))
            .or_else(|| inner.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')))
            .unwrap_or(inner);
        headers.push(TableHeader {
            name: name.to_string(),
            line: i + 1,
            range: start..text.len(),
        });
    }
    headers
}

/// `text` with the bytes of `ranges` turned into spaces (line breaks kept),
/// so that what is left keeps its lines and columns.
pub(crate) fn blank(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for range in ranges {
        for b in &mut bytes[range.clone()] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Whole lines are blanked, so no multi-byte character is split.
    String::from_utf8_lossy(&bytes).into_owned()
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
    fn table_headers_are_found_and_blanked_by_line() {
        let text = "top = 1\n[ada]\nname = \"é\"\n[[list]]\n[\"sam\"]\nx = 2\n";
        let headers = table_headers(text);
        let names: Vec<(&str, usize)> = headers.iter().map(|h| (h.name.as_str(), h.line)).collect();
        assert_eq!(names, [("ada", 2), ("sam", 5)]);
        let blanked = blank(text, &[headers[0].range.clone()]);
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(blanked.starts_with("top = 1\n     \n"), "{blanked:?}");
        assert!(blanked.ends_with("[\"sam\"]\nx = 2\n"), "{blanked:?}");
    }

    #[test]
    fn toml_messages_read_as_clauses() {
        assert_eq!(
            toml_message("Missing field `email`\n"),
            "missing field `email`"
        );
        assert_eq!(toml_message(""), "invalid TOML");
    }

    #[test]
    fn type_errors_name_the_key_and_speak_plainly() {
        let text = "[smtp]\nport = \"587\"\nbcc_me = 1\ntags = \"x\"\nsecurity = \"startls\"\n";
        let at = |needle: &str| Some(text.find(needle).unwrap());
        assert_eq!(
            toml_problem(
                text,
                at("\"587"),
                "invalid type: string \"587\", expected i64"
            ),
            "`port` must be a whole number from 1 to 65535, not the string \"587\""
        );
        assert_eq!(
            toml_problem(
                text,
                at("1\n"),
                "invalid type: integer `1`, expected a boolean"
            ),
            "`bcc_me` must be true or false, not the number 1"
        );
        assert_eq!(
            toml_problem(
                text,
                at("\"x"),
                "invalid type: string \"x\", expected a sequence"
            ),
            "`tags` must be an array in brackets, e.g. [\"a\", \"b\"], not the string \"x\""
        );
        assert_eq!(
            toml_problem(
                text,
                at("\"startls"),
                "unknown variant `startls`, expected one of `starttls`, `tls`, `none`"
            ),
            "`security` is `startls`; it must be one of `starttls`, `tls`, `none`"
        );
        assert_eq!(
            toml_problem(text, None, "invalid type: integer `3`, expected u32"),
            "the value must be a whole number, 0 or more, not the number 3"
        );
    }
}
