// The MediaWiki test support against the real application (Debian's package on SQLite), over
// plain HTTP through the wiki's own HTML forms, as a browser would post them: what the portal
// tests rely on must hold here first. Logging in works, a saved edit is one revision in the
// wiki's database, and expiring the sessions on the server logs a client out.
import { startMediaWiki, type MediaWiki } from '../../test-support/mediawiki';

// Installing the wiki and building its caches takes many seconds on a loaded machine.
jest.setTimeout(600_000);

/** A cookie-keeping HTTP client for the wiki's forms (no redirects followed: they carry cookies). */
class FormClient {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<{ status: number; body: string }> {
    return this.request(path, { method: 'GET' });
  }

  async post(path: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    return this.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Who the wiki thinks is asking (id 0: anonymous). */
  async whoAmI(): Promise<{ id: number; name: string }> {
    const { body } = await this.get('/api.php?action=query&meta=userinfo&format=json');
    return (JSON.parse(body) as { query: { userinfo: { id: number; name: string } } }).query.userinfo;
  }

  private async request(path: string, init: RequestInit): Promise<{ status: number; body: string }> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
      signal: AbortSignal.timeout(60_000),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()];
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()) || value === 'deleted';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, body: await response.text() };
  }
}

/** The hidden fields of the form holding the given submit button (tokens, start times...). */
function hiddenFields(html: string, submitId: string): Record<string, string> {
  const form = [...html.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => hasElement(f, submitId));
  if (!form) throw new Error(`no form with #${submitId}`);
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const attributes = Object.fromEntries([...tag.matchAll(/([\w-]+)=(?:"([^"]*)"|'([^']*)')/g)].map((m) => [m[1], decodeHtml(m[2] ?? m[3])]));
    if (attributes.type === 'hidden' && attributes.name) fields[attributes.name] = attributes.value ?? '';
  }
  return fields;
}

/** MediaWiki quotes some attributes with ", its OOUI widgets with '. */
function hasElement(html: string, id: string): boolean {
  return html.includes(`id="${id}"`) || html.includes(`id='${id}'`);
}

function decodeHtml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|#0?39);/g, (_, entity: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>' })[entity] ?? "'");
}

async function logIn(client: FormClient, wiki: MediaWiki): Promise<void> {
  const page = await client.get('/index.php?title=Special:UserLogin');
  const response = await client.post('/index.php?title=Special:UserLogin', {
    ...hiddenFields(page.body, 'wpLoginAttempt'),
    wpName: wiki.username,
    wpPassword: wiki.password,
    wploginattempt: 'Log in',
  });
  expect(response.status).toBe(302);
}

/** Opens the edit form and saves it, as the Save button would. Returns the save's status. */
async function edit(client: FormClient, title: string, text: string): Promise<{ status: number; form: string }> {
  const form = await client.get(`/index.php?title=${encodeURIComponent(title)}&action=edit`);
  if (!hasElement(form.body, 'wpSave')) return { status: form.status, form: form.body };
  const saved = await client.post(`/index.php?title=${encodeURIComponent(title)}&action=submit`, {
    ...hiddenFields(form.body, 'wpSave'),
    wpTextbox1: text,
    wpSummary: 'engine test',
    wpSave: 'Save page',
  });
  return { status: saved.status, form: form.body };
}

describe('MediaWiki test support (Debian package, SQLite, php -S)', () => {
  let wiki: MediaWiki;

  beforeAll(async () => {
    wiki = await startMediaWiki();
  });

  afterAll(async () => {
    await wiki?.stop();
  });

  it('serves the wiki on loopback', () => {
    expect(wiki.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('logs in through the login form, and the wiki knows the user afterwards', async () => {
    const client = new FormClient(wiki.baseUrl);
    expect(await client.whoAmI()).toMatchObject({ id: 0 });
    await logIn(client, wiki);
    expect(await client.whoAmI()).toMatchObject({ name: wiki.username });
    expect((await client.whoAmI()).id).toBeGreaterThan(0);
  });

  it('refuses a wrong password', async () => {
    const client = new FormClient(wiki.baseUrl);
    const page = await client.get('/index.php?title=Special:UserLogin');
    const response = await client.post('/index.php?title=Special:UserLogin', {
      ...hiddenFields(page.body, 'wpLoginAttempt'),
      wpName: wiki.username,
      wpPassword: `${wiki.password}-wrong`,
      wploginattempt: 'Log in',
    });
    expect(response.status).toBe(200);
    expect(await client.whoAmI()).toMatchObject({ id: 0 });
  });

  it('counts a saved edit as one revision of that page, from the wiki database', async () => {
    const client = new FormClient(wiki.baseUrl);
    await logIn(client, wiki);
    const title = 'Engine support check one';
    expect(wiki.pageExists(title)).toBe(false);
    expect(wiki.countRevisions(title)).toBe(0);

    expect((await edit(client, title, 'First version.')).status).toBe(302);
    expect(wiki.pageExists(title)).toBe(true);
    expect(wiki.countRevisions(title)).toBe(1);

    expect((await edit(client, title, 'Second version.')).status).toBe(302);
    const ids = wiki.revisionIds(title);
    expect(ids).toHaveLength(2);
    // The permanent link of the page names its latest revision: what a portal reports as reference.
    // (With spaces in the title, the view would redirect to its canonical URL first.)
    const { body } = await client.get(`/index.php?title=${encodeURIComponent(title.replace(/ /g, '_'))}`);
    expect(body).toContain(`oldid=${ids[1]}`);
  });

  it('expireAllSessions logs a logged-in client out on its next request, and its stale save does not land', async () => {
    const client = new FormClient(wiki.baseUrl);
    await logIn(client, wiki);
    expect(await client.whoAmI()).toMatchObject({ name: wiki.username });
    const title = 'Engine support check two';
    const form = await client.get(`/index.php?title=${encodeURIComponent(title)}&action=edit`);
    expect(hasElement(form.body, 'wpSave')).toBe(true);

    expect(wiki.expireAllSessions()).toBeGreaterThan(0);

    expect(await client.whoAmI()).toMatchObject({ id: 0 });
    // The form opened before the expiry is posted after it: anonymous users may not edit.
    const saved = await client.post(`/index.php?title=${encodeURIComponent(title)}&action=submit`, {
      ...hiddenFields(form.body, 'wpSave'),
      wpTextbox1: 'Saved by a logged-out client.',
      wpSummary: 'engine test',
      wpSave: 'Save page',
    });
    expect(saved.status).toBe(200);
    expect(wiki.pageExists(title)).toBe(false);
    const reopened = await client.get(`/index.php?title=${encodeURIComponent(title)}&action=edit`);
    expect(hasElement(reopened.body, 'wpSave')).toBe(false);
    expect(reopened.body).toContain('id="pt-login"');

    await logIn(client, wiki);
    expect((await edit(client, title, 'Saved after logging in again.')).status).toBe(302);
    expect(wiki.countRevisions(title)).toBe(1);
  });
});
