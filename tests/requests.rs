//! `intro request`: Grace asks connector Jo to introduce her to Sam. The
//! request goes to Jo alone over real SMTP, carrying a note Jo can
//! forward; `intro sync` (IMAP and Maildir) notices Jo's answer and the
//! introduction itself; `intro thank` thanks Jo in the thread. Status and
//! stats keep these apart from the introductions Grace makes herself.

#![allow(clippy::unwrap_used)]

use crate::support::mail_servers::{Dovecot, SmtpOptions, SmtpServer, certs};
use crate::support::sandbox::{CONFIG, Sandbox, body, header};

const CONTACTS: &str = r#"
[jo]
name = "Johanna Park"
first_name = "Jo"
email = "jo@example.com"

[kay]
name = "Katherine Johnson"
email = "kay@example.com"

[sam]
name = "Sam Builder"
email = "sam@example.org"
blurb = "Builds developer tools for small teams."

[ada]
name = "Ada Lovelace"
email = "ada@example.com"
"#;

const WHY: &str = "I'm building a parser generator and Sam wrote the book on error recovery";

/// Grace's request of Jo about Sam, with what she hopes for and the format.
fn request_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "request",
        "jo",
        "sam",
        "--why",
        WHY,
        "--wants",
        "advice on error messages",
        "--format",
        "a 20-minute call",
    ];
    args.extend_from_slice(extra);
    args
}

/// A message to Grace; `headers` are extra header lines.
fn mail(from: &str, to: &str, headers: &str, body: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "From: {from}\r\nTo: {to}\r\n{headers}\
         Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\
         Message-ID: <m{n}@mail.example.com>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
}

const JO: &str = "Johanna Park <jo@example.com>";
const GRACE: &str = "Grace Hopper <grace@example.com>";
const SAM: &str = "Sam Builder <sam@example.org>";

