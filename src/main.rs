//! The corescope executable: parses arguments and hands them to the command
//! line front end. The same binary serves as its own worker process through
//! the hidden `__worker` subcommand.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = corescope::cli::parse();
    corescope::cli::commands::execute(cli)
}
