//! Kill points: `intro` is SIGKILLed at random moments of every command that
//! sends or records (single asks, batches, follow-ups, introductions,
//! closing notes, requests of connectors and thank-yous, sync), then the same command runs again. After each kill
//! the store parses and holds every Message-ID the SMTP server accepted (as
//! an ask, B's ask, a follow-up, an introduction or a closing note,
//! possibly still pending); after the rerun
//! every message went out, none more than twice, and there are no more
//! extra copies than kills.
//!
//! The delays are random, spread over a measured run of the command, and
//! seeded: each test prints its seed, and `INTRO_FAULT_SEED=<seed>` replays
//! the same delays (the machine's timing still varies).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::held_sendmail::HeldSendmail;
use crate::support::mail_servers::{SmtpOptions, SmtpServer};
use crate::support::sandbox::{CONFIG, Sandbox, people, smtp_sandbox};
use serde_json::Value;

/// Kill points per command: kills that found the command still running.
const KILLS: usize = 50;

/// Rounds at most, to reach `KILLS` (some kills come after the command
/// already finished).
const ROUNDS: usize = 3 * KILLS;

/// xorshift64: small, seedable, good enough to spread delays.
struct Rng(u64);

impl Rng {
    fn seeded(test: &str) -> (Rng, u64) {
        let seed = std::env::var("INTRO_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or_else(|| {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos();
                // Only the low bits vary between runs: keeping those is the point.
                #[allow(clippy::cast_possible_truncation)]
                let nanos = nanos as u64;
                // Tests start in the same instant: mix in the name.
                let named = test
                    .bytes()
                    .fold(nanos, |h, b| h.rotate_left(5) ^ u64::from(b));
                // splitmix64's finalizer spreads nearby seeds apart.
                let mut z = named.wrapping_add(0x9e37_79b9_7f4a_7c15);
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            })
            .max(1);
        println!("{test}: seed {seed} (replay with INTRO_FAULT_SEED={seed})");
        (Rng(seed), seed)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Starts commands and kills them at random moments within `window`.
struct Killer {
    test: &'static str,
    rng: Rng,
    seed: u64,
    window: Duration,
    kills: usize,
    /// Kills that found the process still running.
    interrupted: usize,
    /// Kills that left a send begun but not accepted, and ones that left
    /// an accepted message not yet marked as sent: the two windows a rerun
    /// must finish.
    begun: usize,
    accepted: usize,
}

impl Killer {
    fn new(test: &'static str) -> Killer {
        let (rng, seed) = Rng::seeded(test);
        Killer {
            test,
            rng,
            seed,
            window: Duration::from_millis(50),
            kills: 0,
            interrupted: 0,
            begun: 0,
            accepted: 0,
        }
    }

    /// Spread kills over a whole run: `took` are uninterrupted runs of
    /// the command (the first warms caches up); aim at up to 1.2 times the
    /// fastest to begin with (`kill` adjusts it).
    fn calibrate(&mut self, what: &str, took: &[Duration]) {
        let fastest = took.iter().min().copied().unwrap();
        self.window = fastest.mul_f64(1.2).max(Duration::from_millis(20));
        println!(
            "{}: uninterrupted, intro {what} took {took:?}; kills land within {:?}",
            self.test, self.window
        );
    }

    /// Start `cmd`, SIGKILL it after a random delay, and reap it. Every
    /// other delay falls in the second half of the window: a debug build
    /// spends most of the first half starting up, and the sends come late.
    fn kill(&mut self, mut cmd: Command) -> Duration {
        let window = u64::try_from(self.window.as_micros()).unwrap_or(u64::MAX);
        let delay = if self.kills.is_multiple_of(2) {
            self.rng.below(window + 1)
        } else {
            window / 2 + self.rng.below(window / 2 + 1)
        };
        let delay = Duration::from_micros(delay);
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        // Follow the command's current run time (the machine's load
        // changes it): a kill that came after the end narrows the window,
        // one that found the command running widens it a little.
        if child.try_wait().unwrap().is_none() {
            self.interrupted += 1;
            self.window = self.window.mul_f64(1.02);
        } else {
            self.window = self.window.mul_f64(0.9).max(Duration::from_millis(10));
        }
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        self.kills += 1;
        delay
    }

    /// Tally where a kill left the sends: begun, or accepted but unmarked.
    fn observe(&mut self, stored: &BTreeMap<String, Value>, sent: &BTreeMap<String, usize>) {
        let mut unfinished = Vec::new();
        for r in stored.values() {
            if r["status"] == "sending" {
                unfinished.push(&r["a_side"]["message_id"]);
            }
            if r["b_side"]["status"] == "sending" {
                unfinished.push(&r["b_side"]["message_id"]);
            }
            if !r["pending"].is_null() {
                unfinished.push(&r["pending"]["message_id"]);
            }
            if r["status"] == "note_requested" && r["forward_note"]["requested_at"].is_null() {
                unfinished.push(&r["forward_note"]["message_id"]);
            }
        }
        for id in unfinished {
            if sent.contains_key(id.as_str().unwrap()) {
                self.accepted += 1;
            } else {
                self.begun += 1;
            }
        }
    }

