//! Learning: the command line every action stands for, the History of what
//! was done (and its export as a script), and the guided tour.

pub mod help;
pub mod history;
pub mod last_change;
pub mod learn_line;
pub mod tour;
pub mod tour_steps;
pub mod undo;

#[cfg(test)]
mod update_help_tests;
#[cfg(test)]
mod update_tour_tests;
#[cfg(test)]
mod update_undo_tests;
