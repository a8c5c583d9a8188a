//! Finding A's replies: which messages count as an answer to which request.
//!
//! This module is the pure part of `intro sync`: given the requests waiting
//! for an answer ([`Tracked`]) and one parsed message, [`match_reply`] says
//! whether it is A's reply and to which request, with its date and the
//! first words of the answer (`snippet`). The mail sources that find the
//! candidate messages live beside it: `imap` (the server searches by
//! header) and `maildir` (a local folder kept by mbsync or offlineimap);
//! `checkpoint` remembers where each source left off.
//!
//! A message counts when it comes from A's address (compared without
//! regard to case) and its `In-Reply-To` or `References` names the ask or
//! one of its follow-ups; with `[sync] any_mail_counts`, any message from
//! A dated after the ask counts too (for the request whose ask came last
//! before it). An automatic reply (`Auto-Submitted` other than `no`,
//! `X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply`) is no answer:
//! it is an [`AutoReply`], which holds the follow-ups back.
//!
//! For an introduction the user asked a connector for (`intro request`),
//! a message from the connector with the user and T both among its To and
//! Cc is the introduction itself, in the request's thread or not
//! ([`Tracked::with_introductions`]).

pub(crate) mod checkpoint;
pub(crate) mod imap;
pub(crate) mod maildir;
use crate::domain::snippet;

use std::collections::HashMap;

use mail_parser::{HeaderValue, Message};
use time::OffsetDateTime;

use crate::domain::auto_reply::AutoReply;
use crate::domain::request::{Reply, Request, Side};

/// How much of a message is read to match it and cut its snippet: the
/// headers and the start of the body, never a large attachment.
pub(crate) const MESSAGE_PREFIX: usize = 64 * 1024;

/// The requests a reply may still change (those in `asked`, and asks still
/// `sending`, whose run may have died after the server took them), by
/// every Message-ID a reply from A may point at.
#[derive(Debug, Default)]
pub(crate) struct Tracked {
    /// Normalized Message-ID (no angle brackets, lowercase) -> request.
    by_message_id: HashMap<String, usize>,
    /// Each awaited person's address (lowercase) -> their requests, for
    /// `[sync] any_mail_counts`.
    by_sender: HashMap<String, Vec<usize>>,
    /// `[sync] any_mail_counts`: mail from A outside the thread counts.
    any_mail: bool,
    requests: Vec<TrackedRequest>,
    /// Introductions the user asked connectors for, still to come.
    introductions: Vec<AwaitedIntroduction>,
    /// The user's address, lowercase: an introduction is sent to it.
    me_email: String,
}

/// An introduction a connector was asked for (`intro request`).
#[derive(Debug)]
struct AwaitedIntroduction {
    id: String,
    /// The connector's address, lowercase: the introduction comes from it.
    connector: String,
    /// T's address, lowercase: the introduction is sent to it too.
    t: String,
    /// When the request was made: an earlier message is not its answer.
    since: OffsetDateTime,
}

/// How far a message's Date may be before the request it introduces
/// (clocks disagree); anything earlier was written before it was asked.
const CLOCK_SLACK: time::Duration = time::Duration::minutes(10);

#[derive(Debug)]
struct TrackedRequest {
    id: String,
    /// Whose answer this thread waits for: A's, or B's with `--both`.
    side: Side,
    /// That person's address, lowercase.
    email: String,
    /// The thread is a note request to B (`intro note`): B's reply is
    /// the note.
    note: bool,
    /// When that side was asked (made, while its ask is still `sending`).
    asked_at: OffsetDateTime,
}

