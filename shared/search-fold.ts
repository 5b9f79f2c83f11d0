// Text as searches compare it: one Unicode form (NFC, so a macOS file name, stored decomposed, matches the same
// name typed elsewhere) in lower case in every script, not ASCII alone. Turkish capital dotted I lower-cases to
// `i` plus a combining dot above; the dot is dropped so `ŞAHİN` and `şahin` fold alike, as PostgreSQL's LOWER does.
export function searchFold(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/i\u0307/g, 'i');
}

/** Whether `needle` (already trimmed or not) occurs in `haystack` once both are folded. */
export function searchIncludes(haystack: string, needle: string): boolean {
  return searchFold(haystack).includes(searchFold(needle));
}
