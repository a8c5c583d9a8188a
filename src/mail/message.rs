//! Building the messages intro sends: headers from `[me]` and the contacts,
//! a unique Message-ID, threading headers for follow-ups, and a plain-text
//! UTF-8 body. The result is the exact bytes a transport hands on.

use std::time::SystemTime;

use lettre::address::Envelope;
use lettre::message::header::{self, ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, Mailboxes};
use lettre::{Address, Message};
use time::OffsetDateTime;

use crate::mail::template::Rendered;

/// What a message is for; part of its outbox file name, never of what is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Ask,
    AskB,
    Followup,
    Introduction,
    Decline,
    /// The note withdrawing an ask.
    Cancel,
    /// The request to B for a forwardable note.
    NoteRequest,
    /// The thank-you to a connector.
    Thanks,
}

impl Purpose {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Purpose::Ask => "ask",
            Purpose::AskB => "ask-b",
            Purpose::Followup => "followup",
            Purpose::Introduction => "intro",
            Purpose::Decline => "decline",
            Purpose::Cancel => "cancel",
            Purpose::NoteRequest => "note-request",
            Purpose::Thanks => "thanks",
        }
    }
}

/// Why a draft cannot become a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MessageError {
    #[error("`{email}` is not an email address")]
    NotAnAddress { email: String },
    #[error("the message body cannot be encoded")]
    BodyNotEncodable,
    /// `what` names the header value: the Subject, a name.
    #[error("{what} contains a line break, which would break the message headers")]
    LineBreak { what: &'static str },
    /// lettre refused the envelope or the message; `reason` is its word.
    #[error("cannot build the message: {reason}")]
    Build { reason: String },
    #[error("a header line would be {longest} characters long, more than mail servers take (998)")]
    HeaderTooLong { longest: usize },
}

/// A person in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    pub(crate) fn new(name: &str, email: &str) -> Person {
        Person {
            name: name.into(),
            email: email.into(),
        }
    }

    fn mailbox(&self) -> Result<Mailbox, MessageError> {
        let address: Address = self.email.parse().map_err(|_| MessageError::NotAnAddress {
            email: self.email.clone(),
        })?;
        Ok(Mailbox::new(Some(self.name.clone()), address))
    }
}

impl std::fmt::Display for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// Everything needed to build one message.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// What the message is (`<request id>.<purpose>`), for file names
    /// such as the outbox's; never sent.
    pub label: String,
    pub from: Person,
    pub to: Vec<Person>,
    /// A copy to the sender, kept out of the headers others see.
    pub bcc: Option<Person>,
    pub rendered: Rendered,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub date: OffsetDateTime,
}

/// A built message, ready for a transport.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// What the message is (see [`Draft::label`]).
    pub label: String,
    pub message_id: String,
    pub subject: String,
    pub to: Vec<Person>,
    pub envelope_from: String,
    /// Every address the transport must deliver to (To and Bcc).
    pub envelope_to: Vec<String>,
    /// The message as sent: no Bcc header.
    pub bytes: Vec<u8>,
    /// The Bcc address, for transports that read recipients from headers.
    pub bcc: Option<String>,
}

impl Outgoing {
    /// The message as text, for previews, dry runs and drafts.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).replace("\r\n", "\n")
    }

    /// Who it goes to, as a question names them: "Ada Lovelace and Sam
    /// Reed" (the Bcc is the user's own copy, so it is left out).
    pub(crate) fn addressees(&self) -> String {
        let names: Vec<&str> = self.to.iter().map(|p| p.name.as_str()).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// A new Message-ID on the sender's domain: random, so it says nothing
/// of the request, of what the message is for, or of intro. It is the
/// user's own note; what intro needs to know of a message it keeps in
/// other fields ([`label`], the store's records).
pub(crate) fn new_message_id(from_email: &str) -> String {
    let domain = from_email.rsplit_once('@').map_or("localhost", |(_, d)| d);
    format!("<{}@{domain}>", random_hex(12))
}

/// What a message is, for its file names: the request and the purpose.
pub(crate) fn label(request_id: &str, purpose: Purpose) -> String {
    format!("{request_id}.{}", purpose.as_str())
}

/// `n` random bytes as hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // If the OS cannot give randomness, a time-derived value still keeps
    // ids distinct in practice; intro never uses these as secrets.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for (i, b) in bytes.iter_mut().enumerate() {
            // Byte `i` of the nanoseconds: the mask keeps what fits.
            *b = u8::try_from((nanos >> (i * 8 % 128)) & 0xff).unwrap_or_default();
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Keep the body readable as it travels: 7bit when ASCII, 8bit for other
/// UTF-8 (every current server takes 8BITMIME), and quoted-printable only
/// when a line is too long for SMTP's 998-octet limit. lettre would switch
/// to quoted-printable past 76 characters, which garbles plain prose.
fn encode_body(text: &str) -> Result<Body, MessageError> {
    // Stray CRs and NULs have no place in a text body.
    let mut text: String = text.chars().filter(|c| *c != '\r' && *c != '\0').collect();
    if text.lines().any(|l| l.len() > 990) {
        // The last line ends in CRLF too, as below (found by fuzzing).
        if !text.ends_with('\n') {
            text.push('\n');
        }
        return Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
            .map_err(|_| MessageError::BodyNotEncodable);
    }
    let encoding = if text.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    let mut crlf = String::with_capacity(text.len() + text.len() / 40);
    for line in text.lines() {
        crlf.push_str(line);
        crlf.push_str("\r\n");
    }
    Ok(Body::dangerous_pre_encoded(crlf.into_bytes(), encoding))
}

/// Build the message, with no `User-Agent` header. Fails (naming the
/// field) if any header value would span lines. Only the tests and the
/// fuzz targets build messages without saying whether to name intro.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn build(draft: &Draft) -> Result<Outgoing, MessageError> {
    build_as(draft, false)
}

