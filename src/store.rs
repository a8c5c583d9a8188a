//! The request store on disk, under the data dir:
//!
//! - `requests.json`: a snapshot of every request, one JSON line each after
//!   a header line with the format version and a generation number,
//!   replaced atomically (temp file, fsync, rename);
//! - `requests.log`: a journal, one JSON line per changed request appended
//!   (and fsynced) after the snapshot's generation; the last line for an id
//!   wins, so replaying it twice is harmless;
//! - `store.lock`: the lock every reader (shared) and writer (exclusive) takes.
//!
//! Recording a request appends one line instead of rewriting thousands; the
//! journal is folded into a new snapshot once it outgrows it. A torn last
//! line (a crash mid-append) was never acknowledged and is dropped; damage
//! anywhere else is an error, never silently skipped.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Hints;
use crate::fsutil;
use crate::request::Request;

/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Fold the journal into the snapshot when it has more lines than this, or
/// than a quarter of the requests, whichever is larger: reading the store
/// then costs at most a quarter more than reading the snapshot alone.
const COMPACT_MIN_LINES: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("`{}` line {line} is damaged: {message}", path.display())]
    Damaged {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("`{}` was written by a newer intro (store format {found}, this intro reads {FORMAT_VERSION})", path.display())]
    UnknownVersion { path: PathBuf, found: u32 },
    /// Another run holds the lock, and this reader would not wait.
    #[error("`{}` is locked by another intro run", path.display())]
    Busy { path: PathBuf },
}

impl Hints for StoreError {
    fn hints(&self) -> Vec<String> {
        match self {
            StoreError::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
                vec!["check the permissions of the data dir (set `INTRO_DATA_DIR` to use another)".into()]
            }
            StoreError::Io { source, .. }
                if matches!(
                    source.kind(),
                    io::ErrorKind::ReadOnlyFilesystem
                        | io::ErrorKind::StorageFull
                        | io::ErrorKind::QuotaExceeded
                ) =>
            {
                vec!["make room on the data dir's disk (or mount it writable) and run the same command again".into()]
            }
            StoreError::Io { .. } => vec![],
            StoreError::Damaged { .. } => vec![
                "nothing was changed; fix or remove that line by hand (every other line is a whole request)".into(),
            ],
            StoreError::UnknownVersion { .. } => {
                vec!["upgrade intro (`cargo install intro`) to read this store".into()]
            }
            StoreError::Busy { .. } => vec![],
        }
    }
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// The first line of both files: the format version and the generation.
#[derive(Serialize, Deserialize)]
struct Header {
    intro_store: u32,
    generation: u64,
}

/// One line after the header: a whole request, or the id of one dropped
/// because its ask was never accepted.
enum JournalLine {
    Deleted(String),
    Put(Box<Request>),
}

#[derive(Serialize, Deserialize)]
struct Deleted {
    deleted: String,
}

impl JournalLine {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            JournalLine::Put(r) => serde_json::to_writer(&mut *out, r),
            JournalLine::Deleted(id) => serde_json::to_writer(
                &mut *out,
                &Deleted {
                    deleted: id.clone(),
                },
            ),
        }
        .expect("requests serialize");
        out.push(b'\n');
    }

    /// Parse one line. Told apart by their first key, so a request is
    /// parsed once, straight into its type (an untagged enum would buffer
    /// and try each shape, which doubled the time to read a large store).
    fn parse(raw: &[u8]) -> Result<JournalLine, serde_json::Error> {
        if raw.starts_with(b"{\"deleted\"") {
            let d: Deleted = serde_json::from_slice(raw)?;
            Ok(JournalLine::Deleted(d.deleted))
        } else {
            Ok(JournalLine::Put(Box::new(serde_json::from_slice(raw)?)))
        }
    }
}

/// Every request, by id.
#[derive(Debug, Clone, Default)]
pub struct Requests {
    by_id: BTreeMap<String, Request>,
}

/// A request name that is not exactly one stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindError {
    Unknown(String),
    Ambiguous(String, Vec<String>),
}

