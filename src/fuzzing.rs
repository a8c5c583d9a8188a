//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer).
//!
//! intro's modules are private and the crate's only API is `main`; the fuzz
//! crate is another crate, so it needs a door in. This module is that door,
//! hidden from the docs and not part of intro's interface: one function per
//! fuzz target, taking arbitrary bytes to the code a user's file or a
//! stranger's mail reaches. Each returns quietly on input that is merely
//! invalid and panics only when a property that must hold for every input
//! is broken, so a crash found by the fuzzer is always a bug (in intro, or
//! in the property). `docs/fuzzing.md` lists the targets and properties.
//!
//! Targets that need several values take them from one input split at
//! `0xFF` bytes (a byte that never occurs in UTF-8), so seeds stay readable.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use time::OffsetDateTime;
use time::macros::datetime;

use crate::domain::request::{AskSpec, Request, Side};
use crate::domain::snippet;
use crate::domain::text::{first_name, has_line_break};
use crate::mail::message::{Draft, Outgoing, Person, Purpose};
use crate::mail::sync::{Tracked, Verdict};
use crate::mail::template::{
    ContactView, Kind, MeView, Rendered, RequestView, Source, Template, Vars,
};
use crate::setup::contacts::{Contacts, ContactsError, check_email, check_handle};
use crate::setup::textpos::LineCol;

/// The input's values, split at `0xFF`, each decoded as UTF-8 (lossily:
/// the values intro gets are always strings); missing ones are empty.
fn values<const N: usize>(data: &[u8]) -> [String; N] {
    let mut parts = data.split(|b| *b == 0xFF);
    std::array::from_fn(|_| {
        parts
            .next()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default()
    })
}

/// `pos` points into `text` (1-based line and column, the column at most
/// one past the end of its line).
fn assert_within(text: &str, pos: LineCol, what: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        pos.line >= 1 && pos.line <= lines.len(),
        "{what}: line {} outside the input's {} lines",
        pos.line,
        lines.len()
    );
    let width = lines[pos.line - 1].chars().count();
    assert!(
        pos.column >= 1 && pos.column <= width + 1,
        "{what}: column {} outside line {} ({width} characters)",
        pos.column,
        pos.line
    );
}

/// A contact intro keeps can be written to: a valid handle and address,
/// and a name on one line.
fn assert_usable(handle: &str, email: &str, name: &str) {
    assert!(check_handle(handle).is_ok(), "handle {handle:?}");
    assert!(check_email(email).is_ok(), "email {email:?}");
    assert!(
        !name.trim().is_empty() && !has_line_break(name),
        "name {name:?}"
    );
}

/// The contacts file (`Contacts::parse`). Valid files hold only usable
/// contacts, each found again by handle and email; errors point into the
/// input, in order.
pub fn contacts(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Contacts::parse(text, Path::new("contacts.toml")) {
        Ok(contacts) => {
            for c in contacts.iter() {
                assert_usable(&c.handle, &c.email, &c.name);
                let found = contacts.find(&c.handle);
                assert!(
                    found.is_ok_and(|f| f.handle == c.handle),
                    "handle {:?} not found",
                    c.handle
                );
                let found = contacts.find(&c.email);
                assert!(
                    found.is_ok_and(|f| f.email.eq_ignore_ascii_case(&c.email)),
                    "email {:?} not found",
                    c.email
                );
                let _ = contacts.find(&c.name);
            }
            // Any query: a lookup or a did-you-mean, never a panic.
            let query: String = text.chars().take(64).collect();
            let _ = contacts.find(&query);
        }
        Err(ContactsError::Invalid { problems, .. }) => {
            assert!(!problems.is_empty(), "invalid without a problem");
            for p in &problems {
                assert_within(text, p.pos, &p.message);
            }
            let positions: Vec<(usize, usize)> = problems
                .iter()
                .map(|p| (p.pos.line, p.pos.column))
                .collect();
            assert!(
                positions.is_sorted(),
                "problems out of order: {positions:?}"
            );
        }
        Err(e) => panic!("parse reads no file, yet: {e}"),
    }
}

