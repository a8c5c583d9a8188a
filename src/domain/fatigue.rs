//! Ask fatigue: noticing, before another ask goes out, that A already has
//! an open ask or was asked often lately. Pure: requests and `now` in, a
//! warning out. It only warns; the one-open-request-per-pair rule is what
//! refuses.

use time::{Duration, OffsetDateTime};

use crate::domain::request::Request;

/// How far back "lately" reaches.
pub(crate) const WINDOW_DAYS: i64 = 90;

/// How far back "lately" reaches, as a duration.
pub(crate) fn window() -> Duration {
    Duration::days(WINDOW_DAYS)
}

/// An earlier ask of the same A.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PriorAsk {
    /// The request id, or `line N` for an earlier row of the same batch.
    pub id: String,
    pub b: String,
    pub asked_at: OffsetDateTime,
    pub open: bool,
}

impl PriorAsk {
    pub(crate) fn of(r: &Request) -> PriorAsk {
        PriorAsk {
            id: r.id.clone(),
            b: r.b.clone(),
            asked_at: r.a_side.asked_at.unwrap_or(r.created_at),
            open: r.status.is_open(),
        }
    }
}

/// Lists of earlier asks are cut here: the count says the rest.
const SHOWN: usize = 3;

/// How often a contact may be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pace {
    /// `[limits] asks_per_90_days`: at most this many asks in 90 days.
    PerWindow(u32),
    /// The contact's own `cooldown_days`: no ask within this many days of
    /// the last (it overrides `asks_per_90_days` for them).
    Cooldown(u32),
}

/// The warning for asking `a` once more, if one is due: A has an open ask,
/// or was asked as often as `pace` allows (`limit` times or more in the
/// last 90 days, or once within their cooldown). One short line however
/// many asks there were: counts, a few examples, each ask named once.
pub(crate) fn warning(
    a: &str,
    prior: &[PriorAsk],
    now: OffsetDateTime,
    pace: Pace,
) -> Option<String> {
    let mut open: Vec<&PriorAsk> = prior.iter().filter(|p| p.open).collect();
    open.sort_by_key(|p| std::cmp::Reverse(p.asked_at));
    let since = now - pace_window(pace);
    let mut recent: Vec<&PriorAsk> = prior.iter().filter(|p| p.asked_at >= since).collect();
    recent.sort_by_key(|p| std::cmp::Reverse(p.asked_at));
    let over = match pace {
        Pace::PerWindow(limit) => recent.len() >= limit as usize,
        Pace::Cooldown(_) => !recent.is_empty(),
    };
    if open.is_empty() && !over {
        return None;
    }
    let mut parts = Vec::new();
    if !open.is_empty() {
        parts.push(format!(
            "`{a}` already has {} open ask{}{}",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            examples(&open, "")
        ));
    }
    if over {
        let total = recent.len();
        // The open asks named above are not named again.
        let others: Vec<&PriorAsk> = recent.into_iter().filter(|p| !p.open).collect();
        let also = if open.is_empty() { "" } else { "also " };
        parts.push(match pace {
            Pace::PerWindow(limit) => format!(
                "`{a}` was asked {total} time{} in the last {WINDOW_DAYS} days, the limit is {limit}{}",
                if total == 1 { "" } else { "s" },
                examples(&others, also)
            ),
            Pace::Cooldown(days) => format!(
                "`{a}` was asked in the last {days} days, their `cooldown_days`{}",
                examples(&others, also)
            ),
        });
    }
    Some(parts.join("; "))
}

/// How far back asks count at `pace`.
fn pace_window(pace: Pace) -> Duration {
    match pace {
        Pace::PerWindow(_) => window(),
        Pace::Cooldown(days) => Duration::days(i64::from(days)),
    }
}

/// ` (x about `b` on date, ... and N more)`, or nothing for no asks.
fn examples(asks: &[&PriorAsk], lead: &str) -> String {
    if asks.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = asks
        .iter()
        .take(SHOWN)
        .map(|p| format!("{} about `{}` on {}", p.id, p.b, p.asked_at.date()))
        .collect();
    let more = match asks.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(" ({lead}{}{more})", shown.join(", "))
}

