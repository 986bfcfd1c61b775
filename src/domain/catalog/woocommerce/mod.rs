//! Moving a catalog in and out in the product CSV that WooCommerce's own exporter writes
//! (Products → Export) and its importer reads, so a merchant leaving WooCommerce brings 300
//! products with their variations, categories and photos in one step.
//!
//! Import runs in stages, each with one job: [`read`] the file (bounded, any delimiter, columns by
//! name), [`plan`] what it means for this shop (pure: rows become products with options and
//! variants, or are skipped with a reason, or are errors naming their line and column), fetch
//! the photos it names (`photos`, before any transaction: the network never holds a lock), and
//! [`apply`] the plan in one transaction (a file with any error changes nothing; a dry run rolls
//! it back and reports what it would have done). [`export`] writes the same columns.
//!
//! How WooCommerce's model maps onto this shop's:
//! - `simple` rows are products with one variant; `variable` rows products with options (their
//!   `Attribute N` names and values); `variation` rows those products' variants, an empty value
//!   meaning "any" (expanded over that option's values). `grouped`, `external`, `downloadable`
//!   and `virtual` rows are skipped and listed, as are products with more than 3 options.
//! - Categories are flat here: `Clothing > Hoodies` becomes the category `Hoodies` (address
//!   `clothing-hoodies`); a product keeps its first category and the others are reported.
//! - A product is found again by its key: `sku:` its SKU (a variable product's own SKU), else
//!   `id:` its WooCommerce ID, kept from its first import; a product made here is found by its
//!   web address or its variant's SKU, which is what [`export`] writes. Importing twice creates
//!   nothing twice.
//! - Stock WooCommerce did not track (`In stock?` 1, `Stock` empty) comes in as 0 with a warning:
//!   this shop always counts stock, and never promises units it has not been told about.
//! - Descriptions lose their HTML (this shop's are plain text). `Tax class`: empty is standard,
//!   `reduced-rate`, `super-reduced-rate` and `zero-rate` this shop's classes.

#[cfg(feature = "ssr")]
pub mod apply;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod plan;
#[cfg(feature = "ssr")]
pub mod read;

/// Something about the file: where (line 0 is the file itself; the column, if one) and what.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl Problem {
    pub fn file(message: String) -> Problem {
        Problem {
            line: 0,
            column: String::new(),
            message,
        }
    }

    pub fn at(line: u64, column: &str, message: String) -> Problem {
        Problem {
            line,
            column: column.to_owned(),
            message,
        }
    }
}

impl std::fmt::Display for Problem {
    /// `line 17, Regular price: "12.5.0" is not a price`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column.as_str()) {
            (0, _) => write!(f, "{}", self.message),
            (line, "") => write!(f, "line {line}: {}", self.message),
            (line, column) => write!(f, "line {line}, {column}: {}", self.message),
        }
    }
}

/// What an import did (or, dry, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub products_created: u32,
    pub products_updated: u32,
    pub products_unchanged: u32,
    pub variants_created: u32,
    pub variants_updated: u32,
    pub categories_created: u32,
    pub photos_added: u32,
    /// Rows not imported, each with the reason.
    pub skipped: Vec<Problem>,
    /// Imported, with something the merchant should know (a photo that could not be had).
    pub warnings: Vec<Problem>,
    /// Why nothing was imported.
    pub errors: Vec<Problem>,
    pub dry_run: bool,
}

#[cfg(feature = "ssr")]
pub use importing::{import, ImportOptions};

#[cfg(feature = "ssr")]
mod importing {
    use super::{apply, photos, plan, read, Report};

    /// How an import runs: the shop's currency and public URL (its own photos are not fetched), the
    /// folder photos named by file are read from, where photos are stored, and whether it is dry.
    pub struct ImportOptions<'a> {
        pub currency: crate::money::Currency,
        pub origin: &'a str,
        pub photos_folder: Option<&'a std::path::Path>,
        pub data_dir: &'a std::path::Path,
        pub dry_run: bool,
    }

    /// Imports a product CSV: read, planned, its photos had, written in one transaction (see the
    /// module's documentation). A file with errors changes nothing and its report lists them all; a
    /// dry run fetches no photo and changes nothing.
    pub async fn import(
        writer: &crate::db::Db,
        bytes: &[u8],
        options: &ImportOptions<'_>,
    ) -> Result<Report, crate::error::AppError> {
        let table = match read::read(bytes) {
            Ok(table) => table,
            Err(problem) => {
                return Ok(Report {
                    errors: vec![problem],
                    dry_run: options.dry_run,
                    ..Report::default()
                })
            }
        };
        let plan = plan::plan(&table, options.currency);
        let mut report = Report {
            dry_run: options.dry_run,
            ..Report::default()
        };
        if !plan.errors.is_empty() {
            report.errors = plan.errors;
            report.skipped = plan.skipped;
            return Ok(report);
        }
        let wanted = photos::needed(writer, &plan.products, options.origin).await?;
        let sources = photos::Sources {
            origin: options.origin,
            folder: options.photos_folder,
            data_dir: options.data_dir,
        };
        let fetched = if options.dry_run {
            photos::Fetched::default()
        } else {
            photos::fetch(wanted, &sources).await
        };
        let applied = apply::apply(writer, &plan.products, &fetched, options.dry_run).await;
        if !matches!(&applied, Ok(done) if done.errors.is_empty() && !done.dry_run) {
            fetched.discard(options.data_dir).await;
        }
        let mut done = applied?;
        done.skipped.splice(0..0, plan.skipped);
        done.warnings.splice(0..0, plan.warnings);
        Ok(done)
    }
}
