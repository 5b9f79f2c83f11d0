// `retina`: the command-line front end of the engine. Each subcommand lives in its own module.
import { EXIT, UsageError, errorMessage } from './errors.js';
import { handleInterrupts } from './interrupt.js';
import { packageVersion } from '../node/package-root.js';

interface Subcommand {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

const COMMANDS: Record<string, Subcommand> = {
  train: {
    summary: 'train a vessel-segmentation model on a dataset',
    load: () => import('./train-command.js'),
  },
  evaluate: {
    summary: 'score a model on a dataset split (FOV and all-pixel protocols)',
    load: () => import('./evaluate-command.js'),
  },
  segment: {
    summary: 'segment fundus images: writes <stem>_mask.png and <stem>_prob.png',
    load: () => import('./segment-command.js'),
  },
  measure: {
    summary:
      'measure vessels (CRAE, CRVE, AVR, calibre, tortuosity, fractal dimension) with units and intervals',
    load: () => import('./measure-command.js'),
  },
  'train-anatomy': {
    summary: 'train the artery/vein or the optic-disc network on the reference datasets',
    load: () => import('./train-anatomy-command.js'),
  },
  card: {
    summary: 'evaluate a model on DRIVE and STARE and write its model card',
    load: () => import('./card-command.js'),
  },
  calibrate: {
    summary: "fit a model's uncertainty head and probability temperature on its validation images",
    load: () => import('./calibrate-command.js'),
  },
  export: { summary: 'export a model directory to ONNX', load: () => import('./export-command.js') },
  compact: {
    summary: 'store a model directory as float16 (about half the size)',
    load: () => import('./compact-command.js'),
  },
  db: {
    summary: 'manage the study database (init, import, export, backup, check, copy)',
    load: () => import('./db-command.js'),
  },
  retrain: {
    summary: 'fine-tune the active model on new approved masks; promote it only if better',
    load: () => import('./retrain-command.js'),
  },
  models: {
    summary: 'the model registry: list with lineage, promote, keep, rollback',
    load: () => import('./models-command.js'),
  },
  serve: {
    summary: 'serve the workstation UI in a browser on 127.0.0.1',
    load: () => import('./serve-command.js'),
  },
  users: {
    summary: 'accounts of a team database: add, list, passwd, disable, enable',
    load: () => import('./users-command.js'),
  },
  worker: {
    summary: "run a team database's prediction, import and retraining jobs on this machine",
    load: () => import('./worker-command.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: retina <command> [options]   (retina --version: the version)',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'retina <command> --help' for a command's options.",
    'Exit codes: 0 done, 1 failed (bad input, broken model, failed write), 2 usage, 130 interrupted. Ctrl+C stops',
    'segment and measure after the image in progress, a training after its step (resumable), a backup or copy',
    'once it is complete, anything else at once; Ctrl+C twice stops at once.',
  ].join('\n');
}

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
