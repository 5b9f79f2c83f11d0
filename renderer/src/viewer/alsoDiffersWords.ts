// What an earlier version differs in besides its vessels, in a reviewer's words: a restore brings its artery/vein
// labels and its optic disc back too. The A/V layer draws them (the current mask's disc and fovea dashed); with the
// layer off the vessels alone are on screen, so the words say where to look.
import type { VersionAlsoDiffers } from '../../../shared/contract.js';

type Disc = NonNullable<VersionAlsoDiffers['disc']>['version'];

const at = (d: NonNullable<Disc>) => `(${Math.round(d.x)}, ${Math.round(d.y)})`;

function discWords({ version, current }: NonNullable<VersionAlsoDiffers['disc']>): string {
  if (!version) return 'it marks no optic disc (the current mask does)';
  if (!current) return `its optic disc is at ${at(version)} (the current mask marks none)`;
  const far = Math.round(Math.hypot(version.x - current.x, version.y - current.y));
  return `its optic disc is at ${at(version)}, ${far} px from the current one at ${at(current)}`;
}

function avWords(av: VersionAlsoDiffers['av']): string | null {
  if (av === 'none') return 'it has no artery/vein labels of its own (the current mask has)';
  if (av === 'only') return 'it has artery/vein labels (the current mask has none)';
  return av > 0 ? `its artery/vein labels differ at ${av.toLocaleString()} pixels` : null;
}

/** Null when nothing but the vessels differs. `act`: what brings them back (restoring a version, adopting a draft). */
export function alsoDiffersWords(a: VersionAlsoDiffers, act = 'Restoring'): string | null {
  const parts = [avWords(a.av), a.disc ? discWords(a.disc) : null].filter((p) => p !== null);
  return parts.length
    ? `Also differs: ${parts.join('; ')}. ${act} brings these back too (the A/V layer, V, shows them; the ` +
        'current disc and fovea dashed).'
    : null;
}

/**
 * What a version lacks of its own (labels, a disc) that the words above do not already say: its A/V layer is then
 * empty, which would read as nothing labelled. Null when it has both, or the words above said what it lacks.
 */
export function noOwnLabelsWords(own: { av: boolean; disc: boolean }, a: VersionAlsoDiffers): string | null {
  const lacks = [
    !own.av && a.av !== 'none' ? 'artery/vein labels' : null,
    !own.disc && a.disc?.version !== null ? 'optic disc' : null,
  ].filter((p) => p !== null);
  return lacks.length
    ? `This version has no ${lacks.join(' and no ')} of its own: the A/V layer shows none for it.`
    : null;
}
