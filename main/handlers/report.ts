// The measurement report and the two-visit comparison, fed by the same measurement path as the viewer's panel
// (MeasurementService: the current mask, cached): the report's data gathered from the store (clinical context, the
// downscaled photograph, the vessel map coloured by class, which model made the mask) and turned into HTML by the
// pure builder in shared/measure/report-html.ts.
import {
  RpcError,
  type MeasurementsPayload,
  type ReportDocument,
  type ReportRequest,
  type VisitComparisonPayload,
} from '../../shared/contract.js';
import { compareVisits, type Visit } from '../../shared/measure/compare-visits.js';
import {
  reportHtml,
  type ReportComparison,
  type ReportImage,
  type UnmeasuredImage,
} from '../../shared/measure/report-html.js';
import {
  getClinical,
  getImage,
  getModel,
  listImages,
  loadAvLabels,
  loadMask,
  planMeasurement,
  sourcePrediction,
  type Store,
} from '../store/index.js';
import { dataUrl, REPORT_PHOTO_SIDE, vesselOverlayDataUrl } from '../ml/measure/report-pictures.js';
import type { MeasurementService } from './measurements.js';
import type { PictureService } from './pictures.js';
import { rowId, toId } from './ids.js';
import { fitStem, utf8Bytes } from '../node/file-name-fit.js';

const REPORT_SUFFIX = '_report.html';

/**
 * The report's file name before its suffix: the patient's pseudonym (or the photograph's name), eye and visit in any
 * script (山田太郎, 김민준 and محمد are names, not punctuation), anything else a '-', and short enough for a file name.
 */
