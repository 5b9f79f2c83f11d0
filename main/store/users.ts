// Accounts of a team database: a name, a role and a password hash (hashing is the caller's: main/accounts).
// A disabled account keeps its row, so audit records and assignments still name it.
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import { ConstraintError, NotFoundError } from './errors.js';

export type Role = 'admin' | 'reviewer' | 'annotator';
export const ROLES: readonly Role[] = ['admin', 'reviewer', 'annotator'];

export interface UserRecord {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  disabled: boolean;
}

interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  created_at: string;
  disabled: number;
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  disabled: r.disabled === 1,
});

/** A user name: letters, digits and . _ - (1..64), so it reads the same in audit rows, paths and URLs. */
export function userNameProblem(name: string): string | null {
  return /^[A-Za-z0-9._-]{1,64}$/.test(name)
    ? null
    : `user name '${name.slice(0, 70)}' must be 1-64 Latin letters (a-z, A-Z), digits, '.', '_' or '-'`;
}

/** How many accounts exist (team mode is on when there is at least one). */
export function countUsers(store: Store): number {
  return store.db.prepare('SELECT COUNT(*) FROM users').pluck().get() as number;
}

export function createUser(
  store: Store,
  input: { name: string; role: Role; passwordHash: string },
  actor: string,
): UserRecord {
  const problem = userNameProblem(input.name);
  if (problem) throw new ConstraintError(problem);
  return store.write('add a user', () => {
    // Names differing only in case ('alice', 'Alice') would read as one person in every audit row.
    const taken = store.db
      .prepare('SELECT name FROM users WHERE LOWER(name) = LOWER(?)')
      .pluck()
      .get(input.name) as string | undefined;
    if (taken === input.name) throw new ConstraintError(`user ${input.name} already exists`);
    if (taken) throw new ConstraintError(`user ${taken} already exists (names differ only in case)`);
    const id = store.db
      .prepare(
        'INSERT INTO users (name, role, password_hash, created_at, disabled) VALUES (?, ?, ?, ?, 0) RETURNING id',
      )
      .pluck()
      .get(input.name, input.role, input.passwordHash, nowIso()) as number;
    recordAudit(store, actor, 'user.add', 'user', id, { name: input.name, role: input.role });
    return getUser(store, id);
  });
}

export function getUser(store: Store, id: number): UserRecord {
  const row = store.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  if (!row) throw new NotFoundError(`no user ${id}`);
  return toUser(row);
}

/**
 * The account and its stored hash, or null when no such user exists. A name finds its account whatever its case
 * ('anna' logs in as Anna): no two accounts differ only in case (createUser), so the name is never ambiguous.
 */
export function findUserCredentials(
  store: Store,
  name: string,
): { user: UserRecord; passwordHash: string } | null {
  const rows = store.db.prepare('SELECT * FROM users WHERE LOWER(name) = LOWER(?)').all(name) as UserRow[];
  // A database from before that rule may hold both 'alice' and 'Alice': then only the exact name finds one.
  const row = rows.length === 1 ? rows[0] : rows.find((r) => r.name === name);
  return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
}

export function findUser(store: Store, name: string): UserRecord {
  const found = findUserCredentials(store, name);
  if (!found) throw new NotFoundError(`no user ${name}`);
  return found.user;
}

export function listUsers(store: Store): UserRecord[] {
  return (store.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toUser);
}

/** A new password ends every session of the account. */
export function setPasswordHash(store: Store, name: string, passwordHash: string, actor: string): void {
  store.write('change a password', () => {
    const user = findUser(store, name);
    store.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, user.id);
    store.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
    recordAudit(store, actor, 'user.passwd', 'user', user.id, { name: user.name });
  });
}

/** A disabled account cannot log in, and its sessions end now. */
export function disableUser(store: Store, name: string, actor: string): UserRecord {
  return store.write('disable a user', () => {
    const user = findUser(store, name);
    // The last admin disabled, nobody could add, enable or assign anyone again from the app.
    const admins = store.db
      .prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?")
      .pluck()
      .get(user.id) as number;
    if (user.role === 'admin' && !user.disabled && admins === 0)
      throw new ConstraintError(`${user.name} is the last active admin: add or enable another admin first`);
    store.db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(user.id);
    store.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
    recordAudit(store, actor, 'user.disable', 'user', user.id, { name: user.name });
    return getUser(store, user.id);
  });
}

/** Lets a disabled account log in again (with its password as it was). */
export function enableUser(store: Store, name: string, actor: string): UserRecord {
  return store.write('enable a user', () => {
    const user = findUser(store, name);
    store.db.prepare('UPDATE users SET disabled = 0 WHERE id = ?').run(user.id);
    recordAudit(store, actor, 'user.enable', 'user', user.id, { name: user.name });
    return getUser(store, user.id);
  });
}
