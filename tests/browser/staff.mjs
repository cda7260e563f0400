// The staff site's quarterly cycle, end to end in real Chromium, once with JavaScript and once
// without (plain form posts only), each on its own period of a fresh demo database:
//   the admin (made with `waymark user add`) follows their set-up link, sets a password and signs
//   in; opens the period, picks the first activity with a reference and adds a director for its
//   directorate, an owner and a reader on the People page; each of them sets a password from the
//   link shown there and signs in, each in a browser context of their own; the admin makes the
//   owner the activity's owner; the owner writes the return (first without the corrective action
//   its status needs: the error summary links to the field) and submits it; the director sends it
//   back with a comment; the owner, seeing the comment, resubmits by keyboard alone; the director
//   approves; the reader sees it read-only; while the period is still open, the plan and its
//   indicators are maintained (staff-plan.mjs: a revised action plan uploaded, previewed and
//   imported; an activity added, which the public site shows at once; an indicator set up, given
//   to the owner, who enters its value); the public activity and indicator pages do not show the
//   period until the admin locks and publishes it, and then do; then a spreadsheet is imported
//   with a column's role corrected, and a link and a finding it left are settled
//   (staff-import.mjs).
// Every staff page on the way (forms, errors, banners, 403 and 404 pages) is checked like the
// public tour checks a page (staff-kit.mjs): axe-core at 1280 px finds no WCAG 2.2 A/AA
// violations, everything shown is inside a landmark, an error summary's links lead to fields
// showing the error, and at 320 px the page does not scroll sideways.
import { describeActive, focusedControlNamed, focusedMatches, pressUntil } from './keyboard.mjs';
import { openDomCopy, pollUntil } from './modes.mjs';
import { follow, inspect, openPerson, path, press, squash, step, Stop, screenFacts, visit, WIDE, PASSWORD } from './staff-kit.mjs';
import { addActivity, indicatorSettings, indicatorValue, publicIndicator, uploadRevision } from './staff-plan.mjs';
import { importSpreadsheet, settleImport } from './staff-import.mjs';

// One journey per admin set-up link (scripts/browser-test makes two). The second period's owner
// is carried over from the first, so its admin really changes the owner.
export const STAFF_JOURNEYS = [
  {
    tag: 'q1',
    js: true,
    period: '2025/26 Q1',
    deadline: '2025-07-31',
    status: { key: 'amber', name: 'Amber (at risk)' },
    commentary: 'Consultation started late because the venue was not available in April.',
    corrective: 'Extra consultation sessions in August.',
    corrected: 'Extra consultation sessions on 5 and 12 August, in the Civic Offices.',
    sendBack: 'Give the dates and place of the extra sessions.',
    // The plan and its indicators (staff-plan.mjs): everything, with each form's error states.
    plan: {
      full: true,
      // A revision of Bexley's action plan with this activity's line taken out.
      upload: { fixture: 'action-delivery-plan-2024-12.txt', as: 'action-delivery-plan-2025-06.txt', remove: "Implement care finder 'app'" },
      activity: { reference: 'WM-Q1', title: 'Open a pop-up library in Thamesmead shopping centre', directorate: 'Place', portfolios: 'Communities & Housing', due: 'March 2026' },
      // Added by this journey's admin; 90% or more is Green, within 5% of it (85.5%) Amber.
      indicator: { add: true, value: '86.5%', rag: 'Amber', note: 'Two advisers were off sick in June.' },
    },
  },
  {
    tag: 'q2',
    js: false,
    period: '2025/26 Q2',
    deadline: '2025-10-31',
    status: { key: 'red', name: 'Red (off track)' },
    commentary: 'The contractor withdrew in September; the work has stopped.',
    corrective: 'A new contractor will be appointed.',
    corrected: 'A new contractor will be appointed by 30 November; work restarts in January.',
    sendBack: 'Say when the new contractor will be appointed.',
    // Opened after the first journey's period: its owner is carried over.
    carriedOver: true,
    // The essential path without JavaScript: the plan page, adding an activity, a value entered.
    plan: {
      full: false,
      activity: { reference: 'WM-Q2', title: 'Survey the condition of every bus shelter in the borough', directorate: 'Place', portfolios: '', due: 'Q4 2025 to 2026' },
      // The first journey's indicator, given to this journey's owner.
      indicator: { add: false, value: '91.2%', rag: 'Green', note: '', previous: { value: '86.5%', rag: 'Amber', period: '2025/26 Q1' } },
    },
  },
];

