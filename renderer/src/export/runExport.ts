// Running an export from the UI: the desktop app writes into a folder the user picks; browser mode (no native
// dialog, and main's disk may not be the user's) downloads a zip instead.
import {
  RpcError,
  type ExportPart,
  type ExportRequest,
  type ExportResult,
} from '../../../shared/contract.js';
import type { RetinaClient } from '../../../shared/transport.js';

export interface ExportChoice {
  /** null: every image. */
  imageIds: string[] | null;
  parts: ExportPart[];
  source: ExportRequest['source'];
  includeNames: boolean;
  /** Identifiers removed (images named by id, patients coded for this export). */
  deidentify?: boolean;
}

export type ExportOutcome =
  | { kind: 'folder'; result: ExportResult }
  | { kind: 'download'; result: ExportResult }
  | { kind: 'cancelled' };

/** Asks for a folder in Electron; null when the user cancelled, 'zip' when there is no native dialog. */
async function pickFolder(client: RetinaClient): Promise<string | null | 'zip'> {
  if (client.shell === 'browser') return 'zip';
  try {
    const { paths } = await client.invoke('showOpenDialog', {
      mode: 'folder',
      title: 'Export to folder',
      buttonLabel: 'Export here',
    });
    return paths[0] ?? null;
  } catch (err) {
    if (err instanceof RpcError && err.code === 'unsupported') return 'zip';
    throw err;
  }
}

export async function runExport(
  client: RetinaClient,
  choice: ExportChoice,
  download: (bytes: Uint8Array, name: string) => void,
): Promise<ExportOutcome> {
  const where = await pickFolder(client);
  if (where === null) return { kind: 'cancelled' };
  const request: ExportRequest = {
    ...(choice.imageIds ? { imageIds: choice.imageIds } : {}),
    parts: choice.parts,
    source: choice.source,
    includeNames: choice.includeNames,
    ...(choice.deidentify ? { deidentify: true } : {}),
    target: where === 'zip' ? { kind: 'zip' } : { kind: 'folder', folder: where },
  };
  const result = await client.invoke('exportImages', request);
  if (where !== 'zip') return { kind: 'folder', result };
  if (!result.zip || !result.zipName) throw new Error('the export came back without its zip');
  download(result.zip, result.zipName);
  return { kind: 'download', result };
}
