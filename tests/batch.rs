//! `intro ask --batch`: every row validated before anything is sent, one
//! connection, a summary, and reruns that send each ask not yet accepted
//! exactly once, through faults and SIGKILL.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::gated_sendmail::GatedSendmail;
use crate::support::mail_servers::{SmtpOptions, SmtpServer};
use crate::support::sandbox::{CONFIG, Sandbox, ids_in, people, smtp_sandbox};

/// A batch asking p0..pn about hub; each why carries a token `tok<i>x`.
fn batch_csv(n: usize) -> String {
    let mut s = String::from("why,a,b,wants,format\n");
    for i in 0..n {
        s.push_str(&format!(
            "\"you both build tools (ref tok{i}x)\",p{i},hub,advice,a call\n"
        ));
    }
    s
}

/// How many times each token reached the server.
fn token_counts(server: &SmtpServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in server.messages() {
        let body = m.body().to_string();
        let start = body.find("tok").expect("every ask carries its token");
        let end = start + body[start..].find('x').unwrap();
        *counts.entry(body[start..=end].to_string()).or_default() += 1;
    }
    counts
}

fn write_batch(sb: &Sandbox, text: &str) -> String {
    let path = sb.root().join("asks.csv");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_batch_asks_every_row_and_reruns_skip_them() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, 5, 2, "");
    let file = write_batch(&sb, &batch_csv(5));
    let run = sb.run(&["ask", "--batch", &file, "--yes", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let asked = run.json();
    assert_eq!(asked.as_array().unwrap().len(), 5);
    assert_eq!(asked[0]["a"], "p0");
    assert_eq!(asked[0]["format"], "a call");
    assert_eq!(asked[0]["wants"], "advice");
    assert!(
        run.stderr
            .contains("5 rows: asked 5, skipped 0 (already asked), failed 0"),
        "{}",
        run.stderr
    );
    assert_eq!(token_counts(&server).len(), 5);
    assert!(token_counts(&server).values().all(|&n| n == 1));

    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("asked 0, skipped 5"), "{}", run.stderr);
    assert_eq!(server.messages().len(), 5, "a rerun sends nothing twice");
}

#[test]
fn a_batch_from_stdin_on_the_outbox() {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(
        &["ask", "--batch", "-", "--yes"],
        Some("a,b,why,wants,note\nada,sam,compilers,advice,Hi!\nkay,Sam Builder,orbits,,\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().count(),
        2,
        "one id per line: {}",
        run.stdout
    );
    assert_eq!(sb.outbox().len(), 2);
    let all = sb.json(&["status"]);
    let kay = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["a"] == "kay")
        .unwrap();
    assert_eq!(kay["b"], "sam");
    assert!(kay["wants"].is_null() && kay["note"].is_null());
}

/// A batch of one row says "1 row", not "1 rows".
#[test]
fn a_batch_of_one_counts_one_row() {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(
        &["ask", "--batch", "-", "--yes"],
        Some("a,b,why\nada,sam,you both like compilers\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 row: asked 1, skipped 0 (already asked), failed 0"),
        "{}",
        run.stderr
    );
}

