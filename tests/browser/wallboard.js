// Opens the wallboard at argv[2] in headless Chromium, waits for its teams and the live
// subscription, then changes the first member's presence through the Dixa simulator's
// control API (argv[3]: its base, e.g. http://127.0.0.1:1234/dixa/_sim) and waits for
// the page to show it. Prints one JSON line:
// - agent, before, target: the member changed, as shown before, and the state asked for;
// - after, elapsedMs: what the page shows once it changed, and how long it took from
//   the control call;
// - word, counts: the member's word and its team's counts line afterwards;
// - stale: rows of that member (in other teams) still showing another state;
// - reloaded: whether the page was reloaded meanwhile (it must not be);
// - problems: failed requests, HTTP >= 400 responses, page errors.
const { chromium } = require('playwright-core');

const TIMEOUT = 15000;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(process.argv[2]);
    await page.waitForSelector('#status:text("live")', { timeout: TIMEOUT });
    const row = page.locator('[data-agent]').first();
    const agent = await row.getAttribute('data-agent');
    const vendorId = await row.getAttribute('data-vendor-id');
    const before = await row.getAttribute('data-availability');
    const target = before === 'AWAY' ? 'AVAILABLE' : 'AWAY';
    await page.evaluate(() => { window.notReloaded = true; });
    const body = target === 'AWAY'
      ? { presenceStatus: 'Away', connectionStatus: 'Online' }
      : { presenceStatus: 'Working', connectionStatus: 'Online' };
    const started = Date.now();
    const put = await fetch(`${process.argv[3]}/presence/${vendorId}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!put.ok) throw new Error(`the simulator refused the change: ${put.status}`);
    const selector = `[data-agent="${agent}"][data-availability="${target}"]`;
    await page.waitForSelector(selector, { timeout: TIMEOUT });
    const elapsedMs = Date.now() - started;
    // An agent in several teams shows in each; every one changes.
    const changed = page.locator(selector).first();
    const card = page.locator('.team', { has: changed }).first();
    const stale = await page.locator(`[data-agent="${agent}"]:not([data-availability="${target}"])`).count();
    console.log(JSON.stringify({
      agent, before, target,
      after: await changed.getAttribute('data-availability'),
      elapsedMs,
      word: await changed.locator('.word').textContent(),
      counts: await card.locator('.counts').textContent(),
      stale,
      reloaded: !(await page.evaluate(() => window.notReloaded === true)),
      problems,
    }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
