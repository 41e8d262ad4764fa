//! How far back a log starts (`kubectl logs --since=10m`): Go's duration
//! syntax, as kubectl reads and prints it, in whole seconds.

/// The choices `t` cycles through in a Deployment's logs: None is the last
/// lines of each pod (`--tail`), then ever further back.
pub const SINCE_CHOICES: [Option<u32>; 4] = [None, Some(60), Some(600), Some(3600)];

/// The choice after `current` in [`SINCE_CHOICES`] (a value typed with
/// `:logs --since` that is not among them goes back to the first).
pub fn next_since(current: Option<u32>) -> Option<u32> {
    let at = SINCE_CHOICES.iter().position(|c| *c == current);
    at.and_then(|i| SINCE_CHOICES.get(i + 1).copied())
        .unwrap_or(SINCE_CHOICES[0])
}

/// `90s`, `10m`, `1h30m` (units h, m, s; at least one second) into seconds.
pub fn parse_since(text: &str) -> Result<u32, String> {
    let refuse =
        || format!("'{text}' is not a duration: write it as kubectl does, e.g. 30s, 10m or 1h");
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(refuse()),
        };
        let amount: u64 = digits.parse().map_err(|_| refuse())?;
        total = total.saturating_add(amount.saturating_mul(unit));
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(refuse());
    }
    u32::try_from(total).map_err(|_| format!("{text} is further back than a log keeps"))
}

/// Seconds as kubectl's flag takes them back: `1h`, `10m`, `1m30s`.
pub fn since_flag(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut text = String::new();
    for (amount, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
        if amount > 0 {
            text.push_str(&format!("{amount}{unit}"));
        }
    }
    if text.is_empty() { "0s".into() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_kubectl_writes_them() {
        assert_eq!(parse_since("10m"), Ok(600));
        assert_eq!(parse_since("1h30m"), Ok(5400));
        assert_eq!(parse_since("45s"), Ok(45));
        for bad in ["", "10", "m", "10x", "-5m", "0s", "1.5h"] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
        assert!(parse_since("99999999h").is_err());
        for seconds in [1, 59, 60, 90, 600, 3600, 5400, 86_399] {
            assert_eq!(parse_since(&since_flag(seconds)), Ok(seconds));
        }
        assert_eq!(since_flag(600), "10m");
        assert_eq!(since_flag(5400), "1h30m");
    }

    #[test]
    fn choices_cycle_back_to_the_last_lines() {
        let mut seen = vec![None];
        let mut current = None;
        for _ in 0..SINCE_CHOICES.len() {
            current = next_since(current);
            seen.push(current);
        }
        assert_eq!(seen, vec![None, Some(60), Some(600), Some(3600), None]);
        assert_eq!(
            next_since(Some(45)),
            None,
            "a typed value goes back to the first choice"
        );
    }
}
