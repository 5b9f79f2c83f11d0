// New image and mask version ids continue above every id ever erased (see schema v12): SQLite would otherwise
// give a deleted highest id to the next row, and the audit log's history of "image 57" would run on into another
// patient's photograph. Explicit ids on both backends; writes are serialised, so two inserts never race for one.

export const NEXT_IMAGE_ID = `(SELECT COALESCE(MAX(n), 0) + 1 FROM
  (SELECT MAX(id) AS n FROM images UNION ALL SELECT MAX(image_id) FROM erased_images) AS ids)`;

export const NEXT_MASK_VERSION_ID = `(SELECT COALESCE(MAX(n), 0) + 1 FROM
  (SELECT MAX(id) AS n FROM mask_versions UNION ALL SELECT MAX(mask_versions_up_to) FROM erased_images) AS ids)`;
