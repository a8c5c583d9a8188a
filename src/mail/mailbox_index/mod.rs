//! What `intro who-knows` learns from the user's mail, kept so that the
//! next run only reads what arrived since: every message's sender,
//! recipients, date and thread, and where each mail source left off
//! (a Maildir's folder times and message names; an IMAP mailbox's
//! UIDVALIDITY and UIDNEXT).
//!
//! On disk it is `mailbox-index.bin` in the data dir, a versioned binary
//! file with a checksum (`format`), replaced whole (temp file + rename).
//! It is a cache of the mailbox: a missing, damaged or older file is simply
//! rebuilt from the mail, never an error, which is also why it is not
//! fsynced (a power cut costs one rebuild, not mail).

mod envelope;
mod format;
pub(crate) mod update;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::domain::who_knows::Envelope;
pub(crate) use envelope::{ParsedEnvelope, Person, hash as stable_hash};

/// An address the mail mentions, and the latest display name seen for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    /// Lowercase.
    pub email: String,
    pub name: String,
}

/// One message as the index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// Which source (the number in `Index::sources`) it came from.
    pub source: u16,
    pub date: i64,
    /// An address number; `NOBODY` when the message had no `From`.
    pub from: u32,
    pub thread: u64,
    /// The Message-ID's hash (0: none).
    pub id: u64,
    /// Where its recipients start in `Index::recipients`, and how many.
    pub recipients_at: u32,
    pub recipients_len: u16,
}

/// The sender of a message without a `From`.
pub(crate) const NOBODY: u32 = u32::MAX;

/// Where a Maildir folder stood at the last run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MaildirState {
    /// `new/` then `cur/`: the folder's modification time (nanoseconds;
    /// 0 = list it again next time) and its messages' names (hashes of the
    /// part before the flags, sorted).
    pub folders: [FolderState; 2],
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FolderState {
    pub mtime: i64,
    pub names: Vec<u64>,
}

/// Where an IMAP mailbox stood at the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImapState {
    pub uid_validity: u32,
    pub uid_next: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceState {
    Maildir(MaildirState),
    Imap(ImapState),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// A Maildir's absolute path, or `user@host:port/mailbox`.
    pub key: String,
    pub state: SourceState,
}

/// The whole index, in memory.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub addresses: Vec<Address>,
    pub messages: Vec<Record>,
    pub recipients: Vec<u32>,
    pub sources: Vec<Source>,
    /// Built on the first change: address -> number, and the Message-IDs
    /// already kept.
    by_email: HashMap<String, u32>,
    ids: HashSet<u64>,
    lookups_built: bool,
    /// Whether anything changed since it was loaded.
    pub changed: bool,
    /// The sources this run read (by number).
    used: Vec<u16>,
}

