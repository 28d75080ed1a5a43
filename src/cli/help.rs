//! `--help` that fits an 80-column terminal: every argument's help on the
//! line under its flag, and every help text and command description
//! wrapped to the width left (clap prints them as given).

use clap::Command;

/// The terminal width `--help` fits.
pub const WIDTH: usize = 80;
/// How far clap indents an argument's help on the line under its flag.
const HELP_INDENT: usize = 10;
/// The widest subcommand name column (two spaces, the name, two spaces).
const COMMAND_COLUMN: usize = 14;

/// `command` and its subcommands with their help fitted to [`WIDTH`].
pub fn fit(command: Command) -> Command {
    let about = command
        .get_about()
        .map(|about| wrap(&about.to_string(), WIDTH - COMMAND_COLUMN));
    let command = match about {
        Some(about) => command.about(about).long_about(None),
        None => command,
    };
    command
        .next_line_help(true)
        .mut_args(fit_arg)
        .mut_subcommands(fit)
}

/// One argument's help, its default appended, wrapped under its flag.
fn fit_arg(arg: clap::Arg) -> clap::Arg {
    let Some(help) = arg.get_help().map(ToString::to_string) else {
        return arg;
    };
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    // A switch (`--dark`) shows no default; a value's default is written
    // into its help so that the wrapping counts it.
    let takes_value = arg.get_action().takes_values();
    if !takes_value || defaults.is_empty() || arg.is_hide_default_value_set() {
        return arg.help(wrap(&help, WIDTH - HELP_INDENT)).long_help(None);
    }
    let text = format!("{help} [default: {}]", defaults.join(","));
    arg.help(wrap(&text, WIDTH - HELP_INDENT))
        .long_help(None)
        .hide_default_value(true)
}

/// `text` broken into lines of at most `width` characters at spaces (a
/// word longer than the line keeps a line of its own).
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let fits = line.chars().count() + 1 + word.chars().count() <= width;
            if line.is_empty() {
                line.push_str(word);
            } else if fits {
                line.push(' ');
                line.push_str(word);
            } else {
                lines.push(std::mem::take(&mut line));
                line.push_str(word);
            }
        }
        lines.push(line);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "one two three four five six seven eight nine ten";
        let wrapped = wrap(text, 14);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 14),
            "{wrapped}"
        );
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>().join(" "),
            text
        );
    }

    #[test]
    fn every_help_line_fits_80_columns() {
        let mut command = super::super::command();
        let mut pending = vec![command.render_long_help().to_string()];
        command.build();
        for sub in command.get_subcommands_mut() {
            pending.push(sub.render_long_help().to_string());
        }
        for help in pending {
            for line in help.lines() {
                assert!(line.chars().count() <= WIDTH, "{line}");
            }
        }
    }
}
