// A graphql-ws client (the `graphql-ws` package, over `ws`) subscribing to
// presenceChanged at argv[2] (ws://…/graphql) with the API key argv[3] for the agent
// argv[4], with a snapshot; once the snapshot arrives it changes the agent's presence
// through the Dixa simulator (argv[5]: its control base, argv[6]: the JSON body) and
// prints one JSON line: { snapshot, change }, the first two events.
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const [url, key, agent, sim, body] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${key}` },
  retryAttempts: 0,
});
const query = `subscription ($agent: ID!) {
  presenceChanged(filter: { agentIds: [$agent] }, includeSnapshot: true) {
    kind agentId presence { availability } previous { availability } } }`;

(async () => {
  const events = [];
  const timer = setTimeout(() => { console.error('timed out', events); process.exit(1); }, 15000);
  for await (const result of client.iterate({ query, variables: { agent } })) {
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    events.push(result.data.presenceChanged);
    if (events.length === 1) {
      const vendorId = sim.split('#')[1];
      const put = await fetch(`${sim.split('#')[0]}/presence/${vendorId}`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body,
      });
      if (!put.ok) throw new Error(`the simulator refused the change: ${put.status}`);
    } else {
      break;
    }
  }
  clearTimeout(timer);
  await client.dispose();
  console.log(JSON.stringify({ snapshot: events[0], change: events[1] }));
})().catch((e) => { console.error(e); process.exit(1); });
