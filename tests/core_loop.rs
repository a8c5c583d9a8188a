//! The ask-first loop end to end on the outbox transport: init, contacts,
//! ask, status, approve/decline/cancel, follow-up, introduce.

#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{COMPLETE_ASK, CONFIG, Sandbox, body, header, ids_in, stable, whole};

#[test]
fn init_writes_samples_and_keeps_what_exists() {
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
    // Run again, it keeps both and says so, exiting 0.
    std::fs::write(&config, "# mine\n").unwrap();
    let run = sb.run(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("kept the existing") && run.stdout.contains("config.toml"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
}

#[test]
fn init_looks_for_the_contacts_where_a_kept_config_says() {
    let sb = Sandbox::empty();
    sb.write_config(&format!("contacts = \"people.toml\"\n{CONFIG}"));
    let people = sb.config_dir().join("people.toml");
    sb.write(
        &people,
        "[lin]\nname = \"Lin\"\nemail = \"lin@example.com\"\n",
    );
    let out = sb.ok(&["init"]);
    assert!(
        out.contains(&format!("kept the existing {}", people.display())),
        "{out}"
    );
    assert!(!sb.config_dir().join("contacts.toml").exists());
}

#[test]
fn init_after_an_import_writes_only_the_config_and_force_keeps_backups() {
    let sb = Sandbox::empty();
    let vcf = sb.root().join("c.vcf");
    sb.write(
        &vcf,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lin Chen\r\nEMAIL:lin@example.com\r\nEND:VCARD\r\n",
    );
    sb.ok(&["contacts", "import", vcf.to_str().unwrap()]);
    let contacts = sb.config_dir().join("contacts.toml");
    let imported = std::fs::read_to_string(&contacts).unwrap();
    assert!(imported.contains("lin@example.com"), "{imported}");

    // The missing config is written; the imported contacts are kept.
    let out = sb.ok(&["init"]);
    assert!(
        out.contains(&format!(
            "wrote {}",
            sb.config_dir().join("config.toml").display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("kept the existing {}", contacts.display())),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&contacts).unwrap(), imported);

    // Forced, each old file is kept next to it, and the path is printed.
    let out = sb.ok(&["init", "--force"]);
    let bak = sb.config_dir().join("contacts.toml.bak");
    assert_eq!(std::fs::read_to_string(&bak).unwrap(), imported);
    assert!(out.contains(&bak.display().to_string()), "{out}");
    assert!(
        !std::fs::read_to_string(&contacts)
            .unwrap()
            .contains("lin@example.com")
    );
    // A second force takes the next free name, never replacing a backup.
    sb.write(&contacts, "# second\n");
    let v = sb.json(&["init", "--force"]);
    let bak1 = sb.config_dir().join("contacts.toml.bak.1");
    assert_eq!(std::fs::read_to_string(&bak).unwrap(), imported);
    assert_eq!(std::fs::read_to_string(&bak1).unwrap(), "# second\n");
    assert!(
        v["backups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == bak1.to_str().unwrap()),
        "{v}"
    );
    assert!(sb.config_dir().join("config.toml.bak").exists());
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
    assert!(
        !text.contains("hoping for") && !text.contains("hopes for"),
        "{text}"
    );
    insta::assert_snapshot!("ask_minimal_body", text);
}

/// The user calls Katherine "Kay" in `--why` while the ask calls her
/// "Katherine": two names for one person read as two people. intro says
/// so, with the `first_name` that makes them one, and sends as typed.
#[test]
fn a_why_that_calls_b_by_another_name_warns_and_first_name_settles_it() {
    const ASK: [&str; 6] = [
        "ask",
        "alan",
        "kay",
        "--why",
        "Kay needs help with orbital mechanics",
        "--yes",
    ];
    let sb = Sandbox::new();
    let run = sb.run(&ASK);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: `--why` calls Katherine Johnson \"Kay\", but the messages call them \"Katherine\"; to greet them as \"Kay\" too, add `first_name = \"Kay\"` under `[kay]` in the contacts file"
        ),
        "{}",
        run.stderr
    );
    assert!(body(&sb.outbox()[0].1).contains("Kay needs help with orbital mechanics"));

    let sb = Sandbox::new();
    sb.write_contacts(
        "[alan]\nname = \"Alan Turing\"\nemail = \"alan@example.net\"\n\n\
         [kay]\nname = \"Katherine Johnson\"\nemail = \"kay@example.com\"\nfirst_name = \"Kay\"\n",
    );
    let run = sb.run(&ASK);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("calls Katherine"), "{}", run.stderr);
    assert!(body(&sb.outbox()[0].1).contains("I'll close the loop with Kay kindly"));
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
    let ids = ids_in(&due);
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
    let intro = sb.sent("intro").remove(0);
    let to = header(&intro, "To").unwrap();
    assert!(
        to.contains("ada@example.com") && to.contains("sam@example.org"),
        "{to}"
    );
    assert!(body(&intro).contains("Thank you, Ada, for saying yes"));
    let err = sb.fails(&["introduce", &id, "--send", "--yes"], 1);
    assert!(err.contains("is introduced"), "{err}");
}

