// What the staff journeys (staff.mjs: the quarterly cycle; staff-plan.mjs: the plan and its
// indicators) share: people in browser contexts of their own, moving from page to page, and
// the checks every staff page gets (inspect).
import { pollUntil, watchPage } from './modes.mjs';
import { axeViolations, axeViolationsWithoutJs, pageFacts } from './tour.mjs';

export const WIDE = 1280;
export const NARROW = 320;
export const HEIGHT = 900;
export const TIMEOUT_MS = 15_000;
// Long enough and hard enough to guess for the password rules (12 characters, zxcvbn score 3).
export const PASSWORD = 'violet harbour lantern quietly';


export class Stop extends Error {}

export const squash = (s) => (s || '').trim().replace(/\s+/g, ' ');

function formatViolations(violations, url) {
  return violations
    .map((v) => `\n            ${v.id} [${v.impact}] ${v.help} at ${url}\n              on: ${v.targets.slice(0, 5).join(' | ')}${v.targets.length > 5 ? ` (+${v.targets.length - 5} more)` : ''}`)
    .join('');
}

// What the page shows, in one round trip: main's text, its forms and buttons, the banner, the
// error summary's links, and the return's state tag.
export function screenFacts() {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  const main = document.querySelector('main') || document.body;
  const summaryRow = (key) => {
    const row = [...main.querySelectorAll('.govuk-summary-list__row')].find((r) => text(r.querySelector('dt')) === key);
    return text(row?.querySelector('dd'));
  };
  return {
    h1: text(document.querySelector('h1')),
    main: text(main),
    forms: main.querySelectorAll('form').length,
    fields: main.querySelectorAll('input:not([type="hidden"]), textarea, select').length,
    buttons: [...main.querySelectorAll('button')].map(text),
    banner: text(document.querySelector('.govuk-notification-banner__heading')),
    inset: text(main.querySelector('.govuk-inset-text')),
    errorSummary: !!document.querySelector('.govuk-error-summary'),
    errorLinks: [...document.querySelectorAll('.govuk-error-summary a')].map((a) => a.getAttribute('href')),
    returnState: summaryRow('Return'),
    owner: summaryRow('Owner'),
    signedInAs: text(document.querySelector('.waymark-staff-bar__who')),
  };
}

