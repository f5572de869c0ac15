import {
  billing,
  dryRunOf,
  inventory,
  legacy,
  salesDashboard,
} from '../__fixtures__/services';
import {
  describeResult,
  isSelectable,
  summarizeChanges,
  whyNotSelectable,
} from './format';

describe('which services can be selected', () => {
  it('lets only services behind their template that the caller may upgrade be selected', () => {
    expect(
      [salesDashboard, billing, inventory, legacy].map(isSelectable),
    ).toEqual([true, false, false, false]);
  });

  it('says why each other service cannot be selected', () => {
    expect(whyNotSelectable(salesDashboard)).toBeUndefined();
    expect(whyNotSelectable(billing)).toBe(billing.problem);
    expect(whyNotSelectable(inventory)).toBe(
      'Already at the latest version of its template.',
    );
    expect(whyNotSelectable(legacy)).toBe(legacy.problem);
  });

  it('names the owners when the backend gives no reason for a refusal', () => {
    expect(whyNotSelectable({ ...billing, problem: undefined })).toBe(
      'Only its owners (group:default/platform-team) can upgrade it.',
    );
  });
});

describe('what an upgrade changes', () => {
  it('counts files by change and names the conflicts', () => {
    expect(summarizeChanges(dryRunOf(salesDashboard).changes)).toBe(
      '3 files (1 added, 1 modified, 1 renamed), 1 conflict',
    );
    expect(summarizeChanges([])).toBe('No file changes');
  });

  it('words each result', () => {
    const dry = dryRunOf(salesDashboard);
    expect(describeResult(dry)).toBe(
      'Would change 3 files (1 added, 1 modified, 1 renamed), 1 conflict',
    );
    expect(
      describeResult({
        ...dry,
        result: 'updated',
        pullRequest: { url: 'u', number: 4 },
      }),
    ).toBe('Updated pull request #4');
    expect(describeResult({ ...dry, result: 'none', changes: [] })).toBe(
      'Already at the latest version: no pull request',
    );
  });
});