/// A batch row whose `why` calls Katherine "Kay", or speaks of Ada in
/// the ask Ada reads, is told with its line and the column's name; the
/// rows still go out as typed.
#[test]
fn a_batch_tells_names_in_its_fields_by_line() {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(
        &["ask", "--batch", "-", "--yes"],
        Some("a,b,why\nalan,kay,Kay needs help with orbits\nada,sam,Ada's engine needs a compiler\nalan,sam,you both like machines\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: line 2: `why` calls Katherine Johnson \"Kay\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: line 3: `why` speaks of Ada by name, but Ada reads it in the ask"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("line 4:"), "{}", run.stderr);
    assert_eq!(sb.outbox().len(), 3);
}

#[test]
fn bad_rows_are_all_listed_and_nothing_is_sent() {
    let sb = Sandbox::new();
    sb.ask("ada", "sam", "already open");
    let file = write_batch(
        &sb,
        "a,b,why\n\
         kay,sam,fine row\n\
         adda,sam,unknown contact\n\
         alan,kay,\n\
         kay,kay,same person\n\
         ada,sam,another reason\n\
         kay,sam,same pair as line 2\n",
    );
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(err.starts_with("error: 5 bad rows in"), "{err}");
    assert!(
        err.contains("line 3: unknown contact `adda` (did you mean `ada`?)"),
        "{err}"
    );
    assert!(err.contains("line 4: `why` is empty"), "{err}");
    assert!(err.contains("line 5: A and B are both `kay`"), "{err}");
    assert!(
        err.contains("line 6: `ada` already has an open request about `sam`"),
        "{err}"
    );
    assert!(
        err.contains("line 7: asks `kay` about `sam` again (same pair as line 2)"),
        "{err}"
    );
    assert!(!err.contains("line 2:"), "{err}");
    assert_eq!(sb.outbox().len(), 1, "only the earlier single ask");
}

#[test]
fn malformed_csv_is_named_by_line() {
    let sb = Sandbox::new();
    let file = write_batch(&sb, "a,b\nada,sam\n");
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.contains("has no column `why`") && err.contains("line 1"),
        "{err}"
    );
    let file = write_batch(&sb, "a,b,why\nada,sam,ok\nkay,sam\n");
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.contains("line 3: has 2 fields, the header row has 3"),
        "{err}"
    );
    let file = write_batch(&sb, "a,b,why,colour\nada,sam,ok,red\n");
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(err.contains("unknown column `colour`"), "{err}");
    let err = sb.fails(&["ask", "--batch", "/nonexistent/asks.csv", "--yes"], 1);
    assert!(err.contains("cannot read the batch file"), "{err}");
    assert!(sb.outbox().is_empty());
}

/// A quote never closed used to take in the rows after it: one garbled
/// ask went out and the next row's ask vanished.
#[test]
fn an_unclosed_quote_is_a_bad_row_and_nothing_is_sent() {
    let sb = Sandbox::new();
    let file = write_batch(
        &sb,
        "a,b,why\nkay,sam,fine\nalan,kay,\"unterminated quote\nada,sam,next\n",
    );
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(err.starts_with("error: 1 bad row in"), "{err}");
    assert!(
        err.contains("line 3: a quote opened on this line is never closed"),
        "{err}"
    );
    assert!(
        err.contains("hint: close each quote on the line it opens"),
        "{err}"
    );
    // Closed rows later, the quote swallowed lines into `why`: only a note
    // may span lines, and every bad row is listed.
    let file = write_batch(
        &sb,
        "a,b,why,note\nalan,kay,\"oops\nada,sam,\"next,\nkay,sam,\"two\nlines\",\nkay,alan,fine,\"a note\non two lines\"\n",
    );
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(err.starts_with("error: 2 bad rows in"), "{err}");
    assert!(
        err.contains("line 2: `why` spans more than one line, which only `note` may"),
        "{err}"
    );
    assert!(err.contains("line 4: `why` spans"), "{err}");
    assert!(!err.contains("line 6"), "a note may span lines: {err}");
    assert!(sb.outbox().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));
}

