// Two-reader mode's agreement, for reviewers: Dice per image read by several annotators, and per annotator over
// their images.
import { useEffect, useId, useState } from 'react';
import type { AgreementPayload } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { Modal } from '../Modal.js';
import { formatDice } from './ReadersSection.js';

export function AgreementDialog({ onClose }: { onClose: () => void }) {
  const { client, report } = useApp();
  const titleId = useId();
  const [data, setData] = useState<AgreementPayload | null>(null);
  useEffect(() => {
    client.invoke('getAgreement', {}).then(setData, report);
  }, [client, report]);

  return (
    <Modal labelledBy={titleId} testId="agreement-dialog" onClose={onClose} className="agreement">
      <h3 id={titleId}>Reader agreement</h3>
      {data === null ? (
        <p className="muted">Loading…</p>
      ) : data.images.length === 0 ? (
        <p className="muted">No image was assigned to more than one annotator.</p>
      ) : (
        <>
          <table data-testid="agreement-annotators">
            <caption>Per annotator (mean Dice over their images)</caption>
            <thead>
              <tr>
                <th>Annotator</th>
                <th>Images</th>
                <th>Dice</th>
              </tr>
            </thead>
            <tbody>
              {data.annotators.map((a) => (
                <tr key={a.name}>
                  <td>{a.name}</td>
                  <td>{a.images}</td>
                  <td>{formatDice(a.meanDice)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table data-testid="agreement-images">
            <caption>Per image, least agreement first</caption>
            <thead>
              <tr>
                <th>Image</th>
                <th>Readers</th>
                <th>Dice</th>
              </tr>
            </thead>
            <tbody>
              {data.images.map((im) => (
                <tr key={im.imageId}>
                  <td>{im.fileName}</td>
                  <td>
                    {im.readers.map((name, i) => (
                      <span key={name} data-testid={`agreement-reader-${name}`}>
                        {i > 0 && ', '}
                        {name}
                        {im.formerReaders?.includes(name) && (
                          <em data-testid="reader-removed"> · no longer assigned</em>
                        )}
                      </span>
                    ))}
                  </td>
                  <td>{formatDice(im.dice)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div className="row">
        <button onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
