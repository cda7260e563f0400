//! What a column or a label means: its role, read from the words councils head columns
//! with, then from what the cells hold.

use crate::period_label;
use waymark_domain::text::fold;
use waymark_domain::{Period, Status, StatusLabels};

/// What a column (or a record's label) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Role {
    Reference,
    /// An activity, action, milestone or step.
    Title,
    /// An indicator's name.
    Measure,
    Description,
    Directorate,
    Portfolio,
    Owner,
    Due,
    Status,
    Commentary,
    Action,
    Target,
    Polarity,
    Direction,
    Unit,
    Theme,
    /// A period written in each row (a long table: one row per indicator and period).
    Period,
    /// A value for a period (the header names the period, or says "value", "last year").
    Value,
    /// A column nobody has a field for: kept on the row under its header.
    Other,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Reference => "reference",
            Role::Title => "activity",
            Role::Measure => "indicator",
            Role::Description => "description",
            Role::Directorate => "directorate",
            Role::Portfolio => "portfolio",
            Role::Owner => "owner",
            Role::Due => "due date",
            Role::Status => "status",
            Role::Commentary => "commentary",
            Role::Action => "corrective action",
            Role::Target => "target",
            Role::Polarity => "polarity",
            Role::Direction => "direction",
            Role::Unit => "unit",
            Role::Theme => "theme",
            Role::Period => "period",
            Role::Value => "value",
            Role::Other => "kept as written",
        }
    }

    pub(crate) const ALL: [Role; 19] = [
        Role::Reference,
        Role::Title,
        Role::Measure,
        Role::Description,
        Role::Directorate,
        Role::Portfolio,
        Role::Owner,
        Role::Due,
        Role::Status,
        Role::Commentary,
        Role::Action,
        Role::Target,
        Role::Polarity,
        Role::Direction,
        Role::Unit,
        Role::Theme,
        Role::Period,
        Role::Value,
        Role::Other,
    ];

    /// The role a mapping file names ("status", "due date", "due").
    pub(crate) fn from_name(name: &str) -> Option<Role> {
        let n = fold(name);
        Role::ALL
            .into_iter()
            .find(|r| fold(r.name()) == n || fold(&format!("{r:?}")) == n)
            .or(match n.as_str() {
                "due" | "date" => Some(Role::Due),
                "title" | "action" | "milestone" => Some(Role::Title),
                "name" | "measure" | "kpi" => Some(Role::Measure),
                "rag" => Some(Role::Status),
                "ignore" | "other" | "keep" => Some(Role::Other),
                _ => None,
            })
    }
}

