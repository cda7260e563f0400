//! HTML pages: each a template filled from a council's data. The templates are compiled into
//! the binary; autoescaping is on for every one, so published text is always shown as text.

use crate::chart;
use crate::data::{CouncilData, Named, activity_key, movements, row_key};
use crate::filters::{self, Filters, Problem};
use crate::html::{STATUS_ORDER, StatusView, html_environment};
use crate::opendata::ActivityRow;
use crate::routes::{Dataset, Format, Route, path, slugify};
use minijinja::{Environment, Value, context};
use waymark_domain::headline::percent_one_decimal;
use waymark_domain::stats::{Breakdown, PeriodStats, StatusCounts};
use waymark_domain::{Period, Quarter, Status};
use waymark_store::CouncilHeadline;

const TEMPLATES: [(&str, &str); 14] = [
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("group.html", include_str!("../templates/group.html")),
    (
        "activities.html",
        include_str!("../templates/activities.html"),
    ),
    ("activity.html", include_str!("../templates/activity.html")),
    (
        "indicators.html",
        include_str!("../templates/indicators.html"),
    ),
    (
        "indicator.html",
        include_str!("../templates/indicator.html"),
    ),
    ("report.html", include_str!("../templates/report.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    ("data.html", include_str!("../templates/data.html")),
    (
        "accessibility.html",
        include_str!("../templates/accessibility.html"),
    ),
    (
        "not_found.html",
        include_str!("../templates/not_found.html"),
    ),
    ("compare.html", include_str!("../templates/compare.html")),
];

pub struct Renderer {
    env: Environment<'static>,
    /// Writes the report downloads (the command line gives it the council's templates and a
    /// PDF writer).
    pub reporter: std::sync::Arc<waymark_report::Reporter>,
}

#[derive(Debug, thiserror::Error)]
#[error("page could not be rendered: {0}")]
pub struct RenderError(#[from] minijinja::Error);

type Rendered = Result<String, RenderError>;

impl Renderer {
    pub fn new() -> Result<Renderer, RenderError> {
        Renderer::with_mode(false)
    }

    /// For `waymark publish`: templates leave out what needs a server (the activity list's
    /// filters, the comparison's period choice) and say where to go instead.
    pub fn for_export() -> Result<Renderer, RenderError> {
        Renderer::with_mode(true)
    }

    fn with_mode(static_export: bool) -> Result<Renderer, RenderError> {
        let mut env = html_environment();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        let statuses: Vec<StatusView> = STATUS_ORDER.iter().map(|s| StatusView::of(*s)).collect();
        env.add_global("statuses", Value::from_serialize(&statuses));
        env.add_global("static_export", static_export);
        Ok(Renderer {
            env,
            reporter: std::sync::Arc::new(waymark_report::Reporter::default()),
        })
    }

    fn render(&self, name: &str, ctx: Value) -> Rendered {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}

impl Default for Renderer {
    fn default() -> Self {
        // The templates are part of the binary and checked by tests: failing here is a bug.
        #[allow(clippy::expect_used)]
        Renderer::new().expect("built-in templates compile")
    }
}

/// "2024/25 Q4 (year end)"
pub fn period_name(period: Period) -> String {
    match period.quarter {
        Quarter::Q4 => format!("{period} (year end)"),
        _ => period.to_string(),
    }
}

pub fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "n/a".into(), |p| format!("{p:.1}%"))
}

/// What a council's page templates are rendered with: its data, where its pages live and
/// whether the site holds other councils (the shared parts of every page need all three).
pub struct PageContext<'a> {
    pub data: &'a CouncilData,
    /// "" on a one-council site, "/{slug}" when the site holds several.
    pub prefix: String,
    pub multi: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Overview,
    Activities,
    Indicators,
    Reports,
    Data,
    None,
}

impl PageContext<'_> {
    fn href(&self, route: &Route) -> String {
        path(&self.prefix, route)
    }

    fn base(&self, title: &str, section: Section, breadcrumbs: Vec<(String, String)>) -> Value {
        let latest_report = self.data.latest().map_or(Route::Reports, Route::Report);
        let nav = [
            ("Overview", self.href(&Route::Home), Section::Overview),
            (
                "Activities",
                self.href(&Route::Activities),
                Section::Activities,
            ),
            (
                "Indicators",
                self.href(&Route::Indicators),
                Section::Indicators,
            ),
            ("Reports", self.href(&Route::Reports), Section::Reports),
            ("Open data", self.href(&Route::Data), Section::Data),
        ];
        let nav: Vec<Value> = nav
            .into_iter()
            .map(|(label, href, s)| context! { label, href, current => s == section })
            .collect();
        let mut crumbs = vec![];
        if self.multi {
            crumbs.push(context! { label => "All councils", href => "/" });
        }
        if section != Section::Overview || !breadcrumbs.is_empty() {
            crumbs.push(
                context! { label => self.data.org.name.clone(), href => self.href(&Route::Home) },
            );
        }
        for (label, href) in breadcrumbs {
            crumbs.push(context! { label, href });
        }
        if section == Section::Overview && breadcrumbs_only_home(&crumbs) {
            crumbs.clear();
        }
        context! {
            title,
            council => context! { name => self.data.org.name.clone(), slug => self.data.org.slug.clone() },
            home => self.href(&Route::Home),
            nav,
            breadcrumbs => crumbs,
            links => context! {
                accessibility => self.href(&Route::Accessibility),
                data => self.href(&Route::Data),
                activities => self.href(&Route::Activities),
                reports => self.href(&Route::Reports),
                latest_report => self.href(&latest_report),
                compare => self.multi.then_some("/compare"),
            },
        }
    }

    fn status_of(&self, row: &ActivityRow) -> Option<StatusView> {
        row.status.and_then(Status::from_key).map(StatusView::of)
    }

    fn row_view(&self, row: &ActivityRow) -> Value {
        let href = row_key(self.data, row).map(|k| self.href(&Route::Activity(k)));
        context! {
            reference => row.reference.clone(),
            title => row.title.clone(),
            directorate => row.directorate.clone(),
            status => self.status_of(row),
            href,
        }
    }

    fn groups(&self, breakdowns: &[Breakdown], link: impl Fn(&str) -> Option<String>) -> Value {
        mix(breakdowns
            .iter()
            .map(|b| MixRow {
                name: b.name.clone(),
                href: link(&b.name),
                counts: b.counts.clone(),
                total: b.total,
                percent: b.percent,
            })
            .collect())
    }

    fn directorate_link(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name: &str| {
            let slug = slugify(name);
            self.data
                .directorate(&slug)
                .map(|d| self.href(&Route::Directorate(d.slug.clone())))
        }
    }

    /// A link for a portfolio that has a page ("No portfolio recorded" is a bucket, not one).
    fn portfolio_link(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name: &str| {
            self.data
                .portfolio(&slugify(name))
                .map(|p| self.href(&Route::Portfolio(p.slug.clone())))
        }
    }

    fn claims(stats: &PeriodStats) -> Vec<Value> {
        stats
            .claims
            .iter()
            .map(|c| context! { text => c.text.clone(), note => c.note.clone(), consistent => c.consistent, checked => c.checked })
            .collect()
    }
}

