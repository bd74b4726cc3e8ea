// certkeeper's dashboard: one page over the admin API. No framework, no build step, no inline
// script; everything the server sends is put in the page as text, never as HTML.

const TOKEN = 'certkeeper.token';
const PAGE = 50;

// Violations of the Content-Security-Policy, for the browser tests (and the curious).
window.certkeeperCspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.certkeeperCspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});

const PROBLEMS = {
  dns_error: 'the name does not resolve',
  refused: 'nothing listens there (connection refused)',
  timeout: 'no answer in time',
  proxy_error: 'the proxy refused or failed',
  starttls_failed: 'the STARTTLS upgrade failed',
  not_tls: 'the port does not speak TLS',
  client_cert_required: 'the server wants a client certificate',
  handshake_failed: 'the TLS handshake failed',
  malformed: 'the server sent something malformed',
  revoked: 'the certificate is revoked',
  revocation_unknown: 'its revocation status could not be checked',
  expired: 'the certificate has expired',
  not_yet_valid: 'the certificate is not valid yet',
  bad_signature: 'a signature in the chain does not verify',
  self_signed: 'the certificate is self-signed',
  untrusted_root: 'the chain ends at a root nobody here trusts',
  incomplete_chain: 'the server leaves out an intermediate',
  hostname_mismatch: 'the certificate is not for this name',
  wrong_eku: 'the certificate is not for TLS servers',
  name_constraint_violation: 'a CA in the chain may not issue for this name',
  policy_violation: 'the chain breaks a certificate policy',
  invalid_basic_constraints: 'a certificate in the chain acts as a CA without being one',
  path_len_exceeded: 'the chain is longer than a CA allows',
  unsupported_critical_extension: 'the chain has a critical extension nobody understands',
  weak_key: 'a key in the chain is too weak',
  weak_signature: 'a signature in the chain uses a weak algorithm',
  weak_protocol: 'the server speaks an old TLS version',
  weak_cipher: 'the server picks a weak cipher',
  expiring: 'the certificate expires soon',
};

const state = {
  view: 'certificates',
  cursors: [null],
  next: null,
  filter: { q: '', severity: '', source: '', failing: false, problems: false, status: '' },
  latestFirst: false,
  rows: [],
  detail: null,
  refreshTimer: null,
};

const $ = (sel) => document.querySelector(sel);

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const e = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function token() {
  return sessionStorage.getItem(TOKEN);
}

class AuthError extends Error {}

async function api(path, options = {}) {
  const r = await fetch(path, {
    ...options,
    headers: { Authorization: `Bearer ${token()}`, Accept: 'application/json' },
    cache: 'no-store',
  });
  if (r.status === 401 || r.status === 403) {
    showLogin(r.status === 403 ? 'That token was refused.' : 'Sign in first.');
    throw new AuthError(String(r.status));
  }
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  return { status: r.status, body };
}

function showLogin(message) {
  $('#app').hidden = true;
  $('#detail').hidden = true;
  $('#logout').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
  $('#token').focus();
}

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

// --- time ---------------------------------------------------------------------------------------

function day(iso) {
  return iso ? iso.slice(0, 10) : '';
}

