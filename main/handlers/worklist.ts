// The worklist queries: patients, studies and images, paged by offset as the contract asks. The store pages by
// keyset (cursor), so a page at offset N walks the cursor forwards; filters the store cannot express (several
// statuses, sorting) are applied here. Fine for worklists of thousands of images; a store query taking offset,
// status lists and sort keys would make it O(page) for very large databases. The eye filter is applied here too.
import type {
  EyeFilter,
  ImageStatus,
  ImageSummary,
  ListImagesRequest,
  ListPatientsRequest,
  ListStudiesRequest,
  Page,
  PatientSummary,
  StatusCounts,
  StudySummary,
} from '../../shared/contract.js';
import {
  getPatient,
  handoffSeenBy,
  listImages as storeListImages,
  listPatients as storeListPatients,
  listStudies as storeListStudies,
  ownLatestIds,
  readsBlind,
  reviewStatus,
  type ImageListItem,
  type ListImagesQuery,
  type Store,
  type Study,
} from '../store/index.js';
import { rowId, toId } from './ids.js';
import { emptyCounts, imageStatus, maskStatusOf, summaryFromListItem } from './summaries.js';
import { searchIncludes } from '../../shared/search-fold.js';

const STORE_PAGE = 1000;

/** Every image matching the store-side filter, in import order, as the cursor walks (optionally stopping early). */
function* walkImages(
  store: Store,
  query: Omit<ListImagesQuery, 'cursor' | 'limit'>,
): Generator<ImageListItem> {
  let cursor: string | null = null;
  do {
    const page = storeListImages(store, { ...query, cursor, limit: STORE_PAGE });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/**
 * The images as an annotator is told of them: on a two-reader image they read blind, the status is their own
 * reading's (their drafts, not the other reader's), so their rows, status filter and counts say what is left to them.
 */
function* asReadBy(store: Store, items: Iterable<ImageListItem>, reader: string): Generator<ImageListItem> {
  for (const item of items) {
    if (!readsBlind(store, item.id, reader)) {
      yield item;
      continue;
    }
    const own = ownLatestIds(store, item.id, reader, {
      prediction: item.latestPredictionId,
      draft: item.latestDraftId,
      approved: item.latestApprovedId,
    });
    const { status, reopened } = reviewStatus(own);
    // The image's own ids stay: its summary reads the reader's from them (summaryFromListItem).
    yield { ...item, maskStatus: status, reopened };
  }
}

function matchesStatus(item: ImageListItem, statuses: ImageStatus[] | undefined): boolean {
  return !statuses || statuses.length === 0 || statuses.includes(imageStatus(item.maskStatus));
}

function matchesEye(item: ImageListItem, eyes: EyeFilter[] | undefined): boolean {
  return !eyes || eyes.includes(item.laterality ?? 'unknown');
}

const byText = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });
const EYE_ORDER = { OD: 0, OS: 1 } as const;

/**
 * The 'patient' order: by patient, visit date (undated last), eye (OD, OS, unknown), file name. Images with no
 * patient come last in import order, so a worklist without patients reads as it always did.
 */
function byPatient(a: ImageListItem, b: ImageListItem): number {
  if (a.patientPseudonym === null || b.patientPseudonym === null) {
    if (a.patientPseudonym !== b.patientPseudonym) return a.patientPseudonym === null ? 1 : -1;
    return a.id - b.id;
  }
  const date = (x: ImageListItem) => x.studyDate ?? '\uffff';
  const eye = (x: ImageListItem) => (x.laterality ? EYE_ORDER[x.laterality] : 2);
  return (
    byText(a.patientPseudonym, b.patientPseudonym) ||
    byText(date(a), date(b)) ||
    eye(a) - eye(b) ||
    byText(a.fileName, b.fileName) ||
    a.id - b.id
  );
}

function countStatuses(items: Iterable<ImageListItem>): { counts: StatusCounts; total: number } {
  const counts = emptyCounts();
  let total = 0;
  for (const item of items) {
    counts[imageStatus(item.maskStatus)]++;
    total++;
  }
  return { counts, total };
}

