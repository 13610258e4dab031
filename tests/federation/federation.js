// Composes Switchboard's subgraph with a small CRM subgraph and serves the supergraph
// with Hive Gateway, offline (no Hive registry, CDN or usage reporting is configured),
// then runs queries that cross both subgraphs. Prints one JSON line for
// tests/api/federation_gateway.rs to check.
//
//   node federation.js <switchboard /graphql url> <requester email> <agent id>...
//
// The CRM subgraph extends `Agent` with `openTickets` (derived from the id: the sum of
// its bytes mod 10, so the Rust side can check every value) and has its own root,
// `escalations`, whose tickets point at the given agents by id only, and at their
// requester (a `Person`) by email only: the gateway has to ask Switchboard's
// `_entities` for the agents' names and the person's accounts.
'use strict';

const http = require('node:http');
const { parse } = require('graphql');
const { composeServices } = require('@apollo/composition');
const { buildSubgraphSchema } = require('@apollo/subgraph');
const { createHandler } = require('graphql-http/lib/use/http');
const { createGatewayRuntime } = require('@graphql-hive/gateway');

const [switchboardUrl, requesterEmail, ...agentIds] = process.argv.slice(2);
if (!switchboardUrl || !requesterEmail || agentIds.length === 0) {
  console.error('usage: node federation.js <switchboard /graphql url> <requester email> <agent id>...');
  process.exit(2);
}

const openTickets = (id) => Buffer.from(id).reduce((sum, b) => sum + b, 0) % 10;

const crmTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type Agent @key(fields: "id") {
    id: ID!
    "Tickets open in the CRM for this agent."
    openTickets: Int!
  }

  # Someone the CRM knows by email only; Switchboard resolves the rest (no description
  # here: a second one would be an inconsistent description, a composition warning).
  type Person @key(fields: "email", resolvable: false) {
    email: String!
  }

  type Ticket {
    id: ID!
    subject: String!
    assignee: Agent!
    requester: Person!
  }

  type Query {
    "Escalated tickets, each assigned to an agent the CRM knows by id only."
    escalations: [Ticket!]!
  }
`);

// The representations the CRM was asked to resolve, to show the gateway batched them.
const crmEntityCalls = [];

const crmSchema = buildSubgraphSchema([
  {
    typeDefs: crmTypeDefs,
    resolvers: {
      Agent: {
        __resolveReference(ref) {
          return { id: ref.id, openTickets: openTickets(ref.id) };
        },
      },
      Query: {
        escalations: () =>
          agentIds.map((id, i) => ({ id: `T-${i + 1}`, subject: `Escalation ${i + 1}`, assignee: { id, openTickets: openTickets(id) }, requester: { email: requesterEmail } })),
      },
    },
  },
]);

function listen(handler) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

async function main() {
  const servers = [];
  try {
    // Switchboard's subgraph SDL, as a gateway's tooling reads it.
    const service = await postJson(switchboardUrl, { query: '{ _service { sdl } }' });
    const switchboardSdl = service.body?.data?._service?.sdl;
    if (!switchboardSdl) throw new Error(`no _service.sdl from Switchboard: ${JSON.stringify(service)}`);

    const crmHandler = createHandler({
      schema: crmSchema,
      onSubscribe(_req, params) {
        if (params.query.includes('_entities')) {
          crmEntityCalls.push(params.variables?.representations?.length ?? -1);
        }
      },
    });
    const crm = await listen(crmHandler);
    servers.push(crm);
    const crmUrl = `http://127.0.0.1:${crm.address().port}/graphql`;

    const composition = composeServices([
      { name: 'switchboard', typeDefs: parse(switchboardSdl), url: switchboardUrl },
      { name: 'crm', typeDefs: crmTypeDefs, url: crmUrl },
    ]);
    const hints = (composition.hints ?? []).map((h) => ({
      code: h.definition.code,
      level: h.definition.level?.name ?? String(h.definition.level?.value ?? ''),
      message: h.message,
    }));
    if (composition.errors && composition.errors.length > 0) {
      console.log(
        JSON.stringify({
          compositionErrors: composition.errors.map((e) => e.message),
          hints,
        }),
      );
      return;
    }

    const gateway = createGatewayRuntime({
      supergraph: composition.supergraphSdl,
      logging: 'error',
    });
    const gatewayServer = await listen(gateway);
    servers.push(gatewayServer);
    const gatewayUrl = `http://127.0.0.1:${gatewayServer.address().port}/graphql`;

    // Switchboard's root, with the CRM's field on every agent.
    const agents = await postJson(gatewayUrl, {
      query: `{ agents(first: 5) { totalCount nodes { id vendor displayName openTickets } } }`,
    });
    // The CRM's root, with Switchboard's fields on agents the CRM knows by id only.
    const escalations = await postJson(gatewayUrl, {
      query: `{ escalations { id subject assignee { id displayName vendor openTickets }
        requester { email agents { id vendor } } } }`,
    });
    console.log(
      JSON.stringify({
        compositionErrors: [],
        hints,
        agents,
        escalations,
        crmEntityCalls,
      }),
    );
    await gateway.dispose?.();
  } finally {
    for (const s of servers) s.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e && e.stack ? e.stack : String(e));
    process.exit(1);
  },
);
