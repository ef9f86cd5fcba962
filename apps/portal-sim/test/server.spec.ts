// The simulator over plain HTTP, in-process on a free port: routing, login, lockout, sessions,
// the proposal form, malformed posts and the test hooks.
import { startPortalSim, type PortalSim, type PortalSimOptions } from '../src';
import { fieldErrors, hiddenValue, PortalClient, textOf } from './http-client';
import { CUSTOMER_FORM, newChassisNo, vehicleForm } from './proposal-data';

const sims: PortalSim[] = [];

async function start(options: PortalSimOptions = {}): Promise<PortalSim> {
  const sim = await startPortalSim({ seed: 1234, modelsLatencyMs: 0, ...options });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

async function loggedIn(sim: PortalSim, username?: string, password?: string): Promise<PortalClient> {
  const client = new PortalClient(sim.url);
  const res = await client.login(sim, username, password);
  expect(res.status).toBe(302);
  return client;
}

/** Fills vehicle, customer and quote; returns the confirm page's address. */
async function fillToConfirm(client: PortalClient, chassisNo: string): Promise<string> {
  const vehicle = await client.get('/Proposal/Vehicle.aspx');
  const token = hiddenValue(vehicle.body, '__FORMTOKEN');
  const toCustomer = await client.postForm(`/Proposal/Vehicle.aspx?ft=${token}`, { __FORMTOKEN: token, ...vehicleForm(chassisNo) });
  expect(toCustomer.location).toBe(`/Proposal/Customer.aspx?ft=${token}`);
  const toQuote = await client.postForm(toCustomer.location as string, { __FORMTOKEN: token, ...CUSTOMER_FORM });
  expect(toQuote.location).toBe(`/Proposal/Quote.aspx?ft=${token}`);
  const toConfirm = await client.postForm(toQuote.location as string, { __FORMTOKEN: token });
  expect(toConfirm.location).toBe(`/Proposal/Confirm.aspx?ft=${token}`);
  return toConfirm.location as string;
}

describe('routing without a session', () => {
  it.each(['/Dashboard.aspx', '/Proposal/Vehicle.aspx', '/Search.aspx?chassis=X', '/api/models?make=Ford', '/'])(
    'redirects %s to the login page with a ReturnUrl',
    async (path) => {
      const sim = await start();
      const res = await new PortalClient(sim.url).get(path);
      expect(res.status).toBe(302);
      expect(res.location).toBe(`/Login.aspx?ReturnUrl=${encodeURIComponent(path)}`);
    },
  );

  it('redirects posts too, and an unknown session cookie', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    client.cookie = 'ASP.NET_SessionId=doesnotexist';
    expect((await client.postForm('/Proposal/Vehicle.aspx', { a: 'b' })).status).toBe(302);
    expect((await client.get('/Dashboard.aspx')).status).toBe(302);
  });

  it('serves the login page, captcha and static assets without a session', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    const login = await client.get('/Login.aspx');
    expect(login.status).toBe(200);
    for (const id of ['form1', 'txtUserName', 'txtPassword', 'txtCaptcha', 'hdnCaptchaId', 'imgCaptcha', 'btnLogin', 'lblError']) {
      expect(login.body).toContain(`id="${id}"`);
    }
    const captcha = await client.get(`/Captcha.ashx?id=${hiddenValue(login.body, '__CAPTCHAID')}`);
    expect(captcha.status).toBe(200);
    expect(captcha.headers['content-type']).toBe('image/png');
    expect((await client.get('/Content/site.css')).status).toBe(200);
    expect((await client.get('/Scripts/vehicle.js')).status).toBe(200);
    expect((await client.get('/nowhere.aspx')).status).toBe(404);
  });

  it('treats paths case-insensitively, as IIS does', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    expect((await client.get('/dashboard.aspx')).status).toBe(200);
  });
});

