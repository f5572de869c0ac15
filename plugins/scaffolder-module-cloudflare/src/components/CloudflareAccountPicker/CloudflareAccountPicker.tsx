import { useEffect } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import useAsync from 'react-use/esm/useAsync';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ResponseError } from '@backstage/errors';

/** `ui:options` of the field. @public */
export interface CloudflareAccountPickerOptions {
  /** The form field holding the owner group; `owner` unless set. */
  ownerField?: string;
}

/**
 * What the scaffolder backend's `GET cloudflare/accounts` answers
 * (`@internal/plugin-scaffolder-backend-module-cloudflare`, `CloudflareAccountsResponse`).
 */
interface CloudflareAccounts {
  accounts: Array<{ id: string; name: string }>;
  notConfigured?: string;
}

function errorText(error: Error): string {
  // The backend's own message says what is wrong (not a member, a refused token).
  return error instanceof ResponseError
    ? error.body.error.message
    : error.message;
}

/**
 * A select of the Cloudflare accounts the portal's token for the owner group (chosen elsewhere
 * in the form) reaches, asked from the scaffolder backend as the signed-in user; the value is
 * the account id. With no token for the owner, one sentence on what to configure, and the id is
 * typed (the deploy step then ends saying Cloudflare is not configured). An account the owner's
 * token does not reach is cleared; when it reaches only one, it is chosen.
 */
export function CloudflareAccountPicker(
  props: FieldExtensionComponentProps<string, CloudflareAccountPickerOptions>,
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
  const ownerField = uiSchema?.['ui:options']?.ownerField ?? 'owner';
  const owner = (
    formContext?.formData as Record<string, unknown> | undefined
  )?.[ownerField] as string | undefined;
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const answer = useAsync(async (): Promise<CloudflareAccounts | undefined> => {
    if (!owner) {
      return undefined;
    }
    const base = await discovery.getBaseUrl('scaffolder');
    const res = await fetchApi.fetch(
      `${base}/cloudflare/accounts?${new URLSearchParams({ owner })}`,
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as CloudflareAccounts;
  }, [owner, discovery, fetchApi]);
  const accounts = answer.value?.accounts ?? [];
  const ids = accounts.map(a => a.id);

  useEffect(() => {
    if (answer.value?.notConfigured) {
      return;
    }
    if (answer.value && ids.length === 1 && formData !== ids[0]) {
      onChange(ids[0]);
    } else if (answer.value && formData && !ids.includes(formData)) {
      onChange(undefined);
    }
    // When the answer for a (new) owner arrives, and when the form drops the value again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [answer.value, formData]);

  if (answer.value?.notConfigured) {
    // Nothing to offer: the id is typed (the schema's pattern still checks it), and the deploy
    // step ends saying Cloudflare is not configured (skipped locally, failing in production).
    return (
      <TextField
        id={idSchema?.$id}
        fullWidth
        margin="normal"
        label={schema.title}
        required={required}
        value={formData ?? ''}
        onChange={e => onChange(e.target.value || undefined)}
        error={(rawErrors?.length ?? 0) > 0}
        helperText={`${answer.value.notConfigured} Until then, type the account id; the deploy step will say that Cloudflare is not configured.`}
      />
    );
  }

  let helperText = schema.description;
  if (!owner) {
    helperText =
      'Choose the owner on the first page: the accounts are those of its token.';
  } else if (answer.loading) {
    helperText = `Looking up the Cloudflare accounts of ${owner}…`;
  } else if (answer.error) {
    helperText = errorText(answer.error);
  } else if (answer.value && ids.length === 0) {
    helperText = `The Cloudflare token of ${owner} reaches no account: give it access to the account, or ask the platform team to replace it.`;
  }

  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      label={schema.title}
      required={required}
      value={formData && ids.includes(formData) ? formData : ''}
      onChange={e => onChange(e.target.value || undefined)}
      disabled={!owner || answer.loading || ids.length === 0}
      error={Boolean(answer.error) || (rawErrors?.length ?? 0) > 0}
      helperText={helperText}
    >
      {accounts.map(a => (
        <MenuItem key={a.id} value={a.id}>
          {a.name} ({a.id})
        </MenuItem>
      ))}
    </TextField>
  );
}
