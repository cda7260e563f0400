// The plan and its indicators, as the staff site's journeys (staff.mjs) walk them while their
// period is open, each page checked like every other staff page (inspect):
//   the admin uploads a revision of Bexley's action plan with one activity's line taken out (the
//   first journey only): the preview lists that activity as removed, and importing it takes the
//   activity out of the plan; the admin adds an activity (first without a title: the error
//   summary) and the public site shows it at once, at /activities/{reference}; the admin adds an
//   indicator (the first journey; the second reuses it) and sets how it is rated (higher is
//   better, target 90%, Amber within 5%) and who enters its values: the journey's owner; the
//   owner enters the period's value (first "about ten", then, in the first journey, an override
//   without a reason: both refused), and it is rated Amber (86.5%) or Green (91.2%, where the
//   page shows Q1's published value as the previous one); once the admin publishes the period,
//   the public /indicators/{reference} page shows it.
// The first journey (JavaScript on) also goes through each page's other error states; the second
// (JavaScript off) walks the essential path: the plan page, adding an activity, entering a value.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { follow, inspect, path, press, screenFacts, showsFieldError, step, tableRows, visit } from './staff-kit.mjs';

// Bexley's demo has no indicators: the first journey adds this one, the second reuses it.
export const INDICATOR = {
  reference: 'WM-1',
  name: 'Calls to the contact centre answered within 60 seconds',
  frequency: 'Quarterly',
  rules: 'Higher is better; target 90',
};

const FIXTURES = new URL('../../fixtures/bexley/', import.meta.url);

// What an indicator's value page says: its summary rows, and the latest version in its history.
function entryFacts() {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  const main = document.querySelector('main');
  const row = (key, within = main) => text([...within.querySelectorAll('.govuk-summary-list__row')].find((r) => text(r.querySelector('dt')) === key)?.querySelector('dd'));
  const latest = main.querySelector('.waymark-version');
  return {
    owner: row('Owner'),
    previous: row('Previous value'),
    rules: row('How it is rated'),
    version: text(latest?.querySelector('h3')),
    value: latest ? row('Value', latest) : '',
    rating: latest ? row('Rating', latest) : '',
    note: latest ? row('Note', latest) : '',
    versions: main.querySelectorAll('.waymark-version').length,
  };
}

// A check that a known, reported fault makes fail: while it fails it is skipped with the reason
// (the run says so), and it counts as soon as the fault is fixed.
function checkOrKnownFault(g, ok, what, detail, fault) {
  if (ok) g.check(true, what);
  else g.skip(`not yet: ${what} (${detail}): ${fault}`);
}

// A field still shows what was typed after an error: GOV.UK's pattern.
function keptOrKnownFault(g, what, value, typed, fault) {
  checkOrKnownFault(g, value === typed, `${what} keeps what was typed`, `it shows ${JSON.stringify(value)}, not ${JSON.stringify(typed)}`, fault);
}

async function toPlan(j, admin, g) {
  await follow(j, admin, () => admin.page.getByRole('link', { name: 'The plan', exact: true }).first().click());
  g.check(new URL(admin.page.url()).pathname === '/staff/plan' && admin.status === 200, 'the menu leads to the plan', `at ${path(admin.page)}, status ${admin.status}`);
}

