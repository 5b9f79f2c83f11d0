// The worklist's filters as a listImages request, and as kept in the tab's session storage: a trip to the viewer or a
// reload brings the list back as the user filtered and ordered it, not reset to everything.
import {
  EYE_FILTERS,
  IMAGE_STATUSES,
  type EyeFilter,
  type ImageStatus,
  type ListImagesRequest,
} from '../../../shared/contract.js';
import { isCalendarDate } from '../../../shared/clinical-dates.js';

/** 'default': by patient when grouped, else import order. */
export type WorklistOrder = 'default' | 'updated' | 'name' | 'review-next';

export interface Filters {
  search: string;
  status: ImageStatus[];
  eye: EyeFilter[];
  grouped: boolean;
  order: WorklistOrder;
  /** Visit date range, YYYY-MM-DD, both inclusive; '' leaves that end open. */
  visitFrom: string;
  visitTo: string;
  /** Team mode: only images submitted for review (a reviewer's queue). */
  awaitingReview: boolean;
}

export const DEFAULT_FILTERS: Filters = {
  search: '',
  status: [],
  eye: [],
  grouped: true,
  order: 'default',
  visitFrom: '',
  visitTo: '',
  awaitingReview: false,
};
const ORDERS: readonly WorklistOrder[] = ['default', 'updated', 'name', 'review-next'];

/** Whether any filter narrows the list (an empty list then says "No images match", not "No images yet"). */
export const isFiltered = (f: Filters): boolean =>
  f.search !== '' ||
  f.status.length > 0 ||
  f.eye.length > 0 ||
  f.visitFrom !== '' ||
  f.visitTo !== '' ||
  f.awaitingReview;

/** Grouping belongs to the default order: any other order would be split up by it. */
export const isGrouped = (f: Filters): boolean => f.grouped && f.order === 'default';

export function listImagesQuery(f: Filters, offset: number, limit: number): ListImagesRequest {
  // A range typed backwards (from after to) means the same days: sent in order, as the server asks.
  const [from, to] =
    f.visitFrom && f.visitTo && f.visitFrom > f.visitTo ? [f.visitTo, f.visitFrom] : [f.visitFrom, f.visitTo];
  return {
    offset,
    limit,
    ...(f.search ? { search: f.search } : {}),
    ...(f.status.length ? { status: f.status } : {}),
    ...(f.eye.length ? { eye: f.eye } : {}),
    ...(from ? { visitFrom: from } : {}),
    ...(to ? { visitTo: to } : {}),
    ...(f.awaitingReview ? { awaitingReview: true } : {}),
    // Grouping needs each patient's images together across pages; without patients it is import order.
    ...(f.order !== 'default' ? { sort: f.order } : isGrouped(f) ? { sort: 'patient' as const } : {}),
  };
}

const dateOrNone = (v: unknown): string => (typeof v === 'string' && isCalendarDate(v) ? v : '');

/**
 * Filters read back from storage: anything unknown (an older version's, a hand-edited value) falls back. `team`:
 * whether someone is logged in; "Submitted for review" is not offered (and the server refuses it) otherwise.
 */
export function parseFilters(text: string | null, team = true): Filters {
  if (!text) return DEFAULT_FILTERS;
  try {
    const v = JSON.parse(text) as Partial<Record<keyof Filters, unknown>>;
    const only = <T>(list: unknown, allowed: readonly T[]): T[] =>
      Array.isArray(list) ? allowed.filter((a) => list.includes(a)) : [];
    return {
      search: typeof v.search === 'string' ? v.search : '',
      status: only(v.status, IMAGE_STATUSES),
      eye: only(v.eye, EYE_FILTERS),
      grouped: typeof v.grouped === 'boolean' ? v.grouped : true,
      order: ORDERS.find((o) => o === v.order) ?? 'default',
      visitFrom: dateOrNone(v.visitFrom),
      visitTo: dateOrNone(v.visitTo),
      awaitingReview: team && v.awaitingReview === true,
    };
  } catch {
    return DEFAULT_FILTERS;
  }
}
