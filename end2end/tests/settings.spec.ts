import { test, expect, Page } from "@playwright/test";
import { adminMenu, expectText, failOnPageErrors, logIn, MAIL_DIR, placeOrder, plain, receivedMails, waitForHydration } from "./shop";

/**
 * The merchant makes the shop theirs: renames it and changes the courier's price. A shopper sees
 * both at checkout, pays through the sandbox, and the confirmation e-mail reaches the SMTP server
 * (scripts/test.sh runs end2end/smtp-sink.py, which keeps each message in MAIL_DIR).
 */

async function saveSettings(page: Page, shopName: string, courierPrice: string) {
  await adminMenu(page, "Settings").click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await page.getByLabel("Shop name").fill(shopName);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const courier = page.getByTestId("shipping-method-courier");
  await courier.getByLabel("Price").fill(courierPrice);
  await courier.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByTestId("shipping-method-courier").getByLabel("Price")).toHaveValue(courierPrice.replace(",", "."));
}

test("a renamed shop with a new courier price is what the shopper sees, pays and is e-mailed about", async ({ page, browser }) => {
  expect(MAIL_DIR, "MAIL_DIR: where the SMTP sink keeps messages (scripts/test.sh sets it)").not.toBe("");
  failOnPageErrors(page);
  const shopName = "Lino namai";

  await test.step("the merchant renames the shop and reprices the courier", async () => {
    await logIn(page);
    await saveSettings(page, shopName, "4,20");
    await expect(page.locator(".history")).toContainText("shop name: “Turgus” → “Lino namai”");
  });

  const shopper = await browser.newPage();
  failOnPageErrors(shopper);
  let number = "";
  await test.step("a shopper sees the new name and price at checkout", async () => {
    await shopper.goto("/p/enamel-mug");
    await expect(shopper.getByTestId("shop-name")).toHaveText(shopName);
    await expect(shopper).toHaveTitle(/· Lino namai$/);
    await waitForHydration(shopper);
    await shopper.getByRole("button", { name: "Add to cart" }).click();
    await expectText(shopper, "cart-count", "1");
    await shopper.goto("/checkout");
    await waitForHydration(shopper);
    await expect(shopper.getByLabel(/Courier to your door/)).toBeChecked();
    expect(plain(await shopper.locator("label[for=shipping-courier]").textContent())).toContain("4,20 €");
    expect(plain(await shopper.getByTestId("checkout-shipping").textContent())).toBe("4,20 €");
    expect(plain(await shopper.getByTestId("checkout-total").textContent())).toBe("16,70 €");
    // Latvia has no pick-up: choosing it brings Latvia's ways to ship.
    await shopper.getByLabel("Country").selectOption("LV");
    await expect(shopper.locator("#shipping-pickup")).toHaveCount(0);
    await shopper.getByLabel("Country").selectOption("LT");
    await expect(shopper.locator("#shipping-pickup")).toHaveCount(1);
  });

  await test.step("pays through the sandbox", async () => {
    await placeOrder(shopper, { payment: "Choose at Paysera", amount: /16,70/ });
    await shopper.getByRole("button", { name: "Pay", exact: true }).click();
    await expect(shopper.getByTestId("order-status")).toHaveText("Payment received");
    number = (await shopper.getByRole("heading", { level: 1 }).textContent())?.match(/\d+/)?.[0] ?? "";
    expect(number).not.toBe("");
  });

  await test.step("and the confirmation e-mail arrives", async () => {
    await expect.poll(() => receivedMails().filter((m) => m.includes(`order nr. ${number} is paid`)).length, { timeout: 15_000 }).toBe(1);
    const mail = receivedMails().find((m) => m.includes(`order nr. ${number} is paid`)) ?? "";
    // The shopper's name, in UTF-8 (RFC 2047): "Ona Onaitė".
    const to = mail.match(/^To: =\?utf-8\?b\?([A-Za-z0-9+/=]+)\?= <ona@example\.lt>\r?$/m);
    expect(Buffer.from(to?.[1] ?? "", "base64").toString("utf8")).toBe("Ona Onaitė");
    expect(mail).toMatch(/^Subject: Lino namai: order nr\. \d+ is paid\r?$/m);
    expect(mail).toMatch(/^Message-ID: <[0-9a-f]+@127\.0\.0\.1>\r?$/m);
    expect(plain(mail)).toContain("Shipping: Courier to your door: 4,20 €");
    expect(plain(mail)).toContain("Total: 16,70 €");
    expect(mail).toContain("text/html");
  });

  await test.step("the merchant finds it in the order's e-mails, and sets the shop back", async () => {
    const states = async () => {
      await page.goto(`/admin/orders/${number}`);
      return page.getByTestId("emails").getByTestId("email-state").allTextContents();
    };
    // The sink has it; the shop records it as sent a moment later.
    await expect.poll(async () => (await states()).every((state) => state.startsWith("Sent"))).toBe(true);
    await expect(page.getByTestId("emails")).toContainText("Order confirmation");
    await expect(page.getByTestId("emails")).toContainText("New order notice");
    // In sandbox mode each e-mail is also kept as a file, downloadable from the order's page.
    const file = page.getByTestId("emails").getByRole("link", { name: ".eml" }).last();
    const download = await page.request.get((await file.getAttribute("href")) ?? "");
    expect(download.headers()["content-type"]).toBe("message/rfc822");
    expect(await download.text()).toMatch(new RegExp(`^Subject: Lino namai: order nr\\. ${number} is paid`, "m"));
    await saveSettings(page, "Turgus", "3,90");
  });
});
