//! The archive of closed requests (`archive.json`) and the index of it the
//! snapshot carries, so that reads of open requests need not open it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::format::{JournalLine, header_line, read_header, read_lines};
use super::{RECENT_DAYS, StoreError, io_err};
use crate::domain::fatigue::PriorAsk;
use crate::domain::request::Request;
use crate::fsutil;

/// Sorted ids in one buffer, written as one string of ids and spaces: an
/// index of ten thousand ids reads as one string, not ten thousand.
/// (intro makes ids of hex digits; one with white space in it, which only
/// a hand edit makes, is left out, and naming it reads the archive.)
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct IdList {
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<usize>,
}

impl IdList {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        &self.text[start..self.ends[i]]
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Whether an id can be listed.
    pub(super) fn listable(id: &str) -> bool {
        !id.is_empty() && !id.contains(char::is_whitespace)
    }

    /// The index of the first id not before `id`.
    fn lower_bound(&self, id: &str) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.get(mid) < id {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        let i = self.lower_bound(id);
        i < self.len() && self.get(i) == id
    }

    pub(super) fn starting_with<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> {
        (self.lower_bound(prefix)..self.len())
            .map(|i| self.get(i))
            .take_while(move |x| x.starts_with(prefix))
    }

    /// From ids in any order, with repeats.
    pub(super) fn from_unsorted<'a>(ids: impl Iterator<Item = &'a str>) -> IdList {
        let mut ids: Vec<&str> = ids.filter(|id| IdList::listable(id)).collect();
        ids.sort_unstable();
        ids.dedup();
        IdList::from_text(ids.join(" ")).expect("sorted, listable ids")
    }

    /// From the text on disk; None unless it is sorted ids and single spaces.
    /// Byte by byte: this runs on every archived id at every read.
    pub(super) fn from_text(text: String) -> Option<IdList> {
        let bytes = text.as_bytes();
        let mut ends = Vec::with_capacity(bytes.len() / 9 + 1);
        if bytes.is_empty() {
            return Some(IdList { text, ends });
        }
        let mut start = 0;
        let mut previous: &[u8] = &[];
        loop {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b' ')
                .map_or(bytes.len(), |i| start + i);
            let id = &bytes[start..end];
            // Plain ASCII, or else the full check (no white space of any kind).
            let listable = !id.is_empty()
                && (id.iter().all(|&b| b.is_ascii_graphic())
                    || std::str::from_utf8(id).is_ok_and(IdList::listable));
            if !listable || (!ends.is_empty() && previous >= id) {
                return None;
            }
            ends.push(end);
            previous = id;
            if end == bytes.len() {
                return Some(IdList { text, ends });
            }
            start = end + 1;
        }
    }
}

impl Serialize for IdList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<IdList, D::Error> {
        let text = String::deserialize(deserializer)?;
        IdList::from_text(text)
            .ok_or_else(|| serde::de::Error::custom("the ids are not sorted and space-separated"))
    }
}

/// The archive as far as reads of open requests need it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct ArchiveIndex {
    /// Every archived id, sorted.
    pub(super) ids: IdList,
    /// The archived requests asked at or after `since`, oldest first, as
    /// `id a b asked_at` entries separated by `;` (one string: read only
    /// by an ask).
    pub(super) recent: String,
    /// From when `recent` is complete; None while nothing is archived.
    #[serde(with = "time::serde::rfc3339::option")]
    pub(super) since: Option<OffsetDateTime>,
}

impl ArchiveIndex {
    pub(super) fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Archived ids starting with `prefix`.
    pub(super) fn starting_with<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> {
        self.ids.starting_with(prefix)
    }

    /// Whether `recent` lists every archived ask made at or after `since`.
    pub(super) fn covers(&self, since: OffsetDateTime) -> bool {
        self.since.is_none_or(|s| s <= since)
    }
}

