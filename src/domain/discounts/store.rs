//! The merchant's codes (admin → Discounts): listed with their uses, paid uses and the discount
//! given; created and edited from a typed form, checked here; every change audited in
//! `discount_events`. A code stays what it is called once created (orders name it), and a code
//! that was used is archived instead of deleted.

use super::input::CodeInput;
use super::Scope;
use crate::error::AppError;
use crate::locale::Locale;
use leptos_i18n::td_string;

/// A code as the admin lists and edits it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CodeRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub value: i64,
    pub min_goods_minor: i64,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub max_uses: Option<i64>,
    pub max_uses_per_email: Option<i64>,
    pub uses: i64,
    pub scope: String,
    pub active: bool,
    pub archived: bool,
    pub note: String,
    /// Orders with it that are paid, and what it took off them.
    pub paid_uses: i64,
    pub given_minor: i64,
}

const CODES: &str = "SELECT c.id, c.code, c.kind, c.value, c.min_goods_minor, c.valid_from,
        c.valid_until, c.max_uses, c.max_uses_per_email, c.uses, c.scope, c.active, c.archived,
        c.note,
        (SELECT COUNT(*) FROM orders o WHERE o.discount_code = c.code AND o.status = 'paid') AS paid_uses,
        (SELECT CAST(COALESCE(SUM(o.discount_minor + o.shipping_discount_minor), 0) AS BIGINT)
         FROM orders o WHERE o.discount_code = c.code AND o.status = 'paid') AS given_minor
    FROM discount_codes c";

/// Every code: the live ones first, by code.
pub async fn list(pool: &crate::db::Db) -> Result<Vec<CodeRow>, AppError> {
    let query = format!("{CODES} ORDER BY c.archived, c.code");
    Ok(crate::on_db!(pool, conn => sqlx::query_as(&query).fetch_all(conn).await)?)
}

/// One code, with the web addresses (slugs) of its scope's categories or products.
pub async fn one(
    pool: &crate::db::Db,
    id: i64,
) -> Result<Option<(CodeRow, Vec<String>)>, AppError> {
    let query = format!("{CODES} WHERE c.id = $1");
    let row: Option<CodeRow> =
        crate::on_db!(pool, conn => sqlx::query_as(&query).bind(id).fetch_optional(conn).await)?;
    let Some(row) = row else { return Ok(None) };
    let slugs: Vec<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT COALESCE(c.slug, p.slug) FROM discount_scope s
         LEFT JOIN categories c ON c.id = s.category_id LEFT JOIN products p ON p.id = s.product_id
         WHERE s.code_id = $1 ORDER BY 1",
    )
    .bind(id)
    .fetch_all(conn)
    .await)?;
    Ok(Some((row, slugs)))
}

/// The admin changing a code: named in the audit (by e-mail), written to in their language.
#[derive(Clone, Copy, Debug)]
pub struct Editor {
    pub admin_id: i64,
    pub language: Locale,
}

/// The editor's e-mail, read in the changing transaction.
async fn email_of(tx: &mut crate::db::Tx, editor: Editor) -> Result<String, AppError> {
    let email: Option<String> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT email FROM admins WHERE id = $1",
    )
    .bind(editor.admin_id)
    .fetch_optional(&mut *conn)
    .await)?;
    email.ok_or_else(|| {
        AppError::Unauthorized(td_string!(editor.language, admin.login.please).into())
    })
}