/// Header words for each role, folded. A header matches a synonym when it equals it, or
/// starts or ends with it as whole words ("Lead Directorate", "Q3 RAG", "Progress update").
const SYNONYMS: &[(Role, &[&str])] = &[
    (
        Role::Reference,
        &[
            "ref",
            "reference",
            "code",
            "action ref",
            "pi code",
            "pi ref",
            "pi ref no",
            "kpi ref",
            "measure ref",
            "indicator ref",
            "id",
            "no",
            "line",
            "number",
            "ref no",
            "action no",
            "kpi id",
            "pi",
            "step ref",
        ],
    ),
    (
        Role::Title,
        &[
            "activity",
            "activities",
            "action",
            "actions",
            "milestone",
            "milestones",
            "objective",
            "key issue",
            "deliverable",
            "deliverables",
            "step",
            "steps",
            "key action",
            "key actions",
            "business plan action",
            "commitment",
            "commitments",
            "project",
            "task",
            "key deliverable",
            "what we will do",
            "priority action",
            "sub objective",
            "title",
        ],
    ),
    (
        // Dates a row was written or judged, not due: kept as written.
        Role::Other,
        &[
            "date",
            "updated",
            "last updated",
            "date updated",
            "date of judgement",
            "judgement date",
            "as at",
            "date of update",
        ],
    ),
    (
        Role::Measure,
        &[
            "measure",
            "indicator",
            "performance indicator",
            "performance indicators",
            "kpi",
            "kpis",
            "key performance indicator",
            "performance measure",
            "indicator name",
            "metric",
            "measure name",
            "kpi description",
            "pi description",
            "pi and desired direction of travel",
            "strategic measure",
            "kpi name",
            "measure description",
        ],
    ),
    (Role::Description, &["description", "definition", "details"]),
    (
        Role::Directorate,
        &[
            "directorate",
            "lead directorate",
            "service",
            "department",
            "service area",
            "directorate service",
            "head of service",
            "division",
            "responsible hos",
            "dept",
        ],
    ),
    (
        Role::Portfolio,
        &[
            "portfolio",
            "cabinet member",
            "lead member",
            "portfolio holder",
            "lead committee",
            "committee",
            "cabinet portfolio",
            "lead cabinet member",
            "executive member",
            "policy committee",
        ],
    ),
    (
        Role::Owner,
        &[
            "lead officer",
            "owner",
            "responsible officer",
            "accountable officer",
            "officer",
            "lead",
            "responsible",
            "action owner",
            "manager",
        ],
    ),
    (
        Role::Due,
        &[
            "due",
            "due date",
            "end date",
            "target date",
            "deadline",
            "by when",
            "completion date",
            "delivery date",
            "key delivery date",
            "timescale",
            "timescales",
            "date due",
            "target completion date",
            "expected completion",
            "when",
            "due by",
            "revised date",
        ],
    ),
    (
        Role::Status,
        &[
            "status",
            "rag",
            "rag status",
            "progress",
            "overall status",
            "rating",
            "performance",
            "current status",
            "traffic light",
            "rag rating",
            "status this quarter",
            "assessment",
            "judgement",
            "progress status",
            "delivery status",
        ],
    ),
    (
        Role::Commentary,
        &[
            "commentary",
            "update",
            "progress update",
            "comments",
            "comment",
            "narrative",
            "narrative update",
            "progress commentary",
            "latest update",
            "reason",
            "explanation",
            "progress to date",
            "notes",
            "commentary and management actions",
            "reason for judgement",
            "position statement",
            "service comments",
        ],
    ),
    (
        Role::Action,
        &[
            "mitigating action",
            "corrective action",
            "management action",
            "next steps",
            "action to improve",
            "mitigation",
            "remedial action",
            "actions to address",
        ],
    ),
    (
        Role::Target,
        &[
            "target",
            "annual target",
            "alp target",
            "quarter target",
            "year target",
            "target value",
            "targets",
            "month target",
            "year end target",
        ],
    ),
    (
        Role::Polarity,
        &[
            "polarity",
            "good is",
            "good performance",
            "desired direction",
            "higher or lower is better",
            "better if",
            "aim",
        ],
    ),
    (
        Role::Direction,
        &[
            "dot",
            "direction of travel",
            "trend",
            "direction",
            "short trend",
            "long trend",
            "better or worse",
            "trend of imp",
            "trend of improvement",
            "change",
            "short term dot",
            "long term dot",
        ],
    ),
    (
        Role::Unit,
        &["unit", "units", "meas in", "measured in", "unit of measure"],
    ),
    (
        Role::Theme,
        &[
            "theme",
            "priority",
            "priority theme",
            "corporate priority",
            "outcome",
            "well being objective",
            "wellbeing objective",
            "ambition",
            "strategic priority",
            "aim",
        ],
    ),
    (
        Role::Period,
        &[
            "period",
            "quarter",
            "reporting period",
            "month",
            "date period",
        ],
    ),
    (
        Role::Value,
        &[
            "value",
            "actual",
            "outturn",
            "current value",
            "result",
            "annual perf",
            "this period",
            "last period",
            "last year",
            "last quarter",
            "previous year",
            "previous quarter",
            "current",
            "performance value",
            "year to date",
            "ytd",
            "latest",
        ],
    ),
];

