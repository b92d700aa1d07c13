import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebDemoBackend, type WebDemoBackend } from "../../demo/web/backend.js";

// The web demo in headless Chromium: the page, built by Vite for the browser
// from the runtime's portable entry, calls the greeter and watches order
// events over NATS WebSocket as the restricted `web` user. CI installs
// Debian's chromium; without it this test fails rather than skips.
// PROTONATS_WEB_SCREENSHOT=<file.png> also saves a screenshot of the page.

const chromiumPath = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const config = join(import.meta.dirname, "../../demo/web/vite.config.ts");
const launchArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("web demo in Chromium over NATS WebSocket", () => {
  let backend: WebDemoBackend;
  let site: PreviewServer;
  let browser: Browser;
  let page: Page;
  let outDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `no Chromium at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_BIN)`,
      );
    }
    outDir = mkdtempSync(join(tmpdir(), "protonats-web-dist-"));
    const [started] = await Promise.all([
      startWebDemoBackend(),
      build({ configFile: config, logLevel: "warn", build: { outDir, emptyOutDir: true } }),
    ]);
    backend = started;
    site = await preview({
      configFile: config,
      logLevel: "warn",
      build: { outDir },
      preview: { host: "127.0.0.1", port: 0 },
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
    page = await browser.newPage({ viewport: { width: 900, height: 980 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const base = site.resolvedUrls?.local[0];
    if (base === undefined) throw new Error("vite preview has no URL");
    await page.goto(`${base}${backend.query}`);
    // Connected, or failed with the reason on the page.
    await page.waitForSelector('#status:not([data-state="connecting"])', { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await backend?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  // Playwright's innerText (one line per list item), not the DOM property.
  // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator
  const text = (selector: string) => () => page.locator(selector).innerText();

  it("connects as the web user", async () => {
    expect(await text("#status")()).toBe(`connected to ${backend.web.ws}`);
  });

  it("shows a typed error with its code", async () => {
    await page.fill("#name", "");
    await page.click("#hello");
    await expect.poll(text("#hello-out")).toBe("InvalidArgument: name is required");
  });

  it("makes a unary call and shows the typed reply", async () => {
    await page.fill("#name", "Ada");
    await page.click("#hello");
    await expect.poll(text("#hello-out")).toBe("Hello, Ada! (served by node)");
  });

  it("reads a server stream to its end", async () => {
    await page.fill("#name", "Ada");
    await page.click("#stream");
    await expect
      .poll(text("#stream-out"))
      .toBe(["Hello #1, Ada!", "Hello #2, Ada!", "Hello #3, Ada!"].join("\n"));
  });

  it("chats on one open bidirectional stream", async () => {
    for (const name of ["Grace", "Linus"]) {
      await page.fill("#chat-name", name);
      await page.click("#chat-send");
      await expect.poll(text("#chat-out")).toContain(`Hello, ${name}!`);
    }
    expect(await text("#chat-out")()).toBe("Hello, Grace!\nHello, Linus!");
  });

  it("receives live typed events of orders it places", async () => {
    await page.click("#order");
    await page.click("#order");
    await expect
      .poll(text("#events-out"))
      .toBe(
        [
          "order-1 placed in eu: 3998 cents (orders.eu.placed)",
          "order-2 placed in us: 3998 cents (orders.us.placed)",
        ].join("\n"),
      );
    const screenshot = process.env.PROTONATS_WEB_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