describe('login', () => {
  it('sets an HttpOnly session cookie and lands on the dashboard with the user name', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    const res = await client.login(sim);
    expect(res.location).toBe('/Dashboard.aspx');
    expect(res.headers['set-cookie']?.[0]).toMatch(/^ASP\.NET_SessionId=[a-z0-5]{24}; path=\/; HttpOnly/);
    const dashboard = await client.get('/Dashboard.aspx');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toContain('id="divMainMotors"');
    expect(dashboard.body).toContain('id="divLogout"');
    expect(textOf(dashboard.body, 'lblUserName')).toBe('agent');
    expect(sim.stats()).toMatchObject({ logins: 1, failedLogins: 0, activeSessions: 1 });
  });

  it('follows a same-site ReturnUrl and ignores one to another origin', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    for (const [returnUrl, expected] of [
      ['/Search.aspx?chassis=ABC', '/Search.aspx?chassis=ABC'],
      ['//evil.example/x', '/Dashboard.aspx'],
      ['https://evil.example/', '/Dashboard.aspx'],
    ]) {
      const page = await client.get(`/Login.aspx?ReturnUrl=${encodeURIComponent(returnUrl)}`);
      const captchaId = hiddenValue(page.body, '__CAPTCHAID');
      const res = await client.postForm(`/Login.aspx?ReturnUrl=${encodeURIComponent(returnUrl)}`, {
        txtUserName: 'agent',
        txtPassword: 'Secr3t!pass',
        txtCaptcha: sim.captchaAnswer(captchaId) ?? '',
        __CAPTCHAID: captchaId,
      });
      expect(res.location).toBe(expected);
    }
  });

  it('shows the login page again with an error for a wrong password or captcha, and never echoes the password', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    const wrongPassword = await client.login(sim, 'agent', 'nope-Secret-123');
    expect(wrongPassword.status).toBe(200);
    expect(textOf(wrongPassword.body, 'lblError')).toMatch(/invalid user name or password/i);
    expect(wrongPassword.body).not.toContain('nope-Secret-123');

    const page = await client.get('/Login.aspx');
    const wrongCaptcha = await client.postForm('/Login.aspx', {
      txtUserName: 'agent',
      txtPassword: 'Secr3t!pass',
      txtCaptcha: 'ZZZZZZ',
      __CAPTCHAID: hiddenValue(page.body, '__CAPTCHAID'),
    });
    expect(wrongCaptcha.status).toBe(200);
    expect(textOf(wrongCaptcha.body, 'lblError')).toMatch(/did not match/);
    expect(client.cookie).toBeUndefined();
    expect(sim.stats()).toMatchObject({ logins: 0, failedLogins: 2 });
  });

  it('accepts each captcha once: replaying a used one fails', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    const page = await client.get('/Login.aspx');
    const captchaId = hiddenValue(page.body, '__CAPTCHAID');
    const form = { txtUserName: 'agent', txtPassword: 'Secr3t!pass', txtCaptcha: sim.captchaAnswer(captchaId) ?? '', __CAPTCHAID: captchaId };
    expect((await client.postForm('/Login.aspx', form)).status).toBe(302);
    const replay = await new PortalClient(sim.url).postForm('/Login.aspx', form);
    expect(replay.status).toBe(200);
    expect(textOf(replay.body, 'lblError')).toMatch(/expired/);
  });

  it('issues a new captcha on every page view', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    const first = hiddenValue((await client.get('/Login.aspx')).body, '__CAPTCHAID');
    const second = hiddenValue((await client.get('/Login.aspx')).body, '__CAPTCHAID');
    expect(first).not.toBe(second);
    expect(sim.captchaAnswer(first)).toBeDefined();
  });

  it('locks the account after N wrong passwords until lockoutMs has passed', async () => {
    let now = Date.UTC(2026, 0, 1);
    const sim = await start({ lockoutAfter: 3, lockoutMs: 60_000, now: () => now });
    const client = new PortalClient(sim.url);
    for (let i = 0; i < 3; i++) await client.login(sim, 'agent', 'wrong');
    const locked = await client.login(sim);
    expect(locked.status).toBe(200);
    expect(textOf(locked.body, 'lblError')).toMatch(/locked/);
    const otherUser = await new PortalClient(sim.url).login(sim, 'other-user', 'x');
    expect(textOf(otherUser.body, 'lblError')).toMatch(/invalid user name or password/i);
    now += 60_000;
    expect((await client.login(sim)).status).toBe(302);
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    const cookie = client.cookie;
    const res = await client.get('/Logout.aspx');
    expect(res.location).toBe('/Login.aspx');
    expect(client.cookie).toBeUndefined();
    client.cookie = cookie;
    expect((await client.get('/Dashboard.aspx')).status).toBe(302);
    expect(sim.stats().activeSessions).toBe(0);
  });

  it('answers a logout without a session with the login page, not a ReturnUrl back to the logout', async () => {
    const sim = await start();
    expect((await new PortalClient(sim.url).get('/Logout.aspx')).location).toBe('/Login.aspx');
  });
});

