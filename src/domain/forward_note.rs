//! B's forwardable note: the short note in B's own words that the ask to A
//! carries unchanged (`intro note`). What is stored about it, the moves of
//! a request through `note_requested` and `note_received`, how a note is
//! cut out of B's reply, and the checks made before it is forwarded. Pure:
//! no I/O, time passed in.
//!
//! A note is never rewritten: the checks only warn, and the cut keeps every
//! line B wrote above the quoted message and the signature, as B wrote it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::request::{
    AskSpec, Event, EventKind, Party, Rendered, Request, Side, State, TransitionError,
};
use crate::domain::snippet;

/// The request to B for a note, and the note once it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ForwardNote {
    /// The note request's Message-ID (with angle brackets); B's reply
    /// answers it.
    pub message_id: String,
    pub subject: String,
    /// When the transport accepted the note request; none while it is
    /// being sent (the run sending it is the request's `sending_run`).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub requested_at: Option<OffsetDateTime>,
    /// The note request as the user edited it (`--edit`), so a resend
    /// sends it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<Rendered>,
    /// The note, as B wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub received_at: Option<OffsetDateTime>,
    /// The Message-ID of B's reply the note was taken from; none when the
    /// user recorded it by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_message_id: Option<String>,
}

impl Request {
    /// A request whose note request to B is about to be sent. A's ask
    /// waits for the note: its Message-ID and Subject are drawn when it is
    /// made (`intro ask REQUEST`).
    pub(crate) fn note_request(
        id: String,
        spec: AskSpec,
        subject: String,
        message_id: String,
        now: OffsetDateTime,
    ) -> Request {
        let mut r = Request::new(id, spec, String::new(), String::new(), now);
        r.status = State::NoteRequested;
        r.forward_note = Some(Box::new(ForwardNote {
            message_id,
            subject,
            requested_at: None,
            edited: None,
            text: None,
            received_at: None,
            reply_message_id: None,
        }));
        r
    }

    /// The note request was recorded but its acceptance was not: it is
    /// being sent, or its run died mid-send.
    pub(crate) fn note_request_unsent(&self) -> bool {
        self.status == State::NoteRequested
            && self
                .forward_note
                .as_ref()
                .is_some_and(|n| n.requested_at.is_none())
    }

    /// The state as the user is shown it: a note request recorded but
    /// not yet accepted is `sending`, as an ask is, never
    /// `note_requested`.
    pub(crate) fn shown_status(&self) -> State {
        if self.note_request_unsent() {
            State::Sending
        } else {
            self.status
        }
    }

    /// The transport accepted the note request to B.
    pub(crate) fn mark_note_requested(
        &mut self,
        now: OffsetDateTime,
    ) -> Result<(), TransitionError> {
        if !self.note_request_unsent() {
            return Err(self.cannot("marked as having asked B for a note"));
        }
        if let Some(n) = self.forward_note.as_mut() {
            n.requested_at = Some(now);
        }
        self.sending_run = None;
        self.push_event(now, EventKind::NoteRequested, None);
        Ok(())
    }

    /// Whether A has not been written to yet: a note request whose ask
    /// to A is still to come. It is no ask of A, so ask fatigue does not
    /// count it.
    pub(crate) fn a_not_yet_asked(&self) -> bool {
        self.forward_note.is_some() && self.a_side.asked_at.is_none()
    }

    /// B's note, when it is in.
    pub(crate) fn forward_note_text(&self) -> Option<&str> {
        self.forward_note.as_ref().and_then(|n| n.text.as_deref())
    }

    /// B's note is in, waits for its ask, and reads like a no.
    pub(crate) fn note_reads_like_no(&self) -> bool {
        self.status == State::NoteReceived && self.forward_note_text().is_some_and(reads_like_no)
    }

    /// Whether a reply from B may still bring the note: the note request
    /// went out (or may have) and no note is in.
    pub(crate) fn awaits_note(&self) -> bool {
        self.status == State::NoteRequested
    }

