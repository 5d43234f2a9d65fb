// Branch: compares `lhs` with each condition's `rhs` in order; the first
// condition that holds names the exit state (its alias), else `no_match`.
// Comparisons are on strings, case-sensitive; the four ordering operations
// compare numbers and never hold when either side is not a number.
import type { NodeComponent } from '../phlo-node.ts';

export const OPERATIONS = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'greater_than',
  'greater_than_or_equal',
  'less_than',
  'less_than_or_equal',
  'is_empty',
  'is_not_empty',
  'matches_regex',
] as const;
type Operation = (typeof OPERATIONS)[number];

const UNARY: readonly Operation[] = ['is_empty', 'is_not_empty'];
const ALIAS = /^[A-Za-z0-9_]{1,64}$/;

function numeric(a: string, b: string, test: (x: number, y: number) => boolean): boolean {
  if (a.trim() === '' || b.trim() === '') return false;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && test(x, y);
}

function regex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

export function holds(op: Operation, lhs: string, rhs: string): boolean {
  switch (op) {
    case 'equals':
      return lhs === rhs;
    case 'not_equals':
      return lhs !== rhs;
    case 'contains':
      return lhs.includes(rhs);
    case 'not_contains':
      return !lhs.includes(rhs);
    case 'starts_with':
      return lhs.startsWith(rhs);
    case 'ends_with':
      return lhs.endsWith(rhs);
    case 'greater_than':
      return numeric(lhs, rhs, (x, y) => x > y);
    case 'greater_than_or_equal':
      return numeric(lhs, rhs, (x, y) => x >= y);
    case 'less_than':
      return numeric(lhs, rhs, (x, y) => x < y);
    case 'less_than_or_equal':
      return numeric(lhs, rhs, (x, y) => x <= y);
    case 'is_empty':
      return lhs.trim() === '';
    case 'is_not_empty':
      return lhs.trim() !== '';
    case 'matches_regex':
      return regex(rhs)?.test(lhs) ?? false;
  }
}

const conditionsOf = (config: Record<string, unknown>): Array<Record<string, unknown>> =>
  Array.isArray(config.conditions) ? config.conditions.filter((c): c is Record<string, unknown> => !!c && typeof c === 'object') : [];

export const branch: NodeComponent = {
  type: 'branch',
  label: 'Branch',
  needsCall: false,
  states: (config) => [...conditionsOf(config).map((c) => String(c.alias)), 'no_match'],
  check(c) {
    c.string('lhs', { required: true });
    const seen = new Set<string>();
    (c.list('conditions', { required: true, minItems: 1 }) ?? []).forEach((cond) => {
      const alias = cond.string('alias', { required: true, pattern: ALIAS, hint: 'letters, digits and _ (at most 64)' });
      if (alias === 'no_match') cond.error('alias', '"no_match" is the state taken when no condition holds; name the condition otherwise');
      if (alias && seen.has(alias)) cond.error('alias', `"${alias}" is used by an earlier condition; aliases must be unique`);
      if (alias) seen.add(alias);
      const op = cond.string('operation', { required: true, enum: OPERATIONS }) as Operation | undefined;
      const rhs = cond.string('rhs', { required: !!op && OPERATIONS.includes(op) && !UNARY.includes(op) });
      if (op === 'matches_regex' && rhs && !rhs.includes('{{') && !regex(rhs)) cond.error('rhs', `is not a valid regular expression: ${rhs}`);
    });
  },
  async run({ config }) {
    const lhs = String(config.lhs ?? '');
    for (const cond of conditionsOf(config)) {
      if (holds(cond.operation as Operation, lhs, String(cond.rhs ?? ''))) return { state: String(cond.alias) };
    }
    return { state: 'no_match' };
  },
};
