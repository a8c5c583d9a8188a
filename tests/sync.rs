//! `intro sync` against real mail: a private Dovecot on 127.0.0.1 over
//! IMAPS and STARTTLS (and plain, for a local bridge), and a Maildir
//! folder. Grace (intro's user, `[me]`) asks Ada; Ada's answer lands in
//! Grace's inbox; `intro sync` finds it and the request becomes `replied`.

#![allow(clippy::unwrap_used)]

use crate::support::mail_servers::{Dovecot, Security, SmtpOptions, SmtpServer, certs};
use crate::support::sandbox::{COMPLETE_ASK, CONFIG, Sandbox, header};

const GRACE_PW: &str = "grace-imap-pw";

fn dovecot() -> Dovecot {
    Dovecot::start(&[("grace", GRACE_PW), ("ada", "ada-pw")])
}

/// The [imap] table for Grace's inbox on `dovecot`, with `extra` lines.
fn imap_config(dovecot: &Dovecot, security: &str, extra: &str) -> String {
    let port = match security {
        "tls" => dovecot.imap_tls_port,
        _ => dovecot.imap_starttls_port,
    };
    format!(
        "{CONFIG}\n[imap]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\n\
         password_env = \"TEST_IMAP_PW\"\ntimeout_secs = 5\n{extra}\n"
    )
}

fn trusted() -> String {
    format!(
        "username = \"grace\"\nca_file = \"{}\"\n",
        certs().ca_pem.display()
    )
}

fn sandbox_for(dovecot: &Dovecot, security: &str, extra: &str) -> Sandbox {
    let mut sb = Sandbox::new();
    sb.write_config(&imap_config(dovecot, security, extra));
    sb.set_env("TEST_IMAP_PW", GRACE_PW);
    sb
}

/// A reply to Grace. `threading` is the In-Reply-To / References lines.
fn reply(from: &str, threading: &str, body: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "From: {from}\r\nTo: Grace Hopper <grace@example.com>\r\n\
         Subject: Re: Would you be open to meeting Sam Builder?\r\n\
         Date: Mon, 02 Mar 2026 10:15:00 +0100\r\n\
         Message-ID: <reply-{n}@mail.example.com>\r\n{threading}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
}

const ADA: &str = "Ada Lovelace <ada@example.com>";

const ANSWER: &str = "Sure, happy to talk to Sam next week.\r\n\r\nAda\r\n\r\n\
    On Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <grace@example.com> wrote:\r\n\
    > Hi Ada,\r\n> would you be open to meeting Sam Builder?\r\n";

fn in_reply_to(id: &str) -> String {
    format!("In-Reply-To: {id}\r\nReferences: {id}\r\n")
}

/// Ask `a` about sam (outbox transport) and return (request id, ask Message-ID).
fn ask(sb: &Sandbox, a: &str) -> (String, String) {
    let id = sb.ask(a, "sam", "you both work on compilers");
    let message_id = sb.request(&id)["message_id"]
        .as_str()
        .expect("a request has a message_id")
        .to_string();
    (id, message_id)
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("an array of requests")
        .iter()
        .map(|r| r["id"].as_str().expect("a request has an id").to_string())
        .collect()
}

fn sync(sb: &Sandbox) -> (serde_json::Value, String) {
    let run = sb.run(&["sync", "--json"]);
    assert_eq!(run.code, 0, "sync failed:\n{}", run.stderr);
    (run.json(), run.stderr)
}

