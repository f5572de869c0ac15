import { useEffect, type ReactNode } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ResponseError } from '@backstage/errors';
import { useTeamResources } from '../../hooks/useTeamResources';

/** `ui:options` of the field. */
export interface AzurePipelineResourcePickerOptions {
  /**
   * Which kind of resource: `registry`, `kubernetes`, `environment`, `github`, `organization` or
   * `project` (azurePipelines.teams).
   */
  kind: string;
  /** The form field holding the owner group; `owner` unless set. */
  ownerField?: string;
}

function errorText(error: Error): string {
  // The backend's own message says what is wrong (e.g. not a member of the group).
  return error instanceof ResponseError
    ? error.body.error.message
    : error.message;
}

/**
 * A select of the service connections, environments, organizations or projects of one kind that
 * the portal grants the owner group chosen elsewhere in the form (`azurePipelines.teams`), asked
 * from the scaffolder backend as the signed-in user. A value the owner may not use is cleared when
 * the owner changes; when only one is granted, it is chosen. Organizations the portal has no
 * credential for are not offered, and the field says what to configure for them.
 */
export function AzurePipelineResourcePicker(
  props: FieldExtensionComponentProps<
    string,
    AzurePipelineResourcePickerOptions
  >,
) {
  const {
    schema,
    uiSchema,
    formData,
    onChange,
    required,
    rawErrors,
    formContext,
    idSchema,
  } = props;
  const options = uiSchema?.['ui:options'];
  const kind = options?.kind ?? '';
  const ownerField = options?.ownerField ?? 'owner';
  const owner = (
    formContext?.formData as Record<string, unknown> | undefined
  )?.[ownerField] as string | undefined;
  const resources = useTeamResources(owner, kind);
  const names = resources.value?.names ?? [];

  useEffect(() => {
    if (resources.value && names.length === 1 && formData !== names[0]) {
      // The only choice the configuration leaves is the default.
      onChange(names[0]);
    } else if (resources.value && formData && !names.includes(formData)) {
      onChange(undefined);
    }
    // When the answer for a (new) owner arrives, and when the form drops the value again (another
    // field of the page that commits late writes the page back without it).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resources.value, formData]);

  const notOffered = resources.value?.notOffered?.message;
  let helperText: ReactNode = schema.description;
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
    // What the field is for, then which organizations are left out and what to configure for them.
    helperText = (
      <>
        <span style={{ display: 'block' }}>{schema.description}</span>
        <span style={{ display: 'block' }}>{notOffered}</span>
      </>
    );
  }

  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      label={schema.title}
      required={required}
      value={formData && names.includes(formData) ? formData : ''}
      onChange={e => onChange(e.target.value || undefined)}
      disabled={!owner || resources.loading || names.length === 0}
      error={Boolean(resources.error) || (rawErrors?.length ?? 0) > 0}
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