/// What the user reads when rows are bad, quotes included.
#[test]
fn the_bad_rows_report() {
    let sb = Sandbox::new();
    let run = sb.run_with_stdin(
        &["ask", "--batch", "-", "--yes"],
        Some(
            "a,b,why,note\n\
             kay,sam,fine,\n\
             adda,sam,unknown contact,\n\
             alan,kay,\"two\nlines\",\n\
             kay,alan,too,many,fields\n\
             ada,kay,fine,\"a note\non two lines\"\n\
             ada,alan,\"never closed,\n\
             kay,ada,swallowed,\n",
        ),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("bad_rows_report", run.stderr);
    assert!(sb.outbox().is_empty());
}

/// Each row used to repeat every earlier ask of its A: a 400-row batch
/// wrote 435 KB of warnings. Now one short line per A, with a count.
#[test]
fn ask_fatigue_warns_once_per_contact_with_a_count() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(300));
    let open = sb.ask("p0", "p1", "an earlier ask");
    let mut csv = String::from("a,b,why\n");
    for i in 1..300 {
        csv.push_str(&format!("hub,p{i},row {i}\n"));
    }
    csv.push_str("p0,hub,once more\np2,hub,just once\n");
    let file = write_batch(&sb, &csv);
    let run = sb.run(&["ask", "--batch", &file, "--yes", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        // Ask fatigue's warnings, which name the contact first.
        .filter(|l| l.starts_with("warning: `"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: `hub` is asked 299 times in this batch (lines 2, 3, 4 and 296 more) \
             and would reach 299 asks in 90 days, over the limit of 3",
            &format!(
                "warning: `p0` is asked on line 301 and already has 1 open ask \
                 ({open} about `p1` on 2026-03-01)"
            ),
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 1000, "{}", run.stderr);
    insta::assert_snapshot!(
        "fatigue_warnings",
        warnings.join("\n").replace(&open, "<id>")
    );
    assert!(
        run.stderr
            .contains("hint: `--force` skips the ask-fatigue check")
    );
    let asked = run.json();
    let asked = asked.as_array().unwrap();
    assert_eq!(asked.len(), 301);
    // In JSON, each row that warns carries its A's one warning.
    assert!(asked[0].get("warnings").is_none(), "{}", asked[0]);
    assert_eq!(asked[1]["warnings"][0].as_str().unwrap(), &warnings[0][9..]);
    assert!(asked[300].get("warnings").is_none(), "{}", asked[300]);
}

/// After a batch asked one A forty times, a single ask of that A warned
/// with every open ask listed twice (once as open, once as recent): one
/// line of thousands of characters. Now counts and three examples.
#[test]
fn a_single_ask_after_a_batch_warns_in_one_short_line() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(41));
    let mut csv = String::from("a,b,why\n");
    for i in 0..40 {
        csv.push_str(&format!("hub,p{i},row {i}\n"));
    }
    let file = write_batch(&sb, &csv);
    sb.ok(&["ask", "--batch", &file, "--yes", "-q"]);
    let ids: Vec<String> = sb
        .all_requests()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 40);
    let run = sb.run(&["ask", "hub", "p40", "--why", "test", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: `hub`"))
        .unwrap_or_else(|| panic!("no fatigue warning:\n{}", run.stderr));
    assert!(warning.len() < 400, "{warning}");
    assert!(
        warning.contains("`hub` already has 40 open asks (")
            && warning.contains(" and 37 more)")
            && warning.contains("`hub` was asked 40 times in the last 90 days, the limit is 3"),
        "{warning}"
    );
    let named = ids
        .iter()
        .filter(|id| warning.contains(id.as_str()))
        .count();
    assert_eq!(named, 3, "three examples: {warning}");
    for id in &ids {
        assert!(
            warning.matches(id.as_str()).count() <= 1,
            "{id} twice: {warning}"
        );
    }
}

#[test]
fn a_rejected_recipient_fails_its_row_only() {
    let server = SmtpServer::start(SmtpOptions {
        reject_rcpt: vec!["p1@example.com".into()],
        ..SmtpOptions::default()
    });
    let sb = smtp_sandbox(&server, 4, 2, "");
    let file = write_batch(&sb, &batch_csv(4));
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(err.contains("1 of 4 asks failed"), "{err}");
    assert!(
        err.contains("line 3: the server refused the recipient `p1@example.com`"),
        "{err}"
    );
    assert_eq!(token_counts(&server).len(), 3);
    let open = sb.json(&["status"]);
    assert_eq!(
        open.as_array().unwrap().len(),
        3,
        "the refused ask is not recorded"
    );
    // A rerun tries only the row that failed.
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("error: 1 of 1 asks failed; asked 0, skipped 3 (already asked)"),
        "{}",
        run.stderr
    );
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn a_dropped_connection_is_reopened_and_nothing_is_lost() {
    let server = SmtpServer::start(SmtpOptions {
        drop_after: Some(2),
        ..SmtpOptions::default()
    });
    let sb = smtp_sandbox(&server, 6, 2, "");
    let file = write_batch(&sb, &batch_csv(6));
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = token_counts(&server);
    assert_eq!(counts.len(), 6);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert_eq!(sb.json(&["status"]).as_array().unwrap().len(), 6);
}

#[test]
fn a_stalled_server_times_out_and_a_rerun_finishes() {
    let server = SmtpServer::start(SmtpOptions {
        stall_after: Some(2),
        stall_persist: true,
        ..SmtpOptions::default()
    });
    let sb = smtp_sandbox(&server, 5, 2, "");
    let file = write_batch(&sb, &batch_csv(5));
    let started = Instant::now();
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "timeouts bound the wait"
    );
    assert!(
        err.contains("stopped answering") || err.contains("did not answer"),
        "{err}"
    );
    assert!(
        err.starts_with("error: 1 of 5 asks failed, 2 not sent; asked 2"),
        "{err}"
    );
    assert_eq!(token_counts(&server).len(), 2);
    let stored = sb.json(&["status"]);
    assert_eq!(
        stored.as_array().unwrap().len(),
        2,
        "only accepted asks are recorded: {stored}"
    );

    // The same file against a healthy server sends the other three, once.
    let healthy = SmtpServer::start(SmtpOptions::default());
    sb.write_config(&format!("{CONFIG}\n{}", healthy.smtp_table()));
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("asked 3, skipped 2"), "{}", run.stderr);
    assert_eq!(token_counts(&healthy).len(), 3);
}

