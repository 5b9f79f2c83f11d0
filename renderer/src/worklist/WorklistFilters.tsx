// The worklist's filters: search, status and eye chips, a visit date range, on a team "Submitted for review", the order ("Review next": lowest expected F1 first), and
// grouping by patient and visit (in the default order only: grouping would undo any other).
import { EYE_FILTERS, IMAGE_STATUSES, type EyeFilter } from '../../../shared/contract.js';
import type { Filters, WorklistOrder } from './worklistQuery.js';

export type { Filters, WorklistOrder } from './worklistQuery.js';

const EYE_LABELS: Record<EyeFilter, string> = { OD: 'OD', OS: 'OS', unknown: 'Eye unknown' };

function toggle<T>(list: T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

export function WorklistFilters(props: {
  filters: Filters;
  onChange: (f: Filters) => void;
  /** Grouping is offered once some image has a patient. */
  canGroup: boolean;
  /** Team mode: hand-offs exist, so "Submitted for review" is offered. */
  team: boolean;
}) {
  const f = props.filters;
  const set = (patch: Partial<Filters>) => props.onChange({ ...f, ...patch });
  return (
    <>
      <input
        className="search"
        placeholder="Search patient or file…"
        aria-label="Search patient or file"
        value={f.search}
        onChange={(e) => set({ search: e.target.value })}
        data-testid="search"
      />
      {IMAGE_STATUSES.map((s) => (
        <button
          key={s}
          className={`chip ${s} ${f.status.includes(s) ? 'on' : ''}`}
          aria-pressed={f.status.includes(s)}
          onClick={() => set({ status: toggle(f.status, s) })}
        >
          {s}
        </button>
      ))}
      <span className="chip-group" role="group" aria-label="Eye">
        {EYE_FILTERS.map((e) => (
          <button
            key={e}
            className={`chip eye ${f.eye.includes(e) ? 'on' : ''}`}
            aria-pressed={f.eye.includes(e)}
            onClick={() => set({ eye: toggle(f.eye, e) })}
            data-testid={`eye-filter-${e}`}
          >
            {EYE_LABELS[e]}
          </button>
        ))}
      </span>
      {props.team && (
        <span className="chip-group" role="group" aria-label="Hand-off">
          <button
            className={`chip handoff ${f.awaitingReview ? 'on' : ''}`}
            aria-pressed={f.awaitingReview}
            onClick={() => set({ awaitingReview: !f.awaitingReview })}
            title="Only images submitted for review and not yet sent back or approved"
            data-testid="filter-awaiting-review"
          >
            Submitted for review
          </button>
        </span>
      )}
      <span className="visit-range" role="group" aria-label="Visit date">
        Visit
        <input
          type="date"
          value={f.visitFrom}
          max={f.visitTo || undefined}
          onChange={(e) => set({ visitFrom: e.target.value })}
          aria-label="Visit from"
          data-testid="visit-from"
        />
        –
        <input
          type="date"
          value={f.visitTo}
          min={f.visitFrom || undefined}
          onChange={(e) => set({ visitTo: e.target.value })}
          aria-label="Visit to"
          data-testid="visit-to"
        />
      </span>
      <label className="order">
        Order
        <select
          value={f.order}
          onChange={(e) => set({ order: e.target.value as WorklistOrder })}
          aria-label="Order of the images"
          data-testid="worklist-order"
        >
          <option value="default">{props.canGroup && f.grouped ? 'Patient / visit' : 'Import order'}</option>
          <option value="review-next" title="Images that need work, lowest expected F1 first; approved last">
            Review next
          </option>
          <option value="updated">Last updated</option>
          <option value="name">File name</option>
        </select>
      </label>
      {props.canGroup && f.order === 'default' && (
        <label className="check">
          <input
            type="checkbox"
            checked={f.grouped}
            onChange={(e) => set({ grouped: e.target.checked })}
            data-testid="group-by-patient"
          />
          Group by patient / visit
        </label>
      )}
    </>
  );
}
