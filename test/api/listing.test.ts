import { describe, expect, it } from 'vitest';
import { listing, onePage } from '../../src/api/routes.js';

describe('listing envelopes', () => {
  it('pages with pageSize and pageNumber, 1-based, with neighbour links', () => {
    const items = Array.from({ length: 60 }, (_, i) => i);
    const page2 = listing(items, '/x', { pageSize: '25', pageNumber: '2' });
    expect(page2).toMatchObject({ entities: items.slice(25, 50), pageSize: 25, pageNumber: 2, total: 60, pageCount: 3 });
    expect(page2).toMatchObject({
      previousUri: '/x?pageSize=25&pageNumber=1',
      nextUri: '/x?pageSize=25&pageNumber=3',
      lastUri: '/x?pageSize=25&pageNumber=3',
    });
    expect(() => listing(items, '/x', { pageSize: '501' })).toThrow(/pageSize/);
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
