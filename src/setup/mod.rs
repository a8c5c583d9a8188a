//! What the user sets up and hands intro: the config, the contacts file
//! (and its edits and vCard imports), batch files, the environment and
//! secrets. May import `domain`.

pub(crate) mod batch_csv;
pub(crate) mod config;
pub(crate) mod contacts;
pub(crate) mod contacts_edit;
pub(crate) mod env;
pub(crate) mod import;
pub(crate) mod prefers;
pub(crate) mod secret;
pub(crate) mod textpos;
pub(crate) mod vcf;