// One person: a browser context of their own (cookies and all), JavaScript on or off.
export async function openPerson(browser, journey, role, email, name) {
  const context = await browser.newContext({
    viewport: { width: WIDE, height: HEIGHT },
    javaScriptEnabled: journey.js,
    // axe-core goes in as an inline script, which the site's CSP would block (csp.mjs checks the CSP).
    bypassCSP: true,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const person = { role, email, name, context, page, status: null, problems: [], dialogs: [] };
  watchPage(page, journey.base, person);
  journey.people.push(person);
  return person;
}

export async function visit(journey, person, path) {
  const response = await person.page.goto(new URL(path, journey.base).href, { waitUntil: 'load' });
  journey.results.pageLoads += 1;
  person.status = response ? response.status() : null;
}

// Does `action` (a click, or Enter on a focused control) and waits for the page it leads to;
// after a form post and its redirect, the status is the final page's.
export async function follow(journey, person, action) {
  const nav = person.page.waitForNavigation({ waitUntil: 'load' });
  await action();
  const response = await nav;
  journey.results.pageLoads += 1;
  person.status = response ? response.status() : null;
}

export function press(journey, person, name) {
  return follow(journey, person, () => person.page.getByRole('button', { name, exact: true }).click());
}

// The page's address for messages, without the secret of a set-up link.
export function path(page) {
  const u = new URL(page.url());
  return (u.pathname + u.search).replace(/^\/staff\/setup\/[0-9a-f]{32,}/, '/staff/setup/{token}');
}

// The checks every staff page gets, on the page the person is looking at now: the basics, axe-core
// at 1280 px (on a copy of the DOM when JavaScript is off), and no sideways scrolling at 320 px.
export async function inspect(journey, person, what, expectStatus = 200) {
  const { page } = person;
  const url = page.url();
  const g = journey.results.group(`${journey.label} page: ${what} [${person.role}] ${path(page)}`);
  journey.pages += 1;
  try {
    g.check(person.status === expectStatus, 'HTTP status', `expected ${expectStatus}, got ${person.status}`);
    const f = await page.evaluate(pageFacts, WIDE);
    g.check(f.h1Count === 1, 'exactly one <h1>', `found ${f.h1Count}`);
    g.check(f.lang.trim() !== '', '<html lang> is set');
    g.check(f.title !== '', '<title> is not empty');
    // GOV.UK's pattern: a page showing an error summary says so first thing in its title.
    const summary = await page.evaluate(() => !!document.querySelector('.govuk-error-summary'));
    g.check(
      summary === f.title.startsWith('Error: '),
      summary ? 'the <title> starts "Error: " (the page has an error summary)' : 'the <title> does not start "Error: " (no error summary)',
      `title "${f.title}"`,
    );
    if (summary) {
      // Each of the summary's links leads to a field that shows the same problem.
      const unmatched = await page.evaluate(() =>
        [...document.querySelectorAll('.govuk-error-summary a')]
          .map((a) => a.getAttribute('href'))
          .filter((href) => {
            const id = href.startsWith('#') ? href.slice(1) : '';
            const field = id && document.getElementById(id);
            return !field || !field.closest('.govuk-form-group--error') || !document.getElementById(`${id}-error`);
          }),
      );
      g.check(unmatched.length === 0, 'each error summary link leads to a field showing its error', unmatched.join(' '));
    }
    g.check(/\barial\b/i.test(f.fontFamily), 'the stylesheet loaded (body font is Arial)', `body font-family is ${JSON.stringify(f.fontFamily)}`);
    if (journey.js) {
      const ran = f.bodyClasses.includes('js-enabled') && f.bodyClasses.includes('govuk-frontend-supported');
      g.check(ran, 'the script ran (body has js-enabled and govuk-frontend-supported)', `body classes: ${f.bodyClasses.join(' ') || 'none'}`);
    } else {
      g.check(!f.bodyClasses.includes('js-enabled'), 'no script ran with JavaScript off');
    }
    // axe-core's "region" rule is a best practice, outside the WCAG tags run above: all that the
    // page shows must be in a landmark (header, navigation, main, footer) so that nothing is
    // missed by someone moving from landmark to landmark.
    const stray = await page.evaluate(outsideLandmarks);
    g.check(stray.length === 0, 'everything shown is inside a landmark', stray.join('; '));
    const violations = journey.js ? await axeViolations(page) : await axeViolationsWithoutJs({ page, helper: journey.helper }, url);
    g.check(violations.length === 0, 'axe-core at 1280px: no WCAG 2.2 A/AA violations', formatViolations(violations, url));

    await page.setViewportSize({ width: NARROW, height: HEIGHT });
    const n = await page.evaluate(pageFacts, NARROW);
    await page.setViewportSize({ width: WIDE, height: HEIGHT });
    g.check(
      n.scrollWidth <= n.innerWidth,
      'no page-level horizontal scrolling at 320px',
      `page is ${n.scrollWidth}px wide in a ${n.innerWidth}px window; widest: ${n.wide.join(', ') || 'unknown'}`,
    );
    g.check(person.problems.length === 0, 'no script errors or failed requests', [...new Set(person.problems)].join('; '));
    g.check(person.dialogs.length === 0, 'no dialogs', person.dialogs.join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
  person.problems = [];
  person.dialogs = [];
}

// Visible text (or a control) outside every landmark, named by its element and first words. The
// skip link comes before the landmarks on purpose.
function outsideLandmarks() {
  const LANDMARKS = [
    'header', 'nav', 'main', 'footer', 'aside',
    'section[aria-label]', 'section[aria-labelledby]', 'form[aria-label]', 'form[aria-labelledby]',
    '[role="banner"]', '[role="navigation"]', '[role="main"]', '[role="contentinfo"]',
    '[role="complementary"]', '[role="region"]', '[role="search"]',
  ].join(', ');
  const found = new Set();
  const describe = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const text = node.textContent.trim().replace(/\s+/g, ' ');
    if (!el || text === '' || el.closest('script, style, template, noscript, .govuk-skip-link')) continue;
    if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (!el.closest(LANDMARKS)) found.add(`${describe(el)} "${text.slice(0, 40)}"`);
  }
  for (const el of document.body.querySelectorAll('input:not([type="hidden"]), select, textarea, button')) {
    if (el.tagName === 'BUTTON' && el.textContent.trim() !== '') continue;
    if (el.getClientRects().length > 0 && !el.closest(LANDMARKS)) found.add(describe(el));
  }
  return [...found].slice(0, 8);
}

// The field's error as GOV.UK shows it: the error summary links to it, its group is marked, it has
// the red border (text fields and selects) and its message, and it is described by that message.
// With JavaScript, focus starts on the error summary. Returns the field's value.
export async function showsFieldError(journey, person, g, id, kind = null) {
  const { page } = person;
  const f = await page.evaluate(
    ({ id, kind }) => {
      const el = document.getElementById(id);
      return {
        found: !!el,
        links: [...document.querySelectorAll('.govuk-error-summary a')].map((a) => a.getAttribute('href')),
        inErrorGroup: !!el?.closest('.govuk-form-group--error'),
        border: kind ? !!el?.classList.contains(`govuk-${kind}--error`) : true,
        describedBy: ((el?.closest('fieldset') && !kind ? el.closest('fieldset') : el)?.getAttribute('aria-describedby') || '').split(' '),
        message: (document.getElementById(`${id}-error`)?.textContent || '').trim().replace(/\s+/g, ' '),
        value: el ? el.value : null,
      };
    },
    { id, kind },
  );
  g.check(f.found && f.links.includes(`#${id}`), `the error summary links to #${id}`, `links: ${f.links.join(' ') || 'none'}`);
  g.check(f.inErrorGroup && f.message.startsWith('Error:'), `#${id} shows its error message`, `"${f.message}"`);
  if (kind) g.check(f.border, `#${id} has the error border (govuk-${kind}--error)`);
  g.check(f.describedBy.includes(`${id}-error`), `#${id} is described by its error message`, f.describedBy.join(' '));
  if (journey.js) {
    const onSummary = await pollUntil(page, () => !!document.activeElement?.closest('.govuk-error-summary'), null, 2_000);
    g.check(onSummary, 'focus starts on the error summary');
  }
  return f.value;
}

// The cells' text of each row of the table in main whose caption (or region label) contains
// `caption`.
export function tableRows(caption) {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  const table = [...document.querySelectorAll('main table')].find((t) => text(t.caption).includes(caption));
  return table ? [...table.tBodies[0].rows].map((tr) => [...tr.cells].map(text)) : null;
}

// A named part of the journey: its own checks, then done. An exception stops the journey (the
// later steps depend on this one).
// Steps are numbered in the order they run.
export async function step(journey, label, fn) {
  journey.steps = (journey.steps || 0) + 1;
  const g = journey.results.group(`${journey.label} ${journey.steps}. ${label}`);
  try {
    await fn(g);
  } catch (err) {
    g.error(err);
    g.done();
    throw new Stop();
  }
  g.done();
}
