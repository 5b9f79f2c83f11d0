// Large edits through the guard: a Fill larger than FILL_CONFIRM_SHARE of the image, a Remove islands that would take
// more than ISLANDS_CONFIRM_SHARE of the vessels or a Fill holes larger than a fill wait for a yes in a confirm dialog
// and do nothing on no; smaller ones happen at once.
import { useCallback, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { useApp } from '../appContext.js';
import {
  cleanupQuestion,
  fillQuestion,
  judgeCleanup,
  judgeFill,
  type Cleanup,
} from '../editing/fillGuard.js';
import type { Point } from '../editing/rect.js';
import type { MaskDocument } from './maskDocument.js';

type Pending =
  { kind: 'fill'; at: Point; value: 0 | 1; share: number } | { kind: Cleanup; size: number; share: number };

export function useFillGuard(doc: MaskDocument | null): {
  fill: (at: Point, value: 0 | 1) => void;
  cleanup: (kind: Cleanup, size: number) => void;
  dialog: ReactNode;
} {
  const { notify } = useApp();
  const [pending, setPending] = useState<Pending | null>(null);
  const fill = useCallback(
    (at: Point, value: 0 | 1) => {
      if (!doc) return;
      const judged = judgeFill(doc.mask, doc.width, doc.height, at, value);
      if (judged.ask) setPending({ kind: 'fill', at, value, share: judged.share });
      else doc.fill(at, value);
    },
    [doc],
  );
  const runCleanup = useCallback(
    (kind: Cleanup, size: number) => {
      if (!doc) return;
      if (kind === 'islands') notify(`Removed ${doc.removeIslands(size)} island(s)`, 'info');
      else notify(`Filled ${doc.fillHoles(size)} hole(s)`, 'info');
    },
    [doc, notify],
  );
  const cleanup = useCallback(
    (kind: Cleanup, size: number) => {
      if (!doc || doc.locked) return;
      const judged = judgeCleanup(doc.mask, doc.width, doc.height, kind, size);
      if (judged.ask) setPending({ kind, size, share: judged.share });
      else runCleanup(kind, size);
    },
    [doc, runCleanup],
  );
  if (!pending || !doc) return { fill, cleanup, dialog: null };
  const isFill = pending.kind === 'fill';
  const dialog = (
    <ConfirmDialog
      question={
        isFill ? fillQuestion(pending.share) : cleanupQuestion(pending.kind, pending.size, pending.share)
      }
      confirmLabel={isFill ? 'Fill anyway' : pending.kind === 'islands' ? 'Remove anyway' : 'Fill anyway'}
      testId={isFill ? 'fill-confirm' : 'cleanup-confirm'}
      onConfirm={() => {
        setPending(null);
        if (pending.kind === 'fill') doc.fill(pending.at, pending.value);
        else runCleanup(pending.kind, pending.size);
      }}
      onCancel={() => setPending(null)}
    />
  );
  return { fill, cleanup, dialog };
}
