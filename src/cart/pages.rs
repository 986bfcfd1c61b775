//! The cart's components: the header link, the add-to-cart form, the cart page and the notice
//! that reports what the last cart action did.

use super::{get_cart, AddToCart, CartLine, CartView, EmptyCart, RemoveCartLine, UpdateCartLine};
use crate::app::load_page;
use crate::error::AppError;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// The cart's actions and its priced view, shared by every component that shows or changes it.
#[derive(Clone, Copy)]
pub struct Cart {
    pub add: ServerAction<AddToCart>,
    pub update: ServerAction<UpdateCartLine>,
    pub remove: ServerAction<RemoveCartLine>,
    pub empty: ServerAction<EmptyCart>,
    /// Re-read from the server after every action, so totals always come from the database.
    pub view: Resource<Result<CartView, AppError>>,
    /// What the last action said ("Added…", "Only 3 left…"), shown above the page.
    notice: RwSignal<Option<Result<String, AppError>>>,
}

/// Creates the cart's actions and view; call once, inside the router.
pub fn provide_cart() {
    let add = ServerAction::<AddToCart>::new();
    let update = ServerAction::<UpdateCartLine>::new();
    let remove = ServerAction::<RemoveCartLine>::new();
    let empty = ServerAction::<EmptyCart>::new();
    let view = Resource::new(
        move || {
            (
                add.version().get(),
                update.version().get(),
                remove.version().get(),
                empty.version().get(),
            )
        },
        |_| get_cart(),
    );
    let notice = RwSignal::new(error_from_form_post());
    report(add, notice);
    report(update, notice);
    report(remove, notice);
    report(empty, notice);
    // A new page starts without the previous page's message.
    let location = use_location();
    Effect::watch(
        move || location.pathname.get(),
        move |_, _, _| notice.set(None),
        false,
    );
    provide_context(Cart {
        add,
        update,
        remove,
        empty,
        view,
        notice,
    });
}

/// A form posted without JavaScript that failed comes back to its page with the error in the URL
/// (`__path`, `__err`). Read it here rather than in each action, since the cart's actions are
/// created above the routes.
fn error_from_form_post() -> Option<Result<String, AppError>> {
    let query = use_location().query.read_untracked();
    let path = query.get_str("__path")?;
    let cart_paths = [
        AddToCart::PATH,
        UpdateCartLine::PATH,
        RemoveCartLine::PATH,
        EmptyCart::PATH,
    ];
    cart_paths.contains(&path).then(|| {
        Err(ServerFnUrlError::<AppError>::decode_err(
            query.get_str("__err").unwrap_or_default(),
        ))
    })
}

/// Copies each new result of an action into the notice.
fn report<S>(action: ServerAction<S>, notice: RwSignal<Option<Result<String, AppError>>>)
where
    S: ServerFn<Output = String, Error = AppError> + Clone + Send + Sync + 'static,
{
    Effect::watch(
        move || action.value().get(),
        move |result, _, _| {
            if let Some(result) = result {
                notice.set(Some(result.clone()));
            }
        },
        false,
    );
}

pub fn use_cart() -> Cart {
    expect_context()
}

#[component]
pub fn CartNotice() -> impl IntoView {
    let cart = use_cart();
    move || {
        cart.notice.get().map(|result| match result {
            Ok(message) => view! {
                <div class="notice notice-ok" role="status">
                    <span>{message}</span>" "<A href="/cart">"View cart"</A>
                </div>
            }
            .into_any(),
            Err(error) => view! {
                <ErrorNotice error=error />
            }
            .into_any(),
        })
    }
}

#[component]
pub fn CartLink() -> impl IntoView {
    let cart = use_cart();
    let count = move || {
        cart.view
            .get()
            .and_then(|view| view.ok())
            .map(|view| view.item_count)
            .unwrap_or(0)
    };
    view! {
        <A href="/cart" attr:class="cart-link">
            <span>"Cart"</span>
            <Transition fallback=|| view! { <span class="cart-count">"0"</span> }>
                <span class="cart-count" data-testid="cart-count" aria-label=move || format!("{} items", count())>
                    {count}
                </span>
            </Transition>
        </A>
    }
}

