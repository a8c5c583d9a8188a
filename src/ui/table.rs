//! Plain aligned columns for people to read: two spaces between columns,
//! no borders, no trailing spaces. Widths count what a terminal shows, so
//! colors (ANSI escapes) and wide characters line up.
//!
//! Hand-written because the general table crates cost tens of
//! milliseconds on a status listing of thousands of requests.

use unicode_width::UnicodeWidthStr;

#[derive(Debug, Default)]
pub(crate) struct Table {
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Table {
    pub(crate) fn new() -> Table {
        Table::default()
    }

    pub(crate) fn header<S: Into<String>>(
        &mut self,
        cells: impl IntoIterator<Item = S>,
    ) -> &mut Table {
        self.header = Some(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Align column `index` (from 0) to the right, as numbers read best.
    pub(crate) fn align_right(&mut self, index: usize) -> &mut Table {
        self.right.push(index);
        self
    }

    pub(crate) fn row<S: Into<String>>(
        &mut self,
        cells: impl IntoIterator<Item = S>,
    ) -> &mut Table {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    pub(crate) fn render(&self) -> String {
        let all: Vec<&Vec<String>> = self.header.iter().chain(&self.rows).collect();
        let columns = all.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &all {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(display_width(cell));
            }
        }
        let mut out = String::new();
        for row in all {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = widths[i] - display_width(cell);
                if self.right.contains(&i) {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if i + 1 < row.len() {
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.pop();
        out
    }
}

/// How many columns `s` takes on a terminal, not counting color escapes.
fn display_width(s: &str) -> usize {
    if !s.contains('\x1b') {
        return s.width();
    }
    let mut width = 0;
    let mut rest = s;
    while let Some(start) = rest.find('\x1b') {
        width += rest[..start].width();
        rest = &rest[start..];
        match rest.find('m') {
            Some(end) => rest = &rest[end + 1..],
            None => return width,
        }
    }
    width + rest.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_without_trailing_space() {
        let mut t = Table::new();
        t.header(["ID", "NAME", "N"]).align_right(2);
        t.row(["a", "Ada Lovelace", "3"]);
        t.row(["bb", "Émile", "12"]);
        t.row(["c", "", "1"]);
        assert_eq!(
            t.render(),
            "ID  NAME           N\na   Ada Lovelace   3\nbb  Émile         12\nc                  1"
        );
    }

    #[test]
    fn colors_and_wide_characters_take_their_shown_width() {
        assert_eq!(display_width("\x1b[32mreplied\x1b[0m"), 7);
        assert_eq!(display_width("日本"), 4);
        let mut t = Table::new();
        t.row(["\x1b[1mX\x1b[0m", "y"]);
        t.row(["wide", "z"]);
        assert_eq!(t.render(), "\x1b[1mX\x1b[0m     y\nwide  z");
    }
}
