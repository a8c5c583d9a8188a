//! `intro note`: B's forwardable note. Grace asks Sam (B) privately for a
//! short note for Ada (A); Sam's reply, found by `sync` over IMAP or in a
//! Maildir, becomes the note (without the quoted request or the
//! signature); `intro ask REQUEST` sends the ask to Ada with the note
//! quoted word for word, and the request goes on as any other.

#![allow(clippy::unwrap_used)]

use crate::support::mail_servers::{Dovecot, SmtpOptions, SmtpServer, certs};
use crate::support::sandbox::{CONFIG, Sandbox, body, header};

/// Sam's note, as Sam typed it: its own line breaks, a blank line.
const NOTE: &str = "Hi Ada,\n\nI'm Sam: I build developer tools for small teams, and we are\nwriting a compiler for a tiny language for spreadsheets. I read your\nnotes on the Analytical Engine twice.\n\nWould you have 20 minutes for a call in the next few weeks? I'd love\nyour view on one question: how to explain loops to people who have\nnever programmed. If now isn't a good time, no worries at all.\n\nSam";

/// Sam's reply to the note request: the note on top, a phone's line,
/// then the request quoted below an attribution.
fn sams_reply(in_reply_to: &str, n: usize) -> String {
    let note = NOTE.replace('\n', "\r\n");
    format!(
        "From: Sam Builder <Sam@Example.org>\r\nTo: Grace Hopper <grace@example.com>\r\n\
         Subject: Re: A short note I could forward to Ada Lovelace?\r\n\
         Date: Mon, 02 Mar 2026 10:15:00 +0100\r\nMessage-ID: <sam-{n}@mail.example.org>\r\n\
         In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {note}\r\n\r\nSent from my iPhone\r\n\r\n\
         On Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <grace@example.com> wrote:\r\n\
         > Hi Sam,\r\n> could you write a short note I can forward to Ada?\r\n"
    )
}

/// Ada's yes, in the thread of the ask.
fn adas_reply(in_reply_to: &str) -> String {
    format!(
        "From: Ada Lovelace <ada@example.com>\r\nTo: Grace Hopper <grace@example.com>\r\n\
         Subject: Re: Would you be open to meeting Sam Builder?\r\n\
         Date: Tue, 03 Mar 2026 10:15:00 +0000\r\nMessage-ID: <ada-1@mail.example.com>\r\n\
         In-Reply-To: {in_reply_to}\r\n\r\nYes, happy to.\r\n"
    )
}

