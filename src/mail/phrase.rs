//! Fitting what the user typed into the sentences of a message. A field
//! may start with a capital or not, end in `.`, `!`, `?`, `...` or nothing,
//! and be a phrase or a whole sentence; pasted as is, it reads as
//! machine-made ("hoping for to pick your brain?;"). Templates reach these
//! as the tera filters `sentence`, `ending`, `clause`, `full_stop` and `brief`, the
//! built-in ones and the user's alike.

use std::collections::HashMap;

/// Marks that end a sentence.
const FINAL_MARKS: [char; 7] = ['.', '!', '?', '…', '。', '！', '？'];

/// What may follow a final mark and still end the sentence.
const CLOSERS: [char; 6] = [')', '"', '\'', '”', '’', ']'];

/// Words that start a field only because it starts there, lowercased
/// when the field goes mid-sentence. Anything else (a name, a product,
/// an acronym) keeps its capital: "Hannah's paper" must not become
/// "hannah's paper".
#[rustfmt::skip]
const COMMON_STARTS: &[&str] = &[
    "a", "an", "the", "to", "for", "because", "since", "as", "over", "on", "in", "at", "with",
    "about", "by", "via", "some", "any", "just", "maybe", "perhaps", "ideally", "whatever",
    "coffee", "lunch", "dinner", "breakfast", "drinks", "tea", "call", "chat", "video", "phone",
    "quick", "short", "brief", "help", "advice", "feedback", "thoughts", "intro",
    "introduction", "his", "her", "their", "your", "you", "they", "she", "he", "we", "both",
    "one", "two", "three", "four", "five", "ten", "fifteen", "twenty", "thirty", "forty",
    "half", "hiring", "learning", "getting", "finding", "talking", "meeting", "it", "this",
    "that", "these", "those", "email", "walk", "advise", "pick", "ask", "get", "hear", "learn",
    "talk", "meet", "discuss", "share", "swap", "compare", "understand", "explore", "see",
    "possibly", "mostly", "mainly", "probably", "honest", "frank", "candid", "practical",
    "first", "early", "whichever", "either", "in-person", "remote", "virtual", "online",
];

/// `s` as a sentence of its own: trimmed, a capital first letter, and a
/// final `.` unless it already ends in `.`, `!`, `?` or `...`.
pub(crate) fn sentence(s: &str) -> String {
    full_stop(&capitalize(s.trim()))
}

/// `s` ending a sentence, its capital as typed: a final `.` unless it
/// already ends in one (`Tom Reed Jr.` stays as it is).
pub(crate) fn full_stop(s: &str) -> String {
    let mut out = s.trim().to_string();
    if out.is_empty() {
        return out;
    }
    if !ends_a_sentence(&out) {
        // "; " or ", " at the end is a sentence cut short.
        let kept = out.trim_end_matches([',', ';', ':', ' ']).len();
        out.truncate(kept);
        out.push('.');
    }
    out
}

/// `s` as the end of a sentence the template began ("Why I thought of
/// you two: ..."): its first word as in [`clause`], its own final `!`,
/// `?` or `...` kept, else a `.`.
pub(crate) fn ending(s: &str) -> String {
    let s = s.trim().trim_end_matches([',', ';', ':', ' ']);
    let (body, mark) = s.split_at(s.trim_end_matches(FINAL_MARKS).len());
    if mark.is_empty() {
        return full_stop(&lower_start(body));
    }
    lower_start(body) + mark
}

/// `s` as part of a sentence the template goes on with: trimmed, its final
/// punctuation dropped, and its first word lowercased when it is a common
/// word that was capitalized only for starting the field.
pub(crate) fn clause(s: &str) -> String {
    let mut s = s.trim();
    loop {
        let cut = s
            .trim_end_matches(FINAL_MARKS)
            .trim_end_matches([';', ',', ':', '；', '，', '：'])
            .trim_end();
        if cut.len() == s.len() {
            break;
        }
        s = cut;
    }
    lower_start(s)
}

/// `s` with its first word lowercased when it is a common word that was
/// capitalized only for starting the field.
fn lower_start(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let bare = first_word.trim_end_matches([',', ':', ';']);
    let titlecase = {
        let mut chars = bare.chars();
        chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
    };
    let lower = bare.to_lowercase();
    // "Hiring Is Hard" is a title, capitals and all; "A Coffee" is not.
    let title_case = !matches!(lower.as_str(), "a" | "an" | "the")
        && s.split_whitespace()
            .nth(1)
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    if titlecase && !title_case && COMMON_STARTS.contains(&lower.as_str()) {
        let mut chars = s.chars();
        let first = chars.next().map(|c| c.to_lowercase().collect::<String>());
        return first.unwrap_or_default() + chars.as_str();
    }
    s.to_string()
}

/// Past this many words, [`brief`] shortens a clause.
const BRIEF_WORDS: usize = 14;

