// A folder's files and sub-folders, a symbolic link counted as what it points to: photographs are often linked
// into a working folder rather than copied, and `Dirent.isFile()` is false for a link, so they were passed over
// without a word.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FolderEntry {
  name: string;
  /**
   * 'linked-folder': reached through a link (a walk that follows it must guard against a link to a parent);
   * 'broken-link': a link whose target is gone, for a walk to report rather than pass over; 'link-loop': a link
   * that leads back to itself through other links (ELOOP), reported as such (it was called one whose target is gone).
   */
  kind: 'file' | 'folder' | 'linked-folder' | 'broken-link' | 'link-loop';
}

/** The files and folders in `folder`, and its broken links (a socket or a device is left out). */
export async function folderEntries(folder: string): Promise<FolderEntry[]> {
  const out: FolderEntry[] = [];
  for (const e of await readdir(folder, { withFileTypes: true })) {
    if (e.isFile()) out.push({ name: e.name, kind: 'file' });
    else if (e.isDirectory()) out.push({ name: e.name, kind: 'folder' });
    else if (e.isSymbolicLink()) {
      let loop = false;
      const target = await stat(join(folder, e.name)).catch((err: NodeJS.ErrnoException) => {
        loop = err.code === 'ELOOP';
        return null;
      });
      if (target?.isFile()) out.push({ name: e.name, kind: 'file' });
      else if (target?.isDirectory()) out.push({ name: e.name, kind: 'linked-folder' });
      else if (!target) out.push({ name: e.name, kind: loop ? 'link-loop' : 'broken-link' });
    }
  }
  return out;
}
