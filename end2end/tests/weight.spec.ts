import { test, expect, Page, Response } from "@playwright/test";
import { expectText, failOnPageErrors, plain, waitForHydration } from "./shop";

/**
 * What a shopper's phone downloads: only the storefront's islands (never admin code), compressed
 * and cacheable for good; the checkout shows what will be paid; the header fits a phone.
 */

const WASM_BUDGET_GZIP = 100_000;
const JS_BUDGET_GZIP = 20_000;

/** Every built file (script, WASM, stylesheet) the page fetched, with what came over the wire. */
async function builtFiles(page: Page, path: string) {
  const responses: Response[] = [];
  const listener = (response: Response) => {
    if (new URL(response.url()).pathname.startsWith("/pkg/")) responses.push(response);
  };
  page.on("response", listener);
  await page.goto(path);
  await waitForHydration(page);
  page.off("response", listener);
  return Promise.all(
    responses.map(async (response) => ({
      path: new URL(response.url()).pathname,
      headers: await response.allHeaders(),
      transferred: (await response.request().sizes()).responseBodySize,
    })),
  );
}

test("storefront pages fetch no admin code, and their WASM and JS arrive compressed and cacheable", async ({ page }) => {
  failOnPageErrors(page);
  // A cart, so that the checkout shows its form.
  await page.goto("/p/brass-pen");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expectText(page, "cart-count", "1");

  const requested: string[] = [];
  page.on("request", (request) => requested.push(new URL(request.url()).pathname));
  for (const path of ["/", "/c/kitchen", "/p/linen-apron", "/search?q=linen", "/cart", "/checkout"]) {
    const files = await builtFiles(page, path);
    const wasm = files.filter((f) => f.path.endsWith(".wasm"));
    const js = files.filter((f) => f.path.endsWith(".js"));
    expect(wasm, `${path} loads one WASM file`).toHaveLength(1);
    expect(js, `${path} loads one script`).toHaveLength(1);
    for (const file of files) {
      expect(file.path, "content-hashed name").toMatch(/^\/pkg\/turgus\.[0-9a-f]{16}/);
      expect(["br", "gzip"], `${file.path} compressed`).toContain(file.headers["content-encoding"]);
      expect(file.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(file.headers["vary"]).toMatch(/accept-encoding/i);
    }
    expect(wasm[0].transferred).toBeLessThanOrEqual(WASM_BUDGET_GZIP);
    expect(js[0].transferred).toBeLessThanOrEqual(JS_BUDGET_GZIP);
  }
  expect(requested.filter((path) => /admin/i.test(path))).toEqual([]);
});

test("admin pages are plain server-rendered pages: no WASM at all", async ({ page }) => {
  const fetched: string[] = [];
  page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  await page.goto("/admin/login");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(fetched.filter((path) => path.endsWith(".wasm") || path.endsWith(".js"))).toEqual([]);
});

async function checkoutWithPen(page: Page, hydrated: boolean) {
  await page.goto("/p/brass-pen");
  if (hydrated) await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expectText(page, "cart-count", "1");
  await page.goto("/checkout");
  if (hydrated) await waitForHydration(page);
}

test.describe("the checkout shows the total to pay before the button", () => {
  test("with JavaScript it follows the shipping choice", async ({ page }) => {
    failOnPageErrors(page);
    await checkoutWithPen(page, true);
    // 35,00 € pen; courier (3,90 €) is the default.
    await expectText(page, "checkout-shipping", "3,90 €");
    await expectText(page, "checkout-total", "38,90 €");
    await page.getByLabel(/Omniva parcel locker/).check();
    await expectText(page, "checkout-shipping", "2,50 €");
    await expectText(page, "checkout-total", "37,50 €");
    // The same total right above the button (on a phone the summary is below it).
    await expect.poll(async () => plain(await page.locator(".pay-total").textContent())).toBe("Total to pay: 37,50 €");
    await page.getByLabel(/Pick up in Vilnius/).check();
    await expectText(page, "checkout-total", "35,00 €");
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });
    test("it shows the default choice's total", async ({ page }) => {
      await checkoutWithPen(page, false);
      await expectText(page, "checkout-shipping", "3,90 €");
      await expectText(page, "checkout-total", "38,90 €");
      expect(plain(await page.locator(".pay-total").textContent())).toBe("Total to pay: 38,90 €");
    });
  });
});

test("another country's payment methods come into the page without losing what was typed", async ({ page }) => {
  failOnPageErrors(page);
  await checkoutWithPen(page, true);
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  await page.getByLabel("E-mail").fill("ona@example.lt");
  await page.getByRole("navigation", { name: "Payment methods of" }).getByRole("link", { name: "Latvia" }).click();
  await expect(page.getByLabel("SEB (LV)")).toBeVisible();
  await expect(page.getByLabel("Luminor")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Latvia" })).toHaveAttribute("aria-current", "true");
  await expect(page.getByLabel("E-mail")).toHaveValue("ona@example.lt");
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the header's logo, search and cart take two rows at most", async ({ page }) => {
    await page.goto("/");
    const box = async (selector: string) => (await page.locator(`.header-row ${selector}`).boundingBox())!;
    const [brand, search, cart] = [await box(".brand"), await box(".search-form"), await box(".cart-link")];
    // Items on one row share their vertical centre (the row centres them).
    const centres = [brand, search, cart].map((b) => b.y + b.height / 2).sort((a, b) => a - b);
    const rows = centres.filter((centre, i) => i === 0 || centre - centres[i - 1] > 12).length;
    expect(rows).toBeLessThanOrEqual(2);
    // Nothing sticks out sideways, and the cart sits at the right edge of its row.
    for (const b of [brand, search, cart]) expect(b.x + b.width).toBeLessThanOrEqual(390);
    expect(cart.x + cart.width).toBeGreaterThan(390 - 40);
    expect(plain(await page.getByTestId("cart-count").textContent())).toBe("0");
  });
});
