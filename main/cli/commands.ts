// The table of `retina`'s subcommands and the top-level usage text, apart from main.ts (which runs on import) so
// that tests can hold the README against them.
export interface Subcommand {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

export const COMMANDS: Record<string, Subcommand> = {
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
    summary:
      "score a model on DRIVE test (also enlarged), STARE test and LES-AV's held-out half; write its card",
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
    summary: 'the study database: init, import, export, backup, check, compact, copy, erase, audit',
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

export function usage(): string {
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
