// The wallboard: every team with its members' presence, kept live by
// `subscription presenceChanged` over graphql-transport-ws (a minimal client of the
// protocol, below). An API key, where the server needs one, comes from the page's
// fragment (`/wallboard#key=...`, never sent in a URL to the server) or localStorage.
'use strict';

const STATES = ['AVAILABLE', 'AWAY', 'OFFLINE', 'UNKNOWN'];
const WORDS = { AVAILABLE: 'Available', AWAY: 'Away', OFFLINE: 'Offline', UNKNOWN: 'Unknown' };
const key = new URLSearchParams(location.hash.slice(1)).get('key') || localStorage.getItem('switchboard.key');
if (key) localStorage.setItem('switchboard.key', key);
const auth = key ? { Authorization: 'Bearer ' + key } : {};

const TEAMS = `{ teams(first: 50) { nodes { id name
  members(first: 100) { nodes { id vendorId displayName vendor presence { availability } } } } } }`;
const LIVE = `subscription ($teamIds: [ID!]) {
  presenceChanged(filter: { teamIds: $teamIds }, includeSnapshot: true) {
    kind agentId changedAt presence { availability } } }`;

let teams = [];            // [{ id, name, members: [agentId] }]
const agents = new Map();  // agentId -> { name, vendor, availability, since }
let retry = 1000;

function setStatus(text, down) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.className = down ? 'down' : '';
}

async function loadTeams() {
  const response = await fetch('graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ query: TEAMS }),
  });
  const body = await response.json();
  if (!body.data || !body.data.teams) throw new Error(body.errors ? body.errors[0].message : 'no teams');
  teams = body.data.teams.nodes.map((t) => ({ id: t.id, name: t.name, members: t.members.nodes.map((m) => m.id) }));
  for (const t of body.data.teams.nodes) {
    for (const m of t.members.nodes) {
      const known = agents.get(m.id);
      agents.set(m.id, {
        name: m.displayName || m.id, vendor: m.vendor, vendorId: m.vendorId,
        availability: known ? known.availability : (m.presence ? m.presence.availability : 'UNKNOWN'),
        since: known ? known.since : null,
      });
    }
  }
}

function subscribe() {
  const url = location.href.replace(/^http/, 'ws').replace(/\/wallboard.*$/, '/graphql');
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const send = (message) => socket.send(JSON.stringify(message));
  socket.onopen = () => send({ type: 'connection_init', payload: auth });
  socket.onmessage = (message) => {
    const m = JSON.parse(message.data);
    if (m.type === 'connection_ack') {
      send({ id: 'presence', type: 'subscribe', payload: { query: LIVE, variables: { teamIds: teams.map((t) => t.id) } } });
      setStatus('live');
      retry = 1000;
    } else if (m.type === 'ping') {
      send({ type: 'pong' });
    } else if (m.type === 'next' && m.payload.data) {
      const e = m.payload.data.presenceChanged;
      const agent = agents.get(e.agentId);
      if (agent) {
        agent.availability = e.presence.availability;
        // A change's time is when it happened; a snapshot's may only be when Switchboard
        // first saw the state (Dixa does not say), so time in state starts unknown.
        agent.since = e.kind === 'CHANGE' ? new Date(e.changedAt) : agent.since;
        render();
      }
    } else if (m.type === 'error') {
      setStatus('refused: ' + m.payload.map((e) => e.message).join('; '), true);
    }
  };
  socket.onclose = (event) => {
    setStatus(`disconnected (${event.code}); reconnecting…`, true);
    setTimeout(start, retry);
    retry = Math.min(retry * 2, 15000);
  };
}

function ago(since) {
  if (!since) return '';
  const s = Math.max(0, Math.round((Date.now() - since) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m`;
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render() {
  const root = document.getElementById('teams');
  root.replaceChildren(...teams.map((team) => {
    const card = el('section', 'team');
    card.dataset.team = team.id;
    card.append(el('h2', '', team.name));
    const members = team.members.map((id) => [id, agents.get(id)]);
    const counts = el('div', 'counts');
    for (const state of STATES) {
      const n = members.filter(([, a]) => a.availability === state).length;
      if (n) counts.append(el('span', 'count ' + state, `${n} ${WORDS[state]}`));
    }
    card.append(counts);
    for (const [id, a] of members) {
      const row = el('div', 'member ' + a.availability);
      row.dataset.agent = id;
      row.dataset.vendorId = a.vendorId;
      row.dataset.availability = a.availability;
      row.append(el('span', 'dot'), el('span', 'name', a.name), el('span', 'word', WORDS[a.availability]),
        el('span', 'since', `${a.vendor.toLowerCase()} ${ago(a.since)}`));
      card.append(row);
    }
    return card;
  }));
}

async function start() {
  try {
    await loadTeams();
    render();
    subscribe();
  } catch (error) {
    setStatus(`cannot load the teams (${error.message}); retrying…`, true);
    setTimeout(start, retry);
    retry = Math.min(retry * 2, 15000);
  }
}

setInterval(render, 1000);
start();