function relative(iso) {
  if (!iso) return '';
  const ms = Date.parse(iso) - Date.now();
  const abs = Math.abs(ms);
  const units = [['d', 86400000], ['h', 3600000], ['m', 60000]];
  let text = 'now';
  for (const [u, size] of units) {
    if (abs >= size) {
      text = `${Math.floor(abs / size)}${u}`;
      break;
    }
  }
  if (text === 'now') return 'now';
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

// --- tiles --------------------------------------------------------------------------------------

const TILES = [
  { key: 'total', label: () => 'certificates', filter: { view: 'certificates' } },
  { key: 'expired', label: () => 'expired', cls: 'bad', filter: { view: 'certificates', severity: 'expired' } },
  { key: 'critical', label: (t) => `expire within ${t.criticalWithin}`, cls: 'bad', filter: { view: 'certificates', severity: 'critical' } },
  { key: 'warning', label: (t) => `expire within ${t.warningWithin}`, cls: 'warn', filter: { view: 'certificates', severity: 'warning' } },
  { key: 'renewalFailures', label: () => 'renewal failures', cls: 'bad', filter: { view: 'managed', failing: true } },
  { key: 'endpointProblems', label: () => 'endpoints with problems', cls: 'warn', filter: { view: 'endpoints', problems: true } },
  { key: 'alertsPending', label: () => 'alerts pending', filter: { view: 'alerts', status: 'pending' } },
  { key: 'alertsFailed', label: () => 'alerts failed', cls: 'bad', filter: { view: 'alerts', status: 'failed' } },
];

async function loadTiles() {
  const { body } = await api('/api/v1/dashboard');
  const nav = $('#tiles');
  nav.replaceChildren(...TILES.map((t) => {
    const n = body[t.key];
    return el('button', {
      type: 'button',
      class: `tile panel ${n > 0 && t.cls ? t.cls : ''}`,
      'data-tile': t.key,
      'aria-pressed': 'false',
      onclick: () => applyFilter(t.filter, t.key),
    }, el('span', { class: 'n' }, n), el('span', { class: 'label' }, t.label(body)));
  }));
  $('#updated').textContent = `as of ${new Date(body.at).toLocaleTimeString()}`;
}

function applyFilter(f, tileKey) {
  state.filter = { q: '', severity: '', source: '', failing: false, problems: false, status: '', ...f };
  delete state.filter.view;
  for (const b of document.querySelectorAll('.tile')) {
    b.setAttribute('aria-pressed', String(b.dataset.tile === tileKey));
  }
  $('#search').value = '';
  $('#severity').value = state.filter.severity;
  $('#source').value = state.filter.source;
  setView(f.view);
}

// --- timeline -----------------------------------------------------------------------------------

async function loadTimeline() {
  const { body } = await api('/api/v1/inventory?within=90d&limit=500');
  const width = 1000;
  const days = 90;
  const x = (iso) => Math.max(0, Math.min(width, ((Date.parse(iso) - Date.now()) / 86400000) * (width / days)));
  const svg = el('svg:svg', { viewBox: `0 0 ${width} 70`, preserveAspectRatio: 'none' });
  svg.append(el('svg:line', { class: 'axis', x1: 0, y1: 50, x2: width, y2: 50 }));
  for (const d of [0, 30, 60, 90]) {
    const tx = d * (width / days);
    svg.append(el('svg:line', { class: 'axis', x1: tx, y1: 46, x2: tx, y2: 54 }));
    svg.append(el('svg:text', { x: Math.min(tx + 2, width - 40), y: 66 }, d === 0 ? 'today' : `${d} days`));
  }
  for (const r of body.rows) {
    const mx = x(r.notAfter);
    const line = el('svg:line', { class: `mark ${r.severity}`, x1: mx, y1: 8, x2: mx, y2: 46 });
    line.append(el('svg:title', {}, `${r.commonName || r.subject} — ${day(r.notAfter)} (${relative(r.notAfter)})`));
    svg.append(line);
  }
  $('#timeline').replaceChildren(svg);
  $('#timeline').setAttribute('aria-label',
    `expiry timeline: ${body.rows.length}${body.next ? '+' : ''} certificates expire in the next 90 days`);
}

// --- the table ----------------------------------------------------------------------------------

const VIEWS = {
  certificates: {
    columns: ['Name', 'Where seen', 'Issuer', 'Expires', 'Lifetime used', 'Status'],
    async load() {
      const p = new URLSearchParams({ limit: PAGE });
      if (state.filter.q) p.set('q', state.filter.q);
      if (state.filter.severity) p.set('severity', state.filter.severity);
      if (state.filter.source) p.set('source', state.filter.source);
      if (state.latestFirst) p.set('sort', '-expiry');
      const cursor = state.cursors[state.cursors.length - 1];
      if (cursor) p.set('cursor', cursor);
      const { status, body } = await api(`/api/v1/inventory?${p}`);
      if (status !== 200) throw new Error(body && body.error);
      state.next = body.next;
      return body.rows;
    },
    row(r) {
      const seen = [
        ...r.endpoints.map((e) => e.endpoint),
        ...r.listeners.map((l) => `listener ${l}`),
        ...r.managed.map((m) => `managed ${m}`),
        ...r.files.map((f) => `file ${f}`),
      ];
      return [
        el('td', {}, el('strong', {}, r.commonName || r.subject), el('br'),
          el('span', { class: 'muted mono' }, r.sans.join(' '))),
        el('td', {}, seen.length ? seen.join(', ') : el('span', { class: 'muted' }, r.source)),
        el('td', { class: 'hide-narrow' }, r.issuer),
        el('td', {}, day(r.notAfter), el('br'), el('span', { class: 'muted' }, relative(r.notAfter))),
        el('td', { class: 'hide-narrow' }, el('span', { class: 'bar-used', title: `${r.lifetimeUsed}%` },
          usedBar(r.lifetimeUsed)), ` ${r.lifetimeUsed}%`),
        el('td', {}, el('span', { class: `sev ${r.severity}` }, r.severity),
          r.problems.length ? el('div', { class: 'muted' }, r.problems.map(explain).join('; ')) : null),
      ];
    },
    open: (r) => openCertificate(r.sha256),
    key: (r) => r.sha256,
  },
  managed: {
    columns: ['Name', 'State', 'Issuer', 'Expires', 'Renews at', 'Last error'],
    async load() {
      const { body } = await api('/api/v1/managed');
      state.next = null;
      return body.filter((m) => (!state.filter.failing || m.consecutiveFailures > 0)
        && matches(state.filter.q, m.name, m.serial, m.issuer));
    },
    row(m) {
      return [
        el('td', {}, el('strong', {}, m.name)),
        el('td', {}, el('span', { class: `sev ${m.consecutiveFailures > 0 ? 'critical' : 'ok'}` }, m.state)),
        el('td', { class: 'hide-narrow' }, m.issuer),
        el('td', {}, day(m.notAfter), el('br'), el('span', { class: 'muted' }, relative(m.notAfter))),
        el('td', {}, day(m.renewAt), el('br'), el('span', { class: 'muted' }, relative(m.renewAt))),
        el('td', { class: 'muted' }, m.lastError || ''),
      ];
    },
    open: (m) => openManaged(m.name),
    key: (m) => m.name,
  },
  endpoints: {
    columns: ['Endpoint', 'Status', 'Problems', 'Expires', 'Last probe'],
    async load() {
      const { body } = await api('/api/v1/endpoints');
      state.next = null;
      return body.filter((e) => (!state.filter.problems || (e.problems && e.problems.length > 0))
        && matches(state.filter.q, e.id, e.group, (e.owners || []).join(' ')));
    },
    row(e) {
      return [
        el('td', {}, el('strong', { class: 'mono' }, e.id), e.group ? el('div', { class: 'muted' }, e.group) : null),
        el('td', {}, el('span', { class: `sev ${e.status === 'ok' ? 'ok' : e.status === 'pending' ? '' : 'critical'}` }, e.status)),
        el('td', {}, (e.problems || []).map(explain).join('; ')),
        el('td', {}, day(e.notAfter), el('br'), el('span', { class: 'muted' }, relative(e.notAfter))),
        el('td', { class: 'muted' }, relative(e.lastProbeAt)),
      ];
    },
    open: (e) => openEndpoint(e.id),
    key: (e) => e.id,
  },
  alerts: {
    columns: ['Alert', 'Recipient', 'Status', 'Created', 'Last error'],
    async load() {
      const p = new URLSearchParams({ limit: 200 });
      if (state.filter.status) p.set('status', state.filter.status);
      const { body } = await api(`/api/v1/alerts?${p}`);
      state.next = null;
      return body.filter((a) => matches(state.filter.q, a.title, a.subject, a.recipient));
    },
    row(a) {
      return [
        el('td', {}, el('strong', {}, a.title), el('div', { class: 'muted' }, a.kind)),
        el('td', {}, a.recipient),
        el('td', {}, el('span', { class: `sev ${a.status === 'failed' ? 'critical' : a.status === 'sent' ? 'ok' : 'warning'}` }, a.status)),
        el('td', { class: 'muted' }, relative(a.createdAt)),
        el('td', { class: 'muted' }, a.lastError || ''),
      ];
    },
    open: null,
    key: (a) => String(a.id),
  },
};

function matches(q, ...fields) {
  if (!q) return true;
  const needle = q.toLowerCase();
  return fields.some((f) => f && String(f).toLowerCase().includes(needle));
}

function explain(code) {
  return PROBLEMS[code] ? `${code}: ${PROBLEMS[code]}` : code;
}

function usedBar(percent) {
  const inner = el('span');
  inner.style.width = `${Math.max(0, Math.min(100, percent))}%`; // CSSOM, which the policy allows
  return inner;
}

function setView(view) {
  state.view = view;
  state.cursors = [null];
  for (const b of document.querySelectorAll('.views button')) {
    b.setAttribute('aria-selected', String(b.dataset.view === view));
  }
  const certificates = view === 'certificates';
  $('#severity').hidden = !certificates;
  $('#source').hidden = !certificates;
  loadTable();
}

async function loadTable() {
  const started = performance.now();
  const v = VIEWS[state.view];
  const thead = $('#table thead');
  const tbody = $('#table tbody');
  thead.replaceChildren(el('tr', {}, v.columns.map((c, i) => {
    const certificates = state.view === 'certificates';
    const sortable = certificates && c === 'Expires';
    return el('th', {
      scope: 'col',
      class: certificates && (i === 2 || i === 4) ? 'hide-narrow' : null,
      'aria-sort': sortable ? (state.latestFirst ? 'descending' : 'ascending') : null,
    }, sortable ? el('button', {
      type: 'button', class: 'link', 'data-sort': 'expiry',
      onclick: () => { state.latestFirst = !state.latestFirst; state.cursors = [null]; loadTable(); },
    }, `${c} ${state.latestFirst ? '↓ latest first' : '↑ soonest first'}`) : c);
  })));
  let rows;
  try {
    rows = await v.load();
  } catch (e) {
    if (e instanceof AuthError) return;
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: v.columns.length, class: 'error' }, String(e.message || e))));
    return;
  }
  state.rows = rows;
  tbody.replaceChildren(...rows.map((r) => {
    const tr = el('tr', { tabindex: v.open ? 0 : null, 'data-key': v.key(r) }, v.row(r));
    if (v.open) {
      tr.addEventListener('click', () => v.open(r));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') v.open(r);
      });
    }
    return tr;
  }));
  if (rows.length === 0) {
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: v.columns.length, class: 'muted' }, 'nothing here')));
  }
  $('#next').disabled = !state.next;
  $('#first').disabled = state.cursors.length <= 1;
  $('#count').textContent = `${rows.length} shown${state.next ? ', more on the next page' : ''}`;
  // for the benchmark and the tests: how long the last request and render took, and a counter
  document.body.dataset.tableMs = String(Math.round(performance.now() - started));
  document.body.dataset.tableSeq = String(Number(document.body.dataset.tableSeq || 0) + 1);
}

