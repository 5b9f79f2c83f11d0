// Exports from the app: the same store functions as `retina db export`, to a folder or as a zip.
import { RpcError, type ExportRequest, type ExportResult } from '../../shared/contract.js';
import type { Store } from '../store/index.js';

// SCAFFOLD (issue 13, export track): replaced by the real implementation before landing.
export function exportImages(_store: Store, _req: ExportRequest): Promise<ExportResult> {
  return Promise.reject(new RpcError('unsupported', 'export from the app is not implemented yet'));
}