impl Tracked {
    pub(crate) fn new<'r>(requests: impl IntoIterator<Item = &'r Request>) -> Tracked {
        let mut tracked = Tracked::default();
        for r in requests {
            // With `--both`, B's answer is waited for in B's own thread
            // (also while B's ask is `sending`, as for A's).
            for side in [Side::A, Side::B] {
                if !r.awaits_reply(side) {
                    continue;
                }
                let index = tracked.requests.len();
                let email = r.email(side).trim().to_lowercase();
                tracked
                    .by_sender
                    .entry(email.clone())
                    .or_default()
                    .push(index);
                tracked.requests.push(TrackedRequest {
                    id: r.id.clone(),
                    side,
                    email,
                    note: false,
                    asked_at: r
                        .party(side)
                        .and_then(|p| p.asked_at)
                        .unwrap_or(r.created_at),
                });
                for id in r.thread_ids(side) {
                    tracked.by_message_id.insert(normalize_id(id), index);
                }
            }
            // A note request waits for B's note in its own thread.
            if r.awaits_note()
                && let Some(id) = r.note_thread_id()
            {
                tracked
                    .by_message_id
                    .insert(normalize_id(id), tracked.requests.len());
                tracked.requests.push(TrackedRequest {
                    id: r.id.clone(),
                    side: Side::B,
                    email: r.email(Side::B).trim().to_lowercase(),
                    note: true,
                    asked_at: r.created_at,
                });
            }
        }
        tracked
    }

    /// Also wait for the introductions the user asked connectors for,
    /// among `requests`; `me_email` is the user's address.
    pub(crate) fn with_introductions<'r>(
        mut self,
        me_email: &str,
        requests: impl IntoIterator<Item = &'r Request>,
    ) -> Tracked {
        self.me_email = me_email.trim().to_lowercase();
        self.introductions = requests
            .into_iter()
            .filter(|r| r.awaits_introduction())
            .map(|r| AwaitedIntroduction {
                id: r.id.clone(),
                connector: r.a_email.trim().to_lowercase(),
                t: r.b_email.trim().to_lowercase(),
                since: r.created_at,
            })
            .collect();
        self
    }

    /// With `[sync] any_mail_counts`: a message from an awaited person
    /// dated after their ask counts, in the thread or not.
    pub(crate) fn counting_any_mail(mut self, on: bool) -> Tracked {
        self.any_mail = on;
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.introductions.is_empty()
    }

    /// How many introductions asked of connectors are awaited.
    pub(crate) fn awaited_introductions(&self) -> usize {
        self.introductions.len()
    }

    /// The connectors whose introductions are awaited (their addresses,
    /// sorted and once each), for sources that search by sender.
    pub(crate) fn connectors(&self) -> Vec<&str> {
        let mut list: Vec<&str> = self
            .introductions
            .iter()
            .map(|i| i.connector.as_str())
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    }

    /// The awaited introduction `message` is: from its connector, with
    /// the user and T both among its To and Cc.
    fn introduction_in(&self, message: &Message) -> Option<&AwaitedIntroduction> {
        if self.introductions.is_empty() {
            return None;
        }
        let from = message
            .from()
            .and_then(|from| from.first())
            .and_then(|addr| addr.address())
            .map(|a| a.trim().to_lowercase())?;
        let recipients: Vec<String> = [message.to(), message.cc()]
            .into_iter()
            .flatten()
            .flat_map(|list| list.iter())
            .filter_map(|addr| addr.address())
            .map(|a| a.trim().to_lowercase())
            .collect();
        if !recipients.contains(&self.me_email) {
            return None;
        }
        self.introductions
            .iter()
            .find(|i| i.connector == from && recipients.contains(&i.t))
    }

    /// Whether `message` may matter to a sync: it is in a tracked thread,
    /// may be an awaited introduction, or (with `any_mail_counts`) is from
    /// someone awaited. Cheap enough to run on the headers of every
    /// message in a folder.
    pub(crate) fn may_matter(&self, message: &Message) -> bool {
        self.in_thread(message)
            || self.introduction_in(message).is_some()
            || (self.any_mail && sender(message).is_some_and(|s| self.by_sender.contains_key(&s)))
    }

    /// The addresses whose mail counts wherever it is (`[sync]
    /// any_mail_counts`), sorted; none when that is off.
    pub(crate) fn senders(&self) -> Vec<&str> {
        if !self.any_mail {
            return Vec::new();
        }
        let mut senders: Vec<&str> = self.by_sender.keys().map(String::as_str).collect();
        senders.sort_unstable();
        senders
    }

    /// How many requests are waiting for an answer.
    pub(crate) fn len(&self) -> usize {
        self.requests.len()
    }

    /// Every tracked Message-ID, without angle brackets, sorted (for
    /// searches that must be stable from run to run).
    pub(crate) fn message_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.by_message_id.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// The request whose thread `message` belongs to, by its `In-Reply-To`
    /// and then its `References` (newest first), whoever sent it.
    fn thread_of(&self, message: &Message) -> Option<&TrackedRequest> {
        let mut ids = text_list(message.in_reply_to());
        ids.extend(text_list(message.references()).into_iter().rev());
        ids.iter()
            .find_map(|id| self.by_message_id.get(&normalize_id(id)))
            .map(|&i| &self.requests[i])
    }

    /// Whether `message`'s threading headers name a tracked Message-ID;
    /// cheap enough to run on the headers of every message in a folder.
    pub(crate) fn in_thread(&self, message: &Message) -> bool {
        self.thread_of(message).is_some()
    }

    /// Outside any thread, with `any_mail_counts`: the request whose ask
    /// to the sender came last before the message's date. A message
    /// without a date cannot show it came after the ask, and counts for none.
    fn by_any_mail(&self, message: &Message) -> Option<&TrackedRequest> {
        if !self.any_mail {
            return None;
        }
        let at = date_of(message)?;
        self.by_sender
            .get(&sender(message)?)?
            .iter()
            .map(|&i| &self.requests[i])
            .filter(|r| r.asked_at < at)
            .max_by_key(|r| r.asked_at)
    }
}

