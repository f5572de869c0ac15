import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { QueryLanguage } from '@internal/plugin-observability-common';

export interface ParsedMatcher {
  name: string;
  op: string;
  value: string;
}

export interface ParsedQuery {
  /** Text of every error node, empty when the query parses. */
  errors: string[];
  /** Every label matcher, with its string literal unquoted. */
  matchers: ParsedMatcher[];
}

/** Parses PromQL or LogQL with the languages' Lezer grammars (the ones Grafana's editors use). */
export function parseQuery(language: QueryLanguage, expr: string): ParsedQuery {
  const parser = language === 'promql' ? promqlParser : logqlParser;
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const matchers: ParsedMatcher[] = [];
  const matcherNode =
    language === 'promql' ? /^(Unquoted|Quoted)?LabelMatcher$/ : /^Matcher$/;
  tree.iterate({
    enter: node => {
      if (node.type.isError) {
        errors.push(
          `at ${node.from}: ${JSON.stringify(
            expr.slice(Math.max(0, node.from - 10), node.to + 10),
          )}`,
        );
      }
      if (matcherNode.test(node.type.name)) {
        const children: string[] = [];
        const cursor = node.node.cursor();
        if (cursor.firstChild()) {
          do {
            children.push(expr.slice(cursor.from, cursor.to));
          } while (cursor.nextSibling());
        }
        const [name, op, literal] = children;
        // Both languages read string literals with Go's rules; the escapes the plugin writes
        // (\\ \" \n \r \t \uXXXX) read the same in JSON.
        matchers.push({ name, op, value: JSON.parse(literal) });
      }
    },
  });
  return { errors, matchers };
}
