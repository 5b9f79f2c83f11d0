// Typed access to a tfjs layer's getConfig() and weights, with errors that name the layer.
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { OnnxExportError } from './errors.js';

export type TfLayer = SymbolicTensor['sourceLayer'];

export class LayerInfo {
  readonly name: string;
  readonly className: string;
  readonly config: Record<string, unknown>;
  private weightsByName: Map<string, { shape: number[]; data: Float32Array }> | null = null;

  constructor(readonly layer: TfLayer) {
    this.name = layer.name;
    this.className = layer.getClassName();
    this.config = layer.getConfig();
  }

  fail(reason: string): never {
    throw new OnnxExportError(`layer "${this.name}" (${this.className}): ${reason}`);
  }

  string(key: string, fallback?: string): string {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(`missing config "${key}"`);
    }
    if (typeof v !== 'string') this.fail(`config "${key}" is not a string`);
    return v;
  }

  number(key: string, fallback?: number): number {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(`missing config "${key}"`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`config "${key}" is not a number`);
    return v;
  }

  optionalNumber(key: string): number | null {
    const v = this.config[key];
    return v === undefined || v === null ? null : this.number(key);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.config[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(`config "${key}" is not a boolean`);
    return v;
  }

  /** A pair such as kernelSize or strides; a single number means the same value on both axes. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.config[key];
    if (v === undefined || v === null) {
      if (fallback) return fallback;
      this.fail(`missing config "${key}"`);
    }
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return [v[0], v[0]];
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
    return this.fail(`config "${key}" is not a pair of numbers`);
  }

  /** [[top, bottom], [left, right]] from ZeroPadding2D / Cropping2D style configs. */
  pairOfPairs(key: string): [[number, number], [number, number]] {
    const v = this.config[key];
    if (typeof v === 'number')
      return [
        [v, v],
        [v, v],
      ];
    if (Array.isArray(v) && v.length === 2) {
      const parts = v.map((p) => (typeof p === 'number' ? [p, p] : p));
      if (parts.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number'))) {
        const [a, b] = parts as [number, number][];
        return [a, b];
      }
    }
    return this.fail(`config "${key}" is not [[top, bottom], [left, right]]`);
  }

  requireChannelsLast(): void {
    const df = this.string('dataFormat', 'channelsLast');
    if (df !== 'channelsLast') this.fail(`dataFormat "${df}" is not supported (channelsLast only)`);
  }

  private loadWeights(): Map<string, { shape: number[]; data: Float32Array }> {
    if (this.weightsByName) return this.weightsByName;
    const vars = this.layer.weights;
    const values = this.layer.getWeights();
    const map = new Map<string, { shape: number[]; data: Float32Array }>();
    vars.forEach((v, i) => {
      const t = values[i];
      if (t.dtype !== 'float32') this.fail(`weight ${v.name} has dtype ${t.dtype}, expected float32`);
      // "conv/kernel" or "conv/kernel_1" -> "kernel"
      const short = (v.originalName ?? v.name).split('/').pop()!.replace(/_\d+$/, '');
      map.set(short, { shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    });
    this.weightsByName = map;
    return map;
  }

  weight(short: string): { shape: number[]; data: Float32Array } {
    const w = this.loadWeights().get(short);
    if (!w)
      this.fail(`weight "${short}" not found (has ${[...this.loadWeights().keys()].join(', ') || 'none'})`);
    return w;
  }

  hasWeight(short: string): boolean {
    return this.loadWeights().has(short);
  }
}
