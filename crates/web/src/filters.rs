//! The activity list's filters: read from GET parameters (so every view has a shareable URL),
//! applied to the rows, and written back as a query string for links and pagination.

use crate::data::CouncilData;
use crate::opendata::ActivityRow;
use waymark_domain::Status;
use waymark_domain::text::fold;

pub const PAGE_SIZE: usize = 20;
/// Longest search text kept; longer input is cut (and said so).
pub const MAX_SEARCH_CHARS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub q: String,
    pub status: Option<Status>,
    /// Directorate slug.
    pub directorate: Option<String>,
    /// Portfolio slug.
    pub portfolio: Option<String>,
    pub outcome: Option<OutcomeFilter>,
    /// 1-based.
    pub page: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeFilter {
    Theme(u32),
    Outcome(u32),
}

impl OutcomeFilter {
    pub fn value(self) -> String {
        match self {
            OutcomeFilter::Theme(n) => format!("theme-{n}"),
            OutcomeFilter::Outcome(n) => n.to_string(),
        }
    }
}

/// A filter value that was not understood: shown to the reader, never an error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The id of the element the problem is about (the error summary links to it).
    pub field: &'static str,
    pub message: String,
}

impl Filters {
    /// Read filters from a query string. Unknown parameters are ignored; values that name
    /// nothing on this site are dropped with a problem the page shows.
    pub fn parse(query: &str, data: &CouncilData) -> (Filters, Vec<Problem>) {
        let mut filters = Filters {
            page: 1,
            ..Filters::default()
        };
        let mut problems = vec![];
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "q" => {
                    let cleaned: String = value.chars().filter(|c| !c.is_control()).collect();
                    if cleaned.chars().count() > MAX_SEARCH_CHARS {
                        problems.push(Problem {
                            field: "filter-q",
                            message: format!(
                                "Search text was cut to its first {MAX_SEARCH_CHARS} characters"
                            ),
                        });
                    }
                    filters.q = cleaned.chars().take(MAX_SEARCH_CHARS).collect();
                }
                "status" => match Status::from_key(value) {
                    Some(status) => filters.status = Some(status),
                    None => problems.push(Problem {
                        field: "filter-status",
                        message: "Choose a status from the list".into(),
                    }),
                },
                "directorate" => match data.directorate(value) {
                    Some(d) => filters.directorate = Some(d.slug.clone()),
                    None => problems.push(Problem {
                        field: "filter-directorate",
                        message: "Choose a directorate from the list".into(),
                    }),
                },
                "portfolio" => match data.portfolio(value) {
                    Some(p) => filters.portfolio = Some(p.slug.clone()),
                    None => problems.push(Problem {
                        field: "filter-portfolio",
                        message: "Choose a cabinet portfolio from the list".into(),
                    }),
                },
                "outcome" => match parse_outcome(value, data) {
                    Some(o) => filters.outcome = Some(o),
                    None => problems.push(Problem {
                        field: "filter-outcome",
                        message: "Choose a priority or outcome from the list".into(),
                    }),
                },
                "page" => match value.parse::<usize>() {
                    Ok(n) if n >= 1 => filters.page = n,
                    _ => problems.push(Problem {
                        field: "result-count",
                        message: "Page numbers start at 1; showing the first page".into(),
                    }),
                },
                _ => {}
            }
        }
        (filters, problems)
    }

    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
            && self.status.is_none()
            && self.directorate.is_none()
            && self.portfolio.is_none()
            && self.outcome.is_none()
    }

    /// The query string for these filters on another page (empty when nothing is set).
    pub fn query(&self, page: usize) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        if let Some(s) = self.status {
            out.append_pair("status", s.key());
        }
        if let Some(d) = &self.directorate {
            out.append_pair("directorate", d);
        }
        if let Some(p) = &self.portfolio {
            out.append_pair("portfolio", p);
        }
        if let Some(o) = self.outcome {
            out.append_pair("outcome", &o.value());
        }
        if page > 1 {
            out.append_pair("page", &page.to_string());
        }
        out.finish()
    }

    pub fn matches(&self, data: &CouncilData, row: &ActivityRow) -> bool {
        if let Some(status) = self.status
            && row.status != Some(status.key())
        {
            return false;
        }
        if let Some(slug) = &self.directorate
            && crate::routes::slugify(&row.directorate) != *slug
        {
            return false;
        }
        if let Some(slug) = &self.portfolio
            && !row
                .portfolios
                .iter()
                .any(|p| crate::routes::slugify(p) == *slug)
        {
            return false;
        }
        if let Some(filter) = self.outcome {
            let activity = data.activity_of_row(row);
            let hit = activity.is_some_and(|a| {
                a.outcomes.iter().any(|o| match filter {
                    OutcomeFilter::Theme(n) => o.theme_number == n,
                    OutcomeFilter::Outcome(n) => o.number == n,
                })
            });
            if !hit {
                return false;
            }
        }
        if !self.q.is_empty() {
            let haystack = fold(&format!(
                "{} {} {} {} {} {}",
                row.reference.as_deref().unwrap_or(""),
                row.title,
                row.former_titles.join(" "),
                row.directorate,
                row.portfolios.join(" "),
                row.commentary.as_deref().unwrap_or(""),
            ));
            let needle = fold(&self.q);
            if !needle
                .split_whitespace()
                .all(|word| haystack.contains(word))
            {
                return false;
            }
        }
        true
    }
}

fn parse_outcome(value: &str, data: &CouncilData) -> Option<OutcomeFilter> {
    let themes = &data.overview.themes;
    if let Some(n) = value.strip_prefix("theme-") {
        let n: u32 = n.parse().ok()?;
        return themes
            .iter()
            .any(|t| t.number == i64::from(n))
            .then_some(OutcomeFilter::Theme(n));
    }
    let n: u32 = value.parse().ok()?;
    themes
        .iter()
        .flat_map(|t| &t.outcomes)
        .any(|o| o.number == i64::from(n))
        .then_some(OutcomeFilter::Outcome(n))
}

/// One page of matching rows, with the page actually shown (a page past the end shows the last).
pub struct Paged<'a> {
    pub rows: Vec<&'a ActivityRow>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

pub fn page<'a>(data: &'a CouncilData, rows: &'a [ActivityRow], filters: &Filters) -> Paged<'a> {
    let matching: Vec<&ActivityRow> = rows.iter().filter(|r| filters.matches(data, r)).collect();
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = filters.page.min(pages);
    let rows = matching
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Paged {
        rows,
        total,
        page,
        pages,
    }
}