fn breadcrumbs_only_home(crumbs: &[Value]) -> bool {
    crumbs.len() <= 1
}

/// A row of a status-mix table.
struct MixRow {
    name: String,
    href: Option<String>,
    counts: StatusCounts,
    total: usize,
    percent: Option<f64>,
}

/// A status-mix table with a column for each status that occurs in it (a column of zeros
/// tells the reader nothing and pushes the headline off narrow screens).
fn mix(rows: Vec<MixRow>) -> Value {
    let used: Vec<Status> = STATUS_ORDER
        .iter()
        .copied()
        .filter(|s| rows.iter().any(|r| r.counts.get(*s) > 0))
        .collect();
    let columns: Vec<StatusView> = used.iter().map(|s| StatusView::of(*s)).collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            context! {
                name => r.name.clone(),
                href => r.href.clone(),
                counts => used.iter().map(|s| r.counts.get(*s)).collect::<Vec<_>>(),
                total => r.total,
                percent => percent(r.percent),
            }
        })
        .collect();
    context! { columns, rows }
}

/// The home page: plan, headline, status mix, themes.
pub fn home(r: &Renderer, site: &PageContext) -> Rendered {
    let data = site.data;
    let overview = &data.overview;
    let headline = data.latest().and_then(|p| data.stats.get(&p)).map(|s| {
        let mut groups = vec![Breakdown {
            name: "All directorates".into(),
            total: s.total,
            counts: s.counts.clone(),
            complete_or_on_track: s.numerator,
            percent: s.percent,
        }];
        groups.extend(s.by_directorate.iter().cloned());
        let chart_groups: Vec<(String, StatusCounts)> = groups
            .iter()
            .map(|g| (g.name.clone(), g.counts.clone()))
            .collect();
        let link = site.directorate_link();
        let mut rows = vec![MixRow {
            name: "All directorates".into(),
            href: None,
            counts: s.counts.clone(),
            total: s.total,
            percent: s.percent,
        }];
        rows.extend(s.by_directorate.iter().map(|b| MixRow {
            name: b.name.clone(),
            href: link(&b.name),
            counts: b.counts.clone(),
            total: b.total,
            percent: b.percent,
        }));
        let table = mix(rows);
        context! {
            period_name => period_name(s.period),
            percent => percent(s.percent),
            numerator => s.numerator,
            denominator => s.denominator,
            rule_name => s.rule_name.clone(),
            rule => s.rule.clone(),
            duplicates => s.duplicates_removed,
            claims => PageContext::claims(s),
            chart => chart::status_mix(&format!("Status of activities by directorate, {}", period_name(s.period)), &chart_groups),
            groups => table,
            report_href => site.href(&Route::Report(s.period)),
        }
    });
    let themes: Vec<Value> = overview
        .themes
        .iter()
        .map(|t| context! { number => t.number, title => t.title.clone(), summary => t.summary.clone(), href => site.href(&Route::Theme(t.number as u32)) })
        .collect();
    let named = |list: &[Named], route: fn(String) -> Route| -> Vec<Value> {
        list.iter()
            .map(|n| context! { name => n.name.clone(), href => site.href(&route(n.slug.clone())) })
            .collect()
    };
    let plan_title = overview
        .title
        .clone()
        .unwrap_or_else(|| "Our plan and how we are doing".into());
    let mission = overview.mission.clone();
    let ctx = context! {
        ..site.base(&plan_title, Section::Overview, vec![]),
        ..context! {
            plan => context! {
                caption => data.org.name.clone(),
                mission,
                values => overview.values.clone(),
                principles => overview.principles.iter().map(|p| p.title.clone()).collect::<Vec<_>>(),
            },
            headline,
            themes,
            directorates => named(&data.directorates, Route::Directorate),
            portfolios => named(&data.portfolios, Route::Portfolio),
        }
    };
    r.render("home.html", ctx)
}

