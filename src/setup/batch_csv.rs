//! The CSV file of a batch: columns found by their header name, each row
//! with the file line it starts on, and the rows a stray quote garbled
//! told apart from good ones. Pure: bytes in, rows and bad rows out.
//!
//! A quote opened and never closed makes a CSV reader take in every line
//! after it as one field; read as is, the next rows would vanish into a
//! garbled one. So a field that spans lines is a bad row unless its
//! column may hold several lines, and a quote still open at the end of the
//! file is a bad row naming the line where it opened.

/// A header row that cannot be used; `shown` names the source, and
/// `columns` says which columns a batch takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HeaderError {
    #[error("{shown}: the header row (line 1) opens a quote that is never closed")]
    UnclosedQuote { shown: String, columns: String },
    /// `reason` is the CSV reader's word.
    #[error("{shown}: cannot read the header row: {reason}")]
    Unreadable { shown: String, reason: String },
    /// `missing` lists the required columns it lacks, each in backticks.
    #[error("{shown}: the header row (line 1) has no column {missing}")]
    Missing {
        shown: String,
        missing: String,
        columns: String,
    },
    /// `unknown` lists the columns no batch takes, each in backticks.
    #[error("{shown}: unknown column {unknown} in the header row (line 1)")]
    Unknown {
        shown: String,
        unknown: String,
        columns: String,
    },
    /// `names` is every column a batch takes, comma-separated.
    #[error("{shown}: the header row (line 1) names the column `{column}` twice")]
    Twice {
        shown: String,
        column: String,
        names: String,
    },
}

/// A column a batch understands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    /// May a field of this column span lines (a note, not a name).
    pub(crate) multiline: bool,
}

impl Column {
    /// A column every batch must have, one line a field.
    pub(crate) const fn required(name: &'static str) -> Column {
        Column {
            name,
            required: true,
            multiline: false,
        }
    }

    /// A column a batch may have, one line a field.
    pub(crate) const fn optional(name: &'static str) -> Column {
        Column {
            name,
            required: false,
            multiline: false,
        }
    }

    /// The same column, its fields allowed to span lines.
    pub(crate) const fn multiline(self) -> Column {
        Column {
            multiline: true,
            ..self
        }
    }
}

/// One row: its fields by column name, as typed.
#[derive(Debug)]
pub(crate) struct Row {
    /// The file line the row starts on (the header is line 1).
    pub(crate) line: u64,
    fields: Vec<(&'static str, String)>,
}

impl Row {
    /// The row's field in `column`, if the header names that column.
    #[cfg(test)]
    pub(crate) fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| *name == column)
            .map(|(_, value)| value.as_str())
    }

    /// The row's field in `column`, moved out (a second take finds it
    /// empty), so a big batch need not hold each field twice.
    pub(crate) fn take(&mut self, column: &str) -> Option<String> {
        self.fields
            .iter_mut()
            .find(|(name, _)| *name == column)
            .map(|(_, value)| std::mem::take(value))
    }
}

/// A row that cannot be read as the user meant it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadRow {
    pub(crate) line: u64,
    pub(crate) message: String,
}

/// What a batch file holds: the rows to plan and the rows that are bad,
/// each in file order.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) rows: Vec<Row>,
    pub(crate) bad: Vec<BadRow>,
}

impl Batch {
    /// True when a bad row is one a quote garbled.
    pub(crate) fn has_quote_trouble(&self) -> bool {
        self.bad.iter().any(|b| b.message.contains("quote"))
    }
}

