//! Several intro processes at once lose nothing: 8 processes asking 50
//! pairs each all get recorded and sent once, racing asks of the same pair
//! (new, or finishing an interrupted one) end with exactly one request and
//! one message, and `intro sync` run again and again during a batch records
//! every reply once while the batch records every ask.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::mail_servers::{SmtpOptions, SmtpServer};
use crate::support::sandbox::{CONFIG, Sandbox};

fn many_contacts(n: usize) -> String {
    let mut s = String::from("[hub]\nname = \"Hub Person\"\nemail = \"hub@example.com\"\n");
    for i in 0..n {
        s.push_str(&format!(
            "[c{i}]\nname = \"Contact {i}\"\nemail = \"c{i}@example.com\"\n"
        ));
    }
    s
}

/// The [smtp] table for `server` (plain, on 127.0.0.1).
fn smtp(server: &SmtpServer) -> String {
    format!("{}timeout_secs = 10\n", server.smtp_table())
}

/// `script` run by `sh` in the sandbox's sealed environment, with `$INTRO`
/// naming the binary.
fn shell(sb: &Sandbox, script: &str) -> Child {
    let mut sh = sb.sealed("sh");
    sh.env("INTRO", env!("CARGO_BIN_EXE_intro"))
        .arg("-c")
        .arg(script)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// How many times the server accepted each Message-ID.
fn deliveries(server: &SmtpServer) -> BTreeMap<String, usize> {
    let mut sent = BTreeMap::new();
    for m in server.messages() {
        *sent.entry(m.header("Message-ID").unwrap()).or_default() += 1;
    }
    sent
}

#[test]
fn parallel_processes_on_distinct_pairs_lose_nothing() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n{}", smtp(&server)));
    let (procs, per) = (8, 50);
    sb.write_contacts(&many_contacts(procs * per));
    // Each process asks its own pairs one after another, all at once.
    let children: Vec<_> = (0..procs)
        .map(|p| {
            let script: Vec<String> = (0..per)
                .map(|i| {
                    format!(
                        "\"$INTRO\" ask c{} hub --why 'reason {p}-{i}' --yes -q || exit 1",
                        p * per + i
                    )
                })
                .collect();
            shell(&sb, &script.join("\n"))
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stored = sb.all_requests();
    assert_eq!(stored.len(), procs * per);
    assert!(stored.iter().all(|r| r["status"] == "asked"));
    // Every request's ask reached the server exactly once, and nothing else.
    let sent = deliveries(&server);
    assert_eq!(sent.len(), procs * per);
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");
    for r in &stored {
        assert!(sent.contains_key(r["message_id"].as_str().unwrap()), "{r}");
    }
}

/// Start `n` runs of the same command at once; returns (exit code, stderr).
fn race(sb: &Sandbox, n: usize, args: &[&str]) -> Vec<(i32, String)> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            sb.command(args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(!stderr.contains("panicked"), "{stderr}");
            (out.status.code().unwrap(), stderr)
        })
        .collect()
}

/// One run won; each other one was refused for a reason that names the
/// winner's work.
fn exactly_one_winner(results: &[(i32, String)]) {
    let winners = results.iter().filter(|(code, _)| *code == 0).count();
    assert_eq!(winners, 1, "{results:?}");
    for (code, stderr) in results.iter().filter(|(code, _)| *code != 0) {
        assert_eq!(*code, 1, "{stderr}");
        assert!(
            stderr.contains("already has an open request")
                || stderr.contains("by another run")
                || stderr.contains("another intro run is sending this ask"),
            "{stderr}"
        );
    }
}

#[test]
fn racing_asks_of_one_pair_end_with_exactly_one() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n{}", smtp(&server)));
    let results = race(
        &sb,
        8,
        &["ask", "ada", "sam", "--why", "compilers", "--yes"],
    );
    exactly_one_winner(&results);
    assert_eq!(sb.all_requests().len(), 1);
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn racing_reruns_of_an_interrupted_ask_send_it_once() {
    // The connection breaks after the message: the ask is kept as
    // interrupted, for a rerun to finish.
    let dropping = SmtpServer::start(SmtpOptions {
        drop_after: Some(0),
        drop_persist: true,
        ..SmtpOptions::default()
    });
    let sb = Sandbox::new();
    sb.write_config(&format!("{CONFIG}\n{}", smtp(&dropping)));
    let ask = ["ask", "ada", "sam", "--why", "compilers", "--yes"];
    sb.fails(&ask, 1);
    let interrupted = sb.all_requests();
    assert_eq!(interrupted[0]["status"], "sending");

    // Eight reruns at once: one finishes it, the others see it taken.
    let server = SmtpServer::start(SmtpOptions::default());
    sb.write_config(&format!("{CONFIG}\n{}", smtp(&server)));
    exactly_one_winner(&race(&sb, 8, &ask));
    let stored = sb.all_requests();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["status"], "asked");
    let got = server.messages();
    assert_eq!(got.len(), 1, "finished once");
    assert_eq!(
        got[0].header("Message-ID").unwrap(),
        interrupted[0]["message_id"]
    );
}

