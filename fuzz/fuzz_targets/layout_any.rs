//! Any bytes through the whole layout pipeline (reading, line layouts, column roles, rows,
//! claims), as text, CSV or a web page: documents or a refusal, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waymark_import::{Mapping, Vocabulary};

const NAMES: [&str; 3] = ["fuzz.txt", "fuzz.csv", "fuzz.html"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let _ = waymark_import::read(name, rest, None, &Vocabulary::default(), &Mapping::default());
});