#[test]
fn introduce_send_sends_the_draft_as_edited_and_removes_it() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "you both work on compilers");
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id]);
    let (name, saved) = sb.drafts().remove(0);
    let path = sb.data_dir().join("drafts").join(&name);
    // Edited as a mail client or an editor would: LF line ends, a new
    // Subject, a changed line, and a recipient the file cannot add.
    let (head, text) = saved.split_once("\r\n\r\n").unwrap();
    let head: Vec<String> = head
        .lines()
        .map(|l| match l.split_once(": ") {
            Some(("Subject", _)) => "Subject: Ada, meet Sam (compilers)".to_string(),
            Some(("To", to)) => format!("To: \"Eve\" <eve@example.net>, {to}"),
            _ => l.to_string(),
        })
        .collect();
    let (_greeting, rest) = text.split_once("\r\n").unwrap();
    let edited = format!(
        "{}\n\nDear Ada, dear Sam,\n{}",
        head.join("\n"),
        rest.replace("\r\n", "\n")
    );
    std::fs::write(&path, &edited).unwrap();

    // `--yes` alone would only draft: a usage error, nothing changes.
    let err = sb.fails(&["introduce", &id, "--yes"], 2);
    assert!(
        err.starts_with("error: `--yes` confirms a send, but without `--send`")
            && err.contains(&format!(
                "hint: to send it: `intro introduce {id} --send --yes`"
            )),
        "{err}"
    );
    // Drafting again keeps the edited draft as it is.
    let run = sb.run(&["introduce", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Subject: Ada, meet Sam (compilers)"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);

    let v = sb.json(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(v["status"], "introduced");
    let intro = sb.sent("intro").remove(0);
    assert_eq!(
        header(&intro, "Subject").unwrap(),
        "Ada, meet Sam (compilers)"
    );
    assert!(
        body(&intro).starts_with("Dear Ada, dear Sam,\n"),
        "{}",
        body(&intro)
    );
    assert!(
        body(&intro).ends_with(&rest.replace("\r\n", "\n")),
        "{}",
        body(&intro)
    );
    assert_eq!(
        header(&intro, "To").unwrap(),
        "\"Ada Lovelace\" <ada@example.com>, \"Sam Builder\" <sam@example.org>",
        "recipients are intro's, not the file's"
    );
    assert!(!intro.contains("eve@example.net"));
    assert!(sb.drafts().is_empty(), "a sent draft is removed");
}

/// Recipients are never taken from a draft; lines a user added to its
/// header used to vanish without a word when it was sent.
#[test]
fn headers_added_to_an_edited_draft_are_named_as_ignored() {
    let sb = Sandbox::new();
    let mut ids = Vec::new();
    for b in ["sam", "kay"] {
        let id = sb.ask("ada", b, "compilers");
        sb.ok(&["approve", &id]);
        sb.ok(&["introduce", &id]);
        ids.push(id);
    }
    let path = |id: &str| {
        sb.data_dir()
            .join("drafts")
            .join(format!("{id}-introduce.eml"))
    };
    // One draft gains recipients and a changed To; the other only a new body.
    let saved = std::fs::read_to_string(path(&ids[0])).unwrap();
    let (head, text) = saved.split_once("\r\n\r\n").unwrap();
    let mut head: Vec<String> = head
        .lines()
        .map(|l| match l.split_once(": ") {
            Some(("To", to)) => format!("To: \"Eve\" <eve@example.net>, {to}"),
            _ => l.to_string(),
        })
        .collect();
    head.push("Bcc: boss@example.net".into());
    head.push("Cc: team@example.net".into());
    head.push("Reply-To: other@example.net".into());
    let text = text.replace("\r\n", "\n").replacen("Hi", "Dear", 1);
    std::fs::write(path(&ids[0]), format!("{}\n\n{text}", head.join("\n"))).unwrap();
    let saved = std::fs::read_to_string(path(&ids[1])).unwrap();
    std::fs::write(
        path(&ids[1]),
        saved.replace("\r\n", "\n") + "Cheers again\n",
    )
    .unwrap();

    let run = sb.run(&["introduce", &ids[0], "--send", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: the edited draft's `To:`, `Bcc:`, `Cc:`, `Reply-To:` lines are ignored: \
             recipients and threading come from the request, not the file (the introduction \
             goes to A and B only)\n"
        ),
        "{}",
        run.stderr
    );
    let intro = sb.sent("intro").remove(0);
    for address in ["eve@", "boss@", "team@", "other@"] {
        assert!(!intro.contains(address), "{address}: {intro}");
    }
    // A draft whose header is as intro wrote it draws no warning.
    let run = sb.run(&["introduce", &ids[1], "--send", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("using your edited draft"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("warning: the edited draft"),
        "{}",
        run.stderr
    );
    // Outbox files sort by request id, which is random: find it by its text.
    assert!(sb.sent("intro").iter().any(|m| m.contains("Cheers again")));
}

#[test]
fn an_unedited_draft_is_sent_as_intro_writes_it_now() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id]);
    // The template changes after the draft was saved, the draft does not:
    // the introduction is written afresh.
    let templates = sb.config_dir().join("templates");
    sb.write(
        &templates.join("introduce.txt"),
        "Subject: {{ a.name }} and {{ b.name }}\n\nHello both, from the new template.\n",
    );
    sb.ok(&["introduce", &id, "--send", "--yes"]);
    let intro = sb.sent("intro").remove(0);
    assert_eq!(body(&intro), "Hello both, from the new template.\n");
    assert!(sb.drafts().is_empty());
}

#[test]
fn a_draft_with_mangled_headers_is_refused_naming_its_line() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id]);
    let (name, saved) = sb.drafts().remove(0);
    let path = sb.data_dir().join("drafts").join(&name);
    let mangled = saved.replacen("Subject:", "Subject was", 1);
    let line = mangled
        .lines()
        .position(|l| l.starts_with("Subject was"))
        .unwrap()
        + 1;
    std::fs::write(&path, &mangled).unwrap();
    let err = sb.fails(&["introduce", &id, "--send", "--yes"], 1);
    assert!(
        err.starts_with(&format!(
            "error: the draft `{}` line {line}: `Subject was",
            path.display()
        )),
        "{err}"
    );
    assert!(err.contains("hint: nothing was sent"), "{err}");
    assert!(err.contains("or delete it"), "{err}");
    assert_eq!(sb.request(&id)["status"], "approved");
    assert_eq!(sb.outbox().len(), 1, "only the ask");
    // Deleting it sends intro's own text.
    std::fs::remove_file(&path).unwrap();
    sb.ok(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(sb.request(&id)["status"], "introduced");
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

/// A user who asked for a dry run (or an edit) without `--send` is shown
/// the command that does what they asked, not one that sends at once.
#[test]
fn a_send_option_without_send_hints_the_same_option_with_send() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    for (command, flag, hint) in [
        ("decline", "--dry-run", "--tell-b --send --dry-run"),
        ("decline", "--edit", "--tell-b --send --edit"),
        ("decline", "--yes", "--tell-b --send --yes"),
        ("cancel", "--dry-run", "--tell --send --dry-run"),
        ("cancel", "--edit", "--tell --send --edit"),
    ] {
        let tell = if command == "decline" {
            "--tell-b"
        } else {
            "--tell"
        };
        let err = sb.fails(&[command, &id, tell, flag], 2);
        assert_eq!(
            err,
            format!(
                "error: `{flag}` is about sending a note, and no note is sent without `--send`\n\
                 hint: e.g. `intro {command} {id} {hint}`\n"
            )
        );
    }
    assert_eq!(sb.request(&id)["status"], "asked", "nothing recorded");
    assert!(sb.drafts().is_empty(), "nothing drafted");
}

