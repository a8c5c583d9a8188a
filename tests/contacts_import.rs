//! `intro contacts import` end to end, on vCard files in the shapes real
//! address books export (tests/fixtures/vcards/): what is added under which
//! handle, what is skipped and why, and that the contacts file keeps its
//! comments and layout.

use std::path::PathBuf;

use crate::support::sandbox::{CONTACTS, Sandbox};
use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vcards")
        .join(name)
        .display()
        .to_string()
}

fn contacts_file(sb: &Sandbox) -> PathBuf {
    sb.config_dir().join("contacts.toml")
}

fn contacts_text(sb: &Sandbox) -> String {
    std::fs::read_to_string(contacts_file(sb)).expect("the contacts file exists")
}

/// The contacts file as TOML, to see fields `intro contacts` does not show.
fn raw(sb: &Sandbox) -> toml::Table {
    toml::from_str(&contacts_text(sb)).expect("the contacts file is TOML")
}

fn import(sb: &Sandbox, file: &str) -> Value {
    sb.json(&["contacts", "import", &fixture(file)])
}

/// `(handle, email)` of each added contact.
fn added(v: &Value) -> Vec<(String, String)> {
    let list = v["added"].as_array().expect("`added` is an array");
    list.iter()
        .map(|c| (c["handle"].to_string(), c["email"].to_string()))
        .collect()
}

/// The same pairs, as JSON strings print.
fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(h, e)| (Value::from(*h).to_string(), Value::from(*e).to_string()))
        .collect()
}

#[test]
fn apple_cards_use_the_preferred_grouped_address_and_keep_the_file() {
    let sb = Sandbox::new();
    let v = import(&sb, "apple.vcf");
    // `ada` is taken by another Ada: the full name, never the old contact.
    assert_eq!(
        added(&v),
        pairs(&[
            ("ada-lovelace", "ada@analytical.example"),
            ("margaret", "margaret@apollo.example"),
        ])
    );
    assert_eq!(v["dry_run"], false);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 0);
    assert_eq!(v["added"][0]["company"], "Analytical Engines Ltd");
    assert_eq!(v["added"][0]["title"], "Programmer");
    assert_eq!(
        v["added"][0]["tags"],
        serde_json::json!(["advisor", "compilers"])
    );
    assert!(v["added"][0].get("note").is_none(), "notes stay private");

    let text = contacts_text(&sb);
    assert!(
        text.starts_with(CONTACTS),
        "the old file is kept byte for byte, comments included:\n{text}"
    );
    let raw = raw(&sb);
    assert_eq!(
        raw["ada-lovelace"]["note"].as_str(),
        Some("Met at the Royal Society dinner.\nAsk about the Engine.")
    );
    assert_eq!(raw["ada"]["email"].as_str(), Some("ada@example.com"));
    assert_eq!(
        raw["margaret"]["company"].as_str(),
        Some("MIT Instrumentation Laboratory")
    );
    let list = sb.json(&["contacts"]);
    assert_eq!(list.as_array().unwrap().len(), 7);
    // The new contacts work at once, by handle or full name.
    sb.ok(&["contacts", "check"]);
    sb.ask("Margaret Hamilton", "ada-lovelace", "software for flight");
}

#[test]
fn google_cards_transliterate_handles_and_skip_known_addresses() {
    let sb = Sandbox::new();
    let v = import(&sb, "google.vcf");
    assert_eq!(
        added(&v),
        pairs(&[
            ("jose", "jose.nunez@example.org"),
            ("zoe", "zoe@example.se")
        ])
    );
    let skipped = &v["skipped"][0];
    assert_eq!(skipped["card"], 3);
    assert_eq!(skipped["name"], "Ada Lovelace");
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .contains("`ada@example.com` is already a contact (`ada`)"),
        "{skipped}"
    );
    let jose = &v["added"][0];
    assert_eq!(jose["name"], "José Núñez");
    assert_eq!(jose["company"], "Fábrica Solar");
    // Google's every-contact group is not a tag.
    assert_eq!(jose["tags"], serde_json::json!(["Founders", "starred"]));
    assert_eq!(v["added"][1]["tags"], serde_json::json!([]));
    assert_eq!(
        raw(&sb)["jose"]["note"].as_str(),
        Some("Solar inverters, batteries; knows every installer in Madrid.")
    );
    assert!(raw(&sb)["zoe"].get("tags").is_none(), "no empty tags array");
}

