//! Who knows someone: the evidence the user's mail holds that a
//! correspondent knows a person (or anyone at a domain), and the rule that
//! ranks correspondents by it.
//!
//! Pure: messages come in as [`Envelope`]s (who wrote to whom, when, in
//! which thread), addresses as numbers the caller assigned, `now` as a
//! parameter.
//!
//! # The scoring rule
//!
//! For a correspondent X and the target T (one address, or every address
//! at a domain), counted over the messages in the user's mailbox:
//!
//! - `wrote` (w): messages X sent with T among the recipients;
//! - `received` (r): messages T sent with X among the recipients;
//! - `threads` (t): conversations, threads in which X wrote to T and T
//!   wrote to X, however many messages each;
//! - `last`: the date of the latest such message.
//!
//! ```text
//! score = (2·min(w, r) + ¼·|w − r| + ½·t) × (½ + ½·2^(−age / 365 days))
//! ```
//!
//! Mail answered both ways is what shows two people know each other: each
//! exchange (one message each way) weighs 2 × 2 = 4, while a message that
//! went one way only weighs ¼ (a newsletter, a cold email, a CC). Each
//! conversation adds ½, so a long exchange on one subject counts less than
//! the same number of messages across many. Someone who was only copied
//! alongside T (neither wrote to the other) is not ranked. The last factor is recency: an
//! acquaintance last seen today counts in full, one from a year ago ¾, an
//! old one never less than half (people do not forget each other in a year).
//!
//! Ties are broken by how much the user wrote with X (the one the user can
//! more easily ask comes first), then by address.

use std::collections::HashMap;

/// Whom the user wants to meet: one address, or anyone at a domain (and
/// its subdomains: `@acme.com` includes `eu.acme.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Lowercase.
    Address(String),
    /// Lowercase, without the `@`.
    Domain(String),
}

impl Target {
    /// Read `ADDRESS` or `@DOMAIN`; the error says what is wrong with it.
    pub(crate) fn parse(text: &str) -> Result<Target, &'static str> {
        let text = text
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if text
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '>')
        {
            return Err("it holds spaces or more than one address");
        }
        let lower = text.to_lowercase();
        let (local, domain) = lower.rsplit_once('@').ok_or("it has no `@`")?;
        if local.contains('@') {
            return Err("it has more than one `@`");
        }
        if domain.is_empty()
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err("its domain is not a domain name like `example.com`");
        }
        Ok(if local.is_empty() {
            Target::Domain(domain.to_string())
        } else {
            Target::Address(lower)
        })
    }

    /// Whether `email` (lowercase) is the target, or at the target domain.
    pub(crate) fn matches(&self, email: &str) -> bool {
        match self {
            Target::Address(address) => email == address,
            Target::Domain(domain) => email.rsplit_once('@').is_some_and(|(_, d)| {
                d == domain
                    || d.strip_suffix(domain.as_str())
                        .is_some_and(|sub| sub.ends_with('.'))
            }),
        }
    }

    /// How messages name it: `ada@acme.com`, `acme.com`.
    pub(crate) fn label(&self) -> &str {
        match self {
            Target::Address(address) | Target::Domain(address) => address,
        }
    }
}

/// One message as far as who-knows-whom goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Envelope<'a> {
    /// Unix seconds (the `Date` header, or when it was found).
    pub date: i64,
    /// The sender's address number.
    pub from: u32,
    /// `To` and `Cc` address numbers.
    pub recipients: &'a [u32],
    /// The thread's key (the root Message-ID's hash).
    pub thread: u64,
}

/// What the mail says about one correspondent and the target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    /// The correspondent's address number.
    pub who: u32,
    /// Messages they sent with the target among the recipients.
    pub wrote: u32,
    /// Messages the target sent with them among the recipients.
    pub received: u32,
    /// Threads in which they and the target each wrote to the other.
    pub threads: u32,
    /// The latest message with both (Unix seconds).
    pub last: i64,
    /// Messages the user sent them (any subject).
    pub you_wrote: u32,
    /// Messages they sent the user (any subject).
    pub wrote_you: u32,
    pub score: f64,
}