#[test]
fn a_reply_over_imaps_moves_the_request_to_replied() {
    let dc = dovecot();
    let mut sb = sandbox_for(&dc, "tls", &trusted());
    let (id, ask_id) = ask(&sb, "ada");
    let (other, _) = ask(&sb, "kay");
    dc.deliver("grace", &reply(ADA, &in_reply_to(&ask_id), ANSWER));

    sb.set_now("2026-03-03T08:00:00Z");
    let (changed, stderr) = sync(&sb);
    assert_eq!(ids(&changed), [id.as_str()], "{stderr}");
    let r = &changed[0];
    assert_eq!(r["status"], "replied");
    assert_eq!(
        r["reply"]["at"], "2026-03-02T09:15:00Z",
        "the reply's Date, in UTC"
    );
    assert_eq!(
        r["reply"]["snippet"], "Sure, happy to talk to Sam next week. Ada",
        "the reply's own words, without the quoted ask"
    );
    assert_eq!(r["updated_at"], "2026-03-03T08:00:00Z");
    assert_eq!(sb.request(&other)["status"], "asked");
    assert!(stderr.contains("1 request moved to `replied`"), "{stderr}");

    // status: replied first among the open ones, with the snippet and the
    // next step (and a hint, since the answer reads like a clear yes).
    let out = sb.ok(&["status"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].starts_with(&id), "replied first:\n{out}");
    assert!(lines[1].contains("replied"), "{out}");
    assert!(
        lines[1].contains(&format!(
            "approve or decline (reads like a yes): `intro approve {id}`"
        )),
        "{out}"
    );
    assert!(
        lines[1].contains("\"Sure, happy to talk to Sam next"),
        "{out}"
    );
    assert!(lines[2].starts_with(&other), "{out}");
    let detail = sb.ok(&["status", &id]);
    assert!(
        detail.contains("reply:       2026-03-02T09:15:00Z \"Sure, happy to talk"),
        "{detail}"
    );

    // Sync twice changes nothing the second time, and costs nothing.
    let (changed, stderr) = sync(&sb);
    assert_eq!(changed, serde_json::json!([]));
    assert!(
        stderr.contains("nothing new since the last sync"),
        "{stderr}"
    );
    assert!(stderr.contains("no new replies"), "{stderr}");
    assert_eq!(sb.request(&id)["history"].as_array().unwrap().len(), 2);

    // A decision is never undone by a later sync, even a full rescan.
    sb.ok(&["approve", &id]);
    let run = sb.run(&["sync", "--rescan", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json(), serde_json::json!([]));
    assert_eq!(sb.request(&id)["status"], "approved");
}

#[test]
fn starttls_finds_a_reply_to_a_followup() {
    let dc = dovecot();
    let mut sb = sandbox_for(&dc, "starttls", &trusted());
    let (id, ask_id) = ask(&sb, "ada");
    sb.set_now("2026-03-06T09:00:00Z");
    sb.ok(&["followup", &id, "--yes"]);
    let followup_id = sb
        .outbox()
        .into_iter()
        .find(|(name, _)| name.contains(".followup."))
        .and_then(|(_, m)| header(&m, "Message-ID"))
        .expect("the follow-up was written to the outbox");
    assert_ne!(followup_id, ask_id);
    // Only the follow-up is named: the client kept just the last id.
    let threading = format!("In-Reply-To: {followup_id}\r\nReferences: {followup_id}\r\n");
    dc.deliver(
        "grace",
        &reply(ADA, &threading, "Sorry, I'm swamped until June.\r\n"),
    );
    sb.set_now("2026-03-07T09:00:00Z");
    let (changed, stderr) = sync(&sb);
    assert_eq!(ids(&changed), [id.as_str()], "{stderr}");
    assert_eq!(
        changed[0]["reply"]["snippet"],
        "Sorry, I'm swamped until June."
    );
    let out = sb.ok(&["status"]);
    assert!(
        out.contains(&format!(
            "approve or decline (reads like a no): `intro decline {id}`"
        )),
        "{out}"
    );
}

#[test]
fn a_message_from_someone_else_in_the_thread_changes_nothing() {
    let dc = dovecot();
    let sb = sandbox_for(&dc, "tls", &trusted());
    let (id, ask_id) = ask(&sb, "ada");
    // Same In-Reply-To, but from Sam (say A forwarded the ask), and an
    // out-of-office answer from A's own address.
    dc.deliver(
        "grace",
        &reply(
            "Sam Builder <sam@example.org>",
            &in_reply_to(&ask_id),
            "Yes, happy to meet Ada!\r\n",
        ),
    );
    dc.deliver(
        "grace",
        &reply(
            ADA,
            &format!("{}Auto-Submitted: auto-replied\r\n", in_reply_to(&ask_id)),
            "I am away until Monday.\r\n",
        ),
    );
    let (changed, stderr) = sync(&sb);
    // The auto-reply is kept in the history; the request stays `asked`.
    assert_eq!(ids(&changed), [id.as_str()]);
    assert!(
        stderr.contains(
            "2 messages in the threads of 1 waiting request (1 not from A), 1 automatic reply"
        ),
        "{stderr}"
    );
    let r = sb.request(&id);
    assert_eq!(r["status"], "asked");
    assert!(r["reply"].is_null());
}

#[test]
fn a_reply_with_only_references_is_found_and_the_user_name_defaults_to_me() {
    let dc = dovecot();
    // No `username`: Grace's address logs in (Dovecot drops the domain).
    let extra = format!("ca_file = \"{}\"\n", certs().ca_pem.display());
    let sb = sandbox_for(&dc, "tls", &extra);
    let (id, ask_id) = ask(&sb, "ada");
    let threading = format!("References: <older@example.com> {ask_id}\r\n");
    dc.deliver(
        "grace",
        &reply("ADA@EXAMPLE.COM", &threading, "Happy to help.\r\n"),
    );
    let (changed, stderr) = sync(&sb);
    assert_eq!(ids(&changed), [id.as_str()], "{stderr}");
    assert_eq!(changed[0]["reply"]["snippet"], "Happy to help.");
}

#[test]
fn only_new_mail_is_searched_and_only_hits_are_fetched() {
    let dc = dovecot();
    let sb = sandbox_for(&dc, "tls", &trusted());
    let (first, first_ask) = ask(&sb, "ada");
    for i in 0..40 {
        dc.deliver(
            "grace",
            &format!(
                "From: news{i}@example.net\r\nSubject: news {i}\r\nMessage-ID: <n{i}@example.net>\r\n\r\nhello\r\n"
            ),
        );
    }
    dc.deliver("grace", &reply(ADA, &in_reply_to(&first_ask), "Yes.\r\n"));
    let (changed, stderr) = sync(&sb);
    assert_eq!(ids(&changed), [first.as_str()]);
    assert!(
        stderr.contains("1 message in the threads of 1 waiting request"),
        "the server searched; intro fetched only the hit: {stderr}"
    );
    let state = std::fs::read_to_string(sb.data_dir().join("sync-state.json")).unwrap();
    assert!(state.contains("grace@127.0.0.1:"), "{state}");
    assert!(!state.contains(GRACE_PW), "no password in the checkpoint");

    // A request asked after the last sync gets its answer later: above
    // the checkpoint, where the next sync looks.
    let (second, second_ask) = ask(&sb, "kay");
    dc.deliver(
        "grace",
        &reply(
            "Katherine Johnson <kay@example.com>",
            &in_reply_to(&second_ask),
            "Of course.\r\n",
        ),
    );
    let (changed, stderr) = sync(&sb);
    assert_eq!(ids(&changed), [second.as_str()], "{stderr}");
    assert!(
        stderr.contains("1 message in the threads of 1 waiting request"),
        "{stderr}"
    );
    assert_eq!(sb.request(&first)["status"], "replied");
}

#[test]
fn many_waiting_requests_are_searched_in_batches() {
    let dc = dovecot();
    let sb = sandbox_for(&dc, "starttls", &trusted());
    // More tracked Message-IDs than one SEARCH carries.
    let asked: Vec<(String, String)> = (0..45)
        .map(|i| {
            let v = sb.json(&[
                "ask",
                "ada",
                "sam",
                "--why",
                &format!("reason {i}"),
                "--force",
                "--yes",
            ]);
            (
                v["id"].as_str().unwrap().to_string(),
                v["message_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (_, ask_id) in &asked {
        dc.deliver("grace", &reply(ADA, &in_reply_to(ask_id), "Yes.\r\n"));
    }
    let (changed, stderr) = sync(&sb);
    let mut got = ids(&changed);
    got.sort();
    let mut want: Vec<String> = asked.into_iter().map(|(id, _)| id).collect();
    want.sort();
    assert_eq!(got, want, "{stderr}");
}

#[test]
fn a_full_round_trip_over_smtp_and_imap() {
    let dc = dovecot();
    let smtp = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        auth: Some(("grace".into(), "grace-smtp-pw".into())),
        lmtp: Some(dc.lmtp_socket.clone()),
        ..SmtpOptions::default()
    });
    let mut sb = Sandbox::new();
    let smtp_table = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nusername = \"grace\"\n\
         password_env = \"TEST_SMTP_PW\"\nca_file = \"{}\"\ntimeout_secs = 5\n",
        smtp.port,
        certs().ca_pem.display()
    );
    sb.write_config(&format!(
        "{}\n{smtp_table}",
        imap_config(&dc, "starttls", &trusted())
    ));
    sb.set_env("TEST_SMTP_PW", "grace-smtp-pw");
    sb.set_env("TEST_IMAP_PW", GRACE_PW);
    let id = sb.ask("ada", "sam", "you both work on compilers");

    // Ada finds the ask in her inbox and answers it, as a mail client would.
    let inbox = dc.inbox("ada");
    assert_eq!(inbox.len(), 1, "the ask reached Ada's mailbox");
    let ask_id = header(&inbox[0], "Message-ID").unwrap();
    assert_eq!(ask_id, sb.request(&id)["message_id"].as_str().unwrap());
    dc.deliver(
        "grace",
        &reply(
            "Ada Lovelace <ada@example.com>",
            &in_reply_to(&ask_id),
            "Yes, please introduce us.\r\n\r\n> Hi Ada,\r\n",
        ),
    );
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("{id} ada replied: \"Yes, please introduce us.\"\n")
    );
    assert_eq!(sb.request(&id)["status"], "replied");
}

