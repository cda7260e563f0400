// A spreadsheet imported through the staff site, and what the import leaves for a person settled,
// as the staff journeys (staff.mjs) walk them, each page checked like every other staff page:
//   the admin uploads fixtures/examples/quarterly-return.xlsx; the preview shows how each column
//   was read, and its "What happened" column, a header Waymark does not know, as kept as written;
//   the admin (first journey) says it holds the commentary and reads the file again, and the
//   column is then read as the commentary; the second journey finds that choice remembered for a
//   file of the same shape. The admin imports it. Then, on the Settle page (its count also on
//   the admin's home page), the admin settles a link (accepts a suggestion, or links a report row
//   that matched nothing to a plan activity) and marks a finding of the checks as settled with a
//   note, which then shows among the settled ones.
import { follow, inspect, path, press, screenFacts, step, tableRows } from './staff-kit.mjs';

const RETURN = new URL('../../fixtures/examples/quarterly-return.xlsx', import.meta.url);
const COLUMN = 'What happened';

// The role chosen for the column with this header, and its select's id.
function columnRole(header) {
  const row = [...document.querySelectorAll('main tr')].find((tr) => {
    const hidden = tr.querySelector('input[type="hidden"][name^="header-"]');
    return hidden && hidden.value === header;
  });
  const select = row?.querySelector('select');
  return select ? { id: select.id, value: select.value } : null;
}

// The settle page's cards: what each offers.
function settleFacts() {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  const section = (id) => {
    const h = document.getElementById(id);
    const cards = [];
    for (let el = h?.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
      if (el.classList.contains('govuk-summary-card')) cards.push(el);
    }
    return cards;
  };
  const selectOf = (card) => card.querySelector('select[name="activity"]');
  return {
    reviews: section('links').length,
    unmatched: section('unmatched').filter((c) => selectOf(c)).map((c) => selectOf(c).id),
    firstChoice: (() => {
      const s = section('unmatched').map(selectOf).find(Boolean) || section('links').map(selectOf).find(Boolean);
      return s ? [...s.options].find((o) => o.value)?.value || '' : '';
    })(),
    findings: section('findings').length,
    periods: [...document.querySelectorAll('#period option')].map((o) => ({ value: o.value, text: text(o), selected: o.selected })),
  };
}

export async function importSpreadsheet(j, people) {
  await step(j, 'the admin uploads a spreadsheet, corrects a column\'s role, previews and imports it', async (g) => {
    const { admin } = people;
    const { page } = admin;
    await follow(j, admin, () => page.getByRole('link', { name: 'The plan', exact: true }).first().click());
    await page.setInputFiles('#file', RETURN.pathname);
    await press(j, admin, 'Upload and preview');
    let s = await page.evaluate(screenFacts);
    g.check(admin.status === 200 && s.h1 === 'Check what this file changes', 'the spreadsheet is read and previewed', `status ${admin.status}, h1 "${s.h1}", at ${path(page)}`);
    g.check(s.main.includes('How Waymark read the columns') && s.main.includes('activity-report'), 'the preview shows how the columns were read, as a progress report', s.main.slice(0, 300));
    let role = await page.evaluate(columnRole, COLUMN);
    if (j.plan.full) {
      g.check(role?.value === 'kept as written', `"${COLUMN}" is read as kept as written`, JSON.stringify(role));
      await inspect(j, admin, 'import preview with its columns', 200);
      await page.selectOption(`#${role.id}`, 'commentary');
      await press(j, admin, 'Read the file again with these columns');
      s = await page.evaluate(screenFacts);
      role = await page.evaluate(columnRole, COLUMN);
      g.check(admin.status === 200 && role?.value === 'commentary', `read again, "${COLUMN}" is the commentary`, `status ${admin.status}, ${JSON.stringify(role)}`);
      g.check(s.main.includes(`${COLUMN} as commentary`), 'the page lists the column the admin named');
    } else {
      g.check(role?.value === 'commentary' && s.main.includes('columns your team chose for an earlier file'), `the earlier choice for "${COLUMN}" is remembered for a file of the same shape`, JSON.stringify(role));
    }
    await inspect(j, admin, 'import preview, columns named', 200);
    await press(j, admin, 'Import it');
    s = await page.evaluate(screenFacts);
    g.check(new URL(page.url()).pathname === '/staff/plan' && s.banner === 'The new revision of the plan has been imported.', 'importing it leads back to the plan, which says so', `at ${path(page)}, banner "${s.banner}"`);
  });
}

export async function settleImport(j, people) {
  await step(j, 'the admin settles a link and a finding the import left', async (g) => {
    const { admin } = people;
    const { page } = admin;
    await follow(j, admin, () => page.getByRole('link', { name: 'Your work', exact: true }).first().click());
    let s = await page.evaluate(screenFacts);
    const waiting = s.inset.match(/(\d+) items? from imports wait/);
    g.check(!!waiting, 'the admin\'s home says how many items wait to be settled', s.inset);
    await follow(j, admin, () => page.getByRole('link', { name: 'Settle', exact: true }).first().click());
    s = await page.evaluate(screenFacts);
    g.check(admin.status === 200 && s.h1 === 'Settle what the import could not', 'the menu leads to the settle page', `status ${admin.status}, h1 "${s.h1}"`);
    let f = await page.evaluate(settleFacts);
    // Bexley's own report has suggestions to review: show its period if this one has none.
    if (f.reviews === 0 && f.unmatched.length === 0) {
      const other = f.periods.find((p) => !p.selected && p.text.includes('2024/25'));
      g.check(!!other, 'another period with links can be chosen', JSON.stringify(f.periods));
      await page.selectOption('#period', other.value);
      await press(j, admin, 'Show');
      f = await page.evaluate(settleFacts);
    }
    await inspect(j, admin, 'settle', 200);
    const before = f.reviews + f.unmatched.length;
    g.check(before > 0, 'there is a link to settle', JSON.stringify(f));
    if (f.reviews > 0) {
      await follow(j, admin, () => page.locator('main button[value="accept"]').first().click());
    } else {
      await page.selectOption(`#${f.unmatched[0]}`, f.firstChoice);
      await follow(j, admin, () => page.locator(`#${f.unmatched[0]}`).locator('xpath=ancestor::form').getByRole('button').click());
    }
    s = await page.evaluate(screenFacts);
    f = await page.evaluate(settleFacts);
    g.check(s.banner === 'The report row\'s link is saved.', 'the link is saved', `at ${path(page)}, status ${admin.status}, banner "${s.banner}"`);
    g.check(f.reviews + f.unmatched.length === before - 1, 'one fewer link waits', `${f.reviews + f.unmatched.length} of ${before}`);
    await inspect(j, admin, 'settle, link saved', 200);

    g.check(f.findings > 0, 'findings of the checks wait', `${f.findings}`);
    const note = `Checked with the directorate (${j.tag})`;
    await page.locator('main input[name="note"][type="text"]').first().fill(note);
    await follow(j, admin, () => page.getByRole('button', { name: /^Mark as settled/ }).first().click());
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The finding is settled.', 'the finding is settled', `at ${path(page)}, banner "${s.banner}"`);
    const settled = await page.evaluate(tableRows, 'Findings settled');
    g.check(!!settled?.some((r) => r[1] === note && r[2] === admin.email), 'it is listed as settled, with the note and who settled it', JSON.stringify(settled?.slice(0, 3)));
    await inspect(j, admin, 'settle, finding settled', 200);
  });
}
