// Viewer settings a reader sets once and expects to keep from one image to the next: the viewer remounts for each
// image, so a plain useState would reset them. The values live for the session (this page), not on disk.
import { useCallback, useState, type Dispatch, type SetStateAction } from 'react';

const kept = new Map<string, unknown>();

/** useState whose latest value outlives the component: the next mount under the same key starts from it. */
export function useSessionState<T>(key: string, initial: T): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => (kept.has(key) ? (kept.get(key) as T) : initial));
  const set = useCallback<Dispatch<SetStateAction<T>>>(
    (next) =>
      setValue((prev) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
        kept.set(key, v);
        return v;
      }),
    [key],
  );
  return [value, set];
}
