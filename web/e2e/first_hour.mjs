// An agency's first hour, in headless Chromium against a running Outdial:
//   node e2e/first_hour.mjs <base url> <screenshot dir>
// Signs up, creates a list (contacts by hand and a CSV import), creates and starts a
// progressive campaign, works two calls from the cockpit (a hotkey disposition, then a
// callback), and checks the wallboard. Fails on any console error in the page.
// The sandbox carrier is told to make the hand-entered leads people who talk for a while
// (E2E_TALK_MS of simulated time; tests run the sandbox at 0.02x, so 150 s is 3 s).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [base, shotsDir] = [process.argv[2], process.argv[3]];
if (!base || !shotsDir) {
  console.error('usage: node e2e/first_hour.mjs <base url> <screenshot dir>');
  process.exit(2);
}
const TALK_MS = Number(process.env.E2E_TALK_MS ?? 150000);
fs.mkdirSync(shotsDir, { recursive: true });
const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

const suffix = Math.random().toString(36).slice(2, 8);
const leads = [
  { first: 'Grace', last: 'Hopper', company: 'Navy Labs', phone: '+12125550101' },
  { first: 'Alan', last: 'Turing', company: 'Bletchley', phone: '+12125550102' },
  { first: 'Ada', last: 'Lovelace', company: '', phone: '+12125550103' },
];
for (const l of leads) {
  const res = await fetch(`${base}/sandbox/_sandbox/numbers/${encodeURIComponent(l.phone)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: { kind: 'human', pickup_ms: 1000, talk_ms: TALK_MS } }),
  });
  if (!res.ok) throw new Error(`sandbox override for ${l.phone}: ${res.status}`);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const errors = [];
let shot = 0;
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(30_000);
page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
const snap = async (name) => {
  shot += 1;
  await page.screenshot({ path: path.join(shotsDir, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
};
const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
const agentState = () => page.getByTestId('agent-state');

try {
  // Sign up.
  await page.goto(`${base}/signup`);
  await page.getByLabel('Agency name').fill(`First Hour ${suffix}`);
  await page.getByLabel('Your name').fill('Olive Owner');
  await page.getByLabel('Email').fill(`olive-${suffix}@firsthour.test`);
  await page.getByLabel('Password').fill('Correct-horse-42');
  await snap('signup');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Lists', exact: true }).waitFor();
  log('signed up');

  // A list, three leads by hand (landlines), three more from a CSV.
  await page.getByLabel('List name').fill('November leads');
  await page.getByRole('button', { name: 'Create list' }).click();
  await page.getByRole('cell', { name: 'November leads' }).waitFor();
  for (const l of leads) {
    await page.getByLabel('First name').fill(l.first);
    await page.getByLabel('Last name').fill(l.last);
    await page.getByLabel('Company').fill(l.company);
    await page.getByLabel('Phone', { exact: true }).fill(l.phone);
    await page.getByLabel('Phone type').selectOption('landline');
    await page.getByLabel('State (two letters)').fill('NY');
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByText(`Added ${l.first} ${l.last}.`).waitFor();
  }
  const csv = [
    'First Name,Last Name,Company,Phone,State,Zip',
    'Linus,Pauling,Caltech,+1 212 555 0201,NY,10001',
    'Marie,Curie,Radium Inst,(212) 555-0202,NY,10002',
    'Nobody,Here,,not a phone,NY,10003',
  ].join('\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.getByLabel('Field for column Phone').waitFor();
  await snap('import-mapping');
  await page.getByRole('button', { name: 'Start import' }).click();
  await page.getByText('Import done: 100%').waitFor();
  await page.getByRole('link', { name: /Download the 1 refused rows/ }).waitFor();
  await page.getByRole('row', { name: /November leads 5/ }).waitFor();
  await snap('import-done');
  log('list ready: 3 contacts by hand, 2 of 3 CSV rows imported');

  // A progressive, informational campaign.
  await nav('Campaigns');
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill('Solar follow-up');
  await page.getByLabel('Dialing mode').selectOption('progressive');
  await page.getByLabel('Purpose').selectOption('informational');
  await page.getByLabel('Answering-machine detection').check();
  await page.getByLabel('When a machine answers').selectOption('hangup');
  await page.getByLabel('Wrap-up (seconds)').fill('0');
  await page.getByLabel('Seller name').fill('Acme Solar');
  await page.getByLabel('Callback number').fill('+12125550199');
  await page.getByLabel('Ring timeout (seconds)').fill('20');
  await page.getByLabel('Attempts per lead').fill('2');
  await page.getByLabel('New script').fill('Hi {FirstName}, this is {Seller}.{?Company} At {Company}?{/Company}');
  await page.getByLabel(/November leads/).check();
  await snap('campaign-form');
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await page.getByRole('heading', { name: 'Solar follow-up' }).waitFor();
  await page.getByRole('button', { name: 'Start' }).click();
  await page.locator('.badge.running').first().waitFor();
  log('campaign running');

  // The cockpit: join, wait for a call, let it end, disposition it with its hotkey.
  await nav('Cockpit');
  await page.getByRole('button', { name: 'Join campaign' }).click();
  await page.locator('[data-testid=agent-state]', { hasText: 'ready' }).waitFor();
  await snap('cockpit-ready');
  log('agent ready');

  const tileKey = async (re) => page.locator('button.tile').filter({ hasText: re }).getAttribute('aria-keyshortcuts');
  const interestedKey = await tileKey(/(^|\s)Interested$/);
  const callbackKey = await tileKey(/Call back$/);
  if (!interestedKey || !callbackKey) throw new Error('disposition tiles without hotkeys');

  const waitForCallToEnd = async () => {
    const seen = new Set();
    for (let i = 0; i < 600; i += 1) {
      const s = (await agentState().textContent())?.trim();
      if (s && !seen.has(s)) { seen.add(s); log(`agent state: ${s}`); if (s === 'on call') await snap('cockpit-on-call'); }
      if (s === 'wrap up') return;
      await page.waitForTimeout(100);
    }
    throw new Error('no call reached wrap-up within 60 s');
  };

  await waitForCallToEnd();
  const script = await page.getByLabel('Script').textContent();
  if (!/^Hi (Grace|Alan|Ada), this is Acme Solar\./.test(script ?? '')) throw new Error(`script not rendered: ${script}`);
  await snap('cockpit-wrap-up');
  await page.keyboard.press(interestedKey);
  await page.getByText(/Interested: next call in \ds/).waitFor();
  await snap('cockpit-countdown');
  await page.getByTestId('handled').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
  log('first call dispositioned with hotkey', interestedKey);

  // The next call: a callback, then Esc on the countdown to pause instead of taking a call.
  await waitForCallToEnd();
  await page.keyboard.press(callbackKey);
  const when = page.getByLabel('Call back at');
  await when.waitFor();
  await when.fill('2027-01-15T10:00');
  await snap('cockpit-callback');
  await page.getByRole('button', { name: 'Schedule callback' }).click();
  await page.getByText(/Call back: next call in \ds/).waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('handled').filter({ hasText: '2' }).waitFor({ timeout: 10_000 });
  await page.locator('[data-testid=agent-state]', { hasText: 'paused' }).waitFor();
  await page.locator('.callbacks li').first().waitFor();
  await snap('cockpit-paused-with-callback');
  log('callback scheduled; agent paused with Esc');

  // The wallboard: the agent, paused, and the campaign's counters.
  await nav('Wallboard');
  const agents = page.getByRole('table', { name: 'Agents' });
  await agents.getByRole('row', { name: /Olive Owner.*paused/ }).waitFor();
  const board = page.getByRole('article', { name: 'Campaign Solar follow-up' });
  await board.waitFor();
  const connects = Number(await board.getByTestId('connects').textContent());
  const dials = Number(await board.getByTestId('dials').textContent());
  if (!(connects >= 2 && dials >= connects)) throw new Error(`wallboard counters: ${dials} dials, ${connects} connects`);
  await page.getByLabel('Abandon rate of Solar follow-up').waitFor();
  await snap('wallboard');
  log(`wallboard: ${dials} dials, ${connects} connects`);
} catch (e) {
  errors.push(`step failed: ${e.message}`);
  await snap('failure').catch(() => undefined);
} finally {
  await browser.close();
}

if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
log(`ok; screenshots in ${shotsDir}`);