/// Creates (`id` None) or changes a code; its name stays as created. Audited.
pub async fn save(
    writer: &crate::db::Db,
    editor: Editor,
    id: Option<i64>,
    input: &CodeInput,
) -> Result<i64, AppError> {
    let locale = editor.language;
    let mut tx = writer.begin().await?;
    let admin_email = email_of(&mut tx, editor).await?;
    let id = match id {
        None => insert(&mut tx, input, locale).await?,
        Some(id) => {
            update(&mut tx, id, input, locale).await?;
            id
        }
    };
    crate::on_tx!(&mut tx, conn => sqlx::query("DELETE FROM discount_scope WHERE code_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
    let (column, table) = match input.scope {
        Scope::Categories => ("category_id", "categories"),
        _ => ("product_id", "products"),
    };
    let insert_scope = format!(
        "INSERT INTO discount_scope (code_id, {column}) SELECT $1, id FROM {table} WHERE slug = $2"
    );
    for slug in &input.scope_slugs {
        let inserted = crate::on_tx!(&mut tx, conn => sqlx::query(&insert_scope)
            .bind(id)
            .bind(slug)
            .execute(&mut *conn)
            .await.map(|done| done.rows_affected()))?;
        if inserted == 0 {
            let message = td_string!(locale, admin.discounts.no_such_item, slug);
            return Err(AppError::BadRequest(message));
        }
    }
    audit(&mut tx, id, &admin_email, &input.summary(locale)).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert(
    tx: &mut crate::db::Tx,
    input: &CodeInput,
    locale: Locale,
) -> Result<i64, AppError> {
    let inserted: Result<i64, sqlx::Error> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO discount_codes (code, kind, value, currency, min_goods_minor, valid_from,
                                     valid_until, max_uses, max_uses_per_email, scope, active,
                                     note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(&input.code)
    .bind(input.kind.key())
    .bind(input.value)
    .bind(input.min_goods.currency.code())
    .bind(input.min_goods.minor)
    .bind(&input.valid_from)
    .bind(&input.valid_until)
    .bind(input.max_uses)
    .bind(input.max_uses_per_email)
    .bind(input.scope.key())
    .bind(input.active)
    .bind(&input.note)
    .bind(crate::clock::now())
    .fetch_one(&mut *conn)
    .await);
    match inserted {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::BadRequest(
            td_string!(locale, admin.discounts.taken).into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Changes code `id` (not archived). A limit below the uses already taken is refused.
async fn update(
    tx: &mut crate::db::Tx,
    id: i64,
    input: &CodeInput,
    locale: Locale,
) -> Result<(), AppError> {
    let changed = crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE discount_codes SET kind = $1, value = $2, min_goods_minor = $3, valid_from = $4,
                valid_until = $5, max_uses = $6, max_uses_per_email = $7, scope = $8, active = $9,
                note = $10
         WHERE id = $11 AND archived = FALSE AND ($6 IS NULL OR uses <= $6)",
    )
    .bind(input.kind.key())
    .bind(input.value)
    .bind(input.min_goods.minor)
    .bind(&input.valid_from)
    .bind(&input.valid_until)
    .bind(input.max_uses)
    .bind(input.max_uses_per_email)
    .bind(input.scope.key())
    .bind(input.active)
    .bind(&input.note)
    .bind(id)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    if changed == 0 {
        return Err(AppError::Conflict(
            td_string!(locale, admin.discounts.not_changed).into(),
        ));
    }
    Ok(())
}

/// Records a change to code `code_id` in its audit (kept, by the code's name, if it is deleted).
async fn audit(
    tx: &mut crate::db::Tx,
    code_id: i64,
    admin_email: &str,
    change: &str,
) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO discount_events (code_id, code, at, admin_email, change)
         SELECT id, code, $2, $3, $4 FROM discount_codes WHERE id = $1",
    )
    .bind(code_id)
    .bind(crate::clock::now())
    .bind(admin_email)
    .bind(change)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Removes code `id`: deleted if no order ever named it, archived (kept, no longer usable) if one
/// did. Audited either way. Returns whether it was archived.
pub async fn remove(writer: &crate::db::Db, editor: Editor, id: i64) -> Result<bool, AppError> {
    let locale = editor.language;
    let mut tx = writer.begin().await?;
    let admin_email = email_of(&mut tx, editor).await?;
    let used: Option<bool> = crate::on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM orders o WHERE o.discount_code = c.code)
         FROM discount_codes c WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some(used) = used else {
        return Err(AppError::NotFound(
            td_string!(locale, admin.discounts.gone).into(),
        ));
    };
    if used {
        crate::on_tx!(&mut tx, conn => sqlx::query("UPDATE discount_codes SET archived = TRUE, active = FALSE WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await.map(|done| done.rows_affected()))?;
        audit(
            &mut tx,
            id,
            &admin_email,
            td_string!(locale, admin.discounts.archived),
        )
        .await?;
    } else {
        audit(
            &mut tx,
            id,
            &admin_email,
            td_string!(locale, admin.discounts.deleted),
        )
        .await?;
        crate::on_tx!(&mut tx, conn => sqlx::query("DELETE FROM discount_codes WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await.map(|done| done.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(used)
}

/// The codes' audit, newest first: (when, who, code, what).
pub async fn changes(
    pool: &crate::db::Db,
) -> Result<Vec<(String, String, String, String)>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT at, admin_email, code, change FROM discount_events ORDER BY id DESC LIMIT 50",
    )
    .fetch_all(conn)
    .await)?)
}
