//! Fuzz target `message`: see `intro::fuzzing::message` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::message(data));
