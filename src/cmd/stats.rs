//! `intro stats`: how requests went — by state, approval rate, time to an
//! answer, follow-ups needed — overall and per contact asked as A.

use clap::Args;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::context::Context;
use crate::domain::request::Direction;
use crate::domain::stats::{self, ALL_STATES, Stats};
use crate::ui::output::{Output, percent, rfc3339, span};
use crate::ui::table::Table;

#[derive(Debug, Args)]
#[command(after_help = "How the numbers are counted:
  approval rate   requests A said yes to (approved or introduced, or cancelled after
                  A's yes) over those A decided (the same plus those A declined);
                  open requests do not count; with --both, only A's answer counts
  answer          the first reply, approval or decline after the ask; a reply counts
                  from its Date header; the median is over answered requests
  follow-ups      the share of answered requests that had at least one follow-up
                  before the answer, and follow-ups per answered request on average
  --since         keeps requests created on or after DATE (a day starts at 00:00 UTC);
                  yesterday, 7d, 2w and 3m count back whole days, weeks and calendar
                  months from today, to that day's start
  directions      introductions you asked connectors for (`intro request`) are
                  counted apart, under their own heading (A is the connector there);
                  in --json, `by_direction` has both, the top figures are your own

Examples:
  intro stats
  intro stats --since 2026-01-01
  intro stats --since 4w
  intro stats --json | jq '.per_contact[] | select(.asked >= 3)'")]
pub(crate) struct StatsArgs {
    /// Count only requests created on or after DATE (YYYY-MM-DD, RFC 3339, yesterday, 7d, 2w, 3m)
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<Since>,
}

/// A `--since` as typed: a moment, or the start of a day counted back from
/// today (by the clock of the run, `$INTRO_NOW` in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Since {
    At(OffsetDateTime),
    DaysAgo(u32),
    WeeksAgo(u32),
    /// Calendar months: 1m on 31 March is 28 (or 29) February.
    MonthsAgo(u32),
}

impl Since {
    /// The moment this names, seen from `now`.
    pub(crate) fn resolve(self, now: OffsetDateTime) -> OffsetDateTime {
        let today = now.to_offset(time::UtcOffset::UTC).date();
        let day = match self {
            Since::At(t) => return t,
            Since::DaysAgo(n) => today.saturating_sub(time::Duration::days(n.into())),
            Since::WeeksAgo(n) => today.saturating_sub(time::Duration::weeks(n.into())),
            Since::MonthsAgo(n) => months_before(today, n),
        };
        day.midnight().assume_utc()
    }
}

/// The same day of the month `n` months earlier, or that month's last day.
fn months_before(date: time::Date, n: u32) -> time::Date {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 - i64::from(n);
    let Ok(year) = i32::try_from(index.div_euclid(12)) else {
        return time::Date::MIN;
    };
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .unwrap_or(time::Month::January);
    let day = date.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day).unwrap_or(time::Date::MIN)
}

/// `YYYY-MM-DD` (midnight UTC), an RFC 3339 time, `today`, `yesterday`,
/// or a count of days, weeks or months back (`7d`, `2w`, `3m`).
fn parse_since(text: &str) -> Result<Since, String> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Since::At(t.to_offset(time::UtcOffset::UTC)));
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(text, &day) {
        return Ok(Since::At(date.midnight().assume_utc()));
    }
    match text.to_ascii_lowercase().as_str() {
        "today" => return Ok(Since::DaysAgo(0)),
        "yesterday" => return Ok(Since::DaysAgo(1)),
        _ => {}
    }
    let split = text.len().saturating_sub(1);
    if let (Some(Ok(n)), Some(unit)) = (text.get(..split).map(str::parse::<u32>), text.get(split..))
    {
        match unit {
            "d" => return Ok(Since::DaysAgo(n)),
            "w" => return Ok(Since::WeeksAgo(n)),
            "m" => return Ok(Since::MonthsAgo(n)),
            _ => {}
        }
    }
    Err("expected a date (2026-03-01), an RFC 3339 time (2026-03-01T09:00:00Z), `today`, `yesterday`, or days, weeks or months ago (7d, 2w, 3m)".into())
}

