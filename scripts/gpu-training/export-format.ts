// The layout of the GPU-training export (read by train_artery_vein.py; keep the two in step).

/** Plane value = byte / scale - offset. */
export const PLANE_QUANT = { scale: 25.5, offset: 5 } as const;

/** The fourth byte plane of each image. */
export const EXPORT_LABEL = { outside: 0, field: 1, artery: 2, vein: 3 } as const;

export interface ExportIndex {
  quant: typeof PLANE_QUANT;
  samples: { id: string; split: 'train' | 'val'; width: number; height: number; file: string }[];
}
