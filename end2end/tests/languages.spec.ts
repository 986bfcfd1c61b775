import { test, expect, Page } from "@playwright/test";
import { expectText, failOnPageErrors, MAIL_DIR, plain, receivedMails, waitForHydration } from "./shop";

/**
 * The shop in Lithuanian: a shopper whose browser asks for Lithuanian lands on the Lithuanian
 * shop, buys through the sandbox (which, like Paysera, is asked for `lang=LIT`) and is e-mailed in
 * Lithuanian; another switches language half-way through and keeps the cart.
 */

/** On the Lithuanian checkout page: fills in the form with its Lithuanian labels and pays. */
async function placeOrderInLithuanian(page: Page) {
  await page.getByLabel("El. paštas").fill("ona@example.lt");
  await page.getByLabel("Vardas").fill("Ona");
  await page.getByLabel("Pavardė").fill("Onaitė");
  await page.getByLabel("Gatvė ir namo numeris").fill("Gedimino pr. 1");
  await page.getByLabel("Miestas").fill("Vilnius");
  await page.getByLabel("Pašto kodas").fill("01103");
  await page.getByLabel("Swedbank").check();
  await page.getByLabel("Sutinku su pardavimo sąlygomis").check();
  await page.getByRole("button", { name: "Pateikti užsakymą ir apmokėti" }).click();
}

for (const hydrated of [true, false]) {
  test.describe(hydrated ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: hydrated, locale: "lt-LT" });

    test("a Lithuanian shopper buys entirely in Lithuanian and is e-mailed in Lithuanian", async ({ page }) => {
      if (hydrated) failOnPageErrors(page);
      await page.goto("/p/brass-pen");
      await expect(page).toHaveURL(/\/lt\/p\/brass-pen$/);
      await expect(page.locator("html")).toHaveAttribute("lang", "lt");
      if (hydrated) await waitForHydration(page);
      await page.getByRole("button", { name: "Į krepšelį" }).click();
      await expectText(page, "cart-count", "1");
      await expect(page.getByTestId("cart-count")).toHaveAttribute("aria-label", "1 prekė");

      await page.goto("/lt/cart");
      await page.getByRole("link", { name: "Atsiskaityti" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Atsiskaitymas" })).toBeVisible();
      if (hydrated) await waitForHydration(page);
      // Errors are in Lithuanian too.
      await page.getByRole("button", { name: "Pateikti užsakymą ir apmokėti" }).click();
      await expect(page.getByText("Įveskite tinkamą el. pašto adresą")).toBeVisible();
      await expect(page.getByText("Sutikite su pardavimo sąlygomis.")).toBeVisible();
      await expect(page.getByRole("group", { name: "Mokėjimas" })).toContainText("Elektroninė bankininkystė");
      await expect(page.getByLabel(/Kurjeris iki durų/)).toBeChecked();
      await placeOrderInLithuanian(page);

      // The sandbox plays Paysera in the language the shop asked for.
      await expect(page.getByRole("heading", { level: 1, name: "Paysera bandomoji aplinka" })).toBeVisible();
      await expect(page.getByTestId("sandbox-amount")).toHaveText(/38,90/);
      await page.getByRole("button", { name: "Mokėti", exact: true }).click();
      await expect(page).toHaveURL(/\/lt\/checkout\/accept\?order=/);
      await expect(page.getByRole("heading", { level: 1 })).toContainText("Ačiū! Užsakymas nr.");
      await expect(page.getByTestId("order-status")).toHaveText("Mokėjimas gautas");
      await expectText(page, "order-total", "38,90 €");
      const number = (await page.getByRole("heading", { level: 1 }).textContent())?.match(/\d+/)?.[0] ?? "";
      expect(number).not.toBe("");

      expect(MAIL_DIR, "MAIL_DIR: where the SMTP sink keeps messages (scripts/test.sh sets it)").not.toBe("");
      const confirmation = () => receivedMails().find((m) => m.includes(`Užsakymas nr. ${number},`));
      await expect.poll(() => confirmation() !== undefined, { timeout: 15_000 }).toBe(true);
      const mail = plain(confirmation() ?? "");
      expect(mail).toContain("Sveiki, Ona,");
      expect(mail).toContain("dėkojame už užsakymą");
      expect(mail).toContain("Pristatymas: Kurjeris iki durų: 3,90 €");
      expect(mail).toContain("Iš viso: 38,90 €");
      expect(mail).toMatch(/\d{4} m\. \S+ \d{1,2} d\./);
      expect(mail).toContain(`/lt/checkout/accept?order=`);
    });
  });
}

test.describe("switching language", () => {
  test.use({ locale: "en-GB" });

  test("a shopper switches to Lithuanian half-way through checkout and keeps the cart", async ({ page }) => {
    failOnPageErrors(page);
    await page.goto("/p/enamel-mug");
    await expect(page).toHaveURL(/\/en\/p\/enamel-mug$/);
    await waitForHydration(page);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await expectText(page, "cart-count", "1");
    await page.goto("/en/checkout");
    await expect(page.getByRole("heading", { level: 1, name: "Checkout" })).toBeVisible();

    await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Lietuvių" }).click();
    await expect(page).toHaveURL(/\/lt\/checkout$/);
    await expect(page.getByRole("heading", { level: 1, name: "Atsiskaitymas" })).toBeVisible();
    await expectText(page, "cart-count", "1");
    await expect(page.getByRole("complementary", { name: "Užsakymo suvestinė" })).toContainText("Enamel");

    // The choice is remembered: an address without a language now opens in Lithuanian.
    await page.goto("/cart");
    await expect(page).toHaveURL(/\/lt\/cart$/);
    await expect(page.getByRole("heading", { level: 1, name: "Jūsų krepšelis" })).toBeVisible();
    await page.getByRole("navigation", { name: "Kalba" }).getByRole("link", { name: "English" }).click();
    await expect(page).toHaveURL(/\/en\/cart$/);
    await expectText(page, "cart-subtotal", "12,50 €");
  });
});