// Follows a set-up link: the form, a password the rules refuse (the error summary), then a good
// one; the sign-in page says the password is set.
async function setPassword(journey, person, link, g, { inspectPages }) {
  const { page } = person;
  await visit(journey, person, link);
  let s = await page.evaluate(screenFacts);
  g.check(person.status === 200 && s.h1 === 'Set your password', `${person.role}: the set-up link shows "Set your password"`, `status ${person.status}, h1 "${s.h1}"`);
  if (person.email) {
    g.check(s.main.includes(person.email), `${person.role}: the form names ${person.email}`);
  } else {
    // The admin was made on the command line: the form says whom the link is for.
    person.email = squash(await page.locator('main strong').first().textContent());
    g.check(person.email.includes('@'), `${person.role}: the form names the account's e-mail address`, `"${person.email}"`);
  }
  if (inspectPages) await inspect(journey, person, 'set-up form', 200);
  if (inspectPages) {
    await page.fill('#password', 'too short');
    await page.fill('#confirm', 'too short');
    await press(journey, person, 'Set password');
    s = await page.evaluate(screenFacts);
    g.check(person.status === 400 && s.errorLinks.includes('#password'), 'a short password is refused, the error summary links to the field', `status ${person.status}, links ${s.errorLinks.join(' ')}`);
    await inspect(journey, person, 'set-up form with an error', 400);
  }
  await page.fill('#password', PASSWORD);
  await page.fill('#confirm', PASSWORD);
  await press(journey, person, 'Set password');
  s = await page.evaluate(screenFacts);
  g.check(
    new URL(page.url()).pathname === '/staff/sign-in' && s.inset.includes('password has been set'),
    `${person.role}: the password is set and the sign-in page says so`,
    `at ${path(page)}, notice "${s.inset}"`,
  );
  if (inspectPages) await inspect(journey, person, 'sign-in page (password set)', 200);
}

async function signIn(journey, person, g, { inspectPages }) {
  const { page } = person;
  if (new URL(page.url()).pathname !== '/staff/sign-in') await visit(journey, person, '/staff/sign-in');
  if (inspectPages) {
    // One wrong password (ten would lock the address out for five minutes).
    await page.fill('#email', person.email);
    await page.fill('#password', 'not the password at all');
    await press(journey, person, 'Sign in');
    const s = await page.evaluate(screenFacts);
    g.check(person.status === 401 && s.errorLinks.includes('#email'), 'a wrong password is refused with an error summary', `status ${person.status}`);
    await inspect(journey, person, 'sign-in page with an error', 401);
  }
  await page.fill('#email', person.email);
  await page.fill('#password', PASSWORD);
  await press(journey, person, 'Sign in');
  const s = await page.evaluate(screenFacts);
  g.check(
    new URL(page.url()).pathname === '/staff' && s.signedInAs.startsWith('Signed in as') && s.signedInAs.includes(person.name),
    `${person.role}: signed in, "Your work" says who`,
    `at ${path(page)}, "${s.signedInAs}"`,
  );
}

// The activity's row in a table of the public activity page's status history for `period`.
function periodRow(period) {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  const main = document.querySelector('main') || document.body;
  const row = [...main.querySelectorAll('table tbody tr')].find((tr) => text(tr.cells[0]).startsWith(period));
  return { row: row ? text(row) : null, main: text(main) };
}

// Which activity to use: the first row of the period's table whose link starts with a reference.
function firstActivity() {
  const text = (el) => (el ? (el.innerText || el.textContent).trim().replace(/\s+/g, ' ') : '');
  for (const tr of document.querySelectorAll('main table tbody tr')) {
    const a = tr.querySelector('a[href*="/activities/"]');
    const m = text(a).match(/^(\S+): (.+)$/);
    if (a && m) return { path: new URL(a.href).pathname, reference: m[1], title: m[2], directorate: text(tr.cells[1]) };
  }
  return null;
}

