//! The product list, the product form (with photos) and the categories page.

use super::{
    admin_categories, admin_product, admin_products, AdminImage, CategoryOption, CategoryRow,
    DeleteCategory, DeleteImage, ProductFilter, ProductForm, RemoveProduct, SaveCategory,
    SaveProduct, SaveProductOptions, SaveProductVariant, LOW_STOCK,
};
use crate::admin::pages::{admin_page, Listing, SearchFilter};
use crate::domain::catalog::{ProductOption, Sale, VariantChoice};
use crate::domain::vat::TaxClass;
use crate::tr;
use crate::ui::{escape_on_server, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| ProductFilter::from_query(&query.read()));
    let products = Resource::new(move || filter.get(), admin_products);
    view! {
        <Title text=tr!(admin.products.title) />
        {admin_page(products, move |list| {
            let filter = filter.get_untracked();
            let page_filter = filter.clone();
            let href = move |page| format!("/admin/products?{}", page_filter.query_string(page));
            let action = view! {
                <A href="/admin/products/import" attr:class="button">{tr!(admin.import.link)}</A>" "
                <A href="/admin/products/new" attr:class="button button-primary">{tr!(admin.products.new_product)}</A>
            };
            let headings = view! {
                <th scope="col"><span class="visually-hidden">{tr!(admin.products.photo)}</span></th>
                <th scope="col">{tr!(admin.products.name)}</th><th scope="col">{tr!(admin.products.category)}</th>
                <th scope="col">{tr!(admin.products.price)}</th><th scope="col">{tr!(admin.products.stock)}</th>
                <th scope="col">{tr!(admin.products.status)}</th>
            };
            let filters = view! { <ProductFilterForm filter categories=list.categories /> };
            let rows = view! {
                {list.products.into_iter().map(|product| view! {
                    <tr>
                        <td>{product.thumb.map(|src| view! { <img src=src alt="" width="48" height="48" class="admin-thumb" /> })}</td>
                        <td><A href=format!("/admin/products/{}", product.id)>{product.name}</A></td>
                        <td>{product.category}</td>
                        <td>{product.price.to_string()}</td>
                        <td class=(product.stock <= LOW_STOCK).then_some("stock-low")>{product.stock}</td>
                        <td>{if product.active {
                            view! { <span class="badge badge-ok">{tr!(admin.products.for_sale)}</span> }.into_any()
                        } else {
                            view! { <span class="badge badge-muted">{tr!(admin.products.archived)}</span> }.into_any()
                        }}</td>
                    </tr>
                }).collect_view()}
            };
            view! {
                <Listing title=tr!(admin.products.title) action=action.into_any() filters=filters.into_any()
                    count=tr!(admin.products.count, count = list.total) headings=headings.into_any() rows=rows.into_any()
                    listing_page=list.page pages=list.pages href />
            }.into_any()
        })}
    }
}

