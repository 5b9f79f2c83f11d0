/** The tfjs model cannot be expressed in ONNX (unsupported layer or configuration). */
export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

/** An .onnx file (or the model directory pointing at it) cannot be used for inference. */
export class OnnxLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxLoadError';
  }
}

/** First line of an error message, so runtime errors surface as one line. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

/** ONNX Runtime failed while running a loaded model (bad input size, out of memory...). */
export class OnnxInferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxInferenceError';
  }
}