pub(crate) fn run(args: StatsArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let out = ctx.out;
    let requests = ctx.store.read()?;
    let since = args.since.map(|since| since.resolve(ctx.now));
    // Introductions the user makes and those the user asked connectors
    // for are counted apart: the top figures are the first kind's, as
    // they always were.
    let of = |direction: Direction| {
        stats::compute(
            requests.iter().filter(move |r| r.direction == direction),
            since,
        )
    };
    let stats = of(Direction::Introducing);
    let requested = of(Direction::Requested);
    if out.json {
        let mut json = StatsJson::from(&stats);
        json.by_direction = Some(
            [
                (Direction::Introducing, &stats),
                (Direction::Requested, &requested),
            ]
            .into_iter()
            .map(|(d, s)| (d.as_str(), StatsJson::from(s)))
            .collect(),
        );
        out.json(&json);
        return Ok(());
    }
    if requested.total > 0 {
        if stats.total > 0 {
            out.data(out.bold("Introductions you make (you ask A, then introduce A and B):"));
            out.data(summary(&stats, &out));
            if !stats.per_contact.is_empty() {
                out.data("");
                out.data(per_contact(&stats, &out, "A"));
            }
            out.data("");
        }
        out.data(out.bold("Introductions you asked for (C introduces you to T):"));
        out.data(summary(&requested, &out));
        if !requested.per_contact.is_empty() {
            out.data("");
            out.data(per_contact(&requested, &out, "C"));
        }
        return Ok(());
    }
    if stats.total == 0 {
        out.note(match stats.since {
            Some(since) => format!("no requests created since {}", rfc3339(since)),
            None => "no requests yet; `intro ask A B --why TEXT` makes one".into(),
        });
        return Ok(());
    }
    out.data(summary(&stats, &out));
    if !stats.per_contact.is_empty() {
        out.data("");
        out.data(per_contact(&stats, &out, "A"));
    }
    Ok(())
}

fn summary(s: &Stats, out: &Output) -> String {
    let mut table = Table::new();
    if let Some(since) = s.since {
        table.row([out.bold("since"), rfc3339(since)]);
    }
    let states: Vec<String> = ALL_STATES
        .iter()
        .filter_map(|state| match s.by_state.get(state) {
            Some(&n) if n > 0 => Some(format!("{n} {state}")),
            _ => None,
        })
        .collect();
    table.row([
        out.bold("requests"),
        format!("{} ({})", s.total, states.join(", ")),
    ]);
    table.row([
        out.bold("approval rate"),
        match s.approval.rate() {
            Some(rate) => format!(
                "{} ({} of {} decided said yes)",
                percent(rate),
                s.approval.yes,
                s.approval.decided()
            ),
            None => "- (nothing decided yet)".into(),
        },
    ]);
    table.row([
        out.bold("median answer"),
        match s.answers.median {
            Some(median) => format!(
                "{} after the ask ({} answered)",
                span(median),
                s.answers.answered
            ),
            None => "- (no answers yet)".into(),
        },
    ]);
    let f = &s.followups;
    table.row([
        out.bold("follow-ups"),
        match (f.share(), f.average()) {
            (Some(share), Some(average)) => format!(
                "{} of answers needed one ({} of {}); {average:.1} per answer on average; {} sent in all",
                percent(share),
                f.needed,
                f.answered,
                f.sent
            ),
            _ => format!("{} sent; no answers yet", f.sent),
        },
    ]);
    table.render()
}

/// The per-contact table; `who` heads the contacts' column (A, or C for
/// the connectors asked for introductions).
fn per_contact(s: &Stats, out: &Output, who: &str) -> String {
    let mut table = Table::new();
    table.header(
        [
            who,
            "ASKED",
            "ANSWERED",
            "YES",
            "NO",
            "APPROVAL",
            "MEDIAN ANSWER",
            "LAST ASKED",
        ]
        .map(|h| out.bold(h)),
    );
    for c in &s.per_contact {
        table.row([
            c.handle.clone(),
            c.asked.to_string(),
            c.answers.answered.to_string(),
            c.approval.yes.to_string(),
            c.approval.no.to_string(),
            c.approval.rate().map_or("-".into(), percent),
            c.answers.median.map_or("-".into(), span),
            c.last_asked.date().to_string(),
        ]);
    }
    for i in 1..=5 {
        table.align_right(i);
    }
    table.render()
}

