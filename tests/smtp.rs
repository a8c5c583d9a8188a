//! Real delivery: intro against a real SMTP server on 127.0.0.1 with
//! STARTTLS, implicit TLS and AUTH, and against a sendmail command. Checks
//! what the server received (envelope, headers, body) and that nothing is
//! recorded unless the server accepted it.

#![allow(clippy::unwrap_used)]

use crate::support::mail_servers::{Security, SmtpOptions, SmtpServer, certs};
use crate::support::sandbox::{CONFIG, Sandbox};

const USER: &str = "grace";
const PASSWORD: &str = "s3cret-pw";

fn auth() -> Option<(String, String)> {
    Some((USER.into(), PASSWORD.into()))
}

/// The [smtp] table for `server`, with extra lines appended.
fn smtp_config(server: &SmtpServer, security: &str, extra: &str) -> String {
    format!(
        "{CONFIG}\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"{security}\"\ntimeout_secs = 5\n{extra}\n",
        server.port
    )
}

fn tls_extra(ca: &std::path::Path) -> String {
    format!(
        "username = \"{USER}\"\npassword_env = \"TEST_SMTP_PW\"\nca_file = \"{}\"\n",
        ca.display()
    )
}

fn sandbox_for(server: &SmtpServer, security: &str, extra: &str) -> Sandbox {
    let mut sb = Sandbox::new();
    sb.write_config(&smtp_config(server, security, extra));
    sb.set_env("TEST_SMTP_PW", PASSWORD);
    sb
}

#[test]
fn starttls_with_auth_delivers_to_a_only() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        auth: auth(),
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&server, "starttls", &tls_extra(&certs().ca_pem));
    let v = sb.json(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "you both work on compilers",
        "--yes",
    ]);
    assert_eq!(v["status"], "asked");
    let got = server.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].env_from, "grace@example.com");
    assert_eq!(got[0].env_rcpt, ["ada@example.com"]);
    assert_eq!(
        got[0].header("Message-ID").unwrap(),
        v["message_id"].as_str().unwrap()
    );
    assert_eq!(
        got[0].header("Subject").unwrap(),
        "Would you be open to meeting Sam Builder?"
    );
    assert!(got[0].body().contains("you both work on compilers"));
    assert!(
        sb.outbox().is_empty(),
        "smtp does not also write the outbox"
    );
}

#[test]
fn implicit_tls_with_a_password_command() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::Tls,
        auth: auth(),
        ..SmtpOptions::default()
    });
    let extra = format!(
        "username = \"{USER}\"\npassword_command = [\"printf\", \"{PASSWORD}\\\\nignored\\\\n\"]\nca_file = \"{}\"\n",
        certs().ca_pem.display()
    );
    let sb = sandbox_for(&server, "tls", &extra);
    sb.ask("ada", "sam", "compilers");
    assert_eq!(server.messages().len(), 1);
    // The shell form works too.
    let extra = format!(
        "username = \"{USER}\"\npassword_command = \"echo {PASSWORD}\"\nca_file = \"{}\"\n",
        certs().ca_pem.display()
    );
    sb.write_config(&smtp_config(&server, "tls", &extra));
    sb.ask("kay", "sam", "orbits");
    assert_eq!(server.messages().len(), 2);
}

#[test]
fn a_wrong_password_fails_cleanly_and_records_nothing() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        auth: auth(),
        ..SmtpOptions::default()
    });
    let mut sb = sandbox_for(&server, "starttls", &tls_extra(&certs().ca_pem));
    sb.set_env("TEST_SMTP_PW", "wrong-password");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("refused the login for `grace`"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(
        !err.contains("wrong-password"),
        "the password is never printed"
    );
    assert!(server.messages().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
}

#[test]
fn an_untrusted_certificate_is_a_hard_error_naming_ca_file() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::Tls,
        auth: auth(),
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&server, "tls", &tls_extra(&certs().other_ca_pem));
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("did not verify"), "{err}");
    assert!(err.contains("ca_file"), "{err}");
    assert!(server.messages().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
    // Without ca_file the public roots do not know the test CA either.
    let sb = sandbox_for(
        &server,
        "starttls",
        &format!("username = \"{USER}\"\npassword_env = \"TEST_SMTP_PW\"\n"),
    );
    sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
}

