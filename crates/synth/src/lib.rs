//! Realistic, deterministic synthetic councils for scale tests and demos
//! (`waymark synth --councils N --activities M --years Y [--seed S]`).
//!
//! Real councils publish a handful of documents a year; testing the store, statistics and the
//! web layer at the scale of hundreds of councils and decades of returns needs data nobody
//! publishes. Each synthetic council has the documents an import would produce, in the order
//! they must be imported:
//!
//! 1. a corporate plan (mission, principles, values, 3–5 priority themes of 2–4 outcomes);
//! 2. an action delivery plan of exactly `activities` activities across 4–7 directorates;
//! 3. one activity report per quarter for `years` financial years, every activity in each,
//!    statuses evolving by a seeded Markov chain, with published headline claims that are
//!    true of the rows;
//! 4. a KPI table of 10–20 indicators with one outturn per year.
//!
//! Everything is a function of the spec: the same spec gives byte-identical councils on every
//! platform (the generator's RNG lives in this crate), and council `i` depends only on the seed,
//! `i` and the sizes asked for, never on how many councils are generated, so councils can be
//! generated lazily or in parallel.
//!
//! ```
//! use waymark_synth::{SynthSpec, council};
//! use waymark_domain::Document;
//!
//! let spec = SynthSpec { councils: 3, activities: 20, years: 2, ..SynthSpec::default() };
//! spec.validate().unwrap();
//! let c = council(&spec, 0);
//! assert_eq!(c.slug, "council-001");
//! assert_eq!(c.documents.len(), 1 + 1 + 2 * 4 + 1);
//! assert!(matches!(c.documents[0].document, Document::CorporatePlan(_)));
//! ```

mod corporate;
mod identity;
mod kpi;
mod plan;
mod returns;
mod rng;
mod words;

use waymark_domain::Document;

/// What to generate. Sizes are bounded by [`SynthSpec::validate`] so a typo on the command
/// line cannot ask for terabytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSpec {
    /// How many councils (1–10,000).
    pub councils: usize,
    /// Activities in each council's action plan, hence rows in each report (1–5,000).
    pub activities: usize,
    /// Financial years of quarterly returns and KPI outturns (1–50).
    pub years: usize,
    /// Different seeds give different councils; the same seed gives the same ones.
    pub seed: u64,
    /// The financial year the returns start in (2015 means 2015/16).
    pub first_year: u16,
}

impl Default for SynthSpec {
    /// One small council over one year from 2015/16: a quick demo.
    fn default() -> Self {
        SynthSpec {
            councils: 1,
            activities: 150,
            years: 1,
            seed: 0,
            first_year: 2015,
        }
    }
}

impl SynthSpec {
    /// Check the sizes before generating anything; the message names the field to fix.
    pub fn validate(&self) -> Result<(), String> {
        fn within(field: &str, value: usize, lo: usize, hi: usize) -> Result<(), String> {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(format!(
                    "{field} must be between {lo} and {hi}, not {value}"
                ))
            }
        }
        within("councils", self.councils, 1, 10_000)?;
        within("activities", self.activities, 1, 5_000)?;
        within("years", self.years, 1, 50)?;
        if !(2000..=2099).contains(&self.first_year) {
            return Err(format!(
                "first_year must be between 2000 and 2099, not {}",
                self.first_year
            ));
        }
        let end = usize::from(self.first_year) + self.years;
        if end > 2099 {
            return Err(format!(
                "first_year + years must be at most 2099 (due dates and returns run to the \
                 end of the last year), not {} + {} = {end}",
                self.first_year, self.years
            ));
        }
        Ok(())
    }

    /// Digits in slugs: at least 3, more when there are more councils, so slugs sort.
    fn slug_width(&self) -> usize {
        self.councils.max(1).to_string().len().max(3)
    }
}

/// One synthetic council and its documents, in import order.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthCouncil {
    /// "council-001": stable, sortable, safe as a file or directory name.
    pub slug: String,
    /// "Borough of Ashford Vale": unique per council index for a given seed.
    pub name: String,
    /// Corporate plan, action plan, the quarterly reports oldest first, then the KPI table.
    pub documents: Vec<SynthDocument>,
}

/// A document with the file name it would be imported from.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthDocument {
    /// "council-001-returns-2019-20-q2.txt": names the council, the kind and the period, so a
    /// directory of generated files sorts and reads sensibly.
    pub file_name: String,
    pub document: Document,
}

/// Council number `index` (0-based) of the spec. Each council is generated independently from
/// (seed, index), so councils can be generated in parallel or lazily and council `i` is the
/// same whatever `councils` is (only the zero-padding of its slug grows past 999 councils).
/// Does not validate the spec; call [`SynthSpec::validate`] first.
pub fn council(spec: &SynthSpec, index: usize) -> SynthCouncil {
    let years = spec.years.max(1);
    let id = identity::identity(spec.seed, index, spec.slug_width());
    let (corporate, categories) =
        corporate::corporate_plan(spec.seed, index, &id, spec.first_year, years);
    let activities = plan::activities(
        spec.seed,
        index,
        &id,
        spec.activities,
        spec.first_year,
        years,
    );
    let reports = returns::reports(spec.seed, index, &id, &activities, spec.first_year, years);
    let kpis = kpi::kpi_table(
        spec.seed,
        index,
        &corporate,
        &categories,
        spec.first_year,
        years,
    );

    let slug = &id.slug;
    let mut documents = Vec::with_capacity(reports.len() + 3);
    documents.push(SynthDocument {
        file_name: format!("{slug}-corporate-plan.txt"),
        document: Document::CorporatePlan(corporate),
    });
    documents.push(SynthDocument {
        file_name: format!("{slug}-action-plan.txt"),
        document: Document::ActionPlan(plan::action_plan(&id, &activities, spec.first_year)),
    });
    for report in reports {
        documents.push(SynthDocument {
            file_name: format!("{slug}-returns-{}.txt", report.period.slug()),
            document: Document::ActivityReport(report),
        });
    }
    documents.push(SynthDocument {
        file_name: format!("{slug}-kpis.txt"),
        document: Document::KpiTable(kpis),
    });

    SynthCouncil {
        slug: id.slug,
        name: id.name,
        documents,
    }
}

/// Every council of the spec, generated one at a time as the iterator is advanced, so memory
/// holds one council however many are asked for.
pub fn councils(spec: &SynthSpec) -> impl Iterator<Item = SynthCouncil> + '_ {
    (0..spec.councils).map(move |i| council(spec, i))
}

#[cfg(test)]
mod tests;
