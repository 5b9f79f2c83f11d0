// The audit log: who changed what, written inside the same transaction as the change itself.
import { auditRowHash, CHAIN_START, type AuditRow } from './audit-chain.js';
import { nowIso, type Store } from './database.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: number | null;
  details: unknown;
}

/** Internal: call only inside `store.write`. */
export function recordAudit(
  store: Store,
  actor: string,
  action: string,
  entity: string,
  entityId: number | null,
  details?: unknown,
): void {
  // Chained on the newest row (audit-chain.ts). Every write holds the store's write lock (SQLite's IMMEDIATE
  // transaction, PostgreSQL's advisory lock), so no other row can come between reading it and this insert.
  const row = {
    at: nowIso(),
    actor,
    action,
    entity,
    entity_id: entityId,
    details: details === undefined ? null : JSON.stringify(details),
  };
  const { id, prev } = store.db
    .prepare(
      `INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash)
       VALUES (?, ?, ?, ?, ?, ?, COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), ?))
       RETURNING id, prev_hash AS prev`,
    )
    .get(row.at, actor, action, entity, entityId, row.details, CHAIN_START) as { id: number; prev: string };
  store.db.prepare('UPDATE audit_log SET hash = ? WHERE id = ?').run(auditRowHash(prev, { id, ...row }), id);
}

export interface AuditFilter {
  entity?: string;
  entityId?: number;
  /** Any of these rows (e.g. an image, its mask versions and its kept drafts). */
  anyOf?: { entity: string; ids: readonly number[] }[];
  actor?: string;
  /** `mask.` matches mask.draft, mask.approved...; `image.erase` only itself. */
  actionPrefix?: string;
  /** ISO date or time: entries at or after it. */
  since?: string;
  /** The newest `limit` entries (default 100). */
  limit?: number;
}

/** Audit entries, newest first. */
export function listAudit(store: Store, filter: AuditFilter = {}): AuditEntry[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.entity !== undefined) {
    where.push('entity = ?');
    params.push(filter.entity);
  }
  if (filter.entityId !== undefined) {
    where.push('entity_id = ?');
    params.push(filter.entityId);
  }
  if (filter.anyOf !== undefined) {
    const any = filter.anyOf.filter((a) => a.ids.length > 0);
    // Nothing named: nothing matches (not everything).
    where.push(
      any.length === 0
        ? '1 = 0'
        : `(${any.map((a) => `(entity = ? AND entity_id IN (${a.ids.map(() => '?').join(', ')}))`).join(' OR ')})`,
    );
    for (const a of any) params.push(a.entity, ...a.ids);
  }
  if (filter.actor !== undefined) {
    where.push('actor = ?');
    params.push(filter.actor);
  }
  if (filter.actionPrefix !== undefined) {
    where.push('(action = ? OR SUBSTR(action, 1, ?) = ?)');
    const prefix = filter.actionPrefix.endsWith('.') ? filter.actionPrefix : `${filter.actionPrefix}.`;
    params.push(filter.actionPrefix, prefix.length, prefix);
  }
  if (filter.since !== undefined) {
    where.push('at >= ?');
    params.push(filter.since);
  }
  const sql = `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
  const rows = store.db.prepare(sql).all(...params, filter.limit ?? 100) as AuditRow[];
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    details: r.details === null ? null : (JSON.parse(r.details) as unknown),
  }));
}
