import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { adminMenu, checkOut, failOnPageErrors, logIn, OWNER, PASSWORD, plain } from "./shop";

/**
 * The owner runs the shop from the admin: adds a product with a photo, a shopper buys it through
 * the sandbox, and the owner sees the payment arrive, ships the order and exports the orders.
 */


/** A solid-colour PNG, made here so the test needs no binary fixture. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([180, 120, 60]))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("the owner adds a product, a shopper buys it, the owner ships it and exports the orders", async ({ page, browser }) => {
  failOnPageErrors(page);
  const name = `Linen tea towel ${Date.now()}`;

  await test.step("the owner logs in and adds a product", async () => {
    await logIn(page);
    await adminMenu(page, "Products").click();
    await page.getByRole("link", { name: "New product" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New product" })).toBeVisible();
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Price (EUR)").fill("14,90");
    await page.getByLabel("Units in stock").fill("5");
    await page.getByLabel("Description").fill("Soft, absorbent and <b>made to last</b>.");
    await page.getByRole("button", { name: "Save product" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved.");
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  });

  await test.step("and gives it a photo", async () => {
    await page.getByLabel("Add a photo").setInputFiles({ name: "towel.png", mimeType: "image/png", buffer: png(900, 600) });
    await page.getByLabel("Describe the photo").fill("A folded linen towel");
    await page.getByRole("button", { name: "Upload photo" }).click();
    await expect(page.getByRole("status")).toHaveText("Photo added.");
    await expect(page.getByRole("img", { name: "A folded linen towel" })).toBeVisible();
  });

  const productUrl = await page.getByRole("link", { name: "View in the shop" }).getAttribute("href");
  expect(productUrl).toMatch(/^\/p\//);

  await test.step("the product is in the shop, with its photo and its text shown as text", async () => {
    const shopper = await browser.newPage();
    await shopper.goto(productUrl!);
    await expect(shopper.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(shopper.getByText("Soft, absorbent and <b>made to last</b>.")).toBeVisible();
    const photo = shopper.getByRole("img", { name: "A folded linen towel" });
    await expect(photo).toHaveAttribute("src", /^\/media\/products\/.+\.jpg$/);
    expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await shopper.close();
  });

  await test.step("a shopper buys it through the sandbox", async () => {
    const context = await browser.newContext();
    const shopper = await context.newPage();
    // 14,90 € towel + 3,90 € courier.
    await checkOut(shopper, { product: productUrl!, hydrated: true, payment: "Swedbank", amount: /18,80/ });
    await shopper.getByRole("button", { name: "Pay", exact: true }).click();
    await expect(shopper.getByTestId("order-status")).toHaveText("Payment received");
    await context.close();
  });

  await test.step("the owner sees the order paid, with Paysera's callback in its payment log", async () => {
    await adminMenu(page, "Orders").click();
    await page.getByLabel("State").selectOption("to_ship");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/state=to_ship/);
    await page.locator("table a").first().click();
    await expect(page.getByRole("heading", { level: 1, name: /^Order \d+$/ })).toBeVisible();
    await expect(page.getByText(name)).toBeVisible();
    expect(plain(await page.getByTestId("order-total").textContent())).toBe("18,80 €");
    const callback = page.locator(".callback").first();
    await expect(callback.locator(".verdict")).toHaveText("paid");
    await callback.getByText("Fields and raw data").click();
    await expect(callback.locator(".raw")).toContainText("data=");
    await expect(callback.locator(".callback-fields")).toContainText("hanza");
  });

  await test.step("marks it shipped, after confirming", async () => {
    await page.getByLabel("Note (e.g. tracking number)").fill("LP123456789LT");
    await page.getByLabel("I have sent this order to the customer.").check();
    await page.getByRole("button", { name: "Mark shipped" }).click();
    await expect(page.locator(".badge.stage-shipped")).toHaveText("Shipped");
    // Bought through the built-in sandbox: the order says no real money moved.
    await expect(page.getByTestId("sandbox-order")).toHaveText("Sandbox");
    await expect(page.locator(".history")).toContainText(`marked shipped by ${OWNER}: LP123456789LT`);
  });

  await test.step("and exports the orders for the accountant", async () => {
    await adminMenu(page, "Orders").click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path());
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = csv.toString("utf8");
    expect(text).toContain('"order","sandbox","created_at","status"');
    expect(text).toMatch(/\r\n"\d+","yes",/);
    expect(text).toContain('"18.80","');
    expect(text).toContain('"Onaitė"');
  });
});

test("the dashboard shows the day's sales and a chart readable without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/admin/login?next=/admin");
  await page.getByLabel("E-mail").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your shop" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Sales per day" })).toBeVisible();
  await expect(page.getByTestId("paysera-mode")).toHaveText("sandbox");
  await context.close();
});

test("without JavaScript the owner is told what is wrong with a product and fixes it, nothing retyped", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/admin/login?next=/admin/products/new");
  await page.getByLabel("E-mail").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New product" })).toBeVisible();
  const name = `Birch spoon ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  // The field's pattern lets this through; the shop's largest price does not.
  await page.getByLabel("Price (EUR)").fill("99999999");
  await page.getByLabel("Units in stock").fill("3");
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("alert")).toContainText("99999999 is more than the largest price");
  // What was typed is still there; only the price needs fixing.
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await expect(page.getByLabel("Units in stock")).toHaveValue("3");
  await page.getByLabel("Price (EUR)").fill("49,99");
  await page.getByRole("button", { name: "Save product" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByLabel("Price (EUR)")).toHaveValue("49.99");
  await context.close();
});
