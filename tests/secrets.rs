//! Secrets and privacy: the password never reaches a file intro writes nor
//! anything it prints, on success or on any error path; everything intro
//! creates is private to the user; private notes never leave the machine.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::support::mail_servers::{Dovecot, Security, SmtpOptions, SmtpServer, certs};
use crate::support::sandbox::{CONFIG, Run, Sandbox};

const PASSWORD: &str = "Pw-7f3Kq9-zebra-LEAK-CHECK";

/// Every byte of every file under `dir`.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

fn assert_no_secret(runs: &[Run], dirs: &[&Path]) {
    for run in runs {
        assert!(
            !run.stdout.contains(PASSWORD),
            "password on stdout:\n{}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(PASSWORD),
            "password on stderr:\n{}",
            run.stderr
        );
    }
    for dir in dirs {
        for (path, bytes) in files_under(dir) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(PASSWORD),
                "password written to {}",
                path.display()
            );
        }
    }
}

#[test]
fn the_password_is_never_written_or_printed() {
    let smtp = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        auth: Some(("grace".into(), PASSWORD.into())),
        ..SmtpOptions::default()
    });
    let dovecot = Dovecot::start(&[("grace", PASSWORD)]);
    let mut sb = Sandbox::new();
    let ca = certs().ca_pem.display().to_string();
    let config = |smtp_pw: &str| {
        format!(
            "{CONFIG}\n[send]\nbcc_me = true\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nusername = \"grace\"\n\
             password_command = [\"printf\", \"{smtp_pw}\"]\nca_file = \"{ca}\"\ntimeout_secs = 5\n\
             [imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\nusername = \"grace\"\n\
             password_env = \"TEST_IMAP_PW\"\nca_file = \"{ca}\"\nsave_sent = \"Sent\"\n",
            smtp.port, dovecot.imap_tls_port
        )
    };
    sb.write_config(&config(PASSWORD));
    sb.set_env("TEST_IMAP_PW", PASSWORD);
    let mut runs = Vec::new();
    let id = {
        let run = sb.run(&["ask", "ada", "sam", "--why", "compilers", "--yes", "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let id = run.json()["id"].as_str().unwrap().to_string();
        runs.push(run);
        id
    };
    for args in [
        vec!["status", "--all", "--json"],
        vec!["status", id.as_str()],
        vec!["contacts", "check"],
        vec!["sync", "--json"],
        vec!["ask", "kay", "sam", "--why", "w", "--dry-run"],
        vec!["ask", "kay", "sam", "--why", "w", "--dry-run", "--json"],
        vec!["approve", id.as_str(), "--json"],
        vec!["introduce", id.as_str()],
        vec!["introduce", id.as_str(), "--send", "--yes", "--json"],
        vec!["ask", "kay", "sam", "--why", "w"], // refused: no --yes
    ] {
        runs.push(sb.run(&args));
    }
    // Error paths: a wrong SMTP password, a wrong IMAP password (the wrong
    // one is the secret now, since it too could be someone's password).
    sb.write_config(&config(&format!("{PASSWORD}-wrong")));
    let run = sb.run(&["ask", "kay", "sam", "--why", "w", "--yes"]);
    assert_eq!(run.code, 1);
    runs.push(run);
    sb.set_env("TEST_IMAP_PW", &format!("{PASSWORD}-wrong"));
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 1);
    runs.push(run);
    // And a certificate that does not verify.
    sb.write_config(&config(PASSWORD).replace(&ca, &certs().other_ca_pem.display().to_string()));
    let run = sb.run(&["ask", "kay", "sam", "--why", "w", "--yes"]);
    assert_eq!(run.code, 1);
    runs.push(run);
    assert!(runs.len() >= 14);
    assert_no_secret(
        &runs,
        &[
            &sb.data_dir(),
            &sb.root().join("home"),
            &sb.root().join("xdg-data"),
        ],
    );
    // The copy in the Sent folder and the store do hold the messages, so
    // the scan above really looked at what intro wrote.
    assert!(files_under(&sb.data_dir()).len() >= 3);
}

#[test]
fn everything_intro_creates_is_private() {
    let sb = Sandbox::empty();
    sb.ok(&["init"]);
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["decline", &id, "--tell-b"]);
    let id = sb.ask("ada", "sam", "again");
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id]);
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for root in [sb.data_dir(), sb.config_dir()] {
        assert_eq!(mode(&root), 0o700, "{}", root.display());
        for (path, _) in files_under(&root) {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            assert_eq!(mode(path.parent().unwrap()), 0o700, "{}", path.display());
        }
    }
}

#[test]
fn private_notes_never_leave_the_machine() {
    let mut sb = Sandbox::new();
    // The contact's note (PRIVATE-NOTE-ADA) and decision notes are private;
    // only `ask --note`, the personal line to A, is meant to be sent.
    let id = sb.json(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "compilers",
        "--note",
        "Hope you are well!",
        "--both",
        "--yes",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    sb.set_now("2026-03-06T09:00:00Z");
    sb.ok(&["followup", &id, "--yes"]);
    sb.ok(&["approve", &id, "--note", "DECISION-NOTE-A"]);
    sb.ok(&["approve", &id, "--side", "b", "--note", "DECISION-NOTE-B"]);
    sb.ok(&["introduce", &id]);
    sb.ok(&["introduce", &id, "--send", "--yes"]);
    let id2 = sb.ask("kay", "ada", "orbits");
    sb.ok(&["decline", &id2, "--note", "DECISION-NOTE-C", "--tell-b"]);
    let mut messages = sb.outbox();
    messages.extend(sb.drafts());
    assert!(messages.len() >= 6, "{}", messages.len());
    for (name, text) in &messages {
        for secret in [
            "PRIVATE-NOTE-ADA",
            "DECISION-NOTE-A",
            "DECISION-NOTE-B",
            "DECISION-NOTE-C",
        ] {
            assert!(!text.contains(secret), "{secret} in {name}");
        }
    }
    assert!(
        messages
            .iter()
            .any(|(_, t)| t.contains("Hope you are well!"))
    );
}