/// The config file (`Config::parse`): a valid one has a usable `[me]` and
/// a transport it can use; errors point into the input.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::setup::config::Config::parse(text, Path::new("config.toml")) {
        Ok(config) => {
            let name = config.me_name();
            assert!(
                !name.trim().is_empty() && !has_line_break(name),
                "me.name {name:?}"
            );
            assert!(check_email(config.me_email()).is_ok(), "me.email");
            if config.transport() == crate::setup::config::TransportKind::Smtp {
                assert!(config.smtp.is_some(), "smtp transport without [smtp]");
            }
        }
        Err(crate::setup::config::ConfigError::Invalid { pos, message, .. }) => {
            assert_within(text, pos, &message);
        }
        Err(e) => panic!("parse reads no file, yet: {e}"),
    }
}

/// The batch CSV of `intro ask --batch`: rows and bad rows come after the
/// header line, in order, each with a line inside the input; only a note
/// spans lines; errors name the source.
pub fn batch(data: &[u8]) {
    // csv counts `\r`, `\n` and `\r\n` as line ends; this bound is loose
    // enough for all three.
    let lines = data.iter().filter(|b| matches!(b, b'\r' | b'\n')).count() as u64 + 1;
    match crate::cmd::ask::parse_batch(data, "`asks.csv`") {
        Ok(batch) => {
            let mut last = 1;
            for (line, fields) in &batch.rows {
                assert!(
                    *line > last && *line <= lines,
                    "row at line {line} after line {last}, input has at most {lines}"
                );
                last = *line;
                let all = [&fields.a, &fields.b, &fields.why];
                let optional = [&fields.wants, &fields.format, &fields.note];
                assert!(
                    all.iter().any(|f| !f.trim().is_empty())
                        || optional
                            .iter()
                            .filter_map(|f| f.as_deref())
                            .any(|f| !f.trim().is_empty()),
                    "an empty row at line {line} was kept"
                );
                // Only a note may span lines: anything else that does is
                // a stray quote's work, and must be a bad row.
                for f in [&fields.a, &fields.b, &fields.why]
                    .into_iter()
                    .chain(fields.wants.iter())
                    .chain(fields.format.iter())
                {
                    assert!(
                        !f.contains(['\n', '\r']),
                        "a field at line {line} spans lines"
                    );
                }
            }
            let mut last = 1;
            for bad in &batch.bad {
                assert!(
                    bad.line > 1 && bad.line >= last && bad.line <= lines,
                    "bad row at line {} after line {last}, input has at most {lines}",
                    bad.line
                );
                last = bad.line;
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            assert!(message.starts_with("`asks.csv`"), "{message}");
        }
    }
}

/// The built-in templates, compiled once (as a batch does): they must.
fn builtins() -> &'static [Template] {
    static BUILTINS: OnceLock<Vec<Template>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        Kind::ALL
            .into_iter()
            .map(|kind| {
                let source = Source {
                    kind,
                    path: None,
                    text: kind.builtin().into(),
                };
                Template::compile(&source)
                    .unwrap_or_else(|e| panic!("built-in {} does not compile: {e}", kind.name()))
            })
            .collect()
    })
}

/// A contact as templates see it, from fuzzed values.
fn contact_view(handle: &str, name: &str, email: &str, blurb: &str, extra: &str) -> ContactView {
    let mut extras = std::collections::BTreeMap::new();
    extras.insert("company".to_string(), toml::Value::String(extra.into()));
    ContactView {
        handle: handle.into(),
        name: name.into(),
        first_name: first_name(name).into(),
        email: email.into(),
        blurb: (!blurb.is_empty()).then(|| blurb.into()),
        url: None,
        tags: extra.split(',').map(str::to_string).collect(),
        extra: extras,
    }
}

