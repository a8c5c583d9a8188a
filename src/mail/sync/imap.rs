//! Replies over IMAP: log in (implicit TLS, STARTTLS, or plain for a local
//! bridge), open the mailbox read-only, let the server search for messages
//! whose `In-Reply-To` or `References` names a tracked Message-ID, and
//! fetch only the start of those. Only mail that arrived since the last
//! sync is searched (UIDVALIDITY + UIDNEXT), so a second sync of a large
//! inbox costs a login and one EXAMINE. The connection and the login are
//! `mail::imap_connection`'s.

use std::collections::BTreeSet;

use mail_parser::MessageParser;
use time::OffsetDateTime;

use super::checkpoint::{Checkpoints, ImapMark};
use super::{MESSAGE_PREFIX, Scan, Source, SyncError, Tracked, match_reply};
use crate::mail::imap_connection as connection;
use crate::setup::config::ImapSettings;
use crate::setup::env::Environment;

/// Tracked Message-IDs per SEARCH (two header keys each): keeps a command
/// line far below servers' limits (Dovecot: 64 KiB).
const IDS_PER_SEARCH: usize = 20;

/// Messages per FETCH.
const UIDS_PER_FETCH: usize = 50;

/// A logged-in session with the mailbox examined.
pub(crate) struct ImapSource {
    session: ::imap::Session<connection::Stream>,
    server: String,
    mailbox: String,
    timeout_secs: u64,
    /// The checkpoint's key: account and mailbox.
    key: String,
    /// Where this sync leaves off; None when the server gives no UIDs to
    /// compare (then every sync searches the whole mailbox).
    mark: Option<ImapMark>,
    /// Search only UIDs from here on; None searches everything.
    search_from: Option<u32>,
}

/// Connect, log in and examine the mailbox `settings` name. `me_email` is
/// the user name when the table has none.
pub(crate) fn open(
    settings: &ImapSettings,
    me_email: &str,
    env: &Environment,
    checkpoints: &Checkpoints,
    rescan: bool,
) -> Result<ImapSource, SyncError> {
    let (mut session, server) = connection::login(settings, me_email, env)?;
    let username = connection::username(settings, me_email);
    let mark = examine(
        &mut session,
        &server,
        settings.timeout_secs,
        &settings.mailbox,
        "mailbox",
    )?;
    let key = format!("{username}@{server}/{}", settings.mailbox);
    let previous = checkpoints.imap.get(&key).copied();
    Ok(ImapSource {
        session,
        server,
        mailbox: settings.mailbox.clone(),
        timeout_secs: settings.timeout_secs,
        key,
        search_from: if rescan {
            None
        } else {
            search_from(previous, mark)
        },
        mark,
    })
}

/// Open `mailbox` read-only and read where it stands: its UIDVALIDITY and
/// UIDNEXT, or None when the server gives no UIDs to compare.
pub(crate) fn examine(
    session: &mut ::imap::Session<connection::Stream>,
    server: &str,
    timeout_secs: u64,
    mailbox: &str,
    config_key: &str,
) -> Result<Option<ImapMark>, SyncError> {
    let error =
        |what: &str, e: ::imap::Error| connection::command_error(server, timeout_secs, what, e);
    let examined = session.examine(mailbox).map_err(|e| match e {
        ::imap::Error::No(no) => SyncError::new(format!(
            "{server} cannot open the mailbox `{mailbox}`: {}",
            no.information
        ))
        .hint(format!(
            "check `{config_key}` in [imap]; \"INBOX\" is the inbox on every server"
        )),
        e => error("EXAMINE", e),
    })?;
    let uid_next = match examined.uid_next {
        Some(next) => Some(next),
        // Servers must send UIDNEXT, but some do not: the last message's
        // UID tells the same.
        None if examined.exists > 0 => session
            .fetch("*", "UID")
            .map_err(|e| error("FETCH", e))?
            .iter()
            .filter_map(|f| f.uid)
            .max()
            .map(|uid| uid.saturating_add(1)),
        None => None,
    };
    Ok(match (examined.uid_validity, uid_next) {
        (Some(uid_validity), Some(uid_next)) => Some(ImapMark {
            uid_validity,
            uid_next,
        }),
        _ => None,
    })
}

/// Where a sync may start searching: after the previous sync's UIDNEXT,
/// if the mailbox's UIDs still mean the same messages.
fn search_from(previous: Option<ImapMark>, now: Option<ImapMark>) -> Option<u32> {
    let (previous, now) = (previous?, now?);
    (previous.uid_validity == now.uid_validity).then_some(previous.uid_next)
}

/// `UID SEARCH` keys for replies to any of `ids` (bare Message-IDs),
/// restricted to UIDs from `from` on. Ids that cannot be an IMAP quoted
/// string (never intro's own) are left out.
fn search_query(from: Option<u32>, ids: &[&str]) -> Option<String> {
    let keys: Vec<String> = ids
        .iter()
        .filter_map(|id| quoted(id))
        .flat_map(|quoted| {
            [
                format!("HEADER In-Reply-To {quoted}"),
                format!("HEADER References {quoted}"),
            ]
        })
        .collect();
    any_of(from, &keys)
}

/// `UID SEARCH` keys for mail from any of `senders` (`[sync]
/// any_mail_counts`), restricted to UIDs from `from` on.
fn sender_query(from: Option<u32>, senders: &[&str]) -> Option<String> {
    let keys: Vec<String> = senders
        .iter()
        .filter_map(|s| quoted(s))
        .map(|quoted| format!("FROM {quoted}"))
        .collect();
    any_of(from, &keys)
}

