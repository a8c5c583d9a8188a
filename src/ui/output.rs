//! How results reach the user: JSON or text on stdout, notes on stderr,
//! colors only when wanted, times in one format.
//!
//! Every byte intro prints goes through here, so one rule holds for all
//! commands: a reader that went away (`intro status | head -1`) is not an
//! error. What remains to print is dropped, the run finishes what it was
//! doing (nothing it recorded is lost), and it exits as it would have.

use std::io::{self, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::setup::env::Environment;

/// When to use colors: the `--color` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub json: bool,
    pub quiet: bool,
    /// Colors on stdout (tables, details).
    pub color: bool,
    /// Colors on stderr (the `warning:` and `hint:` prefixes).
    pub stderr_color: bool,
}

impl Output {
    /// One JSON document on stdout.
    pub(crate) fn json<T: Serialize + ?Sized>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).expect("JSON output serializes");
        self.data(text);
    }

    /// A line of data on stdout.
    pub(crate) fn data(&self, line: impl AsRef<str>) {
        let mut text = String::with_capacity(line.as_ref().len() + 1);
        text.push_str(line.as_ref());
        text.push('\n');
        self.text(text);
    }

    /// Text on stdout as it is (a message, a page), without a line added.
    pub(crate) fn text(&self, text: impl AsRef<str>) {
        write_stdout(text.as_ref().as_bytes());
    }

    /// A note for a person (what was done, what to do next); hidden by -q.
    pub(crate) fn note(&self, line: impl AsRef<str>) {
        if !self.quiet {
            write_stderr(&format!(
                "{}\n",
                paint_prefix(line.as_ref(), self.stderr_color)
            ));
        }
    }

    /// A warning; hidden by -q, as errors never are.
    pub(crate) fn warn(&self, line: impl AsRef<str>) {
        if !self.quiet {
            let prefix = paint(self.stderr_color, WARNING, "warning:");
            write_stderr(&format!("{prefix} {}\n", line.as_ref()));
        }
    }

    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    pub(crate) fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }

    pub(crate) fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }

    fn paint(&self, code: &str, s: &str) -> String {
        paint(self.color, code, s)
    }
}

/// The styles of the line prefixes, as clap draws its own `error:` and
/// `tip:`, so intro's messages and clap's look alike.
pub(crate) const ERROR: &str = "1;31";
pub(crate) const WARNING: &str = "1;33";
pub(crate) const HINT: &str = "32";

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// A stderr line with its `error:`, `warning:` or `hint:` prefix painted.
pub(crate) fn paint_prefix(line: &str, color: bool) -> String {
    for (prefix, code) in [("error:", ERROR), ("warning:", WARNING), ("hint:", HINT)] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return format!("{}{rest}", paint(color, code, prefix));
        }
    }
    line.to_string()
}

/// Whether to color a stream: `--color` first; with `auto`, never with
/// `NO_COLOR` set, always with `CLICOLOR_FORCE` set, else only on a
/// terminal whose `TERM` is set and not `dumb`. Clap decides its own
/// colors by the same rules, so its errors and intro's agree.
pub(crate) fn use_color(choice: ColorChoice, tty: bool, env: &Environment) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env.var("NO_COLOR").is_some() => false,
        ColorChoice::Auto if env.var("CLICOLOR_FORCE").is_some() => true,
        ColorChoice::Auto => tty && env.var("TERM").is_some_and(|term| term != "dumb"),
    }
}

/// The reader of stdout went away: print nothing more.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// The first other failure to write stdout (a full disk), reported when
/// the run ends: the user must know the output is not whole.
static STDOUT_FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

/// Write to stdout, unless its reader went away.
pub(crate) fn write_stdout(bytes: &[u8]) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        } else if let Ok(mut failed) = STDOUT_FAILED.lock() {
            failed.get_or_insert(e);
        }
    }
}

