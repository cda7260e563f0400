// Finds the pages to test from the site itself, so the tests need no knowledge of the data.
// /api/v1/councils says whether the site has one council (its pages at /) or several (a
// comparison page at / and each council's pages under /{slug}/); the crawl starts at the site root,
// follows into the first council and stops once one page of each kind has been seen. A few facts
// the journeys need (a status with rows, a search term that finds something, the latest period)
// are read from the pages and the API the same way.

// Kinds of page found by following links, under the council's prefix ('' or '/{slug}').
// `optional` ones may not exist; indicators are required when the API lists some.
const KINDS = [
  { name: 'theme', rest: '/themes/[^/]+' },
  { name: 'outcome', rest: '/outcomes/[^/]+' },
  { name: 'directorate', rest: '/directorates/[^/]+' },
  { name: 'portfolio', rest: '/portfolios/[^/]+' },
  { name: 'activity', rest: '/activities/[^/]+' },
  { name: 'indicator', rest: '/indicators/[^/]+', optional: true },
  { name: 'report', rest: '/reports/[^/]+' },
];

// Enough to reach every kind through the overview and list pages, small enough to stay fast.
const MAX_FETCHES = 60;

// The heading of the report section that compares a period with the one before.
export const CHANGES_HEADING = 'What changed since the previous period';

