// Which of the pointers on the canvas drives it. A pen or a mouse draws alone: a palm resting on the screen (a
// touch) while it does is ignored. Two fingers pinch; a finger already drawing when the second lands has its
// gesture dropped. A pen that lands while fingers are down takes over (that finger was the palm). Any other
// pointer, and a move from a pointer that drives nothing (a hovering pen, a mouse nudged), is ignored.

/** What a press does: starts a gesture; drops the one in progress and starts its own; joins a pinch; nothing. */
export type Press = 'start' | 'takeOver' | 'pinch' | 'ignore';

export class PointerArbiter {
  private owner: { id: number; type: string } | null = null;
  private readonly pinching = new Set<number>();

  /** `type` is the PointerEvent's pointerType ('mouse', 'pen', 'touch'). */
  press(id: number, type: string): Press {
    const o = this.owner;
    if (type === 'pen' && (this.pinching.size > 0 || o?.type === 'touch')) {
      this.pinching.clear();
      this.owner = { id, type };
      return 'takeOver';
    }
    if (this.pinching.size > 0) {
      // A finger of a pinch lifted and put back resumes it.
      if (type !== 'touch' || this.pinching.size >= 2) return 'ignore';
      this.pinching.add(id);
      return 'pinch';
    }
    // The same pointer pressed again (its release was never seen) starts afresh.
    if (!o || o.id === id) {
      this.owner = { id, type };
      return 'start';
    }
    if (type === 'touch' && o.type === 'touch') {
      this.owner = null;
      this.pinching.add(o.id).add(id);
      return 'pinch';
    }
    return 'ignore';
  }

  /** Whether this pointer's moves and release drive the gesture in progress. */
  drives(id: number): boolean {
    return this.owner?.id === id;
  }

  /** The two pointers of a pinch, or null when there is no pinch of two. */
  get pinch(): [number, number] | null {
    return this.pinching.size === 2 ? ([...this.pinching] as [number, number]) : null;
  }

  get pinchActive(): boolean {
    return this.pinching.size > 0;
  }

  /** No pointer drives anything: moves are hovering. */
  get idle(): boolean {
    return !this.owner && this.pinching.size === 0;
  }

  /** The pointer is up or cancelled; true when it drove the gesture in progress (which then ends). */
  release(id: number): boolean {
    this.pinching.delete(id);
    if (this.owner?.id !== id) return false;
    this.owner = null;
    return true;
  }

  /**
   * How a pointer's gesture ends, the pointer released: 'commit' what it did, 'abandon' it, or null when it drove
   * nothing (a palm, a pinch finger, or a pointer already released: capture is lost after every pointerup too).
   * A capture lost without a pointerup (the window lost focus, an alert) ends it as the release that will not come:
   * left open, the next moves of that pointer would go on painting with the button up.
   */
  end(id: number, how: PointerEnd): 'commit' | 'abandon' | null {
    if (!this.release(id)) return null;
    // A cancel is the browser taking the pointer over (a system gesture): nothing is applied half.
    return how === 'cancel' ? 'abandon' : 'commit';
  }
}

/** Why a pointer stopped driving: its pointerup, its pointercancel, or its lostpointercapture. */
export type PointerEnd = 'up' | 'cancel' | 'lostCapture';
