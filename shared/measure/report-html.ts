// The measurement report as one self-contained HTML document: a header naming the patient, eye, visit, camera and
// what made the masks; per image the photograph with its overlays (vessel classes, disc, zones B and C, the twelve
// CRAE/CRVE vessels), whether the photograph is gradable, what may make its values wrong (a disc cut off by the field's edge), every measure with its
// unit and 95% interval or why it is absent, and plots; the comparison with an earlier visit when there is one.
// Pure: built from data, with everything inline (images as data URLs, CSS, SVG), so opening, saving or printing it
// makes no request anywhere.
import { registrationNotes, type VisitComparison } from './compare-visits.js';
import { gradabilityLine } from './gradability.js';
import { formatFigure, MEASURE_ROWS } from './measure-table.js';
import type { ImageMeasures, LengthUnit, Measure, MeasureUnit, NamedVessel } from './measures.js';
import { sameVesselsText, vesselChangeRows } from './same-vessels.js';
import { zoneRadii } from './zones.js';
import { placeLabels } from './label-placement.js';

export interface ReportImage {
  fileName: string;
  /** Size of the image measured (the overlays' coordinates). */
  width: number;
  height: number;
  eye: 'OD' | 'OS' | null;
  visitDate: string | null;
  camera: string | null;
  fieldAngleDeg: number | null;
  /** The downscaled photograph, and the vessel map coloured by class at the same size (transparent elsewhere). */
  photo: string;
  vessels: string | null;
  /**
   * Which mask was measured, in words (e.g. "approved v3", "prediction"), the model that predicted it, who set
   * the disc by hand (placed, moved, resized or removed it; absent or null: the disc is the model's), and, for an
   * approved mask, who approved it and when (ISO time).
   */
  mask: {
    label: string;
    model: string | null;
    discBy?: string | null;
    approved?: boolean;
    approval?: { by: string; at: string } | null;
  };
  /** Where micrometres come from ('pixel size': given on the command line). */
  scaleSource: 'dicom' | 'field angle' | 'pixel size' | null;
  measures: ImageMeasures;
}

export interface ReportComparison {
  /** `unit`: each visit's length unit (its vessel widths are in it). */
  earlier: { fileName: string; visitDate: string | null; unit: LengthUnit };
  later: { fileName: string; visitDate: string | null; unit: LengthUnit };
  comparison: VisitComparison;
}

/** An image of the visit that has no mask to measure yet: listed, so the report does not pass over it. */
export type UnmeasuredImage = Pick<
  ReportImage,
  'fileName' | 'eye' | 'visitDate' | 'camera' | 'fieldAngleDeg'
>;

export interface ReportInput {
  patient: { pseudonym: string | null; name: string | null; birthYear: number | null };
  generatedAt: string;
  appVersion: string;
  images: ReportImage[];
  unmeasured?: UnmeasuredImage[];
  comparisons?: ReportComparison[];
}

/** Every image the report is of, measured or not: its eyes, dates and cameras are the header's and title's. */
const allImages = (input: ReportInput): UnmeasuredImage[] => [...input.images, ...(input.unmeasured ?? [])];

/** The print button's script; the server allows exactly this script by its hash. */
export const REPORT_SCRIPT =
  "document.getElementById('print').addEventListener('click', function () { window.print(); });";

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text (or an attribute value) as HTML: every markup character escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const or = (v: string | number | null | undefined, none = 'unknown'): string =>
  escapeHtml(v === null || v === undefined || v === '' ? none : String(v));

/** A number as the tables write it (formatMeasure's figures for its unit, the unit not written). */
const fig = (v: number, unit: MeasureUnit = 'ratio'): string => formatFigure(v, unit);

/** A unit as written beside a figure: none for a ratio, a dimensionless count or a fraction. */
const unitWord = (unit: MeasureUnit): string =>
  unit === 'ratio' || unit === 'dimensionless' || unit === 'fraction' ? '' : unit;

const unitText = (m: Measure): string => unitWord(m.unit);

const SCALE_WORDS: Record<string, string> = {
  dicom: 'micrometres from the DICOM pixel spacing',
  'field angle': "micrometres from the camera's field angle",
  'pixel size': 'micrometres from the pixel size given',
};

