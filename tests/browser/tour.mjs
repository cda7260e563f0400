// The page tour: every kind of page, in every mode, checked for the basics a visitor relies on
// and for WCAG 2.2 AA problems that axe-core can detect.
import { readFileSync } from 'node:fs';
import { CHANGES_HEADING } from './discover.mjs';

const AXE_SOURCE = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_TIMEOUT_MS = 30_000;

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function axeViolations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  return withTimeout(
    page.evaluate(async (tags) => {
      const result = await window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }));
    }, AXE_TAGS),
    AXE_TIMEOUT_MS,
    'axe-core',
  );
}

// For JavaScript-off modes: copy the DOM as the visitor sees it (without scripts; <noscript>
// content, which the parser turned into elements, unwrapped so it stays visible) into the helper
// page and run axe there.
export async function axeViolationsWithoutJs(state, url) {
  state.helper.html = await state.page.evaluate(() => {
    const root = document.documentElement.cloneNode(true);
    for (const s of root.querySelectorAll('script')) s.remove();
    for (const n of root.querySelectorAll('noscript')) n.replaceWith(...n.childNodes);
    const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : '';
    return doctype + root.outerHTML;
  });
  await state.helper.page.goto(url, { waitUntil: 'load' });
  return axeViolations(state.helper.page);
}

// The facts about a loaded page that the checks look at, gathered in one round trip.
export function pageFacts(width) {
  const text = (el) => (el ? el.textContent.trim().replace(/\s+/g, ' ') : '');
  const facts = {
    h1Count: document.querySelectorAll('h1').length,
    lang: document.documentElement.getAttribute('lang') || '',
    title: document.title.trim(),
    fontFamily: getComputedStyle(document.body).fontFamily,
    headerBackground: document.querySelector('.waymark-header')
      ? getComputedStyle(document.querySelector('.waymark-header')).backgroundColor
      : 'no .waymark-header',
    bodyClasses: [...document.body.classList],
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    h1: text(document.querySelector('h1')),
    wide: [],
  };
  // On overflow, name the widest culprits so the failure says what to fix.
  if (facts.scrollWidth > facts.innerWidth) {
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      if (el.classList.length) s += '.' + [...el.classList].join('.');
      return s;
    };
    // Content scrolled inside its own box (a .waymark-table-wrap) does not widen the page,
    // unless it is absolutely positioned against something outside that box, which escapes it.
    const scrollsInside = (el) => {
      const own = getComputedStyle(el).position;
      if (own === 'fixed') return false;
      let escaping = own === 'absolute';
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (escaping && cs.position !== 'static') escaping = false; // a is the containing block
        if (!escaping && cs.overflowX !== 'visible') return true;
        if (cs.position === 'fixed') return false;
        if (cs.position === 'absolute') escaping = true;
      }
      return false;
    };
    const over = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !scrollsInside(el)) {
        // Only the outermost overflowing element of each branch is worth naming.
        if (!over.some((o) => o.el.contains(el))) over.push({ el, right: Math.round(r.right) });
      }
    }
    facts.wide = over.slice(0, 5).map((o) => `${describe(o.el)} (right edge ${o.right}px)`);
  }
  return facts;
}

// What a page is expected to say, for pages whose content the tests know from the discovery:
// gathered in the page in one round trip.
function contentFacts({ changesHeading, selectors }) {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  const main = document.querySelector('main') || document.body;
  const facts = {
    h1: text(document.querySelector('h1')),
    captions: [...main.querySelectorAll('table caption')].map(text),
    buttons: [...main.querySelectorAll('button, input[type="submit"]')].map((b) => text(b) || b.value || ''),
    tableLinks: [...main.querySelectorAll('table a[href]')].map((a) => new URL(a.href).pathname),
    matches: Object.fromEntries(selectors.map((s) => [s, !!document.querySelector(s)])),
    changes: null,
  };
  // The report's section on what changed: its heading, then (before the next h2) a table whose rows
  // each link an activity and show the status it was and is.
  const heading = [...main.querySelectorAll('h2')].find((h) => text(h) === changesHeading);
  if (heading) {
    const tables = [];
    for (let el = heading.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
      tables.push(...(el.matches('table') ? [el] : el.querySelectorAll('table')));
    }
    const rows = tables.flatMap((t) => [...t.querySelectorAll('tbody tr')]);
    facts.changes = {
      tables: tables.length,
      rows: rows.length,
      badRows: rows.filter((r) => !r.querySelector('a[href]') || r.querySelectorAll('.govuk-tag').length < 2).length,
    };
  }
  return facts;
}