#[test]
fn sigkill_mid_batch_then_rerun_loses_nothing_and_doubles_at_most_one() {
    let n = 40;
    let server = SmtpServer::start(SmtpOptions::default());
    // Spread the sends so the kill lands in the middle of the batch.
    let sb = smtp_sandbox(&server, n, 2, "[send]\nrate_limit = 1200");
    let file = write_batch(&sb, &batch_csv(n));
    for kill_after_ms in [300u64, 700, 1100] {
        let mut child = sb
            .command(&["ask", "--batch", &file, "--yes", "-q"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Whatever the store says was asked did reach the server.
        let stored = sb.json(&["status", "--all"]);
        let counts = token_counts(&server);
        for r in stored
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "asked")
        {
            let why = r["why"].as_str().unwrap();
            let token = &why[why.find("tok").unwrap()..why.len() - 1];
            assert!(
                counts.contains_key(token),
                "{token} recorded as asked but never received"
            );
        }
    }
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = token_counts(&server);
    assert_eq!(counts.len(), n, "every ask reached the server");
    let extra: usize = counts.values().map(|c| c - 1).sum();
    assert!(
        extra <= 3,
        "at most the one in flight per kill was sent twice: {counts:?}"
    );
    let stored = sb.json(&["status", "--all"]);
    assert_eq!(stored.as_array().unwrap().len(), n);
    assert!(
        stored
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "asked")
    );
    // Duplicates carry the same Message-ID, so mail clients fold them.
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for m in server.messages() {
        *ids.entry(m.header("Message-ID").unwrap()).or_default() += 1;
    }
    assert_eq!(ids.len(), n, "one Message-ID per ask, however often sent");
}

