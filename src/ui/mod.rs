//! What the user sees and touches in the terminal: output and its colors,
//! views of requests, tables, the pager and the editor. May import
//! `domain`, `setup` and `store`.

pub(crate) mod editor;
pub(crate) mod ics;
pub(crate) mod output;
pub(crate) mod pager;
pub(crate) mod table;
pub(crate) mod view;
