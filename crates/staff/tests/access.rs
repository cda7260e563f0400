//! Who may open each staff page and send each staff form: every route against every role, as
//! one table of expected outcomes, checked on both backends.
//!
//! The set-up: one open period in which the owner's activity X has a submitted return, the
//! other owner's activity Y (another directorate) a draft, and a few more returns for the
//! rules that need them (a draft and a returned one of the owner's, an approved one, one the
//! director wrote and one an admin wrote); two earlier periods, one locked and one published;
//! an indicator table (the owner, in the director's directorate, owns its first indicator,
//! which has a value in every period; the other owner, in another directorate, owns the fourth,
//! which has a value in the open period; the second has no owner); and an activity and an
//! indicator of the plan for the plan's forms to change. Every refused request must leave every
//! table's row count as it was (an upload's preview writes nothing, so it too); after a request
//! that is allowed, the set-up is put back so the cells do not depend on each other. Every
//! wrong cell is collected and reported together.
//!
//! Indicator values are entered with a distinctive value, note and override reason, and the
//! table says, for the pages that could show them, which of them each role's page shows
//! ([`Shown`]); no refusal and no "not found" ever shows any of them.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Client, World, backends, bexley_action_plan, hidden, location, with_kpi_table};
use std::collections::BTreeMap;
use waymark_domain::Status;
use waymark_domain::indicator::{EntryInput, IndicatorRules, Polarity, Rag};
use waymark_domain::workflow::{PeriodAction, PeriodState, ReturnContent, ReturnState, Role};
use waymark_store::{Act, ActivityFields, IndicatorEdit, PlanEdit, User};

/// What a cell expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    /// 200: the page, or the form's result shown in place.
    Page,
    /// 303 to the sign-in page.
    SignIn,
    /// 303 anywhere else: the form was acted on.
    Done,
    /// 400
    Bad,
    /// 403
    Refused,
    /// 404
    Missing,
    /// 409: allowed, but not in this state.
    Clash,
    /// 410: an upload's preview that is spent or never was.
    Gone,
}

use Want::{Bad, Clash, Done, Gone, Missing, Page, Refused, SignIn};

/// What a page shows of one of the set-up's indicator values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    /// The value, its note and its override reason.
    Full,
    /// The value alone (a list of values, a report, or the value before a period's).
    Figure,
    /// None of them.
    Blank,
}

use Shown::{Blank, Figure, Full};

/// The set-up's indicator values, as the table names them: (name, the number entered as a
/// percentage, the note, the override reason). `i@c` is the owner's indicator in the open
/// period, `i@l` in the locked one and `i@p` in the published one; `j@c` the other owner's in
/// the open period.
const SECRETS: [(&str, &str, &str, &str); 4] = [
    (
        "i@c",
        "87.31",
        "Note i-c: referrals slowed in May",
        "Reason i-c: survey closed early",
    ),
    (
        "i@l",
        "72.93",
        "Note i-l: winter pressures on providers",
        "Reason i-l: late returns from providers",
    ),
    (
        "i@p",
        "44.29",
        "Note i-p: year end adjustments",
        "Reason i-p: sample restated by auditors",
    ),
    (
        "j@c",
        "61.47",
        "Note j-c: invoices held for checks",
        "Reason j-c: new payments system",
    ),
];

/// What is wrong with what `body` shows of the secret `name`, if anything.
fn shown_wrongly(body: &str, name: &str, want: Shown) -> Option<String> {
    let (_, value, note, reason) = SECRETS.iter().find(|s| s.0 == name)?;
    let has = |text: &str| body.contains(text);
    let got = (has(value), has(note), has(reason));
    let ok = match want {
        Full => got == (true, true, true),
        Figure => got == (true, false, false),
        Blank => got == (false, false, false),
    };
    (!ok).then(|| {
        format!(
            "{name}: expected {want:?}, got value {}, note {}, reason {}",
            got.0, got.1, got.2
        )
    })
}

/// The columns of the table, in order.
const ROLES: [&str; 6] = [
    "anonymous",
    "reader",
    "owner",
    "other owner",
    "director",
    "admin",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
    /// A post as `multipart/form-data` (the plan's upload form): the field `file` is sent as a
    /// file named `plan.txt`.
    Upload,
}

use Verb::{Get, Post, Upload};

/// One route with its form, and what each role gets. Paths and values may name the set-up:
/// `{c}` the open period, `{l}` the locked one and `{pub}` the published one, `{x}` `{y}` `{x2}` `{w}` `{v}` `{z}` `{r}`
/// activities, `{reader}` `{admin}` `{other}` `{owner}` accounts, `{rev_c}` the period's
/// revision and `{rev}` the revision of the return or indicator value in the path; `{i}` the
/// owner's indicator, `{j}` the other owner's, `{i2}` the one nobody owns, `{i3}` the plan's indicator the forms change
/// and `{i_ref}` the first one's reference; `{p}` the plan's activity the forms change,
/// `{p_alias}` its reference spelled otherwise (case and punctuation), `{x_ref}` X's
/// reference, `{outcome}` an outcome of the plan; `{plan}` the text of Bexley's action plan
/// and `{upload}` the token of an admin's fresh preview of it.
struct Row {
    verb: Verb,
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    want: [Want; 6],
    /// What each column's response shows of the named indicator values (`SECRETS`). A
    /// refusal or "not found" shows none of any, whatever is said here.
    sees: &'static [(&'static str, [Shown; 6])],
}

impl Row {
    fn sees(self, sees: &'static [(&'static str, [Shown; 6])]) -> Row {
        Row { sees, ..self }
    }
}

const fn row(
    verb: Verb,
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    want: [Want; 6],
) -> Row {
    Row {
        verb,
        path,
        fields,
        want,
        sees: &[],
    }
}

