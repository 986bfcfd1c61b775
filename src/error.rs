//! The one application error type. Every failure a shopper or a merchant can meet ends up here, and
//! is turned into an HTTP status and a message in one place ([`AppError::status`]). Internal details
//! are logged where they happen and never shown: `Internal` carries no text on purpose.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// The request was malformed: a bad quantity, an unknown field value, an unreadable form.
    BadRequest(String),
    /// The thing asked for does not exist (or is not for sale).
    NotFound(String),
    /// The request was well-formed but the shop's state refuses it, e.g. not enough stock.
    Conflict(String),
    /// A discount code does not apply (unknown, expired, used up, …): the shopper is told why and
    /// may order without it.
    CodeRefused(String),
    /// Only a logged-in admin may do this.
    Unauthorized(String),
    /// Too many attempts (logins): try again later.
    TooManyRequests(String),
    /// The database gave up a transaction so that another could go on (PostgreSQL's deadlock or
    /// serialization failure) and running it again did not get through either: 503, try later.
    /// Paysera, told so, sends its callback again.
    Busy,
    /// Something broke on our side. Logged with details; the shopper only learns that it failed.
    Internal,
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) | AppError::CodeRefused(_) => 409,
            AppError::Unauthorized(_) => 401,
            AppError::TooManyRequests(_) => 429,
            AppError::Busy => 503,
            AppError::Internal => 500,
        }
    }

    /// What the person is told. The variants carry their message, written in the request's
    /// language where the error arose; `Internal` is said here, in the page's language.
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            AppError::BadRequest(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::CodeRefused(m)
            | AppError::Unauthorized(m)
            | AppError::TooManyRequests(m) => Cow::Owned(m.clone()),
            AppError::Busy => Cow::Borrowed(crate::tr!(errors.busy)),
            AppError::Internal => Cow::Borrowed(crate::tr!(errors.internal)),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AppError {}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // The request's fields could not be read: a forged or truncated form.
            E::Args(_) | E::Deserialization(_) | E::MissingArg(_) => {
                AppError::BadRequest(crate::tr!(errors.unreadable_form).into())
            }
            // Reaching the server failed (client side) or an unexpected server error.
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::middleware::Next;
    use axum::response::{IntoResponse, Response};

    /// Whether PostgreSQL gave up a transaction so that another could go on (deadlock detected,
    /// serialization failure): running it again is correct, and is what PostgreSQL asks for.
    pub fn is_retryable(error: &sqlx::Error) -> bool {
        error
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| code == "40P01" || code == "40001")
    }

    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> Self {
            if is_retryable(&error) {
                tracing::warn!(%error, "the database asks for the transaction to run again");
                return AppError::Busy;
            }
            tracing::error!(%error, "database error");
            AppError::Internal
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(error: tower_sessions::session::Error) -> Self {
            tracing::error!(%error, "session store error");
            AppError::Internal
        }
    }

    impl AppError {
        pub fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    /// Server functions answer every error with 500; this middleware gives each [`AppError`] its
    /// own status (400, 404, 409), so a bad quantity is the client's fault, not the server's.
    /// It is the one place where server-function errors become HTTP statuses.
    pub async fn server_fn_status(request: Request, next: Next) -> Response {
        let is_server_fn = request.uri().path().starts_with("/api/");
        let response = next.run(request).await;
        if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .unwrap_or_default();
        if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
            parts.status = error.status_code();
        }
        Response::from_parts(parts, Body::from(bytes))
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            (self.status_code(), self.message().into_owned()).into_response()
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{is_retryable, server_fn_status};

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn only_deadlocks_and_serialization_failures_are_retried() {
        assert!(!super::is_retryable(&sqlx::Error::RowNotFound));
    }
}
