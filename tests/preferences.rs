//! What contacts ask of the user: `prefers = "direct"` (introduce me
//! without asking: `intro introduce A B --direct`), `prefers = "no-intros"`
//! (asks refused without `--force`) and `cooldown_days` (not again so soon).

#![allow(clippy::unwrap_used)]

use crate::support::held_sendmail::HeldSendmail;
use crate::support::mail_servers::{SmtpOptions, SmtpServer};
use crate::support::sandbox::{CONFIG, CONTACTS, Sandbox};

/// The test contacts, with `lines` added to `[ada]`.
fn ada_with(lines: &str) -> String {
    CONTACTS.replace(
        "company = \"Analytical Engines Ltd\"\n",
        &format!("company = \"Analytical Engines Ltd\"\n{lines}\n"),
    )
}

#[test]
fn bad_values_are_named_with_file_line_and_handle() {
    let sb = Sandbox::new();
    sb.write_contacts(&ada_with("prefers = \"sometimes\"\ncooldown_days = -3"));
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(
        err.contains("contacts.toml:9:11: contact `ada`: `prefers` is `sometimes`; it can be \"direct\" (introduce them without asking) or \"no-intros\" (do not ask them)"),
        "{err}"
    );
    assert!(
        err.contains("contacts.toml:10:17: contact `ada`: `cooldown_days` must be a whole number of days from 0 to 3650, e.g. `cooldown_days = 60`"),
        "{err}"
    );
    sb.write_contacts(&ada_with("cooldown_days = \"a month\""));
    let err = sb.fails(&["ask", "ada", "sam", "--why", "x", "--yes"], 1);
    assert!(
        err.contains("contact `ada`: `cooldown_days` must be"),
        "{err}"
    );
}

#[test]
fn contacts_json_shows_the_preferences() {
    let sb = Sandbox::new();
    sb.write_contacts(&ada_with("prefers = \"direct\"\ncooldown_days = 60"));
    let list = sb.json(&["contacts"]);
    let ada = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["handle"] == "ada")
        .unwrap();
    assert_eq!(ada["prefers"], "direct");
    assert_eq!(ada["cooldown_days"], 60);
    let sam = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["handle"] == "sam")
        .unwrap();
    assert!(sam["prefers"].is_null());
    assert!(sam["cooldown_days"].is_null());
    // Neither is a field templates see as `a.prefers`-style extras.
    assert!(sb.ok(&["contacts", "check"]).contains("contacts"));
}

#[test]
fn no_intros_refuses_an_ask_without_force_also_in_a_batch() {
    let sb = Sandbox::new();
    sb.write_contacts(&ada_with("prefers = \"no-intros\""));
    let err = sb.fails(&["ask", "ada", "sam", "--why", "compilers", "--yes"], 1);
    assert!(
        err.starts_with("error: `ada` prefers no introductions (`prefers = \"no-intros\"` in `"),
        "{err}"
    );
    assert!(err.contains("hint: pass `--force` to ask anyway"), "{err}");
    assert!(sb.outbox().is_empty());
    sb.ok(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "compilers",
        "--yes",
        "--force",
    ]);
    assert_eq!(sb.outbox().len(), 1);

    let file = sb.root().join("asks.csv");
    std::fs::write(&file, "a,b,why\nkay,sam,orbits\nada,kay,numbers\n").unwrap();
    let file = file.display().to_string();
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("`ada` prefers no introductions"), "{err}");
    assert_eq!(
        sb.outbox().len(),
        1,
        "nothing sent from a batch with a bad row"
    );
}