/// Template rendering with hostile values. The first value picks a
/// built-in template (`0`..`4`) or is a user template itself; the rest are
/// the variables. A rendered Subject is one non-empty line; the built-ins
/// always render when no value has a line break; and the message built
/// from the result has no header a value added.
pub fn template(data: &[u8]) {
    let [
        pick,
        a_name,
        b_name,
        why,
        wants,
        format,
        note,
        a_blurb,
        b_blurb,
        subject,
        me_name,
        extra,
    ] = values::<12>(data);
    let compiled;
    let (template, builtin) = match pick.as_str() {
        "0" | "1" | "2" | "3" | "4" => {
            let i = usize::from(pick.as_bytes()[0] - b'0');
            (&builtins()[i], true)
        }
        // A user's template is their own code: loops (`range`), macros
        // (recursion) and includes can make it as slow or deep as they
        // like. The hostile part is the values, so those stay out.
        _ if [
            "for", "range", "macro", "include", "extends", "import", "set",
        ]
        .iter()
        .any(|w| pick.contains(w)) =>
        {
            return;
        }
        _ => {
            let source = Source {
                kind: Kind::Ask,
                path: Some("ask.txt".into()),
                text: pick,
            };
            match Template::compile(&source) {
                Ok(t) => compiled = t,
                Err(_) => return,
            }
            (&compiled, false)
        }
    };
    let vars = Vars {
        wants: (!wants.is_empty()).then_some(wants),
        format: (!format.is_empty()).then_some(format),
        note: (!note.is_empty()).then_some(note),
        ..Vars::plain(
            MeView {
                first_name: first_name(&me_name).into(),
                name: me_name,
                email: "me@example.com".into(),
            },
            contact_view("ada", &a_name, "ada@example.com", &a_blurb, &extra),
            contact_view("sam", &b_name, "sam@example.org", &b_blurb, &extra),
            why,
            RequestView {
                id: "abcd1234".into(),
                subject,
                created_at: "2026-03-01T09:00:00Z".into(),
                asked_at: Some("2026-03-01T09:00:00Z".into()),
                followups: 1,
            },
        )
    };
    let free_of_breaks = [
        &vars.me.name,
        &vars.a.name,
        &vars.b.name,
        &vars.why,
        &vars.request.subject,
        &extra,
    ]
    .into_iter()
    .chain(
        [
            &vars.wants,
            &vars.format,
            &vars.note,
            &vars.a.blurb,
            &vars.b.blurb,
        ]
        .into_iter()
        .flatten(),
    )
    .all(|v| !has_line_break(v));
    let rendered = match template.render(&vars) {
        Ok(r) => r,
        Err(e) => {
            assert!(
                !builtin || !free_of_breaks,
                "a built-in template failed on one-line values: {e}"
            );
            return;
        }
    };
    assert!(
        !rendered.subject.is_empty()
            && !has_line_break(&rendered.subject)
            && rendered.subject.trim() == rendered.subject,
        "subject {:?}",
        rendered.subject
    );
    assert!(
        rendered.body.is_empty()
            || rendered.body.ends_with('\n') && !rendered.body.contains("\n\n\n"),
        "untidy body {:?}",
        rendered.body
    );
    // The rendered message goes out with the names as they are.
    let to = Person::new(&vars.a.name, "ada@example.com");
    let from = Person::new(&vars.me.name, "me@example.com");
    build_checked(&draft(from, vec![to], rendered));
}

/// A draft with intro's own Message-IDs, threaded, with a Bcc to the sender.
fn draft(from: Person, to: Vec<Person>, rendered: Rendered) -> Draft {
    let id = || crate::mail::message::new_message_id(&from.email);
    let ask = id();
    let followup = id();
    Draft {
        label: crate::mail::message::label("abcd1234", Purpose::Introduction),
        bcc: Some(from.clone()),
        message_id: id(),
        in_reply_to: Some(followup.clone()),
        references: Some(format!("{ask} {followup}")),
        from,
        to,
        rendered,
        date: datetime!(2026-03-01 09:30 UTC),
    }
}

