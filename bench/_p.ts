import { openStore, latestMasks } from '../main/store/index.js';
import { decodeGreyPng } from '../main/store/grey-png.js';
import { readBlob } from '../main/store/file-store.js';
const store = openStore('/tmp/retina-ui-bench-OAL4bx/bench.db', { readonly: true });
const { prediction } = latestMasks(store, 2);
for (let k = 0; k < 3; k++) {
let t = performance.now();
const blob = await readBlob(store, prediction!.probHash!);
const a = performance.now() - t; t = performance.now();
const g = decodeGreyPng(blob)!;
const b = performance.now() - t; t = performance.now();
const f = new Float32Array(g.data.length); for (let i = 0; i < f.length; i++) f[i] = g.data[i] / 255;
const c = performance.now() - t; t = performance.now();
const out = new Uint16Array(f.length); for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i] * 255) * 257;
console.log({ read: a, decode: b, toFloat: c, toU16: performance.now() - t, blob: blob.length });
}