describe('sessions', () => {
  it('expire after the idle TTL on the injected clock', async () => {
    let now = Date.UTC(2026, 0, 1);
    const sim = await start({ idleTtlMs: 1000, now: () => now });
    const client = await loggedIn(sim);
    now += 1000;
    expect((await client.get('/Dashboard.aspx')).status).toBe(200);
    now += 1001;
    expect((await client.get('/Dashboard.aspx')).status).toBe(302);
  });

  it('expire at the absolute TTL however busy', async () => {
    let now = Date.UTC(2026, 0, 1);
    const sim = await start({ idleTtlMs: 1000, absoluteTtlMs: 2500, now: () => now });
    const client = await loggedIn(sim);
    for (let i = 0; i < 2; i++) {
      now += 900;
      expect((await client.get('/Dashboard.aspx')).status).toBe(200);
    }
    now += 900;
    expect((await client.get('/Dashboard.aspx')).status).toBe(302);
  });

  it('end the older session of a user when singleSessionPerUser is on', async () => {
    const sim = await start({ singleSessionPerUser: true });
    const first = await loggedIn(sim);
    const second = await loggedIn(sim);
    expect((await first.get('/Dashboard.aspx')).status).toBe(302);
    expect((await second.get('/Dashboard.aspx')).status).toBe(200);
  });

  it('are killed in-process, per user or all', async () => {
    const users = [
      { username: 'agent', password: 'Secr3t!pass' },
      { username: 'clerk', password: 'An0ther!pass' },
    ];
    const sim = await start({ users });
    const agent = await loggedIn(sim, 'agent', 'Secr3t!pass');
    const clerk = await loggedIn(sim, 'clerk', 'An0ther!pass');
    expect(sim.killSessions('agent')).toBe(1);
    expect((await agent.get('/Dashboard.aspx')).status).toBe(302);
    expect((await clerk.get('/Dashboard.aspx')).status).toBe(200);
    expect(sim.killSessions()).toBe(1);
    expect((await clerk.get('/Dashboard.aspx')).status).toBe(302);
  });
});

