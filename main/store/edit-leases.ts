// Edit leases: at most one window edits an image at a time. The lease lives in the database so that every server
// process sharing it sees the same holder; times are computed in JS (the caller's clock, injectable in tests) and
// stored as ISO strings. The rules themselves are shared/edit-lease.ts's.
import { leaseDecision, leaseLive, type LeaseDecision, type LeaseRecord } from '../../shared/edit-lease.js';
import { recordAudit } from './audit.js';
import type { Store } from './database.js';
import { getImage } from './images.js';

export type { LeaseRecord } from '../../shared/edit-lease.js';

interface LeaseRow {
  image_id: number;
  holder: string;
  client_id: string;
  acquired_at: string;
  expires_at: string;
}

const toLease = (r: LeaseRow): LeaseRecord => ({
  holder: r.holder,
  clientId: r.client_id,
  acquiredAt: r.acquired_at,
  expiresAt: r.expires_at,
});

/** The image's recorded lease, live or expired; null when none (never taken, or released). */
export function getLease(store: Store, imageId: number): LeaseRecord | null {
  const row = store.db.prepare('SELECT * FROM edit_leases WHERE image_id = ?').get(imageId) as
    LeaseRow | undefined;
  return row ? toLease(row) : null;
}

/** The live leases among `imageIds` (the worklist's "being edited by" markers), by image id. */
export function liveLeases(
  store: Store,
  imageIds: readonly number[],
  nowMs: number,
): Map<number, LeaseRecord> {
  const out = new Map<number, LeaseRecord>();
  if (imageIds.length === 0) return out;
  const stmt = store.db.prepare('SELECT * FROM edit_leases WHERE image_id = ?');
  for (const id of imageIds) {
    const row = stmt.get(id) as LeaseRow | undefined;
    if (row && leaseLive({ expiresAt: row.expires_at }, nowMs)) out.set(id, toLease(row));
  }
  return out;
}

export interface LeaseRequest {
  imageId: number;
  /** The name others see (the user's). */
  holder: string;
  /** The window asking. */
  clientId: string;
  nowMs: number;
  durationMs: number;
  /** Take over another's expired lease (audited); without it an expired lease is only reported. */
  takeOver: boolean;
}

export interface LeaseOutcome {
  decision: LeaseDecision;
  /** The lease as it stands after the request: the caller's when granted, else the other holder's. */
  lease: LeaseRecord;
}

/**
 * Writes `lease` only if the row is still `seen` (absent, or the same holder and expiry): a compare-and-set, so two
 * windows asking at once (on a database whose transactions do not serialise, too) never both get the lease.
 */
function writeLeaseIfUnchanged(
  store: Store,
  imageId: number,
  seen: LeaseRecord | null,
  lease: LeaseRecord,
  nowIso: string,
): boolean {
  const values = [imageId, lease.holder, lease.clientId, lease.acquiredAt, nowIso, lease.expiresAt];
  if (!seen) {
    const info = store.db
      .prepare(
        `INSERT INTO edit_leases (image_id, holder, client_id, acquired_at, renewed_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (image_id) DO NOTHING`,
      )
      .run(...values);
    return info.changes === 1;
  }
  const info = store.db
    .prepare(
      `UPDATE edit_leases SET holder = ?, client_id = ?, acquired_at = ?, renewed_at = ?, expires_at = ?
       WHERE image_id = ? AND client_id = ? AND expires_at = ?`,
    )
    .run(...values.slice(1), imageId, seen.clientId, seen.expiresAt);
  return info.changes === 1;
}

/** Acquires, renews (heartbeat) or takes over the image's lease, all in one write; a busy lease is left as it is. */
export function requestLease(store: Store, req: LeaseRequest): LeaseOutcome {
  getImage(store, req.imageId);
  return store.write('take an edit lease', () => {
    const current = getLease(store, req.imageId);
    const decision = leaseDecision(current, req.clientId, req.nowMs, req.takeOver);
    if (current && (decision === 'busy' || decision === 'expired')) return { decision, lease: current };
    const now = new Date(req.nowMs).toISOString();
    const lease: LeaseRecord = {
      holder: req.holder,
      clientId: req.clientId,
      // A renewal keeps its start ("being edited since"), unless the lease had lapsed: then editing starts again.
      acquiredAt:
        decision === 'renew' && current && Date.parse(current.expiresAt) > req.nowMs
          ? current.acquiredAt
          : now,
      expiresAt: new Date(req.nowMs + req.durationMs).toISOString(),
    };
    const written =
      writeLeaseIfUnchanged(store, req.imageId, current, lease, now) ||
      // Released meanwhile: the row is gone, so it is free to take.
      (getLease(store, req.imageId) === null && writeLeaseIfUnchanged(store, req.imageId, null, lease, now));
    if (!written) {
      // Another window got there first: report its lease as it now stands.
      const other = getLease(store, req.imageId);
      if (other) return { decision: 'busy', lease: other };
    }
    if (decision === 'take-over' && current) {
      recordAudit(store, req.holder, 'lease.take-over', 'image', req.imageId, {
        from: current.holder,
        since: current.acquiredAt,
        expiredAt: current.expiresAt,
      });
    }
    return { decision, lease };
  });
}

/** Gives back whatever lease `holder` has on the image, from any window (a hand-off passes the image on). */
export function releaseLeasesOf(store: Store, imageId: number, holder: string): boolean {
  return store.write('release an edit lease', () => {
    const info = store.db
      .prepare('DELETE FROM edit_leases WHERE image_id = ? AND holder = ?')
      .run(imageId, holder);
    return info.changes > 0;
  });
}

/**
 * Gives the lease back (the viewer closed the image, or its window); only the window holding it can. With
 * `expiresAt`, only the lease as that page last renewed it: the same window (reloaded) may have renewed it since.
 */
export function releaseLease(store: Store, imageId: number, clientId: string, expiresAt?: string): boolean {
  return store.write('release an edit lease', () => {
    const sameRenewal = expiresAt === undefined ? '' : ' AND expires_at = ?';
    const args = expiresAt === undefined ? [imageId, clientId] : [imageId, clientId, expiresAt];
    const info = store.db
      .prepare(`DELETE FROM edit_leases WHERE image_id = ? AND client_id = ?${sameRenewal}`)
      .run(...args);
    return info.changes > 0;
  });
}

/**
 * Gives back every lease a window holds, when that window is gone (its event socket closed and did not come back);
 * with `holder`, only those taken under that name (a team server: a user's own). The images released, by id.
 */
export function releaseWindowLeases(store: Store, clientId: string, holder?: string): number[] {
  return store.write("release a closed window's edit leases", () => {
    const byHolder = holder === undefined ? '' : ' AND holder = ?';
    const args = holder === undefined ? [clientId] : [clientId, holder];
    const rows = store.db
      .prepare(`SELECT image_id FROM edit_leases WHERE client_id = ?${byHolder}`)
      .all(...args) as { image_id: number }[];
    if (rows.length > 0)
      store.db.prepare(`DELETE FROM edit_leases WHERE client_id = ?${byHolder}`).run(...args);
    return rows.map((r) => Number(r.image_id));
  });
}
