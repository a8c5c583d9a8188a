//! Replies in a local Maildir (what mbsync, offlineimap or getmail keep):
//! every message file in `new/` and `cur/` that arrived since the last
//! sync has its header read; only those whose threading headers name a
//! tracked Message-ID are read further (up to `MESSAGE_PREFIX` bytes) and
//! matched.
//!
//! What "arrived since" costs follows what changed, not the mailbox: a
//! folder whose modification time has not moved is not listed at all; a
//! changed one is listed (names only, no `stat` per file), and a file is
//! new when its name's unique part (before the `:2,` flags, which a mail
//! client changes) was not in the folder at the last sync. Without the
//! last sync's names (the first sync, or their file lost) a file is new
//! when its change time is after the last sync began: moving a file into
//! the folder sets it, and no sync tool can set it back.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use mail_parser::MessageParser;
use time::OffsetDateTime;

use super::checkpoint::{Checkpoints, MaildirMark};
use super::{MESSAGE_PREFIX, Scan, Source, SyncError, Tracked, match_reply};

/// Files changed this long before the last sync began are looked at again:
/// covers coarse file-system timestamps and deliveries in flight.
const SLACK_SECS: i64 = 120;

/// A Maildir opened for one sync.
pub(crate) struct MaildirSource {
    path: PathBuf,
    /// The checkpoint's key: the folder's absolute path.
    key: String,
    mark: MaildirMark,
    /// Only files changed at or after this (Unix seconds); None = all.
    since: Option<i64>,
    /// The files that arrived since the last sync (all on a first sync or
    /// a rescan), oldest name first (Maildir names start with the
    /// delivery time). Listed when the source is opened, before the store
    /// is read, like the mark.
    arrived: Vec<PathBuf>,
    /// The hashed names in `new/` and `cur/` now, sorted, for the next sync.
    names: [Vec<u64>; 2],
}

/// Check that `path` is a Maildir and note the time before anything in it
/// is read.
pub(crate) fn open(
    path: &Path,
    checkpoints: &Checkpoints,
    rescan: bool,
) -> Result<MaildirSource, SyncError> {
    check(path)?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let key = absolute.display().to_string();
    let started = SystemTime::now();
    let scanned_at = unix_seconds(started);
    let folders_mtime = SUBFOLDERS.map(|sub| settled_mtime(&path.join(sub), started));
    let previous = checkpoints.maildir.get(&key).copied();
    let since = if rescan {
        None
    } else {
        checkpoints
            .maildir
            .get(&key)
            .map(|m| m.scanned_at - SLACK_SECS)
    };
    let previous_names = if rescan {
        None
    } else {
        checkpoints.maildir_names.get(&key)
    };
    // A folder whose time has not moved since the last sync gained,
    // lost and renamed nothing: it is not even listed (when its names
    // from then are known, to carry over).
    let unchanged: [bool; 2] = match (&previous, previous_names) {
        (Some(previous), Some(_)) => std::array::from_fn(|i| {
            folders_mtime[i] != 0 && folders_mtime[i] == previous.folders_mtime[i]
        }),
        _ => [false; 2],
    };
    let mut names: [Vec<u64>; 2] = previous_names.cloned().unwrap_or_default();
    let mut arrived = Vec::new();
    for (i, sub) in SUBFOLDERS.iter().enumerate() {
        if unchanged[i] {
            continue;
        }
        let dir = path.join(sub);
        let listed = list(&dir)?;
        let mut keys = Vec::with_capacity(listed.len());
        for name in listed {
            let key = name_key(&name.to_string_lossy());
            keys.push(key);
            let seen = previous_names
                .is_some_and(|before| before.iter().any(|l| l.binary_search(&key).is_ok()));
            if !seen {
                arrived.push(dir.join(name));
            }
        }
        keys.sort_unstable();
        keys.dedup();
        names[i] = keys;
    }
    if previous_names.is_none()
        && let Some(since) = since
    {
        // A file moved or deleted meanwhile (a mail client is running)
        // is simply not there any more.
        arrived.retain(|file| std::fs::metadata(file).is_ok_and(|meta| changed_at(&meta) >= since));
    }
    arrived.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(MaildirSource {
        path: path.to_path_buf(),
        key,
        mark: MaildirMark {
            scanned_at,
            folders_mtime,
        },
        since,
        arrived,
        names,
    })
}

/// What identifies a message file across renames: the hash of its name's
/// unique part.
pub(crate) fn name_key(file_name: &str) -> u64 {
    crate::mail::mailbox_index::stable_hash(unique_part(file_name).as_bytes())
}

/// A Maildir's two folders of delivered mail (`tmp/` holds deliveries in
/// progress).
pub(crate) const SUBFOLDERS: [&str; 2] = ["new", "cur"];

/// Check that `path` is a Maildir.
pub(crate) fn check(path: &Path) -> Result<(), SyncError> {
    if !path.join("cur").is_dir() && !path.join("new").is_dir() {
        let why = if path.is_dir() {
            "has no `cur/` or `new/` folder"
        } else {
            "does not exist"
        };
        return Err(SyncError::new(format!(
            "`maildir.path` `{}` is not a Maildir: it {why}",
            path.display()
        ))
        .hint("point `path` in [maildir] at the folder holding `cur/`, `new/` and `tmp/` (e.g. ~/Mail/INBOX with mbsync)"));
    }
    Ok(())
}

