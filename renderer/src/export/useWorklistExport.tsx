// What the worklist mounts for exporting: the dialog (for a selection, one image, or all) and the row menu.
import { useCallback, useState, type MouseEvent, type ReactNode } from 'react';
import { ExportDialog } from './ExportDialog.js';
import { RowMenu } from './RowMenu.js';

export interface WorklistExport {
  /** Opens the dialog for these images; an empty list means every image. */
  open: (imageIds: string[]) => void;
  /** The row's onContextMenu: Open or Export this image. */
  rowMenu: (e: MouseEvent, image: { id: string; fileName: string }) => void;
  /** The same menu for the highlighted row, from the keyboard (the context-menu key, Shift+F10), at a point. */
  rowMenuAt: (image: { id: string; fileName: string }, x: number, y: number) => void;
  /** The dialog and menu, when shown. */
  element: ReactNode;
}

export function useWorklistExport(openImage: (imageId: string) => void): WorklistExport {
  // undefined: no dialog; null: every image.
  const [dialog, setDialog] = useState<string[] | null | undefined>(undefined);
  const [menu, setMenu] = useState<{ x: number; y: number; id: string; fileName: string } | null>(null);
  const open = useCallback((ids: string[]) => setDialog(ids.length > 0 ? ids : null), []);
  const rowMenu = useCallback((e: MouseEvent, image: { id: string; fileName: string }) => {
    e.preventDefault();
    setMenu({ x: e.clientX, y: e.clientY, id: image.id, fileName: image.fileName });
  }, []);
  const rowMenuAt = useCallback(
    (image: { id: string; fileName: string }, x: number, y: number) =>
      setMenu({ x, y, id: image.id, fileName: image.fileName }),
    [],
  );
  const closeMenu = useCallback(() => setMenu(null), []);
  const element = (
    <>
      {menu && (
        <RowMenu
          x={menu.x}
          y={menu.y}
          fileName={menu.fileName}
          onOpen={() => openImage(menu.id)}
          onExport={() => setDialog([menu.id])}
          onClose={closeMenu}
        />
      )}
      {dialog !== undefined && <ExportDialog imageIds={dialog} onClose={() => setDialog(undefined)} />}
    </>
  );
  return { open, rowMenu, rowMenuAt, element };
}
