// Runs graphql-http's GraphQL-over-HTTP conformance audit against the endpoint at argv[2]
// (e.g. http://127.0.0.1:PORT/graphql), with the API key argv[3] when given, and prints
// one JSON line: {"total","ok","warn":[{id,name,reason}],"error":[...],"notice":[...]}.
// Every request carries `apollo-require-preflight: true`, the documented way past the
// server's CSRF protection, on top of the audit's own headers.
// Exits 0 whatever the audits find; non-zero only when the audit cannot run at all.
const { auditServer } = require('graphql-http');

(async () => {
  const [url, key] = process.argv.slice(2);
  if (!url) throw new Error('usage: node audit.js URL [API_KEY]');
  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('apollo-require-preflight', 'true');
    if (key) headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
  const results = await auditServer({ url, fetchFn });
  const failed = (status) => results.filter((r) => r.status === status)
    .map(({ id, name, reason }) => ({ id, name, reason }));
  console.log(JSON.stringify({
    total: results.length,
    ok: results.filter((r) => r.status === 'ok').length,
    warn: failed('warn'),
    error: failed('error'),
    // A failing MAY audit is a 'notice'; listed so ok + warn + error + notice = total.
    notice: failed('notice'),
  }));
})().catch((e) => { console.error(e.message); process.exit(1); });
