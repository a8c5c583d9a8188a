//! The first words of a reply, without the quoted ask, and whether they
//! read like a clear yes or a clear no. Pure text functions.

/// Longest snippet kept, in characters (status shows fewer).
pub(crate) const MAX_CHARS: usize = 160;

/// The reply's own words: quoted lines (`>`), the attribution line before
/// them ("On ... wrote:"), a forwarded or Outlook-style copy of the ask and
/// the signature are left out; whitespace is collapsed and the text is cut
/// at a word boundary after [`MAX_CHARS`] characters.
pub(crate) fn snippet(body: &str) -> String {
    let own = own_text(body);
    let words: Vec<&str> = own.split_whitespace().collect();
    cut(&words.join(" "), MAX_CHARS)
}

/// The lines A wrote, in order.
pub(crate) fn own_text(body: &str) -> String {
    let lines: Vec<&str> = body.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut own: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.starts_with('>') {
            i += 1;
            continue;
        }
        if line == "-- " || trimmed == "--" || is_separator(trimmed) {
            break;
        }
        if is_outlook_header(&lines[i..]) {
            break;
        }
        if let Some(len) = attribution_len(&lines[i..]) {
            if own.iter().any(|l| !l.trim().is_empty()) {
                // A top-posted answer: everything below is the quoted ask.
                break;
            }
            // An answer below (or between) the quotes: skip the attribution.
            i += len;
            continue;
        }
        own.push(line);
        i += 1;
    }
    own.join("\n")
}

/// "-----Original Message-----", "________________________________",
/// "Begin forwarded message:" and the like.
fn is_separator(line: &str) -> bool {
    let lower = line.to_lowercase();
    (line.starts_with("-----") && lower.contains("message"))
        || (line.len() >= 16 && line.chars().all(|c| c == '_'))
        || lower.starts_with("begin forwarded message")
        || lower.starts_with("---------- forwarded message")
}

/// Outlook quotes the ask under a header block: `From:` then `Sent:` or
/// `Date:` within the next lines.
fn is_outlook_header(lines: &[&str]) -> bool {
    let starts = |l: &str, prefixes: &[&str]| {
        let l = l.trim_start().trim_start_matches('*').to_lowercase();
        prefixes.iter().any(|p| l.starts_with(p))
    };
    starts(lines[0], &["from:", "von:", "de :", "de:"])
        && lines
            .iter()
            .skip(1)
            .take(3)
            .any(|l| starts(l, &["sent:", "date:", "gesendet:", "envoyé :", "enviado:"]))
}

/// The verbs of attribution lines in the languages most mail is written
/// in: "On Sun, Mar 1, 2026, Grace Hopper wrote:", "Am 01.03.2026 schrieb
/// Grace Hopper:", "Le 1 mars 2026, Grace Hopper a écrit :".
const ATTRIBUTION_VERBS: &[&str] = &[
    "wrote",
    "writes",
    "schrieb",
    "écrit",
    "escribió",
    "scrisse",
    "schreef",
    "skrev",
    "kirjoitti",
    "napisał",
    "napisał(a)",
    "escreveu",
    "написал",
    "написал(а)",
];

/// The attribution line at the start of `lines`, if any, and how many
/// lines it spans (mail clients wrap long ones onto a second line).
fn attribution_len(lines: &[&str]) -> Option<usize> {
    // A line ending in a colon with an attribution verb as a word in it.
    let ends = |l: &str| {
        let l = l.trim().to_lowercase();
        l.ends_with(':')
            && l.split(|c: char| c.is_whitespace() || c == ',' || c == ':')
                .any(|word| ATTRIBUTION_VERBS.contains(&word))
    };
    if ends(lines[0]) {
        return Some(1);
    }
    let first = lines[0].trim_start();
    let starts_like_one = [
        "On ", "Le ", "Am ", "El ", "Il ", "Op ", "Den ", "W dniu ", "Em ",
    ]
    .iter()
    .any(|p| first.starts_with(p));
    if starts_like_one && lines.get(1).is_some_and(|l| ends(l)) {
        return Some(2);
    }
    None
}

/// `text` cut at a word boundary to at most `max` characters, with an
/// ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split(' ') {
        let extra = if out.is_empty() { 0 } else { 1 } + word.chars().count();
        if out.chars().count() + extra > max - 1 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One very long word: cut inside it.
        out = text.chars().take(max - 1).collect();
    }
    out.push('…');
    out
}

/// How a reply reads, when that is clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Yes,
    No,
}

const YES: &[&str] = &[
    "yes",
    "sure",
    "happy to",
    "glad to",
    "gladly",
    "love to",
    "absolutely",
    "of course",
    "sounds good",
    "sounds great",
    "count me in",
    "definitely",
    "go ahead",
    "please introduce",
    "please connect",
    "works for me",
    "with pleasure",
    "delighted",
    "i'm in",
    "i'd be happy",
    "i would be happy",
];

const NO: &[&str] = &[
    "no",
    "not now",
    "not right now",
    "not at the moment",
    "not a good time",
    "not the right time",
    "can't",
    "cannot",
    "can not",
    "won't be able",
    "unable",
    "not able",
    "pass",
    "decline",
    "too busy",
    "swamped",
    "not interested",
    "no bandwidth",
    "unfortunately",
    "afraid not",
    "rather not",
    "don't think",
];

