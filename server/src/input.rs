//! The rules for the names people choose: usernames and passkey labels. The
//! schema's descriptions of `username` and `label` state these rules; keep
//! the two in step.

/// The most characters a username or a label may have.
pub const MAX_NAME_CHARS: usize = 64;

/// Checks a username: 1 to 64 ASCII letters, digits and `.` `_` `-` `@`
/// `+`. ASCII keeps look-alike names apart (a Cyrillic `а` in `аlice`
/// cannot pose as `alice`) and makes case folding exact; the punctuation
/// admits e-mail addresses. Returns why not, in words for the API's
/// message.
pub fn validate_username(username: &str) -> Result<(), String> {
    if username.is_empty() {
        return Err("`username` is empty".to_owned());
    }
    if username.len() > MAX_NAME_CHARS {
        return Err(format!(
            "`username` has {} characters; at most {MAX_NAME_CHARS} are allowed",
            username.chars().count()
        ));
    }
    if let Some(bad) = username
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')))
    {
        return Err(format!(
            "`username` contains {}; only ASCII letters, digits and `.` `_` `-` `@` `+` are allowed",
            describe(bad)
        ));
    }
    Ok(())
}

/// Checks a passkey label: 1 to 64 characters, no control or
/// text-direction characters, no white space at either end. Labels are
/// shown to their owner, so anything that could disguise one label as
/// another, or break the page that lists them, is refused.
pub fn validate_label(label: &str) -> Result<(), String> {
    let count = label.chars().count();
    if count == 0 {
        return Err("`label` is empty".to_owned());
    }
    if count > MAX_NAME_CHARS {
        return Err(format!(
            "`label` has {count} characters; at most {MAX_NAME_CHARS} are allowed"
        ));
    }
    if let Some(bad) = label
        .chars()
        .find(|&c| c.is_control() || is_direction_control(c))
    {
        return Err(format!(
            "`label` contains {}, a control character",
            describe(bad)
        ));
    }
    if label.starts_with(char::is_whitespace) || label.ends_with(char::is_whitespace) {
        return Err("`label` starts or ends with white space".to_owned());
    }
    Ok(())
}

// The bidirectional formatting characters of Unicode's "Trojan Source"
// advisory (CVE-2021-42574): they reorder how the text around them is shown.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

// Names the offending character in a form that survives any terminal or
// JSON viewer: a code point, plus the character itself when printable.
fn describe(c: char) -> String {
    if c.is_control() || is_direction_control(c) || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_accepted() {
        for username in [
            "alice",
            "Bob_99",
            "a",
            "first.last+tag@example.com",
            &"x".repeat(64),
        ] {
            assert_eq!(validate_username(username), Ok(()), "{username}");
        }
    }

    #[test]
    fn usernames_refused_with_the_reason() {
        let cases = [
            ("", "empty"),
            (&*"x".repeat(65), "65 characters"),
            ("al ice", "U+0020"),
            ("аlice", "`а` (U+0430)"),
            ("alice\n", "U+000A"),
            ("bob/..", "`/` (U+002F)"),
        ];
        for (username, reason) in cases {
            let error = validate_username(username).expect_err(username);
            assert!(error.contains(reason), "{username:?}: {error}");
        }
    }

    #[test]
    fn labels_accepted() {
        for label in [
            "Laptop",
            "Téléphone de Zoë",
            "🔑 YubiKey 5",
            "a b",
            &"é".repeat(64),
        ] {
            assert_eq!(validate_label(label), Ok(()), "{label}");
        }
    }

    #[test]
    fn labels_refused_with_the_reason() {
        let cases = [
            ("", "empty"),
            (&*"é".repeat(65), "65 characters"),
            ("Lap\u{7}top", "U+0007"),
            ("evil\u{202E}pot", "U+202E"),
            (" Laptop", "white space"),
            ("Laptop\t", "U+0009"),
        ];
        for (label, reason) in cases {
            let error = validate_label(label).expect_err(label);
            assert!(error.contains(reason), "{label:?}: {error}");
        }
    }
}
