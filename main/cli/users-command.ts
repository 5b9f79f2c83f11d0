// `retina users add|list|passwd|disable|enable`: the accounts of a team database. There is no default account or
// password: the first admin is made here, and a database with accounts makes `retina serve` ask for logins.
import { cliActor } from './actor.js';
import { flag, oneOf, parseCommand, printJson, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { databaseHelp, DATABASE_OPTIONS, databaseFromArgs } from './database-args.js';
import { readNewPassword } from './password-input.js';
import { hashPassword, passwordProblem } from '../accounts/passwords.js';
import {
  createUser,
  disableUser,
  enableUser,
  listUsers,
  openStore,
  ROLES,
  setPasswordHash,
  userNameProblem,
  type Role,
} from '../store/index.js';

const HELP = `
Usage: retina users <command> [options]

Commands:
  add NAME --role ROLE   create an account; ROLE is admin, reviewer or annotator
  list                   the accounts, their roles and whether they are disabled
  passwd NAME            set a new password (ends the account's sessions)
  disable NAME           the account can no longer log in (its sessions end; its records keep its name)
  enable NAME            a disabled account can log in again

Options:
${databaseHelp(25)}
  --password-stdin       read the password from stdin (for scripts) instead of asking at the terminal
  --actor NAME           name recorded in the audit log (default: the OS user); in a study with
                         accounts, one of them
  --json                 list: machine-readable output

Passwords have at least 10 characters. Once a database has an account, \`retina serve\` on it asks everyone to log in.
`;

async function newPasswordHash(fromStdin: boolean): Promise<string> {
  const password = await readNewPassword(fromStdin);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(`${problem}: choose another`);
  return hashPassword(password);
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      ...DATABASE_OPTIONS,
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      actor: { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
    true,
  );
  if (!p) return EXIT.ok;
  const [command, name, ...extra] = p.positionals;
  const COMMANDS = ['add', 'list', 'passwd', 'disable', 'enable'];
  if (!command) throw new UsageError(`name a command: ${COMMANDS.join(', ')}`);
  if (!COMMANDS.includes(command))
    throw new UsageError(`unknown command '${command}': ${COMMANDS.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const needsName = command !== 'list';
  if (needsName && !name) throw new UsageError(`${command} needs a user NAME`);
  if (!needsName && name) throw new UsageError(`list takes no NAME`);
  if (name) {
    const problem = userNameProblem(name);
    if (problem) throw new UsageError(problem);
  }
  const claimed = str(p, 'actor');
  const dbPath = databaseFromArgs(p);
  const fromStdin = flag(p, 'password-stdin');

  switch (command) {
    case 'add': {
      const role = oneOf<Role>(p, 'role', ROLES);
      if (!role) throw new UsageError('add needs --role admin, reviewer or annotator');
      const hash = await newPasswordHash(fromStdin);
      const store = openStore(dbPath);
      try {
        const user = createUser(
          store,
          { name: name as string, role, passwordHash: hash },
          cliActor(store, claimed),
        );
        process.stdout.write(`added ${user.name} (${user.role})\n`);
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    case 'passwd': {
      const hash = await newPasswordHash(fromStdin);
      const store = openStore(dbPath, { create: false });
      try {
        setPasswordHash(store, name as string, hash, cliActor(store, claimed));
        process.stdout.write(`password of ${name} changed; its sessions have ended\n`);
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    case 'disable': {
      const store = openStore(dbPath, { create: false });
      try {
        const user = disableUser(store, name as string, cliActor(store, claimed));
        process.stdout.write(`${user.name} is disabled; its sessions have ended\n`);
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    case 'enable': {
      const store = openStore(dbPath, { create: false });
      try {
        const user = enableUser(store, name as string, cliActor(store, claimed));
        process.stdout.write(`${user.name} can log in again\n`);
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    case 'list': {
      const store = openStore(dbPath, { create: false });
      try {
        const users = listUsers(store);
        if (flag(p, 'json')) printJson(users.map((u) => ({ ...u, id: undefined })));
        else if (users.length === 0)
          process.stdout.write('no accounts: this database runs in single-user mode\n');
        else {
          for (const u of users) {
            process.stdout.write(
              `${u.name.padEnd(20)} ${u.role.padEnd(9)} ${u.disabled ? 'disabled' : 'active  '} ${u.createdAt}\n`,
            );
          }
        }
      } finally {
        store.close();
      }
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command '${command}': ${COMMANDS.join(', ')}`);
  }
}
