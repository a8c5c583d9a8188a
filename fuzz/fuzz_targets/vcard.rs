//! Fuzz target `vcard`: see `intro::fuzzing::vcard` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::vcard(data));