// --- details ------------------------------------------------------------------------------------

function showDetail(kind, id, ...content) {
  state.detail = { kind, id };
  $('#detail-body').replaceChildren(...content.flat(Infinity).filter((c) => c !== null && c !== undefined));
  const d = $('#detail');
  d.hidden = false;
  d.focus();
}

function closeDetail() {
  state.detail = null;
  $('#detail').hidden = true;
}

function dl(pairs) {
  return el('dl', {}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

async function openCertificate(sha) {
  const { status, body } = await api(`/api/v1/inventory/${sha}`);
  if (status !== 200) {
    toast(body && body.error ? body.error : `certificate ${sha}: ${status}`);
    return;
  }
  const c = body.certificate;
  const seen = el('ul', {},
    c.endpoints.map((e) => el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => openEndpoint(e.endpoint) },
      e.endpoint), ` ${e.status}, probed ${relative(e.lastProbeAt)}`)),
    c.listeners.map((l) => el('li', {}, `listener ${l}`)),
    c.managed.map((m) => el('li', {}, `managed certificate ${m}`)),
    c.files.map((f) => el('li', { 'data-file': f }, `file ${f}`)));
  const sameKey = el('ul', { 'data-field': 'same-key' }, body.sameKey.map((o) => {
    const where = [...o.files.map((f) => `file ${f}`), ...o.endpoints.map((e) => e.endpoint),
      ...o.listeners.map((l) => `listener ${l}`)];
    return el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => openCertificate(o.sha256) },
      o.commonName || o.subject), ` until ${day(o.notAfter)}: `, where.length ? where.join(', ') : 'nowhere now');
  }));
  showDetail('certificate', sha,
    el('h2', {}, c.commonName || c.subject),
    dl([
      ['Status', el('span', { class: `sev ${c.severity}` }, `${c.severity}, expires ${relative(c.notAfter)}`)],
      ['Subject', c.subject],
      ['Names', c.sans.join(', ')],
      ['Issuer', c.issuer],
      ['Serial', el('span', { class: 'mono', 'data-field': 'serial' }, c.serial)],
      ['SHA-256', el('span', { class: 'mono', 'data-field': 'sha256' }, c.sha256)],
      ['Valid', `${c.notBefore} .. ${c.notAfter} (${c.lifetimeUsed}% used)`],
      ['Key', `${body.keyAlgorithm} ${body.keySize}`],
      ['Signature', body.signatureAlgorithm],
      ['Source', c.source],
      ['Problems', c.problems.map(explain).join('; ')],
    ]),
    el('h3', {}, 'Where it is seen'),
    c.endpoints.length + c.listeners.length + c.managed.length + c.files.length ? seen
      : el('p', { class: 'muted' }, 'nowhere yet'),
    body.sameKey.length ? el('h3', {}, 'Other certificates with this key') : null,
    body.sameKey.length ? sameKey : null,
    body.managed.map((m) => managedSection(m)),
    body.generations.length ? el('h3', {}, 'Renewal history') : null,
    body.generations.length ? el('ul', {}, body.generations.map((g) => el('li', {},
      `${g.name} generation ${g.generation}: serial ${g.serial}, valid until ${day(g.notAfter)}`))) : null,
    el('details', {}, el('summary', {}, 'PEM'), el('pre', {}, body.pem)));
}

