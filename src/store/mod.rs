//! The request store on disk, under the data dir:
//!
//! - `requests.json`: a snapshot of the requests still in play (every open
//!   one) after a header line with the format version and a generation
//!   number, then a line indexing the archive, then one JSON line per
//!   request; replaced atomically (temp file, fsync, rename);
//! - `requests.log`: a journal, one JSON line per changed request appended
//!   (and fsynced) after the snapshot's generation; the last line for an id
//!   wins, so replaying it twice is harmless;
//! - `archive.json`: closed requests (declined, introduced, cancelled),
//!   appended when the journal is folded into a new snapshot. Closed is
//!   final, so the archive only grows; the last line for an id wins, and a
//!   request in the snapshot or journal wins over the archive;
//! - `store.lock`: the lock every reader (shared) and writer (exclusive) takes.
//!
//! Recording a request appends one line instead of rewriting thousands; the
//! journal is folded into a new snapshot once it outgrows it. A torn last
//! line (a crash mid-append) was never acknowledged and is dropped; damage
//! anywhere else is an error, never silently skipped.
//!
//! Why the archive: the commands people run most (`status`, `ask`) need the
//! open requests, which stay few, not years of closed ones. They read the
//! snapshot and journal only ([`Store::read_open`], [`Store::read_recent`],
//! [`Store::read_named`]):
//! the snapshot's index line knows every archived id (so new ids stay
//! unique and prefixes stay unambiguous) and who was asked lately (for ask
//! fatigue). Everything else reads it all ([`Store::read`]).
//!
//! Here: [`Store`] (locking, reading, appending, compacting). `format`
//! holds the line formats, `archive` the archive and its index, and
//! `requests` the [`Requests`] a read gives.

mod archive;
mod format;
mod legacy;
mod requests;

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::domain::request::Request;
use crate::fsutil;

use archive::{append_archive, next_index, read_archive};
use format::{
    IndexLine, JournalLine, header_line, read_header, read_lines, read_snapshot_lines,
    write_deleted, write_request,
};
pub(crate) use requests::{FindError, Requests};

/// The on-disk format this build writes.
pub(crate) const FORMAT_VERSION: u32 = 4;

/// The oldest format this build reads; its next change rewrites the store
/// in [`FORMAT_VERSION`]. (1: one snapshot of every request, no archive;
/// 2: A's ask inline in the request, not a side of its own as B's; 3: the
/// shape of today, without the states, events and fields format 4 added
/// for notes, requests of connectors, auto-replies and direct
/// introductions, which an intro reading only 3 could not parse.)
pub(crate) const OLDEST_FORMAT: u32 = 1;

/// Fold the journal into the snapshot when it has more lines than this, or
/// than a quarter of the snapshot's requests, whichever is larger: reading
/// the store then costs at most a quarter more than reading the snapshot
/// alone. The snapshot holds the open requests only, so folding is cheap
/// and can be frequent.
const COMPACT_MIN_LINES: usize = 64;

/// How far back the archive index lists asks: ask fatigue's window.
pub(crate) const RECENT_DAYS: i64 = crate::domain::fatigue::WINDOW_DAYS;

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
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
    #[error("`{}` was written by a newer intro (store format {found}, this intro reads {OLDEST_FORMAT} to {FORMAT_VERSION})", path.display())]
    UnknownVersion { path: PathBuf, found: u32 },
    /// Another run holds the lock, and this reader would not wait.
    #[error("`{}` is locked by another intro run", path.display())]
    Busy { path: PathBuf },
}

pub(crate) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// What this process last read, so the next lock only reads what was appended.
struct Cache {
    generation: u64,
    /// The format of the snapshot and journal read; an older one is
    /// rewritten by the next change.
    format: u32,
    journal_len: u64,
    journal_lines: usize,
    /// Which file the journal was (device, inode), to notice a compaction.
    journal_id: Option<(u64, u64)>,
    requests: Requests,
    /// Archived ids deleted by journal lines: the archive learns at the
    /// next compaction.
    tombstones: Vec<String>,
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

/// How much of the store a read needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The snapshot and journal: every open request; closed ones by id.
    Open,
    /// The archive too: every request.
    All,
}

/// The store in one data dir. Cheap to make; touches the disk when used.
pub(crate) struct Store {
    dir: PathBuf,
    /// The time of this run: which archived asks are recent.
    now: OffsetDateTime,
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

/// Changes made under the exclusive lock; written when the closure returns
/// Ok (a change of more than [`SPILL_BYTES`] of lines begins to be written
/// before, and is cut off again if the closure fails).
pub(crate) struct Txn<'a> {
    requests: &'a mut Requests,
    /// The journal lines of the changes, each written as it is made: a
    /// batch's thousands of changes are never held as copies of the
    /// requests, nor whole as lines.
    journal: Journal<'a>,
    /// How many lines were made.
    count: usize,
    /// The ids removed.
    deleted: Vec<String>,
    /// The first failure to write a line; the change then fails.
    failed: Option<StoreError>,
}

/// Lines a change holds before it writes them to the journal.
const SPILL_BYTES: usize = 256 << 10;

