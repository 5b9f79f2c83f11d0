// The editing tool in hand, its brush radius and the island/hole size N the clean-up commands use, kept from one
// image to the next.
import type { Dispatch, SetStateAction } from 'react';
import type { Tool } from './MaskCanvas.js';
import { useSessionState } from './useSessionState.js';

export interface ToolSettings {
  tool: Tool;
  setTool: (t: Tool) => void;
  /** Brush radius in image pixels (the UI shows the diameter). */
  radius: number;
  setRadius: Dispatch<SetStateAction<number>>;
  islandSize: number;
  setIslandSize: (n: number) => void;
}

/** The [ key: 25% smaller above 2 px, half-pixel steps below, never under 0.5. */
export function smallerRadius(r: number): number {
  return Math.max(0.5, r >= 2 ? Math.round(r / 1.25) : r - 0.5);
}

/** The largest brush radius, for the ] key and the Size slider alike (the slider stopped at 40 while ] went on). */
export const MAX_BRUSH_RADIUS = 200;

/** The ] key: 25% bigger (at least 1 px) above 2 px, half-pixel steps below, never over MAX_BRUSH_RADIUS. */
export function biggerRadius(r: number): number {
  return Math.min(MAX_BRUSH_RADIUS, r >= 2 ? Math.max(r + 1, Math.round(r * 1.25)) : r + 0.5);
}

export function useToolSettings(): ToolSettings {
  const [tool, setTool] = useSessionState<Tool>('tools.tool', 'brush');
  const [radius, setRadius] = useSessionState('tools.radius', 3);
  const [islandSize, setIslandSize] = useSessionState('tools.islandSize', 20);
  return { tool, setTool, radius, setRadius, islandSize, setIslandSize };
}
