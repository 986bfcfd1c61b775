import { test, expect, Page } from "@playwright/test";
import { checkOut, expectText, failOnPageErrors, waitForHydration } from "./shop";

/**
 * A shopper buys through the built-in Paysera sandbox: checkout, Paysera's page, back to the shop,
 * where the order shows as paid once the sandbox's server-to-server callback has arrived.
 */
async function fillCheckout(page: Page, hydrated: boolean, payment: string) {
  // 35,00 € pen + 3,90 € courier.
  await checkOut(page, { product: "/p/brass-pen", hydrated, payment, amount: /38,90/ });
}

for (const hydrated of [true, false]) {
  test.describe(hydrated ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: hydrated });

    test("a shopper pays through the sandbox and sees the order paid", async ({ page }) => {
      if (hydrated) failOnPageErrors(page);
      await fillCheckout(page, hydrated, "Swedbank");
      await expect(page.getByTestId("sandbox-method")).toHaveText("hanza");
      await page.getByRole("button", { name: "Pay", exact: true }).click();
      await expect(page.getByRole("heading", { level: 1 })).toContainText("Thank you! Order nr.");
      await expect(page.getByTestId("order-status")).toHaveText("Payment received");
      await expectText(page, "order-total", "38,90 €");
      await expectText(page, "cart-count", "0");
    });
  });
}

test("SMS bank is sent to Paysera as payment=smsbank", async ({ page }) => {
  await fillCheckout(page, true, "SMS bank");
  await expect(page.getByTestId("sandbox-method")).toHaveText("SMS bank (smsbank)");
  await page.getByRole("button", { name: "Accepted by the bank, then paid" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Payment received");
});

test("a cancelled payment puts the items back into the cart", async ({ page }) => {
  await fillCheckout(page, true, "Choose at Paysera");
  await page.getByRole("button", { name: "Cancel and return to the shop" }).click();
  await expect(page.getByTestId("cancel-outcome")).toContainText("its items are back in your cart");
  await expectText(page, "cart-count", "1");
});

test("a test payment leaves the order unpaid", async ({ page }) => {
  await fillCheckout(page, true, "Choose at Paysera");
  await page.getByRole("button", { name: "Pay as a test payment" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Waiting for confirmation from your bank");
});

test("checkout explains what is missing and keeps what was typed", async ({ page }) => {
  await page.goto("/p/brass-pen");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expectText(page, "cart-count", "1");
  await page.goto("/checkout");
  await waitForHydration(page);
  // The browser accepts this address; the shop wants a dotted domain.
  await page.getByLabel("E-mail").fill("ona@example");
  await page.getByLabel("City").fill("Kaunas");
  await page.getByRole("button", { name: "Place order and pay" }).click();
  await expect(page.getByText("Please enter a valid e-mail address")).toBeVisible();
  await expect(page.getByText("Please accept the terms of sale.")).toBeVisible();
  await expect(page.getByLabel("City")).toHaveValue("Kaunas");
});
