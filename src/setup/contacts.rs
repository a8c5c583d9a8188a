//! The contacts file: its schema, validation with file/line/column, and
//! finding a contact by handle, email or full name (with did-you-mean).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use toml::Spanned;

use crate::domain::text;
pub(crate) use crate::setup::prefers::Prefers;
use crate::setup::textpos::{LineCol, LineIndex};

/// One person intro can ask or introduce.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Contact {
    pub handle: String,
    pub name: String,
    pub email: String,
    /// What the person is greeted by, when the user set it; otherwise it
    /// is derived from `name`.
    pub first_name: Option<String>,
    /// A forwardable one-liner, used in introductions.
    pub blurb: Option<String>,
    /// A profile link, included in introductions.
    pub url: Option<String>,
    pub tags: Vec<String>,
    /// What the person asked for: `direct` (just introduce me) or
    /// `no-intros`; null when they said nothing.
    pub prefers: Option<Prefers>,
    /// Warn before asking them again within this many days (overrides
    /// `[limits] asks_per_90_days` for them).
    pub cooldown_days: Option<u32>,
    /// Any other field, available to templates as `a.<field>`: a list,
    /// not a map, as most contacts have none or one or two.
    #[serde(skip)]
    pub extra: Box<[(String, toml::Value)]>,
}

impl Contact {
    /// The name the person is greeted by: as set, or derived from `name`.
    pub(crate) fn first_name(&self) -> &str {
        match &self.first_name {
            Some(set) => set,
            None => text::first_name(&self.name),
        }
    }

    /// Why the derived first name may be wrong; None when it was set.
    pub(crate) fn first_name_guess(&self) -> Option<text::Guess> {
        match &self.first_name {
            Some(_) => None,
            None => text::derive_first_name(&self.name).1,
        }
    }
}

/// A problem at one place in the contacts file.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub pos: LineCol,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ContactsError {
    #[error("no contacts file at `{}`", path.display())]
    Missing { path: PathBuf },
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", describe_invalid(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn describe_invalid(path: &Path, problems: &[Problem]) -> String {
    match problems {
        [one] => format!("{}:{}: {}", path.display(), one.pos, one.message),
        _ => format!("{} problems in `{}`", problems.len(), path.display()),
    }
}

/// All contacts, sorted by handle.
#[derive(Debug, Clone, Default)]
pub(crate) struct Contacts {
    pub path: PathBuf,
    list: Vec<Contact>,
}

type RawFile = BTreeMap<Spanned<String>, Spanned<BTreeMap<String, Spanned<toml::Value>>>>;

