// One editor per image across the boundary: edit leases (take, heartbeat, take over, release) and the drafts kept
// from refused saves (list, open, adopt). The clock and the lease duration are injected (tests shorten both).
import {
  RpcError,
  type EditLeaseState,
  type ImageSummary,
  type KeptDraftSummary,
  type RequestHandlers,
} from '../../shared/contract.js';
import {
  beingEditedText,
  zonedClockTime,
  heartbeatMs,
  LEASE_DURATION_MS,
  leaseLive,
  type LeaseRecord,
} from '../../shared/edit-lease.js';
import {
  adoptKeptDraft,
  getImage,
  getKeptDraft,
  getLease,
  getMaskVersion,
  listKeptDrafts,
  liveLeases,
  loadKeptAv,
  loadKeptMask,
  maskVersionNumber,
  releaseLease,
  requestLease,
  type KeptDraft,
  type Store,
  readsBlind,
  handoffOf,
  ownSubmission,
  assigneesOf,
} from '../store/index.js';
import type { CallerContext } from './caller.js';
import { rowId, toId, toIdOrNull } from './ids.js';
import type { MaskPixels } from './maskPixels.js';
import { savedVersion } from './masks.js';
import { blindReaderOf } from './readers.js';
import { keptAlsoDiffers } from './version-differences.js';

export interface LeaseClock {
  /** Milliseconds since the epoch (Date.now in use). */
  now: () => number;
  /** A lease not renewed for this long expires. */
  durationMs: number;
}

/** Environment variable: the edit lease's duration in seconds (a team may want longer; tests shorter). */
export const LEASE_SECONDS_ENV = 'RETINA_LEASE_SECONDS';

/** The lease duration named by $RETINA_LEASE_SECONDS, else the default; a value that is no positive number is an error. */
export function leaseDurationFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LEASE_SECONDS_ENV];
  if (raw === undefined || raw === '') return LEASE_DURATION_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 86_400)
    throw new Error(`${LEASE_SECONDS_ENV}=${raw}: give the edit lease's duration in seconds, 1 to 86400`);
  return Math.round(seconds * 1000);
}

export interface EditLeaseDeps {
  store: Store;
  /** The current mask's labels, compared with a kept draft's. */
  pixels: MaskPixels;
  /** Who the caller is: the lease holder's name, the adopter's. */
  actor: (ctx: CallerContext) => string;
  clock: LeaseClock;
  /** Tells every window the image changed (the worklist's marker, read-only viewers); `leaseOnly`: only its lease. */
  changed: (imageId: number, leaseOnly?: boolean) => void;
  /** A window was granted a lease (the desktop app gives its windows' leases back as it quits). */
  granted?: (clientId: string) => void;
}

type LeaseChannels =
  | 'acquireEditLease'
  | 'getEditLease'
  | 'releaseEditLease'
  | 'listKeptDrafts'
  | 'getKeptDraft'
  | 'adoptKeptDraft';

function leaseState(
  imageId: number,
  lease: LeaseRecord | null,
  clientId: string,
  clock: LeaseClock,
): EditLeaseState {
  const nowMs = clock.now();
  const mine = lease?.clientId === clientId;
  const live = lease ? leaseLive(lease, nowMs) : false;
  return {
    imageId: toId(imageId),
    granted: mine && live,
    lease: lease
      ? { holder: lease.holder, since: lease.acquiredAt, expiresAt: lease.expiresAt, mine, live }
      : null,
    heartbeatMs: heartbeatMs(clock.durationMs),
  };
}

/** A kept draft the caller may open or adopt: on a two-reader image, a blind reader's own only. */
function ownKeptDraft(store: Store, idArg: string, ctx: CallerContext): KeptDraft {
  const kept = getKeptDraft(store, rowId(idArg, 'kept draft'));
  const reader = blindReaderOf(store, kept.imageId, ctx);
  if (reader !== null && kept.author !== reader)
    throw new RpcError('not-found', `no kept draft #${idArg} of ${reader}'s on image ${kept.imageId}`);
  return kept;
}

function keptSummary(store: Store, k: KeptDraft): KeptDraftSummary {
  const number = (id: number | null): number | null =>
    id === null ? null : maskVersionNumber(store, getMaskVersion(store, id));
  return {
    id: toId(k.id),
    imageId: toId(k.imageId),
    author: k.author,
    createdAt: k.createdAt,
    reason: k.reason,
    basedOnVersion: number(k.basedOnId),
    currentVersion: number(k.currentId),
    adoptedVersionId: toIdOrNull(k.adoptedId),
  };
}

/**
 * The worklist's "being edited by" marker on each listed image whose lease is live, but for the asking window's own
 * (`clientId`): a viewer just closed there would otherwise mark its image until its release arrived.
 */
export function withEditMarkers<T extends ImageSummary>(
  store: Store,
  items: T[],
  nowMs: number,
  clientId?: string,
): T[] {
  const leases = liveLeases(
    store,
    items.map((i) => Number(i.id)),
    nowMs,
  );
  return items.map((i) => {
    const found = leases.get(Number(i.id));
    const lease = found && found.clientId !== clientId ? found : undefined;
    return { ...i, editedBy: lease ? { holder: lease.holder, since: lease.acquiredAt } : null };
  });
}

