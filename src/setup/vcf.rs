//! Reading vCard files (2.1, 3.0 and 4.0, as address books export them)
//! into the few fields intro keeps: name, emails with their preference,
//! note, organization, title and categories.
//!
//! The `vcard-rs` crate reads each card: line folding (also folds that cut
//! a UTF-8 character), groups (`item1.EMAIL`), parameters in every
//! version's spelling, escapes, `QUOTED-PRINTABLE` with soft line breaks and
//! foreign `CHARSET`s. This module splits the file into cards first, so one
//! malformed card is reported on its own instead of ending the whole file.

use std::borrow::Cow;

use vcard::tree::cst::VcardCst;
use vcard::tree::error::VcardParseError;
use vcard::tree::line::VcardLine;
use vcard::tree::value::cursor::VcardValueCursor;

/// What intro reads from one card.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Card {
    /// `FN`, else `N` (given and family names), else `ORG`.
    pub name: Option<String>,
    /// Every `EMAIL`, in the file's order.
    pub emails: Vec<Email>,
    pub note: Option<String>,
    /// The organization name: the first part of `ORG`.
    pub org: Option<String>,
    pub title: Option<String>,
    /// `CATEGORIES`, all of them, in order.
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email {
    pub address: String,
    /// 1 is the most preferred (`PREF=1`, `TYPE=pref`, a 2.1 `PREF`);
    /// an address with no preference ranks after every preferred one.
    pub pref: u8,
}

/// The rank of an address with no preference (4.0 `PREF` goes to 100).
const NO_PREF: u8 = 101;

impl Card {
    /// The addresses, most preferred first; the file's order among equals.
    pub(crate) fn emails_by_preference(&self) -> Vec<&str> {
        let mut emails: Vec<&Email> = self.emails.iter().collect();
        emails.sort_by_key(|e| e.pref);
        emails.iter().map(|e| e.address.as_str()).collect()
    }
}

/// A card that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub reason: String,
}

/// The file holds no `BEGIN:VCARD` line at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no vCard in it (no `BEGIN:VCARD` line)")]
pub(crate) struct NotVcard;

/// Every card in `bytes`, in order (the first is card 1).
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Result<Card, Malformed>>, NotVcard> {
    let text = decode_utf16(bytes);
    let bytes = text.as_deref().unwrap_or(bytes);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let chunks = split_cards(bytes);
    if chunks.is_empty() {
        return Err(NotVcard);
    }
    Ok(chunks
        .into_iter()
        .map(|chunk| match chunk {
            Chunk::Whole(card) => read_card(card),
            Chunk::Unterminated => Err(Malformed {
                reason: "no `END:VCARD` before the end of the file".into(),
            }),
        })
        .collect())
}

/// Some Windows exporters write UTF-16 with a byte order mark.
fn decode_utf16(bytes: &[u8]) -> Option<Vec<u8>> {
    let (rest, little) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    let units = rest.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text.into_bytes())
}

enum Chunk<'a> {
    Whole(&'a [u8]),
    Unterminated,
}

/// Cut the file at its top-level `BEGIN:VCARD` .. `END:VCARD` lines; a
/// nested card (a 2.1 `AGENT`) stays inside its parent. Anything between
/// cards is ignored.
fn split_cards(bytes: &[u8]) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = None;
    let mut depth = 0usize;
    let mut offset = 0;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        let content = line.trim_ascii();
        if content.eq_ignore_ascii_case(b"BEGIN:VCARD") {
            if depth == 0 {
                start = Some(offset);
            }
            depth += 1;
        } else if content.eq_ignore_ascii_case(b"END:VCARD") && depth > 0 {
            depth -= 1;
            if depth == 0
                && let Some(from) = start.take()
            {
                chunks.push(Chunk::Whole(&bytes[from..offset + line.len()]));
            }
        }
        offset += line.len();
    }
    if start.is_some() {
        chunks.push(Chunk::Unterminated);
    }
    chunks
}

