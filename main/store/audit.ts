// The audit log: who changed what, written inside the same transaction as the change itself.
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

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: number | null;
  details: string | null;
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
  store.db
    .prepare(
      'INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(nowIso(), actor, action, entity, entityId, details === undefined ? null : JSON.stringify(details));
}

export function listAudit(
  store: Store,
  filter: { entity?: string; entityId?: number; limit?: number } = {},
): AuditEntry[] {
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