/// How well someone with these counts knows the target: the module's rule.
pub(crate) fn score(wrote: u32, received: u32, threads: u32, age_days: f64) -> f64 {
    let (w, r, t) = (f64::from(wrote), f64::from(received), f64::from(threads));
    let both_ways = w.min(r);
    let one_way = (w - r).abs();
    let recency = 0.5 + 0.5 * (-age_days.max(0.0) / 365.0).exp2();
    (2.0 * both_ways + 0.25 * one_way + 0.5 * t) * recency
}

/// Rank every correspondent (neither the user nor the target) who shares
/// at least one message with the target, best first.
pub(crate) fn rank<'a>(
    messages: impl IntoIterator<Item = Envelope<'a>>,
    is_target: impl Fn(u32) -> bool,
    is_me: impl Fn(u32) -> bool,
    now: i64,
) -> Vec<Evidence> {
    #[derive(Default)]
    struct Tally {
        wrote: u32,
        received: u32,
        /// Thread -> 1 (they wrote to the target), 2 (the target wrote
        /// to them), 3 (both).
        threads: HashMap<u64, u8>,
        last: Option<i64>,
    }
    let mut tallies: HashMap<u32, Tally> = HashMap::new();
    let mut with_me: HashMap<u32, (u32, u32)> = HashMap::new();
    for m in messages {
        // The user's own correspondence with everyone, for the tie-break
        // and the evidence shown.
        if is_me(m.from) {
            for &r in m.recipients {
                if !is_me(r) {
                    with_me.entry(r).or_default().0 += 1;
                }
            }
        } else if m.recipients.iter().any(|&r| is_me(r)) {
            with_me.entry(m.from).or_default().1 += 1;
        }

        let from_target = is_target(m.from);
        let to_target = m.recipients.iter().any(|&r| is_target(r));
        if !from_target && !to_target {
            continue;
        }
        let candidate = |who: u32| !is_target(who) && !is_me(who);
        let mut seen_here: Vec<u32> = Vec::new();
        for &who in std::iter::once(&m.from).chain(m.recipients) {
            if !candidate(who) || seen_here.contains(&who) {
                continue;
            }
            seen_here.push(who);
            let way = if who == m.from && to_target {
                1
            } else if from_target && m.recipients.contains(&who) {
                2
            } else {
                // Only copied alongside the target.
                continue;
            };
            let tally = tallies.entry(who).or_default();
            if way == 1 {
                tally.wrote += 1;
            } else {
                tally.received += 1;
            }
            *tally.threads.entry(m.thread).or_default() |= way;
            tally.last = Some(tally.last.map_or(m.date, |l| l.max(m.date)));
        }
    }
    let mut ranked: Vec<Evidence> = tallies
        .into_iter()
        .map(|(who, t)| {
            let last = t.last.unwrap_or(now);
            let both = t.threads.values().filter(|&&ways| ways == 3).count();
            let threads = u32::try_from(both).unwrap_or(u32::MAX);
            #[allow(clippy::cast_precision_loss)]
            let age_days = (now - last) as f64 / 86_400.0;
            let (you_wrote, wrote_you) = with_me.get(&who).copied().unwrap_or_default();
            Evidence {
                who,
                wrote: t.wrote,
                received: t.received,
                threads,
                last,
                you_wrote,
                wrote_you,
                score: score(t.wrote, t.received, threads, age_days),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.you_wrote + b.wrote_you).cmp(&(a.you_wrote + a.wrote_you)))
            .then(a.who.cmp(&b.who))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_000 * DAY;
    const ME: u32 = 0;
    const TARGET: u32 = 1;

    fn m(from: u32, recipients: &[u32], thread: u64, days_ago: i64) -> (u32, Vec<u32>, u64, i64) {
        (from, recipients.to_vec(), thread, NOW - days_ago * DAY)
    }

    fn run(messages: &[(u32, Vec<u32>, u64, i64)]) -> Vec<Evidence> {
        rank(
            messages.iter().map(|(from, to, thread, date)| Envelope {
                date: *date,
                from: *from,
                recipients: to,
                thread: *thread,
            }),
            |a| a == TARGET,
            |a| a == ME,
            NOW,
        )
    }

    #[test]
    fn targets_are_an_address_or_a_domain_with_its_subdomains() {
        let ada = Target::parse(" <Ada@Acme.COM> ").unwrap();
        assert_eq!(ada, Target::Address("ada@acme.com".into()));
        assert!(ada.matches("ada@acme.com") && !ada.matches("bob@acme.com"));
        let acme = Target::parse("@acme.com").unwrap();
        assert_eq!(acme.label(), "acme.com");
        assert!(acme.matches("bob@acme.com") && acme.matches("x@eu.acme.com"));
        assert!(!acme.matches("x@notacme.com") && !acme.matches("x@acme.com.evil.org"));
        for bad in [
            "ada",
            "ada@",
            "ada@acme",
            "a@b@acme.com",
            "a b@acme.com",
            "a@x.com,b@y.com",
            "@",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_rule_weighs_both_ways_over_one_way_and_fades_with_age() {
        // Five each way in five threads, today: 2·5 + ½·5.
        assert!((score(5, 5, 5, 0.0) - 12.5).abs() < 1e-9);
        // Ten one way, same threads: ¼·10 + ½·5.
        assert!((score(10, 0, 5, 0.0) - 5.0).abs() < 1e-9);
        // A year ago counts three quarters, long ago about half.
        assert!((score(5, 5, 5, 365.0) - 12.5 * 0.75).abs() < 1e-9);
        assert!(score(5, 5, 5, 36_500.0) > 12.5 * 0.5 - 1e-9);
        assert!((score(0, 0, 0, 0.0)).abs() < 1e-9);
    }

    #[test]
    fn someone_who_writes_back_and_forth_outranks_a_sender_of_many() {
        let (friend, mailer) = (2, 3);
        let mut mail = Vec::new();
        for i in 0..3 {
            mail.push(m(friend, &[TARGET, ME], i, 10));
            mail.push(m(TARGET, &[friend, ME], i, 9));
        }
        for i in 10..30 {
            mail.push(m(mailer, &[TARGET, ME], i, 5));
        }
        let ranked = run(&mail);
        assert_eq!(ranked[0].who, friend);
        assert_eq!((ranked[0].wrote, ranked[0].received), (3, 3));
        assert_eq!(ranked[0].threads, 3);
        assert_eq!(ranked[0].last, NOW - 9 * DAY);
        assert_eq!(ranked[1].who, mailer);
        assert_eq!((ranked[1].wrote, ranked[1].received), (20, 0));
    }

    #[test]
    fn copied_alongside_is_no_evidence_and_the_user_and_target_are_never_ranked() {
        let (cc, other, writer) = (2, 4, 5);
        let ranked = run(&[
            m(ME, &[TARGET, cc], 7, 1),
            m(other, &[ME], 8, 1),
            m(ME, &[other], 9, 1),
            m(writer, &[TARGET, cc, ME], 10, 1),
            m(ME, &[writer], 11, 1),
        ]);
        assert_eq!(ranked.len(), 1, "{ranked:?}");
        let e = &ranked[0];
        assert_eq!((e.who, e.wrote, e.received, e.threads), (writer, 1, 0, 0));
        assert_eq!((e.you_wrote, e.wrote_you), (1, 1));
    }

    #[test]
    fn ties_go_to_whom_the_user_knows_better() {
        let (a, b) = (2, 3);
        let ranked = run(&[
            m(a, &[TARGET], 1, 1),
            m(b, &[TARGET], 2, 1),
            m(b, &[ME], 3, 1),
            m(ME, &[b], 3, 1),
        ]);
        assert_eq!(ranked.iter().map(|e| e.who).collect::<Vec<_>>(), [b, a]);
    }
}