impl Requests {
    pub fn get(&self, id: &str) -> Option<&Request> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Request> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Find by id or by an unambiguous prefix of one.
    pub fn find(&self, name: &str) -> Result<&Request, FindError> {
        let name = name.trim();
        if let Some(r) = self.by_id.get(name) {
            return Ok(r);
        }
        let matches: Vec<&Request> = if name.is_empty() {
            Vec::new()
        } else {
            self.by_id
                .range(name.to_string()..)
                .take_while(|(id, _)| id.starts_with(name))
                .map(|(_, r)| r)
                .collect()
        };
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(FindError::Unknown(name.into())),
            many => Err(FindError::Ambiguous(
                name.into(),
                many.iter().map(|r| r.id.clone()).collect(),
            )),
        }
    }

    fn apply(&mut self, line: JournalLine) {
        match line {
            JournalLine::Put(r) => {
                self.by_id.insert(r.id.clone(), *r);
            }
            JournalLine::Deleted(id) => {
                self.by_id.remove(&id);
            }
        }
    }
}

/// What this process last read, so the next lock only reads what was appended.
struct Cache {
    generation: u64,
    journal_len: u64,
    journal_lines: usize,
    /// Which file the journal was (device, inode), to notice a compaction.
    journal_id: Option<(u64, u64)>,
    requests: Requests,
}

/// A file's identity on disk; None where the platform does not say.
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// The store in one data dir. Cheap to make; touches the disk when used.
pub struct Store {
    dir: PathBuf,
    cache: Option<Cache>,
    /// The journal kept open for appending, with its identity.
    journal_file: Option<(File, Option<(u64, u64)>)>,
    /// Group commit: fsync the journal at most this often (None: after
    /// every append). See [`Store::defer_sync`].
    sync_every: Option<std::time::Duration>,
    last_sync: std::time::Instant,
    /// Appended but not yet fsynced.
    unsynced: bool,
}

/// Changes made under the exclusive lock; written when the closure returns Ok.
pub struct Txn<'a> {
    requests: &'a mut Requests,
    changed: Vec<JournalLine>,
}

