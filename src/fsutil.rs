//! File-system habits intro keeps everywhere: private modes, atomic writes,
//! and `-` naming standard input where a command reads a file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Create `dir` and its missing parents, private to the user (0700).
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Open `path` for appending, creating it private (0600).
pub(crate) fn open_private_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true).read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Replace `path` with `contents` so that a reader (or a crash) sees either
/// the old file or the new one, never a mix: temp file, fsync, rename, and
/// an fsync of the folder so the rename itself survives a power cut.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    // tempfile creates files 0600, which is what every intro file should be.
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// [`write_atomic`] for contents written by `write`, straight to the temp
/// file through a buffer: a big file is never held whole in memory.
pub(crate) fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    let mut out = io::BufWriter::new(tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Replace `path` with `contents` through a temp file and a rename, so a
/// reader sees the old file or the new one, but without waiting for the
/// disk: for caches that are rebuilt when a power cut leaves them empty or
/// damaged.
pub(crate) fn write_atomic_unsynced(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Copy `path` to the first free name of `NAME.bak`, `NAME.bak.1`, ...
/// next to it (never replacing one), synced, and return that name.
pub(crate) fn backup(path: &Path) -> io::Result<PathBuf> {
    let contents = fs::read(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut n = 0;
    loop {
        let candidate = match n {
            0 => dir.join(format!("{name}.bak")),
            n => dir.join(format!("{name}.bak.{n}")),
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = match options.open(&candidate) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                n += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        // A half-written backup must not pass for a whole one.
        if let Err(e) = file.write_all(&contents).and_then(|()| file.sync_all()) {
            let _ = fs::remove_file(&candidate);
            return Err(e);
        }
        sync_dir(dir);
        return Ok(candidate);
    }
}

/// Best effort: on some file systems a folder cannot be opened for syncing.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Expand a leading `~/` to the home folder, as shells do for config values.
pub(crate) fn expand_tilde(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => match dirs::home_dir() {
            Some(home) => home.join(rest),
            None => path.to_path_buf(),
        },
        Err(_) => path.to_path_buf(),
    }
}

/// Whether `path`, as typed on the command line, names standard input.
fn is_stdin(path: &Path) -> bool {
    path == Path::new("-")
}

/// An input file as messages name it: `standard input` for `-`, else the
/// path in backticks.
pub(crate) fn shown_input(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_string()
    } else {
        format!("`{}`", path.display())
    }
}

/// Open an input file named on the command line (`-` for standard input).
pub(crate) fn open_input(path: &Path) -> io::Result<Box<dyn Read>> {
    if is_stdin(path) {
        Ok(Box::new(io::stdin()))
    } else {
        Ok(Box::new(File::open(path)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_with_a_writer_replaces_the_file_or_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        write_atomic(&path, b"old").unwrap();
        // More than the writer's buffer, so some of it reaches the file
        // before the failure.
        let failed = write_atomic_with(&path, |out| {
            out.write_all(&[b'x'; 100_000])?;
            Err(io::Error::other("full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "full");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        write_atomic_with(&path, |out| {
            for i in 0..20_000 {
                writeln!(out, "line {i}")?;
            }
            Ok(())
        })
        .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 20_000);
        assert!(text.ends_with("line 19999\n"));
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temp file is left behind");
    }

    #[test]
    fn atomic_write_replaces_whole_file_privately() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("f.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        // no temp files left behind
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }
}