    /// The Message-ID B's note arrives in reply to.
    pub(crate) fn note_thread_id(&self) -> Option<&str> {
        self.forward_note.as_ref().map(|n| n.message_id.as_str())
    }

    /// `side`'s thread, as a message in it is threaded: the side's ask;
    /// for B, while no ask went to B, the note request to B.
    pub(crate) fn thread_party(&self, side: Side) -> Option<Party> {
        match (self.party(side), side) {
            (Some(party), _) => Some(party.clone()),
            (None, Side::B) => self.forward_note.as_ref().map(|n| {
                let mut party = Party::sending(n.message_id.clone(), n.subject.clone());
                party.asked_at = n.requested_at;
                party
            }),
            (None, Side::A) => None,
        }
    }

    /// B's reply to the note request was found: its text is the note.
    /// Returns false, changing nothing, once a note is in (a second
    /// sighting, or a note recorded by hand: the user's word stands).
    pub(crate) fn record_note_reply(
        &mut self,
        now: OffsetDateTime,
        text: String,
        at: OffsetDateTime,
        message_id: Option<String>,
    ) -> bool {
        if !self.awaits_note() || text.trim().is_empty() {
            return false;
        }
        let event = format!("from B's reply{}", message_id_note(message_id.as_deref()));
        self.take_note(now, text, at, message_id, event);
        true
    }

    /// The user recorded B's note by hand: from `note_requested`, or
    /// replacing a note already in, before the ask to A is sent.
    pub(crate) fn record_note_by_hand(
        &mut self,
        now: OffsetDateTime,
        text: String,
    ) -> Result<(), TransitionError> {
        if !matches!(self.status, State::NoteRequested | State::NoteReceived) {
            return Err(self.cannot(
                "given a note (only a request made by `intro note` that waits for its ask can)",
            ));
        }
        let event = if self.status == State::NoteReceived {
            "by hand, replacing the one received"
        } else {
            "by hand"
        };
        self.take_note(now, text, now, None, event.to_string());
        Ok(())
    }

    fn take_note(
        &mut self,
        now: OffsetDateTime,
        text: String,
        at: OffsetDateTime,
        message_id: Option<String>,
        event: String,
    ) {
        if let Some(n) = self.forward_note.as_mut() {
            // A note request whose run died before recording it was sent:
            // B's note proves it went out (when it came by reply), and in
            // any case there is nothing left to send.
            n.requested_at.get_or_insert(self.created_at);
            n.text = Some(text);
            n.received_at = Some(at);
            n.reply_message_id = message_id;
        }
        self.status = State::NoteReceived;
        self.sending_run = None;
        self.push_event(now, EventKind::NoteReceived, Some(event));
    }

    /// The ask to A carrying B's note is about to be sent by `run`: the
    /// request becomes `sending`, as a fresh ask is, and goes on as one.
    pub(crate) fn begin_ask_with_note(
        &mut self,
        message_id: String,
        subject: String,
        run: String,
    ) -> Result<(), TransitionError> {
        if self.status != State::NoteReceived || self.forward_note_text().is_none() {
            return Err(self.cannot("asked with B's note (the note is not in yet)"));
        }
        self.status = State::Sending;
        self.a_side = Party::sending(message_id, subject);
        self.sending_run = Some(run);
        Ok(())
    }

    /// The ask carrying B's note could not have been sent: back to
    /// `note_received`, as it was.
    pub(crate) fn undo_ask_with_note(&mut self) {
        if self.status == State::Sending && self.forward_note_text().is_some() {
            self.status = State::NoteReceived;
            self.a_side = Party::sending(String::new(), String::new());
            self.sending_run = None;
        }
    }

    fn cannot(&self, action: &'static str) -> TransitionError {
        TransitionError {
            id: self.id.clone(),
            from: self.status,
            action,
        }
    }

