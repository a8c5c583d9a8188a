//! The store's files line by line: the header every file starts with, a
//! request or a deletion per line after it, and the snapshot's index line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::archive::ArchiveIndex;
use super::legacy::{self, LegacyRequest};
use super::{FORMAT_VERSION, OLDEST_FORMAT, StoreError, io_err};
use crate::domain::request::Request;

/// The first line of every file: the format version and the generation
/// (the archive's is always 0: it is never replaced).
#[derive(Serialize, Deserialize)]
pub(super) struct Header {
    intro_store: u32,
    generation: u64,
}

/// One line after the header: a whole request, or the id of one dropped
/// because its ask was never accepted.
pub(super) enum JournalLine {
    Deleted(String),
    Put(Box<Request>),
}

#[derive(Serialize, Deserialize)]
struct Deleted {
    deleted: String,
}

impl JournalLine {
    /// Parse one line. Told apart by their first key, so a request is
    /// parsed once, straight into its type (an untagged enum would buffer
    /// and try each shape, which doubled the time to read a large store).
    fn parse(raw: &[u8]) -> Result<JournalLine, serde_json::Error> {
        if raw.starts_with(b"{\"deleted\"") {
            let d: Deleted = serde_json::from_slice(raw)?;
            Ok(JournalLine::Deleted(d.deleted))
        } else if legacy::is_current(raw) {
            Ok(JournalLine::Put(Box::new(serde_json::from_slice(raw)?)))
        } else {
            let old: LegacyRequest = serde_json::from_slice(raw)?;
            Ok(JournalLine::Put(Box::new(old.into())))
        }
    }
}

pub(super) fn write_request(out: &mut Vec<u8>, r: &Request) {
    serde_json::to_writer(&mut *out, r).expect("requests serialize");
    out.push(b'\n');
}

pub(super) fn write_deleted(out: &mut Vec<u8>, id: &str) {
    serde_json::to_writer(
        &mut *out,
        &Deleted {
            deleted: id.to_string(),
        },
    )
    .expect("ids serialize");
    out.push(b'\n');
}

pub(super) fn header_line(generation: u64) -> Vec<u8> {
    let header = Header {
        intro_store: FORMAT_VERSION,
        generation,
    };
    let mut text = serde_json::to_vec(&header).expect("header serializes");
    text.push(b'\n');
    text
}

/// What the snapshot knows of the archive: the second line of a snapshot,
/// `{"archive": {...}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct IndexLine {
    pub(super) archive: ArchiveIndex,
}

/// What a file's first line says.
pub(super) struct HeaderInfo {
    pub(super) format: u32,
    pub(super) generation: u64,
    /// The line's length in bytes.
    pub(super) len: u64,
}

/// A file's header line; None when it is empty or its header torn.
pub(super) fn read_header(file: &mut File, path: &Path) -> Result<Option<HeaderInfo>, StoreError> {
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(io_err("read", path))?;
    if !line.ends_with('\n') {
        // Empty, or a header torn by a crash: no line after it can exist.
        return Ok(None);
    }
    let header: Header = serde_json::from_str(&line).map_err(|e| StoreError::Damaged {
        path: path.into(),
        line: 1,
        message: e.to_string(),
    })?;
    if !(OLDEST_FORMAT..=FORMAT_VERSION).contains(&header.intro_store) {
        return Err(StoreError::UnknownVersion {
            path: path.into(),
            found: header.intro_store,
        });
    }
    Ok(Some(HeaderInfo {
        format: header.intro_store,
        generation: header.generation,
        len: line.len() as u64,
    }))
}

/// A snapshot's lines after its header: the archive index, if there is one
/// (a snapshot of format 1 has none), and the requests.
pub(super) fn read_snapshot_lines(
    file: &mut File,
    path: &Path,
) -> Result<(ArchiveIndex, Vec<JournalLine>), StoreError> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io_err("read", path))?;
    let mut index = ArchiveIndex::default();
    let mut rest = bytes.as_slice();
    let mut first_line = 2;
    if rest.starts_with(b"{\"archive\"") {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line: IndexLine =
            serde_json::from_slice(&rest[..end]).map_err(|e| StoreError::Damaged {
                path: path.into(),
                line: 2,
                message: e.to_string(),
            })?;
        index = line.archive;
        rest = rest.get(end + 1..).unwrap_or_default();
        first_line = 3;
    }
    let (lines, _) = parse_lines(rest, path, first_line)?;
    Ok((index, lines))
}