impl Contacts {
    pub(crate) fn load(path: &Path) -> Result<Contacts, ContactsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ContactsError::Missing { path: path.into() });
            }
            Err(source) => {
                return Err(ContactsError::Read {
                    path: path.into(),
                    source,
                });
            }
        };
        Self::parse(&text, path)
    }

    /// Parse and validate, collecting every problem rather than the first.
    ///
    /// Reads one contact's table at a time when the file is a list of
    /// contacts' tables, as intro writes it, and keeps only the contacts:
    /// never the whole document. Strings stay slices of `text` until a
    /// contact takes its own copy.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Contacts, ContactsError> {
        match Self::parse_by_table(text, path) {
            Some(parsed) => parsed,
            None => Self::parse_whole(text, path),
        }
    }

    /// Each `[handle]` table of the file read on its own; None when the
    /// file is not only such tables (text before the first, a table split
    /// over several headers, anything toml refuses), which the reading of
    /// the whole file then handles and words as it always has.
    fn parse_by_table(text: &str, path: &Path) -> Option<Result<Contacts, ContactsError>> {
        let headers = crate::setup::textpos::table_headers(text);
        let before = &text[..headers.first().map_or(text.len(), |h| h.range.start)];
        if !toml::de::DeTable::parse(before).ok()?.get_ref().is_empty() {
            return None;
        }
        let lines = LineIndex::new(text);
        let mut problems = Vec::new();
        let mut list = Vec::with_capacity(headers.len());
        let mut handles = Vec::with_capacity(headers.len());
        for header in &headers {
            let document = toml::de::DeTable::parse(&text[header.range.clone()]).ok()?;
            if !decodes(document.get_ref().values()) || document.get_ref().len() != 1 {
                return None;
            }
            let (handle, table) = document.into_inner().into_iter().next()?;
            handles.push(handle.get_ref().to_string());
            let contact =
                take_contact(handle, table, header.range.start, &lines, &mut problems).ok()?;
            list.extend(contact);
        }
        handles.sort_unstable();
        if handles.windows(2).any(|pair| pair[0] == pair[1]) {
            return None;
        }
        list.sort_unstable_by(|a, b| a.handle.cmp(&b.handle));
        Some(Self::checked(path, list, problems))
    }

    /// The whole file read as one document.
    fn parse_whole(text: &str, path: &Path) -> Result<Contacts, ContactsError> {
        let document = match toml::de::DeTable::parse(text) {
            Ok(document) => document.into_inner(),
            Err(e) => return Err(Self::syntax_error(text, path, &e)),
        };
        // A value at the top that is not a table (`name = ".."` before any
        // `[handle]`, or `[[handle]]`), or a number too large: the full
        // decoder says so in the words users have always seen.
        if !decodes(document.values())
            && let Err(e) = toml::from_str::<RawFile>(text)
        {
            return Err(Self::syntax_error(text, path, &e));
        }
        let mut problems = Vec::new();
        let mut list = Vec::with_capacity(document.len());
        let lines = LineIndex::new(text);
        for (handle, table) in document {
            match take_contact(handle, table, 0, &lines, &mut problems) {
                Ok(contact) => list.extend(contact),
                Err(e) => return Err(Self::syntax_error(text, path, &e)),
            }
        }
        Self::checked(path, list, problems)
    }

    /// The contacts, or every problem found, in the file's order.
    fn checked(
        path: &Path,
        list: Vec<Contact>,
        mut problems: Vec<Problem>,
    ) -> Result<Contacts, ContactsError> {
        if !problems.is_empty() {
            problems.sort_by_key(|p| (p.pos.line, p.pos.column));
            return Err(ContactsError::Invalid {
                path: path.into(),
                problems,
            });
        }
        Ok(Contacts {
            path: path.into(),
            list,
        })
    }

    /// The one problem toml stops at, or every handle defined twice.
    fn syntax_error(text: &str, path: &Path, e: &toml::de::Error) -> ContactsError {
        // toml stops at a handle defined twice with a bare "duplicate
        // key": name both lines, then look at the rest of the file without
        // the later definitions.
        let (mut problems, later) = duplicate_handles(text);
        if problems.is_empty() {
            problems.push(Problem {
                pos: LineCol::of(text, e.span().map_or(0, |s| s.start)),
                message: crate::setup::textpos::toml_problem(
                    text,
                    e.span().map(|s| s.start),
                    e.message(),
                ),
            });
        } else if let Err(ContactsError::Invalid { problems: rest, .. }) =
            Self::parse(&crate::setup::textpos::blank(text, &later), path)
        {
            problems.extend(rest);
        }
        problems.sort_by_key(|p| (p.pos.line, p.pos.column));
        ContactsError::Invalid {
            path: path.into(),
            problems,
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Contact> {
        self.list.iter()
    }

    /// Addresses more than one contact has (compared without case), with
    /// their handles: likely one person entered twice.
    pub(crate) fn shared_emails(&self) -> Vec<(String, Vec<String>)> {
        let mut by_email: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in &self.list {
            by_email
                .entry(c.email.to_lowercase())
                .or_default()
                .push(c.handle.clone());
        }
        by_email
            .into_iter()
            .filter(|(_, handles)| handles.len() > 1)
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn by_handle(&self, handle: &str) -> Option<&Contact> {
        self.list
            .binary_search_by(|c| c.handle.as_str().cmp(handle))
            .ok()
            .map(|i| &self.list[i])
    }

    /// Find a contact by handle, exact email, or unique full name.
    pub(crate) fn find(&self, query: &str) -> Result<&Contact, LookupError> {
        let q = query.trim();
        if let Some(c) = self
            .by_handle(q)
            .or_else(|| self.by_handle(&q.to_lowercase()))
        {
            return Ok(c);
        }
        if let Some(c) = self.list.iter().find(|c| c.email.eq_ignore_ascii_case(q)) {
            return Ok(c);
        }
        let lower = q.to_lowercase();
        let by_name: Vec<&Contact> = self
            .list
            .iter()
            .filter(|c| c.name.to_lowercase() == lower)
            .collect();
        match by_name.as_slice() {
            [one] => Ok(one),
            [] => Err(LookupError::Unknown {
                query: query.into(),
                suggestions: self.suggest(q),
            }),
            many => Err(LookupError::Ambiguous {
                query: query.into(),
                candidates: many
                    .iter()
                    .map(|c| format!("{} <{}> (handle `{}`)", c.name, c.email, c.handle))
                    .collect(),
            }),
        }
    }

    /// Handles that look like `query`, closest first.
    fn suggest(&self, query: &str) -> Vec<String> {
        let q = query.to_lowercase();
        let mut scored: Vec<(f64, &str)> = self
            .list
            .iter()
            .map(|c| {
                let by_handle = strsim::jaro_winkler(&q, &c.handle);
                let by_name = strsim::jaro_winkler(&q, &c.name.to_lowercase());
                let by_first = strsim::jaro_winkler(&q, &c.first_name().to_lowercase());
                (by_handle.max(by_name).max(by_first), c.handle.as_str())
            })
            .filter(|(score, _)| *score >= 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(3)
            .map(|(_, h)| h.to_string())
            .collect()
    }
}

/// One contact out of its table, `offset` bytes into the file: the
/// contact if it is usable, its problems added to `problems` otherwise.
fn take_contact(
    handle: Spanned<toml::de::DeString<'_>>,
    table: Spanned<toml::de::DeValue<'_>>,
    offset: usize,
    lines: &LineIndex,
    problems: &mut Vec<Problem>,
) -> Result<Option<Contact>, toml::de::Error> {
    let at = |span: std::ops::Range<usize>| lines.of(offset + span.start);
    let handle_pos = at(handle.span());
    let handle = handle.into_inner().into_owned();
    let mut problem = |pos: LineCol, message: String| problems.push(Problem { pos, message });
    if let Err(why) = check_handle(&handle) {
        problem(handle_pos, format!("handle `{handle}` {why}"));
    }
    let toml::de::DeValue::Table(mut fields) = table.into_inner() else {
        return Ok(None);
    };
    let mut string_field =
        |key: &str, required: bool, problem: &mut dyn FnMut(LineCol, String)| match fields
            .remove(key)
        {
            None if required => {
                problem(
                    handle_pos,
                    format!("contact `{handle}`: missing field `{key}`"),
                );
                None
            }
            None => None,
            Some(v) => {
                let pos = at(v.span());
                match v.into_inner() {
                    toml::de::DeValue::String(s) => Some((s.into_owned(), pos)),
                    other => {
                        problem(
                            pos,
                            format!(
                                "contact `{handle}`: field `{key}` must be a string, not {}",
                                other.type_str()
                            ),
                        );
                        None
                    }
                }
            }
        };
    let name = string_field("name", true, &mut problem);
    let email = string_field("email", true, &mut problem);
    let first_name = string_field("first_name", false, &mut problem);
    let blurb = string_field("blurb", false, &mut problem);
    let url = string_field("url", false, &mut problem);
    // `note` is private: checked, then kept out of everything intro
    // renders or prints.
    let _note = string_field("note", false, &mut problem);
    let prefers = string_field("prefers", false, &mut problem).and_then(|(value, pos)| {
        let parsed = Prefers::parse(&value);
        if parsed.is_none() {
            problem(
                pos,
                format!(
                    "contact `{handle}`: `prefers` is `{value}`; it can be \"direct\" (introduce them without asking) or \"no-intros\" (do not ask them)"
                ),
            );
        }
        parsed
    });
    let cooldown_days = fields.remove("cooldown_days").and_then(|v| {
        let pos = at(v.span());
        let days = match v.into_inner() {
            toml::de::DeValue::Integer(n) => n.to_string().parse::<i64>().ok(),
            _ => None,
        };
        match days {
            Some(days @ 0..=crate::setup::prefers::MAX_COOLDOWN_DAYS) => u32::try_from(days).ok(),
            _ => {
                problem(
                    pos,
                    format!(
                        "contact `{handle}`: `cooldown_days` must be a whole number of days from 0 to {}, e.g. `cooldown_days = 60`",
                        crate::setup::prefers::MAX_COOLDOWN_DAYS
                    ),
                );
                None
            }
        }
    });
    let tags = match fields.remove("tags") {
        None => Vec::new(),
        Some(v) => {
            let pos = at(v.span());
            match v.into_inner() {
                toml::de::DeValue::Array(items) => {
                    let mut tags = Vec::new();
                    for item in items {
                        match item.into_inner() {
                            toml::de::DeValue::String(s) => tags.push(s.into_owned()),
                            other => problem(
                                pos,
                                format!(
                                    "contact `{handle}`: `tags` must be strings, found {}",
                                    other.type_str()
                                ),
                            ),
                        }
                    }
                    tags
                }
                other => {
                    problem(
                        pos,
                        format!(
                            "contact `{handle}`: `tags` must be an array of strings, not {}",
                            other.type_str()
                        ),
                    );
                    Vec::new()
                }
            }
        }
    };
    if let Some((name, pos)) = &name {
        if name.trim().is_empty() {
            problem(*pos, format!("contact `{handle}`: `name` is empty"));
        } else if text::has_line_break(name) {
            problem(
                *pos,
                format!("contact `{handle}`: `name` contains a line break"),
            );
        }
    }
    if let Some((first, pos)) = &first_name {
        if first.trim().is_empty() {
            problem(*pos, format!("contact `{handle}`: `first_name` is empty"));
        } else if text::has_line_break(first) {
            problem(
                *pos,
                format!("contact `{handle}`: `first_name` contains a line break"),
            );
        }
    }
    if let Some((email, pos)) = &email
        && let Err(why) = check_email(email)
    {
        problem(*pos, format!("contact `{handle}`: `email` `{email}` {why}"));
    }
    // Only a file already found wrong is not worth keeping.
    if !problems.is_empty() {
        return Ok(None);
    }
    let extra = fields
        .into_iter()
        .map(|(key, value)| Ok((key.into_inner().into_owned(), to_value(value)?)))
        .collect::<Result<_, toml::de::Error>>()?;
    Ok(match (name, email) {
        (Some((name, _)), Some((email, _))) => Some(Contact {
            handle,
            name,
            email,
            first_name: first_name.map(|f| f.0.trim().to_string()),
            blurb: blurb.map(|b| b.0),
            url: url.map(|u| u.0.trim().to_string()),
            tags,
            prefers,
            cooldown_days,
            extra,
        }),
        _ => None,
    })
}

/// Whether the decoder that reads a whole file into values would take
/// these top-level values too: each is a table, and every number in them
/// fits. (The first pass reads numbers as text; too large an integer is
/// found only when it is turned into a value.)
fn decodes<'a>(mut top: impl Iterator<Item = &'a Spanned<toml::de::DeValue<'a>>>) -> bool {
    fn numbers_fit(value: &Spanned<toml::de::DeValue<'_>>) -> bool {
        match value.get_ref() {
            toml::de::DeValue::Integer(_) | toml::de::DeValue::Float(_) => {
                to_value(Spanned::new(value.span(), value.get_ref().clone())).is_ok()
            }
            toml::de::DeValue::Array(items) => items.iter().all(numbers_fit),
            toml::de::DeValue::Table(table) => table.values().all(numbers_fit),
            _ => true,
        }
    }
    top.all(|v| v.get_ref().as_table().is_some() && numbers_fit(v))
}

/// One value of the document as templates see it.
fn to_value(value: Spanned<toml::de::DeValue<'_>>) -> Result<toml::Value, toml::de::Error> {
    use serde::Deserialize as _;
    toml::Value::deserialize(toml::de::ValueDeserializer::from(value))
}

/// Handles whose table is defined more than once: a problem naming every
/// line at each later definition, and the byte ranges of those later
/// definitions.
fn duplicate_handles(text: &str) -> (Vec<Problem>, Vec<std::ops::Range<usize>>) {
    let headers = crate::setup::textpos::table_headers(text);
    let mut first_line: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for h in &headers {
        first_line.entry(h.name.as_str()).or_default().push(h.line);
    }
    let mut problems = Vec::new();
    let mut later = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for h in &headers {
        let lines = &first_line[h.name.as_str()];
        let count = seen.entry(h.name.as_str()).or_default();
        *count += 1;
        if *count == 1 || lines.len() < 2 {
            continue;
        }
        later.push(h.range.clone());
        if *count == 2 {
            let list: Vec<String> = lines.iter().map(ToString::to_string).collect();
            problems.push(Problem {
                pos: LineCol {
                    line: h.line,
                    column: 1,
                },
                message: format!(
                    "handle `{}` is defined more than once, on lines {}",
                    h.name,
                    list.join(" and ")
                ),
            });
        }
    }
    (problems, later)
}

/// A name on the command line that is not exactly one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LookupError {
    Unknown {
        query: String,
        suggestions: Vec<String>,
    },
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
}

/// Handles are what users type: lowercase letters, digits, `.`, `_`, `-`.
pub(crate) fn check_handle(handle: &str) -> Result<(), &'static str> {
    if handle.is_empty() {
        return Err("is empty");
    }
    if !handle
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err("may only use lowercase letters, digits, `.`, `_` and `-`");
    }
    Ok(())
}

