// The worklist's filters, kept in the tab's session storage: they outlive the worklist (unmounted while the viewer is
// open) and a reload of the tab, and stay out of other tabs and later sessions.
import { useCallback, useState } from 'react';
import type { Filters } from './WorklistFilters.js';
import { parseFilters } from './worklistQuery.js';

const KEY = 'retina.worklistFilters';

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage refused (private mode): the defaults
  }
}

export function useWorklistFilters(): [Filters, (update: (f: Filters) => Filters) => void] {
  const [filters, setFilters] = useState<Filters>(() => parseFilters(stored()));
  const update = useCallback((change: (f: Filters) => Filters) => {
    setFilters((f) => {
      const next = change(f);
      try {
        sessionStorage.setItem(KEY, JSON.stringify(next));
      } catch {
        // Not kept beyond this page; the list itself is unaffected.
      }
      return next;
    });
  }, []);
  return [filters, update];
}
