// Waymark's browser tests: node tests/browser/run.mjs [NAME=]BASE_URL... [staff=BASE_URL staff-link=URL...]
// Runs Debian's Chromium headless through playwright-core against one or more running Waymark
// sites (scripts/browser-test starts a one-council demo site and a synthetic site with several
// councils) and exits non-zero on any failed check on any of them.
// A site named `staff` is not toured: the staff site's whole quarterly cycle runs on it instead
// (staff.mjs, with the plan and its indicators in staff-plan.mjs), once per `staff-link=` (an
// admin's set-up link from `waymark user add`); it changes the site's data, so give it a fresh
// demo database of its own.
// A site named `static` is the static copy made by `waymark publish`, on a plain file server
// under a sub-path (static.mjs): its files are found by following links, and each page is toured
// in one of the modes.
import { chromium } from 'playwright-core';
import { cspPage, openCspMode } from './csp.mjs';
import { discoverSite } from './discover.mjs';
import { compareJourney, keyboardJourney, paginationJourney, searchJourney } from './journeys.mjs';
import { closeMode, MODES, openMode } from './modes.mjs';
import { Results } from './results.mjs';
import { STAFF_JOURNEYS, staffJourneys } from './staff.mjs';
import { discoverStatic, staticSummary, staticTasks } from './static.mjs';
import { tourPage } from './tour.mjs';

const CHROMIUM = process.env.WAYMARK_CHROMIUM || '/usr/bin/chromium';
// Two modes at a time: the machine has two cores, and each mode is one page in one context.
const PARALLEL = Number(process.env.WAYMARK_BROWSER_PARALLEL || 2);
// A hung page must not hang CI: give up well after a normal run of all three sites (about three
// minutes on two cores) would finish.
const WATCHDOG_MS = 8 * 60_000;

const USAGE =
  'usage: node tests/browser/run.mjs [NAME=]BASE_URL... [staff=BASE_URL staff-link=SETUP_URL...] [static=BASE_URL]   (for example demo=http://127.0.0.1:8080/)';
const staffLinks = [];
const args = process.argv.slice(2).filter((arg) => {
  const m = arg.match(/^staff-link=(https?:\/\/.+)$/);
  if (m) staffLinks.push(m[1]);
  return !m;
});
if (args.length === 0) {
  console.error(USAGE);
  process.exit(2);
}
const targets = args.map((arg, i) => {
  const m = arg.match(/^(?:([\w.-]+)=)?(https?:\/\/.+)$/);
  if (!m) {
    console.error(USAGE);
    process.exit(2);
  }
  return { name: m[1] || (args.length > 1 ? `site${i + 1}` : ''), base: m[2] };
});
if (staffLinks.length > 0 && !targets.some((t) => t.name === 'staff')) {
  console.error(`staff-link= needs a staff=BASE_URL site\n${USAGE}`);
  process.exit(2);
}

const started = Date.now();
// One set of results per site, added up at the end.
const allResults = targets.map(() => new Results());
let browser;

const watchdog = setTimeout(async () => {
  console.error(`browser tests: gave up after ${WATCHDOG_MS / 1000} s`);
  await browser?.close().catch(() => {});
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    console.error(`browser tests: stopped by ${signal}`);
    // Checks still in flight fail as the browser closes; they are not worth reporting.
    console.log = () => {};
    await browser?.close().catch(() => {});
    process.exit(1);
  });
}

// Runs the tasks at most `limit` at a time. A task is { results, run }.
async function inParallel(tasks, limit) {
  const queue = [...tasks];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) {
      const task = queue.shift();
      // One mode breaking down (say, its context cannot open) must not stop the others.
      await task.run().catch((err) => {
        const g = task.results.group(`${task.label}: browser test run`);
        g.error(err);
        g.done();
      });
    }
  });
  await Promise.all(workers);
}

// The modes each site is toured in (the CSP pass comes on top). All four for every site: both
// sites together take about a minute and a half on two cores (two minutes on a busy machine); with
// the staff site's journeys (cycle, plan and indicators) alongside, about three.
// Should that grow too long for CI, the site with several councils could skip 1280px/js-off (its
// pages use the same templates, and JavaScript-off layout is most at risk at 320 px): filter
// MODES here for that site and say so.
function modesFor(/* site */) {
  return MODES;
}