#[test]
fn auth_over_plain_text_is_refused_unless_allowed() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::None,
        auth: auth(),
        ..SmtpOptions::default()
    });
    let extra = format!("username = \"{USER}\"\npassword_env = \"TEST_SMTP_PW\"\n");
    let sb = sandbox_for(&server, "none", &extra);
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("unencrypted connection"), "{err}");
    assert!(err.contains("allow_insecure_auth"), "{err}");
    assert!(server.messages().is_empty());
    let sb = sandbox_for(
        &server,
        "none",
        &format!("{extra}allow_insecure_auth = true\n"),
    );
    sb.ask("ada", "sam", "w");
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn a_dry_run_reads_no_password_and_opens_no_connection() {
    let server = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        auth: auth(),
        // The whole dialogue is logged, so a connection would show.
        verbose: true,
        ..SmtpOptions::default()
    });
    let marker = server
        .maildir
        .parent()
        .unwrap()
        .join("password-command-ran");
    let extra = format!(
        "username = \"{USER}\"\npassword_command = \"touch {}; exit 1\"\nca_file = \"{}\"\n",
        marker.display(),
        certs().ca_pem.display()
    );
    let sb = sandbox_for(&server, "starttls", &extra);
    let out = sb.ok(&["ask", "ada", "sam", "--why", "w", "--dry-run"]);
    assert!(
        out.contains("To: \"Ada Lovelace\" <ada@example.com>"),
        "{out}"
    );
    assert!(
        !marker.exists(),
        "the password command must not run on a dry run"
    );
    assert!(server.messages().is_empty());
    assert!(
        !server.log().contains("EHLO"),
        "no connection was made:\n{}",
        server.log()
    );
    // A real send does run it, and its failure is reported.
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.contains("password_command") && err.contains("failed"),
        "{err}"
    );
    assert!(marker.exists());
    assert!(
        server.log().contains("EHLO"),
        "the real send connected:\n{}",
        server.log()
    );
}

#[test]
fn bcc_me_is_in_the_envelope_not_the_headers() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = sandbox_for(&server, "none", "");
    sb.write_config(&format!(
        "{}\n[send]\nbcc_me = true\n",
        smtp_config(&server, "none", "")
    ));
    sb.ask("ada", "sam", "w");
    let got = server.messages();
    assert_eq!(got[0].env_rcpt, ["ada@example.com", "grace@example.com"]);
    assert!(got[0].header("Bcc").is_none());
}

#[test]
fn followups_and_introductions_over_smtp() {
    let server = SmtpServer::start(SmtpOptions::default());
    let mut sb = sandbox_for(&server, "none", "");
    let id = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-06T09:00:00Z");
    sb.ok(&["followup", "--due", "--yes"]);
    sb.ok(&["approve", &id]);
    sb.ok(&["introduce", &id, "--send", "--yes"]);
    let got = server.messages();
    assert_eq!(got.len(), 3);
    let ask_id = got[0].header("Message-ID").unwrap();
    assert_eq!(got[1].header("In-Reply-To").unwrap(), ask_id);
    assert_eq!(got[1].env_rcpt, ["ada@example.com"]);
    assert_eq!(got[2].env_rcpt, ["ada@example.com", "sam@example.org"]);
    assert_eq!(sb.request(&id)["status"], "introduced");
}

#[test]
fn a_rejected_recipient_fails_that_send_only() {
    let server = SmtpServer::start(SmtpOptions {
        reject_rcpt: vec!["ada@example.com".into()],
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&server, "none", "");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.contains("refused the recipient `ada@example.com`") && err.contains("550"),
        "{err}"
    );
    assert_eq!(
        sb.json(&["status", "--all"]),
        serde_json::json!([]),
        "not accepted, not recorded"
    );
    sb.ask("kay", "sam", "w");
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let mut server = SmtpServer::start(SmtpOptions::default());
    let sb = sandbox_for(&server, "none", "");
    server.stop();
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("cannot connect to 127.0.0.1:"), "{err}");
    assert!(
        err.contains("hint: check `host`, `port` and `security`"),
        "{err}"
    );
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
}

