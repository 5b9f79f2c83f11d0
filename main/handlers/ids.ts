// Ids cross the boundary as opaque strings; the store numbers its rows. These convert at the boundary only.
import { RpcError, type Id } from '../../shared/contract.js';

/** The store's row id for `id`; anything that is not a positive integer names no row of `what`. */
export function rowId(id: Id, what: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(id))
    throw new RpcError('not-found', `no ${what} with id "${id.slice(0, 40)}"`);
  return Number(id);
}

export function toId(n: number): Id {
  return String(n);
}

export function toIdOrNull(n: number | null): Id | null {
  return n === null ? null : String(n);
}