#[test]
fn a_request_over_smtp_and_imap_from_the_ask_to_the_thank_you() {
    let server = SmtpServer::start(SmtpOptions::default());
    let dc = Dovecot::start(&[("grace", "grace-pw")]);
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{CONFIG}\n{}\n[imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\n\
         username = \"grace\"\npassword_env = \"TEST_IMAP_PW\"\nca_file = \"{}\"\n",
        server.smtp_table(),
        dc.imap_tls_port,
        certs().ca_pem.display()
    ));
    sb.set_env("TEST_IMAP_PW", "grace-pw");
    sb.write_contacts(CONTACTS);
    sb.set_now("2026-03-01T09:00:00Z");

    // The request: to Jo alone, Sam never a recipient.
    let r = sb.json(&request_args(&["--yes"]));
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["direction"], "requested");
    assert_eq!(
        (r["a"].as_str(), r["b"].as_str()),
        (Some("jo"), Some("sam"))
    );
    assert_eq!(r["status"], "asked");
    let sent = server.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].env_rcpt, ["jo@example.com"]);
    assert_eq!(
        sent[0].header("Subject").as_deref(),
        Some("Would you introduce me to Sam Builder?")
    );
    let body = sent[0].body();
    assert!(body.contains("forward to Sam as it is"), "{body}");
    assert!(body.contains("Hi Sam,"), "the note Jo can forward:\n{body}");
    assert!(
        body.contains("Why I'm writing: I'm building a parser generator"),
        "{body}"
    );
    assert!(body.contains("simply don't reply"), "an easy no:\n{body}");
    let request_id = r["message_id"].as_str().unwrap().to_string();

    // A follow-up in the thread, in the request's own words.
    sb.set_now("2026-03-07T09:00:00Z");
    sb.ok(&["followup", &id, "--yes"]);
    let sent = server.messages();
    let followup = &sent[1];
    assert_eq!(followup.env_rcpt, ["jo@example.com"]);
    assert_eq!(followup.header("In-Reply-To"), Some(request_id.clone()));
    assert!(
        followup
            .body()
            .contains("would you be willing to introduce me to Sam Builder?"),
        "{}",
        followup.body()
    );

    // Jo answers in the thread: the request is `replied`.
    dc.deliver(
        "grace",
        &mail(
            JO,
            GRACE,
            &format!("Subject: Re: Would you introduce me to Sam Builder?\r\nIn-Reply-To: {request_id}\r\n"),
            "Happy to, I'll write to Sam tomorrow.\r\n",
        ),
    );
    sb.set_now("2026-03-08T09:00:00Z");
    let changed = sb.json(&["sync"]);
    assert_eq!(changed[0]["status"], "replied", "{changed}");
    assert_eq!(
        changed[0]["reply"]["snippet"],
        "Happy to, I'll write to Sam tomorrow."
    );
    sb.ok(&["approve", &id]);
    let out = sb.ok(&["status"]);
    assert!(out.contains("wait for jo's introduction"), "{out}");

    // Jo's introduction, a new thread to Grace and Sam: `introduced`.
    dc.deliver(
        "grace",
        &mail(
            JO,
            &format!("{GRACE}, {SAM}"),
            "Subject: Grace <> Sam\r\n",
            "Sam, meet Grace. Grace, meet Sam.\r\n",
        ),
    );
    sb.set_now("2026-03-09T09:00:00Z");
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("{id} jo introduced you to sam")),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("intro thank"), "{}", run.stderr);
    let r = sb.request(&id);
    assert_eq!(r["status"], "introduced");
    let out = sb.ok(&["status", &id]);
    assert!(out.contains("found by sync"), "{out}");
    assert!(out.contains("intro thank"), "{out}");

    // The thank-you: drafted, then sent once, in the thread.
    sb.ok(&[
        "thank",
        &id,
        "--how",
        "we talked for an hour and Sam sent me two papers",
    ]);
    assert_eq!(sb.drafts().len(), 1);
    let r = sb.json(&["thank", &id, "--send", "--yes"]);
    assert!(r["thanked_at"].is_string(), "{r}");
    assert!(sb.drafts().is_empty(), "a sent draft is removed");
    let sent = server.messages();
    assert_eq!(sent.len(), 3);
    let thanks = &sent[2];
    assert_eq!(thanks.env_rcpt, ["jo@example.com"]);
    assert_eq!(thanks.header("In-Reply-To"), Some(request_id.clone()));
    assert!(
        thanks
            .body()
            .contains("We talked for an hour and Sam sent me two papers."),
        "the drafted words are sent:\n{}",
        thanks.body()
    );
    let again = sb.fails(&["thank", &id, "--send", "--yes"], 1);
    assert!(again.contains("cannot be thanked again"), "{again}");
    assert_eq!(server.messages().len(), 3, "thanked once");
}

/// Grace's request of Jo about Sam, sent; its id.
fn make_request(sb: &Sandbox) -> String {
    sb.json(&request_args(&["--yes"]))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A sandbox with the outbox transport and a Maildir for `sync`.
fn maildir_sandbox() -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::new();
    let dir = sb.root().join("Mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        dir.display()
    ));
    sb.write_contacts(CONTACTS);
    (sb, dir)
}

