//! A file imported through the staff site: uploaded (text, CSV, spreadsheet, saved web page or
//! PDF), shown with what each of its columns was read as beside what importing it would
//! change, the columns' roles corrected by the admin and read again, then confirmed. The
//! mapping the admin chose is remembered for the council's next file of the same shape.

use crate::Staff;
use crate::auth::{Admin, AdminForm, Signed};
use crate::error::StaffError;
use crate::http::{self, Form, same_origin, same_secret};
use crate::plan_pages::plan_page;
use crate::view::{one_error, with};
use axum::extract::{Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use minijinja::{Value, context};
use std::sync::Arc;
use waymark_domain::DocumentKind;
use waymark_domain::reconcile::ReconcileOptions;
use waymark_import::{Inspection, Mapping, Vocabulary};
use waymark_store::{ImportOutcome, Incoming, StoreError, WaitingUpload};

/// Largest file accepted through the web.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// How long an uploaded file waits for its confirmation.
const UPLOAD_MINUTES: i64 = 30;
/// Uploads waiting at once (the oldest goes first).
const MAX_WAITING: usize = 32;
/// Columns a mapping form may name: three fields each, within the form's field limit (a wider
/// file is mapped with a mapping file).
const MAX_FORM_COLUMNS: usize = 300;

/// A file uploaded and previewed, waiting for the admin to confirm it.
#[derive(Clone)]
pub struct PendingUpload {
    org_id: i64,
    user_id: i64,
    file_name: String,
    bytes: Arc<Vec<u8>>,
    /// What the admin (or the council's remembered mapping) says about the file.
    mapping: Mapping,
    /// The file's shape as first read, under which the mapping is remembered.
    shape: Option<String>,
    /// Whether the mapping came from an earlier file of the same shape.
    remembered: bool,
    expires: DateTime<Utc>,
}

impl PendingUpload {
    fn stored(&self) -> WaitingUpload {
        WaitingUpload {
            org_id: self.org_id,
            user_id: self.user_id,
            file_name: self.file_name.clone(),
            content: self.bytes.as_ref().clone(),
            mapping: self.mapping.to_toml(),
            shape: self.shape.clone(),
            remembered: self.remembered,
            expires: self.expires,
        }
    }

    fn from_stored(stored: WaitingUpload) -> Result<PendingUpload, StaffError> {
        let mapping = Mapping::from_toml("the waiting upload's mapping", &stored.mapping)
            .map_err(|e| StaffError::from(StoreError::Corrupt(e.to_string())))?;
        Ok(PendingUpload {
            org_id: stored.org_id,
            user_id: stored.user_id,
            file_name: stored.file_name,
            bytes: Arc::new(stored.content),
            mapping,
            shape: stored.shape,
            remembered: stored.remembered,
            expires: stored.expires,
        })
    }
}

/// Uploads waiting for confirmation, by a random token only their uploader's form carries.
/// They wait in the database, so the confirmation may reach another server than the upload.
struct Uploads;

impl Uploads {
    async fn put(staff: &Staff, token: &str, upload: &PendingUpload) -> Result<(), StaffError> {
        let now = staff.now();
        let stored = upload.stored();
        Ok(staff
            .store
            .keep_upload(token, &stored, now, MAX_WAITING)
            .await?)
    }

    /// The upload, left waiting (to be read again with another mapping).
    async fn get(staff: &Staff, token: &str, signed: &Signed) -> Result<PendingUpload, StaffError> {
        let (org, user, now) = (signed.org.id, signed.user.id, staff.now());
        match staff.store.waiting_upload(token, org, user, now).await? {
            Some(stored) => PendingUpload::from_stored(stored),
            None => Err(expired(signed)),
        }
    }

    /// Record what the upload was read again as, only if it is still waiting (not confirmed
    /// meanwhile).
    async fn replace(
        staff: &Staff,
        token: &str,
        upload: &PendingUpload,
        signed: &Signed,
    ) -> Result<(), StaffError> {
        let stored = upload.stored();
        match staff
            .store
            .remap_upload(token, &stored, staff.now())
            .await?
        {
            true => Ok(()),
            false => Err(expired(signed)),
        }
    }

    /// The upload, no longer waiting (it is being imported).
    async fn take(
        staff: &Staff,
        token: &str,
        signed: &Signed,
    ) -> Result<PendingUpload, StaffError> {
        let (org, user, now) = (signed.org.id, signed.user.id, staff.now());
        match staff.store.take_upload(token, org, user, now).await? {
            Some(stored) => PendingUpload::from_stored(stored),
            None => Err(expired(signed)),
        }
    }
}

/// The uploaded file's name without any folders, as shown back to people.
fn file_name(raw: Option<&str>) -> String {
    let name = raw.unwrap_or("upload.txt");
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() {
        "upload.txt".into()
    } else {
        clean
    }
}

/// Read the file off the request's thread: a large spreadsheet or PDF takes a while.
async fn inspect(name: String, bytes: Arc<Vec<u8>>, mapping: Mapping) -> Inspection {
    let read_name = name.clone();
    tokio::task::spawn_blocking(move || {
        waymark_import::inspect(&read_name, &bytes, None, &Vocabulary::default(), &mapping)
    })
    .await
    .unwrap_or_else(|_| Inspection {
        result: Err(waymark_import::ImportError::new(
            name,
            "the file could not be read",
        )),
        tables: vec![],
    })
}

/// The documents a reading holds, named as the command line names them.
fn incoming(name: &str, bytes: &[u8], reading: waymark_import::Reading) -> Vec<Incoming> {
    let several = reading.documents.len() > 1;
    reading
        .documents
        .into_iter()
        .enumerate()
        .map(|(i, document)| {
            let label = if several {
                format!("{name}#{}", i + 1)
            } else {
                name.to_string()
            };
            Incoming::new(&label, bytes, document)
        })
        .collect()
}

/// How a file was first read: with the council's remembered mapping for its shape, if a
/// person chose one for an earlier file of that shape, else as it stands.
struct FirstReading {
    inspection: Inspection,
    mapping: Mapping,
    shape: Option<String>,
    remembered: bool,
}

async fn first_reading(
    staff: &Staff,
    signed: &Signed,
    name: &str,
    bytes: &Arc<Vec<u8>>,
) -> Result<FirstReading, StaffError> {
    let first = inspect(name.to_string(), bytes.clone(), Mapping::default()).await;
    let shape = first.shape();
    let remembered = match &shape {
        Some(s) => staff
            .store
            .remembered_mapping(&signed.org, s)
            .await?
            .and_then(|toml| Mapping::from_toml("remembered mapping", &toml).ok()),
        None => None,
    };
    Ok(match remembered {
        Some(m) => FirstReading {
            inspection: inspect(name.to_string(), bytes.clone(), m.clone()).await,
            mapping: m,
            shape,
            remembered: true,
        },
        None => FirstReading {
            inspection: first,
            mapping: Mapping::default(),
            shape,
            remembered: false,
        },
    })
}

/// POST /staff/plan/upload (multipart): read the file, show what importing it would change.
pub async fn upload(
    State(staff): State<Arc<Staff>>,
    Admin { signed, .. }: Admin,
    request: Request,
) -> Result<Response, StaffError> {
    let headers = request.headers().clone();
    let (csrf, file) = match read_upload(request).await {
        Ok(parts) => parts,
        Err((status, message)) => return refuse(&staff, &signed, status, &message).await,
    };
    // The checks a `SignedForm` makes, on a multipart body.
    if !same_origin(&headers) || !same_secret(&csrf, &signed.session.csrf_token) {
        return Err(signed.stale_form());
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let message = "Choose a file to upload";
        return refuse(&staff, &signed, StatusCode::BAD_REQUEST, message).await;
    };
    let bytes = Arc::new(bytes);
    let first = first_reading(&staff, &signed, &name, &bytes).await?;
    if first.inspection.tables.is_empty()
        && let Err(e) = &first.inspection.result
    {
        // Nothing a person could correct: no table was found to map.
        let message = e.to_string();
        return refuse(&staff, &signed, StatusCode::BAD_REQUEST, &message).await;
    }
    let (token, _) = waymark_store::accounts::new_token()
        .map_err(|_| StaffError::unavailable("no randomness"))?;
    let now = staff.now();
    let pending = PendingUpload {
        org_id: signed.org.id,
        user_id: signed.user.id,
        file_name: name,
        bytes,
        mapping: first.mapping,
        shape: first.shape,
        remembered: first.remembered,
        expires: now + Duration::minutes(UPLOAD_MINUTES),
    };
    Uploads::put(&staff, &token, &pending).await?;
    preview(&staff, &signed, &token, &pending, first.inspection).await
}

/// The CSRF token and the file from a multipart body, or what to tell the sender.
async fn read_upload(
    request: Request,
) -> Result<(String, Option<(String, Vec<u8>)>), (StatusCode, String)> {
    let mut multipart =
        match <Multipart as axum::extract::FromRequest<()>>::from_request(request, &()).await {
            Ok(m) => m,
            Err(_) => return Err((StatusCode::BAD_REQUEST, "Choose a file to upload".into())),
        };
    // A body too large is a 413; any other fault in it (a malformed part, say a file name
    // with control characters) is the sender's: 400.
    let unreadable = |e: &axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            (
                StatusCode::BAD_REQUEST,
                "The upload could not be read: choose the file again, and send it from the form on this page".to_string(),
            )
        }
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(unreadable(&e)),
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = file_name(field.file_name());
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(e) => return Err(unreadable(&e)),
                }
            }
            _ => {}
        }
    }
    // (The body's limit leaves room for the form around the file: the file's own is this.)
    if file
        .as_ref()
        .is_some_and(|(_, b)| b.len() > MAX_UPLOAD_BYTES)
    {
        return Err(too_large());
    }
    Ok((csrf, file))
}

