// Journeys a visitor makes: by keyboard alone from the council's home page to one activity,
// free-text search (including a hostile query), paging through the results, and (on a site with
// several councils) choosing another period on the comparison page. Each runs against the council
// that discovery chose (state.site): its pages are under state.site.prefix, '' or '/{slug}'.
import { describeActive, enterAndWait, focusedControlNamed, focusedMatches, pressUntil } from './keyboard.mjs';
import { pollUntil } from './modes.mjs';

// "Showing 21 to 40 of 116 activities" -> [21, 40, 116]
function numbersIn(text) {
  return (text.match(/\d[\d,]*/g) || []).map((n) => Number(n.replace(/,/g, '')));
}

async function resultFacts(page) {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('#activity-results tbody tr')];
    return {
      count: (document.querySelector('#result-count')?.textContent || '').trim().replace(/\s+/g, ' '),
      statuses: rows.map((r) => (r.querySelector('.govuk-tag')?.textContent || '').trim().replace(/\s+/g, ' ')),
    };
  });
}

// Focus is on the menu's "Activities" link, or on the collapsed menu's toggle button (narrow
// screens with JavaScript, where GOV.UK Frontend hides the links behind a "Menu" button).
function onActivitiesLinkOrMenuToggle() {
  const el = document.activeElement;
  if (!el || el.closest('main')) return false;
  const name = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
  if (el.tagName === 'A' && el.closest('nav') && name.startsWith('Activities')) return true;
  return el.tagName === 'BUTTON' && el.getAttribute('aria-expanded') === 'false' && !!el.getAttribute('aria-controls');
}

