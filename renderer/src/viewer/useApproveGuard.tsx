// Approve through its guards, each a question in a confirm dialog that waits for a yes: a mask with (almost) no
// vessels, and, on an image with several readers, a reader's draft approved as it stands (whose reading wins).
import { useCallback, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../ConfirmDialog.js';
import { useApp } from '../appContext.js';
import { emptyApproveQuestion, nearlyEmpty, readerApproveQuestion } from '../editing/approveGuard.js';
import type { MaskDocument } from './maskDocument.js';

interface Question {
  text: string;
  confirmLabel: string;
  testId: string;
}

export interface ApproveGuardContext {
  imageId: string;
  /** The image is assigned to several readers (two-reader mode). */
  multiReader: boolean;
  /** An edit not yet saved: the approval is the reviewer's own mask, whoever's draft it started from. */
  unsavedEdit: boolean;
}

export function useApproveGuard(
  doc: MaskDocument | null,
  approve: () => Promise<void>,
  context: ApproveGuardContext,
): { approve: () => Promise<void>; dialog: ReactNode } {
  const { client, report } = useApp();
  const [queue, setQueue] = useState<Question[]>([]);
  const { imageId, multiReader, unsavedEdit } = context;

  const questions = useCallback(async (): Promise<Question[]> => {
    if (!doc || doc.locked) return [];
    const asked: Question[] = [];
    if (multiReader && !unsavedEdit) {
      const readers = await client.invoke('getReaders', { imageId });
      const q = readerApproveQuestion(readers.readers, readers.dice, doc.parentVersionId);
      if (q)
        asked.push({
          text: q.question,
          confirmLabel: `Approve ${q.reader}'s`,
          testId: 'approve-reader-confirm',
        });
    }
    const judged = nearlyEmpty(doc.mask);
    if (judged.ask)
      asked.push({
        text: emptyApproveQuestion(judged.vessel, judged.share),
        confirmLabel: 'Approve anyway',
        testId: 'approve-empty-confirm',
      });
    return asked;
  }, [client, doc, imageId, multiReader, unsavedEdit]);

  const guarded = useCallback(async () => {
    let asked: Question[];
    try {
      asked = await questions();
    } catch (err) {
      report(err);
      return;
    }
    if (asked.length > 0) setQueue(asked);
    else await approve();
  }, [approve, questions, report]);

  const [question, ...rest] = queue;
  const dialog = question ? (
    <ConfirmDialog
      question={question.text}
      confirmLabel={question.confirmLabel}
      testId={question.testId}
      onConfirm={() => {
        setQueue(rest);
        if (rest.length === 0) void approve();
      }}
      onCancel={() => setQueue([])}
    />
  ) : null;
  return { approve: guarded, dialog };
}
