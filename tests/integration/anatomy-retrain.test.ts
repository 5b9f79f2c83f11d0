// The anatomy models' retrain on both store backends, with real DRIVE photographs, RITE's artery/vein labels and
// DRIVE-OD's discs: a person corrects the labels and moves the disc of the model's predictions (on one image removes
// it, as a false disc is removed) and approves them.
// Too few corrections: each task is skipped with its reason (by `retina retrain` too) and nothing is registered.
// Enough: one retrain (the vessel part has nothing to do, since no vessel mask changed) fine-tunes an artery/vein
// and a disc candidate from the task's model on exactly the corrections not held out (plus replay of the model's
// own training image), judges both on the held-out corrections by the gate's rules, and promotes each only when
// better. A repeat has nothing new; `retina models` lists them with their task and rolls one task back on its own.
// The prediction job labels with the store's active anatomy models, and the images nobody worked on are predicted
// again with a promoted one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  activeModel,
  getModel,
  getTrainingRun,
  importImageFiles,
  latestMaskVersion,
  listModels,
  listTrainingRuns,
  modelTrainingMasks,
  openStore,
  promoteModel,
  registerModel,
  type Store,
} from '../../main/store/index.js';
import { RetrainError } from '../../main/retrain/errors.js';
import { runRetrainAll, type RetrainParts } from '../../main/retrain/retrain-all.js';
import type { AnatomyRetrainOutcome } from '../../main/retrain/anatomy-run.js';
import { judgeAnatomy } from '../../main/retrain/anatomy-gate.js';
import { pendingApprovals } from '../../main/handlers/retrain.js';
import type { RetrainSettings } from '../../main/retrain/settings.js';
import type { RetrainProgress } from '../../main/retrain/progress.js';
import { runPredictJob } from '../../main/jobs/predict.js';
import { withActiveAnatomy } from '../../main/jobs/anatomy-dirs.js';
import { MANIFEST_FILE, readManifest } from '../../main/ml/model/model-dir.js';
import type { ModelManifest } from '../../main/ml/types.js';
import { repoRoot, tinyAnatomyModelsDir, tinyFramedModelDir } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';
import { approveAnatomyPrediction } from '../support/anatomy-corrections.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const SETTINGS: Partial<RetrainSettings> = {
  epochs: 1,
  stepsPerEpoch: 2,
  batchSize: 2,
  learningRate: 3e-3,
  replayImages: 1,
  minHeldOut: 3,
  heldOutFraction: 0.2,
  seed: 7,
};

