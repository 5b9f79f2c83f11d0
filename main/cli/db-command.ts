// `retina db`: the study database commands (implemented beside the store, in db.ts).
import { runDbCommand } from './db.js';

export function run(argv: string[]): Promise<number> {
  return runDbCommand(argv);
}