function reportStem(text: string): string {
  const kept = text.normalize('NFC').replace(/[^\p{L}\p{M}\p{N}_.-]+/gu, '-');
  return fitStem(kept, utf8Bytes(REPORT_SUFFIX));
}

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly measurements: MeasurementService,
    private readonly pictures: PictureService,
    private readonly appVersion: string,
  ) {}

  async report(req: ReportRequest, now = new Date()): Promise<ReportDocument> {
    const ids = this.imagesOf(req);
    const images: ReportImage[] = [];
    const unmeasured: UnmeasuredImage[] = [];
    const comparisons: ReportComparison[] = [];
    for (const id of ids) {
      const m = await this.measurements.get(toId(id));
      if (!m) {
        // Listed, not passed over: a visit's report that left out its unmeasured photograph misstated the visit.
        const c = getClinical(this.store, id);
        const { fileName } = getImage(this.store, id);
        unmeasured.push({
          fileName,
          eye: c.eye,
          visitDate: c.visitDate,
          camera: c.camera,
          fieldAngleDeg: c.fieldAngleDeg,
        });
        continue;
      }
      images.push(await this.reportImage(id, m));
      const earlier = this.earlierVisitOf(id);
      if (earlier !== null) {
        // The comparison is a section of the report, not its purpose: a visit that cannot be compared (its mask
        // unreadable, say) leaves the section out rather than the whole report.
        const cmp = await this.compare(toId(earlier), toId(id)).catch(() => null);
        if (cmp)
          comparisons.push({
            earlier: {
              fileName: cmp.earlier.fileName,
              visitDate: cmp.earlier.visitDate,
              unit: cmp.earlier.measurements.measures.scale.unit,
            },
            later: {
              fileName: cmp.later.fileName,
              visitDate: cmp.later.visitDate,
              unit: cmp.later.measurements.measures.scale.unit,
            },
            comparison: cmp.comparison,
          });
      }
    }
    const c = getClinical(this.store, ids[0]);
    const html = reportHtml({
      patient: { pseudonym: c.pseudonym, name: c.name, birthYear: c.birthYear },
      generatedAt: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      appVersion: this.appVersion,
      images,
      unmeasured,
      comparisons,
    });
    const clinical = ids.map((id) => getClinical(this.store, id));
    const each = (pick: (x: typeof c) => string | null) =>
      [...new Set(clinical.map(pick).filter(Boolean))].join('-');
    const stem = [
      c.pseudonym ?? getImage(this.store, ids[0]).fileName.replace(/\.[^.]+$/, ''),
      each((x) => x.eye),
      each((x) => x.visitDate),
    ]
      .filter(Boolean)
      .join('_');
    return { html, fileName: `${reportStem(stem)}${REPORT_SUFFIX}` };
  }

  /** Two images of the same eye, the earlier visit first (its vessel names are the comparison's). */
  async compare(imageId: string, otherImageId: string): Promise<VisitComparisonPayload> {
    const ca = getClinical(this.store, rowId(imageId, 'image'));
    const cb = getClinical(this.store, rowId(otherImageId, 'image'));
    // Two visits are of one eye only when both say so: an image whose patient or eye is unknown could be anyone's.
    for (const [c, id] of [
      [ca, imageId],
      [cb, otherImageId],
    ] as const) {
      const name = getImage(this.store, rowId(id, 'image')).fileName;
      if (c.patientDbId === null || !c.eye)
        throw new RpcError(
          'invalid-request',
          `${name}: its ${c.patientDbId === null ? 'patient' : 'eye'} is unknown, so it cannot be compared as ` +
            'a visit of the same eye (set it in Clinical details)',
        );
    }
    if (ca.patientDbId !== cb.patientDbId)
      throw new RpcError(
        'invalid-request',
        `the images are of different patients (${ca.pseudonym} and ${cb.pseudonym})`,
      );
    if (ca.eye !== cb.eye)
      throw new RpcError('invalid-request', `the images are of different eyes (${ca.eye} and ${cb.eye})`);
    const sides = await Promise.all([this.side(imageId), this.side(otherImageId)]);
    // By date when both are dated and differ; otherwise the one imported first (the view says the order is not
    // known). Never by which image the user opened: the same two visits compared from either one's viewer gave
    // opposite changes under different names, and an undated visit was always taken as the earlier.
    const [da, db] = [sides[0].visitDate, sides[1].visitDate];
    const swap = da && db && da !== db ? db < da : sides[1].id < sides[0].id;
    const [earlier, later] = swap ? [sides[1], sides[0]] : sides;
    return {
      earlier: earlier.payload,
      later: later.payload,
      comparison: compareVisits(earlier.visit, later.visit),
    };
  }

  private async side(imageId: string) {
    const id = rowId(imageId, 'image');
    const image = getImage(this.store, id);
    const measurements = await this.measurements.get(imageId);
    if (!measurements) throw new RpcError('conflict', `${image.fileName} has no mask to measure yet`);
    const plan = planMeasurement(this.store, image);
    const fovea = (plan?.version.anatomy ?? plan?.prediction?.anatomy ?? null)?.fovea ?? null;
    const visitDate = getClinical(this.store, id).visitDate;
    const visit: Visit = {
      measures: measurements.measures,
      fovea,
      size: { width: image.width, height: image.height },
    };
    return {
      id,
      visitDate,
      visit,
      payload: {
        imageId: toId(id),
        fileName: image.fileName,
        visitDate,
        width: image.width,
        height: image.height,
        measurements,
      },
    };
  }

  private imagesOf(req: ReportRequest): number[] {
    if (req.imageId !== undefined) return [getImage(this.store, rowId(req.imageId, 'image')).id];
    const studyId = rowId(req.studyId!, 'study');
    const ids = listImages(this.store, { studyId, limit: 1000 }).items.map((i) => i.id);
    if (ids.length === 0) throw new RpcError('not-found', `study ${req.studyId} has no images`);
    return ids;
  }

  /** The same patient's latest image of the same eye from an earlier visit that has a mask, or null. */
  private earlierVisitOf(imageId: number): number | null {
    const c = getClinical(this.store, imageId);
    if (c.patientDbId === null || !c.eye || !c.visitDate) return null;
    let best: { id: number; date: string } | null = null;
    for (const item of listImages(this.store, { patientId: c.patientDbId, limit: 1000 }).items) {
      const o = getClinical(this.store, item.id);
      const hasMask = item.latestPredictionId ?? item.latestDraftId ?? item.latestApprovedId;
      if (o.eye !== c.eye || !o.visitDate || o.visitDate >= c.visitDate || hasMask === null) continue;
      if (!best || o.visitDate > best.date) best = { id: item.id, date: o.visitDate };
    }
    return best?.id ?? null;
  }

  private async reportImage(id: number, m: MeasurementsPayload): Promise<ReportImage> {
    const image = getImage(this.store, id);
    const c = getClinical(this.store, id);
    const photo = await this.pictures.thumbnail(id, REPORT_PHOTO_SIDE);
    const plan = planMeasurement(this.store, image);
    // A person's mask was predicted by the model of the prediction it descends from: a later prediction (another
    // model's, asked for after the approval) is not what the reviewer corrected and approved.
    const measured = plan?.version ?? null;
    const modelId =
      measured === null
        ? null
        : measured.kind === 'prediction'
          ? measured.modelId
          : (sourcePrediction(this.store, measured)?.modelId ?? null);
    return {
      fileName: image.fileName,
      width: image.width,
      height: image.height,
      eye: c.eye,
      visitDate: c.visitDate,
      camera: c.camera,
      fieldAngleDeg: c.fieldAngleDeg,
      photo: dataUrl(photo.mime, photo.bytes),
      vessels: plan ? await this.vesselOverlay(plan, photo) : null,
      mask: {
        label: `${m.kind === 'approved' ? 'approved mask' : m.kind} v${m.version}`,
        model: modelId !== null ? getModel(this.store, modelId).name : null,
        discBy: m.discBy,
        approved: m.kind === 'approved',
        approval: measured?.kind === 'approved' ? { by: measured.author, at: measured.createdAt } : null,
      },
      scaleSource: m.scaleSource,
      measures: m.measures,
    };
  }

  /** The measured mask coloured by artery/vein class, at the photograph's size. */
  private async vesselOverlay(
    plan: NonNullable<ReturnType<typeof planMeasurement>>,
    out: { width: number; height: number },
  ): Promise<string> {
    const mask = (await loadMask(this.store, plan.version)).data;
    const av = plan.labelsFrom ? await loadAvLabels(this.store, plan.labelsFrom) : null;
    return vesselOverlayDataUrl(mask, av, plan.image, out);
  }
}
