import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CONNECT_GRAFANA_DOCS } from './docs';

const root = path.resolve(__dirname, '../../../..');

describe('CONNECT_GRAFANA_DOCS', () => {
  it("is a heading of a page of the portal's own TechDocs", () => {
    const [, namespace, kind, name, page, anchor] =
      /^\/docs\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/#(.+)$/.exec(
        CONNECT_GRAFANA_DOCS,
      )!;
    const portal = parseAllDocuments(
      fs.readFileSync(path.join(root, 'catalog-info.yaml'), 'utf8'),
    )
      .map(d => d.toJS())
      .find(e => e.kind.toLowerCase() === kind && e.metadata.name === name);
    expect(namespace).toBe('default');
    expect(portal.metadata.annotations['backstage.io/techdocs-ref']).toBe(
      'dir:.',
    );

    const mkdocs = parse(
      fs.readFileSync(path.join(root, 'mkdocs.yml'), 'utf8'),
    );
    const pages = mkdocs.nav.flatMap((entry: Record<string, string>) =>
      Object.values(entry),
    );
    expect(pages).toContain(`${page}.md`);
    const headings = fs
      .readFileSync(path.join(root, mkdocs.docs_dir, `${page}.md`), 'utf8')
      .split('\n')
      .filter(line => line.startsWith('#'))
      .map(line =>
        line
          .replace(/^#+\s*/, '')
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      );
    expect(headings).toContain(anchor);
  });
});