    /// What to add to an assertion message to replay the failure.
    fn context(&self, delay: Duration) -> String {
        format!(
            "{} kill {} at {delay:?} (INTRO_FAULT_SEED={})",
            self.test, self.kills, self.seed
        )
    }

    /// Another round: fewer than `KILLS` kills hit a running command yet.
    fn more(&self, round: usize) -> bool {
        assert!(
            round < ROUNDS,
            "{}: only {} of {round} kills hit a running command (seed {})",
            self.test,
            self.interrupted,
            self.seed
        );
        self.interrupted < KILLS
    }

    /// The whole run's bounds: at most one extra copy per kill, none sent
    /// more than twice.
    fn finish(&self, sent: &BTreeMap<String, usize>) {
        let extra: usize = sent.values().map(|n| n - 1).sum();
        println!(
            "{}: {} kills, {} while running (window at the end {:?}); left {} sends begun and \
             {} accepted but unmarked; {} messages, {extra} sent twice (seed {})",
            self.test,
            self.kills,
            self.interrupted,
            self.window,
            self.begun,
            self.accepted,
            sent.len(),
            self.seed
        );
        assert!(
            sent.values().all(|&n| n <= 2),
            "{}: a message went out more than twice (seed {}): {sent:?}",
            self.test,
            self.seed
        );
        assert!(
            extra <= self.kills,
            "{}: {extra} extra copies for {} kills (seed {})",
            self.test,
            self.kills,
            self.seed
        );
    }
}

/// Run `args` to the end (it must succeed) and say how long it took.
fn timed(sb: &Sandbox, args: &[&str]) -> Duration {
    let started = Instant::now();
    sb.ok(args);
    started.elapsed()
}

/// A batch file asking `p<i>` about hub for each i in `rows`.
fn write_batch(sb: &Sandbox, name: &str, rows: std::ops::Range<usize>) -> String {
    let mut text = String::from("a,b,why\n");
    for i in rows {
        text.push_str(&format!("p{i},hub,reason {i}\n"));
    }
    let path = sb.root().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// How many times the server accepted each Message-ID, read as the
/// server's Maildir grows (each accepted message is one file in `new/`).
#[derive(Default)]
struct Deliveries {
    read: BTreeSet<std::ffi::OsString>,
    counts: BTreeMap<String, usize>,
}

impl Deliveries {
    fn update(&mut self, server: &SmtpServer) -> &BTreeMap<String, usize> {
        let new = server.maildir.join("new");
        for entry in std::fs::read_dir(&new).into_iter().flatten() {
            let entry = entry.unwrap();
            if self.read.insert(entry.file_name()) {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                let id = crate::support::sandbox::header(&text, "Message-ID")
                    .expect("intro sets Message-ID");
                *self.counts.entry(id).or_default() += 1;
            }
        }
        &self.counts
    }
}

/// Every request on disk, read the way intro reads its store: the
/// archive, then the snapshot, then the journal; each is a header line,
/// then one JSON line per request (or `{"deleted": id}`; the snapshot's
/// index of the archive is skipped), and the last line for an id wins.
fn stored(sb: &Sandbox) -> BTreeMap<String, Value> {
    let dir = sb.data_dir();
    let mut requests = BTreeMap::new();
    for file in ["archive.json", "requests.json", "requests.log"] {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            continue;
        };
        // A last line without its newline was never acknowledged.
        let whole = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
        for line in whole
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty() && !l.starts_with("{\"archive\""))
        {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{file}: a line does not parse ({e}): {line}"));
            if let Some(id) = v["deleted"].as_str() {
                requests.remove(id);
            } else {
                requests.insert(v["id"].as_str().unwrap().to_string(), v);
            }
        }
    }
    requests
}

/// Every Message-ID a stored request holds: its ask, B's ask, follow-ups
/// (to A and B), its introduction, notes sent as it closed, and one being
/// sent.
fn message_ids(r: &Value) -> Vec<String> {
    let mut ids = vec![
        r["a_side"]["message_id"].clone(),
        r["pending"]["message_id"].clone(),
    ];
    ids.push(r["introduction"]["message_id"].clone());
    ids.push(r["thanks"]["message_id"].clone());
    ids.push(r["b_side"]["message_id"].clone());
    ids.push(r["forward_note"]["message_id"].clone());
    for list in [
        &r["a_side"]["followups"],
        &r["b_side"]["followups"],
        &r["notes"],
    ] {
        ids.extend(
            list.as_array()
                .into_iter()
                .flatten()
                .map(|f| f["message_id"].clone()),
        );
    }
    let mut ids: Vec<String> = ids
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    // A half-sent message the request moved past is kept in its history.
    for e in r["history"].as_array().into_iter().flatten() {
        if e["kind"] == "unconfirmed"
            && let Some(note) = e["note"].as_str()
            && let (Some(start), Some(end)) = (note.find('<'), note.find('>'))
        {
            ids.push(note[start..=end].to_string());
        }
    }
    ids
}