#[test]
fn a_pipelining_server_gets_the_same_results() {
    let server = SmtpServer::start(SmtpOptions {
        pipelining: true,
        reject_rcpt: vec!["p2@example.com".into()],
        verbose: true,
        ..SmtpOptions::default()
    });
    // One recipient per message: MAIL, RCPT and DATA go in one write.
    let sb = smtp_sandbox(&server, 5, 2, "");
    let file = write_batch(&sb, &batch_csv(5));
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.contains("line 4: the server refused the recipient `p2@example.com`"),
        "{err}"
    );
    assert_eq!(token_counts(&server).len(), 4);
    assert!(server.log().contains("PIPELINING"), "{}", server.log());

    // Two recipients (bcc_me): the envelope is pipelined, DATA follows.
    let server = SmtpServer::start(SmtpOptions {
        pipelining: true,
        reject_rcpt: vec!["p1@example.com".into()],
        ..SmtpOptions::default()
    });
    let sb = smtp_sandbox(&server, 3, 2, "[send]\nbcc_me = true");
    let file = write_batch(&sb, &batch_csv(3));
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.contains("line 3: the server refused the recipient `p1@example.com`"),
        "{err}"
    );
    let got = server.messages();
    assert_eq!(
        got.len(),
        2,
        "the refused message reached nobody, not even the Bcc"
    );
    assert!(
        got.iter()
            .all(|m| m.env_rcpt.len() == 2 && m.env_rcpt[1] == "grace@example.com")
    );
}

#[test]
fn faults_with_envelopes_sent_ahead_keep_the_dialogue_in_step() {
    // The server refuses one message's text (554) while the next message's
    // envelope is already on the wire, then drops the connection mid-batch.
    let server = SmtpServer::start(SmtpOptions {
        pipelining: true,
        fail_data_after: Some(2),
        drop_after: Some(4),
        ..SmtpOptions::default()
    });
    let sb = smtp_sandbox(&server, 8, 2, "");
    let file = write_batch(&sb, &batch_csv(8));
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.contains("1 of 8 asks failed") && err.contains("554"),
        "{err}"
    );
    let counts = token_counts(&server);
    assert_eq!(counts.len(), 7, "{counts:?}");
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    // The refused one goes out on a rerun, once.
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = token_counts(&server);
    assert_eq!(counts.len(), 8);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

#[test]
fn temporary_failures_fail_their_rows_and_a_rerun_sends_each_once() {
    // Row 3's message is refused for now at the end of DATA (once); p3 is
    // refused for now at RCPT (every time).
    let server = SmtpServer::start(SmtpOptions {
        fail_data_after: Some(1),
        fail_data_code: Some(451),
        tempfail_rcpt: vec!["p3@example.com".into()],
        ..SmtpOptions::default()
    });
    let sb = smtp_sandbox(&server, 5, 2, "");
    let file = write_batch(&sb, &batch_csv(5));
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.starts_with("error: 2 of 5 asks failed; asked 3, skipped 0 (already asked)"),
        "{err}"
    );
    assert!(
        err.contains("line 3: the server refused the message: transient error (451)"),
        "{err}"
    );
    assert!(
        err.contains(
            "line 5: the server refused the recipient `p3@example.com`: transient error (451)"
        ),
        "{err}"
    );
    assert!(err.contains("hint: run the same command again"), "{err}");
    assert_eq!(token_counts(&server).len(), 3);
    assert_eq!(
        sb.json(&["status"]).as_array().unwrap().len(),
        3,
        "refused for now: not recorded"
    );

    // The same server takes row 3 now; p3 is still refused.
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.starts_with("error: 1 of 2 asks failed; asked 1, skipped 3"),
        "{err}"
    );
    // Once the server takes p3 too, the last row goes out, once.
    let healthy = SmtpServer::start(SmtpOptions::default());
    sb.write_config(&format!("{CONFIG}\n{}", healthy.smtp_table()));
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("asked 1, skipped 4"), "{}", run.stderr);
    let mut counts = token_counts(&server);
    counts.extend(token_counts(&healthy));
    assert_eq!(counts.len(), 5, "{counts:?}");
    assert_eq!(server.messages().len() + healthy.messages().len(), 5);
    assert_eq!(sb.json(&["status"]).as_array().unwrap().len(), 5);
}

