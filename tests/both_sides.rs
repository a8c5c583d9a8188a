//! `intro ask --both`: B is asked too, each side answers for itself, and
//! the introduction waits for both yeses.

#![allow(clippy::unwrap_used)]

use crate::support::sandbox::{CONFIG, Sandbox, body, header};

fn ask_both(sb: &Sandbox) -> serde_json::Value {
    sb.json(&[
        "ask",
        "ada",
        "sam",
        "--why",
        "you both work on compilers",
        "--format",
        "a video call",
        "--both",
        "--yes",
    ])
}

fn message_to<'a>(outbox: &'a [(String, String)], email: &str, kind: &str) -> Vec<&'a String> {
    outbox
        .iter()
        .filter(|(name, m)| name.contains(kind) && header(m, "To").unwrap().contains(email))
        .map(|(_, m)| m)
        .collect()
}

#[test]
fn both_are_asked_separately() {
    let sb = Sandbox::new();
    let v = ask_both(&sb);
    assert_eq!(v["both"], true);
    assert_eq!(v["status"], "asked");
    assert_eq!(v["b_status"], "asked");
    let outbox = sb.outbox();
    assert_eq!(outbox.len(), 2);
    let to_a = message_to(&outbox, "ada@example.com", ".ask.");
    let to_b = message_to(&outbox, "sam@example.org", ".ask-b.");
    assert_eq!((to_a.len(), to_b.len()), (1, 1), "{outbox:?}");
    assert!(!to_a[0].contains("sam@example.org") && !to_b[0].contains("ada@example.com"));
    assert_eq!(
        header(to_b[0], "Subject").unwrap(),
        "Would you be open to meeting Ada Lovelace?"
    );
    let text = body(to_b[0]);
    assert!(text.starts_with("Hi Sam,\n"), "{text}");
    assert!(
        text.contains("reply \"no\""),
        "B gets an easy no too: {text}"
    );
    assert!(
        text.contains("only connect you if you both say yes"),
        "{text}"
    );
    // A request without --both has no B side.
    let plain = sb.json(&["ask", "kay", "sam", "--why", "orbits", "--yes"]);
    assert_eq!(plain["both"], false);
    assert!(plain["b_status"].is_null());
    let err = sb.fails(
        &["approve", plain["id"].as_str().unwrap(), "--side", "b"],
        1,
    );
    assert!(err.contains("B was not asked"), "{err}");
}

