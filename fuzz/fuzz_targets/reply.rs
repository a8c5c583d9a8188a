//! Fuzz target `reply`: see `intro::fuzzing::reply` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::reply(data));