/// A group page (theme, outcome, directorate, portfolio): its words, its activities and their
/// statuses in the latest period.
pub struct Group<'a> {
    pub caption: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub outcomes: Vec<(i64, String)>,
    pub rows: Vec<&'a ActivityRow>,
    /// Per row, whether it is here only by a suggested link (theme and outcome pages).
    pub suggested: Vec<bool>,
    pub breadcrumb: Option<(String, String)>,
}

pub fn group(r: &Renderer, site: &PageContext, group: Group) -> Rendered {
    let latest = site.data.latest();
    let summary = latest.map(|p| {
        // Reported rows only, counted as the headline counts them.
        let reported: Vec<Status> = group
            .rows
            .iter()
            .filter(|row| row.status_label.is_some())
            .filter_map(|row| row.status.and_then(Status::from_key))
            .collect();
        let mut c = StatusCounts::default();
        for s in &reported {
            c.add(*s);
        }
        let rule = &site.data.rule;
        let (numerator, denominator) = rule.apply(reported.iter().copied());
        let share = percent_one_decimal(numerator, denominator);
        context! {
            period_name => period_name(p),
            sentence => format!(
                "{numerator} of {denominator} activities reported here are {} ({}).",
                rule.name,
                percent(share)
            ),
            groups => mix(vec![MixRow { name: group.title.clone(), href: None, counts: c, total: reported.len(), percent: share }]),
        }
    });
    let rows: Vec<Value> = group
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let suggested = group.suggested.get(i).copied().unwrap_or(false);
            context! { suggested, ..site.row_view(row) }
        })
        .collect();
    let any_suggested = group.suggested.iter().any(|s| *s);
    let outcomes: Vec<Value> = group
        .outcomes
        .iter()
        .map(|(n, t)| context! { number => n, title => t.clone(), href => site.href(&Route::Outcome(*n as u32)) })
        .collect();
    let crumbs = group.breadcrumb.into_iter().collect();
    let ctx = context! {
        ..site.base(&group.title, Section::None, crumbs),
        ..context! {
            caption => group.caption,
            paragraphs => group.paragraphs,
            outcomes,
            summary,
            rows,
            any_suggested,
            empty => "No activities are linked to this yet.",
        }
    };
    r.render("group.html", ctx)
}

