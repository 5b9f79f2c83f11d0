// The Fill tool through the fill guard: a fill larger than FILL_CONFIRM_SHARE of the image waits for a yes in a
// confirm dialog and does nothing on no; smaller fills happen at once.
import { useCallback, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { fillQuestion, judgeFill } from '../editing/fillGuard.js';
import type { Point } from '../editing/rect.js';
import type { MaskDocument } from './maskDocument.js';

interface PendingFill {
  at: Point;
  value: 0 | 1;
  share: number;
}

export function useFillGuard(doc: MaskDocument | null): {
  fill: (at: Point, value: 0 | 1) => void;
  dialog: ReactNode;
} {
  const [pending, setPending] = useState<PendingFill | null>(null);
  const fill = useCallback(
    (at: Point, value: 0 | 1) => {
      if (!doc) return;
      const judged = judgeFill(doc.mask, doc.width, doc.height, at, value);
      if (judged.ask) setPending({ at, value, share: judged.share });
      else doc.fill(at, value);
    },
    [doc],
  );
  const dialog =
    pending && doc ? (
      <ConfirmDialog
        question={fillQuestion(pending.share)}
        confirmLabel="Fill anyway"
        testId="fill-confirm"
        onConfirm={() => {
          setPending(null);
          doc.fill(pending.at, pending.value);
        }}
        onCancel={() => setPending(null)}
      />
    ) : null;
  return { fill, dialog };
}
