// Structural equality of model values: dates by instant, arrays in order, objects (and maps) by their key sets,
// unknown wire properties included. Absent and undefined are the same; -0 equals 0.
import { unknownProperties } from './codec.js';

export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string | symbol, unknown>;
  const y = b as Record<string | symbol, unknown>;
  let count = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    count++;
    if (!equals(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) count--;
  if (count !== 0) return false;
  const ux = x[unknownProperties];
  const uy = y[unknownProperties];
  if (ux === undefined && uy === undefined) return true;
  return equals(ux ?? {}, uy ?? {});
}

/** Narrows a decoded enum value (which tolerant reading may leave unknown) to one of the given known values. */
export function isOneOf<T extends string>(values: readonly T[], v: string): v is T {
  return (values as readonly string[]).includes(v);
}
