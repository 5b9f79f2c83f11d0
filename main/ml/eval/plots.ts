// Small line plots rendered as SVG and rasterised to PNG by sharp (librsvg): ROC, precision-recall and training
// curves for model cards, without a browser.
import sharp from 'sharp';

export interface Series {
  label: string;
  colour: string;
  points: { x: number; y: number }[];
  /** Draw as markers instead of a line (a human observer's single operating point, say). */
  markers?: boolean;
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  x: [number, number];
  y: [number, number];
  series: Series[];
  /** Where the legend goes, away from where the curves run. */
  legend?: 'top-right' | 'bottom-right' | 'bottom-left' | 'middle-right';
}

const W = 560;
const H = 420;
const M = { left: 64, right: 16, top: 36, bottom: 52 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function plotSvg(spec: PlotSpec): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + ((x - spec.x[0]) / (spec.x[1] - spec.x[0])) * pw;
  const sy = (y: number): number => M.top + ph - ((y - spec.y[0]) / (spec.y[1] - spec.y[0])) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" font-size="15" text-anchor="middle">${esc(spec.title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const xv = spec.x[0] + ((spec.x[1] - spec.x[0]) * i) / 5;
    const yv = spec.y[0] + ((spec.y[1] - spec.y[0]) * i) / 5;
    parts.push(
      `<line x1="${sx(xv)}" y1="${M.top}" x2="${sx(xv)}" y2="${M.top + ph}" stroke="#e5e5e5"/>`,
      `<line x1="${M.left}" y1="${sy(yv)}" x2="${M.left + pw}" y2="${sy(yv)}" stroke="#e5e5e5"/>`,
      `<text x="${sx(xv)}" y="${M.top + ph + 16}" font-size="11" text-anchor="middle">${+xv.toFixed(3)}</text>`,
      `<text x="${M.left - 6}" y="${sy(yv) + 4}" font-size="11" text-anchor="end">${+yv.toFixed(3)}</text>`,
    );
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 12}" font-size="13" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text x="16" y="${M.top + ph / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${M.top + ph / 2})">${esc(spec.yLabel)}</text>`,
  );
  const clampX = (x: number): number => Math.min(spec.x[1], Math.max(spec.x[0], x));
  const clampY = (y: number): number => Math.min(spec.y[1], Math.max(spec.y[0], y));
  spec.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (s.markers) {
      for (const p of pts) {
        parts.push(`<circle cx="${sx(clampX(p.x))}" cy="${sy(clampY(p.y))}" r="5" fill="${s.colour}"/>`);
      }
    } else if (pts.length > 0) {
      const d = pts.map((p) => `${sx(clampX(p.x)).toFixed(1)},${sy(clampY(p.y)).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${d}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    }
    const legend = spec.legend ?? 'top-right';
    const n = spec.series.length;
    const top = legend.startsWith('bottom')
      ? M.top + ph - 10 - n * 18
      : legend === 'middle-right'
        ? M.top + ph / 2 - (n * 18) / 2
        : M.top;
    const lx = legend === 'bottom-left' ? M.left + 12 : M.left + pw - 196;
    const ly = top + 16 + i * 18;
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${s.colour}"/>`,
      `<text x="${lx + 18}" y="${ly + 1}" font-size="12">${esc(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export async function plotPng(spec: PlotSpec): Promise<Buffer> {
  return sharp(Buffer.from(plotSvg(spec)))
    .png()
    .toBuffer();
}
