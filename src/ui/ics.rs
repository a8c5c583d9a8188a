//! Follow-ups as an iCalendar file (RFC 5545), for calendar and to-do apps
//! (`intro status --due --ics`): one VTODO per request with a follow-up to
//! send, due when it becomes due. Its UID is the request's own, so
//! importing a newer file updates each to-do instead of adding another;
//! its SEQUENCE grows with every message and auto-reply that moved it.

use icalendar::{Calendar, Component as _, Todo, TodoStatus};
use time::{Date, OffsetDateTime};

use crate::domain::request::{FollowupSettings, Request, Side};

/// What a to-do names people by: a contact's full name for a handle.
pub(crate) type Names<'a> = dyn Fn(&str) -> String + 'a;

/// The calendar holding a to-do for each of `requests` with a follow-up
/// to send (due or upcoming); the others are left out.
pub(crate) fn followups(
    requests: &[&Request],
    settings: &FollowupSettings,
    now: OffsetDateTime,
    names: &Names<'_>,
) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(("VERSION", "2.0"));
    calendar.append_property(("PRODID", "-//intro//follow-ups//EN"));
    calendar.append_property(("CALSCALE", "GREGORIAN"));
    calendar.name("intro follow-ups");
    for r in requests {
        if let Some(todo) = todo(r, settings, now, names) {
            calendar.push(todo);
        }
    }
    calendar.to_string()
}

/// The UID of a request's follow-up to-do: the same in every file.
pub(crate) fn uid(r: &Request) -> String {
    format!("{}.followup@intro", r.id)
}

fn todo(
    r: &Request,
    settings: &FollowupSettings,
    now: OffsetDateTime,
    names: &Names<'_>,
) -> Option<Todo> {
    let sides: Vec<(Side, OffsetDateTime)> = [Side::A, Side::B]
        .into_iter()
        .filter_map(|side| Some((side, r.next_followup_at(side, settings)?)))
        .collect();
    let due = sides.iter().map(|(_, at)| *at).min()?;
    let (a, b) = (names(&r.a), names(&r.b));
    let summary = match sides.as_slice() {
        [(Side::A, _)] => format!("Follow up with {a} about meeting {b}"),
        [(Side::B, _)] => format!("Follow up with {b} about meeting {a}"),
        _ => format!("Follow up with {a} and {b} about meeting each other"),
    };
    let mut description = String::new();
    for (side, at) in &sides {
        let (who, other) = match side {
            Side::A => (&a, &b),
            Side::B => (&b, &a),
        };
        let asked = r
            .party(*side)
            .and_then(|p| p.asked_at)
            .unwrap_or(r.created_at);
        let when = if *at <= now {
            format!("has been due since {}", day(at.date()))
        } else {
            format!("is due on {}", day(at.date()))
        };
        description.push_str(&format!(
            "{who} has not answered your ask of {} about meeting {other}; follow-up {} of {} {when}.\n",
            day(asked.date()),
            r.followups_to(*side).len() + 1,
            settings.max,
        ));
        if let Some(auto) = r.last_auto_reply(*side) {
            match auto.back_on {
                Some(back) => description.push_str(&format!(
                    "{who} replied automatically and is back on {}.\n",
                    day(back.date())
                )),
                None => description.push_str(&format!("{who} replied automatically.\n")),
            }
        }
    }
    description.push_str(&format!(
        "\nTo send it: intro followup {id}\nTo see the request: intro status {id}",
        id = r.id
    ));
    let changes = [Side::A, Side::B]
        .iter()
        .filter_map(|&side| r.party(side))
        .map(|p| p.followups.len() + p.auto_replies.len())
        .sum::<usize>();
    let mut todo = Todo::new();
    todo.uid(&uid(r))
        .add_property("DTSTAMP", utc(now))
        .add_property("LAST-MODIFIED", utc(r.updated_at))
        .sequence(u32::try_from(changes).unwrap_or(u32::MAX))
        .summary(&summary)
        .description(&description)
        .due(due.replace_nanosecond(0).unwrap_or(due))
        .status(TodoStatus::NeedsAction);
    Some(todo.done())
}

/// `20260301T090000Z`, the form RFC 5545 gives UTC times.
fn utc(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `1 March 2026`.
fn day(date: Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::AskSpec;
    use icalendar::{CalendarComponent, CalendarDateTime, DatePerhapsTime};
    use time::macros::datetime;

    fn asked(id: &str, a: &str) -> Request {
        let spec = AskSpec::of_about_sam(a);
        let at = datetime!(2026-03-01 09:00 UTC);
        let mut r = Request::new(id.into(), spec, "s".into(), format!("<{id}@x>"), at);
        r.mark_asked(at).unwrap();
        r
    }

    #[test]
    fn one_todo_per_request_with_a_follow_up_and_a_stable_uid() {
        let ada = asked("aaaa1111", "ada");
        let mut done = asked("bbbb2222", "kay");
        done.approve(Side::A, datetime!(2026-03-02 09:00 UTC), None)
            .unwrap();
        let names = |h: &str| match h {
            "ada" => "Ada Lovelace".to_string(),
            "sam" => "Sam Builder".to_string(),
            other => other.to_string(),
        };
        let text = followups(
            &[&ada, &done],
            &FollowupSettings::default(),
            datetime!(2026-03-03 08:00 UTC),
            &names,
        );
        let parsed: Calendar = text.parse().unwrap();
        let todos: Vec<&Todo> = parsed
            .components
            .iter()
            .filter_map(|c| match c {
                CalendarComponent::Todo(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(todos.len(), 1, "{text}");
        let todo = todos[0];
        assert_eq!(todo.get_uid(), Some("aaaa1111.followup@intro"));
        assert_eq!(
            todo.get_summary(),
            Some("Follow up with Ada Lovelace about meeting Sam Builder")
        );
        assert!(
            todo.get_description()
                .unwrap()
                .contains("To send it: intro followup aaaa1111"),
            "{text}"
        );
        let Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(due))) = todo.get_due() else {
            panic!("a due date-time in UTC: {text}");
        };
        assert_eq!(due.to_rfc3339(), "2026-03-06T09:00:00+00:00");
        assert!(text.contains("DTSTAMP:20260303T080000Z"), "{text}");
    }
}
