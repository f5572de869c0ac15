import { InputError } from '@backstage/errors';
import { API_VERSIONS, AzureDevOpsClient } from './client';

/**
 * Branch control is a "Task Check" (check type `fe1de3ee-…`, the id of the spec's Task Check
 * example, `approvalsAndChecks/7.1/httpExamples/configurations/POST__AddTaskCheckConfiguration.json`)
 * whose definition is `evaluatebranchProtection` 0.0.1; the definition id and its input names are
 * what Microsoft's own Terraform provider sends (microsoft/terraform-provider-azuredevops,
 * `azuredevops/internal/service/approvalsandchecks/resource_check_branch_control.go`), as the REST
 * reference does not list definitions.
 */
export const BRANCH_CONTROL = {
  type: { id: 'fe1de3ee-a436-41b4-bb20-f6eb4cb879a7', name: 'Task Check' },
  definitionRef: {
    id: '86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b',
    name: 'evaluatebranchProtection',
    version: '0.0.1',
  },
} as const;

/** The only branch whose runs may use a protected resource ("fully qualified", as the check needs). */
export const MAIN_REF = 'refs/heads/main';

/** The portal's mark on the checks it adds: it finds its own by this name and touches no other. */
export const PORTAL_CHECK_NAME = 'Only main (golden-path portal)';

/** A protected resource as the checks and permissions APIs name it. */
export interface ProtectedResource {
  type: 'endpoint' | 'environment';
  id: string;
  name: string;
  /** For messages: `service connection 'acr'`. */
  label: string;
  /** Where its administrators manage it, for messages. */
  settingsPath: string;
}

/** A check configuration as Check Configurations - List answers with `$expand=settings`. */
interface CheckConfiguration {
  id: number;
  type?: { id?: string };
  settings?: {
    displayName?: string;
    definitionRef?: { id?: string };
    inputs?: { allowedBranches?: string };
  };
}

const branches = (value?: string) =>
  (value ?? '')
    .split(',')
    .map(b => b.trim().toLowerCase())
    .filter(Boolean)
    .sort()
    .join(',');

/**
 * Adds the portal's branch-control check, allowing only {@link MAIN_REF}, to a resource unless it is
 * there already. Other checks on the resource (approvals, other teams' branch control) stay as they
 * are: checks all have to pass, so adding one can only narrow who may use the resource. Returns
 * whether it added the check. If the portal's own check was changed to allow other branches, the
 * step stops: the portal does not change checks, and a resource it cannot vouch for is not protected.
 */
export async function ensureBranchControl(
  client: AzureDevOpsClient,
  resource: ProtectedResource,
): Promise<boolean> {
  const role = `the Administrator role on the ${resource.label} (${resource.settingsPath} > Security), which manages its approvals and checks`;
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/approvalsandchecks/check-configurations/list?view=azure-devops-rest-7.1
  const existing = await client.request<{ value: CheckConfiguration[] }>({
    method: 'GET',
    path: 'pipelines/checks/configurations',
    apiVersion: API_VERSIONS.checks,
    query: {
      resourceType: resource.type,
      resourceId: resource.id,
      $expand: 'settings',
    },
    context: {
      operation: `list the checks of the ${resource.label}`,
      scope: 'build',
    },
  });
  const ours = existing.value.find(
    c =>
      c.settings?.displayName === PORTAL_CHECK_NAME &&
      (c.settings?.definitionRef?.id ?? '').toLowerCase() ===
        BRANCH_CONTROL.definitionRef.id,
  );
  if (ours) {
    if (branches(ours.settings?.inputs?.allowedBranches) === MAIN_REF) {
      return false;
    }
    throw new InputError(
      `The check '${PORTAL_CHECK_NAME}' on the ${resource.label} was changed to allow '${ours.settings?.inputs?.allowedBranches}', ` +
        `so pull-request runs could push or deploy with it. The portal does not change checks: ask an administrator of the ${resource.label} ` +
        `to set its allowed branches back to ${MAIN_REF}, or to delete it so the portal adds it again (${resource.settingsPath} > Approvals and checks), then run the template again.`,
    );
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/approvalsandchecks/check-configurations/add?view=azure-devops-rest-7.1
  await client.request({
    method: 'POST',
    path: 'pipelines/checks/configurations',
    apiVersion: API_VERSIONS.checks,
    body: {
      type: BRANCH_CONTROL.type,
      settings: {
        definitionRef: BRANCH_CONTROL.definitionRef,
        displayName: PORTAL_CHECK_NAME,
        inputs: {
          allowedBranches: MAIN_REF,
          // Requiring branch protection would refuse GitHub repositories, whose protection the
          // portal does not manage; the allowed list is what keeps pull requests out.
          ensureProtectionOfBranch: 'false',
          allowUnknownStatusBranch: 'false',
        },
        retryInterval: 5,
      },
      resource: { type: resource.type, id: resource.id, name: resource.name },
      // Minutes the check may take; it is evaluated at once.
      timeout: 1440,
    },
    context: {
      operation: `add the branch-control check allowing only ${MAIN_REF} to the ${resource.label}`,
      scope: 'permissions',
      role: `${role} (or ask them to add a Branch control check with allowed branches ${MAIN_REF} themselves)`,
    },
  });
  return true;
}
