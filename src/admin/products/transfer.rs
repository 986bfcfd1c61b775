//! Products → Import and Export: the catalog in and out as WooCommerce's product CSV
//! (`domain::catalog::woocommerce`). An upload (`POST /admin/products/import`, at most 20 MB) is
//! kept in the data folder and tried dry first: the page shows what it would create, update and
//! skip, and every error by line and column; the merchant then confirms, and the same file is
//! imported for real. `GET /admin/export/products.csv` downloads the catalog.

use crate::domain::catalog::woocommerce::Report;
use crate::error::AppError;
use crate::tr;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Where an import stands for this admin: tried dry (its file kept under `token`), or done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportState {
    /// `None` once imported for real.
    pub token: Option<String>,
    pub file_name: String,
    pub report: Report,
}

#[cfg(feature = "ssr")]
const SESSION_KEY: &str = "catalog_import";

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use super::{ImportState, SESSION_KEY};
    use crate::domain::catalog::woocommerce::{self, read::MAX_BYTES, ImportOptions};
    use crate::error::AppError;
    use crate::state::AppState;
    use axum::extract::{DefaultBodyLimit, Multipart, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use tower_sessions::Session;

    pub fn routes(state: AppState) -> axum::Router {
        axum::Router::new()
            .route(
                "/admin/products/import",
                axum::routing::post(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
            )
            .route("/admin/export/products.csv", axum::routing::get(export))
            .with_state(state)
    }

    /// The file a dry run keeps for its confirmation: `{data_dir}/imports/{token}.csv`.
    pub fn kept_file(data_dir: &std::path::Path, token: &str) -> std::path::PathBuf {
        data_dir.join("imports").join(format!("{token}.csv"))
    }

    async fn upload(
        State(state): State<AppState>,
        session: Session,
        mut form: Multipart,
    ) -> Response {
        if let Err(error) = crate::admin::auth::require_admin(&state.pool, &session).await {
            return error.into_response();
        }
        match tried(&state, &session, &mut form).await {
            Ok(()) => Redirect::to("/admin/products/import").into_response(),
            Err(error) => error.into_response(),
        }
    }

    /// Reads the uploaded file (bounded), keeps it, tries it dry and puts the report in the session.
    async fn tried(
        state: &AppState,
        session: &Session,
        form: &mut Multipart,
    ) -> Result<(), AppError> {
        let unreadable = || AppError::BadRequest(crate::tr!(admin.import.unreadable).into());
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
            if field.name() == Some("file") {
                let name: String = field
                    .file_name()
                    .unwrap_or("products.csv")
                    .chars()
                    .take(200)
                    .collect();
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                file = Some((name, bytes));
            }
        }
        let (file_name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or_else(unreadable)?;
        let token = crate::tokens::random_hex(16);
        let path = kept_file(&state.config.data_dir, &token);
        let failed = |error: std::io::Error| {
            tracing::error!(%error, "could not keep an uploaded catalog");
            AppError::Internal
        };
        tokio::fs::create_dir_all(path.parent().unwrap_or(&path))
            .await
            .map_err(failed)?;
        tokio::fs::write(&path, &bytes).await.map_err(failed)?;
        let report = run(state, &bytes, true).await?;
        let state = ImportState {
            token: Some(token),
            file_name,
            report,
        };
        session.insert(SESSION_KEY, state).await?;
        Ok(())
    }

    /// Imports `bytes` (dry or not) as the shop's configuration says.
    pub async fn run(
        state: &AppState,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<woocommerce::Report, AppError> {
        let options = ImportOptions {
            currency: state.config.currency,
            origin: &state.config.public_url,
            photos_folder: None,
            data_dir: &state.config.data_dir,
            dry_run,
        };
        woocommerce::import(&state.writer, bytes, &options).await
    }

    async fn export(
        State(state): State<AppState>,
        session: Session,
    ) -> Result<impl IntoResponse, AppError> {
        crate::admin::auth::require_admin(&state.pool, &session).await?;
        let csv = woocommerce::export::export(&state.pool, &state.config.public_url).await?;
        Ok(crate::admin::csv_download("products", csv))
    }
}

/// This admin's import, if one was tried or done.
#[server(endpoint = "admin/catalog/current")]
pub async fn current_import() -> Result<Option<ImportState>, AppError> {
    let (_, _) = crate::admin::auth::admin_only().await?;
    Ok(crate::state::session().await?.get(SESSION_KEY).await?)
}

/// Imports for real the file tried dry under `token`.
#[server(endpoint = "admin/catalog/import")]
pub async fn confirm_import(token: String) -> Result<(), AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let session = crate::state::session().await?;
    let tried: Option<ImportState> = session.get(SESSION_KEY).await?;
    let Some(tried) = tried.filter(|t| t.token.as_deref() == Some(token.as_str())) else {
        return Err(AppError::Conflict(tr!(admin.import.expired).into()));
    };
    let path = routes::kept_file(&state.config.data_dir, &token);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::Conflict(tr!(admin.import.expired).into()))?;
    let report = routes::run(&state, &bytes, false).await?;
    if report.errors.is_empty() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    let done = ImportState {
        token: (!report.errors.is_empty()).then_some(token),
        file_name: tried.file_name,
        report,
    };
    session.insert(SESSION_KEY, done).await?;
    leptos_axum::redirect("/admin/products/import");
    Ok(())
}