/// A reply from `c<i>` to `message_id`, as a Maildir file name and text.
fn reply(i: usize, message_id: &str) -> (String, String) {
    (
        format!("1772442900.M{i}P7.host"),
        format!(
            "From: Contact {i} <c{i}@example.com>\r\nTo: grace@example.com\r\n\
             Subject: Re: hello\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\n\
             Message-ID: <reply-{i}@example.com>\r\nIn-Reply-To: {message_id}\r\n\r\n\
             Yes, gladly. ({i})\r\n"
        ),
    )
}

#[test]
fn sync_running_during_a_batch_records_every_reply_and_every_ask() {
    const EARLIER: usize = 20;
    const BATCH: usize = 60;
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = Sandbox::new();
    let maildir = sb.maildir();
    // A batch spread over about three seconds.
    sb.write_config(&format!(
        "{CONFIG}\n[send]\nrate_limit = 1200\n{}\n[maildir]\npath = \"{}\"\n",
        smtp(&server),
        maildir.display()
    ));
    sb.write_contacts(&many_contacts(EARLIER + BATCH));
    let csv = |rows: std::ops::Range<usize>| {
        let mut text = String::from("a,b,why\n");
        for i in rows {
            text.push_str(&format!("c{i},hub,reason {i}\n"));
        }
        text
    };
    let earlier = sb.root().join("earlier.csv");
    std::fs::write(&earlier, csv(0..EARLIER)).unwrap();
    sb.ok(&["ask", "--batch", earlier.to_str().unwrap(), "--yes"]);
    let file = sb.root().join("batch.csv");
    std::fs::write(&file, csv(EARLIER..EARLIER + BATCH)).unwrap();

    let batch = sb
        .command(&["ask", "--batch", file.to_str().unwrap(), "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // While it sends: replies arrive, to earlier asks and to asks the batch
    // just made (as soon as the server has them), and sync runs again and
    // again.
    let started = Instant::now();
    let mut answered = std::collections::BTreeSet::new();
    let (mut syncs, mut during) = (0, 0);
    let mut batch = Some(batch);
    let mut batch_out = None;
    loop {
        let stored: BTreeMap<String, usize> = sb
            .all_requests()
            .iter()
            .map(|r| {
                let a = r["a"].as_str().unwrap();
                (
                    r["message_id"].as_str().unwrap().to_string(),
                    a[1..].parse().unwrap(),
                )
            })
            .collect();
        for id in deliveries(&server).keys() {
            if let Some(&i) = stored.get(id)
                && answered.insert(i)
            {
                let (name, text) = reply(i, id);
                std::fs::write(maildir.join("tmp").join(&name), text).unwrap();
                std::fs::rename(
                    maildir.join("tmp").join(&name),
                    maildir.join("new").join(&name),
                )
                .unwrap();
            }
        }
        let run = sb.run(&["sync"]);
        assert_eq!(run.code, 0, "sync during the batch: {}", run.stderr);
        syncs += 1;
        if let Some(child) = batch.as_mut() {
            if child.try_wait().unwrap().is_some() {
                batch_out = Some(batch.take().unwrap().wait_with_output().unwrap());
            } else {
                during += 1;
            }
        }
        if batch.is_none() && answered.len() == EARLIER + BATCH {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the batch hangs"
        );
    }
    let out = batch_out.unwrap();
    assert!(
        out.status.success(),
        "the batch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{syncs} syncs, {during} of them while the batch was sending");
    assert!(during >= 3, "sync ran during the batch ({during} times)");

    // One more sync finds nothing new: every reply was recorded, once.
    sb.ok(&["sync"]);
    let stored = sb.all_requests();
    assert_eq!(stored.len(), EARLIER + BATCH);
    for r in &stored {
        assert_eq!(r["status"], "replied", "{r}");
        let replies = r["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "replied")
            .count();
        assert_eq!(replies, 1, "{r}");
    }
    let sent = deliveries(&server);
    assert_eq!(sent.len(), EARLIER + BATCH);
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");
}