/// The activity list with its filters, one page of results.
pub fn activities(
    r: &Renderer,
    site: &PageContext,
    filters: &Filters,
    problems: &[Problem],
) -> Rendered {
    let data = site.data;
    let rows = data.current_rows();
    let paged = filters::page(data, rows, filters);
    let list = site.href(&Route::Activities);
    let link = |page: usize| {
        let q = filters.query(page);
        if q.is_empty() {
            list.clone()
        } else {
            format!("{list}?{q}")
        }
    };
    let first = (paged.page - 1) * filters::PAGE_SIZE + 1;
    let last = first + paged.rows.len().saturating_sub(1);
    let count = if paged.total == 0 {
        "No activities match.".to_string()
    } else {
        format!(
            "Showing {first} to {last} of {} activities{}",
            paged.total,
            if filters.is_empty() {
                String::new()
            } else {
                " matching your filters".into()
            }
        )
    };
    let pages = (paged.pages > 1).then(|| {
        let items: Vec<Value> = page_numbers(paged.page, paged.pages)
            .into_iter()
            .map(|n| match n {
                Some(n) => context! { number => n, href => link(n), current => n == paged.page, ellipsis => false },
                None => context! { ellipsis => true },
            })
            .collect();
        context! {
            previous => (paged.page > 1).then(|| link(paged.page - 1)),
            next => (paged.page < paged.pages).then(|| link(paged.page + 1)),
            items,
        }
    });
    let option = |value: String, label: String, selected: bool| context! { value, label, selected };
    let any = |label: &str| option(String::new(), label.to_string(), false);
    let mut status_options = vec![any("Any status")];
    status_options.extend(
        STATUS_ORDER
            .iter()
            .map(|s| option(s.key().into(), s.name().into(), filters.status == Some(*s))),
    );
    let mut directorate_options = vec![any("Any directorate")];
    directorate_options.extend(data.directorates.iter().map(|d| {
        option(
            d.slug.clone(),
            d.name.clone(),
            filters.directorate.as_deref() == Some(&d.slug),
        )
    }));
    let mut portfolio_options = vec![any("Any portfolio")];
    portfolio_options.extend(data.portfolios.iter().map(|p| {
        option(
            p.slug.clone(),
            p.name.clone(),
            filters.portfolio.as_deref() == Some(&p.slug),
        )
    }));
    let mut outcome_options = vec![any("Any priority or outcome")];
    for t in &data.overview.themes {
        let value = format!("theme-{}", t.number);
        let selected = filters.outcome.map(|o| o.value()) == Some(value.clone());
        outcome_options.push(option(
            value,
            format!("Priority {}: {}", t.number, t.title),
            selected,
        ));
        for o in &t.outcomes {
            let value = o.number.to_string();
            let selected = filters.outcome.map(|o| o.value()) == Some(value.clone());
            outcome_options.push(option(
                value,
                format!("Outcome {}: {}", o.number, o.title),
                selected,
            ));
        }
    }
    let mut selects = vec![
        context! { name => "status", label => "Status", options => status_options },
        context! { name => "directorate", label => "Directorate", options => directorate_options },
    ];
    if data.portfolios.len() > 1 {
        selects.push(context! { name => "portfolio", label => "Cabinet portfolio", options => portfolio_options });
    }
    if !data.overview.themes.is_empty() {
        selects.push(context! { name => "outcome", label => "Priority or outcome", options => outcome_options });
    }
    let intro = match data.latest() {
        Some(p) => format!(
            "Every activity in the plan and every activity reported, with its status in {}.",
            period_name(p)
        ),
        None => "Every activity in the plan. No progress has been reported yet.".into(),
    };
    let title = if filters.q.is_empty() {
        "Activities".to_string()
    } else {
        format!("Activities matching “{}”", filters.q)
    };
    let csv = site.href(&Route::Download(Dataset::Activities, Format::Csv));
    let ctx = context! {
        ..site.base(&title, Section::Activities, vec![]),
        ..context! {
            intro,
            filters => context! { q => filters.q.clone(), selects },
            problems => problems.iter().map(|p| context! { field => p.field, message => p.message.clone() }).collect::<Vec<_>>(),
            count,
            caption => format!("Activities, page {} of {}", paged.page, paged.pages),
            rows => paged.rows.iter().map(|row| site.row_view(row)).collect::<Vec<_>>(),
            pages,
            csv_href => csv,
        }
    };
    r.render("activities.html", ctx)
}

