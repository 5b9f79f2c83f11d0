// Where the names of the measured vessels (A1-A6, V1-V6) go on a picture: each beside its marker on the side away
// from the disc (the twelve markers sit on one ring around it, so outward spreads the names), and pushed further out
// while it would overlap a name already placed. Neighbouring vessels otherwise wrote V1 on top of V6.

export interface LabelBox {
  /** The text's left end and baseline. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A label's size for `text` at `fontSize` (a sans-serif letter is about 0.6 of the size wide). */
function sizeOf(text: string, fontSize: number): { width: number; height: number } {
  return { width: text.length * fontSize * 0.62, height: fontSize };
}

function overlaps(a: LabelBox, b: LabelBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y - a.height < b.y && b.y - b.height < a.y;
}

/**
 * Places each label of `marks` (in order: earlier ones keep the better place) `gap` beyond its marker, away from
 * `centre`; a label that would overlap one placed before it, or a box already `taken` by other writing on the
 * picture, moves out along the same line, a line height at a time.
 */
export function placeLabels(
  marks: readonly { x: number; y: number; text: string }[],
  centre: { x: number; y: number } | null,
  fontSize: number,
  gap: number,
  taken: readonly LabelBox[] = [],
): LabelBox[] {
  const placed: LabelBox[] = [];
  const clash = (box: LabelBox) =>
    taken.some((t) => overlaps(t, box)) || placed.some((p) => overlaps(p, box));
  for (const m of marks) {
    const { width, height } = sizeOf(m.text, fontSize);
    const len = centre ? Math.hypot(m.x - centre.x, m.y - centre.y) : 0;
    const [dx, dy] = centre && len > 0 ? [(m.x - centre.x) / len, (m.y - centre.y) / len] : [1, 0];
    const at = (d: number): LabelBox => {
      // The point `d` out from the marker is the label's centre.
      const cx = m.x + dx * d;
      const cy = m.y + dy * d;
      return { x: cx - width / 2, y: cy + height / 2.8, width, height };
    };
    const base = gap + Math.abs(dx) * (width / 2) + Math.abs(dy) * (height / 2);
    let box = at(base);
    for (let step = 1; step <= 12 && clash(box); step++) box = at(base + step * height);
    placed.push(box);
  }
  return placed;
}
