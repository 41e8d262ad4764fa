//! Small text helpers that more than one layer needs.

/// The longest prefix every word shares: how far one tab can complete with
/// certainty (the shell's rule, for `:` commands and for paths alike).
pub fn common_prefix<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut words = words.into_iter();
    let Some(first) = words.next() else {
        return String::new();
    };
    let mut common = first.to_string();
    for other in words {
        while !other.starts_with(&common) {
            common.pop();
        }
    }
    common
}

/// Quote a word for a POSIX shell only when it needs it.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '@' | ',' | '+' | '%')
        });
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `text` for a URL's query: everything but unreserved characters as %XX.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(percent_encode("cookbook:latest"), "cookbook%3Alatest");
        assert_eq!(percent_encode("dir/Dockerfile.dev"), "dir%2FDockerfile.dev");
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
    }

    use super::common_prefix;

    #[test]
    fn the_shared_start_of_every_word() {
        assert_eq!(common_prefix(["deploy", "deployments", "depot"]), "dep");
        assert_eq!(common_prefix(["pods"]), "pods");
        assert_eq!(common_prefix(["svc", "pods"]), "");
        assert_eq!(common_prefix(["héllo", "hélp"]), "hél");
        assert_eq!(common_prefix(Vec::<&str>::new()), "");
    }
}
