// Opens the explorer at argv[2] in headless Chromium and prints one JSON line:
// - response, pane: the answer to its first query, and what the result pane shows;
// - schema: the status of GraphiQL's introspection request, its errors (or a note that
//   data.__schema is missing), and how many types it returned;
// - docsAgent, docsText: whether the documentation explorer finds the type Agent (via
//   its search box), and what it shows for it;
// - suggestions: the autocomplete hints for `{ te` typed into the query editor;
// - problems: every failed request, HTTP >= 400 response or page error of the whole run;
// - stepErrors: why a schema, docs or autocomplete step gave nothing (empty when all ran).
// Exits non-zero when the page never becomes usable.
const { chromium } = require('playwright-core');

const TIMEOUT = 20000;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    const stepErrors = [];
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // GraphiQL introspects as soon as it mounts, so listen before the page loads.
    const introspected = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/graphql'
        && operationName(r.request()) === 'IntrospectionQuery',
      { timeout: 0 }); // bounded where it is awaited, not from before the page loads
    // Its body is read as soon as it arrives: Chromium may drop a response body it has
    // buffered long enough, and the first query runs before the schema step.
    const introspection = introspected.then(async (r) => ({ status: r.status(), text: await r.text() }));
    introspection.catch(() => {}); // rejects when the browser closes; never unhandled
    await page.goto(process.argv[2], { waitUntil: 'networkidle' });
    await page.waitForSelector('.graphiql-execute-button', { timeout: TIMEOUT });

    // 1. The first query, run with the execute button.
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/graphql'
        && (r.request().postData() || '').includes('TeamsWithMembersAndPresence'),
      { timeout: TIMEOUT });
    await page.click('.graphiql-execute-button');
    const response = await (await answered).json();
    // The answer must also be what the result pane shows.
    await page.waitForFunction(
      () => (document.querySelector('.result-window')?.innerText || '').includes('"data"'),
      null, { timeout: TIMEOUT });
    const pane = await page.$eval('.result-window', (e) => e.innerText);

    // 2. The schema GraphiQL loaded (its first introspection; it retries only when the
    // answer has no `data` at all).
    const schema = { status: null, errors: null, types: 0 };
    await step('schema', stepErrors, async () => {
      const { status, text } = await within(TIMEOUT, introspection, 'no IntrospectionQuery answer');
      schema.status = status;
      let body;
      try { body = JSON.parse(text); } catch { body = { errors: [`not JSON: ${text.slice(0, 200)}`] }; }
      const types = body?.data?.__schema?.types;
      schema.types = Array.isArray(types) ? types.length : 0;
      schema.errors = body?.errors ?? (types ? null : ['the answer has no data.__schema']);
    });
    const haveSchema = schema.types > 0;
    if (!haveSchema) stepErrors.push('docs, suggestions: skipped, no schema');

    // 3. The documentation explorer: search for Agent and open the type itself (the
    // option whose whole text is `Agent`; fields show as `Type.field`).
    let docsAgent = false;
    let docsText = '';
    if (haveSchema) {
      await step('docs', stepErrors, async () => {
        // Open it unless a first try left it open, and start from its root.
        if (await page.locator('.graphiql-doc-explorer').count() === 0) {
          await page.click('button[aria-label="Show Documentation Explorer"]', { timeout: TIMEOUT });
        }
        const back = page.locator('.graphiql-doc-explorer-back');
        for (let i = 0; i < 5 && await back.count() > 0; i += 1) await back.first().click({ timeout: TIMEOUT });
        const search = page.locator('[data-cy="doc-explorer-input"]');
        await search.click({ timeout: TIMEOUT });
        await search.fill('Agent');
        await page.locator('[data-cy="doc-explorer-option"]', { hasText: /^\s*Agent\s*$/ })
          .first().click({ timeout: TIMEOUT });
        await page.waitForFunction(
          () => document.querySelector('.graphiql-doc-explorer-title')?.innerText.trim() === 'Agent',
          null, { timeout: TIMEOUT });
        docsAgent = true;
        docsText = (await page.$eval('.graphiql-doc-explorer', (e) => e.innerText)).slice(0, 2000);
      });
    }

    // 4. Autocomplete: replace the query with `{ te` (GraphiQL closes the brace) and read
    // the hints it shows while typing, or after Ctrl-Space when none came.
    let suggestions = [];
    if (haveSchema) {
      await step('suggestions', stepErrors, async () => {
        await page.keyboard.press('Escape'); // closes hints a first try left open
        await page.click('.graphiql-query-editor .CodeMirror', { timeout: TIMEOUT });
        await page.keyboard.press('Control+A');
        await page.keyboard.type('{ te', { delay: 50 });
        const hints = page.locator('.CodeMirror-hints li');
        try {
          await hints.first().waitFor({ timeout: 5000 });
        } catch {
          await page.keyboard.press('Control+Space');
          await hints.first().waitFor({ timeout: TIMEOUT });
        }
        suggestions = (await hints.allInnerTexts()).map((s) => s.trim());
      });
    }

    console.log(JSON.stringify({
      response, pane, schema, docsAgent, docsText, suggestions, problems, stepErrors,
    }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e.message); process.exit(1); });

/** The GraphQL operation name a request posts, if its body is JSON. */
function operationName(request) {
  try { return request.postDataJSON()?.operationName; } catch { return undefined; }
}

/** The value of `promise`, or an error when it takes longer than `ms`. */
function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, no) => { timer = setTimeout(() => no(new Error(`${what} within ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Runs one step, once more when it fails (a loaded CI machine can miss a keystroke or
 * a render); a failure both times is noted in `stepErrors`, and the run goes on. A
 * first failure that the second try mends is told on stderr.
 */
async function step(name, stepErrors, fn) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await fn();
      return;
    } catch (e) {
      const why = `${name}: ${e.message.split('\n')[0]}`;
      if (attempt === 2) { stepErrors.push(why); return; }
      console.error(`retrying after ${why}`);
    }
  }
}