/// The headers every message has, once each, and the ones a draft may add.
const HEADERS: [&str; 8] = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
];
const THREADING: [&str; 2] = ["in-reply-to", "references"];

/// Build `draft`; when that succeeds, check the bytes: CRLF line ends only,
/// lines within SMTP's 998 octets, exactly the expected headers (a value
/// can never add one, and the Bcc stays out), the addresses read back.
fn build_checked(draft: &Draft) -> Option<Outgoing> {
    let broken = [&draft.rendered.subject, &draft.from.name]
        .into_iter()
        .chain(draft.to.iter().map(|p| &p.name))
        .any(|v| has_line_break(v));
    let Ok(out) = crate::mail::message::build(draft) else {
        return None;
    };
    assert!(!broken, "a header value with a line break was accepted");
    let bytes = &out.bytes;
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block ends with an empty line");
    let head = &bytes[..end + 2];
    let mut names = Vec::new();
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let last = i == lines.len() - 1;
        assert!(
            last && line.is_empty() || line.ends_with(b"\r"),
            "line {} does not end in CRLF",
            i + 1
        );
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(!line.contains(&b'\r'), "a bare CR in line {}", i + 1);
        assert!(
            line.len() <= 998,
            "line {} has {} octets",
            i + 1,
            line.len()
        );
    }
    for line in head.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            continue;
        }
        let colon = line.iter().position(|b| *b == b':');
        let name = colon.map(|c| String::from_utf8_lossy(&line[..c]).to_ascii_lowercase());
        let name = name
            .unwrap_or_else(|| panic!("not a header line: {:?}", String::from_utf8_lossy(line)));
        names.push(name);
    }
    let mut expected: Vec<&str> = HEADERS.to_vec();
    expected.extend(
        THREADING
            .iter()
            .take(if draft.in_reply_to.is_some() { 2 } else { 0 }),
    );
    let mut seen = names.clone();
    seen.sort();
    expected.sort_unstable();
    let want: Vec<String> = expected.iter().map(ToString::to_string).collect();
    assert_eq!(
        seen, want,
        "the header block has other headers than it should"
    );
    let parsed = mail_parser::MessageParser::default()
        .parse(bytes.as_slice())
        .expect("the built message parses");
    let addresses = |list: Option<&mail_parser::Address>| -> Vec<String> {
        list.map(|a| {
            a.iter()
                .filter_map(|a| a.address())
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
    };
    let to: Vec<String> = draft.to.iter().map(|p| p.email.to_lowercase()).collect();
    // mail-parser misreads a quoted local part with specials in it
    // (`"a>b"@x` reads `"a`), which lettre writes as it should: those are
    // left to the other checks.
    let quoted = |e: &String| e.starts_with('"');
    if !to.iter().any(quoted) {
        assert_eq!(addresses(parsed.to()), to, "To does not read back");
    }
    let from = draft.from.email.to_lowercase();
    if !quoted(&from) {
        assert_eq!(addresses(parsed.from()), [from], "From does not read back");
    }
    // lettre writes ASCII text as it is, even text shaped like an RFC 2047
    // encoded word (`=?utf-8?b?...?=`), which a reader then decodes: a
    // known limit (docs/fuzzing.md), so such subjects are not compared.
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !draft.rendered.subject.contains("=?") {
        assert_eq!(
            words(parsed.subject().unwrap_or_default()),
            words(&draft.rendered.subject),
            "Subject does not read back"
        );
    }
    let mut envelope = to;
    envelope.extend(draft.bcc.iter().map(|p| p.email.to_lowercase()));
    let got: Vec<String> = out.envelope_to.iter().map(|a| a.to_lowercase()).collect();
    assert_eq!(got, envelope, "envelope recipients");
    Some(out)
}

/// Message building (`message::build`) from arbitrary names, addresses,
/// subject and body; see `build_checked` for what is checked.
pub fn message(data: &[u8]) {
    let [
        from_name,
        from_email,
        to_name,
        to_email,
        cc_name,
        cc_email,
        subject,
        body,
    ] = values::<8>(data);
    // intro only sends from an address its config accepted, to addresses
    // its contacts file accepted.
    if [&from_email, &to_email, &cc_email]
        .iter()
        .any(|e| !e.is_empty() && check_email(e).is_err())
    {
        return;
    }
    let mut to = vec![Person::new(&to_name, &to_email)];
    if !cc_email.is_empty() {
        to.push(Person::new(&cc_name, &cc_email));
    }
    build_checked(&draft(
        Person::new(&from_name, &from_email),
        to,
        Rendered { subject, body },
    ));
}

/// The contacts file a vCard import goes into.
const CONTACTS: &str = "# my contacts\n\n[ada]   # the countess\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n\n[sam]\nname = \"Sam Builder\"\nemail = \"sam@example.org\"\ntags = [\"founder\"]\n";

/// vCard import (`vcf::parse`, `import::plan`, and the edit of the contacts
/// file): every card is added, updated or skipped once; what is added or
/// updated is a valid contact under a free handle; and the changed file
/// reads back with each of them.
pub fn vcard(data: &[u8]) {
    let Ok(cards) = crate::setup::vcf::parse(data) else {
        return;
    };
    let count = cards.len();
    let existing = match Contacts::parse(CONTACTS, Path::new("contacts.toml")) {
        Ok(c) => c,
        Err(e) => panic!("the fixed contacts file: {e}"),
    };
    let force = data.len() % 2 == 1;
    let plan = crate::setup::import::plan(cards, &existing, force);
    let mut numbers: Vec<usize> = plan
        .added
        .iter()
        .chain(&plan.updated)
        .map(|c| c.card)
        .collect();
    numbers.extend(plan.skipped.iter().map(|s| s.card));
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=count).collect::<Vec<_>>(), "every card once");
    let mut handles: BTreeSet<&str> = existing.iter().map(|c| c.handle.as_str()).collect();
    for c in &plan.added {
        assert!(handles.insert(&c.handle), "handle {:?} taken", c.handle);
    }
    for c in &plan.updated {
        assert!(
            force && existing.by_handle(&c.handle).is_some(),
            "updated {:?}",
            c.handle
        );
    }
    for c in plan.added.iter().chain(&plan.updated) {
        assert_usable(&c.handle, &c.email, &c.name);
        for one_line in c.company.iter().chain(&c.title).chain(&c.tags) {
            assert!(!has_line_break(one_line), "{one_line:?}");
        }
    }
    let text = match crate::setup::contacts_edit::apply(Some(CONTACTS), &plan.added, &plan.updated)
    {
        Ok(text) => text,
        Err(e) => panic!("cannot edit the contacts file: {e}"),
    };
    let after = match Contacts::parse(&text, Path::new("contacts.toml")) {
        Ok(c) => c,
        Err(e) => panic!("the changed file does not read back: {e}\n{text}"),
    };
    for c in plan.added.iter().chain(&plan.updated) {
        // An update sets the fields the card has: no categories, old tags.
        let tags = match existing.by_handle(&c.handle) {
            Some(old) if c.tags.is_empty() => &old.tags,
            _ => &c.tags,
        };
        let read = after.by_handle(&c.handle);
        assert!(
            read.is_some_and(|r| r.name == c.name && r.email == c.email && &r.tags == tags),
            "{:?} does not read back as written",
            c.handle
        );
    }
}