/// One kill and its rerun, the step every SMTP fault test repeats: start
/// `args`, SIGKILL it at a random point, check the store it left and tally
/// the sends it left unfinished, then run `args` again. The rerun must
/// succeed, or fail saying `finished_by_kill` (the kill came after the
/// command's work was done). Returns the kill's context, for assertion
/// messages, and the store after the rerun, checked.
fn kill_then_rerun(
    k: &mut Killer,
    sb: &Sandbox,
    server: &SmtpServer,
    d: &mut Deliveries,
    args: &[&str],
    finished_by_kill: Option<&str>,
) -> (String, BTreeMap<String, Value>) {
    let delay = k.kill(sb.command(args));
    let context = k.context(delay);
    let sent = d.update(server);
    let after_kill = check_store(sb, Some(sent), &context);
    k.observe(&after_kill, sent);

    let run = sb.run(args);
    assert!(
        run.code == 0 || finished_by_kill.is_some_and(|why| run.stderr.contains(why)),
        "{context}: the rerun failed:\n{}",
        run.stderr
    );
    let sent = d.update(server);
    let stored = check_store(sb, Some(sent), &context);
    (context, stored)
}

/// After a kill: `status --all --json` parses and lists what is on disk,
/// and every message the server accepted is in the store.
fn check_store(
    sb: &Sandbox,
    sent: Option<&BTreeMap<String, usize>>,
    context: &str,
) -> BTreeMap<String, Value> {
    let run = sb.run(&["status", "--all", "--json"]);
    assert_eq!(run.code, 0, "{context}: status failed:\n{}", run.stderr);
    let listed: Vec<String> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let stored = stored(sb);
    let on_disk: Vec<String> = stored.keys().cloned().collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, on_disk, "{context}: status lists the store");
    if let Some(sent) = sent {
        let known: BTreeSet<String> = stored.values().flat_map(message_ids).collect();
        for id in sent.keys() {
            assert!(
                known.contains(id),
                "{context}: the server accepted {id}, which the store does not hold"
            );
        }
    }
    stored
}

