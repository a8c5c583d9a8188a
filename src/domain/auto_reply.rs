//! Out-of-office and other automatic replies: not an answer, but a reason
//! to wait. An auto-reply is kept in the request's history and holds the
//! next follow-up to that side back until the return date it gives, or
//! `after_days` after it arrived when it gives none.
//!
//! The return date is read conservatively ([`return_date`]): only a date
//! right after words such as "back", "returning" or "until", written as
//! `2026-12-14`, `14 December [2026]`, `December 14[th][, 2026]`, or
//! `12/20` (month first unless the first number cannot be a month; `4/5`,
//! which could be either, gives none). A date before the auto-reply, or
//! too far after it (more than a year, or more than 200 days when the year
//! is left out), gives none.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, Time};

use crate::domain::request::{EventKind, FollowupSettings, Request, Side};

/// An automatic reply found by `intro sync` in a side's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AutoReply {
    /// The auto-reply's Date header.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub message_id: Option<String>,
    /// The return date it gives, if one could be read (midnight UTC).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub back_on: Option<OffsetDateTime>,
}

impl AutoReply {
    /// The auto-reply that arrived `at`, reading its return date from its
    /// subject and text.
    pub(crate) fn read(
        at: OffsetDateTime,
        message_id: Option<String>,
        subject: &str,
        text: &str,
    ) -> AutoReply {
        let back_on = return_date(&format!("{subject}\n{text}"), at.date())
            .map(|date| date.with_time(Time::MIDNIGHT).assume_utc());
        AutoReply {
            at,
            message_id,
            back_on,
        }
    }

    /// The same message seen before (by Message-ID, else by its date).
    fn same_as(&self, other: &AutoReply) -> bool {
        match (&self.message_id, &other.message_id) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => self.at == other.at,
        }
    }

    /// Before this, no follow-up to its side is due.
    fn hold(&self, settings: &FollowupSettings) -> OffsetDateTime {
        self.back_on
            .unwrap_or(self.at + Duration::days(i64::from(settings.after_days)))
    }
}

impl Request {
    /// An automatic reply from `side` was found while its ask waits for an
    /// answer: keep it (once) and note it in the history. The request's
    /// state does not change. Returns false when it changes nothing: seen
    /// before, or `side` no longer waits for an answer.
    pub(crate) fn record_auto_reply(
        &mut self,
        side: Side,
        now: OffsetDateTime,
        auto: AutoReply,
    ) -> bool {
        if self.check_followup(side).is_err() {
            return false;
        }
        let who = self.handle(side).to_string();
        let Some(party) = self.party_mut(side) else {
            return false;
        };
        if party.auto_replies.iter().any(|seen| seen.same_as(&auto)) {
            return false;
        }
        let mut note = match auto.back_on {
            Some(back) => format!(
                "{who} is away, back on {}; no follow-up before then",
                back.date()
            ),
            None => format!("{who} is away, no return date given"),
        };
        if let Some(id) = &auto.message_id {
            note.push_str(&format!(" ({id})"));
        }
        party.auto_replies.push(auto);
        self.record(now, EventKind::AutoReplied, Some(note));
        true
    }

    /// The latest auto-reply from `side`, if any.
    pub(crate) fn last_auto_reply(&self, side: Side) -> Option<&AutoReply> {
        self.party(side)?.auto_replies.iter().max_by_key(|a| a.at)
    }

    /// Until when the latest auto-reply from `side` holds its next
    /// follow-up back.
    pub(crate) fn auto_reply_hold(
        &self,
        side: Side,
        settings: &FollowupSettings,
    ) -> Option<OffsetDateTime> {
        self.last_auto_reply(side).map(|a| a.hold(settings))
    }
}

/// Words after which a return date may follow.
const TRIGGERS: [&str; 9] = [
    "back",
    "return",
    "returning",
    "returns",
    "until",
    "till",
    "til",
    "through",
    "thru",
];

/// How many words after a trigger a date may start: "back in the office
/// on Monday, 3 March".
const REACH: usize = 7;

