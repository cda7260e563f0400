// Keyboard-only movement: the journeys reach everything with Tab, Shift+Tab, Enter and arrow
// keys, as a keyboard user would, never with click() or selectOption().

// A short description of the focused element, for failure messages.
export async function describeActive(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'the page body (nothing focused)';
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    if (text) s += ` "${text.slice(0, 60)}"`;
    return s;
  });
}

// Presses `key` (Tab or Shift+Tab) up to `max` times until predicate(arg) is true in the page.
// The predicate runs in the page and looks at document.activeElement itself. Returns how many
// presses it took; throws with a clear message if the target is never reached.
export async function pressUntil(page, predicate, arg, { key = 'Tab', max = 80, what = 'the target' } = {}) {
  for (let i = 1; i <= max; i += 1) {
    await page.keyboard.press(key);
    if (await page.evaluate(predicate, arg)) return i;
  }
  throw new Error(`could not reach ${what} with ${max} presses of ${key}; focus ended on ${await describeActive(page)}`);
}

// Whether focus is on a link or button whose visible text (whitespace squashed) matches.
export function focusedControlNamed({ text, within = null, startsWith = false }) {
  const el = document.activeElement;
  if (!el || !['A', 'BUTTON'].includes(el.tagName)) return false;
  if (within && !el.closest(within)) return false;
  const name = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
  return startsWith ? name.startsWith(text) : name === text;
}

// Whether focus is on the element matching a CSS selector.
export function focusedMatches(selector) {
  const el = document.activeElement;
  return !!el && el.matches(selector);
}

// Presses Enter on the focused control and waits for the page it leads to. Returns the HTTP status
// of the final document response (after redirects).
export async function enterAndWait(page, urlPredicate) {
  const nav = page.waitForNavigation({ waitUntil: 'load', url: urlPredicate });
  await page.keyboard.press('Enter');
  const response = await nav;
  return response ? response.status() : null;
}