const SAVE: &[(&str, &str)] = &[
    ("action", "save"),
    ("revision", "{rev}"),
    ("status", "green"),
    ("commentary", "Changed by whoever could."),
    ("corrective_action", ""),
    ("reason", ""),
    ("evidence", ""),
];
const SUBMIT: &[(&str, &str)] = &[
    ("action", "submit"),
    ("revision", "{rev}"),
    ("status", "green"),
    ("commentary", "Submitted by whoever could."),
    ("corrective_action", ""),
    ("reason", ""),
    ("evidence", ""),
];
const APPROVE: &[(&str, &str)] = &[
    ("action", "approve"),
    ("revision", "{rev}"),
    ("comment", ""),
];
const SEND_BACK: &[(&str, &str)] = &[
    ("action", "send_back"),
    ("revision", "{rev}"),
    ("comment", "Say more about the summer."),
];
const VALUE: &[(&str, &str)] = &[
    ("revision", "{rev}"),
    ("value", "86.5%"),
    ("note", "Quarter end."),
    ("override_rag", "none"),
    ("override_reason", ""),
];
const SETTINGS: &[(&str, &str)] = &[
    ("polarity", "higher_is_better"),
    ("target", "90"),
    ("tolerance", "5"),
    ("tolerance_kind", "amount"),
    ("owner", "{owner}"),
];
const ACTIVITY: &[(&str, &str)] = &[
    ("reference", "Z.1"),
    ("title", "Plant 500 street trees in Erith"),
    ("directorate", "Places"),
    ("portfolios", "Places\nCommunities"),
    ("due", "March 2026"),
];
const EDIT: &[(&str, &str)] = &[
    ("action", "edit"),
    ("title", "Plant 800 street trees in Erith"),
    ("directorate", "Places"),
    ("portfolios", "Places"),
    ("due", "June 2026"),
];

