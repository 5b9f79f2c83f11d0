// Login sessions. Only the SHA-256 of a session token is stored: the token itself lives in the browser's cookie,
// so reading the database gives nobody a way in. A session ends at a fixed time after login; expired rows are swept when one is met.
import { createHash } from 'node:crypto';
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import type { Role } from './users.js';

export interface SessionUser {
  id: number;
  name: string;
  role: Role;
}

/** A live session: its user and when it ends. */
export interface LiveSession extends SessionUser {
  expiresAt: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createSession(store: Store, userId: number, token: string, expiresAt: Date): void {
  store.write('log in', () => {
    const name = store.db.prepare('SELECT name FROM users WHERE id = ?').pluck().get(userId) as string;
    store.db
      .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(token), userId, nowIso(), expiresAt.toISOString());
    recordAudit(store, name, 'session.login', 'user', userId);
  });
}

/** The live session's user, or null for an unknown, expired or disabled one (expiry is fixed at login). */
export function findSession(store: Store, token: string, now: Date): LiveSession | null {
  const row = store.db
    .prepare(
      `SELECT u.id, u.name, u.role, u.disabled, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ?`,
    )
    .get(hashToken(token)) as
    { id: number; name: string; role: Role; disabled: number; expires_at: string } | undefined;
  if (!row || row.disabled === 1) return null;
  if (row.expires_at <= now.toISOString()) {
    if (!store.readonly) endExpiredSessions(store, now);
    return null;
  }
  return { id: row.id, name: row.name, role: row.role, expiresAt: row.expires_at };
}

export function endSession(store: Store, token: string): void {
  store.write('log out', () => {
    const row = store.db
      .prepare(
        'SELECT s.user_id, u.name FROM sessions s JOIN users u ON u.id = s.user_id WHERE token_hash = ?',
      )
      .get(hashToken(token)) as { user_id: number; name: string } | undefined;
    if (!row) return;
    store.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
    recordAudit(store, row.name, 'session.logout', 'user', row.user_id);
  });
}

export function endExpiredSessions(store: Store, now: Date): number {
  return store.write('end expired sessions', () => {
    return store.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  });
}
