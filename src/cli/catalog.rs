//! `turgus catalog import FILE.csv [--dry-run] [--images-from DIR]` and `turgus catalog export
//! FILE.csv`: a catalog moved in and out in WooCommerce's product CSV
//! (`domain::catalog::woocommerce`), on the shop's own database, safe while the shop serves (the
//! import writes in one short transaction, after reading the file and fetching its photos).

use crate::domain::catalog::woocommerce::{self, ImportOptions, Report};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Imports WooCommerce's product CSV: creates or updates products by SKU, all or nothing.
    Import {
        file: PathBuf,
        /// Reports what would be created, updated and skipped, and changes nothing.
        #[arg(long)]
        dry_run: bool,
        /// The folder photos named by file name (not URL) are read from.
        #[arg(long)]
        images_from: Option<PathBuf>,
    },
    /// Writes the catalog as WooCommerce's product CSV.
    Export { file: PathBuf },
}

pub async fn run(command: CatalogCommand) -> ExitCode {
    let outcome = match command {
        CatalogCommand::Import {
            file,
            dry_run,
            images_from,
        } => import(&file, dry_run, images_from.as_deref()).await,
        CatalogCommand::Export { file } => export(&file).await,
    };
    super::finish("catalog", outcome)
}

async fn import(
    file: &std::path::Path,
    dry_run: bool,
    images_from: Option<&std::path::Path>,
) -> Result<String, String> {
    let storage = super::storage()?;
    let size = std::fs::metadata(file)
        .map_err(|error| format!("{}: {error}", file.display()))?
        .len();
    if size > woocommerce::read::MAX_BYTES as u64 {
        return Err(format!("{}: larger than 20 MB", file.display()));
    }
    let bytes = std::fs::read(file).map_err(|error| format!("{}: {error}", file.display()))?;
    let reads = crate::db::connect(storage.database_url.expose())
        .await
        .map_err(|error| error.to_string())?;
    let writer = crate::db::connect_writer(storage.database_url.expose(), &reads)
        .await
        .map_err(|error| error.to_string())?;
    let options = ImportOptions {
        currency: storage.currency,
        origin: &storage.public_url,
        photos_folder: images_from,
        data_dir: &storage.data_dir,
        dry_run,
    };
    let report = woocommerce::import(&writer, &bytes, &options).await;
    writer.close().await;
    reads.close().await;
    let report = report.map_err(|error| error.message().into_owned())?;
    let text = summary(&report);
    if report.errors.is_empty() {
        Ok(text)
    } else {
        Err(format!("nothing was imported.\n{text}"))
    }
}

/// The report as the terminal shows it: figures, then every skipped row, warning and error.
fn summary(report: &Report) -> String {
    let verb = if report.dry_run {
        "Would create"
    } else {
        "Created"
    };
    let mut text = format!(
        "{verb} {} products ({} variants) and {} categories; updated {} products ({} variants); {} unchanged; {} photos added.",
        report.products_created,
        report.variants_created,
        report.categories_created,
        report.products_updated,
        report.variants_updated,
        report.products_unchanged,
        report.photos_added,
    );
    for (heading, problems) in [
        ("Skipped", &report.skipped),
        ("Warnings", &report.warnings),
        ("Errors", &report.errors),
    ] {
        if !problems.is_empty() {
            text.push_str(&format!("\n{heading} ({}):", problems.len()));
            for problem in problems {
                text.push_str(&format!("\n  {problem}"));
            }
        }
    }
    text
}

async fn export(file: &std::path::Path) -> Result<String, String> {
    let storage = super::storage()?;
    let pool = crate::db::connect(storage.database_url.expose())
        .await
        .map_err(|error| error.to_string())?;
    let csv = woocommerce::export::export(&pool, &storage.public_url).await;
    pool.close().await;
    let csv = csv.map_err(|error| error.message().into_owned())?;
    std::fs::write(file, &csv).map_err(|error| format!("{}: {error}", file.display()))?;
    Ok(format!(
        "Wrote the catalog to {} ({} bytes)",
        file.display(),
        csv.len()
    ))
}
