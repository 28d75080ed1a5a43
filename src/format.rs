//! Human-readable numbers for tables and labels: bytes, durations, ratios.

/// Bytes with a binary unit: `0 B`, `512 B`, `64.0 KiB`, `1.50 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else if value >= 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

/// Bytes as short as they go: `512 B`, `64 KiB`, `1.5 MiB` (for axis
/// ticks, where powers of two are the rule).
pub fn bytes_short(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// A duration in seconds with a unit that keeps 3 significant digits:
/// `812 µs`, `12.3 ms`, `1.23 s`.
pub fn seconds(s: f64) -> String {
    if !s.is_finite() {
        return "—".to_string();
    }
    if s == 0.0 {
        return "0 s".to_string();
    }
    let (value, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else if s >= 1e-6 {
        (s * 1e6, "µs")
    } else {
        (s * 1e9, "ns")
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else if value >= 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}

/// A count with thousands separated: `8,000,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a share of `whole`, in percent: `30 %`, and to two decimals
/// under 1 % so that a small loss never reads as none: `0.04 %`.
pub fn share(part: u64, whole: u64) -> String {
    let percent = if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    };
    if percent > 0.0 && percent < 1.0 {
        format!("{percent:.2} %")
    } else {
        format!("{percent:.0} %")
    }
}

/// A speedup to two decimals: `1.00×`, `3.33×`.
pub fn speedup(s: f64) -> String {
    format!("{s:.2}×")
}

/// An efficiency (1.0 = every worker fully used) in whole percent: `83 %`.
pub fn efficiency(e: f64) -> String {
    format!("{:.0} %", e * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_bytes_and_seconds() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(65536), "64.0 KiB");
        assert_eq!(bytes(1536 * 1024), "1.50 MiB");
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(0.000812), "812 µs");
        assert_eq!(seconds(2.5e-8), "25.0 ns");
        assert_eq!(count(8_000_000), "8,000,000");
        assert_eq!(count(999), "999");
        assert_eq!(share(1, 2500), "0.04 %");
        assert_eq!(share(3, 10), "30 %");
        assert_eq!(speedup(10.0 / 3.0), "3.33×");
        assert_eq!(efficiency(0.8333), "83 %");
    }
}