#[component]
pub fn AdminImportPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| current_import());
    let confirm = ServerAction::<ConfirmImport>::new();
    view! {
        <Title text=tr!(admin.import.title) />
        <p class="breadcrumbs"><a href="/admin/products">{tr!(admin.products.title)}</a>" / "{tr!(admin.import.title)}</p>
        <h1>{tr!(admin.import.title)}</h1>
        <p class="muted">{tr!(admin.import.intro)}</p>
        <form method="post" action="/admin/products/import" enctype="multipart/form-data" class="admin-filters">
            <label for="import-file">{tr!(admin.import.file)}</label>
            <input id="import-file" type="file" name="file" accept=".csv,text/csv" required />
            <button type="submit">{tr!(admin.import.try_it)}</button>
        </form>
        <p><a href="/admin/export/products.csv">{tr!(admin.import.export)}</a></p>
        {move || confirm.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorNotice error /> })}
        <Suspense>
            {move || state.get().map(|state| match state {
                Ok(Some(state)) => view! { <ImportReport state confirm /> }.into_any(),
                Ok(None) => ().into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ImportReport(state: ImportState, confirm: ServerAction<ConfirmImport>) -> impl IntoView {
    let report = state.report;
    let heading = match (report.dry_run, report.errors.is_empty()) {
        (_, false) => tr!(admin.import.has_errors),
        (true, true) => tr!(admin.import.would),
        (false, true) => tr!(admin.import.done),
    };
    let can_confirm = report.dry_run && report.errors.is_empty();
    let figures = [
        (tr!(admin.import.products_created), report.products_created),
        (tr!(admin.import.products_updated), report.products_updated),
        (
            tr!(admin.import.products_unchanged),
            report.products_unchanged,
        ),
        (tr!(admin.import.variants_created), report.variants_created),
        (tr!(admin.import.variants_updated), report.variants_updated),
        (
            tr!(admin.import.categories_created),
            report.categories_created,
        ),
        (tr!(admin.import.photos_added), report.photos_added),
    ];
    let lists = [
        (tr!(admin.import.errors), report.errors),
        (tr!(admin.import.skipped), report.skipped),
        (tr!(admin.import.warnings), report.warnings),
    ];
    view! {
        <section class="cart-summary" data-testid="import-report">
            <h2>{heading}" — "{state.file_name}</h2>
            <dl class="figures">
                {figures.map(|(label, n)| view! { <dt>{label}</dt><dd>{n}</dd> }).collect_view()}
            </dl>
            {lists.map(|(label, problems)| (!problems.is_empty()).then(|| view! {
                <h3>{label}" ("{problems.len()}")"</h3>
                <ul>{problems.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}</ul>
            })).collect_view()}
            {can_confirm.then(|| view! {
                <ActionForm action=confirm>
                    <input type="hidden" name="token" value=state.token.unwrap_or_default() />
                    <button type="submit" class="button-primary">{tr!(admin.import.confirm)}</button>
                </ActionForm>
            })}
        </section>
    }
}
