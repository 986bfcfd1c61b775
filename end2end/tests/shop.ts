import { expect, Page } from "@playwright/test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Prices are formatted with non-breaking spaces (`12,50 €`); compare them as plain text. */
export function plain(text: string | null): string {
  return (text ?? "").replace(/\u00a0/g, " ").trim();
}

export async function expectText(page: Page, testId: string, text: string) {
  await expect.poll(async () => plain(await page.getByTestId(testId).textContent())).toBe(text);
}

/** Waits until the WASM has taken over the page: clicks made before that would be lost. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
}

/** Fails the test on any uncaught error in the page (a broken WASM shows up here), and on
 * anything the Content-Security-Policy blocked. */
export function failOnPageErrors(page: Page) {
  page.on("pageerror", (error) => {
    throw new Error(`page error: ${error.message}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /Content.Security.Policy/i.test(message.text())) {
      throw new Error(`blocked by the CSP: ${message.text()}`);
    }
  });
}

/** A shopper buys one of `product` and goes to Paysera (the sandbox), paying with `payment`. */
export async function checkOut(
  page: Page,
  { product, hydrated, payment, amount }: { product: string; hydrated: boolean; payment: string; amount: RegExp },
) {
  await page.goto(product);
  if (hydrated) await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expectText(page, "cart-count", "1");
  await page.goto("/cart");
  if (hydrated) await waitForHydration(page);
  await page.getByRole("link", { name: "Checkout" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Checkout" })).toBeVisible();
  if (hydrated) await waitForHydration(page);
  await placeOrder(page, { payment, amount });
}

/** On the checkout page: Ona's contact and address. */
export async function fillShopper(page: Page) {
  await page.getByLabel("E-mail").fill("ona@example.lt");
  await page.getByLabel("First name").fill("Ona");
  await page.getByLabel("Last name").fill("Onaitė");
  await page.getByLabel("Street and house number").fill("Gedimino pr. 1");
  await page.getByLabel("City").fill("Vilnius");
  await page.getByLabel("Postcode").fill("01103");
}

/** On the checkout page: fills in the shopper's details, places the order and arrives at the
 * sandbox's payment page, which asks for `amount`. */
export async function placeOrder(page: Page, { payment, amount }: { payment: string; amount: RegExp }) {
  await fillShopper(page);
  await page.getByLabel(payment).check();
  await page.getByLabel("I accept the terms of sale").check();
  await page.getByRole("button", { name: "Place order and pay" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Paysera sandbox" })).toBeVisible();
  await expect(page.getByTestId("sandbox-amount")).toHaveText(amount);
}

// `make test` creates this account before starting the shop (see scripts/test.sh).
export const OWNER = process.env.ADMIN_EMAIL ?? "owner@example.lt";
export const PASSWORD = process.env.ADMIN_PASSWORD ?? "correct horse battery staple";
// A second owner whose admin is in Lithuanian (`turgus admin create --lang lt`), same password.
export const OWNER_LT = process.env.ADMIN_LT_EMAIL ?? "savininkas@example.lt";

export function adminMenu(page: Page, item: string) {
  return page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: item });
}

/** Logs in as the owner, by way of a page only admins may see. */
export async function logIn(page: Page) {
  await page.goto("/admin/orders");
  await expect(page).toHaveURL(/\/admin\/login\?next=/);
  await page.getByLabel("E-mail").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
}

/** Where the SMTP sink keeps each message it receives (scripts/test.sh runs end2end/smtp-sink.py). */
export const MAIL_DIR = process.env.MAIL_DIR ?? "";

/** The messages the sink has received so far, as text with quoted-printable undone (soft line
 * breaks joined, `=XX` bytes decoded as UTF-8). */
export function receivedMails(): string[] {
  if (!existsSync(MAIL_DIR)) return [];
  const unquote = (text: string) =>
    text
      .replace(/=\r\n/g, "")
      .replace(/(=[0-9A-F]{2})+/g, (run) => Buffer.from(run.replace(/=/g, ""), "hex").toString("utf8"));
  return readdirSync(MAIL_DIR)
    .filter((name) => name.endsWith(".eml") && !name.startsWith("."))
    .map((name) => unquote(readFileSync(join(MAIL_DIR, name), "utf8")));
}
