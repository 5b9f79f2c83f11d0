// Where the database lives when no --db is given: RETINA_DB, else the platform's per-user data folder.
import { join } from 'node:path';
import { userHome } from '../node/user-state.js';

export function defaultDatabasePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.RETINA_DB) return env.RETINA_DB;
  // An empty or relative folder would put the study under whatever folder the app was started from, and a start
  // from elsewhere would find an empty one: such values are passed over (the XDG specification says the same).
  const { home, usable } = userHome(env, platform);
  let base: string;
  if (platform === 'win32') base = usable(env.APPDATA) ?? join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') base = join(home, 'Library', 'Application Support');
  else base = usable(env.XDG_DATA_HOME) ?? join(home, '.local', 'share');
  return join(base, 'RetinaStudio', 'retina.db');
}
