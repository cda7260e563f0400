// The site's real Content-Security-Policy: every page sends one without 'unsafe-inline', nothing
// on the page breaks it (no inline styles or scripts), and the site's script still runs under it.
// The other modes bypass the CSP to inject axe-core, so this is the only place it is enforced.
import { watchPage } from './modes.mjs';

export async function openCspMode(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: true });
  context.setDefaultTimeout(15_000);
  // Init scripts are added through the DevTools protocol, so the CSP does not block this listener.
  await context.addInitScript(() => {
    window.__waymarkCspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const where = e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : '';
      window.__waymarkCspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline content'}${where}`);
    });
  });
  const page = await context.newPage();
  const state = { label: '1280px/real-CSP', width: 1280, js: true, context, page, base, problems: [], dialogs: [] };
  watchPage(page, base, state);
  return state;
}

export async function cspPage(state, pageInfo, results) {
  const url = new URL(pageInfo.path, state.base).href;
  const g = results.group(`${state.label} ${pageInfo.path}`);
  state.problems = [];
  state.dialogs = [];
  try {
    const response = await state.page.goto(url, { waitUntil: 'load' });
    results.pageLoads += 1;
    const status = response ? response.status() : null;
    g.check(status === pageInfo.status, 'HTTP status', `expected ${pageInfo.status}, got ${status}`);
    const policy = response ? (await response.allHeaders())['content-security-policy'] || '' : '';
    g.check(policy !== '', 'a Content-Security-Policy header is sent');
    g.check(!/'unsafe-inline'/.test(policy), "the CSP has no 'unsafe-inline'", policy);
    // Violation events are queued as tasks; give them a moment to arrive after load.
    await state.page.waitForTimeout(100);
    const facts = await state.page.evaluate(() => ({
      violations: window.__waymarkCspViolations || [],
      classes: [...document.body.classList],
    }));
    g.check(facts.violations.length === 0, 'nothing on the page breaks the CSP', facts.violations.join('; '));
    g.check(
      facts.classes.includes('govuk-frontend-supported'),
      'the site script runs under the CSP',
      `body classes: ${facts.classes.join(' ') || 'none'}`,
    );
    g.check(state.problems.length === 0, 'no script errors or failed requests', [...new Set(state.problems)].join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
}
