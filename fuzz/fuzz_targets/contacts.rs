//! Fuzz target `contacts`: see `intro::fuzzing::contacts` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::contacts(data));