/// Build the message; `user_agent` names intro in a `User-Agent` header
/// (`[send] user_agent`).
pub(crate) fn build_as(draft: &Draft, user_agent: bool) -> Result<Outgoing, MessageError> {
    for (what, value) in [
        ("the Subject", draft.rendered.subject.as_str()),
        ("the sender's name", draft.from.name.as_str()),
    ]
    .into_iter()
    .chain(
        draft
            .to
            .iter()
            .map(|p| ("a recipient's name", p.name.as_str())),
    ) {
        if crate::domain::text::has_line_break(value) {
            return Err(MessageError::LineBreak { what });
        }
    }
    // One space between words: lettre encodes non-ASCII words apart, and a
    // reader drops the white space between two encoded words, so a run of
    // spaces there would join them ("José  Núñez" read "JoséNúñez").
    let subject = draft
        .rendered
        .subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let from = draft.from.mailbox()?;
    let to: Vec<Mailbox> = draft
        .to
        .iter()
        .map(Person::mailbox)
        .collect::<Result<_, _>>()?;
    let bcc = draft.bcc.as_ref().map(Person::mailbox).transpose()?;
    // The envelope is set here, from the people the draft names. lettre
    // would derive it (and join repeated `to`s) by parsing its own headers
    // back, which silently drops a mailbox whose name does not parse (one
    // with a NUL in it): the message would not reach that recipient.
    let recipients = to.iter().chain(&bcc).map(|m| m.email.clone()).collect();
    let envelope =
        Envelope::new(Some(from.email.clone()), recipients).map_err(|e| MessageError::Build {
            reason: e.to_string(),
        })?;
    let mut builder = Message::builder()
        .from(from)
        .subject(subject.clone())
        .date(SystemTime::from(draft.date))
        .message_id(Some(draft.message_id.clone()))
        .mailbox(header::To::from(Mailboxes::from_iter(to)))
        .envelope(envelope);
    if user_agent {
        builder = builder.user_agent(format!("intro/{}", env!("CARGO_PKG_VERSION")));
    }
    if let Some(id) = &draft.in_reply_to {
        builder = builder.in_reply_to(id.clone());
    }
    if let Some(refs) = &draft.references {
        builder = builder.references(refs.clone());
    }
    let body = encode_body(&draft.rendered.body)?;
    // The body declares UTF-8 and 8bit, which MIME (RFC 2045) requires
    // this header for; spam filters count its absence.
    let message = builder
        .header(header::MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| MessageError::Build {
            reason: e.to_string(),
        })?;
    let bytes = message.formatted();
    // Mail servers refuse or cut lines over 998 octets. The body's are kept
    // short above, and lettre folds headers at spaces, so a longer line is
    // one very long word in the Subject or a name (found by fuzzing).
    let longest = bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).len())
        .max()
        .unwrap_or(0);
    if longest > 998 {
        return Err(MessageError::HeaderTooLong { longest });
    }
    let envelope = message.envelope();
    Ok(Outgoing {
        label: draft.label.clone(),
        message_id: draft.message_id.clone(),
        subject,
        to: draft.to.clone(),
        envelope_from: envelope
            .from()
            .map_or_else(|| draft.from.email.clone(), ToString::to_string),
        envelope_to: envelope.to().iter().map(ToString::to_string).collect(),
        bytes,
        bcc: draft.bcc.as_ref().map(|p| p.email.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn draft() -> Draft {
        Draft {
            label: label("x", Purpose::Followup),
            from: Person::new("Grace Hopper", "grace@example.com"),
            to: vec![Person::new("Ada Lovelace", "ada@example.com")],
            bcc: Some(Person::new("Grace Hopper", "grace@example.com")),
            rendered: Rendered {
                subject: "Re: Hello".into(),
                body: "Hi Ada,\n\nCafé?\n".into(),
            },
            message_id: "<intro.x.followup.1@example.com>".into(),
            in_reply_to: Some("<intro.x.ask.1@example.com>".into()),
            references: Some("<intro.x.ask.1@example.com>".into()),
            date: datetime!(2026-03-01 09:30 UTC),
        }
    }

    #[test]
    fn threads_and_hides_bcc() {
        let out = build(&draft()).unwrap();
        let text = out.text();
        assert!(
            text.contains("In-Reply-To: <intro.x.ask.1@example.com>"),
            "{text}"
        );
        assert!(
            text.contains("References: <intro.x.ask.1@example.com>"),
            "{text}"
        );
        assert!(
            text.contains("Message-ID: <intro.x.followup.1@example.com>"),
            "{text}"
        );
        assert!(
            text.contains("Date: Sun, 01 Mar 2026 09:30:00 +0000"),
            "{text}"
        );
        assert!(text.contains("Content-Transfer-Encoding: 8bit"), "{text}");
        assert!(text.contains("Café?"), "{text}");
        assert!(!text.to_lowercase().contains("bcc"), "{text}");
        assert_eq!(out.envelope_to, ["ada@example.com", "grace@example.com"]);
    }

    #[test]
    fn a_line_break_in_a_header_value_is_refused() {
        let mut d = draft();
        d.rendered.subject = "Hi\r\nBcc: x@example.com".into();
        assert!(build(&d).is_err());
    }

    /// Found by fuzzing (`fuzz/`, target `message`): a NUL in a
    /// recipient's name dropped that recipient from the envelope, and from
    /// the To header when another followed.
    #[test]
    fn every_recipient_is_delivered_whatever_their_name() {
        let mut d = draft();
        d.to = vec![
            Person::new("Ada L\0ovelace", "ada@example.com"),
            Person::new("Sam", "sam@example.org"),
        ];
        let out = build(&d).unwrap();
        assert_eq!(
            out.envelope_to,
            ["ada@example.com", "sam@example.org", "grace@example.com"]
        );
        let text = out.text();
        let to = text.lines().find(|l| l.starts_with("To: ")).unwrap();
        assert!(
            to.contains("<ada@example.com>") && to.contains("<sam@example.org>"),
            "{text}"
        );
        assert!(!text.to_lowercase().contains("bcc"), "{text}");
    }

    /// Found by fuzzing (`fuzz/`, target `message`): a body quoted-printable
    /// for its long line, without a final newline, ended without CRLF.
    #[test]
    fn every_line_ends_in_crlf_in_every_encoding() {
        for body in ["short\nend", &format!("{}\nend", "x".repeat(1000))] {
            let mut d = draft();
            d.rendered.body = body.into();
            let bytes = build(&d).unwrap().bytes;
            assert!(bytes.ends_with(b"end\r\n"), "{body:?}");
            assert!(
                bytes
                    .iter()
                    .enumerate()
                    .all(|(i, b)| *b != b'\n' || bytes[i - 1] == b'\r'),
                "{body:?}"
            );
        }
    }

    /// Found by fuzzing (`fuzz/`, target `message`): two spaces between
    /// two non-ASCII words made them one word in the reader's Subject.
    #[test]
    fn the_subject_reads_back_word_for_word() {
        let mut d = draft();
        d.rendered.subject = "Would you be open to meeting José  Núñez?".into();
        let out = build(&d).unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(out.bytes.as_slice())
            .unwrap();
        assert_eq!(
            parsed.subject(),
            Some("Would you be open to meeting José Núñez?")
        );
    }

    /// Found by fuzzing (`fuzz/`, target `message`): lettre folds headers
    /// only at spaces, so one long word made a line no server takes.
    #[test]
    fn a_header_line_too_long_for_smtp_is_refused() {
        let word = "x".repeat(1000);
        let mut d = draft();
        d.rendered.subject = format!("About {word}");
        let err = build(&d).unwrap_err();
        assert!(
            matches!(err, MessageError::HeaderTooLong { longest } if longest > 998),
            "{err:?}"
        );
        assert!(err.to_string().contains("more than mail servers take"));
        let mut d = draft();
        d.to[0].name = word;
        assert!(build(&d).is_err());
        let mut d = draft();
        d.rendered.subject = "About ü".repeat(200);
        assert!(build(&d).is_ok(), "long, but folded at its spaces");
    }

    #[test]
    fn message_ids_are_unique_and_on_my_domain() {
        let a = new_message_id("me@example.org");
        let b = new_message_id("me@example.org");
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@example.org>"), "{a}");
        let local = a.trim_start_matches('<').split('@').next().unwrap();
        assert!(
            local.chars().all(|c| c.is_ascii_hexdigit()) && local.len() == 24,
            "opaque, naming neither the request nor the purpose: {a}"
        );
    }

    #[test]
    fn every_message_declares_mime_and_names_intro_only_when_asked() {
        let text = build(&draft()).unwrap().text();
        assert!(text.contains("MIME-Version: 1.0\n"), "{text}");
        assert!(!text.contains("User-Agent"), "{text}");
        let text = build_as(&draft(), true).unwrap().text();
        assert!(text.contains("User-Agent: intro/"), "{text}");
    }
}
