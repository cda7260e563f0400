// Waymark's browser tests: node tests/browser/run.mjs BASE_URL
// Runs Debian's Chromium headless through playwright-core against a running Waymark site and
// exits non-zero on any failed check. scripts/browser-test starts the site and calls this.
import { chromium } from 'playwright-core';
import { cspPage, openCspMode } from './csp.mjs';
import { discoverPages } from './discover.mjs';
import { keyboardJourney, paginationJourney, searchJourney } from './journeys.mjs';
import { closeMode, MODES, openMode } from './modes.mjs';
import { Results } from './results.mjs';
import { tourPage } from './tour.mjs';

const CHROMIUM = process.env.WAYMARK_CHROMIUM || '/usr/bin/chromium';
// Two modes at a time: the machine has two cores, and each mode is one page in one context.
const PARALLEL = Number(process.env.WAYMARK_BROWSER_PARALLEL || 2);
// A hung page must not hang CI: give up well after a normal run (about a minute) would finish.
const WATCHDOG_MS = 6 * 60_000;

const base = process.argv[2];
if (!base || !/^https?:\/\//.test(base)) {
  console.error('usage: node tests/browser/run.mjs BASE_URL   (for example http://127.0.0.1:8080/)');
  process.exit(2);
}

const started = Date.now();
const results = new Results();
let browser;
let pageCount = 0;

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

// Runs the tasks at most `limit` at a time.
async function inParallel(tasks, limit) {
  const queue = [...tasks];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) {
      // One mode breaking down (say, its context cannot open) must not stop the others.
      await queue.shift()().catch((err) => {
        const g = results.group('browser test run');
        g.error(err);
        g.done();
      });
    }
  });
  await Promise.all(workers);
}

try {
  const { pages, problems } = await discoverPages(base);
  pageCount = pages.length;
  const setup = results.group('finding one page of each kind from the home page');
  setup.check(problems.length === 0, 'every kind of page was found', problems.join('; '));
  setup.done();
  console.log(`Testing ${base} with ${pages.length} pages:`);
  for (const p of pages) console.log(`  ${p.name.padEnd(20)} ${p.path}${p.status !== 200 ? ` (expects ${p.status})` : ''}`);

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

  const modeTasks = MODES.map((mode) => async () => {
    const state = await openMode(browser, mode, base);
    try {
      for (const p of pages) await tourPage(state, p, results);
      await keyboardJourney(state, results);
      await searchJourney(state, results);
      await paginationJourney(state, results);
    } finally {
      await closeMode(state);
    }
  });
  const cspTask = async () => {
    const state = await openCspMode(browser, base);
    try {
      for (const p of pages) await cspPage(state, p, results);
    } finally {
      await state.context.close();
    }
  };
  await inParallel([...modeTasks, cspTask], PARALLEL);
} catch (err) {
  const g = results.group('browser test run');
  g.error(err);
  g.done();
} finally {
  await browser?.close().catch(() => {});
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log('');
if (results.failures.length > 0) {
  console.log(`Failed (${results.failures.length}):`);
  for (const f of results.failures) console.log(`  ${f.label}: ${f.failures.length} failed`);
  console.log('');
}
console.log(`Pages checked: ${pageCount}, each in ${MODES.map((m) => m.label).join(', ')} and under the real CSP`);
console.log(`Page loads: ${results.pageLoads} in ${seconds} s`);
console.log(`Checks passed: ${results.passed}; failed: ${results.failed}; skipped: ${results.skipped}`);
// The plain closing line that CI reads.
console.log(`browser: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed > 0 ? 1 : 0);