#[test]
fn decline_tell_b_send_sends_the_note_and_records_the_no() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    // The send options go with `--send`, and `--send` with `--tell-b`.
    let err = sb.fails(&["decline", &id, "--tell-b", "--yes"], 2);
    assert!(
        err.starts_with(
            "error: `--yes` is about sending a note, and no note is sent without `--send`"
        ),
        "{err}"
    );
    sb.fails(&["decline", &id, "--send", "--yes"], 2);
    // Every send's confirmation rules.
    let err = sb.fails(&["decline", &id, "--tell-b", "--send"], 2);
    assert!(
        err.starts_with("error: refusing to send without confirmation"),
        "{err}"
    );
    let out = sb.ok(&["decline", &id, "--tell-b", "--send", "--dry-run"]);
    assert!(
        out.contains("To: \"Sam Builder\" <sam@example.org>"),
        "{out}"
    );
    assert_eq!(sb.request(&id)["status"], "asked", "nothing recorded");
    assert_eq!(sb.outbox().len(), 1, "nothing sent");

    let v = sb.json(&[
        "decline",
        &id,
        "--tell-b",
        "--send",
        "--yes",
        "--note",
        "swamped until June",
    ]);
    assert_eq!(v["status"], "declined");
    let notes = sb.sent("decline");
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert_eq!(
        header(note, "To").unwrap(),
        "\"Sam Builder\" <sam@example.org>"
    );
    assert!(!note.contains("ada@example.com"), "A is not copied");
    assert!(!note.contains("swamped"), "the private note stays private");
    insta::assert_snapshot!("decline_note_sent", stable(note));
    assert!(sb.drafts().is_empty(), "sent, not drafted");
    let r = sb.request(&id);
    let events: Vec<&str> = r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["asked", "note_sent", "declined"]);
    assert_eq!(r["history"][2]["note"], "swamped until June");
    let err = sb.fails(&["decline", &id, "--tell-b", "--send", "--yes"], 1);
    assert!(err.contains("is declined"), "{err}");
}

