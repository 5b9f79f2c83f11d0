// The measured vessels' names on the report's picture: outward from the disc, and never on top of each other even
// where two vessels cross the ring side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeLabels, type LabelBox } from '../../../shared/measure/label-placement.js';

const overlap = (a: LabelBox, b: LabelBox): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y - a.height < b.y && b.y - b.height < a.y;

test('twelve names round a ring, two pairs of vessels side by side: none overlaps another, each lies outward', () => {
  const centre = { x: 300, y: 300 };
  const angles = [0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 304, 92, 2];
  const marks = angles.map((deg, i) => ({
    x: centre.x + 100 * Math.cos((deg * Math.PI) / 180),
    y: centre.y + 100 * Math.sin((deg * Math.PI) / 180),
    text: `${i % 2 ? 'V' : 'A'}${i + 1}`,
  }));
  const boxes = placeLabels(marks, centre, 18, 8);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = 0; j < i; j++)
      assert.ok(!overlap(boxes[i], boxes[j]), `${marks[i].text} overlaps ${marks[j].text}`);
    const mid = { x: boxes[i].x + boxes[i].width / 2, y: boxes[i].y - boxes[i].height / 2 };
    assert.ok(
      Math.hypot(mid.x - centre.x, mid.y - centre.y) > 100,
      `${marks[i].text} is not outside its marker's ring`,
    );
  }
});

test('without a disc the names go to the right of their markers', () => {
  const [box] = placeLabels([{ x: 50, y: 50, text: 'A1' }], null, 10, 4);
  assert.ok(box.x > 50);
});

test("a name keeps clear of what is already written there (a zone's letter at the top of its ring)", () => {
  const centre = { x: 300, y: 300 };
  // A vessel crossing the ring straight above the disc: its name would sit where zone B's letter is written.
  const mark = { x: 300, y: 200, text: 'V3' };
  const free = placeLabels([mark], centre, 12, 6)[0];
  const letter: LabelBox = { x: free.x, y: free.y, width: 8, height: 13 };
  const [box] = placeLabels([mark], centre, 12, 6, [letter]);
  assert.ok(!overlap(box, letter), 'the name is written over the letter');
  assert.ok(box.y < letter.y, 'moved outward, away from the disc');
});
