// Handing bytes to the user as a downloaded file (browser mode's way of saving an export).

/** Saves bytes as a file through the browser's own download (works in Electron too). */
export function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started reading the blob; free it once the click's work is done.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
