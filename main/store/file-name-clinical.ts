// What a photograph's file name says about its eye and its patient. Conservative on purpose: a wrong eye or a
// wrong patient is worse than none, so only whole tokens of the stem count (split at anything not a letter or a
// digit, in any script: `Rúben` is one token, not `R` and `ben`), and names that say both eyes say neither.
//   Eye:     `OD` / `OS` in capitals (lower-case `od` names the optic disc as often, as in DRIVE-OD's
//            `od_centroids`), `left` / `right`, a lone `L` / `R` (`12_R`), or digits ending in L / R (`11L`,
//            CHASE's `Image_01L`). Public datasets' names (DRIVE `21_training`, STARE `im0001`, LES-AV `111`,
//            AV-WIDE `wide_image_01`, DRIONS-DB `image_001`, HRF `01_dr`) carry no eye, and none is read from them.
//   Patient: only after an explicit marker: `patient`, `pat`, `pt`, `subject`, `subj` or `pid`, joined to the id
//            (`patient12`) or as the next token (`pt-0042`, `subject_07R`: patient 07). The id must hold a
//            digit. A bare number (`11L`) is not taken as a patient: it numbers images as often as people.
import type { Laterality } from './images.js';

export interface FileNameClinical {
  eye: Laterality | null;
  /** Pseudonymous patient id as written in the name. */
  patientId: string | null;
}

const MARKERS = ['patient', 'pat', 'pt', 'subject', 'subj', 'pid'];
const MARKER_JOINED = new RegExp(`^(?:${MARKERS.join('|')})(\\d[a-z0-9]*)$`, 'i');
const NUMBERED_EYE = /^(\d+)([LR])$/i;

function stemOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function eyeOfToken(token: string): Laterality | null {
  const t = token.toLowerCase();
  if (token === 'OD' || t === 'right' || t === 'r') return 'OD';
  if (token === 'OS' || t === 'left' || t === 'l') return 'OS';
  const m = NUMBERED_EYE.exec(token);
  if (m) return m[2].toUpperCase() === 'R' ? 'OD' : 'OS';
  return null;
}

/** A patient id token: holds a digit; a trailing eye letter after digits (`07R`) is the eye, not the id. */
function idOfToken(token: string | undefined): string | null {
  if (!token || !/\d/.test(token)) return null;
  const m = NUMBERED_EYE.exec(token);
  return m ? m[1] : token;
}

function patientOf(tokens: string[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const joined = MARKER_JOINED.exec(tokens[i]);
    if (joined) return idOfToken(joined[1]);
    if (MARKERS.includes(tokens[i].toLowerCase())) return idOfToken(tokens[i + 1]);
  }
  return null;
}

/** Anything but a letter, a combining mark or a number, in any script, separates tokens. */
const SEPARATOR = /[^\p{L}\p{M}\p{N}]+/u;

export function clinicalFromFileName(fileName: string): FileNameClinical {
  // NFC so a macOS (NFD) name tokenises as the same name typed elsewhere; marks stay inside their word either way.
  const tokens = stemOf(fileName)
    .normalize('NFC')
    .split(SEPARATOR)
    .filter((t) => t.length > 0);
  const eyes = new Set(tokens.map(eyeOfToken).filter((e): e is Laterality => e !== null));
  return { eye: eyes.size === 1 ? [...eyes][0] : null, patientId: patientOf(tokens) };
}
