//! The way out of an error that a person takes by changing a setting, kept
//! apart from the words for it: the library says which setting of the
//! settings catalogue (the interpreter, the hostfile) and each front end
//! names it its own way (the command line its flag, the window its form
//! field), so no front end rewrites another's message.

use std::fmt::Display;

/// The setting an error's way out changes (the interpreter, the
/// hostfile), and a front end's words for settings: names of the settings
/// catalogue.
pub use crate::settings::{Setting, SettingNames};

/// How changing a setting gets past an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Changing the setting is the way out.
    Set(Setting),
    /// The message names a way out already; changing the setting is the
    /// other one.
    OrSet(Setting),
}

impl Remedy {
    /// The setting to change.
    pub fn setting(self) -> Setting {
        match self {
            Remedy::Set(setting) | Remedy::OrSet(setting) => setting,
        }
    }

    /// `message` followed by the remedy, the setting named by `names`.
    pub fn word(self, message: &str, names: SettingNames) -> String {
        let name = names(self.setting());
        match self {
            Remedy::Set(_) => format!("{message} (set {name})"),
            Remedy::OrSet(_) => format!("{message}, or set {name}"),
        }
    }
}

/// An error that changing a setting may get past.
pub trait Remedied: Display {
    /// The way out, if a setting is one.
    fn remedy(&self) -> Option<Remedy>;

    /// The error's message with its way out, worded with `names`.
    fn worded(&self, names: SettingNames) -> String {
        let message = self.to_string();
        match self.remedy() {
            Some(remedy) => remedy.word(&message, names),
            None => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(setting: Setting) -> &'static str {
        setting.flag()
    }

    #[test]
    fn a_remedy_follows_the_message_in_the_front_ends_words() {
        assert_eq!(
            Remedy::Set(Setting::Python).word("python9 not found on PATH", flags),
            "python9 not found on PATH (set --python)"
        );
        assert_eq!(
            Remedy::OrSet(Setting::Hostfile).word("install it", flags),
            "install it, or set --hostfile"
        );
    }
}