/// The roles a header's words suggest, best first, each with a confidence out of 100.
pub(crate) fn header_roles(header: &str, extra: &[(String, Role)]) -> Vec<(Role, u8)> {
    let original = header;
    let h = fold(&header.replace(['\n', '*', '†', '(', ')', ':', '.'], " "));
    let h = h.trim();
    if h.is_empty() {
        return vec![];
    }
    let mut out: Vec<(Role, u8)> = vec![];
    fn push(out: &mut Vec<(Role, u8)>, role: Role, score: u8) {
        if let Some(existing) = out.iter_mut().find(|(r, _)| *r == role) {
            existing.1 = existing.1.max(score);
        } else {
            out.push((role, score));
        }
    }
    for (synonym, role) in extra {
        if fold(synonym) == h {
            push(&mut out, *role, 100);
        }
    }
    let words: Vec<&str> = h.split_whitespace().collect();
    for (role, synonyms) in SYNONYMS {
        for s in *synonyms {
            let sw: Vec<&str> = s.split_whitespace().collect();
            if words == sw {
                push(&mut out, *role, 95);
            } else if words.len() > sw.len() && words.len() <= sw.len() + 4 {
                if words[..sw.len()] == sw[..] {
                    push(&mut out, *role, 70 + 2 * sw.len() as u8);
                } else if words[words.len() - sw.len()..] == sw[..] {
                    push(&mut out, *role, 75 + 2 * sw.len() as u8);
                } else if sw.len() >= 2 && words.windows(sw.len()).any(|w| w == &sw[..]) {
                    push(&mut out, *role, 60);
                }
            }
        }
    }
    // "Update and corrective action": two roles joined, the first named is the column's.
    if let Some((left, _)) = h.split_once(" and ") {
        let left_words: Vec<&str> = left.split_whitespace().collect();
        let best = out.iter().map(|(_, s)| *s).max().unwrap_or(0);
        let first = SYNONYMS.iter().find(|(_, syns)| {
            syns.iter().any(|s| {
                let sw: Vec<&str> = s.split_whitespace().collect();
                left_words.ends_with(&sw)
            })
        });
        if let Some((role, _)) = first
            && best < 95
        {
            push(&mut out, *role, best.saturating_add(1).min(94));
        }
    }
    // A header that names a period holds that period's values ("Q1 24/25", "2023/24 Outturn"),
    // unless it names something else for it ("Q3 RAG", "Q3 target", "Key Actions for 2025/26").
    if period_in_header(original).is_some()
        && !out
            .iter()
            .any(|(r, s)| *s >= 70 && !matches!(r, Role::Value | Role::Other))
    {
        push(&mut out, Role::Value, 90);
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Split a header line whose cells are glued by single spaces into columns: each column
/// starts with header words councils use ("Actual", "Target", "Responsible Officer") and
/// takes the qualifying words after them ("Actual Jul", "Target 25/26").
pub(crate) fn segment_header(text: &str) -> Vec<(Role, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let starts_at = |i: usize| -> Option<(usize, Role)> {
        (1..=4usize.min(words.len().saturating_sub(i)))
            .rev()
            .find_map(|n| {
                let phrase = words.get(i..i + n)?.join(" ");
                let (role, score) = *header_roles(&phrase, &[]).first()?;
                (score >= 95).then_some((n, role))
            })
    };
    let mut out: Vec<(Role, String)> = vec![];
    let mut i = 0;
    while i < words.len() {
        let Some((n, role)) = starts_at(i) else {
            // A word no column starts with qualifies the column before it.
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(words.get(i).copied().unwrap_or(""));
            }
            i += 1;
            continue;
        };
        out.push((
            role,
            words.get(i..i + n).map(|w| w.join(" ")).unwrap_or_default(),
        ));
        i += n;
    }
    out
}

/// The period a header names: "Q1 24/25", "Quarter 2 2025/26", "2024/25", "2023/2024 Outturn".
pub(crate) fn period_in_header(header: &str) -> Option<Period> {
    period_label::period(header, true)
}

/// What a cell's text looks like, for judging columns by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Empty,
    Reference,
    Number,
    StatusWord,
    Date,
    ShortText,
    LongText,
}