/// An archived request's ask, as ask fatigue needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ArchivedAsk {
    pub id: String,
    pub a: String,
    pub b: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl ArchivedAsk {
    pub(super) fn of(r: &Request) -> ArchivedAsk {
        ArchivedAsk {
            id: r.id.clone(),
            a: r.a.clone(),
            b: r.b.clone(),
            at: r.a_side.asked_at.unwrap_or(r.created_at),
        }
    }

    /// The ask as ask fatigue counts an earlier one: archived, so closed.
    pub(crate) fn prior_ask(&self) -> PriorAsk {
        PriorAsk {
            id: self.id.clone(),
            b: self.b.clone(),
            asked_at: self.at,
            open: false,
        }
    }

    /// `id a b asked_at`; None for a request whose id or handles hold a
    /// separator (only a hand edit makes one: it goes unlisted, and ask
    /// fatigue does not count it).
    pub(super) fn entry(&self) -> Option<String> {
        let plain = |s: &str| IdList::listable(s) && !s.contains(';');
        let at = self.at.format(&Rfc3339).ok()?;
        (plain(&self.id) && plain(&self.a) && plain(&self.b))
            .then(|| format!("{} {} {} {at}", self.id, self.a, self.b))
    }

    pub(super) fn parse(entry: &str) -> Option<ArchivedAsk> {
        let mut fields = entry.split(' ');
        let (id, a, b, at) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        Some(ArchivedAsk {
            id: id.into(),
            a: a.into(),
            b: b.into(),
            at: OffsetDateTime::parse(at, &Rfc3339).ok()?,
        })
    }
}

/// The archive index after moving `closed` into the archive and deleting
/// `tombstones` from it, at `now`: asks older than the window drop out.
/// With the archive at hand (`archived`: what it holds besides `closed`),
/// the index is made anew from it, which mends one that a clock set
/// forward and back again left reaching less far back than the window.
pub(super) fn next_index(
    old: &ArchiveIndex,
    closed: &[&Request],
    tombstones: &[String],
    now: OffsetDateTime,
    archived: Option<&BTreeMap<String, Box<Request>>>,
) -> ArchiveIndex {
    let window = now - time::Duration::days(RECENT_DAYS);
    if let Some(archived) = archived {
        let all: Vec<&Request> = archived
            .values()
            .map(|r| &**r)
            .chain(closed.iter().copied())
            .collect();
        if all.is_empty() && old.since.is_none() {
            return old.clone();
        }
        let recent = all
            .iter()
            .filter(|r| !r.a_not_yet_asked())
            .map(|r| ArchivedAsk::of(r))
            .filter(|x| x.at >= window);
        return ArchiveIndex {
            ids: IdList::from_unsorted(all.iter().map(|r| r.id.as_str())),
            recent: recent_text(recent.collect()),
            since: Some(window),
        };
    }
    if closed.is_empty() && tombstones.is_empty() && old.since.is_none() {
        return old.clone();
    }
    // A clock set back (INTRO_NOW) cannot make the list reach further
    // back than it did.
    let since = old.since.map_or(window, |s| s.max(window));
    let gone: std::collections::HashSet<&str> = tombstones
        .iter()
        .map(String::as_str)
        .chain(closed.iter().map(|r| r.id.as_str()))
        .collect();
    let mut recent: Vec<ArchivedAsk> = parse_recent(&old.recent)
        .filter(|x| x.at >= since && !gone.contains(x.id.as_str()))
        .collect();
    recent.extend(
        closed
            .iter()
            .filter(|r| !r.a_not_yet_asked())
            .map(|r| ArchivedAsk::of(r))
            .filter(|x| x.at >= since),
    );
    let ids = IdList::from_unsorted(
        old.ids
            .iter()
            .filter(|id| !tombstones.iter().any(|t| t == id))
            .chain(closed.iter().map(|r| r.id.as_str())),
    );
    ArchiveIndex {
        ids,
        recent: recent_text(recent),
        since: Some(since),
    }
}

/// The `recent` string: entries oldest first.
fn recent_text(mut recent: Vec<ArchivedAsk>) -> String {
    recent.sort_by(|x, y| x.at.cmp(&y.at).then_with(|| x.id.cmp(&y.id)));
    let entries: Vec<String> = recent.iter().filter_map(ArchivedAsk::entry).collect();
    entries.join(";")
}

pub(super) fn parse_recent(text: &str) -> impl Iterator<Item = ArchivedAsk> + '_ {
    text.split(';')
        .filter(|e| !e.is_empty())
        .filter_map(ArchivedAsk::parse)
}