async function journeySteps(browser, journey) {
  const j = journey;
  const { tag, js } = j;
  const people = {};
  let activity = null;
  let periodPath = '';
  const publicPath = () => `/activities/${encodeURIComponent(activity.reference)}`;

  await step(j, 'the admin sets a password from the CLI set-up link and signs in', async (g) => {
    // Its e-mail address and name are whatever `waymark user add` was given.
    const admin = await openPerson(browser, j, 'admin', '', '');
    people.admin = admin;
    // A link that was never issued: a message page, not signed in.
    await visit(j, admin, '/staff/setup/no-such-link');
    const s = await admin.page.evaluate(screenFacts);
    g.check(admin.status === 404 && s.h1.includes('expired'), 'an unknown set-up link says it has expired or been used', `status ${admin.status}, h1 "${s.h1}"`);
    await inspect(j, admin, 'message: set-up link gone (404)', 404);
    await setPassword(j, admin, j.adminLink, g, { inspectPages: true });
    await signIn(j, admin, g, { inspectPages: true });
    await inspect(j, admin, 'your work (admin, nothing open)', 200);
  });

  await step(j, `the admin opens ${j.period} and chooses an activity`, async (g) => {
    const { admin } = people;
    const { page } = admin;
    await follow(j, admin, () => page.getByRole('link', { name: 'Periods', exact: true }).first().click());
    g.check(new URL(page.url()).pathname === '/staff/periods', 'the menu leads to Periods', page.url());
    await inspect(j, admin, 'periods', 200);
    // A quarter that is not one: the error summary.
    await page.fill('#period', 'the first quarter');
    await page.fill('#deadline', j.deadline);
    await press(j, admin, 'Open the period');
    let s = await page.evaluate(screenFacts);
    g.check(admin.status === 400 && s.errorLinks.includes('#period'), 'a wrong quarter is refused, the error links to the field', `status ${admin.status}, links ${s.errorLinks.join(' ')}`);
    await inspect(j, admin, 'periods with an error', 400);
    await page.fill('#period', j.period);
    await page.fill('#deadline', j.deadline);
    await press(j, admin, 'Open the period');
    s = await page.evaluate(screenFacts);
    periodPath = new URL(page.url()).pathname;
    g.check(/^\/staff\/periods\/\d+$/.test(periodPath) && s.h1 === j.period, `the period's page opens (h1 "${j.period}")`, `at ${path(page)}, h1 "${s.h1}"`);
    g.check(s.banner === 'The period is open for returns.', 'the banner says the period is open', `banner "${s.banner}"`);
    await inspect(j, admin, 'period, just opened', 200);
    activity = await page.evaluate(firstActivity);
    g.check(activity !== null, 'the period lists an activity with a reference');
    if (!activity) throw new Error('no activity to write a return for');
    console.log(`      ${j.label} activity ${activity.reference} (${activity.directorate}) at ${activity.path}`);
  });

  await step(j, 'the public activity page has nothing for the period yet', async (g) => {
    const resident = await openPerson(browser, j, 'resident', '', '');
    people.resident = resident;
    await visit(j, resident, publicPath());
    const p = await resident.page.evaluate(periodRow, j.period);
    g.check(resident.status === 200, `${publicPath()} answers 200`, `got ${resident.status}`);
    g.check(p.main.includes(activity.title), 'it is the same activity (its title is on the page)');
    g.check(p.row === null && !p.main.includes(j.commentary), `no ${j.period} row and none of the new commentary`, p.row || '');
  });

  await step(j, 'the admin adds a director, an owner and a reader on the People page', async (g) => {
    const { admin } = people;
    const { page } = admin;
    const wanted = [
      { role: 'director', email: `director.${tag}@bexley.example`, name: `Dana Director ${tag.toUpperCase()}`, directorate: activity.directorate },
      { role: 'owner', email: `owner.${tag}@bexley.example`, name: `Omar Owner ${tag.toUpperCase()}` },
      { role: 'reader', email: `councillor.${tag}@bexley.example`, name: `Rita Reader ${tag.toUpperCase()}` },
    ];
    await follow(j, admin, () => page.getByRole('link', { name: 'People', exact: true }).first().click());
    g.check(new URL(page.url()).pathname === '/staff/people', 'the menu leads to People', page.url());
    await inspect(j, admin, 'people', 200);
    // Without an e-mail address: the error summary.
    await page.check('input[name="role"][value="owner"]');
    await press(j, admin, 'Add and make a set-up link');
    let s = await page.evaluate(screenFacts);
    g.check(admin.status === 400 && s.errorLinks.includes('#email'), 'an account without an e-mail address is refused, the error links to the field', `status ${admin.status}, links ${s.errorLinks.join(' ')}`);
    await inspect(j, admin, 'people with an error', 400);
    for (const [i, w] of wanted.entries()) {
      await page.fill('#email', w.email);
      await page.fill('#name', w.name);
      await page.check(`input[name="role"][value="${w.role}"]`);
      await page.selectOption('#directorate', w.directorate ? { label: w.directorate } : { value: '' });
      await press(j, admin, 'Add and make a set-up link');
      s = await page.evaluate(screenFacts);
      const link = squash(await page.locator('main code').first().textContent({ timeout: 2_000 }).catch(() => ''));
      g.check(
        admin.status === 200 && s.main.includes('Account added') && /\/staff\/setup\/[^/\s]+$/.test(link),
        `adding the ${w.role} shows a one-time set-up link`,
        `status ${admin.status}, link "${link}"`,
      );
      g.check(s.main.includes(w.email) && s.main.includes('Set-up link not used yet'), `the ${w.role} is listed, link not used yet`);
      if (i === 0) await inspect(j, admin, 'people, account added', 200);
      w.link = link;
    }
    for (const w of wanted) {
      const person = await openPerson(browser, j, w.role, w.email, w.name);
      people[w.role] = person;
      await setPassword(j, person, w.link, g, { inspectPages: false });
      await signIn(j, person, g, { inspectPages: false });
    }
    await inspect(j, people.reader, 'your work (reader)', 200);
  });

  await step(j, 'the admin makes the owner the activity\'s owner', async (g) => {
    const { admin, owner } = people;
    const { page } = admin;
    await visit(j, admin, periodPath);
    await follow(j, admin, () => page.locator(`main a[href="${activity.path}"]`).click());
    let s = await page.evaluate(screenFacts);
    g.check(new URL(page.url()).pathname === activity.path && s.h1.startsWith(`${activity.reference}: `), 'the period\'s table links the return', `at ${path(page)}, h1 "${s.h1}"`);
    if (j.carriedOver) {
      g.check(s.owner !== 'No owner yet' && s.owner !== owner.name, 'the previous period\'s owner was carried over', `owner "${s.owner}"`);
    } else {
      g.check(s.owner === 'No owner yet', 'the return has no owner yet', `owner "${s.owner}"`);
    }
    await inspect(j, admin, 'return, no answer yet', 200);
    await page.selectOption('#owner', { label: `${owner.name} (${owner.email})` });
    await press(j, admin, 'Change owner');
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The owner has been changed.' && s.owner === owner.name, 'the return now names the owner', `banner "${s.banner}", owner "${s.owner}"`);
    await inspect(j, admin, 'return, owner changed', 200);
  });

  await step(j, `the owner writes the return: ${j.status.name} needs a corrective action`, async (g) => {
    const { owner } = people;
    const { page } = owner;
    await visit(j, owner, '/staff');
    const mine = page.locator(`main a[href="${activity.path}"]`);
    g.check((await mine.count()) === 1, '"Your work" lists the return');
    await inspect(j, owner, 'your work (owner)', 200);
    await follow(j, owner, () => mine.first().click());
    let s = await page.evaluate(screenFacts);
    g.check(s.buttons.includes('Submit for approval') && s.buttons.includes('Save as draft'), 'the owner has the return form');
    await inspect(j, owner, 'return form (owner)', 200);

    // A draft first: saving needs no corrective action yet.
    await page.check(`input[name="status"][value="${j.status.key}"]`);
    await page.fill('#commentary', j.commentary);
    await page.fill('#corrective_action', '');
    await page.fill('#reason', '');
    await page.fill('#evidence', 'https://www.bexley.gov.uk/');
    await press(j, owner, 'Save as draft');
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'Your draft has been saved.' && s.returnState === 'Draft', 'the draft is saved', `banner "${s.banner}", state "${s.returnState}", status ${owner.status}`);
    await inspect(j, owner, 'return, draft (owner)', 200);

    await press(j, owner, 'Submit for approval');
    s = await page.evaluate(screenFacts);
    g.check(owner.status === 400 && s.errorSummary, 'submitting without a corrective action shows the error summary', `status ${owner.status}`);
    g.check(s.errorLinks.includes('#corrective_action'), 'the error summary links to #corrective_action', `links: ${s.errorLinks.join(' ')}`);
    const field = await page.evaluate(() => {
      const t = document.getElementById('corrective_action');
      return {
        inErrorGroup: !!t?.closest('.govuk-form-group--error'),
        errorBorder: !!t?.classList.contains('govuk-textarea--error'),
        describedBy: t?.getAttribute('aria-describedby') || '',
        message: (document.getElementById('corrective_action-error')?.textContent || '').trim(),
        commentary: document.getElementById('commentary')?.value || '',
        checked: document.querySelector('input[name="status"]:checked')?.value || '',
      };
    });
    g.check(field.inErrorGroup && field.message !== '', 'the field shows its error message', JSON.stringify(field));
    g.check(field.errorBorder, 'the field has the error border (govuk-textarea--error)');
    g.check(field.describedBy.split(' ').includes('corrective_action-error'), 'the field is described by its error message', field.describedBy);
    g.check(field.commentary === j.commentary && field.checked === j.status.key, 'what was typed and chosen is kept');
    if (js) {
      // GOV.UK Frontend moves focus to the summary so a screen reader announces it at once.
      const onSummary = await pollUntil(page, () => !!document.activeElement?.closest('.govuk-error-summary'), null, 2_000);
      g.check(onSummary, 'focus starts on the error summary', `focused ${await describeActive(page)}`);
    }
    await inspect(j, owner, 'return form with the error summary', 400);

    if (js) {
      // Keyboard only from here: Tab to the summary's link, Enter puts focus in the field; type
      // the corrective action, Tab to "Submit for approval", Enter.
      await page.locator('.govuk-error-summary').focus();
      await pressUntil(page, focusedMatches, '.govuk-error-summary a[href="#corrective_action"]', { max: 5, what: 'the error summary\'s link' });
      await page.keyboard.press('Enter');
      const inField = await pollUntil(page, () => document.activeElement?.id === 'corrective_action', null, 2_000);
      g.check(inField, 'Enter on the error link puts focus in the corrective action field', `focused ${await describeActive(page)}`);
      await page.keyboard.type(j.corrective);
      await pressUntil(page, focusedControlNamed, { text: 'Submit for approval' }, { max: 10, what: '"Submit for approval"' });
      await follow(j, owner, () => page.keyboard.press('Enter'));
    } else {
      // Without JavaScript the link is a plain in-page link: the browser moves focus to the field.
      await page.locator('.govuk-error-summary a[href="#corrective_action"]').click();
      const inField = await pollUntil(page, () => document.activeElement?.id === 'corrective_action', null, 2_000);
      g.check(inField, 'the error link puts focus in the corrective action field', `at ${page.url()}, focused ${await describeActive(page)}`);
      await page.fill('#corrective_action', j.corrective);
      await press(j, owner, 'Submit for approval');
    }
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The return has been submitted for approval.', 'the return is submitted', `at ${path(page)}, banner "${s.banner}", status ${owner.status}`);
    g.check(s.returnState === 'Submitted', 'it is waiting for approval', `state "${s.returnState}"`);
    g.check(s.main.includes(j.corrective), 'the history shows the corrective action');
    await inspect(j, owner, 'return, submitted (owner)', 200);
  });

  await step(j, 'the director sends it back with a comment', async (g) => {
    const { director } = people;
    const { page } = director;
    await visit(j, director, '/staff');
    const waiting = page.locator(`main a[href="${activity.path}"]`);
    g.check((await waiting.count()) === 1, '"Waiting for your approval" lists the return');
    await inspect(j, director, 'your work (director)', 200);
    await follow(j, director, () => waiting.first().click());
    let s = await page.evaluate(screenFacts);
    g.check(s.buttons.includes('Approve') && s.buttons.includes('Send back for changes'), 'the director has the review form');
    g.check(s.main.includes(j.corrective), 'the director sees the corrective action');
    await inspect(j, director, 'return, for review (director)', 200);
    await press(j, director, 'Send back for changes');
    s = await page.evaluate(screenFacts);
    g.check(director.status === 400 && s.errorLinks.includes('#comment'), 'sending back without a comment is refused, the error links to the comment', `status ${director.status}, links ${s.errorLinks.join(' ')}`);
    await inspect(j, director, 'return, review with an error', 400);
    await page.fill('#comment', j.sendBack);
    await press(j, director, 'Send back for changes');
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The return has been sent back to its owner.' && s.returnState === 'Returned for changes', 'the return is sent back', `banner "${s.banner}", state "${s.returnState}"`);
    await inspect(j, director, 'return, sent back (director)', 200);
  });

  await step(j, 'the owner reads the comment and resubmits by keyboard alone', async (g) => {
    const { owner } = people;
    const { page } = owner;
    await visit(j, owner, activity.path);
    let s = await page.evaluate(screenFacts);
    g.check(s.main.includes(j.sendBack), 'the owner sees the director\'s comment');
    g.check(s.returnState === 'Returned for changes' && s.buttons.includes('Submit for approval'), 'the form is open again', `state "${s.returnState}"`);
    await inspect(j, owner, 'return, sent back (owner)', 200);

    // From the top of the page: Tab to the chosen status (a radio group is one Tab stop, on the
    // checked radio), on to the corrective action, replace it, Tab to the button, Enter.
    await page.locator('body').focus();
    await page.evaluate(() => document.activeElement?.blur());
    await pressUntil(page, focusedMatches, 'input[name="status"]', { max: 40, what: 'the status radios' });
    const radio = await page.evaluate(() => ({ value: document.activeElement.value, checked: document.activeElement.checked }));
    g.check(radio.value === j.status.key && radio.checked, `Tab reaches the status radios on the chosen one (${j.status.name})`, JSON.stringify(radio));
    await pressUntil(page, focusedMatches, '#commentary', { max: 3, what: 'the commentary' });
    await pressUntil(page, focusedMatches, '#corrective_action', { max: 3, what: 'the corrective action' });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(j.corrected);
    await pressUntil(page, focusedControlNamed, { text: 'Submit for approval' }, { max: 10, what: '"Submit for approval"' });
    await follow(j, owner, () => page.keyboard.press('Enter'));
    s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The return has been submitted for approval.' && s.returnState === 'Submitted', 'Enter resubmits the return', `at ${path(page)}, banner "${s.banner}", state "${s.returnState}"`);
    g.check(s.main.includes(j.corrected), 'the new corrective action is in the return');
    await inspect(j, owner, 'return, resubmitted (owner)', 200);
  });

  await step(j, 'the director approves', async (g) => {
    const { director } = people;
    const { page } = director;
    await visit(j, director, activity.path);
    await press(j, director, 'Approve');
    const s = await page.evaluate(screenFacts);
    g.check(s.banner === 'The return has been approved.' && s.returnState === 'Approved', 'the return is approved', `banner "${s.banner}", state "${s.returnState}"`);
    g.check(s.forms === 0, 'no review form is left', `${s.forms} forms in main`);
    await inspect(j, director, 'return, approved (director)', 200);
  });

  await step(j, 'the reader sees the approved return, read-only', async (g) => {
    const { reader } = people;
    const { page } = reader;
    await visit(j, reader, periodPath);
    await inspect(j, reader, 'period (reader)', 200);
    await follow(j, reader, () => page.locator(`main a[href="${activity.path}"]`).click());
    const s = await page.evaluate(screenFacts);
    g.check(reader.status === 200 && s.returnState === 'Approved', 'the reader opens the approved return', `status ${reader.status}, state "${s.returnState}"`);
    g.check(s.main.includes(j.commentary) && s.main.includes(j.corrected), 'with its commentary and corrective action');
    g.check(s.forms === 0 && s.fields === 0, 'no forms or fields in the page\'s main content', `${s.forms} forms, ${s.fields} fields`);
    await inspect(j, reader, 'return, approved (reader)', 200);
    await visit(j, reader, '/staff/people');
    const f = await page.evaluate(screenFacts);
    g.check(reader.status === 403, 'People is refused to a reader (403)', `status ${reader.status}, h1 "${f.h1}"`);
    await inspect(j, reader, 'message: forbidden (403)', 403);
  });

  // The plan and its indicators (staff-plan.mjs), while the period is still open for values.
  if (j.plan.upload) await uploadRevision(j, people);
  await addActivity(j, people);
  await indicatorSettings(j, people);
  await indicatorValue(j, people, periodPath);

  await step(j, 'approved but not published: still not on the public site', async (g) => {
    const { resident } = people;
    await visit(j, resident, publicPath());
    const p = await resident.page.evaluate(periodRow, j.period);
    g.check(p.row === null && !p.main.includes(j.commentary), `no ${j.period} row and none of the new commentary`, p.row || '');
  });

  await step(j, 'the admin locks and publishes the period', async (g) => {
    const { admin } = people;
    const { page } = admin;
    await visit(j, admin, periodPath);
    await inspect(j, admin, 'period, open (admin)', 200);
    await press(j, admin, 'Lock the period');
    let s = await page.evaluate(screenFacts);
    g.check(s.banner.startsWith('The period is locked'), 'the period is locked', `banner "${s.banner}"`);
    g.check(s.buttons.includes('Publish the approved returns'), 'it can now be published');
    await inspect(j, admin, 'period, locked', 200);
    await visit(j, admin, activity.path);
    s = await page.evaluate(screenFacts);
    g.check(s.forms === 0, 'the locked return has no forms', `${s.forms} forms in main`);
    await inspect(j, admin, 'return, period locked (admin)', 200);
    await visit(j, admin, periodPath);
    await press(j, admin, 'Publish the approved returns');
    s = await page.evaluate(screenFacts);
    g.check(s.banner.startsWith('The period is published'), 'the period is published', `banner "${s.banner}"`);
    await inspect(j, admin, 'period, published', 200);
  });

  await step(j, `the public activity page shows the ${j.period} return`, async (g) => {
    const { resident } = people;
    await visit(j, resident, publicPath());
    const p = await resident.page.evaluate(periodRow, j.period);
    g.check(p.row !== null, `the status history has a ${j.period} row`);
    const statusWord = j.status.name.split(' ')[0];
    g.check(!!p.row && p.row.includes(statusWord), `the row says ${statusWord}`, p.row || '');
    g.check(p.main.includes(j.commentary), 'the page shows the new commentary');
  });

  await publicIndicator(j, people);

  // A spreadsheet imported with a column's role corrected, and what it left settled
  // (staff-import.mjs), once the period is published.
  await importSpreadsheet(j, people);
  await settleImport(j, people);

  await step(j, 'the admin\'s other pages: a person, the audit trail, a 404, signing out', async (g) => {
    const { admin, owner } = people;
    const { page } = admin;
    await visit(j, admin, '/staff/people');
    await follow(j, admin, () => page.getByRole('link', { name: owner.email, exact: true }).click());
    let s = await page.evaluate(screenFacts);
    g.check(s.h1 === owner.email, 'the person\'s page', `h1 "${s.h1}"`);
    await inspect(j, admin, 'person', 200);
    await follow(j, admin, () => page.getByRole('link', { name: 'Audit trail', exact: true }).first().click());
    const rows = await page.locator('main table tbody tr').count();
    g.check(new URL(page.url()).pathname === '/staff/audit' && rows > 0, 'the menu leads to the audit trail, which has events', `at ${path(page)}, ${rows} rows`);
    await inspect(j, admin, 'audit trail', 200);
    await visit(j, admin, '/staff/periods/987654321');
    s = await page.evaluate(screenFacts);
    g.check(s.h1 === 'Page not found', 'an unknown period is "Page not found"', `h1 "${s.h1}"`);
    await inspect(j, admin, 'message: not found (404)', 404);
    await press(j, admin, 'Sign out');
    s = await page.evaluate(screenFacts);
    g.check(new URL(page.url()).pathname === '/staff/sign-in' && s.inset === 'You have signed out.', 'signing out leads to the sign-in page', `at ${path(page)}, "${s.inset}"`);
    await inspect(j, admin, 'sign-in page (signed out)', 200);
    await visit(j, admin, '/staff');
    g.check(new URL(page.url()).pathname === '/staff/sign-in', 'after signing out, /staff asks to sign in again', page.url());
  });
}

// Runs both journeys, one after the other (the second period follows the first).
// site: { base, links: [admin set-up link for each journey] }
export async function staffJourneys(browser, site, results, label = 'staff') {
  let pages = 0;
  for (const [i, spec] of STAFF_JOURNEYS.entries()) {
    const journey = {
      ...spec,
      base: site.base,
      adminLink: site.links[i],
      results,
      label: `${label} ${WIDE}px/${spec.js ? 'js-on' : 'js-off'} ${spec.period}:`,
      people: [],
      pages: 0,
      helper: null,
    };
    try {
      if (!journey.adminLink) throw new Error(`no admin set-up link for this journey (give ${STAFF_JOURNEYS.length} staff-link= arguments)`);
      if (!spec.js) journey.helper = await openDomCopy(browser, WIDE);
      await journeySteps(browser, journey);
    } catch (err) {
      if (!(err instanceof Stop)) {
        const g = results.group(`${journey.label} staff journey`);
        g.error(err);
        g.done();
      }
    } finally {
      for (const p of journey.people) await p.context.close().catch(() => {});
      if (journey.helper) await journey.helper.context.close().catch(() => {});
    }
    pages += journey.pages;
  }
  return { pages };
}
