// Waymark's only script, loaded as <script type="module" src="/assets/waymark.js">.
//
// Every page works fully without it: it only turns on GOV.UK Frontend's progressive enhancements
// (for example the skip link's focus handling and the menu toggle on small screens). The import
// is static, so if the GOV.UK Frontend file fails to load this module never runs, the classes
// below are never added, and the page keeps its no-JavaScript layout instead of a half-enhanced one.
import { initAll } from './govuk-frontend.min.js'

const body = document.body

// GOV.UK Frontend's CSS hides or restyles some things only when the page says JavaScript runs.
body.classList.add('js-enabled')

// GOV.UK Frontend targets browsers that support ES modules; a browser running this module does,
// and the check is kept so the condition stays explicit. initAll() skips every component unless
// this class is present.
if ('noModule' in HTMLScriptElement.prototype) {
  body.classList.add('govuk-frontend-supported')
}

initAll()
