//! The quarterly return workflow: who may do what to a return and to a period, and when.
//!
//! Written as pure functions over small enums so the web layer, the store and the tests
//! all share one definition of the rules, and so the rules can be checked exhaustively.

use crate::Status;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a signed-in person is allowed to do in general. Their relationship to a particular
/// return (owner, director, author) is given separately by [`Actor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The performance team: runs the periods and can act on any return.
    Admin,
    /// Approves or sends back returns for activities in their directorate.
    Director,
    /// Writes and submits returns for the activities assigned to them.
    Owner,
    /// Councillors and scrutiny: can read, never change.
    Reader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Director, Role::Owner, Role::Reader];

    /// Stable key used in JSON, the database and configuration.
    pub const fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Director => "director",
            Role::Owner => "owner",
            Role::Reader => "reader",
        }
    }

    pub const fn from_key(key: &str) -> Option<Role> {
        match key.as_bytes() {
            b"admin" => Some(Role::Admin),
            b"director" => Some(Role::Director),
            b"owner" => Some(Role::Owner),
            b"reader" => Some(Role::Reader),
            _ => None,
        }
    }

    /// Plain-English name shown to people managing accounts.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Admin => "Admin (performance team)",
            Role::Director => "Director",
            Role::Owner => "Owner",
            Role::Reader => "Reader (councillor or scrutiny)",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a reporting period is in its life: open for returns, locked for checking, then
/// published to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodState {
    Open,
    Locked,
    Published,
}

impl PeriodState {
    pub const ALL: [PeriodState; 3] = [
        PeriodState::Open,
        PeriodState::Locked,
        PeriodState::Published,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            PeriodState::Open => "open",
            PeriodState::Locked => "locked",
            PeriodState::Published => "published",
        }
    }

    pub const fn from_key(key: &str) -> Option<PeriodState> {
        match key.as_bytes() {
            b"open" => Some(PeriodState::Open),
            b"locked" => Some(PeriodState::Locked),
            b"published" => Some(PeriodState::Published),
            _ => None,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            PeriodState::Open => "Open",
            PeriodState::Locked => "Locked",
            PeriodState::Published => "Published",
        }
    }
}

impl fmt::Display for PeriodState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where one activity's return for one period is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnState {
    Draft,
    Submitted,
    /// Sent back by a reviewer; the owner is expected to revise and resubmit.
    Returned,
    Approved,
}

impl ReturnState {
    pub const ALL: [ReturnState; 4] = [
        ReturnState::Draft,
        ReturnState::Submitted,
        ReturnState::Returned,
        ReturnState::Approved,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            ReturnState::Draft => "draft",
            ReturnState::Submitted => "submitted",
            ReturnState::Returned => "returned",
            ReturnState::Approved => "approved",
        }
    }

    pub const fn from_key(key: &str) -> Option<ReturnState> {
        match key.as_bytes() {
            b"draft" => Some(ReturnState::Draft),
            b"submitted" => Some(ReturnState::Submitted),
            b"returned" => Some(ReturnState::Returned),
            b"approved" => Some(ReturnState::Approved),
            _ => None,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            ReturnState::Draft => "Draft",
            ReturnState::Submitted => "Submitted",
            ReturnState::Returned => "Returned for changes",
            ReturnState::Approved => "Approved",
        }
    }
}

impl fmt::Display for ReturnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something a person asks to do to a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnAction {
    SaveDraft,
    Submit,
    Approve,
    SendBack,
}

impl ReturnAction {
    pub const ALL: [ReturnAction; 4] = [
        ReturnAction::SaveDraft,
        ReturnAction::Submit,
        ReturnAction::Approve,
        ReturnAction::SendBack,
    ];
}

/// Something the performance team asks to do to a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodAction {
    Lock,
    Unlock,
    Publish,
    /// Reopens a published period so that corrections can be made.
    Reopen,
}

impl PeriodAction {
    pub const ALL: [PeriodAction; 4] = [
        PeriodAction::Lock,
        PeriodAction::Unlock,
        PeriodAction::Publish,
        PeriodAction::Reopen,
    ];
}

/// How the person acting relates to the return in question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub role: Role,
    /// Assigned owner of the activity for this period.
    pub is_owner: bool,
    /// A director whose directorate the activity belongs to.
    pub in_directorate: bool,
    /// Wrote the version now under review (segregation of duties: nobody approves their own return).
    pub is_author: bool,
}

/// Why a person may not do what they asked, whatever state things are in (HTTP 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Forbidden {
    #[error("Readers can view returns but cannot change them.")]
    Reader,
    #[error("Only the activity's owner or the performance team can edit this return.")]
    NotOwner,
    #[error(
        "Only the performance team or the director responsible for this activity can approve or send back its return."
    )]
    NotReviewer,
    #[error("You wrote this return, so someone else must approve it or send it back.")]
    OwnReturn,
    #[error(
        "Only the performance team can open, lock, unlock, publish or reopen a period, or assign owners."
    )]
    NotAdmin,
}

/// Why the request does not fit the current state of the period or return (HTTP 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum WrongState {
    #[error("This period is locked: returns can no longer be changed.")]
    PeriodLocked,
    #[error("This period has been published: returns can no longer be changed.")]
    PeriodPublished,
    #[error("Only a submitted return can be approved.")]
    ApproveNeedsSubmitted,
    #[error("Only a submitted return can be sent back.")]
    SendBackNeedsSubmitted,
    #[error("This period is already locked.")]
    AlreadyLocked,
    #[error("This period has been published: reopen it to make corrections.")]
    AlreadyPublished,
    #[error("Only a locked period can be unlocked.")]
    UnlockNeedsLocked,
    #[error("A period must be locked before it is published.")]
    PublishNeedsLocked,
    #[error("Only a published period can be reopened.")]
    ReopenNeedsPublished,
}

/// A refused transition. The two kinds are kept apart because they mean different things to
/// the person (ask someone else vs. wait or do something first) and map to different HTTP codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Forbidden(Forbidden),
    #[error("{0}")]
    State(WrongState),
}

impl Refusal {
    /// True when the person may never do this (403), false when the timing is wrong (409).
    pub const fn is_forbidden(&self) -> bool {
        matches!(self, Refusal::Forbidden(_))
    }
}