#[test]
fn cancel_tell_drafts_or_sends_a_note_withdrawing_the_ask_in_its_thread() {
    let mut sb = Sandbox::new();
    let drafted = sb.ask("kay", "sam", "orbits");
    let id = sb.ask("ada", "sam", "compilers");
    let ask = sb
        .outbox()
        .into_iter()
        .find(|(_, m)| m.contains("ada@example.com"))
        .unwrap()
        .1;
    let ask_id = header(&ask, "Message-ID").unwrap();
    sb.set_now("2026-03-06T09:00:00Z");
    sb.ok(&["followup", &id, "--yes"]);
    let followup = sb.sent("followup").remove(0);
    let followup_id = header(&followup, "Message-ID").unwrap();

    sb.fails(&["cancel", &id, "--send"], 2);
    sb.fails(&["cancel", &id, "--tell", "--yes"], 2);
    sb.fails(&["cancel", &id, "--tell", "--send"], 2);
    assert_eq!(sb.request(&id)["status"], "asked");

    sb.set_now("2026-03-07T09:00:00Z");
    let v = sb.json(&["cancel", &id, "--tell", "--send", "--yes"]);
    assert_eq!(v["status"], "cancelled");
    let notes = sb.sent("cancel");
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert_eq!(
        header(note, "To").unwrap(),
        "\"Ada Lovelace\" <ada@example.com>"
    );
    assert_eq!(
        header(note, "Subject").unwrap(),
        format!("Re: {}", header(&ask, "Subject").unwrap())
    );
    assert_eq!(header(note, "In-Reply-To").unwrap(), ask_id);
    assert_eq!(
        header(note, "References").unwrap(),
        format!("{ask_id} {followup_id}")
    );
    assert!(body(note).starts_with("Hi Ada,\n"), "{}", body(note));
    insta::assert_snapshot!(
        "cancel_note_sent",
        stable(&note.replace(&followup_id, "<followup>"))
    );

    // Without `--send`: drafted, and the request is cancelled.
    let out = sb.ok(&["cancel", &drafted, "--tell"]);
    assert!(
        out.contains("To: \"Katherine Johnson\" <kay@example.com>"),
        "{out}"
    );
    let drafts = sb.drafts();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].0, format!("{drafted}-cancel.eml"));
    assert_eq!(sb.request(&drafted)["status"], "cancelled");
    assert_eq!(
        sb.outbox()
            .iter()
            .filter(|(n, _)| n.contains(".cancel."))
            .count(),
        1,
        "a draft is not sent"
    );
}