#[test]
fn a_maildir_introduction_counts_only_from_the_connector_to_you_and_t() {
    let (mut sb, dir) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    let id = make_request(&sb);
    // An ordinary ask of Jo about Ada: Jo writing to Grace and Ada is not
    // an introduction anyone waits for.
    let ask = sb.ask("jo", "ada", "a reason");
    let not_yet = [
        // To Grace alone.
        mail(JO, GRACE, "Subject: hello\r\n", "Will do.\r\n"),
        // From Sam, not from Jo.
        mail(SAM, &format!("{GRACE}, {JO}"), "Subject: hi\r\n", "Hi!\r\n"),
        // To Sam, Grace only in Bcc (not among the recipients shown).
        mail(JO, SAM, "Subject: Grace\r\n", "Sam, meet Grace.\r\n"),
        // Jo introducing Grace to Ada: no request asked for that.
        mail(
            JO,
            &format!("{GRACE}, Ada <ada@example.com>"),
            "Subject: x\r\n",
            "Meet!\r\n",
        ),
    ];
    for (i, raw) in not_yet.iter().enumerate() {
        std::fs::write(dir.join(format!("new/17724429{i:02}.M{i}P1.host")), raw).unwrap();
    }
    sb.set_now("2026-03-03T09:00:00Z");
    let changed = sb.json(&["sync"]);
    assert_eq!(changed, serde_json::json!([]));
    assert_eq!(sb.request(&id)["status"], "asked");
    assert_eq!(sb.request(&ask)["status"], "asked");

    // Jo to Grace, Sam in Cc (addresses in any case): the introduction.
    std::fs::write(
        dir.join("cur/1772442999.M9P1.host:2,S"),
        mail(
            "Jo <JO@example.com>",
            GRACE,
            "Cc: Sam <Sam@Example.org>\r\nSubject: Intro: Grace <> Sam\r\n",
            "Connecting you two.\r\n",
        ),
    )
    .unwrap();
    let changed = sb.json(&["sync", "--rescan"]);
    assert_eq!(changed.as_array().unwrap().len(), 1, "{changed}");
    assert_eq!(changed[0]["id"], id.as_str());
    assert_eq!(changed[0]["status"], "introduced");
    let changed = sb.json(&["sync", "--rescan"]);
    assert_eq!(changed, serde_json::json!([]), "found once");
}

#[test]
fn by_hand_and_in_the_right_order() {
    let (mut sb, _) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    let id = make_request(&sb);

    // Not introduced yet: nothing to thank for.
    let err = sb.fails(&["thank", &id], 1);
    assert!(err.contains("cannot be thanked yet"), "{err}");
    assert!(err.contains(&format!("`intro introduced {id}`")), "{err}");
    // No close-the-loop note to T, who was never asked.
    let err = sb.fails(&["decline", &id, "--tell-b"], 2);
    assert!(err.contains("who was never asked"), "{err}");
    assert_eq!(sb.request(&id)["status"], "asked", "nothing was recorded");
    // The connector makes the introduction, not the user.
    sb.ok(&["approve", &id]);
    let err = sb.fails(&["introduce", &id], 1);
    assert!(
        err.contains("you asked the connector to make this introduction"),
        "{err}"
    );
    assert!(err.contains(&format!("`intro introduced {id}`")), "{err}");

    // By hand, naming the request by the connector's handle.
    let r = sb.json(&["introduced", "jo"]);
    assert_eq!(r["status"], "introduced");
    let err = sb.fails(&["introduced", &id], 1);
    assert!(err.contains("cannot be marked introduced"), "{err}");

    // The thank-you: `--yes` without `--send` is a usage error; a dry run
    // prints it; a draft says how it went.
    let err = sb.fails(&["thank", &id, "--yes"], 2);
    assert!(err.contains("without `--send`"), "{err}");
    let dry = sb.ok(&[
        "thank",
        "jo",
        "--how",
        "Sam and I meet again next month!",
        "--dry-run",
    ]);
    assert!(
        dry.contains("Subject: Re: Would you introduce me to Sam Builder?"),
        "{dry}"
    );
    assert!(dry.contains("Sam and I meet again next month!"), "{dry}");
    assert!(sb.drafts().is_empty(), "a dry run saves nothing");
    let run = sb.run(&["thank", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("does not say how the introduction went"),
        "{}",
        run.stderr
    );
    let drafts = sb.drafts();
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].0.ends_with("-thanks.eml"), "{:?}", drafts[0].0);
    assert_eq!(
        header(&drafts[0].1, "To").as_deref(),
        Some("\"Johanna Park\" <jo@example.com>")
    );
    // Off a terminal, sending needs `--yes`.
    let err = sb.fails(&["thank", &id, "--send"], 2);
    assert!(
        err.contains("refusing to send without confirmation"),
        "{err}"
    );
    sb.ok(&["thank", &id, "--send", "--yes"]);
    assert_eq!(sb.sent("thanks").len(), 1);
    let out = sb.ok(&["status", &id]);
    assert!(out.contains("thanked"), "{out}");
}