    fn push_event(&mut self, now: OffsetDateTime, kind: EventKind, note: Option<String>) {
        self.updated_at = now;
        self.history.push(Event {
            at: now,
            kind,
            note,
        });
    }
}

fn message_id_note(id: Option<&str>) -> String {
    id.map(|id| format!(" ({id})")).unwrap_or_default()
}

/// Lines that mail apps on phones add under what was written ("Sent from
/// my iPhone"), matched at the start of a line, without regard to case.
const MOBILE_SIGNATURES: &[&str] = &[
    "sent from my ",
    "sent from mail for windows",
    "sent from outlook",
    "sent from yahoo mail",
    "sent from proton",
    "sent with proton",
    "sent via superhuman",
    "sent from superhuman",
    "sent from gmail",
    "sent from samsung",
    "get outlook for ",
    "von meinem ",
    "envoyé de mon ",
    "enviado desde mi ",
    "inviato da ",
    "verzonden vanaf mijn ",
];

/// The note B wrote in a reply: the reply's own lines, as written.
///
/// The rule: lines quoted with `>` and the attribution above them ("On
/// ... wrote:", and its forms in other languages), an Outlook-style or
/// forwarded copy below a separator, and everything from the signature
/// separator (`-- `) down are dropped (the same cut as a reply's
/// snippet); then the lines phones add at the end ("Sent from my iPhone",
/// "Get Outlook for iOS") and blank lines at either end. Nothing else is
/// changed: not the wrapping, not a word.
pub(crate) fn note_from_reply(body: &str) -> String {
    let own = snippet::own_text(body);
    let mut lines: Vec<&str> = own.lines().collect();
    loop {
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let Some(last) = lines.last() else { break };
        let lower = last.trim().to_lowercase();
        if MOBILE_SIGNATURES.iter().any(|s| lower.starts_with(s)) {
            lines.pop();
        } else {
            break;
        }
    }
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    lines
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Words a note should have: about 120; these bounds are far from it.
pub(crate) const TOO_SHORT_WORDS: usize = 25;
pub(crate) const TOO_LONG_WORDS: usize = 200;

/// What may be wrong with a note before it is forwarded. Only warned
/// about: B's words are never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoteProblem {
    /// B's reply reads like a no (as A's replies are read): B may have
    /// declined to write a note, and A would be forwarded B's refusal.
    ReadsLikeNo,
    TooLong(usize),
    TooShort(usize),
    /// Bracketed blanks left to fill, such as `[your company]`.
    Placeholders(Vec<String>),
    /// No question and no request: A cannot tell what B hopes for.
    NoAsk,
    /// The note opens with words to the user, not to A ("Hi Grace, here
    /// it is:"): forwarded as it stands, A would read them too. Holds
    /// those opening lines, joined.
    WordsToYou(String),
}

impl NoteProblem {
    /// One line for a warning.
    pub(crate) fn describe(&self) -> String {
        match self {
            NoteProblem::ReadsLikeNo => {
                "B's reply reads like a no, not a note for A: forwarded, A would read B's refusal"
                    .into()
            }
            NoteProblem::TooLong(n) => {
                format!("B's note is {n} words long; about 120 reads best")
            }
            NoteProblem::TooShort(n) => format!(
                "B's note is only {n} word{}; A may not learn who B is or what B hopes for",
                if *n == 1 { "" } else { "s" }
            ),
            NoteProblem::Placeholders(list) => format!(
                "B's note still has {} to fill in: {}",
                if list.len() == 1 {
                    "a placeholder"
                } else {
                    "placeholders"
                },
                list.join(", ")
            ),
            NoteProblem::NoAsk => {
                "B's note asks A for nothing in particular (no question, no request found)".into()
            }
            NoteProblem::WordsToYou(opening) => {
                format!("B's note opens with words to you (\"{opening}\"), which A would read too")
            }
        }
    }
}

