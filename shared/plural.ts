// "1 image", "2 images": a count with its noun, for messages on both sides (English plurals by -s unless given).
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
