import { ALERT_RULES } from './alertRules';
import { DASHBOARD_PANELS } from './queries';
import {
  BASELINE_TEMPLATE_VERSION,
  forTemplateVersion,
} from './templateVersions';

const defs = [
  { name: 'from the start', since: '1.0.0' },
  { name: 'new in 1.2.0', since: '1.2.0' },
  { name: 'new in 1.10.0', since: '1.10.0' },
];

describe('forTemplateVersion', () => {
  it('keeps only what the service at its version has the code for', () => {
    expect(forTemplateVersion(defs, '1.0.0').map(d => d.name)).toEqual([
      'from the start',
    ]);
    expect(forTemplateVersion(defs, '1.2.0').map(d => d.name)).toEqual([
      'from the start',
      'new in 1.2.0',
    ]);
    // Compared as numbers, not as text: 1.9.0 is older than 1.10.0.
    expect(forTemplateVersion(defs, '1.9.0').map(d => d.name)).toEqual([
      'from the start',
      'new in 1.2.0',
    ]);
    expect(forTemplateVersion(defs, '2.0.0')).toHaveLength(3);
  });

  it('declares for every panel and rule the template version it needs as MAJOR.MINOR.PATCH', () => {
    const bad = [...DASHBOARD_PANELS, ...ALERT_RULES]
      .filter(d => !/^\d+\.\d+\.\d+$/.test(d.since))
      .map(d => ('alert' in d ? d.alert : d.key));
    expect(bad).toEqual([]);
  });

  it('gives the baseline the panels and rules that were there from the start', () => {
    expect(
      forTemplateVersion(DASHBOARD_PANELS, BASELINE_TEMPLATE_VERSION).length,
    ).toBeGreaterThan(0);
    expect(
      forTemplateVersion(ALERT_RULES, BASELINE_TEMPLATE_VERSION).length,
    ).toBeGreaterThan(0);
  });
});