/// Page numbers to offer: first, last, and two either side of the current; `None` is a gap.
pub fn page_numbers(current: usize, pages: usize) -> Vec<Option<usize>> {
    let mut out = vec![];
    let mut last = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(current) <= 2 {
            if n > last + 1 {
                out.push(None);
            }
            out.push(Some(n));
            last = n;
        }
    }
    out
}

pub fn activity(r: &Renderer, site: &PageContext, key: &str) -> Option<Rendered> {
    let data = site.data;
    let a = data.activity(key)?;
    let current_row = data
        .current_rows()
        .iter()
        .find(|row| data.activity_of_row(row).map(|x| x.id) == Some(a.id));
    let current = current_row.and_then(|row| {
        Some(context! {
            status => site.status_of(row)?,
            period => period_name(data.latest()?),
        })
    });
    let history: Vec<Value> = data
        .history(a)
        .iter()
        .map(|h| {
            context! {
                period => period_name(h.period),
                href => site.href(&Route::Report(h.period)),
                status => StatusView::of(h.status),
                label => h.status_label.clone(),
                note => h.note.clone(),
                corrective_action => h.corrective_action.clone(),
                reason => h.reason.clone(),
            }
        })
        .collect();
    let mut titles = a.former_titles.clone();
    titles.push(a.title.clone());
    titles.dedup();
    let due = a.due.as_ref().map(|d| {
        let meaning = match d.deadline() {
            Some(date) => format!("Read as: due by {}", date.format("%-d %B %Y")),
            None => format!(
                "Read as: no fixed deadline ({})",
                d.precision().key().replace('_', " ")
            ),
        };
        context! { text => d.text.clone(), meaning }
    });
    let portfolios: Vec<Value> = a
        .portfolios
        .iter()
        .map(|p| context! { name => p.clone(), href => site.href(&Route::Portfolio(slugify(p))) })
        .collect();
    let outcomes: Vec<Value> = a
        .outcomes
        .iter()
        .map(|o| context! { number => o.number, title => o.title.clone(), suggested => o.suggested, href => site.href(&Route::Outcome(o.number)) })
        .collect();
    let key = activity_key(a);
    let ctx = context! {
        ..site.base(&a.title, Section::Activities, vec![("Activities".into(), site.href(&Route::Activities))]),
        ..context! {
            a => context! {
                reference => a.reference.clone(),
                directorate => a.directorate.clone(),
                directorate_href => site.href(&Route::Directorate(slugify(&a.directorate))),
                portfolios,
                due,
                outcomes,
                in_plan => a.in_plan,
                status_note => a.status_note.clone(),
                titles,
                history,
                current,
                source => a.source.as_ref().map(|s| s.to_string()),
                api_href => site.href(&Route::ApiActivity(key)),
            }
        }
    };
    Some(r.render("activity.html", ctx))
}

