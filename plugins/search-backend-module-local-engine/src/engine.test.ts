import { mockServices } from '@backstage/backend-test-utils';
import { LocalSearchEngine } from './engine';

async function index(engine: LocalSearchEngine, type: string, title: string) {
  const indexer = await engine.getIndexer(type);
  await new Promise<void>((resolve, reject) => {
    indexer.on('close', () => resolve());
    indexer.on('error', reject);
    indexer.end({ title, text: `${title} text`, location: `/${title}` });
  });
}

describe('LocalSearchEngine', () => {
  const logger = mockServices.logger.mock();

  it('finds what was indexed, as Lunr does, also when another asked-for type has no index', async () => {
    const engine = new LocalSearchEngine({ logger });
    await index(engine, 'software-catalog', 'sales-dashboard');

    const both = await engine.query({
      term: 'sales',
      types: ['techdocs', 'software-catalog'],
    });
    expect(both.results.map(r => r.document.title)).toEqual([
      'sales-dashboard',
    ]);
    const none = await engine.query({ term: 'sales', types: ['techdocs'] });
    expect(none).toEqual({ results: [], numberOfResults: 0 });
  });
});