impl From<Forbidden> for Refusal {
    fn from(reason: Forbidden) -> Self {
        Refusal::Forbidden(reason)
    }
}

impl From<WrongState> for Refusal {
    fn from(reason: WrongState) -> Self {
        Refusal::State(reason)
    }
}

/// The state a return moves to when `actor` does `action`, or why they may not.
///
/// Checks run in a fixed order so that a refusal never tells someone about a return they
/// could not act on anyway, and a Reader learns nothing but "you cannot":
/// Reader → period open → role/relationship → return state → author.
pub fn return_transition(
    period: PeriodState,
    current: Option<ReturnState>,
    action: ReturnAction,
    actor: &Actor,
) -> Result<ReturnState, Refusal> {
    if actor.role == Role::Reader {
        return Err(Forbidden::Reader.into());
    }
    match period {
        PeriodState::Open => {}
        PeriodState::Locked => return Err(WrongState::PeriodLocked.into()),
        PeriodState::Published => return Err(WrongState::PeriodPublished.into()),
    }
    match action {
        ReturnAction::SaveDraft | ReturnAction::Submit => {
            if actor.role != Role::Admin && !actor.is_owner {
                return Err(Forbidden::NotOwner.into());
            }
            // Any saved state may be revised: a submitted one is withdrawn or resubmitted,
            // an approved one is corrected and must be approved again.
            Ok(if action == ReturnAction::SaveDraft {
                ReturnState::Draft
            } else {
                ReturnState::Submitted
            })
        }
        ReturnAction::Approve | ReturnAction::SendBack => {
            let reviewer = match actor.role {
                Role::Admin => true,
                Role::Director => actor.in_directorate,
                Role::Owner | Role::Reader => false,
            };
            if !reviewer {
                return Err(Forbidden::NotReviewer.into());
            }
            if current != Some(ReturnState::Submitted) {
                return Err(if action == ReturnAction::Approve {
                    WrongState::ApproveNeedsSubmitted.into()
                } else {
                    WrongState::SendBackNeedsSubmitted.into()
                });
            }
            if actor.is_author {
                return Err(Forbidden::OwnReturn.into());
            }
            Ok(if action == ReturnAction::Approve {
                ReturnState::Approved
            } else {
                ReturnState::Returned
            })
        }
    }
}

/// The state a period moves to when someone with `role` does `action`, or why not.
pub fn period_transition(
    current: PeriodState,
    action: PeriodAction,
    role: Role,
) -> Result<PeriodState, Refusal> {
    if role != Role::Admin {
        return Err(Forbidden::NotAdmin.into());
    }
    use PeriodAction as A;
    use PeriodState as S;
    match (current, action) {
        (S::Open, A::Lock) => Ok(S::Locked),
        (S::Locked, A::Unlock) => Ok(S::Open),
        (S::Locked, A::Publish) => Ok(S::Published),
        (S::Published, A::Reopen) => Ok(S::Open),
        (S::Locked, A::Lock) => Err(WrongState::AlreadyLocked.into()),
        (S::Published, A::Lock | A::Publish | A::Unlock) => {
            Err(WrongState::AlreadyPublished.into())
        }
        (S::Open, A::Unlock) => Err(WrongState::UnlockNeedsLocked.into()),
        (S::Open, A::Publish) => Err(WrongState::PublishNeedsLocked.into()),
        (S::Open | S::Locked, A::Reopen) => Err(WrongState::ReopenNeedsPublished.into()),
    }
}

/// Whether a Reader sees a return in this state. Drafts and returned ones are work in
/// progress between the owner and the reviewer, so they stay private.
pub const fn visible_to_reader(state: ReturnState) -> bool {
    matches!(state, ReturnState::Submitted | ReturnState::Approved)
}

/// How a person stands to one piece of a period's work: an activity's return, or an
/// indicator's value. Their role says what they may do in general; the rest says whether this
/// piece is theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Viewer {
    pub role: Role,
    /// Owns it: the activity's assigned owner for the period, or the indicator's owner.
    pub is_owner: bool,
    /// Their directorate is the one it belongs to: the activity's, or for an indicator (which
    /// has no directorate of its own) its owner's. Counts only for directors.
    pub in_directorate: bool,
}

/// Whether `viewer` may see a piece of work that has not been published: admins always; a
/// director what they own and what belongs to their directorate; an owner what they own; a
/// reader once it has been put forward (`put_forward`), never while it is work in progress.
///
/// The one rule behind [`may_see_return`] and [`may_see_indicator_value`], so the two cannot
/// drift apart.
pub const fn may_see_unpublished(viewer: Viewer, put_forward: bool) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Director => viewer.is_owner || viewer.in_directorate,
        Role::Owner => viewer.is_owner,
        Role::Reader => put_forward,
    }
}

/// Whether `viewer` may see an activity's return in this state (`None`: nothing written yet).
/// A return is put forward once it is submitted or approved ([`visible_to_reader`]).
pub const fn may_see_return(viewer: Viewer, state: Option<ReturnState>) -> bool {
    let put_forward = match state {
        Some(state) => visible_to_reader(state),
        None => false,
    };
    may_see_unpublished(viewer, put_forward)
}

/// Whether `viewer` may see an indicator's value for a period in this state: the value, its
/// note, its rating and any override with its reason, and every value entered before it.
///
/// Indicator values have no review of their own: each save is the value that would be
/// published, and it can be corrected until the period is locked. So the analogue of a
/// submitted return is a value in a period locked for checking (no longer changing, waiting to
/// be published): readers see values from then on. Once the period is published the values are
/// public, and everyone signed in sees them. A period reopened for corrections is open again:
/// its values are private again until it is published again (the public site keeps what was
/// published).
pub const fn may_see_indicator_value(viewer: Viewer, period: PeriodState) -> bool {
    match period {
        PeriodState::Published => true,
        PeriodState::Locked => may_see_unpublished(viewer, true),
        PeriodState::Open => may_see_unpublished(viewer, false),
    }
}

/// The first state of a period in which `viewer` sees its indicator values: what someone who
/// cannot see them yet is told they wait for.
pub const fn indicator_values_shown_from(viewer: Viewer) -> PeriodState {
    if may_see_indicator_value(viewer, PeriodState::Open) {
        PeriodState::Open
    } else if may_see_indicator_value(viewer, PeriodState::Locked) {
        PeriodState::Locked
    } else {
        PeriodState::Published
    }
}

