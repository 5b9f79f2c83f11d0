// A photograph whose disc a person removed, as the optic-disc retrain reads it: the CC0 sample cut to its middle
// (no disc), with an empty disc mask, is prepared like any disc reference (a "not disc" target everywhere, no patch
// focus) and validated: a network that finds no disc there scores it right, one that finds a disc fully wrong, as a
// false disc is.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openModel, type LoadedModel } from '../../main/ml/model/model-loader.js';
import { openAnatomyModel } from '../../main/ml/anatomy/anatomy-models.js';
import {
  DISC_THRESHOLD,
  OPTIC_DISC_CONFIG,
  prepareOpticDisc,
  validateOpticDisc,
} from '../../main/ml/anatomy/train-optic-disc.js';
import { discFromProbability } from '../../main/ml/anatomy/optic-disc.js';
import { predictPlanes } from '../../main/ml/anatomy/plane-predict.js';
import { encodeMaskPng } from '../../main/store/masks.js';
import { repoRoot } from '../e2e/model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

describe('a removed disc as a disc training sample', () => {
  let dir: string;
  let vessel: LoadedModel;
  let disc: LoadedModel;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-disc-negative-'));
    vessel = await openModel(path.join(repoRoot, 'resources', 'models', 'default'), { threads: 1 });
    disc = await openAnatomyModel('optic-disc', undefined, { threads: 1 });
  });

  after(async () => {
    await disc?.predictor.dispose();
    await vessel?.predictor.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('an empty disc mask prepares a "not disc" sample, and validation scores it', async () => {
    const imagePath = path.join(dir, 'no-disc.png');
    await sharp(SAMPLE).extract({ left: 400, top: 350, width: 700, height: 700 }).png().toFile(imagePath);
    const discPath = path.join(dir, 'no-disc_disc.png');
    await sharp(encodeMaskPng({ width: 700, height: 700, data: new Uint8Array(700 * 700) })).toFile(discPath);
    const sample = await prepareOpticDisc({ id: 'store/1', imagePath, discPath }, vessel);
    assert.equal(
      sample.target.some((v) => v !== 0),
      false,
      'the target has disc pixels',
    );
    assert.equal(sample.focus.length, 0);
    assert.ok(sample.anywhere.length > 0, 'no field of view to sample "not disc" from');
    const v = await validateOpticDisc(disc.predictor, [sample]);
    // The raw network (without the disc search's plausibility checks) finds a region or none: wrong or right.
    const p = await predictPlanes(
      disc.predictor,
      sample.planes,
      sample.width,
      sample.height,
      2 ** OPTIC_DISC_CONFIG.architecture.depth,
    );
    const found = discFromProbability(p, sample.width, sample.height, DISC_THRESHOLD) !== null;
    assert.deepEqual(v.detail, {
      centreWithinQuarter: found ? 0 : 1,
      diameterWithin15: found ? 0 : 1,
      meanCentreError: found ? 1 : 0,
      meanDiameterError: found ? 1 : 0,
    });
  });
});