/// When the reply fuzz target's requests were asked, and when it runs.
const ASKED: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);
const NOW: OffsetDateTime = datetime!(2026-03-05 12:00 UTC);

/// Two requests waiting for answers: one from A (asked, followed up), one
/// made with `--both` (waiting for A and for B). Their Message-IDs are in
/// the reply target's seeds.
fn tracked() -> &'static (Tracked, Vec<Request>) {
    static TRACKED: OnceLock<(Tracked, Vec<Request>)> = OnceLock::new();
    TRACKED.get_or_init(|| {
        let spec = |a_email: &str| {
            AskSpec::pair(
                "ada".into(),
                a_email.into(),
                "sam".into(),
                "sam@example.org".into(),
                "compilers".into(),
            )
        };
        let mut one = Request::new(
            "aaaa1111".into(),
            spec("Ada@Example.com"),
            "Would you be open to meeting Sam?".into(),
            "<intro.aaaa1111.ask.0001@example.com>".into(),
            ASKED,
        );
        let mut both = Request::new(
            "bbbb2222".into(),
            spec("grace@example.com"),
            "Would you be open to meeting Sam?".into(),
            "<intro.bbbb2222.ask.0001@example.com>".into(),
            ASKED,
        )
        .with_b_side(
            "<intro.bbbb2222.ask-b.0001@example.com>".into(),
            "Would you be open to meeting Grace?".into(),
        );
        let ok = one.mark_asked(ASKED).is_ok()
            && one
                .mark_followed_up(
                    Side::A,
                    ASKED,
                    "<intro.aaaa1111.followup.0002@example.com>".into(),
                )
                .is_ok()
            && both.mark_asked(ASKED).is_ok()
            && both.mark_party_asked(Side::B, ASKED).is_ok();
        assert!(ok, "the fixed requests");
        let requests = vec![one, both];
        (Tracked::new(&requests), requests)
    })
}