/// `text` as an IMAP quoted string, unless it cannot be one.
fn quoted(text: &str) -> Option<String> {
    text.bytes()
        .all(|b| (0x20..0x7f).contains(&b))
        .then(|| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
}

/// A search for any of `keys`, from UID `from` on.
fn any_of(from: Option<u32>, keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    let mut query = String::new();
    if let Some(from) = from {
        query.push_str(&format!("UID {from}:* "));
    }
    // Prefix notation: `OR OR a b c` is a or b or c.
    query.push_str(&"OR ".repeat(keys.len() - 1));
    query.push_str(&keys.join(" "));
    Some(query)
}

impl Source for ImapSource {
    fn describe(&self) -> String {
        format!("{} {}", self.server, self.mailbox)
    }

    fn find(&mut self, tracked: &Tracked, now: OffsetDateTime) -> Result<Scan, SyncError> {
        let mut scan = Scan::default();
        if let (Some(from), Some(mark)) = (self.search_from, self.mark)
            && from >= mark.uid_next
        {
            scan.nothing_new = true;
            return Ok(scan);
        }
        let ids = tracked.message_ids();
        // Mail that counts wherever it is: connectors' introductions, and
        // with `any_mail_counts` anything from someone awaited.
        let mut senders = tracked.connectors();
        senders.extend(tracked.senders());
        senders.sort_unstable();
        senders.dedup();
        let search_from = self.search_from;
        let queries = ids
            .chunks(IDS_PER_SEARCH)
            .filter_map(|chunk| search_query(search_from, chunk))
            .chain(
                senders
                    .chunks(IDS_PER_SEARCH)
                    .filter_map(|chunk| sender_query(search_from, chunk)),
            );
        let mut hits = BTreeSet::new();
        for query in queries {
            let uids = self
                .session
                .uid_search(&query)
                .map_err(|e| self.error("SEARCH", e))?;
            // `UID n:*` also matches the last message when n is past it.
            hits.extend(
                uids.into_iter()
                    .filter(|&uid| self.search_from.is_none_or(|from| uid >= from)),
            );
        }
        let hits: Vec<u32> = hits.into_iter().collect();
        let parser = MessageParser::default();
        for chunk in hits.chunks(UIDS_PER_FETCH) {
            let set: Vec<String> = chunk.iter().map(u32::to_string).collect();
            // PEEK: reading a reply must not mark it as read.
            let fetches = self
                .session
                .uid_fetch(
                    set.join(","),
                    format!("(UID BODY.PEEK[]<0.{MESSAGE_PREFIX}>)"),
                )
                .map_err(|e| self.error("FETCH", e))?;
            for fetch in fetches.iter() {
                if let Some(message) = fetch.body().and_then(|raw| parser.parse(raw)) {
                    scan.add(match_reply(tracked, &message, now));
                }
            }
        }
        Ok(scan)
    }

    fn checkpoint(&self, checkpoints: &mut Checkpoints) {
        match self.mark {
            Some(mark) => checkpoints.imap.insert(self.key.clone(), mark),
            None => checkpoints.imap.remove(&self.key),
        };
    }
}

impl ImapSource {
    fn error(&self, what: &str, e: ::imap::Error) -> SyncError {
        connection::command_error(&self.server, self.timeout_secs, what, e)
    }
}

impl Drop for ImapSource {
    fn drop(&mut self) {
        let _ = self.session.logout();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_search_asks_for_either_header_of_every_id() {
        assert_eq!(
            search_query(None, &["a@x"]).unwrap(),
            "OR HEADER In-Reply-To \"a@x\" HEADER References \"a@x\""
        );
        assert_eq!(
            search_query(Some(42), &["a@x", "b\"@x"]).unwrap(),
            "UID 42:* OR OR OR HEADER In-Reply-To \"a@x\" HEADER References \"a@x\" \
             HEADER In-Reply-To \"b\\\"@x\" HEADER References \"b\\\"@x\""
        );
        assert_eq!(search_query(None, &["bad\r\nid"]), None);
        assert_eq!(search_query(None, &[]), None);
    }

    #[test]
    fn introductions_are_searched_for_by_their_sender() {
        assert_eq!(
            sender_query(Some(7), &["jo@example.com", "kay@example.com"]).unwrap(),
            "UID 7:* OR FROM \"jo@example.com\" FROM \"kay@example.com\""
        );
        assert_eq!(sender_query(None, &["bad\r\n@x"]), None);
    }

    #[test]
    fn any_mail_counts_searches_by_sender() {
        assert_eq!(
            sender_query(Some(7), &["ada@example.com", "kay@example.com"]).unwrap(),
            "UID 7:* OR FROM \"ada@example.com\" FROM \"kay@example.com\""
        );
        assert_eq!(sender_query(None, &[]), None);
    }

    #[test]
    fn the_checkpoint_counts_only_while_uidvalidity_holds() {
        let mark = |v, n| {
            Some(ImapMark {
                uid_validity: v,
                uid_next: n,
            })
        };
        assert_eq!(search_from(mark(7, 100), mark(7, 150)), Some(100));
        assert_eq!(search_from(mark(7, 100), mark(8, 3)), None, "rescan");
        assert_eq!(search_from(None, mark(7, 150)), None, "first sync");
        assert_eq!(search_from(mark(7, 100), None), None, "no UIDs to compare");
    }
}