#[component]
fn ProductFilterForm(filter: ProductFilter, categories: Vec<CategoryOption>) -> impl IntoView {
    let category = filter.category.clone();
    let status = filter.status.clone();
    view! {
        <form class="admin-filters" method="get" action="/admin/products">
            <SearchFilter label=tr!(admin.products.name) value=filter.q />
            <div class="field">
                <label for="filter-category">{tr!(admin.products.category)}</label>
                <select id="filter-category" name="category">
                    <option value="">{tr!(admin.products.any)}</option>
                    {categories.into_iter().map(|c| {
                        let selected = category == c.id.to_string();
                        view! { <option value=c.id selected=selected>{c.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-status">{tr!(admin.products.status)}</label>
                <select id="filter-status" name="status">
                    <option value="">{tr!(admin.products.any)}</option>
                    <option value="active" selected=status == "active">{tr!(admin.products.for_sale)}</option>
                    <option value="archived" selected=status == "archived">{tr!(admin.products.archived)}</option>
                </select>
            </div>
            <label class="checkbox">
                <input type="checkbox" name="low" value="1" checked=filter.low == "1" />
                {tr!(admin.products.low_stock, count = LOW_STOCK)}
            </label>
            <button type="submit">{tr!(admin.products.filter)}</button>
        </form>
    }
}

#[component]
pub fn AdminProductPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // `/admin/products/new` is the empty form.
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let save = ServerAction::<SaveProduct>::new();
    let remove = ServerAction::<RemoveProduct>::new();
    let delete_image = ServerAction::<DeleteImage>::new();
    // Reloaded after a successful save (names and prices come back as stored), never after a
    // refused one: the form keeps what the merchant typed.
    let saves = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            saves.update(|n| *n += 1);
        }
    });
    let product = Resource::new(
        move || (id(), saves.get(), delete_image.version().get()),
        |(id, _, _)| admin_product(id),
    );
    let notice = move || outcome_notice(&query.read());
    view! {
        {admin_page(product, move |product| {
            let errors = move || {
                [
                    save.value().get().and_then(|r| r.err()),
                    remove.value().get().and_then(|r| r.err()),
                    delete_image.value().get().and_then(|r| r.err()),
                ]
                .into_iter()
                .flatten()
                .next()
                    .map(|e| view! { <ErrorNotice error=e /> })
            };
            view! {
                {notice().map(|(class, text)| view! { <div class=class role="status">{text}</div> })}
                {errors}
                <ProductEditor product save remove delete_image />
            }.into_any()
        })}
    }
}

/// What the address says happened (`?saved=1`, `?image=uploaded` or a photo's refusal), as the
/// notice's class and text.
fn outcome_notice(
    query: &leptos_router::params::ParamsMap,
) -> Option<(&'static str, &'static str)> {
    if let Some(code) = query.get("image") {
        return Some(match code.as_str() {
            "uploaded" => ("notice notice-ok", tr!(admin.products.photo_added)),
            code => (
                "notice notice-error",
                super::photo_refusal_message(code, crate::locale::current()),
            ),
        });
    }
    query
        .get("saved")
        .map(|_| ("notice notice-ok", tr!(admin.products.saved)))
}

/// The product's form, its photos and its removal; each part an erased view, so the page's type
/// stays shallow enough for release builds.
#[component]
fn ProductEditor(
    product: ProductForm,
    save: ServerAction<SaveProduct>,
    remove: ServerAction<RemoveProduct>,
    delete_image: ServerAction<DeleteImage>,
) -> impl IntoView {
    let id = product.id;
    let title = if id == 0 {
        tr!(admin.products.new_product).to_owned()
    } else {
        product.name.clone()
    };
    let view_link = (id != 0 && product.active).then(|| format!("/p/{}", product.slug));
    let (images, ordered) = (product.images.clone(), product.ordered);
    let photos = images.clone();
    let (options, variants) = (product.options.clone(), product.variants.clone());
    view! {
        <Title text=title.clone() />
        <p class="breadcrumbs"><A href="/admin/products">{tr!(admin.products.title)}</A>" / "{title.clone()}</p>
        <header class="listing-header">
            <h1>{title}</h1>
            {view_link.map(|href| view! { <a href=href>{tr!(admin.products.view_in_shop)}</a> })}
        </header>
        <div class="admin-columns">
            <ProductFields product save />
            <aside>
                {(id != 0).then(|| view! {
                    <ProductPhotos id images delete_image />
                    <RemoveProductBox id ordered remove />
                })}
            </aside>
        </div>
        {(id != 0).then(|| view! { <ProductVariants id options variants photos /> })}
    }
}

/// The product's options and, when it has some, a row per variant to edit. Plain forms: the
/// admin loads no JavaScript.
#[component]
fn ProductVariants(
    id: i64,
    options: Vec<ProductOption>,
    variants: Vec<VariantChoice>,
    photos: Vec<AdminImage>,
) -> impl IntoView {
    let save_options = ServerAction::<SaveProductOptions>::new();
    let save_variant = ServerAction::<SaveProductVariant>::new();
    let errors = move || {
        [save_options.value().get(), save_variant.value().get()]
            .into_iter()
            .flatten()
            .find_map(|r| r.err())
            .map(|e| view! { <ErrorNotice error=e /> })
    };
    let fields = (0..3)
        .map(|i| {
            let option = options.get(i).cloned();
            let n = i + 1;
            let (name_id, values_id) = (format!("option{n}-name"), format!("option{n}-values"));
            view! {
                <div class="field">
                    <label for=name_id.clone()>{tr!(admin.variants.option_name, n)}</label>
                    <input id=name_id name=format!("option{n}_name") maxlength="40"
                        value=option.as_ref().map(|o| o.name.clone()) />
                </div>
                <div class="field">
                    <label for=values_id.clone()>{tr!(admin.variants.option_values, n)}</label>
                    <input id=values_id name=format!("option{n}_values") maxlength="2000"
                        value=option.map(|o| o.choices.join(", ")) />
                </div>
            }
        })
        .collect_view();
    view! {
        <section id="variants" class="cart-summary">
            <h2>{tr!(admin.variants.title)}</h2>
            {errors}
            <p class="muted">{tr!(admin.variants.intro)}</p>
            <ActionForm action=save_options attr:class="admin-filters">
                <input type="hidden" name="id" value=id />
                {fields}
                <button type="submit">{tr!(admin.variants.save_options)}</button>
            </ActionForm>
            <VariantTable product_id=id variants photos save=save_variant />
        </section>
    }
    .into_any()
}

/// A row per variant: SKU, prices, sale, stock, weight, photo and switch, each row its own plain
/// form (`form=` ties the cells' fields to it). A product without options has one row, for the
/// product itself; its stock stays in the product's form.
#[component]
fn VariantTable(
    product_id: i64,
    variants: Vec<VariantChoice>,
    photos: Vec<AdminImage>,
    save: ServerAction<SaveProductVariant>,
) -> impl IntoView {
    let rows = variants
        .into_iter()
        .map(|variant| view! { <VariantRow product_id variant photos=photos.clone() save /> })
        .collect_view();
    let columns = [
        tr!(admin.variants.variant),
        tr!(admin.variants.sku),
        tr!(admin.variants.price),
        tr!(admin.variants.sale_price),
        tr!(admin.variants.sale_from),
        tr!(admin.variants.sale_until),
        tr!(admin.variants.stock),
        tr!(admin.variants.weight),
        tr!(admin.variants.photo),
        tr!(admin.variants.on_sale),
        "",
    ];
    view! {
        <p class="muted">{tr!(admin.variants.sale_dates)}</p>
        <div class="table-scroll">
            <table class="admin-table">
                <thead><tr>{columns.map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A variant's sale cells: price and first and last day (Vilnius days, as the merchant typed them).
#[component]
fn SaleCells(
    form: String,
    sale: Option<Sale>,
    aria: impl Fn(&str) -> String + 'static,
) -> impl IntoView {
    let day =
        |at: Option<&String>, end: bool| at.and_then(|at| crate::clock::vilnius::date_of(at, end));
    let (price, from, until) = (
        sale.as_ref().map(|s| s.price.decimal()),
        day(sale.as_ref().and_then(|s| s.from.as_ref()), false),
        day(sale.as_ref().and_then(|s| s.until.as_ref()), true),
    );
    view! {
        <td><input form=form.clone() name="sale_price" value=price inputmode="decimal" size="7"
            aria-label=aria(tr!(admin.variants.sale_price)) /></td>
        <td><input form=form.clone() name="sale_from" type="date" value=from
            aria-label=aria(tr!(admin.variants.sale_from)) /></td>
        <td><input form=form name="sale_until" type="date" value=until
            aria-label=aria(tr!(admin.variants.sale_until)) /></td>
    }
}

#[component]
fn VariantRow(
    product_id: i64,
    variant: VariantChoice,
    photos: Vec<AdminImage>,
    save: ServerAction<SaveProductVariant>,
) -> impl IntoView {
    let form = format!("variant-{}", variant.id);
    let label = if variant.values.is_empty() {
        tr!(admin.variants.the_product).to_owned()
    } else {
        variant.label()
    };
    let header = label.clone();
    // Each field is named for a screen reader by column and variant: `SKU · M, Navy`.
    let aria = move |column: &str| format!("{column} · {label}");
    let price = variant.own_price.then(|| variant.regular.decimal());
    let stock = if variant.values.is_empty() {
        view! { <span class="muted">{tr!(admin.variants.stock_in_form)}</span> }.into_any()
    } else {
        view! { <input form=form.clone() name="stock" type="number" min="0" max="1000000" value=variant.stock required
            aria-label=aria(tr!(admin.variants.stock)) /> }.into_any()
    };
    let chosen = variant.image.as_ref().map(|image| image.id);
    let photo_choices = photos
        .into_iter()
        .map(|photo| view! { <option value=photo.id selected=chosen == Some(photo.id)>{photo.alt}</option> })
        .collect_view();
    view! {
        <tr data-testid=format!("variant-{}", variant.sku)>
            <th scope="row">{header}</th>
            <td><input form=form.clone() name="sku" value=variant.sku.clone() required maxlength="120"
                aria-label=aria(tr!(admin.variants.sku)) /></td>
            <td><input form=form.clone() name="price" value=price inputmode="decimal" size="7"
                aria-label=aria(tr!(admin.variants.price)) /></td>
            <SaleCells form=form.clone() sale=variant.sale.clone() aria=aria.clone() />
            <td>{stock}</td>
            <td><input form=form.clone() name="weight" type="number" min="0" max="1000000" size="6"
                value=variant.weight_grams aria-label=aria(tr!(admin.variants.weight)) /></td>
            <td><select form=form.clone() name="image_id" aria-label=aria(tr!(admin.variants.photo))>
                <option value="">{tr!(admin.variants.products_photos)}</option>
                {photo_choices}
            </select></td>
            <td><input form=form.clone() name="on_sale" type="checkbox" checked=variant.on_sale
                aria-label=aria(tr!(admin.variants.on_sale)) /></td>
            <td>
                <ActionForm action=save attr:id=form>
                    <input type="hidden" name="product_id" value=product_id />
                    <input type="hidden" name="id" value=variant.id />
                    <input type="hidden" name="stock_was" value=variant.stock />
                    <button type="submit">{tr!(admin.variants.save)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn TaxClassField(chosen: TaxClass) -> impl IntoView {
    let classes = TaxClass::ALL.map(|class| {
        let label = class.label(crate::locale::current());
        view! { <option value=class.key() selected=class == chosen>{label}</option> }
    });
    view! {
        <div class="field">
            <label for="tax_class">{tr!(admin.products.tax_class)}</label>
            <select id="tax_class" name="tax_class">{classes.collect_view()}</select>
        </div>
    }
}

#[component]
fn ProductFields(product: ProductForm, save: ServerAction<SaveProduct>) -> impl IntoView {
    let category_id = product.category_id;
    view! {
        <ActionForm action=save attr:class="checkout-form">
            <input type="hidden" name="id" value=product.id />
            // The stock this form was opened with: saving refuses if shoppers bought some since,
            // rather than put back units that are gone.
            <input type="hidden" name="stock_was" value=product.stock_saved />
            <div class="field">
                <label for="name">{tr!(admin.products.name)}</label>
                <input id="name" name="name" value=product.name required maxlength="200" />
            </div>
            <div class="field">
                <label for="slug">{tr!(admin.products.web_address)}</label>
                <input id="slug" name="slug" value=product.slug maxlength="120" pattern="[a-z0-9-]*"
                    aria-describedby="slug-hint" />
                <p id="slug-hint" class="muted">{tr!(admin.products.slug_hint)}</p>
            </div>
            <div class="field">
                <label for="category">{tr!(admin.products.category)}</label>
                <select id="category" name="category_id" required>
                    {product.categories.into_iter().map(|c| {
                        let selected = c.id == category_id;
                        view! { <option value=c.id selected=selected>{c.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="price">{tr!(admin.products.price_in, currency = product.currency)}</label>
                <input id="price" name="price" value=product.price required inputmode="decimal"
                    pattern="[0-9 ]*([.,][0-9]{1,2})?" placeholder="12.50" />
            </div>
            // A product with options keeps its stock on its variants (below).
            {product.options.is_empty().then(|| view! {
                <div class="field">
                    <label for="stock">{tr!(admin.products.units)}</label>
                    <input id="stock" name="stock" type="number" min="0" max="1000000" step="1" value=product.stock.clone() required />
                </div>
            })}
            <div class="field">
                <label for="max_per_order">{tr!(admin.products.max_per_order)}</label>
                <input id="max_per_order" name="max_per_order" type="number" min="1" max="1000000" step="1" value=product.max_per_order />
            </div>
            <div class="field">
                <label for="description">{tr!(admin.products.description)}</label>
                <textarea id="description" name="description" rows="6" maxlength="10000">{escape_on_server(product.description)}</textarea>
            </div>
            <TaxClassField chosen=product.tax_class />
            <label class="checkbox"><input type="checkbox" name="active" checked=product.active />{tr!(admin.products.for_sale)}</label>
            <label class="checkbox"><input type="checkbox" name="featured" checked=product.featured />{tr!(admin.products.featured)}</label>
            <button type="submit" class="button-primary">{tr!(admin.products.save)}</button>
        </ActionForm>
    }
    .into_any()
}

/// The photos, each removable, and the upload form (a plain multipart form: it works the same
/// with or without JavaScript).
#[component]
fn ProductPhotos(
    id: i64,
    images: Vec<AdminImage>,
    delete_image: ServerAction<DeleteImage>,
) -> impl IntoView {
    view! {
        <section class="cart-summary">
            <h2>{tr!(admin.products.photos)}</h2>
            <ul class="admin-photos">
                {images.into_iter().map(|image| view! {
                    <li>
                        <img src=image.path alt=image.alt.clone() width="120" />
                        <span class="muted">{image.alt}</span>
                        <ActionForm action=delete_image>
                            <input type="hidden" name="id" value=image.id />
                            <button type="submit" class="button-link">{tr!(admin.products.remove_photo)}</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <form method="post" enctype="multipart/form-data" action=format!("/admin/products/{id}/images")>
                <div class="field">
                    <label for="image">{tr!(admin.products.add_photo)}</label>
                    <input id="image" name="image" type="file" accept="image/jpeg,image/png,image/webp" required />
                </div>
                <div class="field">
                    <label for="alt">{tr!(admin.products.alt)}</label>
                    <input id="alt" name="alt" maxlength="300" />
                </div>
                <button type="submit">{tr!(admin.products.upload)}</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn RemoveProductBox(id: i64, ordered: bool, remove: ServerAction<RemoveProduct>) -> impl IntoView {
    let (label, note, confirm) = if ordered {
        (
            tr!(admin.products.archive),
            tr!(admin.products.archive_note),
            tr!(admin.products.confirm_archive),
        )
    } else {
        (
            tr!(admin.products.delete),
            tr!(admin.products.delete_note),
            tr!(admin.products.confirm_delete),
        )
    };
    view! {
        <section class="cart-summary">
            <h2>{label}</h2>
            <p class="muted">{note}</p>
            <ActionForm action=remove>
                <input type="hidden" name="id" value=id />
                <label class="checkbox"><input type="checkbox" name="confirm" value="yes" required />{confirm}</label>
                <button type="submit">{label}</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
pub fn AdminCategoriesPage() -> impl IntoView {
    let save = ServerAction::<SaveCategory>::new();
    let delete = ServerAction::<DeleteCategory>::new();
    let categories = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| admin_categories(),
    );
    view! {
        <Title text=tr!(admin.categories.title) />
        {admin_page(categories, move |categories| {
            let errors = move || {
                [save.value().get(), delete.value().get()]
                    .into_iter()
                    .flatten()
                    .find_map(|r| r.err())
                    .map(|e| view! { <ErrorNotice error=e /> })
            };
            view! {
                <h1>{tr!(admin.categories.title)}</h1>
                {errors}
                <table class="admin-table">
                    <thead><tr>
                        <th scope="col">{tr!(admin.categories.name)}</th><th scope="col">{tr!(admin.categories.web_address)}</th>
                        <th scope="col">{tr!(admin.categories.description)}</th><th scope="col">{tr!(admin.categories.position)}</th>
                        <th scope="col">{tr!(admin.categories.products)}</th>
                        <th scope="col"><span class="visually-hidden">{tr!(admin.categories.actions)}</span></th>
                    </tr></thead>
                    <tbody>
                        {categories.into_iter().map(|category| view! { <CategoryEditor category save delete /> }).collect_view()}
                    </tbody>
                </table>
                <h2>{tr!(admin.categories.new_category)}</h2>
                <ActionForm action=save attr:class="admin-filters">
                    <input type="hidden" name="id" value="0" />
                    <div class="field"><label for="new-name">{tr!(admin.categories.name)}</label><input id="new-name" name="name" required maxlength="120" /></div>
                    <div class="field"><label for="new-slug">{tr!(admin.categories.web_address)}</label><input id="new-slug" name="slug" maxlength="80" pattern="[a-z0-9-]*" /></div>
                    <div class="field"><label for="new-description">{tr!(admin.categories.description)}</label><input id="new-description" name="description" maxlength="2000" /></div>
                    <div class="field"><label for="new-position">{tr!(admin.categories.position)}</label><input id="new-position" name="position" type="number" value="0" /></div>
                    <button type="submit" class="button-primary">{tr!(admin.categories.add)}</button>
                </ActionForm>
            }.into_any()
        })}
    }
}

/// One category as a row of fields, saved or deleted in place.
#[component]
fn CategoryEditor(
    category: CategoryRow,
    save: ServerAction<SaveCategory>,
    delete: ServerAction<DeleteCategory>,
) -> impl IntoView {
    let form = format!("category-{}", category.id);
    let label = |what: &str| tr!(admin.categories.field_of, what, name = &category.name);
    view! {
        <tr>
            <td><input form=form.clone() name="name" value=category.name.clone() required maxlength="120" aria-label=label(tr!(admin.categories.name)) /></td>
            <td><input form=form.clone() name="slug" value=category.slug.clone() maxlength="80" pattern="[a-z0-9-]*" aria-label=label(tr!(admin.categories.web_address)) /></td>
            <td><input form=form.clone() name="description" value=category.description.clone() maxlength="2000" aria-label=label(tr!(admin.categories.description)) /></td>
            <td><input form=form.clone() name="position" type="number" value=category.position aria-label=label(tr!(admin.categories.position)) /></td>
            <td><A href=format!("/admin/products?category={}", category.id)>{category.products}</A></td>
            <td class="row-actions">
                <ActionForm action=save attr:id=form>
                    <input type="hidden" name="id" value=category.id />
                    <button type="submit">{tr!(admin.categories.save)}</button>
                </ActionForm>
                {(category.products == 0).then(|| view! {
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=category.id />
                        <button type="submit" class="button-link">{tr!(admin.categories.delete)}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