function managedSection(m) {
  return el('section', { 'data-managed': m.name },
    el('h3', {}, `Managed certificate ${m.name}`),
    dl([
      ['State', m.state],
      ['Issuer', m.issuer],
      ['Policy', m.policy],
      ['Renews at', m.renewAt ? `${m.renewAt} (${relative(m.renewAt)})` : ''],
      ['Failures', m.consecutiveFailures ? `${m.consecutiveFailures} in a row; next attempt ${relative(m.nextAttemptAt)}` : ''],
      ['Last error', m.lastError],
      ['Last hook error', m.lastHookError],
    ]),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', 'data-action': 'renew', onclick: () => renew(m.name, false) },
        'Renew now')));
}

async function openManaged(name) {
  const { body } = await api('/api/v1/managed');
  const m = body.find((x) => x.name === name);
  if (!m) {
    toast(`no managed certificate ${name}`);
    return;
  }
  showDetail('managed', name, el('h2', {}, name), managedSection(m),
    m.serial ? el('p', {}, el('button', {
      type: 'button', class: 'link',
      onclick: () => { applyFilter({ view: 'certificates', q: m.serial }); },
    }, `find serial ${m.serial} in the inventory`)) : null);
}

async function renew(name, force) {
  const { status, body } = await api(`/api/v1/certificates/${encodeURIComponent(name)}/renew${force ? '?force=true' : ''}`,
    { method: 'POST' });
  if (status === 409 && !force) {
    const ok = await confirmDialog(`${name}: ${body.message}. Renew anyway?`);
    if (ok) await renew(name, true);
    return;
  }
  if (status === 200) {
    toast(`${name} renewed: serial ${body.serial}`);
    refreshSoon();
    if (body.sha256) await openCertificate(body.sha256);
  } else {
    toast(`${name}: ${body ? body.message || body.error : status}`);
  }
}

