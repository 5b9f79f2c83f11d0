// Team mode's rules on every request, whichever shell it came through: the caller's role must be allowed the
// channel (shared/roles.ts), and an annotator may name only images assigned to them. An unassigned image answers
// as missing, so an annotator learns nothing about images that are not theirs, neither from a request nor from
// the events pushed to their window (eventForCaller). Single-user calls (no account) pass untouched.
import {
  RpcError,
  type EventChannel,
  type EventOf,
  type RequestChannel,
  type RequestHandlers,
} from '../../shared/contract.js';
import { CHANNEL_ROLES } from '../../shared/roles.js';
import {
  assigneesOf,
  getKeptDraft,
  isAssigned,
  latestDraftBy,
  wasAssigned,
  wasErased,
  type Store,
} from '../store/index.js';
import type { CallerContext } from './caller.js';
import { isRowId } from './ids.js';

/** The image ids a request names (every channel names images through these fields). */
export function imageIdsOf(request: unknown): string[] {
  const r = request as { imageId?: unknown; otherImageId?: unknown; imageIds?: unknown };
  const ids: unknown[] = [r.imageId, r.otherImageId, ...(Array.isArray(r.imageIds) ? r.imageIds : [])];
  return ids.filter((x): x is string => typeof x === 'string');
}

export function checkAccess(
  store: Store,
  channel: RequestChannel,
  request: unknown,
  ctx: CallerContext,
): void {
  const user = ctx.user;
  if (!user) return;
  if (!CHANNEL_ROLES[channel].includes(user.role)) {
    throw new RpcError('forbidden', `${channel}: not allowed for ${user.role}s (${user.name})`);
  }
  if (user.role !== 'annotator') return;
  const ids = imageIdsOf(request);
  // A kept draft is named by its own id: it belongs to its image.
  const kept = (request as { keptDraftId?: unknown }).keptDraftId;
  if (typeof kept === 'string' && isRowId(kept)) {
    try {
      ids.push(String(getKeptDraft(store, Number(kept)).imageId));
    } catch {
      throw new RpcError('not-found', `no kept draft #${kept} among the images assigned to ${user.name}`);
    }
  }
  for (const id of ids) {
    // Only an id a row can have is looked up: a larger one is PostgreSQL's "out of range" error, not "no such row".
    const valid = isRowId(id);
    const n = Number(id);
    // Reassigned while editing: the former reader's save goes on to be kept as a draft (handedElsewhere), not lost,
    // her first one too (a stroke younger than the autosave delay, flushed as the viewer closes).
    if (
      channel === 'saveDraft' &&
      valid &&
      (latestDraftBy(store, n, user.name) !== null || wasAssigned(store, n, user.name))
    )
      continue;
    if (!valid || !isAssigned(store, n, user.id)) {
      throw new RpcError('not-found', `no image ${id} among the images assigned to ${user.name}`);
    }
  }
}

/** The handler table with `checkAccess` in front of every channel. */
export function guardHandlers(
  store: Store,
  handlers: RequestHandlers<CallerContext>,
): RequestHandlers<CallerContext> {
  const guarded: Partial<Record<RequestChannel, unknown>> = {};
  for (const channel of Object.keys(handlers) as RequestChannel[]) {
    const handler = handlers[channel] as (req: unknown, ctx: CallerContext) => unknown;
    guarded[channel] = (req: unknown, ctx: CallerContext) => {
      checkAccess(store, channel, req, ctx);
      return handler(req, ctx);
    };
  }
  return guarded as RequestHandlers<CallerContext>;
}

/**
 * The annotators an assignment is taking off images, while it is announced: the announcement comes after the
 * change, when the image is no longer theirs, yet their open windows must hear of it. Events are delivered as they
 * are emitted, so the note lasts exactly as long as the emit.
 */
export class FormerAssignees {
  private dropped: ReadonlyMap<string, readonly string[]> = new Map();

  /** Runs `announce` (a synchronous emit) with `dropped` (image id: user names) still hearing of their images. */
  during(dropped: ReadonlyMap<string, readonly string[]>, announce: () => void): void {
    this.dropped = dropped;
    try {
      announce();
    } finally {
      this.dropped = new Map();
    }
  }

  had(imageId: string, name: string): boolean {
    return this.dropped.get(imageId)?.includes(name) ?? false;
  }
}

/**
 * Who an event goes to in team mode: given the event once, what each account may see of it (null: nothing).
 * The server asks once per event and then per window, so lookups are shared by all the windows.
 */
export type EventAudience = <E extends EventChannel>(
  event: E,
  payload: EventOf<E>,
) => (user: NonNullable<CallerContext['user']>) => EventOf<E> | null;

/**
 * What of an event an account may see: an annotator hears only of images assigned to them. The queue and jobs
 * stay visible to everyone (as their channels are), without the image an annotator may not name. An image's
 * assignees are looked up at most once per event, however many windows are open.
 */
export function eventForCaller(store: Store, formerAssignees: FormerAssignees): EventAudience {
  return (event, payload) => {
    const assignees = new Map<string, string[]>();
    const theirs = (id: string, name: string): boolean => {
      let names = assignees.get(id);
      if (!names) {
        names = isRowId(id) ? assigneesOf(store, Number(id)) : [];
        assignees.set(id, names);
      }
      return names.includes(name);
    };
    const gone = (id: string): boolean => isRowId(id) && wasErased(store, Number(id));
    return (user) => {
      if (user.role !== 'annotator') return payload;
      if (event === 'imagesChanged') {
        const p = payload as EventOf<'imagesChanged'>;
        // An image erased is no one's now: every window that had it open is told, to close it.
        // So is one just taken off them: their open window reads it again, finds it no longer theirs and closes.
        const imageIds = p.imageIds.filter(
          (id) => theirs(id, user.name) || gone(id) || formerAssignees.had(id, user.name),
        );
        return imageIds.length > 0 ? ({ ...p, imageIds } as typeof payload) : null;
      }
      // The team's jobs (their messages and logs name files and patients) are not an annotator's to see.
      if (event === 'jobProgress' || event === 'queueChanged') return null;
      return payload;
    };
  };
}
