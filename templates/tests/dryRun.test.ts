import path from 'node:path';
import { dryRunTemplate } from './dryRun';

// Booting the backend takes seconds; the timeout is set here so it holds when
// the repository runs all tests at once.
jest.setTimeout(60_000);

const templateDir = path.resolve(__dirname, '__fixtures__/minimal');

describe('dryRunTemplate', () => {
  it('renders the skeleton with the given values and skips publishing', async () => {
    const result = await dryRunTemplate({
      templateDir,
      values: { name: 'hello-world' },
    });

    expect(result.status).toBe(200);
    expect(result.files.get('hello.txt')).toBe('name: hello-world\n');
    expect(result.log.join('\n')).toContain('Skipping because publish:github');
  });

  it('returns 400 with the field when a value breaks the schema', async () => {
    const result = await dryRunTemplate({
      templateDir,
      values: { name: 'Not_A_Name' },
    });

    expect(result.status).toBe(400);
    expect(result.body.errors[0]).toMatchObject({
      property: 'instance.name',
      name: 'pattern',
    });
  });
});