describe('proposal form', () => {
  it('goes vehicle → customer → quote → confirm → done, and the search finds it by chassis number', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    const models = await client.get('/api/models?make=Ford');
    expect(JSON.parse(models.body)).toEqual([
      { value: 'Fiesta', text: 'Fiesta' },
      { value: 'Focus', text: 'Focus' },
      { value: 'Ranger', text: 'Ranger' },
    ]);
    const chassisNo = newChassisNo();
    const confirmUrl = await fillToConfirm(client, chassisNo);
    const confirm = await client.get(confirmUrl);
    expect(textOf(confirm.body, 'lblChassisNo')).toBe(chassisNo);
    expect(textOf(confirm.body, 'lblPremium')).toBe('555.00');
    const token = hiddenValue(confirm.body, '__FORMTOKEN');
    const submitted = await client.postForm(confirmUrl, { __FORMTOKEN: token, btnSubmit: 'Submit proposal' });
    expect(submitted.location).toMatch(/^\/Proposal\/Done\.aspx\?ref=PRP-\d{4}-000001$/);
    const done = await client.get(submitted.location as string);
    const reference = textOf(done.body, 'lblReference');
    expect(reference).toMatch(/^PRP-\d{4}-000001$/);

    const search = await client.get(`/Search.aspx?chassis=${chassisNo.toLowerCase()}`);
    expect(search.body).toContain('id="tblResults"');
    expect([...search.body.matchAll(/class="result-row" data-reference="([^"]+)"/g)].map((m) => m[1])).toEqual([reference]);
    expect(sim.stats()).toMatchObject({ submissions: { [chassisNo]: 1 }, duplicates: 0, extraSubmissions: 0 });
  });

  it('sends an out-of-order step back to the first incomplete one', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    const token = hiddenValue((await client.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    expect((await client.get(`/Proposal/Confirm.aspx?ft=${token}`)).location).toBe(`/Proposal/Vehicle.aspx?ft=${token}`);
    expect((await client.get('/Proposal/Customer.aspx?ft=unknown')).location).toBe('/Proposal/Vehicle.aspx');
  });

  it('re-renders a step with 400 and per-field errors, keeping the entered values', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    const token = hiddenValue((await client.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    const toCustomer = await client.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: token, ...vehicleForm(newChassisNo()) });
    const res = await client.postForm(toCustomer.location as string, { __FORMTOKEN: token, ...CUSTOMER_FORM, txtDateOfBirth: '12/04/1985', txtEmail: 'x' });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.body).sort()).toEqual(['txtDateOfBirth', 'txtEmail']);
    expect(res.body).toContain(`value="${CUSTOMER_FORM.txtFullName}"`);
  });

  it('keeps two fills of one session apart by default (per-form token)', async () => {
    const sim = await start();
    const first = await loggedIn(sim);
    const clone = new PortalClient(sim.url);
    clone.cookie = first.cookie;
    const [a, b] = [newChassisNo(), newChassisNo()];
    const tokenA = hiddenValue((await first.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    const tokenB = hiddenValue((await clone.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    await first.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: tokenA, ...vehicleForm(a) });
    await clone.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: tokenB, ...vehicleForm(b) });
    await first.postForm('/Proposal/Customer.aspx', { __FORMTOKEN: tokenA, ...CUSTOMER_FORM });
    await first.postForm('/Proposal/Quote.aspx', { __FORMTOKEN: tokenA });
    const confirm = await first.get(`/Proposal/Confirm.aspx?ft=${tokenA}`);
    expect(textOf(confirm.body, 'lblChassisNo')).toBe(a);
    expect(hiddenValue(confirm.body, '__FORMTOKEN')).toBe(tokenA);
  });

  it('lets two fills of one session corrupt each other with formStateInSession, visibly', async () => {
    const sim = await start({ formStateInSession: true });
    const first = await loggedIn(sim);
    const clone = new PortalClient(sim.url);
    clone.cookie = first.cookie;
    const [a, b] = [newChassisNo(), newChassisNo()];
    const tokenA = hiddenValue((await first.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    const tokenB = hiddenValue((await clone.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    await first.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: tokenA, ...vehicleForm(a) });
    await clone.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: tokenB, ...vehicleForm(b) });
    await first.postForm('/Proposal/Customer.aspx', { __FORMTOKEN: tokenA, ...CUSTOMER_FORM });
    const toConfirm = await first.postForm('/Proposal/Quote.aspx', { __FORMTOKEN: tokenA });
    expect(toConfirm.location).toBe('/Proposal/Confirm.aspx');
    const confirm = await first.get('/Proposal/Confirm.aspx');
    expect(textOf(confirm.body, 'lblChassisNo')).toBe(b);
    expect(hiddenValue(confirm.body, '__FORMTOKEN')).toBe(tokenB);
    expect(tokenB).not.toBe(tokenA);
  });

  it('renders the done page only for a reference of this user', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    expect((await client.get('/Proposal/Done.aspx?ref=PRP-2026-999999')).status).toBe(404);
  });
});

describe('malformed posts', () => {
  it('answer a login post with missing fields with 400 and field errors', async () => {
    const sim = await start();
    const res = await new PortalClient(sim.url).postForm('/Login.aspx', { txtUserName: 'agent' });
    expect(res.status).toBe(400);
    expect(fieldErrors(res.body).sort()).toEqual(['__CAPTCHAID', 'txtCaptcha', 'txtPassword']);
  });

  it('answer a step post with missing, repeated or oversize fields with 400 and field errors', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    const token = hiddenValue((await client.get('/Proposal/Vehicle.aspx')).body, '__FORMTOKEN');
    const missing = await client.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: token, ddlMake: 'Ford' });
    expect(missing.status).toBe(400);
    expect(fieldErrors(missing.body).sort()).toEqual(['ddlModel', 'txtChassisNo', 'txtRegistrationNo']);

    const repeated = await client.postForm(
      '/Proposal/Vehicle.aspx',
      `__FORMTOKEN=${token}&ddlMake=Ford&ddlModel=Focus&txtRegistrationNo=AB1&txtChassisNo=${newChassisNo()}&txtChassisNo=${newChassisNo()}`,
    );
    expect(repeated.status).toBe(400);
    expect(fieldErrors(repeated.body)).toEqual(['txtChassisNo']);

    const overlong = await client.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: token, ...vehicleForm('A'.repeat(5000)) });
    expect(overlong.status).toBe(400);
    expect(fieldErrors(overlong.body)).toEqual(['txtChassisNo']);

    const oversize = await client.postForm('/Proposal/Vehicle.aspx', { __FORMTOKEN: token, ...vehicleForm(newChassisNo()), padding: 'x'.repeat(20_000) });
    expect(oversize.status).toBe(400);
    expect(fieldErrors(oversize.body)).toEqual(['__form']);
  });

  it('answer a post without its form token, or not form-encoded, with 400', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    const noToken = await client.postForm('/Proposal/Vehicle.aspx', vehicleForm(newChassisNo()));
    expect(noToken.status).toBe(400);
    expect(fieldErrors(noToken.body)).toEqual(['__FORMTOKEN']);
    const json = await client.postForm('/Proposal/Vehicle.aspx', JSON.stringify(vehicleForm(newChassisNo())), 'application/json');
    expect(json.status).toBe(400);
    expect(fieldErrors(json.body)).toEqual(['__form']);
  });

  it('answer an unsupported method with 405', async () => {
    const sim = await start();
    const client = await loggedIn(sim);
    expect((await client.postForm('/Dashboard.aspx', { a: 'b' })).status).toBe(405);
  });
});

