//! Any bytes read as a strategy must give a document or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use waymark_domain::DocumentKind;
use waymark_import::Vocabulary;

fuzz_target!(|data: &[u8]| {
    let vocab = Vocabulary::default();
    if let Ok(doc) = waymark_import::import("fuzz.txt", data, Some(DocumentKind::Strategy), &vocab)
    {
        assert_eq!(doc.kind(), DocumentKind::Strategy);
    }
});
