//! The requests a read gives: by id, from the snapshot and journal, with the
//! archive's when it was read.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::archive::{ArchiveIndex, ArchivedAsk, IdList, parse_recent};
use super::format::JournalLine;
use crate::domain::request::Request;

/// Requests, by id: every stored one after [`Store::read`](super::Store::read), the open ones
/// (and those changed since the last compaction) after
/// [`Store::read_open`](super::Store::read_open), which knows the archived ones by id alone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Requests {
    /// The snapshot with the journal on top.
    /// Boxed: a tree node holds eleven, and most nodes are part empty.
    pub(super) current: BTreeMap<String, Box<Request>>,
    /// The archive's requests that `current` does not hold; None when the
    /// archive was not read.
    pub(super) archived: Option<BTreeMap<String, Box<Request>>>,
    pub(super) index: ArchiveIndex,
}

/// A request name that is not exactly one stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FindError {
    Unknown(String),
    Ambiguous(String, Vec<String>),
    /// The name may be an archived request's, and the archive was not read
    /// (the request was closed and archived after the read that chose
    /// what to read).
    NotRead(String),
}

impl Requests {
    pub(crate) fn get(&self, id: &str) -> Option<&Request> {
        self.current
            .get(id)
            .or_else(|| self.archived.as_ref()?.get(id))
            .map(|r| &**r)
    }

    /// Every request read (see [`Requests::is_complete`]).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Request> {
        self.current
            .values()
            .chain(self.archived.iter().flat_map(|a| a.values()))
            .map(|r| &**r)
    }

    /// Whether every stored request was read, closed ones included.
    pub(crate) fn is_complete(&self) -> bool {
        self.archived.is_some() || self.index.since.is_none()
    }

    /// Requests as a complete read would give them, for unit tests of
    /// what reads them.
    #[cfg(test)]
    pub(crate) fn of(requests: impl IntoIterator<Item = Request>) -> Requests {
        Requests {
            current: requests
                .into_iter()
                .map(|r| (r.id.clone(), Box::new(r)))
                .collect(),
            ..Requests::default()
        }
    }

    /// How many requests are stored (read or not).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        match &self.archived {
            Some(archived) => self.current.len() + archived.len(),
            None => {
                self.current.len()
                    + self
                        .index
                        .ids
                        .iter()
                        .filter(|id| !self.current.contains_key(*id))
                        .count()
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.current.is_empty()
            && match &self.archived {
                Some(archived) => archived.is_empty(),
                None => self.index.ids.len() == 0 && self.index.since.is_none(),
            }
    }

    /// Whether a request has this id, read or not.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.current.contains_key(id)
            || self.index.contains(id)
            || self.archived.as_ref().is_some_and(|a| a.contains_key(id))
    }

    /// Whether [`Requests::find`] needs the archive to answer for `name`:
    /// it is not an id read, but starts an archived one.
    pub(crate) fn needs_archive(&self, name: &str) -> bool {
        let name = name.trim();
        !self.is_complete()
            && !self.current.contains_key(name)
            && (self.index.starting_with(name).next().is_some() || !IdList::listable(name))
    }

    /// Whether `id` is an archived request's that this read did not read.
    pub(crate) fn is_archived_unread(&self, id: &str) -> bool {
        self.archived.is_none() && !self.current.contains_key(id) && self.index.contains(id)
    }

    /// Find by id or by an unambiguous prefix of one. On a read without the
    /// archive, a name [`Requests::needs_archive`] is `NotRead`.
    pub(crate) fn find(&self, name: &str) -> Result<&Request, FindError> {
        let name = name.trim();
        if let Some(r) = self.get(name) {
            return Ok(r);
        }
        if self.needs_archive(name) {
            return Err(FindError::NotRead(name.into()));
        }
        let mut matches: Vec<&Request> = Vec::new();
        if !name.is_empty() {
            let maps = std::iter::once(&self.current).chain(self.archived.as_ref());
            for map in maps {
                matches.extend(
                    map.range(name.to_string()..)
                        .take_while(|(id, _)| id.starts_with(name))
                        .map(|(_, r)| &**r),
                );
            }
        }
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(FindError::Unknown(name.into())),
            many => {
                let mut ids: Vec<String> = many.iter().map(|r| r.id.clone()).collect();
                ids.sort();
                Err(FindError::Ambiguous(name.into(), ids))
            }
        }
    }

    /// Every ask made at or after `since` that was not read: the archived
    /// ones the index lists. Empty on a complete read (they are in
    /// [`Requests::iter`]).
    pub(crate) fn archived_asks_since(&self, since: OffsetDateTime) -> Vec<ArchivedAsk> {
        if self.archived.is_some() {
            return Vec::new();
        }
        parse_recent(&self.index.recent)
            .filter(|x| x.at >= since && !self.current.contains_key(&x.id))
            .collect()
    }

    /// Apply a snapshot or journal line on top of what is read.
    pub(super) fn apply(&mut self, line: JournalLine) {
        match line {
            JournalLine::Put(r) => {
                if let Some(archived) = &mut self.archived {
                    archived.remove(&r.id);
                }
                self.current.insert(r.id.clone(), r);
            }
            JournalLine::Deleted(id) => {
                if let Some(archived) = &mut self.archived {
                    archived.remove(&id);
                }
                self.current.remove(&id);
            }
        }
    }
}