function confirmDialog(text) {
  return new Promise((resolve) => {
    const m = $('#confirm');
    $('#confirm-text').textContent = text;
    m.hidden = false;
    $('#confirm-yes').focus();
    const done = (v) => {
      m.hidden = true;
      $('#confirm-yes').onclick = null;
      $('#confirm-no').onclick = null;
      resolve(v);
    };
    $('#confirm-yes').onclick = () => done(true);
    $('#confirm-no').onclick = () => done(false);
  });
}

function sparkline(values) {
  const w = 400;
  const h = 44;
  const svg = el('svg:svg', { class: 'spark', viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none' });
  if (values.length < 2) return svg;
  const max = Math.max(...values, 1);
  const step = w / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(' ');
  svg.append(el('svg:polyline', { points }));
  return svg;
}

async function openEndpoint(id) {
  const enc = encodeURIComponent(id);
  const [{ status, body: e }, { body: h }, { body: chain }] = await Promise.all([
    api(`/api/v1/endpoints/${enc}`), api(`/api/v1/endpoints/${enc}/history?limit=60`),
    api(`/api/v1/endpoints/${enc}/chain`)]);
  if (status !== 200) {
    toast(e && e.error ? e.error : `endpoint ${id}: ${status}`);
    return;
  }
  const results = h.results;
  const times = results.map((r) => r.totalMs).reverse();
  showDetail('endpoint', id,
    el('h2', { class: 'mono' }, e.id),
    dl([
      ['Status', el('span', { class: `sev ${e.status === 'ok' ? 'ok' : 'critical'}` }, e.status)],
      ['Problems', (e.problems || []).map(explain).join('; ')],
      ['Message', e.message],
      ['Expires', e.notAfter ? `${e.notAfter} (${relative(e.notAfter)})` : ''],
      ['Last probe', el('span', { 'data-field': 'last-probe' }, e.lastProbeAt ? `${e.lastProbeAt} (${relative(e.lastProbeAt)})` : 'never')],
      ['Probes kept', el('span', { 'data-field': 'probes' }, String(results.length))],
      ['Schedule', e.schedule],
      ['Owners', (e.owners || []).join(', ')],
    ]),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', 'data-action': 'probe', onclick: () => probe(id) }, 'Probe now')),
    el('h3', {}, 'Chain served at the last probe'),
    chain && chain.length ? el('ol', { 'data-list': 'chain' }, chain.map((c) => el('li', {},
      c.subject ? el('button', { type: 'button', class: 'link', onclick: () => openCertificate(c.sha256) }, c.subject)
        : 'not in the inventory',
      el('div', { class: 'mono muted' }, `SHA-256 ${c.sha256}`),
      c.notAfter ? el('div', { class: 'muted' }, `expires ${day(c.notAfter)} (${relative(c.notAfter)})`) : null)))
      : el('p', { class: 'muted' }, 'no chain (no successful handshake yet)'),
    el('h3', {}, 'Probe time, newest right (ms)'),
    sparkline(times),
    el('h3', {}, 'Recent probes'),
    el('ul', { 'data-list': 'probes' }, results.slice(0, 10).map((r) => el('li', {},
      `${r.probedAt}: ${r.status}${r.problems.length ? ` (${r.problems.join(', ')})` : ''}, ${r.totalMs} ms`,
      r.leafSha256 ? [' ', el('button', { type: 'button', class: 'link', onclick: () => openCertificate(r.leafSha256) },
        'certificate')] : null))),
    el('h3', {}, 'Certificate changes'),
    h.changes.length ? el('ul', {}, h.changes.map((c) => el('li', {},
      `${c.detectedAt}: ${c.oldSha256 ? c.oldSha256.slice(0, 16) : 'none'}… → ${c.newSha256.slice(0, 16)}…`)))
      : el('p', { class: 'muted' }, 'none seen'));
}

async function probe(id) {
  const { status, body } = await api(`/api/v1/endpoints/${encodeURIComponent(id)}/probe`, { method: 'POST' });
  toast(status === 202 ? `probing ${id}…` : `${id}: ${body ? body.error : status}`);
}

// --- live updates -------------------------------------------------------------------------------

function refreshSoon() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => {
    loadTiles().catch(() => {});
    loadTimeline().catch(() => {});
    if (state.view !== 'certificates' || state.cursors.length === 1) loadTable();
  }, 500);
}