function scaleText(img: ReportImage): string {
  const s = img.measures.scale;
  if (s.unit === 'µm')
    return `${SCALE_WORDS[img.scaleSource ?? 'field angle']} (${fig(s.perPixel)} µm per pixel)`;
  if (s.unit === 'DD') return 'disc diameters (DD): the pixel size is unknown';
  return 'pixels: no optic disc was found and the pixel size is unknown';
}

const CSS = `
body{font:13px/1.4 system-ui,sans-serif;color:#111;margin:0 auto;max-width:1200px;padding:16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px;border-bottom:1px solid #999}
h3{font-size:14px;margin:12px 0 4px}
dl.header{display:grid;grid-template-columns:max-content minmax(0,1fr) max-content minmax(0,1fr);gap:2px 12px;margin:8px 0}
dl.header dt{font-weight:600}dl.header dd{margin:0;min-width:0}h1,h2,dd{overflow-wrap:anywhere}
.unapproved{border:2px solid #8a4b00;color:#8a4b00;font-weight:600;padding:4px 8px}
.toolbar{display:flex;gap:8px;margin:8px 0}.toolbar button{font:inherit;padding:4px 12px}
svg.photo{width:100%;height:auto;max-height:70vh;background:#000;display:block}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #ccc;padding:2px 6px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.absent{color:#8a4b00}
caption{text-align:left;font-weight:600;padding:8px 0 2px}
tr.exceeds td{background:#ffe7c2;font-weight:600}.flag{color:#b00}
.plots{display:grid;grid-template-columns:1fr 1fr;gap:12px}.plots svg{width:100%;height:auto}
.muted{color:#555}.legend span{margin-right:12px}
.warning{color:#8a4b00;font-weight:600;border-left:3px solid #8a4b00;padding-left:6px}
.a{fill:#d22;color:#d22}.v{fill:#24c;color:#24c}.u{color:#28c850}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10pt}.toolbar{display:none}
section.image{break-before:page}section.image:first-of-type{break-before:auto}
svg.photo{max-height:120mm;background:none}table,.plots{break-inside:avoid}}
`;

/** The distinct values of one field over the images, 'unknown' for those without it, comma-separated. */
function distinct(images: UnmeasuredImage[], pick: (i: UnmeasuredImage) => string | null): string {
  return [...new Set(images.map((i) => pick(i) ?? 'unknown'))].join(', ');
}

/** ", approved by rita on 2026-03-01 14:05 UTC": a printed report is read anywhere, so its time says its zone. */
function approvalWords(approval: { by: string; at: string } | null | undefined): string {
  if (!approval) return '';
  const at = new Date(approval.at);
  const when = Number.isNaN(at.getTime())
    ? approval.at
    : `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)} UTC`;
  return ` (approved by ${escapeHtml(approval.by)} on ${escapeHtml(when)})`;
}

