// Where the database lives when no --db is given: RETINA_DB, else the platform's per-user data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDatabasePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.RETINA_DB) return env.RETINA_DB;
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  let base: string;
  if (platform === 'win32') base = env.APPDATA ?? join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') base = join(home, 'Library', 'Application Support');
  else base = env.XDG_DATA_HOME || join(home, '.local', 'share');
  return join(base, 'RetinaStudio', 'retina.db');
}
