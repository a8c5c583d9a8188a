//! The ask-first loop end to end on the outbox transport: init, contacts,
//! ask, status, approve/decline/cancel, follow-up, introduce.

#![allow(clippy::unwrap_used)]

mod support;

use support::sandbox::{Sandbox, body, header, stable};

#[test]
fn init_writes_samples_and_refuses_to_overwrite() {
    let sb = Sandbox::empty();
    let out = sb.ok(&["init"]);
    assert!(
        out.contains("config.toml") && out.contains("contacts.toml"),
        "{out}"
    );
    let config = sb.config_dir().join("config.toml");
    assert!(config.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "config is private");
    }
    // The samples are valid as written.
    sb.ok(&["contacts", "check"]);
    let err = sb.fails(&["init"], 1);
    assert!(
        err.contains("already exists") && err.contains("hint: pass `--force`"),
        "{err}"
    );
    std::fs::write(&config, "garbage").unwrap();
    sb.ok(&["init", "--force"]);
    assert!(std::fs::read_to_string(&config).unwrap().contains("[me]"));
}

#[test]
fn contacts_lists_as_table_and_json() {
    let sb = Sandbox::new();
    let out = sb.ok(&["contacts"]);
    assert!(out.lines().next().unwrap().starts_with("HANDLE"), "{out}");
    assert!(
        out.contains("ada") && out.contains("Ada Lovelace") && out.contains("advisor, compilers")
    );
    let v = sb.json(&["contacts"]);
    let ada = &v.as_array().unwrap()[0];
    assert_eq!(ada["handle"], "ada");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["tags"][1], "compilers");
    assert_eq!(
        ada["blurb"],
        "Writes the first programs for the Analytical Engine."
    );
    assert!(ada.get("note").is_none(), "private notes stay out of JSON");
    assert_eq!(v.as_array().unwrap().len(), 5);
}

#[test]
fn ask_sends_to_a_only_and_records_the_request() {
    let sb = Sandbox::new();
    let v = sb.json(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "you both work on compilers",
        "--wants",
        "twenty minutes of advice",
        "--format",
        "a video call",
        "--note",
        "Hope the new lab is treating you well!",
        "--yes",
    ]);
    let id = v["id"].as_str().unwrap();
    assert_eq!(id.len(), 8);
    assert_eq!(v["a"], "ada");
    assert_eq!(v["b"], "sam");
    assert_eq!(v["status"], "asked");
    assert_eq!(v["why"], "you both work on compilers");
    assert_eq!(v["wants"], "twenty minutes of advice");
    assert_eq!(v["format"], "a video call");
    assert_eq!(v["note"], "Hope the new lab is treating you well!");
    assert_eq!(v["created_at"], "2026-03-01T09:00:00Z");
    assert_eq!(v["asked_at"], "2026-03-01T09:00:00Z");
    assert_eq!(v["updated_at"], "2026-03-01T09:00:00Z");
    assert_eq!(v["followups"], 0);
    assert_eq!(v["due"], false);
    assert!(v["reply"].is_null());
    let message_id = v["message_id"].as_str().unwrap();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@example.com>"),
        "{message_id}"
    );

    let outbox = sb.outbox();
    assert_eq!(outbox.len(), 1);
    let msg = &outbox[0].1;
    assert_eq!(
        header(msg, "To").unwrap(),
        "\"Ada Lovelace\" <ada@example.com>"
    );
    assert_eq!(
        header(msg, "From").unwrap(),
        "\"Grace Hopper\" <grace@example.com>"
    );
    assert_eq!(header(msg, "Message-ID").unwrap(), message_id);
    assert!(header(msg, "Cc").is_none() && header(msg, "Bcc").is_none());
    assert!(
        !msg.contains("sam@example.org"),
        "B is never a recipient, nor named by address"
    );
    assert!(
        !msg.contains("PRIVATE-NOTE-ADA"),
        "contact notes are never rendered"
    );
    insta::assert_snapshot!("ask_message", stable(msg));
}

