//! Password rules, following OWASP ASVS 4.0.3 section V2.1.
//!
//! Length and guessability matter; composition rules ("one capital, one digit") do not
//! (ASVS 2.1.9), so there are none. Guessability is judged by `zxcvbn`, whose dictionaries
//! include the most common (and most breached) passwords.

use zxcvbn::Score;

/// Fewest characters allowed (ASVS 2.1.1).
pub const MIN_CHARS: usize = 12;
/// Most characters allowed (ASVS 2.1.2 asks that at least 64 be permitted).
pub const MAX_CHARS: usize = 128;

/// Shortest e-mail local part worth looking for inside a password: shorter ones ("jo")
/// turn up inside ordinary words and would refuse good passphrases.
const MIN_LOCAL_PART_CHARS: usize = 4;

/// Checks a new password, returning a plain-English reason when it is refused.
///
/// `context` is what an attacker would try first for this person: their e-mail address,
/// name, the council's name. A password built from those is refused.
///
/// The password is checked exactly as typed: spaces are kept (ASVS 2.1.3) and any printable
/// Unicode is welcome (ASVS 2.1.4). Only invisible control characters are refused, since
/// they cannot be typed reliably and so would lock the person out.
pub fn check_password(password: &str, context: &[&str]) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "Your password must be at least {MIN_CHARS} characters long"
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!(
            "Your password must be at most {MAX_CHARS} characters long"
        ));
    }
    if password.chars().any(char::is_control) {
        return Err("Your password must not contain invisible control characters".to_owned());
    }

    // Separators are ignored so that "Jane Smith 2024" counts as containing "jane.smith".
    let folded = alphanumeric_lower(password);
    for entry in context {
        if let Some((local, _domain)) = entry.rsplit_once('@') {
            let local = alphanumeric_lower(local);
            if local.chars().count() >= MIN_LOCAL_PART_CHARS && folded.contains(&local) {
                return Err("Your password must not contain your e-mail address".to_owned());
            }
        }
    }

    let inputs = user_inputs(context);
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() < Score::Three {
        let warning = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map(|warning| lower_first(&warning.to_string()));
        return Err(match warning {
            Some(warning) => format!("{TOO_EASY}: {warning} {ADVICE}"),
            None => format!("{TOO_EASY}. {ADVICE}"),
        });
    }
    // zxcvbn's score 3 still allows about 10^8 guesses. That is acceptable for a random
    // password but not when the guesses start from what an attacker knows about this person
    // ("LondonBexley2024"), so a password that the context made easier must reach score 4.
    if estimate.score() < Score::Four && !inputs.is_empty() {
        let blind = zxcvbn::zxcvbn(password, &[]);
        if estimate.guesses() < blind.guesses() {
            return Err(format!(
                "{TOO_EASY}: it is built from your name, e-mail address or the council's name. {ADVICE}"
            ));
        }
    }
    Ok(())
}

const TOO_EASY: &str = "This password is too easy to guess";
const ADVICE: &str = "Try a phrase of three or four unrelated words.";

