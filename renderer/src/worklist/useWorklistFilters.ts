// The worklist's filters, kept in the tab's session storage: they outlive the worklist (unmounted while the viewer is
// open) and a reload of the tab, and stay out of other tabs and later sessions. On a team each account keeps its
// own: the next person logging in at a shared screen starts from their own list, not the last one's search.
import { useCallback, useState } from 'react';
import type { Filters } from './WorklistFilters.js';
import { parseFilters } from './worklistQuery.js';

const KEY = 'retina.worklistFilters';

function stored(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null; // storage refused (private mode): the defaults
  }
}

/** `user`: the account logged in (team mode); absent for the single user. */
export function useWorklistFilters(user?: string): [Filters, (update: (f: Filters) => Filters) => void] {
  const key = user === undefined ? KEY : `${KEY}:${user}`;
  const [filters, setFilters] = useState<Filters>(() => parseFilters(stored(key), user !== undefined));
  const update = useCallback(
    (change: (f: Filters) => Filters) => {
      setFilters((f) => {
        const next = change(f);
        try {
          sessionStorage.setItem(key, JSON.stringify(next));
        } catch {
          // Not kept beyond this page; the list itself is unaffected.
        }
        return next;
      });
    },
    [key],
  );
  return [filters, update];
}