/** `annotator`: only the images assigned to this user (an annotator's worklist), as they are told of them. */
export function listImagesPage(
  store: Store,
  req: ListImagesRequest,
  annotator?: { id: number; name: string },
): Page<ImageSummary> {
  const statuses = req.status && req.status.length > 0 ? req.status : undefined;
  const eyes = req.eye && req.eye.length > 0 ? req.eye : undefined;
  // A blind reader is told of their own submission, not the other reader's (handoffSeenBy), so theirs is filtered here.
  const ownAwaiting = (i: ImageListItem) =>
    !(annotator && req.awaitingReview) ||
    handoffSeenBy(store, i.id, annotator.name)?.state === 'awaiting-review';
  const wanted = (i: ImageListItem) => matchesStatus(i, statuses) && matchesEye(i, eyes) && ownAwaiting(i);
  const query: Omit<ListImagesQuery, 'cursor' | 'limit'> = {
    patientId: req.patientId !== undefined ? rowId(req.patientId, 'patient') : undefined,
    studyId: req.studyId !== undefined ? rowId(req.studyId, 'study') : undefined,
    search: req.search?.trim() || undefined,
    // One status is a store filter; several are filtered here, and an annotator's (their own readings' statuses).
    maskStatus: statuses?.length === 1 && !annotator ? maskStatusOf(statuses[0]) : undefined,
    assignedTo: annotator?.id,
    visitFrom: req.visitFrom,
    visitTo: req.visitTo,
    awaitingReview: req.awaitingReview && !annotator,
  };
  const walk = () =>
    annotator ? asReadBy(store, walkImages(store, query), annotator.name) : walkImages(store, query);
  const blindTo = (item: ImageListItem): string | null =>
    annotator && readsBlind(store, item.id, annotator.name) ? annotator.name : null;
  const summarise = (item: ImageListItem) => summaryFromListItem(store, item, blindTo(item));
  if (req.sort === undefined) {
    // Import order: walk only as far as the page needs, but keep counting for `total`.
    const items: ImageSummary[] = [];
    let total = 0;
    for (const item of walk()) {
      if (!wanted(item)) continue;
      if (total >= req.offset && items.length < req.limit) items.push(summarise(item));
      total++;
    }
    return { items, total, offset: req.offset };
  }
  if (req.sort === 'patient') {
    // Sorted on the listing's own columns, so only the page asked for is summarised.
    const all = [...walk()].filter(wanted).sort(byPatient);
    const items = all.slice(req.offset, req.offset + req.limit).map(summarise);
    return { items, total: all.length, offset: req.offset };
  }
  const all = [...walk()].filter(wanted).map(summarise);
  if (req.sort === 'review-next') all.sort(byReviewNext);
  else if (req.sort === 'name')
    all.sort((a, b) => a.fileName.localeCompare(b.fileName) || Number(a.id) - Number(b.id));
  else
    all.sort((a, b) =>
      a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : Number(b.id) - Number(a.id),
    );
  return { items: all.slice(req.offset, req.offset + req.limit), total: all.length, offset: req.offset };
}

/**
 * "Review next": what still needs work before what is approved; within it the lowest expected F1 first (the
 * predictions most likely to need correcting), then images without a score in import order.
 */
export function byReviewNext(a: ImageSummary, b: ImageSummary): number {
  const done = (s: ImageSummary) => (s.status === 'approved' ? 1 : 0);
  const f1 = (s: ImageSummary) => s.quality?.expectedF1 ?? Infinity;
  return done(a) - done(b) || f1(a) - f1(b) || Number(a.id) - Number(b.id);
}

function includes(haystack: (string | null)[], needle: string | undefined): boolean {
  const n = needle?.trim();
  return !n || haystack.some((h) => h !== null && searchIncludes(h, n));
}

function hasStatus(counts: StatusCounts, statuses: ImageStatus[] | undefined): boolean {
  return !statuses || statuses.length === 0 || statuses.some((s) => counts[s] > 0);
}

export function listPatientsPage(store: Store, req: ListPatientsRequest): Page<PatientSummary> {
  const rows: PatientSummary[] = [];
  for (const p of storeListPatients(store)) {
    if (!includes([p.pseudonym, toId(p.id)], req.search)) continue;
    const images = [...walkImages(store, { patientId: p.id })];
    const { counts, total } = countStatuses(images);
    if (!hasStatus(counts, req.status)) continue;
    const updated = images.map((i) => summaryFromListItem(store, i).updatedAt).sort();
    rows.push({
      id: toId(p.id),
      pseudonym: p.pseudonym,
      studyCount: storeListStudies(store, p.id).length,
      imageCount: total,
      statusCounts: counts,
      updatedAt: updated.length > 0 ? updated[updated.length - 1] : null,
    });
  }
  return { items: rows.slice(req.offset, req.offset + req.limit), total: rows.length, offset: req.offset };
}

function studySummary(store: Store, s: Study): StudySummary {
  const { counts, total } = countStatuses(walkImages(store, { studyId: s.id }));
  return {
    id: toId(s.id),
    patientId: toId(s.patientId),
    date: s.studyDate,
    device: s.device,
    description: s.notes,
    imageCount: total,
    statusCounts: counts,
  };
}

export function listStudiesPage(store: Store, req: ListStudiesRequest): Page<StudySummary> {
  const patients =
    req.patientId !== undefined
      ? [getPatient(store, rowId(req.patientId, 'patient'))]
      : storeListPatients(store);
  const rows: StudySummary[] = [];
  for (const p of patients) {
    for (const s of storeListStudies(store, p.id)) {
      if (!includes([s.studyDate, s.device, s.notes, s.studyUid, toId(s.id), p.pseudonym], req.search))
        continue;
      const summary = studySummary(store, s);
      if (hasStatus(summary.statusCounts, req.status)) rows.push(summary);
    }
  }
  return { items: rows.slice(req.offset, req.offset + req.limit), total: rows.length, offset: req.offset };
}
