// Erasure across the boundary: the worklist's selection (and, when asked, everything else of its patients) as
// the store's erasure target, and its plan or result in the contract's terms.
import type { EraseRequest, ErasureDone, ErasurePreview } from '../../shared/contract.js';
import {
  eraseRecords,
  getClinical,
  planErasure,
  type ErasurePlan,
  type ErasureTarget,
  type Store,
} from '../store/index.js';
import { rowId } from './ids.js';

function targetOf(store: Store, req: EraseRequest): ErasureTarget {
  const images = req.imageIds.map((id) => rowId(id, 'image'));
  if (!req.wholePatients) return { images };
  const patients = new Set<number>();
  const alone: number[] = [];
  for (const id of images) {
    const p = getClinical(store, id).patientDbId;
    if (p === null) alone.push(id);
    else patients.add(p);
  }
  return { images: alone, patients: [...patients] };
}

function preview(plan: ErasurePlan): ErasurePreview {
  return {
    imageIds: plan.images.map(String),
    maskVersions: plan.maskVersions,
    keptDrafts: plan.keptDrafts,
    visits: plan.studies.length,
    patients: plan.patients.map((p) => p.pseudonym),
    trainedModels: plan.trainedModels.map((m) => m.name),
  };
}

export function previewErasure(store: Store, req: EraseRequest): ErasurePreview {
  return preview(planErasure(store, targetOf(store, req)));
}

export async function eraseImages(store: Store, req: EraseRequest, actor: string): Promise<ErasureDone> {
  const expectImages = req.expectImageIds?.map((id) => rowId(id, 'image'));
  const done = await eraseRecords(store, targetOf(store, req), actor, { expectImages });
  return {
    ...preview(done),
    filesRemoved: done.filesRemoved,
    bytesFreed: done.bytesFreed,
    residue: done.residue,
  };
}