/// The whole table. The columns are anonymous, reader, owner (of X), other owner (of Y, in
/// another directorate), director (of X's directorate) and admin. Sign-out comes last: it
/// ends every column's session.
fn table() -> Vec<Row> {
    let all_ok = [SignIn, Page, Page, Page, Page, Page];
    let admin_page = [SignIn, Refused, Refused, Refused, Refused, Page];
    let admin_form = [SignIn, Refused, Refused, Refused, Refused, Done];
    vec![
        // Pages everyone signed in sees. An owner's work lists the values of their own
        // indicators in open periods; a period lists every indicator, with the values this
        // person may see (see the indicators' rows below) and the others withheld.
        row(Get, "/staff", &[], all_ok).sees(&[
            ("i@c", [Blank, Blank, Figure, Blank, Blank, Blank]),
            ("j@c", [Blank, Blank, Blank, Figure, Blank, Blank]),
        ]),
        row(Get, "/staff/", &[], all_ok).sees(&[
            ("i@c", [Blank, Blank, Figure, Blank, Blank, Blank]),
            ("j@c", [Blank, Blank, Blank, Figure, Blank, Blank]),
        ]),
        row(Get, "/staff/periods", &[], all_ok),
        row(Get, "/staff/periods/{c}", &[], all_ok).sees(&[
            ("i@c", [Blank, Blank, Figure, Blank, Figure, Figure]),
            ("j@c", [Blank, Blank, Blank, Figure, Blank, Figure]),
        ]),
        row(Get, "/staff/periods/{l}", &[], all_ok)
            .sees(&[("i@l", [Blank, Figure, Figure, Blank, Figure, Figure])]),
        row(Get, "/staff/periods/{pub}", &[], all_ok)
            .sees(&[("i@p", [Blank, Figure, Figure, Figure, Figure, Figure])]),
        // Draft reports (not for owners) lay no indicator value over the published record:
        // a period's values are in them once it is published, as they are on the public site.
        row(
            Get,
            "/staff/periods/{c}/reports/annual.csv",
            &[],
            [SignIn, Page, Refused, Refused, Page, Page],
        )
        .sees(&[
            ("i@c", [Blank; 6]),
            ("j@c", [Blank; 6]),
            ("i@p", [Blank, Figure, Blank, Blank, Figure, Figure]),
        ]),
        row(
            Get,
            "/staff/periods/{l}/reports/annual.json",
            &[],
            [SignIn, Page, Refused, Refused, Page, Page],
        )
        .sees(&[("i@l", [Blank; 6])]),
        row(
            Get,
            "/staff/periods/{pub}/reports/annual.md",
            &[],
            [SignIn, Page, Refused, Refused, Page, Page],
        )
        .sees(&[
            ("i@p", [Blank, Figure, Blank, Blank, Figure, Figure]),
            ("i@l", [Blank; 6]),
        ]),
        row(
            Get,
            "/staff/periods/999999",
            &[],
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        // Returns: owners see their own, directors their directorate's, readers only what
        // has been submitted or approved; nobody sees another's by changing the id.
        row(
            Get,
            "/staff/periods/{c}/activities/{x}",
            &[],
            [SignIn, Page, Page, Missing, Page, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/{y}",
            &[],
            [SignIn, Missing, Missing, Page, Missing, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/{x2}",
            &[],
            [SignIn, Missing, Page, Missing, Page, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/{w}",
            &[],
            [SignIn, Page, Missing, Missing, Page, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/{v}",
            &[],
            [SignIn, Page, Missing, Missing, Page, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/{z}",
            &[],
            [SignIn, Page, Page, Missing, Page, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/{r}",
            &[],
            [SignIn, Missing, Page, Missing, Page, Page],
        ),
        row(
            Get,
            "/staff/periods/{c}/activities/999999",
            &[],
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        row(
            Get,
            "/staff/periods/999999/activities/{x}",
            &[],
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        // Admins' pages.
        row(Get, "/staff/people", &[], admin_page),
        row(Get, "/staff/people/{reader}", &[], admin_page),
        row(
            Get,
            "/staff/people/999999",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        row(Get, "/staff/audit", &[], admin_page),
        row(Get, "/staff/audit?before=5", &[], admin_page),
        row(Get, "/staff/audit.csv", &[], admin_page),
        row(Get, "/staff/audit.json", &[], admin_page),
        // Pages before signing in. Someone signed in is sent on to their work.
        row(
            Get,
            "/staff/sign-in",
            &[],
            [Page, Done, Done, Done, Done, Done],
        ),
        // Single sign-on is not set up here: both ends of it are missing, for everyone.
        row(Get, "/staff/sign-in/sso", &[], [Missing; 6]),
        row(
            Get,
            "/staff/sign-in/callback?code=stolen&state=guessed",
            &[],
            [Missing; 6],
        ),
        row(
            Get,
            "/staff/sign-in/callback?error=%3Cscript%3Ealert(1)%3C/script%3E",
            &[],
            [Missing; 6],
        ),
        row(Get, "/staff/sign-in/callback", &[], [Missing; 6]),
        row(Get, "/staff/setup/not-a-real-link", &[], [Missing; 6]),
        row(
            Post,
            "/staff/setup/not-a-real-link",
            &[
                ("password", "violet harbour lantern quietly"),
                ("confirm", "violet harbour lantern quietly"),
            ],
            [Missing; 6],
        ),
        // Periods: admins only.
        row(
            Post,
            "/staff/periods",
            &[("period", "2025/26 Q2"), ("deadline", "2025-10-31")],
            admin_form,
        ),
        row(
            Post,
            "/staff/periods",
            &[("period", "not a quarter"), ("deadline", "")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/state",
            &[("action", "publish"), ("revision", "{rev_c}")],
            [SignIn, Refused, Refused, Refused, Refused, Clash],
        ),
        row(
            Post,
            "/staff/periods/{c}/state",
            &[("action", "lock"), ("revision", "{rev_c}")],
            admin_form,
        ),
        row(
            Post,
            "/staff/periods/{c}/state",
            &[("action", "lock")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/999999/state",
            &[("action", "lock"), ("revision", "1")],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        // The owner's submitted return X: the owner and admins write, the director and
        // admins review, readers change nothing, the other owner cannot even find it.
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            SAVE,
            [SignIn, Refused, Done, Missing, Refused, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            SUBMIT,
            [SignIn, Refused, Done, Missing, Refused, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            APPROVE,
            [SignIn, Refused, Refused, Missing, Done, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            SEND_BACK,
            [SignIn, Refused, Refused, Missing, Done, Done],
        ),
        // Someone refused outright is refused whatever the form lacks.
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            &[("action", "save"), ("revision", "{rev}")],
            [SignIn, Refused, Bad, Missing, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            &[("action", "approve")],
            [SignIn, Refused, Refused, Missing, Bad, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{x}",
            &[("action", "publish"), ("revision", "{rev}")],
            [SignIn, Bad, Bad, Missing, Bad, Bad],
        ),
        // The other owner's draft Y, in another directorate.
        row(
            Post,
            "/staff/periods/{c}/activities/{y}",
            SAVE,
            [SignIn, Missing, Missing, Done, Missing, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{y}",
            SUBMIT,
            [SignIn, Missing, Missing, Done, Missing, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{y}",
            APPROVE,
            [SignIn, Missing, Missing, Refused, Missing, Clash],
        ),
        // The owner's draft X2: nothing to review yet.
        row(
            Post,
            "/staff/periods/{c}/activities/{x2}",
            APPROVE,
            [SignIn, Missing, Refused, Missing, Clash, Clash],
        ),
        // Nobody approves or sends back a return they wrote: W is the director's own, V an
        // admin's.
        row(
            Post,
            "/staff/periods/{c}/activities/{w}",
            APPROVE,
            [SignIn, Refused, Missing, Missing, Refused, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{w}",
            SEND_BACK,
            [SignIn, Refused, Missing, Missing, Refused, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{v}",
            APPROVE,
            [SignIn, Refused, Missing, Missing, Done, Refused],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{v}",
            SEND_BACK,
            [SignIn, Refused, Missing, Missing, Done, Refused],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/999999",
            SAVE,
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        // Owners: admins only.
        row(
            Post,
            "/staff/periods/{c}/activities/{x}/owner",
            &[("owner", "{other}")],
            admin_form,
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{x}/owner",
            &[("owner", "not a number")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/{y}/owner",
            &[("owner", "{reader}")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/activities/999999/owner",
            &[("owner", "{other}")],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        // Accounts: admins only.
        row(
            Post,
            "/staff/people",
            &[
                ("email", "new.person@bexley.example"),
                ("name", "New Person"),
                ("role", "owner"),
                ("directorate", ""),
            ],
            admin_page,
        ),
        row(
            Post,
            "/staff/people/{reader}",
            &[
                ("action", "change"),
                ("name", "Councillor Renamed"),
                ("role", "reader"),
                ("directorate", ""),
                ("active", "yes"),
            ],
            admin_page,
        ),
        row(
            Post,
            "/staff/people/{reader}",
            &[("action", "link")],
            admin_page,
        ),
        // Nobody takes away their own admin access.
        row(
            Post,
            "/staff/people/{admin}",
            &[
                ("action", "change"),
                ("name", "perf"),
                ("role", "reader"),
                ("directorate", ""),
                ("active", "yes"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/people/999999",
            &[("action", "change"), ("role", "owner")],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        // Indicators in a period: a value (with its note, rating, override reason and
        // history) is seen before publication as a return is: by the indicator's owner, the
        // director of the owner's directorate and admins, and by readers once the period is
        // locked for checking; once published, by everyone signed in. Anyone else does not
        // find the indicator's page, as with a return. The value before the period's is shown
        // only to those who may see it. The owner (of this indicator, set in its settings) and
        // admins enter values while the period is open. Someone refused is refused whatever
        // the form lacks; the others are told what is wrong.
        row(
            Get,
            "/staff/periods/{c}/indicators/{i}",
            &[],
            [SignIn, Missing, Page, Missing, Page, Page],
        )
        .sees(&[
            ("i@c", [Blank, Blank, Full, Blank, Full, Full]),
            ("i@p", [Blank, Blank, Figure, Blank, Figure, Figure]),
        ]),
        // The other owner's, in another directorate: its director is not this one.
        row(
            Get,
            "/staff/periods/{c}/indicators/{j}",
            &[],
            [SignIn, Missing, Missing, Page, Missing, Page],
        )
        .sees(&[("j@c", [Blank, Blank, Blank, Full, Blank, Full])]),
        row(
            Get,
            "/staff/periods/{c}/indicators/{i2}",
            &[],
            [SignIn, Missing, Missing, Missing, Missing, Page],
        ),
        row(
            Get,
            "/staff/periods/{l}/indicators/{i}",
            &[],
            [SignIn, Page, Page, Missing, Page, Page],
        )
        .sees(&[("i@l", [Blank, Full, Full, Blank, Full, Full])]),
        row(Get, "/staff/periods/{pub}/indicators/{i}", &[], all_ok).sees(&[
            ("i@p", [Blank, Full, Full, Full, Full, Full]),
            ("i@l", [Blank, Figure, Figure, Blank, Figure, Figure]),
        ]),
        row(
            Get,
            "/staff/periods/{c}/indicators/999999",
            &[],
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        row(
            Get,
            "/staff/periods/999999/indicators/{i}",
            &[],
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i}",
            VALUE,
            [SignIn, Missing, Done, Missing, Refused, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{j}",
            VALUE,
            [SignIn, Missing, Missing, Done, Missing, Done],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i}",
            &[
                ("revision", "0"),
                ("value", "86.5%"),
                ("note", ""),
                ("override_rag", "none"),
                ("override_reason", ""),
            ],
            [SignIn, Missing, Clash, Missing, Refused, Clash],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i}",
            &[
                ("revision", "{rev}"),
                ("value", "ninety"),
                ("note", ""),
                ("override_rag", "none"),
                ("override_reason", ""),
            ],
            [SignIn, Missing, Bad, Missing, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i}",
            &[
                ("revision", "{rev}"),
                ("value", "84%"),
                ("note", ""),
                ("override_rag", "amber"),
                ("override_reason", ""),
            ],
            [SignIn, Missing, Bad, Missing, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i}",
            &[
                ("revision", "{rev}"),
                ("value", "84%"),
                ("note", ""),
                ("override_rag", "purple"),
                ("override_reason", "Because."),
            ],
            [SignIn, Missing, Bad, Missing, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i}",
            &[("value", "86.5%")],
            [SignIn, Missing, Bad, Missing, Refused, Bad],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/{i2}",
            VALUE,
            [SignIn, Missing, Missing, Missing, Missing, Done],
        ),
        row(
            Post,
            "/staff/periods/{l}/indicators/{i}",
            VALUE,
            [SignIn, Refused, Clash, Missing, Refused, Clash],
        ),
        row(
            Post,
            "/staff/periods/{pub}/indicators/{i}",
            VALUE,
            [SignIn, Refused, Clash, Refused, Refused, Clash],
        ),
        row(
            Post,
            "/staff/periods/{c}/indicators/999999",
            VALUE,
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        row(
            Post,
            "/staff/periods/999999/indicators/{i}",
            VALUE,
            [SignIn, Missing, Missing, Missing, Missing, Missing],
        ),
        // An indicator's settings: admins only.
        row(Get, "/staff/indicators/{i}?period={c}", &[], admin_page),
        row(Get, "/staff/indicators/{i}", &[], admin_page),
        row(
            Get,
            "/staff/indicators/999999?period={c}",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            SETTINGS,
            admin_form,
        ),
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            &[
                ("polarity", "lower_is_better"),
                ("target", ""),
                ("tolerance", ""),
                ("tolerance_kind", "percent"),
                ("owner", "none"),
            ],
            admin_form,
        ),
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            &[
                ("polarity", "sideways"),
                ("target", "90"),
                ("tolerance", "5"),
                ("tolerance_kind", "amount"),
                ("owner", "{owner}"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            &[
                ("polarity", "higher_is_better"),
                ("target", "ninety"),
                ("tolerance", "5"),
                ("tolerance_kind", "amount"),
                ("owner", "{owner}"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            &[
                ("polarity", "higher_is_better"),
                ("target", "90"),
                ("tolerance", "5"),
                ("tolerance_kind", "furlongs"),
                ("owner", "{owner}"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        // Readers enter nothing, so they own no indicator.
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            &[
                ("polarity", "higher_is_better"),
                ("target", "90"),
                ("tolerance", "5"),
                ("tolerance_kind", "amount"),
                ("owner", "{reader}"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/indicators/{i}?period={c}",
            &[("polarity", "higher_is_better")],
            [SignIn, Refused, Refused, Refused, Refused, Done],
        ),
        row(
            Post,
            "/staff/indicators/999999?period={c}",
            SETTINGS,
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        // The plan: admins only.
        row(Get, "/staff/plan", &[], admin_page),
        row(Get, "/staff/plan/activities/{p}", &[], admin_page),
        row(
            Get,
            "/staff/plan/activities/999999",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        row(Post, "/staff/plan/activities", ACTIVITY, admin_form),
        row(
            Post,
            "/staff/plan/activities",
            &[
                ("reference", "<b>"),
                ("title", "Plant 500 street trees in Erith"),
                ("directorate", "Places"),
                ("portfolios", ""),
                ("due", ""),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities",
            &[
                ("reference", "{x_ref}"),
                ("title", "Plant 500 street trees in Erith"),
                ("directorate", "Places"),
                ("portfolios", ""),
                ("due", ""),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities",
            &[("reference", "Z.2")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(Post, "/staff/plan/activities/{p}", EDIT, admin_form),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[
                ("action", "edit"),
                ("title", "  "),
                ("directorate", "Places"),
                ("portfolios", ""),
                ("due", ""),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "renumber"), ("reference", "Z.3")],
            admin_form,
        ),
        // Its own reference spelled another way is not "another activity's".
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "renumber"), ("reference", "{p_alias}")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "renumber"), ("reference", "{x_ref}")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "renumber"), ("reference", "../../etc")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "outcomes"), ("outcome", "{outcome}")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "outcomes")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "outcomes"), ("outcome", "999")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "outcomes"), ("outcome", "one")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "retire")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[("action", "delete")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/{p}",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/activities/999999",
            EDIT,
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        row(
            Post,
            "/staff/plan/activities/999999",
            &[("action", "retire")],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        row(
            Post,
            "/staff/plan/activities/999999",
            &[("action", "outcomes"), ("outcome", "{outcome}")],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        // The plan's indicators.
        row(
            Post,
            "/staff/plan/indicators",
            &[
                ("indicator_reference", "ZZ_01"),
                ("indicator_name", "Street trees planted"),
                ("indicator_frequency", "Quarterly"),
            ],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/indicators",
            &[
                ("indicator_reference", "{i_ref}"),
                ("indicator_name", "Street trees planted"),
                ("indicator_frequency", "Quarterly"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/indicators",
            &[
                ("indicator_reference", "<b>"),
                ("indicator_name", "Street trees planted"),
                ("indicator_frequency", "Quarterly"),
            ],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(Get, "/staff/plan/indicators/{i3}", &[], admin_page),
        row(
            Get,
            "/staff/plan/indicators/999999",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[
                ("action", "edit"),
                ("name", "Care leavers in work or training"),
                ("frequency", "Monthly"),
            ],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "edit"), ("name", ""), ("frequency", "Monthly")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "renumber"), ("reference", "ZZ_02")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "renumber"), ("reference", "{i_ref}")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "renumber"), ("reference", "<b>")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "delete")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/indicators/999999",
            &[("action", "retire")],
            [SignIn, Refused, Refused, Refused, Refused, Missing],
        ),
        // (Nothing brings an indicator back: the set-up keeps it retired from here on.)
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "retire")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/indicators/{i3}",
            &[("action", "retire")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        // A new revision of the plan: the upload shows a preview and writes nothing; the
        // preview's own admin confirms it, once. (Bexley's plan as bundled is imported
        // already, so confirming it records only who confirmed it.)
        row(
            Upload,
            "/staff/plan/upload",
            &[("file", "{plan}")],
            admin_page,
        ),
        row(
            Upload,
            "/staff/plan/upload",
            &[("file", "This is not a plan at all.")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Upload,
            "/staff/plan/upload",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/upload",
            &[("file", "{plan}")],
            [SignIn, Refused, Refused, Refused, Refused, Bad],
        ),
        row(
            Post,
            "/staff/plan/confirm",
            &[("upload", "{upload}")],
            admin_form,
        ),
        row(
            Post,
            "/staff/plan/confirm",
            &[("upload", "not-a-preview")],
            [SignIn, Refused, Refused, Refused, Refused, Gone],
        ),
        row(
            Post,
            "/staff/plan/confirm",
            &[],
            [SignIn, Refused, Refused, Refused, Refused, Gone],
        ),
        // Last: everyone signs out.
        row(
            Post,
            "/staff/sign-out",
            &[],
            [SignIn, Done, Done, Done, Done, Done],
        ),
    ]
}

/// What the plan says about an activity, as its forms change it.
#[derive(Clone, Debug, PartialEq)]
struct PlanState {
    reference: Option<String>,
    fields: ActivityFields,
    in_plan: bool,
    outcomes: Vec<u32>,
}

async fn plan_state(world: &World, activity: i64) -> PlanState {
    let a = world
        .store()
        .activities(&world.org, None)
        .await
        .expect("activities")
        .into_iter()
        .find(|a| a.id == activity)
        .expect("the activity");
    PlanState {
        reference: a.reference,
        fields: ActivityFields {
            title: a.title,
            directorate: a.directorate,
            portfolios: a.portfolios,
            due: a.due.map(|d| d.text).or(a.status_note).unwrap_or_default(),
        },
        in_plan: a.in_plan,
        outcomes: a.outcomes.iter().map(|o| o.number).collect(),
    }
}

/// An indicator as the plan's forms change it: reference, name, frequency.
async fn indicator_state(world: &World, indicator: i64) -> (String, String, String) {
    world
        .store()
        .plan_indicators(&world.org)
        .await
        .expect("indicators")
        .into_iter()
        .find(|i| i.0 == indicator)
        .map(|(_, reference, name, frequency, _)| (reference, name, frequency))
        .expect("the indicator")
}

fn rules() -> IndicatorRules {
    IndicatorRules {
        polarity: Polarity::HigherIsBetter,
        target: Some(90.0),
        ..IndicatorRules::default()
    }
}

/// The people, returns, indicators and plan the table names.
struct Fixture {
    cycle: i64,
    locked: i64,
    published: i64,
    i: i64,
    j: i64,
    i2: i64,
    i3: i64,
    i_ref: String,
    i3_state: (String, String, String),
    p: i64,
    p_state: PlanState,
    x_ref: String,
    outcome: String,
    x: i64,
    x2: i64,
    y: i64,
    w: i64,
    v: i64,
    z: i64,
    r: i64,
    admin: User,
    reader: User,
    owner: User,
    other: User,
    director: User,
}

fn content(commentary: &str) -> ReturnContent {
    ReturnContent {
        status: Status::Green,
        commentary: commentary.into(),
        corrective_action: String::new(),
        reason: String::new(),
        evidence: vec![],
    }
}

async fn revision(world: &World, cycle: i64, activity: i64) -> i64 {
    world
        .store()
        .return_detail(&world.org, cycle, activity)
        .await
        .expect("return")
        .item
        .revision
}

async fn act(world: &World, cycle: i64, activity: i64, act: Act<'_>, by: &User) {
    let rev = revision(world, cycle, activity).await;
    world
        .store()
        .act_on_return(&world.org, cycle, activity, act, rev, by, world.clock.now())
        .await
        .unwrap_or_else(|e| panic!("{act:?} on {activity} by {}: {e}", by.email));
}

async fn assign(world: &World, f: &Fixture, activity: i64, owner: Option<&User>) {
    world
        .store()
        .assign_owner(
            &world.org,
            f.cycle,
            activity,
            owner.map(|o| o.id),
            &f.admin,
            world.clock.now(),
        )
        .await
        .expect("assign");
}

/// Enter one of the set-up's indicator values (`SECRETS`), with its note and an override to
/// Amber for its reason.
async fn enter_secret(world: &World, cycle: i64, indicator: i64, name: &str, by: &User) {
    let (_, value, note, reason) = SECRETS.iter().find(|s| s.0 == name).expect("a named value");
    let store = world.store();
    let (_, item, _) = store
        .indicator_detail(&world.org, cycle, indicator)
        .await
        .expect("indicator");
    store
        .enter_indicator_value(
            &world.org,
            cycle,
            indicator,
            &EntryInput {
                value: format!("{value}%"),
                note: (*note).into(),
                override_rag: Some(Rag::Amber),
                override_reason: (*reason).into(),
            },
            item.revision,
            by,
            world.clock.now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

async fn set_up(world: &World) -> Fixture {
    let store = world.store();
    let activities = store
        .activities(&world.org, None)
        .await
        .expect("activities");
    let mut by_directorate: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for a in activities
        .iter()
        .filter(|a| a.reference.is_some() && a.in_plan)
    {
        by_directorate
            .entry(a.directorate.clone())
            .or_default()
            .push(a.id);
    }
    let (home, mine) = by_directorate
        .iter()
        .max_by_key(|(_, ids)| ids.len())
        .expect("a directorate");
    assert!(mine.len() >= 6, "six activities in {home}");
    assert!(mine.len() >= 7, "seven activities in {home}");
    let (elsewhere, theirs) = by_directorate
        .iter()
        .find(|(name, ids)| *name != home && !ids.is_empty())
        .expect("another directorate");

    let admin = world.person("perf@bexley.example", Role::Admin, None).await;
    let reader = world
        .person("councillor@bexley.example", Role::Reader, None)
        .await;
    // The owners belong to directorates (the director approves for the owner's): an
    // indicator has none of its own, so its owner's decides which director sees its values.
    let owner = world
        .person("owner@bexley.example", Role::Owner, Some(home))
        .await;
    let other = world
        .person("other.owner@bexley.example", Role::Owner, Some(elsewhere))
        .await;
    let director = world
        .person("director@bexley.example", Role::Director, Some(home))
        .await;
    // Indicators: the owner owns the first, the other owner the fourth; nobody owns the
    // second; the plan's forms change the third.
    with_kpi_table(world).await;
    let indicators = store.plan_indicators(&world.org).await.expect("indicators");
    assert!(indicators.len() >= 4, "four indicators");
    let (i, i2, i3, j) = (
        indicators[0].0,
        indicators[1].0,
        indicators[2].0,
        indicators[3].0,
    );
    for (indicator, by) in [(i, &owner), (j, &other)] {
        store
            .set_indicator_settings(
                &world.org,
                indicator,
                &rules(),
                Some(by.id),
                &admin,
                world.clock.now(),
            )
            .await
            .expect("settings");
    }
    // Two earlier periods with the owner's values: one locked, one published.
    let mut earlier = vec![];
    for (period, deadline, secret, actions) in [
        (
            "2024/25 Q3",
            (2025, 1, 31),
            "i@l",
            &[PeriodAction::Lock][..],
        ),
        (
            "2024/25 Q4",
            (2025, 4, 30),
            "i@p",
            &[PeriodAction::Lock, PeriodAction::Publish][..],
        ),
    ] {
        let (y, m, d) = deadline;
        let mut cycle = store
            .open_cycle(
                &world.org,
                period.parse().expect("period"),
                NaiveDate::from_ymd_opt(y, m, d).expect("date"),
                &admin,
                world.clock.now(),
            )
            .await
            .expect("open");
        enter_secret(world, cycle.id, i, secret, &owner).await;
        for action in actions {
            cycle = store
                .change_cycle(
                    &world.org,
                    cycle.id,
                    *action,
                    cycle.revision,
                    &admin,
                    world.clock.now(),
                )
                .await
                .expect("lock or publish");
        }
        earlier.push(cycle.id);
    }
    let cycle = store
        .open_cycle(
            &world.org,
            "2025/26 Q1".parse().expect("period"),
            NaiveDate::from_ymd_opt(2025, 7, 31).expect("date"),
            &admin,
            world.clock.now(),
        )
        .await
        .expect("open");
    enter_secret(world, cycle.id, i, "i@c", &owner).await;
    enter_secret(world, cycle.id, j, "j@c", &other).await;
    let items = store
        .indicator_items(&world.org, cycle.id)
        .await
        .expect("indicators");
    let i_ref = items
        .iter()
        .find(|item| item.indicator_id == i)
        .map(|item| item.reference.clone())
        .expect("the first indicator");
    let outcome = store
        .plan_overview(&world.org, None)
        .await
        .expect("plan")
        .themes
        .iter()
        .flat_map(|t| &t.outcomes)
        .map(|o| o.number.to_string())
        .next()
        .expect("an outcome");
    let p = mine[6];
    let x_ref = activities
        .iter()
        .find(|a| a.id == mine[0])
        .and_then(|a| a.reference.clone())
        .expect("X's reference");
    let f = Fixture {
        cycle: cycle.id,
        locked: earlier[0],
        published: earlier[1],
        i,
        j,
        i2,
        i3,
        i_ref,
        i3_state: indicator_state(world, i3).await,
        p,
        p_state: plan_state(world, p).await,
        x_ref,
        outcome,
        x: mine[0],
        x2: mine[1],
        w: mine[2],
        v: mine[3],
        z: mine[4],
        r: mine[5],
        y: theirs[0],
        admin,
        reader,
        owner,
        other,
        director,
    };
    for activity in [f.x, f.x2, f.z, f.r] {
        assign(world, &f, activity, Some(&f.owner)).await;
    }
    assign(world, &f, f.y, Some(&f.other)).await;
    assign(world, &f, f.w, Some(&f.director)).await;
    let c = content("On track.");
    act(world, f.cycle, f.z, Act::Submit(&c), &f.owner).await;
    act(
        world,
        f.cycle,
        f.z,
        Act::Approve { comment: "" },
        &f.director,
    )
    .await;
    act(world, f.cycle, f.r, Act::Submit(&c), &f.owner).await;
    let back = Act::SendBack {
        comment: "More detail, please.",
    };
    act(world, f.cycle, f.r, back, &f.director).await;
    restore(world, &f).await;
    f
}

/// Put the set-up back as it was: the period open, the owners assigned, each return the
/// table acts on in its state, written by its author, the indicator's owner, and the plan's
/// activity and indicator as they were.
async fn restore(world: &World, f: &Fixture) {
    let store = world.store();
    let who = f.admin.who();
    let now = world.clock.now();
    let (_, item, _) = store
        .indicator_detail(&world.org, f.cycle, f.i)
        .await
        .expect("indicator");
    let owner = item.settings.and_then(|s| s.owner).map(|o| o.id);
    if owner != Some(f.owner.id) {
        store
            .set_indicator_settings(&world.org, f.i, &rules(), Some(f.owner.id), &f.admin, now)
            .await
            .expect("settings");
    }
    let p = plan_state(world, f.p).await;
    let was = &f.p_state;
    if p.reference != was.reference {
        let reference = was.reference.clone().expect("a reference");
        let edit = PlanEdit::Renumber {
            activity_id: f.p,
            reference,
        };
        store
            .edit_plan(&world.org, &edit, &who, now)
            .await
            .expect("renumber");
    }
    if p.fields != was.fields || !p.in_plan {
        let edit = PlanEdit::Edit {
            activity_id: f.p,
            fields: was.fields.clone(),
        };
        store
            .edit_plan(&world.org, &edit, &who, now)
            .await
            .expect("edit");
    }
    if p.outcomes != was.outcomes {
        store
            .set_activity_outcomes(&world.org, f.p, &was.outcomes, &who, now)
            .await
            .expect("outcomes");
    }
    let (reference, name, frequency) = indicator_state(world, f.i3).await;
    if reference != f.i3_state.0 {
        let edit = IndicatorEdit::Renumber {
            indicator_id: f.i3,
            reference: f.i3_state.0.clone(),
        };
        store
            .edit_indicators(&world.org, &edit, &who, now)
            .await
            .expect("renumber");
    }
    if (name, frequency) != (f.i3_state.1.clone(), f.i3_state.2.clone()) {
        let edit = IndicatorEdit::Edit {
            indicator_id: f.i3,
            name: f.i3_state.1.clone(),
            frequency: f.i3_state.2.clone(),
        };
        store
            .edit_indicators(&world.org, &edit, &who, now)
            .await
            .expect("edit");
    }
    let cycle = store.cycle(&world.org, f.cycle).await.expect("cycle");
    let undo = match cycle.state {
        PeriodState::Open => None,
        PeriodState::Locked => Some(PeriodAction::Unlock),
        PeriodState::Published => Some(PeriodAction::Reopen),
    };
    if let Some(action) = undo {
        store
            .change_cycle(
                &world.org,
                f.cycle,
                action,
                cycle.revision,
                &f.admin,
                world.clock.now(),
            )
            .await
            .expect("reopen");
    }
    for (indicator, secret, owner) in [(f.i, "i@c", &f.owner), (f.j, "j@c", &f.other)] {
        let (_, item, _) = store
            .indicator_detail(&world.org, f.cycle, indicator)
            .await
            .expect("indicator");
        let note = SECRETS.iter().find(|s| s.0 == secret).map(|s| s.2);
        if item.entry.map(|e| e.note) != note.map(str::to_string) {
            enter_secret(world, f.cycle, indicator, secret, owner).await;
        }
    }
    for (activity, owner) in [
        (f.x, Some(&f.owner)),
        (f.x2, Some(&f.owner)),
        (f.y, Some(&f.other)),
        (f.w, Some(&f.director)),
        (f.v, None),
    ] {
        let detail = store
            .return_detail(&world.org, f.cycle, activity)
            .await
            .expect("return");
        if detail.item.owner.as_ref().map(|o| o.id) != owner.map(|o| o.id) {
            assign(world, f, activity, owner).await;
        }
    }
    let c = content("As it was.");
    for (activity, state, author) in [
        (f.x, ReturnState::Submitted, &f.owner),
        (f.x2, ReturnState::Draft, &f.owner),
        (f.y, ReturnState::Draft, &f.other),
        (f.w, ReturnState::Submitted, &f.director),
        (f.v, ReturnState::Submitted, &f.admin),
    ] {
        let detail = store
            .return_detail(&world.org, f.cycle, activity)
            .await
            .expect("return");
        let written_by = detail.current().map(|v| v.author.id);
        if detail.item.state != Some(state) || written_by != Some(author.id) {
            let how = match state {
                ReturnState::Draft => Act::Save(&c),
                _ => Act::Submit(&c),
            };
            act(world, f.cycle, activity, how, author).await;
        }
    }
}

/// A path or value with the set-up's names filled in.
async fn fill(world: &World, f: &Fixture, text: &str, path: &str) -> String {
    let mut out = text.to_string();
    if out.contains("{rev_c}") {
        let cycle = world
            .store()
            .cycle(&world.org, f.cycle)
            .await
            .expect("cycle");
        out = out.replace("{rev_c}", &cycle.revision.to_string());
    }
    if out.contains("{rev}") {
        // The return or indicator in the path:
        // `/staff/periods/{cycle}/activities/{activity}` or `…/indicators/{indicator}`.
        let parts: Vec<&str> = path.split('/').collect();
        let number = |at: usize| {
            parts
                .get(at)
                .and_then(|id| id.parse::<i64>().ok())
                .expect("a return's or indicator's path")
        };
        let (cycle, id) = (number(3), number(5));
        let rev = if parts.get(4) == Some(&"indicators") {
            match world.store().indicator_detail(&world.org, cycle, id).await {
                Ok((_, item, _)) => item.revision,
                Err(_) => 0,
            }
        } else {
            match world.store().return_detail(&world.org, cycle, id).await {
                Ok(detail) => detail.item.revision,
                Err(_) => 0,
            }
        };
        out = out.replace("{rev}", &rev.to_string());
    }
    if out.contains("{plan}") {
        let (_, bytes) = bexley_action_plan();
        out = out.replace("{plan}", &String::from_utf8_lossy(bytes));
    }
    let alias = f
        .p_state
        .reference
        .as_deref()
        .map(|r| format!("{}-", r.to_lowercase().replace('.', "-")))
        .unwrap_or_default();
    for (name, text) in [
        ("{p_alias}", &alias),
        ("{i_ref}", &f.i_ref),
        ("{x_ref}", &f.x_ref),
        ("{outcome}", &f.outcome),
    ] {
        out = out.replace(name, text);
    }
    for (name, id) in [
        ("{c}", f.cycle),
        ("{l}", f.locked),
        ("{pub}", f.published),
        ("{i}", f.i),
        ("{j}", f.j),
        ("{i2}", f.i2),
        ("{i3}", f.i3),
        ("{p}", f.p),
        ("{owner}", f.owner.id),
        ("{x}", f.x),
        ("{x2}", f.x2),
        ("{y}", f.y),
        ("{w}", f.w),
        ("{v}", f.v),
        ("{z}", f.z),
        ("{r}", f.r),
        ("{reader}", f.reader.id),
        ("{admin}", f.admin.id),
        ("{other}", f.other.id),
    ] {
        out = out.replace(name, &id.to_string());
    }
    out
}

fn outcome(status: StatusCode, to: &str) -> Result<Want, String> {
    Ok(match status.as_u16() {
        200 => Page,
        303 if to == "/staff/sign-in" => SignIn,
        303 => Done,
        400 => Bad,
        403 => Refused,
        404 => Missing,
        409 => Clash,
        410 => Gone,
        _ => return Err(format!("{status} {to}")),
    })
}

/// A role's browser: signed in (but for the anonymous one), with its forms' token.
struct Browser {
    client: Client,
    csrf: Option<String>,
}

async fn browser(world: &World, email: Option<&str>) -> Browser {
    match email {
        None => Browser {
            client: Client::new(world.app.clone()),
            csrf: None,
        },
        Some(email) => {
            let mut client = world.signed_in(email).await;
            let (_, _, html) = client.get("/staff").await;
            let csrf = hidden(&html, "csrf").expect("the page has the sign-out form");
            Browser {
                client,
                csrf: Some(csrf),
            }
        }
    }
}

/// The admin's column.
const ADMIN: usize = 5;

/// An admin's preview of Bexley's action plan (as bundled): the token that confirms it.
async fn preview(admin: &mut Browser) -> String {
    let csrf = admin.csrf.clone().expect("signed in");
    let (_, bytes) = bexley_action_plan();
    let (status, _, html) = admin
        .client
        .post_multipart(
            "/staff/plan/upload",
            &[("csrf", &csrf)],
            Some(("plan.txt", bytes)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the admin's preview");
    hidden(&html, "upload").expect("the preview's token")
}

#[tokio::test]
async fn every_route_against_every_role() {
    let mut wrong = vec![];
    let mut cells = 0;
    for backend in backends() {
        let world = World::new(backend).await;
        let f = set_up(&world).await;
        let mut browsers = [
            browser(&world, None).await,
            browser(&world, Some(&f.reader.email)).await,
            browser(&world, Some(&f.owner.email)).await,
            browser(&world, Some(&f.other.email)).await,
            browser(&world, Some(&f.director.email)).await,
            browser(&world, Some(&f.admin.email)).await,
        ];
        for row in table() {
            for column in 0..ROLES.len() {
                cells += 1;
                let path = fill(&world, &f, row.path, row.path).await;
                let mut fields = vec![];
                if let Some(csrf) = &browsers[column].csrf {
                    fields.push(("csrf".to_string(), csrf.clone()));
                }
                for (name, value) in row.fields {
                    let mut value = fill(&world, &f, value, &path).await;
                    if value.contains("{upload}") {
                        // A preview of the admin's, whoever sends it.
                        let token = preview(&mut browsers[ADMIN]).await;
                        value = value.replace("{upload}", &token);
                    }
                    fields.push((name.to_string(), value));
                }
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                let b = &mut browsers[column];
                let before = world.store().row_counts().await.expect("counts");
                let (status, headers, body) = match row.verb {
                    Get => b.client.get(&path).await,
                    Post => b.client.post_raw(&path, &pairs).await,
                    Upload => {
                        let file = pairs.iter().find(|(n, _)| *n == "file").map(|(_, v)| *v);
                        let text: Vec<(&str, &str)> = pairs
                            .iter()
                            .filter(|(n, _)| *n != "file")
                            .copied()
                            .collect();
                        let file = file.map(|v| ("plan.txt", v.as_bytes()));
                        b.client.post_multipart(&path, &text, file).await
                    }
                };
                let want = row.want[column];
                let cell = format!(
                    "{backend:?} {:?} {} as {}",
                    row.verb, row.path, ROLES[column]
                );
                let got = outcome(status, &location(&headers));
                match &got {
                    Ok(got) if *got == want => {}
                    Ok(got) => wrong.push(format!("{cell}: expected {want:?}, got {got:?}")),
                    Err(got) => wrong.push(format!("{cell}: expected {want:?}, got {got}")),
                }
                // A refusal or "not found" shows no value; the pages show what the row says.
                let refused = matches!(got, Ok(Missing | Refused));
                for (name, _, _, _) in SECRETS {
                    let said = row.sees.iter().find(|(n, _)| *n == name);
                    let shown = match said {
                        Some((_, shown)) if !refused => shown[column],
                        None if !refused => continue,
                        _ => Blank,
                    };
                    if let Some(problem) = shown_wrongly(&body, name, shown) {
                        wrong.push(format!("{cell}: {problem}"));
                    }
                }
                // (An upload's preview, allowed, writes nothing: it is checked like a refusal.)
                let changes = row.verb == Post && matches!(want, Done | Page);
                if changes {
                    restore(&world, &f).await;
                } else {
                    let after = world.store().row_counts().await.expect("counts");
                    if after != before {
                        // A refused set-up link is an attempt to get in: it is counted
                        // against the client and its first refusal is in the audit trail.
                        let attempt = row.path.starts_with("/staff/setup/");
                        let moved: Vec<String> = before
                            .iter()
                            .zip(&after)
                            .filter(|(b, a)| b != a)
                            .filter(|((table, _), _)| {
                                !(attempt
                                    && matches!(table.as_str(), "login_attempts" | "audit_events"))
                            })
                            .map(|((table, b), (_, a))| format!("{table} {b}→{a}"))
                            .collect();
                        if !moved.is_empty() {
                            wrong.push(format!("{cell}: changed {}", moved.join(", ")));
                        }
                    }
                }
            }
        }
        let check = world.store().verify_audit().await.expect("verify");
        assert!(
            check.problems.is_empty(),
            "{backend:?}: {:?}",
            check.problems
        );
    }
    assert!(
        wrong.is_empty(),
        "{} of {cells} cells are wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!("{cells} cells checked");
}