/// The return date an auto-reply gives, read from its subject and text
/// (see the module's documentation); `sent` is the auto-reply's own date.
pub(crate) fn return_date(text: &str, sent: Date) -> Option<Date> {
    // Quoted text (the ask the auto-reply answers) says nothing of it.
    let own: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .take(60)
        .collect::<Vec<_>>()
        .join("\n");
    let words = words(&own);
    for (i, word) in words.iter().enumerate() {
        if !TRIGGERS.contains(&word.as_str()) {
            continue;
        }
        let end = (i + 1 + REACH).min(words.len());
        for start in i + 1..end {
            if TRIGGERS.contains(&words[start].as_str()) {
                break;
            }
            if let Some(date) = date_at(&words[start..], sent) {
                return Some(date);
            }
        }
    }
    None
}

/// The text's words, lowercase: letters and digits, with `/` and `-`
/// kept inside numbers (`12/20`, `2026-12-14`).
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '-' || c == '/'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A date starting at `words[0]`, if one does.
fn date_at(words: &[String], sent: Date) -> Option<Date> {
    let first = words.first()?;
    if let Some(date) = iso(first) {
        return checked(date, sent);
    }
    if first.contains('/') {
        return slashed(first, sent);
    }
    let next = |i: usize| words.get(i).map(String::as_str);
    // `14 December 2026`, `14th of December`.
    if let Some(day) = day_number(first) {
        let at = if next(1) == Some("of") { 2 } else { 1 };
        let month = month(next(at)?)?;
        return with_year(day, month, next(at + 1), sent);
    }
    // `December 14, 2026`.
    if let Some(month) = month(first) {
        let day = day_number(next(1)?)?;
        return with_year(day, month, next(2), sent);
    }
    None
}

fn with_year(day: u8, month: Month, year: Option<&str>, sent: Date) -> Option<Date> {
    match year.and_then(year_number) {
        Some(year) => checked(Date::from_calendar_date(year, month, day).ok()?, sent),
        None => inferred(month, day, sent),
    }
}

/// `2026-12-14`.
fn iso(word: &str) -> Option<Date> {
    let mut parts = word.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// `12/20`, `12/20/2026`, `20/12/26`: month first unless the first number
/// cannot be a month; none when either order could be meant.
fn slashed(word: &str, sent: Date) -> Option<Date> {
    let parts: Vec<&str> = word.split('/').collect();
    let (x, y, year) = match parts.as_slice() {
        [x, y] => (x, y, None),
        [x, y, year] => (x, y, Some(*year)),
        _ => return None,
    };
    let (x, y): (u8, u8) = (x.parse().ok()?, y.parse().ok()?);
    let (month, day) = match (x, y) {
        (1..=12, 13..=31) => (x, y),
        (13..=31, 1..=12) => (y, x),
        (1..=12, 1..=12) if x == y => (x, y),
        _ => return None,
    };
    let month = Month::try_from(month).ok()?;
    match year {
        Some(year) => {
            let year = year_number(year)?;
            checked(Date::from_calendar_date(year, month, day).ok()?, sent)
        }
        None => inferred(month, day, sent),
    }
}

/// A day of the month: `14`, `14th`, `1st`.
fn day_number(word: &str) -> Option<u8> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// `2026`, or `26` for 2026.
fn year_number(word: &str) -> Option<i32> {
    if !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match word.len() {
        4 => word.parse().ok(),
        2 => word.parse::<i32>().ok().map(|y| 2000 + y),
        _ => None,
    }
}

fn month(word: &str) -> Option<Month> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.');
    let index = NAMES
        .iter()
        .position(|name| *name == word || (word.len() >= 3 && name.starts_with(word)))?;
    Month::try_from(u8::try_from(index + 1).ok()?).ok()
}

/// A month and day without a year: the first such date on or after the
/// auto-reply, if it is near enough to be meant.
fn inferred(month: Month, day: u8, sent: Date) -> Option<Date> {
    let this_year = Date::from_calendar_date(sent.year(), month, day).ok();
    let date = match this_year {
        Some(d) if d >= sent => d,
        _ => Date::from_calendar_date(sent.year() + 1, month, day).ok()?,
    };
    (date - sent <= Duration::days(200)).then_some(date)
}