fn too_large() -> (StatusCode, String) {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The file must be smaller than {} MB",
            MAX_UPLOAD_BYTES / 1024 / 1024
        ),
    )
}

/// The plan page again, with the upload's fault on its file field.
async fn refuse(
    staff: &Staff,
    signed: &Signed,
    status: StatusCode,
    message: &str,
) -> Result<Response, StaffError> {
    let errors = one_error("file", message);
    plan_page(staff, signed, status, None, errors, context! {}).await
}

/// The preview: how each column was read (each role open to change), and what importing the
/// file would change, or why it cannot be imported as read.
async fn preview(
    staff: &Staff,
    signed: &Signed,
    token: &str,
    pending: &PendingUpload,
    inspection: Inspection,
) -> Result<Response, StaffError> {
    let mut summary: Vec<String> = vec![];
    let mut rows: Vec<Value> = vec![];
    let mut kinds: Vec<&'static str> = vec![];
    let mut refusal: Option<String> = None;
    match inspection.result {
        Ok(reading) => {
            kinds = reading.documents.iter().map(|d| d.kind().key()).collect();
            let documents = incoming(&pending.file_name, &pending.bytes, reading);
            match staff
                .store
                .preview_import(
                    &signed.org,
                    documents,
                    staff.now(),
                    &ReconcileOptions::default(),
                )
                .await
            {
                Ok((outcomes, changes)) => {
                    summary = outcomes
                        .iter()
                        .map(|o| match o {
                            ImportOutcome::Imported { summary, .. } => summary.clone(),
                            ImportOutcome::AlreadyImported { .. } => {
                                "This file has been imported before: importing it again changes nothing.".into()
                            }
                        })
                        .collect();
                    rows = changes
                        .iter()
                        .map(|c| context! { reference => c.reference.clone().unwrap_or_default(), change => c.change.clone(), detail => c.detail.clone() })
                        .collect();
                }
                Err(StoreError::Usage(message)) => refusal = Some(message),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => refusal = Some(e.to_string()),
    }
    let mut number = 0usize;
    let tables: Vec<Value> = inspection
        .tables
        .iter()
        .map(|t| {
            let columns: Vec<Value> = t
                .columns
                .iter()
                .map(|c| {
                    number += 1;
                    context! {
                        field => number,
                        mappable => number <= MAX_FORM_COLUMNS,
                        number => c.number,
                        header => c.header.clone(),
                        role => c.role,
                        confidence => c.confidence,
                        reason => c.reason.clone(),
                        samples => c.samples.clone(),
                    }
                })
                .collect();
            context! {
                place => t.place.clone(),
                header_row => t.header_row,
                rows => t.rows,
                read_as => t.read_as,
                columns => columns,
            }
        })
        .collect();
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(staff.view.page(
        status,
        "plan_preview.html",
        with(
            signed.frame("plan", "Check the file before importing it"),
            context! {
                file => pending.file_name.clone(),
                kinds => kinds,
                summary => summary,
                changes => rows,
                refusal => refusal,
                tables => tables,
                roles => waymark_import::column_roles(),
                kind_choice => pending.mapping.kind_key().unwrap_or(""),
                remembered => pending.remembered,
                mapped => pending.mapping.columns().into_iter().map(|(h, r)| context! { header => h, role => r }).collect::<Vec<_>>(),
                token => token,
                minutes => UPLOAD_MINUTES,
            },
        ),
    ))
}

/// POST /staff/plan/mapping: read the waiting file again with the roles the admin chose.
pub async fn remap(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let token = form.get("upload").to_string();
    let mut pending = Uploads::get(&staff, &token, &signed).await?;
    pending.mapping = mapping_from(&form, pending.mapping.clone());
    pending.remembered = false;
    let inspection = inspect(
        pending.file_name.clone(),
        pending.bytes.clone(),
        pending.mapping.clone(),
    )
    .await;
    Uploads::replace(&staff, &token, &pending, &signed).await?;
    preview(&staff, &signed, &token, &pending, inspection).await
}

/// The mapping the form describes: the kind chosen, and each column whose role the admin
/// changed from the one it was read as (`role-N` against `was-N`, the header in `header-N`).
fn mapping_from(form: &Form, before: Mapping) -> Mapping {
    let mut mapping = before.with_kind_key(form.get("kind"));
    for n in 1..=MAX_FORM_COLUMNS {
        let header = form.get(&format!("header-{n}"));
        let (role, was) = (
            form.get(&format!("role-{n}")),
            form.get(&format!("was-{n}")),
        );
        if role != was && !header.trim().is_empty() {
            // A role no mapping knows (a forged form) is left as it was read.
            if let Some(changed) = mapping.clone().with_column(header, role) {
                mapping = changed;
            }
        }
    }
    mapping
}

fn expired(signed: &Signed) -> StaffError {
    signed.message(
        StatusCode::GONE,
        "This upload has expired",
        "Nothing was imported. Upload the file again to see what it changes.",
    )
}

/// Import the documents read from a confirmed file. Whether everything after the import
/// finished: a new plan gets its activities' outcomes suggested, as an import on the command
/// line does.
async fn import(
    staff: &Staff,
    signed: &Signed,
    documents: Vec<Incoming>,
    now: DateTime<Utc>,
) -> Result<bool, StaffError> {
    let (org, who) = (&signed.org, &signed.user.who());
    let options = ReconcileOptions::default();
    let outcomes = match staff
        .store
        .import_as(org, documents, who, now, &options)
        .await
    {
        Ok(outcomes) => outcomes,
        Err(StoreError::Usage(message)) => {
            let heading = "The file could not be imported";
            return Err(signed.message(StatusCode::BAD_REQUEST, heading, message));
        }
        Err(e) => return Err(e.into()),
    };
    let plan = outcomes.iter().any(|o| {
        matches!(o, ImportOutcome::Imported { kind, .. }
            if matches!(kind, DocumentKind::CorporatePlan | DocumentKind::ActionPlan))
    });
    Ok(!plan || staff.store.suggest_outcomes(org, true, now).await.is_ok())
}

/// Remember the mapping a person chose, for the council's next file of this shape. Whether
/// that finished (or was not needed).
async fn remember(
    staff: &Staff,
    signed: &Signed,
    upload: &PendingUpload,
    now: DateTime<Utc>,
) -> bool {
    let Some(shape) = &upload.shape else {
        return true;
    };
    if upload.mapping.is_empty() || upload.remembered {
        return true;
    }
    let toml = upload.mapping.to_toml();
    let who = signed.user.who();
    staff
        .store
        .remember_mapping(&signed.org, shape, &toml, &who, now)
        .await
        .is_ok()
}

/// POST /staff/plan/confirm: import the previewed file as the admin last saw it read.
pub async fn confirm(
    State(staff): State<Arc<Staff>>,
    AdminForm { signed, form, .. }: AdminForm,
) -> Result<Response, StaffError> {
    let now = staff.now();
    let upload = Uploads::take(&staff, form.get("upload"), &signed).await?;
    let inspection = inspect(
        upload.file_name.clone(),
        upload.bytes.clone(),
        upload.mapping.clone(),
    )
    .await;
    let reading = inspection.result.map_err(|e| {
        let heading = "The file could not be read";
        signed.message(StatusCode::BAD_REQUEST, heading, e.to_string())
    })?;
    let documents = incoming(&upload.file_name, &upload.bytes, reading);
    // The import is committed before the rest: a fault after it is told, not shown as a failure.
    let imported = import(&staff, &signed, documents, now).await?;
    metrics::counter!("waymark_imports_total", "site" => "staff").increment(1);
    let remembered = remember(&staff, &signed, &upload, now).await;
    if imported && remembered {
        Ok(http::see_other("/staff/plan?done=imported"))
    } else {
        Ok(http::see_other("/staff/plan?done=imported-unfinished"))
    }
}

/// The template a file name asks for (`returns.xlsx`, `plan.csv`, …).
fn template_file(
    file: &str,
) -> Option<(
    waymark_import::template::TemplateKind,
    waymark_import::template::Format,
)> {
    use waymark_import::template::{Format, TemplateKind};
    let (k, f) = file.split_once('.')?;
    let kind = [
        TemplateKind::Plan,
        TemplateKind::Returns,
        TemplateKind::Indicators,
    ]
    .into_iter()
    .find(|t| t.key() == k)?;
    let format = [Format::Xlsx, Format::Csv]
        .into_iter()
        .find(|x| x.extension() == f)?;
    Some((kind, format))
}

/// GET /staff/plan/template/{file}: the council's plan, returns or indicators as a
/// spreadsheet in the import's own shape (`returns.xlsx`, `plan.csv`, …), filled with what
/// the council holds now, with drop-downs of its status labels; it imports back unchanged.
pub async fn template(
    State(staff): State<Arc<Staff>>,
    Path(file): Path<String>,
    Admin { signed, .. }: Admin,
) -> Result<Response, StaffError> {
    let (kind, format) = template_file(&file).ok_or_else(|| {
        signed.message(
            StatusCode::NOT_FOUND,
            "There is no such template",
            "Templates are plan, returns and indicators, as .xlsx or .csv.",
        )
    })?;
    let data = staff.store.template_data(&signed.org, None, None).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        waymark_import::template::template(kind, format, &data)
    })
    .await
    .map_err(StaffError::unavailable)?
    .map_err(StaffError::unavailable)?;
    Ok(http::download(
        format.content_type(),
        &format!("{}.{}", kind.key(), format.extension()),
        bytes,
    ))
}