/// `intro stats --json`.
#[derive(Serialize)]
struct StatsJson {
    since: Option<String>,
    total: usize,
    /// Every state, with 0 for those no request is in.
    by_state: serde_json::Map<String, serde_json::Value>,
    /// Requests A said yes to (approved, introduced, or cancelled after
    /// A's yes), and no to (declined by A).
    said_yes: usize,
    said_no: usize,
    /// said_yes / (said_yes + said_no); null when nothing was decided.
    approval_rate: Option<f64>,
    answered: usize,
    /// Median seconds from the ask to the answer; null without answers.
    median_answer_secs: Option<i64>,
    followups: FollowupsJson,
    per_contact: Vec<ContactJson>,
    /// The same figures for each direction: `introducing` (what the
    /// fields above count) and `requested` (introductions the user asked
    /// connectors for; `per_contact` lists the connectors).
    #[serde(skip_serializing_if = "Option::is_none")]
    by_direction: Option<std::collections::BTreeMap<&'static str, StatsJson>>,
}

#[derive(Serialize)]
struct FollowupsJson {
    sent: usize,
    answered: usize,
    /// Answered requests that had a follow-up before the answer.
    needed: usize,
    /// needed / answered.
    share: Option<f64>,
    /// Follow-ups before the answer per answered request.
    average: Option<f64>,
}

#[derive(Serialize)]
struct ContactJson {
    handle: String,
    asked: usize,
    answered: usize,
    said_yes: usize,
    said_no: usize,
    approval_rate: Option<f64>,
    median_answer_secs: Option<i64>,
    last_asked_at: String,
}

impl From<&Stats> for StatsJson {
    fn from(s: &Stats) -> Self {
        StatsJson {
            since: s.since.map(rfc3339),
            total: s.total,
            by_state: s
                .by_state
                .iter()
                .map(|(state, n)| (state.to_string(), (*n).into()))
                .collect(),
            said_yes: s.approval.yes,
            said_no: s.approval.no,
            approval_rate: s.approval.rate(),
            answered: s.answers.answered,
            median_answer_secs: s.answers.median.map(time::SignedDuration::whole_seconds),
            followups: FollowupsJson {
                sent: s.followups.sent,
                answered: s.followups.answered,
                needed: s.followups.needed,
                share: s.followups.share(),
                average: s.followups.average(),
            },
            per_contact: s
                .per_contact
                .iter()
                .map(|c| ContactJson {
                    handle: c.handle.clone(),
                    asked: c.asked,
                    answered: c.answers.answered,
                    said_yes: c.approval.yes,
                    said_no: c.approval.no,
                    approval_rate: c.approval.rate(),
                    median_answer_secs: c.answers.median.map(time::SignedDuration::whole_seconds),
                    last_asked_at: rfc3339(c.last_asked),
                })
                .collect(),
            by_direction: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn since_takes_a_day_or_an_rfc3339_time() {
        let now = datetime!(2026-03-31 15:20 UTC);
        let since = |text: &str| parse_since(text).unwrap().resolve(now);
        assert_eq!(since("2026-03-01"), datetime!(2026-03-01 00:00 UTC));
        assert_eq!(
            since("2026-03-01T10:30:00+02:00"),
            datetime!(2026-03-01 08:30 UTC)
        );
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "01/03/2026",
            "",
            "d",
            "3y",
            "-3d",
            "tomorrow",
            "3 d",
            "3é",
            "é",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn since_counts_back_whole_days_weeks_and_months() {
        let now = datetime!(2026-03-31 15:20 UTC);
        let since = |text: &str| parse_since(text).unwrap().resolve(now);
        assert_eq!(since("today"), datetime!(2026-03-31 00:00 UTC));
        assert_eq!(since("yesterday"), datetime!(2026-03-30 00:00 UTC));
        assert_eq!(since("Yesterday"), since("1d"));
        assert_eq!(since("0d"), since("today"));
        assert_eq!(since("7d"), datetime!(2026-03-24 00:00 UTC));
        assert_eq!(since("2w"), datetime!(2026-03-17 00:00 UTC));
        // Calendar months, clamped to the month's last day.
        assert_eq!(since("1m"), datetime!(2026-02-28 00:00 UTC));
        assert_eq!(since("3m"), datetime!(2025-12-31 00:00 UTC));
        assert_eq!(since("14m"), datetime!(2025-01-31 00:00 UTC));
        assert_eq!(since("13m"), datetime!(2025-02-28 00:00 UTC));
        // Further back than the calendar goes: its first day, no panic.
        assert_eq!(
            since(&format!("{}m", u32::MAX)),
            time::Date::MIN.midnight().assume_utc()
        );
        assert_eq!(
            since(&format!("{}d", u32::MAX)),
            time::Date::MIN.midnight().assume_utc()
        );
    }
}
