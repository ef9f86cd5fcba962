// The inspector page: stream list, statechart with the current state, timeline, time travel,
// recovery history and failure screenshots, kept live by the server's event feed; and the
// operator's actions on a job or a master session, each enabled only when the server says the
// machine accepts it now (otherwise disabled with the machine's reason as its tooltip).
// Plain modern JavaScript, no build step, no dependencies.
//
// Auth: the API token is asked once, kept in sessionStorage (this tab only) and sent as an
// Authorization header on every request. The live feed is read with fetch() and parsed as
// server-sent events, because EventSource cannot send headers: the token never goes into a URL.
'use strict';

(() => {
  const TOKEN_KEY = 'inspector.token';
  const PAGE_SIZE = 50;
  const RECONNECT_MS = 2000;
  const SIDE_REFRESH_MS = 1000;
  const LIST_RELOAD_MS = 1000;
  const $ = (id) => document.getElementById(id);

  let feed = null; // AbortController of the open live feed
  let view = null; // state of the stream view currently shown
  let list = { query: {}, cursors: [undefined], page: 0, rows: new Map() };
  let reconnectTimer = null;

  // ---- auth and HTTP ---------------------------------------------------------------------
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  class Unauthorized extends Error {}

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` }, cache: 'no-store' });
    if (response.status === 401) throw new Unauthorized();
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.message || `HTTP ${response.status}`);
    }
    return response;
  }

  const getJson = async (path) => (await api(path)).json();

  /** An operator command: recorded naming the inspector as who acted (X-Engine-Actor). Resolves to the parsed answer. */
  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json', 'X-Engine-Actor': 'inspector' },
      body: JSON.stringify(body || {}),
      cache: 'no-store',
    });
    if (response.status === 401) throw new Unauthorized();
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.reason || answer.message || `HTTP ${response.status}`);
    return answer;
  }

  function showOnly(id) {
    for (const section of ['login', 'list-view', 'stream-view']) $(section).hidden = section !== id;
    $('sign-out').hidden = id === 'login';
  }

  // ---- open incidents (GET /health/causes): a banner over every view -------------------------
  // Refreshed when a view opens and whenever the live feed shows a master session move, so it
  // follows recoveries without polling.
  let incidentsTimer;
  function refreshIncidentsSoon() {
    clearTimeout(incidentsTimer);
    incidentsTimer = setTimeout(() => refreshIncidents().catch(failed), LIST_RELOAD_MS);
  }

  async function refreshIncidents() {
    const [{ incidents }, load] = await Promise.all([getJson('/health/causes'), getJson('/api/portals')]);
    const banner = $('incidents');
    banner.innerHTML = incidents.map(incidentHtml).join('');
    banner.hidden = incidents.length === 0;
    const strip = $('portal-load');
    strip.innerHTML = load.portals.map(portalLoadHtml).join('');
    strip.hidden = load.portals.length === 0;
  }

  // ---- each portal's load and concurrency limit (GET /api/portals), under the incidents ------
  function portalLoadHtml(p) {
    const held = [
      p.waitingForRate && `${p.waitingForRate} waiting for rate`,
      p.waitingForQuietHours && `${p.waitingForQuietHours} in quiet hours`,
      p.waitingForSession && `${p.waitingForSession} waiting for the session`,
    ].filter(Boolean);
    let limit = p.concurrencyLimit === null ? 'global cap' : `limit ${p.concurrencyLimit}`;
    if (p.adaptive) {
      limit += ` (adaptive ${p.adaptive.floor}..${p.adaptive.ceiling}`;
      const change = p.adaptive.lastChange;
      limit += change ? `; ${change.from} → ${change.to} ${change.reason.replace('_', ' ')} at ${time(change.at)})` : '; unchanged)';
    }
    return `<span data-portal="${esc(p.portal)}"><strong>${esc(p.portal)}</strong> ${p.running} running · ${p.queued} queued${held.length ? ` (${esc(held.join(', '))})` : ''} · ${esc(limit)}</span>`;
  }

  function incidentHtml(i) {
    const cause = i.rootCause.jobId ? `job ${i.rootCause.jobId} reported ${i.rootCause.reason}` : `${i.rootCause.kind}: ${i.rootCause.reason}`;
    const waiting = `${i.dependents.waiting} job${i.dependents.waiting === 1 ? '' : 's'} waiting`;
    const halted = i.intakeHalted ? ' — intake halted until an operator resets it' : '';
    // A portal with several accounts has one master session (and incident) per account.
    const session = i.session ?? i.portal;
    const label = i.account ? `${i.portal} (account ${i.account})` : i.portal;
    const ops = i.operations ?? { waiting: 0, cancelled: 0, refused: 0, byName: {} };
    const names = Object.entries(ops.byName).map(([name, n]) => `${name} ${n}`).join(', ');
    const held = ops.waiting + ops.cancelled + ops.refused > 0 ? `; other work it held: ${ops.waiting} waiting, ${ops.cancelled} cancelled, ${ops.refused} refused (${names})` : '';
    return `<p data-portal="${esc(i.portal)}" data-session="${esc(session)}"><a href="${esc(streamLink(`master-${session}`))}">${esc(label)}</a> ${esc(i.state)} since ${esc(time(i.since))}: ${esc(cause)}; ${esc(waiting)}${esc(held)}${esc(halted)}</p>`;
  }

  function askForToken(message) {
    stopFeed();
    $('incidents').hidden = true;
    $('portal-load').hidden = true;
    sessionStorage.removeItem(TOKEN_KEY);
    showOnly('login');
    $('login-error').hidden = !message;
    $('login-error').textContent = message || '';
    $('token-input').focus();
  }

  function failed(error) {
    if (error instanceof Unauthorized) return askForToken('That token was refused.');
    if (error && error.name === 'AbortError') return;
    console.error(error);
    setLive('offline');
  }

  // ---- live feed (server-sent events over fetch) -------------------------------------------
  function setLive(state) {
    const badge = $('live-status');
    badge.dataset.state = state;
    badge.textContent = state;
  }

  function stopFeed() {
    clearTimeout(reconnectTimer);
    if (feed) feed.abort();
    feed = null;
    setLive('offline');
  }

  /** Opens the feed; resolves once the server says `ready`, then keeps delivering messages. */
  function openFeed(path, onMessage) {
    stopFeed();
    const controller = new AbortController();
    feed = controller;
    return new Promise((resolve, reject) => {
      let ready = false;
      (async () => {
        const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
        if (response.status === 401) throw new Unauthorized();
        if (!response.ok || !response.body) throw new Error(`live feed: HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = parseEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (!message) continue;
            if (message.type === 'ready' && !ready) {
              ready = true;
              setLive('live');
              resolve();
            } else if (message.type !== 'ping') onMessage(message);
          }
        }
        throw new Error('live feed closed');
      })().catch((error) => {
        if (controller.signal.aborted) return;
        if (!ready) reject(error);
        else if (error instanceof Unauthorized) askForToken('That token was refused.');
        else {
          // Reload the whole view: whatever happened while disconnected is then in it.
          setLive('reconnecting');
          reconnectTimer = setTimeout(route, RECONNECT_MS);
        }
      });
    });
  }

  function parseEvent(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return null;
    return { type, data: JSON.parse(data.join('\n')) };
  }

  // ---- formatting --------------------------------------------------------------------------
  const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
  const time = (iso) => (iso ? iso.replace('T', ' ').replace('Z', '').slice(0, 23) : '');
  function duration(ms) {
    if (ms === null || ms === undefined) return 'current';
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
    return `${(ms / 3_600_000).toFixed(1)} h`;
  }
  const streamLink = (stream) => `#/stream/${encodeURIComponent(stream)}`;

  // ---- stream list -------------------------------------------------------------------------
  function listQueryString(cursor) {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const [key, value] of Object.entries(list.query)) if (value) params.set(key, value);
    if (cursor) params.set('cursor', cursor);
    return params.toString();
  }

  async function showList() {
    showOnly('list-view');
    clearTimeout(list.reloadTimer);
    view = null;
    await openFeed('/api/inspector/live', onListUpdate);
    await loadPage();
    await loadLeases();
  }

  // ---- session leases (GET /api/sessions/leases: the live ones; what they lend is never shown) --
  async function loadLeases() {
    const { items } = await getJson('/api/sessions/leases');
    $('lease-rows').innerHTML = items
      .map(
        (l) =>
          `<tr data-lease="${esc(l.leaseId)}"><td><a href="${esc(streamLink(`lease-${l.leaseId}`))}">${esc(l.leaseId)}</a></td><td>${esc(l.portal)}</td>` +
          `<td>${esc(l.mode)}</td><td class="state">${esc(l.state)}</td><td>${esc(l.by)}</td><td>${esc(time(l.expiresAt))}</td></tr>`,
      )
      .join('');
    $('lease-summary').textContent = items.length === 0 ? 'no live lease' : `${items.length} live lease${items.length === 1 ? '' : 's'}`;
    $('lease-table').hidden = items.length === 0;
  }

  async function loadPage() {
    const page = await getJson(`/api/inspector/streams?${listQueryString(list.cursors[list.page])}`);
    list.cursors[list.page + 1] = page.next || undefined;
    list.rows = new Map(page.items.map((s) => [s.stream, s]));
    renderKinds(page.kinds);
    $('stream-rows').innerHTML = page.items.map(rowHtml).join('');
    $('list-summary').textContent = `${page.total} matching stream${page.total === 1 ? '' : 's'} — page ${list.page + 1}`;
    $('page-next').disabled = !page.next;
    $('page-prev').disabled = list.page === 0;
    $('page-first').disabled = list.page === 0;
    performance.mark('inspector:list:rendered');
  }

  const rowHtml = (s) =>
    `<tr data-stream="${esc(s.stream)}"><td><a href="${esc(streamLink(s.stream))}">${esc(s.stream)}</a></td><td>${esc(s.kind)}</td>` +
    `<td class="state">${esc(s.state)}</td><td>${esc(s.status)}</td><td>${s.version}</td><td>${esc(time(s.lastEventAt))}</td></tr>`;

  function renderKinds(kinds) {
    const select = $('filter-kind');
    const chosen = select.value;
    select.innerHTML = `<option value="">all</option>${Object.keys(kinds)
      .sort()
      .map((k) => `<option value="${esc(k)}">${esc(k)} (${kinds[k]})</option>`)
      .join('')}`;
    select.value = chosen;
  }

  function onListUpdate(message) {
    if (message.type !== 'streams') return;
    if (message.data.items.some((s) => s.stream.startsWith('master-'))) refreshIncidentsSoon();
    if (message.data.items.some((s) => s.stream.startsWith('lease-'))) {
      clearTimeout(list.leaseTimer);
      list.leaseTimer = setTimeout(() => loadLeases().catch(failed), LIST_RELOAD_MS);
    }
    for (const summary of message.data.items) {
      const known = list.rows.get(summary.stream);
      if (!known) {
        // A stream not on this page may belong on it (new, or now matching the filters):
        // reload the page once the burst settles; a page costs one cheap request.
        clearTimeout(list.reloadTimer);
        list.reloadTimer = setTimeout(() => loadPage().catch(failed), LIST_RELOAD_MS);
        continue;
      }
      if (known.version >= summary.version) continue;
      list.rows.set(summary.stream, summary);
      const row = document.querySelector(`tr[data-stream="${CSS.escape(summary.stream)}"]`);
      if (row) row.outerHTML = rowHtml(summary);
    }
  }

  // ---- job search (GET /api/jobs, served from the job index) -------------------------------
  // The form's dates are whole days with both ends included: a `to` day is sent as the next
  // day's midnight (the API's `to` is exclusive). "More" follows the page's opaque cursor.
  const jobSearch = { params: null, next: null, shown: 0 };
  async function searchJobs(more) {
    if (!more) {
      const day = (id, next) => {
        const value = $(id).value;
        if (!value || !next) return value;
        const date = new Date(`${value}T00:00:00Z`);
        date.setUTCDate(date.getUTCDate() + 1);
        return date.toISOString().slice(0, 10);
      };
      const fields = {
        portal: $('job-portal').value.trim(),
        state: $('job-state').value.replace(/\s+/g, ''),
        failureKind: $('job-failure-kind').value.trim(),
        businessKey: $('job-business-key').value.trim(),
        createdFrom: day('job-created-from'),
        createdTo: day('job-created-to', true),
        finishedFrom: day('job-finished-from'),
        finishedTo: day('job-finished-to', true),
      };
      jobSearch.params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      for (const [key, value] of Object.entries(fields)) if (value) jobSearch.params.set(key, value);
      jobSearch.shown = 0;
      $('job-rows').innerHTML = '';
    }
    const params = new URLSearchParams(jobSearch.params);
    if (more && jobSearch.next) params.set('cursor', jobSearch.next);
    const response = await fetch(`/api/jobs?${params}`, { headers: { Authorization: `Bearer ${token()}` }, cache: 'no-store' });
    if (response.status === 401) throw new Unauthorized();
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const fields = Object.entries(body.fields || {}).map(([key, message]) => `${key}: ${message}`);
      $('job-summary').textContent = [body.message || `HTTP ${response.status}`, ...fields].join(' — ');
      $('job-results').hidden = true;
      $('job-more').hidden = true;
      return;
    }
    jobSearch.next = body.next;
    jobSearch.shown += body.jobs.length;
    $('job-rows').insertAdjacentHTML(
      'beforeend',
      body.jobs
        .map(
          (j) =>
            `<tr data-job="${esc(j.jobId)}"><td><a href="${esc(streamLink(`job-${j.jobId}`))}">${esc(j.jobId)}</a></td><td>${esc(j.portal)}</td>` +
            `<td class="state">${esc(j.state)}</td><td>${esc(j.failureType)}</td><td>${esc(j.businessKey)}</td><td>${esc(time(j.createdAt))}</td></tr>`,
        )
        .join(''),
    );
    $('job-summary').textContent = `${jobSearch.shown} job${jobSearch.shown === 1 ? '' : 's'}${body.next ? ', more to load' : ''}`;
    $('job-results').hidden = false;
    $('job-more').hidden = !body.next;
  }
  $('job-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    searchJobs(false).catch(failed);
  });
  $('job-more').addEventListener('click', () => searchJobs(true).catch(failed));

  // ---- stream view -------------------------------------------------------------------------
  async function showStream(stream) {
    showOnly('stream-view');
    clearTimeout(list.reloadTimer);
    const pending = [];
    view = { stream, ready: false, pending, travelling: null, version: 0, entries: [], screenshots: [], urls: [], captchaId: null, captchaUrl: null };
    const current = view;
    const related = relatedStream(stream);
    // Listen first, then read: events that land in between are buffered, and those the read
    // already contains are dropped by version. A related stream (the portal's queue) only
    // changes which actions are allowed.
    await openFeed(`/api/inspector/live?stream=${encodeURIComponent(stream)}${related ? `&related=${encodeURIComponent(related)}` : ''}`, (message) => {
      if (message.type !== 'event' || current !== view) return;
      if (message.data.stream !== current.stream) return refreshActionsSoon();
      if (!current.ready) pending.push(message.data);
      else applyLiveEvent(message.data);
    });
    const data = await getJson(`/api/inspector/streams/${encodeURIComponent(stream)}`);
    if (current !== view) return;
    renderStream(data);
    current.ready = true;
    for (const event of pending.splice(0)) applyLiveEvent(event);
    await refreshActions();
  }

  function renderStream(data) {
    $('stream-name').textContent = data.stream;
    $('machine-name').textContent = data.machine ? `${data.machine.id} v${data.machine.version}` : 'no machine registered';
    $('travel-banner').hidden = true;
    renderChart(data.chart);
    view.entries = data.timeline.entries;
    $('timeline-rows').innerHTML = data.timeline.entries.map(timelineRowHtml).join('');
    renderTimeInState(data.timeline.timeInState);
    renderRecovery(data.recoveryHistory);
    setCurrent(data.current);
    renderScreenshots(data.screenshots);
    performance.mark('inspector:stream:rendered');
  }

  const timelineRowHtml = (e) =>
    `<tr data-version="${e.version}"><td>${e.version}</td><td>${esc(time(e.at))}</td><td>${esc(e.type)}</td>` +
    `<td class="state">${esc(e.state)}</td><td class="duration">${esc(duration(e.durationMs))}</td></tr>`;

  function setCurrent(current) {
    view.version = current.version;
    view.current = current;
    $('current-state').textContent = current.state;
    $('current-status').textContent = current.status;
    $('current-version').textContent = String(current.version);
    if (!view.travelling) {
      highlight(current.value, 'active');
      showContext('Context (current)', current.context);
    }
  }

  function applyLiveEvent(event) {
    if (event.version <= view.version) return;
    if (view.stream && view.stream.startsWith('master-')) refreshIncidentsSoon();
    const previous = view.entries[view.entries.length - 1];
    if (previous) {
      previous.durationMs = Math.max(0, Date.parse(event.at) - Date.parse(previous.at));
      const cell = document.querySelector(`#timeline-rows tr[data-version="${previous.version}"] .duration`);
      if (cell) cell.textContent = duration(previous.durationMs);
    }
    const entry = { version: event.version, type: event.type, at: event.at, state: event.state, status: event.status, durationMs: null };
    view.entries.push(entry);
    $('timeline-rows').insertAdjacentHTML('beforeend', timelineRowHtml(entry));
    setCurrent(event);
    if (event.screenshots.join() !== view.screenshots.join()) renderScreenshots(event.screenshots);
    clearTimeout(view.sideTimer);
    view.sideTimer = setTimeout(refreshSidePanels, SIDE_REFRESH_MS);
    refreshActionsSoon();
  }

  /** Totals and the recovery history are recomputed by the server: refreshed once a burst of live events settles. */
  async function refreshSidePanels() {
    const current = view;
    const data = await getJson(`/api/inspector/streams/${encodeURIComponent(current.stream)}`).catch(failed);
    if (!data || current !== view) return;
    renderTimeInState(data.timeline.timeInState);
    renderRecovery(data.recoveryHistory);
  }

  function renderTimeInState(rows) {
    $('time-in-state').innerHTML = rows.map((r) => `<tr><td class="state">${esc(r.state)}</td><td>${esc(duration(r.totalMs))}</td><td class="muted">${r.entries}×</td></tr>`).join('');
  }

  function renderRecovery(rows) {
    $('recovery-panel').hidden = !rows;
    if (!rows) return;
    $('recovery-rows').innerHTML = rows
      .map(
        (r) =>
          `<tr><td>${r.recovery}</td><td>${esc(r.level)}</td><td>${r.try}</td><td>${esc(time(r.startedAt))}</td>` +
          `<td>${esc(r.durationMs === null ? 'running' : duration(r.durationMs))}</td><td>${esc(r.outcome)}</td><td>${esc(r.errorCode || '')}</td></tr>`,
      )
      .join('');
  }

  async function renderScreenshots(references) {
    const current = view;
    current.screenshots = references;
    for (const url of current.urls.splice(0)) URL.revokeObjectURL(url);
    $('screenshot-panel').hidden = references.length === 0;
    const box = $('screenshots');
    box.textContent = '';
    for (const reference of references) {
      const name = reference.slice('screenshot/'.length);
      const response = await api(`/api/inspector/streams/${encodeURIComponent(current.stream)}/screenshots/${encodeURIComponent(name)}`).catch(failed);
      if (!response || current !== view) return;
      const url = URL.createObjectURL(await response.blob());
      current.urls.push(url);
      const img = document.createElement('img');
      img.src = url;
      img.alt = reference;
      img.title = reference;
      box.append(img);
    }
  }

  function showContext(title, context) {
    $('context-title').textContent = title;
    $('state-context').textContent = JSON.stringify(context, null, 2);
  }

  // ---- operator actions --------------------------------------------------------------------
  // The server answers which actions the machines accept now (GET …/actions), each refused one
  // with the machine's reason: the page lists no states of its own. Asked again after every live
  // event of the stream (and of its portal's queue), so the buttons follow the machine.
  const ACTIONS_REFRESH_MS = 100;
  const jobIdOf = (stream) => stream.slice('job-'.length);
  const portalOf = (stream) => stream.slice('master-'.length);
  const relatedStream = (stream) => (stream.startsWith('master-') ? `queue-${portalOf(stream)}` : null);

  function refreshActionsSoon() {
    const current = view;
    if (!current) return;
    clearTimeout(current.actionsTimer);
    current.actionsTimer = setTimeout(() => refreshActions().catch(failed), ACTIONS_REFRESH_MS);
  }

  async function refreshActions() {
    const current = view;
    const kind = current.stream.startsWith('job-') ? 'job' : current.stream.startsWith('master-') ? 'session' : null;
    $('actions-panel').hidden = kind === null;
    if (!kind) return;
    const answer = await getJson(`/api/inspector/streams/${encodeURIComponent(current.stream)}/actions`);
    if (current !== view) return;
    $('job-actions').hidden = kind !== 'job';
    $('session-actions').hidden = kind !== 'session';
    const byName = new Map(answer.actions.map((a) => [a.action, a]));
    for (const button of document.querySelectorAll('#actions-panel [data-action]')) {
      const action = byName.get(button.dataset.action);
      button.disabled = !action || !action.allowed;
      button.title = !action ? 'not offered for this stream' : action.allowed ? '' : action.reason;
      button.dataset.reason = button.title;
    }
    if (!(byName.get('resubmit') || {}).allowed) closeResubmit();
    if (kind === 'session') {
      $('queue-controls').hidden = !byName.has('pause');
      if (byName.has('pause')) await renderQueue(current);
      await renderCaptcha(current, byName.get('answerCaptcha'));
    }
    current.actions = answer.actions;
    performance.mark('inspector:actions:rendered');
  }

  async function renderQueue(current) {
    const queue = await getJson(`/api/portals/${encodeURIComponent(portalOf(current.stream))}/queue`);
    if (current !== view) return;
    $('queue-state').textContent = queue.state === 'paused' ? `paused by ${queue.pausedBy} since ${time(queue.pausedAt)}${queue.reason ? ` (${queue.reason})` : ''}` : 'running';
    $('queue-state').dataset.state = queue.state;
  }

  /** Shows the open challenge's image; a new challenge (from the live feed) replaces it and clears the answer. */
  async function renderCaptcha(current, action) {
    const captcha = current.current && current.current.context && current.current.context.captcha;
    const open = action && action.allowed && captcha ? captcha.challengeId : null;
    $('captcha-form').hidden = !open;
    if (open === current.captchaId) return;
    current.captchaId = open;
    $('captcha-answer').value = '';
    if (current.captchaUrl) URL.revokeObjectURL(current.captchaUrl);
    current.captchaUrl = null;
    $('captcha-image').removeAttribute('src');
    $('captcha-form').dataset.challenge = open || '';
    if (!open) return;
    $('captcha-meta').textContent = `challenge ${open}${captcha.expiresAt ? `, answer before ${time(captcha.expiresAt)}` : ''}`;
    const response = await api(`/api/sessions/${encodeURIComponent(portalOf(current.stream))}/captcha`).catch(() => null);
    if (!response || current !== view || current.captchaId !== open) return;
    current.captchaUrl = URL.createObjectURL(await response.blob());
    $('captcha-image').src = current.captchaUrl;
    $('captcha-answer').focus();
  }

  function report(text, isError) {
    const line = $('action-result');
    line.classList.toggle('error', !!isError);
    line.innerHTML = text;
  }

  /** Runs one command; the view itself changes when the live feed brings what it recorded. */
  async function act(action, run) {
    const current = view;
    for (const button of document.querySelectorAll('#actions-panel button[data-action]')) button.disabled = true;
    try {
      const html = await run(current);
      if (current === view) report(html || `${esc(action)}: recorded`);
    } catch (error) {
      if (error instanceof Unauthorized) throw error;
      if (current === view) report(`${esc(action)} refused: ${esc(error.message)}`, true);
    } finally {
      if (current === view) await refreshActions();
    }
  }

  const jobPath = (current, verb) => `/api/jobs/${encodeURIComponent(jobIdOf(current.stream))}/${verb}`;
  const retried = (answer) => `started over as job <a href="${esc(streamLink(`job-${answer.jobId}`))}">${esc(answer.jobId)}</a>`;
  const ACTIONS = {
    cancel: (current) => post(jobPath(current, 'cancel'), {}).then(() => 'cancel: recorded'),
    retry: (current) => post(jobPath(current, 'retry'), {}).then(retried),
    resubmit: () => {
      $('resubmit-confirm').hidden = false;
      $('resubmit-checked').checked = false;
      $('resubmit-go').disabled = true;
      return Promise.resolve('resubmit: confirm that you checked the portal');
    },
    'recover.soft': (current) => recover(current, 'soft'),
    'recover.hard': (current) => recover(current, 'hard'),
    'recover.nuclear': (current) => recover(current, 'nuclear'),
    pause: (current) => {
      const reason = $('queue-reason').value.trim();
      return post(`/api/portals/${encodeURIComponent(portalOf(current.stream))}/pause`, reason ? { reason } : {}).then(() => 'pause: recorded');
    },
    resume: (current) => post(`/api/portals/${encodeURIComponent(portalOf(current.stream))}/resume`, {}).then(() => 'resume: recorded'),
  };
  const recover = (current, level) => post(`/api/sessions/${encodeURIComponent(portalOf(current.stream))}/recover`, { level }).then(() => `recovery at ${level}: recorded`);

  function closeResubmit() {
    $('resubmit-confirm').hidden = true;
    $('resubmit-checked').checked = false;
  }

  $('actions-panel').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button || button.type === 'submit' || button.disabled) return;
    const action = button.dataset.action;
    act(action, ACTIONS[action]).catch(failed);
  });
  $('resubmit-checked').addEventListener('change', () => ($('resubmit-go').disabled = !$('resubmit-checked').checked));
  $('resubmit-back').addEventListener('click', () => closeResubmit());
  $('resubmit-go').addEventListener('click', () => {
    if (!$('resubmit-checked').checked) return;
    closeResubmit();
    act('resubmit', (current) => post(jobPath(current, 'retry'), { confirmNotSubmitted: true }).then(retried)).catch(failed);
  });
  $('captcha-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const answer = $('captcha-answer').value.trim();
    const challengeId = $('captcha-form').dataset.challenge;
    if (!answer || !challengeId) return;
    act('answer', (current) => post(`/api/sessions/${encodeURIComponent(portalOf(current.stream))}/captcha`, { answer, challengeId }).then(() => `answer to challenge ${esc(challengeId)}: recorded`)).catch(failed);
  });

  // ---- time travel -------------------------------------------------------------------------
  async function travel(version) {
    const current = view;
    const state = await getJson(`/api/inspector/streams/${encodeURIComponent(current.stream)}/state?version=${version}`);
    if (current !== view) return;
    for (const row of document.querySelectorAll('#timeline-rows tr.selected')) row.classList.remove('selected');
    document.querySelector(`#timeline-rows tr[data-version="${version}"]`)?.classList.add('selected');
    const banner = $('travel-banner');
    banner.hidden = false;
    if (!state.replayed) {
      banner.classList.add('mismatch');
      $('travel-text').textContent = `Replay differs from the log at version ${state.mismatch.version} (machine version ${state.mismatch.machineVersion}): ${state.mismatch.reason}`;
      return;
    }
    banner.classList.remove('mismatch');
    view.travelling = state;
    $('travel-text').textContent = `Time travel: state after version ${state.version} (${state.type}, ${time(state.at)}) is ${state.state}, recomputed by replay.`;
    highlight(null, 'active');
    highlight(state.value, 'travel');
    showContext(`Context after version ${state.version} (replayed)`, state.context);
  }

  function endTravel() {
    view.travelling = null;
    $('travel-banner').hidden = true;
    for (const row of document.querySelectorAll('#timeline-rows tr.selected')) row.classList.remove('selected');
    highlight(null, 'travel');
    setCurrent(view.current);
  }

  // ---- statechart --------------------------------------------------------------------------
  // Drawing, zoom, pan, fit and collapsing live in chart-view.js; this page hands it the
  // layout, a way to fetch the layout with states collapsed, and what to mark after a redraw.
  let chartView = null;
  function renderChart(chart) {
    chartView ??= window.InspectorChart.create($('chart'), $('chart-tools'));
    const stream = view.stream;
    chartView.show(chart, {
      layout: (collapsed) => getJson(`/api/inspector/streams/${encodeURIComponent(stream)}/chart?collapsed=${encodeURIComponent(collapsed.join(','))}`),
      redrawn: () => {
        if (view?.stream !== stream) return;
        if (view.travelling) highlight(view.travelling.value, 'travel');
        else if (view.current) highlight(view.current.value, 'active');
      },
      failed,
    });
  }

  /** Marks the active leaves of a state value and all their ancestors with `className`, and centres the first leaf. */
  function highlight(value, className) {
    for (const node of document.querySelectorAll(`#chart .node.${className}`)) node.classList.remove(className);
    const leaves = leafPaths(value, '');
    for (const leaf of leaves) {
      const parts = leaf.split('.');
      for (let i = 1; i <= parts.length; i++) {
        document.querySelector(`#chart .node[data-path="${CSS.escape(parts.slice(0, i).join('.'))}"]`)?.classList.add(className);
      }
    }
    if (leaves.length > 0) reveal(leaves[0]);
  }

  /** The current (or travelled-to) state goes to the middle of the chart's frame. */
  function reveal(path) {
    chartView?.centre(path);
  }

  function leafPaths(value, prefix) {
    if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, inner]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      const below = leafPaths(inner, path);
      return below.length > 0 ? below : [path];
    });
  }

  // ---- routing and wiring ------------------------------------------------------------------
  function route() {
    clearTimeout(reconnectTimer);
    if (!token()) return askForToken();
    const match = /^#\/stream\/(.+)$/.exec(location.hash);
    const shown = match ? showStream(decodeURIComponent(match[1])) : showList();
    shown.catch(failed);
    refreshIncidents().catch(failed);
  }

  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
    $('token-input').value = '';
    route();
  });
  $('sign-out').addEventListener('click', () => askForToken());
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    list = { ...list, query: { kind: $('filter-kind').value, state: $('filter-state').value.trim(), status: $('filter-status').value, text: $('filter-text').value.trim() }, cursors: [undefined], page: 0 };
    loadPage().catch(failed);
  });
  $('page-next').addEventListener('click', () => {
    list.page += 1;
    loadPage().catch(failed);
  });
  $('page-prev').addEventListener('click', () => {
    list.page = Math.max(0, list.page - 1);
    loadPage().catch(failed);
  });
  $('page-first').addEventListener('click', () => {
    list.page = 0;
    loadPage().catch(failed);
  });
  $('timeline-rows').addEventListener('click', (event) => {
    const row = event.target.closest('tr[data-version]');
    if (row) travel(Number(row.dataset.version)).catch(failed);
  });
  $('travel-exit').addEventListener('click', () => endTravel());
  window.addEventListener('hashchange', route);
  // A page kept in the back/forward cache would hold its feed open, and browsers allow only
  // six connections per server: close it on the way out, reopen when the page comes back.
  window.addEventListener('pagehide', stopFeed);
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) route();
  });
  route();
})();