/// Write to stderr. A failure has nowhere to be told, and must not stop
/// a run that may be recording what it sent.
pub(crate) fn write_stderr(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Whether everything meant for stdout reached it, or its reader went
/// away (which is not an error).
pub(crate) fn stdout_result() -> io::Result<()> {
    match STDOUT_FAILED
        .lock()
        .ok()
        .and_then(|mut failed| failed.take())
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// RFC 3339 in UTC, to the second: `2026-03-01T09:30:00Z`.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// A short age for tables: `now`, `12m`, `5h`, `3d`.
pub(crate) fn age(since: OffsetDateTime, now: OffsetDateTime) -> String {
    let d = now - since;
    if d.whole_minutes() < 1 {
        "now".into()
    } else if d.whole_hours() < 1 {
        format!("{}m", d.whole_minutes())
    } else if d.whole_days() < 1 {
        format!("{}h", d.whole_hours())
    } else {
        format!("{}d", d.whole_days())
    }
}

/// A short span ahead: `in 3d`, `in 5h`.
pub(crate) fn until(at: OffsetDateTime, now: OffsetDateTime) -> String {
    // Rounded to the nearest unit: "5 days from now", checked a minute
    // later, is still "in 5d", not "in 4d".
    let minutes = (at - now).whole_minutes().max(0);
    if minutes >= 24 * 60 - 30 {
        format!("in {}d", (minutes + 12 * 60) / (24 * 60))
    } else if minutes >= 59 {
        format!("in {}h", (minutes + 30) / 60)
    } else {
        format!("in {}m", minutes.max(1))
    }
}

/// A span for people: `<1 min`, `45 min`, `5 h 12 min`, `3 d 4 h`. The
/// units are spelt out enough that `m` is never read as a month, as it
/// is in `--since 1m`.
pub(crate) fn span(d: time::Duration) -> String {
    let minutes = d.whole_minutes().max(0);
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "<1 min".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// A share as a whole percentage: `67%`.
pub(crate) fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// The error and its causes on one line, each said once: an error that
/// names its cause in its own message (`cannot open `x`: <io error>`) is
/// also followed by that cause in the chain.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// `n` of `word`, in the singular for one: "1 row", "3 rows".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_utc_seconds() {
        assert_eq!(
            rfc3339(datetime!(2026-03-01 10:30:15.5 +01:00)),
            "2026-03-01T09:30:15Z"
        );
    }

    #[test]
    fn ages_are_short() {
        let now = datetime!(2026-03-10 12:00 UTC);
        assert_eq!(age(now, now), "now");
        assert_eq!(age(datetime!(2026-03-10 11:15 UTC), now), "45m");
        assert_eq!(age(datetime!(2026-03-10 02:00 UTC), now), "10h");
        assert_eq!(age(datetime!(2026-03-01 12:00 UTC), now), "9d");
        assert_eq!(until(datetime!(2026-03-13 12:00 UTC), now), "in 3d");
        assert_eq!(until(datetime!(2026-03-15 11:59 UTC), now), "in 5d");
        assert_eq!(until(datetime!(2026-03-10 17:50 UTC), now), "in 6h");
        assert_eq!(until(datetime!(2026-03-10 12:10 UTC), now), "in 10m");
    }

    #[test]
    fn spans_and_percentages_are_short() {
        use time::Duration;
        assert_eq!(span(Duration::seconds(59)), "<1 min");
        assert_eq!(span(Duration::minutes(45)), "45 min");
        assert_eq!(span(Duration::hours(5)), "5 h");
        assert_eq!(span(Duration::minutes(5 * 60 + 12)), "5 h 12 min");
        assert_eq!(span(Duration::days(3)), "3 d");
        assert_eq!(span(Duration::hours(76) + Duration::minutes(30)), "3 d 4 h");
        assert_eq!(span(Duration::hours(-3)), "<1 min");
        assert_eq!(percent(2.0 / 3.0), "67%");
        assert_eq!(percent(1.0), "100%");
    }
}