/// The address in `message`'s From, lowercase.
fn sender(message: &Message) -> Option<String> {
    message
        .from()
        .and_then(|from| from.first())
        .and_then(|addr| addr.address())
        .map(|a| a.trim().to_lowercase())
}

/// `message`'s Date header, if it is a real date.
fn date_of(message: &Message) -> Option<OffsetDateTime> {
    message
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| OffsetDateTime::from_unix_timestamp(d.to_timestamp()).ok())
}

/// A Message-ID as intro compares them: without angle brackets or
/// surrounding space, lowercase (mail clients copy it verbatim, but some
/// servers and tools change its case).
pub(crate) fn normalize_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_lowercase()
}

fn text_list<'a>(value: &'a HeaderValue) -> Vec<&'a str> {
    value
        .as_text_list()
        .map(|l| l.iter().map(AsRef::as_ref).collect())
        .unwrap_or_default()
}

/// A reply from A found for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub request_id: String,
    /// Whose answer it is: A's, or B's (a request made with `--both`).
    pub side: Side,
    pub reply: Reply,
    /// B's forwardable note, when this is B's answer to a note request:
    /// the reply's own text, without the quote and the signature.
    pub note: Option<String>,
}

/// An automatic reply from A (or B) found for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundAuto {
    pub request_id: String,
    pub side: Side,
    pub auto: AutoReply,
}

/// What one message is, as far as `intro sync` is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A's answer to a request waiting for one.
    Reply(Found),
    /// The introduction a connector was asked for (`side` is A's: the
    /// connector's).
    Introduced(Found),
    /// An out-of-office reply from A: no answer, but a reason to wait.
    AutoReply(FoundAuto),
    /// In a tracked thread, but not from A.
    NotFromA,
    /// Not in any tracked thread.
    Unrelated,
}

/// Decide whether `message` is A's reply to a tracked request. `found_at`
/// is the reply's time when it has no usable `Date` header.
pub(crate) fn match_reply(
    tracked: &Tracked,
    message: &Message,
    found_at: OffsetDateTime,
) -> Verdict {
    let at = date_of(message).unwrap_or(found_at);
    if let Some(awaited) = tracked.introduction_in(message)
        && !is_automatic(message)
        && at >= awaited.since - CLOCK_SLACK
    {
        let body = message.body_text(0).unwrap_or_default();
        return Verdict::Introduced(Found {
            request_id: awaited.id.clone(),
            side: Side::A,
            reply: Reply {
                at,
                snippet: snippet::snippet(&body),
                message_id: message.message_id().map(|id| format!("<{id}>")),
            },
            note: None,
        });
    }
    let Some(request) = tracked
        .thread_of(message)
        .or_else(|| tracked.by_any_mail(message))
    else {
        return Verdict::Unrelated;
    };
    let from_a = sender(message).is_some_and(|address| address == request.email);
    if !from_a {
        return Verdict::NotFromA;
    }
    let body = message.body_text(0).unwrap_or_default();
    let message_id = message.message_id().map(|id| format!("<{id}>"));
    if is_automatic(message) {
        return Verdict::AutoReply(FoundAuto {
            request_id: request.id.clone(),
            side: request.side,
            auto: AutoReply::read(at, message_id, message.subject().unwrap_or_default(), &body),
        });
    }
    Verdict::Reply(Found {
        request_id: request.id.clone(),
        side: request.side,
        note: request
            .note
            .then(|| crate::domain::forward_note::note_from_reply(&body)),
        reply: Reply {
            at,
            snippet: snippet::snippet(&body),
            message_id,
        },
    })
}