function decodeEntities(s) {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function textOf(html) {
  return decodeEntities(html.replace(/<[^>]*>/g, ' ')).trim().replace(/\s+/g, ' ');
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function linksIn(html, pageUrl, origin) {
  const out = [];
  for (const m of html.matchAll(/<a\b[^>]*?\bhref\s*=\s*("([^"]*)"|'([^']*)')/gi)) {
    const raw = decodeEntities(m[2] ?? m[3] ?? '');
    let url;
    try {
      url = new URL(raw, pageUrl);
    } catch {
      continue;
    }
    if (url.origin !== origin) continue;
    url.hash = '';
    out.push(url);
  }
  return out;
}

// The options of <select id="...">: [{ value, text, selected }].
function selectOptions(html, id) {
  const m = html.match(new RegExp(`<select\\b[^>]*\\bid="${escapeRegExp(id)}"[^>]*>([\\s\\S]*?)</select>`, 'i'));
  if (!m) return [];
  return [...m[1].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)].map((o) => ({
    value: decodeEntities((o[1].match(/\bvalue\s*=\s*"([^"]*)"/i) || [])[1] ?? textOf(o[2])),
    text: textOf(o[2]),
    selected: /\bselected\b/i.test(o[1]),
  }));
}

// The rows of the activity list (#activity-results): [{ title, status }].
function activityRows(html) {
  const m = html.match(/<table\b[^>]*\bid="activity-results"[\s\S]*?<tbody\b[^>]*>([\s\S]*?)<\/tbody>/i);
  if (!m) return [];
  return [...m[1].matchAll(/<tr\b[\s\S]*?<\/tr>/gi)].map((r) => ({
    title: textOf((r[0].match(/<a\b[^>]*>([\s\S]*?)<\/a>/i) || [])[1] || ''),
    status: textOf((r[0].match(/class="[^"]*\bgovuk-tag\b[^"]*"[^>]*>([\s\S]*?)<\//i) || [])[1] || ''),
  }));
}

// Returns { name, base, multi, prefix, council, councils, comparePeriod, filterStatus, searchTerm,
// pages: [{ name, path, status, expect? }], problems: [string] }. Paths are absolute on the site.
export async function discoverSite(base, name) {
  const origin = new URL(base).origin;
  const problems = [];
  let fetches = 0;

  async function get(path, type = 'text/html') {
    fetches += 1;
    try {
      const res = await fetch(new URL(path, base), { redirect: 'follow' });
      if (!res.ok || !(res.headers.get('content-type') || '').includes(type)) return { status: res.status, body: null };
      return { status: res.status, body: type.includes('json') ? await res.json() : await res.text() };
    } catch (err) {
      problems.push(`could not fetch ${path} while finding pages: ${err.message}`);
      return { status: null, body: null };
    }
  }

  // One council or several. With several, the first council's pages are the ones tested.
  let councils = [];
  const list = await get('/api/v1/councils', 'application/json');
  if (Array.isArray(list.body?.councils) && list.body.councils.length > 0) {
    councils = list.body.councils;
  } else {
    problems.push(`/api/v1/councils answered ${list.status} without a list of councils; testing as a site with one council`);
  }
  const multi = councils.length > 1;
  const council = councils[0] || { slug: '', name: '', url: '/' };
  let prefix = '';
  if (multi) {
    prefix = new URL(council.url, base).pathname.replace(/\/+$/, '');
    if (!prefix) problems.push(`/api/v1/councils lists several councils but gives ${council.slug} the address ${council.url}`);
  } else if (council.url !== '/') {
    problems.push(`the only council, ${council.slug}, has the address ${council.url} rather than /`);
  }
  const at = (rest) => `${prefix}${rest}`;

  const pages = [];
  const add = (page) => pages.push({ status: 200, ...page });

  // The comparison page and one other period of it, picked from its own select.
  let comparePeriod = null;
  if (multi) {
    const root = await get('/');
    const html = root.body || '';
    if (!root.body) problems.push(`/ answered ${root.status}, not an HTML page`);
    for (const c of councils) {
      if (!linksIn(html, new URL('/', base), origin).some((u) => u.pathname === new URL(c.url, base).pathname)) {
        problems.push(`the comparison page / has no link to ${c.url} (${c.name})`);
      }
    }
    const options = selectOptions(html, 'compare-period');
    if (options.length === 0) problems.push('the comparison page / has no <select id="compare-period">');
    // Not the period shown already, so the second page differs from the first.
    comparePeriod = options.find((o) => !o.selected && o.value) || options.find((o) => o.value) || null;
    const links = councils.map((c) => new URL(c.url, base).pathname);
    add({
      name: 'comparison',
      path: '/',
      expect: { h1: 'Councils compared', selectors: ['select#compare-period[name="period"]'], buttons: ['Show period'], tableLinks: links },
    });
    if (comparePeriod) {
      add({
        name: 'comparison, a period',
        path: `/compare?period=${encodeURIComponent(comparePeriod.value)}`,
        expect: { h1: 'Councils compared', caption: comparePeriod.text, tableLinks: links },
      });
    }
  }

  // The activity list: a status that has rows (Amber if it has), and a search term that finds some.
  const activitiesHtml = (await get(at('/activities'))).body || '';
  const statusOptions = selectOptions(activitiesHtml, 'filter-status').filter((o) => o.value);
  if (statusOptions.length === 0) problems.push(`${at('/activities')} has no status filter options (select#filter-status)`);
  let filterStatus = null;
  const byPreference = [...statusOptions].sort((a, b) => (b.value === 'amber') - (a.value === 'amber'));
  for (const option of byPreference) {
    const rows = activityRows((await get(at(`/activities?status=${encodeURIComponent(option.value)}`))).body || '');
    if (rows.length > 0) {
      filterStatus = option;
      break;
    }
  }
  if (statusOptions.length > 0 && !filterStatus) problems.push(`no status in ${at('/activities')}'s filter has any activities`);
  filterStatus ||= { value: 'amber', text: 'Amber' };

  let searchTerm = 'housing';
  if (activityRows((await get(at(`/activities?q=${searchTerm}`))).body || '').length === 0) {
    // A long word from the first activity's title is sure to find it.
    const words = (activityRows(activitiesHtml)[0]?.title || '').match(/[A-Za-z]{5,}/g) || [];
    words.sort((a, b) => b.length - a.length);
    if (words[0]) searchTerm = words[0].toLowerCase();
    else problems.push(`"housing" finds nothing in ${at('/activities')} and it lists no activity to take a word from`);
  }

  // Pages every council has, at fixed addresses.
  add({ name: 'council home', path: at('/') });
  add({ name: 'activities', path: at('/activities') });
  add({ name: 'filtered activities', path: at(`/activities?status=${encodeURIComponent(filterStatus.value)}`) });
  add({ name: 'indicators', path: at('/indicators') });
  add({ name: 'search', path: at(`/search?q=${encodeURIComponent(searchTerm)}`) });
  add({ name: 'reports', path: at('/reports') });
  add({ name: 'open data', path: at('/data') });
  add({ name: 'accessibility', path: at('/accessibility') });
  add({ name: 'not found', path: at('/no-such-page'), status: 404 });

  // The latest period's report, which compares it with the period before when there is one.
  const reportPattern = new RegExp(`^${escapeRegExp(prefix)}/reports/[^/]+$`);
  const reportsHtml = (await get(at('/reports'))).body || '';
  const periods = new Set(linksIn(reportsHtml, new URL(at('/reports'), base), origin).map((u) => u.pathname).filter((p) => reportPattern.test(p)));
  const stats = await get(at('/api/v1/stats'), 'application/json');
  const latest = stats.body?.period?.id;
  const found = new Map();
  if (latest) {
    const path = at(`/reports/${encodeURIComponent(latest)}`);
    found.set('report', path);
    if (periods.size > 0 && !periods.has(path)) problems.push(`${at('/reports')} has no link to the latest period's report ${path}`);
  } else if (stats.status !== 404) {
    problems.push(`${at('/api/v1/stats')} answered ${stats.status} without a period`);
  }
  // Indicators must be found when the council has some.
  const indicators = await get(at('/api/v1/indicators'), 'application/json');
  const hasIndicators = Array.isArray(indicators.body?.indicators) && indicators.body.indicators.length > 0;

  // Follow links from the site root, into the council, until each kind has been seen.
  const kinds = KINDS.map((k) => ({
    ...k,
    optional: k.optional && !hasIndicators,
    pattern: new RegExp(`^${escapeRegExp(prefix)}${k.rest}$`),
  }));
  const queue = [...new Set(['/', at('/'), at('/activities'), at('/indicators')])];
  const seen = new Set(queue);
  let crawled = 0;
  while (queue.length > 0 && crawled < MAX_FETCHES && found.size < kinds.length) {
    const path = queue.shift();
    crawled += 1;
    const html = (await get(path)).body;
    if (!html) continue;
    for (const url of linksIn(html, new URL(path, base), origin)) {
      const linkPath = url.pathname;
      // Downloads are not pages. (Only known file types: a reference may contain a dot.)
      if (/\.(csv|json|xml|txt|pdf|xlsx|ods|zip)$/i.test(linkPath)) continue;
      for (const kind of kinds) {
        if (!found.has(kind.name) && kind.pattern.test(linkPath)) found.set(kind.name, linkPath);
      }
      // Only plain pages of this council are worth following: query strings are filtered copies
      // of list pages, and other councils' pages are the same kinds again.
      if (url.search || seen.has(linkPath) || linkPath.startsWith('/assets/')) continue;
      if (prefix && !linkPath.startsWith(`${prefix}/`)) continue;
      seen.add(linkPath);
      queue.push(linkPath);
    }
  }

  for (const kind of kinds) {
    if (found.has(kind.name)) {
      const page = { name: kind.name, path: found.get(kind.name) };
      if (kind.name === 'report') {
        page.name = 'latest report';
        // With an earlier period to compare with, the report says what changed since it.
        if (periods.size > 1) page.expect = { changes: true };
      }
      add(page);
    } else if (!kind.optional) {
      problems.push(`no link to a ${kind.name} page (${kind.pattern}) found within ${crawled} pages`);
    }
  }

  return {
    name,
    base,
    multi,
    prefix,
    council,
    councils,
    comparePeriod,
    filterStatus,
    searchTerm,
    pages,
    problems,
    fetches,
  };
}
