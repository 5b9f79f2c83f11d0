// The measures worker thread's entry: reads one image's maps and measures them per message, so a large
// photograph's PNG decoding, graph building and Monte Carlo draws never hold up the requests main answers meanwhile.
import { parentPort } from 'node:worker_threads';
import { measureImage } from '../../../shared/measure/measures.js';
import { readMeasureInput } from './measure-sources.js';
import type { MeasureRequest, MeasureReply } from './measure-thread.js';

const port = parentPort;
if (!port) throw new Error('measure-worker runs as a worker thread');
port.on('message', (msg: MeasureRequest) => {
  readMeasureInput(msg.sources)
    .then((input): MeasureReply => ({ id: msg.id, measures: measureImage(input) }))
    .catch((err: unknown): MeasureReply => ({
      id: msg.id,
      error: err instanceof Error ? err.message.split('\n')[0] : String(err),
    }))
    .then((reply) => port.postMessage(reply));
});