#[component]
pub fn AddToCartForm(product_id: i64, max: u32) -> impl IntoView {
    let cart = use_cart();
    view! {
        <ActionForm action=cart.add attr:class="add-to-cart">
            <input type="hidden" name="product_id" value=product_id />
            <label for="quantity">"Quantity"</label>
            <input id="quantity" type="number" name="quantity" value="1" min="1" max=max.min(super::Quantity::MAX)
                inputmode="numeric" required />
            <button type="submit" class="button-primary" disabled=move || cart.add.pending().get()>
                "Add to cart"
            </button>
        </ActionForm>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let cart = use_cart();
    view! {
        <Title text="Your cart" />
        <Meta name="robots" content="noindex" />
        <h1>"Your cart"</h1>
        {load_page(cart.view, |view| {
            if view.lines.is_empty() {
                return view! {
                    <p class="empty-cart">"Your cart is empty."</p>
                    <p><A href="/">"Start shopping"</A></p>
                }
                .into_any();
            }
            view! { <CartContents view /> }.into_any()
        })}
    }
}

#[component]
fn CartContents(view: CartView) -> impl IntoView {
    let cart = use_cart();
    let has_problems = view.has_problems();
    view! {
        <table class="cart-table">
            <thead>
                <tr>
                    <th scope="col">"Product"</th>
                    <th scope="col">"Price"</th>
                    <th scope="col">"Quantity"</th>
                    <th scope="col">"Total"</th>
                    <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                </tr>
            </thead>
            <tbody>
                {view.lines.into_iter().map(|line| view! { <CartRow line /> }).collect_view()}
            </tbody>
        </table>
        <div class="cart-summary">
            {has_problems.then(|| view! {
                <p class="line-problem">"Some items cannot be bought as they are; they are not counted in the total."</p>
            })}
            <dl>
                <dt>"Subtotal"</dt>
                <dd data-testid="cart-subtotal">{view.subtotal.to_string()}</dd>
                <dt>"Total"</dt>
                <dd data-testid="cart-total" class="total">{view.total.to_string()}</dd>
            </dl>
            <p class="muted">"Shipping is calculated at checkout."</p>
            {(!has_problems).then(|| view! { <A href="/checkout" attr:class="button-primary checkout-button">"Checkout"</A> })}
            <ActionForm action=cart.empty attr:class="empty-form">
                <button type="submit" class="button-link">"Empty cart"</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn CartRow(line: CartLine) -> impl IntoView {
    let cart = use_cart();
    let quantity_id = format!("quantity-{}", line.product_id);
    let quantity_label = format!("Quantity of {}", line.name);
    let remove_label = format!("Remove {}", line.name);
    view! {
        <tr class="cart-line" data-product=line.slug.clone()>
            <td class="line-product">
                {line.image.map(|image| view! { <img src=image.path alt="" width="64" height="64" /> })}
                <div>
                    <A href=format!("/p/{}", line.slug)>{line.name}</A>
                    {line.problem.map(|problem| view! { <p class="line-problem">{problem.describe()}</p> })}
                </div>
            </td>
            <td data-label="Price">{line.unit_price.to_string()}</td>
            <td data-label="Quantity">
                <ActionForm action=cart.update attr:class="quantity-form">
                    <input type="hidden" name="product_id" value=line.product_id />
                    <label class="visually-hidden" for=quantity_id.clone()>{quantity_label}</label>
                    <input id=quantity_id type="number" name="quantity" value=line.quantity.get()
                        min="1" max=super::Quantity::MAX inputmode="numeric" required />
                    <button type="submit">"Update"</button>
                </ActionForm>
            </td>
            <td data-label="Total" class="line-total">{line.line_total.to_string()}</td>
            <td>
                <ActionForm action=cart.remove>
                    <input type="hidden" name="product_id" value=line.product_id />
                    <button type="submit" class="button-link" aria-label=remove_label>"Remove"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