/// Drafting the note closes the request; asking to send it afterwards used
/// to say only that the request is closed. The hint names the draft.
#[test]
fn sending_a_note_after_drafting_it_points_at_the_draft() {
    let sb = Sandbox::new();
    for (command, tell, suffix, state) in [
        ("cancel", "--tell", "cancel", "cancelled"),
        ("decline", "--tell-b", "decline", "declined"),
    ] {
        let id = sb.ask("ada", "sam", &format!("compilers, then {command}"));
        sb.ok(&[command, &id, tell]);
        let draft = sb
            .data_dir()
            .join("drafts")
            .join(format!("{id}-{suffix}.eml"));
        assert!(draft.is_file(), "{}", draft.display());
        let sent_before = sb.outbox().len();
        let err = sb.fails(&[command, &id, tell, "--send", "--yes"], 1);
        assert!(
            err.starts_with(&format!("error: request `{id}` is {state}")),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "hint: its note was drafted when it closed: send `{}` from your mail client",
                draft.display()
            )),
            "{err}"
        );
        assert_eq!(sb.outbox().len(), sent_before, "nothing sent");
        assert_eq!(sb.request(&id)["status"], state);
    }
    // Closed with no draft: the usual hint.
    let id = sb.ask("kay", "sam", "quietly");
    sb.ok(&["cancel", &id]);
    let err = sb.fails(&["cancel", &id, "--tell", "--send", "--yes"], 1);
    assert!(err.contains("`intro ask` starts a new request"), "{err}");
}

