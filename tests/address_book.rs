//! The address book at scale: a large contacts file costs memory in
//! proportion to the contacts kept, not to the TOML document; a file that
//! is more than a list of contacts' tables reads, and fails, as it always
//! has.

#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{CONTACTS, Sandbox, whole};

/// The contacts fixture and `n` more, each with a field templates may use,
/// as the batch benchmark writes them.
fn many_contacts(n: usize) -> String {
    let mut text = String::from(CONTACTS);
    for i in 0..n {
        text.push_str(&format!(
            "\n[p{i:06}]\nname = \"Person {i}\"\nemail = \"person{i:06}@example.com\"\ncompany = \"Acme Corp\"\n"
        ));
    }
    text
}

/// The peak resident memory of intro, in KiB, as its editor sees it: the
/// contacts are read by then, and `VmHWM` keeps the highest mark since
/// the process started.
fn peak_kib_with_contacts(text: &str) -> u64 {
    let mut sb = Sandbox::new();
    sb.write_contacts(text);
    let mark = sb.root().join("peak.txt");
    // The editor runs under `sh -c`, whose parent is intro.
    sb.set_env(
        "EDITOR",
        &format!("grep VmHWM /proc/$PPID/status > '{}'; true", mark.display()),
    );
    sb.ok(&["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"]);
    let line = std::fs::read_to_string(&mark).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Reading the whole document into values took some 27 bytes of memory
/// per byte of the file; one table at a time, intro keeps the contacts
/// and little else. Measured as the difference from a small file, so
/// that what the program itself occupies does not count.
#[test]
fn a_large_address_book_costs_little_more_memory_than_its_contacts() {
    let small = peak_kib_with_contacts(CONTACTS);
    let large_text = many_contacts(20_000);
    let large = peak_kib_with_contacts(&large_text);
    let grown = large.saturating_sub(small) * 1024;
    let per_byte = grown / large_text.len() as u64;
    assert!(
        per_byte <= 12,
        "{per_byte} bytes of memory per byte of contacts ({small} KiB, then {large} KiB)"
    );
}

/// The file's own text and places of errors, with the sandbox's path
/// taken out.
fn check_fails(text: &str) -> String {
    let sb = Sandbox::new();
    sb.write_contacts(text);
    let err = sb.fails(&["contacts", "check"], 1);
    let path = sb.config_dir().join("contacts.toml");
    whole(&err).replace(&path.display().to_string(), "contacts.toml")
}

#[test]
fn a_value_before_the_first_contact_is_named_in_plain_words() {
    let err = check_fails(&format!("owner = \"me\"\n{CONTACTS}"));
    insta::assert_snapshot!(err, @r#"
    error: 1 problem in the setup
      contacts.toml:1:9: `owner` must be a table, not the string "me"
    hint: fix each line above, then run `intro contacts check` again
    "#);
}

#[test]
fn a_number_too_large_for_any_value_is_named_in_plain_words() {
    let err = check_fails(&format!(
        "{CONTACTS}\n[zed]\nname = \"Zed\"\nemail = \"zed@example.com\"\nsize = 99999999999999999999\n"
    ));
    let line = CONTACTS.lines().count() + 5;
    assert!(
        err.contains(&format!(
            "contacts.toml:{line}:8: `size` is the number 99999999999999999999, larger than a TOML number can be\n"
        )),
        "{err}"
    );
}

#[test]
fn an_array_of_tables_and_other_problems_are_named_as_before() {
    let err = check_fails(
        "[ada]\nname = \"Ada L\"\nemail = \"nope\"\n[bob]\nname = 3\nemail = \"b@example.com\"\n[[cy]]\nname = \"C\"\n",
    );
    insta::assert_snapshot!(err, @r"
    error: 1 problem in the setup
      contacts.toml:7:1: `[[cy]]` is an array of tables; a contact or a setting is one table: `[cy]`
    hint: fix each line above, then run `intro contacts check` again
    ");
    let err = check_fails(
        "[ada]\nname = \"Ada L\"\nemail = \"ada@example.com\"\n[bob]\nemail = \"bob@example.com\"\n[ada]\nname = \"x\"\n",
    );
    insta::assert_snapshot!(err, @r"
    error: 2 problems in the setup
      contacts.toml:4:2: contact `bob`: missing field `name`
      contacts.toml:6:1: handle `ada` is defined more than once, on lines 1 and 6
    hint: fix each line above, then run `intro contacts check` again
    ");
}

/// A contact's table continued under a second header, and a text that
/// holds a line like a header, are one contact, as TOML says.
#[test]
fn a_table_over_two_headers_and_a_header_inside_a_text_are_one_contact() {
    let sb = Sandbox::new();
    sb.write_contacts(
        "[ada]\nname = \"Ada L\"\nemail = \"ada@example.com\"\nnote = \"\"\"\n[bob]\nname = \"B\"\n\"\"\"\n[ada.links]\nsite = \"x\"\n\n[sam]\nname = \"Sam Builder\"\nemail = \"sam@example.org\"\n",
    );
    let out = sb.ok(&["contacts", "check"]);
    assert!(out.contains("ok: 2 contacts in"), "{out}");
    let list = sb.json(&["contacts"]);
    let handles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["ada", "sam"]);
}
