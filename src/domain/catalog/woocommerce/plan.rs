//! What a read file means for this shop, decided without touching the database: each product
//! with its category, options and variants, or why a row was skipped, or what is wrong with it
//! (by line and column). Pure, so every rule is tested on its own.

use super::read::{Row, Table};
use super::Problem;
use crate::domain::catalog::{ProductOption, Sale};
use crate::domain::vat::TaxClass;
use crate::money::{Currency, Money};

/// A product as the file describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedProduct {
    pub line: u64,
    /// `sku:woo-hoodie` or `id:45`: how a later import finds it again.
    pub key: String,
    /// Its web address here, from its SKU where that is one, else its name.
    pub slug: String,
    pub name: String,
    pub description: String,
    /// (name, web address) of its category, if it has one.
    pub category: Option<(String, String)>,
    pub price: Money,
    pub active: bool,
    pub featured: bool,
    pub max_per_order: Option<i64>,
    pub tax_class: TaxClass,
    pub options: Vec<ProductOption>,
    pub variants: Vec<PlannedVariant>,
    /// URLs or file names, in order.
    pub images: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlannedVariant {
    pub line: u64,
    pub sku: String,
    /// One per option, in order; none for a product without options.
    pub values: Vec<String>,
    /// `None`: the product's.
    pub price: Option<Money>,
    pub sale: Option<Sale>,
    pub stock: i64,
    pub weight_grams: Option<u32>,
    /// The variation's photo (a URL or file name), if it names one.
    pub image: Option<String>,
    pub active: bool,
}

/// The plan: products to bring in, rows skipped (with why), warnings, and errors.
#[derive(Debug, Default)]
pub struct Plan {
    pub products: Vec<PlannedProduct>,
    pub skipped: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub errors: Vec<Problem>,
}

/// The kinds of row WooCommerce writes in `Type` (a list: `simple, downloadable, virtual`).
enum Kind {
    Simple,
    Variable,
    Variation,
    /// Not something this shop sells, with the reason.
    Skipped(&'static str),
}

fn kind(typed: &str) -> Result<Kind, String> {
    let words: Vec<String> = typed
        .split(',')
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |word: &str| words.iter().any(|w| w == word);
    Ok(if has("downloadable") || has("virtual") {
        Kind::Skipped("downloadable and virtual products are not sold here (only goods that ship)")
    } else if has("grouped") {
        Kind::Skipped("grouped products are not supported: import the products it groups")
    } else if has("external") {
        Kind::Skipped("external (affiliate) products are not sold here")
    } else if has("variation") {
        Kind::Variation
    } else if has("variable") {
        Kind::Variable
    } else if has("simple") {
        Kind::Simple
    } else {
        return Err(format!("\"{typed}\" is not a product type"));
    })
}

/// Cells of one row, read with the row's line for their problems.
struct Cells<'a> {
    table: &'a Table,
    row: &'a Row,
    currency: Currency,
    errors: Vec<Problem>,
}