/// The modification time of the folder `dir` in nanoseconds, as a mark to
/// compare with the next run's: 0 (compare unequal) when it is missing or
/// changed less than a second before `started`, since a file added in the
/// same clock tick after the folder is listed would leave the time as it
/// is (notmuch takes the same care).
pub(crate) fn settled_mtime(dir: &Path, started: SystemTime) -> i64 {
    let Ok(modified) = std::fs::metadata(dir).and_then(|m| m.modified()) else {
        return 0;
    };
    let settled = started
        .checked_sub(std::time::Duration::from_secs(1))
        .is_some_and(|limit| modified < limit);
    if !settled {
        return 0;
    }
    match modified.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX).max(1),
        Err(_) => 0,
    }
}

/// The part of a message file's name that stays when a mail client moves
/// it from `new/` to `cur/` or changes its flags (`:2,S`).
pub(crate) fn unique_part(name: &str) -> &str {
    name.split_once(':').map_or(name, |(unique, _)| unique)
}

/// The message files in `dir` (a Maildir's `new/` or `cur/`), by name,
/// without a `stat` of each where the file system tells the type in the
/// listing. A missing folder has none.
pub(crate) fn list(dir: &Path) -> Result<Vec<std::ffi::OsString>, SyncError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(dir, &e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| read_error(dir, &e))?;
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // A file moved or deleted meanwhile is simply not there any more.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let is_file = if kind.is_symlink() {
            entry.path().is_file()
        } else {
            kind.is_file()
        };
        if is_file {
            names.push(name);
        }
    }
    Ok(names)
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// When the file last changed (moved, renamed, written): its ctime.
#[cfg(unix)]
fn changed_at(meta: &std::fs::Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    meta.ctime()
}

#[cfg(not(unix))]
fn changed_at(meta: &std::fs::Metadata) -> i64 {
    meta.modified().map(unix_seconds).unwrap_or(i64::MAX)
}

pub(crate) fn read_error(path: &Path, e: &io::Error) -> SyncError {
    let mut err = SyncError::new(format!("cannot read `{}`: {e}", path.display()));
    if e.kind() == io::ErrorKind::PermissionDenied {
        err = err.hint("check the permissions of the folder in `maildir.path`");
    }
    err
}

/// The header block of the file at `path` (at most `MESSAGE_PREFIX`
/// bytes), or None if it vanished meanwhile.
pub(crate) fn read_header(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::new(file.take(MESSAGE_PREFIX as u64));
    let mut header = Vec::new();
    loop {
        let start = header.len();
        if reader.read_until(b'\n', &mut header)? == 0 {
            break;
        }
        let line = &header[start..];
        if line == b"\n" || line == b"\r\n" {
            break;
        }
    }
    Ok(Some(header))
}

