import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { JsonObject, JsonValue } from '@backstage/types';
import { useApi } from '@backstage/core-plugin-api';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import {
  ReviewState,
  ReviewStateProps,
} from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The scaffolder's own fields whose value is an entity ref (`group:default/platform-team`); the
 * Review page shows the entity as the rest of the portal does ("Platform Team") instead.
 */
export const ENTITY_REF_FIELDS: ReadonlySet<string> = new Set([
  'EntityPicker',
  'OwnerPicker',
  'MyGroupsPicker',
  'OwnedEntityPicker',
  'MultiEntityPicker',
]);

/** The form's top-level keys whose field is one of ENTITY_REF_FIELDS, with their refs. */
export function entityRefAnswers(
  props: Pick<ReviewStateProps, 'schemas' | 'formState'>,
): Map<string, string[]> {
  const answers = new Map<string, string[]>();
  for (const [key, value] of Object.entries(props.formState)) {
    const field = props.schemas
      .map(
        schema =>
          (schema.mergedSchema as { properties?: Record<string, unknown> })
            .properties?.[key],
      )
      .find(definition => definition && typeof definition === 'object') as
      | { 'ui:field'?: unknown }
      | undefined;
    if (typeof field?.['ui:field'] !== 'string') continue;
    if (!ENTITY_REF_FIELDS.has(field['ui:field'])) continue;
    const refs = (Array.isArray(value) ? value : [value]).filter(
      (ref): ref is string => typeof ref === 'string' && ref.length > 0,
    );
    if (refs.length > 0) answers.set(key, refs);
  }
  return answers;
}

/**
 * Backstage's Review table (labels, masks and hidden fields unchanged), with every answer of an
 * entity-picking field shown by the catalog's presentation of that entity: its display name or
 * title, else its name. Until the catalog answers, the presentation's first snapshot is shown (the
 * ref without the default kind and namespace); an entity the catalog cannot find keeps it.
 */
export function ReadableReviewState(props: ReviewStateProps) {
  const presentation = useApi(entityPresentationApiRef);
  const answers = useMemo(() => entityRefAnswers(props), [props]);
  const refs = useMemo(
    () => [...new Set([...answers.values()].flat())],
    [answers],
  );

  // The presentation API never rejects: an entity it cannot read keeps its first snapshot.
  const { value: titles } = useAsync(async () => {
    const snapshots = await Promise.all(
      refs.map(ref => presentation.forEntity(ref).promise),
    );
    return new Map(refs.map((ref, i) => [ref, snapshots[i].primaryTitle]));
  }, [presentation, refs.join('\n')]);

  const formState = useMemo(() => {
    const title = (ref: string) =>
      titles?.get(ref) ?? presentation.forEntity(ref).snapshot.primaryTitle;
    const readable: JsonObject = { ...props.formState };
    for (const [key] of answers) {
      const value = props.formState[key];
      readable[key] = Array.isArray(value)
        ? value.map(item => (typeof item === 'string' ? title(item) : item))
        : title(value as string);
    }
    return readable as Record<string, JsonValue>;
  }, [answers, presentation, props.formState, titles]);

  return (
    <ReviewState
      {...props}
      formState={formState}
      schemaFormState={props.schemaFormState ?? props.formState}
    />
  );
}
