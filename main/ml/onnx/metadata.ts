// What every exported file records, and the rules a reader applies before trusting a file.
import type { ModelManifest, PreprocessConfig, UNetConfig } from '../types.js';

export const EXPORTER_NAME = 'retinastudio-onnx-exporter';
/** Bump the major version when the graph contract (names, layouts, metadata keys) changes incompatibly. */
export const EXPORTER_VERSION = '1.0.0';
export const SUPPORTED_EXPORTER_MAJORS: readonly number[] = [1];
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

/** Graph contract: input NHWC [N,H,W,C] float32, output NHWC [N,H,W,Cout] (Cout = 1 for vessel probability). */
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

export const MetaKey = {
  exporter: 'exporter',
  exporterVersion: 'exporter_version',
  modelName: 'model_name',
  preprocessing: 'preprocessing',
  threshold: 'threshold',
  provenance: 'provenance',
  architecture: 'architecture',
  patchSize: 'patch_size',
  layout: 'layout',
  /** Present ("float16") only when kernels are stored as halves. */
  weightType: 'weight_type',
} as const;

/** What the caller knows about the model beyond its weights. Values land as JSON strings in metadata_props. */
export interface OnnxExportMeta {
  name?: string;
  preprocess: PreprocessConfig;
  threshold: number;
  /** JSON-serialisable record of how the model was made (dataset, seed, training run...). */
  provenance: unknown;
  architecture?: UNetConfig;
  patchSize?: number;
}

export function buildMetadata(meta: OnnxExportMeta): Record<string, string> {
  const out: Record<string, string> = {
    [MetaKey.exporter]: EXPORTER_NAME,
    [MetaKey.exporterVersion]: EXPORTER_VERSION,
    [MetaKey.preprocessing]: JSON.stringify(meta.preprocess),
    [MetaKey.threshold]: JSON.stringify(meta.threshold),
    [MetaKey.provenance]: JSON.stringify(meta.provenance ?? null),
    [MetaKey.layout]: JSON.stringify({ input: 'NHWC', output: 'NHWC' }),
  };
  if (meta.name !== undefined) out[MetaKey.modelName] = meta.name;
  if (meta.architecture !== undefined) out[MetaKey.architecture] = JSON.stringify(meta.architecture);
  if (meta.patchSize !== undefined) out[MetaKey.patchSize] = JSON.stringify(meta.patchSize);
  return out;
}

/** Null when the exporter name/version can be read by this build, otherwise the reason. */
export function exporterProblem(name: string | undefined, version: string | undefined): string | null {
  if (name !== EXPORTER_NAME) {
    return name === undefined
      ? 'no RetinaStudio exporter metadata (not exported by RetinaStudio)'
      : `exported by "${name}", not by ${EXPORTER_NAME}`;
  }
  const major = /^(\d+)\.\d+\.\d+/.exec(version ?? '');
  if (!major || !SUPPORTED_EXPORTER_MAJORS.includes(Number(major[1]))) {
    return `unknown exporter version "${version ?? ''}" (this build reads ${SUPPORTED_EXPORTER_MAJORS.map((m) => `${m}.x`).join(', ')})`;
  }
  return null;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // Only the fields both record: an older export (or manifest) may lack a field the other has a default for.
  return Object.keys(ra).every((k) => !(k in rb) || sameJson(ra[k], rb[k]));
}

/**
 * How the network an .onnx file records differs from its directory's manifest (architecture, preprocessing), or
 * null. A file copied from another model loads fine and predicts garbage, or fails deep in ONNX Runtime. The
 * threshold is not compared: a manifest's threshold is chosen on the export's outputs, after it is written.
 */
export function manifestMismatch(metadata: Record<string, string>, manifest: ModelManifest): string | null {
  const fields: [string, string, unknown][] = [
    ['architecture', MetaKey.architecture, manifest.architecture],
    ['preprocessing', MetaKey.preprocessing, manifest.preprocess],
  ];
  for (const [what, key, expected] of fields) {
    const text = metadata[key];
    if (text === undefined) continue;
    let recorded: unknown;
    try {
      recorded = JSON.parse(text);
    } catch {
      return `its ${what} metadata is not JSON`;
    }
    if (!sameJson(recorded, expected) || !sameJson(expected, recorded)) {
      return `its ${what} ${text} differs from the manifest's ${JSON.stringify(expected)}`;
    }
  }
  return null;
}
