//! What an ask leaves unsaid or says at too great a length: the essay's
//! own complaint is an ask that does not say what B hopes for or in what
//! format, and a long message asks a lot of the one who reads it. These
//! warn; `[ask] require` turns a missing field into an error. So do two
//! things a reader would notice: a reason written for A that B reads too,
//! and a contact introduced without a line saying who they are.

use crate::domain::request::Request;
use crate::domain::text;
use crate::mail::message::Outgoing;
use crate::setup::config::AskField;
use crate::setup::contacts::Contacts;

/// Over this many words, an ask or a follow-up warns.
pub(crate) const MAX_WORDS: usize = 150;

impl AskField {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AskField::Wants => "wants",
            AskField::Format => "format",
        }
    }

    /// What an ask without this field leaves A to guess.
    pub(crate) fn unsaid(self) -> &'static str {
        match self {
            AskField::Wants => "what B hopes for",
            AskField::Format => "in what format",
        }
    }
}

/// The optional fields an ask leaves out (empty or blank counts as out).
pub(crate) fn missing(wants: Option<&str>, format: Option<&str>) -> Vec<AskField> {
    let absent = |v: Option<&str>| v.is_none_or(|s| s.trim().is_empty());
    [(AskField::Wants, wants), (AskField::Format, format)]
        .into_iter()
        .filter(|(_, v)| absent(*v))
        .map(|(field, _)| field)
        .collect()
}

/// The warning for one missing field.
pub(crate) fn warning(field: AskField) -> String {
    format!("the ask does not say {}", field.unsaid())
}

/// A field `[ask] require` insists on is missing from an ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the ask does not say {}, and `[ask] require` needs `{}`", field.unsaid(), field.name())]
pub(crate) struct Unmet {
    pub(crate) field: AskField,
}

/// The error when a field `[ask] require` insists on is missing.
pub(crate) fn unmet(require: &[AskField], missing: &[AskField]) -> Option<Unmet> {
    let field = *missing.iter().find(|f| require.contains(f))?;
    Some(Unmet { field })
}

/// One warning line for a batch: how many rows leave `field` out, and
/// which lines.
pub(crate) fn batch_warning(field: AskField, lines: &[u64]) -> Option<String> {
    match lines {
        [] => None,
        [line] => Some(format!("line {line}: {}", warning(field))),
        many => Some(format!(
            "{} asks do not say {} (lines {})",
            many.len(),
            field.unsaid(),
            join_lines(many)
        )),
    }
}

/// The warning for a message body over [`MAX_WORDS`]; `what` names it
/// ("the ask to Ada Lovelace").
pub(crate) fn length_warning(what: &str, message: &Outgoing) -> Option<String> {
    let words = crate::mail::phrase::word_count(&body(message));
    (words > MAX_WORDS).then(|| {
        format!("{what} is {words} words long (more than {MAX_WORDS}); a shorter one is easier to answer")
    })
}

/// The warning for an ask over [`MAX_WORDS`], naming its recipient as
/// the messages write the name (`Okafor, Ngozi` is "Ngozi Okafor").
pub(crate) fn ask_length_warning(message: &Outgoing) -> Option<String> {
    let to = message.to.first().map_or("?", |p| p.name.as_str());
    length_warning(&format!("the ask to {}", text::natural_name(to)), message)
}

/// The warning when B, asked too, reads the reason written for A.
pub(crate) const SAME_REASON: &str =
    "B will read the same reason as A, written for A; pass `--why-b` to write B's own";

/// Whether `request` asks B with the reason written for A.
pub(crate) fn same_reason(request: &Request) -> bool {
    request.both() && request.why_b.is_none()
}

/// The people the messages of `request` introduce: B to A in the ask,
/// and A to B too when B is asked or when `introduction` is true.
pub(crate) fn introduced(request: &Request, introduction: bool) -> Vec<&str> {
    let mut handles = vec![request.b.as_str()];
    if introduction || request.both() {
        handles.insert(0, request.a.as_str());
    }
    handles
}

/// A warning, with its hint, for each of `handles` whose contact has no
/// `blurb`: nothing in `what` ("the ask") then says who they are.
pub(crate) fn blurb_warnings(contacts: &Contacts, handles: &[&str], what: &str) -> Vec<String> {
    handles
        .iter()
        .filter_map(|h| contacts.by_handle(h))
        .filter(|c| c.blurb.as_deref().is_none_or(|b| b.trim().is_empty()))
        .map(|c| {
            format!(
                "`{}` has no blurb, so {what} cannot say who {} is; add `blurb = \"...\"` (a line on who they are) under `[{}]` in the contacts file",
                c.handle,
                text::natural_name(&c.name),
                c.handle,
            )
        })
        .collect()
}

