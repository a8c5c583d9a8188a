//! `intro who-knows` against real mail: a Maildir folder as mbsync keeps
//! one, and a private Dovecot over IMAPS with a sent folder. Grace is the
//! user; Sam writes back and forth with Ada, Bob only writes to her.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::mail_servers::{Dovecot, certs};
use crate::support::sandbox::{CONFIG, Sandbox};

const ADA: &str = "Ada Lovelace <ada@example.com>";
const SAM: &str = "Sam Builder <sam@example.org>";
const BOB: &str = "Bob Mailer <bob@promo.example>";
const GRACE: &str = "Grace Hopper <grace@example.com>";
const LEE: &str = "Lee Park <lee@acme.com>";
const MO: &str = "Mo Chen <mo@eu.acme.com>";

/// A message from `from` to `to` (Grace copied unless she sent it), in
/// thread `thread`, on day `day` of March 2026.
fn message(n: usize, from: &str, to: &str, thread: &str, day: u32) -> String {
    let cc = if from == GRACE || to == GRACE {
        String::new()
    } else {
        format!("Cc: {GRACE}\r\n")
    };
    // Every message refers to its thread's (absent) first message.
    format!(
        "From: {from}\r\nTo: {to}\r\n{cc}Subject: Re: {thread}\r\n\
         Date: Mon, {day:02} Mar 2026 10:00:00 +0000\r\n\
         Message-ID: <{thread}-{n}@x>\r\nReferences: <{thread}@x>\r\n\r\nHello.\r\n"
    )
}

/// The mail Grace keeps: (from, to, thread, day).
const MAIL: &[(&str, &str, &str, u32)] = &[
    // Sam and Ada, both ways, in two threads.
    (SAM, ADA, "t1", 1),
    (ADA, SAM, "t1", 2),
    (ADA, SAM, "t2", 3),
    (SAM, ADA, "t2", 4),
    // Bob writes to Ada four times; she never answers.
    (BOB, ADA, "b1", 1),
    (BOB, ADA, "b2", 2),
    (BOB, ADA, "b3", 3),
    (BOB, ADA, "b4", 4),
    // Grace with Sam and Bob.
    (GRACE, SAM, "g1", 5),
    (SAM, GRACE, "g1", 6),
    (GRACE, BOB, "g2", 5),
    // Acme: Lee and Mo (a subdomain) with Sam.
    (SAM, LEE, "a1", 7),
    (LEE, SAM, "a1", 8),
    (MO, SAM, "a2", 8),
];

fn write_maildir(dir: &Path, mail: &[(&str, &str, &str, u32)], first: usize) {
    for (i, (from, to, thread, day)) in mail.iter().enumerate() {
        let n = first + i;
        let sub = if n.is_multiple_of(3) { "new" } else { "cur" };
        let flags = if sub == "cur" { ":2,S" } else { "" };
        std::fs::write(
            dir.join(sub)
                .join(format!("17724{n:05}.M{n}P1.host{flags}")),
            message(n, from, to, thread, *day),
        )
        .unwrap();
    }
}

fn maildir_sandbox() -> (Sandbox, PathBuf) {
    let mut sb = Sandbox::new();
    let dir = sb.maildir();
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        dir.display()
    ));
    sb.set_now("2026-03-10T09:00:00Z");
    write_maildir(&dir, MAIL, 0);
    (sb, dir)
}