/// Read a batch; `shown` names the source in errors. Only a header that
/// cannot be used is an error: everything wrong with a row is a bad row.
pub(crate) fn parse(data: &[u8], columns: &[Column], shown: &str) -> Result<Batch, HeaderError> {
    let mut bad = Vec::new();
    // Rows from the one where an unclosed quote opened are one garbled
    // field: they are that one bad row, and the rows before it are read.
    let data = match unclosed_quote(data) {
        Some((0, _)) => {
            return Err(HeaderError::UnclosedQuote {
                shown: shown.to_string(),
                columns: describe(columns),
            });
        }
        Some((record_start, quote)) => {
            bad.push(BadRow {
                line: line_of(data, quote),
                message: "a quote opened on this line is never closed (the rest of the file would be one field)".into(),
            });
            &data[..record_start]
        }
        None => data,
    };
    let mut lines = Lines::new(data);
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::Headers)
        .from_reader(data);
    let headers = csv
        .headers()
        .map_err(|e| HeaderError::Unreadable {
            shown: shown.to_string(),
            reason: e.to_string(),
        })?
        .clone();
    let found = header_columns(&headers, columns, shown)?;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // csv reads the whole record before it finds it wrong, so
                // the next read goes on with the next row.
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                bad.push(BadRow {
                    line,
                    message: csv_error(&e),
                });
                continue;
            }
        }
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let spans_lines = found.iter().find(|(i, c)| {
            !c.multiline && record.get(*i).is_some_and(|f| f.contains(['\n', '\r']))
        });
        if let Some((_, c)) = spans_lines {
            bad.push(BadRow {
                line,
                message: format!(
                    "`{}` spans more than one line, which only {} may (an unclosed quote?)",
                    c.name,
                    multiline_names(columns)
                ),
            });
            continue;
        }
        let fields = found
            .iter()
            .map(|(i, c)| (c.name, record.get(*i).unwrap_or_default().to_string()))
            .collect();
        rows.push(Row { line, fields });
    }
    bad.sort_by_key(|b| b.line);
    Ok(Batch { rows, bad })
}

/// The columns the header names, with their index; an error for a missing
/// required column, an unknown one, or one named twice.
fn header_columns(
    headers: &csv::StringRecord,
    columns: &[Column],
    shown: &str,
) -> Result<Vec<(usize, Column)>, HeaderError> {
    let index = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<String> = columns
        .iter()
        .filter(|c| c.required && index(c.name).is_none())
        .map(|c| format!("`{}`", c.name))
        .collect();
    if !missing.is_empty() {
        return Err(HeaderError::Missing {
            shown: shown.to_string(),
            missing: missing.join(", "),
            columns: describe(columns),
        });
    }
    let unknown: Vec<String> = headers
        .iter()
        .filter(|h| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(h)))
        .map(|h| format!("`{h}`"))
        .collect();
    if !unknown.is_empty() {
        return Err(HeaderError::Unknown {
            shown: shown.to_string(),
            unknown: unknown.join(", "),
            columns: describe(columns),
        });
    }
    // A column named twice would be read once and its twin ignored (a
    // row could look empty to intro and not to the user): refuse it.
    let mut named: Vec<String> = Vec::new();
    for h in headers {
        let h = h.to_ascii_lowercase();
        if named.contains(&h) {
            return Err(HeaderError::Twice {
                shown: shown.to_string(),
                column: h,
                names: columns.iter().map(|c| c.name).collect::<Vec<_>>().join(","),
            });
        }
        named.push(h);
    }
    Ok(columns
        .iter()
        .filter_map(|c| Some((index(c.name)?, *c)))
        .collect())
}

/// `a,b,why and optionally wants,format,note`.
fn describe(columns: &[Column]) -> String {
    let names = |required: bool| {
        columns
            .iter()
            .filter(|c| c.required == required)
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(",")
    };
    let optional = names(false);
    if optional.is_empty() {
        names(true)
    } else {
        format!("{} and optionally {optional}", names(true))
    }
}

/// `` `note` ``, or `` `note` and `bio` ``.
fn multiline_names(columns: &[Column]) -> String {
    let names: Vec<String> = columns
        .iter()
        .filter(|c| c.multiline)
        .map(|c| format!("`{}`", c.name))
        .collect();
    match names.as_slice() {
        [] => "no field".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where a quote opened and was never closed, if one was: the byte where
/// its row starts, and the quote's byte. Reads quotes as csv does: a quote
/// opens a field only as its first character, `""` inside is a quote, and
/// `\r`, `\n` or `\r\n` end a row outside quotes.
fn unclosed_quote(data: &[u8]) -> Option<(usize, usize)> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        /// A quote inside quotes: the end of the quoting, or the first of `""`.
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut row_start = 0;
    let mut opened = 0;
    // csv skips a UTF-8 byte order mark before the header.
    let bom = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    for (i, &byte) in data.iter().enumerate().skip(bom) {
        state = match (state, byte) {
            (State::FieldStart, b'"') => {
                opened = i;
                State::Quoted
            }
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b',') => State::FieldStart,
            (_, b'\r' | b'\n') => {
                row_start = i + 1;
                State::FieldStart
            }
            _ => State::Unquoted,
        };
    }
    matches!(state, State::Quoted).then_some((row_start, opened))
}

