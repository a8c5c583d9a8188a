//! Fuzz target `config`: see `intro::fuzzing::config` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::config(data));
