// The main-process side shared by the Electron shell and browser mode.
export { createWorkstation, type Workstation, type WorkstationOptions } from './workstation.js';
export type { CallerContext } from './caller.js';
export { EventHub, type EventListener } from './events.js';
