//! Any bytes, kind detected from the content: a document or an error, never a panic; and
//! `detect` on the same text never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waymark_import::Vocabulary;

fuzz_target!(|data: &[u8]| {
    let vocab = Vocabulary::default();
    let _ = waymark_import::import("fuzz.txt", data, None, &vocab);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = waymark_import::detect(text);
    }
});