/// The journal as one change appends to it: opened, and started anew or
/// its torn tail cut, when the first lines are written.
struct Journal<'a> {
    path: PathBuf,
    /// The journal kept open (the store's), with its identity.
    slot: &'a mut Option<(File, Option<(u64, u64)>)>,
    /// The cache's idea of the journal: its length, lines and identity.
    len: &'a mut u64,
    lines: &'a mut usize,
    id: &'a mut Option<(u64, u64)>,
    generation: u64,
    /// Lines made and not yet written.
    buffer: Vec<u8>,
    /// Once writing began: the file, and the length to cut it back to if
    /// the change fails.
    open: Option<(File, u64)>,
}

impl Journal<'_> {
    /// Write the lines made so far, opening the journal first.
    fn spill(&mut self) -> Result<(), StoreError> {
        if self.open.is_none() {
            self.begin()?;
        }
        let (file, _) = self.open.as_mut().expect("begun");
        file.write_all(&self.buffer)
            .map_err(io_err("write", &self.path))?;
        *self.len += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let open = |path: &Path| -> Result<(File, Option<(u64, u64)>), StoreError> {
            let file = fsutil::open_private_append(path).map_err(io_err("open", path))?;
            let id = file.metadata().ok().as_ref().and_then(file_id);
            Ok((file, id))
        };
        let (mut file, mut id) = match self.slot.take() {
            Some((file, id)) if id.is_some() && id == *self.id => (file, id),
            _ => open(&path)?,
        };
        let len = file.metadata().map_err(io_err("read", &path))?.len();
        let start = if len == 0 || *self.len == 0 {
            // A new journal (or one left behind by a crashed compaction):
            // start it over with this generation's header.
            let text = header_line(self.generation);
            if len != 0 {
                drop(file);
                fsutil::write_atomic(&path, &text).map_err(io_err("write", &path))?;
                (file, id) = open(&path)?;
                *self.len = text.len() as u64;
            } else {
                // Written with the lines: cut back to nothing on failure.
                self.buffer.splice(0..0, text.iter().copied());
                *self.len = 0;
            }
            *self.lines = 0;
            *self.len
        } else {
            if len > *self.len {
                // A torn tail from a crashed append: it was never
                // acknowledged, so cut it off before adding whole lines
                // after it.
                file.set_len(*self.len).map_err(io_err("repair", &path))?;
            }
            *self.len
        };
        *self.id = id;
        *self.slot = None;
        self.open = Some((file, start));
        Ok(())
    }

    /// A change that failed: cut off what it wrote (best effort: the
    /// cache is dropped, and the next append cuts a torn tail too).
    fn abort(&mut self) {
        if let Some((file, start)) = self.open.take() {
            let _ = file.set_len(start);
            *self.len = start;
        }
    }
}

impl Txn<'_> {
    pub(crate) fn requests(&self) -> &Requests {
        self.requests
    }

    /// Insert or replace a request.
    pub(crate) fn put(&mut self, request: Request) {
        write_request(&mut self.journal.buffer, &request);
        self.made();
        self.requests.apply(JournalLine::Put(Box::new(request)));
    }

    /// One more line made: written once enough are.
    fn made(&mut self) {
        self.count += 1;
        if self.journal.buffer.len() >= SPILL_BYTES
            && self.failed.is_none()
            && let Err(e) = self.journal.spill()
        {
            self.failed = Some(e);
        }
    }

    /// Forget a request whose ask was never accepted.
    pub(crate) fn remove(&mut self, id: &str) {
        if self.requests.get(id).is_some() {
            write_deleted(&mut self.journal.buffer, id);
            self.made();
            self.deleted.push(id.to_string());
            self.requests.apply(JournalLine::Deleted(id.to_string()));
        }
    }
}

