/*
 * Label values come from entity annotations, that is from whoever wrote the entity's
 * catalog-info.yaml. They are user input and pass through these helpers before they reach a
 * PromQL or LogQL expression or a URL.
 */

const KUBERNETES_LABEL_VALUE =
  /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const DNS_1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * Whether a string is a valid Kubernetes label value (at most 63 characters of alphanumerics,
 * `-`, `_` and `.`, starting and ending with an alphanumeric). Such a value contains no quote and
 * no backslash, so it cannot leave the string literal Grafana interpolates it into.
 *
 * @public
 */
export function isKubernetesLabelValue(value: string): boolean {
  return (
    value.length > 0 && value.length <= 63 && KUBERNETES_LABEL_VALUE.test(value)
  );
}

/**
 * Whether a string is a DNS-1123 label, the format of a Kubernetes namespace name.
 *
 * @public
 */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS_1123_LABEL.test(value);
}

/**
 * Whether a string is a Grafana dashboard uid (at most 40 alphanumerics, `-` or `_`).
 *
 * @public
 */
export function isGrafanaUid(value: string): boolean {
  return GRAFANA_UID.test(value);
}

/**
 * Escapes a value for a double-quoted PromQL or LogQL string literal. Both languages read string
 * literals with Go's escape rules, so the same escaping serves both.
 *
 * @public
 */
export function escapeQueryString(value: string): string {
  let out = '';
  for (const char of value) {
    switch (char) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default: {
        const code = char.codePointAt(0)!;
        // Other control characters are written as Go \u escapes, never raw.
        out +=
          code < 0x20 || code === 0x7f
            ? `\\u${code.toString(16).padStart(4, '0')}`
            : char;
      }
    }
  }
  return out;
}

/**
 * A PromQL/LogQL label matcher `name="value"` with the value escaped.
 *
 * @public
 */
export function labelMatcher(name: string, value: string): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) {
    throw new Error(`Invalid label name ${JSON.stringify(name)}`);
  }
  return `${name}="${escapeQueryString(value)}"`;
}
