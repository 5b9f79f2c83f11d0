/** The Electron-ABI better-sqlite3 binding's path (made if missing), or why it could not be made. */
export function electronSqliteBinding(
  root: string,
  log?: (line: string) => void,
): { path: string; error?: undefined } | { error: string; path?: undefined };
