// Password and client-secret hashing (scrypt from node:crypto), and token generation. Checking a secret runs scrypt
// on libuv's thread pool, not on the event loop, and costs the same whether the account exists or not.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${scryptSync(secret, salt, KEY_LENGTH).toString('base64url')}`;
}

const derive = (secret: string, salt: Buffer, length: number) =>
  new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, length, (e, key) => (e ? reject(e) : resolve(key))));

/** A hash no secret matches, checked when there is no account, so that a miss takes as long as a wrong secret. */
const NOBODY = `scrypt$${randomBytes(16).toString('base64url')}$${randomBytes(KEY_LENGTH).toString('base64url')}`;

/** Whether `secret` matches `stored`; with `stored` undefined (no such account) it does the same work and says no. */
export async function verifySecret(secret: string, stored: string | undefined): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? NOBODY).split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), expected.length);
  return timingSafeEqual(actual, expected) && stored !== undefined;
}

/** Whether `secret` matches `stored`, on the calling thread: for a changed seed file at start, never for a request. */
export function verifySecretSync(secret: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  return timingSafeEqual(scryptSync(secret, Buffer.from(salt, 'base64url'), expected.length), expected);
}

export const newToken = (): string => randomBytes(32).toString('base64url');
