//! Deciding what a vCard import does: which cards become contacts, under
//! which handles, which update an existing contact (`--force`), and which
//! are skipped and why. Pure: cards and the current contacts in, a plan out.
//!
//! Handles come from the name: ASCII (accents and other scripts
//! transliterated), lowercase, words joined by `-`. The first name comes
//! first (`ada`), then the full name (`ada-lovelace`), then numbered
//! (`ada-lovelace-2`, ...): never a handle that is taken. A card is the same
//! person as a contact when one of its addresses is that contact's.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::text;
use crate::setup::contacts::{Contacts, check_email, check_handle};
use crate::setup::vcf::{Card, Malformed};

/// A contact to write: a new one, or the fields replacing an existing one's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewContact {
    /// The card it came from (1 = the file's first).
    pub card: usize,
    pub handle: String,
    pub name: String,
    pub email: String,
    pub note: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub card: usize,
    /// The card's name and preferred address, when it has them.
    pub name: Option<String>,
    pub email: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub added: Vec<NewContact>,
    /// Existing contacts the cards replace fields of (only with `--force`).
    pub updated: Vec<NewContact>,
    pub skipped: Vec<Skipped>,
}

/// Google Contacts puts every contact in this system group.
const NOISE_CATEGORIES: [&str; 1] = ["myContacts"];

/// Decide what importing `cards` into `contacts` does.
pub(crate) fn plan(cards: Vec<Result<Card, Malformed>>, contacts: &Contacts, force: bool) -> Plan {
    let mut taken: BTreeSet<String> = contacts.iter().map(|c| c.handle.clone()).collect();
    let existing: BTreeMap<String, String> = contacts
        .iter()
        .map(|c| (c.email.to_lowercase(), c.handle.clone()))
        .collect();
    // Addresses taken by earlier cards of this file, and by which card.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut plan = Plan::default();
    for (i, card) in cards.into_iter().enumerate() {
        let number = i + 1;
        let card = match card {
            Ok(card) => card,
            Err(e) => {
                plan.skipped.push(Skipped {
                    card: number,
                    name: None,
                    email: None,
                    reason: format!("malformed: {}", e.reason),
                });
                continue;
            }
        };
        let addresses = card.emails_by_preference();
        let mut skip = |reason: String| {
            plan.skipped.push(Skipped {
                card: number,
                name: card.name.clone(),
                email: addresses.first().map(ToString::to_string),
                reason,
            });
        };
        let Some(name) = card.name.clone() else {
            skip("no name (no `FN`, `N` or `ORG`)".into());
            continue;
        };
        if text::has_line_break(&name) {
            skip("the name has a line break, which would end up in mail headers".into());
            continue;
        }
        if addresses.is_empty() {
            skip("no email address".into());
            continue;
        }
        let Some(email) = addresses.iter().find(|a| check_email(a).is_ok()) else {
            let first = addresses[0];
            let why = check_email(first)
                .err()
                .unwrap_or("is not an email address");
            let shown = first.escape_debug();
            skip(format!("no usable email address: `{shown}` {why}"));
            continue;
        };
        if let Some(card) = addresses
            .iter()
            .find_map(|a| seen.get(&a.to_lowercase()).copied())
        {
            skip(format!(
                "the same person as card {card} (an email address is on both)"
            ));
            continue;
        }
        for a in &addresses {
            seen.insert(a.to_lowercase(), number);
        }
        let known = addresses
            .iter()
            .find_map(|a| existing.get(&a.to_lowercase()).map(|h| (*a, h.clone())));
        let contact = |handle: String| NewContact {
            card: number,
            handle,
            name: name.clone(),
            email: email.to_string(),
            note: card.note.clone(),
            company: card.org.as_deref().map(one_line),
            title: card.title.as_deref().map(one_line),
            tags: tags(&card.categories),
        };
        match known {
            Some((_, handle)) if force => plan.updated.push(contact(handle)),
            Some((address, handle)) => skip(format!(
                "`{address}` is already a contact (`{handle}`); `--force` updates it from the card"
            )),
            None => {
                let handle = derive_handle(&name, email, |h| taken.contains(h));
                taken.insert(handle.clone());
                plan.added.push(contact(handle));
            }
        }
    }
    plan
}

