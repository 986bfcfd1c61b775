import { test, expect, type Page } from "@playwright/test";
import { failOnPageErrors, logIn, placeOrder, waitForHydration } from "./shop";

/**
 * The demo's linen shirt comes in sizes and colours (S, M, L × Natural, Navy; S and L in Navy
 * sold out, L dearer, M / Natural on sale, a photo per colour). A shopper picks M and Navy, sees
 * the price and photo change, buys that variant, and the owner sees that variant's stock go down;
 * a sold-out combination cannot be bought.
 */

/** The M / Navy row's stock, as the admin's product page shows it. */
async function stockOfMNavy(admin: Page): Promise<number> {
  await admin.goto("/admin/products?q=linen+shirt");
  await admin.getByRole("link", { name: "Linen Shirt" }).click();
  const stock = admin.getByTestId("variant-linen-shirt-m-navy").getByRole("spinbutton", { name: /^Stock/ });
  return Number(await stock.inputValue());
}

for (const javaScriptEnabled of [true, false]) {
  test(`a shopper picks M and Navy and buys that shirt (${javaScriptEnabled ? "with" : "without"} JavaScript)`, async ({ browser }) => {
    const owner = await browser.newPage();
    await logIn(owner);
    const before = await stockOfMNavy(owner);

    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    failOnPageErrors(page);
    const open = async (address: string) => {
      await page.goto(address);
      if (javaScriptEnabled) await waitForHydration(page);
    };

    await test.step("the page offers each size and colour, and says which are sold out", async () => {
      await open("/p/linen-shirt");
      await expect(page.getByRole("group", { name: "Size" })).toBeVisible();
      await expect(page.getByRole("group", { name: "Colour" })).toBeVisible();
      await expect(page.locator(".price")).toHaveText(/59,00/);
      await open("/p/linen-shirt?variant=linen-shirt-l-natural");
      await expect(page.locator(".price")).toHaveText(/64,00/);
      await expect(page.getByLabel("L", { exact: true })).toBeChecked();
      if (javaScriptEnabled) {
        // The chosen variant's price (M / Natural is on sale), stock and photo show at once,
        // without a request.
        await page.getByLabel("M", { exact: true }).check();
        await expect(page.locator(".price-now")).toHaveText(/49,00/);
        await expect(page.locator(".price-was")).toBeVisible();
        await expect(page.locator(".price-was")).toHaveText(/59,00/);
        await expect(page.locator(".stock")).toContainText("6");
        await expect(page.locator(".product-image")).toHaveAttribute("src", /linen-shirt-natural\.svg/);
        await page.getByLabel("Navy").check();
        await expect(page.locator(".price-now")).toHaveText(/59,00/);
        await expect(page.locator(".price-was")).toBeHidden();
        await expect(page.locator(".product-image")).toHaveAttribute("src", /linen-shirt\.svg/);
        await expect(page.locator(".product-image")).toHaveAttribute("alt", "Linen Shirt, Navy");
      } else {
        // Each variant has its address: its price, regular price and photo, rendered.
        await open("/p/linen-shirt?variant=linen-shirt-m-natural");
        await expect(page.locator(".price-now")).toHaveText(/49,00/);
        await expect(page.locator(".price-was")).toHaveText(/59,00/);
        await expect(page.locator(".product-image")).toHaveAttribute("src", /linen-shirt-natural\.svg/);
      }
    });

    await test.step("a sold-out combination is refused", async () => {
      await open("/p/linen-shirt");
      await page.getByLabel("S", { exact: true }).check();
      await page.getByLabel("Navy").check();
      await page.getByRole("button", { name: "Add to cart" }).click();
      await expect(page.getByRole("alert")).toContainText(javaScriptEnabled ? "sold out" : "not enough in stock");
    });

    await test.step("M in Navy goes into the cart under its own name", async () => {
      await open("/p/linen-shirt");
      await page.getByLabel("M", { exact: true }).check();
      await page.getByLabel("Navy").check();
      await page.getByRole("button", { name: "Add to cart" }).click();
      if (javaScriptEnabled) await expect(page.getByRole("status")).toContainText("Linen Shirt — M, Navy");
      await open("/cart");
      await expect(page.getByRole("link", { name: "Linen Shirt — M, Navy" })).toBeVisible();
    });

    await test.step("and is bought through the sandbox", async () => {
      await page.getByRole("link", { name: "Checkout" }).click();
      if (javaScriptEnabled) await waitForHydration(page);
      // 59,00 € shirt + 3,90 € courier.
      await placeOrder(page, { payment: "Swedbank", amount: /62,90/ });
      await page.getByRole("button", { name: "Pay", exact: true }).click();
      await expect(page.getByTestId("order-status")).toHaveText("Payment received");
    });

    await test.step("the owner sees that variant's stock one lower", async () => {
      expect(await stockOfMNavy(owner)).toBe(before - 1);
    });
    await context.close();
    await owner.close();
  });
}
