import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { TeamResourceSelect } from '../TeamResourceSelect';

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

/**
 * The form field of a TeamResourceSelect: the service connections, environments, organizations
 * or projects of one kind that the portal grants the owner group chosen elsewhere in the form.
 */
export function AzurePipelineResourcePicker(
  props: FieldExtensionComponentProps<
    string,
    AzurePipelineResourcePickerOptions
  >,
) {
  const { schema, uiSchema, formData, onChange, required, rawErrors } = props;
  const options = uiSchema?.['ui:options'];
  const ownerField = options?.ownerField ?? 'owner';
  const owner = (
    props.formContext?.formData as Record<string, unknown> | undefined
  )?.[ownerField] as string | undefined;
  return (
    <TeamResourceSelect
      id={props.idSchema?.$id}
      label={schema.title}
      description={schema.description}
      required={required}
      owner={owner}
      kind={options?.kind ?? ''}
      value={formData}
      onChange={onChange}
      invalid={(rawErrors?.length ?? 0) > 0}
    />
  );
}