/// An out-of-office or other machine answer (RFC 3834 and common
/// vendor headers): it comes from A's address, but A did not answer.
fn is_automatic(message: &Message) -> bool {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if header("Auto-Submitted").is_some_and(|v| v != "no") {
        return true;
    }
    if header("X-Autoreply").is_some() || header("X-Autorespond").is_some() {
        return true;
    }
    header("Precedence").is_some_and(|v| v == "auto_reply")
}

/// A mail source that could not be read. Never contains a password.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SyncError {
    pub message: String,
    pub hints: Vec<String>,
}

impl SyncError {
    pub(crate) fn new(message: impl Into<String>) -> SyncError {
        SyncError {
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> SyncError {
        self.hints.push(hint.into());
        self
    }
}

/// What a source found in one sync.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Replies from A, in the order found.
    pub found: Vec<Found>,
    /// Introductions connectors made, as the user asked (`intro request`).
    pub introductions: Vec<Found>,
    /// Automatic replies, in the order found.
    pub auto_replies: Vec<FoundAuto>,
    /// Messages in a tracked thread that were read (fetched or parsed).
    pub examined: usize,
    /// Of those, the ones not from A (someone else).
    pub not_from_a: usize,
    /// Nothing arrived since the last sync, so nothing was searched.
    pub nothing_new: bool,
}

impl Scan {
    pub(crate) fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Reply(found) => {
                self.examined += 1;
                self.found.push(found);
            }
            Verdict::Introduced(found) => {
                self.examined += 1;
                self.introductions.push(found);
            }
            Verdict::AutoReply(auto) => {
                self.examined += 1;
                self.auto_replies.push(auto);
            }
            Verdict::NotFromA => {
                self.examined += 1;
                self.not_from_a += 1;
            }
            Verdict::Unrelated => {}
        }
    }
}

/// A mail source opened for one sync. Opening takes the source's
/// checkpoint *before* the store is read (see `cmd::sync`), so a request
/// asked after that read can only get replies the next sync will see.
pub(crate) trait Source {
    /// For messages: `imap 127.0.0.1:993 INBOX`, `maildir ~/Mail/INBOX`.
    fn describe(&self) -> String;

    /// Find the replies to `tracked` among the messages that arrived since
    /// the last sync (or all of them on a first sync or a rescan).
    fn find(&mut self, tracked: &Tracked, now: OffsetDateTime) -> Result<Scan, SyncError>;