/// A batch's warning about contacts without a `blurb`: one line, with a
/// count, however many rows introduce them.
pub(crate) fn batch_blurb_warning(contacts: &Contacts, handles: &[&str]) -> Option<String> {
    let bare: Vec<&str> = handles
        .iter()
        .filter(|h| {
            contacts
                .by_handle(h)
                .is_some_and(|c| c.blurb.as_deref().is_none_or(|b| b.trim().is_empty()))
        })
        .copied()
        .collect();
    match bare.as_slice() {
        [] => None,
        [_] => blurb_warnings(contacts, &bare, "the ask").pop(),
        many => {
            const SHOWN: usize = 10;
            let mut list: Vec<String> = many.iter().take(SHOWN).map(|h| format!("`{h}`")).collect();
            if many.len() > SHOWN {
                list.push(format!("and {} more", many.len() - SHOWN));
            }
            Some(format!(
                "{} contacts have no blurb, so their asks cannot say who they are ({}); add `blurb = \"...\"` under each in the contacts file",
                many.len(),
                list.join(", ")
            ))
        }
    }
}

/// A warning for each of `handles` whose contact a field calls by a
/// name the messages do not use: `--why "Kay needs help"` about Katherine
/// Johnson (handle `kay`) reads beside "Hi Katherine" or "meeting
/// Katherine Johnson" as two people. The name in the field is the
/// contact's handle, written as a word, that is neither the first name
/// the messages use nor a part of the contact's name. `fields` are the
/// option names and their values (`("--why", "...")`).
pub(crate) fn nickname_warnings(
    contacts: &Contacts,
    handles: &[&str],
    fields: &[(&str, Option<&str>)],
) -> Vec<String> {
    let mut warnings = Vec::new();
    for c in handles.iter().filter_map(|h| contacts.by_handle(h)) {
        let handle = c.handle.to_lowercase();
        let first = c.first_name().to_lowercase();
        let in_name = c
            .name
            .split(|ch: char| !ch.is_alphanumeric())
            .any(|w| w.to_lowercase() == handle);
        if handle == first || in_name || !handle.chars().all(char::is_alphabetic) {
            continue;
        }
        let called = fields.iter().find_map(|(option, value)| {
            let value = (*value)?;
            value
                .split(|ch: char| !ch.is_alphanumeric())
                .find(|w| {
                    w.to_lowercase() == handle && w.chars().next().is_some_and(char::is_uppercase)
                })
                .map(|w| (*option, w))
        });
        if let Some((option, word)) = called {
            warnings.push(format!(
                "`{option}` calls {} \"{word}\", but the messages call them \"{}\"; to greet them as \"{word}\" too, add `first_name = \"{word}\"` under `[{}]` in the contacts file",
                text::natural_name(&c.name),
                c.first_name(),
                c.handle,
            ));
        }
    }
    warnings
}

