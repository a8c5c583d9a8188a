//! A store written by an older intro reads the same in this one: the
//! fixtures under `tests/fixtures/store-v2/` and `store-v3/` (each made by
//! its `make.sh` with the intro of that format) hold a request in every
//! state, on both sides, in the snapshot, the journal and the archive;
//! `status` shows each one as that intro did, in text and JSON (which has
//! gained `forward_note` and `direction` since), before and after a write
//! upgrades the store's files.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::support::sandbox::Sandbox;

/// The store format this intro writes.
const FORMAT: u64 = 4;

/// The fixture of store format `version`.
fn fixture(version: u64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/store-v{version}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A sandbox holding the fixture's config, contacts and store, its clock
/// where `make.sh` left it.
fn sandbox(version: u64) -> Sandbox {
    let mut sb = Sandbox::empty();
    sb.set_now("2026-03-12T09:00:00Z");
    sb.write_config(&read(&fixture(version).join("config.toml")));
    sb.write_contacts(&read(&fixture(version).join("contacts.toml")));
    std::fs::create_dir_all(sb.data_dir()).unwrap();
    for file in ["requests.json", "requests.log", "archive.json"] {
        std::fs::copy(
            fixture(version).join("data").join(file),
            sb.data_dir().join(file),
        )
        .unwrap();
    }
    sb
}

fn expected(version: u64, name: &str) -> String {
    read(&fixture(version).join("expected").join(name))
}

/// `status --all --json`, `status --all` and `status ID` for every
/// request, as `make.sh` recorded them, but leaving out the request `skip`.
fn assert_shows_as_before(sb: &Sandbox, version: u64, skip: Option<&str>) {
    let want_json: serde_json::Value =
        serde_json::from_str(&expected(version, "status-all.json")).unwrap();
    let mut got_json = sb.json(&["status", "--all"]);
    if let Some(skip) = skip {
        got_json.as_array_mut().unwrap().retain(|r| r["id"] != skip);
    }
    assert_eq!(got_json, want_json, "`status --all --json` reads as before");
    // Field names and order too, not just values.
    let run = sb.run(&["status", "--all", "--json"]);
    if skip.is_none() {
        assert_eq!(run.stdout, expected(version, "status-all.json"));
    }

    let got_text: String = sb
        .ok(&["--color", "never", "status", "--all"])
        .lines()
        .filter(|l| skip.is_none_or(|id| !l.starts_with(id)))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(got_text, expected(version, "status-all.txt"));

    let mut each = String::new();
    for r in want_json.as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        each.push_str(&format!("## intro status {id}\n"));
        each.push_str(&sb.ok(&["--color", "never", "status", id]));
    }
    assert_eq!(each, expected(version, "status-each.txt"));
}

/// The format version in the first line of a store file.
fn format_of(sb: &Sandbox, file: &str) -> u64 {
    let text = read(&sb.data_dir().join(file));
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    header["intro_store"].as_u64().unwrap()
}

/// The store of format `version` reads as that intro showed it; a write
/// moves it to this intro's format, and it still reads the same.
fn reads_the_same_and_after_a_write_too(version: u64) {
    let sb = sandbox(version);
    assert_eq!(
        format_of(&sb, "requests.json"),
        version,
        "the fixture is format {version}"
    );
    assert_shows_as_before(&sb, version, None);

    // A write: a new ask, which also moves the store to this intro's format.
    let new = sb.ask("ada", "alan", "a write to upgrade the store");
    assert_eq!(format_of(&sb, "requests.json"), FORMAT);
    let snapshot = read(&sb.data_dir().join("requests.json"));
    let requests: Vec<&str> = snapshot
        .lines()
        .filter(|l| l.starts_with("{\"id\""))
        .collect();
    assert!(!requests.is_empty());
    for line in requests {
        assert!(
            line.contains("\"a_side\":{"),
            "rewritten in today's shape: {line}"
        );
    }
    assert_shows_as_before(&sb, version, Some(&new));
    assert_eq!(sb.request(&new)["status"], "asked");
}

#[test]
fn a_format_2_store_shows_the_same_and_after_a_write_too() {
    reads_the_same_and_after_a_write_too(2);
}

#[test]
fn a_format_3_store_shows_the_same_and_after_a_write_too() {
    reads_the_same_and_after_a_write_too(3);
}