#[test]
fn a_batch_of_requests_checks_every_row_first() {
    let (mut sb, _) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    let bad = sb.root().join("bad.csv");
    std::fs::write(
        &bad,
        "c,t,why,wants\njo,sam,parsers,advice\nnobody,sam,x,\nkay,kay,x,\njo,ada,,\n",
    )
    .unwrap();
    let err = sb.fails(&["request", "--batch", bad.to_str().unwrap(), "--yes"], 1);
    assert!(err.contains("3 bad rows"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    for line in [
        "line 3: unknown contact `nobody`",
        "line 4: C and T are both `kay`",
        "line 5: `why` is empty: say why you would like to meet T",
    ] {
        assert!(err.contains(line), "{line}: {err}");
    }
    assert!(sb.outbox().is_empty());

    let good = sb.root().join("good.csv");
    std::fs::write(
        &good,
        "t,c,why,format\nsam,jo,parsers,a call\nsam,kay,parsers too,a call\nada,jo,engines,coffee\n",
    )
    .unwrap();
    let run = sb.run(&[
        "request",
        "--batch",
        good.to_str().unwrap(),
        "--yes",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = run.json();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|r| r["direction"] == "requested")
    );
    // Two connectors asked for Sam at once: one warning, not one per row.
    assert_eq!(
        run.stderr.matches("for an introduction to `sam`").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`jo` (line 2)"), "{}", run.stderr);
    assert!(run.stderr.contains("what you hope for"), "{}", run.stderr);
    assert_eq!(sb.sent("ask").len(), 3);
    // A rerun skips what was asked.
    let run = sb.run(&["request", "--batch", good.to_str().unwrap(), "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("skipped 3"), "{}", run.stderr);
    assert_eq!(sb.sent("ask").len(), 3);
}

#[test]
fn asking_a_connector_too_often_or_two_for_the_same_person_warns() {
    let (mut sb, _) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    sb.ok(&request_args(&["--yes"]));
    // The same connector again, for someone else: Jo has an open ask.
    let run = sb.run(&["request", "jo", "ada", "--why", "engines", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("`jo` already has 1 open ask"),
        "{}",
        run.stderr
    );
    // Another connector for Sam.
    let run = sb.run(&["request", "kay", "sam", "--why", "parsers", "--yes"]);
    assert!(
        run.stderr.contains("you are also asking `jo` ("),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`sam` may hear about you twice"),
        "{}",
        run.stderr
    );
    // `--force` silences both; the pair rule still refuses.
    let run = sb.run(&["request", "kay", "ada", "--why", "x", "--force", "--yes"]);
    assert!(
        !run.stderr.contains("warning: you are also"),
        "{}",
        run.stderr
    );
    let err = sb.fails(&["request", "jo", "sam", "--why", "again", "--yes"], 1);
    assert!(err.contains("already has an open request"), "{err}");
    // An ask of the same pair is another kind of request: not refused.
    sb.ok(&[
        "ask",
        "jo",
        "sam",
        "--why",
        "you both like parsers",
        "--yes",
    ]);
}

#[test]
fn status_and_stats_keep_the_two_directions_apart() {
    let (mut sb, _) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    let ask = sb.ask("ada", "sam", "compilers");
    let req = make_request(&sb);
    sb.ok(&["approve", &ask]);
    sb.ok(&["introduced", &req]);

    let out = sb.ok(&["--color", "never", "status", "--all"]);
    let (mine, asked_for) = out
        .split_once("Introductions you asked for (C introduces you to T):")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        mine.starts_with("ID ") && mine.contains(" A ") && mine.contains(&ask),
        "{out}"
    );
    assert!(!mine.contains(&req), "{out}");
    assert!(
        asked_for.contains(" C ") && asked_for.contains(" T "),
        "{out}"
    );
    assert!(
        asked_for.contains(&req) && !asked_for.contains(&ask),
        "{out}"
    );
    let all = sb.json(&["status", "--all"]);
    let direction = |id: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["direction"]
            .clone()
    };
    assert_eq!(direction(&ask), "introducing");
    assert_eq!(direction(&req), "requested");

    let stats = sb.json(&["stats"]);
    assert_eq!(
        stats["total"], 1,
        "the top figures are the user's own: {stats}"
    );
    let by = &stats["by_direction"];
    assert_eq!(by["introducing"]["total"], 1, "{stats}");
    assert_eq!(by["introducing"]["by_state"]["approved"], 1, "{stats}");
    assert_eq!(by["requested"]["total"], 1, "{stats}");
    assert_eq!(by["requested"]["by_state"]["introduced"], 1, "{stats}");
    assert_eq!(by["requested"]["per_contact"][0]["handle"], "jo", "{stats}");
    let out = sb.ok(&["--color", "never", "stats"]);
    assert!(out.contains("Introductions you make"), "{out}");
    assert!(out.contains("Introductions you asked for"), "{out}");
}

#[test]
fn the_new_commands_have_pages_completions_and_help() {
    let sb = Sandbox::empty();
    let page = sb.ok(&["man"]);
    for command in ["request", "introduced", "thank"] {
        assert!(
            page.contains(&format!("intro\\-{command}(1)")),
            "{command}:\n{page}"
        );
    }
    let page = sb.ok(&["man", "request"]);
    assert!(
        page.contains("\\-\\-batch") && page.contains("\\-\\-wants"),
        "{page}"
    );
    let page = sb.ok(&["man", "thank"]);
    assert!(
        page.contains("\\-\\-how") && page.contains("\\-\\-send"),
        "{page}"
    );
    let script = sb.ok(&["completions", "bash", "--static"]);
    for command in ["request", "introduced", "thank"] {
        assert!(script.contains(command), "{command}");
    }
    let help = sb.ok(&["request", "--help"]);
    assert!(
        help.contains("Connector C") && help.contains("Examples:"),
        "{help}"
    );
    // A request without `--why` is a usage error, as an ask's is.
    let err = sb.fails(&["request", "jo", "sam"], 2);
    assert!(err.contains("--why"), "{err}");
}

#[test]
fn edit_sends_what_the_editor_saved_for_the_request_and_the_thank_you() {
    let (mut sb, _) = maildir_sandbox();
    sb.set_env(
        "EDITOR",
        "sed -i -e 's/^Hi Jo,/Dear Jo,/' -e 's/^Subject: .*/Subject: A favour?/'",
    );
    let id = sb.json(&request_args(&["--edit", "--yes"]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let msg = &sb.sent("ask")[0];
    assert_eq!(header(msg, "Subject").as_deref(), Some("A favour?"));
    let text = body(msg);
    assert!(
        text.starts_with("Dear Jo,\n") && text.contains("Hi Sam,"),
        "{text}"
    );
    sb.ok(&["introduced", &id]);
    sb.set_env("EDITOR", "sed -i 's/^Best,/Warmly,/'");
    sb.ok(&["thank", &id, "--how", "great", "--send", "--edit", "--yes"]);
    let thanks = &sb.sent("thanks")[0];
    assert_eq!(header(thanks, "Subject").as_deref(), Some("Re: A favour?"));
    assert!(body(thanks).contains("\nWarmly,\n"), "{}", body(thanks));
}

#[test]
fn cancel_tell_tells_the_connector_in_every_open_state() {
    let (mut sb, dir) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    // Asked, replied (found by sync) and approved: the connector, who may
    // be about to introduce, is told.
    for (state, steps) in [
        ("asked", &[][..]),
        ("replied", &["sync"][..]),
        ("approved", &["approve"][..]),
    ] {
        let id = make_request(&sb);
        for step in steps {
            if *step == "sync" {
                // Jo answers in the thread.
                let asked = sb.request(&id)["message_id"].as_str().unwrap().to_string();
                let message_id = asked;
                std::fs::write(
                    dir.join(format!("new/{id}.M1P1.host")),
                    mail(
                        JO,
                        GRACE,
                        &format!("Subject: Re: x\r\nIn-Reply-To: {message_id}\r\n"),
                        "Let me think about it.\r\n",
                    ),
                )
                .unwrap();
                sb.ok(&["sync"]);
            } else {
                sb.ok(&[step, &id]);
            }
        }
        assert_eq!(sb.request(&id)["status"], state);
        let before = sb.sent("cancel").len();
        let run = sb.run(&["cancel", &id, "--tell", "--send", "--yes"]);
        assert_eq!(run.code, 0, "{state}: {}", run.stderr);
        assert!(run.stderr.contains("sent the note to jo"), "{}", run.stderr);
        let sent = sb.sent("cancel");
        assert_eq!(sent.len(), before + 1, "{state}");
        assert_eq!(
            header(&sent[before], "To").unwrap(),
            "\"Johanna Park\" <jo@example.com>",
            "{state}"
        );
        assert!(
            header(&sent[before], "Subject")
                .unwrap()
                .starts_with("Re: Would you introduce me to"),
            "{state}"
        );
    }
    // Introduced: closed; nothing to withdraw.
    let id = make_request(&sb);
    sb.ok(&["introduced", &id]);
    let err = sb.fails(&["cancel", &id, "--tell", "--send", "--yes"], 1);
    assert!(err.contains("cannot be cancelled"), "{err}");
    assert!(!err.contains("intro ask"), "{err}");
}

#[test]
fn a_new_how_rewrites_an_unedited_thank_you_and_an_edited_one_is_kept_with_a_warning() {
    let (sb, _) = maildir_sandbox();
    let id = make_request(&sb);
    sb.ok(&["introduced", &id]);
    let run = sb.run(&["thank", &id, "--how", "we met and it went well"]);
    assert!(run.stdout.contains("draft saved:"), "{}", run.stdout);
    // A new --how: intro's own draft is written anew with it.
    let run = sb.run(&["thank", &id, "--how", "we met for coffee"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("We met for coffee."), "{}", run.stdout);
    assert!(run.stdout.contains("draft saved:"), "{}", run.stdout);
    assert!(!run.stderr.contains("edited"), "{}", run.stderr);
    let drafts = sb.drafts();
    assert!(body(&drafts[0].1).contains("We met for coffee."));
    // Edited by the user: kept, the new --how is not used, and no false
    // "draft saved:".
    let path = sb.data_dir().join("drafts").join(&drafts[0].0);
    let edited = drafts[0]
        .1
        .replace("We met for coffee.", "We talked for an hour.");
    std::fs::write(&path, &edited).unwrap();
    let run = sb.run(&["thank", &id, "--how", "a third way"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("We talked for an hour."),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("draft saved:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("draft kept as edited:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("warning: `--how` is not used: the saved draft"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("delete the draft"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited, "kept");
    sb.ok(&["thank", &id, "--send", "--yes"]);
    assert!(body(&sb.sent("thanks")[0]).contains("We talked for an hour."));
}

/// Every command with no place in this direction, and every hint, names
/// a connector request's own commands: never `intro introduce` or `intro
/// ask` (meant for introductions the user makes), and after the thanks
/// no suggestion to ask again.
fn no_hint_of_the_other_direction(text: &str) {
    let without = text.replace("intro introduced", "");
    assert!(!without.contains("intro introduce"), "{text}");
    assert!(!text.contains("`intro ask"), "{text}");
    assert!(!text.contains("shows it first"), "{text}");
}

#[test]
fn every_hint_about_a_request_of_a_connector_names_its_own_commands() {
    let (mut sb, dir) = maildir_sandbox();
    sb.set_now("2026-03-01T09:00:00Z");
    let id = make_request(&sb);
    let message_id = header(&sb.sent("ask")[0], "Message-ID").unwrap();
    // Jo answers: the sync line says what to record.
    std::fs::write(
        dir.join("new/1.M1P1.host"),
        mail(
            JO,
            GRACE,
            &format!("Subject: Re: x\r\nIn-Reply-To: {message_id}\r\n"),
            "Sure, happy to introduce you.\r\n",
        ),
    )
    .unwrap();
    sb.set_now("2026-03-02T09:00:00Z");
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    no_hint_of_the_other_direction(&run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "jo answered your request {id}: `intro approve {id}` records that they agreed"
        )),
        "{}",
        run.stderr
    );
    // Refusals in every state name this direction's commands.
    let mut seen = String::new();
    for args in [
        vec!["followup", &id],
        vec!["introduce", &id],
        vec!["ask", &id],
        vec!["thank", &id],
    ] {
        let run = sb.run(&args);
        assert_ne!(run.code, 0, "{args:?}");
        seen.push_str(&run.stderr);
    }
    sb.ok(&["approve", &id]);
    for args in [
        vec!["followup", &id, "--force"],
        vec!["introduce", &id],
        vec!["ask", &id],
        vec!["approve", &id],
    ] {
        let run = sb.run(&args);
        assert_ne!(run.code, 0, "{args:?}");
        seen.push_str(&run.stderr);
    }
    seen.push_str(&sb.ok(&["status", &id]));
    no_hint_of_the_other_direction(&seen);
    assert!(seen.contains(&format!("`intro introduced {id}`")), "{seen}");

    // Introduced, thanked: done, and nothing suggests asking again.
    sb.ok(&["introduced", &id]);
    sb.ok(&["thank", &id, "--how", "we met", "--send", "--yes"]);
    let mut after = String::new();
    for args in [
        vec!["approve", &id],
        vec!["cancel", &id],
        vec!["thank", &id],
        vec!["introduced", &id],
        vec!["followup", &id],
        vec!["followup", "jo"],
    ] {
        let run = sb.run(&args);
        assert_ne!(run.code, 0, "{args:?}");
        after.push_str(&run.stderr);
    }
    after.push_str(&sb.ok(&["status", &id]));
    no_hint_of_the_other_direction(&after);
    assert!(!after.contains("asks again"), "{after}");
    assert!(!after.contains("intro request jo sam"), "{after}");
    assert!(after.contains("you thanked them"), "{after}");
}

#[test]
fn a_second_request_of_the_same_connector_is_refused_in_the_words_of_requests() {
    let (sb, _) = maildir_sandbox();
    sb.ok(&request_args(&["--yes"]));
    let err = sb.fails(&request_args(&["--yes"]), 1);
    assert!(
        err.contains("the same request is not sent twice") && err.contains("a second request"),
        "{err}"
    );
    no_hint_of_the_other_direction(&err);
    assert!(
        !err.contains("same ask") && !err.contains("second ask"),
        "{err}"
    );
}

#[test]
fn a_handle_of_several_requests_lists_each_with_its_direction() {
    let (sb, _) = maildir_sandbox();
    let requested = make_request(&sb);
    let ask = sb.ask("jo", "ada", "a reason");
    let err = sb.fails(&["cancel", "jo"], 1);
    assert!(
        err.contains(&format!(
            "{requested}  you asked jo to introduce you to sam, asked"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{ask}  you introduce: jo about ada, asked")),
        "{err}"
    );
}

/// The note C forwards is read by T: a reason that speaks of T by name
/// ("Sam wrote the book") reads to Sam as written for someone else. intro
/// says so and sends the words as typed; written to Sam, nothing is said.
#[test]
fn a_reason_that_speaks_of_t_by_name_is_told_before_it_goes() {
    let (sb, _) = maildir_sandbox();
    let run = sb.run(&request_args(&["--yes"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: `--why` speaks of Sam by name, but Sam reads it in the note to forward; written to Sam (\"you\", \"your\") it reads as meant for them"
        ),
        "{}",
        run.stderr
    );
    assert!(body(&sb.outbox()[0].1).contains("Sam wrote the book on error recovery"));

    let (sb, _) = maildir_sandbox();
    let run = sb.run(&[
        "request",
        "jo",
        "sam",
        "--why",
        "you wrote the book on error recovery",
        "--yes",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("by name"), "{}", run.stderr);
}