/// The line byte `byte` is on.
fn line_of(data: &[u8], byte: usize) -> u64 {
    let mut lines = Lines::new(data);
    lines.at(byte as u64)
}

/// The line of each record, for messages. csv's own count is off after a
/// `\r\n` or a blank line and stays at 1 with `\r` line ends (found by
/// fuzzing); its byte offsets are right, so lines are counted from those.
struct Lines<'a> {
    data: &'a [u8],
    /// Counted up to here, which is on this line.
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Lines<'a> {
        Lines {
            data,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record csv places at byte `byte` (records come in
    /// order, so counting goes on from the last one).
    fn at(&mut self, byte: u64) -> u64 {
        let data = self.data;
        let mut start = usize::try_from(byte).map_or(data.len(), |b| b.min(data.len()));
        // csv places a record at the line end before it.
        while data.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        for i in self.offset..start {
            // `\r\n`, `\n` and a lone `\r` each end a line.
            if data[i] == b'\n' || (data[i] == b'\r' && data.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.offset = start;
        self.line
    }
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!(
                "has {len} fields, the header row has {expected_len} (quote fields that contain commas)"
            )
        }
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 4] = [
        Column::required("a"),
        Column::required("b"),
        Column::required("why"),
        Column::optional("note").multiline(),
    ];

    fn read(csv: &[u8]) -> Batch {
        parse(csv, &COLUMNS, "`asks.csv`").unwrap()
    }

    fn lines(csv: &[u8]) -> Vec<u64> {
        let batch = read(csv);
        assert_eq!(batch.bad, [], "{:?}", String::from_utf8_lossy(csv));
        batch.rows.iter().map(|r| r.line).collect()
    }

    fn bad(csv: &[u8]) -> Vec<(u64, String)> {
        read(csv)
            .bad
            .into_iter()
            .map(|b| (b.line, b.message))
            .collect()
    }

    /// Found by fuzzing (`fuzz/`, target `batch`): the csv crate counts a
    /// row after `\r\n` as the line before, loses blank lines, and never
    /// counts lone `\r`s, so messages named the wrong line.
    #[test]
    fn rows_and_errors_name_the_line_they_are_on() {
        assert_eq!(lines(b"A , B ,Why\r\na`aA,why,"), [2]);
        assert_eq!(lines(b"a,b,why\r\nx,y,z\r\nq,r,s\r\n"), [2, 3]);
        assert_eq!(lines(b"a,b,why\n\nx,y,z\n\n\nq,r,s\n"), [3, 6]);
        assert_eq!(lines(b"a,b,why\rx,y,z\rq,r,s\r"), [2, 3]);
        assert_eq!(
            lines(b"a,b,why,note\r\n\r\nx,y,z,\"two\nlines\"\r\nq,r,s,"),
            [3, 5]
        );
        let wrong = bad(b"a,b,why\r\nx,y,z\r\n\r\nq,r\r\nk,l,m\n");
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].0, 4);
        assert!(wrong[0].1.starts_with("has 2 fields"), "{wrong:?}");
    }

    /// Found by fuzzing (`fuzz/`, target `batch`): a header naming a
    /// column twice was read through its first, so a row with text only in
    /// the second was asked as an empty row (and its text ignored).
    #[test]
    fn a_column_named_twice_is_refused() {
        let err = parse(b" B,A, A, Why\r\n  ,,st,", &COLUMNS, "`asks.csv`").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`asks.csv`: the header row (line 1) names the column `a` twice"
        );
        assert!(parse(b"a,b,why,Why\nx,y,z\n", &COLUMNS, "`asks.csv`").is_err());
    }

    #[test]
    fn fields_are_found_by_their_header_name() {
        let batch = read(b"why,B,a\nbecause,sam,ada\n");
        let row = &batch.rows[0];
        assert_eq!(
            (row.get("a"), row.get("b"), row.get("why"), row.get("note")),
            (Some("ada"), Some("sam"), Some("because"), None)
        );
        let err = parse(b"a,b\nx,y\n", &COLUMNS, "`asks.csv`").unwrap_err();
        assert_eq!(
            err,
            HeaderError::Missing {
                shown: "`asks.csv`".into(),
                missing: "`why`".into(),
                columns: "a,b,why and optionally note".into(),
            }
        );
    }

    #[test]
    fn a_field_taken_is_moved_out_once() {
        let mut batch = read(b"a,b,why\nada,sam,because\n");
        let row = &mut batch.rows[0];
        assert_eq!(row.take("why").as_deref(), Some("because"));
        assert_eq!(row.take("why").as_deref(), Some(""));
        assert_eq!(row.take("note"), None, "no such column");
        assert_eq!(row.get("a"), Some("ada"));
    }

    /// A quote never closed took in every later row as one field: the
    /// rows before it are read, the rest is one bad row where it opened.
    #[test]
    fn a_quote_left_open_is_a_bad_row_where_it_opened() {
        let batch = read(b"a,b,why\nada,sam,fine\nalan,kay,\"unterminated quote\nlin,sam,next\n");
        assert_eq!(batch.rows.len(), 1);
        assert_eq!(batch.rows[0].get("why"), Some("fine"));
        assert_eq!(batch.bad.len(), 1);
        assert_eq!(batch.bad[0].line, 3);
        assert!(
            batch.bad[0].message.contains("never closed"),
            "{:?}",
            batch.bad
        );
        // Also in a note, which may span lines, and with `\r\n` line ends.
        let batch = read(b"a,b,why,note\r\nx,y,z,ok\r\nq,r,s,\"open\r\nmore\r\n");
        assert_eq!((batch.rows.len(), batch.bad[0].line), (1, 3));
        // A quote inside a field, or doubled inside quotes, opens nothing.
        assert_eq!(
            lines(b"a,b,why\nx,y,5\" disk\nq,r,\"say \"\"hi\"\"\"\n"),
            [2, 3]
        );
        assert!(parse(b"a,b,\"why\n", &COLUMNS, "`asks.csv`").is_err());
        assert!(parse(b"\xEF\xBB\xBF\"a,b,why\n", &COLUMNS, "`asks.csv`").is_err());
        assert_eq!(lines(b"\xEF\xBB\xBF\"a\",b,why\nx,y,z\n"), [2]);
    }

    /// A quote closed rows later swallowed them into one field: only a
    /// note may span lines, so the row is bad and nothing is garbled.
    #[test]
    fn only_a_note_may_span_lines() {
        assert_eq!(
            bad(b"a,b,why,note\nalan,kay,\"oops\nlin,sam,\"next,\nq,r,s,\"fine\nnote\"\n"),
            [(
                2,
                "`why` spans more than one line, which only `note` may (an unclosed quote?)"
                    .to_string()
            )]
        );
        assert_eq!(bad(b"a,b,why\n\"ada\n\",sam,x\n")[0].0, 2);
    }

    proptest::proptest! {
        /// Quotes, commas and line ends in any order after a good header:
        /// no row keeps a field that spans lines (but a note), rows and bad
        /// rows come in line order within the input, and nothing panics.
        #[test]
        fn no_quote_garbles_a_row(
            body in proptest::collection::vec(
                proptest::sample::select(b"ab,\"\r\n x".to_vec()),
                0..80,
            )
        ) {
            let mut data = b"a,b,why,note\n".to_vec();
            data.extend(&body);
            crate::fuzzing::batch(&data);
            let batch = read(&data);
            for row in &batch.rows {
                for column in ["a", "b", "why"] {
                    let field = row.get(column).unwrap_or_default();
                    proptest::prop_assert!(!field.contains(['\n', '\r']), "{row:?}");
                }
            }
        }
    }
}