impl Store {
    /// The store in `dir`, for a run whose time is `now` (`INTRO_NOW`, or
    /// the clock the context read once).
    pub(crate) fn new(dir: impl Into<PathBuf>, now: OffsetDateTime) -> Store {
        Store {
            dir: dir.into(),
            now,
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

    fn archive_path(&self) -> PathBuf {
        self.dir.join("archive.json")
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
    pub(crate) fn read(&mut self) -> Result<&Requests, StoreError> {
        self.read_scoped(Scope::All, true)
    }

    /// Every open request, and closed ones by id only (unless an earlier
    /// read of this store read them all): what `status` lists.
    pub(crate) fn read_open(&mut self) -> Result<&Requests, StoreError> {
        self.read_scoped(Scope::Open, true)
    }

    /// Every open request, and the asks made since `since`
    /// ([`Requests::archived_asks_since`]): what a new ask checks against.
    /// Reads the archive only when its index does not reach back that far.
    pub(crate) fn read_recent(&mut self, since: OffsetDateTime) -> Result<&Requests, StoreError> {
        self.read_scoped(Scope::Open, true)?;
        let covered = self
            .cache
            .as_ref()
            .is_none_or(|c| c.requests.index.covers(since));
        self.read_scoped(if covered { Scope::Open } else { Scope::All }, true)
    }

    /// Enough to find each of `names` ([`Requests::find`]): the open
    /// requests, or every request when a name may be an archived one.
    pub(crate) fn read_named(&mut self, names: &[String]) -> Result<&Requests, StoreError> {
        let requests = self.read_scoped(Scope::Open, true)?;
        let scope = match names.iter().any(|n| requests.needs_archive(n)) {
            true => Scope::All,
            false => Scope::Open,
        };
        self.read_scoped(scope, true)
    }

    /// Every request, or `Busy` at once while another run writes: for
    /// answers that cannot wait (shell completion).
    pub(crate) fn read_now(&mut self) -> Result<&Requests, StoreError> {
        self.read_scoped(Scope::All, false)
    }

    /// [`Store::read_open`], or `Busy` at once while another run writes.
    pub(crate) fn read_open_now(&mut self) -> Result<&Requests, StoreError> {
        self.read_scoped(Scope::Open, false)
    }

    fn read_scoped(&mut self, scope: Scope, wait: bool) -> Result<&Requests, StoreError> {
        let lock = self.lock(false, wait)?;
        if lock.is_some() {
            self.refresh(scope)?;
        }
        drop(lock);
        let cache = self.cache.get_or_insert_with(|| Cache {
            generation: 0,
            format: FORMAT_VERSION,
            journal_len: 0,
            journal_lines: 0,
            journal_id: None,
            requests: Requests::default(),
            tombstones: Vec::new(),
        });
        Ok(&cache.requests)
    }

    /// [`Store::write_open`], reading the archive too when one of `names`
    /// may be an archived request's (see [`Store::read_named`]).
    pub(crate) fn write_named<T, E>(
        &mut self,
        names: &[String],
        change: impl FnOnce(&mut Txn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let scope = match self.read_named(names)?.is_complete() {
            true => Scope::All,
            false => Scope::Open,
        };
        self.write_scoped(scope, change)
    }

    /// Run `change` under the exclusive lock on the requests
    /// [`Store::read_open`] reads (every open one; the archive too if this
    /// store read it before), then append what it changed. Nothing is
    /// left written when it returns Err (a change of more than 256 KiB of
    /// lines may have begun to be written, and is cut back). Closed
    /// requests are final, so changes are to open ones.
    pub(crate) fn write_open<T, E>(
        &mut self,
        change: impl FnOnce(&mut Txn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.write_scoped(Scope::Open, change)
    }

    fn write_scoped<T, E>(
        &mut self,
        scope: Scope,
        change: impl FnOnce(&mut Txn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let _lock = self.lock(true, true)?;
        self.refresh(scope)?;
        let path = self.journal_path();
        let cache = self.cache.as_mut().expect("refresh fills the cache");
        let mut txn = Txn {
            requests: &mut cache.requests,
            journal: Journal {
                path,
                slot: &mut self.journal_file,
                len: &mut cache.journal_len,
                lines: &mut cache.journal_lines,
                id: &mut cache.journal_id,
                generation: cache.generation,
                buffer: Vec::new(),
                open: None,
            },
            count: 0,
            deleted: Vec::new(),
            failed: None,
        };
        let result = change(&mut txn);
        let Txn {
            mut journal,
            count,
            deleted,
            failed,
            ..
        } = txn;
        match result {
            Ok(value) => {
                let appended = match failed {
                    Some(e) => Err(e),
                    None if count > 0 => journal.spill().and_then(|()| {
                        let (file, _) = journal.open.take().expect("spill opens the journal");
                        // Once written, a line survives this process being
                        // killed; fsync makes it survive a power cut too. A
                        // batch may group those.
                        match self.sync_every {
                            Some(every) if self.last_sync.elapsed() < every => {
                                self.unsynced = true;
                            }
                            _ => {
                                file.sync_data().map_err(io_err("sync", &journal.path))?;
                                self.last_sync = std::time::Instant::now();
                                self.unsynced = false;
                            }
                        }
                        *journal.lines += count;
                        *journal.slot = Some((file, *journal.id));
                        Ok(())
                    }),
                    None => Ok(()),
                };
                if let Err(e) = appended {
                    journal.abort();
                    // The cached copy has the change that did not reach
                    // the disk (full, read-only): forget it, or this run's
                    // next change would build on something never stored.
                    self.cache = None;
                    return Err(e.into());
                }
                let cache = self.cache.as_mut().expect("write refreshed the cache");
                for id in deleted {
                    if cache.requests.index.contains(&id) {
                        cache.tombstones.push(id);
                    }
                }
                if count > 0 {
                    // The change is stored. Folding the journal into the
                    // snapshot is upkeep that the next write tries again;
                    // its failure (a full disk) must not make this change
                    // look failed, which would have the user redo it.
                    if self.maybe_compact().is_err() {
                        // What the failed fold did to the cache is unsure.
                        self.cache = None;
                    }
                }
                Ok(value)
            }
            Err(e) => {
                journal.abort();
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
    pub(crate) fn defer_sync(&mut self, every: std::time::Duration) {
        self.sync_every = Some(every);
    }

    /// Make every line appended so far durable, and fsync after each append
    /// again.
    pub(crate) fn sync(&mut self) -> Result<(), StoreError> {
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

    /// Bring the cache up to date with the disk (the caller holds a lock),
    /// reading at least `scope`.
    fn refresh(&mut self, scope: Scope) -> Result<(), StoreError> {
        self.refresh_current(scope)?;
        let archive_path = self.archive_path();
        let cache = self.cache.as_mut().expect("refresh fills the cache");
        if scope == Scope::All && cache.requests.archived.is_none() {
            let mut archived = read_archive(&archive_path)?;
            archived.retain(|id, _| !cache.requests.current.contains_key(id));
            cache.requests.archived = Some(archived);
        }
        Ok(())
    }

    /// The snapshot and the journal. A full load keeps the archive read
    /// when the cache had it or `scope` wants it.
    fn refresh_current(&mut self, scope: Scope) -> Result<(), StoreError> {
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
        if let (Some(cache), Some(header), Some(file)) =
            (self.cache.as_mut(), header.as_ref(), journal.as_mut())
        {
            let len = file
                .metadata()
                .map_err(io_err("read", &journal_path))?
                .len();
            // journal_len 0 means this process has not read the header of
            // the journal that exists now (it was made since): load fully.
            if cache.generation == header.generation
                && cache.journal_len > 0
                && len >= cache.journal_len
            {
                file.seek(SeekFrom::Start(cache.journal_len))
                    .map_err(io_err("read", &journal_path))?;
                let first_line = cache.journal_lines + 2;
                let (lines, used) = read_lines(file, &journal_path, first_line)?;
                cache.journal_len += used;
                cache.journal_lines += lines.len();
                for line in lines {
                    if let JournalLine::Deleted(id) = &line
                        && cache.requests.index.contains(id)
                    {
                        cache.tombstones.push(id.clone());
                    }
                    cache.requests.apply(line);
                }
                return Ok(());
            }
        }
        // Full load: snapshot, then every journal line on top.
        let want_archive = scope == Scope::All
            || self
                .cache
                .as_ref()
                .is_some_and(|c| c.requests.archived.is_some());
        let snapshot_path = self.snapshot_path();
        let mut requests = Requests::default();
        let mut generation = 0;
        let mut format = FORMAT_VERSION;
        match File::open(&snapshot_path) {
            Ok(mut file) => {
                // Written whole by an atomic rename: a header and every line.
                let Some(header) = read_header(&mut file, &snapshot_path)? else {
                    return Err(StoreError::Damaged {
                        path: snapshot_path,
                        line: 1,
                        message: "the header line is missing".into(),
                    });
                };
                generation = header.generation;
                format = header.format;
                file.seek(SeekFrom::Start(header.len))
                    .map_err(io_err("read", &snapshot_path))?;
                let (index, lines) = read_snapshot_lines(&mut file, &snapshot_path)?;
                requests.index = index;
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
        let mut tombstones = Vec::new();
        if let (Some(file), Some(header)) = (journal.as_mut(), header) {
            journal_id = file.metadata().ok().as_ref().and_then(file_id);
            file.seek(SeekFrom::Start(header.len))
                .map_err(io_err("read", &journal_path))?;
            let (lines, used) = read_lines(file, &journal_path, 2)?;
            journal_len = header.len + used;
            journal_lines = lines.len();
            format = format.min(header.format);
            for line in lines {
                if let JournalLine::Deleted(id) = &line
                    && requests.index.contains(id)
                {
                    tombstones.push(id.clone());
                }
                requests.apply(line);
            }
            if header.generation < generation {
                // Left from a compaction that crashed before it could start a
                // new journal: its lines are already in the snapshot (replaying
                // them changed nothing), and the next append starts afresh.
                journal_len = 0;
                journal_lines = 0;
                tombstones.clear();
            }
        }
        self.cache = Some(Cache {
            generation,
            format,
            journal_len,
            journal_lines,
            journal_id,
            requests,
            tombstones,
        });
        if want_archive {
            let archive_path = self.archive_path();
            let cache = self.cache.as_mut().expect("just filled");
            let mut archived = read_archive(&archive_path)?;
            archived.retain(|id, _| !cache.requests.current.contains_key(id));
            cache.requests.archived = Some(archived);
        }
        Ok(())
    }

    fn maybe_compact(&mut self) -> Result<(), StoreError> {
        let cache = self.cache.as_ref().expect("write refreshed the cache");
        let limit = COMPACT_MIN_LINES.max(cache.requests.current.len() / 4);
        if cache.journal_lines <= limit && cache.format == FORMAT_VERSION {
            return Ok(());
        }
        self.compact()
    }

    /// Fold the journal into a new snapshot, moving closed requests to the
    /// archive (the caller holds the write lock). In this order, so a crash
    /// anywhere leaves a store that reads the same: append to the archive
    /// (what it gets is still in the snapshot or journal, which win over
    /// it), replace the snapshot (its generation retires the journal), then
    /// start a new journal.
    fn compact(&mut self) -> Result<(), StoreError> {
        let snapshot_path = self.snapshot_path();
        let journal_path = self.journal_path();
        let archive_path = self.archive_path();
        let now = self.now;
        let cache = self.cache.as_mut().expect("write refreshed the cache");
        let closed: Vec<&Request> = cache
            .requests
            .current
            .values()
            .map(|r| &**r)
            .filter(|r| !r.status.is_open())
            .collect();
        if !closed.is_empty() || !cache.tombstones.is_empty() {
            let mut lines = Vec::new();
            for r in &closed {
                write_request(&mut lines, r);
            }
            for id in &cache.tombstones {
                write_deleted(&mut lines, id);
            }
            append_archive(&archive_path, &lines)?;
        }
        let index = next_index(
            &cache.requests.index,
            &closed,
            &cache.tombstones,
            now,
            cache.requests.archived.as_ref(),
        );
        let generation = cache.generation + 1;
        // Written straight to the new file, never whole in memory.
        fsutil::write_atomic_with(&snapshot_path, |out| {
            out.write_all(&header_line(generation))?;
            serde_json::to_writer(
                &mut *out,
                &IndexLine {
                    archive: index.clone(),
                },
            )?;
            out.write_all(b"\n")?;
            for r in cache
                .requests
                .current
                .values()
                .filter(|r| r.status.is_open())
            {
                serde_json::to_writer(&mut *out, r)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })
        .map_err(io_err("write", &snapshot_path))?;
        // The snapshot (fsynced) holds every change, and readers now drop
        // the older journal's lines as already in it. So this run must not
        // append to that journal any more, even if starting the new one
        // fails below: `append` starts it when `journal_len` is 0.
        let moved: Vec<String> = closed.iter().map(|r| r.id.clone()).collect();
        let requests = &mut cache.requests;
        for id in moved {
            let r = requests.current.remove(&id).expect("moved from current");
            if let Some(archived) = &mut requests.archived {
                archived.insert(id, r);
            }
        }
        requests.index = index;
        cache.tombstones.clear();
        cache.generation = generation;
        cache.format = FORMAT_VERSION;
        cache.journal_len = 0;
        cache.journal_lines = 0;
        self.journal_file = None;
        self.unsynced = false;
        let text = header_line(generation);
        fsutil::write_atomic(&journal_path, &text).map_err(io_err("write", &journal_path))?;
        cache.journal_len = text.len() as u64;
        cache.journal_id = std::fs::metadata(&journal_path)
            .ok()
            .as_ref()
            .and_then(file_id);
        Ok(())
    }
}

impl Store {
    /// For a process about to exit: make every appended line durable, then
    /// leave the cache for the OS to reclaim (freeing ten thousand
    /// requests one by one costs more than the rest of a `status`).
    pub(crate) fn release(&mut self) -> Result<(), StoreError> {
        self.sync()?;
        std::mem::forget(self.cache.take());
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::AskSpec;
    use time::macros::datetime;

    /// The time every test store runs at, unless a test picks its own.
    const NOW: OffsetDateTime = datetime!(2026-01-15 9:00 UTC);

    fn request(id: &str) -> Request {
        let spec = AskSpec::pair(
            "ada".into(),
            "ada@example.com".into(),
            format!("b-{id}"),
            "b@example.com".into(),
            "why".into(),
        );
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
            .write_open(|txn| {
                txn.put(request(id));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    /// Enough requests that their lines outgrow what a change holds.
    const MANY: usize = 6_000;

    #[test]
    fn a_big_change_is_written_as_it_is_made_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        // A store's first change starts the journal.
        let journal = dir.path().join("requests.log");
        let mut spilled = false;
        store
            .write_open(|txn| {
                for i in 0..=MANY {
                    txn.put(request(&format!("{i:08x}")));
                }
                // Part of it is on disk before the change ends.
                spilled = std::fs::metadata(&journal).unwrap().len() > SPILL_BYTES as u64;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(spilled, "the lines were written as they were made");
        let mut other = Store::new(dir.path(), NOW);
        let read = other.read().unwrap();
        assert_eq!(read.iter().count(), MANY + 1);
        assert_eq!(read.get("00000abc"), Some(&request("00000abc")));
    }

    #[test]
    fn a_big_change_that_fails_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        put(&mut store, "00000000");
        let journal = dir.path().join("requests.log");
        let before = std::fs::read(&journal).unwrap();
        let failed = store.write_open(|txn| {
            for i in 1..=MANY {
                txn.put(request(&format!("{i:08x}")));
            }
            Err::<(), _>(StoreError::Damaged {
                path: journal.clone(),
                line: 0,
                message: "stop".into(),
            })
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&journal).unwrap(), before, "cut back");
        let mut other = Store::new(dir.path(), NOW);
        assert_eq!(other.read().unwrap().iter().count(), 1);
        // The same store writes on as if the change had never been.
        put(&mut store, "00000001");
        let mut other = Store::new(dir.path(), NOW);
        assert_eq!(other.read().unwrap().iter().count(), 2);
    }

    #[test]
    fn a_fresh_store_reads_empty_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut store = Store::new(&data, NOW);
        assert!(store.read().unwrap().is_empty());
        assert!(!data.exists());
    }

    #[test]
    fn read_now_does_not_wait_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        put(&mut store, "aaaaaaaa");
        // Another run writing: it holds the lock exclusively.
        let writer = File::open(dir.path().join("store.lock")).unwrap();
        writer.lock().unwrap();
        let mut reader = Store::new(dir.path(), NOW);
        assert!(matches!(reader.read_now(), Err(StoreError::Busy { .. })));
        writer.unlock().unwrap();
        assert_eq!(reader.read_now().unwrap().len(), 1);
        // Nothing stored yet: empty, and nothing created.
        let empty = dir.path().join("none");
        assert!(Store::new(&empty, NOW).read_now().unwrap().is_empty());
        assert!(!empty.exists());
    }

    #[test]
    fn writes_are_seen_by_a_new_process_and_survive_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        for i in 0..(COMPACT_MIN_LINES + 10) {
            put(&mut store, &format!("{i:08x}"));
        }
        store
            .write_open(|txn| {
                txn.remove("00000001");
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let mut other = Store::new(dir.path(), NOW);
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
        let mut store = Store::new(dir.path(), NOW);
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
            .write_open(|txn| {
                txn.put(changed.clone());
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(!blocker.is_file(), "not compacted");
        std::fs::remove_dir_all(&blocker).unwrap();
        let mut other = Store::new(dir.path(), NOW);
        assert_eq!(other.read().unwrap().get("00000000"), Some(&changed));
        // The next change compacts, and nothing is lost.
        put(&mut store, "ffffffff");
        assert!(blocker.is_file(), "compacted");
        let mut fresh = Store::new(dir.path(), NOW);
        let requests = fresh.read().unwrap();
        assert_eq!(requests.len(), COMPACT_MIN_LINES + 1);
        assert_eq!(requests.get("00000000"), Some(&changed));
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        put(&mut store, "aaaaaaaa");
        let journal = dir.path().join("requests.log");
        let mut f = fsutil::open_private_append(&journal).unwrap();
        f.write_all(b"{\"id\":\"bbbb").unwrap();
        drop(f);
        let mut fresh = Store::new(dir.path(), NOW);
        assert_eq!(fresh.read().unwrap().len(), 1);
        put(&mut fresh, "cccccccc");
        let mut again = Store::new(dir.path(), NOW);
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
        let mut store = Store::new(dir.path(), NOW);
        put(&mut store, "aaaaaaaa");
        let journal = dir.path().join("requests.log");
        let mut f = fsutil::open_private_append(&journal).unwrap();
        f.write_all(b"garbage\n").unwrap();
        drop(f);
        let mut fresh = Store::new(dir.path(), NOW);
        match fresh.read() {
            Err(StoreError::Damaged { line, .. }) => assert_eq!(line, 3),
            other => panic!(
                "expected damage, got {:?}",
                other.map(super::requests::Requests::len)
            ),
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
        let mut store = Store::new(dir.path(), NOW);
        assert!(matches!(
            store.read(),
            Err(StoreError::UnknownVersion { found: 99, .. })
        ));
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        put(&mut store, "aaaaaaaa");
        let result: Result<(), StoreError> = store.write_open(|txn| {
            txn.put(request("bbbbbbbb"));
            Err(StoreError::Damaged {
                path: "x".into(),
                line: 0,
                message: "test".into(),
            })
        });
        assert!(result.is_err());
        assert_eq!(store.read().unwrap().len(), 1);
        assert_eq!(Store::new(dir.path(), NOW).read().unwrap().len(), 1);
    }

    #[test]
    fn a_reader_from_before_the_journal_existed_sees_new_lines() {
        let dir = tempfile::tempdir().unwrap();
        let mut early = Store::new(dir.path(), NOW);
        assert!(early.read().unwrap().is_empty());
        let mut other = Store::new(dir.path(), NOW);
        put(&mut other, "aaaaaaaa");
        put(&mut early, "bbbbbbbb");
        assert_eq!(early.read().unwrap().len(), 2);
        assert_eq!(Store::new(dir.path(), NOW).read().unwrap().len(), 2);
    }

    #[test]
    fn deferred_syncs_still_write_every_line_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        store.defer_sync(std::time::Duration::from_secs(3600));
        put(&mut store, "aaaaaaaa");
        put(&mut store, "bbbbbbbb");
        assert!(
            store.unsynced,
            "the second append waits for the group's fsync"
        );
        // Another process sees both lines before any fsync.
        assert_eq!(Store::new(dir.path(), NOW).read().unwrap().len(), 2);
        store.sync().unwrap();
        assert!(!store.unsynced);
        put(&mut store, "cccccccc");
        assert!(!store.unsynced, "after sync, every append is synced again");
    }

    /// A request asked at `at` and then declined: closed.
    fn closed(id: &str, at: time::OffsetDateTime) -> Request {
        let mut r = request(id);
        r.created_at = at;
        r.mark_asked(at).unwrap();
        r.decline(crate::domain::request::Side::A, at, None)
            .unwrap();
        r
    }

    fn asked(id: &str) -> Request {
        let mut r = request(id);
        r.mark_asked(datetime!(2026-01-01 0:00 UTC)).unwrap();
        r
    }

    fn put_request(store: &mut Store, r: Request) {
        store
            .write_open(|txn| {
                txn.put(r);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    /// Fill a store so that it compacts: `n` closed requests, two open.
    fn archived_store(dir: &Path, n: usize) -> Store {
        let now = datetime!(2026-03-01 0:00 UTC);
        let mut store = Store::new(dir, now);
        put_request(&mut store, asked("0pen0001"));
        put_request(&mut store, asked("0pen0002"));
        for i in 0..n {
            // Half asked lately, half long ago.
            let at = if i % 2 == 0 {
                datetime!(2026-02-01 0:00 UTC)
            } else {
                datetime!(2025-01-01 0:00 UTC)
            };
            put_request(&mut store, closed(&format!("c{i:07}"), at));
        }
        store
    }

    #[test]
    fn closed_requests_move_to_the_archive_and_reads_of_open_ones_skip_it() {
        let dir = tempfile::tempdir().unwrap();
        let n = COMPACT_MIN_LINES * 2;
        drop(archived_store(dir.path(), n));
        let archive = std::fs::read_to_string(dir.path().join("archive.json")).unwrap();
        assert!(
            archive.lines().count() > COMPACT_MIN_LINES,
            "closed ones were archived"
        );
        let snapshot = std::fs::read_to_string(dir.path().join("requests.json")).unwrap();
        assert!(
            !snapshot.contains("\"status\":\"declined\""),
            "the snapshot holds open ones only"
        );

        let mut store = Store::new(dir.path(), NOW);
        let open = store.read_open().unwrap();
        assert!(!open.is_complete());
        assert!(open.get("0pen0001").is_some() && open.get("0pen0002").is_some());
        // Archived requests are known by id: new ids stay unique.
        assert!(open.contains("c0000000") && open.contains(&format!("c{:07}", n - 1)));
        assert!(!open.contains("c9999999"));
        assert_eq!(open.len(), n + 2);
        // And a read of everything has them all.
        let all = Store::new(dir.path(), NOW).read().unwrap().clone();
        assert!(all.is_complete());
        assert_eq!(all.iter().count(), n + 2);
        assert_eq!(
            all.get("c0000001").unwrap().status,
            crate::domain::request::State::Declined
        );
        // An open read followed by a full one in the same process.
        assert_eq!(store.read().unwrap().iter().count(), n + 2);
    }

    #[test]
    fn a_name_that_may_be_archived_reads_the_archive() {
        let dir = tempfile::tempdir().unwrap();
        drop(archived_store(dir.path(), COMPACT_MIN_LINES * 2));
        let mut store = Store::new(dir.path(), NOW);
        let open = store.read_named(&["0pen0001".into()]).unwrap();
        assert!(!open.is_complete(), "an id read needs nothing more");
        assert!(open.needs_archive("c000001"));
        assert!(!open.needs_archive("zzz"));
        // Asked to find one anyway, it says it did not read the archive.
        assert_eq!(
            open.find("c000001").unwrap_err(),
            FindError::NotRead("c000001".into())
        );
        assert!(open.is_archived_unread("c0000001") && !open.is_archived_unread("0pen0001"));
        let requests = store.read_named(&["c000001".into()]).unwrap();
        assert!(requests.is_complete());
        // `c000001` starts ten archived ids: ambiguous, not unknown.
        assert!(
            matches!(requests.find("c000001"), Err(FindError::Ambiguous(_, ids)) if ids.len() == 10)
        );
        assert_eq!(requests.find("c0000011").unwrap().id, "c0000011");
        // `0pen` starts two open ids.
        assert!(
            matches!(requests.find("0pen"), Err(FindError::Ambiguous(_, ids)) if ids.len() == 2)
        );
    }

    #[test]
    fn the_archive_index_lists_recent_asks_for_fatigue() {
        let dir = tempfile::tempdir().unwrap();
        let n = COMPACT_MIN_LINES * 2;
        drop(archived_store(dir.path(), n));
        let since = datetime!(2026-03-01 0:00 UTC) - crate::domain::fatigue::window();
        let mut store = Store::new(dir.path(), NOW);
        let requests = store.read_recent(since).unwrap();
        assert!(!requests.is_complete());
        let asks = requests.archived_asks_since(since);
        let recent: Vec<&str> = asks.iter().map(|x| x.id.as_str()).collect();
        // The even ones were asked a month ago; the odd ones over a year ago.
        let archived_recent = recent.len();
        assert!(archived_recent > 0);
        assert!(
            recent
                .iter()
                .all(|id| id[1..].parse::<usize>().unwrap() % 2 == 0)
        );
        // Together with what the read holds, every recent ask is there.
        let current_recent = requests
            .iter()
            .filter(|r| r.id.starts_with('c') && r.a_side.asked_at.unwrap() >= since)
            .count();
        assert_eq!(archived_recent + current_recent, n / 2);
        // A window reaching further back than the index does reads it all.
        let mut store = Store::new(dir.path(), NOW);
        let requests = store.read_recent(datetime!(2024-01-01 0:00 UTC)).unwrap();
        assert!(requests.is_complete());
        assert_eq!(
            requests.archived_asks_since(since).len(),
            0,
            "all in iter()"
        );
    }

    #[test]
    fn an_index_left_by_a_clock_set_forward_is_mended() {
        let dir = tempfile::tempdir().unwrap();
        // A run with its clock a year ahead archives: its index lists the
        // asks of its last 90 days only.
        let ahead = datetime!(2027-03-01 0:00 UTC);
        let mut store = Store::new(dir.path(), ahead);
        for i in 0..=COMPACT_MIN_LINES {
            put_request(
                &mut store,
                closed(&format!("c{i:07}"), datetime!(2026-02-01 0:00 UTC)),
            );
        }
        drop(store);
        let now = datetime!(2026-03-01 0:00 UTC);
        let since = now - crate::domain::fatigue::window();
        let mut store = Store::new(dir.path(), now);
        // Back on time, an ask's read cannot trust that index: it reads all.
        assert!(store.read_recent(since).unwrap().is_complete());
        // The next compaction, with the archive at hand, makes it anew.
        for i in 0..=COMPACT_MIN_LINES {
            put_request(&mut store, asked(&format!("0pen{i:04}")));
        }
        let mut fresh = Store::new(dir.path(), now);
        let requests = fresh.read_recent(since).unwrap();
        assert!(
            !requests.is_complete(),
            "the index reaches back far enough again"
        );
        assert_eq!(
            requests.archived_asks_since(since).len(),
            COMPACT_MIN_LINES + 1
        );
    }

    #[test]
    fn a_crash_between_archiving_and_the_new_snapshot_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let now = datetime!(2026-03-01 0:00 UTC);
        let mut store = Store::new(dir.path(), now);
        for i in 0..COMPACT_MIN_LINES {
            put_request(&mut store, closed(&format!("c{i:07}"), now));
        }
        // The snapshot cannot be replaced (a folder in its way): the
        // compaction appends to the archive, then fails.
        let blocker = dir.path().join("requests.json");
        std::fs::create_dir_all(blocker.join("x")).unwrap();
        put_request(&mut store, asked("0pen0001"));
        assert!(dir.path().join("archive.json").exists(), "archived first");
        assert!(!blocker.is_file());
        // What a crash at that point leaves: the archive has them, and so
        // have the journal (and the old snapshot, here none).
        std::fs::remove_dir_all(&blocker).unwrap();
        let seen = |dir: &Path| {
            let mut s = Store::new(dir, NOW);
            let all = s.read().unwrap();
            let mut v: Vec<(String, crate::domain::request::State)> =
                all.iter().map(|r| (r.id.clone(), r.status)).collect();
            v.sort();
            v
        };
        let before = seen(dir.path());
        assert_eq!(before.len(), COMPACT_MIN_LINES + 1);
        // The next compaction archives the same requests again: still one each.
        put_request(&mut store, asked("0pen0002"));
        assert!(blocker.is_file());
        let after = seen(dir.path());
        assert_eq!(after.len(), COMPACT_MIN_LINES + 2);
        assert_eq!(
            Store::new(dir.path(), NOW).read_open().unwrap().len(),
            COMPACT_MIN_LINES + 2
        );
    }

    #[test]
    fn a_torn_archive_tail_is_dropped_and_repaired() {
        let dir = tempfile::tempdir().unwrap();
        drop(archived_store(dir.path(), COMPACT_MIN_LINES * 2));
        let archive = dir.path().join("archive.json");
        let mut f = fsutil::open_private_append(&archive).unwrap();
        f.write_all(b"{\"id\":\"torn").unwrap();
        drop(f);
        let count = |dir: &Path| Store::new(dir, NOW).read().unwrap().iter().count();
        let n = COMPACT_MIN_LINES * 2 + 2;
        assert_eq!(count(dir.path()), n);
        // The next archiving cuts the torn line off first.
        let mut store = Store::new(dir.path(), datetime!(2026-03-01 0:00 UTC));
        for i in 0..=COMPACT_MIN_LINES {
            put_request(
                &mut store,
                closed(&format!("d{i:07}"), datetime!(2026-02-01 0:00 UTC)),
            );
        }
        let text = std::fs::read_to_string(&archive).unwrap();
        assert!(!text.contains("torn"));
        assert!(text.ends_with('\n'));
        assert_eq!(count(dir.path()), n + COMPACT_MIN_LINES + 1);
    }

    #[test]
    fn a_format_1_store_is_read_and_rewritten_by_the_next_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("{\"intro_store\":1,\"generation\":3}\n");
        let old = closed("c0000001", datetime!(2026-02-01 0:00 UTC));
        text.push_str(&serde_json::to_string(&old).unwrap());
        text.push('\n');
        text.push_str(&serde_json::to_string(&asked("0pen0001")).unwrap());
        text.push('\n');
        std::fs::write(dir.path().join("requests.json"), text).unwrap();
        std::fs::write(
            dir.path().join("requests.log"),
            "{\"intro_store\":1,\"generation\":3}\n",
        )
        .unwrap();
        let mut store = Store::new(dir.path(), datetime!(2026-03-01 0:00 UTC));
        assert_eq!(store.read_open().unwrap().iter().count(), 2);
        put_request(&mut store, asked("0pen0002"));
        let snapshot = std::fs::read_to_string(dir.path().join("requests.json")).unwrap();
        assert!(snapshot.starts_with(&format!(
            "{{\"intro_store\":{FORMAT_VERSION},\"generation\":4}}\n{{\"archive\""
        )));
        assert!(
            !snapshot
                .lines()
                .any(|l| l.starts_with("{\"id\":\"c0000001\"")),
            "closed ones moved to the archive: {snapshot}"
        );
        let mut fresh = Store::new(dir.path(), NOW);
        let open = fresh.read_open().unwrap();
        assert_eq!(open.iter().count(), 2);
        assert!(open.contains("c0000001"));
        assert_eq!(fresh.read().unwrap().get("c0000001"), Some(&old));
    }

    #[test]
    fn a_newer_store_format_is_refused_with_the_range_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("requests.json"),
            format!(
                "{{\"intro_store\":{},\"generation\":1}}\n",
                FORMAT_VERSION + 1
            ),
        )
        .unwrap();
        let err = Store::new(dir.path(), NOW).read().unwrap_err();
        assert!(
            matches!(err, StoreError::UnknownVersion { found, .. } if found == FORMAT_VERSION + 1)
        );
        assert!(err.to_string().contains("reads 1 to 4"), "{err}");
    }

    #[test]
    fn prefixes_find_unique_requests() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::new(dir.path(), NOW);
        put(&mut store, "ab120000");
        put(&mut store, "ab340000");
        let requests = store.read().unwrap();
        assert_eq!(requests.find("ab1").unwrap().id, "ab120000");
        assert!(matches!(requests.find("ab"), Err(FindError::Ambiguous(_, ids)) if ids.len() == 2));
        assert!(matches!(requests.find("zz"), Err(FindError::Unknown(_))));
    }
}