function onEvent(type, data) {
  if (type === 'probe') {
    refreshSoon();
    if (state.detail && state.detail.kind === 'endpoint' && state.detail.id === data.endpoint) {
      openEndpoint(data.endpoint);
      toast(`probe of ${data.endpoint}: ${data.status}`);
    }
  } else if (type === 'renewal') {
    refreshSoon();
    toast(`${data.name} renewed: serial ${data.serial}`);
    if (state.detail && state.detail.kind === 'certificate'
      && document.querySelector(`[data-managed="${CSS.escape(data.name)}"]`)) {
      openCertificate(data.sha256);
    }
  } else if (type === 'probes') {
    refreshSoon();
  }
}

// The stream holds one of the browser's six connections to this host until it ends: end it when
// the page goes away, so that a reload or the next page does not wait for a connection.
let streamAbort = new AbortController();
window.addEventListener('pagehide', () => streamAbort.abort());

/** Ends the running stream (sign-out, a new sign-in) and starts one afresh when asked. */
function restartStream(start) {
  streamAbort.abort();
  streamAbort = new AbortController();
  if (start) stream(streamAbort.signal);
}

async function stream(signal) {
  for (;;) {
    try {
      const r = await fetch('/api/v1/events', {
        headers: { Authorization: `Bearer ${token()}` }, cache: 'no-store', signal,
      });
      if (r.status === 401 || r.status === 403) {
        showLogin('Sign in again.');
        return;
      }
      if (!r.ok || !r.body) throw new Error(String(r.status));
      setLive(true);
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) {
            try {
              onEvent(type, JSON.parse(data));
            } catch (e) {
              // a malformed event is skipped
            }
          }
        }
      }
    } catch (e) {
      // reconnect below
    }
    if (signal.aborted) return; // ended on purpose: a newer stream, if any, owns the indicator
    setLive(false);
    if (!token()) return;
    await new Promise((r) => setTimeout(r, 3000));
  }
}

