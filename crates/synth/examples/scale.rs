//! Time generating a large synthetic estate (default 400 councils × 150 activities × 10 years).
//!
//! `cargo run --release -p waymark-synth --example scale -- [COUNCILS ACTIVITIES YEARS]`

use std::time::Instant;
use waymark_domain::Document;
use waymark_synth::{SynthSpec, councils};

fn main() -> Result<(), String> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().map_err(|e| format!("{a}: {e}")))
        .collect::<Result<_, _>>()?;
    let arg = |i: usize, default: usize| args.get(i).copied().unwrap_or(default);
    let spec = SynthSpec {
        councils: arg(0, 400),
        activities: arg(1, 150),
        years: arg(2, 10),
        ..SynthSpec::default()
    };
    spec.validate()?;
    let start = Instant::now();
    let (mut documents, mut rows) = (0usize, 0usize);
    for council in councils(&spec) {
        documents += council.documents.len();
        for d in &council.documents {
            if let Document::ActivityReport(r) = &d.document {
                rows += r.rows.len();
            }
        }
    }
    let elapsed = start.elapsed();
    println!(
        "{} councils × {} activities × {} years: {documents} documents, {rows} report rows in {:.2?}",
        spec.councils, spec.activities, spec.years, elapsed
    );
    Ok(())
}
