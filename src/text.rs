//! Small text helpers shared by contacts, templates and messages.

/// True when `s` would break a header line.
pub fn has_line_break(s: &str) -> bool {
    s.contains(['\r', '\n'])
}

/// The name a person is greeted by: the first word of their full name.
pub fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}

/// The first `max` characters of `s`, with an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
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
