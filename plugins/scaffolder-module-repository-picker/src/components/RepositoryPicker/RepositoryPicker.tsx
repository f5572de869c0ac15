import { useEffect, useRef, useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ResponseError } from '@backstage/errors';
import { TeamResourceSelect } from '@internal/plugin-scaffolder-module-azure-devops-token/alpha';
import { useRepositoryHosts } from '../../hooks/useRepositoryHosts';
import {
  parseRepoUrl,
  serializeRepoUrl,
  type RepositoryLocation,
} from '../../lib/repoUrl';

/** `ui:options` of the field. */
export interface RepositoryPickerOptions {
  /** The hosts besides the local git server, in the order offered (`dev.azure.com`, `github.com`). */
  allowedHosts?: string[];
  /** The form field whose value the repository name follows; `name` unless set. */
  nameField?: string;
  /** The form field holding the owner group, whose Azure DevOps organizations and projects are offered; `owner` unless set. */
  ownerField?: string;
}

function errorText(error: Error): string {
  return error instanceof ResponseError
    ? error.body.error.message
    : error.message;
}

/**
 * Where a template creates its repository: a select of the hosts the portal holds credentials for
 * (the local git server first, the default), one sentence on what to configure for the others,
 * the parts the chosen host needs, and the repository name, which follows the service name until
 * it is edited. Every keystroke goes into the form's value at once, so Review sees what is shown.
 */
export function RepositoryPicker(
  props: FieldExtensionComponentProps<string, RepositoryPickerOptions>,
) {
  const {
    schema,
    uiSchema,
    formData,
    onChange,
    rawErrors,
    formContext,
    idSchema,
  } = props;
  const options = uiSchema?.['ui:options'];
  const allowedHosts = options?.allowedHosts ?? [];
  const nameField = options?.nameField ?? 'name';
  const answers = formContext?.formData as Record<string, unknown> | undefined;
  const serviceName = answers?.[nameField] as string | undefined;
  const owner = answers?.[options?.ownerField ?? 'owner'] as string | undefined;
  const hosts = useRepositoryHosts(allowedHosts);
  const available = (hosts.value ?? []).filter(h => h.available);
  const unavailable = (hosts.value ?? []).filter(h => !h.available);
  const location = parseRepoUrl(formData);
  const chosen = available.find(h => h.host === location.host);
  // The name follows the service name until someone types a different one.
  const [followsName, setFollowsName] = useState(
    !location.repo || location.repo === serviceName,
  );

  // Two parts can change before the form renders the first change back (the organization and the
  // project selects each choose their only value as their answers arrive): each change builds on
  // the last value sent, not on the value this render was given.
  const sent = useRef({ prop: formData, value: formData });
  if (sent.current.prop !== formData) {
    sent.current = { prop: formData, value: formData };
  }
  const update = (next: Partial<RepositoryLocation>) => {
    const merged = { ...parseRepoUrl(sent.current.value), ...next };
    const type = available.find(h => h.host === merged.host)?.type;
    const value = type ? serializeRepoUrl(type, merged) : undefined;
    sent.current.value = value;
    onChange(value);
  };

  useEffect(() => {
    if (!hosts.value) return;
    const first = available[0];
    if (!chosen && first) {
      update({ host: first.host, repo: location.repo || serviceName || '' });
    } else if (
      chosen &&
      followsName &&
      serviceName &&
      location.repo !== serviceName
    ) {
      update({ repo: serviceName });
    }
    // Only when the hosts arrive or the service name changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hosts.value, serviceName]);

  const missingSentence = unavailable.length
    ? `Not offered here: ${unavailable.map(h => h.missing).join('; ')}.`
    : undefined;
  const invalid = (rawErrors?.length ?? 0) > 0;

  return (
    <>
      {schema.title && <Typography variant="h6">{schema.title}</Typography>}
      {schema.description && (
        <Typography variant="body2">{schema.description}</Typography>
      )}
      <TextField
        id={`${idSchema?.$id}-host`}
        select
        fullWidth
        margin="normal"
        label="Host"
        required
        value={chosen?.host ?? ''}
        onChange={e => update({ host: e.target.value })}
        disabled={hosts.loading || available.length === 0}
        error={
          Boolean(hosts.error) || (available.length === 0 && !hosts.loading)
        }
        helperText={
          (hosts.loading &&
            'Looking up where the portal can create repositories…') ||
          (hosts.error && errorText(hosts.error)) ||
          (available.length === 0 &&
            `The portal cannot create repositories anywhere yet. ${
              missingSentence ?? ''
            }`) ||
          missingSentence
        }
      >
        {available.map(h => (
          <MenuItem key={h.host} value={h.host}>
            {h.title}
          </MenuItem>
        ))}
      </TextField>
      {chosen?.type === 'github' && (
        <TextField
          id={`${idSchema?.$id}-owner`}
          fullWidth
          margin="normal"
          label="GitHub organization or user"
          required
          value={location.owner ?? ''}
          onChange={e => update({ owner: e.target.value })}
          error={invalid && !location.owner}
          helperText="The account the repository belongs to, as in github.com/<organization>"
        />
      )}
      {chosen?.type === 'azure' && (
        // The repository's pipeline lives in its own project, so both are the owner's, as
        // azurePipelines.teams grants them (the pipeline steps refuse any other).
        <>
          <TeamResourceSelect
            id={`${idSchema?.$id}-organization`}
            label="Azure DevOps organization"
            description="As in dev.azure.com/<organization>; one of the owner's that the portal has a token for."
            required
            owner={owner}
            kind="organization"
            value={location.organization}
            onChange={organization => update({ organization })}
            invalid={invalid && !location.organization}
          />
          <TeamResourceSelect
            id={`${idSchema?.$id}-project`}
            label="Azure DevOps project"
            description="The project the repository and its pipeline live in; one of the owner's."
            required
            owner={owner}
            kind="project"
            value={location.project}
            onChange={project => update({ project })}
            invalid={invalid && !location.project}
          />
        </>
      )}
      <TextField
        id={`${idSchema?.$id}-repo`}
        fullWidth
        margin="normal"
        label="Repository name"
        required
        value={location.repo}
        disabled={!chosen}
        onChange={e => {
          setFollowsName(e.target.value === serviceName);
          update({ repo: e.target.value });
        }}
        error={invalid}
        helperText={
          followsName
            ? 'Follows the service name; type another to change it.'
            : 'Lowercase letters, digits, dots, underscores and hyphens.'
        }
      />
    </>
  );
}
