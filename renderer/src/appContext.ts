import { createContext, useContext } from 'react';
import type { RetinaClient } from '../../shared/transport.js';
import type { JobInfo, ModelSummary, Role } from '../../shared/contract.js';
import type { OpenCache } from './viewer/openCache.js';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

export interface AppServices {
  client: RetinaClient;
  /** Shows a message to the user (errors stay longer). */
  notify: (message: string, kind?: Toast['kind']) => void;
  /** Shows a caught error as a readable message. */
  report: (err: unknown) => void;
  jobs: Map<string, JobInfo>;
  /** Bumped whenever main says images changed. */
  imagesVersion: number;
  model: ModelSummary | null;
  /** Decoded photographs and prefetched masks for the viewer. */
  openCache: OpenCache;
  /** Team mode: who is logged in (what they may do follows the role); null in single-user mode. */
  account: { name: string; role: Role } | null;
  /** Whose edits the browser keeps (keptEditsOwner: the study's identity, and the account on a team); null until known. */
  study: string | null;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside AppContext');
  return s;
}
