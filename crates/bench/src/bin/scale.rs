//! The scale benchmark's measuring half: against a database already loaded by
//! `waymark synth` (see scripts/bench-scale), time the operations a shared service runs most
//! and print their latency percentiles as a Markdown table.
//!
//! Usage: scale --db URL [--samples N] [--seed S]
//!        scale --drop postgres://…/DATABASE   (drop the PostgreSQL database before a load)

use chrono::Utc;
use std::time::{Duration, Instant};
use waymark_bench::Rng;
use waymark_domain::{Period, Status};
use waymark_store::{NewReturn, Store};

struct Options {
    db: String,
    drop: Option<String>,
    samples: usize,
    seed: u64,
}

fn options() -> Result<Options, String> {
    let mut out = Options {
        db: String::new(),
        drop: None,
        samples: 200,
        seed: 7,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--db" => out.db = value,
            "--drop" => out.drop = Some(value),
            "--samples" => out.samples = value.parse().map_err(|_| "--samples: a number")?,
            "--seed" => out.seed = value.parse().map_err(|_| "--seed: a number")?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if out.db.is_empty() && out.drop.is_none() {
        return Err("usage: scale --db URL [--samples N] [--seed S]".into());
    }
    Ok(out)
}

/// Latency percentiles of one operation.
struct Timing {
    name: &'static str,
    target_ms: f64,
    samples: Vec<Duration>,
}

impl Timing {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        let i = rank.clamp(1, sorted.len()) - 1;
        sorted[i].as_secs_f64() * 1000.0
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let opts = options()?;
    if let Some(url) = &opts.drop {
        waymark_store::drop_postgres_database(url).await?;
        return Ok(());
    }
    let store = Store::open_existing(&opts.db).await?;
    let councils = store.organisations().await?;
    let all_periods = store.all_periods(None).await?;
    if councils.is_empty() || all_periods.is_empty() {
        return Err("the database holds no synthetic councils; run `waymark synth` first".into());
    }
    // Reads sample the periods the synthetic reports cover (each report publishes a headline
    // claim), not periods that earlier runs of this benchmark wrote a few returns into.
    let mut periods = vec![];
    for p in &all_periods {
        if !store.claims(&councils[0], *p, None).await?.is_empty() {
            periods.push(*p);
        }
    }
    if periods.is_empty() {
        return Err("no period has a synthetic report".into());
    }
    let mut rng = Rng::new(opts.seed);
    let mut pick = |n: usize| (rng.next_u64() % n as u64) as usize;
    // A few untimed runs so caches and prepared statements are warm, as in a running service.
    for _ in 0..3 {
        store.period_stats(&councils[0], periods[0], None).await?;
        store.headline_comparison(periods[0]).await?;
        store.activity_statuses(&councils[0], None).await?;
    }

    let mut stats = Timing {
        name: "statistics for one council and period",
        target_ms: 10.0,
        samples: vec![],
    };
    for _ in 0..opts.samples {
        let (org, period) = (
            &councils[pick(councils.len())],
            periods[pick(periods.len())],
        );
        let t = Instant::now();
        let s = store.period_stats(org, period, None).await?;
        stats.samples.push(t.elapsed());
        assert!(s.total > 0, "{} has no returns for {period}", org.slug);
    }

    // Where the statistics' time goes: each read on its own (they run side by side above).
    if std::env::var_os("WAYMARK_SCALE_BREAKDOWN").is_some() {
        let mut parts: [(&str, Vec<Duration>); 5] = [
            ("activities", vec![]),
            ("returns", vec![]),
            ("claims", vec![]),
            ("headline rule", vec![]),
            ("periods", vec![]),
        ];
        for _ in 0..opts.samples {
            let (org, period) = (
                &councils[pick(councils.len())],
                periods[pick(periods.len())],
            );
            let t = Instant::now();
            store.activities(org, None).await?;
            parts[0].1.push(t.elapsed());
            let t = Instant::now();
            store.returns(org, Some(period), None).await?;
            parts[1].1.push(t.elapsed());
            let t = Instant::now();
            store.claims(org, period, None).await?;
            parts[2].1.push(t.elapsed());
            let t = Instant::now();
            store.headline_rule(org, None).await?;
            parts[3].1.push(t.elapsed());
            let t = Instant::now();
            store.periods(org, None).await?;
            parts[4].1.push(t.elapsed());
        }
        for (name, samples) in parts {
            let t = Timing {
                name,
                target_ms: 0.0,
                samples,
            };
            eprintln!(
                "{name}: p50 {:.2} ms, p95 {:.2} ms",
                t.percentile(50.0),
                t.percentile(95.0)
            );
        }
    }

    let mut compare = Timing {
        name: "headline comparison of every council for one period",
        target_ms: 100.0,
        samples: vec![],
    };
    for _ in 0..opts.samples.div_ceil(4) {
        let period = periods[pick(periods.len())];
        let t = Instant::now();
        let all = store.headline_comparison(period).await?;
        compare.samples.push(t.elapsed());
        assert_eq!(all.len(), councils.len());
    }

    let mut list = Timing {
        name: "one council's activities with latest statuses",
        target_ms: 20.0,
        samples: vec![],
    };
    for _ in 0..opts.samples {
        let org = &councils[pick(councils.len())];
        let t = Instant::now();
        let rows = store.activity_statuses(org, None).await?;
        list.samples.push(t.elapsed());
        // A few plan activities may have no return: report rows the matcher left for review.
        assert!(rows.iter().filter(|r| r.latest.is_some()).count() * 100 >= rows.len() * 99);
    }

    // New returns go into the quarter after the synthetic history, so the reads above are
    // measured on the data as loaded.
    let next: Period = all_periods[all_periods.len() - 1].next();
    let mut write = Timing {
        name: "recording a new return durably",
        target_ms: 20.0,
        samples: vec![],
    };
    let mut references = std::collections::HashMap::new();
    for _ in 0..opts.samples {
        let org = &councils[pick(councils.len())];
        let refs = match references.entry(org.id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                store
                    .activities(org, None)
                    .await?
                    .into_iter()
                    .filter_map(|a| a.reference)
                    .collect::<Vec<String>>(),
            ),
        };
        let input = NewReturn {
            reference: refs[pick(refs.len())].clone(),
            period: next,
            status: Status::Amber,
            status_label: "Amber".into(),
            note: Some("Contractor delay; recovery plan agreed with the director.".into()),
        };
        let t = Instant::now();
        store.record_return(org, &input, Utc::now()).await?;
        write.samples.push(t.elapsed());
    }

    println!(
        "{} councils, {} periods, backend {:?}",
        councils.len(),
        periods.len(),
        store.backend()
    );
    println!();
    println!("| operation | samples | p50 ms | p95 ms | p99 ms | target p95 | met |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for t in [&stats, &compare, &list, &write] {
        let p95 = t.percentile(95.0);
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | < {} ms | {} |",
            t.name,
            t.samples.len(),
            t.percentile(50.0),
            p95,
            t.percentile(99.0),
            t.target_ms,
            if p95 < t.target_ms { "yes" } else { "no" }
        );
    }
    store.close().await;
    Ok(())
}
