// `retina serve`: the workstation in a browser. Serves the built renderer and the contract on 127.0.0.1 with the
// study's access token (kept between starts, study-token.ts), prints the URL to open, and runs until SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { flag, num, parseCommand, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { interruptSignal } from './interrupt.js';
import { NetworkPolicyError, planListen } from '../server/network-policy.js';
import { countUsers, missingFilesFolder, missingFilesFolderAdvice, redactUrl } from '../store/index.js';
import { Accounts } from '../accounts/accounts.js';
import { databaseHelp, DATABASE_OPTIONS, databaseFromArgs } from './database-args.js';
import { rendererDir } from '../node/package-root.js';
import { createWorkstation } from '../handlers/index.js';
import { startServer } from '../server/index.js';
import { studyToken } from '../server/study-token.js';
import { userStateDir } from '../node/user-state.js';

const HELP = `
Usage: retina serve [--database URL|PATH] [--port N] [--model DIR] [--host ADDR (--tls-cert FILE --tls-key FILE | --insecure-http)]
                    [--session-hours H] [--new-token] [--public-url URL] [--trusted-proxy ADDR,...]

Serves the RetinaStudio workstation to a browser on this machine only (127.0.0.1), and prints the address to open
(it carries a random access token). The token is kept for the study, in a file only you can read in your per-user
state folder, so a window left open goes on working when the server is started again on the same study and port;
--new-token replaces it (every window opened before is refused). Stop with Ctrl+C.

Team mode: when the database has accounts (retina users add NAME --role admin|reviewer|annotator), everyone logs
in with their user name and password instead, and what each may do follows their role.

Options:
${databaseHelp(20)}
  --port N          port to listen on (default: any free port)
  --model DIR       model directory to predict with (default: the database's active model, else the bundled default)
  --host ADDR       listen on ADDR (0.0.0.0: every interface) instead of 127.0.0.1. A non-loopback address is refused
                    unless the traffic is encrypted (--tls-cert and --tls-key) or --insecure-http is given
  --tls-cert FILE   PEM certificate: serve HTTPS (and WSS for events)
  --tls-key FILE    PEM private key of the certificate
  --insecure-http   allow a non-loopback --host without TLS (a trusted network only)
  --session-hours H team mode: how long a login lasts (default 12)
  --new-token       single-user mode: make a new access token for the study, so windows and addresses from before
                    no longer get in (refused in team mode, where everyone logs in)
  --public-url URL  behind a reverse proxy: the address people open (https://intranet.example/retina/). Requests
                    naming it are let in, and cookies are kept to its path (Secure when it is https)
  --trusted-proxy A the proxy's address(es), comma-separated: its X-Forwarded-For names each person's address
                    (the login throttle counts per person, not per proxy), its X-Forwarded-Proto whether they
                    used HTTPS (Secure cookies); anyone else's are ignored

Environment:
  RETINA_RENDERER_DIR   the built renderer to serve (default: renderer/dist of this installation)
  RETINA_STATE_DIR      where the studies' access tokens are kept (default: the per-user state folder)
`;

/** The certificate and key, both or neither, read and checked as a pair before anything starts. */
async function readTls(
  certPath: string | undefined,
  keyPath: string | undefined,
): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) throw new UsageError('--tls-cert and --tls-key go together');
  const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]).catch((err: unknown) => {
    throw new UsageError(`cannot read the TLS files: ${(err as Error).message}`);
  });
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new UsageError(`the TLS certificate and key do not make a pair: ${(err as Error).message}`);
  }
  return { cert, key };
}

/** --public-url: an http(s) address, its path ending in '/' (the folder the app's pages and calls live under). */
export function publicUrlArg(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search ||
    url.hash ||
    url.username
  )
    throw new UsageError(
      `--public-url must be an http(s) address such as https://intranet.example/retina/ (got ${value})`,
    );
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** Resolves on the first SIGINT/SIGTERM (relayed by the `retina` entry point, or caught here without it). */
export function untilInterrupted(): Promise<string> {
  const interrupt = interruptSignal();
  return new Promise((done) => {
    const stop = (why: string) => () => {
      interrupt.release();
      done(why);
    };
    interrupt.signal.addEventListener('abort', stop('interrupt'), { once: true });
    process.once('SIGINT', stop('SIGINT'));
    process.once('SIGTERM', stop('SIGTERM'));
  });
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      ...DATABASE_OPTIONS,
      port: { type: 'string' },
      model: { type: 'string' },
      host: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'insecure-http': { type: 'boolean' },
      'session-hours': { type: 'string' },
      'new-token': { type: 'boolean' },
      'public-url': { type: 'string' },
      'trusted-proxy': { type: 'string' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const publicUrl = publicUrlArg(str(p, 'public-url'));
  const tls = await readTls(str(p, 'tls-cert'), str(p, 'tls-key'));
  let plan;
  try {
    plan = planListen({
      host: str(p, 'host'),
      tls: tls !== undefined,
      insecureHttp: flag(p, 'insecure-http'),
    });
  } catch (err) {
    if (err instanceof NetworkPolicyError) throw new UsageError(err.message);
    throw err;
  }
  const port = num(p, 'port', { min: 0, max: 65535, integer: true }) ?? 0;
  const sessionHours = num(p, 'session-hours', { min: 0.01, max: 24 * 30 }) ?? 12;
  const dbPath = databaseFromArgs(p);
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
  const noFiles = missingFilesFolder(workstation.store);
  if (noFiles) {
    process.stderr.write(
      `retina serve: warning: its images will not open: ${missingFilesFolderAdvice(noFiles)}\n`,
    );
  }
  // Accounts switch team mode on; without them this is the single-user server it always was.
  const team = countUsers(workstation.store) > 0;
  if (team && flag(p, 'new-token')) {
    // Said rather than ignored: whoever asked meant to lock out the windows opened before, and it would not.
    await workstation.close();
    throw new UsageError(
      '--new-token is for single-user mode: this database has accounts (team mode), where everyone logs in ' +
        "instead of using a token. To end someone's sessions: retina users passwd NAME, or retina users disable NAME",
    );
  }
  const kept = team ? undefined : await studyToken(userStateDir(), dbPath, { fresh: flag(p, 'new-token') });
  if (kept?.warning) process.stderr.write(`retina serve: warning: ${kept.warning}\n`);
  let server;
  try {
    server = await startServer({
      ...(kept ? { token: kept.token } : {}),
      ...(team ? { accounts: new Accounts(workstation.store, { sessionHours }) } : {}),
      handlers: workstation.handlers,
      events: workstation.events,
      eventAudience: workstation.eventAudience,
      onWindowGone: (clientId, user) => workstation.windowGone(clientId, user),
      staticDir,
      port,
      host: plan.host,
      names: plan.names,
      ...(tls ? { tls } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      trustedProxies: (str(p, 'trusted-proxy') ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    });
  } catch (err) {
    await workstation.close();
    throw err;
  }
  process.stdout.write(`${server.url}\n`);
  for (const w of plan.warnings) process.stderr.write(`retina serve: warning: ${w}\n`);
  process.stderr.write(
    `RetinaStudio is serving ${redactUrl(dbPath)} on ${plan.scheme}://${plan.host}:${server.port} (Ctrl+C to stop)\n`,
  );
  if (publicUrl) process.stderr.write(`behind the reverse proxy at ${publicUrl.href}\n`);
  if (team) process.stderr.write('team mode: everyone logs in with their account (retina users list)\n');
  await untilInterrupted();
  await server.close();
  await workstation.close();
  return EXIT.ok;
}