fn id_of(v: &serde_json::Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

#[test]
fn a_note_from_imap_is_forwarded_to_a_word_for_word_and_the_request_goes_on() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    let dc = Dovecot::start(&[("grace", "grace-pw")]);
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{CONFIG}\n{}timeout_secs = 5\n\n[imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\n\
         username = \"grace\"\npassword_env = \"TEST_IMAP_PW\"\nca_file = \"{}\"\ntimeout_secs = 5\n",
        smtp.smtp_table(),
        dc.imap_tls_port,
        certs().ca_pem.display()
    ));
    sb.set_env("TEST_IMAP_PW", "grace-pw");
    sb.set_now("2026-03-01T09:00:00Z");

    // The note request goes to Sam alone; Ada hears nothing yet.
    let v = sb.json(&[
        "note",
        "sam",
        "--for",
        "ada",
        "--why",
        "you both care about teaching programming",
        "--yes",
    ]);
    let id = id_of(&v);
    assert_eq!(v["status"], "note_requested", "{v}");
    assert_eq!(v["forward_note"], serde_json::Value::Null, "{v}");
    let sent = smtp.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].env_rcpt, ["sam@example.org"]);
    let request_id = sent[0].header("Message-ID").unwrap();
    assert_eq!(
        sent[0].header("Subject").unwrap(),
        "A short note I could forward to Ada Lovelace?"
    );
    assert!(
        sent[0].body().contains("About 120 words"),
        "{}",
        sent[0].body()
    );

    // It blocks a second request for the pair, as an ask does.
    let err = sb.fails(&["note", "sam", "--for", "ada", "--yes"], 1);
    assert!(err.contains("already has an open request"), "{err}");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "x", "--yes"], 1);
    assert!(err.contains("note_requested"), "{err}");
    // Nothing to forward yet.
    let err = sb.fails(&["ask", &id, "--yes"], 1);
    assert!(err.contains("waits for sam's note"), "{err}");

    // Sam's reply: the note on top, the request quoted below.
    dc.deliver("grace", &sams_reply(&request_id, 1));
    sb.set_now("2026-03-02T12:00:00Z");
    let run = sb.run(&["sync", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let changed = run.json();
    assert_eq!(changed[0]["id"], id.as_str(), "{}", run.stderr);
    assert_eq!(changed[0]["status"], "note_received");
    assert_eq!(changed[0]["forward_note"], NOTE, "quote and phone line cut");
    assert!(run.stderr.contains("1 note from B in"), "{}", run.stderr);

    // status shows the note for the user's check, as it will be quoted.
    let detail = sb.ok(&["status", &id]);
    assert!(detail.contains("state:       note_received"), "{detail}");
    assert!(
        detail.contains("B's note:    received 2026-03-02T09:15:00Z from B's reply"),
        "{detail}"
    );
    assert!(
        detail.contains(
            "             | writing a compiler for a tiny language for spreadsheets. I read your\n"
        ),
        "{detail}"
    );
    assert!(!detail.contains("check:"), "a good note: {detail}");

    // The ask to Ada, by A's handle, quotes the note line for line.
    sb.set_now("2026-03-02T13:00:00Z");
    let v = sb.json(&["ask", "ada", "--yes"]);
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["status"], "asked", "{v}");
    assert_eq!(v["why"], "you both care about teaching programming");
    let sent = smtp.messages();
    assert_eq!(sent.len(), 2);
    let ask = &sent[1];
    assert_eq!(ask.env_rcpt, ["ada@example.com"], "Sam is not copied");
    assert_eq!(ask.header("Message-ID").unwrap(), v["message_id"]);
    let text = body(&ask.raw);
    let quoted: String = NOTE
        .lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains(&quoted), "the note word for word:\n{text}");
    assert!(
        text.contains("Sam wrote you a short note, which I'm passing on as it stands:"),
        "{text}"
    );
    assert!(
        text.contains("Why I thought of you two: you both care"),
        "{text}"
    );

    // From here on, the request is any ask: Ada's answer, approve,
    // introduce.
    dc.deliver("grace", &adas_reply(&ask.header("Message-ID").unwrap()));
    sb.set_now("2026-03-03T12:00:00Z");
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("{id} ada replied: \"Yes, happy to.\"\n"),
        "A's answer is told as an answer, not as B's note"
    );
    assert_eq!(sb.request(&id)["status"], "replied");
    sb.ok(&["approve", &id]);
    let v = sb.json(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(v["status"], "introduced", "{v}");
    let intro = &smtp.messages()[2];
    assert_eq!(intro.env_rcpt.len(), 2);
    // The note stays with the request.
    assert_eq!(sb.request(&id)["forward_note"], NOTE);
}

