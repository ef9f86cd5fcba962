// The kinds of value a setting can hold. Each kind is a zod schema (the rule, checked the same way
// for the config file, the environment and a portal's overrides), the rule in words (for refusals
// and the README's table), and how a value is read from an environment variable, where everything
// arrives as a string.
import { z } from 'zod';

export interface SettingType<T> {
  readonly schema: z.ZodType<T>;
  /** The rule in words: `an integer 1..100`. */
  readonly rule: string;
  /** An environment variable's text as the value the schema checks (the schema refuses what is not). */
  fromEnv(raw: string): unknown;
}

const asNumber = (raw: string): unknown => (raw.trim() === '' ? raw : Number(raw));

export function int(min: number, max: number): SettingType<number> {
  return { schema: z.number().int().min(min).max(max), rule: `an integer ${min}..${max}`, fromEnv: asNumber };
}

export function decimal(min: number, max: number): SettingType<number> {
  return { schema: z.number().min(min).max(max), rule: `a number ${min}..${max}`, fromEnv: asNumber };
}

export function fraction(): SettingType<number> {
  return { schema: z.number().min(0).max(1), rule: 'a number 0..1', fromEnv: asNumber };
}

export function bool(): SettingType<boolean> {
  return { schema: z.boolean(), rule: 'true or false', fromEnv: (raw) => (raw === 'true' ? true : raw === 'false' ? false : raw) };
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T): SettingType<T[number]> {
  return { schema: z.enum(values), rule: values.length === 2 ? values.join(' or ') : `one of ${values.join(', ')}`, fromEnv: (raw) => raw };
}

/** Text matching a pattern; `rule` says what the pattern means. */
export function text(pattern: RegExp, rule: string): SettingType<string> {
  return { schema: z.string().regex(pattern), rule, fromEnv: (raw) => raw };
}

/** Text a function checks; `problem` returns why a value is refused, or null. */
export function checked(rule: string, problem: (value: string) => string | null): SettingType<string> {
  return {
    schema: z.string().superRefine((value, ctx) => {
      const why = problem(value);
      if (why) ctx.addIssue({ code: z.ZodIssueCode.custom, message: why });
    }),
    rule,
    fromEnv: (raw) => raw,
  };
}

/** A list of strings; in the environment a JSON array. */
export function stringList(maxItems: number, item: RegExp, itemRule: string): SettingType<readonly string[]> {
  return {
    schema: z.array(z.string().regex(item)).max(maxItems),
    rule: `a list of at most ${maxItems} ${itemRule} (in the environment a JSON array)`,
    fromEnv: (raw) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    },
  };
}

/** The same kind, or unset (`null`; in the environment an empty or missing variable). */
export function optional<T>(type: SettingType<T>): SettingType<T | null> {
  return { schema: type.schema.nullable(), rule: type.rule, fromEnv: type.fromEnv };
}

/** Why a value broke the rule, in the rule's words where zod's would be vaguer. */
export function refusal(type: SettingType<unknown>, error: z.ZodError): string {
  const custom = error.issues.find((issue) => issue.code === z.ZodIssueCode.custom);
  return custom ? custom.message : `must be ${type.rule}`;
}
