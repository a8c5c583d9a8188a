//! Small text helpers shared by contacts, templates and messages.

/// True when `s` would break a header line.
pub(crate) fn has_line_break(s: &str) -> bool {
    s.contains(['\r', '\n'])
}

/// Words written before a name that are not the name: greeting "Hi Dr."
/// reads as machine-made. Compared without case and without a final `.`.
const TITLES: &[&str] = &[
    "dr",
    "doctor",
    "prof",
    "professor",
    "mr",
    "mrs",
    "ms",
    "mx",
    "miss",
    "mister",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "revd",
    "reverend",
    "fr",
    "father",
    "hon",
    "capt",
    "captain",
    "col",
    "gen",
    "maj",
    "lt",
    "sgt",
    "judge",
    "rabbi",
    "imam",
    "pastor",
    "herr",
    "frau",
    "mme",
    "mlle",
    "dott",
    "dott.ssa",
    "ing",
    "ir",
    "prof.dr",
    "sra",
    "sr.a",
    "srta",
];

/// Words written after a name: generations, degrees, honours.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "v", "phd", "ph.d", "md", "m.d", "dds", "esq", "mba", "msc",
    "bsc", "ma", "ba", "obe", "mbe", "cbe", "kbe", "frs", "cpa", "pe", "rn",
];

fn is_one_of(word: &str, list: &[&str]) -> bool {
    let word = word.trim_end_matches(['.', ',']).to_lowercase();
    !word.is_empty() && list.contains(&word.as_str())
}

/// Why a first name derived from a full name may be wrong, so the user
/// can set `first_name` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Guess {
    /// A title was dropped (`Dr. Rafael Ortiz` gives `Rafael`).
    TitleDropped(String),
    /// The name was read as `Last, First`.
    CommaForm,
}

impl std::fmt::Display for Guess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Guess::TitleDropped(title) => write!(f, "the title `{title}` was dropped"),
            Guess::CommaForm => write!(f, "it was read as `Last, First`"),
        }
    }
}

/// The name a person is greeted by, derived from their full name: titles
/// before it and suffixes after it are dropped, `Last, First` gives First,
/// and a name without spaces (as CJK names are written) is used whole.
/// Also says when that took a guess.
pub(crate) fn derive_first_name(full: &str) -> (&str, Option<Guess>) {
    let full = full.trim();
    let mut parts: Vec<&str> = full.split(',').map(str::trim).collect();
    // `King, Jr.` or `Ada Lovelace, PhD`: the parts after a comma that are
    // only suffixes say nothing about the order of the name.
    while parts.len() > 1
        && parts
            .last()
            .is_some_and(|p| p.split_whitespace().all(|w| is_one_of(w, SUFFIXES)))
    {
        parts.pop();
    }
    let mut guess = None;
    let given = match parts.as_slice() {
        [one] => *one,
        [_, rest @ ..] if rest.iter().any(|p| !p.is_empty()) => {
            guess = Some(Guess::CommaForm);
            rest.iter().find(|p| !p.is_empty()).copied().unwrap_or(full)
        }
        _ => full,
    };
    let words: Vec<&str> = given.split_whitespace().collect();
    let mut first = 0;
    // Leave at least one word: a person called "Sir" is still greeted.
    while first + 1 < words.len() && is_one_of(words[first], TITLES) {
        first += 1;
    }
    if first > 0 && guess.is_none() {
        guess = Some(Guess::TitleDropped(words[..first].join(" ")));
    }
    match words.get(first) {
        Some(word) => (word.trim_end_matches(','), guess),
        None => (full, None),
    }
}

/// A full name as it reads in a sentence: `Okafor, Ngozi` is `Ngozi
/// Okafor`; a suffix after a comma (`King, Jr.`) and any other name stay
/// as written.
pub(crate) fn natural_name(full: &str) -> String {
    let full = full.trim();
    let parts: Vec<&str> = full.split(',').map(str::trim).collect();
    let suffixes = parts
        .iter()
        .rev()
        .take_while(|p| p.split_whitespace().all(|w| is_one_of(w, SUFFIXES)))
        .count();
    let (name, suffix) = parts.split_at(parts.len() - suffixes);
    match name {
        [family, given] if !family.is_empty() && !given.is_empty() => {
            let mut out = format!("{given} {family}");
            for s in suffix.iter().filter(|s| !s.is_empty()) {
                out.push_str(", ");
                out.push_str(s);
            }
            out
        }
        _ => full.to_string(),
    }
}

/// The name a person is greeted by (see [`derive_first_name`]).
pub(crate) fn first_name(full: &str) -> &str {
    derive_first_name(full).0
}

/// The first `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_name_is_the_first_word() {
        assert_eq!(first_name("Ada Lovelace"), "Ada");
        assert_eq!(first_name("  Grace  "), "Grace");
        assert_eq!(first_name(""), "");
    }

    #[test]
    fn names_in_sentences_read_given_name_first() {
        assert_eq!(natural_name("Okafor, Ngozi"), "Ngozi Okafor");
        assert_eq!(natural_name("Lévesque, Renée, PhD"), "Renée Lévesque, PhD");
        assert_eq!(
            natural_name("Martin Luther King, Jr."),
            "Martin Luther King, Jr."
        );
        assert_eq!(natural_name("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(natural_name("王小明"), "王小明");
    }

    #[test]
    fn first_names_leave_out_titles_and_suffixes() {
        let plain = derive_first_name;
        assert_eq!(plain("Mei-Ling Chen"), ("Mei-Ling", None));
        assert_eq!(plain("José María Núñez"), ("José", None));
        assert_eq!(plain("Martin Luther King, Jr."), ("Martin", None));
        assert_eq!(plain("Ada Lovelace, PhD"), ("Ada", None));
        assert_eq!(plain("王小明"), ("王小明", None));
        assert_eq!(plain("Sir"), ("Sir", None));
        assert_eq!(plain("Prince"), ("Prince", None));
        assert_eq!(
            plain("Dr. Rafael Ortiz"),
            ("Rafael", Some(Guess::TitleDropped("Dr.".into())))
        );
        assert_eq!(
            plain("Prof. Dr. Hannah Weiß"),
            ("Hannah", Some(Guess::TitleDropped("Prof. Dr.".into())))
        );
        assert_eq!(
            plain("DAME Judi Dench"),
            ("Judi", Some(Guess::TitleDropped("DAME".into())))
        );
        assert_eq!(plain("Okafor, Ngozi"), ("Ngozi", Some(Guess::CommaForm)));
        assert_eq!(
            plain("Okafor, Dr. Ngozi"),
            ("Ngozi", Some(Guess::CommaForm))
        );
        assert_eq!(plain("Okafor,"), ("Okafor", None));
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo world", 6), "héllo…");
    }

    #[test]
    fn line_breaks_are_cr_or_lf() {
        assert!(has_line_break("a\rb"));
        assert!(has_line_break("a\nb"));
        assert!(!has_line_break("a\tb"));
    }
}
