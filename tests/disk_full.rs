//! A full disk and a read-only data dir, on real file systems: a tiny tmpfs
//! mounted over the data dir (or one of its folders), filled up or
//! remounted read-only. Every command that must write fails with a clear
//! error naming the file, nothing recorded before is lost, and once there
//! is room again the same commands finish, sending each message once.
//!
//! Mounting needs root (CI runs as root, and so does the dev container); as
//! root, permission bits would not stop a write, hence a real read-only
//! mount. Where `mount` is not allowed the tests print why and pass.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::held_sendmail::HeldSendmail;
use crate::support::mail_servers::{SmtpOptions, SmtpServer};
use crate::support::sandbox::{CONFIG, Sandbox, header};
use serde_json::Value;

/// A tmpfs mounted over a folder for one test; unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mount a tmpfs of `size` (e.g. "64k") over `dir`, or say why not.
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(dir)
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs {
                dir: dir.to_path_buf(),
            }),
            Ok(out) => {
                println!(
                    "skipped: cannot mount a tmpfs on {} (needs root): {}",
                    dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                println!("skipped: cannot run `mount`: {e}");
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "remount {options}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Take every free block with a file of zeros; delete it to make room.
    fn fill(&self) -> PathBuf {
        let path = self.dir.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = [0u8; 1024];
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                Err(e) => panic!("filling {}: {e}", path.display()),
            }
        }
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let status = Command::new("umount").arg(&self.dir).status();
        if !status.is_ok_and(|s| s.success()) {
            // Something still holds a file open there: detach it anyway.
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

/// Every request, by id, as `status --all --json` shows them.
fn requests(sb: &Sandbox) -> BTreeMap<String, Value> {
    sb.all_requests()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

/// The request asking `a` (there is one per A in these tests).
fn id_of(sb: &Sandbox, a: &str) -> String {
    requests(sb)
        .values()
        .find(|r| r["a"] == a)
        .unwrap_or_else(|| panic!("no request asks {a}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Run, insist on exit 1 with an `error: ` report that says `want` (on its
/// first line, or on the line of each item that failed), and return stderr.
fn refused(sb: &Sandbox, args: &[&str], want: &str) -> String {
    let err = sb.fails(args, 1);
    assert!(
        err.contains(want),
        "intro {args:?}: the error should say `{want}`:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn a_read_only_data_dir_refuses_every_write_and_loses_nothing() {
    let mut sb = Sandbox::new();
    let Some(data) = Tmpfs::mount(&sb.data_dir(), "1m") else {
        return;
    };
    let maildir = sb.maildir();
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        maildir.display()
    ));
    let ada = sb.ask("ada", "sam", "compilers");
    let kay = sb.ask("kay", "sam", "orbits");
    let alan = sb.ask("alan", "sam", "machines");
    sb.ok(&["approve", &kay]);
    let ada_ask = sb.request(&ada)["message_id"].as_str().unwrap().to_string();
    std::fs::write(
        maildir.join("new/1.reply.host"),
        format!(
            "From: ada@example.com\r\nIn-Reply-To: {ada_ask}\r\nMessage-ID: <r1@x>\r\n\
             Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n\r\nYes, happy to.\r\n"
        ),
    )
    .unwrap();
    sb.set_now("2026-03-07T09:00:00Z");
    let before = requests(&sb);
    let outbox_before = sb.outbox();

    data.remount("ro");
    let ro = "Read-only file system";
    // Reading still works.
    assert_eq!(requests(&sb).len(), 3);
    sb.ok(&["stats"]);
    // Every write is refused, naming what it could not write.
    let err = refused(&sb, &["ask", "alan2", "sam", "--why", "w", "--yes"], ro);
    assert!(err.contains(&sb.data_dir().display().to_string()), "{err}");
    let batch = sb.root().join("asks.csv");
    std::fs::write(&batch, "a,b,why\nalan2,sam,w\nsam,kay,w\n").unwrap();
    refused(
        &sb,
        &["ask", "--batch", batch.to_str().unwrap(), "--yes"],
        ro,
    );
    let err = refused(&sb, &["approve", &alan], ro);
    assert!(
        err.contains("hint: make room on the data dir's disk (or mount it writable)"),
        "{err}"
    );
    refused(&sb, &["decline", &alan], ro);
    refused(&sb, &["decline", &alan, "--tell-b"], ro);
    refused(&sb, &["cancel", &alan], ro);
    refused(&sb, &["followup", "--due", "--yes"], ro);
    refused(&sb, &["introduce", &kay], ro);
    refused(&sb, &["introduce", &kay, "--send", "--yes"], ro);
    refused(&sb, &["sync"], ro);

    data.remount("rw");
    assert_eq!(requests(&sb), before, "nothing changed, nothing lost");
    assert_eq!(sb.outbox(), outbox_before, "nothing was sent");
    // With room to write again, the same commands go through.
    sb.ok(&["ask", "alan2", "sam", "--why", "w", "--yes"]);
    sb.ok(&["sync"]);
    assert_eq!(sb.request(&ada)["status"], "replied");
    sb.ok(&["followup", "--due", "--yes"]);
    assert_eq!(sb.request(&alan)["followups"], 1);
    sb.ok(&["introduce", &kay, "--send", "--yes"]);
    sb.ok(&["decline", &alan, "--tell-b"]);
    assert_eq!(requests(&sb).len(), 4);
    assert_eq!(sb.outbox().len(), outbox_before.len() + 3);
}

#[test]
fn a_full_outbox_or_drafts_folder_fails_clearly_and_records_nothing() {
    let mut sb = Sandbox::new();
    let ada = sb.ask("ada", "sam", "compilers");
    let kay = sb.ask("kay", "sam", "orbits");
    sb.ok(&["approve", &kay]);
    // The store has room; the folders messages and drafts go to do not.
    let Some(outbox) = Tmpfs::mount(&sb.data_dir().join("outbox"), "16k") else {
        return;
    };
    let Some(drafts) = Tmpfs::mount(&sb.data_dir().join("drafts"), "16k") else {
        return;
    };
    let fillers = [outbox.fill(), drafts.fill()];
    sb.set_now("2026-03-07T09:00:00Z");
    let before = requests(&sb);
    let full = "No space left on device";

    let err = refused(&sb, &["ask", "alan", "sam", "--why", "w", "--yes"], full);
    assert!(err.contains("outbox"), "{err}");
    assert!(
        err.contains("hint: check the data dir's permissions and free space"),
        "{err}"
    );
    let batch = sb.root().join("asks.csv");
    std::fs::write(&batch, "a,b,why\nalan,sam,w\nalan2,kay,w\n").unwrap();
    let err = sb.fails(&["ask", "--batch", batch.to_str().unwrap(), "--yes"], 1);
    assert!(
        err.starts_with("error: 1 of 2 asks failed, 1 not sent; asked 0"),
        "{err}"
    );
    assert!(err.contains(full), "{err}");
    refused(&sb, &["followup", "--due", "--yes"], full);
    refused(&sb, &["introduce", &kay, "--send", "--yes"], full);
    let err = refused(&sb, &["introduce", &kay], full);
    assert!(err.starts_with("error: cannot save the draft"), "{err}");
    let err = refused(&sb, &["decline", &ada, "--tell-b"], full);
    assert!(err.starts_with("error: cannot save the draft"), "{err}");
    assert_eq!(requests(&sb), before, "nothing was recorded");

    for f in fillers {
        std::fs::remove_file(f).unwrap();
    }
    sb.ok(&["ask", "--batch", batch.to_str().unwrap(), "--yes"]);
    sb.ok(&["followup", "--due", "--yes"]);
    sb.ok(&["introduce", &kay, "--send", "--yes"]);
    sb.ok(&["decline", &ada, "--tell-b"]);
    assert_eq!(sb.request(&ada)["status"], "declined");
    assert_eq!(sb.request(&kay)["status"], "introduced");
    // Two asks, a follow-up to ada, and the introduction: once each.
    assert_eq!(sb.outbox().len(), 4);
    assert_eq!(sb.drafts().len(), 1);
}

#[test]
fn a_full_data_dir_fails_clearly_loses_nothing_and_sends_at_most_twice() {
    let server = SmtpServer::start(SmtpOptions::default());
    let sb = Sandbox::new();
    let Some(data) = Tmpfs::mount(&sb.data_dir(), "64k") else {
        return;
    };
    sb.write_config(&format!("{CONFIG}\n{}", server.smtp_table()));
    let mut contacts = String::from("[hub]\nname = \"Hub\"\nemail = \"hub@example.com\"\n");
    for i in 0..40 {
        contacts.push_str(&format!(
            "[p{i}]\nname = \"P {i}\"\nemail = \"p{i}@example.com\"\n"
        ));
    }
    sb.write_contacts(&contacts);
    for i in 0..4 {
        sb.ask(&format!("p{i}"), "hub", "w");
    }
    let before = requests(&sb);
    let filler = data.fill();

    // Whether a command still finds room depends on where its writes land
    // (a journal line may fit in the file's last block), so each one either
    // works or fails saying the disk is full; what it wrote must hold.
    let ask = |i: usize| format!("ask p{i} hub --why w --wants x --format y --yes");
    let mut commands: Vec<String> = (4..12).map(ask).collect();
    commands.push(format!("approve {}", id_of(&sb, "p0")));
    commands.push(format!("decline {}", id_of(&sb, "p1")));
    let mut failed = Vec::new();
    for command in &commands {
        let args: Vec<&str> = command.split(' ').collect();
        let run = sb.run(&args);
        if run.code != 0 {
            assert_eq!(run.code, 1, "{command}: {}", run.stderr);
            // Warnings about the ask itself may come first.
            let stderr = after_warnings(&run.stderr);
            assert!(
                stderr.starts_with("error: ") && stderr.contains("No space left on device"),
                "{command}: {}",
                run.stderr
            );
            println!("{command}: {}", run.stderr.lines().next().unwrap());
            failed.push(args);
        }
    }
    println!(
        "{} of {} commands failed on the full disk",
        failed.len(),
        commands.len()
    );
    assert!(!failed.is_empty(), "the disk was full");
    // Reading works on a full disk, and every request made before is there.
    let during = requests(&sb);
    for id in before.keys() {
        assert!(during.contains_key(id), "{id} was lost");
    }

    std::fs::remove_file(filler).unwrap();
    for args in &failed {
        let run = sb.run(args);
        assert_eq!(run.code, 0, "{args:?} after making room: {}", run.stderr);
    }
    let after = requests(&sb);
    assert_eq!(after.len(), 12);
    assert!(
        after.values().all(|r| r["status"] != "sending"),
        "{after:?}"
    );
    // Every message reached the server, none more than twice (an ask the
    // server took whose record did not fit is sent again, same Message-ID).
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for m in server.messages() {
        *sent
            .entry(header(&m.raw, "Message-ID").unwrap())
            .or_default() += 1;
    }
    for r in after.values() {
        let n = sent.get(r["message_id"].as_str().unwrap()).copied();
        assert!(matches!(n, Some(1 | 2)), "{r}: sent {n:?} times");
    }
}

/// Fill the last block of the journal with blank lines (which the store
/// skips), so that on a full disk its next line needs a block there is no
/// room for, as when a line happens to end exactly on a block boundary.
fn pad_journal(sb: &Sandbox) {
    let path = sb.data_dir().join("requests.log");
    let len = std::fs::metadata(&path).unwrap().len();
    let rest = (4096 - len % 4096) % 4096;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(&vec![b'\n'; rest as usize]).unwrap();
}

#[test]
fn a_disk_that_fills_up_after_a_send_says_it_was_sent_and_a_rerun_finishes_it() {
    let mut sb = Sandbox::new();
    let Some(data) = Tmpfs::mount(&sb.data_dir(), "64k") else {
        return;
    };
    let mail = HeldSendmail::install(&sb, "");
    sb.write_contacts(&format!(
        "{}[p0]\nname = \"P 0\"\nemail = \"p0@example.com\"\n",
        crate::support::sandbox::CONTACTS
    ));
    let kay = sb.ask("kay", "sam", "orbits");
    let batch = sb.root().join("asks.csv");
    std::fs::write(
        &batch,
        "a,b,why,wants,format\nalan,sam,w,x,y\np0,sam,w,x,y\n",
    )
    .unwrap();
    let batch = batch.display().to_string();
    let steps: [(&[&str], &str); 4] = [
        (
            &[
                "ask", "ada", "sam", "--why", "w", "--wants", "x", "--format", "y", "--yes",
            ],
            "the ask to `ada`",
        ),
        (&["ask", "--batch", &batch, "--yes"], "the ask to `alan`"),
        (&["followup", &kay, "--yes"], "the follow-up for request"),
        (
            &["introduce", &kay, "--send", "--yes"],
            "the introduction for request",
        ),
    ];
    for (args, what) in steps {
        if args[0] == "followup" {
            sb.set_now("2026-03-07T09:00:00Z");
        }
        if args[0] == "introduce" {
            sb.ok(&["approve", &kay]);
        }
        // The message goes out; then, before intro can record it, the
        // disk fills up.
        let child = mail.start_held(&sb, args);
        let filler = data.fill();
        pad_journal(&sb);
        mail.release(&sb);
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            after_warnings(&err).starts_with(&format!("error: {what}"))
                && err.contains("was sent, but recording that failed: cannot write `")
                && err.contains("No space left on device"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("hint: that sends it once more, with the same Message-ID"),
            "{err}"
        );
        let sent = mail.spooled().last().unwrap().clone();

        // Nothing is lost: the store still has it, as being sent.
        std::fs::remove_file(filler).unwrap();
        let stored = sb.json(&["status", "--all"]);
        let stored = stored.as_array().unwrap();
        match stored.iter().find(|r| r["message_id"] == sent.as_str()) {
            Some(ask) => assert_eq!(ask["status"], "sending", "{args:?}: {ask}"),
            None => {
                let next = sb.request(&kay)["next_step"].as_str().unwrap().to_string();
                assert!(next.contains("was interrupted"), "{args:?}: {next}");
            }
        }
        sb.ok(args);
        assert_eq!(mail.copies(&sent), 2, "{args:?}: sent once more, same id");
    }
    let all = sb.json(&["status", "--all"]);
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 4);
    assert_eq!(states.iter().filter(|s| **s == "asked").count(), 3, "{all}");
    assert_eq!(sb.request(&kay)["status"], "introduced");
    assert_eq!(sb.request(&kay)["followups"], 1);
    // Six messages went out; only the four caught by the full disk twice.
    assert_eq!(mail.spooled().len(), 6 + 4);
}

#[test]
fn on_a_full_disk_each_follow_up_reports_the_full_disk() {
    let mut sb = Sandbox::new();
    let Some(data) = Tmpfs::mount(&sb.data_dir(), "64k") else {
        return;
    };
    // A and B were both asked, so both are due a follow-up.
    sb.ok(&["ask", "kay", "sam", "--why", "orbits", "--both", "--yes"]);
    sb.set_now("2026-03-07T09:00:00Z");
    let filler = data.fill();
    pad_journal(&sb);
    let err = refused(
        &sb,
        &["followup", "--due", "--yes"],
        "No space left on device",
    );
    assert!(err.starts_with("error: 2 of 2 follow-ups failed"), "{err}");
    assert_eq!(err.matches("No space left on device").count(), 2, "{err}");
    std::fs::remove_file(filler).unwrap();
    sb.ok(&["followup", "--due", "--yes"]);
    assert_eq!(sb.outbox().len(), 4, "two asks, two follow-ups");
}

/// `stderr` from its first line that is not a warning.
fn after_warnings(stderr: &str) -> &str {
    let mut rest = stderr;
    while rest.starts_with("warning: ") {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}