/// `date` if it is not before the auto-reply and not more than a year
/// after it.
fn checked(date: Date, sent: Date) -> Option<Date> {
    (date >= sent && date - sent <= Duration::days(366)).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{AskSpec, Request};
    use time::macros::{date, datetime};

    const SENT: Date = date!(2026 - 12 - 06);

    fn read(text: &str) -> Option<Date> {
        return_date(text, SENT)
    }

    #[test]
    fn dates_after_the_usual_words_are_read() {
        assert_eq!(
            read("I am out of the office, back on 14 December."),
            Some(date!(2026 - 12 - 14))
        );
        assert_eq!(
            read("Returning Monday 3 March 2027, with limited access to email."),
            Some(date!(2027 - 03 - 03))
        );
        assert_eq!(read("Away until 2026-12-20"), Some(date!(2026 - 12 - 20)));
        assert_eq!(read("out until 12/20"), Some(date!(2026 - 12 - 20)));
        assert_eq!(read("away till 20/12"), Some(date!(2026 - 12 - 20)));
        assert_eq!(
            read("I'll be back in the office on January 5th, 2027."),
            Some(date!(2027 - 01 - 05))
        );
        assert_eq!(
            read("Out of office: back Jan 4"),
            Some(date!(2027 - 01 - 04)),
            "no year: the next 4 January"
        );
        assert_eq!(
            read("On leave through the 18th of Dec."),
            Some(date!(2026 - 12 - 18))
        );
    }

    #[test]
    fn a_past_far_ambiguous_or_missing_date_gives_none() {
        assert_eq!(read("back on 14 November 2026"), None, "in the past");
        assert_eq!(read("back on 2025-12-14"), None, "in the past");
        assert_eq!(read("back on 14 December 2028"), None, "too far");
        assert_eq!(read("back on 1 November"), None, "next year's is too far");
        assert_eq!(read("until 4/5"), None, "April 5 or 4 May");
        assert_eq!(read("back on 31 February 2027"), None, "no such day");
        assert_eq!(read("back soon"), None);
        assert_eq!(read("Thank you for your message."), None);
        // A date with no word saying it is the return is not taken.
        assert_eq!(read("Our event on 14 December is sold out."), None);
        // Nor one in the quoted ask.
        assert_eq!(
            read("Out of office.\n> can we meet until 20 December?"),
            None
        );
        // Numbers that are no day.
        assert_eq!(read("back in 2 weeks"), None);
    }

    fn asked() -> Request {
        let spec = AskSpec::of_about_sam("ada");
        let mut r = Request::new(
            "aaaa1111".into(),
            spec,
            "Would you be open to meeting Sam?".into(),
            "<ask@x>".into(),
            datetime!(2026-12-01 09:00 UTC),
        );
        r.mark_asked(datetime!(2026-12-01 09:00 UTC)).unwrap();
        r
    }

    #[test]
    fn an_auto_reply_holds_the_follow_up_until_the_return_date_once() {
        let settings = FollowupSettings::default();
        let mut r = asked();
        assert_eq!(
            r.next_followup_at(Side::A, &settings),
            Some(datetime!(2026-12-06 09:00 UTC))
        );
        let auto = AutoReply::read(
            datetime!(2026-12-01 09:05 UTC),
            Some("<ooo@x>".into()),
            "Out of office",
            "I am back on 14 December.",
        );
        let now = datetime!(2026-12-02 08:00 UTC);
        assert!(r.record_auto_reply(Side::A, now, auto.clone()));
        assert!(!r.record_auto_reply(Side::A, now, auto), "recorded once");
        assert_eq!(r.status, crate::domain::request::State::Asked);
        assert_eq!(
            r.next_followup_at(Side::A, &settings),
            Some(datetime!(2026-12-14 00:00 UTC))
        );
        let event = r.history.last().unwrap();
        assert_eq!(event.kind, EventKind::AutoReplied);
        assert_eq!(
            event.note.as_deref(),
            Some("ada is away, back on 2026-12-14; no follow-up before then (<ooo@x>)")
        );
    }

    #[test]
    fn without_a_return_date_the_hold_is_after_days_from_the_auto_reply() {
        let settings = FollowupSettings::default();
        let mut r = asked();
        let auto = AutoReply::read(datetime!(2026-12-04 10:00 UTC), None, "Away", "Away.");
        assert!(r.record_auto_reply(Side::A, datetime!(2026-12-04 11:00 UTC), auto));
        assert_eq!(
            r.next_followup_at(Side::A, &settings),
            Some(datetime!(2026-12-09 10:00 UTC))
        );
    }
}
