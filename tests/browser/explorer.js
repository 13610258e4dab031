// Opens the explorer at argv[2] in headless Chromium, runs its first query, and prints
// one JSON line: the answer to that query, what the result pane shows, and every failed
// request or page error.
// Exits non-zero when the page never becomes usable.
const { chromium } = require('playwright-core');

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(process.argv[2], { waitUntil: 'networkidle' });
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/graphql'
        && (r.request().postData() || '').includes('TeamsWithMembersAndPresence'),
      { timeout: 20000 });
    await page.click('.graphiql-execute-button');
    const response = await (await answered).json();
    // The answer must also be what the result pane shows.
    await page.waitForFunction(
      () => (document.querySelector('.result-window')?.innerText || '').includes('"data"'),
      null, { timeout: 20000 });
    const pane = await page.$eval('.result-window', (e) => e.innerText);
    console.log(JSON.stringify({ response, pane, problems }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