// ---------------------------------------------------------------------------------------
// Return content
// ---------------------------------------------------------------------------------------

/// What an owner writes in a quarterly return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnContent {
    pub status: Status,
    pub commentary: String,
    /// What will be done to bring an Amber or Red activity back on track.
    pub corrective_action: String,
    /// Why a Ceased activity stopped.
    pub reason: String,
    /// Links to evidence, one per entry.
    pub evidence: Vec<String>,
}

/// A problem with one field of a form, worded for the person filling it in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FieldError {
    /// The form field: "status", "commentary", "corrective_action", "reason" or "evidence".
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Longest commentary, corrective action or reason, in characters: generous for a quarter's
/// narrative while keeping pages and exports a sensible size.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Most evidence links on one return.
pub const MAX_EVIDENCE_LINKS: usize = 10;
/// Longest evidence link, in characters (about what browsers and servers reliably handle).
pub const MAX_LINK_CHARS: usize = 2_000;

/// The statuses an owner may choose. "No return" is recorded by the system when nothing was
/// submitted, so choosing it would be a contradiction.
pub const REPORTABLE: [Status; 6] = [
    Status::Complete,
    Status::Green,
    Status::Amber,
    Status::Red,
    Status::Ceased,
    Status::NotStarted,
];

/// Every problem with `content`; empty means it may be saved (or submitted, if `submitting`).
///
/// Drafts may be incomplete, but they are still checked for size, stray control characters
/// and unsafe links, because drafts are stored and shown like any other return.
pub fn validate_return(content: &ReturnContent, submitting: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !REPORTABLE.contains(&content.status) {
        errors.push(FieldError {
            field: "status",
            message: format!(
                "Choose a status: \"{}\" is recorded automatically and cannot be chosen",
                content.status.name()
            ),
        });
    }
    for (field, label, text) in [
        ("commentary", "Commentary", &content.commentary),
        (
            "corrective_action",
            "Corrective action",
            &content.corrective_action,
        ),
        ("reason", "Reason", &content.reason),
    ] {
        check_text(&mut errors, field, label, text);
    }
    if submitting {
        if content.commentary.trim().is_empty() {
            errors.push(FieldError {
                field: "commentary",
                message: "Say how the activity has progressed this quarter".to_owned(),
            });
        }
        if matches!(content.status, Status::Amber | Status::Red)
            && content.corrective_action.trim().is_empty()
        {
            errors.push(FieldError {
                field: "corrective_action",
                message: "Say what will be done to bring this back on track".to_owned(),
            });
        }
        if content.status == Status::Ceased && content.reason.trim().is_empty() {
            errors.push(FieldError {
                field: "reason",
                message: "Say why this activity has ceased".to_owned(),
            });
        }
    }
    if content.evidence.len() > MAX_EVIDENCE_LINKS {
        errors.push(FieldError {
            field: "evidence",
            message: format!(
                "Give at most {MAX_EVIDENCE_LINKS} evidence links (there are {})",
                content.evidence.len()
            ),
        });
    }
    for (i, link) in content.evidence.iter().enumerate() {
        if let Some(problem) = link_problem(link) {
            errors.push(FieldError {
                field: "evidence",
                message: format!("Evidence link {} {problem}", i + 1),
            });
        }
    }
    errors
}

fn check_text(errors: &mut Vec<FieldError>, field: &'static str, label: &str, text: &str) {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        errors.push(FieldError {
            field,
            message: format!(
                "{label} must be at most {} characters (it has {})",
                thousands(MAX_TEXT_CHARS),
                thousands(chars)
            ),
        });
    }
    // Line breaks and tabs are ordinary typing; anything else invisible is pasted junk that
    // breaks exports and can hide text from a reviewer.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError {
            field,
            message: format!(
                "{label} contains an invisible control character; please retype or paste it as plain text"
            ),
        });
    }
}