fn read_card(bytes: &[u8]) -> Result<Card, Malformed> {
    let mut cst = VcardCst::parse(bytes).map_err(|e| Malformed {
        reason: describe(&e),
    })?;
    let mut card = Card::default();
    let mut full_name = None;
    let mut n_name = None;
    // Lines of a card nested in this one (a 2.1 AGENT) are not this card's.
    let mut depth = 0usize;
    for line in &mut cst.props {
        let name = line.bare_name().to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" => depth += 1,
            "END" => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            "FN" if full_name.is_none() => full_name = non_empty(text(line)),
            "N" if n_name.is_none() => {
                let parts = components(line);
                let part = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or("");
                // given and family names: "Grace Hopper"
                let words: Vec<&str> = [part(1), part(0)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                n_name = non_empty(words.join(" "));
            }
            "EMAIL" => {
                let pref = preference(line);
                let value = text(line);
                let value = value.trim();
                let address = strip_mailto(value);
                if !address.is_empty() {
                    card.emails.push(Email {
                        address: address.to_string(),
                        pref,
                    });
                }
            }
            "NOTE" if card.note.is_none() => card.note = non_empty(text(line)),
            "ORG" if card.org.is_none() => {
                card.org = components(line).into_iter().next().and_then(non_empty);
            }
            "TITLE" if card.title.is_none() => card.title = non_empty(text(line)),
            "CATEGORIES" => {
                for category in list(line) {
                    if let Some(category) = non_empty(category) {
                        card.categories.push(category);
                    }
                }
            }
            _ => {}
        }
    }
    card.name = full_name.or(n_name).or_else(|| card.org.clone());
    Ok(card)
}

fn describe(e: &VcardParseError) -> String {
    match e {
        VcardParseError::MissingPropertyColon(_) => "a line has no `:` between name and value",
        VcardParseError::NonUtf8Header(_) => "a property name or parameter is not UTF-8",
        VcardParseError::ExpectedBegin(_) => "it does not start with `BEGIN:VCARD`",
        VcardParseError::MissingEnd(_) => "no `END:VCARD`",
        VcardParseError::MissingCrlf(_) => "a line does not end",
    }
    .to_string()
}

/// Trimmed, with CRLF line breaks made LF; None when nothing is left.
fn non_empty(s: impl AsRef<str>) -> Option<String> {
    let s = s.as_ref().replace("\r\n", "\n").replace('\r', "\n");
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn strip_mailto(address: &str) -> &str {
    match address.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &address[7..],
        _ => address,
    }
}

/// A parameter's name, upper case, and its values: quotes removed, `,` lists
/// split. A 2.1 bare parameter (`;PREF`, `;INTERNET`) has no values.
fn params(line: &VcardLine) -> Vec<(String, Vec<String>)> {
    line.params
        .iter()
        .map(|p| {
            let values = p
                .values
                .iter()
                .flat_map(|v| {
                    v.get()
                        .trim_matches('"')
                        .split(',')
                        .map(|s| s.trim().to_ascii_lowercase())
                        .collect::<Vec<_>>()
                })
                .filter(|v| !v.is_empty())
                .collect();
            (p.name.get().trim().to_ascii_uppercase(), values)
        })
        .collect()
}

/// `PREF=n` (4.0), `TYPE=pref` (3.0) or a bare `PREF` (2.1).
fn preference(line: &VcardLine) -> u8 {
    let mut pref = NO_PREF;
    for (name, values) in params(line) {
        let this = match name.as_str() {
            "PREF" => values
                .first()
                .map_or(Some(1), |v| v.parse::<u8>().ok().map(|n| n.clamp(1, 100))),
            "TYPE" => values.iter().any(|v| v == "pref").then_some(1),
            _ => None,
        };
        if let Some(this) = this {
            pref = pref.min(this);
        }
    }
    pref
}

