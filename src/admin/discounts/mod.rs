// The save function takes one argument per form field (the admin's forms are plain HTML forms);
// the server function macro expands them where an item-level `allow` does not reach.
#![allow(clippy::too_many_arguments)]

//! Admin → Discounts: the codes with their uses, paid uses and the discount given, a form to
//! create or change one, and removing one (archived if an order used it). The rules are in
//! `crate::domain::discounts`; these server functions check for an admin, read the forms and send
//! the browser back.

mod pages;

pub use pages::{AdminDiscountPage, AdminDiscountsPage};

use crate::domain::discounts::input::CodeDraft;
use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A code as the list shows it and the form edits it (amounts and percentages as typed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeView {
    pub id: i64,
    pub form: CodeDraft,
    pub archived: bool,
    pub uses: i64,
    pub paid_uses: i64,
    pub given: Option<Money>,
    /// What it does, in words.
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountsView {
    pub codes: Vec<CodeView>,
    /// (when, who, code, what), newest first.
    pub changes: Vec<(String, String, String, String)>,
}

#[cfg(feature = "ssr")]
fn code_view(
    row: crate::domain::discounts::store::CodeRow,
    scope_items: Vec<String>,
    currency: crate::money::Currency,
) -> CodeView {
    use crate::domain::discounts::input::CodeInput;
    use crate::domain::discounts::Kind;
    let decimal = |minor: i64| Money::new(minor, currency).decimal();
    let value = match Kind::from_key(&row.kind) {
        Some(Kind::Percent) => crate::domain::settings::rate_percent(row.value)
            .trim_end_matches(" %")
            .to_owned(),
        Some(Kind::Fixed) => decimal(row.value),
        _ => String::new(),
    };
    let form = CodeDraft {
        code: row.code,
        kind: row.kind,
        value,
        min_goods: if row.min_goods_minor > 0 {
            decimal(row.min_goods_minor)
        } else {
            String::new()
        },
        valid_from: row.valid_from.unwrap_or_default(),
        valid_until: row.valid_until.unwrap_or_default(),
        max_uses: row.max_uses.map(|n| n.to_string()).unwrap_or_default(),
        max_uses_per_email: row
            .max_uses_per_email
            .map(|n| n.to_string())
            .unwrap_or_default(),
        scope: row.scope,
        scope_items: scope_items.join(", "),
        active: row.active,
        note: row.note,
    };
    let locale = crate::locale::current();
    let summary = CodeInput::parse(&form, currency, locale)
        .map(|input| input.summary(locale))
        .unwrap_or_else(|_| form.code.clone());
    CodeView {
        id: row.id,
        form,
        archived: row.archived,
        uses: row.uses,
        paid_uses: row.paid_uses,
        given: Some(Money::new(row.given_minor, currency)),
        summary,
    }
}

#[server(endpoint = "admin/discounts")]
pub async fn admin_discounts() -> Result<DiscountsView, AppError> {
    use crate::domain::discounts::store;
    let (state, _) = crate::admin::auth::admin_only().await?;
    let currency = state.config.currency;
    let codes = store::list(&state.pool)
        .await?
        .into_iter()
        .map(|row| code_view(row, vec![], currency))
        .collect();
    Ok(DiscountsView {
        codes,
        changes: store::changes(&state.pool).await?,
    })
}

/// Code `id` for its form (0: a new one).
#[server(endpoint = "admin/discount")]
pub async fn admin_discount(id: i64) -> Result<CodeView, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    if id == 0 {
        return Ok(CodeView {
            form: CodeDraft {
                kind: "percent".into(),
                scope: "all".into(),
                active: true,
                ..CodeDraft::default()
            },
            ..CodeView::default()
        });
    }
    let (row, items) = crate::domain::discounts::store::one(&state.pool, id)
        .await?
        .ok_or_else(|| AppError::NotFound(crate::tr!(admin.discounts.gone).into()))?;
    Ok(code_view(row, items, state.config.currency))
}

#[cfg(feature = "ssr")]
fn editor(admin_id: i64) -> crate::domain::discounts::store::Editor {
    crate::domain::discounts::store::Editor {
        admin_id,
        language: crate::locale::current(),
    }
}

#[cfg(feature = "ssr")]
fn back_to(path: &str) {
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// Creates (`id` 0) or changes a code.
#[server(endpoint = "admin/discount/save")]
pub async fn save_discount(
    id: i64,
    #[server(default)] code: String,
    #[server(default)] kind: String,
    #[server(default)] value: String,
    #[server(default)] min_goods: String,
    #[server(default)] valid_from: String,
    #[server(default)] valid_until: String,
    #[server(default)] max_uses: String,
    #[server(default)] max_uses_per_email: String,
    #[server(default)] scope: String,
    #[server(default)] scope_items: String,
    #[server(default)] active: Option<String>,
    #[server(default)] note: String,
) -> Result<i64, AppError> {
    use crate::domain::discounts::input::CodeInput;
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let draft = CodeDraft {
        code,
        kind,
        value,
        min_goods,
        valid_from,
        valid_until,
        max_uses,
        max_uses_per_email,
        scope,
        scope_items,
        active: active.is_some(),
        note,
    };
    let input = CodeInput::parse(&draft, state.config.currency, crate::locale::current())?;
    let saved = crate::domain::discounts::store::save(
        &state.writer,
        editor(admin_id),
        (id > 0).then_some(id),
        &input,
    )
    .await?;
    back_to("/admin/discounts?saved=1");
    Ok(saved)
}

/// Removes a code: deleted if no order named it, archived if one did.
#[server(endpoint = "admin/discount/remove")]
pub async fn remove_discount_code(id: i64) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    crate::domain::discounts::store::remove(&state.writer, editor(admin_id), id).await?;
    back_to("/admin/discounts");
    Ok(())
}