impl Index {
    pub(crate) fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("mailbox-index.bin")
    }

    /// The index kept in `data_dir`: empty when there is none, or when it
    /// is damaged or from another version (it is then rebuilt).
    pub(crate) fn load(data_dir: &Path) -> Index {
        std::fs::read(Self::path(data_dir))
            .ok()
            .and_then(|bytes| format::decode(&bytes))
            .unwrap_or_default()
    }

    /// Write it back: a temp file renamed over the old one.
    pub(crate) fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let bytes = format::encode(self);
        crate::fsutil::write_atomic_unsynced(&Self::path(data_dir), &bytes)
    }

    pub(crate) fn envelopes(&self) -> impl Iterator<Item = Envelope<'_>> {
        self.messages.iter().map(|r| {
            let at = r.recipients_at as usize;
            Envelope {
                date: r.date,
                from: r.from,
                recipients: &self.recipients[at..at + usize::from(r.recipients_len)],
                thread: r.thread,
            }
        })
    }

    /// The number of `email` (lowercase), if the mail mentions it.
    pub(crate) fn find(&self, email: &str) -> Option<u32> {
        if self.lookups_built {
            return self.by_email.get(email).copied();
        }
        self.addresses
            .iter()
            .position(|a| a.email == email)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The source kept under `key`, made (empty) if new, by number.
    pub(crate) fn source(&mut self, key: &str, empty: SourceState) -> u16 {
        let n = match self.sources.iter().position(|s| s.key == key) {
            Some(i) => u16::try_from(i).unwrap_or(u16::MAX),
            None => {
                self.changed = true;
                self.sources.push(Source {
                    key: key.to_string(),
                    state: empty,
                });
                u16::try_from(self.sources.len() - 1).unwrap_or(u16::MAX)
            }
        };
        self.used.push(n);
        n
    }

    /// Forget what came from sources this run did not read: the config no
    /// longer names them (another Maildir, another account), so their mail
    /// no longer counts. Their slots stay, emptied, to be read afresh if
    /// they come back.
    pub(crate) fn forget_unused(&mut self) {
        for n in 0..self.sources.len() {
            let n = u16::try_from(n).unwrap_or(u16::MAX);
            if self.used.contains(&n) {
                continue;
            }
            self.forget_source(n);
            let empty = match self.sources[usize::from(n)].state {
                SourceState::Maildir(_) => SourceState::Maildir(MaildirState::default()),
                SourceState::Imap(_) => SourceState::Imap(ImapState {
                    uid_validity: 0,
                    uid_next: 0,
                }),
            };
            self.set_state(n, empty);
        }
    }

    pub(crate) fn set_state(&mut self, source: u16, state: SourceState) {
        let slot = &mut self.sources[usize::from(source)].state;
        if *slot != state {
            *slot = state;
            self.changed = true;
        }
    }

    /// Forget every message from `source` (its mailbox was renumbered).
    pub(crate) fn forget_source(&mut self, source: u16) {
        let before = self.messages.len();
        let mut recipients = Vec::with_capacity(self.recipients.len());
        let old = std::mem::take(&mut self.recipients);
        self.messages.retain_mut(|r| {
            if r.source == source {
                return false;
            }
            let at = r.recipients_at as usize;
            r.recipients_at = u32::try_from(recipients.len()).unwrap_or(u32::MAX);
            recipients.extend_from_slice(&old[at..at + usize::from(r.recipients_len)]);
            true
        });
        self.recipients = recipients;
        if self.messages.len() != before {
            self.changed = true;
            self.lookups_built = false;
        }
    }

    fn build_lookups(&mut self) {
        if self.lookups_built {
            return;
        }
        self.by_email = self
            .addresses
            .iter()
            .enumerate()
            .map(|(i, a)| (a.email.clone(), u32::try_from(i).unwrap_or(NOBODY)))
            .collect();
        self.ids = self
            .messages
            .iter()
            .map(|r| r.id)
            .filter(|&id| id != 0)
            .collect();
        self.lookups_built = true;
    }

    fn intern(&mut self, person: &Person) -> u32 {
        if let Some(&n) = self.by_email.get(&person.email) {
            let known = &mut self.addresses[n as usize];
            if !person.name.is_empty() && known.name != person.name {
                known.name.clone_from(&person.name);
            }
            return n;
        }
        let n = u32::try_from(self.addresses.len()).unwrap_or(NOBODY);
        self.addresses.push(Address {
            email: person.email.clone(),
            name: person.name.clone(),
        });
        self.by_email.insert(person.email.clone(), n);
        n
    }

    /// Keep one message found in `source`; `found_at` stands for a missing
    /// date. A message already kept (same Message-ID, e.g. in the inbox and
    /// in the sent folder) is not counted twice.
    pub(crate) fn add(&mut self, source: u16, message: &ParsedEnvelope, found_at: i64) {
        self.build_lookups();
        if message.id != 0 && !self.ids.insert(message.id) {
            return;
        }
        let from = message.from.as_ref().map_or(NOBODY, |p| self.intern(p));
        let recipients_at = u32::try_from(self.recipients.len()).unwrap_or(u32::MAX);
        let mut recipients_len: u16 = 0;
        for person in message.recipients.iter().take(usize::from(u16::MAX)) {
            let n = self.intern(person);
            self.recipients.push(n);
            recipients_len += 1;
        }
        self.messages.push(Record {
            source,
            date: message.date.unwrap_or(found_at),
            from,
            thread: message.thread,
            id: message.id,
            recipients_at,
            recipients_len,
        });
        self.changed = true;
    }

    /// The dates of the oldest and newest message.
    pub(crate) fn span(&self) -> Option<(i64, i64)> {
        let dates = self.messages.iter().map(|r| r.date);
        Some((dates.clone().min()?, dates.max()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(id: u64, from: &str, to: &[&str]) -> ParsedEnvelope {
        let person = |e: &str| Person {
            email: e.into(),
            name: String::new(),
        };
        ParsedEnvelope {
            date: Some(100),
            from: Some(person(from)),
            recipients: to.iter().map(|e| person(e)).collect(),
            thread: id,
            id,
        }
    }

    #[test]
    fn a_message_in_two_folders_counts_once_and_a_source_can_be_forgotten() {
        let mut index = Index::default();
        let inbox = index.source("inbox", SourceState::Maildir(MaildirState::default()));
        let sent = index.source(
            "sent",
            SourceState::Imap(ImapState {
                uid_validity: 1,
                uid_next: 1,
            }),
        );
        index.add(inbox, &envelope(1, "a@x", &["me@x", "b@x"]), 0);
        index.add(sent, &envelope(1, "a@x", &["me@x", "b@x"]), 0);
        index.add(sent, &envelope(2, "me@x", &["a@x"]), 0);
        index.add(inbox, &envelope(3, "b@x", &["me@x"]), 0);
        assert_eq!(index.messages.len(), 3);
        assert_eq!(index.addresses.len(), 3);
        index.forget_source(sent);
        let left: Vec<(u32, Vec<u32>)> = index
            .envelopes()
            .map(|e| (e.from, e.recipients.to_vec()))
            .collect();
        let (a, me, b) = (
            index.find("a@x").unwrap(),
            index.find("me@x").unwrap(),
            index.find("b@x").unwrap(),
        );
        assert_eq!(left, [(a, vec![me, b]), (b, vec![me])]);
    }

    #[test]
    fn a_source_no_longer_read_is_forgotten() {
        let mut index = Index::default();
        let old = index.source("old", SourceState::Maildir(MaildirState::default()));
        let kept = index.source("kept", SourceState::Maildir(MaildirState::default()));
        index.add(old, &envelope(1, "a@x", &["me@x"]), 0);
        index.add(kept, &envelope(2, "b@x", &["me@x"]), 0);
        // The next run, which reads only "kept".
        let mut next = Index {
            addresses: index.addresses.clone(),
            messages: index.messages.clone(),
            recipients: index.recipients.clone(),
            sources: index.sources.clone(),
            ..Index::default()
        };
        next.source("kept", SourceState::Maildir(MaildirState::default()));
        next.forget_unused();
        assert_eq!(next.messages.len(), 1);
        assert_eq!(next.messages[0].source, kept);
        assert!(next.changed);
    }
}
