//! Where each mail source left off, so the next `intro sync` only looks at
//! what arrived since: `sync-state.json` in the data dir (private, replaced
//! atomically). Losing or damaging it costs one full search, nothing else.

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
}

impl Default for Checkpoints {
    fn default() -> Self {
        Checkpoints {
            version: VERSION,
            imap: BTreeMap::new(),
            maildir: BTreeMap::new(),
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
        std::fs::read(Self::path(data_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Checkpoints>(&bytes).ok())
            .filter(|c| c.version == VERSION)
            .unwrap_or_default()
    }

    pub(crate) fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("checkpoints serialize");
        bytes.push(b'\n');
        fsutil::write_atomic(&Self::path(data_dir), &bytes)
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
        c.save(dir.path()).unwrap();
        assert_eq!(Checkpoints::load(dir.path()), c);
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