#[test]
fn a_refused_login_stops_a_batch_and_records_nothing() {
    let server = SmtpServer::start(SmtpOptions {
        auth: Some(("grace".into(), "right-pw".into())),
        ..SmtpOptions::default()
    });
    let mut sb = smtp_sandbox(&server, 3, 2, "");
    sb.write_config(&format!(
        "{CONFIG}\n{}\
         username = \"grace\"\npassword_env = \"TEST_SMTP_PW\"\nallow_insecure_auth = true\n",
        server.smtp_table()
    ));
    sb.set_env("TEST_SMTP_PW", "wrong-pw");
    let file = write_batch(&sb, &batch_csv(3));
    let err = sb.fails(&["ask", "--batch", &file, "--yes"], 1);
    assert!(
        err.starts_with("error: 1 of 3 asks failed, 2 not sent; asked 0"),
        "{err}"
    );
    assert!(err.contains("refused the login for `grace`"), "{err}");
    assert!(err.contains("hint: check `username`"), "{err}");
    assert!(server.messages().is_empty());
    assert_eq!(sb.json(&["status", "--all"]), serde_json::json!([]));

    sb.set_env("TEST_SMTP_PW", "right-pw");
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let counts = token_counts(&server);
    assert_eq!(counts.len(), 3);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

/// Start `args` in its own process group (as a shell starts a job), with
/// stdout read line by line as it comes.
fn start_job(sb: &Sandbox, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    use std::io::BufRead as _;
    use std::os::unix::process::CommandExt as _;
    let mut child = sb
        .command(args)
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Send `signal` (`INT`, `TERM`) to `target`: a pid, or `-PGID` for a
/// whole process group, as a terminal's Ctrl-C does.
fn signal(signal: &str, target: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {target}");
}

/// Wait for the job to end: its exit code (None when a signal killed it),
/// the rest of its stdout, and its stderr.
fn finish_job(mut child: Child, rx: mpsc::Receiver<String>) -> (Option<i32>, Vec<String>, String) {
    use std::io::Read as _;
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (status.code(), rx.iter().collect(), stderr)
}

/// Every stored request's status, and Message-IDs of the asks.
fn stored_asks(sb: &Sandbox) -> Vec<(String, String, String)> {
    let all = sb.json(&["status", "--all"]);
    let mut list: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["message_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list
}

/// Ctrl-C at the terminal (SIGINT to the whole job) while the second ask
/// is in flight: that ask still goes out and is recorded, each accepted
/// id was already on stdout, the others are not left as `sending`, and
/// the same command sends exactly the rest.
#[test]
fn ctrl_c_in_a_batch_finishes_the_ask_in_flight_and_a_rerun_sends_the_rest() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(6));
    let mail = GatedSendmail::install(&sb, "");
    let file = write_batch(&sb, &batch_csv(6));
    mail.hold_from(1);
    let (mut child, ids) = start_job(&sb, &["ask", "--batch", &file, "--yes"]);
    let first = ids
        .recv_timeout(Duration::from_secs(30))
        .expect("the first id is printed once its ask is accepted");
    mail.wait_until_held(&mut child);
    signal("INT", &format!("-{}", child.id()));
    mail.release();
    let (code, rest, stderr) = finish_job(child, ids);
    assert_eq!(code, Some(130), "{stderr}");
    let printed: Vec<String> = std::iter::once(first).chain(rest).collect();
    assert_eq!(printed.len(), 2, "{printed:?}\n{stderr}");
    assert!(
        stderr.contains(
            "error: stopped by SIGINT: asked 2 of 6, 4 not attempted; skipped 0 (already asked)\n"
        ),
        "{stderr}"
    );
    insta::assert_snapshot!("interrupted_batch", stderr);
    // What was accepted is recorded, and nothing else is left half-done.
    let stored = stored_asks(&sb);
    let mut expected = printed.clone();
    expected.sort();
    assert_eq!(
        stored
            .iter()
            .map(|(id, _, _)| id.clone())
            .collect::<Vec<_>>(),
        expected
    );
    assert!(
        stored.iter().all(|(_, status, _)| status == "asked"),
        "{stored:?}"
    );
    let spooled = mail.spooled();
    assert_eq!(spooled.len(), 2);
    assert!(stored.iter().all(|(_, _, m)| spooled.contains(m)));

    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
    assert!(run.stderr.contains("asked 4, skipped 2"), "{}", run.stderr);
    let spooled = mail.spooled();
    let stored = stored_asks(&sb);
    assert_eq!((spooled.len(), stored.len()), (6, 6));
    for (_, status, message_id) in &stored {
        assert_eq!(status, "asked");
        assert_eq!(spooled.iter().filter(|m| *m == message_id).count(), 1);
    }
}

/// SIGTERM to intro alone, with `--json`: the same stop, exit 143, and
/// stdout is still one JSON document, the asks accepted.
#[test]
fn sigterm_in_a_json_batch_prints_the_asks_accepted() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(5));
    let mail = GatedSendmail::install(&sb, "");
    let file = write_batch(&sb, &batch_csv(5));
    mail.hold_from(2);
    let (mut child, lines) = start_job(&sb, &["ask", "--batch", &file, "--yes", "--json"]);
    mail.wait_until_held(&mut child);
    signal("TERM", &child.id().to_string());
    mail.release();
    let (code, stdout, stderr) = finish_job(child, lines);
    assert_eq!(code, Some(143), "{stderr}");
    assert!(
        stderr.contains("error: stopped by SIGTERM: asked 3 of 5, 2 not attempted"),
        "{stderr}"
    );
    let asked: serde_json::Value = serde_json::from_str(&stdout.join("\n")).unwrap();
    let asked = ids_in(&asked);
    let stored = stored_asks(&sb);
    assert_eq!(asked.len(), 3);
    assert_eq!(stored.len(), 3);
    assert!(
        stored
            .iter()
            .all(|(id, status, _)| status == "asked" && asked.contains(&id.as_str()))
    );
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(mail.spooled().len(), 5);
}