fn people(v: &Value) -> Vec<(String, u64, u64, u64)> {
    v["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["email"].as_str().unwrap().to_string(),
                p["wrote"].as_u64().unwrap(),
                p["received"].as_u64().unwrap(),
                p["threads"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn row(email: &str, wrote: u64, received: u64, threads: u64) -> (String, u64, u64, u64) {
    (email.to_string(), wrote, received, threads)
}

#[test]
fn both_ways_outranks_one_way_with_the_evidence_shown() {
    let (sb, _dir) = maildir_sandbox();
    let v = sb.json(&["who-knows", "ada@example.com"]);
    assert_eq!(v["target"], "ada@example.com");
    assert_eq!(v["messages"], MAIL.len());
    assert_eq!(
        people(&v),
        [
            row("sam@example.org", 2, 2, 2),
            row("bob@promo.example", 4, 0, 0)
        ]
    );
    let sam = &v["people"][0];
    assert_eq!(sam["handle"], "sam", "a contact is named by its handle");
    assert_eq!(sam["name"], "Sam Builder");
    assert_eq!(sam["last"], "2026-03-04T10:00:00Z");
    assert_eq!(
        (sam["you_wrote"].as_u64(), sam["wrote_you"].as_u64()),
        (Some(1), Some(4))
    );
    assert!(
        sam["score"].as_f64().unwrap() > 4.0 * v["people"][1]["score"].as_f64().unwrap(),
        "{v}"
    );
    let bob = &v["people"][1];
    assert_eq!(bob["handle"], Value::Null);
    assert_eq!(bob["name"], "Bob Mailer");

    // As text: a contact by name and handle, others by name and address.
    let run = sb.run(&["who-knows", "ada"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with("WHO") && lines[0].contains("THREADS"),
        "{}",
        run.stdout
    );
    assert!(lines[1].starts_with("Sam Builder (sam)"), "{}", run.stdout);
    assert!(lines[1].contains("2026-03-04"), "{}", run.stdout);
    assert!(
        lines[2].starts_with("Bob Mailer <bob@promo.example>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("between each person and `ada@example.com`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_domain_query_counts_everyone_there_and_its_subdomains() {
    let (sb, _dir) = maildir_sandbox();
    let v = sb.json(&["who-knows", "@acme.com"]);
    assert_eq!(v["target"], "acme.com");
    assert_eq!(people(&v), [row("sam@example.org", 1, 2, 1)]);
    // The user's own domain never ranks the user.
    let v = sb.json(&["who-knows", "@example.com"]);
    let emails: Vec<String> = people(&v).into_iter().map(|p| p.0).collect();
    assert!(!emails.contains(&"grace@example.com".to_string()), "{v}");
}

#[test]
fn a_new_message_changes_the_answer_and_only_new_mail_is_read() {
    let (sb, dir) = maildir_sandbox();
    let run = sb.run(&["who-knows", "ada@example.com", "--json"]);
    assert!(
        run.stderr
            .contains(&format!("read {} new messages", MAIL.len())),
        "{}",
        run.stderr
    );
    let run = sb.run(&["who-knows", "ada@example.com", "--json"]);
    assert!(
        !run.stderr.contains("new message"),
        "nothing new: {}",
        run.stderr
    );
    // A mail client reads a message: it moves from new/ to cur/ with a
    // flag, and is not counted twice.
    let moved = std::fs::read_dir(dir.join("new"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let name = moved.file_name().into_string().unwrap();
    std::fs::rename(moved.path(), dir.join("cur").join(format!("{name}:2,S"))).unwrap();
    let v = sb.json(&["who-knows", "ada@example.com"]);
    assert_eq!(v["messages"], MAIL.len());

    // Ada answers Bob twice: now he knows her best.
    write_maildir(
        &dir,
        &[(ADA, BOB, "b1", 9), (ADA, BOB, "b2", 9)],
        MAIL.len(),
    );
    let run = sb.run(&["who-knows", "ada@example.com", "--json"]);
    assert!(run.stderr.contains("read 2 new messages"), "{}", run.stderr);
    let v = run.json();
    assert_eq!(
        people(&v),
        [
            row("bob@promo.example", 4, 2, 2),
            row("sam@example.org", 2, 2, 2)
        ]
    );
}

#[test]
fn a_damaged_index_is_rebuilt() {
    let (sb, _dir) = maildir_sandbox();
    let first = sb.json(&["who-knows", "ada@example.com"]);
    let index = sb.data_dir().join("mailbox-index.bin");
    let mut bytes = std::fs::read(&index).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&index, &bytes).unwrap();
    let run = sb.run(&["who-knows", "ada@example.com", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("read {} new messages", MAIL.len())),
        "{}",
        run.stderr
    );
    assert_eq!(run.json(), first);
    std::fs::write(&index, "not an index").unwrap();
    assert_eq!(sb.json(&["who-knows", "ada@example.com"]), first);
}

#[test]
fn a_bad_address_is_named_and_nobody_found_is_no_failure() {
    let (sb, _dir) = maildir_sandbox();
    for bad in ["ada@", "ada@localhost", "a b@example.com"] {
        let err = sb.fails(&["who-knows", bad], 1);
        assert!(
            err.contains(&format!("error: `{bad}` is not an address or @DOMAIN")),
            "{err}"
        );
        assert!(
            err.contains("hint: e.g. `intro who-knows ada@acme.com`"),
            "{err}"
        );
    }
    let err = sb.fails(&["who-knows", "adda"], 1);
    assert!(err.contains("unknown contact `adda`"), "{err}");
    assert!(err.contains("did you mean `ada`?"), "{err}");
    // A domain without its `@` is taken for a handle, and the hint says so.
    let err = sb.fails(&["who-knows", "acme.com"], 1);
    assert!(err.contains("unknown contact `acme.com`"), "{err}");
    assert!(
        err.contains("hint: for everyone at that domain: `intro who-knows @acme.com`"),
        "{err}"
    );

    let run = sb.run(&["who-knows", "nobody@nowhere.example"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("no one in your mail has written with `nobody@nowhere.example`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: check the spelling, or ask about anyone there: `intro who-knows @nowhere.example`"),
        "{}",
        run.stderr
    );
    let v = sb.json(&["who-knows", "nobody@nowhere.example"]);
    assert_eq!(v["people"], serde_json::json!([]));

    let mut bare = Sandbox::new();
    bare.set_now("2026-03-10T09:00:00Z");
    let err = bare.fails(&["who-knows", "ada@example.com"], 1);
    assert!(err.contains("[imap] or [maildir]"), "{err}");
}

/// `doveadm` on the test server, with `stdin` as its input.
fn doveadm(dc: &Dovecot, args: &[&str], stdin: &str) {
    use std::io::Write as _;
    let mut child = Command::new("doveadm")
        .arg("-c")
        .arg(dc.dir.join("dovecot.conf"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "doveadm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn over_imap_with_the_sent_folder_new_mail_and_a_renumbered_inbox() {
    let dc = Dovecot::start(&[("grace", "grace-pw")]);
    doveadm(&dc, &["mailbox", "create", "-u", "grace", "Sent"], "");
    for (n, (from, to, thread, day)) in MAIL.iter().enumerate() {
        let raw = message(n, from, to, thread, *day);
        if *from == GRACE {
            doveadm(&dc, &["save", "-u", "grace", "-m", "Sent"], &raw);
        } else {
            dc.deliver("grace", &raw);
        }
    }
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "{CONFIG}\n[imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\n\
         username = \"grace\"\npassword_env = \"TEST_IMAP_PW\"\nca_file = \"{}\"\n\
         timeout_secs = 5\nsave_sent = \"Sent\"\n",
        dc.imap_tls_port,
        certs().ca_pem.display()
    ));
    sb.set_env("TEST_IMAP_PW", "grace-pw");
    sb.set_now("2026-03-10T09:00:00Z");
    let v = sb.json(&["who-knows", "ada@example.com"]);
    assert_eq!(v["messages"], MAIL.len(), "the inbox and the sent folder");
    let sam = &v["people"][0];
    assert_eq!(sam["email"], "sam@example.org");
    assert_eq!(
        (sam["you_wrote"].as_u64(), sam["wrote_you"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(
        people(&v),
        [
            row("sam@example.org", 2, 2, 2),
            row("bob@promo.example", 4, 0, 0)
        ]
    );

    // Ada answers Bob twice: only those two are fetched.
    dc.deliver("grace", &message(100, ADA, BOB, "b1", 9));
    dc.deliver("grace", &message(101, ADA, BOB, "b2", 9));
    let run = sb.run(&["who-knows", "ada@example.com", "--json"]);
    assert!(run.stderr.contains("read 2 new messages"), "{}", run.stderr);
    assert_eq!(people(&run.json())[0], row("bob@promo.example", 4, 2, 2));

    // The inbox is renumbered (a new UIDVALIDITY) after one of Ada's
    // answers was deleted: it is read again from the start, and the
    // deleted answer no longer counts.
    doveadm(
        &dc,
        &[
            "expunge",
            "-u",
            "grace",
            "mailbox",
            "INBOX",
            "header",
            "Message-ID",
            "b2-101@x",
        ],
        "",
    );
    doveadm(
        &dc,
        &[
            "mailbox",
            "update",
            "-u",
            "grace",
            "--uid-validity",
            "777",
            "INBOX",
        ],
        "",
    );
    let run = sb.run(&["who-knows", "ada@example.com", "--json"]);
    assert!(
        run.stderr
            .contains(&format!("read {} new messages", MAIL.len() - 1)),
        "{}",
        run.stderr
    );
    let v = run.json();
    assert_eq!(v["messages"], MAIL.len() + 1);
    assert!(
        people(&v).contains(&row("bob@promo.example", 4, 1, 1)),
        "{v}"
    );
}
