//! Replies in a local Maildir (what mbsync, offlineimap or getmail keep):
//! every message file in `new/` and `cur/` that arrived since the last
//! sync has its header read; only those whose threading headers name a
//! tracked Message-ID are read further (up to `MESSAGE_PREFIX` bytes) and
//! matched. "Arrived since" is the file's change time, which moving a file
//! into the folder (or between `new/` and `cur/`) sets, and which no sync
//! tool can set back.

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
}

/// Check that `path` is a Maildir and note the time before anything in it
/// is read.
pub(crate) fn open(
    path: &Path,
    checkpoints: &Checkpoints,
    rescan: bool,
) -> Result<MaildirSource, SyncError> {
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
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let key = absolute.display().to_string();
    let scanned_at = unix_seconds(SystemTime::now());
    let since = if rescan {
        None
    } else {
        checkpoints
            .maildir
            .get(&key)
            .map(|m| m.scanned_at - SLACK_SECS)
    };
    Ok(MaildirSource {
        path: path.to_path_buf(),
        key,
        mark: MaildirMark { scanned_at },
        since,
    })
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

impl MaildirSource {
    /// The message files to look at, oldest name first (Maildir names
    /// start with the delivery time).
    fn files(&self) -> Result<Vec<PathBuf>, SyncError> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            let dir = self.path.join(sub);
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(read_error(&dir, &e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| read_error(&dir, &e))?;
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                // A file moved or deleted meanwhile (a mail client is
                // running) is simply not there any more.
                let Ok(meta) = entry.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                if self.since.is_some_and(|since| changed_at(&meta) < since) {
                    continue;
                }
                files.push(entry.path());
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(files)
    }
}

fn read_error(path: &Path, e: &io::Error) -> SyncError {
    let mut err = SyncError::new(format!("cannot read `{}`: {e}", path.display()));
    if e.kind() == io::ErrorKind::PermissionDenied {
        err = err.hint("check the permissions of the folder in `maildir.path`");
    }
    err
}

/// The header block of the file at `path` (at most `MESSAGE_PREFIX`
/// bytes), or None if it vanished meanwhile.
fn read_header(path: &Path) -> io::Result<Option<Vec<u8>>> {
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
        let files = self.files()?;
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
                .is_some_and(|m| tracked.may_concern(&m));
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{AskSpec, Request};
    use time::macros::datetime;

    fn tracked_request() -> Request {
        let spec = AskSpec {
            a: "ada".into(),
            a_email: "ada@example.com".into(),
            b: "sam".into(),
            b_email: "sam@example.org".into(),
            why: "w".into(),
            wants: None,
            format: None,
            note: None,
        };
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