#[test]
fn direct_makes_ask_warn_and_suggest_introduce_direct() {
    let sb = Sandbox::new();
    sb.write_contacts(&ada_with("prefers = \"direct\""));
    let run = sb.run(&["ask", "ada", "sam", "--why", "compilers", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: `ada` prefers to be introduced directly (`prefers = \"direct\"`): `intro introduce ada sam --direct --why ...` introduces them without asking first"
        ),
        "{}",
        run.stderr
    );
    // A batch warns once per such contact.
    let file = sb.root().join("asks.csv");
    std::fs::write(&file, "a,b,why\nada,kay,numbers\nada,alan,codes\n").unwrap();
    let run = sb.run(&["ask", "--batch", &file.display().to_string(), "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr
            .matches("prefers to be introduced directly")
            .count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn cooldown_days_warns_when_asked_within_it() {
    let mut sb = Sandbox::new();
    let first = sb.ask("ada", "sam", "compilers");
    sb.ok(&["cancel", &first]);
    sb.set_now("2026-03-11T09:00:00Z");
    // Once in 90 days is within `asks_per_90_days` (3).
    let run = sb.run(&["ask", "ada", "kay", "--why", "numbers", "--dry-run"]);
    assert!(!run.stderr.contains("was asked"), "{}", run.stderr);
    sb.write_contacts(&ada_with("cooldown_days = 30"));
    let run = sb.run(&["ask", "ada", "kay", "--why", "numbers", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "warning: `ada` was asked in the last 30 days, their `cooldown_days` ({first} about `sam` on 2026-03-01)"
        )),
        "{}",
        run.stderr
    );
    // Past the cooldown, no warning.
    let second = run.stderr.split("(request ").nth(1).unwrap()[..8].to_string();
    sb.ok(&["cancel", &second]);
    sb.set_now("2026-03-20T09:00:00Z");
    sb.write_contacts(&ada_with("cooldown_days = 5"));
    let run = sb.run(&["ask", "ada", "alan", "--why", "codes", "--dry-run"]);
    assert!(!run.stderr.contains("cooldown_days"), "{}", run.stderr);
}

#[test]
fn introduce_direct_needs_prefers_direct_or_force() {
    let sb = Sandbox::new();
    let args = ["introduce", "ada", "sam", "--direct", "--why", "compilers"];
    let err = sb.fails(&args, 1);
    assert!(
        err.starts_with("error: `ada` has not said they prefer direct introductions: ask first with `intro ask ada sam --why ...`"),
        "{err}"
    );
    assert!(
        err.contains("add `prefers = \"direct\"` to `[ada]`"),
        "{err}"
    );
    assert!(err.contains("pass `--force`"), "{err}");
    assert!(sb.all_requests().is_empty(), "nothing recorded");
    // Forced, the history says so, not that A asked for it.
    let forced = sb.json(&[
        "introduce",
        "ada",
        "sam",
        "--direct",
        "--why",
        "compilers",
        "--force",
    ]);
    let note = forced["history"][0]["note"].as_str().unwrap().to_string();
    assert_eq!(note, "direct introduction without an ask (`--force`)");
    sb.ok(&["cancel", forced["id"].as_str().unwrap()]);
    // --why is required; B must be a contact.
    let err = sb.fails(&["introduce", "ada", "sam", "--direct"], 2);
    assert!(err.contains("--why"), "{err}");
    sb.write_contacts(&ada_with("prefers = \"direct\""));
    let err = sb.fails(&["introduce", "ada", "nobody", "--direct", "--why", "x"], 1);
    assert!(err.contains("unknown contact `nobody`"), "{err}");
}

#[test]
fn introduce_direct_drafts_then_sends_once_to_both_over_smtp() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n{}", server.smtp_table()));
    sb.write_contacts(&ada_with("prefers = \"direct\""));
    let args = [
        "introduce",
        "ada",
        "sam",
        "--direct",
        "--why",
        "you both work on compilers",
        "--wants",
        "advice on a parser",
    ];
    // A dry run shows it and records nothing.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let out = sb.ok(&dry);
    assert!(
        out.contains("I would like to introduce you to each other."),
        "{out}"
    );
    assert!(sb.all_requests().is_empty());
    assert!(sb.drafts().is_empty());

    // A draft first: recorded as an approved request, nothing sent.
    let out = sb.ok(&args);
    assert!(
        out.contains("I would like to introduce you to each other."),
        "{out}"
    );
    assert!(!out.contains("saying yes"), "{out}");
    assert!(
        out.contains("Ada, Sam hopes for advice on a parser."),
        "{out}"
    );
    let list = sb.all_requests();
    assert_eq!(list.len(), 1);
    let id = list[0]["id"].as_str().unwrap().to_string();
    assert_eq!(list[0]["status"], "approved");
    assert_eq!(list[0]["direct"], true);
    assert_eq!(sb.drafts().len(), 1);
    assert!(server.messages().is_empty());

    // Drafting again reuses the same request.
    sb.ok(&args);
    assert_eq!(sb.all_requests().len(), 1);

    let mut send = args.to_vec();
    send.extend(["--send", "--yes"]);
    let out = sb.ok(&send);
    assert_eq!(out, format!("{id} introduced\n"));
    let received = server.messages();
    assert_eq!(received.len(), 1, "one message to both");
    let to = received[0].header("To").unwrap();
    assert!(
        to.contains("ada@example.com") && to.contains("sam@example.org"),
        "{to}"
    );
    assert!(
        received[0]
            .body()
            .contains("I would like to introduce you to each other.")
    );
    let r = sb.request(&id);
    assert_eq!(r["status"], "introduced");
    assert!(sb.drafts().is_empty(), "the sent draft is removed");

    // A rerun sends nothing more.
    let err = sb.fails(&send, 1);
    assert!(
        err.starts_with(&format!(
            "error: `ada` and `sam` were introduced already (request {id}"
        )),
        "{err}"
    );
    assert_eq!(server.messages().len(), 1);

    // status and stats count it.
    let stats = sb.json(&["stats"]);
    assert!(stats.to_string().contains("introduced"), "{stats}");
    let all = sb.ok(&["status", "--all"]);
    assert!(all.contains(&id) && all.contains("introduced"), "{all}");
}

#[test]
fn introduce_direct_killed_after_acceptance_is_finished_once() {
    let sb = Sandbox::new();
    sb.write_contacts(&ada_with("prefers = \"direct\""));
    let mail = HeldSendmail::install(&sb, "");
    let send = [
        "introduce",
        "ada",
        "sam",
        "--direct",
        "--why",
        "compilers",
        "--send",
        "--yes",
    ];
    let id = mail.kill_after_acceptance(&sb, &send);
    let list = sb.all_requests();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "approved", "the send was not recorded");
    sb.ok(&send);
    let list = sb.all_requests();
    assert_eq!(list.len(), 1, "the same request, not a second");
    assert_eq!(list[0]["status"], "introduced");
    assert_eq!(mail.copies(&id), 2, "sent again with the same Message-ID");
    assert_eq!(
        mail.spooled(),
        [id.clone(), id.clone()],
        "nothing else was sent"
    );
    assert_eq!(
        sb.all_requests()[0]["history"].as_array().unwrap().len(),
        2,
        "approved, introduced"
    );
}
