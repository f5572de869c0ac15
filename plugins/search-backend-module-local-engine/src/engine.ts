import { LunrSearchEngine } from '@backstage/plugin-search-backend-node';
import type {
  IndexableResultSet,
  SearchQuery,
} from '@backstage/plugin-search-common';

/**
 * Lunr, as the search backend uses it without PostgreSQL, except for one answer: a query for
 * document types none of which has an index yet gets no results instead of a MissingIndexError
 * (a 500 on the search page). Lunr creates no index for a collator that found no documents, and
 * the TechDocs collator finds none until a first TechDocs site has been built, so the
 * Documentation tab of a fresh portal would fail rather than say it has nothing.
 * @public
 */
export class LocalSearchEngine extends LunrSearchEngine {
  async query(query: SearchQuery): Promise<IndexableResultSet> {
    const types = query.types ?? [];
    if (types.length > 0 && !types.some(type => type in this.lunrIndices)) {
      this.logger.debug(
        `Nothing indexed yet for ${types.join(', ')}: no results`,
      );
      return { results: [], numberOfResults: 0 };
    }
    return super.query(query);
  }
}
