import { test, expect, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { checkOut, failOnPageErrors, OWNER, OWNER_LT, PASSWORD, plain } from "./shop";

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

/** What the admin says, in each language the merchant's story runs in. */
const WORDS = {
  en: {
    owner: OWNER, locale: "en-GB", menu: "Admin", products: "Products", orders: "Orders", settings: "Settings",
    email: "E-mail", password: "Password", logIn: "Log in",
    newProduct: "New product", name: "Name", price: "Price (EUR)", stock: "Units in stock", description: "Description",
    saveProduct: "Save product", saved: "Saved.", addPhoto: "Add a photo", describePhoto: "Describe the photo",
    upload: "Upload photo", photoAdded: "Photo added.", viewInShop: "View in the shop",
    state: "State", filter: "Filter", orderHeading: /^Order \d+$/, paid: "paid", rawData: "Fields and raw data",
    note: "Note (e.g. tracking number)", confirmShipped: "I have sent this order to the customer.",
    markShipped: "Mark shipped", shipped: "Shipped", sandbox: "Sandbox", shippedBy: "marked shipped by",
    exportCsv: "Export CSV", csvHeader: '"order","sandbox","created_at","status"', yes: "yes",
    phone: "Contact phone", saveSettings: "Save settings",
  },
  lt: {
    owner: OWNER_LT, locale: "lt-LT", menu: "Administravimas", products: "Prekės", orders: "Užsakymai", settings: "Nustatymai",
    email: "El. paštas", password: "Slaptažodis", logIn: "Prisijungti",
    newProduct: "Nauja prekė", name: "Pavadinimas", price: "Kaina (EUR)", stock: "Vienetų sandėlyje", description: "Aprašymas",
    saveProduct: "Išsaugoti prekę", saved: "Išsaugota.", addPhoto: "Pridėti nuotrauką", describePhoto: "Nuotraukos aprašymas",
    upload: "Įkelti nuotrauką", photoAdded: "Nuotrauka pridėta.", viewInShop: "Žiūrėti parduotuvėje",
    state: "Būsena", filter: "Filtruoti", orderHeading: /^Užsakymas \d+$/, paid: "apmokėta", rawData: "Laukai ir neapdoroti duomenys",
    note: "Pastaba (pvz., siuntos numeris)", confirmShipped: "Šį užsakymą išsiunčiau pirkėjui.",
    markShipped: "Pažymėti kaip išsiųstą", shipped: "Išsiųsta", sandbox: "Smėlio dėžė", shippedBy: "pažymėta kaip išsiųsta —",
    exportCsv: "Eksportuoti CSV", csvHeader: '"užsakymas","smėlio_dėžė","pateiktas","būsena"', yes: "taip",
    phone: "Kontaktinis telefonas", saveSettings: "Išsaugoti nustatymus",
  },
};

type Words = (typeof WORDS)["en"];

// The admin has no JavaScript of its own: the Lithuanian story runs without any, the English with.
for (const [language, javaScriptEnabled] of [["en", true], ["lt", false]] as const) {
  test(`the owner adds a product, a shopper buys it, the owner ships it, exports the orders and changes a setting (${language}${javaScriptEnabled ? "" : ", no JavaScript"})`, async ({ browser }) => {
    const words: Words = WORDS[language];
    const context = await browser.newContext({ javaScriptEnabled, locale: words.locale });
    const page = await context.newPage();
    failOnPageErrors(page);
    await merchantStory(page, browser, words);
    await context.close();
  });
}

async function merchantStory(page: Page, browser: Browser, words: Words) {
  const menu = (item: string) => page.getByRole("navigation", { name: words.menu }).getByRole("link", { name: item });
  const name = `Linen tea towel ${Date.now()}`;

  await test.step("the owner logs in, in the browser's language, and adds a product", async () => {
    await page.goto("/admin/login?next=/admin/products");
    await page.getByLabel(words.email).fill(words.owner);
    await page.getByLabel(words.password).fill(PASSWORD);
    await page.getByRole("button", { name: words.logIn }).click();
    await expect(page.getByRole("heading", { level: 1, name: words.products })).toBeVisible();
    await page.getByRole("link", { name: words.newProduct }).click();
    await expect(page.getByRole("heading", { level: 1, name: words.newProduct })).toBeVisible();
    await page.getByLabel(words.name).fill(name);
    await page.getByLabel(words.price).fill("14,90");
    await page.getByLabel(words.stock).fill("5");
    await page.getByLabel(words.description, { exact: true }).fill("Soft, absorbent and <b>made to last</b>.");
    await page.getByRole("button", { name: words.saveProduct }).click();
    await expect(page.getByRole("status")).toHaveText(words.saved);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  });

  await test.step("and gives it a photo", async () => {
    await page.getByLabel(words.addPhoto).setInputFiles({ name: "towel.png", mimeType: "image/png", buffer: png(900, 600) });
    await page.getByLabel(words.describePhoto).fill("A folded linen towel");
    await page.getByRole("button", { name: words.upload }).click();
    await expect(page.getByRole("status")).toHaveText(words.photoAdded);
    await expect(page.getByRole("img", { name: "A folded linen towel" })).toBeVisible();
  });

  const productUrl = await page.getByRole("link", { name: words.viewInShop }).getAttribute("href");
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
    await menu(words.orders).click();
    await page.getByLabel(words.state).selectOption("to_ship");
    await page.getByRole("button", { name: words.filter }).click();
    await expect(page).toHaveURL(/state=to_ship/);
    await page.locator("table a").first().click();
    await expect(page.getByRole("heading", { level: 1, name: words.orderHeading })).toBeVisible();
    await expect(page.getByText(name)).toBeVisible();
    expect(plain(await page.getByTestId("order-total").textContent())).toBe("18,80 €");
    const callback = page.locator(".callback").first();
    await expect(callback.locator(".verdict")).toHaveText(words.paid);
    await callback.getByText(words.rawData).click();
    await expect(callback.locator(".raw")).toContainText("data=");
    await expect(callback.locator(".callback-fields")).toContainText("hanza");
  });

  await test.step("marks it shipped, after confirming", async () => {
    await page.getByLabel(words.note).fill("LP123456789LT");
    await page.getByLabel(words.confirmShipped).check();
    await page.getByRole("button", { name: words.markShipped }).click();
    await expect(page.locator(".badge.stage-shipped")).toHaveText(words.shipped);
    // Bought through the built-in sandbox: the order says no real money moved.
    await expect(page.getByTestId("sandbox-order")).toHaveText(words.sandbox);
    await expect(page.locator(".history")).toContainText(`${words.shippedBy} ${words.owner}: LP123456789LT`);
  });

  await test.step("exports the orders for the accountant", async () => {
    await menu(words.orders).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: words.exportCsv }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path());
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = csv.toString("utf8");
    expect(text).toContain(words.csvHeader);
    expect(text).toMatch(new RegExp(`\r\n"\\d+","${words.yes}",`));
    expect(text).toContain('"18.80","');
    expect(text).toContain('"Onaitė"');
  });

  await test.step("and changes a setting", async () => {
    await menu(words.settings).click();
    await page.getByLabel(words.phone).fill("+370 600 00000");
    await page.getByRole("button", { name: words.saveSettings }).click();
    await expect(page.getByRole("status")).toHaveText(words.saved);
    await expect(page.getByLabel(words.phone)).toHaveValue("+370 600 00000");
  });
}

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
