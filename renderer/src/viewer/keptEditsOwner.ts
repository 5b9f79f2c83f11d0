// Whose undelivered edits a browser keeps (undeliveredEdits.ts); pure, so main's tests can check it without a DOM.
/**
 * Whose kept edits these are: the study's identity, and on a team also the account, since a clinic's shared browser
 * is used by several people in turn: one person's undelivered edit is never offered to (and saved as) another.
 */
export function keptEditsOwner(study: string, account: string | null): string {
  return account === null ? study : `${study}\naccount:${account}`;
}
