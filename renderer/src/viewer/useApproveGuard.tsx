// Approve through the empty-mask guard: a mask with (almost) no vessels waits for a yes in a confirm dialog.
import { useCallback, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { emptyApproveQuestion, nearlyEmpty } from '../editing/approveGuard.js';
import type { MaskDocument } from './maskDocument.js';

export function useApproveGuard(
  doc: MaskDocument | null,
  approve: () => Promise<void>,
): { approve: () => Promise<void>; dialog: ReactNode } {
  const [question, setQuestion] = useState<string | null>(null);
  const guarded = useCallback(async () => {
    const judged = doc && !doc.locked ? nearlyEmpty(doc.mask) : null;
    if (judged?.ask) setQuestion(emptyApproveQuestion(judged.vessel, judged.share));
    else await approve();
  }, [approve, doc]);
  const dialog = question ? (
    <ConfirmDialog
      question={question}
      confirmLabel="Approve anyway"
      testId="approve-empty-confirm"
      onConfirm={() => {
        setQuestion(null);
        void approve();
      }}
      onCancel={() => setQuestion(null)}
    />
  ) : null;
  return { approve: guarded, dialog };
}
