//! What each command does: open the store, read what it needs, hand it to the domain, print.

use crate::Failure;
use crate::args::{
    Cli, Command, ConfigWhat, ExportArgs, ExportFormat, ExportWhat, IndicatorsFormat, KindArg,
    OutcomesAction, OutcomesArgs, PeriodArgs, PlanFormat, ReconcileFormat, SheetFormat, SheetKind,
    TextOrJson,
};
use crate::output;
use chrono::{NaiveDate, Utc};
use std::path::Path;
use waymark_domain::checks::{self, Finding};
use waymark_domain::headline::HeadlineRule;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_domain::records::{ActivityRecord, LinkRecord, ReturnRecord};
use waymark_domain::stats::{self, PeriodStats};
use waymark_domain::{DocumentKind, Period, Status};
use waymark_import::Vocabulary;
use waymark_store::{ImportOutcome, Incoming, LinkDecision, Organisation, Store};

pub async fn run(cli: Cli) -> Result<(), Failure> {
    let Cli {
        db,
        council,
        config,
        db_named,
        command,
        log_format: _,
    } = cli;
    let config = crate::config::Config::load(config.as_deref())?;
    match command {
        Command::Import(args) => {
            let vocabulary = match &args.vocabulary {
                Some(path) => {
                    let text = read_limited(path)?;
                    let text = String::from_utf8(text).map_err(|_| {
                        Failure::Input(format!(
                            "{}: the vocabulary file is not UTF-8 text",
                            path.display()
                        ))
                    })?;
                    Vocabulary::from_toml(&path.display().to_string(), &text)?
                }
                None => Vocabulary::default(),
            };
            let kind = kind_of(args.kind);
            let mapping = match &args.mapping {
                Some(path) => {
                    let text = String::from_utf8(read_limited(path)?).map_err(|_| {
                        Failure::Input(format!(
                            "{}: the mapping file is not UTF-8 text",
                            path.display()
                        ))
                    })?;
                    waymark_import::Mapping::from_toml(&path.display().to_string(), &text)?
                }
                None => waymark_import::Mapping::default(),
            };
            let mapping = match args.period.as_deref() {
                Some(text) => mapping.with_period(parse_period(text)?),
                None => mapping,
            };
            // Read and parse everything before touching the database: a bad file changes nothing.
            let mut incoming = vec![];
            for path in &args.files {
                let bytes = read_limited(path)?;
                let name = path.display().to_string();
                let reading = waymark_import::read(&name, &bytes, kind, &vocabulary, &mapping)?;
                if args.explain {
                    println!("{name}:");
                    for paragraph in &reading.explanation {
                        println!("  {}", paragraph.replace('\n', "\n  "));
                    }
                    for document in &reading.documents {
                        println!("  → {}", output::document_summary(document));
                    }
                    continue;
                }
                let several = reading.documents.len() > 1;
                for (i, document) in reading.documents.into_iter().enumerate() {
                    // One file may hold several documents (a report and its indicators):
                    // each is identified by its own content.
                    let label = if several {
                        format!("{name}#{}", i + 1)
                    } else {
                        name.clone()
                    };
                    incoming.push(Incoming::new(&label, &bytes, document));
                }
            }
            if args.explain {
                return Ok(());
            }
            let store = Store::open(&db).await?;
            let name = args
                .council_name
                .clone()
                .unwrap_or_else(|| default_council_name(council.as_deref()));
            let org = store.organisation(council.as_deref(), Some(&name)).await?;
            let outcomes = store
                .import(&org, incoming, Utc::now(), &ReconcileOptions::default())
                .await?;
            let plan_imported = outcomes.iter().any(|o| {
                matches!(o, ImportOutcome::Imported { kind, .. }
                    if matches!(kind, DocumentKind::CorporatePlan | DocumentKind::ActionPlan))
            });
            for outcome in outcomes {
                match outcome {
                    ImportOutcome::Imported {
                        file,
                        kind,
                        summary,
                    } => {
                        println!("imported {file} as {}: {summary}", kind.key())
                    }
                    ImportOutcome::AlreadyImported { file, kind } => {
                        println!(
                            "skipped {file} ({}): already imported, nothing added",
                            kind.key()
                        )
                    }
                }
            }
            if plan_imported {
                let suggestions = store.suggest_outcomes(&org, true, Utc::now()).await?;
                if let Some(line) = output::suggestions_summary(&suggestions) {
                    println!("{line}");
                }
            }
            store.close().await;
            Ok(())
        }
        Command::Stats(args) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let view = View::load(&store, &org, &args.period).await?;
            let stats = view.stats();
            match args.format {
                TextOrJson::Json => output::print_json(&output::stats_json(&stats))?,
                TextOrJson::Text => print!("{}", output::stats_text(&stats)),
            }
            Ok(())
        }
        Command::Check(args) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let view = View::load(&store, &org, &args.period).await?;
            let findings = view.findings();
            match args.format {
                TextOrJson::Json => output::print_json(&findings)?,
                TextOrJson::Text => print!("{}", output::findings_text(&findings)),
            }
            Ok(())
        }
        Command::Reconcile(args) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            if !args.accept.is_empty() || !args.reject.is_empty() {
                if args.period.as_of.is_some() {
                    return Err(Failure::Input(
                        "--as-of shows the past; it cannot be combined with --accept or --reject"
                            .into(),
                    ));
                }
                let period = match &args.period.period {
                    Some(text) => parse_period(text)?,
                    None => store
                        .periods(&org, None)
                        .await?
                        .last()
                        .copied()
                        .ok_or_else(|| Failure::Input("no report has been imported yet".into()))?,
                };
                let decisions: Vec<(String, LinkDecision)> = args
                    .accept
                    .iter()
                    .map(|r| (r.clone(), LinkDecision::Accept))
                    .chain(
                        args.reject
                            .iter()
                            .map(|r| (r.clone(), LinkDecision::Reject)),
                    )
                    .collect();
                // All decisions in one transaction: one bad reference changes nothing.
                store
                    .decide_links(
                        &org,
                        period,
                        &decisions,
                        &waymark_store::Who::command_line(),
                        Utc::now(),
                    )
                    .await?;
                for (reference, decision) in &decisions {
                    let verb = if *decision == LinkDecision::Accept {
                        "accepted"
                    } else {
                        "rejected"
                    };
                    tracing::info!("{verb} the suggested link for reference {reference}");
                }
            }
            let view = View::load(&store, &org, &args.period).await?;
            let records = output::reconcile_records(&view.links);
            match args.format {
                ReconcileFormat::Json => output::print_json(&records)?,
                ReconcileFormat::Csv => output::print_csv(&records)?,
                ReconcileFormat::Text => print!("{}", output::reconcile_text(&records)),
            }
            Ok(())
        }
        Command::Export(ExportArgs {
            what: ExportWhat::Activities { period, format },
        }) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let view = View::load(&store, &org, &period).await?;
            let rows = output::activity_rows(&view.activities, &view.returns, view.period);
            match format {
                ExportFormat::Json => output::print_json(&rows)?,
                ExportFormat::Csv => output::print_csv(&rows)?,
            }
            Ok(())
        }
        Command::Export(ExportArgs {
            what:
                ExportWhat::Indicators {
                    as_of,
                    format,
                    template,
                    out,
                },
        }) => {
            let sheet = match (format, template) {
                (IndicatorsFormat::Xlsx, _) => Some(SheetFormat::Xlsx),
                (IndicatorsFormat::Csv, true) => Some(SheetFormat::Csv),
                (IndicatorsFormat::Json, true) => {
                    return Err(Failure::Input(
                        "--template is a spreadsheet's shape: use it with --format csv or xlsx"
                            .into(),
                    ));
                }
                _ => None,
            };
            if let Some(sheet) = sheet {
                let within = crate::sheets::Within {
                    period: None,
                    as_of: as_of.as_deref(),
                };
                return crate::sheets::export(
                    &db,
                    council.as_deref(),
                    SheetKind::Indicators,
                    sheet,
                    within,
                    out.as_deref(),
                )
                .await;
            }
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let as_of = as_of.as_deref().map(parse_as_of).transpose()?;
            let rows = store.indicator_values(&org, as_of).await?;
            let bytes = match format {
                IndicatorsFormat::Csv => waymark_web::opendata::csv_bytes(&rows)
                    .map_err(|e| Failure::Internal(e.into()))?,
                _ => {
                    let mut text = serde_json::to_string_pretty(&rows)
                        .map_err(|e| Failure::Internal(e.into()))?;
                    text.push('\n');
                    text.into_bytes()
                }
            };
            crate::sheets::write_out(out.as_deref(), &bytes)
        }
        Command::Export(ExportArgs {
            what: ExportWhat::Plan { as_of, format, out },
        }) => {
            let sheet = match format {
                PlanFormat::Json => None,
                PlanFormat::Csv => Some(SheetFormat::Csv),
                PlanFormat::Xlsx => Some(SheetFormat::Xlsx),
            };
            if let Some(sheet) = sheet {
                let within = crate::sheets::Within {
                    period: None,
                    as_of: as_of.as_deref(),
                };
                return crate::sheets::export(
                    &db,
                    council.as_deref(),
                    SheetKind::Plan,
                    sheet,
                    within,
                    out.as_deref(),
                )
                .await;
            }
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let as_of = as_of.as_deref().map(parse_as_of).transpose()?;
            let overview = store.plan_overview(&org, as_of).await?;
            let mut text =
                serde_json::to_string_pretty(&overview).map_err(|e| Failure::Internal(e.into()))?;
            text.push('\n');
            crate::sheets::write_out(out.as_deref(), text.as_bytes())
        }
        Command::Export(ExportArgs {
            what:
                ExportWhat::Returns {
                    period,
                    format,
                    out,
                },
        }) => {
            let within = crate::sheets::Within {
                period: period.period.as_deref(),
                as_of: period.as_of.as_deref(),
            };
            crate::sheets::export(
                &db,
                council.as_deref(),
                SheetKind::Returns,
                format,
                within,
                out.as_deref(),
            )
            .await
        }
        Command::Template(args) => {
            crate::sheets::template(&db, db_named, council.as_deref(), &args).await
        }
        Command::Outcomes(OutcomesArgs {
            action: Some(OutcomesAction::Suggest(args)),
            ..
        }) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let suggestions = store.suggest_outcomes(&org, args.apply, Utc::now()).await?;
            store.close().await;
            if suggestions.is_empty() {
                return Err(Failure::Input(
                    "no corporate plan with outcomes has been imported: import it before suggesting outcomes".into(),
                ));
            }
            match args.format {
                TextOrJson::Json => output::print_json(&serde_json::json!({
                    "applied": args.apply,
                    "activities": suggestions,
                }))?,
                TextOrJson::Text => {
                    print!("{}", output::suggestions_text(&suggestions, args.apply))
                }
            }
            Ok(())
        }
        Command::Outcomes(OutcomesArgs { file, .. }) => {
            let file = file.ok_or_else(|| {
                Failure::Input(
                    "name a CSV file of reference,outcomes, or use `outcomes suggest`".into(),
                )
            })?;
            let bytes = read_limited(&file)?;
            let assignments = crate::outcome_file::parse(&file.display().to_string(), &bytes)?;
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let n = store
                .assign_outcomes(&org, &assignments, Utc::now())
                .await?;
            println!("linked {n} activities to outcomes");
            Ok(())
        }
        Command::Changes(args) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;
            let changes = store.plan_changes(&org, as_of).await?;
            match args.format {
                TextOrJson::Json => output::print_json(&changes)?,
                TextOrJson::Text => print!("{}", output::changes_text(&changes)),
            }
            Ok(())
        }
        Command::Config(args) => {
            let (store, org) = open_existing(&db, council.as_deref()).await?;
            match args.what {
                ConfigWhat::Show => {
                    let rule = store.headline_rule(&org, None).await?;
                    println!("council: {} ({})", org.name, org.slug);
                    println!("headline rule: {} — {}", rule.name, rule.describe());
                }
                ConfigWhat::Headline {
                    count,
                    exclude,
                    name,
                } => {
                    let statuses = |list: &[String], what: &str| -> Result<Vec<Status>, Failure> {
                        list.iter()
                            .map(|s| {
                                Status::from_key(s.trim()).ok_or_else(|| {
                                    Failure::Input(format!(
                                        "--{what}: '{s}' is not a status; use complete, green, amber, red, ceased, not_started or no_return"
                                    ))
                                })
                            })
                            .collect()
                    };
                    let numerator = statuses(&count, "count")?;
                    let mut excluded = statuses(&exclude, "exclude")?;
                    if !excluded.contains(&Status::NoReturn) {
                        excluded.push(Status::NoReturn);
                    }
                    if let Some(s) = numerator.iter().find(|s| excluded.contains(s)) {
                        return Err(Failure::Input(format!(
                            "'{}' cannot be both counted and excluded",
                            s.key()
                        )));
                    }
                    let rule = HeadlineRule {
                        name: name.unwrap_or_else(|| default_rule_name(&numerator)),
                        numerator,
                        excluded,
                    };
                    store.set_headline_rule(&org, &rule, Utc::now()).await?;
                    println!("headline rule: {} — {}", rule.name, rule.describe());
                }
            }
            Ok(())
        }
        Command::Demo(args) if args.load_only => {
            crate::demo::run(&db, council.as_deref(), &config, args.format).await
        }
        Command::Demo(args) => {
            let at = crate::serve::Addresses {
                addr: args.addr,
                url: args.url,
                admin: args.admin_addr,
            };
            crate::serve::demo(&db, at, config).await
        }
        Command::Serve(args) => {
            let at = crate::serve::Addresses {
                addr: args.addr,
                url: args.url,
                admin: args.admin_addr,
            };
            crate::serve::serve(&db, at, config).await
        }
        Command::Publish(args) => crate::publish::run(&db, &args, &config).await,
        Command::Remind(args) => crate::serve::remind(&db, &config, args.dry_run).await,
        Command::Report(args) => crate::report::run(&db, council.as_deref(), &config, &args).await,
        Command::Backup(args) => crate::transfer::backup(&db, &args.out).await,
        Command::Restore(args) => crate::transfer::restore(&db, &args.file, args.replace).await,
        Command::Copy(args) => crate::transfer::copy(&args.from, &args.to, args.replace).await,
        Command::User(args) => {
            crate::staff::user(&db, council.as_deref(), &config, args.what).await
        }
        Command::Audit(args) => {
            crate::staff::audit(&db, council.as_deref(), &config, args.what).await
        }
        Command::Synth(args) => {
            crate::synth::run(
                &db,
                waymark_synth::SynthSpec {
                    councils: args.councils,
                    activities: args.activities,
                    years: args.years,
                    seed: args.seed,
                    first_year: args.first_year,
                },
            )
            .await
        }
    }
}

