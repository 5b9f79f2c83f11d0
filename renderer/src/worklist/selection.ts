// The worklist's checkbox selection as pure functions over id sets: one row, or every row shown.

export type AllState = 'none' | 'some' | 'all';

/** How much of `shown` is selected: drives the header checkbox (checked, indeterminate, clear). */
export function allState(selected: ReadonlySet<string>, shown: readonly string[]): AllState {
  const n = shown.filter((id) => selected.has(id)).length;
  return n === 0 ? 'none' : n === shown.length ? 'all' : 'some';
}

/** The header checkbox clicked: selects every row shown, or, when all are, clears them (others stay selected). */
export function toggleAll(selected: ReadonlySet<string>, shown: readonly string[]): Set<string> {
  const next = new Set(selected);
  if (shown.length > 0 && allState(selected, shown) === 'all') for (const id of shown) next.delete(id);
  else for (const id of shown) next.add(id);
  return next;
}

export function toggleOne(selected: ReadonlySet<string>, id: string, on = !selected.has(id)): Set<string> {
  const next = new Set(selected);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}
