// Import from the worklist: a native dialog where the shell has one, else a file picker (files) or a path typed
// into a dialog (folders, datasets) in browser mode.
import { useRef, useState } from 'react';
import { RpcError } from '../../../shared/contract.js';
import { IMAGE_PICKER_ACCEPT } from '../../../shared/image-files.js';
import { useApp } from '../appContext.js';
import { PathDialog } from './PathDialog.js';

export type ImportKind = 'files' | 'folder' | 'dataset';

export function useImport() {
  const { client, report, notify } = useApp();
  const [asking, setAsking] = useState<ImportKind | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const start = async (kind: ImportKind, path?: string) => {
    try {
      let paths: string[] = path ? [path] : [];
      if (!path) {
        try {
          paths = (await client.invoke('showOpenDialog', { mode: kind === 'files' ? 'files' : 'folder' }))
            .paths;
        } catch (err) {
          if (err instanceof RpcError && err.code === 'unsupported') {
            if (kind === 'files') fileInput.current?.click();
            else setAsking(kind);
            return;
          }
          throw err;
        }
      }
      if (paths.length === 0) return;
      if (kind === 'files') await client.invoke('importFiles', { paths });
      else if (kind === 'folder')
        await client.invoke('importFolder', { path: paths[0], recursive: true, pairMasks: true });
      else await client.invoke('importDataset', { path: paths[0], kind: 'auto' });
      // Says only what is known now; how the import went is told by the jobs tray.
      notify('Importing: progress and results under Jobs', 'info');
    } catch (err) {
      report(err);
    }
  };

  const upload = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    try {
      const files = await Promise.all(
        [...list].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      await client.invoke('importFiles', { files });
      notify(`Importing ${files.length} file(s): progress and results under Jobs`, 'info');
    } catch (err) {
      report(err);
    }
  };

  /** The hidden file input and, while asking for a path, its dialog. */
  const elements = (
    <>
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        accept={IMAGE_PICKER_ACCEPT}
        onChange={(e) => void upload(e.target.files)}
      />
      {asking && (
        <PathDialog
          title={asking === 'folder' ? 'Import a folder' : 'Import a dataset (DRIVE, STARE or generic)'}
          onCancel={() => setAsking(null)}
          onSubmit={(p) => {
            const kind = asking;
            setAsking(null);
            void start(kind, p);
          }}
        />
      )}
    </>
  );

  return { start, elements };
}
