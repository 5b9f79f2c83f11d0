// Where the database lives when no --db is given: RETINA_DB, else the platform's per-user data folder.
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

export function defaultDatabasePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.RETINA_DB) return env.RETINA_DB;
  // An empty or relative folder would put the study under whatever folder the app was started from, and a start
  // from elsewhere would find an empty one: such values are passed over (the XDG specification says the same).
  const absolute = platform === 'win32' ? win32.isAbsolute : posix.isAbsolute;
  const usable = (v: string | undefined): string | undefined => (v && absolute(v) ? v : undefined);
  const home = usable(env.HOME) ?? usable(env.USERPROFILE) ?? homedir();
  let base: string;
  if (platform === 'win32') base = usable(env.APPDATA) ?? join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') base = join(home, 'Library', 'Application Support');
  else base = usable(env.XDG_DATA_HOME) ?? join(home, '.local', 'share');
  return join(base, 'RetinaStudio', 'retina.db');
}
