//! A merchant's edit of one variant (SKU, price, stock, on/off): the variant and, when its stock
//! changed, a line in the shop's audit naming who changed it, in one transaction — a stock
//! adjustment is never saved without its record, nor recorded without being saved.

use crate::domain::catalog::variants::{update_variant, VariantInput};
use crate::domain::settings::store::{audit, begin_change};
use crate::domain::settings::Editor;
use crate::error::AppError;
use leptos_i18n::td_string;

/// Saves variant `id` as `editor` typed it, if its stock is still `stock_was`.
pub async fn save_variant(
    writer: &crate::db::Db,
    editor: Editor,
    id: i64,
    input: &VariantInput,
    stock_was: i64,
) -> Result<(), AppError> {
    let locale = editor.language;
    let (mut tx, admin_email) = begin_change(writer, editor).await?;
    update_variant(&mut tx, id, input, stock_was, locale).await?;
    if input.stock != stock_was {
        let (sku, before, after) = (input.sku.trim(), stock_was, input.stock);
        let change = td_string!(locale, admin.audit.variant, sku, before, after);
        audit(&mut tx, &admin_email, &change).await?;
    }
    tx.commit().await?;
    Ok(())
}