/// The value needs decoding beyond escapes: quoted-printable, or a charset
/// other than UTF-8 (only 2.1 allows either).
fn encoded(line: &VcardLine) -> bool {
    params(line)
        .iter()
        .any(|(name, values)| match name.as_str() {
            "QUOTED-PRINTABLE" => true,
            "ENCODING" => values.iter().any(|v| v == "quoted-printable"),
            "CHARSET" => values.iter().any(|v| v != "utf-8"),
            _ => false,
        })
}

/// The whole value as text: escapes resolved, quoted-printable and charset
/// decoded; `;` and `,` kept.
fn text(line: &mut VcardLine) -> String {
    VcardValueCursor { line }.charset()
}

/// The `;`-separated parts of a structured value (`N`, `ORG`).
fn components(line: &mut VcardLine) -> Vec<String> {
    if encoded(line) {
        // Quoted-printable hides nothing structural: `;` stays literal.
        return text(line).split(';').map(str::to_string).collect();
    }
    (0..line.value.component_count())
        .map(|i| line.value.decode_component(i).into_owned())
        .collect()
}

/// The `,`-separated items of a list value (`CATEGORIES`).
fn list(line: &mut VcardLine) -> Vec<String> {
    if encoded(line) {
        return text(line).split(',').map(str::to_string).collect();
    }
    line.value
        .decode_list()
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Card {
        let cards = parse(text.as_bytes()).unwrap();
        assert_eq!(cards.len(), 1, "{cards:?}");
        cards.into_iter().next().unwrap().unwrap()
    }

    #[test]
    fn reads_the_fields_intro_keeps() {
        let card = one(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nORG:Analytical Engines;Research\r\nTITLE:Programmer\r\nNOTE:Line one\\nline two\\, with a comma\r\nCATEGORIES:advisor,compilers\r\nCATEGORIES:math\r\nEMAIL;TYPE=INTERNET:ada@example.com\r\nEND:VCARD\r\n",
        );
        assert_eq!(card.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(card.org.as_deref(), Some("Analytical Engines"));
        assert_eq!(card.title.as_deref(), Some("Programmer"));
        assert_eq!(
            card.note.as_deref(),
            Some("Line one\nline two, with a comma")
        );
        assert_eq!(card.categories, ["advisor", "compilers", "math"]);
        assert_eq!(card.emails_by_preference(), ["ada@example.com"]);
    }

    #[test]
    fn preference_in_every_version_spelling() {
        let card = one(
            "BEGIN:VCARD\nVERSION:4.0\nFN:P\nEMAIL:third@x.example\nEMAIL;PREF=2:second@x.example\nEMAIL;PREF=1:first@x.example\nEND:VCARD\n",
        );
        assert_eq!(
            card.emails_by_preference(),
            ["first@x.example", "second@x.example", "third@x.example"]
        );
        let apple = one(
            "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEMAIL;type=INTERNET;type=WORK:work@x.example\nitem1.EMAIL;type=INTERNET;type=pref:home@x.example\nEND:VCARD\n",
        );
        assert_eq!(apple.emails_by_preference()[0], "home@x.example");
        let listed = one(
            "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEMAIL;TYPE=work:work@x.example\nEMAIL;TYPE=\"home,pref\":home@x.example\nEND:VCARD\n",
        );
        assert_eq!(listed.emails_by_preference()[0], "home@x.example");
        let outlook = one(
            "BEGIN:VCARD\nVERSION:2.1\nFN:A\nEMAIL;INTERNET:other@x.example\nEMAIL;PREF;INTERNET:main@x.example\nEND:VCARD\n",
        );
        assert_eq!(outlook.emails_by_preference()[0], "main@x.example");
        let none = one(
            "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEMAIL:one@x.example\nEMAIL:two@x.example\nEND:VCARD\n",
        );
        assert_eq!(
            none.emails_by_preference(),
            ["one@x.example", "two@x.example"],
            "the first when none is preferred"
        );
    }

    #[test]
    fn name_falls_back_to_n_then_org() {
        let card = one(
            "BEGIN:VCARD\nVERSION:2.1\nN:Hopper;Grace;Brewster;Rear Admiral;\nEMAIL:g@x.example\nEND:VCARD\n",
        );
        assert_eq!(card.name.as_deref(), Some("Grace Hopper"));
        let card = one(
            "BEGIN:VCARD\nVERSION:3.0\nFN:\nORG:Acme Support;\nEMAIL:help@acme.example\nEND:VCARD\n",
        );
        assert_eq!(card.name.as_deref(), Some("Acme Support"));
        let card = one("BEGIN:VCARD\nVERSION:3.0\nEMAIL:who@x.example\nEND:VCARD\n");
        assert_eq!(card.name, None);
    }

    #[test]
    fn folded_lines_are_unfolded_even_inside_a_character() {
        // "Ŝtępień" folded between the two bytes of "ń".
        let mut text = b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jan \xC5\x9Ct\xC4\x99pie\xC5\r\n \x84\r\nEMAIL:jan@ex\r\n\tample.com\r\nEND:VCARD\r\n".to_vec();
        let card = parse(&text).unwrap().remove(0).unwrap();
        assert_eq!(card.name.as_deref(), Some("Jan Ŝtępień"));
        assert_eq!(card.emails_by_preference(), ["jan@example.com"]);
        // The same with LF line ends.
        text.retain(|b| *b != b'\r');
        let card = parse(&text).unwrap().remove(0).unwrap();
        assert_eq!(card.name.as_deref(), Some("Jan Ŝtępień"));
    }

    #[test]
    fn quoted_printable_and_charsets_are_decoded() {
        let card = one(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Dubois;Fran=E7ois\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Caf=C3=A9 au lait=0D=0A=\r\nsecond line\r\nEMAIL;PREF;INTERNET:f@x.example\r\nEND:VCARD\r\n",
        );
        assert_eq!(card.name.as_deref(), Some("François Dubois"));
        assert_eq!(card.note.as_deref(), Some("Café au lait\nsecond line"));
    }

    #[test]
    fn a_malformed_card_does_not_hide_the_others() {
        let cards = parse(b"BEGIN:VCARD\nVERSION:3.0\nFN:One\nEMAIL:one@x.example\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Two\nthis line has no colon\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Three\nEND:VCARD\nBEGIN:VCARD\nFN:Four\n").unwrap();
        assert_eq!(cards.len(), 4);
        assert_eq!(cards[0].as_ref().unwrap().name.as_deref(), Some("One"));
        assert!(cards[1].as_ref().unwrap_err().reason.contains("no `:`"));
        assert_eq!(cards[2].as_ref().unwrap().name.as_deref(), Some("Three"));
        assert!(cards[3].as_ref().unwrap_err().reason.contains("END:VCARD"));
    }

    #[test]
    fn a_nested_agent_card_is_not_the_parent() {
        let card = one(
            "BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Assistant\nEMAIL:assistant@x.example\nEND:VCARD\nEMAIL:boss@x.example\nEND:VCARD\n",
        );
        assert_eq!(card.name.as_deref(), Some("Boss"));
        assert_eq!(card.emails_by_preference(), ["boss@x.example"]);
    }

    #[test]
    fn byte_order_marks_and_utf16() {
        let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë\r\nEMAIL:zoe@x.example\r\nEND:VCARD\r\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(card.as_bytes());
        assert_eq!(
            parse(&bom).unwrap()[0].as_ref().unwrap().name.as_deref(),
            Some("Zoë")
        );
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in card.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            parse(&utf16).unwrap()[0].as_ref().unwrap().name.as_deref(),
            Some("Zoë")
        );
    }

    #[test]
    fn a_file_without_cards_is_not_a_vcard() {
        assert_eq!(parse(b"name,email\nAda,ada@x.example\n"), Err(NotVcard));
        assert_eq!(parse(b""), Err(NotVcard));
    }

    #[test]
    fn mailto_prefixes_are_dropped() {
        let card = one("BEGIN:VCARD\nVERSION:4.0\nFN:M\nEMAIL:MAILTO:m@x.example\nEND:VCARD\n");
        assert_eq!(card.emails_by_preference(), ["m@x.example"]);
    }
}
