// A portal's `captcha` setting in PORTALS: `manual` (an operator answers through the API),
// `portal-sim` (the simulator's test hook), or a chain of solvers tried in order, such as a
// captcha-solving service first, then the operator:
//   [{ "http": { "url": "https://…", "keyRef": "secret://captcha-service", "timeoutMs": 120000,
//      "pollIntervalMs": 5000, "costPerSolve": 0.002 } }, "manual"]
// The service's API key is only ever a reference into SECRETS_FILE (its `password`), resolved at
// solve time: a reason for refusing a setting names the place and the rule, never a value.

/** A captcha-solving service with the submit-then-poll API (in.php / res.php). */
export interface HttpCaptchaConfig {
  /** The stage's name in metrics (`solver` label); distinct within a chain. */
  name: string;
  url: string;
  /** Secret reference whose `password` is the service's API key. */
  keyRef: string;
  pollIntervalMs: number;
  timeoutMs: number;
  /** What one solved captcha costs, in the service's units; counted in engine_captcha_solve_cost_total. */
  costPerSolve: number;
}

export type CaptchaStageConfig = 'manual' | 'portal-sim' | { http: HttpCaptchaConfig };
export type CaptchaConfig = 'manual' | 'portal-sim' | CaptchaStageConfig[];

const MAX_STAGES = 5;
const HTTP_SETTINGS = ['name', 'url', 'keyRef', 'pollIntervalMs', 'timeoutMs', 'costPerSolve'];
const HTTP_DEFAULTS = { name: 'http', pollIntervalMs: 5_000, timeoutMs: 120_000, costPerSolve: 0 };

/** The name a stage goes by in metrics. */
export function captchaStageName(stage: CaptchaStageConfig): string {
  return typeof stage === 'string' ? stage : stage.http.name;
}

/** The setting with its defaults filled in, or why it cannot be used (`at` names its place, e.g. `portals[0].captcha`). */
export function parseCaptchaConfig(raw: unknown, at: string, secretsFile: boolean): { config: CaptchaConfig | undefined } | { error: string } {
  if (raw === undefined || raw === 'manual' || raw === 'portal-sim') return { config: raw };
  if (!Array.isArray(raw)) return { error: `${at}: must be "manual", "portal-sim" or a list of solver stages` };
  if (raw.length === 0 || raw.length > MAX_STAGES) return { error: `${at}: a chain has 1 to ${MAX_STAGES} stages` };
  const stages: CaptchaStageConfig[] = [];
  for (const [i, item] of raw.entries()) {
    const place = `${at}[${i}]`;
    if (item === 'manual' && i !== raw.length - 1) return { error: `${place}: "manual" must be the last stage (nothing runs after a person is asked)` };
    if (item === 'manual' || item === 'portal-sim') {
      stages.push(item);
      continue;
    }
    const http = parseHttpStage(item, place, secretsFile);
    if ('error' in http) return http;
    stages.push({ http: http.config });
  }
  const names = stages.map(captchaStageName);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) return { error: `${at}: two stages named ${twice} (give each http stage its own "name")` };
  return { config: stages };
}

function parseHttpStage(item: unknown, place: string, secretsFile: boolean): { config: HttpCaptchaConfig } | { error: string } {
  if (!isObject(item) || Object.keys(item).length !== 1 || !isObject(item.http)) return { error: `${place}: must be "manual", "portal-sim" or { "http": { url, keyRef, … } }` };
  const http = item.http;
  for (const key of Object.keys(http)) {
    if (HTTP_SETTINGS.includes(key)) continue;
    if (/key|token|secret/i.test(key)) return { error: `${place}.http.${key}: an API key never goes in PORTALS; put it in SECRETS_FILE and name it with keyRef` };
    return { error: `${place}.http.${key}: unknown setting (known: ${HTTP_SETTINGS.join(', ')})` };
  }
  const config = { ...HTTP_DEFAULTS, ...http } as Record<string, unknown>;
  if (typeof config.name !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(config.name) || config.name === 'manual' || config.name === 'portal-sim') {
    return { error: `${place}.http.name: 1-32 characters of a-z 0-9 _ -, starting with a letter, not manual or portal-sim` };
  }
  if (typeof config.url !== 'string' || !isPlainHttpUrl(config.url)) return { error: `${place}.http.url: must be an http(s) URL without credentials, query or fragment` };
  if (typeof config.keyRef !== 'string' || config.keyRef === '') return { error: `${place}.http.keyRef: required, the secret reference of the service's API key` };
  if (!secretsFile) return { error: `${place}.http.keyRef: needs SECRETS_FILE, where the reference is resolved` };
  if (!isIntIn(config.pollIntervalMs, 100, 600_000)) return { error: `${place}.http.pollIntervalMs: must be an integer 100..600000` };
  if (!isIntIn(config.timeoutMs, 1_000, 3_600_000)) return { error: `${place}.http.timeoutMs: must be an integer 1000..3600000` };
  if (typeof config.costPerSolve !== 'number' || !Number.isFinite(config.costPerSolve) || config.costPerSolve < 0) return { error: `${place}.http.costPerSolve: must be a number >= 0` };
  return { config: config as unknown as HttpCaptchaConfig };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntIn(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** An http(s) URL that may have a path, but nothing that could carry a secret into logs: no credentials, query or fragment. */
export function isPlainHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return /^https?:$/.test(url.protocol) && !url.username && !url.password && !url.search && !url.hash && !value.includes('?') && !value.includes('#');
}