/// The typed fields of `request`, named as the user gave them: options
/// (`--why`), or a batch file's columns (`why`).
fn typed_fields(request: &Request, batch: bool) -> [(&'static str, Option<&str>); 5] {
    let name = |option: &'static str| if batch { &option[2..] } else { option };
    [
        (name("--why"), Some(request.why.as_str())),
        (name("--why-b"), request.why_b.as_deref()),
        (name("--wants"), request.wants.as_deref()),
        (name("--format"), request.format.as_deref()),
        (name("--note"), request.note.as_deref()),
    ]
}

/// [`nickname_warnings`] for the typed fields of `request`, about A and B
/// (`batch`: the fields are named as a batch file's columns).
pub(crate) fn request_nickname_warnings(
    contacts: &Contacts,
    request: &Request,
    batch: bool,
) -> Vec<String> {
    let fields = typed_fields(request, batch);
    nickname_warnings(contacts, &[request.a.as_str(), request.b.as_str()], &fields)
}

/// A warning when a field speaks of the one who reads it by name, as of
/// someone else ("Tess's team tests compilers" in the note Tess reads):
/// a reason written for one reader sent to another. `reader` is the
/// handle of who reads `fields` in `what` ("the note for T").
pub(crate) fn reader_named_warning(
    contacts: &Contacts,
    reader: &str,
    fields: &[(&str, Option<&str>)],
    what: &str,
) -> Option<String> {
    let c = contacts.by_handle(reader)?;
    let first = c.first_name();
    if first.chars().count() < 2 || first.contains(char::is_whitespace) {
        return None;
    }
    let (option, _) = fields.iter().find(|(_, value)| {
        value.is_some_and(|v| {
            v.split(|ch: char| !ch.is_alphanumeric())
                .any(|w| w == first)
        })
    })?;
    Some(format!(
        "`{option}` speaks of {first} by name, but {first} reads it in {what}; written to {first} (\"you\", \"your\") it reads as meant for them"
    ))
}

/// [`reader_named_warning`] for a request's first message: A reads an
/// ask's fields; T reads those of a request of a connector, in the note
/// C forwards (`batch`: the fields are named as a batch file's columns).
pub(crate) fn request_reader_warning(
    contacts: &Contacts,
    request: &Request,
    batch: bool,
) -> Option<String> {
    let [why, _, wants, format, _] = typed_fields(request, batch);
    let fields = [why, wants, format];
    if request.is_requested() {
        reader_named_warning(contacts, &request.b, &fields, "the note to forward")
    } else {
        reader_named_warning(contacts, &request.a, &fields, "the ask")
    }
}

/// The body of a built message.
fn body(message: &Outgoing) -> String {
    let text = message.text();
    text.split_once("\n\n")
        .map_or(String::new(), |(_, b)| b.to_string())
}

/// Every long body of a batch, as one warning line.
pub(crate) fn batch_length_warning(long: &[(u64, usize)]) -> Option<String> {
    match long {
        [] => None,
        [(line, words)] => Some(format!(
            "line {line}: the ask is {words} words long (more than {MAX_WORDS}); a shorter one is easier to answer"
        )),
        many => Some(format!(
            "{} asks are more than {MAX_WORDS} words long (lines {})",
            many.len(),
            join_lines(&many.iter().map(|(l, _)| *l).collect::<Vec<_>>())
        )),
    }
}

/// The words of `message`'s body.
pub(crate) fn words(message: &Outgoing) -> usize {
    crate::mail::phrase::word_count(&body(message))
}

fn join_lines(lines: &[u64]) -> String {
    const SHOWN: usize = 10;
    let mut list: Vec<String> = lines.iter().take(SHOWN).map(u64::to_string).collect();
    if lines.len() > SHOWN {
        list.push(format!("and {} more", lines.len() - SHOWN));
    }
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts() -> Contacts {
        Contacts::parse(
            "[kay]\nname = \"Katherine Johnson\"\nemail = \"kay@example.com\"\n\n\
             [jo]\nname = \"Johanna Park\"\nemail = \"jo@example.com\"\nfirst_name = \"Jo\"\n\n\
             [ada]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n",
            std::path::Path::new("contacts.toml"),
        )
        .unwrap()
    }

    #[test]
    fn a_field_that_calls_a_contact_by_another_name_warns() {
        let contacts = contacts();
        let warnings = nickname_warnings(
            &contacts,
            &["ada", "kay"],
            &[
                ("--why", Some("Kay needs help with orbits")),
                ("--wants", None),
            ],
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with(
                "`--why` calls Katherine Johnson \"Kay\", but the messages call them \"Katherine\""
            ),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("`first_name = \"Kay\"` under `[kay]`"));
        // The name the messages use, a part of the name, or the word in
        // lower case (not a name) say nothing.
        for why in ["Katherine needs help", "Ada and Kay", "okay, kay is fine"] {
            let handles: &[&str] = if why.starts_with("Ada") {
                &["ada"]
            } else {
                &["kay"]
            };
            let fields = [("--why", Some(why))];
            let w = nickname_warnings(&contacts, handles, &fields);
            assert!(w.is_empty(), "{why}: {w:?}");
        }
        assert!(nickname_warnings(&contacts, &["jo"], &[("--why", Some("Jo knows"))]).is_empty());
    }

    #[test]
    fn a_field_that_speaks_of_its_reader_by_name_warns() {
        let contacts = contacts();
        let w = reader_named_warning(
            &contacts,
            "ada",
            &[
                ("--wants", None),
                ("--why", Some("Ada's engine needs a compiler")),
            ],
            "the ask",
        )
        .unwrap();
        assert_eq!(
            w,
            "`--why` speaks of Ada by name, but Ada reads it in the ask; written to Ada (\"you\", \"your\") it reads as meant for them"
        );
        for why in ["your engine needs a compiler", "Adam knows", "Kay and Jo"] {
            let fields = [("--why", Some(why))];
            assert_eq!(
                reader_named_warning(&contacts, "ada", &fields, "the ask"),
                None
            );
        }
        let fields = [("--why", Some("Jo's fund"))];
        assert!(reader_named_warning(&contacts, "jo", &fields, "x").is_some());
    }

    #[test]
    fn blank_fields_count_as_missing() {
        assert_eq!(missing(Some("advice"), Some("  ")), vec![AskField::Format]);
        assert!(missing(Some("advice"), Some("a call")).is_empty());
    }

    #[test]
    fn a_batch_warns_once_per_field_with_its_lines() {
        assert_eq!(batch_warning(AskField::Wants, &[]), None);
        assert_eq!(
            batch_warning(AskField::Format, &[2, 5, 9]).unwrap(),
            "3 asks do not say in what format (lines 2, 5, 9)"
        );
        let many: Vec<u64> = (2..20).collect();
        assert!(
            batch_warning(AskField::Wants, &many)
                .unwrap()
                .ends_with("11, and 8 more)")
        );
    }
}