/// The first `MESSAGE_PREFIX` bytes of the file at `path`.
fn read_prefix(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(MESSAGE_PREFIX as u64).read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

impl Source for MaildirSource {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn find(&mut self, tracked: &Tracked, now: OffsetDateTime) -> Result<Scan, SyncError> {
        let mut scan = Scan::default();
        let files = std::mem::take(&mut self.arrived);
        if self.since.is_some() && files.is_empty() {
            scan.nothing_new = true;
        }
        if tracked.is_empty() {
            return Ok(scan);
        }
        let parser = MessageParser::default();
        for path in files {
            let Some(header) = read_header(&path).map_err(|e| read_error(&path, &e))? else {
                continue;
            };
            let in_thread = parser
                .parse_headers(&header)
                .is_some_and(|m| tracked.may_matter(&m));
            if !in_thread {
                continue;
            }
            let Some(raw) = read_prefix(&path).map_err(|e| read_error(&path, &e))? else {
                continue;
            };
            if let Some(message) = parser.parse(&raw) {
                scan.add(match_reply(tracked, &message, now));
            }
        }
        Ok(scan)
    }

    fn checkpoint(&self, checkpoints: &mut Checkpoints) {
        checkpoints.maildir.insert(self.key.clone(), self.mark);
        checkpoints
            .maildir_names
            .insert(self.key.clone(), self.names.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{AskSpec, Request};
    use time::macros::datetime;

    fn tracked_request() -> Request {
        let spec = AskSpec::pair(
            "ada".into(),
            "ada@example.com".into(),
            "sam".into(),
            "sam@example.org".into(),
            "w".into(),
        );
        let t = datetime!(2026-03-01 09:00 UTC);
        let mut r = Request::new("aaaa1111".into(), spec, "s".into(), "<ask@x>".into(), t);
        r.mark_asked(t).unwrap();
        r
    }

    #[test]
    fn new_and_cur_are_read_and_the_checkpoint_skips_old_files() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let reply = "From: ada@example.com\nIn-Reply-To: <ask@x>\n\nSure!\n";
        std::fs::write(dir.path().join("new/1.a.host"), reply).unwrap();
        std::fs::write(
            dir.path().join("cur/2.b.host:2,S"),
            "From: ada@example.com\nSubject: unrelated\n\nhi\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("tmp/3.c.host"), reply).unwrap();
        let r = tracked_request();
        let tracked = Tracked::new([&r]);
        let now = datetime!(2026-03-02 09:00 UTC);

        let mut checkpoints = Checkpoints::default();
        let mut source = open(dir.path(), &checkpoints, false).unwrap();
        let scan = source.find(&tracked, now).unwrap();
        assert_eq!(scan.found.len(), 1, "tmp/ is not delivered mail");
        assert_eq!(scan.examined, 1);
        assert_eq!(scan.found[0].reply.snippet, "Sure!");
        source.checkpoint(&mut checkpoints);

        // A mark from long ago: every file changed after it.
        let key = checkpoints.maildir.keys().next().unwrap().clone();
        checkpoints.maildir.get_mut(&key).unwrap().scanned_at += 3600;
        let mut again = open(dir.path(), &checkpoints, false).unwrap();
        let scan = again.find(&tracked, now).unwrap();
        assert!(scan.found.is_empty() && scan.nothing_new);
        let mut rescan = open(dir.path(), &checkpoints, true).unwrap();
        assert_eq!(rescan.find(&tracked, now).unwrap().found.len(), 1);
    }

    #[test]
    fn a_folder_whose_time_did_not_move_is_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        let age = |sub: &str| {
            std::fs::File::open(dir.path().join(sub))
                .unwrap()
                .set_modified(old)
                .unwrap();
        };
        age("new");
        age("cur");
        let r = tracked_request();
        let tracked = Tracked::new([&r]);
        let now = datetime!(2026-03-02 09:00 UTC);
        let mut checkpoints = Checkpoints::default();
        let mut source = open(dir.path(), &checkpoints, false).unwrap();
        assert!(source.find(&tracked, now).unwrap().found.is_empty());
        source.checkpoint(&mut checkpoints);
        let mark = *checkpoints.maildir.values().next().unwrap();
        assert!(mark.folders_mtime.iter().all(|&t| t > 0), "{mark:?}");

        // A reply lands in new/, which moves its time: it is found.
        let reply = "From: ada@example.com\nIn-Reply-To: <ask@x>\n\nSure!\n";
        std::fs::write(dir.path().join("new/1.a.host"), reply).unwrap();
        let mut again = open(dir.path(), &checkpoints, false).unwrap();
        assert_eq!(again.find(&tracked, now).unwrap().found.len(), 1);
        // Had its time not moved, the folder would not even be listed.
        age("new");
        let mut skipped = open(dir.path(), &checkpoints, false).unwrap();
        let scan = skipped.find(&tracked, now).unwrap();
        assert!(scan.found.is_empty() && scan.nothing_new);
    }

    #[test]
    fn names_tell_what_arrived_a_flag_change_is_nothing_new() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let reply = "From: ada@example.com\nIn-Reply-To: <ask@x>\n\nSure!\n";
        std::fs::write(dir.path().join("new/1.a.host"), reply).unwrap();
        let r = tracked_request();
        let tracked = Tracked::new([&r]);
        let now = datetime!(2026-03-02 09:00 UTC);
        let mut checkpoints = Checkpoints::default();
        let mut first = open(dir.path(), &checkpoints, false).unwrap();
        assert_eq!(first.find(&tracked, now).unwrap().found.len(), 1);
        first.checkpoint(&mut checkpoints);
        // Checkpoints as a sync long ago left them: change times alone
        // would call every file new.
        for mark in checkpoints.maildir.values_mut() {
            mark.scanned_at = 0;
        }

        // Read by a mail client: moved to cur/ with a flag. Not new.
        std::fs::rename(
            dir.path().join("new/1.a.host"),
            dir.path().join("cur/1.a.host:2,S"),
        )
        .unwrap();
        let mut again = open(dir.path(), &checkpoints, false).unwrap();
        let scan = again.find(&tracked, now).unwrap();
        assert_eq!((scan.found.len(), scan.examined), (0, 0));
        assert!(scan.nothing_new);
        again.checkpoint(&mut checkpoints);

        // A reply moved back into the folder keeps its old name but was
        // not there before: it is read.
        std::fs::write(dir.path().join("cur/2.b.host:2,S"), reply).unwrap();
        let mut third = open(dir.path(), &checkpoints, false).unwrap();
        assert_eq!(third.find(&tracked, now).unwrap().found.len(), 1);
    }

    #[test]
    fn a_folder_that_is_not_a_maildir_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(dir.path(), &Checkpoints::default(), false)
            .err()
            .unwrap();
        assert!(err.message.contains("is not a Maildir"), "{}", err.message);
        let missing = dir.path().join("nope");
        let err = open(&missing, &Checkpoints::default(), false)
            .err()
            .unwrap();
        assert!(err.message.contains("does not exist"), "{}", err.message);
    }
}
