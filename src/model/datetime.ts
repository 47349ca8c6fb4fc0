// Wire date-times: `YYYY-MM-DDTHH:mm:ss[.f{1,9}](Z|±hh:mm)`. Parsed by hand because `new Date(string)` is slow and
// silently accepts impossible dates (2026-02-30 becomes March 2nd) and zone-less strings (read as local time).

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[m - 1] as number);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Two decimal digits at i, or -1. */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The instant a wire date-time names, or undefined when the string is not one (see explainDateTime for why).
 * Digits past milliseconds are truncated: a Date holds milliseconds.
 */
export function parseDateTime(s: string): Date | undefined {
  const n = s.length;
  if (n < 20 || n > 35) return undefined;
  const y1 = d2(s, 0);
  const y2 = d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const sec = d2(s, 17);
  if (
    y1 < 0 ||
    y2 < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    sec < 0 ||
    sec > 59 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const y = y1 * 100 + y2;
  if (d > daysInMonth(y, mo)) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    let scale = 100;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale = scale === 1 ? 0 : scale / 10;
    }
    const digits = i - start;
    if (digits < 1 || digits > 9) return undefined;
  }
  let offsetMinutes = 0;
  const z = s.charCodeAt(i);
  if (z === 90) {
    if (i + 1 !== n) return undefined;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return undefined;
    const oh = d2(s, i + 1);
    const om = d2(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetMinutes = (z === 43 ? 1 : -1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  const t = daysFromCivil(y, mo, d) * 86400000 + h * 3600000 + mi * 60000 + sec * 1000 + ms - offsetMinutes * 60000;
  return new Date(t);
}

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d*)?(.*)$/;

/** Why a string is not a wire date-time (for error messages); only called once parseDateTime has said no. */
export function explainDateTime(s: string): string {
  const m = SHAPE.exec(s);
  if (m === null) return 'not of the form YYYY-MM-DDTHH:mm:ss';
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m as unknown as string[];
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  if (mo < 1 || mo > 12) return `month ${mos} does not exist`;
  if (d < 1 || d > daysInMonth(y, mo)) return `impossible date: ${ys}-${mos} has ${daysInMonth(y, mo)} days`;
  if (Number(hs) > 23 || Number(mis) > 59 || Number(ss) > 59) return `impossible time ${hs}:${mis}:${ss}`;
  if (frac !== undefined && (frac.length < 2 || frac.length > 10)) return 'a fraction needs 1 to 9 digits';
  if (zone === '') return 'no zone designator (Z or ±hh:mm)';
  if (zone !== 'Z' && !/^[+-]([01]\d|2[0-3]):[0-5]\d$/.test(zone as string)) return `bad zone designator "${zone}"`;
  return 'not a valid date-time';
}

const P2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const P3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * The canonical wire form: UTC with milliseconds, `YYYY-MM-DDTHH:mm:ss.sssZ`; the same text as `toISOString()`,
 * about four times faster (civil_from_days arithmetic and digit tables instead of the C++ builtin).
 */
export function formatDateTime(d: Date): string {
  const t = d.getTime();
  const days = Math.floor(t / 86400000);
  let ms = t - days * 86400000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  // Outside 0000-9999 (and for an invalid Date, which throws) the builtin's extended form is the answer.
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const h = Math.floor(ms / 3600000);
  ms -= h * 3600000;
  const mi = Math.floor(ms / 60000);
  ms -= mi * 60000;
  const sec = Math.floor(ms / 1000);
  ms -= sec * 1000;
  return `${P2[(year / 100) | 0]}${P2[year % 100]}-${P2[month]}-${P2[day]}T${P2[h]}:${P2[mi]}:${P2[sec]}.${P3[ms]}Z`;
}