#[test]
fn a_wrong_password_is_a_clear_error_and_changes_nothing() {
    let dc = dovecot();
    let mut sb = sandbox_for(&dc, "tls", &trusted());
    let (id, ask_id) = ask(&sb, "ada");
    dc.deliver("grace", &reply(ADA, &in_reply_to(&ask_id), "Yes.\r\n"));
    sb.set_env("TEST_IMAP_PW", "not-the-password");
    let err = sb.fails(&["sync"], 1);
    assert!(
        err.starts_with(&format!(
            "error: 127.0.0.1:{} refused the login for `grace`",
            dc.imap_tls_port
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: check `username` and the password source in [imap]"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-password"),
        "the password is never printed"
    );
    assert_eq!(sb.request(&id)["status"], "asked");
    assert!(!sb.data_dir().join("sync-state.json").exists());
}

#[test]
fn an_untrusted_certificate_is_a_clear_error_and_changes_nothing() {
    let dc = dovecot();
    for security in ["tls", "starttls"] {
        // A CA that did not sign the server's certificate.
        let extra = format!(
            "username = \"grace\"\nca_file = \"{}\"\n",
            certs().other_ca_pem.display()
        );
        let sb = sandbox_for(&dc, security, &extra);
        let (id, ask_id) = ask(&sb, "ada");
        dc.deliver("grace", &reply(ADA, &in_reply_to(&ask_id), "Yes.\r\n"));
        let err = sb.fails(&["sync"], 1);
        assert!(
            err.contains("the TLS certificate of 127.0.0.1:") && err.contains("did not verify"),
            "{security}: {err}"
        );
        assert!(
            err.contains("hint: check that `ca_file` in [imap]"),
            "{security}: {err}"
        );
        assert_eq!(sb.request(&id)["status"], "asked");

        // Only the public roots: the hint says to set `ca_file`.
        sb.write_config(&imap_config(&dc, security, "username = \"grace\"\n"));
        let err = sb.fails(&["sync"], 1);
        assert!(err.contains("did not verify"), "{security}: {err}");
        assert!(err.contains("set `ca_file` in [imap]"), "{security}: {err}");
        assert_eq!(sb.request(&id)["status"], "asked");
    }
}

#[test]
fn plain_imap_needs_allow_insecure_auth() {
    let dc = dovecot();
    let sb = sandbox_for(&dc, "none", "username = \"grace\"\n");
    let (id, ask_id) = ask(&sb, "ada");
    dc.deliver("grace", &reply(ADA, &in_reply_to(&ask_id), "Yes.\r\n"));
    let err = sb.fails(&["sync"], 1);
    assert!(
        err.contains("refusing to send the IMAP password to 127.0.0.1:")
            && err.contains("over an unencrypted connection"),
        "{err}"
    );
    assert!(err.contains("allow_insecure_auth = true"), "{err}");
    assert_eq!(sb.request(&id)["status"], "asked");
    // A bridge on this machine (e.g. Proton Mail Bridge) is fine when allowed.
    sb.write_config(&imap_config(
        &dc,
        "none",
        "username = \"grace\"\nallow_insecure_auth = true\n",
    ));
    let (changed, _) = sync(&sb);
    assert_eq!(ids(&changed), [id.as_str()]);
}

#[test]
fn a_missing_mailbox_is_named() {
    let dc = dovecot();
    let extra = format!("{}mailbox = \"Replies\"\n", trusted());
    let sb = sandbox_for(&dc, "tls", &extra);
    let err = sb.fails(&["sync"], 1);
    assert!(err.contains("cannot open the mailbox `Replies`"), "{err}");
    assert!(err.contains("hint: check `mailbox` in [imap]"), "{err}");
}

/// A Maildir under the sandbox, as mbsync keeps one.
fn maildir(sb: &Sandbox) -> std::path::PathBuf {
    let dir = sb.root().join("Mail").join("INBOX");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("create the Maildir");
    }
    dir
}