/// Words that make a request of the reader, or name what is hoped for.
const ASK_PHRASES: &[&str] = &[
    "would you",
    "could you",
    "can you",
    "would it be",
    "would you be",
    "would love",
    "i'd love",
    "i would love",
    "i'd like",
    "i would like",
    "i'd be grateful",
    "i would be grateful",
    "i'm hoping",
    "i am hoping",
    "hoping to",
    "hope to",
    "i hope",
    "looking for",
    "could we",
    "can we",
    "might we",
    "if you have",
    "if you're open",
    "if you are open",
    "minutes",
    "a call",
    "a coffee",
    "a chat",
    "to meet",
    "your advice",
    "your feedback",
    "your thoughts",
    "pick your brain",
];

/// Whether B's reply reads like a no, by the tone rule A's replies are
/// read by (their first words, a clear no), and is short and asks for
/// nothing: a note that opens "Unfortunately the docs are thin" or says
/// what B "can't" do and then asks for 20 minutes is a note.
pub(crate) fn reads_like_no(text: &str) -> bool {
    snippet::tone(&snippet::snippet(text)) == Some(snippet::Tone::No)
        && !has_ask(text)
        && word_count(text) < 2 * TOO_SHORT_WORDS
}

/// The checks made before a note is forwarded, in the order they are
/// told. A reply that reads like a no is told alone: its length and its
/// missing ask say nothing more.
pub(crate) fn check_note(text: &str) -> Vec<NoteProblem> {
    if reads_like_no(text) {
        return vec![NoteProblem::ReadsLikeNo];
    }
    let mut problems = Vec::new();
    let words = word_count(text);
    if words > TOO_LONG_WORDS {
        problems.push(NoteProblem::TooLong(words));
    } else if words < TOO_SHORT_WORDS {
        problems.push(NoteProblem::TooShort(words));
    }
    let blanks = placeholders(text);
    if !blanks.is_empty() {
        problems.push(NoteProblem::Placeholders(blanks));
    }
    if words >= TOO_SHORT_WORDS && !has_ask(text) {
        problems.push(NoteProblem::NoAsk);
    }
    if let Some(opening) = words_to_you(text) {
        problems.push(NoteProblem::WordsToYou(opening));
    }
    problems
}

/// Words that open a line handing the note over rather than belonging to
/// it ("Here it is:", "Sure, here's my note:").
const HANDOVERS: &[&str] = &[
    "here it is",
    "here is the note",
    "here's the note",
    "here is my note",
    "here's my note",
    "here is a note",
    "here's a note",
    "here is a draft",
    "here's a draft",
    "here you go",
    "here goes",
    "as requested",
    "feel free to forward",
    "feel free to edit",
];

/// Words that open a greeting line.
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "hiya",
    "good morning",
    "good afternoon",
];

/// The opening lines of a note that speak to the user, joined, when the
/// note hands itself over ("Here it is:") or greets twice (the user,
/// then A) within its first lines. Nothing for a note that starts with
/// its own words to A.
fn words_to_you(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(4)
        .collect();
    let plain = |l: &str| l.to_lowercase().replace('’', "'");
    let greeting = |l: &str| {
        let l = plain(l);
        l.split_whitespace().count() <= 4
            && GREETINGS
                .iter()
                .any(|g| l.starts_with(g) && !l[g.len()..].starts_with(char::is_alphanumeric))
    };
    // A hand-over is a short line that opens with one of them (after a
    // "Sure," or "Of course!") or ends in a colon: "I loved your talk on
    // where it is going" is no hand-over.
    let handover = lines.iter().take(3).position(|l| {
        let line = plain(l);
        let opening = line
            .split_once([',', '!', '.'])
            .filter(|(first, _)| first.split_whitespace().count() <= 2)
            .map_or(line.as_str(), |(_, rest)| rest.trim_start());
        l.split_whitespace().count() <= 12
            && HANDOVERS.iter().any(|h| {
                snippet::has_phrase(opening, h) && opening.starts_with(h)
                    || (line.ends_with(':') && snippet::has_phrase(&line, h))
            })
    });
    let second_greeting = lines
        .iter()
        .skip(1)
        .position(|l| greeting(l))
        .filter(|_| lines.first().is_some_and(|l| greeting(l)))
        .map(|i| i + 1);
    let end = match (handover, second_greeting) {
        (Some(h), _) => h + 1,
        (None, Some(g)) => g,
        (None, None) => return None,
    };
    Some(lines[..end].join(" "))
}

