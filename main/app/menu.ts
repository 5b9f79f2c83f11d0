// The application menu: the usual items, by role where Electron provides one.
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

export function buildMenu(getWindow: () => BrowserWindow | null, databasePath: string): Menu {
  const isMac = process.platform === 'darwin';
  const about = (): void => {
    const win = getWindow();
    const options = {
      type: 'info' as const,
      title: 'About RetinaStudio',
      message: `RetinaStudio ${app.getVersion()}`,
      detail: `Retinal-vessel segmentation workstation.\nDatabase: ${databasePath}`,
    };
    void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  };
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About RetinaStudio', click: about }] },
  ];
  return Menu.buildFromTemplate(template);
}
