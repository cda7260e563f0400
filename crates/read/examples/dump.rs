//! Print what the reader sees in a file: `cargo run -p waymark-read --example dump FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match waymark_read::read(&path, &bytes) {
        Ok(book) => {
            for part in &book.parts {
                println!("== part {:?}", part.name);
                for block in &part.blocks {
                    match block {
                        waymark_read::Block::Line(l) => {
                            println!("{:>4} {:?} {}", l.at, l.kind, l.text)
                        }
                        waymark_read::Block::Table(t) => {
                            println!("-- table {:?}", t.caption);
                            for r in &t.rows {
                                let cells: Vec<String> = r
                                    .cells
                                    .iter()
                                    .map(|c| {
                                        let mut s = c.text.replace('\n', "⏎");
                                        if let Some((r, g, b)) = c.fill {
                                            s.push_str(&format!(" [#{r:02x}{g:02x}{b:02x}]"));
                                        }
                                        if c.spanned {
                                            s.push('^');
                                        }
                                        s
                                    })
                                    .collect();
                                println!(
                                    "{:>4}{} | {}",
                                    r.at,
                                    if r.head { "h" } else { " " },
                                    cells.join(" | ")
                                );
                            }
                        }
                    }
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
