// A clinic far from UTC (Kiritimati, UTC+14): the times the worklist shows are the clinic's, as the History and the
// approval badge show them, and a visit date (a day, no time) is shown as entered, not moved to another day. A
// version compacted in the clinic's morning says the clinic's date, not UTC's (yesterday).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePng } from '../../main/ml/io/image-io.js';
import { compactStudy, importImageFiles, openStore, saveMaskVersion } from '../../main/store/index.js';
import { setClinical } from '../../main/store/clinical.js';
import { waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';

/** 20:30 on 1 March in UTC is 10:30 on 2 March in Kiritimati. */
const IMPORTED_AT = '2026-03-01T20:30:00.000Z';
/** 19:00 on 6 December in UTC is 09:00 on 7 December in Kiritimati. */
const COMPACTED_AT = '2026-12-06T19:00:00.000Z';

const photo = async (file: string, seed: number): Promise<void> => {
  const data = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 37 + seed) & 0xff);
  await writeFile(file, await encodePng({ width: 64, height: 64, channels: 3, bitDepth: 8, data }));
};

describe(
  'a clinic in another time zone (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      timezoneId: 'Pacific/Kiritimati',
      seed: async (dbPath) => {
        const dir = await mkdtemp(path.join(tmpdir(), 'retina-tz-'));
        try {
          const file = path.join(dir, 'kiri.png');
          const drafted = path.join(dir, 'drafted.png');
          await photo(file, 0);
          await photo(drafted, 1);
          const store = openStore(dbPath);
          const [imported, other] = (
            await importImageFiles(store, [{ imagePath: file }, { imagePath: drafted }], { actor: 'test' })
          ).imported;
          setClinical(store, [imported.imageId], { patientId: 'KIRI-1', visitDate: '2026-03-01' }, 'test');
          store.db.prepare('UPDATE images SET imported_at = ?').run(IMPORTED_AT);
          // Autosaves of the other image by ann, bob, ann: ann's first, superseded by her second, is compacted
          // (and is the History's entry of its own, bob's draft between).
          let parentId: number | null = null;
          for (const [k, author] of ['ann', 'bob', 'ann'].entries())
            parentId = (
              await saveMaskVersion(store, {
                imageId: other.imageId,
                kind: 'draft',
                author,
                mask: {
                  width: 64,
                  height: 64,
                  data: Uint8Array.from({ length: 64 * 64 }, (_, i) => (i % 64 <= k ? 1 : 0)),
                },
                parentId,
              })
            ).id;
          compactStudy(store, { actor: 'admin', keepDays: 0, now: new Date(Date.now() + 60_000) });
          store.db.prepare('UPDATE compacted_versions SET compacted_at = ?').run(COMPACTED_AT);
          store.close();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    });

    test("the worklist's Updated column is the clinic's time; the visit date is the day entered", async () => {
      await app.page.goto(app.serve.url);
      const row = app.page.getByTestId('image-row').filter({ hasText: 'kiri.png' });
      await waitFor('the row', async () => (await row.count()) === 1);
      assert.equal((await row.getByTestId('image-visit-date').textContent())?.trim(), '2026-03-01');
      assert.equal((await row.getByTestId('image-updated').textContent())?.trim(), '2026-03-02 10:30');
    });

    test("the History says the day a version was compacted on the clinic's calendar", async () => {
      await app.page.goto(app.serve.url);
      const row = app.page.getByTestId('image-row').filter({ hasText: 'drafted.png' });
      await waitFor('the row', async () => (await row.count()) === 1);
      await row.dblclick();
      await app.page.locator('[data-testid="history"] summary').click();
      const compacted = app.page.getByTestId('history-compacted');
      await compacted.waitFor();
      assert.equal((await compacted.textContent())?.trim(), 'version 1: pixels compacted 2026-12-07 09:00');
    });
  },
);
