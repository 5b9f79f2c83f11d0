// Per-user folders. `userHome` reads the environment as every per-user default does; `userStateDir` is where the
// application keeps what is neither a study nor a log (the access tokens `retina serve` keeps per study):
// $RETINA_STATE_DIR, else the platform's place for it, never beside a database, which may be copied or shared.
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

export interface UserHome {
  home: string;
  /** The variable's value when it is an absolute path; else undefined (a relative one would depend on where the
   * command was started, and the XDG specification passes such values over too). */
  usable(value: string | undefined): string | undefined;
}

export function userHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): UserHome {
  const absolute = platform === 'win32' ? win32.isAbsolute : posix.isAbsolute;
  const usable = (v: string | undefined): string | undefined => (v && absolute(v) ? v : undefined);
  return { home: usable(env.HOME) ?? usable(env.USERPROFILE) ?? homedir(), usable };
}

export function userStateDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const { home, usable } = userHome(env, platform);
  const dir = usable(env.RETINA_STATE_DIR);
  if (dir) return dir;
  if (platform === 'win32')
    return join(usable(env.LOCALAPPDATA) ?? join(home, 'AppData', 'Local'), 'RetinaStudio');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'RetinaStudio', 'state');
  return join(usable(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'), 'RetinaStudio');
}