impl Cells<'_> {
    fn text(&self, column: &str) -> String {
        self.table.get(self.row, column).to_owned()
    }

    fn problem(&mut self, column: &str, message: String) {
        self.errors
            .push(Problem::at(self.row.line, column, message));
    }

    fn price(&mut self, column: &str) -> Option<Money> {
        let typed = self.text(column);
        if typed.is_empty() {
            return None;
        }
        match Money::parse_decimal(&typed, self.currency) {
            Ok(price) => Some(price),
            Err(_) => {
                self.problem(column, format!("\"{typed}\" is not a price"));
                None
            }
        }
    }

    fn flag(&mut self, column: &str, default: bool) -> bool {
        match self.text(column).to_lowercase().as_str() {
            "" => default,
            "1" | "yes" | "true" => true,
            "0" | "-1" | "no" | "false" => false,
            typed => {
                let typed = typed.to_owned();
                self.problem(column, format!("\"{typed}\" is not 1 or 0"));
                default
            }
        }
    }

    /// `Stock`: a whole number (below zero, WooCommerce's backorders, counts as none).
    fn stock(&mut self) -> Option<i64> {
        let typed = self.text("Stock");
        if typed.is_empty() {
            return None;
        }
        match typed
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && n.abs() < 1e9)
        {
            Some(n) => Some((n as i64).max(0)),
            None => {
                self.problem("Stock", format!("\"{typed}\" is not a whole number"));
                None
            }
        }
    }

    /// `Weight (kg)` or `Weight (lbs)`, in grams.
    fn weight(&mut self) -> Option<u32> {
        for (column, grams_per_unit_millis) in
            [("Weight (kg)", 1_000_000), ("Weight (lbs)", 453_592)]
        {
            let typed = self.text(column);
            if typed.is_empty() {
                continue;
            }
            match decimal_millis(&typed).and_then(|m| grams(m, grams_per_unit_millis)) {
                Some(grams) => return Some(grams),
                None => self.problem(column, format!("\"{typed}\" is not a weight")),
            }
        }
        None
    }

    /// `Date sale price starts` / `ends`: a day (`2026-11-27`, a time after it ignored), read in
    /// the shop's time zone.
    fn day(&mut self, column: &str, read: fn(&str) -> Option<String>) -> Option<String> {
        let typed = self.text(column);
        if typed.is_empty() {
            return None;
        }
        let read_day = typed.get(..10).and_then(read);
        if read_day.is_none() {
            self.problem(column, format!("\"{typed}\" is not a date (YYYY-MM-DD)"));
        }
        read_day
    }

    /// `Tax class`: empty is standard; WooCommerce's `reduced-rate`, `super-reduced-rate` and
    /// `zero-rate` are this shop's classes.
    fn tax_class(&mut self) -> TaxClass {
        let typed = self.text("Tax class");
        TaxClass::from_woocommerce(&typed).unwrap_or_else(|| {
            let message = format!("\"{typed}\" is not a tax class (empty, reduced-rate, super-reduced-rate or zero-rate)");
            self.problem("Tax class", message);
            TaxClass::Standard
        })
    }

    fn sale(&mut self) -> Option<Sale> {
        let price = self.price("Sale price")?;
        Some(Sale {
            price,
            from: self.day("Date sale price starts", crate::clock::vilnius::day_start),
            until: self.day("Date sale price ends", crate::clock::vilnius::day_end),
        })
    }
}