pub(crate) fn shape(text: &str, labels: &StatusLabels) -> Shape {
    let t = text.trim();
    if t.is_empty() || matches!(t, "-" | "–" | "n/a" | "N/A" | "NA") {
        return Shape::Empty;
    }
    // "611 kg\n(GREEN)": a value with its rating written under it is a value.
    if let Some((value, last)) = t.rsplit_once('\n') {
        let last = last.trim().trim_start_matches('(').trim_end_matches(')');
        if status_of(last, labels).is_some() && !value.trim().is_empty() {
            return shape(value, labels);
        }
    }
    if status_of(t, labels).is_some() {
        return Shape::StatusWord;
    }
    if is_number(t) {
        return Shape::Number;
    }
    if is_reference(t) {
        return Shape::Reference;
    }
    if is_date(t) {
        return Shape::Date;
    }
    if t.split_whitespace().count() >= 9 {
        Shape::LongText
    } else {
        Shape::ShortText
    }
}

/// "4.01.01", "1.1.2.PI", "FC_01", "WKI001", "NEW 1", "HCW2.2", "KA 3", "EDU018*", "PL01 (C)".
pub(crate) fn is_reference(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['*', '†', '.']);
    let t = t
        .strip_suffix(|c: char| c == ')')
        .and_then(|x| x.rsplit_once(" ("))
        .map_or(t, |(a, _)| a);
    if t.is_empty() || t.len() > 16 || t.split_whitespace().count() > 2 {
        return false;
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    if digits == 0 {
        return false;
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' ' | '/'))
    {
        return false;
    }
    // A bare number of up to three digits is a line number; "4.01.01" a numbered reference;
    // letters with digits a code. Years and big numbers are not references.
    if letters == 0 {
        return t.contains('.')
            && !t.ends_with('.')
            && t.split('.').all(|p| !p.is_empty() && p.len() <= 3)
            || (t.len() <= 3 && !t.contains(['.', '/', '-']));
    }
    // A code of one word may have a longer stem ("Strategic201").
    let one_word = !t.contains(' ') && t.ends_with(|c: char| c.is_ascii_digit());
    (letters <= 8 || (one_word && letters <= 10))
        && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A figure: "84", "84.0%", "£31.0m", "1,204", "31.5 days", "12,5" (decimal comma), "37.6%*".
