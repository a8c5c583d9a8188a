//! Fuzz target `batch`: see `intro::fuzzing::batch` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| intro::fuzzing::batch(data));
