// The static copy of the site (`waymark publish`), served by a plain static file server under a
// sub-path (scripts/browser-test serves it at /site/). Every file is found by following links from
// the home page; every link, stylesheet and script a page names must answer 200 and stay under
// the sub-path; every page is then toured once (tour.mjs: axe-core and the page checks), the four
// modes taking the pages in turn so that each mode sees every kind of page and the run stays short.
import { MODES, closeMode, openMode } from './modes.mjs';
import { tourPage } from './tour.mjs';

// A generous bound: the demo's copy has a few hundred files.
const MAX_FILES = 5_000;

function decodeEntities(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// Every address a page names: links, stylesheets, scripts, images, form targets.
function referencesIn(html) {
  const out = [];
  for (const m of html.matchAll(/<(a|link|script|img|form)\b[^>]*?\s(href|src|action)="([^"]*)"/gi)) {
    out.push({ tag: m[1].toLowerCase(), value: decodeEntities(m[3]) });
  }
  return out;
}

// "Showing 21 to 40 of 116 activities" -> [21, 40, 116]
function numbersIn(text) {
  return (text.match(/\d[\d,]*/g) || []).map((n) => Number(n.replace(/,/g, '')));
}

// Crawls the copy from `base` (ending in /). Returns { name, base, pages, problems, results-ready
// facts }: pages are [{ name, path, status }] with paths absolute on the server.
export async function discoverStatic(base, name, results) {
  const root = new URL(base);
  const g = results.group(`${name}: every link, stylesheet and script of the static copy under ${root.pathname}`);
  const seen = new Map(); // href -> { status, type, body? }
  const queue = [new URL('index.html', root).href];
  const pages = [];
  let references = 0;
  const escaped = [];
  const broken = [];
  try {
    while (queue.length > 0 && seen.size < MAX_FILES) {
      const href = queue.shift();
      if (seen.has(href)) continue;
      const res = await fetch(href, { redirect: 'manual' });
      const type = res.headers.get('content-type') || '';
      const isHtml = type.includes('text/html');
      const body = isHtml && res.ok ? await res.text() : (await res.arrayBuffer(), null);
      seen.set(href, { status: res.status });
      if (!res.ok) continue;
      if (!isHtml) continue;
      const path = new URL(href).pathname;
      // The copy's pages are directories' index.html; any other HTML file is a download (a
      // report as HTML, a standalone document without the site's header or styles): its links
      // are followed, the site's page checks are not applied to it.
      if (path.endsWith('/index.html')) pages.push({ name: path.slice(root.pathname.length), path, status: 200, body });
      for (const ref of referencesIn(body)) {
        if (ref.value.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(ref.value)) continue;
        references += 1;
        const target = new URL(ref.value, href);
        target.hash = '';
        if (target.origin !== root.origin || !target.pathname.startsWith(root.pathname)) {
          escaped.push(`${path}: ${ref.value} leaves ${root.pathname}`);
          continue;
        }
        if (ref.value.startsWith('/')) escaped.push(`${path}: ${ref.value} is root-relative`);
        // The export points links it could not resolve at its 404 page.
        if (target.pathname === `${root.pathname}404.html`) broken.push(`${path}: ${ref.value} names a page the copy lacks`);
        if (!seen.has(target.href)) queue.push(target.href);
      }
    }
    for (const [href, { status }] of seen) {
      if (status !== 200) broken.push(`${new URL(href).pathname} answered ${status}`);
    }
    g.check(seen.size < MAX_FILES, `the crawl ended within ${MAX_FILES} files`);
    g.check(pages.length > 0, 'the home page was found', `${root.href}index.html`);
    g.check(escaped.length === 0, 'every reference is relative and stays under the sub-path', escaped.slice(0, 10).join('; '));
    g.check(broken.length === 0, 'every file a page names answers 200', broken.slice(0, 10).join('; '));
    for (const kind of ['activities/', 'themes/', 'outcomes/', 'directorates/', 'portfolios/', 'reports/', 'data/', 'api/v1/']) {
      g.check([...seen.keys()].some((h) => new URL(h).pathname.startsWith(`${root.pathname}${kind}`)), `the copy links to ${kind}`);
    }
  } catch (err) {
    g.error(err);
  }
  g.done();

  // The list's pages: "Next" leads through every page, each showing the rows after the last.
  const p = results.group(`${name}: the activity list's pages follow each other by their "Next" links`);
  try {
    let href = new URL('activities/index.html', root).href;
    let previous = 0;
    let count = 0;
    while (href && count < 100) {
      count += 1;
      const page = pages.find((q) => new URL(q.path, root).href === href);
      if (!p.check(!!page, `${new URL(href).pathname} is a page of the copy`)) break;
      const shown = (page.body.match(/id="result-count"[^>]*>([^<]*)</) || [])[1] || '';
      const [from, to, total] = numbersIn(shown);
      p.check(from === previous + 1, `${page.name} starts where the page before ended`, `"${shown}" after row ${previous}`);
      previous = to;
      const next = page.body.match(/<a\b[^>]*href="([^"]*)"[^>]*rel="next"/);
      href = next ? new URL(decodeEntities(next[1]), href).href : null;
      if (!href) p.check(to === total, 'the last page ends with the last activity', `"${shown}"`);
    }
    p.check(count > 1, 'the list has more than one page', `${count} page(s)`);
    const list = pages.find((q) => q.name === 'activities/index.html')?.body || '';
    p.check(!/<form\b/.test(list), 'the list has no filter form (a static server ignores queries)');
  } catch (err) {
    p.error(err);
  }
  p.done();

  // Not linked from anywhere: the page a host shows for a missing file, at any depth, so its
  // links start with the path given to `waymark publish --base-path`.
  const n = results.group(`${name}: the 404 page's links start with ${root.pathname} and answer`);
  try {
    const body = await (await fetch(new URL('404.html', root))).text();
    let count = 0;
    for (const ref of referencesIn(body)) {
      if (ref.value.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(ref.value)) continue;
      count += 1;
      n.check(ref.value.startsWith(root.pathname), `${ref.value} starts with ${root.pathname}`);
      const res = await fetch(new URL(ref.value, root));
      await res.arrayBuffer();
      n.check(res.status === 200, `${ref.value} answers 200`, `${res.status}`);
    }
    n.check(count >= 5, 'the 404 page links into the site', `${count} links`);
  } catch (err) {
    n.error(err);
  }
  n.done();
  pages.push({ name: '404.html', path: `${root.pathname}404.html`, status: 200 });
  for (const page of pages) delete page.body;
  return { name, base, pages, files: seen.size, references, results };
}

// One task per mode, each touring every fourth page: run by run.mjs beside the other sites'.
export function staticTasks(browser, site) {
  return MODES.map((mode, i) => ({
    results: site.results,
    label: `${site.name} ${mode.label}`,
    run: async () => {
      const state = await openMode(browser, mode, site.base);
      state.label = `${site.name} ${mode.label}`;
      state.site = site;
      try {
        for (const [j, page] of site.pages.entries()) {
          if (j % MODES.length === i) await tourPage(state, page, site.results);
        }
      } finally {
        await closeMode(state);
      }
    },
  }));
}

export function staticSummary(site) {
  const r = site.results;
  return (
    `${site.name}: the static copy, ${site.files} files, ${site.references} references followed; ${site.pages.length} pages, ` +
    `each toured once in one of ${MODES.map((m) => m.label).join(', ')}; ` +
    `${r.pageLoads} page loads; checks passed: ${r.passed}; failed: ${r.failed}; skipped: ${r.skipped}`
  );
}
