// Small hand-made vessel graphs for the zone steps' tests: straight segments between nodes placed by hand, every
// centreline point one pixel apart and measured at one level, so each step can be checked on a picture one can draw.
import type { GraphNode, NodeKind, Point } from '../../../shared/measure/centrelines.js';
import type { VesselClass, VesselSegment } from '../../../shared/measure/vessel-graph.js';

export class HandGraph {
  readonly nodes: GraphNode[] = [];
  readonly segments: VesselSegment[] = [];

  node(kind: NodeKind, at: Point): number {
    const id = this.nodes.length;
    this.nodes.push({ id, kind, x: at.x, y: at.y, paths: [] });
    return id;
  }

  /** A straight segment from node `from` to node `to`, `width` pixels wide all along. */
  segment(from: number, to: number, width: number, av: VesselClass | null, bridge = false): number {
    const a = this.nodes[from];
    const b = this.nodes[to];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    const steps = Math.max(1, Math.round(length));
    const points = Array.from({ length: steps + 1 }, (_, k) => ({
      x: a.x + ((b.x - a.x) * k) / steps,
      y: a.y + ((b.y - a.y) * k) / steps,
      widths: Float32Array.of(width),
    }));
    const id = this.segments.length;
    this.segments.push({
      id,
      from,
      to,
      points,
      length,
      chord: length,
      distanceFactor: 1,
      tortuosityDensity: 0,
      width: [width],
      widthSd: 0,
      widthPoints: points.length,
      av,
      arteryProbability: av === 'artery' ? 0.9 : av === 'vein' ? 0.1 : null,
      bridge,
    });
    return id;
  }
}

/** The point at distance `r` from `centre` in direction `angle` (radians). */
export function polar(centre: Point, r: number, angle: number): Point {
  return { x: centre.x + r * Math.cos(angle), y: centre.y + r * Math.sin(angle) };
}
