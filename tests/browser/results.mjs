// Collects check outcomes and prints them: one line per page or journey, details only on failure.

export class Results {
  constructor() {
    this.passed = 0;
    this.failed = 0;
    this.skipped = 0;
    this.failures = [];
    this.pageLoads = 0;
  }

  // A group of checks about one subject (a page in one mode, or a journey). Call check() for each
  // assertion, then done() to print one line for the whole group.
  group(label) {
    const results = this;
    const failures = [];
    let count = 0;
    return {
      check(ok, what, detail = '') {
        count += 1;
        if (ok) {
          results.passed += 1;
        } else {
          results.failed += 1;
          failures.push(detail ? `${what}: ${detail}` : what);
        }
        return ok;
      },
      // An exception means the rest of the group could not run: count it as one failed check.
      error(err) {
        count += 1;
        results.failed += 1;
        failures.push(`stopped by an error: ${err && err.message ? err.message.split('\n')[0] : err}`);
      },
      skip(why) {
        results.skipped += 1;
        console.log(`skip  ${label}: ${why}`);
      },
      done() {
        if (failures.length === 0) {
          console.log(`ok    ${label} (${count} checks)`);
        } else {
          console.log(`FAIL  ${label} (${failures.length} of ${count} checks failed)`);
          for (const f of failures) console.log(`        - ${f}`);
          results.failures.push({ label, failures });
        }
      },
    };
  }
}