/// Whole lines from the current position; a last line without its newline
/// is a torn append and is not counted. Returns the lines and bytes used.
pub(super) fn read_lines(
    file: &mut File,
    path: &Path,
    first_line_number: usize,
) -> Result<(Vec<JournalLine>, u64), StoreError> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io_err("read", path))?;
    parse_lines(&bytes, path, first_line_number)
}

pub(super) fn parse_lines(
    bytes: &[u8],
    path: &Path,
    first_line_number: usize,
) -> Result<(Vec<JournalLine>, u64), StoreError> {
    let whole = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..=end],
        None => &bytes[..0],
    };
    let mut lines = Vec::new();
    for (i, raw) in whole.split(|&b| b == b'\n').enumerate() {
        if raw.is_empty() {
            continue;
        }
        let line = JournalLine::parse(raw).map_err(|e| StoreError::Damaged {
            path: path.into(),
            line: first_line_number + i,
            message: e.to_string(),
        })?;
        lines.push(line);
    }
    Ok((lines, whole.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{EventKind, PendingKind, Side};

    /// Journal lines written before a message's or an event's side was a
    /// value of its own, with every name a kind has on disk (`ask_b`,
    /// `followup_b`, `cancel_note_b`, `asked_b`, ...): each reads into a
    /// kind and a side, and writes back byte for byte.
    #[test]
    fn every_kind_name_reads_as_a_side_and_writes_back_the_same() {
        let written = include_bytes!("../../tests/fixtures/store-kind-names.jsonl");
        let mut pending = Vec::new();
        let mut events = Vec::new();
        for line in written.split_inclusive(|b| *b == b'\n') {
            let raw = line.strip_suffix(b"\n").expect("one request a line");
            let JournalLine::Put(r) = JournalLine::parse(raw).expect("reads") else {
                panic!("a request, not a deletion");
            };
            let mut out = Vec::new();
            write_request(&mut out, &r);
            assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(line));
            pending.extend(r.pending.as_ref().map(|p| p.kind));
            pending.extend(r.notes.iter().map(|n| n.kind));
            events.extend(r.history.iter().map(|e| e.kind));
        }
        for kind in [
            PendingKind::Ask(Side::B),
            PendingKind::Followup(Side::A),
            PendingKind::Followup(Side::B),
            PendingKind::CancelNote(Side::A),
            PendingKind::CancelNote(Side::B),
            PendingKind::DeclineNote,
            PendingKind::Introduction,
        ] {
            assert!(pending.contains(&kind), "{kind:?}");
        }
        assert_eq!(PendingKind::DeclineNote.side(), Some(Side::B));
        assert_eq!(PendingKind::Introduction.side(), None, "to both at once");
        for side in [Side::A, Side::B] {
            for kind in [
                EventKind::Asked(side),
                EventKind::FollowedUp(side),
                EventKind::Replied(side),
                EventKind::Approved(side),
                EventKind::Declined(side),
            ] {
                assert!(events.contains(&kind), "{kind:?}");
            }
        }
        for kind in [
            EventKind::Cancelled,
            EventKind::Introduced,
            EventKind::NoteSent,
            EventKind::Unconfirmed,
        ] {
            assert!(events.contains(&kind), "{kind:?}");
        }
    }

    #[test]
    fn an_unknown_kind_name_is_refused_with_the_names_it_could_be() {
        let err = serde_json::from_str::<PendingKind>(r#""ask_c""#).unwrap_err();
        assert!(err.to_string().contains("unknown kind `ask_c`"), "{err}");
        assert!(err.to_string().contains("cancel_note_b"), "{err}");
    }
}
