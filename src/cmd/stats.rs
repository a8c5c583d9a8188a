//! `intro stats`: how requests went — by state, approval rate, time to an
//! answer, follow-ups needed — overall and per contact asked as A.

use clap::Args;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::context::Context;
use crate::output::{Output, percent, rfc3339, span};
use crate::stats::{self, ALL_STATES, Stats};
use crate::table::Table;

#[derive(Debug, Args)]
#[command(after_help = "How the numbers are counted:
  approval rate   requests A said yes to (approved or introduced, or cancelled after
                  A's yes) over those A decided (the same plus those A declined);
                  open requests do not count; with --both, only A's answer counts
  answer          the first reply, approval or decline after the ask; a reply counts
                  from its Date header; the median is over answered requests
  follow-ups      the share of answered requests that had at least one follow-up
                  before the answer, and follow-ups per answered request on average
  --since         keeps requests created on or after DATE (a day starts at 00:00 UTC)

Examples:
  intro stats
  intro stats --since 2026-01-01
  intro stats --json | jq '.per_contact[] | select(.asked >= 3)'")]
pub struct StatsArgs {
    /// Count only requests created on or after DATE (YYYY-MM-DD, or an RFC 3339 time)
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<OffsetDateTime>,
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.to_offset(time::UtcOffset::UTC));
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(text, &day) {
        return Ok(date.midnight().assume_utc());
    }
    Err("expected a date like 2026-03-01 or an RFC 3339 time like 2026-03-01T09:00:00Z".into())
}

pub fn run(args: StatsArgs, ctx: &mut Context) -> anyhow::Result<()> {
    let out = ctx.out;
    let requests = ctx.store.read()?;
    let stats = stats::compute(requests.iter(), args.since);
    if out.json {
        out.json(&StatsJson::from(&stats));
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
        out.data(per_contact(&stats, &out));
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

fn per_contact(s: &Stats, out: &Output) -> String {
    let mut table = Table::new();
    table.header(
        [
            "A",
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
            median_answer_secs: s.answers.median.map(|d| d.whole_seconds()),
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
                    median_answer_secs: c.answers.median.map(|d| d.whole_seconds()),
                    last_asked_at: rfc3339(c.last_asked),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn since_takes_a_day_or_an_rfc3339_time() {
        assert_eq!(
            parse_since("2026-03-01").unwrap(),
            datetime!(2026-03-01 00:00 UTC)
        );
        assert_eq!(
            parse_since("2026-03-01T10:30:00+02:00").unwrap(),
            datetime!(2026-03-01 08:30 UTC)
        );
        for bad in ["yesterday", "2026-13-01", "2026-02-30", "01/03/2026", ""] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }
}
