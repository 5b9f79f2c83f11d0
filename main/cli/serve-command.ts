// `retina serve`: the workstation in a browser. Serves the built renderer and the contract on 127.0.0.1 with a
// fresh access token, prints the URL to open, and runs until SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { num, parseCommand, str } from './args.js';
import { EXIT } from './errors.js';
import { defaultDatabasePath } from '../store/index.js';
import { rendererDir } from '../node/package-root.js';
import { createWorkstation } from '../handlers/index.js';
import { startServer } from '../server/index.js';

const HELP = `
Usage: retina serve [--db PATH] [--port N] [--model DIR]

Serves the RetinaStudio workstation to a browser on this machine only (127.0.0.1), and prints the address to open
(it carries a random access token made for this launch). Stop with Ctrl+C.

Options:
  --db PATH     study database (default: $RETINA_DB, else the per-user data folder)
  --port N      port to listen on (default: any free port)
  --model DIR   model directory to predict with (default: the database's active model, else the bundled default)

Environment:
  RETINA_RENDERER_DIR   the built renderer to serve (default: renderer/dist of this installation)
`;

/** Resolves on the first SIGINT/SIGTERM (the CLI dispatcher relays them as 'retina:interrupt'). */
function untilInterrupted(): Promise<string> {
  return new Promise((done) => {
    const stop = (why: string) => () => done(why);
    process.once('retina:interrupt' as never, stop('interrupt'));
    process.once('SIGINT', stop('SIGINT'));
    process.once('SIGTERM', stop('SIGTERM'));
  });
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    { db: { type: 'string' }, port: { type: 'string' }, model: { type: 'string' } },
    HELP,
  );
  if (!p) return EXIT.ok;
  const port = num(p, 'port', { min: 0, max: 65535, integer: true }) ?? 0;
  const dbPath = resolve(str(p, 'db') ?? defaultDatabasePath());
  const model = str(p, 'model');
  const staticDir = resolve(rendererDir());
  if (!existsSync(join(staticDir, 'index.html'))) {
    process.stderr.write(
      `retina serve: warning: no built renderer at ${staticDir} (run npm run build:renderer)\n`,
    );
  }

  const workstation = await createWorkstation({
    dbPath,
    shell: 'browser',
    modelDir: model ? resolve(model) : undefined,
  });
  let server;
  try {
    server = await startServer({
      handlers: workstation.handlers,
      events: workstation.events,
      staticDir,
      port,
    });
  } catch (err) {
    await workstation.close();
    throw err;
  }
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(`RetinaStudio is serving ${dbPath} on 127.0.0.1:${server.port} (Ctrl+C to stop)\n`);
  await untilInterrupted();
  await server.close();
  await workstation.close();
  return EXIT.ok;
}
