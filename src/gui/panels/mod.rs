//! The panels around the charts, one file each: the top bar
//! (`top_bar.rs`), the experiment form (`form.rs`), the run panel under it
//! (`run_panel.rs`) with the "Your code" workload's rows (`your_code.rs`),
//! and the results table (`results_table.rs`). Each panel
//! takes the narrow state it draws (and edits the settings it shows);
//! everything else it asks for is a [`super::command::Command`].

mod form;
mod results_table;
mod run_panel;
mod top_bar;
mod your_code;

pub use form::{TypedPaths, experiment_ui};
pub use results_table::{SortColumn, TableSort, results_table_ui};
pub use run_panel::{RunPanel, describe_spec_error};
pub use top_bar::{TopBar, confirm_clear_ui, top_bar_ui};

/// The plural ending of a count of `n`.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