/// Words as a reader counts them: runs of text with a letter or digit.
pub(crate) fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Bracketed blanks (`[your name]`, `[Company]`, `[X]`): a short text in
/// square brackets with a letter in it. A Markdown link (`[text](url)`) and
/// a numbered reference (`[1]`) are not blanks.
fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find([']', '[', '\n']) else {
            break;
        };
        if after[close..].starts_with(']') {
            let inside = &after[..close];
            let link = after[close + 1..].starts_with('(');
            let blank = !link
                && !inside.trim().is_empty()
                && inside.chars().count() <= 40
                && inside.chars().any(char::is_alphabetic);
            let shown = format!("[{inside}]");
            if blank && !found.contains(&shown) {
                found.push(shown);
            }
            rest = &after[close + 1..];
        } else {
            rest = &after[close..];
        }
    }
    found
}

fn has_ask(text: &str) -> bool {
    if text.contains('?') {
        return true;
    }
    let lower = format!(" {} ", text.to_lowercase().replace('’', "'"));
    ASK_PHRASES.iter().any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::SideState;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

    fn requested() -> Request {
        let spec = AskSpec::of_about_sam("ada");
        let mut r = Request::note_request(
            "abcd1234".into(),
            spec,
            "A short note for Ada?".into(),
            "<n@example.com>".into(),
            T0,
        );
        r.mark_note_requested(T0).unwrap();
        r
    }

    #[test]
    fn a_note_request_goes_requested_received_then_sending_as_an_ask() {
        let mut r = requested();
        assert_eq!(r.status, State::NoteRequested);
        assert!(r.status.is_open());
        assert!(r.a_side.status == SideState::Sending && r.a_side.message_id.is_empty());
        assert!(
            r.begin_ask_with_note("<a@x>".into(), "S".into(), "run".into())
                .is_err()
        );
        assert!(r.record_note_reply(T0, "Hi Ada, I'm Sam.".into(), T0, Some("<r@x>".into())));
        assert_eq!(r.status, State::NoteReceived);
        // A second sighting of a reply changes nothing.
        assert!(!r.record_note_reply(T0, "Other".into(), T0, None));
        assert_eq!(r.forward_note_text(), Some("Hi Ada, I'm Sam."));
        r.begin_ask_with_note("<a@x>".into(), "S".into(), "run".into())
            .unwrap();
        assert_eq!(r.status, State::Sending);
        r.mark_asked(T0).unwrap();
        assert_eq!(r.status, State::Asked);
        let kinds: Vec<EventKind> = r.history.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::NoteRequested,
                EventKind::NoteReceived,
                EventKind::Asked(Side::A)
            ]
        );
    }

    #[test]
    fn an_unsent_ask_goes_back_to_note_received() {
        let mut r = requested();
        r.record_note_by_hand(T0, "Note".into()).unwrap();
        let before = r.clone();
        r.begin_ask_with_note("<a@x>".into(), "S".into(), "run".into())
            .unwrap();
        r.undo_ask_with_note();
        assert_eq!(r, before);
    }

    #[test]
    fn a_note_by_hand_replaces_a_received_one_but_not_after_the_ask() {
        let mut r = requested();
        r.record_note_reply(T0, "First".into(), T0, None);
        r.record_note_by_hand(T0, "Second".into()).unwrap();
        assert_eq!(r.forward_note_text(), Some("Second"));
        r.begin_ask_with_note("<a@x>".into(), "S".into(), "run".into())
            .unwrap();
        assert!(r.record_note_by_hand(T0, "Third".into()).is_err());
    }

    #[test]
    fn a_note_finishes_a_note_request_cut_off_mid_send() {
        let spec = requested();
        let mut r = Request::note_request(
            "x".into(),
            AskSpec {
                a: spec.a,
                a_email: spec.a_email,
                b: spec.b,
                b_email: spec.b_email,
                why: String::new(),
                wants: None,
                format: None,
                note: None,
            },
            "S".into(),
            "<n@x>".into(),
            T0,
        );
        assert!(r.note_request_unsent());
        assert_eq!(r.shown_status(), State::Sending);
        let mut by_reply = r.clone();
        assert!(by_reply.record_note_reply(T0, "Hi".into(), T0, None));
        assert!(!by_reply.note_request_unsent());
        assert_eq!(by_reply.forward_note.unwrap().requested_at, Some(T0));
        r.record_note_by_hand(T0, "x".into()).unwrap();
        assert_eq!(r.shown_status(), State::NoteReceived);
        assert!(r.mark_note_requested(T0).is_err());
    }

    #[test]
    fn cancel_closes_a_note_request() {
        let mut r = requested();
        r.cancel(T0).unwrap();
        assert_eq!(r.status, State::Cancelled);
    }

    #[test]
    fn the_note_is_the_reply_above_the_quote_as_written() {
        let body = "Hi Ada,\n\nI'm Sam, I build  compilers.\nWould you have 20 minutes?\n\nSam\n\nOn Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <grace@example.com> wrote:\n> Hi Sam,\n> could you write a note?\n";
        assert_eq!(
            note_from_reply(body),
            "Hi Ada,\n\nI'm Sam, I build  compilers.\nWould you have 20 minutes?\n\nSam"
        );
    }

    #[test]
    fn signatures_and_phone_lines_are_cut() {
        let body = "Hi Ada, a note.\n\nSent from my iPhone\n";
        assert_eq!(note_from_reply(body), "Hi Ada, a note.");
        let body = "Hi Ada, a note.\n-- \nSam Reed\nCTO, Example\n";
        assert_eq!(note_from_reply(body), "Hi Ada, a note.");
        let body = "Hi Ada, a note.\n\nGet Outlook for iOS\n";
        assert_eq!(note_from_reply(body), "Hi Ada, a note.");
        let body = "Hallo Ada.\n\nVon meinem iPhone gesendet\n\nAm 01.03.2026 schrieb Grace Hopper <g@x>:\n> Hallo\n";
        assert_eq!(note_from_reply(body), "Hallo Ada.");
    }

    #[test]
    fn a_note_written_below_the_quote_is_kept() {
        let body = "Grace Hopper wrote:\n> could you write a note?\n\nHi Ada, I'm Sam.\n";
        assert_eq!(note_from_reply(body), "Hi Ada, I'm Sam.");
    }

    #[test]
    fn an_outlook_copy_below_is_cut() {
        let body = "Hi Ada, I'm Sam.\r\n\r\nFrom: Grace Hopper <g@x>\r\nSent: Monday\r\nTo: Sam\r\n\r\nHi Sam";
        assert_eq!(note_from_reply(body), "Hi Ada, I'm Sam.");
    }

    fn words(n: usize) -> String {
        vec!["word"; n].join(" ")
    }

    #[test]
    fn checks_length_placeholders_and_the_ask() {
        let good = format!("{} Would you have 20 minutes for a call?", words(100));
        assert!(check_note(&good).is_empty());
        assert_eq!(
            check_note(&format!("{} could you?", words(250))),
            [NoteProblem::TooLong(252)]
        );
        assert_eq!(check_note("Hi, could we talk?"), [NoteProblem::TooShort(4)]);
        assert_eq!(check_note(&words(100)), [NoteProblem::NoAsk]);
        let blanks = format!(
            "{} I run [company] and [your name] see [1] and [a link](http://x) [company]. Could we talk?",
            words(100)
        );
        assert_eq!(
            check_note(&blanks),
            [NoteProblem::Placeholders(vec![
                "[company]".into(),
                "[your name]".into()
            ])]
        );
    }

    #[test]
    fn a_reply_that_reads_like_a_no_is_told_alone() {
        for no in [
            "Sorry, I'm swamped until June, I'll have to pass.",
            "No, sorry, not for now.\n\nSam",
            "Not a good time for me, unfortunately.",
        ] {
            assert!(reads_like_no(no), "{no}");
        }
        assert_eq!(
            check_note("Sorry, I'm swamped until June, I'll have to pass."),
            [NoteProblem::ReadsLikeNo]
        );
        for note in [
            "Hi Ada, I'm Sam. Would you have 20 minutes for a call?",
            "Hi Ada, no worries if not, but I'd love a coffee.",
        ] {
            assert!(!reads_like_no(note), "{note}");
        }
    }

    #[test]
    fn a_note_that_names_a_difficulty_and_asks_is_no_no() {
        for note in [
            "Ada, our register allocator can't keep up with loops, and your notes on the Engine are the best thing on them. I'd love 20 minutes of your advice on where to start, on a call whenever suits you.",
            "Unfortunately the docs on the Engine are thin, and I hope you could spare 20 minutes to tell me where its loops are described. I build compilers for small teams.",
        ] {
            assert!(!reads_like_no(note), "{note}");
            assert!(
                !check_note(note).contains(&NoteProblem::ReadsLikeNo),
                "{note}"
            );
        }
        assert!(reads_like_no(
            "Sorry, I'm swamped until June, I'll have to pass."
        ));
    }

    #[test]
    fn words_to_the_user_before_the_note_are_told() {
        let handed = "Hi Grace,\n\nHere it is:\n\nAda, I'm Sam. I build developer tools. Would you have 30 minutes for a call?\n";
        assert_eq!(
            words_to_you(handed).as_deref(),
            Some("Hi Grace, Here it is:")
        );
        let greeted_twice = "Hi Grace,\n\nHi Ada,\n\nI'm Sam and I build tools. Could we talk?";
        assert_eq!(words_to_you(greeted_twice).as_deref(), Some("Hi Grace,"));
        let sure = "Sure! Here's my note:\n\nAda, I'm Sam. Could we talk?";
        assert_eq!(words_to_you(sure).as_deref(), Some("Sure! Here's my note:"));
        // A note that starts with its own words to A, or only greets A,
        // is the note.
        for note in [
            "Hi Ada,\n\nI'm Sam. I build developer tools for small teams. Would you have 30 minutes?",
            "Ada, I'm Sam. Here is why I'd love to talk: test-case reduction. Could we?",
            "Hello there, I'm Sam. High hopes for a call?",
            "Hi Ada,\n\nI loved your talk on where it is going. Could we talk?",
            "Below is a short summary of what we build:\n\ncompilers. Could we talk?",
        ] {
            assert_eq!(words_to_you(note), None, "{note}");
        }
        assert!(
            check_note(handed)
                .iter()
                .any(|p| matches!(p, NoteProblem::WordsToYou(_)))
        );
    }

    #[test]
    fn problems_read_as_one_line_each() {
        assert_eq!(
            NoteProblem::TooShort(1).describe(),
            "B's note is only 1 word; A may not learn who B is or what B hopes for"
        );
        assert!(
            NoteProblem::Placeholders(vec!["[x]".into()])
                .describe()
                .contains("a placeholder to fill in: [x]")
        );
    }
}
