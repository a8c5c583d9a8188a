//! `intro stats` end to end: counts, rates and medians from requests made
//! through the real commands at pinned times, in text and JSON.

use crate::support::sandbox::Sandbox;

#[test]
fn an_empty_store_has_stats_too() {
    let sb = Sandbox::new();
    let run = sb.run(&["stats"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no requests yet"), "{}", run.stderr);

    let v = sb.json(&["stats"]);
    assert_eq!(v["total"], 0);
    assert!(v["approval_rate"].is_null());
    assert!(v["median_answer_secs"].is_null());
    assert_eq!(v["followups"]["sent"], 0);
    assert!(v["followups"]["share"].is_null());
    assert_eq!(v["per_contact"].as_array().unwrap().len(), 0);
    let states = v["by_state"].as_object().unwrap();
    for state in [
        "asked",
        "replied",
        "approved",
        "declined",
        "introduced",
        "cancelled",
    ] {
        assert_eq!(states[state], 0, "{state}");
    }
    // Reading never creates the data dir.
    assert!(!sb.data_dir().exists());
}

/// Four asks on 1 March; answers after 2 hours, 1 day and 6 days (the last
/// after a follow-up); one still open.
fn history() -> Sandbox {
    let mut sb = Sandbox::new();
    let fast = sb.ask("ada", "sam", "compilers");
    let slow = sb.ask("ada", "kay", "orbits");
    let intro = sb.ask("kay", "sam", "rockets");
    sb.ask("alan", "sam", "codes");
    sb.set_now("2026-03-01T11:00:00Z");
    sb.ok(&["approve", &fast]);
    sb.set_now("2026-03-02T09:00:00Z");
    sb.ok(&["approve", &intro]);
    sb.ok(&["introduce", &intro, "--send", "--yes"]);
    sb.set_now("2026-03-06T09:00:00Z");
    sb.ok(&["followup", &slow, "--yes"]);
    sb.set_now("2026-03-07T09:00:00Z");
    sb.ok(&["decline", &slow]);
    sb
}

#[test]
fn json_counts_states_rates_medians_and_contacts() {
    let sb = history();
    let v = sb.json(&["stats"]);
    assert_eq!(v["total"], 4);
    assert!(v["since"].is_null());
    assert_eq!(v["by_state"]["asked"], 1);
    assert_eq!(v["by_state"]["approved"], 1);
    assert_eq!(v["by_state"]["introduced"], 1);
    assert_eq!(v["by_state"]["declined"], 1);
    assert_eq!(v["by_state"]["cancelled"], 0);
    assert_eq!(v["said_yes"], 2);
    assert_eq!(v["said_no"], 1);
    let rate = v["approval_rate"].as_f64().unwrap();
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{rate}");
    // Answers after 2h, 24h and 6d: the median is a day.
    assert_eq!(v["answered"], 3);
    assert_eq!(v["median_answer_secs"], 86_400);
    let f = &v["followups"];
    assert_eq!(f["sent"], 1);
    assert_eq!(f["answered"], 3);
    assert_eq!(f["needed"], 1);
    assert!((f["share"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert!((f["average"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);

    let per: Vec<&str> = v["per_contact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["handle"].as_str().unwrap())
        .collect();
    assert_eq!(
        per,
        ["ada", "alan", "kay"],
        "most asked first, then by handle"
    );
    let ada = &v["per_contact"][0];
    assert_eq!(ada["asked"], 2);
    assert_eq!(ada["answered"], 2);
    assert_eq!(ada["said_yes"], 1);
    assert_eq!(ada["said_no"], 1);
    assert_eq!(ada["approval_rate"], 0.5);
    // (2h + 6d) / 2
    assert_eq!(ada["median_answer_secs"], (7_200 + 518_400) / 2);
    assert_eq!(ada["last_asked_at"], "2026-03-01T09:00:00Z");
    let alan = &v["per_contact"][1];
    assert_eq!(alan["asked"], 1);
    assert!(alan["approval_rate"].is_null());
    assert!(alan["median_answer_secs"].is_null());
    let kay = &v["per_contact"][2];
    assert_eq!(kay["median_answer_secs"], 86_400);
    assert_eq!(kay["approval_rate"], 1.0);
}

#[test]
fn text_is_a_summary_and_a_table_per_contact() {
    let sb = history();
    let out = sb.ok(&["stats"]);
    insta::assert_snapshot!("stats_text", out);
}

/// `--since 1m` means a month, so stats does not write `1m` for a minute.
#[test]
fn an_answer_within_a_minute_is_not_written_like_a_month() {
    let sb = Sandbox::new();
    let id = sb.ask("ada", "sam", "compilers");
    sb.ok(&["approve", &id]);
    let out = sb.ok(&["stats"]);
    assert!(
        out.contains("median answer  <1 min after the ask (1 answered)"),
        "{out}"
    );
    assert!(!out.contains("1m"), "{out}");
}

#[test]
fn since_keeps_requests_created_from_that_day_or_time() {
    let mut sb = history();
    sb.set_now("2026-03-08T09:00:00Z");
    sb.ask("sam", "ada", "tools");
    let v = sb.json(&["stats", "--since", "2026-03-08"]);
    assert_eq!(v["since"], "2026-03-08T00:00:00Z");
    assert_eq!(v["total"], 1);
    assert_eq!(v["by_state"]["asked"], 1);
    assert_eq!(v["per_contact"][0]["handle"], "sam");
    // An RFC 3339 time with an offset is the same instant in UTC.
    let v = sb.json(&["stats", "--since", "2026-03-08T10:00:00+01:00"]);
    assert_eq!(v["since"], "2026-03-08T09:00:00Z");
    assert_eq!(v["total"], 1, "the cut-off itself is included");
    let v = sb.json(&["stats", "--since", "2026-03-08T09:00:01Z"]);
    assert_eq!(v["total"], 0);
    assert!(v["approval_rate"].is_null());

    let run = sb.run(&["stats", "--since", "2026-04-01"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("no requests created since 2026-04-01T00:00:00Z"),
        "{}",
        run.stderr
    );
    let out = sb.ok(&["stats", "--since", "2026-03-01"]);
    assert!(out.starts_with("since "), "{out}");
    assert!(out.contains("5 ("), "{out}");
}

#[test]
fn since_counts_back_from_the_clock() {
    let mut sb = history();
    sb.set_now("2026-03-08T09:00:00Z");
    sb.ask("sam", "ada", "tools");
    sb.set_now("2026-03-09T18:00:00Z");
    for (since, start, total) in [
        ("yesterday", "2026-03-08T00:00:00Z", 1),
        ("today", "2026-03-09T00:00:00Z", 0),
        ("1d", "2026-03-08T00:00:00Z", 1),
        ("8d", "2026-03-01T00:00:00Z", 5),
        ("1w", "2026-03-02T00:00:00Z", 1),
        ("1m", "2026-02-09T00:00:00Z", 5),
    ] {
        let v = sb.json(&["stats", "--since", since]);
        assert_eq!(v["since"], start, "--since {since}");
        assert_eq!(v["total"], total, "--since {since}");
    }
}

#[test]
fn a_bad_date_is_a_usage_error() {
    let sb = Sandbox::new();
    for bad in ["tomorrow", "2026-02-30", "03/01/2026", "3y"] {
        let err = sb.fails(&["stats", "--since", bad], 2);
        assert!(
            err.contains(&format!("invalid value '{bad}' for '--since <DATE>'")),
            "{err}"
        );
        assert!(
            err.contains("2026-03-01") && err.contains("RFC 3339"),
            "the error shows the accepted forms: {err}"
        );
    }
}

#[test]
fn with_both_sides_a_yes_counts_even_when_b_declines() {
    let mut sb = Sandbox::new();
    let v = sb.json(&["ask", "ada", "sam", "--why", "compilers", "--both", "--yes"]);
    let id = v["id"].as_str().unwrap().to_string();
    sb.set_now("2026-03-01T12:00:00Z");
    sb.ok(&["approve", &id]);
    sb.ok(&["decline", &id, "--side", "b"]);
    let v = sb.json(&["stats"]);
    assert_eq!(v["by_state"]["declined"], 1, "B's no declines the request");
    assert_eq!(v["said_yes"], 1, "but A said yes");
    assert_eq!(v["said_no"], 0);
    assert_eq!(v["median_answer_secs"], 3 * 3600);
    assert_eq!(v["per_contact"][0]["handle"], "ada");
    assert_eq!(v["per_contact"].as_array().unwrap().len(), 1);
}
