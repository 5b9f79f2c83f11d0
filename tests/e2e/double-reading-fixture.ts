// The double-reading study both browser tests use: DRIVE test image 1 with the second observer's prediction, read
// blind by anna and otto and adjudicated by rita, in one SQLite file served in browser mode; and the readers'
// calls made through their own logged-in clients, as their browsers would send them.
import { hashPassword } from '../../main/accounts/passwords.js';
import { createUser, openStore, setAssignees } from '../../main/store/index.js';
import type { HttpClient } from '../../renderer/src/transport/httpClient.js';
import { W, H } from './flow.js';
import { useWorkstation, type Workstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';
import { teamClient } from './team-client.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = {
  rita: 'rita reviews carefully',
  anna: 'anna annotates well',
  otto: 'otto reads too',
};
export type Person = keyof typeof PASSWORD;

export interface DoubleReadingStudy {
  app: Workstation;
  /** `call` made as `person`, through their own logged-in client. */
  as<T>(person: Person, call: (client: HttpClient) => Promise<T>): Promise<T>;
}

export function useDoubleReadingStudy(pages: number): DoubleReadingStudy {
  const app = useWorkstation({
    pages,
    seed: async (dbPath) => {
      const store = openStore(dbPath);
      await seedSecondObserverPredictions(store, ['01'], ['01']);
      const roles = { rita: 'reviewer', anna: 'annotator', otto: 'annotator' } as const;
      for (const [name, role] of Object.entries(roles)) {
        const passwordHash = await hashPassword(PASSWORD[name as Person], FAST);
        createUser(store, { name, role, passwordHash }, 'test');
      }
      setAssignees(store, [1], ['anna', 'otto'], 'test');
      store.close();
    },
  });
  return {
    app,
    as: async (person, call) => {
      const client = await teamClient(app.serve, person, PASSWORD[person]);
      try {
        return await call(client);
      } finally {
        client.close();
      }
    },
  };
}

/** A reader's own drawing: a band of vessel pixels of their own. */
export const drawn = (start: number): Uint8Array => new Uint8Array(W * H).fill(1, start, start + 1000);