/// Ask fatigue over a batch: one warning for all of a batch's asks of `a`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BatchWarning {
    pub text: String,
    /// The asks from this one on (in batch order) are those that warn:
    /// the first goes without when A had nothing open and was under the
    /// limit.
    pub from: usize,
}

/// The warning for a batch asking `a` on `lines` (in order), given A's
/// stored asks `prior`: the count of the batch's asks with their first
/// lines, A's open asks and the 90-day total, once, instead of one growing
/// list per row. None when no row would warn on its own: A has nothing
/// open, is asked once, and stays within `limit`.
pub(crate) fn batch_warning(
    a: &str,
    prior: &[PriorAsk],
    lines: &[u64],
    now: OffsetDateTime,
    pace: Pace,
) -> Option<BatchWarning> {
    let open: Vec<&PriorAsk> = prior.iter().filter(|p| p.open).collect();
    let since = now - pace_window(pace);
    let recent = prior.iter().filter(|p| p.asked_at >= since).count();
    let total = recent + lines.len();
    // With a cooldown, any second ask within it is one too many.
    let limit = match pace {
        Pace::PerWindow(limit) => limit as usize,
        Pace::Cooldown(_) => 1,
    };
    let over = total > limit;
    let from = if !open.is_empty() || recent >= limit {
        0
    } else {
        1
    };
    if from >= lines.len() {
        return None;
    }
    let more = |n: usize| {
        if n > SHOWN {
            format!(" and {} more", n - SHOWN)
        } else {
            String::new()
        }
    };
    let mut parts = Vec::new();
    parts.push(match lines {
        [one] => format!("is asked on line {one}"),
        _ => format!(
            "is asked {} times in this batch (lines {}{})",
            lines.len(),
            lines
                .iter()
                .take(SHOWN)
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            more(lines.len())
        ),
    });
    if !open.is_empty() {
        parts.push(format!(
            "already has {} open ask{} ({}{})",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            open.iter()
                .take(SHOWN)
                .map(|p| format!("{} about `{}` on {}", p.id, p.b, p.asked_at.date()))
                .collect::<Vec<_>>()
                .join(", "),
            more(open.len())
        ));
    }
    if over {
        parts.push(match pace {
            Pace::PerWindow(limit) => {
                format!("would reach {total} asks in {WINDOW_DAYS} days, over the limit of {limit}")
            }
            Pace::Cooldown(days) => {
                format!("would be asked {total} times in {days} days, their `cooldown_days`")
            }
        });
    }
    let text = match parts.as_slice() {
        [one] => format!("`{a}` {one}"),
        [init @ .., last] => format!("`{a}` {} and {last}", init.join(", ")),
        [] => unreachable!("the batch part is always there"),
    };
    Some(BatchWarning { text, from })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn prior(id: &str, days_ago: i64, open: bool) -> PriorAsk {
        PriorAsk {
            id: id.into(),
            b: "sam".into(),
            asked_at: datetime!(2026-06-01 12:00 UTC) - Duration::days(days_ago),
            open,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    #[test]
    fn quiet_when_a_was_rarely_asked_and_has_nothing_open() {
        assert_eq!(warning("ada", &[], NOW, Pace::PerWindow(3)), None);
        let two = [prior("a1", 10, false), prior("a2", 20, false)];
        assert_eq!(warning("ada", &two, NOW, Pace::PerWindow(3)), None);
        // Old asks do not count.
        let old = [
            prior("a1", 91, false),
            prior("a2", 100, false),
            prior("a3", 200, false),
        ];
        assert_eq!(warning("ada", &old, NOW, Pace::PerWindow(3)), None);
    }

    #[test]
    fn an_open_ask_warns_and_names_it() {
        let w = warning("ada", &[prior("a1", 2, true)], NOW, Pace::PerWindow(3)).unwrap();
        assert_eq!(
            w,
            "`ada` already has 1 open ask (a1 about `sam` on 2026-05-30)"
        );
    }

    #[test]
    fn reaching_the_limit_warns_with_the_recent_asks_newest_first() {
        let three = [
            prior("a1", 80, false),
            prior("a2", 5, false),
            prior("a3", 40, false),
        ];
        let w = warning("ada", &three, NOW, Pace::PerWindow(3)).unwrap();
        assert!(
            w.starts_with("`ada` was asked 3 times in the last 90 days, the limit is 3 (a2"),
            "{w}"
        );
        assert!(w.find("a3").unwrap() < w.find("a1").unwrap(), "{w}");
        assert_eq!(warning("ada", &three, NOW, Pace::PerWindow(4)), None);
    }

    #[test]
    fn many_open_asks_give_one_short_line_naming_each_once() {
        let forty: Vec<PriorAsk> = (0..40)
            .map(|i| prior(&format!("a{i:02}"), i, true))
            .collect();
        let w = warning("ada", &forty, NOW, Pace::PerWindow(3)).unwrap();
        assert_eq!(
            w,
            "`ada` already has 40 open asks (a00 about `sam` on 2026-06-01, a01 about `sam` on \
             2026-05-31, a02 about `sam` on 2026-05-30 and 37 more); `ada` was asked 40 times \
             in the last 90 days, the limit is 3"
        );
        // Closed asks are named after the open ones, never an open one twice.
        let mixed = [
            prior("o1", 1, true),
            prior("c1", 3, false),
            prior("c2", 5, false),
        ];
        let w = warning("ada", &mixed, NOW, Pace::PerWindow(3)).unwrap();
        assert_eq!(
            w,
            "`ada` already has 1 open ask (o1 about `sam` on 2026-05-31); `ada` was asked 3 \
             times in the last 90 days, the limit is 3 (also c1 about `sam` on 2026-05-29, c2 \
             about `sam` on 2026-05-27)"
        );
    }

    #[test]
    fn a_batch_warns_once_per_contact_with_a_count() {
        // Asked once, nothing open, within the limit: no warning.
        assert_eq!(
            batch_warning("ada", &[], &[2], NOW, Pace::PerWindow(3)),
            None
        );
        // Asked twice: the second row warns, the first does not.
        let w = batch_warning("ada", &[], &[2, 5], NOW, Pace::PerWindow(3)).unwrap();
        assert_eq!(
            (w.text.as_str(), w.from),
            ("`ada` is asked 2 times in this batch (lines 2, 5)", 1)
        );
        // Four hundred rows: one line, the count, the first lines.
        let lines: Vec<u64> = (2..402).collect();
        let w = batch_warning(
            "ada",
            &[prior("a1", 2, true)],
            &lines,
            NOW,
            Pace::PerWindow(3),
        )
        .unwrap();
        assert_eq!(
            w.text,
            "`ada` is asked 400 times in this batch (lines 2, 3, 4 and 397 more), already has \
             1 open ask (a1 about `sam` on 2026-05-30) and would reach 401 asks in 90 days, \
             over the limit of 3"
        );
        assert_eq!(w.from, 0, "every row of A warns when A has an open ask");
        // At the limit already: the one row warns.
        let three = [
            prior("a1", 10, false),
            prior("a2", 20, false),
            prior("a3", 30, false),
        ];
        let w = batch_warning("ada", &three, &[7], NOW, Pace::PerWindow(3)).unwrap();
        assert_eq!(
            w.text,
            "`ada` is asked on line 7 and would reach 4 asks in 90 days, over the limit of 3"
        );
    }

    #[test]
    fn a_cooldown_warns_when_asked_within_it_whatever_the_count() {
        let ten_days_ago = [prior("a1", 10, false)];
        assert_eq!(warning("ada", &ten_days_ago, NOW, Pace::Cooldown(7)), None);
        assert_eq!(
            warning("ada", &ten_days_ago, NOW, Pace::Cooldown(30)).unwrap(),
            "`ada` was asked in the last 30 days, their `cooldown_days` (a1 about `sam` on 2026-05-22)"
        );
        // Once in 90 days is under `asks_per_90_days`, but not under a cooldown.
        assert_eq!(warning("ada", &ten_days_ago, NOW, Pace::PerWindow(3)), None);
        let w = batch_warning("ada", &[], &[2, 5], NOW, Pace::Cooldown(30)).unwrap();
        assert_eq!(w.from, 1, "the first ask of the batch is fine");
        assert!(
            w.text.contains("2 times in 30 days, their `cooldown_days`"),
            "{}",
            w.text
        );
        assert_eq!(
            batch_warning("ada", &[], &[2], NOW, Pace::Cooldown(30)),
            None
        );
    }
}