pub(crate) fn is_number(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['*', '†']).trim();
    // A note after the figure: "31.8% (Q3 time lag)", "412 (provisional)".
    let t = match t.strip_suffix(')').and_then(|x| x.rsplit_once(" (")) {
        Some((figure, _)) => figure.trim(),
        None => t,
    };
    let t = t.strip_prefix(['£', '$', '€']).unwrap_or(t);
    let t = t.strip_prefix('-').unwrap_or(t);
    let core: String = t
        .trim_end_matches(|c: char| c.is_alphabetic() || c == '%' || c == ' ')
        .to_string();
    let rest = &t[core.len()..].trim().to_lowercase();
    if core.is_empty() || !core.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    if !core
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
    {
        return false;
    }
    rest.is_empty()
        || matches!(
            rest.as_str(),
            "%" | "m"
                | "k"
                | "bn"
                | "days"
                | "day"
                | "weeks"
                | "wks"
                | "hours"
                | "hrs"
                | "mins"
                | "minutes"
                | "pts"
                | "points"
                | "per cent"
                | "pc"
                | "p"
                | "x"
                | "yrs"
                | "years"
                | "kg"
                | "tonnes"
                | "mb"
        )
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date as councils write one: "31/12/2025", "Sep-25", "31-Mar-2026", "March 2026",
/// "Q3 2025/26", "2025/26", "Ongoing", "TBC".
pub(crate) fn is_date(text: &str) -> bool {
    let t = text.trim().to_lowercase();
    if matches!(
        t.as_str(),
        "ongoing" | "tbc" | "tbd" | "on-going" | "annual" | "quarterly" | "monthly"
    ) {
        return true;
    }
    let parts: Vec<&str> = t
        .split(['/', '-', ' ', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() || parts.len() > 4 {
        return false;
    }
    let is_month = |p: &str| MONTHS.iter().any(|m| p.starts_with(m)) && p.len() <= 9;
    let numeric = parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if numeric && parts.len() == 3 && t.contains('/') {
        return true;
    }
    if parts.iter().any(|p| is_month(p))
        && parts
            .iter()
            .all(|p| is_month(p) || p.chars().all(|c| c.is_ascii_digit()) && p.len() <= 4)
    {
        return true;
    }
    t.starts_with('q') && period_label::period(&t, false).is_some()
}

/// The canonical status a label stands for: the council's labels first, then words whose
/// meaning is plain in UK council reporting. `None` when the words say nothing clear.
pub(crate) fn status_of(label: &str, labels: &StatusLabels) -> Option<Status> {
    let t = label.trim().trim_end_matches(['*', '†']).trim();
    let t = t.trim_start_matches('(').trim_end_matches(')');
    if t.is_empty() {
        return None;
    }
    if let Some(s) = labels.lookup(t) {
        return Some(s);
    }
    let f = fold(t);
    if f.split_whitespace().count() > 8 {
        return None;
    }
    Some(match f.as_str() {
        "g" | "green" | "on target" | "on track" | "achieved" | "target met"
        | "target achieved" => Status::Green,
        "a" | "amber" | "at risk" | "slightly off target" | "within tolerance" => Status::Amber,
        "r" | "red" | "off target" | "off track" | "target not met" | "target missed" => {
            Status::Red
        }
        "c" | "b" | "blue" | "complete" | "completed" | "done" | "delivered" | "closed" => {
            Status::Complete
        }
        _ => return word_status(&f),
    })
}

/// Status by the words in a longer label ("Progressing to Plan", "Some Problems",
/// "Target slightly missed (within 10%)").
fn word_status(f: &str) -> Option<Status> {
    let words: Vec<&str> = f.split_whitespace().collect();
    // Short words must be whole words ("red" is not in "reduce").
    let has = |w: &str| {
        if matches!(w, "red" | "met" | "good") {
            words.contains(&w)
        } else {
            f.contains(w)
        }
    };
    if has("not started")
        || has("not yet started")
        || has("pending")
        || has("not due")
        || has("yet to start")
    {
        return Some(Status::NotStarted);
    }
    if has("cancel")
        || has("ceased")
        || has("deleted")
        || has("withdrawn")
        || has("no longer")
        || has("stopped")
        || has("suspended")
        || has("on hold")
    {
        return Some(Status::Ceased);
    }
    // "Revised completion date", "New date agreed": late, not complete.
    if has("revised") || has("rescheduled") || has("new date") || has("re-profiled") {
        return Some(Status::Amber);
    }
    if has("complet")
        || has("achieved") && !has("not achieved")
        || has("delivered")
        || has("exceeded")
    {
        return Some(Status::Complete);
    }
    if has("fail")
        || has("off target")
        || has("off track")
        || has("behind")
        || has("not achieved")
        || has("needs attention")
        || has("significant")
        || has("missed") && !has("slightly")
        || has("serious")
        || has("not on track")
        || has("red")
    {
        return Some(Status::Red);
    }
    if has("some problems")
        || has("slight")
        || has("slipp")
        || has("minor")
        || has("risk")
        || has("delay")
        || has("postponed")
        || has("obstacle")
        || has("partly")
        || has("partial")
        || has("tolerance")
        || has("amber")
        || has("under control")
        || has("concern")
        || has("revised")
    {
        return Some(Status::Amber);
    }
    if has("on track")
        || has("on target")
        || has("to plan")
        || has("progressing")
        || has("met")
        || has("good")
        || has("green")
        || has("on schedule")
        || has("acceptable")
    {
        return Some(Status::Green);
    }
    None
}

/// What a polarity cell says is better: `Some(true)` when higher is better.
pub(crate) fn higher_is_better(text: &str) -> Option<bool> {
    let f = fold(text);
    if f.contains("high")
        || f.contains("bigger")
        || f.contains("larger")
        || f.contains("increase")
        || f == "up"
        || f.contains("more")
    {
        Some(true)
    } else if f.contains("low")
        || f.contains("smaller")
        || f.contains("decrease")
        || f == "down"
        || f.contains("less")
        || f.contains("fewer")
    {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_councils_write() {
        let best = |h: &str| header_roles(h, &[]).first().map(|r| r.0);
        assert_eq!(best("Ref"), Some(Role::Reference));
        assert_eq!(best("PI Ref No"), Some(Role::Reference));
        assert_eq!(best("Business Plan Action"), Some(Role::Title));
        assert_eq!(best("Lead Directorate"), Some(Role::Directorate));
        assert_eq!(best("Lead Committee"), Some(Role::Portfolio));
        assert_eq!(best("Q3 RAG"), Some(Role::Status));
        assert_eq!(best("Q3 Narrative Update"), Some(Role::Commentary));
        assert_eq!(best("Q1 24/25"), Some(Role::Value));
        assert_eq!(best("2023/2024 Outturn"), Some(Role::Value));
        assert_eq!(best("Q3 target"), Some(Role::Target));
        assert_eq!(best("Good is"), Some(Role::Polarity));
        assert_eq!(best("Direction of Travel"), Some(Role::Direction));
        assert_eq!(best("Target Date"), Some(Role::Due));
        assert_eq!(
            best("Mitigating action (Amber/Red only)"),
            Some(Role::Action)
        );
        assert_eq!(best("Performance Indicators"), Some(Role::Measure));
        assert_eq!(best("Progress Update (Q2)"), Some(Role::Commentary));
        assert_eq!(best("Zebra crossings"), None);
    }

    #[test]
    fn references_numbers_and_dates() {
        for r in [
            "4.01.01", "1.1.2.PI", "FC_01", "WKI001", "NEW 1", "HCW2.2", "KA 3", "EDU018*",
            "PL01 (C)", "12",
        ] {
            assert!(is_reference(r), "{r}");
        }
        for r in ["2025", "84.0%", "Complete the works", "31/12/2025"] {
            assert!(!is_reference(r), "{r}");
        }
        for n in [
            "84",
            "84.0%",
            "£31.0m",
            "1,204",
            "31.5 days",
            "37.6%*",
            "-3",
        ] {
            assert!(is_number(n), "{n}");
        }
        for d in [
            "31/12/2025",
            "Sep-25",
            "31-Mar-2026",
            "March 2026",
            "Q3 2025/26",
            "TBC",
            "Ongoing",
        ] {
            assert!(is_date(d), "{d}");
        }
    }

    #[test]
    fn status_words() {
        let l = StatusLabels::default();
        assert_eq!(status_of("Progressing to Plan", &l), Some(Status::Green));
        assert_eq!(status_of("Some Problems", &l), Some(Status::Amber));
        assert_eq!(status_of("Needs Attention", &l), Some(Status::Red));
        assert_eq!(
            status_of("Completed Successfully", &l),
            Some(Status::Complete)
        );
        assert_eq!(status_of("Amber*", &l), Some(Status::Amber));
        assert_eq!(status_of("G", &l), Some(Status::Green));
        assert_eq!(
            status_of("Target slightly missed (within 10%)", &l),
            Some(Status::Amber)
        );
        assert_eq!(status_of("Reduce waiting times for assessments", &l), None);
    }
}
