// Preloaded into a child process (node --import): the process is killed (SIGKILL, as by a power cut or the OOM
// killer) right after its first removal of a file under $RETINA_KILL_AFTER_REMOVING_UNDER, so that a test sees
// what a command leaves when it dies between removing files and committing.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const under = process.env.RETINA_KILL_AFTER_REMOVING_UNDER;
const rmSync = fs.rmSync;
fs.rmSync = (path, options) => {
  rmSync(path, options);
  if (under && String(path).startsWith(under)) process.kill(process.pid, 'SIGKILL');
};
syncBuiltinESMExports();
