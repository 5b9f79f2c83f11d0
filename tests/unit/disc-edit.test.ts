// The optic disc and fovea edited by hand: the pure geometry of the Disc tool (what a press grabs, the disc a drag
// draws, the size a click gives, the disc kept on the image) and the document placing a disc where none was found,
// resizing it, putting the fovea, and undoing them in turn with pixel edits.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_DISC_DIAMETER,
  clampDisc,
  defaultDiscDiameter,
  discGrab,
  discThrough,
  resizedDisc,
} from '../../renderer/src/editing/discEdit.js';
import { MaskDocument } from '../../renderer/src/viewer/maskDocument.js';
import { actionFor } from '../../renderer/src/viewer/keymap.js';
import { keyPress } from '../support/drawn-masks.js';

describe('disc geometry', () => {
  const disc = { x: 50, y: 40, diameter: 20 };

  test('a press grabs the centre dot, the rim, or nothing', () => {
    assert.equal(discGrab({ x: 52, y: 41 }, disc, 3), 'centre');
    assert.equal(discGrab({ x: 61, y: 40 }, disc, 3), 'rim', 'one pixel inside the rim');
    assert.equal(discGrab({ x: 50, y: 52 }, disc, 3), 'rim', 'two pixels outside it');
    assert.equal(discGrab({ x: 56, y: 40 }, disc, 3), null, 'between centre and rim');
    assert.equal(discGrab({ x: 70, y: 40 }, disc, 3), null);
    assert.equal(discGrab({ x: 50, y: 40 }, null, 3), null, 'no disc');
  });

  test('a key step sizes the disc 5% about its centre', () => {
    assert.deepEqual(resizedDisc({ x: 5, y: 6, diameter: 100 }, 1), { x: 5, y: 6, diameter: 105 });
    assert.ok(Math.abs(resizedDisc({ x: 5, y: 6, diameter: 105 }, -1).diameter - 100) < 1e-9);
  });

  test('a drag draws the disc centred where it started, its rim where it is', () => {
    assert.deepEqual(discThrough({ x: 10, y: 10 }, { x: 13, y: 14 }), { x: 10, y: 10, diameter: 10 });
  });

  test('a clicked disc spans a seventh of the shorter side; a disc stays on the image and within its size', () => {
    assert.equal(defaultDiscDiameter(565, 584), 81);
    assert.equal(defaultDiscDiameter(10, 10), MIN_DISC_DIAMETER);
    assert.deepEqual(clampDisc({ x: -5, y: 120, diameter: 1 }, 100, 80), {
      x: 0,
      y: 80,
      diameter: MIN_DISC_DIAMETER,
    });
    assert.equal(clampDisc({ x: 5, y: 5, diameter: 500 }, 100, 80).diameter, 100);
  });
});

