// The ids an import has seen, to report a duplicate with the line that used it first, in 12 bytes a
// line: 64 bits of two hashes and the line number, in typed arrays (open addressing), never a Map of
// strings. Two different ids taken for the same one would take 2^32 times more lines than a file holds.

export class IdSet {
  private size = 0;
  private hi = new Uint32Array(1 << 12);
  private lo = new Uint32Array(1 << 12);
  private lines = new Uint32Array(1 << 12);

  /** The line that used `id` first, or undefined (and `id` is remembered with `line`). */
  firstUse(id: string, line: number): number | undefined {
    if ((this.size + 1) * 2 > this.lines.length) this.grow();
    const [h, l] = hash(id);
    const mask = this.lines.length - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      const at = this.lines[i]!;
      if (at === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.lines[i] = line;
        this.size++;
        return undefined;
      }
      if (this.hi[i] === h && this.lo[i] === l) return at;
    }
  }

  private grow() {
    const { hi, lo, lines } = this;
    this.hi = new Uint32Array(lines.length * 2);
    this.lo = new Uint32Array(lines.length * 2);
    this.lines = new Uint32Array(lines.length * 2);
    const mask = this.lines.length - 1;
    for (let j = 0; j < lines.length; j++) {
      if (lines[j] === 0) continue;
      let i = (hi[j]! ^ lo[j]!) & mask;
      while (this.lines[i] !== 0) i = (i + 1) & mask;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.lines[i] = lines[j]!;
    }
  }
}

/** Two independent 32-bit FNV-1a style hashes of the string's UTF-16 units. */
function hash(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}