function setLive(on) {
  const l = $('#live');
  l.textContent = on ? 'live' : 'offline';
  l.classList.toggle('on', on);
  document.body.dataset.live = on ? 'on' : 'off';
}

// --- start --------------------------------------------------------------------------------------

async function start() {
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#logout').hidden = false;
  try {
    await loadTiles();
  } catch (e) {
    if (e instanceof AuthError) return;
    throw e;
  }
  await Promise.all([loadTimeline(), loadTable()]);
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
  restartStream(true);
}

function wire() {
  const m = window.location.hash.match(/^#token=(.+)$/);
  if (m) {
    sessionStorage.setItem(TOKEN, decodeURIComponent(m[1]));
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN, $('#token').value.trim());
    $('#token').value = '';
    start();
  });
  $('#logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN);
    restartStream(false);
    showLogin('');
  });
  for (const b of document.querySelectorAll('.views button')) {
    b.addEventListener('click', () => applyFilter({ view: b.dataset.view }));
  }
  let typing;
  $('#search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.filter.q = $('#search').value.trim();
      state.cursors = [null];
      loadTable();
    }, 200);
  });
  $('#severity').addEventListener('change', () => {
    state.filter.severity = $('#severity').value;
    state.cursors = [null];
    loadTable();
  });
  $('#source').addEventListener('change', () => {
    state.filter.source = $('#source').value;
    state.cursors = [null];
    loadTable();
  });
  $('#next').addEventListener('click', () => {
    if (state.next) {
      state.cursors.push(state.next);
      loadTable();
    }
  });
  $('#first').addEventListener('click', () => {
    state.cursors = [null];
    loadTable();
  });
  $('#close').addEventListener('click', closeDetail);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      if (!$('#confirm').hidden) $('#confirm-no').click();
      else closeDetail();
    }
  });
  if (token()) start();
  else showLogin('');
}

wire();