#[test]
fn replies_in_a_maildir_new_and_cur() {
    let sb = Sandbox::new();
    let dir = maildir(&sb);
    // `~` is the user's home; here the path is relative to the config file.
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"../../Mail/INBOX\"\n"
    ));
    let (ada, ada_ask) = ask(&sb, "ada");
    let (kay, kay_ask) = ask(&sb, "kay");
    let (alan, alan_ask) = ask(&sb, "alan");
    std::fs::write(
        dir.join("new/1772442900.M1P1.host"),
        reply(ADA, &in_reply_to(&ada_ask), ANSWER),
    )
    .unwrap();
    std::fs::write(
        dir.join("cur/1772442901.M2P1.host:2,S"),
        reply(
            "Katherine Johnson <Kay@Example.com>",
            &format!("References: {kay_ask}\r\n"),
            "No, not a good time.\r\n",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("cur/1772442902.M3P1.host:2,S"),
        reply("Sam <sam@example.org>", &in_reply_to(&alan_ask), "Hi!\r\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("cur/1772442903.M4P1.host:2,"),
        "From: someone@example.net\r\nSubject: unrelated\r\n\r\nhello\r\n",
    )
    .unwrap();

    let (changed, stderr) = sync(&sb);
    let mut got = ids(&changed);
    got.sort();
    let mut want = vec![ada.clone(), kay.clone()];
    want.sort();
    assert_eq!(got, want, "{stderr}");
    assert!(stderr.contains("1 not from A"), "{stderr}");
    assert_eq!(sb.request(&alan)["status"], "asked");
    assert_eq!(sb.request(&kay)["reply"]["snippet"], "No, not a good time.");
    assert_eq!(
        sb.request(&ada)["reply"]["snippet"],
        "Sure, happy to talk to Sam next week. Ada"
    );

    let (changed, _) = sync(&sb);
    assert_eq!(changed, serde_json::json!([]), "sync twice changes nothing");
}

#[test]
fn a_maildir_path_that_is_not_a_maildir_is_named() {
    let sb = Sandbox::new();
    let path = sb.root().join("nowhere");
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        path.display()
    ));
    let err = sb.fails(&["sync"], 1);
    assert!(
        err.contains(&format!(
            "`maildir.path` `{}` is not a Maildir",
            path.display()
        )),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn without_imap_or_maildir_sync_says_what_to_add() {
    let sb = Sandbox::new();
    sb.ask("ada", "sam", "compilers");
    let err = sb.fails(&["sync"], 1);
    assert!(
        err.starts_with("error: nowhere to look for replies: `")
            && err.contains("[imap] or [maildir]"),
        "{err}"
    );
    assert!(err.contains("hint: add [imap] with `host = "), "{err}");
    assert!(err.contains("hint: or [maildir] with `path = "), "{err}");
}

/// The messages in one of Grace's folders other than the inbox.
fn folder(dovecot: &Dovecot, name: &str) -> Vec<String> {
    let root = dovecot
        .dir
        .join("mail")
        .join("grace")
        .join(format!(".{name}"));
    let mut out = Vec::new();
    for sub in ["cur", "new"] {
        if let Ok(rd) = std::fs::read_dir(root.join(sub)) {
            for e in rd {
                out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
    }
    out
}

#[test]
fn save_sent_keeps_a_copy_of_each_message_in_an_imap_folder() {
    let dc = dovecot();
    let smtp = SmtpServer::start(SmtpOptions::default());
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{}save_sent = \"Sent\"\n{}",
        imap_config(&dc, "tls", &trusted()),
        smtp.smtp_table()
    ));
    sb.set_env("TEST_IMAP_PW", GRACE_PW);
    let run = sb.run(&[&COMPLETE_ASK[..], &["--yes"]].concat());
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let id = run.stdout.trim().to_string();
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(smtp.messages().len(), 2);
    let sent = folder(&dc, "Sent");
    assert_eq!(sent.len(), 2, "one copy per message sent");
    let ask_id = sb.request(&id)["message_id"].as_str().unwrap().to_string();
    assert!(
        sent.iter()
            .any(|m| header(m, "Message-ID").as_deref() == Some(&ask_id))
    );

    // A copy that cannot be saved is a warning; the send still counts.
    sb.set_env("TEST_IMAP_PW", "wrong");
    let run = sb.run(&["ask", "kay", "sam", "--why", "orbits", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: sent, but no copy was saved"),
        "{}",
        run.stderr
    );
    assert_eq!(smtp.messages().len(), 3);
    assert_eq!(folder(&dc, "Sent").len(), 2);
}

/// An out-of-office answer to `threading`, from `from`, dated 2 March 2026.
fn auto_reply(from: &str, threading: &str, header: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: Grace Hopper <grace@example.com>\r\n\
         Subject: Automatic reply: Would you be open to meeting Sam Builder?\r\n\
         Date: Mon, 02 Mar 2026 10:15:00 +0100\r\n\
         Message-ID: <ooo-{}@mail.example.com>\r\n{header}\r\n{threading}\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}",
        from.len() + body.len()
    )
}

