//! Who may open each staff page and send each staff form: every route against every role, as
//! one table of expected outcomes, checked on both backends.
//!
//! The set-up: one open period in which the owner's activity X has a submitted return, the
//! other owner's activity Y (another directorate) a draft, and a few more returns for the
//! rules that need them (a draft and a returned one of the owner's, an approved one, one the
//! director wrote and one an admin wrote). Every refused request must leave every table's row
//! count as it was; after a request that is allowed, the set-up is put back so the cells do
//! not depend on each other. Every wrong cell is collected and reported together.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{Client, World, backends, hidden, location};
use std::collections::BTreeMap;
use waymark_domain::Status;
use waymark_domain::workflow::{PeriodAction, PeriodState, ReturnContent, ReturnState, Role};
use waymark_store::{Act, User};

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
}

use Want::{Bad, Clash, Done, Missing, Page, Refused, SignIn};

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
}

use Verb::{Get, Post};

/// One route with its form, and what each role gets. Paths and values may name the set-up:
/// `{c}` the period, `{x}` `{y}` `{x2}` `{w}` `{v}` `{z}` `{r}` activities, `{reader}`
/// `{admin}` `{other}` accounts, `{rev_c}` the period's revision and `{rev}` the revision of
/// the return in the path.
struct Row {
    verb: Verb,
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    want: [Want; 6],
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

/// The whole table. The columns are anonymous, reader, owner (of X), other owner (of Y, in
/// another directorate), director (of X's directorate) and admin. Sign-out comes last: it
/// ends every column's session.
fn table() -> Vec<Row> {
    let all_ok = [SignIn, Page, Page, Page, Page, Page];
    let admin_page = [SignIn, Refused, Refused, Refused, Refused, Page];
    let admin_form = [SignIn, Refused, Refused, Refused, Refused, Done];
    vec![
        // Pages everyone signed in sees.
        row(Get, "/staff", &[], all_ok),
        row(Get, "/staff/", &[], all_ok),
        row(Get, "/staff/periods", &[], all_ok),
        row(Get, "/staff/periods/{c}", &[], all_ok),
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
        // Pages before signing in.
        row(Get, "/staff/sign-in", &[], [Page; 6]),
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
        // Last: everyone signs out.
        row(
            Post,
            "/staff/sign-out",
            &[],
            [SignIn, Done, Done, Done, Done, Done],
        ),
    ]
}

/// The people and returns the table names.
struct Fixture {
    cycle: i64,
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
    let (_, theirs) = by_directorate
        .iter()
        .find(|(name, ids)| *name != home && !ids.is_empty())
        .expect("another directorate");

    let admin = world.person("perf@bexley.example", Role::Admin, None).await;
    let reader = world
        .person("councillor@bexley.example", Role::Reader, None)
        .await;
    let owner = world
        .person("owner@bexley.example", Role::Owner, None)
        .await;
    let other = world
        .person("other.owner@bexley.example", Role::Owner, None)
        .await;
    let director = world
        .person("director@bexley.example", Role::Director, Some(home))
        .await;
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
    let f = Fixture {
        cycle: cycle.id,
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

/// Put the set-up back as it was: the period open, the owners assigned, and each return the
/// table acts on in its state, written by its author.
async fn restore(world: &World, f: &Fixture) {
    let store = world.store();
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
        // The return in the path: `/staff/periods/{cycle}/activities/{activity}`.
        let activity = path
            .split('/')
            .nth(5)
            .and_then(|id| id.parse::<i64>().ok())
            .expect("a return's path");
        let rev = match world
            .store()
            .return_detail(&world.org, f.cycle, activity)
            .await
        {
            Ok(detail) => detail.item.revision,
            Err(_) => 0,
        };
        out = out.replace("{rev}", &rev.to_string());
    }
    for (name, id) in [
        ("{c}", f.cycle),
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
            for (column, b) in browsers.iter_mut().enumerate() {
                cells += 1;
                let path = fill(&world, &f, row.path, row.path).await;
                let mut fields = vec![];
                if let Some(csrf) = &b.csrf {
                    fields.push(("csrf".to_string(), csrf.clone()));
                }
                for (name, value) in row.fields {
                    fields.push((name.to_string(), fill(&world, &f, value, &path).await));
                }
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                let before = world.store().row_counts().await.expect("counts");
                let (status, headers, _) = match row.verb {
                    Get => b.client.get(&path).await,
                    Post => b.client.post_raw(&path, &pairs).await,
                };
                let want = row.want[column];
                let cell = format!(
                    "{backend:?} {:?} {} as {}",
                    row.verb, row.path, ROLES[column]
                );
                match outcome(status, &location(&headers)) {
                    Ok(got) if got == want => {}
                    Ok(got) => wrong.push(format!("{cell}: expected {want:?}, got {got:?}")),
                    Err(got) => wrong.push(format!("{cell}: expected {want:?}, got {got}")),
                }
                let changes = row.verb == Post && matches!(want, Done | Page);
                if changes {
                    restore(&world, &f).await;
                } else {
                    let after = world.store().row_counts().await.expect("counts");
                    if after != before {
                        let moved: Vec<String> = before
                            .iter()
                            .zip(&after)
                            .filter(|(b, a)| b != a)
                            .map(|((table, b), (_, a))| format!("{table} {b}→{a}"))
                            .collect();
                        wrong.push(format!("{cell}: changed {}", moved.join(", ")));
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
