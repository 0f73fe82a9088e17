// Drives the voter site in Debian's Chromium (Playwright, no browser download) through a region
// failover: opens the site of the first region, looks up the voter's ballot, kills (SIGKILL) the
// serve of whichever region answered, casts the vote, and prints what the page said as one JSON
// line. Run by tests/integration/site_failover_test.cc, which checks the ballot was counted once.
//
//   node site_failover.mjs SITE_URL VOTER_ID REGION=PID[,REGION=PID...]
import {chromium} from 'playwright-core';

const [site, voter, pidList] = process.argv.slice(2);
if (!site || !voter || !pidList) {
  console.error('usage: node site_failover.mjs SITE_URL VOTER_ID REGION=PID[,REGION=PID...]');
  process.exit(2);
}
const pids = Object.fromEntries(pidList.split(',').map((kv) => {
  const [name, pid] = kv.split('=');
  return [name, Number(pid)];
}));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Without the networking flags Chromium tries to reach Google from a machine with no internet.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // For whoever reads the log of a failed run.
  page.on('console', (m) => console.error('console:', m.text()));
  page.on('requestfailed', (r) => console.error('request failed:', r.method(), r.url(),
                                                r.failure() && r.failure().errorText));
  await page.goto(site);
  await page.fill('#voter-id', voter);
  await page.click('#lookup button[type=submit]');
  await page.waitForSelector('#ballot:not([hidden])', {timeout: 15000});
  const lookupRegion = await page.evaluate(() => document.body.dataset.region);
  // The region that just served this voter dies before the vote is cast.
  process.kill(pids[lookupRegion], 'SIGKILL');
  await page.check('#choices input[type=radio] >> nth=0');
  const candidate = await page.inputValue('#choices input[type=radio] >> nth=0');
  await page.click('#ballot button[type=submit]');
  await page.waitForFunction(
      () => /Counted|error/i.test(document.getElementById('status').textContent) ||
            document.getElementById('status').className === 'error',
      null, {timeout: 30000});
  const status = await page.textContent('#status');
  const voteRegion = await page.evaluate(() => document.body.dataset.region);
  console.log(JSON.stringify({lookupRegion, voteRegion, candidate, status, errors}));
} finally {
  await browser.close();
}