function header(input: ReportInput): string {
  const every = allImages(input);
  const eyes = distinct(every, (i) => i.eye);
  const dates = distinct(every, (i) => i.visitDate);
  const masks = [
    ...input.images.map(
      (i) =>
        `${escapeHtml(i.fileName)}: ${escapeHtml(i.mask.label)}${approvalWords(i.mask.approval)}${
          i.mask.model ? `, model ${escapeHtml(i.mask.model)}` : ''
        }${i.mask.discBy ? `, optic disc set by hand (${escapeHtml(i.mask.discBy)})` : ''}`,
    ),
    ...(input.unmeasured ?? []).map(
      (i) => `${escapeHtml(i.fileName)}: <span class="absent">no mask yet, not measured</span>`,
    ),
  ].join('<br>');
  const rows: [string, string][] = [
    ['Patient', or(input.patient.pseudonym)],
    ...(input.patient.name ? ([['Name', escapeHtml(input.patient.name)]] as [string, string][]) : []),
    ...(input.patient.birthYear !== null
      ? ([['Born', or(input.patient.birthYear)]] as [string, string][])
      : []),
    ['Eye', escapeHtml(eyes)],
    ['Visit', escapeHtml(dates)],
    ['Camera', escapeHtml(distinct(every, (i) => i.camera || null))],
    ['Field angle', escapeHtml(distinct(every, (i) => (i.fieldAngleDeg ? `${i.fieldAngleDeg}°` : null)))],
    ['Masks measured', masks || 'none'],
    ['Generated', `${escapeHtml(input.generatedAt)} by RetinaStudio ${escapeHtml(input.appVersion)}`],
  ];
  return `<dl class="header">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/**
 * The named vessels' markers and names. Names go outward from the disc and clear of each other; each is written in
 * its class's colour on a white halo, readable on a red fundus.
 */
function vesselMarks(
  named: { arteries: NamedVessel[]; veins: NamedVessel[] },
  disc: { x: number; y: number } | null,
  r: number,
): string {
  const all = [...named.arteries.map((v) => ({ v, cls: 'a' })), ...named.veins.map((v) => ({ v, cls: 'v' }))];
  const fontSize = r * 2.2;
  const boxes = placeLabels(
    all.map(({ v }) => ({ x: v.x, y: v.y, text: v.name })),
    disc,
    fontSize,
    r * 1.3,
  );
  return all
    .map(
      ({ v, cls }, i) =>
        `<g class="${cls}" data-vessel="${escapeHtml(v.name)}"><circle cx="${v.x}" cy="${v.y}" r="${r}" fill="none" stroke="currentColor" stroke-width="${r / 3}"/>` +
        `<text x="${boxes[i].x.toFixed(1)}" y="${boxes[i].y.toFixed(1)}" font-size="${fontSize}" font-weight="bold" stroke="#fff" stroke-width="${r / 2.5}" paint-order="stroke" fill="currentColor">${escapeHtml(v.name)}</text></g>`,
    )
    .join('');
}

/** The photograph and its overlays in the image's own pixel coordinates. */
export function overlaySvg(
  img: { width: number; height: number; photo: string; vessels: string | null; measures: ImageMeasures },
  marks?: { arteries: NamedVessel[]; veins: NamedVessel[] },
): string {
  const { width: w, height: h, measures: m } = img;
  const r = Math.max(4, Math.max(w, h) / 120);
  const parts = [`<image href="${img.photo}" x="0" y="0" width="${w}" height="${h}"/>`];
  if (img.vessels)
    parts.push(`<image href="${img.vessels}" x="0" y="0" width="${w}" height="${h}" opacity="0.6"/>`);
  const disc = m.disc;
  if (disc) {
    parts.push(
      `<circle cx="${disc.x}" cy="${disc.y}" r="${disc.diameter / 2}" fill="none" stroke="#ff0" stroke-width="${r / 3}"/>`,
    );
    for (const zone of ['B', 'C'] as const) {
      const z = zoneRadii(disc, zone);
      const dash = zone === 'C' ? ` stroke-dasharray="${r} ${r}"` : '';
      for (const radius of zone === 'C' ? [z.outer] : [z.inner, z.outer])
        parts.push(
          `<circle data-zone="${zone}" cx="${disc.x}" cy="${disc.y}" r="${radius}" fill="none" stroke="#fff" stroke-opacity="0.8" stroke-width="${r / 4}"${dash}/>`,
        );
    }
  }
  const named = marks ?? m.zoneVessels.B;
  parts.push(vesselMarks(named, disc, r));
  return `<svg class="photo" viewBox="0 0 ${w} ${h}" role="img" aria-label="Photograph with vessels, disc, zones B and C and the named vessels" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function measureTable(m: ImageMeasures): string {
  const rows = MEASURE_ROWS.map((row) => {
    const v = m[row.key];
    const cells =
      v.value === null
        ? `<td class="absent" colspan="3">not measured: ${or(v.reason, 'not measured')}</td>`
        : `<td class="num">${fig(v.value, v.unit)}</td><td>${escapeHtml(unitText(v))}</td><td class="num">${
            v.ci95 ? `${fig(v.ci95[0], v.unit)} – ${fig(v.ci95[1], v.unit)}` : '–'
          }</td>`;
    return `<tr data-key="${row.key}" title="${escapeHtml(row.help)}"><th scope="row">${escapeHtml(row.label)}</th>${cells}</tr>`;
  });
  return `<table class="measures"><thead><tr><th>Measure</th><th>Value</th><th>Unit</th><th>95% interval</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The twelve vessels' widths as horizontal bars, arteries red, veins blue. */
export function widthBars(m: ImageMeasures): string {
  const vs = [
    ...m.zoneVessels.B.arteries.map((v) => ({ v, cls: 'a' })),
    ...m.zoneVessels.B.veins.map((v) => ({ v, cls: 'v' })),
  ];
  if (vs.length === 0) return '<p class="muted">No zone B vessels were measured.</p>';
  const max = Math.max(...vs.map((x) => x.v.width));
  const rowH = 16;
  const bars = vs
    .map(({ v, cls }, i) => {
      const y = i * rowH;
      const len = max > 0 ? (v.width / max) * 220 : 0;
      return `<text x="0" y="${y + 12}" font-size="11">${escapeHtml(v.name)}</text><rect class="${cls}" x="30" y="${y + 2}" width="${len.toFixed(1)}" height="${rowH - 4}"/><text x="${(34 + len).toFixed(1)}" y="${y + 12}" font-size="11">${fig(v.width, m.scale.unit)} ${escapeHtml(m.scale.unit)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 340 ${vs.length * rowH}" role="img" aria-label="Widths of the zone B vessels" data-plot="widths">${bars}</svg>`;
}

const DOT_KEYS = [
  'crae',
  'crve',
  'avr',
  'calibre',
  'tortuosity',
  'fractalDimension',
  'vesselDensity',
] as const;

/** Each main measure as a dot on its own axis with its interval as a whisker. */
export function intervalDots(m: ImageMeasures): string {
  const rowH = 22;
  const rows = DOT_KEYS.map((key, i) => {
    const v = m[key];
    const label = MEASURE_ROWS.find((r) => r.key === key)!.label;
    const y = i * rowH + 12;
    const name = `<text x="0" y="${y + 4}" font-size="11">${escapeHtml(label)}</text>`;
    if (v.value === null)
      return `${name}<text x="150" y="${y + 4}" font-size="11" class="absent">not measured</text>`;
    const [lo, hi] = v.ci95 ?? [v.value, v.value];
    const span = hi - lo || Math.abs(v.value) * 0.1 || 1;
    const x = (t: number): string => (150 + ((t - (lo - span * 0.25)) / (span * 1.5)) * 120).toFixed(1);
    return `${name}<line x1="${x(lo)}" x2="${x(hi)}" y1="${y}" y2="${y}" stroke="#333" stroke-width="2"/><circle cx="${x(v.value)}" cy="${y}" r="4" fill="#111"/><text x="285" y="${y + 4}" font-size="10">${fig(v.value, v.unit)} ${escapeHtml(unitText(v))}</text>`;
  }).join('');
  return `<svg viewBox="0 0 360 ${DOT_KEYS.length * rowH}" role="img" aria-label="Main measures with their 95% intervals" data-plot="intervals">${rows}</svg>`;
}

/** The photograph's verdict, when it was judged: a warning unless plainly gradable. */
function qualityNote(m: ImageMeasures): string {
  if (!m.quality) return '';
  const plain = m.quality.gradable && m.quality.warnings.length === 0;
  return `<p class="${plain ? 'muted' : 'warning'}" role="note" data-quality="${m.quality.gradable ? 'gradable' : 'ungradable'}">Photograph: ${escapeHtml(gradabilityLine(m.quality))}</p>`;
}

function imageSection(img: ReportImage, i: number): string {
  return `<section class="image" data-image="${i}">
<h2>${escapeHtml(img.fileName)} <span class="muted">(${or(img.eye, 'eye unknown')}, ${or(img.visitDate, 'visit date unknown')})</span></h2>
${
  img.mask.approved === false
    ? `<p class="unapproved" role="note">Not approved: measured on the ${escapeHtml(img.mask.label)}, which no reviewer has approved.</p>`
    : ''
}
${overlaySvg(img)}
<p class="legend"><span class="a">■ arteries</span><span class="v">■ veins</span><span class="u">■ vessels without an artery/vein label</span><span>yellow: optic disc</span><span>white: zone B (solid), zone C (dashed outer)</span></p>
<p>Lengths in ${escapeHtml(scaleText(img))}. Intervals: 95%, over plausible segmentations and artery/vein labels.</p>
${qualityNote(img.measures)}
${img.measures.notes.map((n) => `<p class="warning" role="note">${escapeHtml(n)}</p>`).join('')}
${measureTable(img.measures)}
<div class="plots"><div><h3>Zone B vessel widths</h3>${widthBars(img.measures)}</div><div><h3>Main measures, 95% intervals</h3>${intervalDots(img.measures)}</div></div>
</section>`;
}

function comparisonSection(c: ReportComparison): string {
  const { comparison: cmp } = c;
  const rows = cmp.changes
    .map((ch) => {
      const cell = (v: number | null): string => (v === null ? '–' : fig(v, ch.unit));
      const change =
        ch.change === null
          ? `<td colspan="2" class="absent">${or(ch.reason, 'not measured')}</td>`
          : `<td class="num">${ch.change > 0 ? '+' : ''}${fig(ch.change, ch.unit)}</td><td class="num">${
              ch.ci95 ? `${fig(ch.ci95[0], ch.unit)} – ${fig(ch.ci95[1], ch.unit)}` : '–'
            }</td>`;
      const flag = ch.exceeds
        ? '<span class="flag">exceeds the interval</span>'
        : ch.change !== null && ch.reason
          ? `<span class="absent">${escapeHtml(ch.reason)}</span>`
          : '';
      return `<tr data-key="${ch.key}"${ch.exceeds ? ' class="exceeds"' : ''}><th scope="row">${escapeHtml(ch.label)}</th><td class="unit">${unitWord(ch.unit)}</td><td class="num">${cell(ch.a)}</td><td class="num">${cell(ch.b)}</td>${change}<td>${flag}</td></tr>`;
    })
    .join('');
  const visit = (v: { fileName: string; visitDate: string | null }): string =>
    `${v.visitDate ?? 'date unknown'} (${v.fileName})`;
  const note =
    (cmp.reason ? `<p class="absent">${escapeHtml(cmp.reason)}.</p>` : '') +
    registrationNotes(cmp, visit(c.earlier), visit(c.later))
      .map((n) => `<p class="warning" role="note">${escapeHtml(n)}</p>`)
      .join('');
  return `<section class="comparison"><h2>Change since ${or(c.earlier.visitDate)} (${escapeHtml(c.earlier.fileName)} → ${escapeHtml(c.later.fileName)}, ${or(c.later.visitDate)})</h2>${note}
<table class="changes"><thead><tr><th>Measure</th><th>Unit</th><th>Earlier</th><th>Later</th><th>Change</th><th>95% interval</th><th></th></tr></thead><tbody>${rows}</tbody></table>${sameVesselsText(
    cmp,
    c.later.unit,
  )
    .map((l) => `<p class="same-vessels">${escapeHtml(l)}.</p>`)
    .join('')}${vesselChangeTable(c)}</section>`;
}

/** The earlier visit's zone-B vessels one by one, with their widths at both visits (which one narrowed). */
function vesselChangeTable(c: ReportComparison): string {
  const rows = vesselChangeRows(c.comparison, c.earlier.unit, c.later.unit);
  if (rows.length === 0) return '';
  const body = rows
    .map(
      (r) =>
        `<tr data-vessel="${r.name}"><th scope="row">${r.name} (${r.kind === 'artery' ? 'arteriole' : 'venule'})</th><td class="num">${escapeHtml(r.earlier)}</td><td class="num">${escapeHtml(r.later)}</td><td${r.measured ? ' class="num"' : ' class="absent"'}>${escapeHtml(r.change)}</td></tr>`,
    )
    .join('');
  return `<table class="vessel-changes"><caption>The same vessels at both visits (zone B, the earlier visit's names)</caption><thead><tr><th>Vessel</th><th>Earlier</th><th>Later</th><th>Change in width</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** Patient, eye(s) and visit date(s) of the images reported: a visit of both eyes is titled with both. */
export function reportTitle(input: ReportInput): string {
  const every = allImages(input);
  const who = input.patient.pseudonym ?? every[0]?.fileName ?? 'unknown patient';
  const each = (pick: (i: UnmeasuredImage) => string | null, unknown: string): string => {
    const seen = [...new Set(every.map((i) => pick(i) ?? unknown))];
    return seen.length ? seen.join(' and ') : unknown;
  };
  return `Vessel measurements: ${who}, ${each((i) => i.eye, 'eye unknown')}, ${each((i) => i.visitDate, 'visit date unknown')}`;
}

/** The whole document. */
export function reportHtml(input: ReportInput): string {
  const title = escapeHtml(reportTitle(input));
  const unmeasured = input.unmeasured ?? [];
  const body = input.images.length
    ? input.images.map(imageSection).join('\n')
    : '<p class="absent">None of these images has a mask to measure.</p>';
  const pending = unmeasured.length
    ? `<p class="absent" data-unmeasured>Not measured, no mask yet: ${unmeasured.map((i) => escapeHtml(i.fileName)).join(', ')}.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${CSS}</style></head>
<body><h1>${title}</h1>
<div class="toolbar"><button id="print" type="button">Print / save as PDF</button></div>
${header(input)}
${pending}
${body}
${(input.comparisons ?? []).map(comparisonSection).join('\n')}
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}
