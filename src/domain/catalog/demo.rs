//! The demo catalog loaded on a shop's first start, so that a newcomer sees a real storefront
//! (and can buy from it through the sandbox) before adding a single product. Images are SVG
//! drawings under `public/images/products/`, one per product, named by slug.

use crate::money::Currency;

struct DemoCategory {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
}

struct DemoProduct {
    category: &'static str,
    slug: &'static str,
    name: &'static str,
    price_minor: i64,
    stock: i64,
    featured: bool,
    description: &'static str,
}

const CATEGORIES: &[DemoCategory] = &[
    DemoCategory {
        slug: "kitchen",
        name: "Kitchen",
        description: "Tools and tableware made to be used every day.",
    },
    DemoCategory {
        slug: "coffee-tea",
        name: "Coffee & Tea",
        description: "Small-batch roasts, loose-leaf teas and the things to brew them with.",
    },
    DemoCategory {
        slug: "home-textiles",
        name: "Home Textiles",
        description: "Linen and wool from Baltic weavers.",
    },
    DemoCategory {
        slug: "stationery",
        name: "Stationery",
        description: "Notebooks, pens and paper goods for people who still write by hand.",
    },
    DemoCategory {
        slug: "garden",
        name: "Garden",
        description: "Sturdy tools and seeds for balconies and backyards.",
    },
];

macro_rules! product {
    ($category:literal, $slug:literal, $name:literal, $price:literal, $stock:literal, $featured:literal, $description:literal) => {
        DemoProduct {
            category: $category,
            slug: $slug,
            name: $name,
            price_minor: $price,
            stock: $stock,
            featured: $featured,
            description: $description,
        }
    };
}

const PRODUCTS: &[DemoProduct] = &[
    product!("kitchen", "oak-cutting-board", "Oak Cutting Board", 3450, 25, true, "A thick end-grain board of Lithuanian oak, finished with food-safe linseed oil. Kind to knives, heavy enough not to slide."),
    product!("kitchen", "cast-iron-skillet", "Cast Iron Skillet", 4900, 12, false, "Pre-seasoned 26 cm skillet that goes from hob to oven to table. Gets better with every use."),
    product!("kitchen", "enamel-mug", "Enamel Camp Mug", 1250, 60, true, "A 350 ml enamel mug with a rolled steel rim. Light, unbreakable and happy over a campfire."),
    product!("kitchen", "stoneware-bowl-set", "Stoneware Bowl Set", 3900, 18, false, "Four hand-glazed stoneware bowls in a speckled sea-grey. Dishwasher and microwave safe."),
    product!("kitchen", "chef-knife", "Chef's Knife 20 cm", 8900, 7, false, "Forged carbon-steel blade with a birch handle. Sharpened by hand before it ships."),
    product!("kitchen", "linen-apron", "Linen Apron", 2950, 30, false, "Stone-washed linen apron with a deep front pocket and adjustable cotton straps."),
    product!("coffee-tea", "house-espresso-beans", "House Espresso Beans 500 g", 1690, 80, true, "A medium-dark roast of Brazilian and Ethiopian beans: chocolate, hazelnut and a little cherry."),
    product!("coffee-tea", "pour-over-dripper", "Ceramic Pour-Over Dripper", 2400, 22, false, "A single-cup dripper with spiral ribs for an even, clean extraction. Takes standard #2 filters."),
    product!("coffee-tea", "linden-blossom-tea", "Linden Blossom Tea", 890, 45, false, "Hand-picked linden blossoms from Dzūkija. Honey-sweet and calming; lovely in the evening."),
    product!("coffee-tea", "gooseneck-kettle", "Gooseneck Kettle", 5400, 9, true, "A 1 litre stainless kettle with a thin spout for a steady, precise pour."),
    product!("coffee-tea", "hand-grinder", "Hand Coffee Grinder", 6200, 5, false, "Conical steel burrs with 30 click settings, from espresso to French press."),
    product!("coffee-tea", "chamomile-mint-tea", "Chamomile & Mint Tea", 750, 0, false, "A caffeine-free blend of chamomile flowers and garden mint. Back in stock soon."),
    product!("home-textiles", "wool-throw", "Merino Wool Throw", 8900, 10, true, "A soft herringbone throw woven from Baltic merino wool, 130 × 180 cm."),
    product!("home-textiles", "linen-tablecloth", "Linen Tablecloth", 5600, 14, false, "Heavy linen tablecloth with mitred corners, 150 × 250 cm. Softens with every wash."),
    product!("home-textiles", "waffle-towel-set", "Waffle Towel Set", 3200, 26, false, "Two waffle-weave linen towels that dry fast and take up little space."),
    product!("home-textiles", "cushion-cover", "Striped Cushion Cover", 2100, 35, false, "A 45 × 45 cm cover in natural and indigo stripes, with a hidden wooden-button closure."),
    product!("home-textiles", "linen-napkins", "Linen Napkins (4)", 2400, 40, false, "Four generous napkins in washed linen, ready for everyday dinners and long feasts."),
    product!("home-textiles", "wool-slippers", "Felted Wool Slippers", 3900, 16, false, "Felted by hand from sheep's wool with a natural latex sole. Warm without sweating."),
    product!("home-textiles", "linen-shirt", "Linen Shirt", 5900, 0, false, "A loose shirt of washed Baltic linen with mother-of-pearl buttons. Cool in summer, soft from the first wear."),
    product!("stationery", "dot-grid-notebook", "Dot Grid Notebook A5", 1490, 70, true, "192 numbered pages of 100 g/m² paper that takes fountain-pen ink without bleeding."),
    product!("stationery", "brass-pen", "Brass Ballpoint Pen", 3500, 20, false, "A solid brass pen that ages to a warm patina. Takes standard refills."),
    product!("stationery", "kraft-envelopes", "Kraft Envelopes (25)", 650, 100, false, "Recycled kraft envelopes, C6 size, with a peel-and-seal flap."),
    product!("stationery", "desk-planner", "Weekly Desk Planner", 1890, 33, false, "An undated weekly planner that lies flat on the desk. 60 weeks of paper."),
    product!("stationery", "watercolour-set", "Travel Watercolour Set", 4200, 8, false, "Twelve artist-grade half pans in a tin with a water brush."),
    product!("stationery", "wax-seal-kit", "Wax Seal Kit", 2750, 15, false, "A brass stamp with an amber-leaf motif and six sticks of sealing wax."),
    product!("garden", "garden-trowel", "Garden Trowel", 1850, 40, false, "A stainless steel trowel with an ash handle and depth markings on the blade."),
    product!("garden", "pruning-shears", "Bypass Pruning Shears", 3300, 19, true, "Sharp bypass shears for stems up to 2 cm, with a safety lock and replaceable blade."),
    product!("garden", "herb-seed-kit", "Kitchen Herb Seed Kit", 1590, 50, false, "Seeds for basil, dill, parsley and chives, with biodegradable pots and soil discs."),
    product!("garden", "watering-can", "Galvanised Watering Can", 4500, 11, false, "A 5 litre galvanised can with a brass rose. Built to outlive its gardener."),
    product!("garden", "kneeling-pad", "Garden Kneeling Pad", 1400, 28, false, "A thick recycled-foam pad that saves your knees on gravel and wet soil."),
    product!("garden", "bird-feeder", "Cedar Bird Feeder", 2600, 13, false, "A cedar feeder with a copper roof. Holds a kilo of seed and keeps it dry."),
];

