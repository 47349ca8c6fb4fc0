import { describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from '../../src/service/secrets.js';

describe('secrets', () => {
  it('a hash checks its secret and no other; no account (undefined) never matches', async () => {
    const stored = hashSecret('s3cret');
    expect(stored).toMatch(/^scrypt\$[\w-]+\$[\w-]+$/);
    expect(await verifySecret('s3cret', stored)).toBe(true);
    expect(await verifySecret('s3cret!', stored)).toBe(false);
    expect(await verifySecret('s3cret', undefined)).toBe(false);
    expect(await verifySecret('', undefined)).toBe(false);
    expect(await verifySecret('s3cret', 'plain$text')).toBe(false);
    // Salted: the same secret hashes differently each time.
    expect(hashSecret('s3cret')).not.toBe(stored);
  });
});
