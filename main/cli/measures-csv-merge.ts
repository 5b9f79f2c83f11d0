// measures.csv of a folder measured into more than once (each day's photographs into one results folder): the rows
// of the images measured there before stay, as their <stem>_measures.json files do, and an image measured again
// replaces its row. Rows are matched by output stem, the name their JSON file shares, since the image column holds
// each path as it was typed (relative to wherever that run was started).

/** The records of a CSV, each as written (quoted newlines kept inside it), and its first cell unquoted. */
function csvRecords(text: string): { raw: string; first: string }[] {
  const out: { raw: string; first: string }[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (i === text.length || (c === '\n' && !quoted)) {
      const raw = text.slice(start, i).replace(/\r$/, '');
      if (raw !== '') out.push({ raw, first: firstCell(raw) });
      start = i + 1;
    }
  }
  return out;
}

function firstCell(record: string): string {
  let cell = '';
  if (record.startsWith('"')) {
    for (let i = 1; i < record.length; i++) {
      if (record[i] !== '"') cell += record[i];
      else if (record[i + 1] === '"') cell += record[++i];
      else break;
    }
  } else cell = record.split(',')[0];
  // csvField's apostrophe before a name that starts like a formula.
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

export interface MergedCsv {
  csv: string;
  /** Earlier rows kept: images not measured in this run. */
  kept: number;
  /** Earlier rows dropped because their columns are not this version's (the file was replaced). */
  replaced: number;
}

/**
 * `fresh` (this run's table) with the rows of `earlier` whose image's stem (`stemOf`) is none of this run's. An
 * earlier table with other columns (another version's) cannot be merged: it is replaced, and the count says so.
 */
export function mergeMeasuresCsv(
  earlier: string | null,
  fresh: string,
  stemOf: (image: string) => string,
): MergedCsv {
  if (earlier === null) return { csv: fresh, kept: 0, replaced: 0 };
  const [header, ...rows] = csvRecords(fresh);
  const [oldHeader, ...oldRows] = csvRecords(earlier);
  if (!oldHeader || oldHeader.raw !== header.raw) return { csv: fresh, kept: 0, replaced: oldRows.length };
  const measured = new Set(rows.map((r) => stemOf(r.first).toLowerCase()));
  const kept = oldRows.filter((r) => !measured.has(stemOf(r.first).toLowerCase()));
  const csv = [header, ...kept, ...rows].map((r) => r.raw).join('\n') + '\n';
  return { csv, kept: kept.length, replaced: 0 };
}
