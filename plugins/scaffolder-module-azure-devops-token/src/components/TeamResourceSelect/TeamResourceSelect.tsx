import { useEffect, type ReactNode } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { ResponseError } from '@backstage/errors';
import { useTeamResources } from '../../hooks/useTeamResources';

/** Props of {@link TeamResourceSelect}. */
export interface TeamResourceSelectProps {
  id?: string;
  label?: string;
  /** What the value is for; shown under the select unless something more urgent is. */
  description?: ReactNode;
  required?: boolean;
  /** The owner group chosen in the form (`group:default/team-a`). */
  owner: string | undefined;
  /**
   * Which kind of resource: `registry`, `kubernetes`, `environment`, `github`, `organization` or
   * `project` (azurePipelines.teams).
   */
  kind: string;
  value: string | undefined;
  onChange(value: string | undefined): void;
  /** The form marks the value as wrong. */
  invalid?: boolean;
}

function errorText(error: Error): string {
  // The backend's own message says what is wrong (e.g. not a member of the group).
  return error instanceof ResponseError
    ? error.body.error.message
    : error.message;
}

/**
 * A select of the service connections, environments, organizations or projects of one kind that
 * the portal grants an owner group (`azurePipelines.teams`), asked from the scaffolder backend as
 * the signed-in user. A value the owner may not use is cleared when the owner changes; when only
 * one is granted, it is chosen. Organizations the portal has no credential for are not offered,
 * and the select says what to configure for them.
 */
export function TeamResourceSelect(props: TeamResourceSelectProps) {
  const { owner, kind, value, onChange, description } = props;
  const resources = useTeamResources(owner, kind);
  const names = resources.value?.names ?? [];

  useEffect(() => {
    if (resources.value && names.length === 1 && value !== names[0]) {
      // The only choice the configuration leaves is the default.
      onChange(names[0]);
    } else if (resources.value && value && !names.includes(value)) {
      onChange(undefined);
    }
    // When the answer for a (new) owner arrives, and when the form drops the value again (another
    // field of the page that commits late writes the page back without it).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resources.value, value]);

  const notOffered = resources.value?.notOffered?.message;
  let helperText: ReactNode = description;
  if (!owner) {
    helperText = 'Choose the owner on the first page: the choices are its own.';
  } else if (resources.loading) {
    helperText = `Looking up what ${owner} may use…`;
  } else if (resources.error) {
    helperText = errorText(resources.error);
  } else if (resources.value && names.length === 0 && notOffered) {
    helperText = notOffered;
  } else if (resources.value && names.length === 0) {
    helperText = `${owner} has no ${resources.value.label} granted yet: ask ${resources.value.grantedBy}.`;
  } else if (notOffered) {
    // What the value is for, then which organizations are left out and what to configure for them.
    helperText = (
      <>
        <span style={{ display: 'block' }}>{description}</span>
        <span style={{ display: 'block' }}>{notOffered}</span>
      </>
    );
  }

  return (
    <TextField
      id={props.id}
      select
      fullWidth
      margin="normal"
      label={props.label}
      required={props.required}
      value={value && names.includes(value) ? value : ''}
      onChange={e => onChange(e.target.value || undefined)}
      disabled={!owner || resources.loading || names.length === 0}
      error={Boolean(resources.error) || Boolean(props.invalid)}
      helperText={helperText}
    >
      {names.map(name => (
        <MenuItem key={name} value={name}>
          {name}
        </MenuItem>
      ))}
    </TextField>
  );
}
