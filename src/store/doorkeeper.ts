// Which conversations were read once lately: TinyLFU's doorkeeper, a Bloom filter over the last `window` ids noted.
// Bits in one typed array, not a set of strings: under random reads at a million conversations a set kept 10k id
// strings alive and churned them through the old generation; this holds nothing per id.

/** 2^20 bits (128 KiB): at 10k ids noted, two bits each, ~0.04% of other ids seem seen (a needless decode, no harm). */
const BITS_LOG2 = 20;
const MASK = (1 << BITS_LOG2) - 1;

export class Doorkeeper {
  private readonly bits = new Uint32Array(1 << (BITS_LOG2 - 5));
  private noted = 0;

  constructor(
    /** How many ids are noted before it forgets them all. */
    readonly window: number,
  ) {}

  /** Whether the id was noted since the last reset (rarely wrongly yes, never wrongly no). */
  has(id: string): boolean {
    const h = fnv1a(id);
    const a = h & MASK;
    const b = mix(h) & MASK;
    return ((this.bits[a >>> 5] as number) & (1 << (a & 31))) !== 0 && ((this.bits[b >>> 5] as number) & (1 << (b & 31))) !== 0;
  }

  note(id: string): void {
    if (this.noted >= this.window) {
      this.bits.fill(0);
      this.noted = 0;
    }
    const h = fnv1a(id);
    const a = h & MASK;
    const b = mix(h) & MASK;
    this.bits[a >>> 5] = (this.bits[a >>> 5] as number) | (1 << (a & 31));
    this.bits[b >>> 5] = (this.bits[b >>> 5] as number) | (1 << (b & 31));
    this.noted++;
  }
}

/** 32-bit FNV-1a over the UTF-16 units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A second, independent-enough hash of the first (murmur3's finalizer). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
