//! Which intro process is sending what. Each run that sends holds an
//! exclusive lock on its own file under `runs/` for as long as it lives;
//! a request it is sending records that run's id. Another process may
//! finish such a send only when that lock is free: the run that started it
//! died, so nobody else can be sending it, and a resend cannot double it.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use crate::fsutil;

/// This process's claim; the lock is released when it is dropped (or when
/// the process dies, which is the point).
pub(crate) struct RunClaim {
    id: String,
    path: PathBuf,
    _file: File,
}

impl RunClaim {
    pub(crate) fn acquire(data_dir: &Path) -> io::Result<RunClaim> {
        let dir = runs_dir(data_dir);
        fsutil::create_private_dir(&dir)?;
        let id = format!(
            "{}-{}",
            std::process::id(),
            crate::mail::message::random_hex(4)
        );
        let path = dir.join(format!("{id}.lock"));
        let file = fsutil::open_private_append(&path)?;
        file.lock()?;
        Ok(RunClaim {
            id,
            path,
            _file: file,
        })
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for RunClaim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn runs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("runs")
}

/// The refusal when another run that is alive is sending request `id`.
pub(crate) fn busy(id: &str) -> crate::error::UserError {
    crate::error::UserError::new(format!(
        "another intro run is sending this ask right now (request {id})"
    ))
    .hint(format!(
        "`intro status {id}` shows it once that run is done"
    ))
}

/// True when run `id` is no longer alive (its lock is free or gone).
pub(crate) fn is_abandoned(data_dir: &Path, id: &str) -> bool {
    let path = runs_dir(data_dir).join(format!("{id}.lock"));
    let Ok(file) = File::open(&path) else {
        return true;
    };
    match file.try_lock() {
        Ok(()) => {
            // Dead run: its file is ours to tidy away.
            let _ = std::fs::remove_file(&path);
            true
        }
        Err(TryLockError::WouldBlock) => false,
        // If the lock cannot be asked about, assume the run lives: a
        // needless "busy" is better than a double send.
        Err(TryLockError::Error(_)) => false,
    }
}
