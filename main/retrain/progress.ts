// A retrain's progress: what the UI shows (phase, steps, ETA, loss curve) and the run row's heartbeat and log,
// both driven by the trainer's events and the run's own steps.
import type { TrainEvent } from '../ml/train/training-run.js';
import { updateTrainingProgress, type Store } from '../store/index.js';
import type { RetrainPhase, RetrainStatus } from '../../shared/contract.js';

// The phases and fields the UI shows are the contract's: one definition for both sides.
export type { RetrainPhase };

/** The contract's RetrainStatus as main tracks it: a row id, and the epoch curve under its own name. */
export interface RetrainProgress extends Omit<
  RetrainStatus,
  'runId' | 'state' | 'validation' | 'error' | 'candidateModelId'
> {
  runId: number;
  epochCurve: RetrainStatus['validation'];
  /** Which model this run trains ('vessel', 'artery/vein', 'optic disc'): one retrain trains them in turn. */
  part: string;
}

/** Follows training events: the progress the UI shows, and the run row's heartbeat and log. */
export class ProgressTracker {
  readonly losses: number[] = [];
  readonly epochCurve: RetrainProgress['epochCurve'] = [];
  private readonly started = Date.now();
  private trainStarted = 0;
  private lastBeat = 0;
  state: RetrainProgress;

  constructor(
    private readonly store: Store,
    runId: number,
    epochs: number,
    totalSteps: number,
    private readonly emit: (p: RetrainProgress) => void,
    part = 'vessel',
  ) {
    this.state = {
      runId,
      part,
      phase: 'preparing',
      message: 'writing the training set',
      step: 0,
      totalSteps,
      epoch: 0,
      epochs,
      loss: null,
      elapsedSeconds: 0,
      etaSeconds: null,
      losses: this.losses,
      epochCurve: this.epochCurve,
    };
  }

  update(change: Partial<RetrainProgress>, log?: string): void {
    this.state = { ...this.state, ...change, elapsedSeconds: (Date.now() - this.started) / 1000 };
    this.emit(this.state);
    // 'finished' is announced after the run row is closed: a heartbeat then would be refused (the run is no longer
    // running) and turn a finished run into a failed one.
    if (this.state.phase === 'finished') return;
    const now = Date.now();
    if (log || now - this.lastBeat > 10_000) {
      this.lastBeat = now;
      const fraction = this.state.totalSteps > 0 ? (0.85 * this.state.step) / this.state.totalSteps : 0;
      const p = this.state.phase === 'training' ? fraction : this.state.phase === 'preparing' ? 0 : 0.9;
      updateTrainingProgress(this.store, this.state.runId, p, log);
    }
  }

  /** `label`: the model being trained, where the retrain trains more than one (`artery/vein: epoch 1/4, ...`). */
  onTrain(e: TrainEvent, label?: string): void {
    if (e.type === 'step') {
      if (this.trainStarted === 0) this.trainStarted = Date.now();
      this.losses.push(e.loss);
      const done = e.globalStep + 1;
      const perStep = (Date.now() - this.trainStarted) / 1000 / done;
      this.update({
        phase: 'training',
        message: `${label ? `${label}: ` : ''}epoch ${e.epoch + 1}/${this.state.epochs}, step ${done}/${e.totalSteps}`,
        step: done,
        totalSteps: e.totalSteps,
        epoch: e.epoch + 1,
        loss: e.loss,
        etaSeconds: perStep * (e.totalSteps - done),
      });
    } else if (e.type === 'epoch') {
      this.epochCurve.push({ epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, valF1: e.valF1 });
      this.update(
        { message: `epoch ${e.epoch}/${e.epochs}: validation F1 ${e.valF1.toFixed(4)}` },
        `epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}, ` +
          `val F1 ${e.valF1.toFixed(4)}${e.improved ? ' (best)' : ''}`,
      );
    } else if (e.type === 'load') {
      this.update({ message: `loading and preprocessing image ${e.done}/${e.total}` });
    } else if (e.type === 'prepare' || e.type === 'finalise') {
      this.update({ message: e.message });
    } else if (e.type === 'stop') {
      this.update({ message: `training stopped: ${e.reason}` }, `training stopped: ${e.reason}`);
    }
  }
}