fn default_rule_name(numerator: &[Status]) -> String {
    let mut words: Vec<&str> = numerator
        .iter()
        .map(|s| match s {
            Status::Green => "on track",
            other => other.key(),
        })
        .collect();
    words.dedup();
    words.join(" or ").replace('_', " ")
}

fn default_council_name(slug: Option<&str>) -> String {
    match slug {
        Some(s) => s.to_string(),
        None => "Default council".to_string(),
    }
}

fn kind_of(kind: KindArg) -> Option<DocumentKind> {
    match kind {
        KindArg::Auto => None,
        KindArg::CorporatePlan => Some(DocumentKind::CorporatePlan),
        KindArg::Principles => Some(DocumentKind::Principles),
        KindArg::ActionPlan => Some(DocumentKind::ActionPlan),
        KindArg::ActivityReport => Some(DocumentKind::ActivityReport),
        KindArg::KpiTable => Some(DocumentKind::KpiTable),
        KindArg::Strategy => Some(DocumentKind::Strategy),
    }
}

/// Read a file, refusing one larger than the importers accept before reading it into memory.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, Failure> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::Input(format!("{shown}: cannot read the file: {e}")))?;
    if !meta.is_file() {
        return Err(Failure::Input(format!("{shown}: not a file")));
    }
    if meta.len() > waymark_import::MAX_BYTES as u64 {
        return Err(Failure::Input(format!(
            "{shown}: the file is {} bytes; the largest accepted is {} bytes",
            meta.len(),
            waymark_import::MAX_BYTES
        )));
    }
    std::fs::read(path).map_err(|e| Failure::Input(format!("{shown}: cannot read the file: {e}")))
}