const sites = [];
const staffSites = [];
const staticSites = [];
try {
  for (const [i, target] of targets.entries()) {
    const results = allResults[i];
    if (target.name === 'staff') {
      staffSites.push({ ...target, links: staffLinks, results, pages: 0 });
      console.log(`Testing the staff site at ${target.base}: ${STAFF_JOURNEYS.map((j) => `${j.period} with JavaScript ${j.js ? 'on' : 'off'}`).join(', then ')}\n`);
      continue;
    }
    if (target.name === 'static') {
      const site = await discoverStatic(target.base, target.name, results);
      staticSites.push(site);
      console.log(`Testing the static copy at ${target.base}: ${site.files} files, ${site.pages.length} pages, each toured in one mode\n`);
      continue;
    }
    const site = await discoverSite(target.base, target.name);
    site.results = results;
    site.modes = modesFor(site);
    sites.push(site);
    const where = site.multi ? `several councils, testing ${site.prefix}/` : 'one council';
    const setup = results.group(`${target.name ? `${target.name}: ` : ''}finding one page of each kind from the site root (${where})`);
    setup.check(site.problems.length === 0, 'every kind of page was found', site.problems.join('; '));
    setup.done();
    console.log(`Testing ${target.name ? `${target.name} at ` : ''}${target.base} (${site.multi ? `${site.councils.length} councils` : 'one council'}) with ${site.pages.length} pages:`);
    for (const p of site.pages) console.log(`  ${p.name.padEnd(20)} ${p.path}${p.status !== 200 ? ` (expects ${p.status})` : ''}`);
    console.log(`  keyboard journey filters by "${site.filterStatus.text}"; search journey looks for "${site.searchTerm}"\n`);
  }

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Our own handlers below close the browser and stop the run, rather than carrying on.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  console.log(`Chromium ${browser.version()}\n`);

  const tasks = [];
  // First, as the longest task: its steps follow one another, while the other worker tours.
  for (const site of staffSites) {
    tasks.push({
      results: site.results,
      label: site.name,
      run: async () => {
        const { pages } = await staffJourneys(browser, site, site.results, site.name);
        site.pages = pages;
      },
    });
  }
  for (const site of sites) {
    const { results } = site;
    const tag = site.name ? `${site.name} ` : '';
    for (const mode of site.modes) {
      tasks.push({
        results,
        label: `${tag}${mode.label}`,
        run: async () => {
          const state = await openMode(browser, mode, site.base);
          state.label = `${tag}${mode.label}`;
          state.site = site;
          try {
            for (const p of site.pages) await tourPage(state, p, results);
            await keyboardJourney(state, results);
            await searchJourney(state, results);
            await paginationJourney(state, results);
            if (site.multi) await compareJourney(state, results);
          } finally {
            await closeMode(state);
          }
        },
      });
    }
    tasks.push({
      results,
      label: `${tag}1280px/real-CSP`,
      run: async () => {
        const state = await openCspMode(browser, site.base);
        state.label = `${tag}${state.label}`;
        state.site = site;
        try {
          for (const p of site.pages) await cspPage(state, p, results);
        } finally {
          await state.context.close();
        }
      },
    });
  }
  for (const site of staticSites) tasks.push(...staticTasks(browser, site));
  await inParallel(tasks, PARALLEL);
} catch (err) {
  const g = allResults[0].group('browser test run');
  g.error(err);
  g.done();
} finally {
  await browser?.close().catch(() => {});
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
const total = { passed: 0, failed: 0, skipped: 0, pageLoads: 0, failures: [] };
for (const r of allResults) {
  total.passed += r.passed;
  total.failed += r.failed;
  total.skipped += r.skipped;
  total.pageLoads += r.pageLoads;
  total.failures.push(...r.failures);
}
console.log('');
if (total.failures.length > 0) {
  console.log(`Failed (${total.failures.length}):`);
  for (const f of total.failures) console.log(`  ${f.label}: ${f.failures.length} failed`);
  console.log('');
}
for (const site of sites) {
  const r = site.results;
  console.log(
    `${site.name ? `${site.name}: ` : ''}${site.pages.length} pages, each in ${site.modes.map((m) => m.label).join(', ')} and under the real CSP; ` +
      `${r.pageLoads} page loads; checks passed: ${r.passed}; failed: ${r.failed}; skipped: ${r.skipped}`,
  );
}
for (const site of staffSites) {
  const r = site.results;
  console.log(
    `${site.name}: the staff cycle, plan and indicators with JavaScript on and off, ${site.pages} staff pages checked (axe-core at 1280px, reflow at 320px); ` +
      `${r.pageLoads} page loads; checks passed: ${r.passed}; failed: ${r.failed}; skipped: ${r.skipped}`,
  );
}
for (const site of staticSites) console.log(staticSummary(site));
console.log(`Page loads: ${total.pageLoads} in ${seconds} s`);
console.log(`Checks passed: ${total.passed}; failed: ${total.failed}; skipped: ${total.skipped}`);
// The plain closing line that CI reads.
console.log(`browser: ${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed > 0 ? 1 : 0);