describe('the document places and sizes the disc', () => {
  function openDoc(disc: { x: number; y: number; diameter: number } | null, withAnatomy = true) {
    const w = 60;
    const h = 50;
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) mask[y * w + 30] = 1;
    const doc = new MaskDocument({
      width: w,
      height: h,
      saved: { data: mask, versionId: 'd1' },
      prediction: null,
      anatomy: withAnatomy
        ? {
            labels: Uint8Array.from(mask, (v) => v),
            record: { disc, fovea: null, laterality: null, discMovedBy: null },
          }
        : undefined,
    });
    let edits = 0;
    doc.onEdited = () => edits++;
    doc.prepare();
    return { doc, edits: () => edits };
  }

  test('a disc placed where none was found is saved, undone to none, and redone', () => {
    const { doc, edits } = openDoc(null);
    assert.equal(doc.moveDisc({ x: 5, y: 5 }), false, 'nothing to move');
    assert.ok(doc.canEditMarkers);
    assert.ok(doc.setDisc({ x: 20, y: 25, diameter: 12 }));
    assert.equal(edits(), 1);
    assert.deepEqual(doc.anatomySnapshot(doc.snapshot()).anatomy?.disc, { x: 20, y: 25, diameter: 12 });
    assert.ok(doc.undoEdit());
    assert.equal(doc.anatomy?.disc, null, 'undo takes the placed disc away again');
    assert.ok(doc.redoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 20, y: 25, diameter: 12 });
  });

  test('resizing keeps the centre; a pixel edit between two disc edits is undone in turn', () => {
    const { doc } = openDoc({ x: 10, y: 10, diameter: 8 });
    assert.ok(doc.setDisc({ x: 10, y: 10, diameter: 14 }));
    doc.begin('brush');
    doc.stroke({ x: 50.5, y: 10.5 }, { x: 50.5, y: 20.5 }, 1, 1);
    doc.commit();
    const brushed = doc.snapshot();
    assert.ok(doc.moveDisc({ x: 30, y: 30 }));
    assert.deepEqual(doc.anatomy?.disc, { x: 30, y: 30, diameter: 14 }, 'a move keeps the new size');
    assert.equal(doc.setDisc({ x: 30, y: 30, diameter: 14 }), false, 'nothing changes');
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 10, y: 10, diameter: 14 });
    assert.deepEqual(doc.snapshot(), brushed, 'the stroke is still there');
    assert.ok(doc.undoEdit());
    assert.notDeepEqual(doc.snapshot(), brushed, 'the stroke went second');
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 10, y: 10, diameter: 8 });
  });

  test('a disc edit after an undone stroke drops that stroke: redo cannot bring it back', () => {
    const { doc } = openDoc({ x: 10, y: 10, diameter: 8 });
    const opened = doc.snapshot();
    doc.begin('brush');
    doc.stroke({ x: 50.5, y: 10.5 }, { x: 50.5, y: 20.5 }, 1, 1);
    doc.commit();
    assert.ok(doc.undoEdit());
    assert.ok(doc.moveDisc({ x: 30, y: 30 }));
    assert.equal(doc.canRedo, false, 'a new edit leaves nothing to redo');
    assert.equal(doc.redoEdit(), false);
    assert.deepEqual(doc.snapshot(), opened, 'the undone stroke stays undone');
    assert.deepEqual(doc.anatomy?.disc, { x: 30, y: 30, diameter: 8 });
  });

  test('past the undo budget the oldest strokes go, and a disc move made before them goes too', () => {
    const open = (undoBudgetBytes?: number) => {
      const w = 60;
      const h = 50;
      const doc = new MaskDocument({
        width: w,
        height: h,
        saved: { data: new Uint8Array(w * h), versionId: 'd1' },
        prediction: null,
        anatomy: {
          labels: new Uint8Array(w * h),
          record: { disc: { x: 10, y: 10, diameter: 8 }, fovea: null, laterality: null, discMovedBy: null },
        },
        undoBudgetBytes,
      });
      doc.prepare();
      return doc;
    };
    const stroke = (doc: MaskDocument, x: number) => {
      doc.begin('brush');
      doc.stroke({ x: x + 0.5, y: 20.5 }, { x: x + 0.5, y: 30.5 }, 1, 1);
      doc.commit();
    };
    const probe = open();
    stroke(probe, 40);
    // Room for two strokes of that size.
    const doc = open(2 * probe.undo.bytes);
    assert.ok(doc.moveDisc({ x: 12, y: 12 }));
    stroke(doc, 30);
    const first = doc.snapshot();
    stroke(doc, 40);
    assert.ok(doc.moveDisc({ x: 14, y: 14 }));
    stroke(doc, 50);
    assert.equal(doc.undo.forgotten, 1, 'the oldest stroke was let go');
    assert.ok(doc.undoEdit());
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 12, y: 12, diameter: 8 }, 'the later move is undone in turn');
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.snapshot(), first);
    assert.equal(doc.undoEdit(), false, 'nothing older can be undone');
    assert.equal(doc.canUndo, false);
    assert.deepEqual(
      doc.anatomy?.disc,
      { x: 12, y: 12, diameter: 8 },
      'the move before the lost stroke stays',
    );
    for (let k = 0; k < 3; k++) assert.ok(doc.redoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 14, y: 14, diameter: 8 });
  });

  test('the fovea is put by hand (confidence 1), undone with the disc edits in order', () => {
    const { doc, edits } = openDoc({ x: 10, y: 10, diameter: 8 });
    assert.ok(doc.setFovea({ x: 40, y: 20 }));
    assert.deepEqual(doc.anatomy?.fovea, { x: 40, y: 20, confidence: 1 });
    assert.equal(doc.setFovea({ x: 40, y: 20 }), false, 'nothing changes');
    assert.ok(doc.moveDisc({ x: 12, y: 12 }));
    assert.ok(doc.setFovea({ x: 70, y: -3 }));
    assert.deepEqual(doc.anatomy?.fovea, { x: 60, y: 0, confidence: 1 }, 'kept on the image');
    assert.equal(edits(), 3);
    assert.deepEqual(doc.anatomySnapshot(doc.snapshot()).anatomy, {
      disc: { x: 12, y: 12, diameter: 8 },
      fovea: { x: 60, y: 0, confidence: 1 },
      laterality: 'L',
    });
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.fovea, { x: 40, y: 20, confidence: 1 });
    assert.ok(doc.undoEdit());
    assert.deepEqual(doc.anatomy?.disc, { x: 10, y: 10, diameter: 8 });
    assert.deepEqual(doc.anatomy?.fovea, { x: 40, y: 20, confidence: 1 }, 'a disc undo leaves the fovea');
    assert.ok(doc.undoEdit());
    assert.equal(doc.anatomy?.fovea, null);
    assert.equal(doc.undoEdit(), false);
  });

  test('the laterality follows the markers where they tell the eye, and is undone with them', () => {
    const { doc } = openDoc({ x: 10, y: 25, diameter: 8 });
    assert.equal(doc.anatomy?.laterality, null);
    assert.ok(doc.setFovea({ x: 40, y: 25 }));
    assert.equal(doc.anatomy?.laterality, 'L', 'the disc left of the fovea: a left eye');
    assert.ok(doc.moveDisc({ x: 55, y: 25 }));
    assert.equal(doc.anatomy?.laterality, 'R');
    assert.ok(doc.moveDisc({ x: 45, y: 25 }));
    assert.equal(doc.anatomy?.laterality, 'R', 'closer than a diameter says nothing: it stays');
    assert.ok(doc.undoEdit());
    assert.ok(doc.undoEdit());
    assert.equal(doc.anatomy?.laterality, 'L');
    assert.ok(doc.undoEdit());
    assert.equal(doc.anatomy?.laterality, null);
  });

  test("removing a false disc takes the model's fovea with it, keeps one put by hand, and is undone", () => {
    const model = openDoc({ x: 10, y: 25, diameter: 8 });
    model.doc.anatomy = { ...model.doc.anatomy!, fovea: { x: 40, y: 25, confidence: 0.6 }, laterality: 'L' };
    assert.ok(model.doc.removeDisc());
    assert.deepEqual(
      [model.doc.anatomy?.disc, model.doc.anatomy?.fovea, model.doc.anatomy?.laterality],
      [null, null, null],
    );
    assert.equal(model.doc.removeDisc(), false, 'nothing left to remove');
    assert.ok(model.doc.undoEdit());
    assert.deepEqual(model.doc.anatomy?.fovea, { x: 40, y: 25, confidence: 0.6 });
    assert.equal(model.doc.anatomy?.laterality, 'L');

    const hand = openDoc({ x: 10, y: 25, diameter: 8 }).doc;
    assert.ok(hand.setFovea({ x: 40, y: 25 }));
    assert.ok(hand.removeDisc());
    assert.deepEqual(hand.anatomy?.fovea, { x: 40, y: 25, confidence: 1 });
  });

  test('a disc removed by hand is told from one the model never found, before and after saving', () => {
    const found = openDoc({ x: 10, y: 25, diameter: 8 }).doc;
    assert.equal(found.discRemovedByHand, false);
    assert.ok(found.removeDisc());
    assert.equal(found.discRemovedByHand, true, 'removed here, not yet saved');
    assert.ok(found.undoEdit());
    assert.equal(found.discRemovedByHand, false, 'undone: the disc is back');

    const none = openDoc(null).doc;
    assert.equal(none.discRemovedByHand, false, 'the model found none');
    assert.ok(none.setDisc({ x: 20, y: 25, diameter: 12 }));
    assert.ok(none.removeDisc());
    assert.equal(none.discRemovedByHand, false, 'placed and taken away again: still none found');

    const saved = openDoc(null).doc;
    saved.anatomy = { ...saved.anatomy!, discMovedBy: 'ann' };
    assert.equal(saved.discRemovedByHand, true, 'a saved version whose disc a person removed');
  });

  test('an approved image, or one without an anatomy record, takes no disc', () => {
    const { doc } = openDoc(null);
    doc.locked = true;
    assert.equal(doc.canEditMarkers, false);
    assert.equal(doc.setDisc({ x: 20, y: 25, diameter: 12 }), false);
    const bare = openDoc(null, false).doc;
    assert.equal(bare.canEditMarkers, false);
    assert.equal(bare.setDisc({ x: 20, y: 25, diameter: 12 }), false);
    assert.equal(bare.setFovea({ x: 20, y: 25 }), false);
  });

  test('Shift+D picks the Disc tool (D stays the difference overlay)', () => {
    assert.equal(actionFor(keyPress('D', true)), 'disc');
    assert.equal(actionFor(keyPress('d')), 'toggleDiff');
    assert.equal(actionFor(keyPress('Delete')), 'removeDisc');
    assert.equal(actionFor(keyPress('Backspace')), 'removeDisc');
  });
});