/// Open a database that must already hold data (no file is created for a read command).
pub async fn open_existing(
    db: &str,
    council: Option<&str>,
) -> Result<(Store, Organisation), Failure> {
    let store = Store::open_existing(db).await?;
    let org = store.organisation(council, None).await?;
    Ok((store, org))
}

pub fn parse_period(text: &str) -> Result<Period, Failure> {
    text.parse::<Period>()
        .map_err(|e| Failure::Input(e.to_string()))
}

pub fn parse_as_of(text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Failure::Input(format!(
            "--as-of '{text}' is not a date; write it as YYYY-MM-DD"
        ))
    })
}

/// Everything the read commands look at, for one council, period and date.
pub struct View {
    pub period: Option<Period>,
    pub activities: Vec<ActivityRecord>,
    pub returns: Vec<ReturnRecord>,
    pub links: Vec<LinkRecord>,
    pub claims: Vec<waymark_store::StoredClaim>,
    pub rule: HeadlineRule,
}

impl View {
    pub async fn load(
        store: &Store,
        org: &Organisation,
        args: &PeriodArgs,
    ) -> Result<View, Failure> {
        let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;
        let periods = store.periods(org, as_of).await?;
        let period = match &args.period {
            Some(text) => Some(parse_period(text)?),
            None => periods.last().copied(),
        };
        let activities = store.activities(org, as_of).await?;
        let (returns, links, claims) = match period {
            Some(p) => (
                store.returns(org, Some(p), as_of).await?,
                store.links(org, p, as_of).await?,
                store.claims(org, p, as_of).await?,
            ),
            None => (vec![], vec![], vec![]),
        };
        let rule = store.headline_rule(org, as_of).await?;
        Ok(View {
            period,
            activities,
            returns,
            links,
            claims,
            rule,
        })
    }

    pub fn stats(&self) -> Option<PeriodStats> {
        let period = self.period?;
        let claims: Vec<_> = self.claims.iter().map(|c| c.claim.clone()).collect();
        Some(stats::compute(
            period,
            &self.returns,
            &self.activities,
            &self.rule,
            &claims,
        ))
    }

    pub fn findings(&self) -> Vec<Finding> {
        let claims: Vec<_> = self.claims.iter().map(|c| c.claim.clone()).collect();
        checks::run_for_period(
            self.period,
            &self.activities,
            &self.returns,
            &self.links,
            &claims,
            self.claims.first().map(|c| c.file.as_str()),
            &self.rule,
        )
    }
}