pub fn indicators(r: &Renderer, site: &PageContext) -> Rendered {
    let list: Vec<Value> = site
        .data
        .indicators
        .iter()
        .map(|i| {
            let latest = i.values.last().map(|v| context! { year => v.year.clone(), text => v.text.clone(), rag => v.rag.clone() });
            context! {
                reference => i.reference.clone(),
                name => i.name.clone(),
                href => site.href(&Route::Indicator(i.reference.clone())),
                latest,
            }
        })
        .collect();
    let ctx = context! {
        ..site.base("Indicators", Section::Indicators, vec![]),
        ..context! { indicators => list }
    };
    r.render("indicators.html", ctx)
}

pub fn indicator(r: &Renderer, site: &PageContext, reference: &str) -> Option<Rendered> {
    let i = site.data.indicator(reference)?;
    let values: Vec<Value> = i
        .values
        .iter()
        .map(|v| context! { year => v.year.clone(), text => v.text.clone(), rag => v.rag.clone(), direction => v.direction.clone(), source => v.source.clone() })
        .collect();
    let ctx = context! {
        ..site.base(&i.name, Section::Indicators, vec![("Indicators".into(), site.href(&Route::Indicators))]),
        ..context! {
            i => context! {
                reference => i.reference.clone(),
                frequency => i.frequency.clone(),
                section => i.section.clone(),
                values,
            }
        }
    };
    Some(r.render("indicator.html", ctx))
}

pub fn reports(r: &Renderer, site: &PageContext) -> Rendered {
    let list: Vec<Value> = site
        .data
        .periods
        .iter()
        .rev()
        .filter_map(|p| {
            let s = site.data.stats.get(p)?;
            Some(context! {
                name => period_name(*p),
                href => site.href(&Route::Report(*p)),
                summary => format!("{} of {} ({}) {}", s.numerator, s.denominator, percent(s.percent), s.rule_name),
            })
        })
        .collect();
    let ctx = context! {
        ..site.base("Progress reports", Section::Reports, vec![]),
        ..context! { reports => list }
    };
    r.render("reports.html", ctx)
}