// The admin uploads a revised action plan, sees the preview listing the change, and imports it.
export async function uploadRevision(j, people) {
  const { upload } = j.plan;
  await step(j, 'the admin uploads a revised action plan, checks the preview and imports it', async (g) => {
    const { admin } = people;
    const { page } = admin;
    await toPlan(j, admin, g);
    let s = await page.evaluate(screenFacts);
    g.check(s.h1 === 'The plan' && s.buttons.includes('Upload and preview'), 'the plan page has the upload form', `h1 "${s.h1}"`);
    await inspect(j, admin, 'the plan', 200);

    await press(j, admin, 'Upload and preview');
    g.check(admin.status === 400, 'uploading without a file is refused', `status ${admin.status}`);
    await showsFieldError(j, admin, g, 'file', 'file-upload');
    await inspect(j, admin, 'the plan, upload without a file', 400);

    const lines = (await readFile(new URL(upload.fixture, FIXTURES), 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.startsWith(upload.remove));
    if (at < 0) throw new Error(`no line of ${upload.fixture} starts with ${JSON.stringify(upload.remove)}`);
    lines.splice(at, 1);
    const dir = await mkdtemp(join(tmpdir(), 'waymark-plan-'));
    try {
      const file = join(dir, upload.as);
      await writeFile(file, lines.join('\n'));
      await page.setInputFiles('#file', file);
      await press(j, admin, 'Upload and preview');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    s = await page.evaluate(screenFacts);
    g.check(admin.status === 200 && s.h1 === 'Check what this file changes', 'the file is read and previewed', `status ${admin.status}, h1 "${s.h1}", at ${path(page)}`);
    g.check(s.main.includes(upload.as), 'the preview names the file');
    g.check(/\b1 removed\b/.test(s.main) && /\b0 added\b/.test(s.main), 'the summary says one activity is removed and none added', s.main.slice(0, 300));
    const changes = await page.evaluate(tableRows, 'Changes to the plan');
    g.check(
      changes?.length === 1 && changes[0][1] === 'removed' && changes[0][2].startsWith(upload.remove),
      'the changes table lists just the activity taken out, as removed',
      JSON.stringify(changes),
    );
    await inspect(j, admin, 'plan preview', 200);

    await press(j, admin, 'Import it');
    s = await page.evaluate(screenFacts);
    g.check(
      new URL(page.url()).pathname === '/staff/plan' && s.banner === 'The new revision of the plan has been imported.',
      'importing it leads back to the plan, which says so',
      `at ${path(page)}, banner "${s.banner}"`,
    );
    const rows = await page.evaluate(tableRows, 'Activities in the plan');
    const gone = rows?.filter((r) => r[1].startsWith(upload.remove)) || [];
    g.check(gone.length === 1 && gone[0][3] === 'No', 'the activity taken out is no longer in the plan', JSON.stringify(gone));
    g.check(rows?.filter((r) => r[3] === 'Yes').length > 100, 'the rest of the plan is still in it');
    await inspect(j, admin, 'the plan, revision imported', 200);
  });
}

// The admin adds an activity (first without a title); the public site shows it at once.
export async function addActivity(j, people) {
  const { full, activity: a } = j.plan;
  const publicPath = `/activities/${encodeURIComponent(a.reference)}`;
  await step(j, `the admin adds ${a.reference} to the plan and the public site shows it`, async (g) => {
    const { admin, resident } = people;
    const { page } = admin;
    if (new URL(page.url()).pathname !== '/staff/plan') {
      await toPlan(j, admin, g);
      await inspect(j, admin, 'the plan', 200);
    }
    await page.fill('#reference', a.reference);
    await page.fill('#title', '');
    await page.fill('#directorate', a.directorate);
    await page.fill('#portfolios', a.portfolios);
    await page.fill('#due', a.due);
    await press(j, admin, 'Add the activity');
    g.check(admin.status === 400, 'an activity without a title is refused', `status ${admin.status}`);
    await showsFieldError(j, admin, g, 'title', 'textarea');
    const kept = await page.evaluate(() => ['reference', 'directorate', 'due'].map((id) => document.getElementById(id)?.value));
    g.check(JSON.stringify(kept) === JSON.stringify([a.reference, a.directorate, a.due]), 'the other fields keep what was typed', JSON.stringify(kept));
    await inspect(j, admin, 'the plan, activity without a title', 400);

    await page.fill('#title', a.title);
    await press(j, admin, 'Add the activity');
    let s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The activity has been added to the plan.', 'the activity is added', `at ${path(page)}, status ${admin.status}, banner "${s.banner}"`);
    const rows = await page.evaluate(tableRows, 'Activities in the plan');
    const row = rows?.find((r) => r[0] === a.reference);
    g.check(JSON.stringify(row) === JSON.stringify([a.reference, a.title, a.directorate, 'Yes']), 'the plan lists it', JSON.stringify(row));
    if (full) await inspect(j, admin, 'the plan, activity added', 200);

    await follow(j, admin, () => page.getByRole('link', { name: a.title, exact: true }).click());
    s = await page.evaluate(screenFacts);
    g.check(/^\/staff\/plan\/activities\/\d+$/.test(new URL(page.url()).pathname) && s.h1 === `${a.reference}: ${a.title}`, 'its page in the plan opens', `at ${path(page)}, h1 "${s.h1}"`);
    await inspect(j, admin, 'plan activity', 200);

    let outcome = '';
    if (full) {
      await page.fill('#title', '');
      await press(j, admin, 'Save changes');
      g.check(admin.status === 400, 'saving it without a title is refused', `status ${admin.status}`);
      const value = await showsFieldError(j, admin, g, 'title', 'textarea');
      keptOrKnownFault(g, 'the title field', value, '', 'plan_pages::change_activity re-renders the stored activity');
      await inspect(j, admin, 'plan activity, title emptied', 400);

      // The outcomes it delivers: the first of the corporate plan's.
      const first = page.locator('input[name="outcome"]').first();
      outcome = await page.evaluate(() => {
        const label = document.querySelector('label[for="outcome"]');
        return label ? label.textContent.trim().replace(/\s+/g, ' ') : '';
      });
      await first.check();
      await press(j, admin, 'Save outcomes');
      s = await page.evaluate(screenFacts);
      g.check(s.banner === 'The activity\'s outcomes have been saved.', 'it is linked to an outcome', `banner "${s.banner}", status ${admin.status}`);
      g.check(await first.isChecked(), 'the outcome stays ticked', outcome);
      await inspect(j, admin, 'plan activity, outcome linked', 200);
    }

    await visit(j, resident, publicPath);
    const p = await resident.page.evaluate(screenFacts);
    g.check(resident.status === 200 && p.h1 === a.title, `the public site has it at ${publicPath}`, `status ${resident.status}, h1 "${p.h1}"`);
    g.check(p.main.includes(a.due), 'with its due date', a.due);
    if (outcome) {
      // The label is "{theme}: {outcome}"; the public page names the outcome.
      const name = outcome.split(': ').slice(1).join(': ');
      g.check(p.main.includes(name), 'and the outcome it delivers', name);
    }
    if (full) {
      const { owner } = people;
      await visit(j, owner, '/staff/plan');
      g.check(owner.status === 403, 'the plan is refused to an owner (403)', `status ${owner.status}`);
    }
  });
}

// The admin adds the indicator (or finds it), sets how it is rated and gives it to the owner.
export async function indicatorSettings(j, people) {
  const { full, indicator } = j.plan;
  const i = INDICATOR;
  const label = indicator.add
    ? `the admin adds indicator ${i.reference}, sets how it is rated and who enters it`
    : `the admin gives indicator ${i.reference} to this period's owner`;
  await step(j, label, async (g) => {
    const { admin, owner } = people;
    const { page } = admin;
    if (new URL(page.url()).pathname !== '/staff/plan') await visit(j, admin, '/staff/plan');
    if (indicator.add) {
      if (full) {
        await page.fill('#indicator_reference', i.reference.replace('-', ' '));
        await page.fill('#indicator_name', i.name);
        await press(j, admin, 'Add the indicator');
        g.check(admin.status === 400, 'a reference with a space is refused', `status ${admin.status}`);
        await showsFieldError(j, admin, g, 'indicator_reference', 'input');
        g.check((await page.inputValue('#indicator_name')) === i.name, 'the name keeps what was typed');
        await inspect(j, admin, 'the plan, indicator reference refused', 400);
      }
      await page.fill('#indicator_reference', i.reference);
      await page.fill('#indicator_name', i.name);
      await page.fill('#indicator_frequency', i.frequency);
      await press(j, admin, 'Add the indicator');
      const s = await page.evaluate(screenFacts);
      g.check(s.banner === 'The indicator has been saved.', 'the indicator is added', `at ${path(page)}, status ${admin.status}, banner "${s.banner}"`);
    }
    const rows = await page.evaluate(tableRows, 'Indicators');
    const row = rows?.find((r) => r[0] === i.reference);
    g.check(JSON.stringify(row) === JSON.stringify([i.reference, i.name, i.frequency, 'Yes']), `the plan lists ${i.reference}`, JSON.stringify(rows));
    if (!row) throw new Error(`the plan has no indicator ${i.reference}`);

    await follow(j, admin, () => page.locator('main table').getByRole('link', { name: i.name, exact: true }).click());
    let s = await page.evaluate(screenFacts);
    g.check(/^\/staff\/plan\/indicators\/\d+$/.test(new URL(page.url()).pathname) && s.h1 === `${i.reference}: ${i.name}`, 'its page in the plan opens', `at ${path(page)}, h1 "${s.h1}"`);
    await inspect(j, admin, 'plan indicator', 200);
    if (full) {
      await page.fill('#name', '');
      await press(j, admin, 'Save changes');
      g.check(admin.status === 400, 'saving it without a name is refused', `status ${admin.status}`);
      const value = await showsFieldError(j, admin, g, 'name', 'input');
      keptOrKnownFault(g, 'the name field', value, '', 'plan_pages::change_indicator re-renders the stored indicator');
      await inspect(j, admin, 'plan indicator, name emptied', 400);
    }

    await follow(j, admin, () => page.getByRole('link', { name: 'How it is rated and who enters it', exact: true }).click());
    s = await page.evaluate(screenFacts);
    g.check(/^\/staff\/indicators\/\d+/.test(new URL(page.url()).pathname) && s.h1 === `${i.reference}: ${i.name}`, 'the settings page opens', `at ${path(page)}, h1 "${s.h1}"`);
    const ownerLabel = `${owner.name} (${owner.email})`;
    const before = await page.evaluate(() => document.querySelector('#owner option:checked')?.textContent.trim());
    if (indicator.add) {
      g.check(before?.startsWith('No owner'), 'a new indicator has no owner', `"${before}"`);
    } else {
      g.check(!!before && !before.startsWith('No owner') && before !== ownerLabel, 'the previous owner is chosen', `"${before}"`);
    }
    await inspect(j, admin, 'indicator settings', 200);
    if (full) {
      await page.check('input[name="polarity"][value="higher_is_better"]');
      await page.fill('#target', 'ninety');
      await press(j, admin, 'Save settings');
      g.check(admin.status === 400, 'a target that is not a number is refused', `status ${admin.status}`);
      const value = await showsFieldError(j, admin, g, 'target', 'input');
      keptOrKnownFault(g, 'the target field', value, 'ninety', 'indicator_pages::save_settings re-renders the stored settings');
      await inspect(j, admin, 'indicator settings, target not a number', 400);
    }
    await page.check('input[name="polarity"][value="higher_is_better"]');
    await page.fill('#target', '90%');
    await page.fill('#tolerance', '5');
    await page.selectOption('#tolerance_kind', 'percent');
    await page.selectOption('#owner', { label: ownerLabel });
    await press(j, admin, 'Save settings');
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The indicator\'s settings have been saved.', 'the settings are saved', `at ${path(page)}, status ${admin.status}, banner "${s.banner}"`);
    const saved = await page.evaluate(() => ({
      target: document.getElementById('target')?.value,
      tolerance: document.getElementById('tolerance')?.value,
      polarity: document.querySelector('input[name="polarity"]:checked')?.value,
      owner: document.querySelector('#owner option:checked')?.textContent.trim(),
    }));
    g.check(
      saved.target === '90' && saved.tolerance === '5' && saved.polarity === 'higher_is_better' && saved.owner === ownerLabel,
      `higher is better, target 90, Amber within 5%, entered by ${owner.name}`,
      JSON.stringify(saved),
    );
    if (full) await inspect(j, admin, 'indicator settings, saved', 200);
  });
}

// The owner enters the period's value; it is rated by the rules.
export async function indicatorValue(j, people, periodPath) {
  const { full, indicator } = j.plan;
  const i = INDICATOR;
  await step(j, `the owner enters ${i.reference} for ${j.period}: ${indicator.value} is ${indicator.rag}`, async (g) => {
    const { owner, admin, reader, resident } = people;
    const { page } = owner;
    await visit(j, owner, periodPath);
    await follow(j, owner, () => page.getByRole('link', { name: `${i.reference}: ${i.name}`, exact: true }).click());
    const entryPath = new URL(page.url()).pathname;
    let s = await page.evaluate(screenFacts);
    let e = await page.evaluate(entryFacts);
    g.check(
      /^\/staff\/periods\/\d+\/indicators\/\d+$/.test(entryPath) && s.h1 === `${i.reference}: ${i.name}`,
      'the period\'s indicator table links the value form',
      `at ${path(page)}, h1 "${s.h1}"`,
    );
    g.check(e.owner === owner.name && e.rules === i.rules, 'it names the owner and how it is rated', JSON.stringify(e));
    g.check(s.buttons.includes('Save the value') && e.versions === 0, 'the owner has the form, and no value is entered yet', `${e.versions} versions`);
    if (indicator.previous) {
      const { value, period } = indicator.previous;
      g.check(e.previous === `${value.replace('%', '')} in ${period}`, `the previous value is ${period}'s`, `"${e.previous}"`);
    } else {
      g.check(e.previous === 'None recorded', 'there is no previous value', `"${e.previous}"`);
    }
    await inspect(j, owner, 'indicator value form (owner)', 200);

    await page.fill('#value', 'about ten');
    await page.fill('#note', indicator.note);
    await press(j, owner, 'Save the value');
    g.check(owner.status === 400, '"about ten" is refused', `status ${owner.status}`);
    const typed = await showsFieldError(j, owner, g, 'value', 'input');
    g.check(typed === 'about ten', 'the value keeps what was typed', JSON.stringify(typed));
    await inspect(j, owner, 'indicator value, not a number', 400);

    await page.fill('#value', indicator.value);
    if (full) {
      await page.selectOption('#override_rag', 'green');
      await page.fill('#override_reason', '');
      await press(j, owner, 'Save the value');
      g.check(owner.status === 400, 'a rating chosen without a reason is refused', `status ${owner.status}`);
      await showsFieldError(j, owner, g, 'override_reason', 'textarea');
      const kept = await page.evaluate(() => [document.getElementById('value')?.value, document.getElementById('override_rag')?.value]);
      g.check(kept[0] === indicator.value && kept[1] === 'green', 'the value and the chosen rating are kept', JSON.stringify(kept));
      await inspect(j, owner, 'indicator value, rating chosen without a reason', 400);
      await page.selectOption('#override_rag', 'none');
    }
    await press(j, owner, 'Save the value');
    s = await page.evaluate(screenFacts);
    e = await page.evaluate(entryFacts);
    g.check(s.banner === 'The value has been saved.', 'the value is saved', `at ${path(page)}, status ${owner.status}, banner "${s.banner}"`);
    g.check(e.version.startsWith(`Version 1 by ${owner.name}`), 'the history has it, by the owner', `"${e.version}"`);
    g.check(e.value === indicator.value && e.rating === indicator.rag, `it is rated ${indicator.rag} from the target`, JSON.stringify(e));
    if (indicator.note) g.check(e.note === indicator.note, 'with its note', `"${e.note}"`);
    await inspect(j, owner, 'indicator value, saved (owner)', 200);

    await visit(j, admin, periodPath);
    const rows = await admin.page.evaluate(tableRows, 'Indicators for');
    const row = rows?.find((r) => r[0] === `${i.reference}: ${i.name}`);
    g.check(
      JSON.stringify(row) === JSON.stringify([`${i.reference}: ${i.name}`, owner.name, indicator.value, indicator.rag]),
      'the period\'s indicator table shows the owner, the value and its rating',
      JSON.stringify(row),
    );
    if (full) {
      await visit(j, reader, entryPath);
      const r = await reader.page.evaluate(screenFacts);
      // A value is a reader's to see once the period is locked for checking, as a return is
      // once submitted: while the period is open the page is not found, and shows nothing.
      g.check(
        reader.status === 404 && r.forms === 0 && !r.main.includes(indicator.value),
        'a reader does not see the value while the period is open',
        `status ${reader.status}, ${r.forms} forms`,
      );
    }
    // Not on the public site until the period is published.
    await visit(j, resident, `/indicators/${encodeURIComponent(i.reference)}`);
    const p = await resident.page.evaluate(screenFacts);
    g.check(
      indicator.add ? resident.status === 404 : resident.status === 200 && !p.main.includes(indicator.value),
      'the public site does not show the value yet',
      `status ${resident.status}`,
    );
  });
}

// After the period is published, the public indicator page shows the value and its rating.
export async function publicIndicator(j, people) {
  const { indicator } = j.plan;
  const i = INDICATOR;
  const publicPath = `/indicators/${encodeURIComponent(i.reference)}`;
  await step(j, `the public indicator page shows ${i.reference} for ${j.period}`, async (g) => {
    const { resident } = people;
    await visit(j, resident, publicPath);
    const p = await resident.page.evaluate(screenFacts);
    g.check(resident.status === 200 && p.h1 === i.name, `${publicPath} answers 200 with the indicator's name`, `status ${resident.status}, h1 "${p.h1}"`);
    const rows = (await resident.page.evaluate(tableRows, 'Values over time')) || [];
    const row = rows.find((r) => r.includes(indicator.value));
    g.check(!!row && row.includes(indicator.rag), `the values table has ${indicator.value}, ${indicator.rag}`, JSON.stringify(rows));
    g.check(!!row && row[0].includes(j.period.split(' ')[0]), `in ${j.period}'s year`, JSON.stringify(row));
    if (indicator.previous) {
      const { value, rag, period } = indicator.previous;
      const before = rows.find((r) => r.includes(value));
      checkOrKnownFault(
        g,
        !!before && before.includes(rag),
        `${period}'s ${value}, ${rag} is still there`,
        JSON.stringify(rows),
        'Store::indicator_values (store/src/overview.rs) keeps only the newest value per indicator and year',
      );
    }
  });
}