describe('test hooks', () => {
  it('are absent unless testHooks is on', async () => {
    const sim = await start();
    const client = new PortalClient(sim.url);
    expect((await client.get('/__test/stats')).status).toBe(404);
    expect((await client.postJson('/__test/faults', { captchaAlwaysWrong: true })).status).toBe(404);
    expect(sim.faults.current().captchaAlwaysWrong).toBe(false);
  });

  it('read captcha answers, set and reset faults, count, and kill sessions over JSON', async () => {
    const sim = await start({ testHooks: true });
    const client = await loggedIn(sim);
    const captchaId = hiddenValue((await client.get('/Login.aspx')).body, '__CAPTCHAID');
    expect(JSON.parse((await client.get(`/__test/captcha/${captchaId}`)).body)).toEqual({ answer: sim.captchaAnswer(captchaId) });
    expect((await client.get('/__test/captcha/unknown')).status).toBe(404);

    const set = await client.postJson('/__test/faults', { duplicateTrap: 'error', latency: { '/Search.aspx': { ms: 5 } } });
    expect(JSON.parse(set.body)).toMatchObject({ duplicateTrap: 'error', latency: { '/Search.aspx': { ms: 5, jitterMs: 0 } } });
    expect(sim.faults.current().duplicateTrap).toBe('error');
    expect((await client.postJson('/__test/faults', { errorRate: { '/': 3 } })).status).toBe(400);
    expect((await client.postJson('/__test/faults/reset', {})).status).toBe(200);
    expect(sim.faults.current().duplicateTrap).toBeNull();

    const stats = JSON.parse((await client.get('/__test/stats')).body);
    expect(stats).toMatchObject({ logins: 1, failedLogins: 0, activeSessions: 1, submissions: {}, duplicates: 0 });
    expect(stats.requests).toBeGreaterThan(0);
    expect(JSON.parse((await client.postJson('/__test/sessions/kill', { username: 'nobody' })).body)).toEqual({ killed: 0 });
    expect(JSON.parse((await client.postJson('/__test/sessions/kill', {})).body)).toEqual({ killed: 1 });
    expect((await client.get('/Dashboard.aspx')).status).toBe(302);
  });

  it('count duplicates: keys submitted more than once and the extra submissions', async () => {
    const sim = await start({ testHooks: true });
    const client = await loggedIn(sim);
    const [twice, thrice, once] = [newChassisNo(), newChassisNo(), newChassisNo()];
    for (const chassisNo of [twice, twice, thrice, thrice, thrice, once]) {
      const confirmUrl = await fillToConfirm(client, chassisNo);
      const token = hiddenValue((await client.get(confirmUrl)).body, '__FORMTOKEN');
      expect((await client.postForm(confirmUrl, { __FORMTOKEN: token })).status).toBe(302);
    }
    expect(sim.stats()).toMatchObject({ submissions: { [twice]: 2, [thrice]: 3, [once]: 1 }, duplicates: 2, extraSubmissions: 3 });
  });

  it('inject a 500 at the configured rate, with the same outcomes for the same seed', async () => {
    const outcomes = async () => {
      const sim = await start({ seed: 77 });
      const client = await loggedIn(sim);
      sim.faults.set({ errorRate: { '/Dashboard.aspx': 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await client.get('/Dashboard.aspx')).status);
      expect((await client.get('/Search.aspx')).status).toBe(200);
      return statuses;
    };
    const first = await outcomes();
    expect(new Set(first)).toEqual(new Set([200, 500]));
    expect(await outcomes()).toEqual(first);
  });
});
