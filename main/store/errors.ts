// Errors of the study store. Each carries a one-line message naming the file or the cause, so the CLI and the
// UI can show it as is.

export class StoreError extends Error {
  override name = 'StoreError';
}

/**
 * A team database that cannot be reached now (PostgreSQL down or restarting, the network cut): nothing was done,
 * and the next request tries again. Named StoreError so it crosses the RPC boundary as a storage problem.
 */
export class DatabaseUnreachableError extends StoreError {}

/**
 * Another process (the app, a `retina` command) held the study's write lock for longer than a write waits for it:
 * nothing was changed, and the same action can be tried again once that process is done.
 */
export class StoreBusyError extends StoreError {}

/** The database was written by a newer RetinaStudio: opening it would risk corrupting data we do not know. */
export class SchemaTooNewError extends StoreError {
  override name = 'SchemaTooNewError';
}

/** A study made by an earlier version, opened by a command that must not upgrade it. */
export class SchemaTooOldError extends StoreError {
  override name = 'SchemaTooOldError';
}

/** `PRAGMA integrity_check` failed, or the file is not a SQLite database. */
export class StoreCorruptError extends StoreError {
  override name = 'StoreCorruptError';
}

/** The database (or its folder, which SQLite needs for the WAL) cannot be written. */
export class StoreReadOnlyError extends StoreError {
  override name = 'StoreReadOnlyError';
}

/** An image file that cannot be read or decoded. */
export class UnreadableImageError extends StoreError {
  override name = 'UnreadableImageError';
}

/** A mask whose size differs from its image's. */
export class MaskSizeError extends StoreError {
  override name = 'MaskSizeError';
}

/** A DICOM file the importer does not support (compressed, not 8-bit, no pixel data...). */
export class DicomError extends StoreError {
  override name = 'DicomError';
}

/** A row that does not exist, or a change the data rules forbid. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
}
export class ConstraintError extends StoreError {
  override name = 'ConstraintError';
}