pub fn report(r: &Renderer, site: &PageContext, period: Period) -> Option<Rendered> {
    let data = site.data;
    let s = data.stats.get(&period)?;
    let rows = data.rows.get(&period)?;
    let mut chart_groups = vec![("All directorates".to_string(), s.counts.clone())];
    chart_groups.extend(
        s.by_directorate
            .iter()
            .map(|b| (b.name.clone(), b.counts.clone())),
    );
    let changes = data.previous(period).map(|previous| {
        let m = movements(data, period, previous);
        let href = |key: &Option<String>| key.as_ref().map(|k| site.href(&Route::Activity(k.clone())));
        let simple = |list: &[(Option<String>, String, Status)]| -> Vec<Value> {
            list.iter()
                .map(|(key, title, status)| context! {
                    reference => key.clone().filter(|k| !k.starts_with("unreferenced-")),
                    title => title.clone(),
                    directorate => "",
                    status => StatusView::of(*status),
                    href => href(key),
                })
                .collect()
        };
        context! {
            previous => period_name(previous),
            changed => m.changed.iter().map(|(key, title, from, to)| context! {
                title => title.clone(), href => href(key), from => StatusView::of(*from), to => StatusView::of(*to),
            }).collect::<Vec<_>>(),
            new => simple(&m.new),
            dropped => simple(&m.dropped),
            unchanged => m.unchanged,
        }
    });
    // Reported rows only (the plan's unreported activities are in the activity list).
    let mut directorates: Vec<(String, Vec<Value>)> = vec![];
    for row in rows.iter().filter(|row| row.status_label.is_some()) {
        let name = row
            .reported_directorate
            .clone()
            .unwrap_or_else(|| row.directorate.clone());
        let view = site.row_view(row);
        match directorates.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(view),
            None => directorates.push((name, vec![view])),
        }
    }
    let formats = r.reporter.formats();
    let links = |kind: waymark_report::Kind, portfolio: Option<String>| -> Vec<Value> {
        formats
            .iter()
            .map(|format| {
                context! {
                    href => site.href(&Route::ReportFile { period, kind, portfolio: portfolio.clone(), format: *format }),
                    label => format.name(),
                    short => format.key().to_uppercase(),
                }
            })
            .collect()
    };
    let downloads = context! {
        year => period.year.to_string(),
        annual => links(waymark_report::Kind::Annual, None),
        exceptions => links(waymark_report::Kind::Exceptions, None),
        portfolios => data.portfolios.iter().map(|p| context! {
            name => p.name.clone(),
            links => links(waymark_report::Kind::Portfolio, Some(p.slug.clone())),
        }).collect::<Vec<_>>(),
    };
    let title = format!("Progress at {}", period_name(period));
    let ctx = context! {
        ..site.base(&title, Section::Reports, vec![("Reports".into(), site.href(&Route::Reports))]),
        ..context! {
            r => context! {
                percent => percent(s.percent),
                numerator => s.numerator,
                denominator => s.denominator,
                rule_name => s.rule_name.clone(),
                rule => s.rule.clone(),
                rows => s.rows,
                duplicates => s.duplicates_removed,
                claims => PageContext::claims(s),
                chart => chart::status_mix(&format!("Status of activities by directorate, {}", period_name(period)), &chart_groups),
                by_directorate => site.groups(&s.by_directorate, site.directorate_link()),
                by_portfolio => site.groups(&s.by_portfolio, site.portfolio_link()),
                by_theme => site.groups(&s.by_theme, |_| None),
                changes,
                downloads,
                directorates => directorates.into_iter().map(|(name, rows)| context! { name, rows }).collect::<Vec<_>>(),
            }
        }
    };
    Some(r.render("report.html", ctx))
}

pub struct Endpoint {
    pub path: &'static str,
    pub example: String,
    pub description: &'static str,
}

pub fn data_page(r: &Renderer, site: &PageContext) -> Rendered {
    let d = |dataset: Dataset, name: &str, description: &str| {
        context! {
            name,
            description,
            csv => site.href(&Route::Download(dataset, Format::Csv)),
            json => site.href(&Route::Download(dataset, Format::Json)),
        }
    };
    let downloads = vec![
        d(
            Dataset::Activities,
            "Activities",
            "Every activity with its directorate, portfolios, due date, outcomes and its status in the latest period.",
        ),
        d(
            Dataset::Statuses,
            "Statuses",
            "Every status reported: one row per activity and reporting period, with commentary.",
        ),
        d(
            Dataset::Indicators,
            "Indicators",
            "Every indicator value by year, with its rating and direction of travel.",
        ),
    ];
    let period = site.data.latest().map(|p| p.slug()).unwrap_or_default();
    let example_ref = site
        .data
        .activities
        .iter()
        .find(|a| a.reference.is_some())
        .map(activity_key)
        .unwrap_or_else(|| "1".into());
    let api = |route: Route, query: &str| {
        let base = site.href(&route);
        if query.is_empty() {
            base
        } else {
            format!("{base}?{query}")
        }
    };
    let endpoints = vec![
        Endpoint {
            path: "/api/v1/activities?period={period}",
            example: api(Route::ApiActivities, &format!("period={period}")),
            description: "Every activity with its status in the period.",
        },
        Endpoint {
            path: "/api/v1/activities/{reference}",
            example: api(Route::ApiActivity(example_ref), ""),
            description: "One activity with its titles over time and its status in every period.",
        },
        Endpoint {
            path: "/api/v1/stats?period={period}",
            example: api(Route::ApiStats, &format!("period={period}")),
            description: "The headline figure with its rule, the status mix overall and by directorate, portfolio and theme, and the published claims checked.",
        },
        Endpoint {
            path: "/api/v1/indicators",
            example: api(Route::ApiIndicators, ""),
            description: "Every indicator with its values over time.",
        },
    ];
    let endpoints: Vec<Value> = endpoints
        .into_iter()
        .map(|e| context! { path => e.path, example => e.example, description => e.description })
        .collect();
    let ctx = context! {
        ..site.base("Open data and API", Section::Data, vec![]),
        ..context! { downloads, endpoints }
    };
    r.render("data.html", ctx)
}