#[test]
fn cancel_tell_needs_someone_still_waiting_to_answer() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    let err = sb.fails(&["cancel", &id, "--tell"], 1);
    insta::assert_snapshot!(whole(&err.replace(&id, "<id>")), @r"
    error: nobody asked in request <id> is still waiting to answer it
    hint: `intro cancel <id>` withdraws it without a note; `intro status <id>` shows who answered
    ");
    assert_eq!(sb.request(&id)["status"], "approved");
    assert!(sb.drafts().is_empty());
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
    let first = sb.sent("followup").remove(0);
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

    sb.set_now("2026-03-11T09:00:00Z");
    sb.ok(&["followup", &id, "--yes"]);
    let second = sb
        .sent("followup")
        .into_iter()
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
fn followup_before_it_is_due_is_refused_naming_the_date() {
    let mut sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-06T08:59:00Z");
    let err = sb.fails(&["followup", &id, "--yes"], 1);
    insta::assert_snapshot!(whole(&err.replace(&id, "<id>")), @r"
    error: a follow-up to `ada` on request <id> is not due until 2026-03-06 at 09:00 UTC
    hint: pass `--force` to nudge now anyway (`followup.after_days` sets the wait)
    ");
    assert_eq!(sb.outbox().len(), 1, "only the ask went out");
    assert_eq!(sb.request(&id)["followups"], 0);
    // `--due` picks only due ones, and says so quietly.
    let v = sb.json(&["followup", "--due", "--yes"]);
    assert_eq!(v, serde_json::json!([]));
    // `--force` nudges now.
    let v = sb.json(&["followup", &id, "--yes", "--force"]);
    assert_eq!(v["followups"], 1);
    // The next one waits `after_days` from this follow-up.
    sb.set_now("2026-03-07T09:00:00Z");
    let err = sb.fails(&["followup", &id, "--dry-run"], 1);
    assert!(
        err.contains("not due until 2026-03-11 at 08:59 UTC"),
        "{err}"
    );
}

#[test]
fn followup_due_sends_every_due_one() {
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{}\n[followup]\nafter_days = 3\nmax = 1\n",
        crate::support::sandbox::CONFIG
    ));
    let a = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-02T09:00:00Z");
    let b = sb.ask("kay", "sam", "orbits");
    sb.set_now("2026-03-04T12:00:00Z");
    let v = sb.json(&["followup", "--due", "--yes"]);
    let ids = ids_in(&v);
    assert_eq!(ids, [a.as_str()]);
    sb.set_now("2026-03-30T12:00:00Z");
    let v = sb.json(&["followup", "--due", "--yes"]);
    let ids = ids_in(&v);
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
    let err = sb.fails(&COMPLETE_ASK, 2);
    insta::assert_snapshot!(whole(&err), @r"
    error: refusing to send without confirmation
    hint: pass `--yes` to send, or `--dry-run` to see the message without sending
    ");
    assert!(sb.outbox().is_empty());
    let id = sb.ask("ada", "sam", "compilers");
    sb.fails(&["followup", &id, "--force"], 2);
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
        crate::support::sandbox::CONFIG
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
    let fields = ["--wants", "advice", "--format", "a call"];
    let run = sb.run(
        &[
            &["ask", "ada", "alan", "--why", "three", "--yes", "--force"][..],
            &fields,
        ]
        .concat(),
    );
    assert!(!run.stderr.contains("was asked"), "{}", run.stderr);
    let run = sb.run(
        &[
            &["ask", "kay", "alan", "--why", "four", "--yes"][..],
            &fields,
        ]
        .concat(),
    );
    assert!(!run.stderr.contains("was asked"), "{}", run.stderr);
    // 90 days later the old asks no longer count.
    sb.set_now("2026-06-15T09:00:00Z");
    let id = sb.json(&["status"]);
    for r in id.as_array().unwrap() {
        sb.ok(&["cancel", r["id"].as_str().unwrap()]);
    }
    let run = sb.run(
        &[
            &["ask", "ada", "sam", "--why", "five", "--yes"][..],
            &fields,
        ]
        .concat(),
    );
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
    sb.ok(&["followup", &id, "--edit", "--yes", "--force"]);
    let followup = sb.sent("followup").remove(0);
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
    let intro = sb.sent("intro").remove(0);
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
    assert_eq!(sb.run(&["ask", "--batch", "x.csv", "--edit"]).code, 2);
}

#[test]
fn the_cancel_note_template_can_be_replaced_and_is_checked() {
    let sb = Sandbox::new();
    let path = sb.config_dir().join("templates").join("cancel.txt");
    sb.write(
        &path,
        "Subject: ignored\n\nDear {{ a.first_name }}, {{ a.nickname }}\n",
    );
    let err = sb.fails(&["contacts", "check"], 1);
    assert!(
        err.contains(&path.display().to_string()) && err.contains("a.nickname"),
        "{err}"
    );
    sb.write(
        &path,
        "Subject: ignored\n\nDear {{ a.first_name }}, never mind about {{ b.first_name }}.\n\n{{ me.first_name }}\n",
    );
    sb.ok(&["contacts", "check"]);
    let id = sb.ask("ada", "sam", "compilers");
    let out = sb.ok(&["cancel", &id, "--tell", "--send", "--dry-run"]);
    assert!(out.contains("Dear Ada, never mind about Sam.\n"), "{out}");
    assert!(
        out.contains("Subject: Re: ") && !out.contains("ignored"),
        "the note stays in the ask's thread: {out}"
    );
    assert_eq!(
        sb.request(&id)["status"],
        "asked",
        "a dry run records nothing"
    );
}

#[test]
fn closing_notes_can_be_edited_before_they_are_sent() {
    let mut sb = Sandbox::new();
    let declined = sb.ask("ada", "sam", "compilers");
    let cancelled = sb.ask("kay", "sam", "orbits");
    sb.set_env("EDITOR", "sed -i 's/^Hi Sam,/Dear Sam,/'");
    sb.ok(&[
        "decline", &declined, "--tell-b", "--send", "--edit", "--yes",
    ]);
    sb.set_env(
        "EDITOR",
        "sed -i -e 's/^Hi Katherine,/Kay, hi,/' -e 's/^Subject: .*/Subject: elsewhere/'",
    );
    sb.ok(&["cancel", &cancelled, "--tell", "--send", "--edit", "--yes"]);
    let note = |kind: &str| sb.sent(kind).remove(0);
    assert!(body(&note("decline")).starts_with("Dear Sam,\n"));
    let cancel = note("cancel");
    assert!(body(&cancel).starts_with("Kay, hi,\n"), "{}", body(&cancel));
    assert!(
        header(&cancel, "Subject").unwrap().starts_with("Re: "),
        "the note stays in the ask's thread"
    );
}

#[test]
fn a_handle_names_that_contacts_one_open_request() {
    let mut sb = Sandbox::new();
    let ada_sam = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-01T10:00:00Z");
    let kay_sam = sb.ask("kay", "sam", "orbits");

    // A's handle is that contact's open request as A, for every command.
    let v = sb.json(&["approve", "ada"]);
    assert_eq!(v["id"], ada_sam.as_str());
    assert_eq!(v["status"], "approved");
    let out = sb.ok(&["introduce", "ada"]);
    assert!(out.contains("draft saved"), "{out}");
    assert_eq!(sb.request(&kay_sam)["status"], "asked");
    sb.set_now("2026-03-08T10:00:00Z");
    let v = sb.json(&["followup", "kay", "--yes"]);
    assert_eq!(v["id"], kay_sam.as_str());
    assert_eq!(v["followups"], 1);
    assert_eq!(sb.json(&["cancel", "kay"])["status"], "cancelled");

    // A contact who is only B in open requests: an error listing them.
    let err = sb.fails(&["decline", "sam"], 1);
    assert!(
        err.starts_with("error: `sam` has no open request as A\n")
            && err.contains(&format!(
                "{ada_sam}  you introduce: ada about sam, approved"
            ))
            && err.contains("hint: name the request by its id"),
        "{err}"
    );

    // Several open requests as A: each is listed, none is touched.
    let ada_kay = sb.ask("ada", "kay", "orbits too");
    let err = sb.fails(&["cancel", "ada"], 1);
    assert!(
        err.starts_with("error: `ada` has 2 open requests as A\n")
            && err.contains(&format!("{ada_kay}  you introduce: ada about kay, asked"))
            && err.contains(&format!(
                "{ada_sam}  you introduce: ada about sam, approved"
            ))
            && err.contains("hint: name one by its id"),
        "{err}"
    );
    assert_eq!(sb.request(&ada_kay)["status"], "asked");
    assert_eq!(sb.request(&ada_sam)["status"], "approved");
}

#[test]
fn a_known_handle_is_never_read_as_the_start_of_an_id() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    // A contact whose handle is the start of another pair's request id.
    let handle = &id[..4];
    let mut contacts = crate::support::sandbox::CONTACTS.to_string();
    contacts.push_str(&format!(
        "\n[{handle}]\nname = \"Hex Person\"\nemail = \"hex@example.com\"\n"
    ));
    sb.write_contacts(&contacts);
    let err = sb.fails(&["cancel", handle], 1);
    assert!(
        err.starts_with(&format!("error: `{handle}` has no open request as A\n")),
        "{err}"
    );
    assert_eq!(sb.request(&id)["status"], "asked", "nothing was cancelled");
    // Five characters of the id still name it.
    assert_eq!(sb.json(&["cancel", &id[..5]])["status"], "cancelled");
}