async function checkContent(state, g, expect) {
  const c = await state.page.evaluate(contentFacts, { changesHeading: CHANGES_HEADING, selectors: expect.selectors || [] });
  if (expect.h1) g.check(c.h1 === expect.h1, `the <h1> is "${expect.h1}"`, `it is "${c.h1}"`);
  for (const selector of expect.selectors || []) g.check(c.matches[selector], `the page has ${selector}`);
  for (const name of expect.buttons || []) {
    g.check(c.buttons.includes(name), `the page has a "${name}" button`, `buttons: ${c.buttons.join(', ') || 'none'}`);
  }
  if (expect.caption) {
    g.check(
      c.captions.some((t) => t.includes(expect.caption)),
      `a table caption names "${expect.caption}"`,
      `captions: ${c.captions.map((t) => `"${t}"`).join(', ') || 'none'}`,
    );
  }
  for (const path of expect.tableLinks || []) {
    g.check(c.tableLinks.includes(path), `the table links to ${path}`);
  }
  if (expect.changes) {
    g.check(c.changes !== null, `the page has a "${CHANGES_HEADING}" section (an <h2>)`);
    if (c.changes) {
      g.check(c.changes.tables > 0 && c.changes.rows > 0, 'the section has a table of status changes with rows', `${c.changes.tables} tables, ${c.changes.rows} rows`);
      g.check(c.changes.badRows === 0, 'each row links its activity and shows two statuses', `${c.changes.badRows} rows do not`);
    }
  }
}

export async function tourPage(state, pageInfo, results) {
  const url = new URL(pageInfo.path, state.base).href;
  const g = results.group(`${state.label} ${pageInfo.path}`);
  state.problems = [];
  state.dialogs = [];
  try {
    const response = await state.page.goto(url, { waitUntil: 'load' });
    results.pageLoads += 1;
    const status = response ? response.status() : null;
    g.check(status === pageInfo.status, 'HTTP status', `expected ${pageInfo.status}, got ${status}`);

    const f = await state.page.evaluate(pageFacts, state.width);
    g.check(f.h1Count === 1, 'exactly one <h1>', `found ${f.h1Count}`);
    g.check(f.lang.trim() !== '', '<html lang> is set');
    g.check(f.title !== '', '<title> is not empty');
    g.check(
      /\barial\b/i.test(f.fontFamily),
      'the stylesheet loaded (body font is Arial)',
      `body font-family is ${JSON.stringify(f.fontFamily)}; is /assets/waymark.css served and built?`,
    );
    g.check(
      !['rgba(0, 0, 0, 0)', 'transparent', 'no .waymark-header'].includes(f.headerBackground),
      "Waymark's own styles loaded (.waymark-header has its dark background)",
      `background is ${f.headerBackground}`,
    );
    if (state.js) {
      const ran = f.bodyClasses.includes('js-enabled') && f.bodyClasses.includes('govuk-frontend-supported');
      g.check(ran, 'the script ran (body has js-enabled and govuk-frontend-supported)', `body classes: ${f.bodyClasses.join(' ') || 'none'}`);
    } else {
      g.check(!f.bodyClasses.includes('js-enabled'), 'no script ran with JavaScript off');
    }
    if (state.width <= 320) {
      g.check(
        f.scrollWidth <= f.innerWidth,
        'no page-level horizontal scrolling',
        `page is ${f.scrollWidth}px wide in a ${f.innerWidth}px window; widest: ${f.wide.join(', ') || 'unknown'}`,
      );
    }

    if (pageInfo.expect) await checkContent(state, g, pageInfo.expect);

    const violations = state.js ? await axeViolations(state.page) : await axeViolationsWithoutJs(state, url);
    g.check(
      violations.length === 0,
      'axe-core: no WCAG 2.2 A/AA violations',
      violations
        .map((v) => `\n            ${v.id} [${v.impact}] ${v.help} at ${url}\n              on: ${v.targets.slice(0, 5).join(' | ')}${v.targets.length > 5 ? ` (+${v.targets.length - 5} more)` : ''}`)
        .join(''),
    );

    g.check(state.problems.length === 0, 'no script errors or failed requests', [...new Set(state.problems)].join('; '));
    g.check(state.dialogs.length === 0, 'no dialogs', state.dialogs.join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
}
