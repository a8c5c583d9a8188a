//! The store's archive end to end: once enough changes pile up, closed
//! requests move out of the snapshot into `archive.json`, and every
//! command still sees them where it should: `status` (listing open ones
//! without reading the archive), `status ID`, `status --all`, `stats`, and
//! the ask-fatigue warning of a new ask.
#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{CONFIG, CONTACTS, Sandbox, ids_in};

/// How many asks the batch makes: enough changes that the journal is
/// folded and the closed requests are archived.
const ROWS: usize = 80;

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n[limits]\nasks_per_90_days = 2\n"));
    let mut contacts = CONTACTS.to_string();
    for i in 0..ROWS {
        contacts.push_str(&format!(
            "\n[p{i}]\nname = \"Person {i}\"\nemail = \"p{i}@example.com\"\n"
        ));
    }
    sb.write_contacts(&contacts);
    sb
}

/// Request lines of a store file (not its header, not the snapshot's index).
fn request_ids(sb: &Sandbox, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(sb.data_dir().join(file)).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}

/// A batch of asks (p0..p{ROWS} about sam), all cancelled the next day:
/// far more changes than the journal holds before it is folded into a new
/// snapshot, which moves the closed requests to the archive.
fn ask_and_cancel_a_batch(sb: &mut Sandbox) {
    let mut csv = String::from("a,b,why\n");
    for i in 0..ROWS {
        csv.push_str(&format!("p{i},sam,batch {i}\n"));
    }
    let batch = sb.root().join("asks.csv");
    sb.write(&batch, &csv);
    sb.ok(&["ask", "--batch", batch.to_str().unwrap(), "--yes"]);
    sb.set_now("2026-03-02T09:00:00Z");
    for r in sb.json(&["status"]).as_array().unwrap() {
        sb.ok(&["cancel", r["id"].as_str().unwrap()]);
    }
}

#[test]
fn closed_requests_are_archived_and_still_found_everywhere() {
    let mut sb = sandbox();
    let first = sb.ask("ada", "sam", "one");
    let second = sb.ask("ada", "kay", "two");
    sb.ok(&["cancel", &first]);
    sb.ok(&["decline", &second]);
    ask_and_cancel_a_batch(&mut sb);
    let kept = sb.ask("kay", "sam", "still open");

    let archived = request_ids(&sb, "archive.json");
    assert!(
        archived.contains(&first) && archived.contains(&second),
        "ada's closed requests were archived: {archived:?}"
    );
    let snapshot = request_ids(&sb, "requests.json");
    assert!(
        !snapshot.contains(&first),
        "the snapshot holds open requests only: {snapshot:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["archive.json", "requests.json", "requests.log"] {
            let meta = std::fs::metadata(sb.data_dir().join(file)).unwrap();
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
        }
    }

    // `status` lists the open one, `--all` every one.
    let open = sb.json(&["status"]);
    let ids = ids_in(&open);
    assert_eq!(ids, [kept.as_str()]);
    let all = sb.json(&["status", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), ROWS + 3);
    // An archived request by id, and by a prefix of its id.
    let detail = sb.json(&["status", &first]);
    assert_eq!(detail[0]["status"], "cancelled");
    let prefix = &second[..6];
    let run = sb.run(&["status", prefix, "--json"]);
    if run.code == 0 {
        assert_eq!(run.json()[0]["id"], second.as_str());
    } else {
        // The prefix also starts another id: ambiguous, naming both.
        assert!(run.stderr.contains(&second), "{}", run.stderr);
    }
    // Closed is final, archived or not.
    let err = sb.fails(&["approve", &first], 1);
    assert!(err.contains("cancelled"), "{err}");
    // stats counts every request.
    let stats = sb.json(&["stats"]);
    assert_eq!(stats["total"], ROWS + 3);

    // Ask fatigue sees the archived asks of A: ada was asked twice in the
    // last 90 days (the limit is 2), both requests now archived.
    let run = sb.run(&["ask", "ada", "alan", "--why", "three", "--dry-run"]);
    assert!(
        run.stderr
            .contains("`ada` was asked 2 times in the last 90 days, the limit is 2"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&first) && run.stderr.contains(&second),
        "{}",
        run.stderr
    );
    // And a clock set back before the index's window reads the archive.
    sb.set_now("2025-12-15T09:00:00Z");
    let run = sb.run(&["ask", "p1", "kay", "--why", "early", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn archived_requests_are_listed_once() {
    // A request moves from the snapshot and journal to the archive: every
    // reader sees it exactly once, wherever it is read from.
    let mut sb = sandbox();
    ask_and_cancel_a_batch(&mut sb);
    sb.ask("kay", "sam", "after");
    let archived = request_ids(&sb, "archive.json");
    assert!(archived.len() >= ROWS / 2, "{}", archived.len());
    let all = sb.json(&["status", "--all"]);
    let mut ids = ids_in(&all);
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "every id is unique");
    assert_eq!(count, ROWS + 1);
}

#[test]
fn only_commands_that_need_closed_requests_read_the_archive() {
    let mut sb = sandbox();
    ask_and_cancel_a_batch(&mut sb);
    let open = sb.ask("kay", "sam", "still open");
    // Damage the archive: what reads it says so, naming the file and line;
    // what needs only open requests goes on.
    let archive = sb.data_dir().join("archive.json");
    let mut text = std::fs::read_to_string(&archive).unwrap();
    let lines = text.lines().count();
    text.push_str("{not json}\n");
    std::fs::write(&archive, text).unwrap();
    let err = sb.fails(&["status", "--all"], 1);
    assert!(
        err.contains(&format!("archive.json` line {} is damaged", lines + 1)),
        "{err}"
    );
    assert!(sb.fails(&["stats"], 1).contains("archive.json"));
    let listed = sb.json(&["status"]);
    assert_eq!(listed[0]["id"], open.as_str());
    assert_eq!(sb.json(&["status", &open])[0]["status"], "asked");
    sb.ok(&["approve", &open]);
    sb.ok(&["ask", "p1", "kay", "--why", "again", "--yes"]);
}
