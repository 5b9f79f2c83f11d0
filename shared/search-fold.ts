// Text as searches compare it: one Unicode form (NFC, so a macOS file name, stored decomposed, matches the same
// name typed elsewhere), without the accents of Latin letters (staff type `muller` for MÜLLER^HANS), in lower case
// in every script, not ASCII alone. PostgreSQL folds in the same steps (store/sql.ts, searchFoldSql), so that the
// worklist's filters in JavaScript, SQLite (whose search function is searchFold) and PostgreSQL all agree without
// its `unaccent` extension.

/** Latin letters that are no base letter plus accents, in both cases, as a keyboard without them spells them. */
export const LETTER_SPELLINGS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  þ: 'th',
  Þ: 'th',
  ø: 'o',
  Ø: 'o',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  ı: 'i',
  ħ: 'h',
  Ħ: 'h',
  ŧ: 't',
  Ŧ: 't',
  ŀ: 'l',
  Ŀ: 'l',
};

/**
 * A Latin letter and the accents (combining diacritical marks, U+0300 to U+036F) after it in the NFD form: the
 * accents go, the letter stays. Other scripts keep theirs (`й` is no `и` with an accent). One source for both
 * JavaScript's and PostgreSQL's regular expressions: `\uXXXX` reads the same in both.
 */
export const LATIN_ACCENTS_PATTERN = `([A-Za-z${Object.keys(LETTER_SPELLINGS).join('')}])[\\u0300-\\u036f]+`;

const LATIN_ACCENTS = new RegExp(LATIN_ACCENTS_PATTERN, 'g');
const SPELLED = new RegExp(`[${Object.keys(LETTER_SPELLINGS).join('')}]`, 'g');
const PRINTABLE_ASCII = /^[ -~]*$/;

export function searchFold(text: string): string {
  // Most names are plain ASCII, changed by case alone; SQLite folds three columns of every row per search.
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase();
  // Lower case last, as PostgreSQL does (after the accents, so that its C locale still folds `Ü` as `ü`); the
  // dot of `İ` goes with the accents, so `ŞAHİN` and `şahin` fold alike.
  return text
    .normalize('NFD')
    .replace(LATIN_ACCENTS, '$1')
    .normalize('NFC')
    .replace(SPELLED, (letter) => LETTER_SPELLINGS[letter])
    .toLowerCase();
}

/**
 * Each precomposed accented Latin letter, capital or small, and its fold (`Ü` → `u`, `ẞ` → `ss`): what a database
 * that cannot normalise (PostgreSQL in another encoding than UTF8, whose letters are all precomposed) folds by
 * TRANSLATE instead. Latin-1, Extended-A and -B, Extended Additional (Vietnamese).
 */
export const ACCENT_FOLDS: readonly (readonly [string, string])[] = (() => {
  const folds: [string, string][] = [];
  for (const [first, last] of [
    [0x00c0, 0x024f],
    [0x1e00, 0x1eff],
  ])
    for (let code = first; code <= last; code++) {
      const letter = String.fromCodePoint(code);
      const folded = searchFold(letter);
      if (folded !== letter && /^[a-z]+$/.test(folded)) folds.push([letter, folded]);
    }
  return folds;
})();

/** Whether `needle` (already trimmed or not) occurs in `haystack` once both are folded. */
export function searchIncludes(haystack: string, needle: string): boolean {
  return searchFold(haystack).includes(searchFold(needle));
}
