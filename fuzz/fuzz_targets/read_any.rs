//! Any bytes as any format the readers take (the first byte picks the file name, so the
//! extension-led readers are reached too): blocks or an error naming the file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 7] = [
    "fuzz.xlsx", "fuzz.csv", "fuzz.html", "fuzz.pdf", "fuzz.ods", "fuzz.xls", "fuzz.txt",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    match waymark_read::read(name, rest) {
        Ok(book) => assert_eq!(book.file, name),
        Err(e) => assert_eq!(e.file, name),
    }
});