/// Append whole lines to the archive, starting it with its header, and
/// cutting off a torn tail a crashed append left.
pub(super) fn append_archive(path: &Path, lines: &[u8]) -> Result<(), StoreError> {
    let mut file = fsutil::open_private_append(path).map_err(io_err("open", path))?;
    let len = file.metadata().map_err(io_err("read", path))?.len();
    let mut out = Vec::with_capacity(lines.len() + 64);
    if len == 0 {
        out.extend_from_slice(&header_line(0));
    } else {
        let mut last = [0u8; 1];
        let mut reader = File::open(path).map_err(io_err("read", path))?;
        reader
            .seek(SeekFrom::Start(len - 1))
            .map_err(io_err("read", path))?;
        reader.read_exact(&mut last).map_err(io_err("read", path))?;
        if last[0] != b'\n' {
            reader.rewind().map_err(io_err("read", path))?;
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(io_err("read", path))?;
            let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            file.set_len(whole as u64).map_err(io_err("repair", path))?;
            if whole == 0 {
                out.extend_from_slice(&header_line(0));
            }
        }
    }
    out.extend_from_slice(lines);
    file.write_all(&out).map_err(io_err("write", path))?;
    file.sync_data().map_err(io_err("sync", path))?;
    Ok(())
}

/// Every request in the archive, the last line for an id winning.
pub(super) fn read_archive(path: &Path) -> Result<BTreeMap<String, Box<Request>>, StoreError> {
    let mut archived = BTreeMap::new();
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(archived),
        Err(e) => return Err(io_err("open", path)(e)),
    };
    let Some(header) = read_header(&mut file, path)? else {
        return Ok(archived);
    };
    file.seek(SeekFrom::Start(header.len))
        .map_err(io_err("read", path))?;
    let (lines, _) = read_lines(&mut file, path, 2)?;
    for line in lines {
        match line {
            JournalLine::Put(r) => {
                archived.insert(r.id.clone(), r);
            }
            JournalLine::Deleted(id) => {
                archived.remove(&id);
            }
        }
    }
    Ok(archived)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn id_lists_read_back_what_they_wrote_and_search_by_prefix() {
        let list =
            IdList::from_unsorted(["b2", "a1", "a\"q", "a10", "b2", "c", "x y", ""].into_iter());
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            ["a\"q", "a1", "a10", "b2", "c"]
        );
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(json, r#""a\"q a1 a10 b2 c""#);
        let back: IdList = serde_json::from_str(&json).unwrap();
        assert_eq!(back, list);
        assert!(back.contains("a\"q") && back.contains("c") && !back.contains("a"));
        assert_eq!(back.starting_with("a1").collect::<Vec<_>>(), ["a1", "a10"]);
        assert_eq!(back.starting_with("d").count(), 0);
        assert_eq!(back.starting_with("").count(), 5);
        assert_eq!(serde_json::from_str::<IdList>(r#""""#).unwrap().len(), 0);
        // Ids beyond ASCII are fine; white space beyond ASCII is not.
        assert_eq!(serde_json::from_str::<IdList>("\"a é1\"").unwrap().len(), 2);
        assert!(serde_json::from_str::<IdList>("\"a\u{a0}b\"").is_err());
        // A list out of order is damage, not something to search wrongly.
        for bad in [
            r#""b a""#,
            r#""a a""#,
            r#""a  b""#,
            r#"" a""#,
            r#""a ""#,
            r#"" ""#,
        ] {
            assert!(serde_json::from_str::<IdList>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recent_asks_read_back_and_skip_what_they_cannot_hold() {
        let at = datetime!(2026-02-01 9:30 UTC);
        let ask = |id: &str, a: &str| ArchivedAsk {
            id: id.into(),
            a: a.into(),
            b: "sam".into(),
            at,
        };
        let entries: Vec<String> = [ask("ab12", "ada"), ask("x y", "ada"), ask("cd34", "a;b")]
            .iter()
            .filter_map(ArchivedAsk::entry)
            .collect();
        assert_eq!(entries, ["ab12 ada sam 2026-02-01T09:30:00Z"]);
        let back: Vec<ArchivedAsk> = parse_recent(&entries.join(";")).collect();
        assert_eq!(back, [ask("ab12", "ada")]);
    }
}