/** Refuses a change to the image's mask line (a reopen) while another window holds its live lease. */
export function assertNotLeasedByOther(
  store: Store,
  imageId: number,
  clientId: string | null,
  nowMs: number,
): void {
  const lease = getLease(store, imageId);
  if (lease && lease.clientId !== clientId && leaseLive(lease, nowMs)) {
    const image = getImage(store, imageId);
    throw new RpcError(
      'conflict',
      `${image.fileName} is ${beingEditedText(lease.holder, lease.acquiredAt, zonedClockTime)}`,
    );
  }
}

/**
 * Team mode: the hand-off decides who holds the pen. An image awaiting review is the reviewers' (its annotators
 * see it read-only); one sent back is its annotators' until they submit it again.
 */
export function handedElsewhere(store: Store, imageId: number, ctx: CallerContext): string | null {
  const user = ctx.user;
  if (!user) return null;
  const handoff = handoffOf(store, imageId);
  // Read blind by several, the image is each reader's own until they submit their reading: one reader's submit
  // took the pen from the others mid-task.
  const held =
    handoff?.state === 'awaiting-review' &&
    user.role === 'annotator' &&
    (!readsBlind(store, imageId, user.name) || ownSubmission(store, imageId, user.name) !== null);
  if (held) return 'submitted for review; it opens for editing again if a reviewer sends it back.';
  if (user.role === 'annotator' && !assigneesOf(store, imageId).includes(user.name))
    return 'assigned to someone else while you edited it; a reviewer decides what becomes of your edit.';
  if (
    handoff?.state === 'needs-work' &&
    user.role !== 'annotator' &&
    assigneesOf(store, imageId).length > 0
  ) {
    return 'sent back to its annotators; it opens for editing here once they submit it again.';
  }
  return null;
}

export function editLeaseHandlers(deps: EditLeaseDeps): Pick<RequestHandlers<CallerContext>, LeaseChannels> {
  const { store, clock } = deps;
  return {
    acquireEditLease: (req, ctx) => {
      const imageId = rowId(req.imageId, 'image');
      const holder = deps.actor(ctx);
      const heldBack = handedElsewhere(store, imageId, ctx);
      if (heldBack) {
        releaseLease(store, imageId, req.clientId);
        return { ...leaseState(imageId, getLease(store, imageId), req.clientId, clock), heldBack };
      }
      // Blind readers each edit their own draft line: no one-editor lease between them.
      if (readsBlind(store, imageId, holder)) {
        return {
          imageId: toId(imageId),
          granted: true,
          lease: null,
          heartbeatMs: heartbeatMs(clock.durationMs),
        };
      }
      const outcome = requestLease(store, {
        imageId,
        holder,
        clientId: req.clientId,
        nowMs: clock.now(),
        durationMs: clock.durationMs,
        takeOver: req.takeOver ?? false,
      });
      // A take-over is audited (the History shows it); taking a free lease is not.
      if (outcome.decision === 'acquire') deps.changed(imageId, true);
      else if (outcome.decision === 'take-over') deps.changed(imageId);
      const state = leaseState(imageId, outcome.lease, req.clientId, clock);
      if (state.granted) deps.granted?.(req.clientId);
      return state;
    },
    getEditLease: (req) => {
      const imageId = getImage(store, rowId(req.imageId, 'image')).id;
      return leaseState(imageId, getLease(store, imageId), req.clientId, clock);
    },
    releaseEditLease: (req) => {
      const imageId = rowId(req.imageId, 'image');
      const released = releaseLease(store, imageId, req.clientId, req.expiresAt);
      if (released) deps.changed(imageId, true);
      return { released };
    },
    listKeptDrafts: (req, ctx) => {
      const imageId = getImage(store, rowId(req.imageId, 'image')).id;
      // A blind reader of a two-reader image sees only their own (another reader's would show their reading).
      const reader = blindReaderOf(store, imageId, ctx);
      const drafts = listKeptDrafts(store, imageId).filter((k) => reader === null || k.author === reader);
      return { drafts: drafts.map((k) => keptSummary(store, k)) };
    },
    getKeptDraft: async (req, ctx) => {
      const kept = ownKeptDraft(store, req.keptDraftId, ctx);
      const av = await loadKeptAv(store, kept);
      return {
        ...keptSummary(store, kept),
        width: kept.width,
        height: kept.height,
        data: await loadKeptMask(store, kept),
        // What adopting it brings back besides the vessels, as an earlier version's preview has them.
        av,
        anatomy: kept.anatomy,
        alsoDiffers: await keptAlsoDiffers(store, deps.pixels, kept, av),
      };
    },
    adoptKeptDraft: (req, ctx) => {
      const kept = ownKeptDraft(store, req.keptDraftId, ctx);
      const version = adoptKeptDraft(store, {
        keptDraftId: kept.id,
        author: deps.actor(ctx),
        parentId: req.parentVersionId === null ? null : rowId(req.parentVersionId, 'mask version'),
        clientId: req.clientId ?? null,
        nowMs: clock.now(),
        // Adopting is a save: refused, as her saves are, once the image is handed on.
        handedOff: handedElsewhere(store, kept.imageId, ctx),
        saveId: req.saveId ?? null,
      });
      deps.changed(version.imageId);
      return savedVersion(store, version);
    },
  };
}