/// What is wrong with one evidence link, phrased to follow "Evidence link N".
fn link_problem(link: &str) -> Option<String> {
    if link.chars().count() > MAX_LINK_CHARS {
        return Some(format!(
            "is too long (at most {} characters)",
            thousands(MAX_LINK_CHARS)
        ));
    }
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces or control characters".to_owned());
    }
    // Only web links: this also shuts out javascript:, data:, file: and the like, which
    // would run or open something other than a page when a councillor clicks them.
    let rest = strip_prefix_ignore_case(link, "https://")
        .or_else(|| strip_prefix_ignore_case(link, "http://"));
    let Some(rest) = rest else {
        return Some("must start with https:// or http://".to_owned());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        // "https://council.gov.uk@example.com" goes to example.com: a classic disguise.
        return Some("must not contain a user name or password".to_owned());
    }
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Some("must include a website name after the https://".to_owned());
    }
    None
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// 10000 → "10,000", as people write numbers in messages.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Evidence links from a text box: one per non-blank line, trimmed.
pub fn parse_evidence(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            is_owner: false,
            in_directorate: false,
            is_author: false,
        }
    }

    fn owner() -> Actor {
        Actor {
            is_owner: true,
            is_author: true,
            ..actor(Role::Owner)
        }
    }

    fn director() -> Actor {
        Actor {
            in_directorate: true,
            ..actor(Role::Director)
        }
    }

    const OPEN: PeriodState = PeriodState::Open;
    const SUBMITTED: Option<ReturnState> = Some(ReturnState::Submitted);

    fn all_actors() -> Vec<Actor> {
        let mut out = Vec::new();
        for role in Role::ALL {
            for bits in 0..8u8 {
                out.push(Actor {
                    role,
                    is_owner: bits & 1 != 0,
                    in_directorate: bits & 2 != 0,
                    is_author: bits & 4 != 0,
                });
            }
        }
        out
    }

    fn all_current() -> Vec<Option<ReturnState>> {
        std::iter::once(None)
            .chain(ReturnState::ALL.map(Some))
            .collect()
    }

    // ---- keys and names ----

    #[test]
    fn keys_round_trip_and_names_are_plain_english() {
        for r in Role::ALL {
            assert_eq!(Role::from_key(r.key()), Some(r));
            assert_eq!(serde_json::to_value(r).ok(), Some(r.key().into()));
        }
        for p in PeriodState::ALL {
            assert_eq!(PeriodState::from_key(p.key()), Some(p));
            assert_eq!(serde_json::to_value(p).ok(), Some(p.key().into()));
        }
        for s in ReturnState::ALL {
            assert_eq!(ReturnState::from_key(s.key()), Some(s));
            assert_eq!(serde_json::to_value(s).ok(), Some(s.key().into()));
        }
        assert_eq!(Role::from_key("Admin"), None);
        assert_eq!(PeriodState::from_key(""), None);
        assert_eq!(ReturnState::from_key("sent_back"), None);
        assert_eq!(Role::Admin.name(), "Admin (performance team)");
        assert_eq!(Role::Reader.to_string(), "Reader (councillor or scrutiny)");
        assert_eq!(ReturnState::Returned.name(), "Returned for changes");
        assert_eq!(PeriodState::Published.name(), "Published");
        const ADMIN: Option<Role> = Role::from_key("admin");
        assert_eq!(ADMIN, Some(Role::Admin));
    }

    // ---- return transitions ----

    #[test]
    fn owner_saves_and_submits_from_any_state() {
        for current in all_current() {
            assert_eq!(
                return_transition(OPEN, current, ReturnAction::SaveDraft, &owner()),
                Ok(ReturnState::Draft)
            );
            assert_eq!(
                return_transition(OPEN, current, ReturnAction::Submit, &owner()),
                Ok(ReturnState::Submitted)
            );
        }
    }

    #[test]
    fn admin_edits_on_owners_behalf_and_directors_who_own_may_edit() {
        let admin = actor(Role::Admin);
        assert_eq!(
            return_transition(OPEN, None, ReturnAction::Submit, &admin),
            Ok(ReturnState::Submitted)
        );
        let director_owner = Actor {
            is_owner: true,
            ..actor(Role::Director)
        };
        assert_eq!(
            return_transition(OPEN, None, ReturnAction::SaveDraft, &director_owner),
            Ok(ReturnState::Draft)
        );
    }

    #[test]
    fn non_owner_cannot_edit() {
        for role in [Role::Owner, Role::Director] {
            let who = Actor {
                in_directorate: true,
                ..actor(role)
            };
            let err = return_transition(OPEN, None, ReturnAction::SaveDraft, &who);
            assert_eq!(err, Err(Refusal::Forbidden(Forbidden::NotOwner)));
            let err = err.err().map(|e| e.to_string()).unwrap_or_default();
            assert_eq!(
                err,
                "Only the activity's owner or the performance team can edit this return."
            );
        }
    }

    #[test]
    fn reader_never_acts_even_if_marked_owner() {
        let reader = Actor {
            is_owner: true,
            in_directorate: true,
            ..actor(Role::Reader)
        };
        for action in ReturnAction::ALL {
            let r = return_transition(OPEN, SUBMITTED, action, &reader);
            assert_eq!(r, Err(Refusal::Forbidden(Forbidden::Reader)));
        }
        // Even in a locked period the Reader hears only "you cannot".
        let r = return_transition(PeriodState::Locked, None, ReturnAction::Submit, &reader);
        assert_eq!(r, Err(Refusal::Forbidden(Forbidden::Reader)));
    }

    #[test]
    fn closed_period_refuses_every_change_as_state() {
        for (period, reason, text) in [
            (
                PeriodState::Locked,
                WrongState::PeriodLocked,
                "This period is locked: returns can no longer be changed.",
            ),
            (
                PeriodState::Published,
                WrongState::PeriodPublished,
                "This period has been published: returns can no longer be changed.",
            ),
        ] {
            for action in ReturnAction::ALL {
                let r = return_transition(period, SUBMITTED, action, &actor(Role::Admin));
                assert_eq!(r, Err(Refusal::State(reason)));
                assert!(!Refusal::State(reason).is_forbidden());
                assert_eq!(reason.to_string(), text);
            }
        }
    }

    #[test]
    fn director_in_directorate_and_admin_approve_or_send_back() {
        for who in [director(), actor(Role::Admin)] {
            assert_eq!(
                return_transition(OPEN, SUBMITTED, ReturnAction::Approve, &who),
                Ok(ReturnState::Approved)
            );
            assert_eq!(
                return_transition(OPEN, SUBMITTED, ReturnAction::SendBack, &who),
                Ok(ReturnState::Returned)
            );
        }
    }

    #[test]
    fn other_directors_owners_cannot_review() {
        let outsider = actor(Role::Director);
        let owner_in_directorate = Actor {
            in_directorate: true,
            is_author: false,
            ..owner()
        };
        for who in [outsider, owner_in_directorate] {
            for action in [ReturnAction::Approve, ReturnAction::SendBack] {
                let r = return_transition(OPEN, SUBMITTED, action, &who);
                assert_eq!(r, Err(Refusal::Forbidden(Forbidden::NotReviewer)));
            }
        }
    }

    #[test]
    fn only_submitted_returns_are_reviewed() {
        for current in [
            None,
            Some(ReturnState::Draft),
            Some(ReturnState::Returned),
            Some(ReturnState::Approved),
        ] {
            let r = return_transition(OPEN, current, ReturnAction::Approve, &director());
            assert_eq!(r, Err(Refusal::State(WrongState::ApproveNeedsSubmitted)));
            let r = return_transition(OPEN, current, ReturnAction::SendBack, &director());
            assert_eq!(r, Err(Refusal::State(WrongState::SendBackNeedsSubmitted)));
        }
        assert_eq!(
            WrongState::ApproveNeedsSubmitted.to_string(),
            "Only a submitted return can be approved."
        );
    }

    #[test]
    fn nobody_reviews_their_own_return() {
        for role in [Role::Admin, Role::Director] {
            let who = Actor {
                is_author: true,
                in_directorate: true,
                ..actor(role)
            };
            for action in [ReturnAction::Approve, ReturnAction::SendBack] {
                let r = return_transition(OPEN, SUBMITTED, action, &who);
                assert_eq!(r, Err(Refusal::Forbidden(Forbidden::OwnReturn)));
                assert!(r.err().is_some_and(|e| e.is_forbidden()));
            }
        }
        assert_eq!(
            Forbidden::OwnReturn.to_string(),
            "You wrote this return, so someone else must approve it or send it back."
        );
    }

    #[test]
    fn check_order_state_of_return_before_author() {
        // An author who could review sees the state problem first (nothing leaks: they wrote it).
        let who = Actor {
            is_author: true,
            ..director()
        };
        let r = return_transition(OPEN, Some(ReturnState::Draft), ReturnAction::Approve, &who);
        assert_eq!(r, Err(Refusal::State(WrongState::ApproveNeedsSubmitted)));
        // Someone with no say hears "forbidden", not whether the return is submitted.
        let r = return_transition(
            OPEN,
            Some(ReturnState::Draft),
            ReturnAction::Approve,
            &owner(),
        );
        assert_eq!(r, Err(Refusal::Forbidden(Forbidden::NotReviewer)));
    }

    #[test]
    fn a_quarter_from_draft_to_correction_after_publication() {
        let owner = Actor {
            is_author: false,
            ..owner()
        };
        let owner_author = Actor {
            is_author: true,
            ..owner
        };
        let step = |period, current, action, who: &Actor| {
            return_transition(period, Some(current), action, who)
        };
        let s = return_transition(OPEN, None, ReturnAction::SaveDraft, &owner);
        assert_eq!(s, Ok(ReturnState::Draft));
        let s = step(
            OPEN,
            ReturnState::Draft,
            ReturnAction::Submit,
            &owner_author,
        );
        assert_eq!(s, Ok(ReturnState::Submitted));
        let s = step(
            OPEN,
            ReturnState::Submitted,
            ReturnAction::SendBack,
            &director(),
        );
        assert_eq!(s, Ok(ReturnState::Returned));
        let s = step(
            OPEN,
            ReturnState::Returned,
            ReturnAction::Submit,
            &owner_author,
        );
        assert_eq!(s, Ok(ReturnState::Submitted));
        let s = step(
            OPEN,
            ReturnState::Submitted,
            ReturnAction::Approve,
            &director(),
        );
        assert_eq!(s, Ok(ReturnState::Approved));

        let p = period_transition(OPEN, PeriodAction::Lock, Role::Admin);
        assert_eq!(p, Ok(PeriodState::Locked));
        let p = period_transition(PeriodState::Locked, PeriodAction::Publish, Role::Admin);
        assert_eq!(p, Ok(PeriodState::Published));
        let s = step(
            PeriodState::Published,
            ReturnState::Approved,
            ReturnAction::Submit,
            &owner_author,
        );
        assert_eq!(s, Err(Refusal::State(WrongState::PeriodPublished)));
        let p = period_transition(PeriodState::Published, PeriodAction::Reopen, Role::Admin);
        assert_eq!(p, Ok(OPEN));
        // A correction goes back through review.
        let s = step(
            OPEN,
            ReturnState::Approved,
            ReturnAction::Submit,
            &owner_author,
        );
        assert_eq!(s, Ok(ReturnState::Submitted));
    }

    #[test]
    fn refusal_display_passes_through_the_reason() {
        let r = Refusal::from(Forbidden::NotAdmin);
        assert_eq!(
            r.to_string(),
            "Only the performance team can open, lock, unlock, publish or reopen a period, or assign owners."
        );
        assert!(r.is_forbidden());
        let r = Refusal::from(WrongState::PublishNeedsLocked);
        assert_eq!(
            r.to_string(),
            "A period must be locked before it is published."
        );
        assert!(!r.is_forbidden());
    }

    // ---- period transitions ----

    #[test]
    fn period_lifecycle_for_admin() {
        use PeriodAction as A;
        use PeriodState as S;
        let table = [
            (S::Open, A::Lock, Ok(S::Locked)),
            (S::Open, A::Unlock, Err(WrongState::UnlockNeedsLocked)),
            (S::Open, A::Publish, Err(WrongState::PublishNeedsLocked)),
            (S::Open, A::Reopen, Err(WrongState::ReopenNeedsPublished)),
            (S::Locked, A::Lock, Err(WrongState::AlreadyLocked)),
            (S::Locked, A::Unlock, Ok(S::Open)),
            (S::Locked, A::Publish, Ok(S::Published)),
            (S::Locked, A::Reopen, Err(WrongState::ReopenNeedsPublished)),
            (S::Published, A::Lock, Err(WrongState::AlreadyPublished)),
            (S::Published, A::Unlock, Err(WrongState::AlreadyPublished)),
            (S::Published, A::Publish, Err(WrongState::AlreadyPublished)),
            (S::Published, A::Reopen, Ok(S::Open)),
        ];
        for (from, action, expected) in table {
            assert_eq!(
                period_transition(from, action, Role::Admin),
                expected.map_err(Refusal::State),
                "{from:?} {action:?}"
            );
        }
    }

    #[test]
    fn only_admin_changes_periods() {
        for role in [Role::Director, Role::Owner, Role::Reader] {
            for from in PeriodState::ALL {
                for action in PeriodAction::ALL {
                    assert_eq!(
                        period_transition(from, action, role),
                        Err(Refusal::Forbidden(Forbidden::NotAdmin))
                    );
                }
            }
        }
    }

    #[test]
    fn visibility() {
        assert!(visible_to_reader(ReturnState::Submitted));
        assert!(visible_to_reader(ReturnState::Approved));
        assert!(!visible_to_reader(ReturnState::Draft));
        assert!(!visible_to_reader(ReturnState::Returned));
    }

    // ---- who sees unpublished work ----

    fn all_viewers() -> Vec<Viewer> {
        let mut out = Vec::new();
        for role in Role::ALL {
            for bits in 0..4u8 {
                out.push(Viewer {
                    role,
                    is_owner: bits & 1 != 0,
                    in_directorate: bits & 2 != 0,
                });
            }
        }
        out
    }

    fn viewer(role: Role, is_owner: bool, in_directorate: bool) -> Viewer {
        Viewer {
            role,
            is_owner,
            in_directorate,
        }
    }

    #[test]
    fn who_sees_unpublished_work() {
        // (viewer, before it is put forward, once it is)
        let table = [
            (viewer(Role::Admin, false, false), true, true),
            (viewer(Role::Director, false, true), true, true),
            (viewer(Role::Director, true, false), true, true),
            // Another directorate's director.
            (viewer(Role::Director, false, false), false, false),
            (viewer(Role::Owner, true, false), true, true),
            // Another owner, even in the same directorate.
            (viewer(Role::Owner, false, false), false, false),
            (viewer(Role::Owner, false, true), false, false),
            // Readers see what is put forward, and nothing more for owning it.
            (viewer(Role::Reader, false, false), false, true),
            (viewer(Role::Reader, true, true), false, true),
        ];
        for (who, before, after) in table {
            assert_eq!(may_see_unpublished(who, false), before, "{who:?}");
            assert_eq!(may_see_unpublished(who, true), after, "{who:?}");
        }
    }

    #[test]
    fn who_sees_an_indicator_value_in_each_state_of_the_period() {
        use PeriodState::{Locked, Open, Published};
        let admin = viewer(Role::Admin, false, false);
        let owner = viewer(Role::Owner, true, false);
        let other_owner = viewer(Role::Owner, false, false);
        let director = viewer(Role::Director, false, true);
        let other_director = viewer(Role::Director, false, false);
        let reader = viewer(Role::Reader, false, false);
        for (who, open, locked) in [
            (admin, true, true),
            (owner, true, true),
            (director, true, true),
            (other_owner, false, false),
            (other_director, false, false),
            (reader, false, true),
        ] {
            assert_eq!(may_see_indicator_value(who, Open), open, "{who:?}");
            assert_eq!(may_see_indicator_value(who, Locked), locked, "{who:?}");
            assert!(may_see_indicator_value(who, Published), "{who:?}");
        }
    }

    #[test]
    fn returns_and_indicator_values_follow_one_rule() {
        for who in all_viewers() {
            // An open period's values are like returns not yet put forward; a locked
            // period's like submitted ones.
            for state in [None, Some(ReturnState::Draft), Some(ReturnState::Returned)] {
                assert_eq!(
                    may_see_return(who, state),
                    may_see_indicator_value(who, PeriodState::Open),
                    "{who:?} {state:?}"
                );
            }
            for state in [ReturnState::Submitted, ReturnState::Approved] {
                assert_eq!(
                    may_see_return(who, Some(state)),
                    may_see_indicator_value(who, PeriodState::Locked),
                    "{who:?} {state:?}"
                );
            }
        }
    }

    #[test]
    fn sight_only_grows_towards_publication() {
        for who in all_viewers() {
            let open = may_see_indicator_value(who, PeriodState::Open);
            let locked = may_see_indicator_value(who, PeriodState::Locked);
            let published = may_see_indicator_value(who, PeriodState::Published);
            assert!(!open || locked, "{who:?}");
            assert!(!locked || published, "{who:?}");
            assert!(published, "{who:?}");
            // What someone is told they wait for is the first state in which they see.
            let from = indicator_values_shown_from(who);
            assert!(may_see_indicator_value(who, from), "{who:?}");
            let expected = if open {
                PeriodState::Open
            } else if locked {
                PeriodState::Locked
            } else {
                PeriodState::Published
            };
            assert_eq!(from, expected, "{who:?}");
        }
        assert_eq!(
            indicator_values_shown_from(viewer(Role::Reader, false, false)),
            PeriodState::Locked
        );
        assert_eq!(
            indicator_values_shown_from(viewer(Role::Owner, false, true)),
            PeriodState::Published
        );
    }

    proptest! {
        /// Whoever may change a return, or review it, may see it: a page never offers a form
        /// for something it hides.
        #[test]
        fn whoever_may_act_on_a_return_may_see_it(
            current in prop::option::of(prop::sample::select(ReturnState::ALL.to_vec())),
            action in prop::sample::select(ReturnAction::ALL.to_vec()),
            role in prop::sample::select(Role::ALL.to_vec()),
            is_owner in any::<bool>(),
            in_directorate in any::<bool>(),
            is_author in any::<bool>(),
        ) {
            let actor = Actor { role, is_owner, in_directorate, is_author };
            if return_transition(PeriodState::Open, current, action, &actor).is_ok() {
                let who = Viewer { role, is_owner, in_directorate };
                prop_assert!(may_see_return(who, current));
            }
        }

        /// Nobody unrelated to a piece of work sees it before it is published, except a reader
        /// once it is put forward; being in a directorate counts only for directors.
        #[test]
        fn unrelated_people_see_nothing_unpublished(
            role in prop::sample::select(Role::ALL.to_vec()),
            in_directorate in any::<bool>(),
            put_forward in any::<bool>(),
        ) {
            let who = Viewer { role, is_owner: false, in_directorate };
            let sees = may_see_unpublished(who, put_forward);
            match role {
                Role::Admin => prop_assert!(sees),
                Role::Director => prop_assert_eq!(sees, in_directorate),
                Role::Owner => prop_assert!(!sees),
                Role::Reader => prop_assert_eq!(sees, put_forward),
            }
            if role != Role::Director {
                let flipped = Viewer { in_directorate: !in_directorate, ..who };
                prop_assert_eq!(sees, may_see_unpublished(flipped, put_forward));
            }
        }
    }

    /// The input space is small enough to check the ordering rules on every combination.
    #[test]
    fn exhaustive_refusal_kinds_follow_the_documented_order() {
        for period in PeriodState::ALL {
            for current in all_current() {
                for action in ReturnAction::ALL {
                    for who in all_actors() {
                        let r = return_transition(period, current, action, &who);
                        assert_eq!(r, return_transition(period, current, action, &who));
                        if who.role == Role::Reader {
                            assert_eq!(r, Err(Refusal::Forbidden(Forbidden::Reader)));
                        } else if period != OPEN {
                            assert!(r.is_err_and(|e| !e.is_forbidden()));
                        } else if let Ok(next) = r {
                            let reviewing =
                                matches!(action, ReturnAction::Approve | ReturnAction::SendBack);
                            assert!(!reviewing || (current == SUBMITTED && !who.is_author));
                            assert!(reviewing || who.is_owner || who.role == Role::Admin);
                            if next == ReturnState::Approved {
                                assert_eq!(action, ReturnAction::Approve);
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- state machine properties ----

    #[derive(Debug, Clone)]
    enum Op {
        Return { action: ReturnAction, person: usize },
        Period { action: PeriodAction, person: usize },
    }

    /// A person in the simulation: their role and fixed relationship to the one activity.
    #[derive(Debug, Clone, Copy)]
    struct Person {
        role: Role,
        is_owner: bool,
        in_directorate: bool,
    }

    fn person() -> impl Strategy<Value = Person> {
        (
            prop::sample::select(Role::ALL.to_vec()),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(role, is_owner, in_directorate)| Person {
                role,
                is_owner,
                in_directorate,
            })
    }

    fn op(people: usize) -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (prop::sample::select(ReturnAction::ALL.to_vec()), 0..people)
                .prop_map(|(action, person)| Op::Return { action, person }),
            1 => (prop::sample::select(PeriodAction::ALL.to_vec()), 0..people)
                .prop_map(|(action, person)| Op::Period { action, person }),
        ]
    }

    proptest! {
        #[test]
        fn state_machine_invariants(
            people in prop::collection::vec(person(), 4),
            ops in prop::collection::vec(op(4), 0..60),
        ) {
            let mut period = PeriodState::Open;
            let mut current: Option<ReturnState> = None;
            let mut author: Option<usize> = None;
            for op in ops {
                match op {
                    Op::Return { action, person } => {
                        let p = people[person];
                        let who = Actor {
                            role: p.role,
                            is_owner: p.is_owner,
                            in_directorate: p.in_directorate,
                            is_author: author == Some(person),
                        };
                        let result = return_transition(period, current, action, &who);
                        // (f) deterministic
                        prop_assert_eq!(result, return_transition(period, current, action, &who));
                        // (c) readers never act
                        if p.role == Role::Reader {
                            prop_assert!(result.is_err());
                        }
                        // (d) nothing changes unless the period is open
                        if period != PeriodState::Open {
                            prop_assert!(result.is_err());
                        }
                        if let Ok(next) = result {
                            // (a) approval only straight from Submitted
                            if next == ReturnState::Approved {
                                prop_assert_eq!(current, Some(ReturnState::Submitted));
                                // (e) never by the author of the version under review
                                prop_assert_ne!(author, Some(person));
                            }
                            if next == ReturnState::Returned {
                                prop_assert_ne!(author, Some(person));
                            }
                            if matches!(action, ReturnAction::SaveDraft | ReturnAction::Submit) {
                                author = Some(person);
                            }
                            current = Some(next);
                        }
                    }
                    Op::Period { action, person } => {
                        let role = people[person].role;
                        let result = period_transition(period, action, role);
                        prop_assert_eq!(result, period_transition(period, action, role));
                        if role != Role::Admin {
                            prop_assert!(result.is_err_and(|e| e.is_forbidden()));
                        }
                        if let Ok(next) = result {
                            // (b) published only straight from Locked
                            if next == PeriodState::Published {
                                prop_assert_eq!(period, PeriodState::Locked);
                            }
                            period = next;
                        }
                    }
                }
            }
        }

        #[test]
        fn transitions_are_total(
            period in prop::sample::select(PeriodState::ALL.to_vec()),
            current in prop::option::of(prop::sample::select(ReturnState::ALL.to_vec())),
            action in prop::sample::select(ReturnAction::ALL.to_vec()),
            period_action in prop::sample::select(PeriodAction::ALL.to_vec()),
            role in prop::sample::select(Role::ALL.to_vec()),
            is_owner in any::<bool>(),
            in_directorate in any::<bool>(),
            is_author in any::<bool>(),
        ) {
            let who = Actor { role, is_owner, in_directorate, is_author };
            let r = return_transition(period, current, action, &who);
            prop_assert_eq!(r, return_transition(period, current, action, &who));
            if let Err(e) = r {
                prop_assert!(!e.to_string().is_empty());
            }
            let p = period_transition(period, period_action, role);
            prop_assert_eq!(p, period_transition(period, period_action, role));
        }
    }

    // ---- content validation ----

    fn content(status: Status) -> ReturnContent {
        ReturnContent {
            status,
            commentary: "Consultation closed; 412 responses analysed.".to_owned(),
            corrective_action: String::new(),
            reason: String::new(),
            evidence: vec!["https://www.example.gov.uk/consultation".to_owned()],
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_green_return_is_valid() {
        assert!(validate_return(&content(Status::Green), true).is_empty());
    }

    #[test]
    fn no_return_cannot_be_chosen() {
        let errors = validate_return(&content(Status::NoReturn), false);
        assert_eq!(fields(&errors), ["status"]);
        assert!(errors[0].message.contains("No return"));
        for s in REPORTABLE {
            assert!(validate_return(&content(s), false).is_empty(), "{s:?}");
        }
        assert!(!REPORTABLE.contains(&Status::NoReturn));
    }

    #[test]
    fn submitting_requires_commentary_but_a_draft_does_not() {
        let mut c = content(Status::Green);
        c.commentary = " \n\t ".to_owned();
        assert!(validate_return(&c, false).is_empty());
        let errors = validate_return(&c, true);
        assert_eq!(fields(&errors), ["commentary"]);
    }

    #[test]
    fn amber_and_red_need_corrective_action_on_submit() {
        for status in [Status::Amber, Status::Red] {
            let mut c = content(status);
            assert!(validate_return(&c, false).is_empty());
            let errors = validate_return(&c, true);
            assert_eq!(fields(&errors), ["corrective_action"]);
            assert_eq!(
                errors[0].message,
                "Say what will be done to bring this back on track"
            );
            c.corrective_action = "Extra surveyor hired from May.".to_owned();
            assert!(validate_return(&c, true).is_empty());
        }
    }

    #[test]
    fn ceased_needs_a_reason_on_submit() {
        let mut c = content(Status::Ceased);
        let errors = validate_return(&c, true);
        assert_eq!(fields(&errors), ["reason"]);
        assert_eq!(errors[0].message, "Say why this activity has ceased");
        c.reason = "Funding withdrawn by government.".to_owned();
        assert!(validate_return(&c, true).is_empty());
    }

    #[test]
    fn text_length_counts_characters_not_bytes() {
        let mut c = content(Status::Green);
        c.commentary = "é".repeat(MAX_TEXT_CHARS);
        assert!(validate_return(&c, true).is_empty());
        c.commentary.push('é');
        let errors = validate_return(&c, false);
        assert_eq!(fields(&errors), ["commentary"]);
        assert_eq!(
            errors[0].message,
            "Commentary must be at most 10,000 characters (it has 10,001)"
        );
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_and_tabs_kept() {
        let mut c = content(Status::Red);
        c.corrective_action = "Step one\r\n\tStep two".to_owned();
        assert!(validate_return(&c, true).is_empty());
        c.corrective_action.push('\u{7}');
        c.reason = "a\u{0}b".to_owned();
        let errors = validate_return(&c, false);
        assert_eq!(fields(&errors), ["corrective_action", "reason"]);
        assert!(errors[0].message.starts_with("Corrective action contains"));
        assert!(errors[1].message.starts_with("Reason contains"));
    }

    #[test]
    fn evidence_links_are_web_links_only() {
        let cases = [
            ("https://example.org/a?b=c#d", None),
            ("HTTP://Example.org", None),
            ("https://[2001:db8::1]:8443/x", None),
            ("https://intranet:8080", None),
            (
                "javascript:alert(1)",
                Some("Evidence link 1 must start with https:// or http://"),
            ),
            (
                "JavaScript://example.org/%0aalert(1)",
                Some("Evidence link 1 must start with https:// or http://"),
            ),
            (
                "data:text/html,hi",
                Some("Evidence link 1 must start with https:// or http://"),
            ),
            (
                "www.example.org",
                Some("Evidence link 1 must start with https:// or http://"),
            ),
            (
                "ftp://example.org",
                Some("Evidence link 1 must start with https:// or http://"),
            ),
            (
                "https://",
                Some("Evidence link 1 must include a website name after the https://"),
            ),
            (
                "https:///path",
                Some("Evidence link 1 must include a website name after the https://"),
            ),
            (
                "http://:80/",
                Some("Evidence link 1 must include a website name after the https://"),
            ),
            (
                "https://council.gov.uk@evil.example/",
                Some("Evidence link 1 must not contain a user name or password"),
            ),
            (
                "https://example.org/a b",
                Some("Evidence link 1 must not contain spaces or control characters"),
            ),
            (
                "https://example.org/\u{0}",
                Some("Evidence link 1 must not contain spaces or control characters"),
            ),
            (
                "https://é.example/\u{a0}",
                Some("Evidence link 1 must not contain spaces or control characters"),
            ),
            (
                "",
                Some("Evidence link 1 must start with https:// or http://"),
            ),
        ];
        for (link, expected) in cases {
            let mut c = content(Status::Green);
            c.evidence = vec![link.to_owned()];
            let errors = validate_return(&c, false);
            let got: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            assert_eq!(got, expected.into_iter().collect::<Vec<_>>(), "{link:?}");
            assert!(errors.iter().all(|e| e.field == "evidence"));
        }
    }

    #[test]
    fn evidence_messages_name_the_line() {
        let mut c = content(Status::Green);
        c.evidence = vec!["https://ok.example".to_owned(), "ok.example".to_owned()];
        let errors = validate_return(&c, true);
        assert_eq!(
            errors[0].message,
            "Evidence link 2 must start with https:// or http://"
        );
    }

    #[test]
    fn evidence_count_and_length_limits() {
        let mut c = content(Status::Green);
        c.evidence = vec!["https://example.org".to_owned(); MAX_EVIDENCE_LINKS];
        assert!(validate_return(&c, true).is_empty());
        c.evidence.push("https://example.org".to_owned());
        let errors = validate_return(&c, true);
        assert_eq!(fields(&errors), ["evidence"]);
        assert_eq!(
            errors[0].message,
            "Give at most 10 evidence links (there are 11)"
        );

        let base = "https://example.org/";
        let fits = format!("{base}{}", "é".repeat(MAX_LINK_CHARS - base.len()));
        c.evidence = vec![fits.clone()];
        assert!(validate_return(&c, true).is_empty());
        c.evidence = vec![format!("{fits}x")];
        let errors = validate_return(&c, true);
        assert_eq!(
            errors[0].message,
            "Evidence link 1 is too long (at most 2,000 characters)"
        );
    }

    #[test]
    fn parse_evidence_takes_non_blank_trimmed_lines() {
        let text = "  https://a.example/1 \r\n\n   \n\thttps://b.example/2\n";
        assert_eq!(
            parse_evidence(text),
            ["https://a.example/1", "https://b.example/2"]
        );
        assert!(parse_evidence("").is_empty());
        assert!(parse_evidence(" \n \r\n").is_empty());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    proptest! {
        #[test]
        fn validate_return_never_panics(
            status in prop::sample::select(Status::ALL.to_vec()),
            commentary in any::<String>(),
            corrective_action in any::<String>(),
            reason in any::<String>(),
            evidence in prop::collection::vec(any::<String>(), 0..12),
            submitting in any::<bool>(),
        ) {
            let c = ReturnContent { status, commentary, corrective_action, reason, evidence };
            let errors = validate_return(&c, submitting);
            for e in &errors {
                prop_assert!(
                    ["status", "commentary", "corrective_action", "reason", "evidence"]
                        .contains(&e.field)
                );
                prop_assert!(!e.message.is_empty());
            }
        }

        #[test]
        fn parse_evidence_never_panics_and_yields_trimmed_lines(text in any::<String>()) {
            for link in parse_evidence(&text) {
                prop_assert!(!link.is_empty());
                prop_assert_eq!(link.trim(), link.as_str());
                prop_assert!(!link.contains('\n'));
            }
        }

        #[test]
        fn any_nul_is_rejected(
            which in 0usize..4,
            before in any::<String>(),
            after in any::<String>(),
            submitting in any::<bool>(),
        ) {
            let mut c = content(Status::Green);
            let text = format!("{before}\u{0}{after}");
            let field = match which {
                0 => { c.commentary = text; "commentary" }
                1 => { c.corrective_action = text; "corrective_action" }
                2 => { c.reason = text; "reason" }
                _ => { c.evidence.push(text); "evidence" }
            };
            let errors = validate_return(&c, submitting);
            prop_assert!(errors.iter().any(|e| e.field == field), "{errors:?}");
        }
    }
}
