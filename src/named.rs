//! Names for the small closed sets of the command line (workloads, models,
//! schedules, codecs): one macro gives each its `Display` and a
//! case-insensitive `FromStr` over its `ALL` list and `name()`.

/// Implements `Display` (the name) and `FromStr` (any name in `ALL`,
/// case-insensitive, trimmed; else "unknown KIND 'text'") for a type with
/// `const ALL: [Self; N]` and `fn name(self) -> &'static str`.
macro_rules! impl_named {
    ($ty:ident, $kind:literal) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::ALL
                    .into_iter()
                    .find(|v| v.name().eq_ignore_ascii_case(s.trim()))
                    .ok_or_else(|| format!(concat!("unknown ", $kind, " '{}'"), s))
            }
        }
    };
}