/// Phrases that contain a "no" word but say nothing about the answer, or
/// that make the answer unclear whatever else it says.
const NEUTRAL: &[&str] = &["no problem", "no worries", "no trouble", "no rush"];
const UNCLEAR: &[&str] = &[
    "not sure",
    "maybe",
    "perhaps",
    "depends",
    "let me think",
    "but",
    "however",
    "though",
    "unless",
    "if",
];

/// A clear yes or a clear no, or nothing when the words are mixed,
/// hedged, or ask something back. Only a hint for the user: intro never
/// changes a request's state by it.
pub(crate) fn tone(snippet: &str) -> Option<Tone> {
    let mut text = format!(" {} ", snippet.to_lowercase().replace('’', "'"));
    if text.contains('?') || UNCLEAR.iter().any(|u| has_phrase(&text, u)) {
        return None;
    }
    for n in NEUTRAL {
        text = text.replace(n, " ");
    }
    let yes = YES.iter().any(|p| has_phrase(&text, p));
    let no = NO.iter().any(|p| has_phrase(&text, p));
    match (yes, no) {
        (true, false) => Some(Tone::Yes),
        (false, true) => Some(Tone::No),
        _ => None,
    }
}

/// `phrase` in `text` as whole words.
pub(crate) fn has_phrase(text: &str, phrase: &str) -> bool {
    let word_char = |c: char| c.is_alphanumeric() || c == '\'';
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(word_char) && !after.is_some_and(word_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_posted_answer_keeps_only_its_own_words() {
        let body = "Sure, happy to talk to Sam.\n\nBest,\nAda\n\n\
                    On Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <grace@example.com> wrote:\n\
                    > Hi Ada,\n> would you be open to meeting Sam?\n";
        assert_eq!(snippet(body), "Sure, happy to talk to Sam. Best, Ada");
    }

    #[test]
    fn a_wrapped_attribution_is_recognised() {
        let body = "Not this month, sorry.\n\n\
                    On Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <\n\
                    grace@example.com> wrote:\n\n> Hi Ada\n";
        assert_eq!(snippet(body), "Not this month, sorry.");
        let bottom = "On Sun, Mar 1, 2026 at 9:00 AM Grace Hopper <\n\
                      grace@example.com> wrote:\n> Hi Ada\n> Meet Sam?\n\nYes, gladly.\n";
        assert_eq!(snippet(bottom), "Yes, gladly.");
    }

    #[test]
    fn an_answer_below_or_between_quotes_is_found() {
        let body = "Grace Hopper wrote:\n> Would you be open to meeting Sam?\n\
                    Yes, send him my way.\n> Twenty minutes?\nThirty is fine.\n";
        assert_eq!(snippet(body), "Yes, send him my way. Thirty is fine.");
    }

    #[test]
    fn signatures_and_outlook_copies_are_left_out() {
        let body = "Happy to.\n-- \nAda Lovelace\nAnalytical Engines Ltd\n";
        assert_eq!(snippet(body), "Happy to.");
        let outlook = "I'd rather not, sorry.\n\n\
                       ________________________________\n\
                       From: Grace Hopper <grace@example.com>\n\
                       Sent: Sunday, March 1, 2026 9:00 AM\n\
                       Subject: Would you be open to meeting Sam?\n\nHi Ada,\n";
        assert_eq!(snippet(outlook), "I'd rather not, sorry.");
        let no_rule = "Yes.\n\nFrom: Grace Hopper\nDate: 1 March 2026\nTo: Ada\n\nHi Ada,\n";
        assert_eq!(snippet(no_rule), "Yes.");
        let original = "Sure\n\n-----Original Message-----\nFrom: Grace\nHi Ada\n";
        assert_eq!(snippet(original), "Sure");
        let german = "Gerne!\n\nAm 01.03.2026 um 09:00 schrieb Grace Hopper:\n> Hallo\n";
        assert_eq!(snippet(german), "Gerne!");
    }

    #[test]
    fn long_answers_are_cut_at_a_word() {
        let body = "word ".repeat(100);
        let s = snippet(&body);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= MAX_CHARS, "{}", s.chars().count());
        let long_word = "x".repeat(500);
        assert_eq!(snippet(&long_word).chars().count(), MAX_CHARS);
        assert_eq!(snippet("  short \n\n answer  "), "short answer");
        assert_eq!(snippet("> only a quote\n"), "");
        assert_eq!(snippet(""), "");
    }

    #[test]
    fn a_clear_yes_or_no_is_told_and_anything_else_is_not() {
        for yes in [
            "Sure, happy to talk to Sam.",
            "Yes!",
            "Of course, please introduce us.",
            "No problem, happy to help.",
            "I’d be happy to chat.",
            "Sounds great — go ahead.",
        ] {
            assert_eq!(tone(yes), Some(Tone::Yes), "{yes}");
        }
        for no in [
            "No, sorry.",
            "I'm swamped until June, unfortunately.",
            "I'll have to pass on this one.",
            "Not a good time for me.",
            "I can't take on more calls right now.",
        ] {
            assert_eq!(tone(no), Some(Tone::No), "{no}");
        }
        for unclear in [
            "Sure, but not this month.",
            "Maybe, what does Sam want exactly?",
            "Who is Sam?",
            "Not sure yet, let me check my calendar",
            "Thanks for thinking of me.",
            "",
            "Unsurely nothing; nobody knows; passport",
        ] {
            assert_eq!(tone(unclear), None, "{unclear}");
        }
    }
}
