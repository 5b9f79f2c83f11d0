// The open image in the address (`#/image/12`): a reload, or the browser's Back and Forward, keep the user where
// they were instead of dropping them on the worklist. Pure, so both the shell and the tests read it the same way.

const PREFIX = '#/image/';

/** The image id a location's hash names, or null (the worklist). */
export function imageIdFromHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  const id = decodeURIComponent(hash.slice(PREFIX.length));
  return /^[1-9]\d*$/.test(id) ? id : null;
}

/** The hash for an open image; the worklist has none. */
export const hashForImage = (imageId: string | null): string =>
  imageId === null ? '' : `${PREFIX}${encodeURIComponent(imageId)}`;

/**
 * The address without an open image, the history entry replaced: at a shared screen the next person to log in must
 * not be taken to (or told of) the image the last one had open. (Structural types: tests type-check this module
 * without the DOM's.)
 */
export function forgetOpenImage(
  loc: { pathname: string; search: string; hash: string },
  h: { replaceState(data: unknown, unused: string, url: string): void },
): void {
  if (imageIdFromHash(loc.hash) !== null) h.replaceState(null, '', loc.pathname + loc.search);
}
