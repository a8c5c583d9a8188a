//! Bringing the index up to date with the mail sources `intro sync` reads,
//! reading only what arrived since the last run.
//!
//! - Maildir: a folder (`new/`, `cur/`) whose modification time has not
//!   moved is not listed at all; a changed one is listed (names only) and
//!   only the files whose names were not there before are read, header
//!   only. A message moved from `new/` to `cur/`, or whose flags changed,
//!   keeps its name's unique part and is not read again.
//! - IMAP: only UIDs from the last run's UIDNEXT on are fetched (headers
//!   only), while the mailbox keeps its UIDVALIDITY; when that changes,
//!   what came from the mailbox is forgotten and read again. The inbox and
//!   `save_sent` (the sent folder) are both read.

use std::path::Path;
use std::time::SystemTime;

use mail_parser::MessageParser;

use super::{FolderState, ImapState, Index, MaildirState, ParsedEnvelope, SourceState, envelope};
use crate::mail::imap_connection as connection;
use crate::mail::sync::maildir::{self, SUBFOLDERS};
use crate::mail::sync::{SyncError, imap};
use crate::setup::config::ImapSettings;
use crate::setup::env::Environment;

/// Files read per batch: the batch is parsed on every core, then kept.
const BATCH: usize = 2048;

/// Messages per IMAP FETCH.
const UIDS_PER_FETCH: u32 = 1000;

/// Read what is new in the Maildir at `path` into `index`; returns how many
/// messages were read. `now` (Unix seconds) dates a message without a date.
pub(crate) fn maildir(index: &mut Index, path: &Path, now: i64) -> Result<usize, SyncError> {
    maildir::check(path)?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let source = index.source(
        &absolute.display().to_string(),
        SourceState::Maildir(MaildirState::default()),
    );
    let previous = match &index.sources[usize::from(source)].state {
        SourceState::Maildir(state) => state.clone(),
        SourceState::Imap(_) => MaildirState::default(),
    };
    let started = SystemTime::now();
    let mut state = previous.clone();
    let mut read = 0;
    for (i, sub) in SUBFOLDERS.iter().enumerate() {
        let dir = path.join(sub);
        let mtime = maildir::settled_mtime(&dir, started);
        if mtime != 0 && mtime == previous.folders[i].mtime {
            continue;
        }
        let files = maildir::list(&dir)?;
        let mut names: Vec<u64> = Vec::with_capacity(files.len());
        let mut unseen = Vec::new();
        for file in files {
            let key = maildir::name_key(&file.to_string_lossy());
            names.push(key);
            let seen = previous
                .folders
                .iter()
                .any(|f| f.names.binary_search(&key).is_ok());
            if !seen {
                unseen.push(dir.join(file));
            }
        }
        names.sort_unstable();
        names.dedup();
        // Oldest first (Maildir names start with the delivery time), so a
        // person's latest display name is the one kept.
        unseen.sort_unstable();
        for batch in unseen.chunks(BATCH) {
            for parsed in read_files(batch)? {
                index.add(source, &parsed, now);
            }
            read += batch.len();
        }
        state.folders[i] = FolderState { mtime, names };
    }
    index.set_state(source, SourceState::Maildir(state));
    Ok(read)
}

/// Parse the headers of `files`, on two threads when there are many.
fn read_files(files: &[std::path::PathBuf]) -> Result<Vec<ParsedEnvelope>, SyncError> {
    let read_some = |files: &[std::path::PathBuf]| -> Result<Vec<ParsedEnvelope>, SyncError> {
        let parser = MessageParser::default();
        let mut parsed = Vec::with_capacity(files.len());
        for path in files {
            let Some(header) =
                maildir::read_header(path).map_err(|e| maildir::read_error(path, &e))?
            else {
                continue;
            };
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            parsed.push(envelope::parse(
                &parser,
                &header,
                maildir::unique_part(&name),
            ));
        }
        Ok(parsed)
    };
    if files.len() < 256 {
        return read_some(files);
    }
    let (first, second) = files.split_at(files.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| read_some(second));
        let mut parsed = read_some(first)?;
        let rest = other
            .join()
            .unwrap_or_else(|_| Err(SyncError::new("a thread reading the Maildir failed")))?;
        parsed.extend(rest);
        Ok(parsed)
    })
}

/// Read what is new in the IMAP inbox (and the `save_sent` folder) into
/// `index`; returns how many messages were read.
pub(crate) fn imap(
    index: &mut Index,
    settings: &ImapSettings,
    me_email: &str,
    env: &Environment,
    now: i64,
) -> Result<usize, SyncError> {
    let (mut session, server) = connection::login(settings, me_email, env)?;
    let username = connection::username(settings, me_email);
    let mut mailboxes = vec![(settings.mailbox.as_str(), "mailbox")];
    if let Some(sent) = settings.save_sent.as_deref()
        && sent != settings.mailbox
    {
        mailboxes.push((sent, "save_sent"));
    }
    let result = (|| {
        let mut read = 0;
        for (mailbox, config_key) in mailboxes {
            let mark = imap::examine(
                &mut session,
                &server,
                settings.timeout_secs,
                mailbox,
                config_key,
            )?;
            let key = format!("{username}@{server}/{mailbox}");
            let source = index.source(
                &key,
                SourceState::Imap(ImapState {
                    uid_validity: 0,
                    uid_next: 0,
                }),
            );
            let previous = match index.sources[usize::from(source)].state {
                SourceState::Imap(state) if state.uid_validity != 0 => Some(state),
                _ => None,
            };
            let from = match (previous, mark) {
                (Some(p), Some(m)) if p.uid_validity == m.uid_validity => p.uid_next.max(1),
                _ => 1,
            };
            if from == 1 {
                // First run, renumbered mailbox, or a server without UIDs:
                // what came from it before no longer counts.
                index.forget_source(source);
            }
            let end = mark.map(|m| m.uid_next);
            if end.is_some_and(|end| from >= end) {
                continue;
            }
            let error = |what: &str, e: ::imap::Error| {
                connection::command_error(&server, settings.timeout_secs, what, e)
            };
            let parser = MessageParser::default();
            let mut lo = from;
            loop {
                let range = match end {
                    Some(end) => {
                        let hi = lo.saturating_add(UIDS_PER_FETCH - 1).min(end - 1);
                        format!("{lo}:{hi}")
                    }
                    None => format!("{lo}:*"),
                };
                // PEEK: reading must not mark anything as read.
                let fetches = session
                    .uid_fetch(&range, "(UID BODY.PEEK[HEADER])")
                    .map_err(|e| error("FETCH", e))?;
                for fetch in fetches.iter() {
                    let Some(uid) = fetch.uid.filter(|&uid| uid >= from) else {
                        continue;
                    };
                    let header = fetch.header().unwrap_or_default();
                    let parsed = envelope::parse(&parser, header, &format!("{key}/{uid}"));
                    index.add(source, &parsed, now);
                    read += 1;
                }
                match end {
                    Some(end) if lo.saturating_add(UIDS_PER_FETCH) < end => {
                        lo += UIDS_PER_FETCH;
                    }
                    _ => break,
                }
            }
            let state = mark.map_or(
                ImapState {
                    uid_validity: 0,
                    uid_next: 0,
                },
                |m| ImapState {
                    uid_validity: m.uid_validity,
                    uid_next: m.uid_next,
                },
            );
            index.set_state(source, SourceState::Imap(state));
        }
        Ok(read)
    })();
    let _ = session.logout();
    result
}