pub fn accessibility(r: &Renderer, site: &PageContext) -> Rendered {
    r.render(
        "accessibility.html",
        site.base("Accessibility statement", Section::None, vec![]),
    )
}

pub fn not_found(r: &Renderer, site: &PageContext) -> Rendered {
    r.render(
        "not_found.html",
        site.base("Page not found", Section::None, vec![]),
    )
}

/// The whole site's "not found" page when no council's pages apply.
pub fn global_not_found(r: &Renderer, site_name: &str) -> Rendered {
    r.render("not_found.html", global_base(site_name, "Page not found"))
}

fn global_base(site_name: &str, title: &str) -> Value {
    context! {
        title,
        council => context! { name => site_name, slug => "" },
        home => "/",
        nav => vec![context! { label => "Compare councils", href => "/", current => true }],
        breadcrumbs => Vec::<Value>::new(),
        links => context! {
            accessibility => "/",
            data => "/api/openapi.json",
            activities => "/",
            reports => "/",
            latest_report => "/",
            compare => None::<String>,
        },
    }
}

/// Councils side by side for one period, each under its own rule.
pub fn compare(
    r: &Renderer,
    site_name: &str,
    period: Option<Period>,
    periods: &[Period],
    headlines: &[CouncilHeadline],
    councils: &[(String, String)],
) -> Rendered {
    let used: Vec<Status> = STATUS_ORDER
        .iter()
        .copied()
        .filter(|s| headlines.iter().any(|h| h.counts.get(*s) > 0))
        .collect();
    let (reported, silent): (Vec<_>, Vec<_>) = headlines.iter().partition(|h| h.total > 0);
    let rows: Vec<Value> = reported
        .iter()
        .map(|h| {
            context! {
                name => h.organisation.name.clone(),
                href => format!("/{}/", h.organisation.slug),
                percent => format!("{} of {} ({})", h.numerator, h.denominator, percent(h.percent)),
                rule => h.rule.clone(),
                counts => used.iter().map(|s| h.counts.get(*s)).collect::<Vec<_>>(),
                total => h.total,
            }
        })
        .collect();
    let silent: Vec<Value> = silent
        .iter()
        .map(|h| context! { name => h.organisation.name.clone(), href => format!("/{}/", h.organisation.slug) })
        .collect();
    let columns: Vec<StatusView> = used.iter().map(|s| StatusView::of(*s)).collect();
    let period_options: Vec<Value> = periods
        .iter()
        .rev()
        .map(|p| context! { value => p.slug(), label => period_name(*p), selected => Some(*p) == period })
        .collect();
    let ctx = context! {
        ..global_base(site_name, "Councils compared"),
        ..context! {
            period_name => period.map(period_name).unwrap_or_default(),
            periods => period_options,
            rows,
            silent,
            columns,
            councils => councils.iter().map(|(slug, name)| context! { name => name.clone(), href => format!("/{slug}/") }).collect::<Vec<_>>(),
        }
    };
    r.render("compare.html", ctx)
}