#[test]
fn the_ask_without_optional_fields_still_reads_well() {
    let sb = Sandbox::new();
    sb.ask("alan", "kay", "Kay needs help with orbital mechanics");
    let msg = &sb.outbox()[0].1;
    let text = body(msg);
    assert!(text.starts_with("Hi Alan,\n"), "{text}");
    assert!(text.contains("no worries at all"), "an easy no: {text}");
    assert!(!text.contains("hoping for"), "{text}");
    insta::assert_snapshot!("ask_minimal_body", text);
}

#[test]
fn names_resolve_by_handle_email_and_full_name() {
    let sb = Sandbox::new();
    let v = sb.json(&[
        "ask",
        "ADA@example.com",
        "Sam Builder",
        "--why",
        "w",
        "--yes",
    ]);
    assert_eq!(
        (v["a"].as_str(), v["b"].as_str()),
        (Some("ada"), Some("sam"))
    );
}

#[test]
fn status_lists_open_requests_newest_first_with_next_step() {
    let mut sb = Sandbox::new();
    let first = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-02T09:00:00Z");
    let second = sb.ask("kay", "sam", "orbits");
    sb.set_now("2026-03-06T09:00:00Z");
    let out = sb.ok(&["status"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("NEXT"),
        "{out}"
    );
    assert!(lines[1].starts_with(&second), "newest first: {out}");
    assert!(lines[2].starts_with(&first), "{out}");
    assert!(
        lines[2].contains(&format!("follow up: `intro followup {first}`")),
        "{out}"
    );
    assert!(lines[1].contains("follow-up due in 1d"), "{out}");

    let due = sb.json(&["status", "--due"]);
    let ids: Vec<&str> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [first.as_str()]);
    assert_eq!(due[0]["due"], true);

    sb.ok(&["cancel", &second]);
    let open = sb.json(&["status"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    let all = sb.json(&["status", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[test]
fn status_of_one_request_shows_its_history() {
    let mut sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-03T10:00:00Z");
    sb.ok(&["approve", &id[..4], "--note", "said yes on the phone"]);
    let out = sb.ok(&["status", &id[..5]]);
    assert!(out.contains(&format!("request:     {id}")), "{out}");
    assert!(out.contains("state:       approved"), "{out}");
    assert!(out.contains("2026-03-01T09:00:00Z  asked"), "{out}");
    assert!(
        out.contains("2026-03-03T10:00:00Z  approved: said yes on the phone"),
        "{out}"
    );
    let v = sb.json(&["status", &id]);
    assert!(v.is_array(), "status --json is always an array");
    assert_eq!(v[0]["history"][1]["event"], "approved");
}

#[test]
fn approve_then_introduce_draft_then_send() {
    let mut sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "you both work on compilers");
    let err = sb.fails(&["introduce", &id], 1);
    assert!(
        err.contains("is asked") && err.contains("intro approve"),
        "{err}"
    );

    sb.set_now("2026-03-02T09:00:00Z");
    let v = sb.json(&["approve", &id]);
    assert_eq!(v["status"], "approved");
    assert_eq!(v["updated_at"], "2026-03-02T09:00:00Z");

    let out = sb.ok(&["introduce", &id]);
    assert!(
        out.contains("To: \"Ada Lovelace\" <ada@example.com>, \"Sam Builder\" <sam@example.org>"),
        "{out}"
    );
    let drafts = sb.drafts();
    assert_eq!(drafts.len(), 1);
    assert!(
        out.contains(&format!(
            "draft saved: {}",
            sb.data_dir().join("drafts").join(&drafts[0].0).display()
        )),
        "{out}"
    );
    assert_eq!(
        sb.request(&id)["status"],
        "approved",
        "a draft changes nothing"
    );
    insta::assert_snapshot!("introduction_message", stable(&drafts[0].1));

    sb.fails(&["introduce", &id, "--send"], 2);
    let v = sb.json(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(v["status"], "introduced");
    let intro = sb
        .outbox()
        .into_iter()
        .find(|(n, _)| n.contains(".intro."))
        .expect("intro in outbox");
    let to = header(&intro.1, "To").unwrap();
    assert!(
        to.contains("ada@example.com") && to.contains("sam@example.org"),
        "{to}"
    );
    assert!(body(&intro.1).contains("thank you for saying yes"));
    let err = sb.fails(&["introduce", &id, "--send", "--yes"], 1);
    assert!(err.contains("is introduced"), "{err}");
}

#[test]
fn decline_with_tell_b_drafts_a_graceful_note() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    let run = sb.run(&["decline", &id, "--tell-b", "--note", "swamped until June"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("To: \"Sam Builder\" <sam@example.org>"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("swamped"),
        "the private note stays private"
    );
    let drafts = sb.drafts();
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].0.ends_with("-decline.eml"));
    insta::assert_snapshot!("decline_note_body", body(&drafts[0].1));
    let r = sb.request(&id);
    assert_eq!(r["status"], "declined");
    assert_eq!(r["history"][1]["note"], "swamped until June");
    assert_eq!(sb.outbox().len(), 1, "the note to B is a draft, not sent");
    // A declined pair can be asked again.
    sb.ask("ada", "sam", "compilers, a year later");
}

#[test]
fn illegal_transitions_are_refused_with_a_hint() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["cancel", &id]);
    for args in [
        vec!["approve", id.as_str()],
        vec!["decline", id.as_str()],
        vec!["cancel", id.as_str()],
        vec!["followup", id.as_str(), "--yes"],
        vec!["introduce", id.as_str()],
    ] {
        let err = sb.fails(&args, 1);
        assert!(err.contains("is cancelled"), "{args:?}: {err}");
        assert!(err.contains("hint: "), "{args:?}: {err}");
    }
    let id2 = sb.ask("ada", "sam", "compilers again");
    sb.ok(&["decline", &id2]);
    let err = sb.fails(&["approve", &id2], 1);
    assert!(err.contains("is declined; it cannot be approved"), "{err}");
    let id3 = sb.ask("kay", "sam", "orbits");
    sb.ok(&["approve", &id3]);
    let err = sb.fails(&["followup", &id3, "--yes"], 1);
    assert!(
        err.contains("is approved") && err.contains("intro introduce"),
        "{err}"
    );
}

#[test]
fn followup_threads_in_the_ask_and_stops_at_max() {
    let mut sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    let ask_id = sb.request(&id)["message_id"].as_str().unwrap().to_string();
    sb.set_now("2026-03-06T09:00:00Z");
    assert_eq!(sb.request(&id)["due"], true);
    let v = sb.json(&["followup", &id, "--yes"]);
    assert_eq!(v["followups"], 1);
    assert_eq!(v["due"], false);
    let outbox = sb.outbox();
    let first = outbox
        .iter()
        .find(|(n, _)| n.contains(".followup."))
        .unwrap()
        .1
        .clone();
    assert_eq!(header(&first, "In-Reply-To").unwrap(), ask_id);
    assert_eq!(header(&first, "References").unwrap(), ask_id);
    assert_eq!(
        header(&first, "Subject").unwrap(),
        "Re: Would you be open to meeting Sam Builder?"
    );
    assert_eq!(
        header(&first, "To").unwrap(),
        "\"Ada Lovelace\" <ada@example.com>"
    );
    let first_id = header(&first, "Message-ID").unwrap();
    insta::assert_snapshot!("followup_body", body(&first));

    sb.set_now("2026-03-07T09:00:00Z");
    sb.ok(&["followup", &id, "--yes"]);
    let second = sb
        .outbox()
        .into_iter()
        .filter(|(n, _)| n.contains(".followup."))
        .map(|(_, m)| m)
        .find(|m| header(m, "Message-ID").unwrap() != first_id)
        .unwrap();
    assert_eq!(header(&second, "In-Reply-To").unwrap(), ask_id);
    assert_eq!(
        header(&second, "References").unwrap(),
        format!("{ask_id} {first_id}")
    );

    let err = sb.fails(&["followup", &id, "--yes"], 1);
    assert!(
        err.contains("`followup.max` is 2") && err.contains("--force"),
        "{err}"
    );
    sb.ok(&["followup", &id, "--yes", "--force"]);
    assert_eq!(sb.request(&id)["followups"], 3);
}

#[test]
fn followup_due_sends_every_due_one() {
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{}\n[followup]\nafter_days = 3\nmax = 1\n",
        support::sandbox::CONFIG
    ));
    let a = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-02T09:00:00Z");
    let b = sb.ask("kay", "sam", "orbits");
    sb.set_now("2026-03-04T12:00:00Z");
    let v = sb.json(&["followup", "--due", "--yes"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str()]);
    sb.set_now("2026-03-30T12:00:00Z");
    let v = sb.json(&["followup", "--due", "--yes"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [b.as_str()], "max = 1 stops the first");
    let v = sb.json(&["followup", "--due", "--yes"]);
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn dry_run_prints_the_message_and_changes_nothing() {
    let sb = Sandbox::new();
    let out = sb.ok(&["ask", "ada", "sam", "--why", "compilers", "--dry-run"]);
    assert!(
        out.contains("To: \"Ada Lovelace\" <ada@example.com>"),
        "{out}"
    );
    assert!(
        out.contains("Subject: Would you be open to meeting Sam Builder?"),
        "{out}"
    );
    assert!(out.contains("Hi Ada,"), "{out}");
    assert!(sb.outbox().is_empty());
    assert!(!sb.data_dir().join("requests.log").exists());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
}

#[test]
fn sending_off_a_terminal_needs_yes() {
    let sb = Sandbox::new();
    let err = sb.fails(&["ask", "ada", "sam", "--why", "compilers"], 2);
    assert_eq!(
        err,
        "error: refusing to send without confirmation\nhint: pass `--yes` to send, or `--dry-run` to see the message without sending\n"
    );
    assert!(sb.outbox().is_empty());
    let id = sb.ask("ada", "sam", "compilers");
    sb.fails(&["followup", &id], 2);
    sb.ok(&["approve", &id]);
    sb.fails(&["introduce", &id, "--send"], 2);
    assert_eq!(sb.outbox().len(), 1);
}

#[test]
fn a_missing_required_option_is_a_usage_error() {
    let sb = Sandbox::new();
    let run = sb.run(&["ask", "ada", "sam"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("--why"), "{}", run.stderr);
    assert_eq!(sb.run(&["frobnicate"]).code, 2);
    assert_eq!(sb.run(&["--help"]).code, 0);
}

#[test]
fn private_files_and_folders() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let data = sb.data_dir();
        assert_eq!(mode(&data), 0o700);
        for sub in ["outbox", "drafts"] {
            assert_eq!(mode(&data.join(sub)), 0o700, "{sub}");
            for entry in std::fs::read_dir(data.join(sub)).unwrap() {
                assert_eq!(mode(&entry.unwrap().path()), 0o600);
            }
        }
        for file in ["requests.log", "store.lock"] {
            assert_eq!(mode(&data.join(file)), 0o600, "{file}");
        }
    }
}

#[test]
fn asking_someone_often_warns_but_still_sends() {
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{}\n[limits]\nasks_per_90_days = 2\n",
        support::sandbox::CONFIG
    ));
    let first = sb.ask("ada", "sam", "one");
    // A has an open ask: the next ask of A (about someone else) warns.
    sb.set_now("2026-03-02T09:00:00Z");
    let run = sb.run(&["ask", "ada", "kay", "--why", "two", "--yes", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "warning: `ada` already has 1 open ask ({first} about `sam` on 2026-03-01)"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`--force` skips this check"),
        "{}",
        run.stderr
    );
    let v = run.json();
    assert_eq!(v["status"], "asked", "a warning does not stop the ask");
    assert!(v["warnings"][0].as_str().unwrap().contains("open ask"));
    // Two asks in 90 days reach the limit of 2, even once both are closed.
    sb.ok(&["cancel", &first]);
    sb.ok(&["cancel", v["id"].as_str().unwrap()]);
    let run = sb.run(&["ask", "ada", "alan", "--why", "three", "--dry-run"]);
    assert!(
        run.stderr
            .contains("`ada` was asked 2 times in the last 90 days, the limit is 2"),
        "{}",
        run.stderr
    );
    // --force silences it; other people are not affected.
    let run = sb.run(&["ask", "ada", "alan", "--why", "three", "--yes", "--force"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let run = sb.run(&["ask", "kay", "alan", "--why", "four", "--yes"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // 90 days later the old asks no longer count.
    sb.set_now("2026-06-15T09:00:00Z");
    let id = sb.json(&["status"]);
    for r in id.as_array().unwrap() {
        sb.ok(&["cancel", r["id"].as_str().unwrap()]);
    }
    let run = sb.run(&["ask", "ada", "sam", "--why", "five", "--yes"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn a_batch_warns_once_per_contact_counting_earlier_rows() {
    let sb = Sandbox::new();
    let path = sb.root().join("asks.csv");
    std::fs::write(&path, "a,b,why\nada,sam,one\nada,kay,two\n").unwrap();
    let run = sb.run(&["ask", "--batch", path.to_str().unwrap(), "--yes", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: `ada` is asked 2 times in this batch (lines 2, 3)\n"),
        "{}",
        run.stderr
    );
    let v = run.json();
    assert!(v[0].get("warnings").is_none());
    assert_eq!(v[1]["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn edit_sends_what_the_editor_saved() {
    let mut sb = Sandbox::new();
    sb.set_env(
        "EDITOR",
        "sed -i -e 's/^Hi Ada,/Dear Ada,/' -e 's/^Subject: .*/Subject: A quick question/'",
    );
    let v = sb.json(&["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"]);
    let id = v["id"].as_str().unwrap().to_string();
    let msg = &sb.outbox()[0].1;
    assert_eq!(header(msg, "Subject").unwrap(), "A quick question");
    assert!(body(msg).starts_with("Dear Ada,\n"), "{}", body(msg));
    assert!(body(msg).contains("no worries at all"), "the rest is kept");
    // The follow-up threads under the edited subject, and can be edited too.
    sb.set_env("EDITOR", "sed -i 's/^Hi Ada,/Ada, hi again,/'");
    sb.ok(&["followup", &id, "--edit", "--yes"]);
    let followup = sb
        .outbox()
        .into_iter()
        .find(|(n, _)| n.contains(".followup."))
        .unwrap()
        .1;
    assert_eq!(
        header(&followup, "Subject").unwrap(),
        "Re: A quick question"
    );
    assert!(
        body(&followup).starts_with("Ada, hi again,"),
        "{}",
        body(&followup)
    );
    // And the introduction.
    sb.ok(&["approve", &id]);
    sb.set_env("EDITOR", "sed -i 's/^Best,/Warmly,/'");
    sb.ok(&["introduce", &id, "--send", "--edit", "--yes"]);
    let intro = sb
        .outbox()
        .into_iter()
        .find(|(n, _)| n.contains(".intro."))
        .unwrap()
        .1;
    assert!(body(&intro).contains("\nWarmly,\n"), "{}", body(&intro));
}

#[test]
fn emptying_the_edited_message_aborts_cleanly() {
    let mut sb = Sandbox::new();
    sb.set_env("EDITOR", "truncate -s 0");
    let err = sb.fails(
        &["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"],
        1,
    );
    assert!(
        err.contains("emptied") && err.contains("nothing was sent"),
        "{err}"
    );
    assert!(sb.outbox().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
    sb.set_env("EDITOR", "false");
    let err = sb.fails(
        &["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"],
        1,
    );
    assert!(err.contains("exited with"), "{err}");
    let sb = Sandbox::new();
    let err = sb.fails(
        &["ask", "ada", "sam", "--why", "compilers", "--edit", "--yes"],
        1,
    );
    assert!(err.contains("$VISUAL nor $EDITOR"), "{err}");
    assert_eq!(sb.run(&["ask", "--batch", "x.csv", "--edit"]).code, 2);
}
