import { describe, expect, it } from 'vitest';
import { listing, onePage, PAGING, parseQuery } from '../../src/api/route.js';
import { CallbackdError } from '../../src/errors.js';

describe('listing envelopes', () => {
  it('pages with pageSize and pageNumber, 1-based, with neighbour links', () => {
    const items = Array.from({ length: 60 }, (_, i) => i);
    const page2 = listing(items, '/x', parseQuery(PAGING, { pageSize: '25', pageNumber: '2' }) as { pageSize: number; pageNumber: number });
    expect(page2).toMatchObject({ entities: items.slice(25, 50), pageSize: 25, pageNumber: 2, total: 60, pageCount: 3 });
    expect(page2).toMatchObject({
      previousUri: '/x?pageSize=25&pageNumber=1',
      nextUri: '/x?pageSize=25&pageNumber=3',
      lastUri: '/x?pageSize=25&pageNumber=3',
    });
    expect(parseQuery(PAGING, {})).toEqual({ pageSize: 25, pageNumber: 1 });
  });

  it('refuses a query parameter outside its declaration, naming it', () => {
    for (const bad of ['501', '0', '2.5', 'ten', '']) {
      let error: unknown;
      try {
        parseQuery(PAGING, { pageSize: bad });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(CallbackdError);
      expect((error as CallbackdError).code).toBe('invalid.value');
      expect((error as CallbackdError).fields[0]?.field).toBe('pageSize');
    }
    expect(parseQuery({ provisional: { type: 'boolean', description: '' } }, { provisional: 'true' })).toEqual({ provisional: true });
    expect(() => parseQuery({ provisional: { type: 'boolean', description: '' } }, { provisional: 'yes' })).toThrow(/provisional/);
  });

  it('an endpoint without paging returns every item on one page, however many', () => {
    const items = Array.from({ length: 1200 }, (_, i) => i);
    expect(onePage(items, '/api/v2/conversations/callbacks')).toEqual({
      entities: items,
      pageSize: 1200,
      pageNumber: 1,
      total: 1200,
      firstUri: '/api/v2/conversations/callbacks',
      lastUri: '/api/v2/conversations/callbacks',
      selfUri: '/api/v2/conversations/callbacks',
      pageCount: 1,
    });
  });
});
