// One DRIVE test image read blind by two annotators (anna, otto) and adjudicated by a reviewer (rita), on a store
// backend, for integration tests of double reading. Call inside a describe(): it registers the before/after hooks.
// Each person calls the handlers as the browser shell would, with their own account.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  createUser,
  findUser,
  importImageFiles,
  openStore,
  setAssignees,
  type Store,
} from '../../main/store/index.js';
import { useStoreBackend, type BackendKind } from './store-backends.js';
import { handlerCaller } from './handler-call.js';

const DRIVE_TEST = path.join(datasetsRoot(), 'DRIVE', 'test');

export type PersonCaller = ReturnType<typeof handlerCaller>;

export interface TwoReaderImage {
  /** The image's id, once the suite's before() hook has run. */
  readonly id: string;
  /** The first observer's mask of the image, as a saveDraft payload's pixels. */
  readonly mask: { width: number; height: number; mask: Uint8Array };
  readonly anna: PersonCaller;
  readonly otto: PersonCaller;
  readonly rita: PersonCaller;
  /** The workstation's store, for what no handler does (disabling an account, as `retina users disable` does). */
  readonly store: Store;
}

/** DRIVE test image `number` ('01'..'20') in a fresh database named `name`, assigned to anna and otto. */
export function useTwoReaderImage(kind: BackendKind, name: string, number: string): TwoReaderImage {
  return useTeamImage(kind, name, number, ['anna', 'otto']);
}

/** As useTwoReaderImage, assigned to `readers` instead (['anna']: an image with one reader, not read blind). */
export function useTeamImage(
  kind: BackendKind,
  name: string,
  number: string,
  readers: readonly ('anna' | 'otto')[],
): TwoReaderImage {
  const backend = useStoreBackend(kind);
  let ws: Workstation;
  let id = '';
  let mask: TwoReaderImage['mask'] = { width: 0, height: 0, mask: new Uint8Array() };
  const as = (person: string): PersonCaller =>
    handlerCaller(() => ws, {
      shell: 'browser',
      sender: person,
      get user(): CallerContext['user'] {
        const u = findUser(ws.store, person);
        return { id: u.id, name: u.name, role: u.role };
      },
    });

  before(async () => {
    const dbPath = backend.location(name);
    const store = openStore(dbPath);
    for (const [person, role] of [
      ['anna', 'annotator'],
      ['otto', 'annotator'],
      ['rita', 'reviewer'],
    ] as const)
      createUser(store, { name: person, role, passwordHash: 'x' }, 'setup');
    const report = await importImageFiles(
      store,
      [{ imagePath: path.join(DRIVE_TEST, 'images', `${number}_test.tif`) }],
      { actor: 'rita' },
    );
    id = String(report.imported[0].imageId);
    setAssignees(store, [Number(id)], [...readers], 'rita');
    store.close();
    ws = await createWorkstation({ dbPath, shell: 'browser', user: 'os-user' });
    const m = toBinaryMap(await readImage(path.join(DRIVE_TEST, '1st_manual', `${number}_manual1.gif`)));
    mask = { width: m.width, height: m.height, mask: Uint8Array.from(m.data, (v) => (v ? 1 : 0)) };
  });
  after(() => ws.close());

  return {
    get id() {
      return id;
    },
    get mask() {
      return mask;
    },
    get store() {
      return ws.store;
    },
    anna: as('anna'),
    otto: as('otto'),
    rita: as('rita'),
  };
}

/** The hand-off `call`'s person is told of for `imageId`, checked the same by worklist row, image info and viewer. */
export async function handoffSeenBy(call: PersonCaller, imageId: string) {
  const row = (await call('listImages', { offset: 0, limit: 10 })).items[0];
  const info = await call('getImageInfo', { imageId });
  const masks = await call('getMasks', { imageId });
  const seen = [row.handoff, info.handoff, masks.review.handoff].map((h) => h ?? null);
  assert.deepEqual(seen[1], seen[0]);
  assert.deepEqual(seen[2], seen[0]);
  return seen[0];
}

/** `who` saves the image's reference mask on their own latest draft, from their own window, and submits it. */
export async function saveOwnAndSubmit(image: TwoReaderImage, who: 'anna' | 'otto'): Promise<void> {
  const call = image[who];
  const own = (await call('getMasks', { imageId: image.id })).draft;
  await call('saveDraft', {
    imageId: image.id,
    ...image.mask,
    parentVersionId: own?.versionId ?? null,
    clientId: `${who}-window`,
  });
  await call('submitForReview', { imageId: image.id });
}

/** The send-back comments `call`'s person is told of for `imageId`, oldest first, as "by: comment". */
export async function sendBackComments(call: PersonCaller, imageId: string): Promise<string[]> {
  const h = await handoffSeenBy(call, imageId);
  return [...(h?.earlier ?? []).map((e) => `${e.by}: ${e.comment}`), `${h?.by}: ${h?.comment}`];
}
