import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  TEMPLATE_VERSION_ANNOTATION,
  compareVersions,
  isTemplateVersion,
} from '@internal/plugin-template-upgrades-common';
import {
  ALERT_RULES,
  DASHBOARD_PANELS,
} from '@internal/plugin-observability-common';
import { templateHash } from './lib/templateHash';
import { templateDir } from './pythonDashboardService.fixtures';

const lockFile = path.join(templateDir, 'versions.lock.json');

function readTemplate() {
  return parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
}

describe('the service template version', () => {
  const template = readTemplate();
  const version = template.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION];
  const lock: Record<string, string> = JSON.parse(
    fs.readFileSync(lockFile, 'utf8'),
  );

  it('is declared in template.yaml as MAJOR.MINOR.PATCH', () => {
    expect(isTemplateVersion(version)).toBe(true);
  });

  it('is locked to the skeleton and steps it was released with', () => {
    const hash = templateHash(templateDir);
    // The message is what the test reports: it says what to do.
    let problem: string | undefined;
    if (!(version in lock)) {
      problem = `versions.lock.json has no entry for ${version}: add "${version}": "${hash}" to ${lockFile}`;
    } else if (lock[version] !== hash) {
      problem =
        `The skeleton or the steps of python-dashboard-service changed since version ${version} was locked. ` +
        `Bump ${TEMPLATE_VERSION_ANNOTATION} in template.yaml (and template.version in the fetch step), ` +
        `add "<new version>": "${hash}" to versions.lock.json, and tag the released commit ` +
        `python-dashboard-service@<new version> (docs/template-upgrades.md).`;
    }
    expect(problem).toBeUndefined();
  });

  it('is the newest version in the lock file', () => {
    const newest = Object.keys(lock).sort(compareVersions).pop();
    expect(newest).toBe(version);
  });

  it('is the version the fetch step records in every new service', () => {
    const fetch = template.spec.steps.find(
      (step: { action: string }) => step.action === 'fetch:template',
    );
    expect(fetch.input.values.template).toEqual({
      name: template.metadata.name,
      version,
    });
  });

  it('records every answer of the form except the token field', () => {
    const fetch = template.spec.steps.find(
      (step: { action: string }) => step.action === 'fetch:template',
    );
    const parameterNames = new Set<string>();
    const collect = (schema: any) => {
      if (!schema || typeof schema !== 'object') return;
      for (const [name, field] of Object.entries<any>(
        schema.properties ?? {},
      )) {
        if (field && typeof field === 'object' && 'type' in field) {
          if (field['ui:field'] !== 'AzureDevOpsUserToken') {
            parameterNames.add(name);
          }
        }
      }
      for (const branch of schema.allOf ?? []) collect(branch.then);
    };
    for (const page of template.spec.parameters) collect(page);
    expect(Object.keys(fetch.input.values.answers).sort()).toEqual(
      [...parameterNames].sort(),
    );
    for (const [name, value] of Object.entries(fetch.input.values.answers)) {
      expect(value).toBe(`\${{ parameters.${name} }}`);
    }
  });

  it('has released the code of every panel and alert rule the portal provisions', () => {
    // grafana:dashboard:apply provisions a new service with every panel and rule; each names
    // the template version whose code it needs (plugins/observability-common/src/templateVersions.ts).
    const unreleased = [...DASHBOARD_PANELS, ...ALERT_RULES]
      .filter(d => !(d.since in lock) || compareVersions(d.since, version) > 0)
      .map(
        d =>
          `${'alert' in d ? d.alert : d.key} needs template version ${
            d.since
          }, which is not released: set its since to a version in versions.lock.json, or release that version first`,
      );
    expect(unreleased).toEqual([]);
  });
});