/// Reply matching (`sync::match_reply`) on arbitrary mail, and the snippet
/// of arbitrary text: a reply is from the address the thread waits for, to
/// a tracked request, with a one-line snippet of bounded length.
pub fn reply(data: &[u8]) {
    let (tracked, requests) = tracked();
    let text = String::from_utf8_lossy(data);
    let own = snippet::snippet(&text);
    assert!(
        own.chars().count() <= snippet::MAX_CHARS,
        "snippet too long"
    );
    let _ = snippet::tone(&own);
    let prefix = &data[..data.len().min(crate::mail::sync::MESSAGE_PREFIX)];
    let Some(message) = mail_parser::MessageParser::default().parse(prefix) else {
        return;
    };
    let verdict = crate::mail::sync::match_reply(tracked, &message, NOW);
    assert_eq!(
        tracked.in_thread(&message),
        verdict != Verdict::Unrelated,
        "in_thread and match_reply disagree"
    );
    if let Verdict::Reply(found) = verdict {
        let request = requests.iter().find(|r| r.id == found.request_id);
        let request = request.unwrap_or_else(|| panic!("unknown request {}", found.request_id));
        let waited_for = request.email(found.side);
        let from = message
            .from()
            .and_then(|f| f.first())
            .and_then(|a| a.address());
        assert!(
            from.is_some_and(|f| f.trim().eq_ignore_ascii_case(waited_for)),
            "a reply from {from:?} for {waited_for}"
        );
        let snippet = &found.reply.snippet;
        assert!(
            snippet.chars().count() <= snippet::MAX_CHARS,
            "snippet too long"
        );
        assert!(!has_line_break(snippet), "snippet {snippet:?}");
        let _ = snippet::tone(snippet);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed corpora still run clean through every target (a quick
    /// check that the wrappers and the seeds agree; the fuzzing is
    /// `fuzz/`'s).
    #[test]
    fn seed_corpora_pass_every_target() {
        type Target = fn(&[u8]);
        let targets: [(&str, Target); 7] = [
            ("contacts", contacts),
            ("config", config),
            ("batch", batch),
            ("template", template),
            ("message", message),
            ("vcard", vcard),
            ("reply", reply),
        ];
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        for (name, target) in targets {
            let dir = root.join(name);
            let mut seen = 0;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                target(&std::fs::read(&path).unwrap());
                seen += 1;
            }
            assert!(seen > 0, "no seeds in {}", dir.display());
        }
    }

    #[test]
    fn values_split_at_ff() {
        let [a, b, c] = values::<3>(b"one\xfftwo");
        assert_eq!((a.as_str(), b.as_str(), c.as_str()), ("one", "two", ""));
    }
}