/// `s` as a [`clause`] short enough for a one-line reminder: a long one
/// is cut where its first part ends (a comma, a semicolon, a dash, or an
/// `and`), or else after [`BRIEF_WORDS`] words.
pub(crate) fn brief(s: &str) -> String {
    let whole = clause(s);
    let words: Vec<&str> = whole.split_whitespace().collect();
    if words.len() <= BRIEF_WORDS {
        return whole;
    }
    let end = (4..BRIEF_WORDS)
        .find(|&i| {
            words[i - 1].ends_with([',', ';', ':']) || matches!(words[i], "and" | "-" | "–" | "—")
        })
        .unwrap_or(BRIEF_WORDS);
    clause(&words[..end].join(" "))
}

/// True when `s` ends in a final mark, perhaps inside a closing quote or
/// bracket.
pub(crate) fn ends_a_sentence(s: &str) -> bool {
    s.trim_end()
        .trim_end_matches(CLOSERS)
        .ends_with(FINAL_MARKS)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The words of a message body, as a reader counts them.
pub(crate) fn word_count(body: &str) -> usize {
    body.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Make the filters available to `tera`'s templates.
pub(crate) fn register(tera: &mut tera::Tera) {
    tera.register_filter("sentence", filter(sentence));
    tera.register_filter("clause", filter(clause));
    tera.register_filter("full_stop", filter(full_stop));
    tera.register_filter("ending", filter(ending));
    tera.register_filter("brief", filter(brief));
}

/// A tera filter applying `f` to a string; an absent value (null) stays
/// empty, so `{{ wants | clause }}` needs no `if` to render.
fn filter(
    f: fn(&str) -> String,
) -> impl Fn(&tera::Value, &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    move |value, _| match value {
        tera::Value::Null => Ok(tera::Value::String(String::new())),
        tera::Value::String(s) => Ok(tera::Value::String(f(s))),
        other => Ok(tera::Value::String(f(&other.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_gains_its_capital_and_keeps_one_final_mark() {
        assert_eq!(sentence("writes compilers"), "Writes compilers.");
        assert_eq!(sentence("Writes compilers."), "Writes compilers.");
        assert_eq!(sentence("survived a migration!"), "Survived a migration!");
        assert_eq!(sentence("  is it?  "), "Is it?");
        assert_eq!(sentence("more to come..."), "More to come...");
        assert_eq!(sentence("more to come…"), "More to come…");
        assert_eq!(sentence("(ideally soon.)"), "(ideally soon.)");
        assert_eq!(sentence("a list;"), "A list.");
        assert_eq!(sentence("élan"), "Élan.");
        assert_eq!(sentence("王小明"), "王小明.");
        assert_eq!(sentence("在深圳做硬件创业。"), "在深圳做硬件创业。");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn a_clause_loses_its_final_marks_and_a_capital_only_a_sentence_gave() {
        assert_eq!(
            clause("to pick your brain about hiring a first engineer?"),
            "to pick your brain about hiring a first engineer"
        );
        assert_eq!(
            clause("Coffee after your Thursday lecture."),
            "coffee after your Thursday lecture"
        );
        assert_eq!(
            clause("Because you both survived it!"),
            "because you both survived it"
        );
        assert_eq!(clause("Hannah's 2019 paper..."), "Hannah's 2019 paper");
        assert_eq!(clause("Zoom call"), "Zoom call");
        assert_eq!(clause("Hiring Is Hard"), "Hiring Is Hard");
        assert_eq!(clause("A Coffee"), "a Coffee");
        assert_eq!(clause("I think so."), "I think so");
        assert_eq!(clause("NASA's review;"), "NASA's review");
        assert_eq!(
            clause("A 20-minute call (ideally Tuesday)."),
            "a 20-minute call (ideally Tuesday)"
        );
        assert_eq!(clause("?!"), "");
    }

    #[test]
    fn an_ending_keeps_the_mark_the_user_chose() {
        assert_eq!(
            ending("Because you both survived it!"),
            "because you both survived it!"
        );
        assert_eq!(ending("Isn't it time you met?"), "Isn't it time you met?");
        assert_eq!(
            ending("you both love databases..."),
            "you both love databases..."
        );
        assert_eq!(ending("The storage traces;"), "the storage traces.");
        assert_eq!(ending("compilers"), "compilers.");
        assert_eq!(ending("你们都研究分布式系统。"), "你们都研究分布式系统。");
    }

    #[test]
    fn a_full_stop_is_added_once_and_the_capital_left_alone() {
        assert_eq!(full_stop("Tom Reed Jr."), "Tom Reed Jr.");
        assert_eq!(full_stop("danah boyd"), "danah boyd.");
    }

    #[test]
    fn brief_keeps_the_first_part_of_a_long_clause() {
        assert_eq!(brief("Advice on hiring."), "advice on hiring");
        assert_eq!(
            brief(
                "an honest account of what you would do differently, which parts were worth it, and more besides"
            ),
            "an honest account of what you would do differently"
        );
        let long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen";
        assert_eq!(brief(long).split_whitespace().count(), 14);
    }

    #[test]
    fn words_are_counted_as_a_reader_counts_them() {
        assert_eq!(word_count("Hi Ada,\n\n-- \nThanks - Grace"), 4);
    }
}