#[test]
fn android_and_khard_4_0_cards() {
    let sb = Sandbox::new();
    let v = import(&sb, "android.vcf");
    assert_eq!(
        added(&v),
        pairs(&[
            ("chidi", "chidi@home.example"),
            ("priya", "priya@first.example")
        ]),
        "PREF=1 wins over order and over PREF=2"
    );
    let v = import(&sb, "khard.vcf");
    assert_eq!(added(&v), pairs(&[("grace", "grace@navy.example")]));
    assert_eq!(v["added"][0]["name"], "Grace Brewster Hopper");
    assert_eq!(v["added"][0]["company"], "United States Navy");
    assert_eq!(v["added"][0]["title"], "Rear Admiral");
    assert_eq!(v["added"][0]["tags"], serde_json::json!(["navy", "cobol"]));
}

#[test]
fn outlook_quoted_printable_and_windows_1252_are_decoded() {
    let sb = Sandbox::new();
    let v = import(&sb, "outlook.vcf");
    assert_eq!(
        added(&v),
        pairs(&[
            ("jurgen", "juergen@mueller.example"),
            ("francois", "francois@dubois.example")
        ])
    );
    assert_eq!(v["added"][0]["name"], "Jürgen Müller");
    assert_eq!(v["added"][0]["company"], "Müller GmbH");
    assert_eq!(v["added"][0]["title"], "Geschäftsführer");
    assert_eq!(v["added"][1]["name"], "François Dubois");
    assert_eq!(
        raw(&sb)["jurgen"]["note"].as_str(),
        Some(
            "Kennengelernt auf der Hannover Messe, Halle 7.\nInteressiert an Software für Windkraft."
        )
    );
}

#[test]
fn crlf_and_folded_lines_and_a_card_without_email() {
    let sb = Sandbox::new();
    let v = import(&sb, "folded-crlf.vcf");
    assert_eq!(
        added(&v),
        pairs(&[(
            "bartholomew",
            "bartholomew.montgomery-featherstonehaugh@very-long-domain-name.example"
        )])
    );
    assert_eq!(
        v["added"][0]["name"],
        "Bartholomew Montgomery-Featherstonehaugh de la Tour d'Auvergne Ŝtępień"
    );
    assert_eq!(
        v["added"][0]["tags"],
        serde_json::json!(["climate", "grid storage", "investors"])
    );
    assert_eq!(
        v["skipped"],
        serde_json::json!([{ "card": 2, "name": "Nobody Without Mail", "email": null, "reason": "no email address" }])
    );
    let note = raw(&sb)["bartholomew"]["note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        note.contains("climate tech, grid storage and the people who build it."),
        "{note}"
    );
}