#[test]
fn sendmail_gets_the_message_on_stdin() {
    let sb = Sandbox::new();
    let spool = sb.root().join("spool.eml");
    sb.write_config(&format!(
        "{CONFIG}\n[send]\ntransport = \"sendmail\"\nbcc_me = true\n[sendmail]\ncommand = [\"sh\", \"-c\", \"cat > '{}'\"]\n",
        spool.display()
    ));
    let id = sb.ask("ada", "sam", "compilers");
    let text = std::fs::read_to_string(&spool).unwrap();
    assert!(
        text.starts_with("Bcc: grace@example.com\n"),
        "sendmail -t reads Bcc from the headers:\n{text}"
    );
    assert!(
        text.contains("To: \"Ada Lovelace\" <ada@example.com>\n"),
        "{text}"
    );
    assert!(!text.contains('\r'), "local line endings");
    assert_eq!(sb.request(&id)["status"], "asked");

    sb.write_config(&format!(
        "{CONFIG}\n[sendmail]\ncommand = \"echo 'msmtp: recipient rejected' >&2; exit 75\"\n[send]\ntransport = \"sendmail\"\n"
    ));
    let err = sb.fails(&["ask", "kay", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.contains("did not accept the message") && err.contains("msmtp: recipient rejected"),
        "{err}"
    );
    assert_eq!(
        sb.json(&["status"]).as_array().unwrap().len(),
        1,
        "the failed ask is not recorded"
    );

    sb.write_config(&format!(
        "{CONFIG}\n[send]\ntransport = \"sendmail\"\n[sendmail]\ncommand = [\"/nonexistent/sendmail\"]\n"
    ));
    let err = sb.fails(&["ask", "kay", "sam", "--why", "w", "--yes"], 1);
    assert!(err.contains("cannot run the sendmail command"), "{err}");
}

#[test]
fn a_temporary_failure_is_reported_not_recorded_and_a_rerun_sends_once() {
    let ask = ["ask", "ada", "sam", "--why", "w", "--yes"];
    // 451 for the recipient, every time.
    let busy = SmtpServer::start(SmtpOptions {
        tempfail_rcpt: vec!["ada@example.com".into()],
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&busy, "none", "");
    let err = sb.fails(&ask, 1);
    assert!(
        err.contains("the server refused the recipient `ada@example.com`: ") && err.contains("451"),
        "{err}"
    );
    assert!(
        err.contains("hint: the server asked to try later; run the same command again"),
        "{err}"
    );
    assert!(
        sb.all_requests().is_empty(),
        "refused for now: not recorded"
    );

    // 451 at the end of the message, once: the next try goes through.
    let flaky = SmtpServer::start(SmtpOptions {
        fail_data_after: Some(0),
        fail_data_code: Some(451),
        ..SmtpOptions::default()
    });
    sb.write_config(&smtp_config(&flaky, "none", ""));
    let err = sb.fails(&ask, 1);
    assert!(
        err.contains("the server refused the message: ") && err.contains("451"),
        "{err}"
    );
    assert!(err.contains("try later"), "{err}");
    assert!(sb.all_requests().is_empty());
    assert!(flaky.messages().is_empty());

    let v = sb.json(&ask);
    assert_eq!(v["status"], "asked");
    let got = flaky.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("Message-ID").unwrap(), v["message_id"]);
    sb.fails(&ask, 1);
    assert_eq!(flaky.messages().len(), 1, "sent once");
    assert!(busy.messages().is_empty());
}

#[test]
fn a_message_refused_at_the_end_of_data_is_not_recorded() {
    let server = SmtpServer::start(SmtpOptions {
        fail_data_after: Some(0),
        fail_data_code: Some(554),
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&server, "none", "");
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(
        err.starts_with("error: the server refused the message: ") && err.contains("554"),
        "{err}"
    );
    assert!(!err.contains("try later"), "a 5xx is final: {err}");
    assert!(sb.all_requests().is_empty());
    assert!(server.messages().is_empty());
}

#[test]
fn a_connection_reset_after_the_message_keeps_it_for_one_resend() {
    // The server closes the connection at the end of every DATA, without
    // an answer: intro cannot know whether the message was kept.
    let server = SmtpServer::start(SmtpOptions {
        drop_after: Some(0),
        drop_persist: true,
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&server, "none", "");
    let ask = ["ask", "ada", "sam", "--why", "w", "--yes"];
    let err = sb.fails(&ask, 1);
    assert!(
        err.starts_with(&format!(
            "error: the connection to 127.0.0.1:{} broke: ",
            server.port
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: run the same command again: what was not accepted is sent then, with the same Message-ID"),
        "{err}"
    );
    // Kept as interrupted, never as asked.
    let stored = sb.all_requests();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["status"], "sending");
    assert!(
        stored[0]["next_step"]
            .as_str()
            .unwrap()
            .starts_with("interrupted mid-send: rerun the ask"),
        "{}",
        stored[0]["next_step"]
    );
    let message_id = stored[0]["message_id"].as_str().unwrap().to_string();

    // The rerun, against a server that answers, sends it once, same id.
    let healthy = SmtpServer::start(SmtpOptions::default());
    sb.write_config(&smtp_config(&healthy, "none", ""));
    let v = sb.json(&ask);
    assert_eq!(v["id"], stored[0]["id"]);
    assert_eq!(v["status"], "asked");
    let got = healthy.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("Message-ID").unwrap(), message_id);
}

#[test]
fn a_stalled_server_times_out_and_nothing_is_recorded() {
    let server = SmtpServer::start(SmtpOptions {
        stall_after: Some(0),
        stall_persist: true,
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&server, "none", "");
    sb.write_config(&format!(
        "{CONFIG}\n{}timeout_secs = 1\n",
        server.smtp_table()
    ));
    let started = std::time::Instant::now();
    let err = sb.fails(&["ask", "ada", "sam", "--why", "w", "--yes"], 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        err.starts_with(&format!(
            "error: 127.0.0.1:{} did not answer within 1 s",
            server.port
        )),
        "{err}"
    );
    assert!(err.contains("raise `timeout_secs`"), "{err}");
    assert!(sb.all_requests().is_empty());
}

#[test]
fn a_tls_handshake_that_fails_is_a_clear_error() {
    let plain = SmtpServer::start(SmtpOptions::default());
    let ca = format!("ca_file = \"{}\"\n", certs().ca_pem.display());
    let ask = ["ask", "ada", "sam", "--why", "w", "--yes"];
    // Implicit TLS against a server that speaks plain SMTP.
    let sb = sandbox_for(&plain, "tls", &ca);
    let err = sb.fails(&ask, 1);
    assert!(
        err.starts_with(&format!(
            "error: the TLS handshake with 127.0.0.1:{} failed: ",
            plain.port
        )),
        "{err}"
    );
    assert!(err.contains("security = \"starttls\""), "{err}");
    assert!(sb.all_requests().is_empty());
    // STARTTLS against a server that does not offer it.
    let sb = sandbox_for(&plain, "starttls", &ca);
    let err = sb.fails(&ask, 1);
    assert!(
        err.starts_with(&format!(
            "error: 127.0.0.1:{} does not offer STARTTLS",
            plain.port
        )),
        "{err}"
    );
    assert!(sb.all_requests().is_empty());
    // Implicit TLS against a STARTTLS port.
    let starttls = SmtpServer::start(SmtpOptions {
        security: Security::StartTls,
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&starttls, "tls", &ca);
    let err = sb.fails(&ask, 1);
    assert!(err.contains("TLS handshake"), "{err}");
    assert!(sb.all_requests().is_empty());
    // Plain SMTP against implicit TLS: the server waits for a handshake,
    // intro for a greeting, until `timeout_secs`.
    let tls = SmtpServer::start(SmtpOptions {
        security: Security::Tls,
        ..SmtpOptions::default()
    });
    let sb = sandbox_for(&tls, "none", "");
    sb.write_config(&format!("{CONFIG}\n{}timeout_secs = 1\n", tls.smtp_table()));
    let err = sb.fails(&ask, 1);
    assert!(err.contains("did not answer within 1 s"), "{err}");
    assert!(err.contains("`security`"), "{err}");
    assert!(sb.all_requests().is_empty());
    assert!(tls.messages().is_empty());
    assert!(plain.messages().is_empty() && starttls.messages().is_empty());
}

#[test]
fn followups_and_introductions_survive_server_faults() {
    // The ask goes through; the first follow-up is refused for now (451).
    let server = SmtpServer::start(SmtpOptions {
        fail_data_after: Some(1),
        fail_data_code: Some(451),
        ..SmtpOptions::default()
    });
    let mut sb = sandbox_for(&server, "none", "");
    let id = sb.ask("ada", "sam", "compilers");
    sb.set_now("2026-03-07T09:00:00Z");
    let err = sb.fails(&["followup", "--due", "--yes"], 1);
    assert!(err.contains("451") && err.contains("try later"), "{err}");
    let r = sb.request(&id);
    assert_eq!(r["followups"], 0, "{r}");
    assert_eq!(r["due"], true, "still due: {r}");
    sb.ok(&["followup", "--due", "--yes"]);
    assert_eq!(sb.request(&id)["followups"], 1);
    assert_eq!(server.messages().len(), 2, "the ask and one follow-up");

    // The introduction's connection breaks after the message: kept, and
    // sent again with the same Message-ID.
    sb.ok(&["approve", &id]);
    let dropping = SmtpServer::start(SmtpOptions {
        drop_after: Some(0),
        drop_persist: true,
        ..SmtpOptions::default()
    });
    sb.write_config(&smtp_config(&dropping, "none", ""));
    let err = sb.fails(&["introduce", &id, "--send", "--yes"], 1);
    assert!(err.contains("broke"), "{err}");
    let r = sb.request(&id);
    assert_eq!(r["status"], "approved", "{r}");
    assert_eq!(
        r["next_step"],
        format!("an introduction was interrupted: `intro introduce {id} --send`"),
        "{r}"
    );
    let healthy = SmtpServer::start(SmtpOptions::default());
    sb.write_config(&smtp_config(&healthy, "none", ""));
    sb.ok(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(sb.request(&id)["status"], "introduced");
    let got = healthy.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].env_rcpt, ["ada@example.com", "sam@example.org"]);
}
