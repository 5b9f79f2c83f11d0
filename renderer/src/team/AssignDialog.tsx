// A reviewer's "Assign…": which annotators work on the chosen images (none: unassigned). Only active annotators
// are offered; the server checks the same. A disabled one (someone who left) is named but taken off: sending her
// name back would be refused, and she could not be unticked, so her images could not be handed to anyone.
import { useEffect, useId, useState } from 'react';
import type { ImageSummary, UserSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { Modal } from '../Modal.js';

export interface AssignDialogProps {
  images: ImageSummary[];
  onClose: () => void;
  onAssigned: (images: ImageSummary[]) => void;
}

export function AssignDialog({ images, onClose, onAssigned }: AssignDialogProps) {
  const { client, report } = useApp();
  const titleId = useId();
  const [annotators, setAnnotators] = useState<UserSummary[] | null>(null);
  const [disabled, setDisabled] = useState<ReadonlySet<string>>(new Set());
  // Starts from the first image's assignees: the common case is adjusting one image or a like-assigned batch.
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(images[0]?.assignees ?? []));
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    client.invoke('listUsers', {}).then((r) => {
      setAnnotators(r.users.filter((u) => u.role === 'annotator' && !u.disabled));
      setDisabled(new Set(r.users.filter((u) => u.disabled).map((u) => u.name)));
    }, report);
  }, [client, report]);
  const leavers = [...new Set(images.flatMap((i) => i.assignees ?? []))].filter((n) => disabled.has(n));

  const save = async () => {
    setBusy(true);
    try {
      const r = await client.invoke('assignImages', {
        imageIds: images.map((i) => i.id),
        users: [...chosen].filter((n) => !disabled.has(n)),
      });
      onAssigned(r.images);
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  const what = images.length === 1 ? images[0].fileName : `${images.length} images`;
  return (
    <Modal labelledBy={titleId} testId="assign-dialog" onClose={onClose} onSubmit={() => void save()}>
      <h3 id={titleId}>Assign {what}</h3>
      {annotators === null ? (
        <p className="muted">Loading…</p>
      ) : annotators.length === 0 ? (
        <p className="muted">No annotator accounts: add one with retina users add NAME --role annotator.</p>
      ) : (
        <fieldset>
          <legend>Annotators</legend>
          {annotators.map((u) => (
            <label key={u.name}>
              <input
                type="checkbox"
                checked={chosen.has(u.name)}
                onChange={(e) =>
                  setChosen((s) => {
                    const next = new Set(s);
                    if (e.target.checked) next.add(u.name);
                    else next.delete(u.name);
                    return next;
                  })
                }
              />{' '}
              {u.name}
            </label>
          ))}
          {leavers.map((name) => (
            <label key={name} className="muted">
              <input type="checkbox" disabled /> {name} (disabled: taken off)
            </label>
          ))}
        </fieldset>
      )}
      <div className="row">
        <button className="primary" type="submit" disabled={busy || annotators === null}>
          Assign
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
