// Checks of a U-Net configuration, kept free of tfjs so that reading a model's manifest (model-dir.ts) can use them
// without loading a training backend.
import type { UNetConfig } from '../types.js';

/** A U-Net configuration that cannot be built; `detail` says which field and why. */
export class InvalidArchitectureError extends Error {
  constructor(readonly detail: string) {
    super(`invalid U-Net architecture: ${detail}`);
    this.name = 'InvalidArchitectureError';
  }
}

/** Throws InvalidArchitectureError unless `cfg` (possibly untrusted, e.g. from a manifest) is a buildable U-Net. */
export function validateUNetConfig(cfg: UNetConfig): void {
  const intIn = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  const range = (k: 'inputChannels' | 'depth' | 'baseFilters' | 'convsPerLevel', lo: number, hi: number) => {
    if (!intIn(cfg[k], lo, hi)) {
      throw new InvalidArchitectureError(
        `${k} must be an integer in ${lo}..${hi}, got ${JSON.stringify(cfg[k])}`,
      );
    }
  };
  if (cfg.kind !== 'unet')
    throw new InvalidArchitectureError(`kind must be 'unet', got ${JSON.stringify(cfg.kind)}`);
  range('inputChannels', 1, 4);
  range('depth', 1, 6);
  range('baseFilters', 1, 256);
  range('convsPerLevel', 1, 4);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) {
    throw new InvalidArchitectureError(
      `dropout must be a number in [0, 1), got ${JSON.stringify(cfg.dropout)}`,
    );
  }
  if (cfg.upsampling !== 'transpose' && cfg.upsampling !== 'nearest') {
    throw new InvalidArchitectureError(
      `upsampling must be 'transpose' or 'nearest', got ${JSON.stringify(cfg.upsampling)}`,
    );
  }
  for (const k of ['batchNorm', 'residual'] as const) {
    if (typeof cfg[k] !== 'boolean') {
      throw new InvalidArchitectureError(`${k} must be true or false, got ${JSON.stringify(cfg[k])}`);
    }
  }
}
