//! What a staff request answers when it cannot do what was asked. Handlers return
//! `Result<Response, StaffError>` and end in `?`: each refusal becomes the page people are
//! shown for it — a heading and a paragraph, in the signed-in person's own frame when there is
//! one — with its status, `Cache-Control: no-store`, and `Retry-After` where coming back later
//! helps.

use crate::view::{View, anonymous_frame, with};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use std::borrow::Cow;
use std::fmt::Display;
use waymark_store::StoreError;

/// A page's words: fixed text, or text made for this answer.
pub type Text = Cow<'static, str>;

/// Why a staff request ends without doing what was asked, and the page that says so.
/// (Boxed: handlers pass it back through every `?`, so it stays one pointer wide.)
pub enum StaffError {
    /// A page with a heading and one paragraph.
    Message(Box<Message>),
    /// An answer made already: to the sign-in page (a stale cookie cleared), or a form shown
    /// again with what was wrong with it.
    Answer(Box<Response>),
}

/// A heading and a paragraph, and how they are sent.
pub struct Message {
    status: StatusCode,
    heading: Text,
    text: Text,
    /// The signed-in person's frame (their menu and forms' token); None for the frame of a page
    /// before sign-in.
    frame: Option<Value>,
    retry_after: Option<HeaderValue>,
}

impl StaffError {
    /// An answer made already.
    pub fn answer(response: Response) -> Self {
        StaffError::Answer(Box::new(response))
    }

    /// A message in the frame of a page before sign-in.
    pub fn message(status: StatusCode, heading: impl Into<Text>, text: impl Into<Text>) -> Self {
        StaffError::Message(Box::new(Message {
            status,
            heading: heading.into(),
            text: text.into(),
            frame: None,
            retry_after: None,
        }))
    }

    /// A message in a frame made for its heading (a signed-in person's, from `Signed`).
    pub fn framed(
        status: StatusCode,
        heading: impl Into<Text>,
        text: impl Into<Text>,
        frame: impl FnOnce(&str) -> Value,
    ) -> Self {
        let heading = heading.into();
        StaffError::Message(Box::new(Message {
            status,
            frame: Some(frame(&heading)),
            heading,
            text: text.into(),
            retry_after: None,
        }))
    }

    /// The database (or a service under the site) did not answer: 503, try again in half a
    /// minute. The detail goes to the log, never to the page.
    pub fn unavailable(e: impl Display) -> Self {
        tracing::error!("staff request failed: {e}");
        StaffError::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sorry, there is a problem with the service",
            "Try again in a few minutes. Nothing you sent has been lost if you were told it was saved.",
        )
        .retry_after("30")
    }

    /// Every password check the server allows at once is taken: come back in a moment
    /// (nothing was checked or recorded).
    pub fn busy() -> Self {
        StaffError::message(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is busy",
            "Many people are signing in at once. Wait a few seconds and try again.",
        )
        .retry_after("2")
    }

    /// When to try again, in seconds.
    pub fn retry_after(self, seconds: &str) -> Self {
        let Ok(value) = HeaderValue::from_str(seconds) else {
            return self;
        };
        match self {
            StaffError::Message(mut m) => {
                m.retry_after = Some(value);
                StaffError::Message(m)
            }
            StaffError::Answer(mut response) => {
                response.headers_mut().insert(header::RETRY_AFTER, value);
                StaffError::Answer(response)
            }
        }
    }
}

/// A store error met where only the database's own failure was expected: the service is
/// unavailable. Where the store may refuse for a reason people should read (the workflow, a
/// conflict, something not found), the handler says which page that is.
impl From<StoreError> for StaffError {
    fn from(e: StoreError) -> Self {
        StaffError::unavailable(e)
    }
}

impl IntoResponse for StaffError {
    fn into_response(self) -> Response {
        let m = match self {
            StaffError::Answer(response) => return *response,
            StaffError::Message(m) => *m,
        };
        let frame = m.frame.unwrap_or_else(|| anonymous_frame(&m.heading));
        let mut response = View::shared().page(
            m.status,
            "message.html",
            with(frame, context! { heading => m.heading, text => m.text }),
        );
        if let Some(value) = m.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// A store result whose "not found" is a page's own 404 (any other error: unavailable).
pub trait OrNotFound<T> {
    fn or_not_found(self, not_found: impl FnOnce() -> StaffError) -> Result<T, StaffError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, not_found: impl FnOnce() -> StaffError) -> Result<T, StaffError> {
        self.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })
    }
}
