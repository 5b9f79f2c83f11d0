// Every blob hash a row refers to: what a backup must copy and a check must find.
import type { SqlDatabase } from './sql.js';

export function referencedBlobs(db: SqlDatabase): string[] {
  const rows = db
    .prepare(
      `SELECT file_hash AS h FROM images UNION SELECT raster_hash FROM images WHERE raster_hash IS NOT NULL
       UNION SELECT fov_hash FROM images WHERE fov_hash IS NOT NULL
       UNION SELECT png_hash FROM mask_versions UNION SELECT prob_hash FROM mask_versions WHERE prob_hash IS NOT NULL
       UNION SELECT uncertainty_hash FROM mask_versions WHERE uncertainty_hash IS NOT NULL
       UNION SELECT av_hash FROM mask_versions WHERE av_hash IS NOT NULL
       UNION SELECT artery_prob_hash FROM mask_versions WHERE artery_prob_hash IS NOT NULL
       UNION SELECT png_hash FROM kept_drafts UNION SELECT av_hash FROM kept_drafts WHERE av_hash IS NOT NULL`,
    )
    .pluck()
    .all() as string[];
  return rows.sort();
}