#[test]
fn an_id_prefix_needs_four_characters() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    for command in ["cancel", "approve", "status"] {
        let err = sb.fails(&[command, &id[..3]], 1);
        assert!(
            err.contains("is too short to name a request")
                && err.contains("at least 4 characters")
                && err.contains("hint: "),
            "{err}"
        );
    }
    assert_eq!(sb.request(&id)["status"], "asked");
    assert_eq!(sb.json(&["approve", &id[..4]])["status"], "approved");
}

#[test]
fn status_of_a_handle_lists_the_open_requests_it_is_in() {
    let mut sb = Sandbox::new();
    let ada_sam = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-01T10:00:00Z");
    let kay_ada = sb.ask("kay", "ada", "orbits");
    sb.set_now("2026-03-01T11:00:00Z");
    let kay_sam = sb.ask("kay", "sam", "tools");
    let closed = sb.ask("alan", "ada", "machines");
    sb.ok(&["cancel", &closed]);

    let out = sb.ok(&["status", "ada"]);
    assert!(out.starts_with("ID"), "a table, like plain status:\n{out}");
    assert!(out.contains(&ada_sam) && out.contains(&kay_ada), "{out}");
    assert!(!out.contains(&kay_sam) && !out.contains(&closed), "{out}");
    let v = sb.json(&["status", "ada"]);
    let ids = ids_in(&v);
    assert_eq!(ids, [kay_ada.as_str(), ada_sam.as_str()]);
    // With `--all`, closed ones too.
    let out = sb.ok(&["status", "ada", "--all"]);
    assert!(out.contains(&closed), "{out}");
}

