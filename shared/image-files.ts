// The file extensions of the photograph formats RetinaStudio reads (detection itself is by content), for the engine's
// folder scans and the renderer's file picker alike. DICOM files are recognised by content too, with or without
// `.dcm`.
export const IMAGE_FILE_EXTENSIONS: readonly string[] = [
  '.png',
  '.tif',
  '.tiff',
  '.gif',
  '.jpg',
  '.jpeg',
  '.bmp',
  '.ppm',
  '.pgm',
  '.pbm',
  '.pnm',
  '.webp',
];

/** The file picker's `accept`: every format read, DICOM included. */
export const IMAGE_PICKER_ACCEPT = [...IMAGE_FILE_EXTENSIONS, '.dcm', 'application/dicom'].join(',');
