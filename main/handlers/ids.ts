// Ids cross the boundary as opaque strings; the store numbers its rows. These convert at the boundary only.
import { RpcError, type Id } from '../../shared/contract.js';

/**
 * The largest row id either store holds: PostgreSQL's ids are `integer` columns, and a larger number in a query
 * is an "out of range" error there, not an empty answer.
 */
const MAX_ROW_ID = 2_147_483_647;

/** Whether `id` can name a row: a positive integer in range, written plainly ("1e3", " 1" and "1.0" are not). */
export function isRowId(id: Id): boolean {
  return /^[1-9][0-9]{0,9}$/.test(id) && Number(id) <= MAX_ROW_ID;
}

/** The store's row id for `id`; anything else names no row of `what`. */
export function rowId(id: Id, what: string): number {
  if (!isRowId(id)) throw new RpcError('not-found', `no ${what} with id "${id.slice(0, 40)}"`);
  return Number(id);
}

export function toId(n: number): Id {
  return String(n);
}

export function toIdOrNull(n: number | null): Id | null {
  return n === null ? null : String(n);
}
