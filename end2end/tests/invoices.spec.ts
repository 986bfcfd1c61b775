import { test, expect } from "@playwright/test";
import { adminMenu, expectText, failOnPageErrors, fillShopper, logIn, MAIL_DIR, placeOrder, receivedMails, waitForHydration } from "./shop";

/**
 * A company buyer pays and gets a VAT invoice: from the confirmation e-mail's link (the e-mail
 * reaches the SMTP sink scripts/test.sh runs). The merchant refunds the order, finds the credit
 * note on the order's page and in Admin → Invoices, and downloads the month's i.SAF file. The
 * shop runs in sandbox mode here, so its documents are numbered in the TEST- series.
 */
test("a company buyer's invoice comes by e-mail, and a refund's credit note and the i.SAF file are in the admin", async ({ page, browser }) => {
  expect(MAIL_DIR, "MAIL_DIR: where the SMTP sink keeps messages (scripts/test.sh sets it)").not.toBe("");
  failOnPageErrors(page);

  await test.step("the merchant gives the seller's company code (i.SAF names the seller by it)", async () => {
    await logIn(page);
    await adminMenu(page, "Settings").click();
    await page.getByLabel("Company code").fill("305000001");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved.");
  });

  const shopper = await browser.newPage();
  failOnPageErrors(shopper);
  let number = "";
  await test.step("a shopper buys for a company; a malformed VAT code is refused next to its field", async () => {
    await shopper.goto("/p/enamel-mug");
    await waitForHydration(shopper);
    await shopper.getByRole("button", { name: "Add to cart" }).click();
    await expectText(shopper, "cart-count", "1");
    await shopper.goto("/checkout");
    await waitForHydration(shopper);
    await expect(shopper.getByTestId("checkout-vat")).toContainText("(21 %)");
    await shopper.locator("summary", { hasText: "Buying for a company" }).click();
    await shopper.getByLabel("Company name").fill("UAB Pirkėjas");
    await shopper.getByLabel("Company code", { exact: true }).fill("304000002");
    await shopper.getByLabel("VAT code").fill("LT12345");
    await fillShopper(shopper);
    await shopper.getByLabel("I accept the terms of sale").check();
    await shopper.getByRole("button", { name: "Place order and pay" }).click();
    await expect(shopper.getByText(/LT123456789 \/ LT123456789012/)).toBeVisible();
    await shopper.getByLabel("VAT code").fill("LT100004000017");
    await placeOrder(shopper, { payment: "Choose at Paysera", amount: /16,40/ });
    await shopper.getByRole("button", { name: "Pay", exact: true }).click();
    await expect(shopper.getByTestId("order-status")).toHaveText("Payment received");
    number = (await shopper.getByRole("heading", { level: 1 }).textContent())?.match(/\d+/)?.[0] ?? "";
    expect(number).not.toBe("");
  });

  await test.step("downloads the invoice from the confirmation e-mail's link", async () => {
    const paid = () => receivedMails().find((m) => m.includes(`order nr. ${number} is paid`)) ?? "";
    await expect.poll(paid, { timeout: 15_000 }).toContain("invoice.pdf");
    const link = paid().match(/https?:\/\/[^\s"<>]+\/orders\/[A-Za-z0-9_-]+\/invoice\.pdf/)?.[0] ?? "";
    expect(link).not.toBe("");
    const invoice = await shopper.request.get(link);
    expect(invoice.status()).toBe(200);
    expect(invoice.headers()["content-type"]).toBe("application/pdf");
    expect(invoice.headers()["cache-control"]).toContain("private");
    expect((await invoice.body()).subarray(0, 5).toString()).toBe("%PDF-");
    await shopper.reload();
    await expect(shopper.getByTestId("order-documents")).toContainText(/Invoice TEST-TRG-\d{6} \(PDF\)/);
  });

  await test.step("the merchant refunds it and finds the credit note and the i.SAF file", async () => {
    await page.goto(`/admin/orders/${number}`);
    await expect(page.getByTestId("order-company")).toContainText("VAT code LT100004000017");
    const refund = page.locator("#action-refund");
    await refund.getByLabel("Note").fill("Grąžinta visa suma");
    await refund.getByLabel("I have refunded this payment in Paysera's panel.").check();
    await refund.getByRole("button", { name: "Mark refunded" }).click();
    await expect(page.getByTestId("order-documents")).toContainText(/Credit note TEST-TRGK-\d{6}/);
    await adminMenu(page, "Invoices").click();
    await expect(page.getByRole("heading", { level: 1, name: "Invoices" })).toBeVisible();
    const row = page.getByTestId("invoices").getByRole("row").filter({ hasText: number });
    await expect(row).toHaveCount(2);
    await expect(row.filter({ hasText: "Credit note" })).toHaveCount(1);
    const isaf = await page.request.get((await page.getByTestId("isaf").getAttribute("href")) ?? "");
    expect(isaf.status()).toBe(200);
    expect(isaf.headers()["content-type"]).toContain("application/xml");
    const xml = await isaf.text();
    expect(xml).toContain("<DataType>S</DataType>");
    expect(xml).toContain("<RegistrationNumber>305000001</RegistrationNumber>");
  });

  await test.step("and sets the company code back", async () => {
    await adminMenu(page, "Settings").click();
    await page.getByLabel("Company code").fill("");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved.");
  });
});
