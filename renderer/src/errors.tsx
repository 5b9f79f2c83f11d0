// Turning failures into messages a user can read: errors from main carry a one-line message made for the UI;
// anything else (a bug in the renderer) is labelled as unexpected. A render failure shows a message in place of
// the broken part instead of leaving a blank window.
import { Component, type ReactNode } from 'react';
import { RpcError } from '../../shared/contract.js';

export function readableError(err: unknown): string {
  if (err instanceof RpcError) {
    return err.code === 'internal' ? `Unexpected error in RetinaStudio: ${err.message}` : err.message;
  }
  if (err instanceof Error) return err.message ? `Unexpected error: ${err.message}` : err.name;
  return `Unexpected error: ${String(err)}`;
}

interface BoundaryProps {
  children: ReactNode;
  /** Changing it clears a caught failure (e.g. another image was opened). */
  resetKey: string;
  onBack: () => void;
  /** The caught failure, for the support log. */
  onError?: (error: Error) => void;
}

export class ErrorBoundary extends Component<BoundaryProps, { error: Error | null; key: string }> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: BoundaryProps, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error) {
    this.props.onError?.(error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="load-error" role="alert" data-testid="render-error">
        <p>This view failed: {this.state.error.message}</p>
        <button onClick={this.props.onBack}>Back to the worklist</button>
      </div>
    );
  }
}
