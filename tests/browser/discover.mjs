// Finds the pages to test from the site itself, so the tests need no knowledge of the data:
// follows links from the home page until one page of each kind has been seen.

// Kinds of page found by following links; `optional` ones may not exist (a plan with no indicators).
const KINDS = [
  { name: 'theme', pattern: /^\/themes\/[^/]+$/ },
  { name: 'outcome', pattern: /^\/outcomes\/[^/]+$/ },
  { name: 'directorate', pattern: /^\/directorates\/[^/]+$/ },
  { name: 'portfolio', pattern: /^\/portfolios\/[^/]+$/ },
  { name: 'activity', pattern: /^\/activities\/[^/]+$/ },
  { name: 'indicator', pattern: /^\/indicators\/[^/]+$/, optional: true },
  { name: 'report', pattern: /^\/reports\/[^/]+$/ },
];

// Pages every site has, at fixed addresses.
const FIXED = [
  { name: 'home', path: '/' },
  { name: 'activities', path: '/activities' },
  { name: 'filtered activities', path: '/activities?status=amber' },
  { name: 'indicators', path: '/indicators' },
  { name: 'search', path: '/search?q=housing' },
  { name: 'open data', path: '/data' },
  { name: 'accessibility', path: '/accessibility' },
  { name: 'not found', path: '/no-such-page', status: 404 },
];

// Enough to reach every kind through the overview and list pages, small enough to stay fast.
const MAX_FETCHES = 60;

function decodeEntities(s) {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
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

// Returns { pages: [{ name, path, status }], problems: [string] }.
export async function discoverPages(base) {
  const origin = new URL(base).origin;
  const found = new Map();
  const queue = ['/', '/activities', '/indicators'];
  const seen = new Set(queue);
  const problems = [];
  let fetches = 0;

  while (queue.length > 0 && fetches < MAX_FETCHES && found.size < KINDS.length) {
    const path = queue.shift();
    fetches += 1;
    let html;
    try {
      const res = await fetch(new URL(path, base));
      if (!res.ok || !(res.headers.get('content-type') || '').includes('text/html')) continue;
      html = await res.text();
    } catch (err) {
      problems.push(`could not fetch ${path} while finding pages: ${err.message}`);
      continue;
    }
    for (const url of linksIn(html, new URL(path, base), origin)) {
      const linkPath = url.pathname;
      // Downloads are not pages. (Only known file types: a reference may contain a dot.)
      if (/\.(csv|json|xml|txt|pdf|xlsx|ods|zip)$/i.test(linkPath)) continue;
      for (const kind of KINDS) {
        if (!found.has(kind.name) && kind.pattern.test(linkPath)) found.set(kind.name, linkPath);
      }
      // Only plain pages are worth following: query strings are filtered copies of list pages.
      if (!url.search && !seen.has(linkPath) && !linkPath.startsWith('/assets/')) {
        seen.add(linkPath);
        queue.push(linkPath);
      }
    }
  }

  const pages = FIXED.map((p) => ({ status: 200, ...p }));
  for (const kind of KINDS) {
    if (found.has(kind.name)) {
      pages.push({ name: kind.name, path: found.get(kind.name), status: 200 });
    } else if (!kind.optional) {
      problems.push(`no link to a ${kind.name} page (${kind.pattern}) found within ${fetches} pages`);
    }
  }
  return { pages, problems };
}
