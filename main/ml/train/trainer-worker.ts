// Worker-thread entry of the trainer: hosts one Replica and answers the trainer's requests in order. Any failure
// is sent back as the request's error, so the caller's promise rejects instead of hanging.
import { parentPort } from 'node:worker_threads';
import { Replica } from './replica.js';
import type { Request, Response } from './protocol.js';

if (!parentPort) throw new Error('trainer-worker must run in a worker thread');
const port = parentPort;
let replica: Replica | null = null;

function need(): Replica {
  if (!replica) throw new Error('replica not initialised');
  return replica;
}

async function handle(req: Request): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (req.type) {
    case 'init':
      replica = await Replica.create(req.config);
      return { result: replica.info(), transfer: [] };
    case 'attach':
      need().attach(req.shared);
      return { result: null, transfer: [] };
    case 'grad':
      return { result: need().grad(req.x, req.y, req.w, req.n, req.h, req.wd), transfer: [] };
    case 'apply':
      need().apply(req.learningRate, req.shareWeights);
      return { result: null, transfer: [] };
    case 'predict': {
      const out = need().predict(req.x, req.n, req.h, req.wd);
      return { result: out, transfer: [out.buffer as ArrayBuffer] };
    }
    case 'evaluate':
      return { result: need().evaluate(req.x, req.y, req.w, req.n, req.h, req.wd), transfer: [] };
    case 'getWeights': {
      const w = need().getWeights();
      return { result: w, transfer: [w.data.buffer as ArrayBuffer] };
    }
    case 'setWeights':
      need().setWeights(req.weights);
      return { result: null, transfer: [] };
    case 'getOptimizerState': {
      const s = need().getOptimizerState();
      return { result: s, transfer: [s.m.buffer as ArrayBuffer, s.v.buffer as ArrayBuffer] };
    }
    case 'setOptimizerState':
      need().setOptimizerState(req.state);
      return { result: null, transfer: [] };
    case 'save': {
      const a = await need().save();
      return { result: a, transfer: [a.weightData] };
    }
    case 'load':
      await need().load(req.artifacts);
      return { result: null, transfer: [] };
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: { id: number; req: Request }) => {
  queue = queue.then(async () => {
    let res: Response;
    let transfer: ArrayBuffer[] = [];
    try {
      const out = await handle(msg.req);
      res = { id: msg.id, ok: true, result: out.result };
      transfer = out.transfer;
    } catch (err) {
      res = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(res, transfer);
  });
});
