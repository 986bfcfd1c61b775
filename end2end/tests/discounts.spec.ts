import { test, expect, Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminMenu, expectText, failOnPageErrors, fillShopper, logIn, placeOrder, plain, waitForHydration } from "./shop";

/**
 * The merchant makes the tea a reduced-rate product and creates RUDUO10 (10 % off) in
 * Admin → Discounts. A shopper with JavaScript and one without put two teas (12 %) and a mug
 * (21 %) in the cart, apply the code at checkout and see the server's figures: 3,03 € off, 31,17 €
 * to pay, 2,63 € VAT at 21 % and 1,72 € at 12 %. One pays in the sandbox, and the invoice's VAT
 * lines (read by poppler's `pdftotext`, which `make test` installs) are those of the discounted
 * amounts. The merchant then archives the code and puts the tea back to the standard rate.
 */
test.describe.configure({ mode: "serial" });

async function setTeaClass(page: Page, label: string) {
  await adminMenu(page, "Products").click();
  await page.getByRole("link", { name: "Linden Blossom Tea" }).first().click();
  await page.getByLabel("VAT class").selectOption({ label });
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByText("Saved.").first()).toBeVisible();
}

async function fillCartAndApply(page: Page, hydrated: boolean) {
  let items = 0;
  for (const product of ["/p/linden-blossom-tea", "/p/linden-blossom-tea", "/p/enamel-mug"]) {
    await page.goto(product);
    if (hydrated) await waitForHydration(page);
    await page.getByRole("button", { name: "Add to cart" }).click();
    items += 1;
    await expectText(page, "cart-count", String(items));
  }
  await page.goto("/checkout");
  await expect(page.getByRole("heading", { level: 1, name: "Checkout" })).toBeVisible();
  await page.getByLabel("Discount code").fill("nera");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("discount-error")).toContainText("That code does not work here.");
  await page.getByLabel("Discount code").fill("ruduo10");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("discount-applied")).toContainText("Code RUDUO10 applied.");
  expect(plain(await page.getByTestId("discount").textContent())).toBe("−3,03 €");
  expect(plain(await page.getByTestId("checkout-total").textContent())).toBe("31,17 €");
  expect(plain(await page.getByTestId("checkout-vat").textContent())).toBe("2,63 € (21 %) · 1,72 € (12 %)");
  if (hydrated) await waitForHydration(page);
}

test("a merchant's code, applied with JavaScript, is paid and invoiced at the discounted VAT", async ({ page, browser }) => {
  failOnPageErrors(page);
  await test.step("the merchant makes the tea reduced-rate and creates RUDUO10", async () => {
    await logIn(page);
    await setTeaClass(page, "Reduced rate");
    await adminMenu(page, "Discounts").click();
    await page.getByRole("link", { name: "New code" }).click();
    await page.getByLabel("Code", { exact: true }).fill("RUDUO10");
    await page.getByLabel("What it takes off").selectOption("percent");
    await page.getByLabel("Percentage or amount").fill("10");
    await page.getByRole("button", { name: "Save the code" }).click();
    await expect(page.getByTestId("discount-RUDUO10")).toContainText("10 % off");
  });

  const shopper = await browser.newPage();
  failOnPageErrors(shopper);
  await test.step("a shopper applies it to a mixed-rate cart and pays", async () => {
    await fillCartAndApply(shopper, true);
    await placeOrder(shopper, { payment: "Choose at Paysera", amount: /31,17/ });
    await shopper.getByRole("button", { name: "Pay", exact: true }).click();
    await expect(shopper.getByTestId("order-status")).toHaveText("Payment received");
    expect(plain(await shopper.getByTestId("discount").textContent())).toBe("−3,03 €");
  });

  await test.step("the invoice's VAT lines are those of the discounted amounts", async () => {
    await shopper.reload();
    const link = shopper.getByTestId("order-documents").getByRole("link").first();
    const pdf = await shopper.request.get((await link.getAttribute("href")) ?? "");
    expect(pdf.status()).toBe(200);
    const file = join(mkdtempSync(join(tmpdir(), "invoice-")), "invoice.pdf");
    writeFileSync(file, await pdf.body());
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString().replace(/\s+/g, " ");
    expect(text).toContain("discount 1,78 € included");
    expect(text).toMatch(/12 %[^€]*14,30 €[^€]*1,72 €/);
    expect(text).toMatch(/21 %[^€]*12,52 €[^€]*2,63 €/);
    expect(text).toContain("31,17 €");
  });

  await test.step("the merchant sees the use, paid, with the discount given", async () => {
    await adminMenu(page, "Discounts").click();
    const row = page.getByTestId("discount-RUDUO10");
    await expect(row).toContainText("3,03");
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the same code applies with the same figures and the order asks Paysera for them", async ({ page }) => {
    await fillCartAndApply(page, false);
    await fillShopper(page);
    await page.getByLabel("Choose at Paysera").check();
    await page.getByLabel("I accept the terms of sale").check();
    await page.getByRole("button", { name: "Place order and pay" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Paysera sandbox" })).toBeVisible();
    await expect(page.getByTestId("sandbox-amount")).toHaveText(/31,17/);
  });
});

test("the merchant archives the code and puts the tea back to the standard rate", async ({ page }) => {
  await logIn(page);
  await adminMenu(page, "Discounts").click();
  await page.getByRole("link", { name: "RUDUO10" }).click();
  await page.getByRole("button", { name: "Remove the code" }).click();
  await expect(page.getByTestId("discount-RUDUO10")).toContainText("archived");
  await setTeaClass(page, "Standard rate");
});