#[test]
fn approved_only_when_both_said_yes() {
    let sb = Sandbox::new();
    let id = ask_both(&sb)["id"].as_str().unwrap().to_string();
    let v = sb.json(&["approve", &id]);
    assert_eq!(v["status"], "asked", "still waiting for B");
    assert_eq!(v["a_status"], "approved");
    assert_eq!(v["b_status"], "asked");
    assert!(
        v["next_step"].as_str().unwrap().contains("wait for sam"),
        "{}",
        v["next_step"]
    );
    let err = sb.fails(&["introduce", &id], 1);
    assert!(err.contains("cannot be introduced"), "{err}");
    let err = sb.fails(&["approve", &id], 1);
    assert!(err.contains("A already said yes"), "{err}");
    let v = sb.json(&["approve", &id, "--side", "b", "--note", "keen"]);
    assert_eq!(v["status"], "approved");
    assert_eq!(v["b_status"], "approved");
    let v = sb.json(&["introduce", &id, "--send", "--yes"]);
    assert_eq!(v["status"], "introduced");
    // B first, then A, works the same.
    let id = sb.json(&["ask", "kay", "alan", "--why", "w", "--both", "--yes"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    sb.ok(&["approve", &id, "--side", "b"]);
    assert_eq!(sb.request(&id)["status"], "asked");
    sb.ok(&["approve", &id, "--side", "a"]);
    assert_eq!(sb.request(&id)["status"], "approved");
}

#[test]
fn either_no_declines() {
    let sb = Sandbox::new();
    let id = ask_both(&sb)["id"].as_str().unwrap().to_string();
    sb.ok(&["approve", &id]);
    let v = sb.json(&["decline", &id, "--side", "b"]);
    assert_eq!(v["status"], "declined");
    assert_eq!(v["b_status"], "declined");
    let id = sb.json(&["ask", "kay", "alan", "--why", "w", "--both", "--yes"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sb.run(&["decline", &id, "--side", "b", "--tell-b"]).code, 2);
    let v = sb.json(&["decline", &id]);
    assert_eq!(v["status"], "declined");
    assert_eq!(v["b_status"], "asked");
}

#[test]
fn follow_ups_reach_each_side_in_its_own_thread() {
    let mut sb = Sandbox::new();
    let v = ask_both(&sb);
    let id = v["id"].as_str().unwrap().to_string();
    let outbox = sb.outbox();
    let b_ask_id = header(
        message_to(&outbox, "sam@example.org", ".ask-b.")[0],
        "Message-ID",
    )
    .unwrap();
    sb.set_now("2026-03-06T09:00:00Z");
    assert_eq!(sb.request(&id)["due"], true);
    let out = sb.ok(&["followup", "--due", "--yes"]);
    assert!(
        out.contains("followed up with ada") && out.contains("followed up with sam"),
        "{out}"
    );
    let outbox = sb.outbox();
    let to_b = message_to(&outbox, "sam@example.org", ".followup.");
    assert_eq!(to_b.len(), 1);
    assert_eq!(header(to_b[0], "In-Reply-To").unwrap(), b_ask_id);
    assert_eq!(
        header(to_b[0], "Subject").unwrap(),
        "Re: Would you be open to meeting Ada Lovelace?"
    );
    assert!(body(to_b[0]).starts_with("Hi Sam,"), "{}", body(to_b[0]));
    assert!(
        body(to_b[0]).contains("meeting Ada Lovelace"),
        "{}",
        body(to_b[0])
    );
    let r = sb.request(&id);
    assert_eq!(
        (r["followups"].as_u64(), r["b_followups"].as_u64()),
        (Some(1), Some(1))
    );

    // Once A said yes, only B is nudged.
    sb.ok(&["approve", &id]);
    sb.set_now("2026-03-12T09:00:00Z");
    let out = sb.ok(&["followup", &id, "--yes"]);
    assert!(
        out.contains("followed up with sam (2 of 2)") && !out.contains("ada"),
        "{out}"
    );
}

#[test]
fn sync_records_b_reply_in_b_thread() {
    let sb = Sandbox::new();
    let maildir = sb.root().join("Mail");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    sb.write_config(&format!(
        "{CONFIG}\n[maildir]\npath = \"{}\"\n",
        maildir.display()
    ));
    let id = ask_both(&sb)["id"].as_str().unwrap().to_string();
    let outbox = sb.outbox();
    let b_ask_id = header(
        message_to(&outbox, "sam@example.org", ".ask-b.")[0],
        "Message-ID",
    )
    .unwrap();
    std::fs::write(
        maildir.join("new").join("1.eml"),
        format!(
            "From: Sam Builder <sam@example.org>\r\nTo: grace@example.com\r\nSubject: Re: x\r\n\
             Date: Mon, 02 Mar 2026 10:15:00 +0000\r\nMessage-ID: <b-reply@example.org>\r\n\
             In-Reply-To: {b_ask_id}\r\n\r\nYes, gladly.\r\n"
        ),
    )
    .unwrap();
    let run = sb.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{id} sam replied: \"Yes, gladly.\"\n"));
    let r = sb.request(&id);
    assert_eq!(r["status"], "asked", "A has not answered");
    assert_eq!(r["b_status"], "replied");
    assert_eq!(r["b_reply"]["snippet"], "Yes, gladly.");
    assert!(
        r["next_step"].as_str().unwrap().contains("--side b"),
        "{}",
        r["next_step"]
    );
}

#[test]
fn cancel_tell_writes_to_each_side_still_waiting_in_its_own_thread() {
    let sb = Sandbox::new();
    let id = ask_both(&sb)["id"].as_str().unwrap().to_string();
    let outbox = sb.outbox();
    let a_ask = message_to(&outbox, "ada@example.com", ".ask.")[0].clone();
    let b_ask = message_to(&outbox, "sam@example.org", ".ask-b.")[0].clone();
    sb.fails(&["cancel", &id, "--tell", "--send"], 2);
    let v = sb.json(&["cancel", &id, "--tell", "--send", "--yes"]);
    assert_eq!(v["status"], "cancelled");
    let outbox = sb.outbox();
    for (email, ask, first_name) in [
        ("ada@example.com", &a_ask, "Ada"),
        ("sam@example.org", &b_ask, "Sam"),
    ] {
        let notes = message_to(&outbox, email, ".cancel.");
        assert_eq!(notes.len(), 1, "one note to {email}");
        let note = notes[0];
        assert_eq!(header(note, "To").unwrap().matches('@').count(), 1);
        let ask_id = header(ask, "Message-ID").unwrap();
        assert_eq!(header(note, "In-Reply-To").unwrap(), ask_id);
        assert_eq!(header(note, "References").unwrap(), ask_id);
        assert_eq!(
            header(note, "Subject").unwrap(),
            format!("Re: {}", header(ask, "Subject").unwrap())
        );
        assert!(
            body(note).starts_with(&format!("Hi {first_name},\n")),
            "{}",
            body(note)
        );
    }
    let detail = sb.ok(&["status", &id]);
    assert_eq!(detail.matches("note sent: to ").count(), 2, "{detail}");

    // Once A said yes, only B is still waiting: only B hears of it.
    let id = sb.json(&["ask", "kay", "alan", "--why", "w", "--both", "--yes"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    sb.ok(&["approve", &id]);
    let out = sb.ok(&["cancel", &id, "--tell"]);
    assert!(
        out.contains("To: \"Alan Turing\" <alan@example.net>"),
        "{out}"
    );
    assert!(!out.contains("kay@example.com"), "{out}");
    let drafts = sb.drafts();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].0, format!("{id}-cancel-b.eml"));
    assert!(body(&drafts[0].1).starts_with("Hi Alan,\n"));
    assert!(body(&drafts[0].1).contains("meeting Katherine Johnson"));
}
