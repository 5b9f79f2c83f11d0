// `retina`: the command-line front end of the engine. Each subcommand lives in its own module.
import { EXIT, UsageError, errorMessage } from './errors.js';
import { handleInterrupts } from './interrupt.js';
import { packageVersion } from '../node/package-root.js';
import { COMMANDS, usage } from './commands.js';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`retina ${packageVersion()}\n`);
    return EXIT.ok;
  }
  // `retina help segment` is `retina segment --help`.
  if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return main([rest[0], '--help']);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`retina: unknown command '${name}'\n\n${usage()}\n`);
    return EXIT.usage;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`retina ${name}: ${err.message} (see 'retina ${name} --help')\n`);
      return EXIT.usage;
    }
    process.stderr.write(`retina ${name}: ${errorMessage(err)}\n`);
    if (process.env.RETINA_DEBUG) console.error(err);
    return EXIT.failure;
  }
}

handleInterrupts();

const code = await main(process.argv.slice(2));
process.exitCode = process.exitCode === EXIT.interrupted ? EXIT.interrupted : code;