    /// Record where this sync left off, once its results are stored.
    fn checkpoint(&self, checkpoints: &mut checkpoint::Checkpoints);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::AskSpec;
    use mail_parser::MessageParser;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);
    const NOW: OffsetDateTime = datetime!(2026-03-05 12:00 UTC);

    fn asked(id: &str, a_email: &str) -> Request {
        let spec = AskSpec::pair(
            "ada".into(),
            a_email.into(),
            "sam".into(),
            "sam@example.org".into(),
            "compilers".into(),
        );
        let mut r = Request::new(
            id.into(),
            spec,
            "Would you be open to meeting Sam?".into(),
            format!("<intro.{id}.ask.0001@example.com>"),
            T0,
        );
        r.mark_asked(T0).unwrap();
        r
    }

    fn parse(raw: &str) -> Message<'_> {
        MessageParser::default().parse(raw.as_bytes()).unwrap()
    }

    fn verdict(tracked: &Tracked, raw: &str) -> Verdict {
        match_reply(tracked, &parse(raw), NOW)
    }

    fn reply_of(v: Verdict) -> Found {
        match v {
            Verdict::Reply(found) => found,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn a_reply_from_a_to_the_ask_matches_with_date_and_snippet() {
        let r = asked("aaaa1111", "ada@example.com");
        let tracked = Tracked::new([&r]);
        let found = reply_of(verdict(
            &tracked,
            "From: Ada Lovelace <Ada@Example.COM>\r\n\
             To: grace@example.com\r\n\
             Subject: Re: Would you be open to meeting Sam?\r\n\
             Date: Mon, 2 Mar 2026 10:15:00 +0100\r\n\
             Message-ID: <reply-1@example.com>\r\n\
             In-Reply-To: <intro.aaaa1111.ask.0001@example.com>\r\n\
             \r\n\
             Sure, happy to talk to Sam next week.\r\n\
             \r\n\
             On Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <grace@example.com> wrote:\r\n\
             > Hi Ada,\r\n\
             > would you be open to meeting Sam?\r\n",
        ));
        assert_eq!(found.request_id, "aaaa1111");
        assert_eq!(found.reply.at, datetime!(2026-03-02 09:15 UTC));
        assert_eq!(found.reply.snippet, "Sure, happy to talk to Sam next week.");
        assert_eq!(
            found.reply.message_id.as_deref(),
            Some("<reply-1@example.com>")
        );
    }

    #[test]
    fn a_reply_to_a_followup_or_by_references_only_matches() {
        let mut r = asked("bbbb2222", "ada@example.com");
        r.mark_followed_up(
            Side::A,
            T0,
            "<intro.bbbb2222.followup.0002@example.com>".into(),
        )
        .unwrap();
        let tracked = Tracked::new([&r]);
        let to_followup = "From: ada@example.com\n\
             In-Reply-To: <intro.bbbb2222.followup.0002@example.com>\n\
             Date: Tue, 3 Mar 2026 08:00:00 +0000\n\n\
             Yes!\n";
        assert_eq!(
            reply_of(verdict(&tracked, to_followup)).request_id,
            "bbbb2222"
        );
        let references_only = "From: ada@example.com\n\
             References: <other@x> <intro.bbbb2222.ask.0001@example.com>\n\
             Date: Tue, 3 Mar 2026 08:00:00 +0000\n\n\
             Yes!\n";
        assert_eq!(
            reply_of(verdict(&tracked, references_only)).request_id,
            "bbbb2222"
        );
    }

    #[test]
    fn a_reply_from_b_to_b_s_ask_still_sending_matches() {
        // With `--both`, B's ask went out but its run died before
        // recording it: B's answer still finds the request.
        let r = asked("dddd4444", "ada@example.com")
            .with_b_side("<intro.dddd4444.ask_b.0001@example.com>".into(), "s".into());
        let tracked = Tracked::new([&r]);
        let found = reply_of(verdict(
            &tracked,
            "From: Sam <sam@example.org>\n\
             In-Reply-To: <intro.dddd4444.ask_b.0001@example.com>\n\
             Date: Tue, 3 Mar 2026 08:00:00 +0000\n\n\
             Glad to.\n",
        ));
        assert_eq!(found.request_id, "dddd4444");
        assert_eq!(found.side, Side::B);
    }

    #[test]
    fn someone_else_in_the_thread_does_not_count() {
        let r = asked("cccc3333", "ada@example.com");
        let tracked = Tracked::new([&r]);
        let from_sam = "From: Sam <sam@example.org>\n\
             In-Reply-To: <intro.cccc3333.ask.0001@example.com>\n\n\
             Hi, I am Sam.\n";
        assert_eq!(verdict(&tracked, from_sam), Verdict::NotFromA);
        // A name that looks like A's address is not A's address.
        let spoof = "From: \"ada@example.com\" <mallory@example.net>\n\
             In-Reply-To: <intro.cccc3333.ask.0001@example.com>\n\nyes\n";
        assert_eq!(verdict(&tracked, spoof), Verdict::NotFromA);
        let no_from = "In-Reply-To: <intro.cccc3333.ask.0001@example.com>\n\nyes\n";
        assert_eq!(verdict(&tracked, no_from), Verdict::NotFromA);
    }

    #[test]
    fn an_out_of_office_reply_is_an_auto_reply_not_an_answer() {
        let r = asked("dddd4444", "ada@example.com");
        let tracked = Tracked::new([&r]);
        for header in [
            "Auto-Submitted: auto-replied",
            "X-Autoreply: yes",
            "X-Autorespond: yes",
            "Precedence: auto_reply",
        ] {
            let raw = format!(
                "From: ada@example.com\n{header}\n\
                 Subject: Out of office\n\
                 Date: Tue, 3 Mar 2026 08:00:00 +0000\n\
                 Message-ID: <ooo@example.com>\n\
                 In-Reply-To: <intro.dddd4444.ask.0001@example.com>\n\n\
                 I am away, back on 16 March.\n"
            );
            let Verdict::AutoReply(found) = verdict(&tracked, &raw) else {
                panic!("{header}: expected an auto-reply");
            };
            assert_eq!(found.request_id, "dddd4444");
            assert_eq!(found.side, Side::A);
            assert_eq!(found.auto.message_id.as_deref(), Some("<ooo@example.com>"));
            assert_eq!(found.auto.back_on, Some(datetime!(2026-03-16 00:00 UTC)));
        }
        let human = "From: ada@example.com\nAuto-Submitted: no\n\
             In-Reply-To: <intro.dddd4444.ask.0001@example.com>\n\nSure\n";
        assert!(matches!(verdict(&tracked, human), Verdict::Reply(_)));
        // An auto-reply from someone else in the thread is not A's.
        let other = "From: sam@example.org\nAuto-Submitted: auto-replied\n\
             In-Reply-To: <intro.dddd4444.ask.0001@example.com>\n\nAway\n";
        assert_eq!(verdict(&tracked, other), Verdict::NotFromA);
    }

    #[test]
    fn with_any_mail_counts_mail_from_a_after_the_ask_is_a_reply() {
        let older = asked("abcd0001", "ada@example.com");
        let mut newer = asked("abcd0002", "ada@example.com");
        newer.a_side.asked_at = Some(datetime!(2026-03-02 09:00 UTC));
        let outside = |date: &str| {
            format!(
                "From: Ada <ada@example.com>\nSubject: Sam\nDate: {date}\n\n\
                 Happy to meet Sam.\n"
            )
        };
        let off = Tracked::new([&older, &newer]);
        let raw = outside("Tue, 3 Mar 2026 08:00:00 +0000");
        assert!(!off.may_matter(&parse(&raw)));
        assert_eq!(verdict(&off, &raw), Verdict::Unrelated, "off by default");
        let on = Tracked::new([&older, &newer]).counting_any_mail(true);
        assert_eq!(on.senders(), ["ada@example.com"]);
        assert!(on.may_matter(&parse(&raw)));
        assert_eq!(
            reply_of(verdict(&on, &raw)).request_id,
            "abcd0002",
            "the ask that came last before it"
        );
        let between = outside("Sun, 1 Mar 2026 12:00:00 +0000");
        assert_eq!(reply_of(verdict(&on, &between)).request_id, "abcd0001");
        let before = outside("Sat, 28 Feb 2026 12:00:00 +0000");
        assert_eq!(verdict(&on, &before), Verdict::Unrelated, "before any ask");
        let undated = "From: ada@example.com\nSubject: hi\n\nyes\n";
        assert_eq!(verdict(&on, undated), Verdict::Unrelated, "no date");
        let stranger = "From: bob@example.com\nDate: Tue, 3 Mar 2026 08:00:00 +0000\n\nhi\n";
        assert!(!on.may_matter(&parse(stranger)));
    }

    #[test]
    fn unrelated_messages_and_closed_requests_are_ignored() {
        let mut decided = asked("eeee5555", "ada@example.com");
        decided.approve(Side::A, T0, None).unwrap();
        let tracked = Tracked::new([&decided]);
        assert!(tracked.is_empty());
        let raw = "From: ada@example.com\n\
             In-Reply-To: <intro.eeee5555.ask.0001@example.com>\n\nyes\n";
        assert_eq!(verdict(&tracked, raw), Verdict::Unrelated);
        let open = asked("ffff6666", "ada@example.com");
        let tracked = Tracked::new([&open]);
        let unrelated = "From: ada@example.com\nIn-Reply-To: <x@y>\n\nhello\n";
        assert_eq!(verdict(&tracked, unrelated), Verdict::Unrelated);
        let none = "From: ada@example.com\nSubject: hello\n\nhello\n";
        assert_eq!(verdict(&tracked, none), Verdict::Unrelated);
    }

    fn requested(id: &str) -> Request {
        let mut r = asked(id, "jo@example.com");
        r.direction = crate::domain::request::Direction::Requested;
        r
    }

    #[test]
    fn a_connector_writing_to_the_user_and_t_is_the_introduction() {
        let r = requested("abab0001");
        let ask = asked("abab0002", "jo@example.com");
        let tracked = Tracked::new([&r, &ask]).with_introductions("Grace@Example.com", [&r, &ask]);
        assert_eq!(tracked.connectors(), ["jo@example.com"]);
        // Written before the request was made: not its introduction.
        let before = "From: jo@example.com\nTo: grace@example.com, sam@example.org\n\
             Date: Sat, 28 Feb 2026 08:00:00 +0000\n\nmeet\n";
        assert_eq!(verdict(&tracked, before), Verdict::Unrelated);
        let intro = "From: Jo <JO@example.com>\n\
             To: Grace <grace@example.com>\n\
             Cc: Sam <sam@example.org>\n\
             Message-ID: <intro-1@example.com>\n\
             Date: Tue, 3 Mar 2026 08:00:00 +0000\n\n\
             Grace, meet Sam.\n";
        match verdict(&tracked, intro) {
            Verdict::Introduced(found) => {
                assert_eq!(found.request_id, "abab0001");
                assert_eq!(
                    found.reply.message_id.as_deref(),
                    Some("<intro-1@example.com>")
                );
                assert_eq!(found.reply.at, datetime!(2026-03-03 08:00 UTC));
            }
            other => panic!("expected the introduction, got {other:?}"),
        }
        assert!(tracked.may_matter(&parse(intro)));
        // Not to the user, not from the connector, or automatic: no.
        for raw in [
            "From: jo@example.com\nTo: sam@example.org\n\nhi\n",
            "From: sam@example.org\nTo: grace@example.com, jo@example.com\n\nhi\n",
            "From: jo@example.com\nTo: grace@example.com\n\nhi\n",
            "From: jo@example.com\nTo: grace@example.com, sam@example.org\n\
             Auto-Submitted: auto-replied\n\naway\n",
        ] {
            assert!(
                !matches!(verdict(&tracked, raw), Verdict::Introduced(_)),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_request_decided_or_closed_awaits_no_introduction() {
        let mut r = requested("abab0003");
        r.decline(Side::A, T0, None).unwrap();
        let tracked = Tracked::new([&r]).with_introductions("grace@example.com", [&r]);
        assert!(tracked.is_empty());
        let raw = "From: jo@example.com\nTo: grace@example.com, sam@example.org\n\nmeet\n";
        assert_eq!(verdict(&tracked, raw), Verdict::Unrelated);
    }

    #[test]
    fn a_missing_or_bad_date_is_the_time_found() {
        let r = asked("abab1212", "ada@example.com");
        let tracked = Tracked::new([&r]);
        for date in ["", "Date: someday soon\n"] {
            let raw = format!(
                "From: ada@example.com\n{date}\
                 In-Reply-To: <intro.abab1212.ask.0001@example.com>\n\nok\n"
            );
            assert_eq!(reply_of(verdict(&tracked, &raw)).reply.at, NOW, "{date:?}");
        }
    }

    #[test]
    fn message_ids_compare_without_brackets_or_case() {
        assert_eq!(
            normalize_id(" <Intro.X@Example.com> "),
            "intro.x@example.com"
        );
        let r = asked("acac1313", "ada@example.com");
        let tracked = Tracked::new([&r]);
        assert_eq!(
            tracked.message_ids(),
            ["intro.acac1313.ask.0001@example.com"]
        );
        let raw = "From: ada@example.com\n\
             In-Reply-To: <INTRO.ACAC1313.ASK.0001@EXAMPLE.COM>\n\nok\n";
        assert!(matches!(verdict(&tracked, raw), Verdict::Reply(_)));
    }

    #[test]
    fn an_html_only_reply_gets_a_text_snippet() {
        let r = asked("adad1414", "ada@example.com");
        let tracked = Tracked::new([&r]);
        let raw = "From: ada@example.com\n\
             In-Reply-To: <intro.adad1414.ask.0001@example.com>\n\
             MIME-Version: 1.0\n\
             Content-Type: text/html; charset=utf-8\n\n\
             <html><body><p>Happy to <b>help</b>!</p></body></html>\n";
        let found = reply_of(verdict(&tracked, raw));
        assert_eq!(found.reply.snippet, "Happy to help!");
    }

    #[test]
    fn a_message_cut_short_still_parses() {
        let r = asked("aeae1515", "ada@example.com");
        let tracked = Tracked::new([&r]);
        let raw = "From: ada@example.com\n\
             In-Reply-To: <intro.aeae1515.ask.0001@example.com>\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\n\n\
             --b1\nContent-Type: text/plain\n\nSounds good, go ahead.\n\
             --b1\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n\
             JVBERi0xLjQKJcfs";
        let found = reply_of(verdict(&tracked, raw));
        assert_eq!(found.reply.snippet, "Sounds good, go ahead.");
    }
}