#[test]
fn an_out_of_office_reply_keeps_the_request_asked_and_holds_the_follow_up() {
    let mut sb = Sandbox::new();
    let dir = maildir(&sb);
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"../../Mail/INBOX\"\n"
    ));
    let (ada, ada_ask) = ask(&sb, "ada");
    let (kay, kay_ask) = ask(&sb, "kay");
    std::fs::write(
        dir.join("new/1772442900.M1P1.host"),
        auto_reply(
            ADA,
            &in_reply_to(&ada_ask),
            "Auto-Submitted: auto-replied",
            "Thank you for your message. I am travelling and back on 16 March.\r\n",
        ),
    )
    .unwrap();
    // No return date: the follow-up waits `after_days` from the auto-reply.
    std::fs::write(
        dir.join("new/1772442901.M2P1.host"),
        auto_reply(
            "kay@example.com",
            &in_reply_to(&kay_ask),
            "X-Autorespond: yes",
            "I am out of the office with limited access to email.\r\n",
        ),
    )
    .unwrap();

    sb.set_now("2026-03-03T08:00:00Z");
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "{ada} ada is away (automatic reply, back on 2026-03-16); next follow-up not before 2026-03-16"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "{kay} kay is away (automatic reply, no return date given); next follow-up not before 2026-03-07"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("2 automatic replies"), "{}", run.stderr);
    assert!(run.stderr.contains("no new replies"), "{}", run.stderr);

    let r = sb.request(&ada);
    assert_eq!(r["status"], "asked", "an auto-reply is no answer");
    assert_eq!(r["reply"], serde_json::Value::Null);
    assert_eq!(r["next_followup_at"], "2026-03-16T00:00:00Z");
    let last = r["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "auto_replied");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .starts_with("ada is away, back on 2026-03-16; no follow-up before then (<ooo-"),
        "{last}"
    );
    assert_eq!(
        sb.request(&kay)["next_followup_at"],
        "2026-03-07T09:15:00Z",
        "5 days after the auto-reply"
    );
    let detail = sb.ok(&["status", &ada]);
    assert!(
        detail.contains("auto replied: ada is away, back on 2026-03-16"),
        "{detail}"
    );
    assert_eq!(
        r["next_step"],
        "ada is away; wait for a reply (follow-up due in 13d)"
    );

    // Recorded once, even when the mailbox is read again.
    let history = r["history"].as_array().unwrap().len();
    let run = sb.run(&["sync", "--rescan", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json(), serde_json::json!([]));
    assert_eq!(
        sb.request(&ada)["history"].as_array().unwrap().len(),
        history
    );

    // Not due while A is away; due from the return date.
    sb.set_now("2026-03-10T09:00:00Z");
    let due = sb.json(&["status", "--due"]);
    assert_eq!(
        ids(&due),
        [kay.as_str()],
        "kay's hold is over, ada's is not"
    );
    let err = sb.fails(&["followup", &ada], 1);
    assert!(
        err.contains("is not due until 2026-03-16")
            && err.contains("hint: `ada` sent an out-of-office reply"),
        "{err}"
    );
    sb.set_now("2026-03-16T09:00:00Z");
    let mut due = ids(&sb.json(&["status", "--due"]));
    due.sort();
    let mut want = vec![ada.clone(), kay.clone()];
    want.sort();
    assert_eq!(due, want);

    // A real answer afterwards still moves the request on.
    std::fs::write(
        dir.join("new/1772442999.M3P1.host"),
        reply(ADA, &in_reply_to(&ada_ask), ANSWER),
    )
    .unwrap();
    let (changed, _) = sync(&sb);
    assert_eq!(ids(&changed), [ada.as_str()]);
    assert_eq!(sb.request(&ada)["status"], "replied");
}

#[test]
fn b_s_out_of_office_reply_on_a_both_request_is_recorded_for_b() {
    let sb = Sandbox::new();
    let dir = maildir(&sb);
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"../../Mail/INBOX\"\n"
    ));
    let v = sb.json(&["ask", "ada", "sam", "--why", "compilers", "--both", "--yes"]);
    let id = v["id"].as_str().unwrap().to_string();
    let outbox = sb.outbox();
    let (_, b_ask) = outbox
        .iter()
        .find(|(name, _)| name.contains(".ask-b."))
        .expect("B's ask in the outbox");
    let b_ask_id = header(b_ask, "Message-ID").unwrap();
    std::fs::write(
        dir.join("new/1772442900.M1P1.host"),
        auto_reply(
            "Sam Builder <sam@example.org>",
            &in_reply_to(&b_ask_id),
            "Precedence: auto_reply",
            "Away until 2026-03-20.\r\n",
        ),
    )
    .unwrap();
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "{id} sam is away (automatic reply, back on 2026-03-20)"
        )),
        "{}",
        run.stdout
    );
    let r = sb.request(&id);
    assert_eq!(r["status"], "asked");
    assert_eq!(r["b_status"], "asked", "B's ask still waits");
    let last = r["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "auto_replied");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .starts_with("sam is away, back on 2026-03-20"),
        "{last}"
    );
    // A's follow-up is unaffected.
    assert_eq!(r["next_followup_at"], "2026-03-06T09:00:00Z");
}

