// Dates a person reads are this machine's calendar's, not UTC's: at UTC+14 in the morning UTC's date is yesterday.
// Each case runs in a process of its own with TZ set, as a machine in that zone runs the app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/** What `expr` evaluates to, printed by a process in zone `tz` that imported `module` (from the repo) as m. */
const inZone = (tz: string, module: string, expr: string): string =>
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(new URL(`../../${module}`, import.meta.url).href)});
       console.log(${expr});`,
    ],
    { env: { ...process.env, TZ: tz }, encoding: 'utf8' },
  ).trim();

// 09:00 on 7 December at UTC+14 (Kiritimati) is 19:00 on 6 December in UTC and 11:00 on 6 December in California.
const MORNING_AT_KIRITIMATI = '2026-12-06T19:00:00Z';

test("the export folder is named by the date on the writer's calendar", () => {
  const name = (tz: string): string =>
    inZone(tz, 'main/store/export-bundle.ts', `m.bundleBaseName(new Date('${MORNING_AT_KIRITIMATI}'))`);
  assert.equal(name('Pacific/Kiritimati'), 'retinastudio-export-2026-12-07');
  assert.equal(name('UTC'), 'retinastudio-export-2026-12-06');
  assert.equal(name('America/Los_Angeles'), 'retinastudio-export-2026-12-06');
});