#[test]
fn header_injection_and_bad_cards_are_refused_with_reasons() {
    let sb = Sandbox::new();
    let before = contacts_text(&sb);
    let run = sb.run(&["contacts", "import", &fixture("problems.vcf")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run
        .stdout
        .replace(&contacts_file(&sb).display().to_string(), "<contacts>");
    insta::assert_snapshot!("import_problems_report", out);
    let text = contacts_text(&sb);
    assert!(
        !text.contains("victim") && !text.contains("Mallory"),
        "{text}"
    );
    assert!(!text.contains("not-an-address"));
    assert_eq!(
        &text[before.len()..],
        "\n[hiro]\nname = \"Hiro Nakamura\"\nemail = \"hiro@example.jp\"\n"
    );
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let sb = Sandbox::new();
    let before = contacts_text(&sb);
    let run = sb.run(&["contacts", "import", &fixture("google.vcf"), "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("would add 2 contacts to `"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("jose"), "{}", run.stdout);
    assert!(run.stderr.contains("dry run: nothing was written"));
    assert_eq!(contacts_text(&sb), before);
    let v = sb.json(&["contacts", "import", &fixture("google.vcf"), "--dry-run"]);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["added"].as_array().unwrap().len(), 2);
    assert_eq!(contacts_text(&sb), before);
}

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let sb = Sandbox::new();
    import(&sb, "apple.vcf");
    let once = contacts_text(&sb);
    let v = import(&sb, "apple.vcf");
    assert_eq!(v["added"].as_array().unwrap().len(), 0);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(contacts_text(&sb), once);
    let out = sb.ok(&["contacts", "import", &fixture("apple.vcf")]);
    assert!(out.starts_with("nothing to add to `"), "{out}");
}

#[test]
fn force_updates_a_known_contact_in_place_and_keeps_its_other_fields() {
    let sb = Sandbox::new();
    let card = sb.root().join("ada.vcf");
    sb.write(
        &card,
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ada King\nEMAIL:ada@example.com\nTITLE:Countess of Lovelace\nEND:VCARD\n",
    );
    let card = card.display().to_string();
    let v = sb.json(&["contacts", "import", &card]);
    assert_eq!(v["added"].as_array().unwrap().len(), 0);
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("`--force` updates it"),
        "{v}"
    );
    assert_eq!(raw(&sb)["ada"]["name"].as_str(), Some("Ada Lovelace"));

    let v = sb.json(&["contacts", "import", &card, "--force"]);
    assert_eq!(v["updated"][0]["handle"], "ada");
    let raw = raw(&sb);
    let ada = &raw["ada"];
    assert_eq!(ada["name"].as_str(), Some("Ada King"));
    assert_eq!(ada["title"].as_str(), Some("Countess of Lovelace"));
    assert_eq!(
        ada["blurb"].as_str(),
        Some("Writes the first programs for the Analytical Engine."),
        "fields the card lacks are kept"
    );
    assert_eq!(ada["note"].as_str(), Some("PRIVATE-NOTE-ADA"));
    assert_eq!(raw.len(), 5, "no new contact");
    let text = contacts_text(&sb);
    assert!(
        text.starts_with("# test contacts\n[ada]\nname = \"Ada King\""),
        "{text}"
    );
}

#[test]
fn a_missing_contacts_file_is_created_privately() {
    let sb = Sandbox::empty();
    sb.write_config(crate::support::sandbox::CONFIG);
    let v = import(&sb, "khard.vcf");
    assert_eq!(added(&v), pairs(&[("grace", "grace@navy.example")]));
    let text = contacts_text(&sb);
    assert!(text.starts_with("# intro contacts"), "{text}");
    assert!(text.contains("\n[grace]\nname = \"Grace Brewster Hopper\"\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(contacts_file(&sb))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    sb.ok(&["contacts", "check"]);
}

#[test]
fn reads_standard_input() {
    let sb = Sandbox::new();
    let vcf = std::fs::read_to_string(fixture("khard.vcf")).unwrap();
    let run = sb.run_with_stdin(&["contacts", "import", "-", "--json"], Some(&vcf));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["added"][0]["handle"], "grace");
}

#[cfg(unix)]
#[test]
fn a_symlinked_contacts_file_stays_a_symlink() {
    let sb = Sandbox::new();
    let real = sb.root().join("dotfiles").join("contacts.toml");
    sb.write(&real, CONTACTS);
    std::fs::remove_file(contacts_file(&sb)).unwrap();
    std::os::unix::fs::symlink(&real, contacts_file(&sb)).unwrap();
    import(&sb, "khard.vcf");
    let meta = std::fs::symlink_metadata(contacts_file(&sb)).unwrap();
    assert!(meta.file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().contains("[grace]"));
}

#[test]
fn bad_input_is_an_error_and_changes_nothing() {
    let sb = Sandbox::new();
    let before = contacts_text(&sb);
    let csv = sb.root().join("contacts.csv");
    sb.write(&csv, "name,email\nAda,ada@example.com\n");
    let err = sb.fails(&["contacts", "import", &csv.display().to_string()], 1);
    assert!(err.contains("is not a vCard file: no vCard in it"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    let err = sb.fails(&["contacts", "import", "/nonexistent/x.vcf"], 1);
    assert!(
        err.starts_with("error: cannot read `/nonexistent/x.vcf`"),
        "{err}"
    );
    assert_eq!(contacts_text(&sb), before);

    // A broken contacts file is reported, not overwritten.
    sb.write_contacts("[ada]\nname = \"Ada\"\n");
    let err = sb.fails(&["contacts", "import", &fixture("khard.vcf")], 1);
    assert!(err.contains("missing field `email`"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(contacts_text(&sb), "[ada]\nname = \"Ada\"\n");

    // Usage errors are clap's.
    sb.fails(&["contacts", "import"], 2);
}
