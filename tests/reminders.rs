//! `intro status --due --ics`: due and upcoming follow-ups as iCalendar
//! to-dos, read back with an iCalendar parser as a calendar app would.

#![allow(clippy::unwrap_used)]

use icalendar::{
    Calendar, CalendarComponent, CalendarDateTime, Component as _, DatePerhapsTime, Todo,
};

use crate::support::sandbox::Sandbox;

fn todos(text: &str) -> Vec<Todo> {
    let calendar: Calendar = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    calendar
        .components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Todo(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn due(todo: &Todo) -> String {
    match todo.get_due() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(at))) => at.to_rfc3339(),
        other => panic!("no DUE in UTC: {other:?}"),
    }
}

#[test]
fn follow_ups_are_todos_with_due_dates_and_stable_uids() {
    let mut sb = Sandbox::new();
    let ada = sb.ask("ada", "sam", "you both work on compilers");
    sb.set_now("2026-03-02T09:00:00Z");
    let kay = sb.ask("kay", "alan", "orbital mechanics");
    let approved = sb.ask("alan", "sam", "cryptography");
    sb.ok(&["approve", &approved]);

    sb.set_now("2026-03-06T10:00:00Z");
    let text = sb.ok(&["status", "--due", "--ics"]);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    let list = todos(&text);
    assert_eq!(
        list.len(),
        2,
        "one per request with a follow-up to send:\n{text}"
    );
    let (first, second) = (&list[0], &list[1]);
    assert_eq!(
        first.get_uid(),
        Some(format!("{ada}.followup@intro").as_str())
    );
    assert_eq!(
        first.get_summary(),
        Some("Follow up with Ada Lovelace about meeting Sam Builder")
    );
    assert_eq!(due(first), "2026-03-06T09:00:00+00:00", "due now");
    let description = first.get_description().unwrap();
    assert!(
        description.contains(&format!("To send it: intro followup {ada}")),
        "{description}"
    );
    assert!(
        description.starts_with(
            "Ada Lovelace has not answered your ask of 1 March 2026 about meeting Sam Builder; follow-up 1 of 2 has been due since 6 March 2026."
        ),
        "{description}"
    );
    assert_eq!(
        second.get_uid(),
        Some(format!("{kay}.followup@intro").as_str())
    );
    assert_eq!(due(second), "2026-03-07T09:00:00+00:00", "upcoming");

    // After a follow-up the same to-do moves: same UID, later DUE, higher
    // SEQUENCE, so a re-import updates it.
    sb.ok(&["followup", &ada, "--yes"]);
    let again = todos(&sb.ok(&["status", "--due", "--ics"]));
    let moved = again
        .iter()
        .find(|t| t.get_uid() == first.get_uid())
        .unwrap();
    assert_eq!(due(moved), "2026-03-11T10:00:00+00:00");
    assert!(moved.property_value("SEQUENCE").unwrap() > first.property_value("SEQUENCE").unwrap());

    // Once answered, it is gone from the file.
    sb.ok(&["approve", &ada]);
    let left = todos(&sb.ok(&["status", "--due", "--ics"]));
    assert_eq!(left.len(), 1);
    assert_eq!(
        left[0].get_uid(),
        Some(format!("{kay}.followup@intro").as_str())
    );
}

#[test]
fn an_empty_calendar_is_still_a_calendar() {
    let sb = Sandbox::new();
    let text = sb.ok(&["status", "--due", "--ics"]);
    assert!(todos(&text).is_empty());
    assert!(text.contains("PRODID:-//intro//follow-ups//EN"), "{text}");
}

#[test]
fn ics_with_json_or_without_due_is_refused_with_a_hint() {
    let sb = Sandbox::new();
    let err = sb.fails(&["status", "--due", "--ics", "--json"], 2);
    assert!(
        err.contains("error: `--ics` and `--json` cannot be used together"),
        "{err}"
    );
    assert!(
        err.contains("hint: `intro status --due --ics > follow-ups.ics`"),
        "{err}"
    );
    let err = sb.fails(&["status", "--ics"], 2);
    assert!(err.contains("--due"), "{err}");
}
