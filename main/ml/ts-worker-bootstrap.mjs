// Worker entry used only when running from TypeScript sources (tests, `node --import tsx`): Node 20 does not pass
// tsx's loader hooks on to worker threads, so the worker loads its real TypeScript entry through tsx's API.
// The entry's URL arrives as the worker's last argv element. Compiled builds start their .js workers directly.
import { tsImport } from 'tsx/esm/api';

const entry = process.argv[process.argv.length - 1];
await tsImport(entry, import.meta.url);