/// Categories as tags: trimmed, on one line, without duplicates or
/// Google's everyone-group.
fn tags(categories: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for c in categories {
        let tag = one_line(c);
        if !tag.is_empty() && !NOISE_CATEGORIES.contains(&tag.as_str()) && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Line breaks become spaces: for fields that are one line (templates may
/// put them in a subject).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A free handle for `name`: the first name, the full name, then numbered.
pub(crate) fn derive_handle(name: &str, email: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut full = slug(name);
    if full.is_empty() {
        full = slug(email.split('@').next().unwrap_or(""));
    }
    if full.is_empty() {
        full = "contact".into();
    }
    let first = slug(text::first_name(name));
    for candidate in [first.as_str(), full.as_str()] {
        if !candidate.is_empty() && !taken(candidate) {
            return candidate.to_string();
        }
    }
    (2..)
        .map(|n| format!("{full}-{n}"))
        .find(|h| !taken(h))
        .unwrap_or(full)
}

/// `Zoë Ångström-O'Brien` -> `zoe-angstrom-obrien`.
pub(crate) fn slug(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut out = String::new();
    for c in ascii.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            // O'Brien is one word.
            '\'' | '`' => {}
            _ => {
                if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
            }
        }
    }
    let out = out.trim_end_matches('-').to_string();
    debug_assert!(out.is_empty() || check_handle(&out).is_ok());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::vcf::Email;
    use std::path::Path;

    fn contacts() -> Contacts {
        Contacts::parse(
            "[ada]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n\n[sam]\nname = \"Sam Builder\"\nemail = \"Sam@Example.org\"\n",
            Path::new("c.toml"),
        )
        .unwrap()
    }

    fn card(name: &str, emails: &[&str]) -> Result<Card, Malformed> {
        Ok(Card {
            name: Some(name.into()),
            emails: emails
                .iter()
                .map(|e| Email {
                    address: e.to_string(),
                    pref: 101,
                })
                .collect(),
            ..Card::default()
        })
    }

    #[test]
    fn slugs_are_ascii_words_joined_by_dashes() {
        assert_eq!(slug("Ada Lovelace"), "ada-lovelace");
        assert_eq!(slug("José Núñez"), "jose-nunez");
        assert_eq!(slug("Zoë Ångström"), "zoe-angstrom");
        assert_eq!(slug("Jürgen Müller-Straße"), "jurgen-muller-strasse");
        assert_eq!(slug("Łukasz Żółć"), "lukasz-zolc");
        assert_eq!(slug("  Seán O’Brien  "), "sean-obrien");
        assert_eq!(slug("J. R. R. Tolkien"), "j-r-r-tolkien");
        assert_eq!(slug("Дмитрий Иванов"), "dmitrii-ivanov");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn handles_go_first_name_full_name_then_numbered() {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut next = |name: &str| {
            let h = derive_handle(name, "x@example.com", |h| taken.contains(h));
            taken.insert(h.clone());
            h
        };
        assert_eq!(next("Ada Lovelace"), "ada");
        assert_eq!(next("Ada Lovelace"), "ada-lovelace");
        assert_eq!(next("Ada Lovelace"), "ada-lovelace-2");
        assert_eq!(next("Ada Lovelace"), "ada-lovelace-3");
        assert_eq!(next("Cher"), "cher");
        assert_eq!(next("Cher"), "cher-2");
        // Nothing usable in the name: the address's local part.
        assert_eq!(derive_handle("?", "j.doe@example.com", |_| false), "j-doe");
        assert_eq!(derive_handle("(?)", "", |_| false), "contact");
    }

    #[test]
    fn new_cards_get_free_handles_and_known_addresses_are_skipped() {
        let cards = vec![
            card("Ada Lovelace", &["ada@analytical.example"]),
            card("Sam Builder", &["sam@example.org"]),
            card("Grace Hopper", &["grace@navy.example"]),
        ];
        let plan = plan(cards, &contacts(), false);
        let added: Vec<(&str, &str)> = plan
            .added
            .iter()
            .map(|c| (c.handle.as_str(), c.email.as_str()))
            .collect();
        assert_eq!(
            added,
            [
                ("ada-lovelace", "ada@analytical.example"),
                ("grace", "grace@navy.example")
            ]
        );
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].card, 2);
        assert!(
            plan.skipped[0]
                .reason
                .contains("`sam@example.org` is already a contact (`sam`)"),
            "matched case-insensitively: {:?}",
            plan.skipped[0]
        );
        assert!(plan.updated.is_empty());
    }

    #[test]
    fn force_updates_the_known_contact_under_its_handle() {
        let cards = vec![card(
            "Samuel Builder",
            &["other@example.org", "SAM@example.org"],
        )];
        let plan = plan(cards, &contacts(), true);
        assert!(plan.added.is_empty() && plan.skipped.is_empty());
        assert_eq!(plan.updated[0].handle, "sam");
        assert_eq!(plan.updated[0].name, "Samuel Builder");
        assert_eq!(plan.updated[0].email, "other@example.org");
    }

    #[test]
    fn cards_are_skipped_with_a_reason() {
        let mut bare = card("Nobody", &[]).unwrap();
        bare.emails.clear();
        let cards = vec![
            Err(Malformed {
                reason: "no `END:VCARD`".into(),
            }),
            Ok(bare),
            card("Mallory\nBcc: victim@example.com", &["m@example.com"]),
            card("Broken", &["not-an-address"]),
            card("Evil", &["e@example.com\r\nBcc: x@example.com"]),
            Ok(Card {
                emails: vec![Email {
                    address: "who@example.com".into(),
                    pref: 101,
                }],
                ..Card::default()
            }),
            card("Twin", &["twin@example.com"]),
            card("Twin Again", &["TWIN@example.com"]),
        ];
        let plan = plan(cards, &Contacts::default(), false);
        let reasons: Vec<(usize, &str)> = plan
            .skipped
            .iter()
            .map(|s| (s.card, s.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 7, "{reasons:#?}");
        assert!(reasons[0].1.starts_with("malformed: no `END:VCARD`"));
        assert_eq!(reasons[1], (2, "no email address"));
        assert!(reasons[2].1.contains("line break"), "{reasons:?}");
        assert!(
            reasons[3]
                .1
                .contains("`not-an-address` is not an email address")
        );
        assert!(
            reasons[4].1.contains("contains a line break") && reasons[4].1.contains("\\r\\n"),
            "the address is shown escaped: {reasons:?}"
        );
        assert_eq!(reasons[5].0, 6);
        assert!(reasons[5].1.starts_with("no name"));
        assert_eq!(reasons[6].0, 8);
        assert!(reasons[6].1.contains("same person as card 7"));
        assert_eq!(plan.added.len(), 1);
        assert_eq!(plan.added[0].handle, "twin");
    }

    #[test]
    fn a_preferred_but_broken_address_yields_to_a_good_one() {
        let mut c = card("Ada", &["good@example.com", "bad address"]).unwrap();
        c.emails[1].pref = 1;
        let plan = plan(vec![Ok(c)], &Contacts::default(), false);
        assert_eq!(plan.added[0].email, "good@example.com");
    }

    #[test]
    fn categories_become_tags_without_google_noise() {
        let mut c = card("Ada", &["a@example.com"]).unwrap();
        c.categories = vec![
            "myContacts".into(),
            "Founders".into(),
            " advisor ".into(),
            "Founders".into(),
            "two\nlines".into(),
        ];
        c.org = Some("Analytical\nEngines".into());
        let plan = plan(vec![Ok(c)], &Contacts::default(), false);
        assert_eq!(plan.added[0].tags, ["Founders", "advisor", "two lines"]);
        assert_eq!(plan.added[0].company.as_deref(), Some("Analytical Engines"));
    }
}
