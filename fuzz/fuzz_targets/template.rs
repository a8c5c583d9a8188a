//! Fuzz target `template`: see `intro::fuzzing::template` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::template(data));
