import { test, expect, Page } from "@playwright/test";
import { expectText, failOnPageErrors, logIn, waitForHydration } from "./shop";

/**
 * A shopper in Kaunas sends a mug to an Omniva parcel locker: they choose "Omniva parcel locker",
 * narrow the list of Lithuania's lockers to Kaunas (live as they type with JavaScript, with
 * "Find" without it), pick the one on Taikos prospektas, give a phone number typed the local way
 * and pay in the sandbox. The accept page names the locker; the merchant sees it, with the phone
 * in international form, on the order.
 */
test.describe.configure({ mode: "serial" });

const LOCKER = "Kauno IKI Taikos paštomatas";

async function toCheckout(page: Page, hydrated: boolean) {
  await page.goto("/p/enamel-mug");
  if (hydrated) await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expectText(page, "cart-count", "1");
  await page.goto("/checkout");
  if (hydrated) await waitForHydration(page);
}

async function fillContact(page: Page) {
  await page.getByLabel("E-mail").fill("ona@example.lt");
  await page.getByLabel("First name").fill("Ona");
  await page.getByLabel("Last name").fill("Onaitė");
  await page.getByLabel(/Omniva parcel locker/).check();
}

async function pickLocker(page: Page) {
  const option = page.locator("#point-select option", { hasText: LOCKER });
  await page.locator("#point-select").selectOption((await option.getAttribute("value")) ?? "");
  await page.getByLabel("Phone").fill("8 612 34567");
}

async function placeAndReachSandbox(page: Page) {
  await page.getByLabel("Choose at Paysera").check();
  await page.getByLabel("I accept the terms of sale").check();
  await page.getByRole("button", { name: "Place order and pay" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Paysera sandbox" })).toBeVisible();
}

test("with JavaScript the list narrows as the shopper types, and the merchant sees the locker", async ({ page, browser }) => {
  failOnPageErrors(page);
  await toCheckout(page, true);
  await fillContact(page);
  const vilnius = page.locator("#point-select optgroup[label='Vilniaus m.']");
  await expect(vilnius).not.toHaveAttribute("hidden");
  await page.getByLabel("Search the points").pressSequentially("kaunas");
  await expect(vilnius).toHaveAttribute("hidden", "");
  await expect(page.locator("#point-select optgroup[label='Kauno m.']")).not.toHaveAttribute("hidden");
  await pickLocker(page);
  await placeAndReachSandbox(page);
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Payment received");
  await expect(page.getByTestId("order-point")).toContainText(LOCKER);
  const number = (await page.getByRole("heading", { level: 1 }).textContent())?.match(/\d+/)?.[0] ?? "";

  const merchant = await browser.newPage();
  await logIn(merchant);
  await merchant.goto(`/admin/orders/${number}`);
  await expect(merchant.getByText(LOCKER)).toBeVisible();
  await expect(merchant.getByText("+37061234567")).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("Find narrows the list on the server and the order goes to the locker", async ({ page }) => {
    await toCheckout(page, false);
    await fillContact(page);
    await page.getByLabel("Search the points").fill("kaunas");
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page.locator("#point-select optgroup[label='Kauno m.']")).toHaveCount(1);
    await expect(page.locator("#point-select optgroup[label='Vilniaus m.']")).toHaveCount(0);
    // What was typed is still there.
    await expect(page.getByLabel("First name")).toHaveValue("Ona");
    await pickLocker(page);
    await placeAndReachSandbox(page);
  });
});