impl Txn<'_> {
    pub fn requests(&self) -> &Requests {
        self.requests
    }

    /// Insert or replace a request.
    pub fn put(&mut self, request: Request) {
        self.changed
            .push(JournalLine::Put(Box::new(request.clone())));
        self.requests.by_id.insert(request.id.clone(), request);
    }

    /// Forget a request whose ask was never accepted.
    pub fn remove(&mut self, id: &str) {
        if self.requests.by_id.remove(id).is_some() {
            self.changed.push(JournalLine::Deleted(id.to_string()));
        }
    }
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            cache: None,
            journal_file: None,
            sync_every: None,
            last_sync: std::time::Instant::now(),
            unsynced: false,
        }
    }

    fn snapshot_path(&self) -> PathBuf {
        self.dir.join("requests.json")
    }

    fn journal_path(&self) -> PathBuf {
        self.dir.join("requests.log")
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("store.lock")
    }

    /// Open the lock file, creating the data dir only when about to write.
    /// Without `wait`, a lock another run holds is `Busy`.
    fn lock(&self, exclusive: bool, wait: bool) -> Result<Option<File>, StoreError> {
        let path = self.lock_path();
        if exclusive {
            fsutil::create_private_dir(&self.dir).map_err(io_err("create", &self.dir))?;
        } else if !path.exists() && !self.journal_path().exists() && !self.snapshot_path().exists()
        {
            // Nothing stored yet: reading must not create the data dir.
            return Ok(None);
        }
        // A reader needs no write access to lock: opening the lock file
        // read-only lets `status` work on a read-only data dir (a mounted
        // backup, a file system remounted read-only after an error).
        let opened = match exclusive {
            false => File::open(&path).or_else(|e| match e.kind() {
                io::ErrorKind::NotFound => fsutil::open_private_append(&path),
                _ => Err(e),
            }),
            true => fsutil::open_private_append(&path),
        };
        let file = opened.map_err(io_err("open", &path))?;
        if exclusive {
            file.lock().map_err(io_err("lock", &path))?;
        } else if wait {
            file.lock_shared().map_err(io_err("lock", &path))?;
        } else {
            match file.try_lock_shared() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy { path }),
                Err(std::fs::TryLockError::Error(e)) => return Err(io_err("lock", &path)(e)),
            }
        }
        Ok(Some(file))
    }

    /// Every request, read under a shared lock.
    pub fn read(&mut self) -> Result<&Requests, StoreError> {
        self.read_waiting(true)
    }

    /// Every request, or `Busy` at once while another run writes: for
    /// answers that cannot wait (shell completion).
    pub fn read_now(&mut self) -> Result<&Requests, StoreError> {
        self.read_waiting(false)
    }

    fn read_waiting(&mut self, wait: bool) -> Result<&Requests, StoreError> {
        let lock = self.lock(false, wait)?;
        if lock.is_some() {
            self.refresh()?;
        }
        drop(lock);
        if self.cache.is_none() {
            self.cache = Some(Cache {
                generation: 0,
                journal_len: 0,
                journal_lines: 0,
                journal_id: None,
                requests: Requests::default(),
            });
        }
        Ok(&self.cache.as_ref().expect("cache was just filled").requests)
    }

    /// Run `change` under the exclusive lock on the current requests, then
    /// append what it changed. Nothing is written when it returns Err.
    pub fn write<T, E>(&mut self, change: impl FnOnce(&mut Txn) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let _lock = self.lock(true, true)?;
        self.refresh()?;
        let cache = self.cache.as_mut().expect("refresh fills the cache");
        let mut txn = Txn {
            requests: &mut cache.requests,
            changed: Vec::new(),
        };
        let result = change(&mut txn);
        let changed = std::mem::take(&mut txn.changed);
        match result {
            Ok(value) => {
                if !changed.is_empty()
                    && let Err(e) = self.append(&changed)
                {
                    // The cached copy has the change that did not reach
                    // the disk (full, read-only): forget it, or this run's
                    // next change would build on something never stored.
                    self.cache = None;
                    return Err(e.into());
                }
                if !changed.is_empty() {
                    // The change is stored. Folding the journal into the
                    // snapshot is upkeep that the next write tries again;
                    // its failure (a full disk) must not make this change
                    // look failed, which would have the user redo it.
                    let _ = self.maybe_compact();
                }
                Ok(value)
            }
            Err(e) => {
                // The closure may have changed the cached copy; forget it.
                self.cache = None;
                Err(e)
            }
        }
    }

    /// Group commit for a batch: from now on, fsync the journal at most
    /// every `every` instead of after each append, and at [`Store::sync`]
    /// or drop. Every line is still written before its append returns, so
    /// a killed process loses nothing; a power cut can lose the last
    /// `every` of `asked` marks, and a rerun then re-sends those asks with
    /// their same Message-IDs.
    pub fn defer_sync(&mut self, every: std::time::Duration) {
        self.sync_every = Some(every);
    }

    /// Make every line appended so far durable, and fsync after each append
    /// again.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        self.sync_every = None;
        if self.unsynced
            && let Some((file, _)) = &self.journal_file
        {
            let path = self.journal_path();
            file.sync_data().map_err(io_err("sync", &path))?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// Bring the cache up to date with the disk (the caller holds a lock).
    fn refresh(&mut self) -> Result<(), StoreError> {
        let journal_path = self.journal_path();
        // Fast path, taken by every write of a batch: the journal is the
        // file this process read last and no other process appended to it.
        if let Some(cache) = &self.cache
            && let Some(id) = cache.journal_id
            && let Ok(meta) = std::fs::metadata(&journal_path)
            && file_id(&meta) == Some(id)
            && meta.len() == cache.journal_len
        {
            return Ok(());
        }
        let mut journal = match File::open(&journal_path) {
            Ok(f) => Some(f),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err("open", &journal_path)(e)),
        };
        let header = match journal.as_mut() {
            Some(f) => read_header(f, &journal_path)?,
            None => None,
        };
        if let (Some(cache), Some((generation, _)), Some(file)) =
            (self.cache.as_mut(), header.as_ref(), journal.as_mut())
        {
            let len = file
                .metadata()
                .map_err(io_err("read", &journal_path))?
                .len();
            // journal_len 0 means this process has not read the header of
            // the journal that exists now (it was made since): load fully.
            if cache.generation == *generation && cache.journal_len > 0 && len >= cache.journal_len
            {
                file.seek(SeekFrom::Start(cache.journal_len))
                    .map_err(io_err("read", &journal_path))?;
                let first_line = cache.journal_lines + 2;
                let (lines, used) = read_lines(file, &journal_path, first_line)?;
                cache.journal_len += used;
                cache.journal_lines += lines.len();
                for line in lines {
                    cache.requests.apply(line);
                }
                return Ok(());
            }
        }
        // Full load: snapshot, then every journal line on top.
        let snapshot_path = self.snapshot_path();
        let mut requests = Requests::default();
        let mut generation = 0;
        match File::open(&snapshot_path) {
            Ok(mut file) => {
                // Written whole by an atomic rename: a header and every line.
                let Some((snapshot_gen, header_len)) = read_header(&mut file, &snapshot_path)?
                else {
                    return Err(StoreError::Damaged {
                        path: snapshot_path,
                        line: 1,
                        message: "the header line is missing".into(),
                    });
                };
                generation = snapshot_gen;
                file.seek(SeekFrom::Start(header_len))
                    .map_err(io_err("read", &snapshot_path))?;
                let (lines, _) = read_lines(&mut file, &snapshot_path, 2)?;
                for line in lines {
                    requests.apply(line);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("open", &snapshot_path)(e)),
        }
        let mut journal_len = 0;
        let mut journal_lines = 0;
        let mut journal_id = None;
        if let (Some(file), Some((journal_gen, header_len))) = (journal.as_mut(), header) {
            journal_id = file.metadata().ok().as_ref().and_then(file_id);
            file.seek(SeekFrom::Start(header_len))
                .map_err(io_err("read", &journal_path))?;
            let (lines, used) = read_lines(file, &journal_path, 2)?;
            journal_len = header_len + used;
            journal_lines = lines.len();
            for line in lines {
                requests.apply(line);
            }
            if journal_gen < generation {
                // Left from a compaction that crashed before it could start a
                // new journal: its lines are already in the snapshot (replaying
                // them changed nothing), and the next append starts afresh.
                journal_len = 0;
                journal_lines = 0;
            }
        }
        self.cache = Some(Cache {
            generation,
            journal_len,
            journal_lines,
            journal_id,
            requests,
        });
        Ok(())
    }

    fn append(&mut self, changed: &[JournalLine]) -> Result<(), StoreError> {
        let path = self.journal_path();
        let cache = self.cache.as_mut().expect("write refreshed the cache");
        let open = |path: &Path| -> Result<(File, Option<(u64, u64)>), StoreError> {
            let file = fsutil::open_private_append(path).map_err(io_err("open", path))?;
            let id = file.metadata().ok().as_ref().and_then(file_id);
            Ok((file, id))
        };
        let (mut file, mut id) = match self.journal_file.take() {
            Some((file, id)) if id.is_some() && id == cache.journal_id => (file, id),
            _ => open(&path)?,
        };
        let len = file.metadata().map_err(io_err("read", &path))?.len();
        let mut out = Vec::new();
        if len == 0 || cache.journal_len == 0 {
            // A new journal (or one left behind by a crashed compaction):
            // start it over with this generation's header.
            let header = Header {
                intro_store: FORMAT_VERSION,
                generation: cache.generation,
            };
            let mut text = serde_json::to_vec(&header).expect("header serializes");
            text.push(b'\n');
            if len != 0 {
                drop(file);
                fsutil::write_atomic(&path, &text).map_err(io_err("write", &path))?;
                (file, id) = open(&path)?;
            } else {
                out.extend_from_slice(&text);
            }
            cache.journal_len = text.len() as u64;
            cache.journal_lines = 0;
        } else if len > cache.journal_len {
            // A torn tail from a crashed append: it was never acknowledged,
            // so cut it off before adding whole lines after it.
            file.set_len(cache.journal_len)
                .map_err(io_err("repair", &path))?;
        }
        for line in changed {
            line.write(&mut out);
        }
        file.write_all(&out).map_err(io_err("write", &path))?;
        // Once written, a line survives this process being killed; fsync
        // makes it survive a power cut too. A batch may group those.
        match self.sync_every {
            Some(every) if self.last_sync.elapsed() < every => self.unsynced = true,
            _ => {
                file.sync_data().map_err(io_err("sync", &path))?;
                self.last_sync = std::time::Instant::now();
                self.unsynced = false;
            }
        }
        let cache = self.cache.as_mut().expect("write refreshed the cache");
        if len == 0 {
            cache.journal_len = out.len() as u64;
        } else {
            cache.journal_len += out.len() as u64;
        }
        cache.journal_lines += changed.len();
        cache.journal_id = id;
        self.journal_file = Some((file, id));
        Ok(())
    }

    fn maybe_compact(&mut self) -> Result<(), StoreError> {
        let cache = self.cache.as_ref().expect("write refreshed the cache");
        if cache.journal_lines <= COMPACT_MIN_LINES.max(cache.requests.len() / 4) {
            return Ok(());
        }
        self.compact()
    }

    /// Fold the journal into a new snapshot (the caller holds the write lock).
    fn compact(&mut self) -> Result<(), StoreError> {
        let snapshot_path = self.snapshot_path();
        let journal_path = self.journal_path();
        let cache = self.cache.as_mut().expect("write refreshed the cache");
        let generation = cache.generation + 1;
        let header = Header {
            intro_store: FORMAT_VERSION,
            generation,
        };
        let mut bytes = serde_json::to_vec(&header).expect("header serializes");
        bytes.push(b'\n');
        for r in cache.requests.by_id.values() {
            serde_json::to_writer(&mut bytes, r).expect("requests serialize");
            bytes.push(b'\n');
        }
        fsutil::write_atomic(&snapshot_path, &bytes).map_err(io_err("write", &snapshot_path))?;
        // The snapshot (fsynced) holds every change, and readers now drop
        // the older journal's lines as already in it. So this run must not
        // append to that journal any more, even if starting the new one
        // fails below: `append` starts it when `journal_len` is 0.
        cache.generation = generation;
        cache.journal_len = 0;
        cache.journal_lines = 0;
        self.journal_file = None;
        self.unsynced = false;
        let header = Header {
            intro_store: FORMAT_VERSION,
            generation,
        };
        let mut text = serde_json::to_vec(&header).expect("header serializes");
        text.push(b'\n');
        fsutil::write_atomic(&journal_path, &text).map_err(io_err("write", &journal_path))?;
        cache.journal_len = text.len() as u64;
        cache.journal_id = std::fs::metadata(&journal_path)
            .ok()
            .as_ref()
            .and_then(file_id);
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

/// A file's generation and the header's length in bytes.
fn read_header(file: &mut File, path: &Path) -> Result<Option<(u64, u64)>, StoreError> {
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
    if header.intro_store != FORMAT_VERSION {
        return Err(StoreError::UnknownVersion {
            path: path.into(),
            found: header.intro_store,
        });
    }
    Ok(Some((header.generation, line.len() as u64)))
}

/// Whole lines from the current position; a last line without its newline
/// is a torn append and is not counted. Returns the lines and bytes used.
fn read_lines(
    file: &mut File,
    path: &Path,
    first_line_number: usize,
) -> Result<(Vec<JournalLine>, u64), StoreError> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io_err("read", path))?;
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
    use crate::request::AskSpec;
    use time::macros::datetime;

    fn request(id: &str) -> Request {
        let spec = AskSpec {
            a: "ada".into(),
            a_email: "ada@example.com".into(),
            b: format!("b-{id}"),
            b_email: "b@example.com".into(),
            why: "why".into(),
            wants: None,
            format: None,
            note: None,
        };
        Request::new(
            id.into(),
            spec,
            "s".into(),
            format!("<{id}@x>"),
            datetime!(2026-01-01 0:00 UTC),
        )
    }

    fn put(store: &mut Store, id: &str) {
        store
            .write(|txn| {
                txn.put(request(id));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn a_fresh_store_reads_empty_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut store = Store::new(&data);
        assert!(store.read().unwrap().is_empty());
        assert!(!data.exists());
    }

    #[test]
    fn read_now_does_not_wait_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        put(&mut store, "aaaaaaaa");
        // Another run writing: it holds the lock exclusively.
        let writer = File::open(dir.path().join("store.lock")).unwrap();
        writer.lock().unwrap();
        let mut reader = Store::new(dir.path());
        assert!(matches!(reader.read_now(), Err(StoreError::Busy { .. })));
        writer.unlock().unwrap();
        assert_eq!(reader.read_now().unwrap().len(), 1);
        // Nothing stored yet: empty, and nothing created.
        let empty = dir.path().join("none");
        assert!(Store::new(&empty).read_now().unwrap().is_empty());
        assert!(!empty.exists());
    }

    #[test]
    fn writes_are_seen_by_a_new_process_and_survive_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        for i in 0..(COMPACT_MIN_LINES + 10) {
            put(&mut store, &format!("{i:08x}"));
        }
        store
            .write(|txn| {
                txn.remove("00000001");
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let mut other = Store::new(dir.path());
        let requests = other.read().unwrap();
        assert_eq!(requests.len(), COMPACT_MIN_LINES + 9);
        assert!(!requests.contains("00000001"));
        assert!(dir.path().join("requests.json").exists());
        // The journal was restarted by the compaction.
        let journal = std::fs::read_to_string(dir.path().join("requests.log")).unwrap();
        assert!(journal.lines().count() < 20, "{}", journal.lines().count());
    }

    #[test]
    fn a_compaction_that_fails_does_not_fail_the_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        for i in 0..COMPACT_MIN_LINES {
            put(&mut store, &format!("{i:08x}"));
        }
        // The snapshot cannot be written (here: a folder is in its way, as
        // a full disk would refuse it). The change that makes the journal
        // outgrow the snapshot is in the journal all the same, and is not
        // reported as failed.
        let blocker = dir.path().join("requests.json");
        std::fs::create_dir_all(blocker.join("x")).unwrap();
        let mut changed = request("00000000");
        changed.why = "changed".into();
        store
            .write(|txn| {
                txn.put(changed.clone());
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(!blocker.is_file(), "not compacted");
        std::fs::remove_dir_all(&blocker).unwrap();
        let mut other = Store::new(dir.path());
        assert_eq!(other.read().unwrap().get("00000000"), Some(&changed));
        // The next change compacts, and nothing is lost.
        put(&mut store, "ffffffff");
        assert!(blocker.is_file(), "compacted");
        let mut fresh = Store::new(dir.path());
        let requests = fresh.read().unwrap();
        assert_eq!(requests.len(), COMPACT_MIN_LINES + 1);
        assert_eq!(requests.get("00000000"), Some(&changed));
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        put(&mut store, "aaaaaaaa");
        let journal = dir.path().join("requests.log");
        let mut f = fsutil::open_private_append(&journal).unwrap();
        f.write_all(b"{\"id\":\"bbbb").unwrap();
        drop(f);
        let mut fresh = Store::new(dir.path());
        assert_eq!(fresh.read().unwrap().len(), 1);
        put(&mut fresh, "cccccccc");
        let mut again = Store::new(dir.path());
        let ids: Vec<&str> = again
            .read()
            .unwrap()
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["aaaaaaaa", "cccccccc"]);
    }

    #[test]
    fn damage_in_the_middle_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        put(&mut store, "aaaaaaaa");
        let journal = dir.path().join("requests.log");
        let mut f = fsutil::open_private_append(&journal).unwrap();
        f.write_all(b"garbage\n").unwrap();
        drop(f);
        let mut fresh = Store::new(dir.path());
        match fresh.read() {
            Err(StoreError::Damaged { line, .. }) => assert_eq!(line, 3),
            other => panic!("expected damage, got {:?}", other.map(|r| r.len())),
        }
    }

    #[test]
    fn an_unknown_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("store.lock"), "").unwrap();
        std::fs::write(
            dir.path().join("requests.json"),
            "{\"intro_store\": 99, \"generation\": 1}\n",
        )
        .unwrap();
        let mut store = Store::new(dir.path());
        assert!(matches!(
            store.read(),
            Err(StoreError::UnknownVersion { found: 99, .. })
        ));
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        put(&mut store, "aaaaaaaa");
        let result: Result<(), StoreError> = store.write(|txn| {
            txn.put(request("bbbbbbbb"));
            Err(StoreError::Damaged {
                path: "x".into(),
                line: 0,
                message: "test".into(),
            })
        });
        assert!(result.is_err());
        assert_eq!(store.read().unwrap().len(), 1);
        assert_eq!(Store::new(dir.path()).read().unwrap().len(), 1);
    }

    #[test]
    fn a_reader_from_before_the_journal_existed_sees_new_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut early = Store::new(dir.path());
        assert!(early.read().unwrap().is_empty());
        let mut other = Store::new(dir.path());
        put(&mut other, "aaaaaaaa");
        put(&mut early, "bbbbbbbb");
        assert_eq!(early.read().unwrap().len(), 2);
        assert_eq!(Store::new(dir.path()).read().unwrap().len(), 2);
    }

    #[test]
    fn deferred_syncs_still_write_every_line_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        store.defer_sync(std::time::Duration::from_secs(3600));
        put(&mut store, "aaaaaaaa");
        put(&mut store, "bbbbbbbb");
        assert!(
            store.unsynced,
            "the second append waits for the group's fsync"
        );
        // Another process sees both lines before any fsync.
        assert_eq!(Store::new(dir.path()).read().unwrap().len(), 2);
        store.sync().unwrap();
        assert!(!store.unsynced);
        put(&mut store, "cccccccc");
        assert!(!store.unsynced, "after sync, every append is synced again");
    }

    #[test]
    fn prefixes_find_unique_requests() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path());
        put(&mut store, "ab120000");
        put(&mut store, "ab340000");
        let requests = store.read().unwrap();
        assert_eq!(requests.find("ab1").unwrap().id, "ab120000");
        assert!(matches!(requests.find("ab"), Err(FindError::Ambiguous(_, ids)) if ids.len() == 2));
        assert!(matches!(requests.find("zz"), Err(FindError::Unknown(_))));
    }
}