function onFirstResultLink() {
  const el = document.activeElement;
  return !!el && el.tagName === 'A' && !!el.closest('#activity-results tbody') && /\/activities\/[^/?#]+$/.test(new URL(el.href).pathname);
}

export async function keyboardJourney(state, results) {
  const page = state.page;
  const { prefix, filterStatus } = state.site;
  const activitiesPath = `${prefix}/activities`;
  // The status chosen by discovery: Amber unless no activity is Amber.
  const statusName = filterStatus.text.replace(/\s*\(.*$/, '');
  const g = results.group(`${state.label} keyboard journey: ${prefix}/ -> Activities -> ${statusName} -> an activity`);
  state.problems = [];
  try {
    await page.goto(new URL(`${prefix}/`, state.base).href, { waitUntil: 'load' });
    results.pageLoads += 1;

    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const el = document.activeElement;
      return { isSkip: !!el && el.matches('a.govuk-skip-link'), text: (el?.textContent || '').trim().replace(/\s+/g, ' ') };
    });
    g.check(first.isSkip && first.text === 'Skip to main content', 'first Tab focuses the skip link', `focused ${await describeActive(page)}`);

    await page.keyboard.press('Enter');
    const hashMoved = await pollUntil(page, () => location.hash === '#main-content');
    g.check(hashMoved, 'Enter on the skip link goes to #main-content', `URL is ${page.url()}`);
    const enhanced = await page.evaluate(() => !!document.querySelector('a.govuk-skip-link[data-module="govuk-skip-link"]'));
    if (state.js && enhanced) {
      // GOV.UK Frontend's skip link script (data-module="govuk-skip-link") moves focus onto <main>.
      const onMain = await pollUntil(page, () => document.activeElement?.id === 'main-content', null, 2_000);
      g.check(onMain, 'focus is on <main id="main-content">', `focused ${await describeActive(page)}`);
    }
    // Whether or not <main> took focus, the next Tab must land inside it.
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => !!document.activeElement?.closest('#main-content'));
    g.check(inMain, 'after the skip link, Tab moves into the main content', `focused ${await describeActive(page)}`);

    // Back up to the menu, which comes before the main content.
    await pressUntil(page, onActivitiesLinkOrMenuToggle, null, { key: 'Shift+Tab', max: 60, what: 'the menu link "Activities"' });
    if (await page.evaluate(() => document.activeElement.tagName === 'BUTTON')) {
      await page.keyboard.press('Enter');
      g.check(await page.evaluate(() => document.activeElement.getAttribute('aria-expanded') === 'true'), 'Enter opens the collapsed menu');
      await pressUntil(page, focusedControlNamed, { text: 'Activities', within: 'nav', startsWith: true }, { max: 15, what: 'the menu link "Activities"' });
    }
    await enterAndWait(page, (u) => u.pathname === activitiesPath);
    g.check(new URL(page.url()).pathname === activitiesPath, `Enter on "Activities" opens ${activitiesPath}`, page.url());

    await pressUntil(page, focusedMatches, 'select#filter-status', { max: 80, what: 'the status filter (select#filter-status)' });
    // Arrow keys change a closed <select> in Chromium on Linux without opening its list.
    let chosen = { value: '', text: '' };
    for (let i = 0; i < 20; i += 1) {
      chosen = await page.evaluate(() => ({
        value: document.activeElement.value,
        text: document.activeElement.selectedOptions[0]?.textContent.trim() || '',
      }));
      if (chosen.value === filterStatus.value) break;
      await page.keyboard.press('ArrowDown');
    }
    g.check(chosen.value === filterStatus.value, `the arrow keys choose "${filterStatus.text}"`, `the status filter shows "${chosen.text}"`);

    await pressUntil(page, focusedControlNamed, { text: 'Apply filters' }, { max: 20, what: 'the "Apply filters" button' });
    await enterAndWait(page, (u) => u.searchParams.get('status') === filterStatus.value);
    const filtered = new URL(page.url());
    g.check(
      filtered.pathname === activitiesPath && filtered.searchParams.get('status') === filterStatus.value,
      `the filtered URL is ${activitiesPath}?status=${filterStatus.value}`,
      page.url(),
    );

    const r = await resultFacts(page);
    g.check(r.count !== '', '#result-count is shown');
    g.check(r.statuses.length > 0, `some activities are ${statusName}`, `result count says "${r.count}"`);
    const others = r.statuses.filter((s) => !s.startsWith(statusName));
    g.check(others.length === 0, `every row is ${statusName}`, `other statuses: ${others.slice(0, 5).join(', ')}`);

    await pressUntil(page, onFirstResultLink, null, { max: 80, what: 'the first activity link in #activity-results' });
    const link = await page.evaluate(() => ({
      title: document.activeElement.textContent.trim().replace(/\s+/g, ' '),
      path: new URL(document.activeElement.href).pathname,
    }));
    g.check(link.path.startsWith(`${activitiesPath}/`), `the first activity link is under ${activitiesPath}/`, link.path);
    await enterAndWait(page, (u) => u.pathname === link.path);
    const activity = await page.evaluate(() => {
      const text = (el) => (el?.textContent || '').trim().replace(/\s+/g, ' ');
      const rows = [...document.querySelectorAll('.govuk-summary-list__row')];
      const refRow = rows.find((row) => text(row.querySelector('.govuk-summary-list__key')) === 'Reference');
      return { h1: text(document.querySelector('h1')), reference: text(refRow?.querySelector('.govuk-summary-list__value')) };
    });
    g.check(activity.h1.includes(link.title), 'the activity page h1 has the activity title', `h1 "${activity.h1}", link "${link.title}"`);
    // The address ends in the reference (percent-encoded, perhaps in another case or with
    // punctuation changed); compare letters and digits only.
    const simple = (s) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
    const slug = decodeURIComponent(link.path.split('/').pop());
    g.check(
      activity.reference !== '' && simple(activity.reference) === simple(slug),
      'the activity page shows its reference in the summary list',
      `Reference row "${activity.reference}", address ${link.path}`,
    );
    g.check(state.problems.length === 0, 'no script errors or failed requests', [...new Set(state.problems)].join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
}

export async function searchJourney(state, results) {
  const page = state.page;
  const { prefix, searchTerm } = state.site;
  const activitiesUrl = new URL(`${prefix}/activities`, state.base).href;
  const g = results.group(`${state.label} search: "${searchTerm}" and a hostile query`);
  state.problems = [];
  state.dialogs = [];
  try {
    await page.goto(activitiesUrl, { waitUntil: 'load' });
    await page.fill('#filter-q', searchTerm);
    let status = await enterAndWait(page, (u) => u.searchParams.has('q'));
    results.pageLoads += 1;
    g.check(status === 200, 'search answers 200', `got ${status}`);
    g.check(new URL(page.url()).searchParams.get('q') === searchTerm, `Enter in the search box searches for q=${searchTerm}`, page.url());
    const r = await resultFacts(page);
    const total = numbersIn(r.count).pop() || 0;
    g.check(total > 0 && r.statuses.length > 0, `searching for "${searchTerm}" finds activities`, `result count "${r.count}", ${r.statuses.length} rows`);

    const hostile = '<script>alert(1)</script>';
    await page.goto(activitiesUrl, { waitUntil: 'load' });
    await page.fill('#filter-q', hostile);
    status = await enterAndWait(page, (u) => u.searchParams.has('q'));
    results.pageLoads += 1;
    g.check(status === 200, 'a query with markup in it answers 200', `got ${status}`);
    const shown = await page.evaluate((q) => ({
      asText: document.body.innerText.includes(q) || document.querySelector('#filter-q')?.value === q,
      asMarkup: [...document.querySelectorAll('script')].some((s) => s.textContent.includes('alert(1)')),
    }), hostile);
    g.check(shown.asText, 'the query is shown back as text');
    g.check(!shown.asMarkup, 'the query is not turned into a <script> element');
    g.check(state.dialogs.length === 0, 'no dialog opened', state.dialogs.join('; '));
    g.check(state.problems.length === 0, 'no script errors or failed requests', [...new Set(state.problems)].join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
}

export async function paginationJourney(state, results) {
  const page = state.page;
  const g = results.group(`${state.label} pagination: "Next" by keyboard`);
  state.problems = [];
  try {
    const activitiesPath = `${state.site.prefix}/activities`;
    await page.goto(new URL(activitiesPath, state.base).href, { waitUntil: 'load' });
    results.pageLoads += 1;
    if (!(await page.$('nav.govuk-pagination'))) {
      g.skip(`${activitiesPath} has no nav.govuk-pagination (all results fit on one page)`);
      return;
    }
    const before = (await resultFacts(page)).count;
    const firstUrl = page.url();
    await pressUntil(page, () => {
      const el = document.activeElement;
      return !!el && el.tagName === 'A' && !!el.closest('nav.govuk-pagination') &&
        (el.rel === 'next' || /\bNext\b/.test(el.textContent));
    }, null, { max: 200, what: 'the pagination "Next" link' });
    const status = await enterAndWait(page, (u) => u.href !== firstUrl);
    g.check(status === 200, 'the next page answers 200', `got ${status}`);
    const after = (await resultFacts(page)).count;
    const [from1] = numbersIn(before);
    const [from2] = numbersIn(after);
    g.check(from1 !== undefined && from2 > from1, 'the result range moved on', `before "${before}", after "${after}"`);
    g.check(state.problems.length === 0, 'no script errors or failed requests', [...new Set(state.problems)].join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
}

// The comparison page's form by keyboard: Tab to the period select, ArrowDown to the next period,
// Tab to "Show period", Enter. The new page's address and table caption name the chosen period.
export async function compareJourney(state, results) {
  const page = state.page;
  const g = results.group(`${state.label} keyboard journey: / -> another period -> Show period`);
  state.problems = [];
  try {
    await page.goto(new URL('/', state.base).href, { waitUntil: 'load' });
    results.pageLoads += 1;
    await pressUntil(page, focusedMatches, 'select#compare-period', { max: 40, what: 'the period select (select#compare-period)' });
    const selected = () => ({
      value: document.activeElement.value,
      text: (document.activeElement.selectedOptions[0]?.textContent || '').trim().replace(/\s+/g, ' '),
    });
    const before = await page.evaluate(selected);
    await page.keyboard.press('ArrowDown');
    const after = await page.evaluate(selected);
    g.check(after.value !== '' && after.value !== before.value, 'ArrowDown chooses another period', `before "${before.text}", after "${after.text}"`);

    await pressUntil(page, focusedControlNamed, { text: 'Show period' }, { max: 10, what: 'the "Show period" button' });
    const status = await enterAndWait(page, (u) => u.searchParams.has('period'));
    g.check(status === 200, 'the chosen period answers 200', `got ${status}`);
    const url = new URL(page.url());
    g.check(url.searchParams.get('period') === after.value, `the URL has period=${after.value}`, page.url());
    const captions = await page.evaluate(() =>
      [...document.querySelectorAll('main table caption')].map((c) => c.textContent.trim().replace(/\s+/g, ' ')),
    );
    g.check(
      captions.some((c) => c.includes(after.text)),
      `the table caption names "${after.text}"`,
      `captions: ${captions.map((c) => `"${c}"`).join(', ') || 'none'}`,
    );
    g.check(state.problems.length === 0, 'no script errors or failed requests', [...new Set(state.problems)].join('; '));
  } catch (err) {
    g.error(err);
  }
  g.done();
}
