//! A message's header block read down to what who-knows-whom needs: who
//! wrote to whom, when, in which thread.

use mail_parser::{Address, HeaderValue, MessageParser};

use crate::mail::sync::normalize_id;

/// An address as written in a header: lowercase address, display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub email: String,
    pub name: String,
}

/// The parts of one message's header the index keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedEnvelope {
    /// Unix seconds; None when the `Date` header is missing or unreadable.
    pub date: Option<i64>,
    pub from: Option<Person>,
    /// `To` and `Cc`, each address once.
    pub recipients: Vec<Person>,
    /// The hash of the thread's first Message-ID (the first of
    /// `References`, else `In-Reply-To`, else the message's own).
    pub thread: u64,
    /// The hash of the Message-ID (0 when it has none), to count a message
    /// found in two folders once.
    pub id: u64,
}

/// Read `header` (a message's header block, or more of it). `fallback_id`
/// names a message without any Message-ID (its file name or UID), so it
/// still forms a thread of its own.
pub(crate) fn parse(parser: &MessageParser, header: &[u8], fallback_id: &str) -> ParsedEnvelope {
    let Some(message) = parser.parse_headers(header) else {
        return ParsedEnvelope {
            date: None,
            from: None,
            recipients: Vec::new(),
            thread: hash(fallback_id.as_bytes()),
            id: 0,
        };
    };
    let date = message
        .date()
        .filter(|d| d.is_valid())
        .map(mail_parser::DateTime::to_timestamp);
    let from = message.from().and_then(|a| people(a).into_iter().next());
    let mut recipients: Vec<Person> = Vec::new();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        for person in people(list) {
            if !recipients.iter().any(|p| p.email == person.email) {
                recipients.push(person);
            }
        }
    }
    let own_id = message.message_id().map(normalize_id);
    let root = first_id(message.references())
        .or_else(|| first_id(message.in_reply_to()))
        .or_else(|| own_id.clone())
        .unwrap_or_else(|| fallback_id.to_string());
    ParsedEnvelope {
        date,
        from,
        recipients,
        thread: hash(root.as_bytes()),
        id: own_id.map_or(0, |id| hash(id.as_bytes()).max(1)),
    }
}

fn people(address: &Address) -> Vec<Person> {
    address
        .iter()
        .filter_map(|a| {
            let email = a.address()?.trim().to_lowercase();
            // Not an address one can write to: undisclosed recipients and
            // other group syntax leftovers.
            if !email.contains('@') {
                return None;
            }
            let name = a.name().map(str::trim).unwrap_or_default().to_string();
            Some(Person { email, name })
        })
        .collect()
}

fn first_id(value: &HeaderValue) -> Option<String> {
    let id = match value {
        HeaderValue::Text(id) => id.as_ref(),
        HeaderValue::TextList(ids) => ids.first()?.as_ref(),
        _ => return None,
    };
    let id = normalize_id(id);
    (!id.is_empty()).then_some(id)
}

/// FNV-1a, 64 bits: stable from release to release (the index keeps these
/// on disk), unlike the standard library's hasher.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_reads_its_people_date_and_thread_root() {
        let raw = "From: Ada Lovelace <Ada@Example.COM>\r\n\
                   To: Grace <grace@example.com>, \"Sam\" <sam@example.org>\r\n\
                   Cc: grace@example.com, undisclosed-recipients:;\r\n\
                   Date: Mon, 2 Mar 2026 10:15:00 +0100\r\n\
                   Message-ID: <r2@example.com>\r\n\
                   In-Reply-To: <r1@example.com>\r\n\
                   References: <Root@example.com> <r1@example.com>\r\n\r\n";
        let e = parse(&MessageParser::default(), raw.as_bytes(), "file");
        assert_eq!(
            e.from,
            Some(Person {
                email: "ada@example.com".into(),
                name: "Ada Lovelace".into()
            })
        );
        let emails: Vec<&str> = e.recipients.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(emails, ["grace@example.com", "sam@example.org"]);
        assert_eq!(e.date, Some(1_772_442_900));
        assert_eq!(e.thread, hash(b"root@example.com"));
        assert_eq!(e.id, hash(b"r2@example.com"));
    }

    #[test]
    fn a_message_without_ids_or_date_is_its_own_thread() {
        let e = parse(&MessageParser::default(), b"From: a@x\n\n", "1.2.host");
        assert_eq!(e.thread, hash(b"1.2.host"));
        assert_eq!((e.id, e.date), (0, None));
        let only_reply_to = parse(
            &MessageParser::default(),
            b"From: a@x\nIn-Reply-To: <p@x>\nDate: nonsense\n\n",
            "f",
        );
        assert_eq!(only_reply_to.thread, hash(b"p@x"));
        assert_eq!(only_reply_to.date, None);
    }
}