/// An address intro can put in a header and an SMTP envelope.
pub(crate) fn check_email(email: &str) -> Result<(), &'static str> {
    if text::has_line_break(email) {
        return Err("contains a line break");
    }
    if email.trim() != email || email.is_empty() {
        return Err("is not an email address (surrounding spaces?)");
    }
    let address = lettre::Address::from_str(email).map_err(|_| "is not an email address")?;
    // A domain in brackets is for an IP address, the only kind SMTP
    // delivers to; mail readers take a `>` or `,` in any other text there
    // for the end of the address (found by fuzzing).
    if let Some(literal) = address
        .domain()
        .strip_prefix('[')
        .and_then(|d| d.strip_suffix(']'))
    {
        let ipv6 = literal
            .strip_prefix("IPv6:")
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
        if !ipv6 && literal.parse::<std::net::Ipv4Addr>().is_err() {
            return Err("is not an email address (only an IP address may be in brackets)");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Contacts {
        Contacts::parse(
            r#"
[ada]
name = "Ada Lovelace"
email = "ada@example.com"
tags = ["advisor"]
company = "Analytical Engines"

[grace]
name = "Grace Hopper"
email = "grace@example.com"

[grace2]
name = "Grace Hopper"
email = "grace@navy.example"
"#,
            Path::new("contacts.toml"),
        )
        .unwrap()
    }

    #[test]
    fn finds_by_handle_email_and_unique_name() {
        let c = sample();
        assert_eq!(c.find("ada").unwrap().handle, "ada");
        assert_eq!(c.find("ADA@example.com").unwrap().handle, "ada");
        assert_eq!(c.find("ada lovelace").unwrap().handle, "ada");
        assert_eq!(
            *c.find("ada").unwrap().extra,
            [(
                "company".to_string(),
                toml::Value::String("Analytical Engines".into())
            )]
        );
    }

    #[test]
    fn ambiguous_names_list_candidates() {
        let c = sample();
        match c.find("Grace Hopper") {
            Err(LookupError::Ambiguous { candidates, .. }) => assert_eq!(candidates.len(), 2),
            other => panic!("expected ambiguity, got {other:?}"),
        }
    }

    #[test]
    fn unknown_names_suggest_close_handles() {
        let c = sample();
        match c.find("adda") {
            Err(LookupError::Unknown { suggestions, .. }) => assert_eq!(suggestions[0], "ada"),
            other => panic!("expected unknown, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let err = Contacts::parse(
            "[Bad]\nname = \"X\"\nemail = \"x@example.com\"\n\n[ok]\nname = 3\nemail = \"nope\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        let ContactsError::Invalid { problems, .. } = err else {
            panic!("expected invalid")
        };
        let lines: Vec<usize> = problems.iter().map(|p| p.pos.line).collect();
        assert_eq!(lines, vec![1, 6, 7], "{problems:?}");
        assert!(problems[0].message.contains("handle `Bad`"));
        assert!(problems[1].message.contains("`name` must be a string"));
        assert!(problems[2].message.contains("not an email address"));
    }

    /// Found by fuzzing (`fuzz/`, target `message`): `g@[12>.0.0.1]` was
    /// one address to intro and `g@[12` to a mail reader.
    #[test]
    fn a_domain_in_brackets_must_be_an_ip_address() {
        assert!(check_email("sam@[127.0.0.1]").is_ok());
        assert!(check_email("sam@[IPv6:2001:db8::1]").is_ok());
        for bad in [
            "g@[12>.0.0.1]",
            "x@[a>,victim@example.com]",
            "x@[example.com]",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err =
            Contacts::parse("[ada]\nname = \"Ada\nemail = 1\n", Path::new("c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("c.toml:2:"), "{msg}");
    }
}