/// The stored request asking `p<i>` (the newest, if several).
fn request_of(stored: &BTreeMap<String, Value>, i: usize) -> &Value {
    let a = format!("p{i}");
    stored
        .values()
        .filter(|r| r["a"] == a.as_str())
        .max_by_key(|r| r["created_at"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no request asks {a}"))
}

fn assert_sent(sent: &BTreeMap<String, usize>, id: &Value, context: &str) {
    let id = id.as_str().unwrap();
    assert!(
        sent.get(id).is_some_and(|&n| n >= 1),
        "{context}: {id} never reached the server"
    );
}

#[test]
fn sigkill_at_random_points_of_single_asks() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROUNDS + 2, 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("single asks");
    let why = |i: usize| format!("reason {i}");
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2)
        .map(|i| {
            timed(
                &sb,
                &["ask", &format!("p{i}"), "hub", "--why", &why(i), "--yes"],
            )
        })
        .collect();
    k.calibrate("ask A B --why ... --yes", &took);
    let mut i = 0;
    while k.more(i) {
        // Half of them ask B too, so B's ask is killed mid-send as well.
        let both = k.rng.below(2) == 0;
        let (a, why) = (format!("p{i}"), why(i));
        let mut args = vec!["ask", &a, "hub", "--why", &why, "--yes"];
        if both {
            args.push("--both");
        }
        let (context, stored) = kill_then_rerun(
            &mut k,
            &sb,
            &server,
            &mut d,
            &args,
            Some("already has an open request"),
        );
        let sent = d.update(&server);
        let r = request_of(&stored, i);
        assert_eq!(r["status"], "asked", "{context}: {r}");
        assert!(r["pending"].is_null(), "{context}: {r}");
        assert_sent(sent, &r["a_side"]["message_id"], &context);
        if both {
            assert_eq!(r["b_side"]["status"], "asked", "{context}: {r}");
            assert_sent(sent, &r["b_side"]["message_id"], &context);
        }
        i += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn sigkill_at_random_points_of_batches() {
    const ROWS: usize = 4;
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROWS * (ROUNDS + 2), 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("batches");
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2)
        .map(|r| {
            let file = write_batch(&sb, "calibrate.csv", ROWS * r..ROWS * (r + 1));
            timed(&sb, &["ask", "--batch", &file, "--yes"])
        })
        .collect();
    k.calibrate(&format!("ask --batch FILE --yes ({ROWS} rows)"), &took);
    let mut round = 0;
    while k.more(round) {
        let rows = ROWS * round..ROWS * (round + 1);
        let file = write_batch(&sb, &format!("batch{round}.csv"), rows.clone());
        let args = ["ask", "--batch", &file, "--yes"];
        let (context, stored) = kill_then_rerun(&mut k, &sb, &server, &mut d, &args, None);
        let sent = d.update(&server);
        for row in rows {
            let r = request_of(&stored, row);
            assert_eq!(r["status"], "asked", "{context}: {r}");
            assert_sent(sent, &r["a_side"]["message_id"], &context);
        }
        round += 1;
    }
    assert_eq!(stored(&sb).len(), ROWS * (round + 2), "one request per row");
    k.finish(d.update(&server));
}

#[test]
fn sigkill_at_random_points_of_followups() {
    const DUE: usize = 2;
    let server = SmtpServer::start(SmtpOptions::default());
    // One follow-up each: earlier rounds' requests are never due again.
    let mut sb = smtp_sandbox(
        &server,
        DUE * (ROUNDS + 2),
        5,
        "[followup]\nafter_days = 5\nmax = 1\n",
    );
    let mut d = Deliveries::default();
    let mut k = Killer::new("follow-ups");
    let asked = "2026-03-01T09:00:00Z";
    let due = "2026-03-07T09:00:00Z";
    let ask_round = |sb: &mut Sandbox, round: usize| {
        sb.set_now(asked);
        let file = write_batch(sb, "round.csv", DUE * round..DUE * (round + 1));
        sb.ok(&["ask", "--batch", &file, "--yes"]);
        sb.set_now(due);
    };
    let args = ["followup", "--due", "--yes"];
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2)
        .map(|r| {
            ask_round(&mut sb, r);
            timed(&sb, &args)
        })
        .collect();
    k.calibrate(&format!("followup --due --yes ({DUE} due)"), &took);
    let mut round = 0;
    while k.more(round) {
        ask_round(&mut sb, round);
        let (context, stored) = kill_then_rerun(&mut k, &sb, &server, &mut d, &args, None);
        let sent = d.update(&server);
        for i in DUE * round..DUE * (round + 1) {
            let r = request_of(&stored, i);
            let followups = r["a_side"]["followups"].as_array().unwrap();
            assert_eq!(followups.len(), 1, "{context}: {r}");
            assert!(r["pending"].is_null(), "{context}: {r}");
            assert_sent(sent, &followups[0]["message_id"], &context);
        }
        round += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn sigkill_at_random_points_of_introductions() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROUNDS + 2, 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("introductions");
    let file = write_batch(&sb, "asks.csv", 0..ROUNDS + 2);
    sb.ok(&["ask", "--batch", &file, "--yes"]);
    let stored = stored(&sb);
    let ids: Vec<String> = (0..ROUNDS + 2)
        .map(|i| request_of(&stored, i)["id"].as_str().unwrap().to_string())
        .collect();
    let took: Vec<Duration> = ids[ROUNDS..]
        .iter()
        .map(|id| {
            sb.ok(&["approve", id]);
            timed(&sb, &["introduce", id, "--send", "--yes"])
        })
        .collect();
    k.calibrate("introduce ID --send --yes", &took);
    let mut i = 0;
    while k.more(i) {
        let id = &ids[i];
        sb.ok(&["approve", id]);
        let args = ["introduce", id, "--send", "--yes"];
        let (context, stored) = kill_then_rerun(
            &mut k,
            &sb,
            &server,
            &mut d,
            &args,
            Some("is introduced; it cannot be introduced"),
        );
        let sent = d.update(&server);
        let r = request_of(&stored, i);
        assert_eq!(r["status"], "introduced", "{context}: {r}");
        assert!(r["pending"].is_null(), "{context}: {r}");
        assert_sent(sent, &r["introduction"]["message_id"], &context);
        i += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn sigkill_at_random_points_of_requests_of_connectors() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROUNDS + 2, 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("requests of connectors");
    let why = |i: usize| format!("reason {i}");
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2)
        .map(|i| {
            let c = format!("p{i}");
            timed(&sb, &["request", &c, "hub", "--why", &why(i), "--yes"])
        })
        .collect();
    k.calibrate("request C T --why ... --yes", &took);
    let mut i = 0;
    while k.more(i) {
        let (c, why) = (format!("p{i}"), why(i));
        let args = ["request", &c, "hub", "--why", &why, "--yes"];
        let (context, stored) = kill_then_rerun(
            &mut k,
            &sb,
            &server,
            &mut d,
            &args,
            Some("already has an open request"),
        );
        let sent = d.update(&server);
        let r = request_of(&stored, i);
        assert_eq!(r["status"], "asked", "{context}: {r}");
        assert_eq!(r["direction"], "requested", "{context}: {r}");
        assert!(r["pending"].is_null(), "{context}: {r}");
        assert_sent(sent, &r["a_side"]["message_id"], &context);
        i += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn sigkill_at_random_points_of_thanks() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROUNDS + 2, 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("thanks");
    let mut text = String::from("c,t,why\n");
    for i in 0..ROUNDS + 2 {
        text.push_str(&format!("p{i},hub,reason {i}\n"));
    }
    let file = sb.root().join("requests.csv");
    std::fs::write(&file, text).unwrap();
    sb.ok(&[
        "request",
        "--batch",
        file.to_str().unwrap(),
        "--yes",
        "--force",
    ]);
    let stored = stored(&sb);
    let ids: Vec<String> = (0..ROUNDS + 2)
        .map(|i| request_of(&stored, i)["id"].as_str().unwrap().to_string())
        .collect();
    let took: Vec<Duration> = ids[ROUNDS..]
        .iter()
        .map(|id| {
            sb.ok(&["introduced", id]);
            timed(
                &sb,
                &["thank", id, "--how", "it went well", "--send", "--yes"],
            )
        })
        .collect();
    k.calibrate("thank ID --send --yes", &took);
    let mut i = 0;
    while k.more(i) {
        let id = &ids[i];
        sb.ok(&["introduced", id]);
        let args = ["thank", id, "--how", "it went well", "--send", "--yes"];
        let (context, stored) = kill_then_rerun(
            &mut k,
            &sb,
            &server,
            &mut d,
            &args,
            Some("cannot be thanked again"),
        );
        let sent = d.update(&server);
        let r = request_of(&stored, i);
        assert_eq!(r["status"], "introduced", "{context}: {r}");
        assert!(r["pending"].is_null(), "{context}: {r}");
        assert_sent(sent, &r["thanks"]["message_id"], &context);
        i += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn sigkill_at_random_points_of_closing_notes() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROUNDS + 2, 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("closing notes");
    let file = write_batch(&sb, "asks.csv", 0..ROUNDS + 2);
    sb.ok(&["ask", "--batch", &file, "--yes"]);
    let stored = stored(&sb);
    let ids: Vec<String> = (0..ROUNDS + 2)
        .map(|i| request_of(&stored, i)["id"].as_str().unwrap().to_string())
        .collect();
    // Every other one is declined with a note to B, the rest cancelled
    // with a note to A.
    let args = |i: usize| -> Vec<&str> {
        if i.is_multiple_of(2) {
            vec!["decline", &ids[i], "--tell-b", "--send", "--yes"]
        } else {
            vec!["cancel", &ids[i], "--tell", "--send", "--yes"]
        }
    };
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2).map(|i| timed(&sb, &args(i))).collect();
    k.calibrate("decline --tell-b --send / cancel --tell --send", &took);
    let mut i = 0;
    while k.more(i) {
        let (closed, why) = if i.is_multiple_of(2) {
            ("declined", "is declined; it cannot be declined")
        } else {
            ("cancelled", "is cancelled; it cannot be cancelled")
        };
        let (context, stored) = kill_then_rerun(&mut k, &sb, &server, &mut d, &args(i), Some(why));
        let sent = d.update(&server);
        let r = request_of(&stored, i);
        assert_eq!(r["status"], closed, "{context}: {r}");
        assert!(r["pending"].is_null(), "{context}: {r}");
        let notes = r["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 1, "{context}: {r}");
        assert_sent(sent, &notes[0]["message_id"], &context);
        i += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn closing_notes_killed_between_acceptance_and_record_are_finished_once() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(3));
    let mail = HeldSendmail::install(&sb, "");
    let ask = |args: &[&str]| sb.json(args)["id"].as_str().unwrap().to_string();
    let declined = ask(&["ask", "p0", "hub", "--why", "w", "--yes"]);
    let both = ask(&["ask", "p1", "hub", "--why", "w", "--both", "--yes"]);
    let request = |id: &str| stored(&sb)[id].clone();

    // The note to B is accepted, then intro dies before recording it: the
    // request is still open, the note pending; the rerun sends it again
    // with the same Message-ID and records the decline with it.
    let decline = ["decline", &declined, "--tell-b", "--send", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &decline);
    let r = request(&declined);
    assert_eq!(r["status"], "asked", "{r}");
    assert_eq!(r["pending"]["message_id"], id.as_str(), "{r}");
    assert_eq!(
        sb.json(&["status", &declined])[0]["next_step"],
        format!("the note to B was interrupted: `intro decline {declined} --tell-b --send`")
    );
    sb.ok(&decline);
    let r = request(&declined);
    assert_eq!(r["status"], "declined", "{r}");
    assert!(r["pending"].is_null(), "{r}");
    assert_eq!(r["notes"][0]["message_id"], id.as_str(), "{r}");
    assert_eq!(mail.copies(&id), 2);
    sb.fails(&decline, 1);
    assert_eq!(mail.copies(&id), 2, "a rerun after the end sends nothing");

    // Withdrawing an ask made with --both: A's note is cut off after
    // acceptance; the rerun finishes it (same id) and sends B's once.
    let cancel = ["cancel", &both, "--tell", "--send", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &cancel);
    let r = request(&both);
    assert_eq!(r["status"], "asked", "{r}");
    assert_eq!(r["pending"]["message_id"], id.as_str(), "{r}");
    assert_eq!(
        sb.json(&["status", &both])[0]["next_step"],
        format!("a note was interrupted: `intro cancel {both} --tell --send`")
    );
    sb.ok(&cancel);
    let r = request(&both);
    assert_eq!(r["status"], "cancelled", "{r}");
    assert!(r["pending"].is_null(), "{r}");
    let notes: Vec<&str> = r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "{r}");
    assert_eq!(notes[0], id, "{r}");
    assert_eq!(mail.copies(&id), 2);
    assert_eq!(mail.copies(notes[1]), 1);

    // A plain cancel after a cut-off note keeps its Message-ID in the
    // history: it may have reached its reader.
    let third = ask(&["ask", "p2", "hub", "--why", "w", "--yes"]);
    let cancel = ["cancel", &third, "--tell", "--send", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &cancel);
    sb.ok(&["cancel", &third]);
    let detail = sb.ok(&["status", &third]);
    assert!(
        detail.contains(&format!(
            "unconfirmed: the note withdrawing the ask to A ({id}) may have been sent"
        )),
        "{detail}"
    );
    assert_eq!(mail.copies(&id), 1);

    // Withdrawing a note request: the note to B, cut off after
    // acceptance, is finished once, in B's thread, by the rerun.
    let noted = ask(&["note", "p0", "--for", "p1", "--yes"]);
    let cancel = ["cancel", &noted, "--tell", "--send", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &cancel);
    let r = request(&noted);
    assert_eq!(r["status"], "note_requested", "{r}");
    assert_eq!(r["pending"]["message_id"], id.as_str(), "{r}");
    assert_eq!(
        sb.json(&["status", &noted])[0]["next_step"],
        format!("a note was interrupted: `intro cancel {noted} --tell --send`")
    );
    sb.ok(&cancel);
    let r = request(&noted);
    assert_eq!(r["status"], "cancelled", "{r}");
    assert_eq!(r["notes"][0]["message_id"], id.as_str(), "{r}");
    assert_eq!(mail.copies(&id), 2);
    sb.fails(&cancel, 1);
    assert_eq!(mail.copies(&id), 2, "a rerun after the end sends nothing");
}

#[test]
fn sigkill_at_random_points_of_note_requests_and_their_asks() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = smtp_sandbox(&server, ROUNDS + 2, 5, "");
    let mut d = Deliveries::default();
    let mut k = Killer::new("note requests");
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2)
        .map(|i| {
            let a = format!("p{i}");
            timed(&sb, &["note", "hub", "--for", &a, "--why", "w", "--yes"])
        })
        .collect();
    k.calibrate("note B --for A --yes", &took);
    let mut i = 0;
    while k.more(i) {
        let a = format!("p{i}");
        let note = ["note", "hub", "--for", &a, "--why", "w", "--yes"];
        let (context, stored) = kill_then_rerun(
            &mut k,
            &sb,
            &server,
            &mut d,
            &note,
            Some("already has an open request"),
        );
        let r = request_of(&stored, i).clone();
        assert_eq!(r["status"], "note_requested", "{context}: {r}");
        assert!(
            !r["forward_note"]["requested_at"].is_null(),
            "{context}: {r}"
        );
        assert_sent(
            d.update(&server),
            &r["forward_note"]["message_id"],
            &context,
        );

        // B's note, then the ask to A carrying it, killed as well.
        let id = r["id"].as_str().unwrap().to_string();
        let run = sb.run_with_stdin(
            &["note", &id, "--file", "-"],
            Some("Hi, I'm hub. Could we talk for 20 minutes?"),
        );
        assert_eq!(run.code, 0, "{context}: {}", run.stderr);
        let ask = ["ask", &id, "--yes"];
        let (context, stored) =
            kill_then_rerun(&mut k, &sb, &server, &mut d, &ask, Some("is asked"));
        let r = request_of(&stored, i);
        assert_eq!(r["status"], "asked", "{context}: {r}");
        assert_sent(d.update(&server), &r["a_side"]["message_id"], &context);
        i += 1;
    }
    k.finish(d.update(&server));
}