/// A stop asked for while the last ask is in flight: every ask went out,
/// and the run still ends as stopped, so the caller knows it was heard.
#[test]
fn sigterm_during_the_last_ask_still_reports_the_stop() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(2));
    let mail = GatedSendmail::install(&sb, "");
    let file = write_batch(&sb, &batch_csv(2));
    mail.hold_from(1);
    let (mut child, lines) = start_job(&sb, &["ask", "--batch", &file, "--yes"]);
    mail.wait_until_held(&mut child);
    signal("TERM", &child.id().to_string());
    mail.release();
    let (code, stdout, stderr) = finish_job(child, lines);
    assert_eq!(code, Some(143), "{stderr}");
    assert!(
        stderr.starts_with("error: stopped by SIGTERM: asked 2 of 2, 0 not attempted"),
        "{stderr}"
    );
    assert_eq!(stdout.len(), 2);
    assert_eq!(mail.spooled().len(), 2);
    assert!(
        stored_asks(&sb)
            .iter()
            .all(|(_, status, _)| status == "asked")
    );
}

/// Ctrl-C during `followup --due`: the follow-up in flight goes out and is
/// recorded, the rest are not attempted, and the same command sends them.
#[test]
fn ctrl_c_in_followup_due_finishes_the_one_in_flight() {
    let mut sb = Sandbox::new();
    sb.write_contacts(&people(3));
    let mail = GatedSendmail::install(&sb, "");
    let file = write_batch(&sb, &batch_csv(3));
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    sb.set_now("2026-03-10T09:00:00Z");
    // The asks are spooled; the second follow-up is held.
    mail.hold_from(4);
    let (mut child, lines) = start_job(&sb, &["followup", "--due", "--yes"]);
    mail.wait_until_held(&mut child);
    signal("INT", &format!("-{}", child.id()));
    mail.release();
    let (code, stdout, stderr) = finish_job(child, lines);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("error: stopped by SIGINT: followed up 2 of 3, 1 not attempted\n"),
        "{stderr}"
    );
    insta::assert_snapshot!("interrupted_followups", stderr);
    assert_eq!(stdout.len(), 2, "{stdout:?}");
    let followups = |sb: &Sandbox| {
        let all = sb.json(&["status", "--all"]);
        let mut counts: Vec<u64> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["followups"].as_u64().unwrap())
            .collect();
        counts.sort();
        counts
    };
    assert_eq!(followups(&sb), [0, 1, 1]);
    assert_eq!(mail.spooled().len(), 5);
    let run = sb.run(&["followup", "--due", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert_eq!(followups(&sb), [1, 1, 1]);
    assert_eq!(mail.spooled().len(), 6);
}

/// Three asks sent through a spooling sendmail, all with a follow-up due.
fn three_followups_due() -> (Sandbox, GatedSendmail) {
    let mut sb = Sandbox::new();
    sb.write_contacts(&people(3));
    let mail = GatedSendmail::install(&sb, "");
    let file = write_batch(&sb, &batch_csv(3));
    let run = sb.run(&["ask", "--batch", &file, "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    sb.set_now("2026-03-10T09:00:00Z");
    (sb, mail)
}

/// Follow-ups sent so far, per stored request, in order.
fn followup_counts(sb: &Sandbox) -> Vec<u64> {
    let all = sb.json(&["status", "--all"]);
    let mut counts: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["followups"].as_u64().unwrap())
        .collect();
    counts.sort();
    counts
}

/// A transport that cannot send at all stops `followup --due` at the first
/// follow-up, as it stops a batch of asks: the rest are not tried, nothing
/// is recorded, and the same command sends them all once it works again.
#[test]
fn followup_due_stops_at_a_fatal_send_error() {
    let (sb, _) = three_followups_due();
    let missing = sb.root().join("no-such-sendmail");
    sb.write_config(&format!(
        "{CONFIG}\n[send]\ntransport = \"sendmail\"\n[sendmail]\ncommand = [\"{}\"]\n",
        missing.display()
    ));
    let err = sb.fails(&["followup", "--due", "--yes"], 1);
    assert!(
        err.starts_with("error: 1 of 3 follow-ups failed, 2 not sent"),
        "{err}"
    );
    assert_eq!(
        err.matches("cannot run the sendmail command").count(),
        1,
        "tried once, not once per follow-up: {err}"
    );
    assert!(err.contains("hint: set `command` in [sendmail]"), "{err}");
    assert_eq!(followup_counts(&sb), [0, 0, 0]);

    let mail = GatedSendmail::install(&sb, "");
    let run = sb.run(&["followup", "--due", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(followup_counts(&sb), [1, 1, 1]);
    assert_eq!(mail.spooled().len(), 6);
}

/// `[send] rate_limit` spaces follow-ups as it spaces asks: at one a
/// minute, a stop asked for after the first is accepted finds intro waiting
/// before the second, so exactly one went out.
#[test]
fn followup_due_keeps_the_rate_limit() {
    let (sb, mail) = three_followups_due();
    sb.write_config(&format!(
        "{CONFIG}\n[send]\ntransport = \"sendmail\"\nrate_limit = 1\n[sendmail]\ncommand = [\"sh\", \"{}\"]\n",
        mail.dir.join("sendmail.sh").display()
    ));
    let (mut child, lines) = start_job(&sb, &["followup", "--due", "--yes"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    // Files in the spool, not messages read: the newest may be half written.
    let spool = mail.dir.join("spool");
    while std::fs::read_dir(&spool).unwrap().count() < 4 {
        assert!(Instant::now() < deadline, "no follow-up was ever sent");
        assert!(
            child.try_wait().unwrap().is_none(),
            "intro ended without waiting between follow-ups"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    signal("TERM", &format!("-{}", child.id()));
    let (code, stdout, stderr) = finish_job(child, lines);
    assert_eq!(code, Some(143), "{stderr}");
    assert!(
        stderr.contains("error: stopped by SIGTERM: followed up 1 of 3, 2 not attempted\n"),
        "{stderr}"
    );
    assert_eq!(stdout.len(), 1, "{stdout:?}");
    assert_eq!(mail.spooled().len(), 4);
    assert_eq!(followup_counts(&sb), [0, 0, 1]);
}