/// Lower-case letters and digits only, for matching regardless of case and separators.
fn alphanumeric_lower(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The context entries plus their separate words, so that "jane.smith@bexley.gov.uk" also
/// makes "jane", "smith" and "bexley" cheap guesses, as they would be for an attacker.
fn user_inputs(context: &[&str]) -> Vec<String> {
    let mut inputs: Vec<String> = Vec::new();
    for entry in context {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        inputs.push(entry.to_owned());
        for word in entry.split(|c: char| !c.is_alphanumeric()) {
            if word.chars().count() >= 3 && !inputs.iter().any(|i| i == word) {
                inputs.push(word.to_owned());
            }
        }
    }
    inputs
}

/// zxcvbn's warnings are sentences; after a colon they read better starting lower-case.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "jane.smith@bexley.gov.uk";
    const CONTEXT: [&str; 2] = [EMAIL, "London Borough of Bexley"];

    #[test]
    fn long_unrelated_passphrases_are_accepted() {
        for ok in [
            "correct horse battery staple",
            "tangerine oboe glacier umbrella",
            "Wobbly penguins audit the lighthouse",
            "quiet kettle, loud marmalade & 7 owls",
        ] {
            assert_eq!(check_password(ok, &CONTEXT), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unicode_passphrase_is_accepted() {
        for ok in [
            "café crème brûlée au citron vert",
            "Ньютон видел яблоко в саду",
            "🦔 hedgehogs 🌧 prefer drizzle 🫖",
        ] {
            assert_eq!(check_password(ok, &CONTEXT), Ok(()), "{ok}");
        }
    }

    #[test]
    fn common_passwords_are_refused_with_zxcvbn_feedback() {
        let err = check_password("password1234", &CONTEXT)
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("This password is too easy to guess"),
            "{err}"
        );
        for weak in [
            "qwertyuiop123",
            "aaaaaaaaaaaaaaaa",
            "abcdefghijklmnop",
            "iloveyou12345",
        ] {
            assert!(check_password(weak, &CONTEXT).is_err(), "{weak}");
        }
    }

    #[test]
    fn length_limits_count_characters() {
        assert_eq!(
            check_password("Zq8#vL2!mW9", &[]),
            Err("Your password must be at least 12 characters long".to_owned())
        );
        // Twelve two-byte characters are long enough even though they are 24 bytes.
        assert!(check_password("ŵŷţģķľşđźžćň", &[]).is_ok());
        let too_long = "x7Qp".repeat(32) + "z";
        assert_eq!(too_long.chars().count(), 129);
        assert_eq!(
            check_password(&too_long, &[]),
            Err("Your password must be at most 128 characters long".to_owned())
        );
    }

    #[test]
    fn random_128_characters_are_accepted() {
        // A fixed pseudo-random pick from printable ASCII, so the test is repeatable.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let random: String = (0..MAX_CHARS)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                char::from(b' ' + ((seed >> 33) % 95) as u8)
            })
            .collect();
        assert_eq!(random.chars().count(), 128);
        assert_eq!(check_password(&random, &CONTEXT), Ok(()));
    }

    #[test]
    fn spaces_are_kept_not_trimmed() {
        // Eleven characters plus a leading space is twelve: the space counts.
        assert_eq!(check_password(" Zq8#vL2!mW9", &[]), Ok(()));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(
            check_password("tangerine oboe\u{0}glacier", &[]),
            Err("Your password must not contain invisible control characters".to_owned())
        );
    }

    #[test]
    fn the_email_address_and_its_local_part_are_refused() {
        assert_eq!(
            check_password(EMAIL, &CONTEXT),
            Err("Your password must not contain your e-mail address".to_owned())
        );
        for with_local_part in ["tangerine JANE.SMITH oboe", "Jane Smith owns 7 llamas"] {
            assert_eq!(
                check_password(with_local_part, &CONTEXT),
                Err("Your password must not contain your e-mail address".to_owned())
            );
        }
        // Short local parts are not searched for: "jo" is in "jovial".
        assert_eq!(
            check_password("jovial tangerine oboe glacier", &["jo@bexley.gov.uk"]),
            Ok(())
        );
    }

    #[test]
    fn passwords_built_from_context_are_refused() {
        let built = "This password is too easy to guess: it is built from your name, e-mail address or the council's name. Try a phrase of three or four unrelated words.";
        for weak in ["LondonBexley2024", "smithbexley!!", "BexleyBorough1"] {
            // Each would pass without the context; with it, it is refused.
            assert_eq!(check_password(weak, &[]), Ok(()), "{weak}");
            assert_eq!(
                check_password(weak, &CONTEXT),
                Err(built.to_owned()),
                "{weak}"
            );
        }
        let err = check_password("London Borough of Bexley", &CONTEXT);
        assert!(
            err.as_ref()
                .is_err_and(|e| e.starts_with("This password is too easy to guess")),
            "{err:?}"
        );
        // A context word inside an otherwise strong passphrase is fine.
        assert_eq!(
            check_password("bexley tangerine oboe glacier", &CONTEXT),
            Ok(())
        );
    }

    #[test]
    fn no_composition_rules() {
        // All lower-case letters and spaces, no digits or symbols: fine when long and random.
        assert_eq!(check_password("velvet quarry mosaic thimble", &[]), Ok(()));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn never_panics(password in ".{0,140}", email in ".{0,40}") {
            let context = [email.as_str(), "London Borough of Bexley"];
            if let Err(message) = check_password(&password, &context) {
                proptest::prop_assert!(message.starts_with("Your password") || message.starts_with(TOO_EASY));
            }
        }
    }

    #[test]
    fn user_inputs_include_words_of_each_entry() {
        let inputs = user_inputs(&[EMAIL, " ", "Bexley Council"]);
        assert_eq!(
            inputs,
            [
                EMAIL,
                "jane",
                "smith",
                "bexley",
                "gov",
                "Bexley Council",
                "Bexley",
                "Council"
            ]
        );
    }

    #[test]
    fn lower_first_handles_empty_and_unicode() {
        assert_eq!(lower_first(""), "");
        assert_eq!(lower_first("This is"), "this is");
        assert_eq!(lower_first("Émile"), "émile");
    }
}