/// A decimal (`.5`, `1,25`) in thousandths, exactly.
fn decimal_millis(typed: &str) -> Option<u64> {
    let (whole, fraction) = typed.split_once(['.', ',']).unwrap_or((typed, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 3
    {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(fraction)
}

/// Thousandths of a unit worth `grams_per_unit_millis` thousandths of a gram each, in whole grams
/// (rounded half up), within what a variant may weigh.
fn grams(millis: u64, grams_per_unit_millis: u64) -> Option<u32> {
    let grams = (u128::from(millis) * u128::from(grams_per_unit_millis) + 500_000) / 1_000_000;
    u32::try_from(grams).ok().filter(|g| *g <= 1_000_000)
}

/// WooCommerce's HTML description as this shop's plain text: paragraphs and line breaks kept,
/// tags dropped, the common entities read.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            // A `<` that opens no tag is text (`a < b`).
            break;
        };
        text.push_str(&rest[..open]);
        let tag = rest[open + 1..open + close].trim().to_lowercase();
        if tag.starts_with("br") || tag == "/p" || tag == "/li" || tag.starts_with("/h") {
            text.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.join("\n").trim().chars().take(10_000).collect()
}

/// A SKU this shop can keep: 1 to 120 letters, digits, dots, dashes or underscores.
fn sku_fits(sku: &str) -> bool {
    (1..=120).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The file's products in order, as far as it can be read: rows not sold here skipped, every
/// problem named.
pub fn plan(table: &Table, currency: Currency) -> Plan {
    let mut plan = Plan::default();
    let mut variations = Vec::new();
    // Where each product is in `plan.products`, by `sku:`/`id:` key; and products skipped.
    let mut by_key = std::collections::HashMap::new();
    let mut skipped_keys = std::collections::HashSet::new();
    for row in &table.rows {
        let mut cells = Cells {
            table,
            row,
            currency,
            errors: vec![],
        };
        match kind(table.get(row, "Type")) {
            Err(message) => cells.problem("Type", message),
            Ok(Kind::Skipped(reason)) => {
                skipped_keys.extend(keys(table, row));
                plan.skipped
                    .push(Problem::at(row.line, "Type", reason.into()));
            }
            Ok(Kind::Variation) => variations.push(row),
            Ok(kind @ (Kind::Simple | Kind::Variable)) => {
                let variable = matches!(kind, Kind::Variable);
                match product(&mut cells, variable, &mut plan.warnings) {
                    Outcome::Planned(product) => {
                        for key in keys(table, row) {
                            by_key.insert(key, plan.products.len());
                        }
                        plan.products.push(*product);
                    }
                    Outcome::Skipped(reason) => {
                        skipped_keys.extend(keys(table, row));
                        plan.skipped.push(Problem::at(row.line, "", reason));
                    }
                    Outcome::Failed => {}
                }
            }
        }
        plan.errors.append(&mut cells.errors);
    }
    for row in variations {
        add_variation(table, row, currency, (&by_key, &skipped_keys), &mut plan);
    }
    finish(&mut plan);
    plan
}

/// The keys a parent row can be named by in `Parent`: `sku:` its SKU and `id:` its ID.
fn keys(table: &Table, row: &Row) -> Vec<String> {
    let mut keys = vec![];
    let sku = table.get(row, "SKU");
    if !sku.is_empty() {
        keys.push(format!("sku:{}", sku.to_lowercase()));
    }
    let id = table.get(row, "ID");
    if !id.is_empty() {
        keys.push(format!("id:{id}"));
    }
    keys
}

enum Outcome {
    Planned(Box<PlannedProduct>),
    Skipped(String),
    /// Its problems are in the cells' errors.
    Failed,
}

/// A `simple` or `variable` row as a product (a simple one with its one variant).
fn product(cells: &mut Cells, variable: bool, warnings: &mut Vec<Problem>) -> Outcome {
    let (name, sku, key) = identity(cells);
    let options = if variable { options(cells) } else { Ok(vec![]) };
    let options = match options {
        Ok(options) => options,
        Err(reason) => return Outcome::Skipped(reason),
    };
    let price = cells.price("Regular price");
    if price.is_none() && !variable && cells.text("Regular price").is_empty() {
        cells.problem("Regular price", "a product needs a price".into());
    }
    let (category, hidden) = filing(cells, warnings);
    let description = match cells.text("Description") {
        text if text.is_empty() => cells.text("Short description"),
        text => text,
    };
    let slug = crate::text::slug_for(&sku, &name, 120).unwrap_or_default();
    let mut planned = PlannedProduct {
        line: cells.row.line,
        key,
        slug,
        name,
        description: plain_text(&description),
        category,
        price: price.unwrap_or(Money::zero(cells.currency)),
        active: cells.flag("Published", true) && !hidden,
        featured: cells.flag("Is featured?", false),
        max_per_order: cells.flag("Sold individually?", false).then_some(1),
        tax_class: cells.tax_class(),
        options,
        variants: vec![],
        images: list(&cells.text("Images")),
    };
    if !variable {
        let sku = if sku.is_empty() {
            planned.slug.clone()
        } else {
            sku
        };
        let variant = variant_of(cells, sku, vec![], None, warnings);
        planned.variants.push(variant);
    }
    if cells.errors.is_empty() {
        Outcome::Planned(Box::new(planned))
    } else {
        Outcome::Failed
    }
}

/// A comma-separated cell's items, trimmed, the empty ones dropped.
fn list(cell: &str) -> Vec<String> {
    cell.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A product row's name, SKU and the key a later import finds it by (`sku:`, else `id:`).
fn identity(cells: &mut Cells) -> (String, String, String) {
    let name = cells.text("Name");
    if name.is_empty() || name.chars().count() > 200 {
        let message = "a product needs a name of 1 to 200 characters".into();
        cells.problem("Name", message);
    }
    let sku = cells.text("SKU");
    if !sku.is_empty() && !sku_fits(&sku) {
        let message = format!("\"{sku}\" is not a SKU this shop can keep (1 to 120 letters, digits, dots, dashes or underscores)");
        cells.problem("SKU", message);
    }
    let id = cells.text("ID");
    let key = match (sku.is_empty(), id.is_empty()) {
        (false, _) => format!("sku:{}", sku.to_lowercase()),
        (true, false) => format!("id:{id}"),
        (true, true) => {
            let message = "a product needs a SKU or an ID to be found again".into();
            cells.problem("SKU", message);
            String::new()
        }
    };
    (name, sku, key)
}

/// Where a product row is filed: its first category, and whether WooCommerce hid it (both with a
/// warning where this shop does less).
fn filing(cells: &mut Cells, warnings: &mut Vec<Problem>) -> (Option<(String, String)>, bool) {
    let line = cells.row.line;
    let categories = list(&cells.text("Categories"));
    if categories.len() > 1 {
        let message = "this shop files a product under one category: the first is kept".into();
        warnings.push(Problem::at(line, "Categories", message));
    }
    let hidden = cells
        .text("Visibility in catalog")
        .eq_ignore_ascii_case("hidden");
    if hidden {
        let message = "hidden in WooCommerce's catalog: imported switched off".into();
        warnings.push(Problem::at(line, "Visibility in catalog", message));
    }
    (categories.first().map(|path| category_of(path)), hidden)
}

/// `Clothing > Hoodies` as (name, web address): the last step's name, the whole path's address.
fn category_of(path: &str) -> (String, String) {
    let steps: Vec<&str> = path
        .split('>')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let name = steps
        .last()
        .copied()
        .unwrap_or(path)
        .chars()
        .take(120)
        .collect();
    let slug = crate::text::slug_for("", &steps.join(" "), 80).unwrap_or_else(|| "imported".into());
    (name, slug)
}

/// A variable row's options: `Attribute N name` and its comma-separated `value(s)`; more than
/// the shop's three is a reason to skip the product.
fn options(cells: &mut Cells) -> Result<Vec<ProductOption>, String> {
    let mut options = vec![];
    for n in 1.. {
        let name_column = format!("Attribute {n} name");
        if !cells.table.has(&name_column) {
            break;
        }
        let name = cells.text(&name_column);
        if name.is_empty() {
            continue;
        }
        let values = cells.text(&format!("Attribute {n} value(s)"));
        let choices: Vec<String> = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        options.push(ProductOption { name, choices });
    }
    if options.len() > crate::domain::catalog::variants::MAX_OPTIONS {
        return Err(format!(
            "{} options: this shop sells products with at most 3",
            options.len()
        ));
    }
    Ok(options)
}

/// A row's variant: its SKU and values given, the rest from the row's cells.
fn variant_of(
    cells: &mut Cells,
    sku: String,
    values: Vec<String>,
    image: Option<String>,
    warnings: &mut Vec<Problem>,
) -> PlannedVariant {
    let line = cells.row.line;
    let in_stock = cells.flag("In stock?", true);
    let stock = match (in_stock, cells.stock()) {
        (false, _) => 0,
        (true, Some(stock)) => stock,
        (true, None) => {
            let message =
                "stock was not tracked in WooCommerce: imported as 0, set it in the admin".into();
            warnings.push(Problem::at(line, "Stock", message));
            0
        }
    };
    PlannedVariant {
        line,
        sku,
        values,
        price: None,
        sale: cells.sale(),
        stock,
        weight_grams: cells.weight(),
        image,
        active: cells.flag("Published", true),
    }
}

type Parents<'a> = (
    &'a std::collections::HashMap<String, usize>,
    &'a std::collections::HashSet<String>,
);

/// A `variation` row as its product's variants: one, or one per value of each option it leaves
/// empty ("any").
fn add_variation(
    table: &Table,
    row: &Row,
    currency: Currency,
    (by_key, skipped): Parents,
    plan: &mut Plan,
) {
    let mut cells = Cells {
        table,
        row,
        currency,
        errors: vec![],
    };
    let Some(at) = parent_of(&mut cells, (by_key, skipped), &mut plan.skipped) else {
        plan.errors.append(&mut cells.errors);
        return;
    };
    let choices = match chosen_values(&mut cells, &plan.products[at].options) {
        Some(choices) => choices,
        None => {
            plan.errors.append(&mut cells.errors);
            return;
        }
    };
    let price = cells.price("Regular price");
    if price.is_none() && cells.errors.is_empty() {
        cells.problem("Regular price", "a variation needs a price".into());
    }
    let sku = cells.text("SKU");
    if !sku.is_empty() && !sku_fits(&sku) {
        cells.problem("SKU", format!("\"{sku}\" is not a SKU this shop can keep"));
    }
    let image = list(&cells.text("Images")).into_iter().next();
    let slug = plan.products[at].slug.clone();
    for (sku, values) in variation_skus(&sku, &slug, &choices) {
        let mut variant = variant_of(&mut cells, sku, values, image.clone(), &mut plan.warnings);
        variant.price = price;
        plan.products[at].variants.push(variant);
    }
    plan.errors.append(&mut cells.errors);
}

/// Where a variation row's product is in the plan (`Parent`: its SKU or `id:N`); `None` when it
/// is not in the file (an error) or was skipped (the row is skipped too).
fn parent_of(
    cells: &mut Cells,
    (by_key, skipped): Parents,
    skipped_rows: &mut Vec<Problem>,
) -> Option<usize> {
    let parent = cells.text("Parent");
    let key = match parent.strip_prefix("id:") {
        Some(id) => format!("id:{}", id.trim()),
        None => format!("sku:{}", parent.to_lowercase()),
    };
    let found = by_key.get(&key).copied();
    if found.is_none() {
        if skipped.contains(&key) {
            let reason = format!("its product ({parent}) was skipped");
            skipped_rows.push(Problem::at(cells.row.line, "Parent", reason));
        } else {
            cells.problem(
                "Parent",
                format!("\"{parent}\" is not a product in this file"),
            );
        }
    }
    found
}

/// Each combination a variation row stands for, with its SKU: the row's own (extended by the
/// values it left to "any": `woo-vneck-tee-red` in Large is `woo-vneck-tee-red-large`), else one
/// made from the product's address and all its values.
fn variation_skus(sku: &str, slug: &str, choices: &[ProductOption]) -> Vec<(String, Vec<String>)> {
    use crate::domain::catalog::variants::{combinations, sku_for};
    let open: Vec<bool> = choices.iter().map(|o| o.choices.len() > 1).collect();
    combinations(choices)
        .into_iter()
        .map(|values| {
            let expanded: Vec<String> = values
                .iter()
                .zip(&open)
                .filter(|(_, open)| **open)
                .map(|(value, _)| value.clone())
                .collect();
            let sku = if sku.is_empty() {
                sku_for(slug, &values)
            } else {
                sku_for(sku, &expanded)
            };
            (sku, values)
        })
        .collect()
}

/// For each of the product's options, the values a variation row stands for: the one it names
/// (by the option's name, in any `Attribute N`), or all of them when it names none.
fn chosen_values(cells: &mut Cells, options: &[ProductOption]) -> Option<Vec<ProductOption>> {
    let mut named = std::collections::HashMap::new();
    for n in 1.. {
        let name_column = format!("Attribute {n} name");
        if !cells.table.has(&name_column) {
            break;
        }
        let name = cells.text(&name_column).to_lowercase();
        if !name.is_empty() {
            named.insert(name, (n, cells.text(&format!("Attribute {n} value(s)"))));
        }
    }
    let mut chosen = vec![];
    for option in options {
        let value = named.remove(&option.name.to_lowercase());
        let choices = match value {
            None => option.choices.clone(),
            Some((_, value)) if value.is_empty() => option.choices.clone(),
            Some((n, value)) => match option
                .choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(&value))
            {
                Some(found) => vec![found.clone()],
                None => {
                    let column = format!("Attribute {n} value(s)");
                    let message = format!("\"{value}\" is not one of {}'s values", option.name);
                    cells.problem(&column, message);
                    return None;
                }
            },
        };
        chosen.push(ProductOption {
            name: option.name.clone(),
            choices,
        });
    }
    if let Some((name, (n, _))) = named.into_iter().next() {
        let message = format!("\"{name}\" is not an option of its product");
        cells.problem(&format!("Attribute {n} name"), message);
        return None;
    }
    Some(chosen)
}

/// Settles what needs the whole file: a variable product's price (its own, else its cheapest
/// variation's) and which variants keep their own; sales not below the price dropped with a
/// warning; a combination twice; a SKU twice; and the shop's limits on options.
fn finish(plan: &mut Plan) {
    let mut skus = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(plan.products.len());
    for mut product in std::mem::take(&mut plan.products) {
        if product.variants.is_empty() {
            let reason = "a variable product without variations has nothing to sell".into();
            plan.skipped.push(Problem::at(product.line, "", reason));
            continue;
        }
        if let Err(error) = crate::domain::catalog::variants::check_options(
            &product.options,
            crate::locale::Locale::en,
        ) {
            plan.errors
                .push(Problem::at(product.line, "", error.message().into_owned()));
            continue;
        }
        settle_prices(&mut product, &mut plan.warnings);
        let mut seen = std::collections::HashSet::new();
        product.variants.retain(|variant| {
            let first = seen.insert(variant.values.clone());
            if !first {
                let message = format!(
                    "{} is also on an earlier variation: the first is kept",
                    variant.values.join(", ")
                );
                plan.warnings.push(Problem::at(variant.line, "", message));
            }
            first
        });
        for variant in &product.variants {
            if let Some(line) = skus.insert(variant.sku.to_lowercase(), variant.line) {
                let message = format!("SKU \"{}\" is also on line {line}", variant.sku);
                plan.errors.push(Problem::at(variant.line, "SKU", message));
            }
        }
        kept.push(product);
    }
    plan.products = kept;
}

fn settle_prices(product: &mut PlannedProduct, warnings: &mut Vec<Problem>) {
    if product.price.minor == 0 && !product.options.is_empty() {
        if let Some(cheapest) = product
            .variants
            .iter()
            .filter_map(|v| v.price)
            .min_by_key(|p| p.minor)
        {
            product.price = cheapest;
        }
    }
    for variant in &mut product.variants {
        variant.price = variant.price.filter(|p| *p != product.price);
        let regular = variant.price.unwrap_or(product.price);
        if variant
            .sale
            .as_ref()
            .is_some_and(|sale| sale.price.minor >= regular.minor)
        {
            let message = "a sale price not below the regular price is dropped".into();
            warnings.push(Problem::at(variant.line, "Sale price", message));
            variant.sale = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_convert_exactly_to_grams() {
        assert_eq!(
            decimal_millis(".5").and_then(|m| grams(m, 1_000_000)),
            Some(500)
        );
        assert_eq!(
            decimal_millis("1,25").and_then(|m| grams(m, 1_000_000)),
            Some(1250)
        );
        // Pounds: 2 lb = 907.184 g.
        assert_eq!(
            decimal_millis("2").and_then(|m| grams(m, 453_592)),
            Some(907)
        );
        assert_eq!(decimal_millis("0.0005"), None, "more than three decimals");
        assert_eq!(decimal_millis("1e3"), None);
        assert_eq!(
            decimal_millis("2000").and_then(|m| grams(m, 1_000_000)),
            None,
            "over a tonne"
        );
    }

    #[test]
    fn descriptions_lose_their_html_but_keep_their_lines() {
        let html = "<p>Soft &amp; <b>warm</b></p><p>Line two<br/>three</p>";
        assert_eq!(plain_text(html), "Soft & warm\nLine two\nthree");
        assert_eq!(plain_text("a < b"), "a < b");
    }

    #[test]
    fn row_types_are_read_as_woocommerce_writes_them() {
        assert!(matches!(kind("simple"), Ok(Kind::Simple)));
        assert!(matches!(
            kind("simple, downloadable, virtual"),
            Ok(Kind::Skipped(_))
        ));
        assert!(matches!(kind("Variable"), Ok(Kind::Variable)));
        assert!(matches!(kind("grouped"), Ok(Kind::Skipped(_))));
        assert!(kind("bundle").is_err());
    }
}
