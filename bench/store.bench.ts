// Store benchmark: importing the 40 DRIVE + 20 STARE images (goal < 20 s) and the first page of a 10,000-image
// listing (goal < 50 ms). Usage: npm run bench:store
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetsRoot } from '../main/node/package-root.js';
import { importDataset, listImages, openStore } from '../main/store/index.js';
import { insertImageTx } from '../main/store/images.js';
import { exitUnlessDatasets } from './datasets-needed.js';
import { benchArgs } from './bench-args.js';

benchArgs('store', 'Usage: npm run bench:store   (env RETINA_DATASETS)', {});
exitUnlessDatasets('store', datasetsRoot(), ['DRIVE', 'STARE']);

const dir = mkdtempSync(join(tmpdir(), 'retina-store-bench-'));
try {
  const store = openStore(join(dir, 'bench.db'));
  const t0 = performance.now();
  const drive = await importDataset(store, join(datasetsRoot(), 'DRIVE'), { actor: 'bench' });
  const stare = await importDataset(store, join(datasetsRoot(), 'STARE'), { actor: 'bench' });
  const importSeconds = (performance.now() - t0) / 1000;
  const imported = drive.imported.length + stare.imported.length;
  const failed = drive.failed.length + stare.failed.length;
  if (imported !== 60 || failed !== 0)
    throw new Error(`expected 60 images, imported ${imported}, failed ${failed}`);
  console.log(
    `import DRIVE (40) + STARE (20): ${importSeconds.toFixed(2)} s (goal < 20 s) ${importSeconds < 20 ? 'OK' : 'OVER'}`,
  );
  store.close();

  // 10,000 synthetic image rows (metadata only: listing never touches the blobs).
  const big = openStore(join(dir, 'list.db'));
  const t1 = performance.now();
  big.write('insert synthetic images', () => {
    for (let i = 0; i < 10_000; i++) {
      insertImageTx(
        big,
        {
          fileHash: i.toString(16).padStart(64, '0'),
          fileName: `synthetic_${String(i).padStart(5, '0')}.png`,
          format: 'png',
          byteSize: 500_000,
          width: 565,
          height: 584,
          channels: 3,
          dataset: 'synthetic',
          datasetSplit: i % 2 ? 'train' : 'test',
        },
        'bench',
      );
    }
  });
  const insertSeconds = (performance.now() - t1) / 1000;
  big.close();
  // A fresh open, as the app does at start-up: the first page is what the user waits for.
  const reopened = openStore(join(dir, 'list.db'));
  const t2 = performance.now();
  const page = listImages(reopened, { limit: 50 });
  const firstMs = performance.now() - t2;
  const times: number[] = [];
  let cursor = page.nextCursor;
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    const p = listImages(reopened, { limit: 50, cursor, maskStatus: 'none' });
    times.push(performance.now() - t);
    cursor = p.nextCursor;
  }
  times.sort((a, b) => a - b);
  if (page.items.length !== 50 || page.total !== 10_000) throw new Error('listing returned the wrong page');
  console.log(`(inserted 10,000 synthetic rows in ${insertSeconds.toFixed(2)} s)`);
  console.log(
    `list 10,000 images, first page of 50: ${firstMs.toFixed(1)} ms (goal < 50 ms) ${firstMs < 50 ? 'OK' : 'OVER'}; ` +
      `later pages with a mask-status filter: median ${times[10].toFixed(1)} ms`,
  );
  reopened.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
