import { test, expect, Page } from "@playwright/test";
import { expectText, failOnPageErrors, plain, waitForHydration } from "./shop";

/**
 * A shopper browses a category, searches, opens a product, puts two products in the cart, changes
 * a quantity, removes one, and checks the totals: once with the hydrated app, once without JavaScript.
 */
async function shoppingTrip(page: Page, hydrated: boolean) {
  const ready = async () => {
    if (hydrated) await waitForHydration(page);
  };

  await page.goto("/");
  await ready();
  await expect(page).toHaveTitle("Turgus");

  // Browses the kitchen category, cheapest first.
  await page.getByRole("navigation", { name: "Categories" }).getByRole("link", { name: "Kitchen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Kitchen" })).toBeVisible();
  await expect(page).toHaveTitle("Kitchen · Turgus");
  await ready();
  await page.getByLabel("Sort by").selectOption("price");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/sort=price/);
  await expect(page.locator(".product-tile .tile-name").first()).toHaveText("Enamel Camp Mug");

  // Searches for linen and opens the apron.
  await ready();
  await page.getByRole("searchbox", { name: "Search products" }).fill("linen");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Results for “linen”");
  await page.getByRole("link", { name: "Linen Apron" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Linen Apron" })).toBeVisible();
  expect(plain(await page.locator(".price").textContent())).toBe("29,50 €");

  // Two aprons into the cart.
  await ready();
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();
  if (hydrated) {
    await expect(page.getByRole("status")).toContainText("Added 2 × Linen Apron to your cart.");
  } else {
    await expect(page).toHaveURL(/\/cart$/);
  }
  await expectText(page, "cart-count", "2");

  // And one enamel mug.
  await page.goto("/p/enamel-mug");
  await ready();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expectText(page, "cart-count", "3");

  // The cart adds it up: 2 × 29,50 + 12,50.
  await page.getByRole("link", { name: /^Cart/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your cart" })).toBeVisible();
  await ready();
  await expectText(page, "cart-total", "71,50 €");

  // Three mugs instead of one: 59,00 + 37,50.
  const mug = page.locator('tr[data-product="enamel-mug"]');
  await mug.getByLabel("Quantity of Enamel Camp Mug").fill("3");
  await mug.getByRole("button", { name: "Update" }).click();
  await expectText(page, "cart-total", "96,50 €");
  await expectText(page, "cart-count", "5");

  // No aprons after all.
  await ready();
  await page.getByRole("button", { name: "Remove Linen Apron" }).click();
  await expect(page.locator("tr.cart-line")).toHaveCount(1);
  await expectText(page, "cart-total", "37,50 €");
  await expectText(page, "cart-count", "3");
  expect(plain(await mug.locator(".line-total").textContent())).toBe("37,50 €");
}

test.describe("with JavaScript", () => {
  test("a shopper browses, searches and fills the cart", async ({ page }) => {
    failOnPageErrors(page);
    await shoppingTrip(page, true);
  });

  test("adding to the cart updates the page in place, without a page load", async ({ page }) => {
    failOnPageErrors(page);
    await page.goto("/p/oak-cutting-board");
    await waitForHydration(page);
    // A marker on the window: a real navigation would wipe it.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.getByRole("button", { name: "Add to cart" }).click();
    await expectText(page, "cart-count", "1");
    await expect(page.getByRole("status")).toContainText("Added 1 × Oak Cutting Board");
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  test("asking for more than the stock explains how many are left", async ({ page }) => {
    await page.goto("/p/hand-grinder");
    await waitForHydration(page);
    // The browser's own max= check would stop the form first; a determined shopper gets past it.
    await page.getByLabel("Quantity").evaluate((input) => input.removeAttribute("max"));
    await page.getByLabel("Quantity").fill("6");
    await page.getByRole("button", { name: "Add to cart" }).click();
    await expect(page.getByRole("alert")).toHaveText("Sorry, only 5 of Hand Coffee Grinder left in stock.");
    await expectText(page, "cart-count", "0");
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a shopper browses, searches and fills the cart", async ({ page }) => {
    await shoppingTrip(page, false);
  });

  test("a bad quantity is explained on the product page", async ({ page }) => {
    await page.goto("/p/hand-grinder");
    await page.getByLabel("Quantity").evaluate((input) => input.removeAttribute("max"));
    await page.getByLabel("Quantity").fill("6");
    await page.getByRole("button", { name: "Add to cart" }).click();
    // The error comes back in the address; only its kind is read from there, the words are the shop's.
    await expect(page.getByRole("alert")).toHaveText(
      "There is not enough in stock for that quantity, or your cart is full.",
    );
    await expect(page.getByRole("heading", { level: 1, name: "Hand Coffee Grinder" })).toBeVisible();
  });
});

test("an unknown page gets the friendly 404 page", async ({ page }) => {
  const response = await page.goto("/p/no-such-thing");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Not found");
  await expect(page.getByRole("link", { name: "Back to the shop" })).toBeVisible();
});
