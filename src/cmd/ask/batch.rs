//! A batch file read into rows: the CSV columns an ask (or a request of a
//! connector) understands, each row's fields taken out of the CSV's.

use crate::domain::request::Direction;
use crate::error::UserError;
use crate::setup::batch_csv::{self, Column};

use super::planner::AskFields;

/// The CSV columns a batch understands; only a note may span lines.
pub(super) const COLUMNS: [Column; 7] = [
    Column::required("a"),
    Column::required("b"),
    Column::required("why"),
    Column::optional("why_b"),
    Column::optional("wants"),
    Column::optional("format"),
    Column::optional("note").multiline(),
];

/// A batch file read: the asks its rows make, and its bad rows.
pub(crate) struct BatchRows {
    pub(crate) rows: Vec<(u64, AskFields)>,
    pub(crate) bad: Vec<batch_csv::BadRow>,
    /// A bad row is one a stray quote garbled.
    pub(crate) quote_trouble: bool,
}

pub(super) fn read_batch(
    path: &std::path::Path,
    direction: Direction,
) -> anyhow::Result<BatchRows> {
    let shown = if path == std::path::Path::new("-") {
        "standard input".to_string()
    } else {
        format!("`{}`", path.display())
    };
    let reader: Box<dyn std::io::Read> = if path == std::path::Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| UserError::new(format!("cannot read the batch file {shown}: {e}")))?,
        )
    };
    parse_batch_as(reader, &shown, direction)
}

/// The rows of a batch CSV, each with its line; `shown` names the source
/// in errors.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn parse_batch(reader: impl std::io::Read, shown: &str) -> anyhow::Result<BatchRows> {
    parse_batch_as(reader, shown, Direction::Introducing)
}

/// [`parse_batch`] for asks or, with `Direction::Requested`, requests of
/// connectors (columns `c,t,why`, whose C and T become A and B).
pub(crate) fn parse_batch_as(
    mut reader: impl std::io::Read,
    shown: &str,
    direction: Direction,
) -> anyhow::Result<BatchRows> {
    let (columns, a, b): (&[Column], &str, &str) = match direction {
        Direction::Introducing => (&COLUMNS, "a", "b"),
        Direction::Requested => (&crate::cmd::request::COLUMNS, "c", "t"),
    };
    let mut data = Vec::new();
    reader
        .read_to_end(&mut data)
        .map_err(|e| UserError::new(format!("cannot read the batch file {shown}: {e}")))?;
    let batch = batch_csv::parse(&data, columns, shown)?;
    drop(data);
    let quote_trouble = batch.has_quote_trouble();
    // Each field moves from the CSV's row to the ask's, never held twice.
    let rows = batch
        .rows
        .into_iter()
        .map(|mut row| {
            let mut field = |name: &str| row.take(name);
            let fields = AskFields {
                a: field(a).unwrap_or_default(),
                b: field(b).unwrap_or_default(),
                why: field("why").unwrap_or_default(),
                why_b: field("why_b"),
                wants: field("wants"),
                format: field("format"),
                note: field("note"),
            };
            (row.line, fields)
        })
        .collect();
    Ok(BatchRows {
        rows,
        bad: batch.bad,
        quote_trouble,
    })
}
