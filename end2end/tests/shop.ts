import { expect, Page } from "@playwright/test";

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