#[test]
fn note_requests_and_their_asks_killed_between_acceptance_and_record_are_finished_once() {
    let sb = Sandbox::new();
    sb.write_contacts(&people(2));
    let mail = HeldSendmail::install(&sb, "");

    // The note request to B is accepted, then intro dies: the request is
    // recorded as unsent; the rerun sends it again with the same id.
    let note = ["note", "hub", "--for", "p0", "--why", "w", "--yes"];
    let mid = mail.kill_after_acceptance(&sb, &note);
    let stored_now = check_store(&sb, Some(&BTreeMap::from([(mid.clone(), 1)])), "note");
    let r = stored_now.values().next().unwrap().clone();
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(r["status"], "note_requested", "{r}");
    assert!(r["forward_note"]["requested_at"].is_null(), "{r}");
    assert_eq!(
        sb.request(&id)["status"],
        "sending",
        "shown as an ask cut off is"
    );
    assert!(
        sb.request(&id)["next_step"]
            .as_str()
            .unwrap()
            .starts_with("the note request to B was interrupted"),
        "{r}"
    );
    sb.ok(&note);
    assert_eq!(mail.copies(&mid), 2);
    let r = stored(&sb)[&id].clone();
    assert!(!r["forward_note"]["requested_at"].is_null(), "{r}");
    sb.fails(&note, 1);
    assert_eq!(mail.copies(&mid), 2, "a rerun after the end sends nothing");

    // The ask carrying the note: accepted, then killed; left `sending`,
    // finished once by the rerun with the same Message-ID.
    let run = sb.run_with_stdin(&["note", &id, "--file", "-"], Some("Could we talk?"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ask = ["ask", &id, "--yes"];
    let mid = mail.kill_after_acceptance(&sb, &ask);
    let r = stored(&sb)[&id].clone();
    assert_eq!(r["status"], "sending", "{r}");
    assert_eq!(r["a_side"]["message_id"], mid.as_str(), "{r}");
    sb.ok(&ask);
    assert_eq!(mail.copies(&mid), 2);
    let r = stored(&sb)[&id].clone();
    assert_eq!(r["status"], "asked", "{r}");
    assert_eq!(r["a_side"]["message_id"], mid.as_str(), "{r}");
    sb.fails(&ask, 1);
    assert_eq!(mail.copies(&mid), 2);
}

/// A reply from `p<i>` in the thread of `message_id`.
fn reply(i: usize, message_id: &str) -> String {
    format!(
        "From: Person {i} <p{i}@example.com>\r\nTo: Grace Hopper <grace@example.com>\r\n\
         Subject: Re: an introduction\r\nDate: Mon, 02 Mar 2026 10:15:00 +0000\r\n\
         Message-ID: <reply-{i}@mail.example.com>\r\nIn-Reply-To: {message_id}\r\n\
         References: {message_id}\r\n\r\nHappy to, thanks! ({i})\r\n"
    )
}

#[test]
fn sigkill_at_random_points_of_sync() {
    const REPLIES: usize = 3;
    // Enough mail that a sync takes a while to look through.
    const FILLER: usize = 600;
    let sb = Sandbox::new();
    let maildir = sb.maildir();
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        maildir.display()
    ));
    let n = REPLIES * (ROUNDS + 2);
    sb.write_contacts(&people(n));
    for f in 0..FILLER {
        std::fs::write(
            maildir.join(format!("cur/1772000000.M{f}P1.host:2,S")),
            format!(
                "From: list{f}@example.org\r\nSubject: news {f}\r\nMessage-ID: <n{f}@example.org>\r\n\r\nnothing to see\r\n"
            ),
        )
        .unwrap();
    }
    // Every request waits for a reply from the start; replies come in rounds.
    let file = write_batch(&sb, "asks.csv", 0..n);
    sb.ok(&["ask", "--batch", &file, "--yes"]);
    let asks = stored(&sb);
    let deliver = |round: usize| {
        for i in REPLIES * round..REPLIES * (round + 1) {
            let id = request_of(&asks, i)["a_side"]["message_id"]
                .as_str()
                .unwrap();
            std::fs::write(
                maildir.join(format!("new/1772442900.M{i}P2.host")),
                reply(i, id),
            )
            .unwrap();
        }
    };
    let mut k = Killer::new("sync");
    let took: Vec<Duration> = (ROUNDS..ROUNDS + 2)
        .map(|r| {
            deliver(r);
            timed(&sb, &["sync"])
        })
        .collect();
    k.calibrate(&format!("sync ({FILLER} other messages)"), &took);
    let mut round = 0;
    while k.more(round) {
        deliver(round);
        let delay = k.kill(sb.command(&["sync"]));
        let context = k.context(delay);
        check_store(&sb, None, &context);
        let state = sb.data_dir().join("sync-state.json");
        if let Ok(text) = std::fs::read_to_string(&state) {
            serde_json::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{context}: sync-state.json is damaged: {e}"));
        }

        let run = sb.run(&["sync"]);
        assert_eq!(run.code, 0, "{context}: the rerun failed:\n{}", run.stderr);
        let stored = check_store(&sb, None, &context);
        for i in REPLIES * round..REPLIES * (round + 1) {
            let r = request_of(&stored, i);
            assert_eq!(r["status"], "replied", "{context}: {r}");
        }
        round += 1;
    }
    // Each reply was recorded once, however often sync was killed and rerun.
    let stored = stored(&sb);
    let answered = (0..round).flat_map(|r| REPLIES * r..REPLIES * (r + 1));
    for i in answered.chain(REPLIES * ROUNDS..n) {
        let r = request_of(&stored, i);
        let replied = r["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "replied")
            .count();
        assert_eq!(replied, 1, "seed {}: {r}", k.seed);
        assert_eq!(
            r["a_side"]["reply"]["message_id"],
            format!("<reply-{i}@mail.example.com>"),
            "seed {}",
            k.seed
        );
    }
    k.finish(&BTreeMap::new());
}

#[test]
fn killed_between_acceptance_and_record_every_send_is_finished_once() {
    let mut sb = Sandbox::new();
    sb.write_contacts(&people(6));
    let mail = HeldSendmail::install(&sb, "");
    let accepted = |sb: &Sandbox, id: &str, what: &str| {
        let stored = check_store(sb, Some(&BTreeMap::from([(id.to_string(), 1)])), what);
        stored
            .values()
            .find(|r| message_ids(r).iter().any(|m| m == id))
            .unwrap_or_else(|| panic!("{what}: {id} is not in the store"))
            .clone()
    };

    // A single ask: left `sending`; the rerun sends it again, same id.
    let ask = ["ask", "p0", "hub", "--why", "w", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &ask);
    let r = accepted(&sb, &id, "ask");
    assert_eq!(r["status"], "sending", "{r}");
    assert_eq!(r["a_side"]["message_id"], id.as_str());
    sb.ok(&ask);
    assert_eq!(mail.copies(&id), 2);
    assert_eq!(accepted(&sb, &id, "ask")["status"], "asked");
    assert_eq!(
        sb.fails(&ask, 1).lines().next().unwrap(),
        format!(
            "error: `p0` already has an open request about `hub` (request {}, asked)",
            r["id"].as_str().unwrap()
        )
    );

    // With --both, A's ask is finished and B's sent once.
    let both = ["ask", "p1", "hub", "--why", "w", "--both", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &both);
    let r = accepted(&sb, &id, "ask --both");
    assert_eq!(r["status"], "sending", "{r}");
    sb.ok(&both);
    let r = accepted(&sb, &id, "ask --both");
    assert_eq!(
        (&r["status"], &r["b_side"]["status"]),
        (&"asked".into(), &"asked".into())
    );
    assert_eq!(mail.copies(&id), 2);
    assert_eq!(mail.copies(r["b_side"]["message_id"].as_str().unwrap()), 1);

    // A batch: the first row is finished, the others sent once.
    let file = write_batch(&sb, "asks.csv", 2..5);
    let batch = ["ask", "--batch", &file, "--yes"];
    let id = mail.kill_after_acceptance(&sb, &batch);
    assert_eq!(accepted(&sb, &id, "batch")["status"], "sending");
    sb.ok(&batch);
    assert_eq!(mail.copies(&id), 2);
    let stored = stored(&sb);
    for i in 2..5 {
        let r = request_of(&stored, i);
        assert_eq!(r["status"], "asked", "{r}");
        if r["a_side"]["message_id"] != id.as_str() {
            assert_eq!(mail.copies(r["a_side"]["message_id"].as_str().unwrap()), 1);
        }
    }

    // A follow-up: left pending; the rerun sends it again, same id.
    sb.set_now("2026-03-07T09:00:00Z");
    let target = request_of(&stored, 2)["id"].as_str().unwrap().to_string();
    let followup = ["followup", &target, "--yes"];
    let id = mail.kill_after_acceptance(&sb, &followup);
    let r = accepted(&sb, &id, "followup");
    assert_eq!(r["pending"]["message_id"], id.as_str(), "{r}");
    sb.ok(&followup);
    let r = accepted(&sb, &id, "followup");
    assert!(r["pending"].is_null(), "{r}");
    assert_eq!(r["a_side"]["followups"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(mail.copies(&id), 2);

    // An introduction: the same.
    sb.ok(&["approve", &target]);
    let introduce = ["introduce", &target, "--send", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &introduce);
    let r = accepted(&sb, &id, "introduce");
    assert_eq!(r["pending"]["message_id"], id.as_str(), "{r}");
    sb.ok(&introduce);
    let r = accepted(&sb, &id, "introduce");
    assert_eq!(r["status"], "introduced", "{r}");
    assert_eq!(r["introduction"]["message_id"], id.as_str(), "{r}");
    assert_eq!(mail.copies(&id), 2);

    // A follow-up cut off, then the request declined before any rerun:
    // the follow-up may have reached A, so its Message-ID stays in the
    // store (in the history), and it is not sent again.
    let other = request_of(&stored, 3)["id"].as_str().unwrap().to_string();
    let followup = ["followup", &other, "--yes"];
    let id = mail.kill_after_acceptance(&sb, &followup);
    sb.ok(&["decline", &other]);
    let r = accepted(&sb, &id, "followup, then decline");
    assert_eq!(r["status"], "declined", "{r}");
    assert!(r["pending"].is_null(), "{r}");
    let detail = sb.ok(&["status", &other]);
    assert!(
        detail.contains(&format!(
            "unconfirmed: a follow-up to A ({id}) may have been sent"
        )),
        "{detail}"
    );
    sb.ok(&["followup", "--due", "--yes"]);
    assert_eq!(mail.copies(&id), 1);
}

#[test]
fn a_reply_to_an_ask_killed_before_it_was_recorded_is_not_lost() {
    let sb = Sandbox::new();
    let maildir = sb.maildir();
    let mail = HeldSendmail::install(
        &sb,
        &format!("[maildir]\npath = \"{}\"\n", maildir.display()),
    );
    let ask = ["ask", "ada", "sam", "--why", "w", "--yes"];
    let id = mail.kill_after_acceptance(&sb, &ask);
    assert_eq!(sb.json(&["status"])[0]["status"], "sending");
    // Ada answers, and sync runs before the ask is run again.
    std::fs::write(
        maildir.join("new/1772442900.M1P1.host"),
        format!(
            "From: Ada Lovelace <ada@example.com>\r\nTo: grace@example.com\r\n\
             Subject: Re: hello\r\nDate: Sun, 01 Mar 2026 12:00:00 +0000\r\n\
             Message-ID: <r1@example.com>\r\nIn-Reply-To: {id}\r\n\r\nYes, gladly.\r\n"
        ),
    )
    .unwrap();
    sb.ok(&["sync"]);
    let r = &sb.json(&["status"])[0];
    assert_eq!(r["status"], "replied", "{r}");
    assert_eq!(r["asked_at"], r["created_at"], "{r}");
    assert_eq!(r["reply"]["snippet"], "Yes, gladly.");
    // The ask went out, and was answered: a rerun sends nothing.
    let err = sb.fails(&ask, 1);
    assert!(err.contains("already has an open request"), "{err}");
    assert_eq!(mail.copies(&id), 1);
}
