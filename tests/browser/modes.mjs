// Browser contexts for each way the site is viewed, and the per-page event bookkeeping.

// The site runs in four modes: wide and narrow (320 px is WCAG 1.4.10's reflow width), each with
// JavaScript on and off, because every page must work fully without its script.
export const MODES = [
  { width: 1280, js: true },
  { width: 320, js: true },
  { width: 1280, js: false },
  { width: 320, js: false },
].map((m) => ({ ...m, label: `${m.width}px/${m.js ? 'js-on' : 'js-off'}` }));

const HEIGHT = 900;
const TIMEOUT_MS = 15_000;

// One context and page per mode, reused for every page in that mode. Playwright gives each context
// a fresh profile, so modes share no cookies, cache or storage.
export async function openMode(browser, mode, base) {
  // bypassCSP: axe-core is injected as an inline <script> (addScriptTag), which the site's
  // Content-Security-Policy (no 'unsafe-inline') would block. The real CSP is checked separately,
  // in a context without this option (see csp.mjs).
  const context = await browser.newContext({
    viewport: { width: mode.width, height: HEIGHT },
    javaScriptEnabled: mode.js,
    bypassCSP: true,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const state = { ...mode, context, page, base, problems: [], dialogs: [] };
  watchPage(page, base, state);

  // With JavaScript disabled the page's event loop runs no timers, so axe-core (which needs them)
  // cannot run there. Instead the DOM as rendered without JavaScript is copied into this helper
  // page (JavaScript on, same viewport, same address so the site's CSS loads) and checked there.
  if (!mode.js) state.helper = await openDomCopy(browser, mode.width);
  return state;
}

// A JavaScript-on page at `width` that shows whatever HTML is put in its `html` (for any address
// it is sent to) with the site's own styles but no scripts: axe-core checks a JavaScript-off
// page's DOM here. Returns { context, page, html }.
export async function openDomCopy(browser, width) {
  const context = await browser.newContext({
    viewport: { width, height: HEIGHT },
    javaScriptEnabled: true,
    bypassCSP: true,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const helper = { context, page, html: '' };
  await page.route('**/*', (route) => {
    const request = route.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: helper.html });
    }
    // The copied DOM must stay as it was rendered without JavaScript.
    if (request.resourceType() === 'script') return route.abort();
    return route.continue();
  });
  return helper;
}

export async function closeMode(state) {
  if (state.helper) await state.helper.context.close();
  await state.context.close();
}

// Records what goes wrong while a page loads: script errors, dialogs, and the site's own files
// failing to load (a broken asset pipeline shows up here as a 404 for /assets/...).
export function watchPage(page, base, state) {
  const origin = new URL(base).origin;
  page.on('pageerror', (err) => state.problems.push(`script error: ${err.message.split('\n')[0]}`));
  page.on('dialog', async (dialog) => {
    state.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest()) return;
    const url = new URL(response.url());
    if (url.origin === origin && url.pathname !== '/favicon.ico' && response.status() >= 400) {
      state.problems.push(`${url.pathname} answered ${response.status()}`);
    }
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText || 'failed';
    // A request cut off by the next navigation is not the site's fault.
    if (failure.includes('ERR_ABORTED') || request.isNavigationRequest()) return;
    const url = new URL(request.url());
    if (url.origin === origin) state.problems.push(`${url.pathname} failed to load (${failure})`);
  });
}

// Polls from Node rather than inside the page: with JavaScript off the page runs no timers, so
// page.waitForFunction would never see a change.
export async function pollUntil(page, fn, arg, timeoutMs = 5_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(fn, arg)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
