//! Where each mail source left off, so the next `intro sync` only looks at
//! what arrived since: `sync-state.json` in the data dir (private, replaced
//! atomically). Losing or damaging it costs one full search, nothing else.
//!
//! Beside it, `sync-maildir-names.bin` keeps the names of the messages
//! each Maildir folder held (hashes, binary, with a checksum), so that a
//! folder that changed is listed but not `stat`ed file by file. It is a
//! cache: missing or damaged, sync falls back to the files' change times.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsutil;

const VERSION: u32 = 1;

/// An IMAP mailbox at the end of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImapMark {
    /// UIDs are only comparable while the mailbox keeps this UIDVALIDITY.
    pub uid_validity: u32,
    /// The mailbox's UIDNEXT when the sync began: every message that
    /// arrived later has this UID or a higher one.
    pub uid_next: u32,
}

/// A Maildir at the end of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MaildirMark {
    /// When the sync began (Unix seconds, the file system's clock): a
    /// message delivered later has a change time at or after it.
    pub scanned_at: i64,
    /// The modification times of `new/` and `cur/` (nanoseconds; 0 =
    /// unknown): a folder whose time is the same at the next sync is not
    /// listed again.
    #[serde(default)]
    pub folders_mtime: [i64; 2],
}

/// Every source's mark, keyed by account and folder (never a password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoints {
    version: u32,
    #[serde(default)]
    pub imap: BTreeMap<String, ImapMark>,
    #[serde(default)]
    pub maildir: BTreeMap<String, MaildirMark>,
    /// Whether `[sync] any_mail_counts` was on when these marks were set:
    /// mail read while it was off was only looked at for its thread, so
    /// turning it on means reading everything once more.
    #[serde(default)]
    pub any_mail_counts: bool,
    /// Per Maildir (same keys): the hashed names of the messages in `new/`
    /// and `cur/` at the last sync, each list sorted.
    #[serde(skip)]
    pub maildir_names: BTreeMap<String, [Vec<u64>; 2]>,
}

impl Default for Checkpoints {
    fn default() -> Self {
        Checkpoints {
            version: VERSION,
            imap: BTreeMap::new(),
            maildir: BTreeMap::new(),
            any_mail_counts: false,
            maildir_names: BTreeMap::new(),
        }
    }
}

impl Checkpoints {
    pub(crate) fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("sync-state.json")
    }

    /// The marks in `data_dir`; none when the file is missing, unreadable,
    /// damaged or from another version (the next sync searches everything).
    pub(crate) fn load(data_dir: &Path) -> Checkpoints {
        let mut checkpoints = std::fs::read(Self::path(data_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Checkpoints>(&bytes).ok())
            .filter(|c| c.version == VERSION)
            .unwrap_or_default();
        checkpoints.maildir_names = std::fs::read(Self::names_path(data_dir))
            .ok()
            .and_then(|bytes| names::decode(&bytes))
            .unwrap_or_default();
        checkpoints
    }

    pub(crate) fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        if !self.maildir_names.is_empty() {
            fsutil::write_atomic_unsynced(
                &Self::names_path(data_dir),
                &names::encode(&self.maildir_names),
            )?;
        }
        let mut bytes = serde_json::to_vec_pretty(self).expect("checkpoints serialize");
        bytes.push(b'\n');
        fsutil::write_atomic(&Self::path(data_dir), &bytes)
    }

    pub(crate) fn names_path(data_dir: &Path) -> PathBuf {
        data_dir.join("sync-maildir-names.bin")
    }
}

/// `sync-maildir-names.bin`: a magic line, a version, a checksum, then per
/// folder its key and its two sorted lists, little-endian.
mod names {
    use std::collections::BTreeMap;

    const MAGIC: &[u8; 17] = b"intro sync names\n";
    const VERSION: u32 = 1;

    pub(super) fn encode(names: &BTreeMap<String, [Vec<u64>; 2]>) -> Vec<u8> {
        let mut body = Vec::new();
        let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
        body.extend_from_slice(&len(names.len()));
        for (key, lists) in names {
            body.extend_from_slice(&len(key.len()));
            body.extend_from_slice(key.as_bytes());
            for list in lists {
                body.extend_from_slice(&len(list.len()));
                for n in list {
                    body.extend_from_slice(&n.to_le_bytes());
                }
            }
        }
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&checksum(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes
    }

    pub(super) fn decode(bytes: &[u8]) -> Option<BTreeMap<String, [Vec<u64>; 2]>> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (version, rest) = rest.split_first_chunk::<4>()?;
        let (sum, mut body) = rest.split_first_chunk::<8>()?;
        if u32::from_le_bytes(*version) != VERSION || u64::from_le_bytes(*sum) != checksum(body) {
            return None;
        }
        let mut take = |n: usize| -> Option<&[u8]> {
            if n > body.len() {
                return None;
            }
            let (head, tail) = body.split_at(n);
            body = tail;
            Some(head)
        };
        let count = |raw: Option<&[u8]>| -> Option<usize> {
            Some(u32::from_le_bytes(raw?.try_into().ok()?) as usize)
        };
        let mut names = BTreeMap::new();
        for _ in 0..count(take(4))? {
            let n = count(take(4))?;
            let key = String::from_utf8(take(n)?.to_vec()).ok()?;
            let mut lists: [Vec<u64>; 2] = Default::default();
            for list in &mut lists {
                let n = count(take(4))?;
                let raw = take(n.checked_mul(8)?)?;
                *list = raw
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
                    .collect();
            }
            names.insert(key, lists);
        }
        body.is_empty().then_some(names)
    }

    fn checksum(bytes: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
        for c in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..c.len()].copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(word))
                .wrapping_mul(0x0100_0000_01b3)
                .rotate_left(23);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_marks_load_back_and_damage_means_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Checkpoints::load(dir.path()), Checkpoints::default());
        let mut c = Checkpoints::default();
        c.imap.insert(
            "grace@imap.example.com:993/INBOX".into(),
            ImapMark {
                uid_validity: 7,
                uid_next: 4242,
            },
        );
        c.maildir.insert(
            "/home/grace/Mail/INBOX".into(),
            MaildirMark {
                scanned_at: 5,
                folders_mtime: [1, 0],
            },
        );
        c.maildir_names.insert(
            "/home/grace/Mail/INBOX".into(),
            [vec![1, 5], vec![2, 3, u64::MAX]],
        );
        c.save(dir.path()).unwrap();
        assert_eq!(Checkpoints::load(dir.path()), c);
        // A damaged names file costs the names, not the marks.
        let names = Checkpoints::names_path(dir.path());
        let mut bytes = std::fs::read(&names).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&names, &bytes).unwrap();
        let loaded = Checkpoints::load(dir.path());
        assert!(loaded.maildir_names.is_empty());
        assert_eq!(loaded.maildir, c.maildir);
        std::fs::write(Checkpoints::path(dir.path()), "{not json").unwrap();
        assert_eq!(Checkpoints::load(dir.path()), Checkpoints::default());
        std::fs::write(
            Checkpoints::path(dir.path()),
            r#"{"version": 99, "imap": {}}"#,
        )
        .unwrap();
        assert_eq!(Checkpoints::load(dir.path()), Checkpoints::default());
    }
}