#[test]
fn any_mail_counts_takes_a_new_thread_from_a_as_the_answer() {
    let sb = Sandbox::new();
    let dir = maildir(&sb);
    let (ada, _) = ask(&sb, "ada");
    let fresh = "From: Ada Lovelace <ada@example.com>\r\nTo: grace@example.com\r\n\
         Subject: Sam\r\nDate: Mon, 02 Mar 2026 10:15:00 +0100\r\n\
         Message-ID: <new-thread@mail.example.com>\r\n\r\nHappy to meet Sam.\r\n";
    let earlier = "From: ada@example.com\r\nTo: grace@example.com\r\n\
         Subject: lunch\r\nDate: Sat, 28 Feb 2026 10:15:00 +0100\r\n\r\nLunch?\r\n";
    std::fs::write(dir.join("new/1772442900.M1P1.host"), fresh).unwrap();
    std::fs::write(dir.join("cur/1772442000.M0P1.host:2,S"), earlier).unwrap();

    // Off by default: a new thread is not an answer.
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"../../Mail/INBOX\"\n"
    ));
    let (changed, _) = sync(&sb);
    assert_eq!(changed, serde_json::json!([]));

    // Turned on, the mail already read is read again once: no `--rescan`.
    sb.write_config(&format!(
        "{CONFIG}\n[sync]\nany_mail_counts = true\n\n[maildir]\npath = \"../../Mail/INBOX\"\n"
    ));
    let run = sb.run(&["sync", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("`any_mail_counts` is newly on"),
        "{}",
        run.stderr
    );
    assert_eq!(ids(&run.json()), [ada.as_str()]);
    let r = sb.request(&ada);
    assert_eq!(r["status"], "replied");
    assert_eq!(r["reply"]["snippet"], "Happy to meet Sam.");
}

#[test]
fn any_mail_counts_over_imap_searches_by_sender() {
    let dc = dovecot();
    let sb = sandbox_for(
        &dc,
        "tls",
        &format!("{}\n[sync]\nany_mail_counts = true\n", trusted()),
    );
    let (ada, _) = ask(&sb, "ada");
    let (kay, _) = ask(&sb, "kay");
    dc.deliver(
        "grace",
        "From: Ada Lovelace <ada@example.com>\r\nTo: grace@example.com\r\n\
         Subject: about Sam\r\nDate: Mon, 02 Mar 2026 10:15:00 +0100\r\n\
         Message-ID: <imap-new-thread@mail.example.com>\r\n\r\nYes, introduce us.\r\n",
    );
    let (changed, stderr) = sync(&sb);
    assert_eq!(ids(&changed), [ada.as_str()], "{stderr}");
    assert_eq!(sb.request(&kay)["status"], "asked");
}

#[test]
fn a_bad_sync_key_is_named_with_its_line() {
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n[sync]\nany_mail_counts = \"yes\"\n"));
    let err = sb.fails(&["sync"], 1);
    assert!(err.contains("config.toml:6"), "{err}");
    assert!(err.contains("any_mail_counts"), "{err}");
}
