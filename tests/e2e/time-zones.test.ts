// A clinic far from UTC (Kiritimati, UTC+14): the times the worklist shows are the clinic's, as the History and the
// approval badge show them, and a visit date (a day, no time) is shown as entered, not moved to another day.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePng } from '../../main/ml/io/image-io.js';
import { importImageFiles, openStore } from '../../main/store/index.js';
import { setClinical } from '../../main/store/clinical.js';
import { waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';

/** 20:30 on 1 March in UTC is 10:30 on 2 March in Kiritimati. */
const IMPORTED_AT = '2026-03-01T20:30:00.000Z';

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
          const data = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 37) & 0xff);
          await writeFile(file, await encodePng({ width: 64, height: 64, channels: 3, bitDepth: 8, data }));
          const store = openStore(dbPath);
          const [imported] = (await importImageFiles(store, [{ imagePath: file }], { actor: 'test' }))
            .imported;
          setClinical(store, [imported.imageId], { patientId: 'KIRI-1', visitDate: '2026-03-01' }, 'test');
          store.db.prepare('UPDATE images SET imported_at = ?').run(IMPORTED_AT);
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
  },
);
