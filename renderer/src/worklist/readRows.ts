// Rows of the worklist's list as filtered, read in the pages the server allows (MAX_PAGE_SIZE): the worklist's
// own loads and the viewer's whole list (next, previous) read them the same way.
import { MAX_PAGE_SIZE, type ImageSummary } from '../../../shared/contract.js';
import type { RetinaClient } from '../../../shared/transport.js';
import { listImagesQuery, type Filters } from './worklistQuery.js';

/** Up to `count` rows from `offset`, and the list's total; fewer rows where the list ends. */
export async function readRows(
  client: RetinaClient,
  f: Filters,
  offset: number,
  count: number,
  clientId?: string,
): Promise<{ rows: ImageSummary[]; total: number }> {
  const rows: ImageSummary[] = [];
  let total = 0;
  while (rows.length < count) {
    const page = await client.invoke('listImages', {
      ...listImagesQuery(f, offset + rows.length, Math.min(MAX_PAGE_SIZE, count - rows.length)),
      ...(clientId ? { clientId } : {}),
    });
    rows.push(...page.items);
    total = page.total;
    if (page.items.length === 0 || offset + rows.length >= total) break;
  }
  return { rows, total };
}