for (const kind of STORE_BACKENDS)
  describe(`anatomy retrain from approved corrections (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let store: Store;
    let location: string;
    let vesselId: number;
    let vesselDir: string;
    let dirs: { arteryVein: string; opticDisc: string };
    const images = new Map<string, number>();
    /** Approved versions a person corrected (labels and disc), by DRIVE id. */
    const corrected = new Map<string, number>();

    /** The model's prediction (every vessel a vein, the disc 60 px off), approved as it was or corrected. */
    async function predictAndApprove(
      id: string,
      correct: boolean,
      disc: 'moved' | 'removed' = 'moved',
    ): Promise<number> {
      const approved = await approveAnatomyPrediction(store, {
        imageId: images.get(id)!,
        driveId: id,
        vesselModelId: vesselId,
        correct,
        disc,
      });
      if (correct) corrected.set(id, approved);
      return approved;
    }

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-retrain-'));
      location = backend.location('anatomy_retrain');
      store = openStore(location);
      vesselDir = await tinyFramedModelDir();
      vesselId = registerModel(store, { name: 'tiny-vessel', dirPath: vesselDir, architecture: {} }, 't').id;
      promoteModel(store, vesselId, 't');
      // The artery/vein model "was trained on" DRIVE 21, which is on this machine: a retrain replays it.
      const fixtures = await tinyAnatomyModelsDir();
      dirs = { arteryVein: path.join(dir, 'artery-vein'), opticDisc: path.join(fixtures, 'optic-disc') };
      await cp(path.join(fixtures, 'artery-vein'), dirs.arteryVein, { recursive: true });
      const file = path.join(dirs.arteryVein, MANIFEST_FILE);
      const manifest = JSON.parse(await readFile(file, 'utf8')) as ModelManifest;
      manifest.provenance.trainIds = ['drive/21_training'];
      await writeFile(file, JSON.stringify(manifest));
      // 07 is never predicted: a draft-free image, predicted again once an anatomy candidate is active.
      const ids = ['01', '02', '03', '04', '05', '06', '07'];
      const report = await importImageFiles(
        store,
        ids.map((id) => ({ imagePath: driveTestImagePath(id) })),
        { actor: 'ann' },
      );
      report.imported.forEach((im, i) => images.set(ids[i], im.imageId));
    });

    after(async () => {
      store?.close();
      await rm(dir, { recursive: true, force: true });
    });

    /** What the retrain screen was shown during the last retrain. */
    let progress: RetrainProgress[] = [];
    const retrain = () => {
      progress = [];
      return runRetrainAll(store, {
        actor: 'ann',
        trigger: 'cli',
        promote: 'if-better',
        settings: SETTINGS,
        anatomyDirs: dirs,
        threads: 1,
        workers: 1,
        onProgress: (p) => progress.push({ ...p }),
      });
    };

    test('too few corrections: each task is skipped with its reason, and nothing is trained or registered', async () => {
      for (const id of ['01', '02', '03']) await predictAndApprove(id, true);
      await assert.rejects(retrain(), (err: Error) => {
        assert.ok(err instanceof RetrainError, String(err));
        assert.match(err.message, /Not enough corrected images/, 'the vessel part says why first');
        assert.match(
          err.message,
          /artery\/vein: only 3 approved images with corrected artery\/vein labels; a retrain needs 4/,
        );
        assert.match(err.message, /optic disc: only 3 approved images with a disc set by hand/);
        return true;
      });
      assert.equal(listTrainingRuns(store, { limit: 100 }).length, 0);
      assert.equal(listModels(store, { task: 'any' }).length, 1, 'only the vessel model');
    });

    test('`retina retrain` says the same and exits with an error', () => {
      const r = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'bin', 'retina.mjs'), 'retrain', '--database', location, '--threads', '1'],
        { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RETINA_FROM_SOURCE: '1' } },
      );
      assert.notEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /artery\/vein: only 3 approved images with corrected artery\/vein labels/);
      assert.match(r.stderr, /optic disc: only 3 approved images with a disc set by hand/);
      assert.equal(listTrainingRuns(store, { limit: 100 }).length, 0);
    });

    let outcomes: AnatomyRetrainOutcome[] = [];

    test('enough corrections: both candidates are trained from exactly those corrections, judged, promoted only when better', async () => {
      await predictAndApprove('04', true);
      // A disc removed by hand trains and is judged as "no disc here" (an empty disc mask), whichever side it falls.
      const removed = await predictAndApprove('05', true, 'removed');
      const unchanged = await predictAndApprove('06', false);
      const vesselPending = pendingApprovals(store);
      assert.equal(vesselPending, 6, 'six approvals the vessel model has not seen');
      const result = await retrain();
      assert.equal(result.vessel, null, 'no vessel mask changed: the vessel part had nothing to do');
      assert.match(result.vesselSkipped ?? '', /Not enough corrected images/);
      outcomes = result.anatomy.map((a) => {
        assert.ok('outcome' in a, `${a.task} ran: ${JSON.stringify(a)}`);
        return a.outcome;
      });
      assert.deepEqual(
        outcomes.map((o) => o.task),
        ['artery-vein', 'optic-disc'],
      );
      const correctedIds = [...corrected.values()].sort((a, b) => a - b);
      for (const o of outcomes) {
        const base = getModel(store, o.baseModelId);
        assert.equal(base.task, o.task);
        assert.equal(base.dirPath, o.task === 'artery-vein' ? dirs.arteryVein : dirs.opticDisc);
        const candidate = getModel(store, o.candidateModelId);
        assert.equal(candidate.task, o.task);
        assert.equal(candidate.parentModelId, base.id);
        // Trained on the corrections not held out, and on nothing else from the store.
        const trained = modelTrainingMasks(store, candidate.id).map((t) => t.maskVersionId);
        assert.deepEqual(
          trained,
          [...o.trainedOn].sort((a, b) => a - b),
        );
        // Its manifest fingerprints the corrected photographs it fitted, after its base's: a retrain from it on a
        // machine without them still knows their copies.
        const prints = Object.keys((await readManifest(candidate.dirPath)).sampleFingerprints ?? {});
        const inherited = Object.keys((await readManifest(base.dirPath)).sampleFingerprints ?? {});
        assert.deepEqual(
          inherited.filter((k) => !prints.includes(k)),
          [],
        );
        assert.equal(prints.filter((k) => k.startsWith('study/')).length, trained.length, prints.join(', '));
        const held = o.heldOut.images.map((im) => im.maskVersionId);
        assert.equal(held.length, 3);
        assert.equal(trained.length, 2);
        assert.deepEqual(
          [...trained, ...held].sort((a, b) => a - b),
          correctedIds,
        );
        assert.ok(!trained.includes(unchanged) && !held.includes(unchanged));
        // The removed disc is an artery/vein correction too; held out by the disc task, it scores 0 (no disc found)
        // or 1 (a disc found: one diameter off), never the crash an absent reference once was.
        assert.ok(trained.includes(removed) || held.includes(removed));
        const removedScore = o.heldOut.images.find((im) => im.maskVersionId === removed);
        if (o.task === 'optic-disc' && removedScore)
          for (const v of [removedScore.candidate, removedScore.active])
            assert.ok(v === 0 || v === 1, String(v));
        assert.deepEqual(o.replay, o.task === 'artery-vein' ? ['drive/21_training'] : []);
        // Judged by the gate's rules on the recorded per-image scores.
        for (const im of o.heldOut.images)
          assert.ok(Number.isFinite(im.candidate) && Number.isFinite(im.active));
        const again = judgeAnatomy(o.task, o.heldOut.images, { minImages: 3, margin: 0, seed: 7 });
        assert.equal(o.decision.reason, again.reason);
        assert.equal(o.decision.judged, true);
        const active = activeModel(store, o.task)!;
        assert.equal(o.decision.promoted, o.decision.better);
        assert.equal(active.id, o.decision.better ? candidate.id : base.id, o.decision.reason);
        if (!o.decision.better) {
          assert.equal(candidate.status, 'candidate');
          assert.ok(o.decision.advice, 'a refusal says what would help');
        }
        const run = getTrainingRun(store, o.runId);
        assert.equal(run.status, 'succeeded');
        assert.equal((run.config as { kind: string }).kind, 'anatomy-retrain');
      }
      // Each task's training moves the bar step by step to its end, saying which model it trains.
      for (const label of ['artery/vein', 'optic disc']) {
        const steps = progress.filter((p) => p.message.startsWith(`${label}: epoch 1/1, step`));
        assert.deepEqual(
          steps.map((p) => [p.phase, p.step, p.totalSteps]),
          [
            ['training', 1, 2],
            ['training', 2, 2],
          ],
          `${label}: ${progress.map((p) => p.message).join('; ')}`,
        );
      }
      assert.equal(activeModel(store)!.id, vesselId, 'the vessel model is untouched');
      // The anatomy judges' held-out images are theirs alone: the vessel model still has the same approvals to learn.
      assert.equal(pendingApprovals(store), vesselPending);
      // The retrain is known by its first run (the artery/vein one here), which records what every part did.
      const first = getTrainingRun(store, outcomes[0].runId).outcome as RetrainParts;
      assert.deepEqual(
        first.anatomyParts,
        outcomes.map((o) => ({ task: o.task, runId: o.runId })),
      );
      assert.equal(first.vesselSkipped, result.vesselSkipped);
      const promoted = outcomes.some((o) => o.decision.promoted);
      assert.equal(result.anatomyRepredicted, promoted ? 1 : 0, String(result.anatomyRepredictError));
      if (promoted) assert.ok(latestMaskVersion(store, images.get('07')!, 'prediction')?.avHash);
    });

    test('a repeat has no correction new to the model: each task says so, nothing trains', async () => {
      const runs = listTrainingRuns(store, { limit: 100 }).length;
      await assert.rejects(retrain(), (err: Error) => {
        assert.ok(err instanceof RetrainError, String(err));
        assert.match(err.message, /artery\/vein: no correction new to /);
        assert.match(err.message, /optic disc: no correction new to /);
        return true;
      });
      assert.equal(listTrainingRuns(store, { limit: 100 }).length, runs);
    });

    test('`retina models` lists the anatomy models with their task and rolls a task back on its own', () => {
      const cli = (...args: string[]) =>
        spawnSync(
          process.execPath,
          [path.join(repoRoot, 'bin', 'retina.mjs'), 'models', ...args, '--database', location],
          { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RETINA_FROM_SOURCE: '1' } },
        );
      const listed = cli('list', '--task', 'all');
      assert.equal(listed.status, 0, listed.stderr);
      for (const o of outcomes) {
        assert.match(listed.stdout, new RegExp(`${o.candidateName.replace(/[+]/g, '\\+')} \\[${o.task}\\]`));
      }
      assert.doesNotMatch(cli('list').stdout, /\[artery-vein\]/, 'the default list is the vessel models');
      const av = outcomes[0];
      // Back to the model it came from when it was promoted; a candidate never active cannot be rolled back to.
      const back = cli(
        'rollback',
        String(av.decision.promoted ? av.baseModelId : av.candidateModelId),
        '--reason',
        'test',
      );
      if (av.decision.promoted) {
        assert.equal(back.status, 0, back.stderr);
        assert.equal(activeModel(store, 'artery-vein')!.id, av.baseModelId);
        // And forward again, for the prediction test below.
        assert.equal(cli('rollback', String(av.candidateModelId), '--no-repredict').status, 0);
        assert.equal(activeModel(store, 'artery-vein')!.id, av.candidateModelId);
      } else {
        assert.notEqual(back.status, 0, 'a candidate never active cannot be rolled back to');
      }
      assert.equal(activeModel(store)!.id, vesselId, 'the vessel model stays active');
    });

    test('the prediction job labels with the active anatomy model of each task', async () => {
      const active = {
        arteryVein: activeModel(store, 'artery-vein')!.dirPath,
        opticDisc: activeModel(store, 'optic-disc')!.dirPath,
      };
      assert.deepEqual(withActiveAnatomy(store, null), active);
      const imageId = images.get('06')!;
      await runPredictJob(
        store,
        {
          imageIds: [imageId],
          modelId: vesselId,
          modelDir: vesselDir,
          threads: 1,
          author: 'model',
          anatomy: null,
        },
        { isCancelled: () => false, progress: () => undefined },
      );
      const p = latestMaskVersion(store, imageId, 'prediction')!;
      assert.ok(p.avHash, 'labelled by the store’s active artery/vein model, though the job was given none');
      assert.ok(p.anatomy);
    });
  });
