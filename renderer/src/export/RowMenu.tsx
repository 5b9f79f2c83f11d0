// The worklist row's context menu: open the image, or export just this one.
import { useEffect, useRef, useState } from 'react';

export interface RowMenuProps {
  x: number;
  y: number;
  fileName: string;
  onOpen: () => void;
  onExport: () => void;
  onClose: () => void;
}

export function RowMenu({ x, y, fileName, onOpen, onExport, onClose }: RowMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  // Read while rendering, before the menu takes focus: where focus goes back to when it closes (it was dropped).
  const [focusedBefore] = useState(() => document.activeElement);
  useEffect(
    () => () => {
      if (focusedBefore instanceof HTMLElement && focusedBefore.isConnected) focusedBefore.focus();
    },
    [focusedBefore],
  );
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const away = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [onClose]);
  const act = (f: () => void) => () => {
    onClose();
    f();
  };
  // Kept inside the window: the menu opens up and to the left near the right and bottom edges.
  const left = Math.min(x, window.innerWidth - 200);
  const top = Math.min(y, window.innerHeight - 90);
  return (
    <div
      ref={ref}
      className="row-menu"
      role="menu"
      aria-label={`Actions for ${fileName}`}
      style={{ left, top }}
      data-testid="row-menu"
      onKeyDown={(e) => {
        // Keys stay in the menu (the worklist below moves its cursor on arrows).
        e.stopPropagation();
        if (e.key === 'Escape') onClose();
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const items = [...(ref.current?.querySelectorAll('button') ?? [])];
          const at = items.indexOf(document.activeElement as HTMLButtonElement);
          items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
        }
      }}
    >
      <button role="menuitem" onClick={act(onOpen)} data-testid="row-menu-open">
        Open
      </button>
      <button role="menuitem" onClick={act(onExport)} data-testid="row-menu-export">
        Export this image…
      </button>
    </div>
  );
}