/// The demo's product with options: the linen shirt in four sizes and three colours (twelve
/// variants, each colour with its photo), dearer from L, a few combinations sold out and one on
/// sale, so a new shop shows variants working.
const SHIRT: &str = "linen-shirt";
const SHIRT_OPTIONS: [(&str, &[&str]); 2] = [
    ("Size", &["S", "M", "L", "XL"]),
    ("Colour", &["Natural", "Navy", "Sand"]),
];
/// (size, colour, stock, own price, sale price). S / Natural is the shirt's own variant (SKU
/// `linen-shirt`); M / Natural is on sale with no end.
type ShirtVariant = (&'static str, &'static str, i64, Option<i64>, Option<i64>);
const SHIRT_VARIANTS: [ShirtVariant; 12] = [
    ("S", "Natural", 4, None, None),
    ("S", "Navy", 0, None, None),
    ("S", "Sand", 5, None, None),
    ("M", "Natural", 6, None, Some(4900)),
    ("M", "Navy", 3, None, None),
    ("M", "Sand", 7, None, None),
    ("L", "Natural", 2, Some(6400), None),
    ("L", "Navy", 0, Some(6400), None),
    ("L", "Sand", 4, Some(6400), None),
    ("XL", "Natural", 1, Some(6400), None),
    ("XL", "Navy", 2, Some(6400), None),
    ("XL", "Sand", 0, Some(6400), None),
];
/// The photo of each colour (the Navy one is the shirt's first drawing), in the options' order.
const SHIRT_PHOTOS: [(&str, &str); 3] = [
    (
        "/images/products/linen-shirt-natural.svg",
        "Linen Shirt, Natural",
    ),
    ("/images/products/linen-shirt.svg", "Linen Shirt, Navy"),
    ("/images/products/linen-shirt-sand.svg", "Linen Shirt, Sand"),
];