#[test]
fn a_note_in_a_maildir_is_taken_and_a_second_sighting_changes_nothing() {
    let sb = Sandbox::new();
    let dir = sb.root().join("Mail").join("INBOX");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"../../Mail/INBOX\"\n"
    ));
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--yes"]));
    let request = &sb.sent("note-request")[0];
    assert_eq!(
        header(request, "To").unwrap(),
        "\"Sam Builder\" <sam@example.org>"
    );
    let message_id = header(request, "Message-ID").unwrap();
    std::fs::write(dir.join("new/1.M1P1.host"), sams_reply(&message_id, 1)).unwrap();
    let changed = sb.json(&["sync"]);
    assert_eq!(changed[0]["forward_note"], NOTE, "{changed}");
    // Sam writes again: the first note stands (the user replaces it by hand).
    std::fs::write(dir.join("new/2.M2P1.host"), sams_reply(&message_id, 2)).unwrap();
    assert_eq!(sb.json(&["sync", "--rescan"]), serde_json::json!([]));

    // Without a why anywhere, the ask says what to add.
    let err = sb.fails(&["ask", &id, "--yes"], 1);
    assert!(err.contains("has no `why`"), "{err}");
    assert!(
        err.contains(&format!("hint: `intro ask {id} --why TEXT`")),
        "{err}"
    );
    let v = sb.json(&["ask", &id, "--why", "compilers", "--yes"]);
    assert_eq!(v["status"], "asked");
    assert!(body(&sb.sent("ask")[0]).contains("> Would you have 20 minutes"));
}