#[test]
fn an_unedited_introduction_draft_is_written_anew_and_an_edited_one_is_kept_not_saved() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    let first = sb.run(&["introduce", &id]);
    assert!(first.stdout.contains("draft saved:"), "{}", first.stdout);
    // A contact changed since: intro's own draft is written anew.
    let contacts = sb.config_dir().join("contacts.toml");
    let text = std::fs::read_to_string(&contacts).unwrap();
    let changed = text.replace(
        "Builds developer tools for small teams.",
        "Teaches programming to accountants.",
    );
    assert_ne!(changed, text);
    std::fs::write(&contacts, &changed).unwrap();
    let run = sb.run(&["introduce", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("draft saved:"), "{}", run.stdout);
    assert!(run.stdout.contains("teaches programming"), "{}", run.stdout);
    assert!(!run.stderr.contains("edited"), "{}", run.stderr);
    // Edited by the user: kept as it is, and not said to be saved.
    let drafts = sb.drafts();
    let path = sb.data_dir().join("drafts").join(&drafts[0].0);
    let edited = format!("{}\nP.S. Coffee is on me.\n", drafts[0].1.trim_end());
    std::fs::write(&path, &edited).unwrap();
    let run = sb.run(&["introduce", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Coffee is on me"), "{}", run.stdout);
    assert!(
        run.stdout.contains("draft kept as edited:"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("draft saved:"), "{}", run.stdout);
    assert!(
        run.stderr.contains("using your edited draft"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}
