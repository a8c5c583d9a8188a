//! Changing the contacts file the way a person would by hand: new contacts
//! appended as tables at the end, updated ones changed in place, and every
//! comment, blank line and the order of what was there kept (`toml_edit`).

use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::fsutil;
use crate::setup::contacts::{Contacts, ContactsError};
use crate::setup::import::NewContact;

/// The contacts file as its text, to change it, and as contacts, to check
/// against. A file that does not exist yet is empty.
pub(crate) struct ContactsFile {
    pub path: PathBuf,
    text: Option<String>,
    pub contacts: Contacts,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum SaveError {
    #[error("cannot edit `{}`: {source}", path.display())]
    Edit {
        path: PathBuf,
        source: toml_edit::TomlError,
    },
    /// A bug guard: intro never writes a file it could not read back.
    #[error("the changed `{}` would not read back ({source}); nothing was written", path.display())]
    Invalid {
        path: PathBuf,
        source: ContactsError,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ContactsFile {
    pub(crate) fn load(path: &Path) -> Result<ContactsFile, ContactsError> {
        let (text, contacts) = match Contacts::load(path) {
            Ok(contacts) => {
                let text = std::fs::read_to_string(path).map_err(|source| ContactsError::Read {
                    path: path.into(),
                    source,
                })?;
                (Some(text), contacts)
            }
            Err(ContactsError::Missing { .. }) => (None, Contacts::default()),
            Err(e) => return Err(e),
        };
        Ok(ContactsFile {
            path: path.into(),
            text,
            contacts,
        })
    }

    /// Write the file with `added` appended and `updated` changed in place,
    /// atomically. Through a symlink (a dotfiles repository), the file it
    /// points to is replaced and the link stays.
    pub(crate) fn save(
        &self,
        added: &[NewContact],
        updated: &[NewContact],
    ) -> Result<(), SaveError> {
        let path = &self.path;
        let text =
            apply(self.text.as_deref(), added, updated).map_err(|source| SaveError::Edit {
                path: path.clone(),
                source,
            })?;
        Contacts::parse(&text, path).map_err(|source| SaveError::Invalid {
            path: path.clone(),
            source,
        })?;
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        fsutil::write_atomic(&target, text.as_bytes()).map_err(|source| SaveError::Write {
            path: target,
            source,
        })
    }
}

/// Where a new contacts file starts.
const HEADER: &str = "# intro contacts: one table per person, named by its handle.\n# Required: name, email. Optional: blurb (used in introductions), note\n# (private), tags, and any other field (for templates, e.g. company).\n";

/// `text` (the contacts file, or None when there is none yet) with `added`
/// appended and `updated` changed in place.
pub(crate) fn apply(
    text: Option<&str>,
    added: &[NewContact],
    updated: &[NewContact],
) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = text.unwrap_or("").parse()?;
    for contact in updated {
        match doc
            .get_mut(&contact.handle)
            .and_then(Item::as_table_like_mut)
        {
            Some(table) => {
                for (key, value) in fields(contact) {
                    match table.get_mut(key) {
                        // Keep the comment after the old value, if any.
                        Some(Item::Value(old)) => {
                            let mut value = value;
                            *value.decor_mut() = old.decor().clone();
                            *old = value;
                        }
                        _ => {
                            table.insert(key, Item::Value(value));
                        }
                    }
                }
            }
            None => append(&mut doc, contact),
        }
    }
    for contact in added {
        append(&mut doc, contact);
    }
    let mut out = doc.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if text.is_none_or(|t| t.trim().is_empty()) {
        out = out.trim_start().to_string();
    }
    if text.is_none() {
        // Parsed, these comments would trail the tables; put them first.
        out.insert_str(0, &format!("{HEADER}\n"));
    }
    Ok(out)
}

fn append(doc: &mut DocumentMut, contact: &NewContact) {
    let mut table = Table::new();
    for (key, value) in fields(contact) {
        table.insert(key, Item::Value(value));
    }
    // A blank line between contacts, as the sample file has.
    table.decor_mut().set_prefix("\n");
    doc.insert(&contact.handle, Item::Table(table));
}

/// The fields a card sets, in the order a person writes them.
fn fields(c: &NewContact) -> Vec<(&'static str, Value)> {
    let mut fields: Vec<(&'static str, Value)> = vec![
        ("name", c.name.as_str().into()),
        ("email", c.email.as_str().into()),
    ];
    if let Some(company) = &c.company {
        fields.push(("company", company.as_str().into()));
    }
    if let Some(title) = &c.title {
        fields.push(("title", title.as_str().into()));
    }
    if !c.tags.is_empty() {
        let tags: Array = c.tags.iter().map(String::as_str).collect();
        fields.push(("tags", Value::Array(tags)));
    }
    if let Some(note) = &c.note {
        fields.push(("note", note.as_str().into()));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::contacts::Contacts;
    use std::path::Path;

    fn contact(handle: &str, name: &str, email: &str) -> NewContact {
        NewContact {
            card: 1,
            handle: handle.into(),
            name: name.into(),
            email: email.into(),
            note: None,
            company: None,
            title: None,
            tags: Vec::new(),
        }
    }

    const FILE: &str = "# my contacts\n\n[ada]   # the countess\nname = \"Ada Lovelace\"  # full name\nemail = \"ada@example.com\"\nblurb = \"Writes programs.\"\n\n# colleagues below\n[sam]\nname = \"Sam\"\nemail = \"sam@example.org\"\n";

    #[test]
    fn appends_after_everything_and_keeps_comments() {
        let mut grace = contact("grace", "Grace Hopper", "grace@navy.example");
        grace.tags = vec!["navy".into(), "cobol".into()];
        grace.company = Some("US Navy".into());
        grace.note = Some("Line one\nline \"two\"".into());
        let out = apply(Some(FILE), &[grace], &[]).unwrap();
        assert!(
            out.starts_with(FILE),
            "the file is kept byte for byte:\n{out}"
        );
        assert!(
            out[FILE.len()..].starts_with("\n[grace]\nname = \"Grace Hopper\"\nemail = \"grace@navy.example\"\ncompany = \"US Navy\"\ntags = [\"navy\", \"cobol\"]\nnote = "),
            "{out}"
        );
        let raw: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(
            raw["grace"]["note"].as_str(),
            Some("Line one\nline \"two\"")
        );
        let parsed = Contacts::parse(&out, Path::new("c.toml")).unwrap();
        assert_eq!(parsed.len(), 3);
        let g = parsed.by_handle("grace").unwrap();
        assert_eq!(g.tags, ["navy", "cobol"]);
    }

    #[test]
    fn updates_in_place_keeping_other_fields_and_comments() {
        let mut ada = contact("ada", "Ada King", "ada@king.example");
        ada.title = Some("Countess".into());
        let out = apply(Some(FILE), &[], &[ada]).unwrap();
        assert!(out.contains("[ada]   # the countess\nname = \"Ada King\"  # full name\nemail = \"ada@king.example\"\nblurb = \"Writes programs.\"\ntitle = \"Countess\"\n\n# colleagues below\n[sam]"), "{out}");
    }

    #[test]
    fn a_missing_file_starts_with_a_header_and_handles_that_need_quotes_get_them() {
        let out = apply(None, &[contact("j.doe", "J Doe", "j@example.com")], &[]).unwrap();
        assert!(out.starts_with(HEADER), "{out}");
        assert_eq!(
            &out[HEADER.len()..],
            "\n[\"j.doe\"]\nname = \"J Doe\"\nemail = \"j@example.com\"\n"
        );
        let empty = apply(Some(""), &[contact("kay", "Kay", "k@example.com")], &[]).unwrap();
        assert!(empty.starts_with("[kay]\n"), "{empty}");
        let parsed = Contacts::parse(&out, Path::new("c.toml")).unwrap();
        assert_eq!(parsed.by_handle("j.doe").unwrap().name, "J Doe");
    }

    #[test]
    fn a_file_without_a_final_newline_or_with_inline_tables() {
        let text = "ada = { name = \"Ada\", email = \"ada@example.com\" }\n[sam]\nname = \"Sam\"\nemail = \"sam@example.org\"";
        let out = apply(
            Some(text),
            &[contact("kay", "Kay", "kay@example.com")],
            &[contact("ada", "Ada L", "ada@example.com")],
        )
        .unwrap();
        let parsed = Contacts::parse(&out, Path::new("c.toml")).unwrap();
        assert_eq!(parsed.by_handle("ada").unwrap().name, "Ada L");
        assert_eq!(parsed.by_handle("kay").unwrap().email, "kay@example.com");
        assert!(
            out.contains("email = \"sam@example.org\"\n\n[kay]\n"),
            "{out}"
        );
    }
}