#[test]
fn a_note_by_hand_from_a_file_or_stdin_and_its_checks() {
    let sb = Sandbox::new();
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--why", "compilers", "--yes"]));
    // By file, from note_requested.
    let file = sb.root().join("note.txt");
    std::fs::write(&file, format!("{NOTE}\n")).unwrap();
    let run = sb.run(&["note", &id, "--file", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{id}\n"));
    assert!(
        run.stderr.contains("recorded sam's note for ada"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.request(&id)["forward_note"], NOTE);
    // By stdin, replacing it; the checks warn and change nothing.
    let short = "Hi Ada, I run [company]. Coffee?";
    let run = sb.run_with_stdin(&["note", "ada", "--file", "-"], Some(short));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: B's note is only 6 words"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: B's note still has a placeholder to fill in: [company]"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.request(&id)["forward_note"], short, "never rewritten");
    let detail = sb.ok(&["status", &id]);
    assert!(detail.contains("by hand"), "{detail}");
    // The note has a label of its own, apart from the request to B.
    assert!(
        detail.contains("\nB wrote:     | Hi Ada, I run [company]. Coffee?\n"),
        "{detail}"
    );
    assert!(
        detail.contains("check:       B's note still has a placeholder"),
        "{detail}"
    );
    // The ask warns again before it goes, and sends B's words as they are.
    let run = sb.run(&["ask", &id, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("placeholder"), "{}", run.stderr);
    assert!(body(&sb.sent("ask")[0]).contains("> Hi Ada, I run [company]. Coffee?\n"));
    // Once asked, the note is part of the ask: no replacing it, and the
    // error says so (nothing recorded; the ask went with the old note).
    let run = sb.run_with_stdin(&["note", &id, "--file", "-"], Some("new"));
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "error: the ask of request {id} went to `ada` on 2026-03-01 with `sam`'s note as it was then: a note recorded now would never reach them, so nothing was recorded"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "hint: `intro status {id}` shows the note `ada` got"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("intro approve"), "{}", run.stderr);
    assert_eq!(
        sb.request(&id)["forward_note"],
        "Hi Ada, I run [company]. Coffee?"
    );
    // A request that never asked B for a note is told so.
    let plain = sb.ask("alan", "sam", "a reason");
    let err = sb
        .run_with_stdin(&["note", &plain, "--file", "-"], Some("a note"))
        .stderr;
    assert!(
        err.contains(&format!("request {plain} never asked `sam` for a note")),
        "{err}"
    );
    // An empty file or a missing one is named.
    let id2 = id_of(&sb.json(&["note", "kay", "--for", "ada", "--yes"]));
    let err = sb.fails(&["note", &id2, "--file", "/nonexistent/note.txt"], 1);
    assert!(
        err.contains("cannot read B's note from `/nonexistent/note.txt`"),
        "{err}"
    );
    let run = sb.run_with_stdin(&["note", &id2, "--file", "-"], Some("\n\n"));
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("standard input is empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn dry_run_confirmation_and_usage() {
    let sb = Sandbox::new();
    let run = sb.run(&["note", "sam", "--for", "ada", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("To: \"Sam Builder\" <sam@example.org>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Subject: A short note I could forward to Ada Lovelace?")
    );
    assert!(sb.outbox().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
    let err = sb.fails(&["note", "sam", "--for", "ada"], 2);
    assert!(
        err.contains("refusing to send without confirmation"),
        "{err}"
    );
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
    // Without --for, clap says what is missing; a contact unknown is named.
    let err = sb.fails(&["note", "sam"], 2);
    assert!(err.contains("--for"), "{err}");
    let err = sb.fails(&["note", "sma", "--for", "ada", "--yes"], 1);
    assert!(err.contains("unknown contact `sma`"), "{err}");
    let err = sb.fails(&["note", "sam", "--for", "sam", "--yes"], 1);
    assert!(err.contains("A and B are both `sam`"), "{err}");
    // `intro ask A` alone, with no request to forward, is a usage error.
    let err = sb.fails(&["ask", "ada"], 2);
    assert!(err.contains("needs both A and B"), "{err}");
    let err = sb.fails(&["ask", "ada", "sam"], 2);
    assert!(err.contains("--why"), "{err}");
    // An ask made without a note is not one `intro ask REQUEST` sends.
    let id = sb.ask("ada", "sam", "compilers");
    assert_eq!(sb.request(&id)["forward_note"], serde_json::Value::Null);
    let err = sb.fails(&["ask", &id, "--yes"], 1);
    assert!(err.contains("is asked"), "{err}");
    // A note request can be cancelled.
    let id = id_of(&sb.json(&["note", "sam", "--for", "kay", "--yes"]));
    sb.ok(&["cancel", &id]);
    assert_eq!(sb.request(&id)["status"], "cancelled");
}

#[test]
fn a_batch_checks_every_row_first_then_sends_each_once() {
    let sb = Sandbox::new();
    let bad = sb.root().join("bad.csv");
    std::fs::write(
        &bad,
        "b,a,why\nsam,ada,compilers\nnobody,ada,x\nsam,ada,again\nkay,kay,x\n",
    )
    .unwrap();
    let err = sb.fails(&["note", "--batch", bad.to_str().unwrap(), "--yes"], 1);
    assert!(err.contains("3 bad rows"), "{err}");
    assert!(err.contains("line 3: unknown contact `nobody`"), "{err}");
    assert!(
        err.contains("line 4: asks `sam` for a note for `ada` again (same pair as line 2)"),
        "{err}"
    );
    assert!(err.contains("line 5: A and B are both `kay`"), "{err}");
    assert!(sb.outbox().is_empty(), "nothing was sent");

    let good = sb.root().join("good.csv");
    std::fs::write(
        &good,
        "a,b,why\nada,sam,compilers\nada,kay,\"teaching, mostly\"\n",
    )
    .unwrap();
    let run = sb.run(&["note", "--batch", good.to_str().unwrap(), "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("2 rows: asked 2 for a note"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.sent("note-request").len(), 2);
    let run = sb.run(&["note", "--batch", good.to_str().unwrap(), "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("asked 0, skipped 2"), "{}", run.stderr);
    assert_eq!(
        sb.sent("note-request").len(),
        2,
        "a rerun sends nothing again"
    );
    let all = sb.all_requests();
    assert!(all.iter().all(|r| r["status"] == "note_requested"));
}

#[test]
fn edit_and_dry_run_before_anything_is_recorded() {
    let mut sb = Sandbox::new();
    // The note request as edited is what goes to B.
    sb.set_env("EDITOR", "sed -i s/^Hi/Hello/");
    let id = id_of(&sb.json(&[
        "note",
        "sam",
        "--for",
        "ada",
        "--why",
        "compilers",
        "--edit",
        "--yes",
    ]));
    assert!(body(&sb.sent("note-request")[0]).starts_with("Hello Sam,\n"));
    // A note shown with --dry-run is not recorded.
    let run = sb.run_with_stdin(
        &["note", &id, "--file", "-", "--dry-run"],
        Some("Could we talk?"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Could we talk?\n");
    assert!(
        run.stderr.contains("nothing was recorded"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.request(&id)["status"], "note_requested");
    sb.run_with_stdin(&["note", &id, "--file", "-"], Some(NOTE));
    // The ask as edited is what goes to A; the note stays in it.
    let v = sb.json(&["ask", &id, "--edit", "--yes"]);
    assert_eq!(v["status"], "asked");
    let ask = body(&sb.sent("ask")[0]);
    assert!(ask.starts_with("Hello Ada,\n"), "{ask}");
    assert!(ask.contains("> Would you have 20 minutes"), "{ask}");
    // An emptied file aborts: the request waits, unchanged.
    let other = id_of(&sb.json(&["note", "kay", "--for", "ada", "--yes"]));
    sb.run_with_stdin(&["note", &other, "--file", "-"], Some(NOTE));
    sb.set_env("EDITOR", "sh -c ': > \"$1\"' sh");
    let run = sb.run(&["ask", &other, "--edit", "--yes"]);
    assert_ne!(run.code, 0);
    assert_eq!(sb.request(&other)["status"], "note_received");
    assert_eq!(sb.sent("ask").len(), 1);
}

#[test]
fn stats_count_requests_waiting_for_a_note() {
    let sb = Sandbox::new();
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--yes"]));
    sb.json(&["note", "kay", "--for", "ada", "--yes"]);
    sb.run_with_stdin(&["note", &id, "--file", "-"], Some(NOTE));
    let v = sb.json(&["stats"]);
    assert_eq!(v["by_state"]["note_requested"], 1, "{v}");
    assert_eq!(v["by_state"]["note_received"], 1, "{v}");
    let text = sb.ok(&["stats"]);
    assert!(
        text.contains("2 (1 note_requested, 1 note_received)"),
        "{text}"
    );
}

#[test]
fn a_note_request_is_no_ask_of_a_until_its_ask_goes_out() {
    let sb = Sandbox::new();
    let waiting = id_of(&sb.json(&["note", "sam", "--for", "ada", "--yes"]));
    let cancelled = id_of(&sb.json(&["note", "kay", "--for", "ada", "--yes"]));
    sb.ok(&["cancel", &cancelled]);
    // Ada has been written to by neither: no fatigue warning about her.
    let run = sb.run(&["ask", "ada", "alan", "--why", "codebreaking", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("`ada` already has"), "{}", run.stderr);
    assert!(!run.stderr.contains("was asked"), "{}", run.stderr);
    // Once the ask carrying the note went out, it is one.
    sb.run_with_stdin(&["note", &waiting, "--file", "-"], Some(NOTE));
    sb.ok(&["ask", &waiting, "--why", "compilers", "--yes"]);
    let run = sb.run(&["ask", "ada", "alan", "--why", "codebreaking", "--dry-run"]);
    assert!(
        run.stderr.contains("`ada` already has 1 open ask"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_man_page_and_completions_know_the_command() {
    let sb = Sandbox::new();
    let help = sb.ok(&["note", "--help"]);
    assert!(help.contains("--for <A>"), "{help}");
    assert!(help.contains("intro note sam --for ada"), "{help}");
    assert!(help.contains("--file <FILE>"), "{help}");
    let top = sb.ok(&["--help"]);
    assert!(top.contains("note "), "{top}");
    let page = sb.ok(&["man", "note"]);
    assert!(page.contains(".TH intro-note 1"), "{page}");
    let script = sb.ok(&["completions", "bash", "--static"]);
    assert!(script.contains("note"), "{script}");
}

#[test]
fn a_handle_names_the_one_request_whose_note_is_in() {
    let sb = Sandbox::new();
    let other = sb.ask("ada", "kay", "numbers");
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--why", "compilers", "--yes"]));
    sb.run_with_stdin(&["note", &id, "--file", "-"], Some(NOTE));
    let v = sb.json(&["ask", "ada", "--yes"]);
    assert_eq!(v["id"], id.as_str());
    assert_eq!(sb.request(&other)["status"], "asked");
    // Now ada has two open requests and none with a note waiting.
    let err = sb.fails(&["ask", "ada", "--yes"], 1);
    assert!(err.contains("`ada` has 2 open requests as A"), "{err}");
}

#[test]
fn ask_fatigue_warns_before_a_note_request_and_before_its_ask() {
    let sb = Sandbox::new();
    sb.ask("ada", "kay", "numbers");
    let run = sb.run(&["note", "sam", "--for", "ada", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("this note leads to an ask of `ada` (`--force` skips this check)"),
        "{}",
        run.stderr
    );
    let id = run.stdout.trim().to_string();
    sb.run_with_stdin(&["note", &id, "--file", "-"], Some(NOTE));
    let run = sb.run(&["ask", &id, "--why", "compilers", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("(`--force` skips this check)"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["note", "alan", "--for", "ada", "--yes", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // A batch warns once per A, however many rows ask about A.
    let csv = sb.root().join("notes.csv");
    std::fs::write(&csv, "b,a\nsam,kay\nalan,kay\n").unwrap();
    let run = sb.run(&["note", "--batch", csv.to_str().unwrap(), "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
}

#[test]
fn cancel_tell_writes_to_b_once_in_the_thread_of_the_note_request() {
    let sb = Sandbox::new();
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--yes"]));
    let request = &sb.sent("note-request")[0];
    let request_id = header(request, "Message-ID").unwrap();
    // Drafted: the note is to Sam, in the note request's thread.
    let other = id_of(&sb.json(&["note", "kay", "--for", "ada", "--yes"]));
    sb.ok(&["cancel", &other, "--tell"]);
    let drafts = sb.drafts();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert!(drafts[0].0.ends_with("-cancel-b.eml"), "{:?}", drafts[0].0);
    assert_eq!(
        header(&drafts[0].1, "To").unwrap(),
        "\"Katherine Johnson\" <kay@example.com>"
    );
    // Sent: to Sam alone, in reply to the note request, exactly once.
    let run = sb.run(&["cancel", &id, "--tell", "--send", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("sent the note to sam"),
        "{}",
        run.stderr
    );
    let sent = sb.sent("cancel");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        header(&sent[0], "To").unwrap(),
        "\"Sam Builder\" <sam@example.org>"
    );
    assert_eq!(header(&sent[0], "In-Reply-To").unwrap(), request_id);
    assert_eq!(header(&sent[0], "References").unwrap(), request_id);
    assert_eq!(
        header(&sent[0], "Subject").unwrap(),
        "Re: A short note I could forward to Ada Lovelace?"
    );
    assert!(body(&sent[0]).starts_with("Hi Sam,"), "{}", body(&sent[0]));
    assert_eq!(sb.request(&id)["status"], "cancelled");
    sb.fails(&["cancel", &id, "--tell", "--send", "--yes"], 1);
    assert_eq!(sb.sent("cancel").len(), 1, "told once");
}

#[test]
fn cancel_tell_once_the_note_is_in_or_forwarded() {
    let sb = Sandbox::new();
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--why", "compilers", "--yes"]));
    sb.run_with_stdin(&["note", &id, "--file", "-"], Some(NOTE));
    // Sam answered with the note: nobody waits for an answer.
    let err = sb.fails(&["cancel", &id, "--tell", "--send", "--yes"], 1);
    assert!(err.contains("nobody asked"), "{err}");
    assert!(sb.sent("cancel").is_empty());
    // Once the ask carrying it went out, Ada is the one told.
    sb.ok(&["ask", &id, "--yes"]);
    sb.ok(&["cancel", &id, "--tell", "--send", "--yes"]);
    let sent = sb.sent("cancel");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        header(&sent[0], "To").unwrap(),
        "\"Ada Lovelace\" <ada@example.com>"
    );
}

#[test]
fn a_reply_that_reads_like_a_no_is_told_and_never_forwarded_silently() {
    let sb = Sandbox::new();
    let dir = sb.maildir();
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        dir.display()
    ));
    let id = id_of(&sb.json(&["note", "sam", "--for", "ada", "--why", "compilers", "--yes"]));
    let message_id = header(&sb.sent("note-request")[0], "Message-ID").unwrap();
    let no = format!(
        "From: Sam Builder <sam@example.org>\r\nTo: Grace Hopper <grace@example.com>\r\n\
         Subject: Re: A short note I could forward to Ada Lovelace?\r\n\
         Date: Mon, 02 Mar 2026 10:15:00 +0100\r\nMessage-ID: <sam-no@mail.example.org>\r\n\
         In-Reply-To: {message_id}\r\n\r\n\
         Sorry, I'm swamped until June, I'll have to pass.\r\n\r\nSam\r\n"
    );
    std::fs::write(dir.join("new/1.M1P1.host"), no).unwrap();
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "{id} sam answered the request for a note for ada, and it reads like a no: \"Sorry, I'm swamped until June, I'll have to pass. Sam\"\n"
        )
    );
    assert!(
        run.stderr.contains(&format!(
            "sam's answer on request {id} reads like a no, not a note: if sam declined, `intro cancel {id}` closes the request"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("note from B in"), "{}", run.stderr);
    // Kept as B wrote it; status says what it is and what to do.
    let v = sb.request(&id);
    assert_eq!(
        v["forward_note"],
        "Sorry, I'm swamped until June, I'll have to pass.\n\nSam"
    );
    assert!(
        v["next_step"]
            .as_str()
            .unwrap()
            .contains(&format!("if B declined, `intro cancel {id}`")),
        "{v}"
    );
    let detail = sb.ok(&["status", &id]);
    assert!(
        detail.contains("check:       B's reply reads like a no, not a note for A"),
        "{detail}"
    );
    // The ask warns before it would forward it.
    let dry = sb.run(&["ask", &id, "--dry-run"]);
    assert!(
        dry.stderr.contains("warning: B's reply reads like a no"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains(&format!(
            "hint: if sam declined, `intro cancel {id}` closes the request instead"
        )),
        "{}",
        dry.stderr
    );
    // Recorded by hand, the same.
    let run = sb.run_with_stdin(&["note", &id, "--file", "-"], Some("No, sorry, not now."));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: B's reply reads like a no"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("`intro cancel {id}` closes the request")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`intro ask"), "{}", run.stderr);
}

#[test]
fn the_note_request_says_who_a_is_so_b_can_write_to_a() {
    let sb = Sandbox::new();
    let mut contacts = crate::support::sandbox::CONTACTS.to_string();
    contacts = contacts.replace(
        "blurb = \"Writes the first programs for the Analytical Engine.\"",
        "blurb = \"Writes the first programs for the Analytical Engine.\"\nurl = \"https://example.com/ada\"",
    );
    sb.write_contacts(&contacts);
    let run = sb.run(&["note", "sam", "--for", "ada", "--why", "compilers", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("blurb"), "{}", run.stderr);
    let text = body(&sb.sent("note-request")[0]);
    assert!(
        text.contains(
            "I'd like to introduce you to Ada Lovelace, if Ada is up for it. Why I thought of you two: compilers.\n\nSo you know who you'd be writing to: Ada Lovelace, who writes the first programs for the Analytical Engine. Profile: https://example.com/ada\n\nBefore I ask"
        ),
        "{text}"
    );
    // Without a blurb, intro says the request cannot say who A is.
    let run = sb.run(&["note", "sam", "--for", "kay", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: `kay` has no blurb, so the note request cannot say who Katherine Johnson is"
        ),
        "{}",
        run.stderr
    );
}