/// Gives the demo shirt its options, variants, stock and prices.
async fn seed_shirt(tx: &mut crate::db::Tx, product_id: i64) -> Result<(), sqlx::Error> {
    use super::variants::{existing_variants, offer, Offer};
    let options: Vec<super::ProductOption> = SHIRT_OPTIONS
        .iter()
        .map(|(name, choices)| super::ProductOption {
            name: (*name).into(),
            choices: choices.iter().map(|c| (*c).into()).collect(),
        })
        .collect();
    // Loading the demo reports database errors; the variants' own are worded for the admin.
    let failed = |error: crate::error::AppError| {
        sqlx::Error::Protocol(format!("the demo shirt's variants: {error:?}"))
    };
    let existing = existing_variants(tx, product_id).await.map_err(failed)?;
    offer(tx, (product_id, SHIRT), &options, &existing)
        .await
        .map_err(|error| match error {
            Offer::SkuTaken(error) => error,
            Offer::Failed(error) => failed(error),
        })?;
    let mut photos = Vec::with_capacity(SHIRT_PHOTOS.len());
    for (path, alt) in SHIRT_PHOTOS {
        photos.push(insert_photo(tx, product_id, path, alt).await?);
    }
    let colours = SHIRT_OPTIONS[1].1;
    for (size, colour, stock, price, sale) in SHIRT_VARIANTS {
        let photo = colours.iter().position(|c| *c == colour).map(|i| photos[i]);
        crate::on_tx!(tx, conn => sqlx::query(
            "UPDATE product_variants SET stock = $4, price_minor = $5, sale_price_minor = $6,
                    image_id = $7
             WHERE product_id = $1 AND option1 = $2 AND option2 = $3",
        )
        .bind(product_id)
        .bind(size)
        .bind(colour)
        .bind(stock)
        .bind(price)
        .bind(sale)
        .bind(photo)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    }
    Ok(())
}

/// Loads the demo catalog unless it was loaded before or the merchant already has a catalog.
/// Runs in one transaction: a crash halfway leaves no half catalog behind. Returns whether it loaded.
pub async fn load_once(pool: &crate::db::Db, currency: Currency) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let (has_catalog,): (bool,) = crate::on_tx!(&mut tx, conn => sqlx::query_as("SELECT EXISTS (SELECT 1 FROM categories)")
        .fetch_one(&mut *conn)
        .await)?;
    let first_time = crate::on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO shop_meta (key, value) VALUES ('demo_catalog_loaded', $1)
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(crate::clock::now())
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?
        == 1;
    if has_catalog || !first_time {
        tx.commit().await?;
        return Ok(false);
    }

    for (position, category) in CATEGORIES.iter().enumerate() {
        crate::on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO categories (slug, name, description, position) VALUES ($1, $2, $3, $4)",
        )
        .bind(category.slug)
        .bind(category.name)
        .bind(category.description)
        .bind(position as i64)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
    }
    for product in PRODUCTS {
        seed_product(&mut tx, product, currency).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// One demo product: its row, its one variant (its web address as the SKU) and its drawing.
async fn seed_product(
    tx: &mut crate::db::Tx,
    product: &DemoProduct,
    currency: crate::money::Currency,
) -> Result<(), sqlx::Error> {
    let (id,): (i64,) = crate::on_tx!(tx, conn => sqlx::query_as(
        "INSERT INTO products (category_id, slug, name, description, price_minor, currency, featured)
         SELECT id, $2, $3, $4, $5, $6, $7 FROM categories WHERE slug = $1
         RETURNING id",
    )
    .bind(product.category)
    .bind(product.slug)
    .bind(product.name)
    .bind(product.description)
    .bind(product.price_minor)
    .bind(currency.code())
    .bind(product.featured)
    .fetch_one(&mut *conn)
    .await)?;
    crate::on_tx!(tx, conn => sqlx::query("INSERT INTO product_variants (product_id, sku, stock) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(product.slug)
        .bind(product.stock)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
    if product.slug == SHIRT {
        // Its photos come with its variants: one per colour.
        return seed_shirt(tx, id).await;
    }
    let path = format!("/images/products/{}.svg", product.slug);
    insert_photo(tx, id, &path, product.name).await?;
    Ok(())
}

/// A photo of product `product_id`, after those it has: its id.
async fn insert_photo(
    tx: &mut crate::db::Tx,
    product_id: i64,
    path: &str,
    alt: &str,
) -> Result<i64, sqlx::Error> {
    crate::on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO product_images (product_id, path, alt, position)
         SELECT $1, $2, $3, COUNT(*) FROM product_images WHERE product_id = $1 RETURNING id",
    )
    .bind(product_id)
    .bind(path)
    .bind(alt)
    .fetch_one(&mut *conn)
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_catalog_is_big_enough_and_every_product_has_a_category_and_an_image() {
        assert!(CATEGORIES.len() >= 4);
        assert!(PRODUCTS.len() >= 24);
        let images =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/images/products");
        for product in PRODUCTS {
            assert!(
                CATEGORIES.iter().any(|c| c.slug == product.category),
                "{}",
                product.slug
            );
            assert!(
                images.join(format!("{}.svg", product.slug)).is_file(),
                "no image for {}",
                product.slug
            );
        }
        let public = images.parent().and_then(|p| p.parent()).unwrap();
        for (path, _) in SHIRT_PHOTOS {
            assert!(public.join(&path[1..]).is_file(), "{path}");
        }
    }
}
